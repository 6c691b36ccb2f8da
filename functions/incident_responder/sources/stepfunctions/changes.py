"""Step Functions: the last good run is the newest SUCCEEDED execution of the same state machine.

Calls (at most three): ListExecutions (statusFilter SUCCEEDED, the newest runs: the baseline and the
trend of whole executions), DescribeExecution of the baseline (its input and state machine version), then
one of, in this order:

- ListObjectsV2 when the input names S3 paths (data size now vs then);
- the failed step's own trend when the step ran a child run the report followed (a Glue job run, a
  Batch job, an EMR step, an ECS task): the child adapter's own baseline lookup with one call (GetJobRuns,
  ListJobs, ListSteps, or the responder's record of clean stops) gives the durations of that child's
  recent runs next to its own limit (the Glue job's timeout, the Batch attempt timeout);
- GetFunctionConfiguration of the Lambda function the failed task invoked (version, code SHA, memory,
  timeout, and whether it changed after the baseline).

A Lambda task's own durations would take another call (its log group's REPORT lines): within the budget
the report shows the whole executions' trend and says so.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ...evidence.changes import TREND_RUNS, Baseline, Reader, RunFacts, Series, s3_paths, s3_sizes, since
from ...formats import json_or_none
from ..base import parse_time

if TYPE_CHECKING:
    from ..base import Collector

__all__ = ["baseline"]

logger = logging.getLogger(__name__)

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _version(describe: dict[str, Any]) -> str:
    arn = str(describe.get("stateMachineVersionArn") or "")
    return f"version {arn.rsplit(':', 1)[-1]}" if arn else ""


def baseline(c: Collector, r: Reader) -> Baseline | None:
    inc = c.incident
    spec = c.context.get("redrive")
    sm_arn = inc.detail.get("stateMachineArn") or (spec.state_machine_arn if spec else "")
    if not sm_arn:
        return None
    name = sm_arn.split(":")[-1]
    sfn = c.client("stepfunctions")
    r.searched = f"states:ListExecutions SUCCEEDED, newest {TREND_RUNS}"
    out = r.read(f"ListExecutions SUCCEEDED of {name}", sfn.list_executions, stateMachineArn=sm_arn,
                 statusFilter="SUCCEEDED", maxResults=TREND_RUNS)
    runs = [e for e in (out or {}).get("executions") or [] if e.get("executionArn") != inc.resource.arn]
    runs.sort(key=lambda e: (parse_time(e.get("startDate")) or _EPOCH), reverse=True)
    if not runs:
        return None
    newest = runs[0]
    d = r.read(f"DescribeExecution {newest.get('name')}", sfn.describe_execution,
               executionArn=newest["executionArn"]) or {}
    good = RunFacts(run_id=str(newest.get("name") or newest["executionArn"].split(":")[-1]),
                    started=parse_time(newest.get("startDate")), stopped=parse_time(newest.get("stopDate")),
                    inputs=json_or_none(d.get("input")) if d else None,
                    definition={"state machine version": _version(d)} if d else {}, revision=_version(d))
    failed_input = c.context.get("execution_input", inc.detail.get("input"))
    failed = RunFacts(run_id=inc.resource.run_id or "", started=parse_time(inc.started_at),
                      stopped=parse_time(inc.stopped_at), inputs=json_or_none(failed_input),
                      definition={"state machine version": _version(inc.detail)}, revision=_version(inc.detail))
    durations = [x.seconds for x in (RunFacts("", parse_time(e.get("startDate")), parse_time(e.get("stopDate")))
                                     for e in reversed(runs))]
    base = Baseline(subject=f"state machine {name}", good=good, failed=failed, source="states:ListExecutions",
                    definition_label=f"State machine {name}",
                    durations=[s for s in [*durations, failed.seconds] if s is not None],
                    trend_subject=f"duration of {name} (whole executions)")
    if inc.status == "TIMED_OUT" and failed.seconds:
        base.limit_seconds, base.limit_label = failed.seconds, "timeout (where the failed run was stopped)"
    now_paths, good_paths = s3_paths(failed.inputs or ""), s3_paths(good.inputs or "")
    if now_paths and good_paths:
        sized = s3_sizes(r, now_paths, good_paths, good.stopped)
        if sized:
            base.extra.append(("s3:ListObjectsV2", *sized))
    if r.left > 0 and c.children and not _code_question(c):
        _step_trend(c, r, base)
    elif r.left > 0 and c.context.get("function_name"):
        _function(c, r, base)
    return base


def _code_question(c: Collector) -> bool:
    """A Lambda task that failed other than by running out of time: what changed in the function (its code,
    memory, timeout) answers more than its duration trend, and takes the one call left."""
    incident, _ = c.children[-1]
    error = str(c.context.get("error") or "")
    return incident.source == "lambda" and "Timeout" not in error and "Timedout" not in error


def _step_trend(c: Collector, r: Reader, base: Baseline) -> None:
    """The failed step's own durations: its child run's history, read by the child's adapter with the one
    call left (its other reads are skipped: the step's trend is what is wanted here)."""
    from .. import adapter
    from ..base import Collector

    incident, context = c.children[-1]
    child = Collector(incident, c.aws, c.settings, c.book, context, c.home)
    sub = Reader(child, limit=min(1, r.left))
    try:
        found = adapter(incident.source).baseline(child, sub)
    except Exception as exc:  # the execution's comparison stands without the step's trend
        logger.warning("step trend not read", extra={"child_source": incident.source, "error": str(exc)})
        found = None
    finally:
        r.used += sub.used
    if found is None or len(found.durations) < 3:
        return
    state = c.context.get("state") or "?"
    base.series.append(Series(subject=f"duration of step {state} ({found.trend_subject or found.subject})",
                              values=found.durations, limit=found.limit_seconds, limit_label=found.limit_label,
                              facts={"scope": "step", "step": state}))


def _function(c: Collector, r: Reader, base: Baseline) -> None:
    fn = str(c.context.get("function_name"))
    out = r.read(f"GetFunctionConfiguration {fn}", c.client("lambda").get_function_configuration, FunctionName=fn)
    if not out:
        return
    sha = str(out.get("CodeSha256") or "")
    after = since(out.get("LastModified"), base.good)
    text = (f"Function {fn}: version {out.get('Version', '?')}, code SHA {sha[:12] or '?'}, "
            f"{out.get('MemorySize', '?')} MB, timeout {out.get('Timeout', '?')} s, last modified "
            f"{out.get('LastModified', '?')}")
    text += " — after the last good run started" if after else " — before the last good run"
    base.extra.append(("lambda:GetFunctionConfiguration", text,
                       {"aspect": "code", "function": fn, "changed_after_baseline": after,
                        "memory_mb": out.get("MemorySize"), "timeout_seconds": out.get("Timeout")}))
