"""Source adapters: one package per AWS service, behind the :class:`~.base.Adapter` protocol.

The registry is the only place that lists the services. The rest of the code asks it
(:func:`adapter`, :func:`adapter_for`) and never switches on a source name. Adding a source is its
adapter package here, its event rule in ``rules/events/``, its signatures, its local-world loader
and its scenarios; ``tests/unit/test_adapters.py`` fails when one of them is missing.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ..errors import UnknownEvent

if TYPE_CHECKING:
    from .base import Adapter

__all__ = ["ADAPTER_MODULES", "adapter", "adapter_for", "all_adapters"]

# Source name -> (module of its adapter, EventBridge source). Modules are imported on first use, so a
# cold start only pays for the service whose event arrived.
ADAPTER_MODULES: dict[str, tuple[str, str]] = {
    "stepfunctions": ("stepfunctions", "aws.states"),
    "ecs": ("ecs", "aws.ecs"),
    "emr": ("emr", "aws.emr"),
    "glue": ("glue", "aws.glue"),
    "batch": ("batch", "aws.batch"),
    "emrserverless": ("emrserverless", "aws.emr-serverless"),
    "emrcontainers": ("emrcontainers", "aws.emr-containers"),
    "athena": ("athena", "aws.athena"),
    "gluecrawler": ("gluecrawler", "aws.glue"),
    "gluedq": ("gluedq", "aws.glue-dataquality"),
    "lambda": ("lambda", "lambda"),
}

_LOADED: dict[str, Adapter] = {}


def adapter(name: str) -> Adapter:
    """The adapter of a source by its name; KeyError for a name no adapter has."""
    found = _LOADED.get(name)
    if found is None:
        if name not in ADAPTER_MODULES:
            raise KeyError(f"no source adapter named {name!r}")
        module_name, event_source = ADAPTER_MODULES[name]
        module = importlib.import_module(f"{__name__}.{module_name}")
        found = module.ADAPTER  # instantiating it raised already if a method is missing
        if (found.name, found.event_source) != (name, event_source):
            raise TypeError(f"{module.__name__}.ADAPTER is {found.name!r} for {found.event_source!r}, "
                            f"registered as {name!r} for {event_source!r}")
        _LOADED[name] = found
    return found


def all_adapters() -> list[Adapter]:
    return [adapter(name) for name in ADAPTER_MODULES]


def adapter_for(event: Any) -> Adapter:
    """The adapter that reads this event, its envelope and detail validated; MalformedEvent or UnknownEvent
    otherwise."""
    from .envelope import check_detail, check_envelope

    check_envelope(event)
    for name, (_, event_source) in ADAPTER_MODULES.items():
        if event["source"] == event_source and (found := adapter(name)).handles(event):
            check_detail(event["detail"], found.detail_schema, found.label)
            return found
    raise UnknownEvent(f"no source handles {event['source']!r} / {event['detail-type']!r}")
