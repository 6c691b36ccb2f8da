"""Glue: the last good run is the newest SUCCEEDED run of the same job (GetJobRuns).

Calls (at most three): GetJobRuns (the baseline, and the execution times of recent runs next to the
run's timeout), GetJob (when the job definition was last changed, and its script), and one
ListObjectsV2 when the arguments name S3 paths (data size now vs then). The run settings compared are
the job run's own: worker type and count, Glue version, timeout, maximum capacity.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ...evidence.changes import TREND_RUNS, Baseline, Reader, RunFacts, s3_paths, s3_sizes, since
from ..base import parse_time

if TYPE_CHECKING:
    from ..base import Collector

__all__ = ["baseline"]

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_SETTINGS = {"worker type": "WorkerType", "workers": "NumberOfWorkers", "Glue version": "GlueVersion",
             "timeout (min)": "Timeout", "max capacity": "MaxCapacity"}


def _facts(run: dict[str, Any]) -> RunFacts:
    started = parse_time(run.get("StartedOn"))
    stopped = parse_time(run.get("CompletedOn"))
    seconds = run.get("ExecutionTime")
    if isinstance(seconds, (int, float)) and seconds and started and not stopped:
        from datetime import timedelta

        stopped = started + timedelta(seconds=seconds)
    return RunFacts(run_id=str(run.get("Id") or ""), started=started, stopped=stopped,
                    inputs=dict(run.get("Arguments") or {}),
                    definition={k: run.get(v) for k, v in _SETTINGS.items()})


def _seconds(run: dict[str, Any]) -> float | None:
    seconds = run.get("ExecutionTime")
    if isinstance(seconds, (int, float)) and seconds:
        return float(seconds)
    return _facts(run).seconds


def baseline(c: Collector, r: Reader) -> Baseline | None:
    inc = c.incident
    job, run_id = inc.resource.name, inc.resource.run_id
    glue = c.client("glue")
    r.searched = f"glue:GetJobRuns, newest {TREND_RUNS * 2}"
    out = r.read(f"GetJobRuns {job}", glue.get_job_runs, JobName=job, MaxResults=TREND_RUNS * 2)
    runs = sorted((out or {}).get("JobRuns") or [], key=lambda x: parse_time(x.get("StartedOn")) or _EPOCH)
    mine = next((x for x in runs if x.get("Id") == run_id), None)
    earlier = [x for x in runs if x.get("Id") != run_id and (
        mine is None or (parse_time(x.get("StartedOn")) or _EPOCH) <= (parse_time(mine.get("StartedOn")) or _EPOCH))]
    good_runs = [x for x in earlier if x.get("JobRunState") == "SUCCEEDED"]
    if not good_runs:
        return None
    good = _facts(good_runs[-1])
    spec = c.context.get("redrive")
    failed = _facts(mine) if mine else RunFacts(
        run_id=run_id or "", started=parse_time(inc.started_at), stopped=parse_time(inc.stopped_at),
        inputs=dict(spec.Arguments) if spec else None,
        definition={"worker type": c.context.get("worker_type"), "workers": c.context.get("workers"),
                    "Glue version": c.context.get("glue_version"), "timeout (min)": c.context.get("timeout_minutes")})
    failed.definition = {k: (None if v == "?" else v) for k, v in failed.definition.items()}
    durations = [s for s in (_seconds(x) for x in [*good_runs[-(TREND_RUNS - 1):], *([mine] if mine else [])])
                 if s is not None]
    timeout = (mine or {}).get("Timeout") or c.context.get("timeout_minutes")
    base = Baseline(subject=f"job {job}", good=good, failed=failed, source="glue:GetJobRuns",
                    definition_label=f"Run settings of {job}", durations=durations,
                    trend_subject=f"execution time of {job}",
                    limit_seconds=float(timeout) * 60 if isinstance(timeout, (int, float)) else None,
                    limit_label="timeout")
    definition = (r.read(f"GetJob {job}", glue.get_job, JobName=job) or {}).get("Job")
    if definition:
        modified = definition.get("LastModifiedOn")
        after = since(modified, good)
        script = (definition.get("Command") or {}).get("ScriptLocation") or "?"
        when = parse_time(modified)
        text = (f"Job {job} definition (script {script}) last modified "
                f"{f'{when:%Y-%m-%d %H:%M} UTC' if when else '?'}")
        text += " — after the last good run started" if after else " — before the last good run"
        base.extra.append(("glue:GetJob", text, {"aspect": "code", "changed_after_baseline": after,
                                                  "script_location": script}))
    now_paths, good_paths = s3_paths(failed.inputs or {}), s3_paths(good.inputs or {})
    if now_paths and good_paths:
        sized = s3_sizes(r, now_paths, good_paths, good.stopped)
        if sized:
            base.extra.append(("s3:ListObjectsV2", *sized))
    return base
