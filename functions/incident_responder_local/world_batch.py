"""The local world's Batch: ``world.data["batch"]["jobs"]`` (DescribeJobs ``job`` objects) loaded into moto.

Moto's SubmitJob runs the job's container with Docker on a thread and cannot produce a FAILED job with
real attempts, exit codes and status reasons, so each pasted job is placed in moto's backend as a
record whose ``describe()`` is the pasted object (times stay epoch milliseconds, as boto3 returns
them). DescribeJobs, made with ordinary boto3 calls, then answers with exactly that object. A job
left out of the world is one Batch no longer returns: DescribeJobs answers with no job.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import boto3

    from .world import World

__all__ = ["load"]


def load(session: boto3.Session, world: World) -> None:
    """Place the world's Batch jobs in moto's backend."""
    jobs = (world.data.get("batch") or {}).get("jobs") or []
    if not jobs:
        return
    from moto.batch.models import batch_backends

    from .world_redrive import _batch_targets

    backend = batch_backends[world.account][world.region]
    # The queues the jobs name exist, and list them (ListJobs): earlier SUCCEEDED jobs are the baseline.
    _batch_targets(session, world, jobs)
    records: dict[str, _JobRecord] = {}
    for job in jobs:
        if not job.get("jobId"):
            raise ValueError("world.yaml batch.jobs: every job needs a jobId")
        record = records[str(job["jobId"])] = _JobRecord(copy.deepcopy(job), world)
        backend._jobs[record.job_id] = record  # type: ignore[assignment]  # duck-typed Job
    # An array job's children are "<array job id>:<index>"; ListJobs(arrayJobId=...) lists them.
    for record in records.values():
        parent = records.get(record.job_id.rsplit(":", 1)[0]) if ":" in record.job_id else None
        if parent is not None:
            parent._child_jobs.append(record)
    for record in records.values():
        job = record._job
        queue = backend.get_job_queue(str(job.get("jobQueue") or "")) if job.get("jobQueue") else None
        if queue is not None:
            queue.jobs.append(record)  # type: ignore[arg-type]  # duck-typed Job


class _JobRecord:
    """What moto's Batch backend needs of a job (``arn``, ``status``, ``describe()``, the thread
    methods its reset calls), answering with the pasted DescribeJobs object."""

    def __init__(self, job: dict[str, Any], world: World) -> None:
        self._job = job
        self.job_id = str(job["jobId"])
        self.job_name = str(job.get("jobName", ""))
        self.arn = str(job.get("jobArn") or f"arn:aws:batch:{world.region}:{world.account}:job/{self.job_id}")
        self._job.setdefault("jobArn", self.arn)
        self.status = str(job.get("status", "FAILED"))
        self.stop = False
        self._child_jobs: list[_JobRecord] = []

    def describe(self) -> dict[str, Any]:
        return copy.deepcopy(self._job)

    def describe_short(self) -> dict[str, Any]:
        keys = ("jobArn", "jobId", "jobName", "jobDefinition", "createdAt", "status", "statusReason", "startedAt",
                "stoppedAt")
        return {k: self._job[k] for k in keys if k in self._job}

    def is_alive(self) -> bool:
        return False

    def join(self, timeout: float | None = None) -> None:
        """Nothing runs: the job ended before the world was loaded."""
