"""The local world's EMR Serverless: ``world.yaml`` ``emrserverless: {applications: [...], job_runs: [...]}``.

``applications`` are GetApplication ``application`` answers, ``job_runs`` GetJobRun ``jobRun`` answers.
Applications and job runs are made through the ordinary API (CreateApplication, StartJobRun); moto's
objects are then given the world's ids and what the API cannot reach: a run's FAILED or CANCELLED
state, its ``stateDetails``, its times and duration.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .world import to_moto_datetime

if TYPE_CHECKING:
    import boto3

    from .world import World

__all__ = ["load"]


def load(session: boto3.Session, world: World) -> None:
    spec = world.data.get("emrserverless") or {}
    apps = {a["applicationId"]: a for a in spec.get("applications") or []}
    runs = spec.get("job_runs") or []
    if not apps and not runs:
        return
    from moto.emrserverless.models import emrserverless_backends

    backend = emrserverless_backends[world.account][world.region]
    client = session.client("emr-serverless", region_name=world.region)
    for app_id in dict.fromkeys([*apps, *(r["applicationId"] for r in runs)]):
        _application(client, backend, app_id, apps.get(app_id) or {"applicationId": app_id})
    for run in runs:
        _run(client, backend, world, run)


def _application(client: Any, backend: Any, app_id: str, app: dict[str, Any]) -> None:
    kwargs: dict[str, Any] = {"name": app.get("name") or app_id, "releaseLabel": app.get("releaseLabel") or "emr-7.1.0",
                              "type": str(app.get("type") or "SPARK").upper()}  # AWS answers "Spark"; moto takes SPARK
    if app.get("maximumCapacity"):
        kwargs["maximumCapacity"] = app["maximumCapacity"]
    made = client.create_application(**kwargs)["applicationId"]
    fake = backend.applications.pop(made)
    fake.id = app_id
    fake.arn = fake.arn.replace(made, app_id)
    fake.state = app.get("state") or "STARTED"
    backend.applications[app_id] = fake


def _run(client: Any, backend: Any, world: World, run: dict[str, Any]) -> None:
    app = run["applicationId"]
    kwargs: dict[str, Any] = {
        "applicationId": app,
        "executionRoleArn": run.get("executionRole") or f"arn:aws:iam::{world.account}:role/emr-serverless-job",
        "jobDriver": run.get("jobDriver") or {"sparkSubmit": {"entryPoint": "s3://scripts/job.py"}},
    }
    for key in ("configurationOverrides", "name", "executionTimeoutMinutes"):
        if run.get(key):
            kwargs[key] = run[key]
    made = client.start_job_run(**kwargs)["jobRunId"]
    fake = next(r for r in backend.job_runs[app] if r.id == made)
    fake.id = run["jobRunId"]
    fake.arn = fake.arn.replace(made, run["jobRunId"])
    fake.state = run.get("state") or "FAILED"
    fake.state_details = run.get("stateDetails")
    fake.created_at = to_moto_datetime(run.get("createdAt")) or fake.created_at
    fake.updated_at = to_moto_datetime(run.get("updatedAt")) or fake.updated_at
    if run.get("totalExecutionDurationSeconds") is not None:
        fake.total_execution_duration_seconds = int(run["totalExecutionDurationSeconds"])
