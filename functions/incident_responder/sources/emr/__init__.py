"""EMR: "EMR Step Status Change" FAILED and "EMR Cluster State Change" TERMINATED_WITH_ERRORS.

Parsing and evidence: :mod:`.evidence`; redrive plans: :mod:`.redrive`. This module is the adapter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...redrive.plans import Plan
from ..base import INTERNAL, Adapter, NewRun, RunOutcome, RunState, SourceContext, given
from . import changes, redrive
from .evidence import CLUSTER, STEP, EmrEvidence, cluster_console_url, cluster_tags
from .spec import EmrSpec

if TYPE_CHECKING:
    from datetime import datetime

    from ...aws import AwsContext
    from ...evidence.changes import Baseline, Reader
    from ..base import Collector

__all__ = ["ADAPTER", "EmrAdapter", "EmrContext"]


@dataclass
class EmrContext(SourceContext):
    cluster_id: Any = None
    cluster: Any = None
    cluster_name: Any = None
    cluster_state: Any = None
    cluster_console_url: Any = None
    release_label: Any = None
    instance_profile: Any = None
    service_role: Any = None
    log_uri: Any = None
    step_id: Any = None
    step_name: Any = None
    step_state: Any = None
    action_on_failure: Any = None
    step_command: Any = None
    failure_reason: Any = None
    failure_message: Any = None
    step_log_folder: Any = None
    failed_step_id: Any = None
    failed_step_name: Any = None
    failed_step_action: Any = None
    state_change_code: Any = None
    state_change_message: Any = None
    bootstrap_log: Any = None
    bootstrap_instance: Any = None
    bootstrap_action: Any = None
    emr_cluster_tags: Any = field(default=None, metadata=INTERNAL)


def run_key(cluster_id: str, step_id: str) -> str:
    return f"{cluster_id}#{step_id}"


class EmrAdapter(EmrEvidence, Adapter):
    name = "emr"
    event_source = "aws.emr"
    detail_types = (STEP, CLUSTER)
    label = "EMR"
    noun = "EMR"
    arn_service = "elasticmapreduce"
    original_read = "DescribeStep"
    context_type = EmrContext
    spec_type = EmrSpec
    detail_schema = {"clusterId": str, "stepId": str, "state": str, "name": str, "message": str, "actionOnFailure": str,
                     "stateChangeReason": str}

    def run_outcome(self, event: dict[str, Any]) -> RunOutcome | None:
        detail = event.get("detail") or {}
        step_id, cluster_id = detail.get("stepId"), detail.get("clusterId")
        if event.get("detail-type") != STEP or not isinstance(step_id, str) or not isinstance(cluster_id, str):
            return None
        return RunOutcome.of(run_key(cluster_id, step_id), detail.get("state"), "COMPLETED", {"FAILED", "CANCELLED"})

    def may_be_redrive(self, event: dict[str, Any]) -> bool:
        return event.get("detail-type") == STEP and "(redrive " in str((event.get("detail") or {}).get("name") or "")

    def baseline(self, c: Collector, r: Reader) -> Baseline | None:
        return changes.baseline(c, r)

    def console_url(self, region: str, run_id: str, extra: dict[str, Any] | None = None) -> str:
        return cluster_console_url(region, str((extra or {}).get("cluster_id") or run_id)) if run_id else ""

    def tags(self, c: Collector, arn: str) -> dict[str, str]:
        # DescribeCluster, read for the evidence already, carries the cluster's tags.
        return cluster_tags(c.context.get("emr_cluster_tags"))

    def live_status(self, aws: AwsContext, resource: dict[str, Any], latest: bool) -> RunState:
        from ...formats import fmt_time
        from ...templates import escape_mrkdwn as esc

        emr: Any = aws.client("emr")
        cluster_id = resource["arn"].split("/")[-1]
        cluster = emr.describe_cluster(ClusterId=cluster_id)["Cluster"]
        cstate = (cluster.get("Status") or {}).get("State")
        lines = [f"Cluster `{esc(cluster.get('Name') or cluster_id)}` ({esc(cluster_id)}) is *{esc(cstate)}*"]
        run_id = str(resource.get("run_id") or "")
        if not run_id.startswith("s-"):
            return RunState(status=cstate, lines=lines)
        step = emr.describe_step(ClusterId=cluster_id, StepId=run_id)["Step"]
        status = (step.get("Status") or {}).get("State")
        line = f"Step `{esc(step.get('Name') or run_id)}` ({esc(run_id)}) is *{esc(status)}*"
        ended = ((step.get("Status") or {}).get("Timeline") or {}).get("EndDateTime")
        if ended:
            line += f" (ended {fmt_time(ended)})"
        failure = (step.get("Status") or {}).get("FailureDetails") or {}
        lines.insert(0, line)
        if failure.get("Message") or failure.get("Reason"):
            lines.append(f"Failure: {esc(failure.get('Reason') or '')} {esc(failure.get('Message') or '')}".strip())
        return RunState(status=status, lines=lines, input=(step.get("Config") or {}).get("Args"))

    # -- redrive ----------------------------------------------------------------------------------------
    def spec_without_details(self, resource_arn: str) -> EmrSpec | None:
        # No step could be read (the cluster is usually gone): the plan explains how to re-create it.
        return EmrSpec(cluster_id=resource_arn.rsplit("/", 1)[-1]) if ":cluster/" in resource_arn else None

    def original_ids(self, spec: EmrSpec) -> dict[str, Any]:
        return {"cluster_id": given(spec.cluster_id) or "", "step_id": given(spec.failed_step_id) or ""}

    def gather_facts(self, spec: EmrSpec, aws: AwsContext, notes: list[str]) -> dict[str, Any]:
        return redrive.gather_facts(spec, aws, notes)

    def plan(self, spec: EmrSpec, facts: dict[str, Any], *, attempt: int, now: datetime, region: str,
             token: str, resource_arn: str) -> Plan:
        return redrive.plan(spec, facts, attempt, region)

    def read_original(self, ids: dict[str, Any], aws: AwsContext, notes: list[str]) -> dict[str, Any] | None:
        if not (ids.get("cluster_id") and ids.get("step_id")):
            notes.append(f"{self.original_read}: the failed run's id is not known")
            return None
        emr: Any = aws.client("emr")
        return emr.describe_step(ClusterId=ids["cluster_id"], StepId=ids["step_id"])["Step"]  # type: ignore[no-any-return]

    def real_values(self, original: dict[str, Any]) -> dict[str, Any]:
        config = dict(original.get("Config") or {})
        props = config.get("Properties")
        if isinstance(props, dict):  # DescribeStep gives a map; AddJobFlowSteps takes Key/Value pairs
            config["Properties"] = [{"Key": str(k), "Value": str(v)} for k, v in props.items()]
        return {"Steps": [{"Name": original.get("Name"), "ActionOnFailure": original.get("ActionOnFailure"),
                           "HadoopJarStep": config}]}

    def redrive_resources(self, plan: Plan, aws: AwsContext, resource_arn: str) -> list[tuple[str, dict[str, str]]]:
        from ...redrive.optin import tags_of

        cluster = str(plan.params.get("JobFlowId") or "")
        client: Any = aws.client("emr")
        out = client.describe_cluster(ClusterId=cluster)
        return [(cluster, tags_of((out.get("Cluster") or {}).get("Tags")))]

    def new_run(self, plan: Plan, out: dict[str, Any]) -> NewRun:
        step_id = (out.get("StepIds") or [""])[0]
        cluster = plan.params["JobFlowId"]
        return NewRun(step_id, run_key(cluster, step_id), self.console_url(plan.region, step_id,
                                                                           {"cluster_id": cluster}))


ADAPTER = EmrAdapter()
