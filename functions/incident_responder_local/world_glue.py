"""The local world's Glue job runs: ``world.yaml`` ``glue: {job_runs: [...], jobs: [...]}`` in moto.

``job_runs`` are GetJobRun ``JobRun`` responses; ``jobs`` (optional) are GetJob ``Job`` responses.
A job the world does not describe is made from its runs (worker type and count, timeout, Glue
version). Jobs and runs are created through the ordinary API (CreateJob, StartJobRun); a run is then
given the world's id and answers GetJobRun with exactly the world's JobRun, which the API cannot
reach (a FAILED run with its ErrorMessage, a TIMEOUT, an ERROR). Glue Data Catalog tables are loaded
by :mod:`world`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from .world import convert_times, to_datetime

if TYPE_CHECKING:
    import boto3

    from .world import World

__all__ = ["load"]

_TIME_KEYS = {"StartedOn", "LastModifiedOn", "CompletedOn", "CreatedOn"}
_UNBOUNDED = 1_000_000  # runs are replayed side by side, whatever the job's MaxConcurrentRuns


def load(session: boto3.Session, world: World) -> None:
    """Create the world's Glue jobs and job runs in moto (``mock_aws`` active)."""
    spec = world.data.get("glue") or {}
    runs = spec.get("job_runs") or []
    jobs = {j["Name"]: j for j in spec.get("jobs") or []}
    if not runs and not jobs:
        return
    from moto.glue.models import glue_backends

    backend = glue_backends[world.account][world.region]
    glue = session.client("glue", region_name=world.region)
    for name in dict.fromkeys([*jobs, *(r["JobName"] for r in runs)]):
        _job(glue, backend, world, name, jobs.get(name), [r for r in runs if r["JobName"] == name])
    for run in runs:
        _run(glue, backend, run)


def _job(glue: Any, backend: Any, world: World, name: str, job: dict[str, Any] | None,
         runs: list[dict[str, Any]]) -> None:
    first = runs[0] if runs else {}
    src = job or first
    # A run logged to /aws-glue/python-jobs is a Python shell job's.
    kind = "pythonshell" if "python-jobs" in str(first.get("LogGroupName") or "") else "glueetl"
    kwargs: dict[str, Any] = {
        "Name": name,
        "Role": (job or {}).get("Role") or f"arn:aws:iam::{world.account}:role/{name}-glue",
        "Command": (job or {}).get("Command") or {"Name": kind,
                                                    "ScriptLocation": f"s3://aws-glue-scripts/{name}.py"},
    }
    for key in ("WorkerType", "NumberOfWorkers", "Timeout", "GlueVersion"):
        if src.get(key) is not None:
            kwargs[key] = src[key]
    if (job or {}).get("DefaultArguments"):
        kwargs["DefaultArguments"] = job["DefaultArguments"]  # type: ignore[index]
    glue.create_job(**kwargs)
    fake = backend.jobs[name]
    fake.execution_property = {**(fake.execution_property or {}), "MaxConcurrentRuns": _UNBOUNDED}
    if job is not None:
        answer = convert_times(job, _TIME_KEYS, to_datetime)
        fake.as_dict = lambda: dict(answer)
    elif starts := [s for r in runs if (s := to_datetime(r.get("StartedOn"))) is not None]:
        # A job the world made from its runs was defined before them, not at replay time (which
        # would read as a change made after the last good run).
        fake.created_on = fake.last_modified_on = min(starts) - timedelta(days=1)


def _run(glue: Any, backend: Any, run: dict[str, Any]) -> None:
    kwargs: dict[str, Any] = {"JobName": run["JobName"]}
    if run.get("Arguments"):
        kwargs["Arguments"] = {k: str(v) for k, v in run["Arguments"].items()}
    for key in ("WorkerType", "NumberOfWorkers", "Timeout"):
        if run.get(key) is not None:
            kwargs[key] = run[key]
    made = glue.start_job_run(**kwargs)["JobRunId"]
    fake = next(r for r in backend.jobs[run["JobName"]].job_runs if r.job_run_id == made)
    fake.job_run_id = run["Id"]
    fake.status = run.get("JobRunState") or "FAILED"
    answer = convert_times(run, _TIME_KEYS, to_datetime)
    # Moto's JobRun has no ErrorMessage and always SUCCEEDS; this run answers with the world's.
    fake.as_dict = lambda: dict(answer)
