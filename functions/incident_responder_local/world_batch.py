"""The local world's Batch: ``world.data["batch"]["jobs"]`` (DescribeJobs ``job`` objects) loaded into moto.

Moto's SubmitJob runs the job's container with Docker on a thread and cannot produce a FAILED job with
real attempts, exit codes and status reasons, so each pasted job is placed in moto's backend as a
record whose ``describe()`` is the pasted object (times stay epoch milliseconds, as boto3 returns
them). DescribeJobs, made with ordinary boto3 calls, then answers with exactly that object. A job
left out of the world is one Batch no longer returns: DescribeJobs answers with no job.

``world.data["batch"]["compute_environments"]`` (DescribeComputeEnvironments entries) and ``["job_queues"]``
(DescribeJobQueues entries) are made with the ordinary API, before the queues the jobs name; a queue a job names
that the world does not list gets a compute environment of its own. Moto makes every compute environment
UNMANAGED and answers only its own fields, so what a pasted one says beyond them (``eksConfiguration`` of a Batch
on EKS environment, ``containerOrchestrationType``, ``computeResources``, ``type``) is merged into its
DescribeComputeEnvironments answer by an after-call handler (:mod:`.world_answers`).
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import boto3

    from .world import World

__all__ = ["load"]


def load(session: boto3.Session, world: World) -> None:
    """Make the world's compute environments and job queues; place its Batch jobs in moto's backend."""
    spec = world.data.get("batch") or {}
    _environments(session, world, spec.get("compute_environments") or [])
    _queues(session, world, spec.get("job_queues") or [])
    jobs = spec.get("jobs") or []
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


# What moto's DescribeComputeEnvironments answers of its own: the rest of a pasted entry is merged in.
# (A pasted status and statusReason are merged too: moto calls every environment VALID, and an INVALID one with
# Batch's reason is what a job that was never placed may be waiting on.)
_MOTO_FIELDS = frozenset({"computeEnvironmentArn", "computeEnvironmentName", "ecsClusterArn", "serviceRole", "state",
                          "tags"})


def _service_role(session: boto3.Session) -> str:
    """The role moto requires of a compute environment (it checks that the role exists)."""
    import json

    iam = session.client("iam")
    name = "local-batch-service-role"
    try:
        return str(iam.get_role(RoleName=name)["Role"]["Arn"])
    except iam.exceptions.NoSuchEntityException:
        policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                           "Principal": {"Service": "batch.amazonaws.com"}}]}
        return str(iam.create_role(RoleName=name, Path="/service-role/",
                                   AssumeRolePolicyDocument=json.dumps(policy))["Role"]["Arn"])


def _environments(session: boto3.Session, world: World, entries: list[dict[str, Any]]) -> None:
    if not entries:
        return
    from .world_answers import merge_after

    batch = session.client("batch", region_name=world.region)
    for entry in entries:
        name = str(entry.get("computeEnvironmentName") or str(entry.get("computeEnvironmentArn") or "").split("/")[-1])
        if not name:
            raise ValueError("world.yaml batch.compute_environments: every entry needs a computeEnvironmentName")
        arn = batch.create_compute_environment(
            computeEnvironmentName=name, type="UNMANAGED", state=str(entry.get("state") or "ENABLED"),
            serviceRole=str(entry.get("serviceRole") or _service_role(session)),
        )["computeEnvironmentArn"]
        extra = {k: v for k, v in entry.items() if k not in _MOTO_FIELDS}
        if extra:
            merge_after("after-call.batch.DescribeComputeEnvironments",
                        ("computeEnvironments", "computeEnvironmentArn"), arn, copy.deepcopy(extra))


def _queues(session: boto3.Session, world: World, entries: list[dict[str, Any]]) -> None:
    batch = session.client("batch", region_name=world.region)
    for entry in entries:
        name = str(entry.get("jobQueueName") or str(entry.get("jobQueueArn") or "").split("/")[-1])
        if not name:
            raise ValueError("world.yaml batch.job_queues: every entry needs a jobQueueName")
        order = [{"order": int(o.get("order") or 1), "computeEnvironment": str(o["computeEnvironment"])}
                 for o in entry.get("computeEnvironmentOrder") or [] if o.get("computeEnvironment")]
        batch.create_job_queue(jobQueueName=name, state=str(entry.get("state") or "ENABLED"),
                               priority=int(entry.get("priority") or 1), computeEnvironmentOrder=order)


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
