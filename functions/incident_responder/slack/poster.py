"""Posting reports to Slack: the rendered report, or a threaded note for a repeat.

A report whose channel cannot take it (``channel_not_found``, ``not_in_channel``, ``is_archived``:
a catalog entry naming a channel that was renamed, archived, or never had the app invited) goes to
the fallback channel (DEFAULT_SLACK_CHANNEL) with a line saying which channel failed and why, rather
than failing into the DLQ. Token errors (``invalid_auth``, ``token_revoked``) and every other failure
still raise. With a :class:`~incident_responder.slack.client.Deadline`, the retry waits of every
call stay before it.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .render import MAX_TEXT, render_repeat, render_report

if TYPE_CHECKING:
    from ..aws import AwsContext
    from ..config import Settings
    from ..model import Report
    from .client import Deadline

logger = logging.getLogger(__name__)

# chat.postMessage errors that are about the channel, not the message or the token.
CHANNEL_ERRORS = frozenset({"channel_not_found", "not_in_channel", "is_archived"})

__all__ = ["SlackPoster", "clear_clients"]

# WebClients by (token, base URL), reused by warm invocations; created on first use.
_CLIENTS: dict[tuple[str, str], Any] = {}


def clear_clients() -> None:
    _CLIENTS.clear()


class SlackPoster:
    """Posts through a slack-sdk ``WebClient`` (with its retry handlers); raises on failure."""

    def __init__(self, client: Any, *, fallback_channel: str | None = None, deadline: Deadline | None = None
                 ) -> None:
        self.client = client
        self.fallback_channel = fallback_channel or None
        self.deadline = deadline

    @classmethod
    def from_settings(cls, cfg: Settings, aws: AwsContext | None = None, *, deadline: Deadline | None = None
                      ) -> SlackPoster:
        """Reads SLACK_TOKEN_SECRET (or SLACK_BOT_TOKEN), SLACK_API_URL and DEFAULT_SLACK_CHANNEL (the
        fallback channel)."""
        from .client import get_bot_token, make_client

        token = get_bot_token(cfg.slack_token_secret or None, cfg.slack_bot_token or None,
                              secrets_client=aws.client("secretsmanager") if aws else None)
        key = (token, cfg.slack_api_url)
        if key not in _CLIENTS:
            _CLIENTS[key] = make_client(token, cfg.slack_api_url)
        return cls(_CLIENTS[key], fallback_channel=cfg.default_channel, deadline=deadline)

    @contextlib.contextmanager
    def _within_deadline(self) -> Iterator[None]:
        """The poster's own deadline for the calls inside, when it has one (else the caller's stays)."""
        if self.deadline is None:
            yield
            return
        from .client import slack_deadline

        with slack_deadline(self.deadline):
            yield

    def _post(self, channel: str, text: str, *, blocks: list[dict[str, Any]] | None = None,
              thread_ts: str | None = None, key: str | None = None) -> dict[str, str]:
        """chat.postMessage exactly once for ``key``: the message carries ``key`` in its metadata, and when
        the connection breaks after Slack may have stored it, the message is looked up before posting again."""
        from .client import SlackPostError, find_posted, message_metadata, post_message

        extra = {"metadata": message_metadata(key)} if key else {}
        try:
            return post_message(self.client, channel, text, blocks=blocks, thread_ts=thread_ts, **extra)
        except SlackPostError as exc:
            if not (key and exc.ambiguous):
                raise
            logger.warning("Slack's answer to a post was lost; looking for the message before posting again",
                           extra={"key": key, "channel": channel})
            found = find_posted(self.client, channel, key, thread_ts=thread_ts)
            if found:
                return found
            return post_message(self.client, channel, text, blocks=blocks, thread_ts=thread_ts, **extra)

    def find_posted(self, channel: str, key: str, thread_ts: str | None = None) -> dict[str, Any] | None:
        """The message posted under ``key`` earlier (an invocation that died after posting), or None."""
        from .client import find_posted

        with self._within_deadline():
            found = find_posted(self.client, channel, key, thread_ts=thread_ts)
        return {**found, "thread_ts": thread_ts} if found else None

    def post_report(self, report: Report, channel: str, key: str | None = None) -> dict[str, Any]:
        """Post the report to ``channel``; to the fallback channel, with a line saying why, when
        ``channel`` cannot take it. Returns channel, ts, thread_ts (None) and, after a fallback,
        ``fallback_from`` and ``fallback_error``. ``key`` (the incident id) makes the post exactly once."""
        from .client import SlackPostError

        text, blocks = render_report(report)
        with self._within_deadline():
            try:
                out = self._post(channel, text, blocks=blocks, key=key)
            except SlackPostError as exc:
                if not self._falls_back(channel, exc):
                    raise
                return self._post_to_fallback(report, channel, exc.error, key=key)
        return {"channel": out["channel"], "ts": out["ts"], "thread_ts": None}

    def post_repeat(self, report: Report, channel: str, thread_ts: str, key: str | None = None) -> dict[str, Any]:
        """A threaded note under the first report; the whole report in the fallback channel (with the
        reason) when that thread's channel cannot take it any more."""
        from .client import SlackPostError

        with self._within_deadline():
            try:
                out = self._post(channel, render_repeat(report), thread_ts=thread_ts, key=key)
            except SlackPostError as exc:
                if not self._falls_back(channel, exc):
                    raise
                return self._post_to_fallback(report, channel, exc.error, key=key)
        return {"channel": out["channel"], "ts": out["ts"], "thread_ts": thread_ts}

    def _post_to_fallback(self, report: Report, channel: str, error: str, key: str | None = None) -> dict[str, Any]:
        """The whole report in the fallback channel, opening with which channel refused it and why."""
        fallback = str(self.fallback_channel)
        text, blocks = render_report(report)
        note = (f":warning: This report was meant for {channel} but could not be posted there "
                f"(Slack said `{error}`); posted in the fallback channel instead.")
        logger.warning("Slack refused the report for %s (%s); posting it to the fallback channel %s",
                       channel, error, fallback)
        out = self._post(fallback, _with_note(text, note, limit=MAX_TEXT), blocks=_note_blocks(blocks, note),
                         key=key)
        return {"channel": out["channel"], "ts": out["ts"], "thread_ts": None,
                "fallback_from": channel, "fallback_error": error}

    def _falls_back(self, channel: str, exc: Exception) -> bool:
        """Whether a failed post to ``channel`` goes to the fallback channel instead."""
        error = getattr(exc, "error", "")
        fallback = self.fallback_channel
        return bool(fallback) and error in CHANNEL_ERRORS and _channel_key(channel) != _channel_key(str(fallback))

    def reply(self, channel: str, thread_ts: str, text: str, blocks: list[dict[str, Any]] | None = None,
              key: str | None = None) -> dict[str, Any]:
        """A reply in a thread; ``key`` makes it exactly once (see :meth:`_post`)."""
        with self._within_deadline():
            out = self._post(channel, text, blocks=blocks, thread_ts=thread_ts, key=key)
        return {"channel": out["channel"], "ts": out["ts"], "thread_ts": thread_ts}

    def ephemeral(self, channel: str, user: str, text: str, thread_ts: str | None = None) -> None:
        """A message only ``user`` sees (in the thread when ``thread_ts`` is given)."""
        from .client import _invoke

        args = {"channel": channel, "user": user, "text": text}
        if thread_ts:
            args["thread_ts"] = thread_ts
        _invoke("chat.postEphemeral", self.client.chat_postEphemeral, **args)

    def react(self, channel: str, ts: str, name: str) -> bool:
        """Add a reaction to a message; False when it was already there."""
        from .client import add_reaction

        return add_reaction(self.client, channel, ts, name)

    def thread(self, channel: str, ts: str, limit: int = 200) -> list[dict[str, Any]]:
        """The thread's messages, parent first (``conversations.replies``)."""
        from .client import thread_replies

        return thread_replies(self.client, channel, ts, limit)

    def usergroup_members(self, usergroup: str) -> list[str]:
        """User IDs in a user group (``usergroups.users.list``)."""
        from .client import _invoke

        response = _invoke("usergroups.users.list", self.client.usergroups_users_list, usergroup=usergroup)
        return [str(u) for u in response.get("users") or []]


def _channel_key(channel: str) -> str:
    return channel.strip().removeprefix("#").lower()


def _with_note(text: str, note: str, limit: int) -> str:
    joined = f"{note}\n{text}"
    return joined if len(joined) <= limit else joined[: limit - 1] + "…"


def _note_blocks(blocks: list[dict[str, Any]], note: str) -> list[dict[str, Any]]:
    """The report's blocks with ``note`` first in its context block (no block is added: a report may
    already use all 50), or in a new context block after the header when there is none."""
    element = {"type": "mrkdwn", "text": note}
    out = [dict(b) for b in blocks]
    for block in out:
        if block.get("type") == "context" and len(block.get("elements") or []) < 10:
            block["elements"] = [element, *block["elements"]]
            return out
    return [*out[:1], {"type": "context", "elements": [element]}, *out[1:]][:50]
