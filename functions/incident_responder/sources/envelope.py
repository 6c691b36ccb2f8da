"""EventBridge events validated at the boundary: the envelope every event shares, and each adapter's
``detail`` fields by type.

A malformed event (a wrong-typed time, ARN, region or state, a detail that is not an object) raises
:class:`~incident_responder.errors.MalformedEvent` here, before anything is parsed from it: the handler
logs it, counts it as rejected and drops it once, instead of retrying it into the DLQ or posting a report
with a Python repr for a name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..errors import MalformedEvent
from ..model import parse_time

__all__ = ["ARN", "EPOCH_MS", "ISO_TIME", "check_detail", "check_envelope"]

_REGION = re.compile(r"^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$")
_ACCOUNT = re.compile(r"^\d{12}$")
_ARN = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{0,12}:\S+$")

# Field kinds of a detail schema (besides Python types).
ARN = "arn"
ISO_TIME = "iso-time"
EPOCH_MS = "epoch-ms"


def _ok(value: Any, kind: Any) -> bool:
    if kind == ARN:
        return isinstance(value, str) and bool(_ARN.fullmatch(value))
    if kind == ISO_TIME:
        return isinstance(value, str) and parse_time(value) is not None
    if kind == EPOCH_MS:
        return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**14
    if isinstance(kind, tuple):
        return any(_ok(value, k) for k in kind)
    return isinstance(value, kind) and not (kind is int and isinstance(value, bool))


def _describe(kind: Any) -> str:
    if isinstance(kind, tuple):
        return " or ".join(_describe(k) for k in kind)
    return {ARN: "an ARN", ISO_TIME: "an ISO-8601 time", EPOCH_MS: "epoch milliseconds"}.get(
        kind, "a string" if kind is str else f"{getattr(kind, '__name__', kind)}")


def check_envelope(event: Any) -> None:
    """The fields every EventBridge event has, with their types; MalformedEvent otherwise."""
    if not isinstance(event, dict):
        raise MalformedEvent(f"event is a {type(event).__name__}, not an object")
    missing = [k for k in ("source", "detail-type", "detail") if k not in event]
    if missing:
        raise MalformedEvent(f"event lacks {', '.join(missing)}")
    if not isinstance(event["detail"], dict):
        raise MalformedEvent("event detail is not an object")
    for key in ("source", "detail-type"):
        if not isinstance(event[key], str) or not event[key]:
            raise MalformedEvent(f"event {key} must be a non-empty string")
    checks = {"id": str, "time": ISO_TIME}
    for key, kind in checks.items():
        if key in event and event[key] is not None and not _ok(event[key], kind):
            raise MalformedEvent(f"event {key} must be {_describe(kind)}")
    if event.get("region") is not None and not (isinstance(event["region"], str)
                                               and _REGION.fullmatch(event["region"])):
        raise MalformedEvent("event region is not an AWS region name")
    if event.get("account") is not None and not (isinstance(event["account"], str)
                                                and _ACCOUNT.fullmatch(event["account"])):
        raise MalformedEvent("event account is not a 12-digit account id")
    bad = _not_unicode(event, "event")
    if bad:
        raise MalformedEvent(f"{bad} is not valid Unicode text (a lone surrogate: EventBridge sends UTF-8 JSON)")


def _not_unicode(value: Any, path: str, depth: int = 0) -> str:
    """The path of the first string (key or value) that cannot be encoded as UTF-8, or ""."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return path
        return ""
    if depth > 32:
        return ""
    if isinstance(value, dict):
        for key, inner in value.items():
            found = _not_unicode(key, f"{path} key", depth + 1) or _not_unicode(inner, f"{path}.{key}", depth + 1)
            if found:
                return found
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            found = _not_unicode(inner, f"{path}[{i}]", depth + 1)
            if found:
                return found
    return ""


def check_detail(detail: dict[str, Any], schema: Mapping[str, Any], what: str) -> None:
    """Each field of ``schema`` that the detail has (and is not null) must be of its kind."""
    for key, kind in schema.items():
        value = detail.get(key)
        if value is not None and not _ok(value, kind):
            raise MalformedEvent(f"{what} event: detail.{key} must be {_describe(kind)}, "
                                 f"got {type(value).__name__}")
