"""The follow-up worker: one queued Slack delivery -> an answer in the report's thread.

For each delivery (a person's reply, or a click on a redrive button): skip it if it was already
answered, load the thread's incident from DynamoDB, check the person may ask (else an ephemeral note
in the thread, and nothing else), react :eyes:, load the thread's messages, answer (``answers``) and
react :white_check_mark:. A command (``status``, ``logs``, ...) is answered from keywords; free
text goes to Claude on Bedrock when ``LLM_ENABLED`` is true (``answers._agent``). DynamoDB failures and
Slack failures worth retrying raise, so the SQS message is retried (then dead-lettered); a bug in one
answer is said in the thread instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import StoreError
from ..evidence.redaction import redact
from ..slack.ingress import Delivery
from ..templates import render
from .access import Access
from .answers import Asked, answer, answer_action
from .context import ThreadContext
from .intents import Intent, parse_intent

if TYPE_CHECKING:
    from ..aws import AwsContext
    from ..config import Settings
    from ..slack.poster import SlackPoster
    from ..store import IncidentStore

__all__ = ["MAX_REPLY_CHARS", "FollowupWorker", "split_reply"]

logger = logging.getLogger(__name__)

MAX_REPLY_CHARS = 3900  # Slack shows up to 4,000 characters of a message before folding it
_MAX_PARTS = 5
_THREAD_LIMIT = 100


def split_reply(text: str, limit: int = MAX_REPLY_CHARS) -> list[str]:
    """Cut a long reply into messages of at most ``limit`` characters, at line ends."""
    parts: list[str] = []
    current = ""
    for line in text.splitlines():
        line = line if len(line) <= limit else line[: limit - 1] + "…"
        if current and len(current) + 1 + len(line) > limit:
            parts.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        parts.append(current)
    if len(parts) > _MAX_PARTS:
        parts = [
            *parts[: _MAX_PARTS - 1],
            parts[_MAX_PARTS - 1][: limit - 60] + "\n_(cut: the rest is too long)_",
        ]
    return parts


def _retryable(exc: Exception) -> bool:
    return isinstance(exc, StoreError) or bool(getattr(exc, "retryable", False))


class FollowupWorker:
    """Answers deliveries; built once per invocation. ``slack`` and ``store`` default to the settings'."""

    def __init__(
        self,
        aws: AwsContext,
        settings: Settings,
        *,
        store: IncidentStore | None = None,
        slack: SlackPoster | None = None,
        remaining_seconds: Callable[[], float] | None = None,
    ) -> None:
        from ..store import IncidentStore

        self.aws = aws
        self.settings = settings
        self.store = store or IncidentStore(
            aws.client("dynamodb"), settings.incidents_table, settings.incident_ttl_days
        )
        self._slack = slack
        self.remaining_seconds = remaining_seconds  # the invocation's time left, for the agent's deadline
        self._access: Access | None = None
        self.agent_runs: list[Any] = []  # the agent's outcomes of the deliveries handled (for metrics)

    @property
    def slack(self) -> SlackPoster:
        if self._slack is None:  # the bot token is read only when there is something to say
            from ..slack.poster import SlackPoster

            self._slack = SlackPoster.from_settings(self.settings, self.aws)
        return self._slack

    @property
    def access(self) -> Access:
        if self._access is None:
            self._access = Access(self.settings, self.slack)
        return self._access

    def process(self, body: str) -> str:
        """Handle one queued delivery (the SQS message body); returns what happened.

        Raises ValueError for a body that is not a delivery (a poison message), and the retryable
        DynamoDB and Slack errors.
        """
        delivery = Delivery.from_json(body)
        claim = self.store.delivery(delivery.key)
        if claim and claim.get("status") in {"answered", "unauthorized"}:
            return "duplicate"
        if claim and claim.get("status") == "answering" and self._already_answered(delivery):
            # An earlier attempt posted the answer, then failed to record it: not answered twice.
            self.store.mark_delivery(delivery.key, "answered")
            return "duplicate"
        incident = self.store.get(delivery.incident_id) if delivery.incident_id else None
        incident = incident or self.store.by_thread(delivery.channel, delivery.thread_ts)
        if incident is None:
            logger.warning("no incident for this thread", extra={"key": delivery.key})
            return "no_incident"
        ctx = ThreadContext(
            aws=self.aws,
            settings=self.settings,
            slack=self.slack,
            store=self.store,
            channel=delivery.channel,
            thread_ts=delivery.thread_ts,
            message_ts=delivery.message_ts,
        )
        if not self.access.allowed(delivery.user):
            note = render(
                "followup_unauthorized.j2",
                user=delivery.user,
                usergroup=bool(self.settings.allowed_usergroup),
            )
            self._note(delivery, note)
            self.store.mark_delivery(delivery.key, "unauthorized")
            return "unauthorized"
        is_message = delivery.kind == "message"
        if is_message:
            self._react(delivery, "eyes")
        intent = (
            parse_intent(delivery.text, agent=self.settings.llm_enabled)
            if is_message
            else Intent(name="redrive", text=delivery.action_id)
        )
        asked = Asked(
            ctx=ctx,
            incident=incident,
            intent=intent,
            user=delivery.user,
            thread=self._thread(delivery) if is_message else [],
            remaining_seconds=self.remaining_seconds,
        )
        try:
            reply = self._answer(asked, delivery)
        finally:
            self.agent_runs.extend(ctx.agent_runs)
        parts = split_reply(reply or "")
        if parts:
            # From here a retry must look for the answer in the thread before answering again.
            self.store.mark_delivery(delivery.key, "answering")
        for i, part in enumerate(parts):
            self.slack.reply(delivery.channel, delivery.thread_ts, part, key=f"{delivery.key}#{i}")
        if is_message:
            self._react(delivery, "white_check_mark")
        self.store.mark_delivery(delivery.key, "answered")
        return f"answered:{intent.name}" if is_message else f"answered:{delivery.action_id}"

    def _answer(self, asked: Asked, delivery: Delivery) -> str | None:
        try:
            reply = answer(asked) if delivery.kind == "message" else answer_action(
                asked, delivery.action_id, delivery.value)
            return reply.text() if reply is not None else None
        except Exception as exc:
            if _retryable(exc):
                raise
            # A bug in one answer would fail again on every retry: say so in the thread instead.
            logger.exception(
                "follow-up answer failed", extra={"key": delivery.key, "intent": asked.intent.name}
            )
            return render("followup_error.j2", error=redact(f"{type(exc).__name__}: {exc}"))

    def _already_answered(self, delivery: Delivery) -> bool:
        """Whether the thread holds this delivery's answer (its first part, found by its metadata)."""
        return self.slack.find_posted(delivery.channel, f"{delivery.key}#0", thread_ts=delivery.thread_ts) is not None

    def _note(self, delivery: Delivery, text: str) -> None:
        """A note only the person sees, in the thread (dropped when Slack refuses it: they left)."""
        from ..slack.client import SlackPostError

        try:
            self.slack.ephemeral(delivery.channel, delivery.user, text, thread_ts=delivery.thread_ts)
        except SlackPostError as exc:
            if exc.retryable:
                raise
            logger.warning("note not delivered", extra={"key": delivery.key, "error": exc.error})

    def _react(self, delivery: Delivery, name: str) -> None:
        from ..slack.client import SlackPostError

        try:
            self.slack.react(delivery.channel, delivery.message_ts, name)
        except SlackPostError as exc:  # progress is cosmetic; the answer matters
            logger.warning("reaction failed", extra={"reaction": name, "error": exc.error})

    def _thread(self, delivery: Delivery) -> list[dict[str, Any]]:
        from ..slack.client import SlackPostError

        try:
            return self.slack.thread(delivery.channel, delivery.thread_ts, limit=_THREAD_LIMIT)
        except SlackPostError as exc:
            if exc.retryable:
                raise
            logger.warning("thread not readable", extra={"key": delivery.key, "error": exc.error})
            return []
