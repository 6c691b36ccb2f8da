"""Step Functions: "Step Functions Execution Status Change" FAILED, TIMED_OUT and ABORTED.

Parsing and evidence: :mod:`.evidence`; redrive plans: :mod:`.redrive`. This module is the adapter:
run outcomes (a redriven execution keeps its ARN, so its run key carries the redrive count), tags,
console links, live status.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...redrive.plans import Plan
from ..base import INTERNAL, Adapter, NewRun, RunOutcome, RunState, SourceContext, extra_read, given
from ..envelope import ARN, EPOCH_MS
from . import changes, redrive
from .evidence import StepFunctionsEvidence, execution_url
from .spec import StepFunctionsSpec

if TYPE_CHECKING:
    from datetime import datetime

    from ...aws import AwsContext
    from ...evidence.changes import Baseline, Reader
    from ...model import Incident
    from ..base import Collector

__all__ = ["ADAPTER", "StepFunctionsAdapter", "StepFunctionsContext"]

_LATEST = 3


@dataclass
class StepFunctionsContext(SourceContext):
    execution_arn: Any = None
    execution_name: Any = None
    state_machine: Any = None
    error: Any = None
    task_type: Any = None
    function_name: Any = None
    log_group: Any = None
    child_execution: Any = None
    child_state_machine: Any = None
    child_console_url: Any = None
    cluster: Any = None  # the EMR cluster a createCluster task started
    execution_input: Any = field(default=None, metadata=INTERNAL)


def _count(detail: dict[str, Any]) -> int:
    try:
        return int(detail.get("redriveCount") or 0)
    except (TypeError, ValueError):
        return 0


def run_key(execution_arn: str, redrive_count: int = 0) -> str:
    """An execution's run key: an in-place redrive keeps the ARN, so it is ``<arn>#redrive-<n>``."""
    return f"{execution_arn}#redrive-{redrive_count}" if redrive_count else execution_arn


class StepFunctionsAdapter(StepFunctionsEvidence, Adapter):
    name = "stepfunctions"
    event_source = "aws.states"
    detail_types = ("Step Functions Execution Status Change",)
    label = "Step Functions"
    noun = "Step Functions execution"
    arn_service = "states"
    original_read = "DescribeExecution"
    context_type = StepFunctionsContext
    spec_type = StepFunctionsSpec
    detail_schema = {"executionArn": ARN, "stateMachineArn": ARN, "name": str, "status": str, "startDate": EPOCH_MS,
                     "stopDate": EPOCH_MS, "input": str, "redriveCount": int}

    def what(self, incident: Incident) -> str:
        return f"{self.noun} {incident.resource.run_id or ''} of state machine {incident.resource.name}"

    def run_outcome(self, event: dict[str, Any]) -> RunOutcome | None:
        detail = event.get("detail") or {}
        arn = detail.get("executionArn")
        if not isinstance(arn, str) or not arn:
            return None
        return RunOutcome.of(run_key(arn, _count(detail)), detail.get("status"), "SUCCEEDED",
                             {"FAILED", "TIMED_OUT", "ABORTED"})

    def may_be_redrive(self, event: dict[str, Any]) -> bool:
        detail = event.get("detail") or {}
        return _count(detail) > 0 or "-redrive-" in str(detail.get("name") or "")

    def distinguish_redriven(self, incident: Incident) -> None:
        # A redrive keeps the execution's ARN and name: without this the new failure would have the
        # incident id of the one already reported and be dropped as a duplicate delivery.
        count = _count(incident.detail or {})
        if count and incident.resource.run_id:
            incident.resource.run_id = f"{incident.resource.run_id} (redrive {count})"

    def baseline(self, c: Collector, r: Reader) -> Baseline | None:
        return changes.baseline(c, r)

    def console_url(self, region: str, run_id: str, extra: dict[str, Any] | None = None) -> str:
        return execution_url(region, run_id) if run_id else ""

    def tags(self, c: Collector, arn: str) -> dict[str, str]:
        out = c.call("ListTagsForResource", c.client("stepfunctions").list_tags_for_resource, resourceArn=arn)
        return {t["key"]: t["value"] for t in (out or {}).get("tags", [])}

    def live_status(self, aws: AwsContext, resource: dict[str, Any], latest: bool) -> RunState:
        from ...formats import fmt_time, json_or_text
        from ...templates import escape_mrkdwn as esc

        sfn: Any = aws.client("stepfunctions")
        d = sfn.describe_execution(executionArn=resource["arn"])
        status = d.get("status")
        line = f"Execution `{esc(d.get('name') or resource.get('run_id'))}` is *{esc(status)}*"
        if d.get("stopDate"):
            line += f" (stopped {fmt_time(d['stopDate'])})"
        elif d.get("startDate"):
            line += f" (started {fmt_time(d['startDate'])})"
        lines = [line]
        if d.get("redriveCount"):
            lines.append(f"Redriven {d['redriveCount']} time(s), last at {fmt_time(d.get('redriveDate'))}")
        if d.get("redriveStatus") and status != "SUCCEEDED":
            reason = d.get("redriveStatusReason")
            lines.append(f"Redrive: {esc(d['redriveStatus'])}" + (f" ({esc(reason)})" if reason else ""))
        if latest and d.get("stateMachineArn"):

            name = d["stateMachineArn"].split(":")[-1]
            runs = extra_read(lines, f"the latest runs of {name}", lambda: sfn.list_executions(
                stateMachineArn=d["stateMachineArn"], maxResults=_LATEST).get("executions", []))
            if runs:
                listed = ", ".join(f"`{esc(r.get('name'))}` {esc(r.get('status'))} ({fmt_time(r.get('startDate'))})"
                                   for r in runs)
                lines.append(f"Latest runs of {esc(name)}: {listed}")
        return RunState(status=status, lines=lines, input=json_or_text(d.get("input")))

    # -- redrive ----------------------------------------------------------------------------------------
    def original_ids(self, spec: StepFunctionsSpec) -> dict[str, Any]:
        return {"execution_arn": given(spec.execution_arn) or ""}

    def gather_facts(self, spec: StepFunctionsSpec, aws: AwsContext, notes: list[str]) -> dict[str, Any]:
        return redrive.gather_facts(spec, aws, notes)

    def plan(self, spec: StepFunctionsSpec, facts: dict[str, Any], *, attempt: int, now: datetime, region: str,
             token: str, resource_arn: str) -> Plan:
        return redrive.plan(spec, facts, attempt, now, region, token)

    def read_original(self, ids: dict[str, Any], aws: AwsContext, notes: list[str]) -> dict[str, Any] | None:
        if not ids.get("execution_arn"):
            notes.append(f"{self.original_read}: the failed run's id is not known")
            return None
        sfn: Any = aws.client("stepfunctions")
        return sfn.describe_execution(executionArn=ids["execution_arn"])  # type: ignore[no-any-return]

    def real_values(self, original: dict[str, Any]) -> dict[str, Any]:
        return {"input": original.get("input")} if "input" in original else {}

    def redrive_resources(self, plan: Plan, aws: AwsContext, resource_arn: str) -> list[tuple[str, dict[str, str]]]:
        # RedriveExecution checks the execution, which carries no tags: its state machine's are read.
        from ...redrive.optin import tags_of

        arn = str(plan.params.get("executionArn") or "")
        parts = arn.split(":")
        machine = plan.params.get("stateMachineArn") or (
            ":".join([*parts[:5], "stateMachine", parts[6]]) if len(parts) >= 8 and parts[5] == "execution" else arn)
        client: Any = aws.client("stepfunctions")
        return [(str(machine), tags_of(client.list_tags_for_resource(resourceArn=machine).get("tags")))]

    def new_run(self, plan: Plan, out: dict[str, Any]) -> NewRun:
        if plan.operation == "redrive_execution":
            arn = plan.params["executionArn"]
            count = int(plan.expect.get("redrive_count") or 0) + 1
            return NewRun(arn, run_key(arn, count), execution_url(plan.region, arn))
        arn = out["executionArn"]
        return NewRun(arn, run_key(arn), execution_url(plan.region, arn))


ADAPTER = StepFunctionsAdapter()
