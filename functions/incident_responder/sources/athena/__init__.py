"""Athena: "Athena Query State Change" FAILED.

Parsing and evidence: :mod:`.evidence`. This module is the adapter: run outcomes, tags, console links,
live status, and the redrive (``StartQueryExecution`` of the same query in the same workgroup, database
and catalog). The stored query text is redacted; a redrive reads the real text again with
GetQueryExecution.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...redrive.plans import Plan, account_of, call_fields, present
from ..base import Adapter, NewRun, RunOutcome, RunState, SourceContext, given
from . import changes
from .evidence import AthenaEvidence, query_url
from .spec import AthenaSpec

if TYPE_CHECKING:
    from datetime import datetime

    from ...aws import AwsContext
    from ...evidence.changes import Baseline, Reader
    from ..base import Collector

__all__ = ["ADAPTER", "AthenaAdapter", "AthenaContext"]


@dataclass
class AthenaContext(SourceContext):
    workgroup: Any = None
    query_execution_id: Any = None
    error_message: Any = None
    error_category: Any = None
    retryable: Any = None
    database: Any = None
    output_location: Any = None
    statement_type: Any = None
    scan_cutoff: Any = None
    workgroup_state: Any = None


class AthenaAdapter(AthenaEvidence, Adapter):
    name = "athena"
    event_source = "aws.athena"
    detail_types = ("Athena Query State Change",)
    label = "Athena"
    noun = "Athena query"
    arn_service = "athena"
    original_read = "GetQueryExecution"
    context_type = AthenaContext
    spec_type = AthenaSpec
    detail_schema = {"queryExecutionId": str, "currentState": str, "workgroupName": str}

    def run_outcome(self, event: dict[str, Any]) -> RunOutcome | None:
        detail = event.get("detail") or {}
        query_id = detail.get("queryExecutionId")
        if not isinstance(query_id, str) or not query_id:
            return None
        return RunOutcome.of(query_id, detail.get("currentState"), "SUCCEEDED", {"FAILED", "CANCELLED"})

    def console_url(self, region: str, run_id: str, extra: dict[str, Any] | None = None) -> str:
        return query_url(region, run_id) if run_id else ""

    def tags(self, c: Collector, arn: str) -> dict[str, str]:
        out = c.call("ListTagsForResource", c.client("athena").list_tags_for_resource, ResourceARN=arn)
        return {t["Key"]: t["Value"] for t in (out or {}).get("Tags", []) if "Key" in t}

    def live_status(self, aws: AwsContext, resource: dict[str, Any], latest: bool) -> RunState:
        from ...formats import fmt_time
        from ...templates import escape_mrkdwn as esc

        athena: Any = aws.client("athena")
        execution = athena.get_query_execution(QueryExecutionId=resource["run_id"])["QueryExecution"]
        status = execution.get("Status") or {}
        state = status.get("State")
        line = f"Query `{esc(resource['run_id'])}` in workgroup {esc(resource['name'])} is *{esc(state)}*"
        if status.get("CompletionDateTime"):
            line += f" (ended {fmt_time(status['CompletionDateTime'])})"
        lines = [line]
        if status.get("StateChangeReason") and state != "SUCCEEDED":
            lines.append(f"Reason: {esc(status['StateChangeReason'])}")
        return RunState(status=state, lines=lines)

    # -- redrive ----------------------------------------------------------------------------------------
    def original_ids(self, spec: AthenaSpec) -> dict[str, Any]:
        return {"query_execution_id": given(spec.QueryExecutionId) or ""}

    def plan(self, spec: AthenaSpec, facts: dict[str, Any], *, attempt: int, now: datetime, region: str,
             token: str, resource_arn: str) -> Plan:
        workgroup = str(given(spec.WorkGroup) or "primary")
        params: dict[str, Any] = {"QueryString": spec.QueryString, "WorkGroup": workgroup,
                                  "ClientRequestToken": token[:128].ljust(32, "0")}
        params.update(present(spec, "QueryExecutionContext", "ResultConfiguration"))
        database = (spec.QueryExecutionContext or {}).get("Database") or "?"
        return Plan(
            **call_fields(self.name, "athena:StartQueryExecution"), region=region, target=workgroup,
            where=f"Athena workgroup `{workgroup}`, database `{database}` ({region})", params=params,
            what=f"Run the failed query again in workgroup `{workgroup}` against database `{database}`.",
            input_label="Query", input=spec.QueryString,
            original_url=self.console_url(region, str(spec.QueryExecutionId or "")),
            expect={"query_execution_id": spec.QueryExecutionId},
        )

    def read_original(self, ids: dict[str, Any], aws: AwsContext, notes: list[str]) -> dict[str, Any] | None:
        if not ids.get("query_execution_id"):
            notes.append(f"{self.original_read}: the failed query's id is not known")
            return None
        athena: Any = aws.client("athena")
        return athena.get_query_execution(QueryExecutionId=ids["query_execution_id"])["QueryExecution"]  # type: ignore[no-any-return]

    def real_values(self, original: dict[str, Any]) -> dict[str, Any]:
        return {"QueryString": original.get("Query") or ""}

    def baseline(self, c: Collector, r: Reader) -> Baseline | None:
        return changes.baseline(c, r)

    def redrive_resources(self, plan: Plan, aws: AwsContext, resource_arn: str) -> list[tuple[str, dict[str, str]]]:
        from ...redrive.optin import tags_of

        workgroup = str(plan.params.get("WorkGroup") or "primary")
        arn = f"arn:aws:athena:{plan.region}:{account_of(resource_arn)}:workgroup/{workgroup}"
        client: Any = aws.client("athena")
        return [(arn, tags_of(client.list_tags_for_resource(ResourceARN=arn).get("Tags")))]

    def new_run(self, plan: Plan, out: dict[str, Any]) -> NewRun:
        query_id = out["QueryExecutionId"]
        return NewRun(query_id, query_id, self.console_url(plan.region, query_id))


ADAPTER = AthenaAdapter()
