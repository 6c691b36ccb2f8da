"""The redrive spec of batch: what its collector records about how to re-run a failed run."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..base import RedriveSpec

__all__ = ["BatchSpec"]


@dataclass
class BatchSpec(RedriveSpec):
    """SubmitJob's parameters as the failed job had them (SubmitJob's own names), and the job's id."""

    action: str = "SubmitJob"
    jobId: str = ""
    jobName: str = ""
    jobQueue: str = ""
    jobDefinition: str = ""
    parameters: dict[str, str] = field(default_factory=dict)
    containerOverrides: dict[str, Any] = field(default_factory=dict)
    retryStrategy: dict[str, Any] = field(default_factory=dict)
    timeout: dict[str, Any] = field(default_factory=dict)
    propagateTags: bool | None = None
    shareIdentifier: str = ""
    schedulingPriorityOverride: int | None = None
    arrayProperties: dict[str, Any] = field(default_factory=dict)
    nodeOverrides: dict[str, Any] = field(default_factory=dict)
    ecsPropertiesOverride: dict[str, Any] = field(default_factory=dict)
    eksPropertiesOverride: dict[str, Any] = field(default_factory=dict)
