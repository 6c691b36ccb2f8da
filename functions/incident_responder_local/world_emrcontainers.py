"""The local world's EMR on EKS: ``world.yaml`` ``emrcontainers: {virtual_clusters: [...], job_runs: [...]}``.

``virtual_clusters`` are DescribeVirtualCluster ``virtualCluster`` answers, ``job_runs`` DescribeJobRun
``jobRun`` answers (ListJobRuns answers the same objects). Virtual clusters and job runs are made through
the ordinary API (CreateVirtualCluster, StartJobRun); moto's objects are then given the world's ids and
what the API cannot reach: a run's FAILED, CANCELLED or COMPLETED state, its ``stateDetails`` and
``failureReason``, its times, its creator and its retry policy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .world import to_moto_datetime

if TYPE_CHECKING:
    import boto3

    from .world import World

__all__ = ["load"]


def load(session: boto3.Session, world: World) -> None:
    spec = world.data.get("emrcontainers") or {}
    clusters = {c["id"]: c for c in spec.get("virtual_clusters") or []}
    runs = spec.get("job_runs") or []
    if not clusters and not runs:
        return
    from moto.emrcontainers.models import emrcontainers_backends

    backend = emrcontainers_backends[world.account][world.region]
    client = session.client("emr-containers", region_name=world.region)
    for cluster_id in dict.fromkeys([*clusters, *(r["virtualClusterId"] for r in runs)]):
        _cluster(client, backend, cluster_id, clusters.get(cluster_id) or {"id": cluster_id})
    for run in runs:
        _run(client, backend, world, run)


def _cluster(client: Any, backend: Any, cluster_id: str, cluster: dict[str, Any]) -> None:
    provider = cluster.get("containerProvider") or {
        "type": "EKS", "id": "eks-cluster", "info": {"eksInfo": {"namespace": f"emr-{cluster_id}"}}}
    kwargs: dict[str, Any] = {"name": cluster.get("name") or cluster_id, "containerProvider": provider}
    if cluster.get("tags"):
        kwargs["tags"] = cluster["tags"]
    made = client.create_virtual_cluster(**kwargs)["id"]
    fake = backend.virtual_clusters.pop(made)
    fake.id = cluster_id
    fake.arn = fake.arn.replace(made, cluster_id)
    fake.state = cluster.get("state") or "RUNNING"
    fake.created_at = to_moto_datetime(cluster.get("createdAt")) or fake.created_at
    backend.virtual_clusters[cluster_id] = fake


def _run(client: Any, backend: Any, world: World, run: dict[str, Any]) -> None:
    kwargs: dict[str, Any] = {
        "virtualClusterId": run["virtualClusterId"],
        "clientToken": run.get("clientToken") or run["id"],
        "executionRoleArn": run.get("executionRoleArn") or f"arn:aws:iam::{world.account}:role/emr-eks-job",
        "releaseLabel": run.get("releaseLabel") or "emr-6.15.0-latest",
        "jobDriver": run.get("jobDriver") or {"sparkSubmitJobDriver": {"entryPoint": "s3://scripts/job.py"}},
    }
    for key in ("configurationOverrides", "name", "tags"):
        if run.get(key):
            kwargs[key] = run[key]
    made = client.start_job_run(**kwargs)["id"]
    fake = backend.job_runs.pop(made)
    fake.id = run["id"]
    fake.arn = fake.arn.replace(made, run["id"])
    fake.state = run.get("state") or "FAILED"
    fake.state_details = run.get("stateDetails")
    fake.failure_reason = run.get("failureReason")
    fake.created_by = run.get("createdBy")
    fake.created_at = to_moto_datetime(run.get("createdAt")) or fake.created_at
    fake.finished_at = to_moto_datetime(run.get("finishedAt"))
    # Serialized by the DescribeJobRun output shape's member names, like the attributes moto sets itself.
    if run.get("retryPolicyConfiguration"):
        fake.retry_policy_configuration = run["retryPolicyConfiguration"]
    if run.get("retryPolicyExecution"):
        fake.retry_policy_execution = run["retryPolicyExecution"]
    backend.job_runs[run["id"]] = fake
