"""Batch: the last good run is the newest SUCCEEDED job of the same job definition name in the queue.

Calls (at most two): ListJobs of the queue filtered by the job definition name (with a filter, ListJobs
returns jobs of every status: the SUCCEEDED ones are kept), then DescribeJobs of the baseline and the
failed job together (job definition revision, image, memory, vCPUs, environment and secret keys, command,
Fargate's public IP, the execution and job roles, ephemeral storage; parameters). Durations of the listed jobs
make the trend, next to the attempt timeout.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...evidence.changes import TREND_RUNS, Baseline, Reader, RunFacts
from ..base import parse_time
from . import eks
from .evidence import job_resources

if TYPE_CHECKING:
    from ..base import Collector

__all__ = ["baseline"]


def _facts(job: dict[str, Any]) -> RunFacts:
    jd = str(job.get("jobDefinition") or "").rsplit("/", 1)[-1]
    if eks.is_eks(job):
        return _eks_facts(job, jd)
    container = job.get("container") or {}
    res = job_resources(container)
    return RunFacts(
        run_id=f"job {job.get('jobName') or '?'} ({job.get('jobId') or '?'})",
        started=parse_time(job.get("startedAt")), stopped=parse_time(job.get("stoppedAt")),
        inputs={"parameters": job.get("parameters") or {}},
        definition={"image": container.get("image"), "memory (MiB)": res.get("MEMORY"),
                    "vCPUs": res.get("VCPU"),
                    "environment keys": sorted(str(e.get("name")) for e in container.get("environment") or []),
                    "secrets": sorted(str(e.get("name")) for e in container.get("secrets") or []),
                    "command": " ".join(map(str, container.get("command") or [])) or None,
                    # Fargate's: how the task reaches the registry, the log service and secrets
                    "public IP": (container.get("networkConfiguration") or {}).get("assignPublicIp"),
                    "execution role": container.get("executionRoleArn"), "job role": container.get("jobRoleArn"),
                    "ephemeral storage (GiB)": (container.get("ephemeralStorage") or {}).get("sizeInGiB")},
        revision=jd)


def _eks_facts(job: dict[str, Any], jd: str) -> RunFacts:
    """A Batch on EKS job's facts: its pod's first container and service account."""
    conts = eks.pod_containers(job)
    first = conts[0] if conts else {}
    res = eks.pod_resources(job)
    return RunFacts(
        run_id=f"job {job.get('jobName') or '?'} ({job.get('jobId') or '?'})",
        started=parse_time(job.get("startedAt")), stopped=parse_time(job.get("stoppedAt")),
        inputs={"parameters": job.get("parameters") or {}},
        definition={"image": first.get("image"), "memory (MiB)": res.get("MEMORY"), "vCPUs": res.get("VCPU"),
                    "environment keys": sorted(str(e.get("name")) for e in first.get("env") or []),
                    "command": " ".join(map(str, [*(first.get("command") or []), *(first.get("args") or [])]))
                    or None,
                    "service account": eks.service_account(job)},
        revision=jd)


def baseline(c: Collector, r: Reader) -> Baseline | None:
    inc = c.incident
    queue = str(inc.detail.get("jobQueue") or c.context.get("job_queue") or "")
    name = str(c.context.get("job_definition_name") or inc.resource.name)
    if not queue or not name or name == "?":
        return None
    batch = c.client("batch")
    r.searched = f"batch:ListJobs of queue {queue.rsplit('/', 1)[-1]} with job definition {name}"
    out = r.read(f"ListJobs {name}", batch.list_jobs, jobQueue=queue, maxResults=100,
                 filters=[{"name": "JOB_DEFINITION", "values": [name]}])
    listed = [j for j in (out or {}).get("jobSummaryList") or [] if j.get("jobId") != inc.resource.run_id
              and str(j.get("jobDefinition") or name).rsplit("/", 1)[-1].split(":")[0] == name]
    good_list = sorted((j for j in listed if j.get("status") == "SUCCEEDED"),
                       key=lambda j: j.get("createdAt") or 0)
    if not good_list:
        return None
    newest = good_list[-1]
    described = (r.read("DescribeJobs of the last good job", batch.describe_jobs,
                        jobs=[newest["jobId"], str(inc.resource.run_id)]) or {}).get("jobs") or []
    by_id = {j.get("jobId"): j for j in described}
    good_job = by_id.get(newest["jobId"]) or newest
    good = _facts(good_job)
    failed = _facts(by_id.get(inc.resource.run_id) or inc.detail)
    durations = [x.seconds for x in (RunFacts("", parse_time(j.get("startedAt")), parse_time(j.get("stoppedAt")))
                                     for j in good_list[-(TREND_RUNS - 1):])]
    durations.append(failed.seconds)
    timeout = ((by_id.get(inc.resource.run_id) or inc.detail).get("timeout") or {}).get("attemptDurationSeconds")
    return Baseline(subject=f"job definition {name}", good=good, failed=failed, source="batch:ListJobs",
                    definition_label=f"Job {name}", durations=[d for d in durations if d is not None],
                    trend_subject=f"duration of {name} jobs",
                    limit_seconds=float(timeout) if isinstance(timeout, (int, float)) else None,
                    limit_label="attempt timeout")
