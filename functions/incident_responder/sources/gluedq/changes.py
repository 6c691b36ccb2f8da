"""Glue Data Quality: the run compared with is the previous result of the same ruleset on the same table.

Calls (at most two): ListDataQualityResults filtered by the table (results started before the failed
one, newest first, at most 14) and BatchGetDataQualityResult of those ids and the failed one (one call:
their rule results, metrics and scores).

Compared: the rules that passed at the previous result and fail now, and those that failed then too,
with their metric values then and now; the ruleset's rules themselves (a rule added, removed or its
threshold changed reads as a definition change); and the ruleset's score over the recent results.
When the previous result failed rules too, the report names it "Previous evaluation", not a good run.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ...evidence.changes import TREND_RUNS, Baseline, Reader, RunFacts, Series
from ..base import parse_time
from .evidence import FAILED

if TYPE_CHECKING:
    from ..base import Collector

__all__ = ["baseline"]

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_SHOWN = 5


def _rules(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The result's rules by their DQDL text (the name ``Rule_1`` is positional, the text is the rule)."""
    out = {}
    for rule in result.get("RuleResults") or []:
        key = str(rule.get("EvaluatedRule") or rule.get("Description") or rule.get("Name") or "?")
        out[key] = rule
    return out


def _failed(rule: dict[str, Any]) -> bool:
    return str(rule.get("Result")).upper() in FAILED


def _metric(rule: dict[str, Any]) -> str:
    metrics = rule.get("EvaluatedMetrics") or {}
    if not metrics:
        return "?"
    value = next(iter(metrics.values()))
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


def _facts(result: dict[str, Any]) -> RunFacts:
    return RunFacts(run_id=f"result {result.get('ResultId') or '?'}", started=parse_time(result.get("StartedOn")),
                    stopped=parse_time(result.get("CompletedOn")), definition={"rules": sorted(_rules(result))})


def baseline(c: Collector, r: Reader) -> Baseline | None:
    inc = c.incident
    result_id = str(inc.resource.run_id or "")
    database, table = c.context.get("database"), c.context.get("table")
    if database in (None, "?") or table in (None, "?"):
        r.searched = "the evaluation names no table"
        return None
    glue = c.client("glue")
    started = parse_time(inc.started_at)
    criteria: dict[str, Any] = {"DataSource": {"GlueTable": {"DatabaseName": database, "TableName": table}}}
    if started:
        criteria["StartedBefore"] = started
    r.searched = f"glue:ListDataQualityResults of table {database}.{table}, newest {TREND_RUNS}"
    listed = (r.read(f"ListDataQualityResults {database}.{table}", glue.list_data_quality_results,
                     Filter=criteria, MaxResults=TREND_RUNS) or {}).get("Results") or []
    ids = [str(x["ResultId"]) for x in listed if x.get("ResultId") and x.get("ResultId") != result_id]
    if not ids:
        return None
    got = (r.read("BatchGetDataQualityResult of the earlier results", glue.batch_get_data_quality_result,
                  ResultIds=[result_id, *ids]) or {}).get("Results") or []
    by_id = {str(x.get("ResultId")): x for x in got}
    mine = by_id.get(result_id)
    ruleset = (mine or {}).get("RulesetName") or c.context.get("ruleset")
    earlier = sorted((x for i, x in by_id.items() if i != result_id and x.get("RulesetName") == ruleset),
                     key=lambda x: parse_time(x.get("StartedOn")) or _EPOCH)
    if not earlier or not mine:
        r.searched += f", ruleset {ruleset}"
        return None
    prev = earlier[-1]
    then, now = _rules(prev), _rules(mine)
    failed_before = [k for k, v in then.items() if _failed(v)]
    base = Baseline(subject=f"ruleset {ruleset} on {database}.{table}", good=_facts(prev), failed=_facts(mine),
                    source="glue:BatchGetDataQualityResult", definition_label=f"Ruleset {ruleset}",
                    label="Last good run" if not failed_before else
                    f"Previous evaluation (it failed {len(failed_before)} rule(s) too)")
    newly = [k for k, v in now.items() if _failed(v) and k in then and not _failed(then[k])]
    still = [k for k, v in now.items() if _failed(v) and k in then and _failed(then[k])]
    if newly:
        parts = [f"{k} (metric {_metric(then[k])} → {_metric(now[k])})" for k in newly[:_SHOWN]]
        base.extra.append(("glue:BatchGetDataQualityResult",
                           "Passed at the previous evaluation, fail now: " + "; ".join(parts),
                           {"aspect": "rules", "newly_failing": newly, "still_failing": still}))
    if still:
        parts = [f"{k} (metric {_metric(then[k])} → {_metric(now[k])})" for k in still[:_SHOWN]]
        base.extra.append(("glue:BatchGetDataQualityResult",
                           "Failed at the previous evaluation too: " + "; ".join(parts),
                           {"aspect": "rules", "newly_failing": [], "still_failing": still}))
    scores = [float(x["Score"]) for x in [*earlier[-(TREND_RUNS - 1):], mine]
              if isinstance(x.get("Score"), (int, float))]
    base.series.append(Series(subject=f"score of ruleset {ruleset}", values=scores, aspect="score_trend",
                              unit="score"))
    return base
