"""The redrive spec of lambda: the asynchronous invocation to make again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..base import RedriveSpec

__all__ = ["LambdaSpec"]


@dataclass
class LambdaSpec(RedriveSpec):
    """Invoke's parameters (the API's own names): the function (with the version that ran) and the
    original request payload; and the failed request's id."""

    FunctionName: str = ""
    Qualifier: str = ""
    Payload: Any = None
    requestId: str = ""
