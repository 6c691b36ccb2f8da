"""The redrive spec of glue: what its collector records about how to re-run a failed run."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..base import RedriveSpec

__all__ = ["GlueSpec"]


@dataclass
class GlueSpec(RedriveSpec):
    """StartJobRun's parameters as the failed run had them (GetJobRun's own names)."""

    JobName: str = ""
    JobRunId: str = ""
    Arguments: dict[str, str] = field(default_factory=dict)
    WorkerType: str = ""
    NumberOfWorkers: int | None = None
    Timeout: int | None = None
    MaxCapacity: float | None = None
    SecurityConfiguration: str = ""
    NotificationProperty: dict[str, Any] = field(default_factory=dict)
    ExecutionClass: str = ""
    JobRunQueuingEnabled: bool | None = None
    state: str = ""
