"""Glue: "Glue Job State Change" FAILED, TIMEOUT and ERROR (STOPPED when REPORT_GLUE_STOPPED is set).

Parsing and evidence: :mod:`.evidence`. This module is the adapter: run outcomes, tags, console
links, live status, and the redrive (``StartJobRun`` with the failed run's arguments and capacity).
The redrive spec: ``JobName``, ``JobRunId``, ``Arguments``, ``WorkerType``, ``NumberOfWorkers``,
``Timeout`` (GetJobRun's own names), and ``state``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...redrive.plans import Plan, call_fields, present
from ..base import Adapter, NewRun, RunOutcome, RunState, SourceContext, extra_read, given
from . import changes
from .evidence import GlueEvidence, run_console_url
from .spec import GlueSpec

if TYPE_CHECKING:
    from datetime import datetime

    from ...aws import AwsContext
    from ...evidence.changes import Baseline, Reader
    from ..base import Collector

__all__ = ["ADAPTER", "GlueAdapter", "GlueContext"]

_LATEST = 3


@dataclass
class GlueContext(SourceContext):
    job_name: Any = None
    job_run_id: Any = None
    job_console_url: Any = None
    error_message: Any = None
    datasets: Any = None
    worker_type: Any = None
    workers: Any = None
    capacity: Any = None  # the run's sizing as one phrase (ten G.1X workers, or 10.0 DPU)
    timeout_minutes: Any = None
    execution_minutes: Any = None
    attempt: Any = None
    role: Any = None
    script_location: Any = None
    job_type: Any = None
    glue_version: Any = None
    error_log_group: Any = None
    output_log_group: Any = None


def run_key(job: str, run_id: str) -> str:
    return f"{job}#{run_id}"


class GlueAdapter(GlueEvidence, Adapter):
    name = "glue"
    event_source = "aws.glue"
    detail_types = ("Glue Job State Change",)
    label = "Glue"
    noun = "Glue job run"
    arn_service = "glue"
    original_read = "GetJobRun"
    context_type = GlueContext
    spec_type = GlueSpec
    detail_schema = {"jobName": str, "jobRunId": str, "state": str, "message": str}

    def run_outcome(self, event: dict[str, Any]) -> RunOutcome | None:
        detail = event.get("detail") or {}
        run_id, job = detail.get("jobRunId"), detail.get("jobName")
        if not isinstance(run_id, str) or not run_id or not isinstance(job, str):
            return None
        return RunOutcome.of(run_key(job, run_id), detail.get("state"), "SUCCEEDED",
                             {"FAILED", "TIMEOUT", "ERROR", "STOPPED"})

    def baseline(self, c: Collector, r: Reader) -> Baseline | None:
        return changes.baseline(c, r)

    def console_url(self, region: str, run_id: str, extra: dict[str, Any] | None = None) -> str:
        return run_console_url(region, str((extra or {}).get("job_name") or ""), run_id) if run_id else ""

    def tags(self, c: Collector, arn: str) -> dict[str, str]:
        out = c.call("GetTags", c.client("glue").get_tags, ResourceArn=arn)
        return dict((out or {}).get("Tags", {}))

    def live_status(self, aws: AwsContext, resource: dict[str, Any], latest: bool) -> RunState:
        from ...formats import fmt_time
        from ...templates import escape_mrkdwn as esc

        glue: Any = aws.client("glue")
        run = glue.get_job_run(JobName=resource["name"], RunId=resource["run_id"])["JobRun"]
        status = run.get("JobRunState")
        line = f"Job run `{esc(resource['run_id'])}` of {esc(resource['name'])} is *{esc(status)}*"
        if run.get("CompletedOn"):
            line += f" (ended {fmt_time(run['CompletedOn'])})"
        lines = [line]
        if run.get("ErrorMessage") and status != "SUCCEEDED":
            lines.append(f"Error: {esc(run['ErrorMessage'])}")
        if latest:
            runs = extra_read(lines, f"the latest runs of {resource['name']}", lambda: glue.get_job_runs(
                JobName=resource["name"], MaxResults=_LATEST).get("JobRuns", []))
            if runs:
                listed = ", ".join(f"`{esc(r.get('Id'))}` {esc(r.get('JobRunState'))} ({fmt_time(r.get('StartedOn'))})"
                                   for r in runs)
                lines.append(f"Latest runs of {esc(resource['name'])}: {listed}")
        return RunState(status=status, lines=lines, input=run.get("Arguments"))

    # -- redrive ----------------------------------------------------------------------------------------
    def original_ids(self, spec: GlueSpec) -> dict[str, Any]:
        return {"job_name": given(spec.JobName) or "", "run_id": given(spec.JobRunId) or ""}

    def plan(self, spec: GlueSpec, facts: dict[str, Any], *, attempt: int, now: datetime, region: str,
             token: str, resource_arn: str) -> Plan:
        job = given(spec.JobName)
        params: dict[str, Any] = {"JobName": job}
        params.update(present(
            spec, "Arguments", "WorkerType", "NumberOfWorkers", "Timeout", "MaxCapacity", "SecurityConfiguration",
            "NotificationProperty", "ExecutionClass", "JobRunQueuingEnabled",
        ))
        if params.get("WorkerType") and params.get("NumberOfWorkers"):
            params.pop("MaxCapacity", None)  # Glue refuses both
        workers = (f", {params['NumberOfWorkers']} x {params['WorkerType']} workers"
                   if params.get("WorkerType") else "")
        return Plan(
            **call_fields("glue", "glue:StartJobRun", region=region, target=str(job or ""),
                          where=f"Glue job `{job or '?'}` ({region})"),
            params=params,
            what=f"Start a new run of `{job or '?'}` with the failed run's arguments{workers}.",
            input_label="Arguments",
            input=params.get("Arguments") or {},
            original_url=self.console_url(region, str(given(spec.JobRunId) or ""), {"job_name": job}),
            expect={"job_name": job},
        )

    def read_original(self, ids: dict[str, Any], aws: AwsContext, notes: list[str]) -> dict[str, Any] | None:
        if not (ids.get("job_name") and ids.get("run_id")):
            notes.append(f"{self.original_read}: the failed run's id is not known")
            return None
        glue: Any = aws.client("glue")
        return glue.get_job_run(JobName=ids["job_name"], RunId=ids["run_id"])["JobRun"]  # type: ignore[no-any-return]

    def real_values(self, original: dict[str, Any]) -> dict[str, Any]:
        return {"Arguments": original.get("Arguments") or {}}

    def redrive_resources(self, plan: Plan, aws: AwsContext, resource_arn: str) -> list[tuple[str, dict[str, str]]]:
        from ...formats import parse_arn
        from ...redrive.optin import tags_of

        job = str(plan.params.get("JobName") or "")
        parsed = parse_arn(resource_arn)
        partition, account = (parsed.partition, parsed.account) if parsed else ("aws", "")
        arn = f"arn:{partition}:glue:{plan.region}:{account}:job/{job}"
        client: Any = aws.client("glue")
        return [(arn, tags_of(client.get_tags(ResourceArn=arn).get("Tags")))]

    def new_run(self, plan: Plan, out: dict[str, Any]) -> NewRun:
        run_id, job = out["JobRunId"], plan.params["JobName"]
        return NewRun(run_id, run_key(job, run_id), self.console_url(plan.region, run_id, {"job_name": job}))


ADAPTER = GlueAdapter()
