"""Glue Data Quality: "Data Quality Evaluation Results Available" with failed rules.

Evidence: the event's counts and score; GetDataQualityResult (every rule whose ``Result`` is FAIL or
ERROR, with its evaluated metric, the threshold its DQDL rule sets and the evaluation message; the
table; the ruleset and the run, or the Glue job and job run that evaluated it); GetTable (the table's
owner in the Glue Data Catalog, its location and last update).

An evaluation with no failed rule is not reported. Nothing is re-run: the data has to change, so
next steps name who owns it (the Glue Data Catalog table's Owner and the pipeline catalog's owner).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, ClassVar

from botocore.exceptions import BotoCoreError, ClientError

from ...aws import describe_error
from ...errors import MalformedEvent
from ...model import Incident, Link, Resource, Skip, iso
from ..base import parse_time, region_and_account, shorten

if TYPE_CHECKING:
    from ..base import Collector

__all__ = ["GlueDqEvidence", "result_url", "threshold_of"]

MAX_RULES = 8
FAILED = {"FAIL", "ERROR"}
# The comparison a DQDL rule ends with: "> 0.95", "between 10 and 20", "in [...]", "= 0", ">= 100".
_THRESHOLD = re.compile(r"(?:(?:>=|<=|!=|>|<|=)\s*-?[\d.]+(?:\s*%)?|between\s+-?[\d.]+\s+and\s+-?[\d.]+"
                        r"|(?:not\s+)?in\s*\[[^\]]*\]|matches\s+\"[^\"]*\")\s*$", re.IGNORECASE)


def threshold_of(rule: str) -> str:
    """The threshold a DQDL rule checks its metric against (``Completeness "id" > 0.95``: ``> 0.95``);
    an empty string when the rule has none (``IsComplete "id"``: every row, i.e. = 1.0)."""
    text = rule.strip()
    found = _THRESHOLD.search(text)
    if found:
        return found.group(0).strip()
    if re.match(r"(?i)^(IsComplete|IsUnique|IsPrimaryKey)\b", text):
        return "= 1.0"
    return ""


def result_url(region: str, database: str, table: str) -> str:
    return (f"https://{region}.console.aws.amazon.com/glue/home?region={region}"
            f"#/v2/data-catalog/tables/view/{table}?database={database}&tab=dataQuality")


def table_arn(region: str, account: str, database: str, table: str) -> str:
    return f"arn:aws:glue:{region}:{account}:table/{database}/{table}"


def _metrics(metrics: dict[str, Any]) -> str:
    return ", ".join(f"{k} = {v:g}" if isinstance(v, (int, float)) else f"{k} = {v}"
                     for k, v in list(metrics.items())[:3])


class GlueDqEvidence:
    """Parsing of the service's events and collection of its evidence (the adapter's first half)."""

    name: ClassVar[str]

    def parse(self, event: dict[str, Any]) -> Incident | Skip:
        detail = event.get("detail") or {}
        context = detail.get("context") or {}
        result_id = detail.get("resultID") or detail.get("resultId")
        if not result_id or not isinstance(context, dict):
            raise MalformedEvent("Glue Data Quality event without detail.resultID or detail.context")
        region, account = region_and_account(event, "Glue Data Quality")
        failed = detail.get("rulesFailed")
        if not isinstance(failed, (int, float)) or failed <= 0:
            return Skip(f"data quality evaluation with {failed or 0} failed rules (score {detail.get('score')})")
        database, table = context.get("databaseName"), context.get("tableName")
        if database and table:
            arn, name = table_arn(region, account, database, table), f"{database}.{table}"
        elif context.get("jobName"):
            arn, name = f"arn:aws:glue:{region}:{account}:job/{context['jobName']}", str(context["jobName"])
        else:
            raise MalformedEvent("Glue Data Quality event names neither a table nor a job in detail.context")
        return Incident(source=self.name, event_id=str(event.get("id", "")), detail_type=event["detail-type"],
                        region=region, account=account, resource=Resource(arn=arn, name=name, run_id=result_id),
                        status="RULES_FAILED", event_time=event.get("time"), stopped_at=iso(event.get("time")),
                        catalog_arns=[arn], detail=detail)

    def collect(self, c: Collector) -> None:
        inc = c.incident
        detail, context = inc.detail, inc.detail.get("context") or {}
        result_id = str(inc.resource.run_id)
        rulesets = ", ".join(str(r) for r in detail.get("rulesetNames") or []) or "?"
        c.context.update(result_id=result_id, ruleset=rulesets, rules_failed=detail.get("rulesFailed"),
                         score=detail.get("score"), what=f"Data quality evaluation {result_id} of {inc.resource.name}",
                         status_phrase=f"failed {detail.get('rulesFailed')} rule(s)",
                         title=f"{inc.resource.name}: {detail.get('rulesFailed')} data quality rule(s) failed")
        c.add("dq", "events:Data Quality Evaluation Results Available",
              f"Ruleset {rulesets}: {detail.get('rulesFailed')} rule(s) failed, {detail.get('rulesSucceeded', '?')} "
              f"passed, {detail.get('rulesSkipped', 0)} skipped (score {detail.get('score')})", inc.event_time,
              rules_failed=int(detail.get("rulesFailed") or 0), score=detail.get("score"))
        result = c.call(f"GetDataQualityResult {result_id}", c.client("glue").get_data_quality_result,
                        ResultId=result_id)
        database, table = context.get("databaseName"), context.get("tableName")
        if result:
            source = (result.get("DataSource") or {}).get("GlueTable") or {}
            database, table = source.get("DatabaseName") or database, source.get("TableName") or table
            self._rules(c, result)
        if database and table:
            c.context.update(database=database, table=table)
            c.links.append(Link("Data quality of the table in the Glue console",
                                result_url(inc.region, database, table)))
            self._table(c, database, table)
        else:
            c.context.update(database="?", table="?")

    def _rules(self, c: Collector, result: dict[str, Any]) -> None:
        inc = c.incident
        completed = parse_time(result.get("CompletedOn"))
        inc.started_at = iso(result.get("StartedOn")) or inc.started_at
        inc.stopped_at = iso(completed) or inc.stopped_at
        failed = [r for r in result.get("RuleResults") or [] if str(r.get("Result")).upper() in FAILED]
        names = []
        for rule in failed[:MAX_RULES]:
            dqdl = str(rule.get("EvaluatedRule") or rule.get("Description") or rule.get("Name") or "?")
            threshold = threshold_of(dqdl)
            metrics = rule.get("EvaluatedMetrics") or {}
            text = f"Rule {rule.get('Name') or '?'} {rule.get('Result')}: {shorten(dqdl, 200)}"
            if metrics:
                text += f"; metric {_metrics(metrics)}"
            text += f"; threshold {threshold}" if threshold else ""
            if rule.get("EvaluationMessage"):
                text += f"; {shorten(str(rule['EvaluationMessage']), 300)}"
            c.add("rule", "glue:GetDataQualityResult", text, completed, rule=dqdl, result=rule.get("Result"),
                  threshold=threshold, metric=_metrics(metrics))
            names.append(str(rule.get("Name") or dqdl))
        if len(failed) > MAX_RULES:
            c.book.gap(f"{len(failed) - MAX_RULES} more failed rules are not listed (see the console)")
        run = result.get("RulesetEvaluationRunId") or result.get("JobRunId") or "?"
        by = f"Glue job {result['JobName']} run {result.get('JobRunId') or '?'}" if result.get("JobName") else (
            f"ruleset evaluation run {run}")
        c.add("config", "glue:GetDataQualityResult",
              f"Evaluated by {by}, ruleset {result.get('RulesetName') or '?'}, score {result.get('Score')}, "
              f"context {result.get('EvaluationContext') or '?'}", completed, run=run)
        c.context.update(failed_rules="; ".join(names) or "?", evaluation_run=run,
                         ruleset=result.get("RulesetName") or c.context.get("ruleset"))

    def _table(self, c: Collector, database: str, table: str) -> None:
        from ...evidence.catalog import table_metadata

        try:
            found = c.client("glue").get_table(DatabaseName=database, Name=table)["Table"]
        except (ClientError, BotoCoreError) as exc:
            c.failed_reads += 1
            c.book.gap(f"GetTable {database}.{table}: {describe_error(exc)}")
            c.context["table_owner"] = "the table's owner (not recorded)"
            return
        owner = found.get("Owner") or ""
        c.context["table_owner"] = owner or "the table's owner (no Owner set in the Glue Data Catalog)"
        if owner:
            c.add("catalog", "glue:GetTable", f"Table {database}.{table} is owned by {owner} in the Glue Data Catalog",
                  dataset=f"{database}.{table}", owner=owner)
        table_metadata(c, [f"{database}.{table}"])
