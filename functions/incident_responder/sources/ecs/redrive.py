"""ECS redrive: ``RunTask`` with the stopped task's task definition, cluster, launch type or capacity
provider strategy, network configuration and overrides; a service's task points at a forced deployment.

The spec the collector stores uses RunTask's own names (``cluster``, ``taskDefinition``,
``launchType``, ``capacityProviderStrategy``, ``networkConfiguration``, ``overrides``, ...) plus
``taskArn``, ``serviceName`` and ``unknown`` (what DescribeTasks does not say).
"""

from __future__ import annotations

from typing import Any

from ...redrive.plans import Plan, account_of, call_fields, not_runnable, present, region_of, where_in
from ..base import given
from .evidence import ecs_console_url
from .spec import EcsSpec

__all__ = ["STARTED_BY", "plan", "task_url"]

# ECS allows these characters (and at most 36 of them) in startedBy; new tasks are marked with it.
STARTED_BY = "incident-responder"


def task_url(region: str, cluster: Any, task_arn: str) -> str:
    cluster_name = str(cluster or "default").split("/")[-1]
    return ecs_console_url(region, f"clusters/{cluster_name}/tasks/{task_arn.split('/')[-1]}")


def plan(spec: EcsSpec, region: str, token: str) -> Plan:
    cluster = given(spec.cluster)
    task_def = given(spec.taskDefinition)
    service = given(spec.serviceName)
    if service or given(spec.action) == "UpdateService":
        cluster_name = str(cluster or "default").split("/")[-1]
        return not_runnable(
            call_fields("ecs", "ecs:RunTask", region=region_of(cluster, region), target=str(task_def or ""),
                  where=f"service `{service}` of cluster `{cluster_name}`"),
            f"The task belonged to service `{service}`: ECS starts a replacement for a stopped "
            "service task by itself, and a task run beside the service would not be part of it. "
            "To start fresh tasks, force a new deployment: `aws ecs update-service --cluster "
            f"{cluster_name} --service {service} --force-new-deployment`.",
            what="Run the task again",
        )
    params: dict[str, Any] = {
        "cluster": cluster,
        "taskDefinition": task_def,
        "count": 1,
        "startedBy": STARTED_BY,
        "clientToken": token,
    }
    strategy = given(spec.capacityProviderStrategy)
    warnings: list[str] = []
    if strategy:
        params["capacityProviderStrategy"] = strategy
    elif given(spec.launchType):
        params["launchType"] = given(spec.launchType)
    params.update(present(
        spec, "networkConfiguration", "overrides", "platformVersion", "group", "enableExecuteCommand",
        "propagateTags", "placementConstraints", "placementStrategy",
    ))
    if not given(spec.networkConfiguration) and spec.network_mode in ("", "awsvpc"):
        warnings.append(
            "The stopped task's network configuration is not known: the new task gets none, which "
            "only works for task definitions that do not use the awsvpc network mode."
        )
    arn = str(task_def or "")
    region = region_of(cluster or task_def, region)
    cluster_name = str(cluster or "default").split("/")[-1]
    td_name = arn.split("/")[-1] if arn else "?"
    how = (
        f"capacity provider {params['capacityProviderStrategy'][0].get('capacityProvider')}"
        if params.get("capacityProviderStrategy")
        else f"launch type {params.get('launchType', 'default')}"
    )
    return Plan(
        **call_fields("ecs", "ecs:RunTask", region=region, target=arn,
                where=f"cluster `{cluster_name}` ({where_in(region, account_of(cluster))})"),
        params=params,
        what=f"Run a new task of `{td_name}` ({how}) with the stopped task's overrides.",
        input_label="Overrides",
        input=params.get("overrides") or {},
        warnings=warnings,
        original_url=task_url(region, cluster_name, str(given(spec.taskArn) or "")),
        expect={"cluster": cluster_name},
    )


