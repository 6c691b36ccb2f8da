"""boto3 clients for the responder: adaptive retries, short timeouts, and a count of API calls.

Every AWS call the responder makes goes through a client built here, so replay and benchmarks can
report how many calls a report cost (``api_calls``), and throttling is absorbed by botocore's
adaptive retry mode rather than failing the report.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, cast

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

if TYPE_CHECKING:
    from botocore.client import BaseClient

__all__ = ["AwsContext", "api_calls", "clear_shared_contexts", "counted_as", "describe_error", "error_code",
           "reset_api_calls", "shared_context"]

_RETRY_CONFIG = Config(
    retries={"mode": "adaptive", "max_attempts": 6},
    connect_timeout=5,
    read_timeout=20,
    user_agent_extra="incident-responder",
)

_lock = threading.Lock()
_calls: Counter[str] = Counter()
_tagged: dict[str, Counter[str]] = {}
_tag: contextvars.ContextVar[str] = contextvars.ContextVar("aws_call_tag", default="")


def _count(model: Any = None, **_: Any) -> None:
    if model is None:
        return
    name = f"{model.service_model.endpoint_prefix}.{model.name}"
    tag = _tag.get()
    with _lock:
        (_tagged.setdefault(tag, Counter()) if tag else _calls)[name] += 1


@contextlib.contextmanager
def counted_as(tag: str) -> Iterator[None]:
    """Count the calls made inside the block under ``tag`` (``api_calls(tag)``), apart from the report's
    own calls: an optional step (the changes since the last good run) has a budget of its own."""
    token = _tag.set(tag)
    try:
        yield
    finally:
        _tag.reset(token)


def api_calls(tag: str = "") -> dict[str, int]:
    """API calls made through responder clients since the last :func:`reset_api_calls`: the untagged
    ones, or those counted under ``tag``."""
    with _lock:
        return dict(sorted((_tagged.get(tag, Counter()) if tag else _calls).items()))


def reset_api_calls() -> None:
    with _lock:
        _calls.clear()
        _tagged.clear()


def error_code(exc: BaseException) -> str:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", "ClientError"))
    return type(exc).__name__


def describe_error(exc: BaseException) -> str:
    """A short human sentence for an AWS error (for the report's "could not read" list)."""
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        return f"{err.get('Code', 'ClientError')}: {err.get('Message', '')}".strip().rstrip(":")
    if isinstance(exc, BotoCoreError):
        return f"{type(exc).__name__}: {exc}"
    return f"{type(exc).__name__}: {exc}"


class AwsContext:
    """Builds and caches the clients one invocation uses, for one region.

    ``session`` may be given (tests pass a moto-backed one); otherwise a default session is made.
    """

    def __init__(self, region: str | None = None, session: boto3.Session | None = None) -> None:
        self.session = session or boto3.Session(region_name=region)
        self.region = region or self.session.region_name or "us-east-1"
        self._clients: dict[str, BaseClient] = {}
        self._lock = threading.Lock()

    def client(self, service: str) -> BaseClient:
        with self._lock:
            cached = self._clients.get(service)
            if cached is None:
                cached = cast(Any, self.session).client(service, region_name=self.region, config=_RETRY_CONFIG)
                cached.meta.events.register("before-call", _count)
                self._clients[service] = cached
            return cached


_shared: dict[str | None, AwsContext] = {}


def shared_context(region: str | None = None) -> AwsContext:
    """The context warm invocations reuse for a region: its clients (and the Powertools secret
    cache, which is kept per client) survive between events instead of being rebuilt each time."""
    with _lock:
        ctx = _shared.get(region)
        if ctx is None:
            ctx = _shared[region] = AwsContext(region=region)
        return ctx


def clear_shared_contexts() -> None:
    """Forget the shared contexts (the local runtime does this between scenarios)."""
    with _lock:
        _shared.clear()
