"""Powertools Tracer, built at the first invocation instead of at import.

Tracer imports the X-Ray SDK, which builds botocore objects of its own and patches boto3: about a third of
an ``import boto3`` more. Built lazily, the handler module imports in well under 1.5x ``import boto3``,
and the traces are the same: the Tracer exists (and boto3 is patched) before the handler body makes its
first AWS call. With POWERTOOLS_TRACE_DISABLED set, the X-Ray SDK is never imported.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from .config import env

if TYPE_CHECKING:
    from aws_lambda_powertools import Tracer

__all__ = ["LazyTracer"]

F = TypeVar("F", bound=Callable[..., Any])


class LazyTracer:
    """A Powertools :class:`Tracer` made on first use. Reads POWERTOOLS_TRACE_DISABLED."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._tracer: Tracer | None = None

    @property
    def disabled(self) -> bool:
        return env("POWERTOOLS_TRACE_DISABLED").lower() in {"1", "true", "yes"}

    @property
    def tracer(self) -> Tracer:
        if self._tracer is None:
            from aws_lambda_powertools import Tracer

            self._tracer = Tracer(**self._options)
        return self._tracer

    def capture_lambda_handler(self, capture_response: bool = False) -> Callable[[F], F]:
        """Like ``Tracer.capture_lambda_handler``; the Tracer is built at the first traced call."""

        def decorate(handler: F) -> F:
            traced: list[Callable[..., Any]] = []

            @functools.wraps(handler)
            def wrapper(event: Any, context: Any) -> Any:
                if self.disabled:
                    return handler(event, context)
                if not traced:
                    traced.append(self.tracer.capture_lambda_handler(handler, capture_response=capture_response))
                return traced[0](event, context)

            return wrapper  # type: ignore[return-value]

        return decorate
