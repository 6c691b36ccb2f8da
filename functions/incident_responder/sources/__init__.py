"""Event sources: one module per service. :func:`source_for` routes an EventBridge event."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import MalformedEvent, UnknownEvent

if TYPE_CHECKING:
    from .base import Source

__all__ = ["all_sources", "source_for"]

_SOURCES: list[Source] | None = None


def all_sources() -> list[Source]:
    global _SOURCES
    if _SOURCES is None:
        from .stepfunctions import StepFunctionsSource

        found: list[Source] = [StepFunctionsSource()]
        for mod, cls in (("ecs", "EcsSource"), ("emr", "EmrSource"), ("glue", "GlueSource"),
                         ("batch", "BatchSource")):
            try:
                module = __import__(f"{__name__}.{mod}", fromlist=[cls])
            except ModuleNotFoundError:
                continue
            found.append(getattr(module, cls)())
        _SOURCES = found
    return _SOURCES


def source_for(event: Any) -> Source:
    """The source that handles this event; MalformedEvent or UnknownEvent otherwise."""
    if not isinstance(event, dict):
        raise MalformedEvent(f"event is a {type(event).__name__}, not an object")
    missing = [k for k in ("source", "detail-type", "detail") if k not in event]
    if missing:
        raise MalformedEvent(f"event lacks {', '.join(missing)}")
    if not isinstance(event["detail"], dict):
        raise MalformedEvent("event detail is not an object")
    for src in all_sources():
        if event["source"] == src.event_source and event["detail-type"] in src.detail_types:
            return src
    raise UnknownEvent(f"no source handles {event['source']!r} / {event['detail-type']!r}")
