"""Slack request payloads as typed values: what the ingress reads, checked where it arrives.

Only the fields the ingress uses are read, each checked for its type (and, for ids and timestamps,
its shape: they become DynamoDB keys and SQS group ids). A field of the wrong type or shape is a
:class:`PayloadError` that names it; the ingress answers 400. A missing or ``null`` field is None (the
ingress acknowledges and ignores the request); fields the ingress does not read are not looked at,
since Slack adds fields over time.

Small frozen dataclasses with explicit checks rather than pydantic models (the Powertools parser):
pydantic is not in the function artifact, importing it and building models adds to every cold start
of a function that must answer Slack within 3 seconds, and the checks here are a few dozen lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Action",
    "BlockActions",
    "EventCallback",
    "MessageEvent",
    "OtherPayload",
    "PayloadError",
    "UrlVerification",
    "parse_payload",
]

# Slack ids (channels, users, teams, bots, events) are short runs of letters and digits.
_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
# Message and action timestamps: "<seconds>.<micros>"; trigger ids add more dot-separated parts.
_TS = re.compile(r"\d{1,12}\.\d{1,12}")
_TRIGGER = re.compile(r"[A-Za-z0-9._-]{1,128}")
_MAX_CHALLENGE = 256


class PayloadError(ValueError):
    """A verified request whose payload has a field of the wrong type or shape."""


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number" if isinstance(value, int | float) else type(value).__name__)


def _obj(value: Any, where: str) -> dict[str, Any]:
    """An object field; ``null`` or absent is an empty object."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise PayloadError(f"{where} must be an object, not {_kind(value)}")
    return value


def _str(data: dict[str, Any], key: str, where: str, pattern: re.Pattern[str] | None = None) -> str | None:
    """A string field, or None when absent, null or empty; checked against ``pattern`` when given."""
    value = data.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise PayloadError(f"{where}.{key} must be a string, not {_kind(value)}")
    if pattern is not None and not pattern.fullmatch(value):
        raise PayloadError(f"{where}.{key} is not a Slack id or timestamp")
    return value


def _list(data: dict[str, Any], key: str, where: str) -> list[Any]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise PayloadError(f"{where}.{key} must be a list, not {_kind(value)}")
    return value


@dataclass(frozen=True)
class MessageEvent:
    """The ``event`` of an ``event_callback``. Past ``type`` and ``subtype`` it is read only when the
    ingress handles the type (``message``, ``app_mention``), so other events are never rejected for
    their own fields (``user`` is an object in ``user_change``)."""

    type: str | None
    subtype: str | None
    user: str | None = None
    channel: str | None = None
    ts: str | None = None
    thread_ts: str | None = None
    text: str = ""
    from_bot: bool = False

    @classmethod
    def parse(cls, value: Any, handled: frozenset[str], accepted_subtypes: frozenset[str]) -> MessageEvent:
        data = _obj(value, "event")
        etype, subtype = _str(data, "type", "event"), _str(data, "subtype", "event")
        if etype not in handled or (subtype and subtype not in accepted_subtypes):
            return cls(etype, subtype)
        if not isinstance(data.get("bot_profile"), dict | None):
            raise PayloadError(f"event.bot_profile must be an object, not {_kind(data.get('bot_profile'))}")
        return cls(
            type=etype,
            subtype=subtype,
            user=_str(data, "user", "event", _ID),
            channel=_str(data, "channel", "event", _ID),
            ts=_str(data, "ts", "event", _TS),
            thread_ts=_str(data, "thread_ts", "event", _TS),
            text=_str(data, "text", "event") or "",
            from_bot=bool(_str(data, "bot_id", "event") or data.get("bot_profile")),
        )


@dataclass(frozen=True)
class EventCallback:
    """An Events API delivery: the event, its id, the team, and the bot users it was delivered to."""

    event: MessageEvent
    event_id: str | None
    team_id: str | None
    bot_user_ids: frozenset[str]

    @classmethod
    def parse(cls, data: dict[str, Any], handled: frozenset[str], accepted_subtypes: frozenset[str]
              ) -> EventCallback:
        bots = set()
        for i, item in enumerate(_list(data, "authorizations", "payload")):
            auth = _obj(item, f"authorizations[{i}]")
            user_id = _str(auth, "user_id", f"authorizations[{i}]")
            if user_id and auth.get("is_bot") is True:
                bots.add(user_id)
        return cls(
            event=MessageEvent.parse(data.get("event"), handled, accepted_subtypes),
            event_id=_str(data, "event_id", "payload", _ID),
            team_id=_str(data, "team_id", "payload", _ID),
            bot_user_ids=frozenset(bots),
        )


@dataclass(frozen=True)
class Action:
    """One element of a ``block_actions`` click."""

    action_id: str | None
    value: str | None
    action_ts: str | None

    @classmethod
    def parse(cls, value: Any, where: str) -> Action:
        data = _obj(value, where)
        return cls(_str(data, "action_id", where), _str(data, "value", where), _str(data, "action_ts", where, _TS))


@dataclass(frozen=True)
class BlockActions:
    """A button click (interactivity): who clicked what on which message."""

    user_id: str | None
    channel_id: str | None
    message_ts: str | None
    thread_ts: str | None
    actions: tuple[Action, ...]
    trigger_id: str | None
    team_id: str | None

    @classmethod
    def parse(cls, data: dict[str, Any]) -> BlockActions:
        container = _obj(data.get("container"), "container")
        message = _obj(data.get("message"), "message")
        actions = tuple(Action.parse(a, f"actions[{i}]") for i, a in enumerate(_list(data, "actions", "payload")))
        return cls(
            user_id=_str(_obj(data.get("user"), "user"), "id", "user", _ID),
            channel_id=_str(_obj(data.get("channel"), "channel"), "id", "channel", _ID)
            or _str(container, "channel_id", "container", _ID),
            message_ts=_str(container, "message_ts", "container", _TS) or _str(message, "ts", "message", _TS),
            thread_ts=_str(message, "thread_ts", "message", _TS),
            actions=actions,
            trigger_id=_str(data, "trigger_id", "payload", _TRIGGER),
            team_id=_str(_obj(data.get("team"), "team"), "id", "team", _ID),
        )


@dataclass(frozen=True)
class UrlVerification:
    """Slack's check of a new request URL: answer its challenge."""

    challenge: str

    @classmethod
    def parse(cls, data: dict[str, Any]) -> UrlVerification:
        challenge = _str(data, "challenge", "payload") or ""
        if len(challenge) > _MAX_CHALLENGE:
            raise PayloadError("payload.challenge is longer than Slack's challenges")
        return cls(challenge)


@dataclass(frozen=True)
class OtherPayload:
    """A payload type the ingress does not handle (slash commands, view submissions, ...)."""

    type: str | None


def parse_payload(
    data: dict[str, Any], handled_events: frozenset[str], accepted_subtypes: frozenset[str]
) -> EventCallback | BlockActions | UrlVerification | OtherPayload:
    """The typed payload of a verified request's JSON object; raises :class:`PayloadError`."""
    kind = _str(data, "type", "payload")
    if kind == "url_verification":
        return UrlVerification.parse(data)
    if kind == "event_callback":
        return EventCallback.parse(data, handled_events, accepted_subtypes)
    if kind == "block_actions":
        return BlockActions.parse(data)
    return OtherPayload(kind)
