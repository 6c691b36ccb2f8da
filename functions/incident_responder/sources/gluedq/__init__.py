"""Glue Data Quality: "Data Quality Evaluation Results Available" with failed rules.

Parsing and evidence: :mod:`.evidence`. This module is the adapter: run outcomes, tags, console links
and live status. There is no redrive: evaluating the same data again gives the same result, so the
report's next steps say who owns the data instead, and a redrive request in the thread is answered
with a plan that runs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...redrive.plans import Plan
from ..base import Adapter, NewRun, NoRun, RunOutcome, RunState, SourceContext
from . import changes
from .evidence import GlueDqEvidence, result_url
from .spec import GlueDqSpec

if TYPE_CHECKING:
    from datetime import datetime

    from ...aws import AwsContext
    from ...evidence.changes import Baseline, Reader
    from ..base import Collector

__all__ = ["ADAPTER", "GlueDqAdapter", "GlueDqContext"]


@dataclass
class GlueDqContext(SourceContext):
    result_id: Any = None
    ruleset: Any = None
    rules_failed: Any = None
    failed_rules: Any = None
    score: Any = None
    database: Any = None
    table: Any = None
    table_owner: Any = None
    evaluation_run: Any = None


class GlueDqAdapter(GlueDqEvidence, Adapter):
    name = "gluedq"
    event_source = "aws.glue-dataquality"
    detail_types = ("Data Quality Evaluation Results Available",)
    label = "Glue Data Quality"
    noun = "data quality evaluation"
    arn_service = "glue"
    original_read = "GetDataQualityResult"
    context_type = GlueDqContext
    spec_type = GlueDqSpec
    detail_schema = {"resultID": str, "context": dict, "rulesetNames": list}

    def run_outcome(self, event: dict[str, Any]) -> RunOutcome | None:
        return None  # an evaluation is never launched by a redrive

    def may_be_redrive(self, event: dict[str, Any]) -> bool:
        return False

    def console_url(self, region: str, run_id: str, extra: dict[str, Any] | None = None) -> str:
        database, table = (extra or {}).get("database"), (extra or {}).get("table")
        return result_url(region, str(database), str(table)) if database and table else ""

    def tags(self, c: Collector, arn: str) -> dict[str, str]:
        out = c.call("GetTags", c.client("glue").get_tags, ResourceArn=arn)
        return dict((out or {}).get("Tags", {}))

    def live_status(self, aws: AwsContext, resource: dict[str, Any], latest: bool) -> RunState:
        from ...templates import escape_mrkdwn as esc

        glue: Any = aws.client("glue")
        result = glue.get_data_quality_result(ResultId=resource["run_id"])
        failed = [r for r in result.get("RuleResults") or [] if str(r.get("Result")).upper() in {"FAIL", "ERROR"}]
        lines = [f"Data quality result `{esc(resource['run_id'])}` of {esc(resource['name'])}: score "
                 f"{esc(result.get('Score'))}, {len(failed)} rule(s) failed"]
        lines += [f"• {esc(r.get('Name'))}: {esc(r.get('EvaluationMessage') or r.get('Result'))}" for r in failed[:5]]
        return RunState(status="FAILED" if failed else "PASSED", lines=lines)

    # -- redrive: never runnable ------------------------------------------------------------------------
    def original_ids(self, spec: GlueDqSpec) -> dict[str, Any]:
        return {"result_id": spec.ResultId}

    def plan(self, spec: GlueDqSpec, facts: dict[str, Any], *, attempt: int, now: datetime, region: str,
             token: str, resource_arn: str) -> Plan:
        return Plan(source=self.name, action="", service="glue", operation="", params={}, region=region,
                    target=resource_arn, where=f"{resource_arn} ({region})",
                    what="Nothing to re-run: the rules failed on the data itself.", runnable=False,
                    reason=("Evaluating the same data again gives the same result. The data's owner fixes the "
                            "data (or the rule's threshold), then the next evaluation runs as scheduled."))

    def read_original(self, ids: dict[str, Any], aws: AwsContext, notes: list[str]) -> dict[str, Any] | None:
        glue: Any = aws.client("glue")
        return glue.get_data_quality_result(ResultId=ids.get("result_id") or "")  # type: ignore[no-any-return]

    def real_values(self, original: dict[str, Any]) -> dict[str, Any]:
        return {}

    def baseline(self, c: Collector, r: Reader) -> Baseline | None:
        return changes.baseline(c, r)

    def redrive_resources(self, plan: Plan, aws: AwsContext, resource_arn: str) -> list[tuple[str, dict[str, str]]]:
        return []  # a data quality result is never re-run: nothing to opt in

    def new_run(self, plan: Plan, out: dict[str, Any]) -> NewRun:
        raise NoRun("NotRunnable", "a data quality evaluation is not re-run")


ADAPTER = GlueDqAdapter()
