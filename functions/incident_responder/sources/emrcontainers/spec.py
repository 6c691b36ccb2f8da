"""The redrive spec of emrcontainers: what its collector records about how to re-run a failed job run."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..base import RedriveSpec

__all__ = ["EmrContainersSpec"]


@dataclass
class EmrContainersSpec(RedriveSpec):
    """StartJobRun's parameters as DescribeJobRun gave them (the API's own names), and the failed run's id."""

    virtualClusterId: str = ""
    jobRunId: str = ""
    executionRoleArn: str = ""
    releaseLabel: str = ""
    jobDriver: dict[str, Any] = field(default_factory=dict)
    configurationOverrides: dict[str, Any] = field(default_factory=dict)
    retryPolicyConfiguration: dict[str, Any] = field(default_factory=dict)
    name: str = ""
    state: str = ""
