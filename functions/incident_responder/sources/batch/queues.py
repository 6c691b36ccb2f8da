"""A job queue and its compute environments, as a report on one of its jobs reads them: one DescribeJobQueues,
then one DescribeComputeEnvironments of the environments the queue lists, in the queue's order. Read where the
job itself does not say what they hold: the EKS cluster of a Batch on EKS job whose attempt names none, or why a
job was never placed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..base import Collector

__all__ = ["queue_environments"]

# DescribeComputeEnvironments takes at most 100 names; a queue lists at most 3.
_MAX_ENVIRONMENTS = 100


def queue_environments(c: Collector, queue: str) -> tuple[dict[str, Any] | None, list[dict[str, Any]] | None]:
    """(the queue as DescribeJobQueues answers it, its compute environments as DescribeComputeEnvironments answers
    them). The queue is None when it could not be read and {} when Batch has no such queue; the environments are
    None when they were not read (no queue, none listed, or the read failed)."""
    batch = c.client("batch")
    name = queue.rsplit("/", 1)[-1]
    out = c.call(f"DescribeJobQueues {name}", batch.describe_job_queues, jobQueues=[queue])
    if out is None:
        return None, None
    queues = out.get("jobQueues") or []
    if not queues:
        return {}, None
    order = sorted(queues[0].get("computeEnvironmentOrder") or [], key=lambda o: o.get("order") or 0)
    names = [str(o["computeEnvironment"]) for o in order if o.get("computeEnvironment")][:_MAX_ENVIRONMENTS]
    if not names:
        return queues[0], None
    envs = c.call(f"DescribeComputeEnvironments of queue {name}", batch.describe_compute_environments,
                  computeEnvironments=names)
    return queues[0], None if envs is None else envs.get("computeEnvironments") or []
