"""ECS: "ECS Task State Change" STOPPED with a failure (:func:`.evidence.verdict` decides which).

Parsing and evidence: :mod:`.evidence`; redrive plans: :mod:`.redrive`. This module is the adapter.
A run's outcome uses the same verdict as the report, so a redriven task that stopped cleanly (an app
exiting 0 beside a sidecar's SIGTERM) is a success and an OOM kill with exit code 0 is a failure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...model import Skip
from ...redrive.plans import Plan
from ..base import INTERNAL, Adapter, NewRun, NoRun, RunOutcome, RunState, SourceContext, given
from ..envelope import ARN, ISO_TIME
from . import changes, redrive
from .evidence import EcsEvidence, verdict
from .spec import EcsSpec

if TYPE_CHECKING:
    from datetime import datetime

    from ...aws import AwsContext
    from ...evidence.changes import Baseline, Reader
    from ...model import Incident
    from ..base import Collector

__all__ = ["ADAPTER", "EcsAdapter", "EcsContext"]


@dataclass
class EcsContext(SourceContext):
    task_id: Any = None
    cluster: Any = None
    cluster_arn: Any = None
    family: Any = None
    revision: Any = None
    task_definition: Any = None
    task_definition_url: Any = None
    container: Any = None
    image: Any = None
    exit_code: Any = None
    memory: Any = None
    memory_text: Any = None
    memory_doubled: Any = None
    memory_hint: Any = None
    memory_reservation: Any = None
    task_memory: Any = None
    cpu: Any = None
    group: Any = None
    service: Any = None
    launch_type: Any = None
    capacity_provider: Any = None
    stopped_reason: Any = None
    stop_code: Any = None
    started_by: Any = None
    stop_limit: Any = None  # the round time a StopTask came at, after the task was created ("2.0 h")
    log_group: Any = None
    log_stream: Any = None
    sibling_host: Any = None  # another container of the task a container looked up by name (awsvpc mode)
    compose_host: Any = None  # a single-label host a failed container's environment names ("postgres")
    compose_var: Any = None  # the variable that names it ("DATABASE_URL")
    secret_ref: Any = None  # a refused secret's valueFrom, written unlike an SSM path or the task's others
    awslogs_region: Any = None  # a container's awslogs-region that is no region name (the log driver failed)
    secret_name: Any = None  # the secret's name in the container ("GOOGLE_CLIENT_ID")
    role: Any = None  # the task role its containers run as (an override wins)
    log_read: Any = field(default=None, metadata=INTERNAL)


def _cluster_of(task_arn: str) -> str:
    # arn:aws:ecs:<region>:<account>:task/<cluster>/<task id> (the long ARN format)
    parts = task_arn.split(":")[-1].split("/")
    return parts[1] if len(parts) == 3 else ""


class EcsAdapter(EcsEvidence, Adapter):
    name = "ecs"
    event_source = "aws.ecs"
    detail_types = ("ECS Task State Change",)
    label = "ECS"
    noun = "ECS task"
    arn_service = "ecs"
    original_read = "DescribeTasks"
    context_type = EcsContext
    spec_type = EcsSpec
    detail_schema = {"taskArn": ARN, "clusterArn": ARN, "taskDefinitionArn": ARN, "lastStatus": str, "stopCode": str,
                     "stoppedReason": str, "group": str, "startedBy": str, "containers": list, "createdAt": ISO_TIME,
                     "startedAt": ISO_TIME, "stoppedAt": ISO_TIME, "executionStoppedAt": ISO_TIME}

    def run_outcome(self, event: dict[str, Any]) -> RunOutcome | None:
        detail = event.get("detail") or {}
        arn = detail.get("taskArn")
        if not isinstance(arn, str) or not arn:
            return None
        if detail.get("lastStatus") != "STOPPED":
            return RunOutcome(arn, "other")
        failed, _ = verdict(detail)
        return RunOutcome(arn, "failed" if failed else "succeeded")

    def may_be_redrive(self, event: dict[str, Any]) -> bool:
        return (event.get("detail") or {}).get("startedBy") == redrive.STARTED_BY

    def parse(self, event: dict[str, Any]) -> Incident | Skip:
        parsed = super().parse(event)
        if isinstance(parsed, Skip) and (event.get("detail") or {}).get("lastStatus") == "STOPPED":
            # A clean stop: kept as the family's last good run, the baseline of a later failure.
            parsed.good_run = changes.good_run(event.get("detail") or {})
        return parsed

    def baseline(self, c: Collector, r: Reader) -> Baseline | None:
        return changes.baseline(c, r)

    def console_url(self, region: str, run_id: str, extra: dict[str, Any] | None = None) -> str:
        return redrive.task_url(region, (extra or {}).get("cluster"), run_id) if run_id else ""

    def tags(self, c: Collector, arn: str) -> dict[str, str]:
        out = c.call("ListTagsForResource", c.client("ecs").list_tags_for_resource, resourceArn=arn)
        return {t["key"]: t["value"] for t in (out or {}).get("tags", [])}

    def live_status(self, aws: AwsContext, resource: dict[str, Any], latest: bool) -> RunState:
        from ...formats import fmt_time
        from ...templates import escape_mrkdwn as esc

        ecs: Any = aws.client("ecs")
        arn = resource["arn"]
        cluster = _cluster_of(arn)
        out = ecs.describe_tasks(tasks=[arn], **({"cluster": cluster} if cluster else {}))
        tasks = out.get("tasks") or []
        if not tasks:
            return RunState(error=f"ECS no longer returns task {arn.split('/')[-1]} "
                                  "(it keeps stopped tasks for about an hour)")
        task = tasks[0]
        status = task.get("lastStatus")
        line = f"Task `{esc(arn.split('/')[-1])}` is *{esc(status)}*"
        if task.get("stoppedAt"):
            line += f" (stopped {fmt_time(task['stoppedAt'])})"
        lines = [line]
        if task.get("stoppedReason"):
            lines.append(f"Stopped reason: {esc(task['stoppedReason'])}")
        for x in (task.get("containers") or [])[:5]:
            code = x.get("exitCode")
            lines.append(f"Container {esc(x.get('name'))}: exit code {esc(code if code is not None else 'none')}"
                         + (f" ({esc(x['reason'])})" if x.get("reason") else ""))
        return RunState(status=status, lines=lines, input=task.get("overrides"))

    # -- redrive ----------------------------------------------------------------------------------------
    def original_ids(self, spec: EcsSpec) -> dict[str, Any]:
        return {"cluster": str(given(spec.cluster) or "default").split("/")[-1],
                "task_arn": given(spec.taskArn) or ""}

    def plan(self, spec: EcsSpec, facts: dict[str, Any], *, attempt: int, now: datetime, region: str,
             token: str, resource_arn: str) -> Plan:
        return redrive.plan(spec, region, token)

    def read_original(self, ids: dict[str, Any], aws: AwsContext, notes: list[str]) -> dict[str, Any] | None:
        if not ids.get("task_arn"):
            notes.append(f"{self.original_read}: the failed run's id is not known")
            return None
        ecs: Any = aws.client("ecs")
        kwargs = {"cluster": ids["cluster"]} if ids.get("cluster") else {}
        tasks = ecs.describe_tasks(tasks=[ids["task_arn"]], **kwargs).get("tasks") or []
        if not tasks:
            notes.append(f"{self.original_read}: ECS no longer returns the stopped task (it keeps them for about "
                         "an hour)")
        return tasks[0] if tasks else None

    def real_values(self, original: dict[str, Any]) -> dict[str, Any]:
        return {"overrides": original.get("overrides") or {}}

    def redrive_resources(self, plan: Plan, aws: AwsContext, resource_arn: str) -> list[tuple[str, dict[str, str]]]:
        from ...redrive.optin import tags_of

        definition = str(plan.params.get("taskDefinition") or "")
        client: Any = aws.client("ecs")
        out = client.describe_task_definition(taskDefinition=definition, include=["TAGS"])
        arn = (out.get("taskDefinition") or {}).get("taskDefinitionArn") or definition
        return [(str(arn), tags_of(out.get("tags")))]

    def new_run(self, plan: Plan, out: dict[str, Any]) -> NewRun:
        tasks = out.get("tasks") or []
        if not tasks:
            failure = (out.get("failures") or [{}])[0]
            raise NoRun(failure.get("reason") or "RunTask started no task",
                        f"{failure.get('arn', '')} {failure.get('detail', '')}".strip())
        arn = tasks[0]["taskArn"]
        return NewRun(arn, arn, self.console_url(plan.region, arn, {"cluster": plan.expect.get("cluster")}))


ADAPTER = EcsAdapter()
