"""The redrive spec of ecs: what its collector records about how to re-run a failed run."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..base import RedriveSpec

__all__ = ["EcsSpec"]


@dataclass
class EcsSpec(RedriveSpec):
    """RunTask's parameters as the stopped task had them (RunTask's own names), and the task's ARN."""

    action: str = "RunTask"
    taskArn: str = ""
    cluster: str = ""
    taskDefinition: str = ""
    count: int = 1
    serviceName: str = ""
    forceNewDeployment: bool = False
    capacityProviderStrategy: list[dict[str, Any]] = field(default_factory=list)
    launchType: str = ""
    platformVersion: str = ""
    group: str = ""
    networkConfiguration: dict[str, Any] = field(default_factory=dict)
    overrides: dict[str, Any] = field(default_factory=dict)
    enableExecuteCommand: bool | None = None
    propagateTags: str = ""
    placementConstraints: list[dict[str, Any]] = field(default_factory=list)
    placementStrategy: list[dict[str, Any]] = field(default_factory=list)
    network_mode: str = ""  # the task definition's (awsvpc needs a network configuration); "" when unknown
