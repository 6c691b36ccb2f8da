"""EMR Serverless: the last good run is the newest SUCCESS job run of the same name on the application.

Calls (at most two): ListJobRuns of the application with the ``states`` filter SUCCESS (one page, at
most 50 runs: the baseline and the durations of the same job), then GetJobRun of the baseline (its job
driver, configuration overrides, release label, execution role and timeout; ListJobRuns' summaries do
not carry them). The failed run's own values are the ones the collector read (its redrive spec).

Compared: the job driver's entry point arguments and Spark ``--conf`` settings (as keys), the
configuration overrides' classifications, and as definition fields the entry point, release label,
execution role, timeout and executor/driver memory (``spark.executor.memory``, in MiB). The duration trend
is next to the run's ``executionTimeoutMinutes``. Memory actually used (``resourceUtilization``) is not
compared: it would take one GetJobRun per run.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ...evidence.changes import TREND_RUNS, Baseline, Reader, RunFacts
from ..base import parse_time
from ..sparkjobs import EMR_SERVERLESS, run_facts

if TYPE_CHECKING:
    from ..base import Collector

__all__ = ["baseline"]

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
LIST_BOUND = 50  # job runs one ListJobRuns page returns


def _facts(run_id: str, run: dict[str, Any]) -> RunFacts:
    return run_facts(run_id, run, EMR_SERVERLESS, **{"timeout (min)": run.get("executionTimeoutMinutes")})


def baseline(c: Collector, r: Reader) -> Baseline | None:
    inc = c.incident
    app, run_id = inc.resource.name, str(inc.resource.run_id or "")
    spec = c.context.get("redrive")
    name = str(c.context.get("job_name") or (spec.name if spec else "") or "")
    if not app or name in ("", "?"):
        r.searched = "the failed run has no name to find the same job by"
        return None
    client = c.client("emr-serverless")
    r.searched = f"emr-serverless:ListJobRuns SUCCESS of application {app}, newest {LIST_BOUND}, named {name}"
    out = r.read(f"ListJobRuns SUCCESS {app}", client.list_job_runs, applicationId=app, states=["SUCCESS"],
                 maxResults=LIST_BOUND)
    runs = [x for x in (out or {}).get("jobRuns") or [] if x.get("name") == name and x.get("id") != run_id]
    failed_start = parse_time(inc.started_at)
    if failed_start:
        runs = [x for x in runs if (parse_time(x.get("createdAt")) or _EPOCH) <= failed_start]
    runs.sort(key=lambda x: parse_time(x.get("createdAt")) or _EPOCH)
    if not runs:
        return None
    newest = runs[-1]
    got = (r.read(f"GetJobRun {newest.get('id')}", client.get_job_run, applicationId=app,
                  jobRunId=newest["id"]) or {}).get("jobRun") or newest
    good = _facts(str(newest.get("id")), got)
    failed_run: dict[str, Any] = {
        "jobDriver": spec.jobDriver if spec else {},
        "configurationOverrides": spec.configurationOverrides if spec else {},
        "releaseLabel": c.context.get("release_label"), "executionRole": c.context.get("execution_role"),
        "executionTimeoutMinutes": spec.executionTimeoutMinutes if spec else None,
        "createdAt": inc.started_at, "updatedAt": inc.stopped_at}
    failed = _facts(run_id, {k: (None if v == "?" else v) for k, v in failed_run.items()})
    if not spec:
        failed.inputs = None
    durations = [RunFacts("", parse_time(x.get("createdAt")), parse_time(x.get("updatedAt"))).seconds
                 for x in runs[-(TREND_RUNS - 1):]]
    timeout = failed.definition.get("timeout (min)") or c.context.get("timeout_minutes")
    return Baseline(subject=f"job {name} on application {app}", good=good, failed=failed,
                    source="emr-serverless:ListJobRuns", definition_label=f"Job run settings of {name}",
                    durations=[d for d in [*durations, failed.seconds] if d is not None],
                    trend_subject=f"duration of {name} runs",
                    limit_seconds=float(timeout) * 60 if isinstance(timeout, (int, float)) else None,
                    limit_label="execution timeout")
