"""EMR on EKS: the last good run is the newest COMPLETED job run of the same name on the virtual cluster.

One call: ListJobRuns of the virtual cluster with the ``states`` filter COMPLETED and the job's ``name``
(one page, at most 50 runs). Unlike EMR Serverless's, EMR on EKS's ListJobRuns answers whole JobRun
objects (job driver, configuration overrides, release label, execution role), so the baseline needs no
describe of its own. The failed run's values are the ones the collector read (its redrive spec).

Compared: the job driver's entry point arguments and Spark ``--conf`` settings (as keys), the
configuration overrides' classifications, and as definition fields the entry point, release label,
execution role and executor/driver memory (``spark.executor.memory``, in MiB).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ...evidence.changes import TREND_RUNS, Baseline, Reader, RunFacts
from ..base import parse_time
from ..sparkjobs import EMR_ON_EKS, run_facts

if TYPE_CHECKING:
    from ..base import Collector

__all__ = ["baseline"]

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
LIST_BOUND = 50  # job runs one ListJobRuns page returns


def _facts(run_id: str, run: dict[str, Any]) -> RunFacts:
    return run_facts(run_id, run, EMR_ON_EKS)


def baseline(c: Collector, r: Reader) -> Baseline | None:
    inc = c.incident
    vc, run_id = inc.resource.name, str(inc.resource.run_id or "")
    spec = c.context.get("redrive")
    name = str(c.context.get("job_name") or (spec.name if spec else "") or "")
    if not vc or name in ("", "?"):
        r.searched = "the failed run has no name to find the same job by"
        return None
    r.searched = f"emr-containers:ListJobRuns COMPLETED of virtual cluster {vc}, newest {LIST_BOUND}, named {name}"
    out = r.read(f"ListJobRuns COMPLETED {vc}", c.client("emr-containers").list_job_runs, virtualClusterId=vc,
                 states=["COMPLETED"], name=name, maxResults=LIST_BOUND)
    # The API's name filter is the job's name; kept exact here (a prefix-matching backend stays honest).
    runs = [x for x in (out or {}).get("jobRuns") or [] if x.get("name") == name and x.get("id") != run_id]
    failed_start = parse_time(inc.started_at)
    if failed_start:
        runs = [x for x in runs if (parse_time(x.get("createdAt")) or _EPOCH) <= failed_start]
    runs.sort(key=lambda x: parse_time(x.get("createdAt")) or _EPOCH)
    if not runs:
        return None
    newest = runs[-1]
    good = _facts(str(newest.get("id")), newest)
    failed_run: dict[str, Any] = {
        "jobDriver": spec.jobDriver if spec else {},
        "configurationOverrides": spec.configurationOverrides if spec else {},
        "releaseLabel": c.context.get("release_label"), "executionRoleArn": c.context.get("execution_role"),
        "createdAt": inc.started_at, "finishedAt": inc.stopped_at}
    failed = _facts(run_id, {k: (None if v == "?" else v) for k, v in failed_run.items()})
    if not spec:
        failed.inputs = None
    durations = [RunFacts("", parse_time(x.get("createdAt")), parse_time(x.get("finishedAt"))).seconds
                 for x in runs[-(TREND_RUNS - 1):]]
    return Baseline(subject=f"job {name} on virtual cluster {vc}", good=good, failed=failed,
                    source="emr-containers:ListJobRuns", definition_label=f"Job run settings of {name}",
                    durations=[d for d in [*durations, failed.seconds] if d is not None],
                    trend_subject=f"duration of {name} runs")
