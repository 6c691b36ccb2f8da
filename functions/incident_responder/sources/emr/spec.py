"""The redrive spec of emr: what its collector records about how to re-run a failed run."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..base import RedriveSpec

__all__ = ["EmrSpec"]


@dataclass
class EmrSpec(RedriveSpec):
    """The failed step as AddJobFlowSteps takes it, and the cluster it ran on."""

    cluster_id: str = ""
    cluster_name: str = ""
    cluster_state: str = ""
    cluster_accepts_steps: bool = False
    failed_step_id: str = ""
    step: dict[str, Any] = field(default_factory=dict)  # Name, ActionOnFailure, HadoopJarStep
    ExecutionRoleArn: str = ""
    note: str = ""
