"""Athena: the last good run is the newest SUCCEEDED execution of the same query in the workgroup.

The same query: the same text once its literal values ('2024-03-13', 42) are set aside and its spacing
and case normalized (:func:`query_shape`; its hash names it in the report); the literals are the run's
input, so a changed date or id is an input difference. Calls (at most two): ListQueryExecutions of the
workgroup (one page, the newest 50 ids) and BatchGetQueryExecution of those ids (one call).

Compared: the literals, the database, catalog and engine version, the data scanned by the failed query vs
the last good run (next to the workgroup's bytes-scanned cutoff per query, which the collector read), and
the trends of data scanned and of the total execution time over the same query's recent runs.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ...evidence.changes import TREND_RUNS, Baseline, Reader, RunFacts, Series
from ..base import parse_time
from .evidence import _size as fmt_bytes

if TYPE_CHECKING:
    from ..base import Collector

__all__ = ["baseline", "query_shape"]

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
LIST_BOUND = 50  # ids one ListQueryExecutions page returns, and BatchGetQueryExecution takes
_LITERAL = re.compile(r"'(?:[^']|'')*'|(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])")
_MB = 1024 * 1024
_COMMENT = re.compile(r"--[^\n]*|/\*.*?\*/", re.S)


def query_shape(query: str) -> tuple[str, list[str]]:
    """(the hash of the query's normalized text with its literals set aside, the literals in order)."""
    text = _COMMENT.sub(" ", query or "")
    literals = [m.group(0) for m in _LITERAL.finditer(text)]
    shape = " ".join(_LITERAL.sub("?", text).lower().split()).rstrip(";").strip()
    return hashlib.sha256(shape.encode()).hexdigest()[:12], literals


def _facts(execution: dict[str, Any]) -> RunFacts:
    status = execution.get("Status") or {}
    context = execution.get("QueryExecutionContext") or {}
    _, literals = query_shape(str(execution.get("Query") or ""))
    return RunFacts(run_id=str(execution.get("QueryExecutionId") or ""),
                    started=parse_time(status.get("SubmissionDateTime")),
                    stopped=parse_time(status.get("CompletionDateTime")),
                    inputs={"literals": literals},
                    definition={"database": context.get("Database"), "catalog": context.get("Catalog"),
                                "engine version": (execution.get("EngineVersion") or {}).get("EffectiveEngineVersion")})


def _scanned(execution: dict[str, Any]) -> float | None:
    value = (execution.get("Statistics") or {}).get("DataScannedInBytes")
    return float(value) if isinstance(value, (int, float)) else None


def _seconds(execution: dict[str, Any]) -> float | None:
    stats = execution.get("Statistics") or {}
    millis = stats.get("TotalExecutionTimeInMillis") or stats.get("EngineExecutionTimeInMillis")
    if isinstance(millis, (int, float)) and millis > 0:
        return float(millis) / 1000
    return _facts(execution).seconds


def _submitted(execution: dict[str, Any]) -> datetime:
    return parse_time((execution.get("Status") or {}).get("SubmissionDateTime")) or _EPOCH


def _cutoff(c: Collector) -> float | None:
    """The workgroup's bytes-scanned cutoff per query, as the collector's GetWorkGroup read it."""
    for ev in c.book.items:
        value = ev.facts.get("scan_cutoff_bytes")
        if ev.source == "athena:GetWorkGroup" and isinstance(value, (int, float)) and value > 0:
            return float(value)
    return None


def baseline(c: Collector, r: Reader) -> Baseline | None:
    inc = c.incident
    workgroup, query_id = inc.resource.name, str(inc.resource.run_id or "")
    spec = c.context.get("redrive")
    query = str(spec.QueryString if spec else "")
    if not query:
        r.searched = "the failed query's text could not be read"
        return None
    shape, _ = query_shape(query)
    athena = c.client("athena")
    r.searched = (f"athena:ListQueryExecutions of workgroup {workgroup}, newest {LIST_BOUND}, "
                  f"for query shape {shape}")
    listed = (r.read(f"ListQueryExecutions {workgroup}", athena.list_query_executions, WorkGroup=workgroup,
                     MaxResults=LIST_BOUND) or {}).get("QueryExecutionIds") or []
    ids = list(dict.fromkeys([query_id, *listed]))[:LIST_BOUND]
    if len(ids) < 2:
        return None
    got = (r.read("BatchGetQueryExecution of the workgroup's newest queries", athena.batch_get_query_execution,
                  QueryExecutionIds=ids) or {}).get("QueryExecutions") or []
    by_id = {str(e.get("QueryExecutionId")): e for e in got}
    mine = by_id.get(query_id) or {}
    started = parse_time((mine.get("Status") or {}).get("SubmissionDateTime")) or parse_time(inc.started_at)
    same = [e for e in got if e.get("QueryExecutionId") != query_id
            and (e.get("Status") or {}).get("State") == "SUCCEEDED"
            and query_shape(str(e.get("Query") or ""))[0] == shape
            and (started is None or _submitted(e) < started)]
    same.sort(key=_submitted)
    if not same:
        return None
    good = _facts(same[-1])
    failed = _facts(mine or {"QueryExecutionId": query_id, "Query": query,
                             "QueryExecutionContext": spec.QueryExecutionContext if spec else {}})
    if not mine:
        failed.started, failed.stopped = parse_time(inc.started_at), parse_time(inc.stopped_at)
    recent = same[-(TREND_RUNS - 1):]
    cutoff = _cutoff(c)
    base = Baseline(subject=f"query {shape} in workgroup {workgroup}", good=good, failed=failed,
                    source="athena:BatchGetQueryExecution", definition_label=f"Query {shape}",
                    durations=[s for s in [*(_seconds(e) for e in recent), _seconds(mine) if mine else None]
                               if s is not None],
                    trend_subject=f"execution time of query {shape}")
    now_b, then_b = _scanned(mine), _scanned(same[-1])
    if now_b is not None and then_b is not None:
        growth = now_b / then_b if then_b else (float("inf") if now_b else 1.0)
        text = f"Data scanned: {fmt_bytes(now_b)} by the failed query vs {fmt_bytes(then_b)} at the last good run"
        if then_b and growth != 1.0:
            text += f" (×{growth:.0f})" if growth >= 10 else f" (×{growth:.1f})"
        near = bool(cutoff and now_b >= 0.8 * cutoff)
        if cutoff:
            text += f"; the workgroup cuts a query off at {fmt_bytes(cutoff)}"
        base.extra.append(("athena:BatchGetQueryExecution", text,
                           {"aspect": "data_size", "grew": growth >= 1.5,
                            "growth": round(growth, 2) if then_b else None, "bytes_now": now_b,
                            "bytes_before": then_b, "near_cutoff": near, "bounded": False}))
    # In MB of 1024 * 1024 bytes, as Athena's console and the workgroup's cutoff read.
    scans = [s / _MB for s in [*(_scanned(e) for e in recent), now_b] if s is not None]
    base.series.append(Series(subject=f"data scanned by query {shape}", values=scans,
                              limit=cutoff / _MB if cutoff else None, limit_label="workgroup cutoff",
                              aspect="scan_trend", unit="MB"))
    return base
