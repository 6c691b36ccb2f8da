"""EMR on EKS (``emr-containers``): "EMR Job Run State Change" FAILED and CANCELLED.

Parsing and evidence: :mod:`.evidence`. This module is the adapter: run outcomes, tags, console links,
live status, and the redrive (``StartJobRun`` on the same virtual cluster with the same execution role,
release label, job driver, configuration overrides and retry policy). The redrive spec uses StartJobRun's
own names. EMR on EKS takes no ``iam:PassRole`` for the execution role (its pods assume the role through
the cluster's OIDC provider); IAM scopes the role with the ``emr-containers:ExecutionRoleArn`` key instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...redrive.plans import Plan, account_of, call_fields, present
from ..base import Adapter, NewRun, RunOutcome, RunState, SourceContext, extra_read, given
from . import changes
from .evidence import EmrContainersEvidence, job_runs_url, virtual_cluster_arn
from .spec import EmrContainersSpec

if TYPE_CHECKING:
    from datetime import datetime

    from ...aws import AwsContext
    from ...evidence.changes import Baseline, Reader
    from ..base import Collector

__all__ = ["ADAPTER", "EmrContainersAdapter", "EmrContainersContext"]


@dataclass
class EmrContainersContext(SourceContext):
    virtual_cluster_id: Any = None
    virtual_cluster_name: Any = None
    eks_cluster: Any = None
    namespace: Any = None
    job_run_id: Any = None
    job_name: Any = None
    state_details: Any = None
    failure_reason: Any = None
    entry_point: Any = None
    execution_role: Any = None
    release_label: Any = None
    spark_settings: Any = None
    driver_log: Any = None


def run_key(virtual_cluster_id: str, run_id: str) -> str:
    return f"{virtual_cluster_id}#{run_id}"


class EmrContainersAdapter(EmrContainersEvidence, Adapter):
    name = "emrcontainers"
    event_source = "aws.emr-containers"
    detail_types = ("EMR Job Run State Change",)
    label = "EMR on EKS"
    noun = "EMR on EKS job run"
    arn_service = "emr-containers"
    original_read = "DescribeJobRun"
    context_type = EmrContainersContext
    spec_type = EmrContainersSpec
    detail_schema = {"virtualClusterId": str, "id": str, "state": str}

    def run_outcome(self, event: dict[str, Any]) -> RunOutcome | None:
        detail = event.get("detail") or {}
        vc, run_id = detail.get("virtualClusterId"), detail.get("id")
        if not isinstance(vc, str) or not isinstance(run_id, str) or not vc or not run_id:
            return None
        return RunOutcome.of(run_key(vc, run_id), detail.get("state"), "COMPLETED", {"FAILED", "CANCELLED"})

    def console_url(self, region: str, run_id: str, extra: dict[str, Any] | None = None) -> str:
        vc = str((extra or {}).get("virtual_cluster_id") or "")
        return job_runs_url(region, vc) if run_id and vc else ""

    def tags(self, c: Collector, arn: str) -> dict[str, str]:
        out = c.call("ListTagsForResource", c.client("emr-containers").list_tags_for_resource, resourceArn=arn)
        return dict((out or {}).get("tags", {}))

    def live_status(self, aws: AwsContext, resource: dict[str, Any], latest: bool) -> RunState:
        from ...formats import fmt_time
        from ...templates import escape_mrkdwn as esc
        from ..sparkjobs import latest_runs_text

        client: Any = aws.client("emr-containers")
        vc = resource["name"]
        run = client.describe_job_run(id=resource["run_id"], virtualClusterId=vc)["jobRun"]
        status = run.get("state")
        when = f" (finished {fmt_time(run['finishedAt'])})" if run.get("finishedAt") else ""
        lines = [f"Job run `{esc(resource['run_id'])}` on virtual cluster {esc(vc)} is *{esc(status)}*{when}"]
        if run.get("stateDetails") and status != "COMPLETED":
            reason = f"{run['failureReason']}: " if run.get("failureReason") else ""
            lines.append(f"Details: {esc(reason + str(run['stateDetails']))}")
        if latest:
            runs = extra_read(lines, f"the latest job runs of {vc}", lambda: client.list_job_runs(
                virtualClusterId=vc, maxResults=3).get("jobRuns", []))
            if runs:
                lines.append(latest_runs_text(runs))
        return RunState(status=status, lines=lines, input=run.get("jobDriver"))

    # -- redrive ----------------------------------------------------------------------------------------
    def original_ids(self, spec: EmrContainersSpec) -> dict[str, Any]:
        return {"virtual_cluster_id": given(spec.virtualClusterId) or "", "run_id": given(spec.jobRunId) or ""}

    def plan(self, spec: EmrContainersSpec, facts: dict[str, Any], *, attempt: int, now: datetime, region: str,
             token: str, resource_arn: str) -> Plan:
        vc = str(given(spec.virtualClusterId) or "")
        params: dict[str, Any] = {"virtualClusterId": vc, "clientToken": token[:64]}
        params.update(present(spec, "executionRoleArn", "releaseLabel", "jobDriver", "configurationOverrides",
                              "retryPolicyConfiguration"))
        params["name"] = f"{spec.name or 'job'}-redrive-{attempt}"[:64]
        return Plan(
            **call_fields(self.name, "emr-containers:StartJobRun"), region=region, target=vc,
            where=f"EMR on EKS virtual cluster `{vc or '?'}` ({region})", params=params,
            what=(f"Start a new job run on virtual cluster `{vc or '?'}` with the failed run's execution role, release "
                  "label, job driver and configuration overrides."),
            input_label="Job driver", input=params.get("jobDriver") or {},
            original_url=self.console_url(region, str(spec.jobRunId or ""), {"virtual_cluster_id": vc}),
            expect={"virtual_cluster_id": vc, "run_id": spec.jobRunId},
        )

    def read_original(self, ids: dict[str, Any], aws: AwsContext, notes: list[str]) -> dict[str, Any] | None:
        if not (ids.get("virtual_cluster_id") and ids.get("run_id")):
            notes.append(f"{self.original_read}: the failed run's id is not known")
            return None
        client: Any = aws.client("emr-containers")
        return client.describe_job_run(id=ids["run_id"], virtualClusterId=ids["virtual_cluster_id"])["jobRun"]  # type: ignore[no-any-return]

    def real_values(self, original: dict[str, Any]) -> dict[str, Any]:
        return {"jobDriver": original.get("jobDriver") or {},
                "configurationOverrides": original.get("configurationOverrides") or {}}

    def baseline(self, c: Collector, r: Reader) -> Baseline | None:
        return changes.baseline(c, r)

    def redrive_resources(self, plan: Plan, aws: AwsContext, resource_arn: str) -> list[tuple[str, dict[str, str]]]:
        from ...redrive.optin import tags_of

        vc = str(plan.params.get("virtualClusterId") or "")
        arn = virtual_cluster_arn(plan.region, account_of(resource_arn), vc)
        client: Any = aws.client("emr-containers")
        return [(arn, tags_of(client.list_tags_for_resource(resourceArn=arn).get("tags")))]

    def new_run(self, plan: Plan, out: dict[str, Any]) -> NewRun:
        vc, run_id = out.get("virtualClusterId") or plan.params["virtualClusterId"], out["id"]
        return NewRun(run_id, run_key(vc, run_id), self.console_url(plan.region, run_id, {"virtual_cluster_id": vc}))


ADAPTER = EmrContainersAdapter()
