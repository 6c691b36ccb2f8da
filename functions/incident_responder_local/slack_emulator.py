"""A local Slack Web API emulator for the embedded default (demo, tests).

A real HTTP server on 127.0.0.1 (a free port, a daemon thread) that answers the Web API methods the
responder uses the way slack.com does, so the real ``slack_sdk.WebClient(base_url=emulator.base_url)``
talks to it unchanged: form or JSON bodies, ``Authorization: Bearer`` checked, ``{"ok": true, ...}``
answers, Slack's error codes and documented message limits (50 blocks, 3,000 characters of section
text, 40,000 characters of text). Faults can be injected (429 with ``Retry-After``, 5xx, ``ok: false``
answers, a channel that refuses posts) and Slack can be taken down (connection refused) to exercise
slack-sdk's retry handlers.

    with SlackEmulator(bot_token="xoxb-local-test") as slack:
        client = WebClient(token="xoxb-local-test", base_url=slack.base_url)
        client.chat_postMessage(channel="#data-incidents", text="hello")
        assert slack.messages()[0]["text"] == "hello"

Message ``ts`` values are deterministic and strictly increasing ("1700000000.000100", ...); channel
names map to stable ids (``C`` + 10 characters of a hash of the name). All state sits behind one lock.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

__all__ = ["BOT_ID", "BOT_USER_ID", "TEAM_ID", "SlackEmulator", "SlackEmulatorError"]

BOT_USER_ID = "U0BOT0001"
BOT_ID = "B0BOT0001"
TEAM_ID = "T0LOCAL01"
_APP_ID = "A0BOT0001"

# Slack's documented limits (Slack's API documentation of chat.postMessage and Block Kit).
MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_SECTION_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_BLOCK_ID = 255
MAX_TEXT = 40000

_FIRST_TS_MICROS = 1_700_000_000_000_100
_TS_STEP_MICROS = 100
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{8,}$")
_CHANNEL_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,79}$")


class SlackEmulatorError(Exception):
    """The emulator was used wrongly from Python (not started, unknown message, port taken)."""


class _ApiError(Exception):
    """A Slack error answer: HTTP 200 with ``{"ok": false, "error": ...}`` and optional extra keys."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.body = {"ok": False, "error": error, **extra}


@dataclass
class _Message:
    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]] | None
    user: str
    bot_id: str | None = None
    thread_ts: str | None = None
    username: str | None = None
    reply_broadcast: bool = False
    edited: dict[str, str] | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    reactions: dict[str, list[str]] = field(default_factory=dict)
    metadata: dict[str, Any] | None = None  # chat.postMessage's ``metadata`` (event_type, event_payload)


@dataclass
class _Fault:
    status: int
    retry_after: int
    error: str


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], emulator: SlackEmulator) -> None:
        super().__init__(address, _Handler)
        self.emulator = emulator


DROP = -1  # a _dispatch status: close the connection without answering


def _metadata(params: dict[str, Any]) -> dict[str, Any] | None:
    raw = params.get("metadata")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise _ApiError("invalid_metadata_format") from exc
    if raw is None:
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("event_type"), str) or not isinstance(
            raw.get("event_payload"), dict):
        raise _ApiError("invalid_metadata_schema")
    return {"event_type": raw["event_type"], "event_payload": raw["event_payload"]}


class _Handler(BaseHTTPRequestHandler):
    server_version = "SlackEmulator/1.0"

    def do_POST(self) -> None:
        self._serve()

    def do_GET(self) -> None:
        self._serve()

    def _serve(self) -> None:
        url = urlsplit(self.path)
        if not url.path.startswith("/api/"):
            self._reply(404, {}, {"ok": False, "error": "not_found"})
            return
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        emulator: SlackEmulator = self.server.emulator  # type: ignore[attr-defined]
        status, headers, body = emulator._dispatch(
            url.path[len("/api/") :], self.headers.get("Authorization", ""), url.query, raw,
            self.headers.get("Content-Type", ""),
        )
        if status == DROP:  # the call was carried out; the answer is lost with the connection
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._reply(status, headers, body)

    def _reply(self, status: int, headers: dict[str, str], body: dict[str, Any]) -> None:
        payload = json.dumps(body).encode("utf-8")
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""


def _parse_params(query: str, raw: bytes, content_type: str) -> dict[str, Any]:
    """Merge query-string and body parameters; slack-sdk sends JSON for some methods, forms for others."""
    params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    if not raw:
        return params
    if "json" in content_type:
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise _ApiError("invalid_json") from exc
        if not isinstance(body, dict):
            raise _ApiError("invalid_json")
        params.update(body)
    elif "form-urlencoded" in content_type or not content_type:
        params.update(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
    else:
        raise _ApiError("invalid_form_data")
    return params


def _text(params: dict[str, Any], name: str) -> str:
    value = params.get(name)
    return "" if value is None else str(value)


def _flag(params: dict[str, Any], name: str) -> bool:
    return str(params.get(name, "")).strip().lower() in {"1", "true"}


def _int(params: dict[str, Any], name: str, default: int, maximum: int) -> int:
    try:
        value = int(params.get(name) or default)
    except (TypeError, ValueError):
        value = default
    return min(value, maximum) if value > 0 else default


def _block_errors(blocks: Any) -> list[str]:
    """Check blocks against Slack's documented limits; return Slack-style error strings."""
    if len(blocks) > MAX_BLOCKS:
        return [f"must be less than {MAX_BLOCKS + 1} items [json-pointer:/blocks]"]
    errors: list[str] = []
    for i, block in enumerate(blocks):
        where = f"/blocks/{i}"
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            errors.append(f"missing required field: type [json-pointer:{where}]")
            continue
        if len(str(block.get("block_id", ""))) > MAX_BLOCK_ID:
            errors.append(f"must be less than {MAX_BLOCK_ID + 1} characters [json-pointer:{where}/block_id]")
        text = block.get("text")
        text_value = str(text.get("text", "")) if isinstance(text, dict) else None
        if block["type"] == "section":
            fields = block.get("fields") or []
            if text_value is None and not fields:
                errors.append(f"must provide either text or fields [json-pointer:{where}]")
            if text_value is not None and not 0 < len(text_value) <= MAX_SECTION_TEXT:
                bound = f"less than {MAX_SECTION_TEXT + 1}" if text_value else "more than 0"
                errors.append(f"must be {bound} characters [json-pointer:{where}/text/text]")
            if len(fields) > MAX_SECTION_FIELDS:
                limit = MAX_SECTION_FIELDS + 1
                errors.append(f"must be less than {limit} items [json-pointer:{where}/fields]")
            for j, item in enumerate(fields[:MAX_SECTION_FIELDS]):
                if isinstance(item, dict) and len(str(item.get("text", ""))) > MAX_FIELD_TEXT:
                    errors.append(
                        f"must be less than {MAX_FIELD_TEXT + 1} characters "
                        f"[json-pointer:{where}/fields/{j}/text]"
                    )
        elif block["type"] == "header" and text_value is not None and len(text_value) > MAX_HEADER_TEXT:
            limit = MAX_HEADER_TEXT + 1
            errors.append(f"must be less than {limit} characters [json-pointer:{where}/text/text]")
    return errors


def _content(params: dict[str, Any]) -> tuple[str, list[dict[str, Any]] | None]:
    """The message text and blocks of a post or update, validated as Slack does."""
    text = _text(params, "text")
    blocks = params.get("blocks")
    if isinstance(blocks, str):  # form bodies carry blocks as a JSON string
        try:
            blocks = json.loads(blocks) if blocks.strip() else None
        except json.JSONDecodeError as exc:
            raise _ApiError("invalid_blocks_format") from exc
    if blocks is not None and not isinstance(blocks, list):
        raise _ApiError("invalid_blocks_format")
    if not text and not blocks and not params.get("attachments"):
        raise _ApiError("no_text")
    if len(text) > MAX_TEXT:
        raise _ApiError("msg_too_long")
    errors = _block_errors(blocks or [])
    if errors:
        raise _ApiError(
            "invalid_blocks", errors=errors, response_metadata={"messages": [f"[ERROR] {e}" for e in errors]}
        )
    return text, blocks or None


def _page(items: list[dict[str, Any]], params: dict[str, Any], default_limit: int) -> dict[str, Any]:
    """One page of ``items`` with Slack's cursor pagination (an opaque cursor, '' on the last page)."""
    limit = _int(params, "limit", default_limit, 1000)
    cursor = _text(params, "cursor")
    start = 0
    if cursor:
        try:
            start = int(base64.b64decode(cursor).decode().removeprefix("offset:"))
        except ValueError as exc:
            raise _ApiError("invalid_cursor") from exc
    page = items[start : start + limit]
    more = start + limit < len(items)
    next_cursor = base64.b64encode(f"offset:{start + limit}".encode()).decode() if more else ""
    return {"messages": page, "has_more": more, "response_metadata": {"next_cursor": next_cursor}}


class SlackEmulator:
    """A local Slack Web API on 127.0.0.1; see the module docstring.

    Args:
        bot_token: the token requests must carry as ``Authorization: Bearer <token>``.
        host: the address to bind (127.0.0.1: never reachable from elsewhere).
        port: 0 picks a free port.
    """

    def __init__(
        self, bot_token: str = "xoxb-local-emulator", *, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.bot_token = bot_token
        self._host = host
        self._port = port
        self._lock = threading.RLock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._down_mode: str | None = None
        self._users: dict[str, dict[str, Any]] = {}
        self._groups: dict[str, list[str]] = {}
        self._channel_names: dict[str, str] = {}  # id -> name, for channels known by name
        self.add_user(BOT_USER_ID, "incident-responder", is_bot=True, real_name="Incident Responder")
        self.reset()

    # lifecycle ---------------------------------------------------------------------------------------

    def start(self) -> SlackEmulator:
        """Bind the port and serve in a daemon thread; a no-op when already serving."""
        with self._lock:
            if self._server is None:
                self._serve()
                self._down_mode = None
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        with self._lock:
            server, self._server = self._server, None
            thread, self._thread = self._thread, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> SlackEmulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """The Web API base URL for ``WebClient(base_url=...)``, ending with ``/api/``."""
        if not self._port:
            raise SlackEmulatorError("the Slack emulator is not started")
        return f"http://{self._host}:{self._port}/api/"

    def down(self, mode: str = "refused") -> None:
        """Take Slack down until :meth:`up`.

        ``mode="refused"`` closes the listening socket, so connections are refused (``URLError``, what
        slack-sdk's ConnectionErrorRetryHandler retries). ``mode="503"`` keeps listening and answers
        every call with HTTP 503 (what its ServerErrorRetryHandler retries); those calls are recorded.
        """
        if mode not in {"refused", "503"}:
            raise ValueError(f"unknown down mode {mode!r}; use 'refused' or '503'")
        with self._lock:
            self._down_mode = mode
            server, self._server = (self._server, None) if mode == "refused" else (None, self._server)
        if server is not None:
            server.shutdown()
            server.server_close()

    def up(self) -> None:
        """Bring Slack back on the same port after :meth:`down`."""
        with self._lock:
            if self._server is None:
                self._serve()
            self._down_mode = None

    def _serve(self) -> None:
        try:
            server = _Server((self._host, self._port), self)
        except OSError as exc:
            raise SlackEmulatorError(f"cannot bind {self._host}:{self._port}: {exc}") from exc
        self._server, self._port = server, server.server_address[1]
        # A short poll interval keeps stop() and down() fast.
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="slack-emulator", daemon=True
        )
        self._thread.start()

    # configuration and inspection ---------------------------------------------------------------------

    def reset(self) -> None:
        """Forget messages, ephemerals, calls and pending faults; users, groups and channels stay."""
        with self._lock:
            self._messages: list[_Message] = []
            self._ephemerals: list[dict[str, Any]] = []
            self._calls: list[tuple[str, dict[str, Any]]] = []
            self._faults: list[tuple[str, _Fault]] = []
            self._drops: list[str] = []
            self._post_limit: tuple[float, float] | None = None
            self._limited = 0
            self._buckets: dict[str, tuple[float, float]] = {}
            self._closed: dict[str, str] = {}  # channel id -> the error posting to it gets
            self._next_micros = _FIRST_TS_MICROS

    def add_user(self, user_id: str, name: str, is_bot: bool = False, real_name: str | None = None) -> None:
        """Make ``users.info`` know a user."""
        with self._lock:
            self._users[user_id] = {
                "id": user_id, "name": name, "is_bot": is_bot, "real_name": real_name or name,
            }

    def add_usergroup(self, group_id: str, users: list[str]) -> None:
        """Make ``usergroups.users.list`` know a user group and its members."""
        with self._lock:
            self._groups[group_id] = list(users)

    def add_channel(self, name: str, channel_id: str | None = None) -> str:
        """Name a channel (with a given id, or the stable hashed one) and return its id."""
        with self._lock:
            name = name.lstrip("#")
            cid = channel_id or self.channel_id(name)
            self._channel_names[cid] = name
            return cid

    def channel_id(self, name: str) -> str:
        """The id of channel ``name`` (``#name`` or ``name``); an id is returned as given."""
        if _CHANNEL_ID.match(name):
            return name
        name = name.lstrip("#")
        with self._lock:
            for cid, known in self._channel_names.items():
                if known == name:
                    return cid
        digest = base64.b32encode(hashlib.sha256(name.encode("utf-8")).digest()).decode()
        return "C" + digest[:10]

    @property
    def calls(self) -> list[tuple[str, dict[str, Any]]]:
        """Every request that reached the emulator, in order, as ``(method, params)`` (no token)."""
        with self._lock:
            return list(self._calls)

    def call_count(self, method: str | None = None) -> int:
        """How many requests reached the emulator (for one method, or all)."""
        with self._lock:
            return sum(1 for name, _ in self._calls if method is None or name == method)

    def messages(self, channel: str | None = None, top_level_only: bool = False) -> list[dict[str, Any]]:
        """Messages in the order they were posted (optionally of one channel, or without replies)."""
        with self._lock:
            cid = self.channel_id(channel) if channel else None
            return [
                self._public(m)
                for m in self._messages
                if (cid is None or m.channel == cid) and not (top_level_only and m.thread_ts)
            ]

    def thread(self, channel: str, ts: str) -> list[dict[str, Any]]:
        """The thread of message ``ts``: its parent (when it exists) and replies, oldest first."""
        with self._lock:
            cid = self.channel_id(channel)
            found = self._find(cid, ts)
            root = (found.thread_ts or found.ts) if found else ts
            return [
                self._public(m) for m in self._messages if m.channel == cid and root in (m.ts, m.thread_ts)
            ]

    def reactions(self, channel: str, ts: str) -> list[dict[str, Any]]:
        """Reactions on a message as Slack lists them: ``[{"name", "users", "count"}]``."""
        with self._lock:
            found = self._find(self.channel_id(channel), ts)
            if found is None:
                raise SlackEmulatorError(f"no message {ts} in channel {channel}")
            return self._reaction_list(found)

    def ephemerals(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Ephemeral messages (``chat.postEphemeral``), each ``{"channel", "user", "ts", "thread_ts", "text",
        "blocks"}``."""
        with self._lock:
            cid = self.channel_id(channel) if channel else None
            return [copy.deepcopy(e) for e in self._ephemerals if cid is None or e["channel"] == cid]

    def post_as_user(
        self, channel: str, user: str, text: str, thread_ts: str | None = None,
        blocks: list[dict[str, Any]] | None = None,
    ) -> str:
        """Record a person's message (a thread reply when ``thread_ts`` is given) and return its ts."""
        with self._lock:
            cid = self._channel({"channel": channel})
            message = _Message(
                channel=cid, ts=self._next_ts(), text=text, blocks=blocks, user=user,
                thread_ts=self._root_ts(cid, thread_ts),
            )
            self._messages.append(message)
            return message.ts

    def fail_next(
        self,
        method: str,
        count: int = 1,
        status: int | None = None,
        retry_after: int = 1,
        error: str | None = None,
    ) -> None:
        """Make the next ``count`` calls of ``method`` (``"*"``: any method) fail.

        With no ``error``: HTTP ``status`` (default 429, with ``Retry-After: retry_after`` and error
        ``ratelimited``; or 500/503). With an ``error``: HTTP ``status`` (default 200) and
        ``{"ok": false, "error": error}``, e.g. ``channel_not_found``.
        """
        if status is None:
            status = 200 if error else 429
        default_error = {429: "ratelimited", 500: "internal_error", 503: "service_unavailable"}
        fault = _Fault(status, retry_after, error or default_error.get(status, "fatal_error"))
        with self._lock:
            self._faults.extend((method, fault) for _ in range(count))

    @property
    def rate_limited(self) -> int:
        """How many posts were answered 429 by :meth:`limit_posts` since the last reset."""
        return self._limited

    def limit_posts(self, per_second: float = 1.0, burst: int = 5) -> None:
        """Enforce Slack's chat.postMessage limit: about ``per_second`` messages a second per channel, with
        short bursts of ``burst``; beyond it a 429 with Retry-After (until :meth:`reset`)."""
        with self._lock:
            self._post_limit = (per_second, float(burst))
            self._buckets = {}

    def _rate_limited(self, params: dict[str, Any]) -> int | None:
        """Seconds to wait when this post exceeds its channel's limit (a token bucket), else None."""
        if self._post_limit is None:
            return None
        rate, burst = self._post_limit
        try:
            cid = self._channel(params)
        except _ApiError:
            return None
        now = time.monotonic()
        tokens, at = self._buckets.get(cid, (burst, now))
        tokens = min(burst, tokens + (now - at) * rate)
        if tokens < 1:
            self._buckets[cid] = (tokens, now)
            return max(1, int((1 - tokens) / rate + 0.999))
        self._buckets[cid] = (tokens - 1, now)
        return None

    def drop_response_next(self, method: str, count: int = 1) -> None:
        """Make the next ``count`` calls of ``method`` do their work (a post is stored) and then close the
        connection without an answer: the client sees a connection reset after Slack acted on the call."""
        with self._lock:
            self._drops.extend([method] * count)

    def close_channel(self, channel: str, error: str = "channel_not_found") -> None:
        """Make every post to ``channel`` (an id or a name) fail with ``error`` until :meth:`reset`:
        ``channel_not_found`` (deleted or renamed), ``is_archived``, or ``not_in_channel``."""
        with self._lock:
            self._closed[self._channel({"channel": channel})] = error

    # request handling --------------------------------------------------------------------------------

    def _dispatch(
        self, method: str, authorization: str, query: str, raw: bytes, content_type: str
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        """Answer one request: (HTTP status, extra headers, JSON body)."""
        with self._lock:
            try:
                params = _parse_params(query, raw, content_type)
            except _ApiError as exc:
                self._calls.append((method, {}))
                return 200, {}, exc.body
            token = authorization.removeprefix("Bearer ").strip() or _text(params, "token")
            self._calls.append((method, {k: v for k, v in params.items() if k != "token"}))
            if self._down_mode == "503":
                return 503, {}, {"ok": False, "error": "service_unavailable"}
            fault = self._take_fault(method)
            if fault is not None:
                headers = {"Retry-After": str(fault.retry_after)} if fault.status == 429 else {}
                return fault.status, headers, {"ok": False, "error": fault.error}
            handler = _METHODS.get(method)
            if handler is None:
                return 200, {}, {"ok": False, "error": "unknown_method"}
            if not token:
                return 200, {}, {"ok": False, "error": "not_authed"}
            if token != self.bot_token:
                return 200, {}, {"ok": False, "error": "invalid_auth"}
            if method == "chat.postMessage" and (wait := self._rate_limited(params)) is not None:
                self._limited += 1
                return 429, {"Retry-After": str(wait)}, {"ok": False, "error": "ratelimited"}
            try:
                answer: tuple[int, dict[str, str], dict[str, Any]] = (200, {}, {"ok": True, **handler(self, params)})
            except _ApiError as exc:
                return 200, {}, exc.body
            if method in self._drops:
                self._drops.remove(method)
                return DROP, {}, {}
            return answer

    def _take_fault(self, method: str) -> _Fault | None:
        for i, (name, fault) in enumerate(self._faults):
            if name in (method, "*"):
                del self._faults[i]
                return fault
        return None

    def _next_ts(self) -> str:
        micros, self._next_micros = self._next_micros, self._next_micros + _TS_STEP_MICROS
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _channel(self, params: dict[str, Any]) -> str:
        """Resolve the ``channel`` parameter (id, ``#name`` or ``name``) to an id, as Slack does."""
        value = _text(params, "channel").strip()
        if _CHANNEL_ID.match(value):
            return value
        name = value.removeprefix("#")
        if not _CHANNEL_NAME.match(name):
            raise _ApiError("channel_not_found")
        cid = self.channel_id(name)
        self._channel_names.setdefault(cid, name)
        return cid

    def _find(self, channel: str, ts: str | None) -> _Message | None:
        return next((m for m in self._messages if m.channel == channel and m.ts == ts), None)

    def _message(self, params: dict[str, Any], ts_param: str) -> _Message:
        found = self._find(self._channel(params), _text(params, ts_param))
        if found is None:
            raise _ApiError("message_not_found")
        return found

    def _root_ts(self, channel: str, thread_ts: Any) -> str | None:
        """A reply to a reply joins its thread; an unknown thread_ts is kept (Slack accepts it too)."""
        if thread_ts in (None, ""):
            return None
        found = self._find(channel, str(thread_ts))
        return (found.thread_ts or found.ts) if found else str(thread_ts)

    def _replies(self, message: _Message) -> list[_Message]:
        if message.thread_ts:
            return []
        return [m for m in self._messages if m.channel == message.channel and m.thread_ts == message.ts]

    @staticmethod
    def _reaction_list(message: _Message) -> list[dict[str, Any]]:
        return [{"name": n, "users": list(u), "count": len(u)} for n, u in message.reactions.items()]

    def _public(self, m: _Message) -> dict[str, Any]:
        return {
            "channel": m.channel, "channel_name": self._channel_names.get(m.channel), "ts": m.ts,
            "thread_ts": m.thread_ts, "text": m.text, "blocks": copy.deepcopy(m.blocks), "user": m.user,
            "bot_id": m.bot_id, "username": m.username, "edited": copy.deepcopy(m.edited),
            "history": copy.deepcopy(m.history),
        }

    def _api_view(self, m: _Message, metadata: bool = False) -> dict[str, Any]:
        """The message as the Web API returns it (``conversations.*``, ``chat.*``); its metadata only when
        asked for (``include_all_metadata``), as Slack does."""
        view: dict[str, Any] = {"type": "message", "ts": m.ts, "text": m.text, "user": m.user}
        if metadata and m.metadata:
            view["metadata"] = copy.deepcopy(m.metadata)
        view["team"] = TEAM_ID
        if m.bot_id:
            view.update(bot_id=m.bot_id, app_id=_APP_ID)
        if m.username:
            view["username"] = m.username
        if m.blocks is not None:
            view["blocks"] = copy.deepcopy(m.blocks)
        if m.thread_ts:
            parent = self._find(m.channel, m.thread_ts)
            view["thread_ts"] = m.thread_ts
            if parent is not None:
                view["parent_user_id"] = parent.user
        replies = self._replies(m)
        if replies:
            users = list(dict.fromkeys(r.user for r in replies))
            view.update(
                thread_ts=m.ts, reply_count=len(replies), reply_users=users, reply_users_count=len(users),
                latest_reply=replies[-1].ts,
            )
        if m.edited:
            view["edited"] = dict(m.edited)
        if m.reactions:
            view["reactions"] = self._reaction_list(m)
        return view

    # Web API methods ---------------------------------------------------------------------------------

    def _auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": "https://local-workspace.slack.com/", "team": "Local Workspace",
            "user": "incident-responder", "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _chat_post_message(self, params: dict[str, Any]) -> dict[str, Any]:
        cid = self._channel(params)
        if cid in self._closed:
            raise _ApiError(self._closed[cid])
        text, blocks = _content(params)
        message = _Message(
            channel=cid, ts=self._next_ts(), text=text, blocks=blocks, user=BOT_USER_ID, bot_id=BOT_ID,
            thread_ts=self._root_ts(cid, params.get("thread_ts")), username=params.get("username"),
            reply_broadcast=_flag(params, "reply_broadcast"), metadata=_metadata(params),
        )
        self._messages.append(message)
        return {"channel": cid, "ts": message.ts, "message": self._api_view(message)}

    def _chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._message(params, "ts")
        if message.bot_id != BOT_ID:
            raise _ApiError("cant_update_message")
        merged = {"text": message.text, "blocks": message.blocks, **params}
        text, blocks = _content(merged)
        message.history.append({"text": message.text, "blocks": copy.deepcopy(message.blocks)})
        message.text, message.blocks = text, blocks
        message.edited = {"user": BOT_USER_ID, "ts": self._next_ts()}
        view = self._api_view(message)
        return {"channel": message.channel, "ts": message.ts, "text": text, "message": view}

    def _chat_post_ephemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        cid = self._channel(params)
        user = _text(params, "user")
        if not user:
            raise _ApiError("user_not_found")
        text, blocks = _content(params)
        ts = self._next_ts()
        self._ephemerals.append({
            "channel": cid, "user": user, "ts": ts, "thread_ts": params.get("thread_ts"), "text": text,
            "blocks": blocks,
        })
        return {"message_ts": ts}

    def _chat_get_permalink(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._message(params, "message_ts")
        link = f"https://local-workspace.slack.com/archives/{message.channel}/p{message.ts.replace('.', '')}"
        return {"channel": message.channel, "permalink": link}

    def _conversations_replies(self, params: dict[str, Any]) -> dict[str, Any]:
        cid = self._channel(params)
        found = self._find(cid, _text(params, "ts"))
        root = self._find(cid, found.thread_ts) if found and found.thread_ts else found
        if root is None:
            raise _ApiError("thread_not_found")
        thread = [root, *self._replies(root)]
        return _page([self._api_view(m, _flag(params, "include_all_metadata")) for m in thread], params, 1000)

    def _conversations_history(self, params: dict[str, Any]) -> dict[str, Any]:
        cid = self._channel(params)
        oldest, latest = float(params.get("oldest") or 0), float(params.get("latest") or "inf")
        inclusive = _flag(params, "inclusive")
        visible = [
            m for m in reversed(self._messages)
            if m.channel == cid and (not m.thread_ts or m.reply_broadcast)
            and (oldest <= float(m.ts) <= latest if inclusive else oldest < float(m.ts) < latest)
        ]
        return _page([self._api_view(m, _flag(params, "include_all_metadata")) for m in visible], params, 100)

    def _reactions_add(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._message(params, "timestamp")
        name = _text(params, "name").strip(":")
        if not name:
            raise _ApiError("invalid_name")
        users = message.reactions.setdefault(name, [])
        if BOT_USER_ID in users:
            raise _ApiError("already_reacted")
        users.append(BOT_USER_ID)
        return {}

    def _reactions_remove(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._message(params, "timestamp")
        name = _text(params, "name").strip(":")
        users = message.reactions.get(name, [])
        if BOT_USER_ID not in users:
            raise _ApiError("no_reaction")
        users.remove(BOT_USER_ID)
        if not users:
            del message.reactions[name]
        return {}

    def _users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user = self._users.get(_text(params, "user"))
        if user is None:
            raise _ApiError("user_not_found")
        profile = {"real_name": user["real_name"], "display_name": user["name"]}
        return {"user": {**user, "team_id": TEAM_ID, "deleted": False, "profile": profile}}

    def _usergroups_users_list(self, params: dict[str, Any]) -> dict[str, Any]:
        users = self._groups.get(_text(params, "usergroup"))
        if users is None:
            raise _ApiError("no_such_subteam")
        return {"users": list(users)}


_METHODS = {
    "auth.test": SlackEmulator._auth_test,
    "chat.postMessage": SlackEmulator._chat_post_message,
    "chat.update": SlackEmulator._chat_update,
    "chat.postEphemeral": SlackEmulator._chat_post_ephemeral,
    "chat.getPermalink": SlackEmulator._chat_get_permalink,
    "conversations.replies": SlackEmulator._conversations_replies,
    "conversations.history": SlackEmulator._conversations_history,
    "reactions.add": SlackEmulator._reactions_add,
    "reactions.remove": SlackEmulator._reactions_remove,
    "users.info": SlackEmulator._users_info,
    "usergroups.users.list": SlackEmulator._usergroups_users_list,
}
