"""The redrive spec of athena: what its collector records about how to run a failed query again."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..base import RedriveSpec

__all__ = ["AthenaSpec"]


@dataclass
class AthenaSpec(RedriveSpec):
    """StartQueryExecution's parameters as GetQueryExecution gave them (the API's own names)."""

    QueryString: str = ""
    QueryExecutionContext: dict[str, Any] = field(default_factory=dict)
    WorkGroup: str = ""
    ResultConfiguration: dict[str, Any] = field(default_factory=dict)
    QueryExecutionId: str = ""
    state: str = ""
