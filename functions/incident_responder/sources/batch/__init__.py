"""AWS Batch: "Batch Job State Change" FAILED.

Parsing and evidence: :mod:`.evidence`. This module is the adapter: run outcomes, tags, console
links, live status, and the redrive (``SubmitJob`` with the same definition, queue, parameters and
overrides). The redrive spec uses SubmitJob's own names (``jobName``, ``jobQueue``,
``jobDefinition``, ``parameters``, ``containerOverrides``, ...) plus ``jobId`` and ``unknown``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...redrive.plans import Plan, account_of, call_fields, present, region_of, where_in, with_suffix
from ..base import Adapter, NewRun, RunOutcome, RunState, SourceContext, given
from ..envelope import ARN, EPOCH_MS
from . import changes
from .evidence import BatchEvidence
from .spec import BatchSpec

if TYPE_CHECKING:
    from datetime import datetime

    from ...aws import AwsContext
    from ...evidence.changes import Baseline, Reader
    from ..base import Collector

__all__ = ["ADAPTER", "BatchAdapter", "BatchContext", "job_url"]

_NAME_MAX = 128
_REDRIVEN = re.compile(r"-redrive-\d+$")


@dataclass
class BatchContext(SourceContext):
    job_id: Any = None
    job_name: Any = None
    job_queue: Any = None
    job_definition: Any = None
    job_definition_name: Any = None
    memory: Any = None
    memory_doubled: Any = None
    vcpus: Any = None
    timeout_seconds: Any = None
    attempts: Any = None
    exit_code: Any = None
    role: Any = None  # the job role its code runs as
    log_group: Any = None
    log_stream: Any = None
    image: Any = None
    shared_memory_mib: Any = None  # linuxParameters.sharedMemorySize, when the job definition sets it


def job_url(region: str, job_id: str) -> str:
    return f"https://{region}.console.aws.amazon.com/batch/home?region={region}#jobs/detail/{job_id}"


class BatchAdapter(BatchEvidence, Adapter):
    name = "batch"
    event_source = "aws.batch"
    detail_types = ("Batch Job State Change",)
    label = "Batch"
    noun = "Batch job"
    arn_service = "batch"
    original_read = "DescribeJobs"
    context_type = BatchContext
    spec_type = BatchSpec
    detail_schema = {"jobId": str, "jobName": str, "jobArn": ARN, "jobQueue": ARN, "jobDefinition": ARN, "status": str,
                     "statusReason": str, "createdAt": EPOCH_MS, "startedAt": EPOCH_MS, "stoppedAt": EPOCH_MS,
                     "attempts": list, "container": dict}

    def run_outcome(self, event: dict[str, Any]) -> RunOutcome | None:
        detail = event.get("detail") or {}
        job_id = detail.get("jobId")
        if not isinstance(job_id, str) or not job_id:
            return None
        return RunOutcome.of(job_id, detail.get("status"), "SUCCEEDED", {"FAILED"})

    def may_be_redrive(self, event: dict[str, Any]) -> bool:
        return bool(_REDRIVEN.search(str((event.get("detail") or {}).get("jobName") or "")))

    def baseline(self, c: Collector, r: Reader) -> Baseline | None:
        return changes.baseline(c, r)

    def console_url(self, region: str, run_id: str, extra: dict[str, Any] | None = None) -> str:
        return job_url(region, run_id) if run_id else ""

    def tags(self, c: Collector, arn: str) -> dict[str, str]:
        out = c.call("ListTagsForResource", c.client("batch").list_tags_for_resource, resourceArn=arn)
        return dict((out or {}).get("tags", {}))

    def live_status(self, aws: AwsContext, resource: dict[str, Any], latest: bool) -> RunState:
        from ...formats import fmt_time
        from ...templates import escape_mrkdwn as esc

        batch: Any = aws.client("batch")
        jobs = batch.describe_jobs(jobs=[resource["run_id"]]).get("jobs", [])
        if not jobs:
            return RunState(error=f"Batch job {resource['run_id']} is no longer known to AWS Batch")
        job = jobs[0]
        status = job.get("status")
        line = f"Job `{esc(job.get('jobName') or resource['name'])}` ({esc(resource['run_id'])}) is *{esc(status)}*"
        if job.get("stoppedAt"):
            line += f" (stopped {fmt_time(job['stoppedAt'])})"
        lines = [line]
        if job.get("statusReason") and status != "SUCCEEDED":
            lines.append(f"Reason: {esc(job['statusReason'])}")
        container = job.get("container") or {}
        given = {"parameters": job.get("parameters"), "command": container.get("command")}
        return RunState(status=status, lines=lines, input={k: v for k, v in given.items() if v})

    # -- redrive ----------------------------------------------------------------------------------------
    def original_ids(self, spec: BatchSpec) -> dict[str, Any]:
        return {"original_job_id": given(spec.jobId) or ""}

    def plan(self, spec: BatchSpec, facts: dict[str, Any], *, attempt: int, now: datetime, region: str,
             token: str, resource_arn: str) -> Plan:
        name = str(given(spec.jobName) or "job")
        new_name = with_suffix(re.sub(r"[^A-Za-z0-9_-]", "-", name), f"-redrive-{attempt}", _NAME_MAX)
        queue = given(spec.jobQueue)
        params: dict[str, Any] = {"jobName": new_name, "jobQueue": queue, "jobDefinition": given(spec.jobDefinition)}
        params.update(present(
            spec, "parameters", "containerOverrides", "retryStrategy", "timeout", "propagateTags", "nodeOverrides",
            "ecsPropertiesOverride", "eksPropertiesOverride", "shareIdentifier", "schedulingPriorityOverride",
            "arrayProperties",
        ))
        region = region_of(queue or params["jobDefinition"], region)
        queue_name = str(queue or "?").split("/")[-1]
        job_id = str(given(spec.jobId) or (resource_arn.split("/")[-1] if ":job/" in resource_arn else ""))
        definition = str(params["jobDefinition"] or "?").split("/")[-1]
        return Plan(
            **call_fields("batch", "batch:SubmitJob", region=region, target=str(params["jobDefinition"] or ""),
                          where=f"job queue `{queue_name}` ({where_in(region, account_of(queue))})"),
            params=params,
            what=f"Submit job `{new_name}` with the failed job's definition `{definition}`, parameters and "
                 "container overrides.",
            input_label="Parameters and overrides",
            input={k: params[k] for k in ("parameters", "containerOverrides") if k in params},
            original_url=self.console_url(region, job_id),
            # Secret environment values are not stored: the executor re-reads them from this job.
            expect={"original_job_id": job_id},
        )

    def read_original(self, ids: dict[str, Any], aws: AwsContext, notes: list[str]) -> dict[str, Any] | None:
        if not ids.get("original_job_id"):
            notes.append(f"{self.original_read}: the failed run's id is not known")
            return None
        batch: Any = aws.client("batch")
        jobs = batch.describe_jobs(jobs=[ids["original_job_id"]]).get("jobs") or []
        if not jobs:
            notes.append(f"{self.original_read}: Batch no longer returns job {ids['original_job_id']}")
        return jobs[0] if jobs else None

    def real_values(self, original: dict[str, Any]) -> dict[str, Any]:
        container = original.get("container") or {}
        return {
            "parameters": original.get("parameters") or {},
            "containerOverrides": {k: container[k] for k in ("command", "environment", "resourceRequirements")
                                   if k in container},
        }

    def redrive_resources(self, plan: Plan, aws: AwsContext, resource_arn: str) -> list[tuple[str, dict[str, str]]]:
        # SubmitJob checks both the job queue and the job definition.
        from ...redrive.optin import tags_of

        batch: Any = aws.client("batch")
        queue = str(plan.params.get("jobQueue") or "")
        definition = str(plan.params.get("jobDefinition") or "")
        queues = batch.describe_job_queues(jobQueues=[queue]).get("jobQueues") or []
        definitions = batch.describe_job_definitions(jobDefinitions=[definition]).get("jobDefinitions") or []
        if not queues or not definitions:
            raise LookupError(f"job queue {queue} or job definition {definition} not found")
        return [
            (str(queues[0].get("jobQueueArn") or queue), tags_of(queues[0].get("tags"))),
            (str(definitions[0].get("jobDefinitionArn") or definition), tags_of(definitions[0].get("tags"))),
        ]

    def new_run(self, plan: Plan, out: dict[str, Any]) -> NewRun:
        job_id = out["jobId"]
        return NewRun(job_id, job_id, self.console_url(plan.region, job_id))


ADAPTER = BatchAdapter()
