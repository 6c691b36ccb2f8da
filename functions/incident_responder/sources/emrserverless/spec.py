"""The redrive spec of emrserverless: what its collector records about how to re-run a failed job run."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..base import RedriveSpec

__all__ = ["EmrServerlessSpec"]


@dataclass
class EmrServerlessSpec(RedriveSpec):
    """StartJobRun's parameters as GetJobRun gave them (the API's own names), and the failed run's id."""

    applicationId: str = ""
    jobRunId: str = ""
    executionRoleArn: str = ""
    jobDriver: dict[str, Any] = field(default_factory=dict)
    configurationOverrides: dict[str, Any] = field(default_factory=dict)
    executionTimeoutMinutes: int | None = None
    name: str = ""
    state: str = ""
