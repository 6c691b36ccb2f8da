"""Step Functions: the last good run is the newest SUCCEEDED execution of the same state machine.

Calls (at most three): ListExecutions (statusFilter SUCCEEDED, the newest runs: the baseline and the
duration trend), DescribeExecution of the baseline (its input and state machine version), then either
one ListObjectsV2 when the input names S3 paths (data size now vs then) or GetFunctionConfiguration of
the Lambda function the failed task invoked (version, code SHA, memory, timeout, and whether it changed
after the baseline).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ...evidence.changes import TREND_RUNS, Baseline, Reader, RunFacts, s3_paths, s3_sizes, since
from ...formats import json_or_none
from ..base import parse_time

if TYPE_CHECKING:
    from ..base import Collector

__all__ = ["baseline"]

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
                    trend_subject=f"duration of {name}")
    if inc.status == "TIMED_OUT" and failed.seconds:
        base.limit_seconds, base.limit_label = failed.seconds, "timeout (where the failed run was stopped)"
    now_paths, good_paths = s3_paths(failed.inputs or ""), s3_paths(good.inputs or "")
    if now_paths and good_paths:
        sized = s3_sizes(r, now_paths, good_paths, good.stopped)
        if sized:
            base.extra.append(("s3:ListObjectsV2", *sized))
    elif c.context.get("function_name"):
        _function(c, r, base)
    return base


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
