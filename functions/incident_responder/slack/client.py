"""Slack Web API access: one ``WebClient`` with retries, the calls the responder makes, the bot token.

Every client gets slack-sdk's retry handlers for rate limits (honouring ``Retry-After``), server errors
(500/503) and connection errors, with short bounded waits: at most ``MAX_TOTAL_RETRY_SLEEP`` seconds
in all for one call, and never past the deadline set with :func:`slack_deadline` (a Lambda's remaining
time); a wait that would not fit fails the call at once with a retryable error. Every failure leaves this module as a
:class:`SlackPostError` (or a subclass) that carries Slack's error code, raised ``from`` the SDK error.
Nothing here is created at import: clients are built by :func:`make_client` when a caller first needs one.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.http_retry import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    RetryHandler,
    RetryIntervalCalculator,
)
from slack_sdk.http_retry.builtin_handlers import ServerErrorRetryHandler

from incident_responder.config import env
from incident_responder.deadline import _DEADLINE, Deadline, slack_deadline

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.parameters import SecretsProvider
    from slack_sdk.http_retry import HttpRequest, HttpResponse, RetryState
    from slack_sdk.web import SlackResponse

__all__ = [
    "MAX_TOTAL_RETRY_SLEEP",
    "METADATA_EVENT",
    "BoundedBackoffIntervalCalculator",
    "BoundedRateLimitRetryHandler",
    "BudgetedConnectionErrorRetryHandler",
    "BudgetedServerErrorRetryHandler",
    "Deadline",
    "SlackConfigurationError",
    "SlackPostError",
    "SlackRateLimitedError",
    "SlackUnavailableError",
    "add_reaction",
    "find_posted",
    "gated_args",
    "get_bot_token",
    "make_client",
    "message_metadata",
    "metadata_key",
    "post_message",
    "retry_after_seconds",
    "retry_handlers",
    "slack_deadline",
    "thread_replies",
    "update_message",
]

# Keys under which a JSON secret may hold the bot token, in order of preference.
_TOKEN_KEYS = ("SLACK_BOT_TOKEN", "slack_bot_token", "bot_token", "token")
# At most this many seconds of waiting between the retries of one call (a deadline may allow less).
MAX_TOTAL_RETRY_SLEEP = 30.0
# Slack error codes that mean Slack itself failed, not the request.
_SERVER_ERRORS = {"fatal_error", "internal_error", "service_unavailable", "request_timeout"}


class SlackConfigurationError(Exception):
    """No usable Slack bot token: none configured, or the secret could not be read or parsed."""


class SlackPostError(Exception):
    """A Slack Web API call failed.

    Attributes:
        error: Slack's error code (``channel_not_found``, ``ratelimited``, ``invalid_blocks``, ...), or
            ``connection_error`` / ``http_<status>`` when Slack gave none.
        method: the Web API method, e.g. ``chat.postMessage``.
        status: the HTTP status, when there was a response.
        details: Slack's extra messages (for ``invalid_blocks``: which block and why).
        retryable: whether trying again later may succeed (a handler re-raises these so the event is retried).
    """

    retryable = False
    ambiguous = False  # the call may have been carried out (a post stored) although no answer came
    out_of_time = False  # True when retrying stopped because the next wait would pass the deadline

    def __init__(
        self,
        message: str,
        *,
        error: str,
        method: str,
        status: int | None = None,
        details: list[str] | None = None,
    ) -> None:
        super().__init__(message)
        self.error = error
        self.method = method
        self.status = status
        self.details = details or []


class SlackRateLimitedError(SlackPostError):
    """Slack still answered 429 ``ratelimited`` after the retries; ``retry_after``: its advice, seconds."""

    retryable = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class SlackUnavailableError(SlackPostError):
    """Slack could not be reached, or answered with a server error, after the retries."""

    retryable = True


class BoundedBackoffIntervalCalculator(RetryIntervalCalculator):
    """Exponential backoff with jitter, never longer than ``cap`` seconds: ``base * 2**attempt``, jittered."""

    def __init__(self, base: float = 0.25, cap: float = 2.0) -> None:
        self.base = base
        self.cap = cap

    def calculate_sleep_duration(self, current_attempt: int) -> float:
        """Seconds to wait before retry number ``current_attempt + 1``."""
        interval = min(self.cap, self.base * 2**current_attempt)
        return interval / 2 + random.random() * interval / 2  # jitter, not security


def _method_of(request: HttpRequest) -> str:
    return str(request.url).rstrip("/").rsplit("/", 1)[-1] or "unknown"


class _BudgetedSleep:
    """The waits of one call's retries: together at most ``max_total_sleep`` seconds, and none that
    would end past the deadline in force (:func:`slack_deadline`). A wait that does not fit raises a
    retryable :class:`SlackPostError` at once, so the caller fails now and the event is retried later,
    instead of the Lambda being killed at its timeout in the middle of a sleep."""

    max_total_sleep: float
    sleep: Callable[[float], None]

    def _wait(
        self,
        state: RetryState,
        request: HttpRequest,
        seconds: float,
        *,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        values = state.custom_values if state.custom_values is not None else {}
        state.custom_values = values
        slept = float(values.get("slept", 0.0))
        deadline = _DEADLINE.get()
        left = deadline.left() if deadline is not None else None
        if left is not None and seconds > left:
            why = f"only {max(left, 0.0):.1f} s are left before the deadline"
        elif slept + seconds > self.max_total_sleep:
            why = f"retries already waited {slept:.1f} s of at most {self.max_total_sleep:.1f} s"
        else:
            self.sleep(seconds)
            values["slept"] = slept + seconds
            return
        raise _out_of_time(_method_of(request), seconds, why, response, error)


def _out_of_time(
    method: str, seconds: float, why: str, response: HttpResponse | None, error: Exception | None
) -> SlackPostError:
    """The retryable error of a retry that would wait too long."""
    status = response.status_code if response is not None else None
    message = f"Slack {method}: not retrying: the next attempt needs a {seconds:.1f} s wait and {why}"
    exc: SlackPostError
    if status == 429:
        advised = retry_after_seconds(response.headers if response is not None else None)
        exc = SlackRateLimitedError(message, retry_after=advised, error="ratelimited", method=method, status=429)
    else:
        code = f"http_{status}" if status else "connection_error"
        exc = SlackUnavailableError(f"{message} (last failure: {error or code})", error=code, method=method,
                                    status=status)
    exc.out_of_time = True
    return exc


class BoundedRateLimitRetryHandler(_BudgetedSleep, RateLimitErrorRetryHandler):
    """Retries HTTP 429, waiting what ``Retry-After`` asks but never more than ``max_wait`` seconds.

    slack-sdk's own handler sleeps ``Retry-After`` plus up to a second of jitter with no bound; a Lambda
    has a deadline, so the wait is capped (and tests can shrink it), and the waits of one call stay
    within ``max_total_sleep`` and the deadline in force. Without the header, the interval calculator
    decides.
    """

    def __init__(
        self,
        max_retry_count: int = 3,
        interval_calculator: RetryIntervalCalculator | None = None,
        *,
        max_wait: float = 30.0,
        max_total_sleep: float = MAX_TOTAL_RETRY_SLEEP,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(max_retry_count, interval_calculator or BoundedBackoffIntervalCalculator())
        self.max_wait = max_wait
        self.max_total_sleep = max_total_sleep
        self.sleep = sleep

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        """Sleep as Slack asked (bounded), then let the client send the request again."""
        if response is None:
            raise error  # type: ignore[misc]  # same contract as the SDK handler
        advised = retry_after_seconds(response.headers)
        wait = advised if advised is not None else self.interval_calculator.calculate_sleep_duration(
            state.current_attempt
        )
        self._wait(state, request, max(0.0, min(wait, self.max_wait)), response=response, error=error)
        state.next_attempt_requested = True
        state.increment_current_attempt()


class _BudgetedBackoff(_BudgetedSleep):
    """A slack-sdk retry handler whose backoff waits stay within the call's budget and the deadline."""

    interval_calculator: RetryIntervalCalculator

    def __init__(
        self,
        max_retry_count: int = 3,
        interval_calculator: RetryIntervalCalculator | None = None,
        *,
        max_total_sleep: float = MAX_TOTAL_RETRY_SLEEP,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        # Cooperative: the next class in the MRO is the slack-sdk handler this mixin is combined with.
        super().__init__(max_retry_count=max_retry_count,  # type: ignore[call-arg]
                         interval_calculator=interval_calculator or BoundedBackoffIntervalCalculator())
        self.max_total_sleep = max_total_sleep
        self.sleep = sleep

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        wait = self.interval_calculator.calculate_sleep_duration(state.current_attempt)
        self._wait(state, request, wait, response=response, error=error)
        state.next_attempt_requested = True
        state.increment_current_attempt()


class BudgetedServerErrorRetryHandler(_BudgetedBackoff, ServerErrorRetryHandler):
    """slack-sdk's retry of HTTP 500/503, its waits within the call's budget and the deadline."""


class BudgetedConnectionErrorRetryHandler(_BudgetedBackoff, ConnectionErrorRetryHandler):
    """slack-sdk's retry of connection errors, its waits within the call's budget and the deadline."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        # A connection reset may come after Slack stored the message: sending it again would post it
        # twice. The poster looks the message up by its metadata first (find_posted), then retries.
        if _method_of(request) in NOT_RETRIED_ON_CONNECTION_ERROR and not _never_sent(error):
            return False
        return bool(super()._can_retry(state=state, request=request, response=response, error=error))



# Calls that are not idempotent: never resent blindly after a connection error that may have come after
# Slack acted on them (a reset, a lost answer); a refused connection or a failed DNS lookup sent nothing.
NOT_RETRIED_ON_CONNECTION_ERROR = frozenset({"chat.postMessage"})


def _never_sent(error: BaseException | None) -> bool:
    """Whether a connection error happened before the request could reach Slack."""
    import socket

    reason = getattr(error, "reason", error)
    return isinstance(reason, (ConnectionRefusedError, socket.gaierror))


def retry_after_seconds(headers: Mapping[str, Any] | None) -> float | None:
    """The ``Retry-After`` header in seconds (any case; a value or a one-item list), or None."""
    for name, value in (headers or {}).items():
        if name.lower() == "retry-after":
            raw = value[0] if isinstance(value, list | tuple) and value else value
            try:
                return float(raw)
            except (TypeError, ValueError):
                return None
    return None


def retry_handlers(
    max_retries: int = 3,
    interval_calculator: RetryIntervalCalculator | None = None,
    *,
    max_retry_after: float = 30.0,
    max_total_sleep: float = MAX_TOTAL_RETRY_SLEEP,
    sleep: Callable[[float], None] = time.sleep,
) -> list[RetryHandler]:
    """Fresh rate-limit, server-error and connection-error retry handlers, each allowing ``max_retries``;
    the waits of one call stay within ``max_total_sleep`` seconds and the deadline in force."""
    interval = interval_calculator or BoundedBackoffIntervalCalculator()
    budget: dict[str, Any] = {"max_total_sleep": max_total_sleep, "sleep": sleep}
    return [
        BoundedRateLimitRetryHandler(max_retries, interval, max_wait=max_retry_after, **budget),
        BudgetedServerErrorRetryHandler(max_retries, interval, **budget),
        BudgetedConnectionErrorRetryHandler(max_retries, interval, **budget),
    ]


def make_client(
    token: str,
    base_url: str | None = None,
    *,
    max_retries: int = 3,
    timeout: int = 10,
    interval_calculator: RetryIntervalCalculator | None = None,
    max_retry_after: float = 30.0,
    max_total_sleep: float = MAX_TOTAL_RETRY_SLEEP,
    sleep: Callable[[float], None] = time.sleep,
) -> WebClient:
    """Build a ``WebClient`` with the retry handlers attached. Makes no network call.

    ``base_url`` defaults to the SLACK_API_URL environment variable (slack.com, or the local emulator).
    ``interval_calculator`` sets the waits between retries of server and connection errors (default:
    bounded backoff, at most 2 s); ``max_retry_after`` caps the wait a 429's ``Retry-After`` asks for;
    ``max_total_sleep`` caps all the waits of one call, and :func:`slack_deadline` keeps them before a
    deadline. ``sleep`` is injected in tests.
    """
    url = base_url or env("SLACK_API_URL")
    return WebClient(
        token=token,
        base_url=url if url.endswith("/") else url + "/",
        timeout=timeout,
        retry_handlers=retry_handlers(max_retries, interval_calculator, max_retry_after=max_retry_after,
                                      max_total_sleep=max_total_sleep, sleep=sleep),
    )


def _api_error(method: str, exc: SlackApiError) -> SlackPostError:
    """Translate slack-sdk's error into ours, keeping Slack's error code."""
    response = exc.response
    status = getattr(response, "status_code", None)
    data = response.data if isinstance(getattr(response, "data", None), dict) else {}
    error = str(data.get("error") or "")
    if not error.replace("_", "").isalnum():  # absent, or slack-sdk's note about a non-JSON body
        error = f"http_{status}" if status else "unknown_error"
    notes = data.get("errors") or (data.get("response_metadata") or {}).get("messages") or []
    details = [str(d) for d in notes]
    message = f"Slack {method} failed: {error}" + (f" ({'; '.join(details)})" if details else "")
    kwargs: dict[str, Any] = {"error": error, "method": method, "status": status, "details": details}
    if status == 429 or error == "ratelimited":
        headers = getattr(response, "headers", None)
        return SlackRateLimitedError(message, retry_after=retry_after_seconds(headers), **kwargs)
    if (status is not None and status >= 500) or error in _SERVER_ERRORS:
        return SlackUnavailableError(message, **kwargs)
    return SlackPostError(message, **kwargs)


# Arguments of Web API calls that carry what people read: all go through the redaction gate.
_CONTENT_ARGS = ("text", "blocks", "attachments", "initial_comment", "title", "content", "alt_text")


def gated_args(kwargs: dict[str, Any]) -> dict[str, Any]:
    """``kwargs`` with every content argument (``text``, ``blocks``...) passed through the redaction gate."""
    # Imported here: the evidence package pulls in botocore, which the ingress function's import avoids.
    from incident_responder.evidence.redaction import gate

    return {k: gate(v) if k in _CONTENT_ARGS and v is not None else v for k, v in kwargs.items()}


def _invoke(method: str, call: Callable[..., SlackResponse], **kwargs: Any) -> SlackResponse:
    """Run one Web API call, turning every SDK or transport failure into a :class:`SlackPostError`.

    Every call the responder makes goes through here, so this is where secrets are stopped for good:
    whatever a caller built, its text and every string of its blocks pass :func:`gate` first.
    """
    kwargs = gated_args(kwargs)
    try:
        return call(**kwargs)
    except SlackApiError as exc:
        raise _api_error(method, exc) from exc
    except SlackRequestError as exc:
        message = f"Slack {method}: bad request: {exc}"
        raise SlackPostError(message, error="request_error", method=method) from exc
    except (URLError, OSError) as exc:  # refused, reset, DNS, timed out: after the retries
        error = SlackUnavailableError(
            f"Slack {method}: could not reach Slack: {exc}", error="connection_error", method=method
        )
        # Whether Slack may have acted on the call before the connection broke.
        error.ambiguous = method in NOT_RETRIED_ON_CONNECTION_ERROR and not _never_sent(exc)
        raise error from exc


def post_message(
    client: WebClient,
    channel: str,
    text: str,
    blocks: list[dict[str, Any]] | None = None,
    thread_ts: str | None = None,
    **kw: Any,
) -> dict[str, str]:
    """Post a message (a thread reply when ``thread_ts`` is given); return ``{"channel": id, "ts": ts}``.

    ``channel`` may be an id or a ``#name``; the answer carries the id. ``text`` is the notification
    and fallback text when ``blocks`` are given. Extra keyword arguments go to ``chat.postMessage``.
    """
    args: dict[str, Any] = {"channel": channel, "text": text, **kw}
    if blocks:
        args["blocks"] = blocks
    if thread_ts:
        args["thread_ts"] = thread_ts
    response = _invoke("chat.postMessage", client.chat_postMessage, **args)
    return {"channel": response["channel"], "ts": response["ts"]}


def update_message(
    client: WebClient,
    channel: str,
    ts: str,
    text: str,
    blocks: list[dict[str, Any]] | None = None,
    **kw: Any,
) -> dict[str, str]:
    """Replace the text (and blocks) of message ``ts``; return ``{"channel": id, "ts": ts}``."""
    args: dict[str, Any] = {"channel": channel, "ts": ts, "text": text, **kw}
    if blocks is not None:
        args["blocks"] = blocks
    response = _invoke("chat.update", client.chat_update, **args)
    return {"channel": response["channel"], "ts": response["ts"]}


def add_reaction(client: WebClient, channel: str, ts: str, name: str) -> bool:
    """Add emoji ``name`` (with or without colons) to a message; False when it was already there."""
    try:
        _invoke("reactions.add", client.reactions_add, channel=channel, timestamp=ts, name=name.strip(":"))
    except SlackPostError as exc:
        if exc.error == "already_reacted":
            return False
        raise
    return True


def thread_replies(
    client: WebClient, channel: str, ts: str, limit: int = 200, *, page_size: int = 100
) -> list[dict[str, Any]]:
    """The thread of message ``ts``: the parent, then its replies, oldest first, at most ``limit`` messages.

    Follows ``response_metadata.next_cursor`` page by page (``page_size`` per call); a message seen on
    two pages is kept once.
    """
    messages: dict[str, dict[str, Any]] = {}
    cursor: str | None = None
    seen_cursors: set[str] = set()
    while len(messages) < limit:
        args: dict[str, Any] = {"channel": channel, "ts": ts, "limit": page_size, "include_all_metadata": True}
        if cursor:
            args["cursor"] = cursor
        response = _invoke("conversations.replies", client.conversations_replies, **args)
        for message in response.get("messages") or []:
            messages.setdefault(str(message.get("ts")), message)
        cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor or cursor in seen_cursors:
            break
        seen_cursors.add(cursor)
    return list(messages.values())[:limit]


# The metadata the responder puts on its messages, so a post whose answer was lost can be found again.
METADATA_EVENT = "incident_responder_message"


def message_metadata(key: str) -> dict[str, Any]:
    """Slack message metadata naming what a message is (an incident's report, a delivery's answer)."""
    return {"event_type": METADATA_EVENT, "event_payload": {"key": key}}


def metadata_key(message: dict[str, Any]) -> str | None:
    meta = message.get("metadata") or {}
    if meta.get("event_type") != METADATA_EVENT:
        return None
    key = (meta.get("event_payload") or {}).get("key")
    return str(key) if key else None


def find_posted(client: WebClient, channel: str, key: str, *, thread_ts: str | None = None,
                oldest: str | None = None) -> dict[str, str] | None:
    """The message the responder posted under ``key`` (its metadata), in a thread or in the channel's
    recent history since ``oldest``: ``{"channel", "ts", "thread_ts"}``, or None when there is none."""
    if thread_ts:
        messages = thread_replies(client, channel, thread_ts)
    else:
        args: dict[str, Any] = {"channel": channel, "limit": 200, "include_all_metadata": True}
        if oldest:
            args["oldest"] = oldest
        messages = _invoke("conversations.history", client.conversations_history, **args).get("messages") or []
    for message in messages:
        if metadata_key(message) == key:
            return {"channel": channel, "ts": str(message["ts"]), "thread_ts": str(message.get("thread_ts") or "")}
    return None


# One Powertools provider per caller-supplied boto3 client, so its cache survives between calls. It is kept on the
# client itself: a provider holds its client, so a weak mapping from client to provider would keep every client
# (and the service models it loaded) alive; a client and its provider are one cycle, freed together.
_PROVIDER_ATTR = "_incident_responder_secrets_provider"


def _read_secret(secret_id: str, secrets_client: Any, max_age: int) -> str | bytes:
    # Imported here: Powertools Parameters pulls in boto3, which only the token path needs.
    from aws_lambda_powertools.utilities import parameters

    if secrets_client is None:
        return parameters.get_secret(secret_id, max_age=max_age)
    provider: SecretsProvider | None = getattr(secrets_client, _PROVIDER_ATTR, None)
    if provider is None:
        provider = parameters.SecretsProvider(boto3_client=secrets_client)
        setattr(secrets_client, _PROVIDER_ATTR, provider)
    return provider.get(secret_id, max_age=max_age)  # type: ignore[return-value]


def _token_from_secret(value: str | bytes, secret_id: str) -> str:
    """The token in a secret: the whole value, or one of a few keys of a JSON object."""
    text = (value.decode("utf-8") if isinstance(value, bytes) else str(value)).strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SlackConfigurationError(f"secret {secret_id!r} is not valid JSON") from exc
        text = next((str(data[k]).strip() for k in _TOKEN_KEYS if data.get(k)), "")
        if not text:
            keys = ", ".join(_TOKEN_KEYS)
            raise SlackConfigurationError(f"secret {secret_id!r} has none of the keys {keys}")
    if not text:
        raise SlackConfigurationError(f"secret {secret_id!r} is empty")
    return text


def get_bot_token(
    secret_id: str | None,
    env_token: str | None,
    *,
    secrets_client: Any = None,
    max_age: int = 300,
) -> str:
    """The Slack bot token: from Secrets Manager when a secret is named, else the plain token.

    ``None`` arguments fall back to the SLACK_TOKEN_SECRET and SLACK_BOT_TOKEN environment variables; the
    secret wins when both are set. The secret (a plain string, or JSON with a ``SLACK_BOT_TOKEN``,
    ``bot_token`` or ``token`` key) is read with Powertools Parameters and cached for ``max_age`` seconds.
    ``secrets_client`` is a boto3 Secrets Manager client (default: one Powertools builds).

    Raises:
        SlackConfigurationError: neither is set, or the secret cannot be read or holds no token.
    """
    secret = env("SLACK_TOKEN_SECRET") if secret_id is None else secret_id
    token = env("SLACK_BOT_TOKEN") if env_token is None else env_token
    if secret:
        from aws_lambda_powertools.utilities.parameters.exceptions import (
            GetParameterError,
            TransformParameterError,
        )

        try:
            value = _read_secret(secret, secrets_client, max_age)
        except (GetParameterError, TransformParameterError) as exc:
            message = f"cannot read the Slack bot token from secret {secret!r}: {exc}"
            raise SlackConfigurationError(message) from exc
        return _token_from_secret(value, secret)
    if token:
        return token
    raise SlackConfigurationError(
        "no Slack bot token: set SLACK_TOKEN_SECRET (a Secrets Manager secret) or SLACK_BOT_TOKEN"
    )
