"""The deadline of the invocation in progress, for code that must not wait past it (Slack's retry handlers).

Kept apart from the Slack client so a handler can set it without importing slack-sdk at import time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

__all__ = ["Deadline", "slack_deadline"]


class Deadline:
    """How long Slack calls may still take: ``remaining()`` seconds are left (a Lambda's remaining time),
    ``reserve`` of them kept back for one more attempt (the client's timeout) and the work after it."""

    def __init__(self, remaining: Callable[[], float], reserve: float = 15.0) -> None:
        self.remaining = remaining
        self.reserve = reserve

    @classmethod
    def from_lambda_context(cls, context: Any, reserve: float = 15.0) -> Deadline:
        """From a Lambda context's ``get_remaining_time_in_millis``."""
        return cls(lambda: context.get_remaining_time_in_millis() / 1000.0, reserve)

    def left(self) -> float:
        """Seconds retries may still spend waiting."""
        return self.remaining() - self.reserve


# The deadline of the invocation in progress; the retry handlers (shared by warm invocations) read it.
_DEADLINE: ContextVar[Deadline | None] = ContextVar("slack_deadline", default=None)


@contextmanager
def slack_deadline(deadline: Deadline | None) -> Iterator[None]:
    """Within this block, no retry handler sleeps past ``deadline`` (None: only the per-call cap)."""
    token = _DEADLINE.set(deadline)
    try:
        yield
    finally:
        _DEADLINE.reset(token)
