"""Step Functions redrive: ``RedriveExecution`` when the execution can be redriven, otherwise
``StartExecution`` of the same state machine with the original input, saying why.

The spec the collector stores: ``execution_arn``, ``state_machine_arn``, ``name``, ``input``,
``status``, ``stop_date``, ``redrive_count``. The input is always read again with DescribeExecution
(never taken from the stored, redacted copy).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ...formats import json_or_text
from ...model import parse_time
from ...redrive.plans import (
    Plan,
    account_of,
    call_fields,
    not_runnable,
    region_of,
    value,
    where_in,
    with_suffix,
)
from ..base import given
from .evidence import execution_url
from .spec import StepFunctionsSpec

if TYPE_CHECKING:
    from ...aws import AwsContext

__all__ = ["REDRIVE_WINDOW", "gather_facts", "plan", "sfn_redrivable"]

# Step Functions keeps a stopped Standard execution redrivable for 14 days.
REDRIVE_WINDOW = timedelta(days=14)
SFN_REDRIVABLE_STATUSES = frozenset({"FAILED", "TIMED_OUT", "ABORTED"})
_SFN_NAME_MAX = 80


def gather_facts(spec: StepFunctionsSpec, aws: AwsContext, notes: list[str]) -> dict[str, Any]:
    """DescribeExecution (status, redrive fields, the real input) and DescribeStateMachine (its type)."""
    from ...redrive.plans import read_safely

    sfn: Any = aws.client("stepfunctions")
    facts: dict[str, Any] = {}
    arn = given(spec.execution_arn)
    if arn:
        facts["execution"] = read_safely("DescribeExecution", sfn.describe_execution, notes, executionArn=arn)
        facts["original"] = facts["execution"]
    sm_arn = value(facts.get("execution"), "stateMachineArn") or given(spec.state_machine_arn)
    if sm_arn:
        facts["state_machine"] = read_safely("DescribeStateMachine", sfn.describe_state_machine, notes,
                                             stateMachineArn=sm_arn)
    return facts


def sfn_redrivable(
    *,
    status: str | None,
    sm_type: str | None,
    stop_date: datetime | None,
    now: datetime,
    redrive_status: str | None = None,
    redrive_reason: str | None = None,
) -> tuple[bool, str]:
    """Whether an execution can be redriven, and if not, why (a sentence for the thread).

    Standard only, ended FAILED, TIMED_OUT or ABORTED, and within the 14-day redrive window. When
    DescribeExecution reports ``redriveStatus`` it must be REDRIVABLE, and it is taken as the word on
    the window: Step Functions computes it from the stop time itself (and knows more, e.g. a running
    redrive). Without it (older responses, other tools' stubs) the window is computed here.
    """
    kind = (sm_type or "STANDARD").upper()
    if kind != "STANDARD":
        return (
            False,
            f"it is an {kind.title()} workflow execution, and only Standard executions can be redriven",
        )
    if status not in SFN_REDRIVABLE_STATUSES:
        return False, (
            f"the execution is {status or 'in an unknown state'} now; only FAILED, TIMED_OUT or "
            "ABORTED executions can be redriven"
        )
    if redrive_status:
        if redrive_status == "REDRIVABLE":
            return True, ""
        why = f": {redrive_reason}" if redrive_reason else ""
        return False, f"Step Functions reports it {redrive_status.replace('_', ' ').lower()}{why}"
    if stop_date is None:
        return False, "its stop time is unknown, so the 14-day redrive window cannot be checked"
    age = now - stop_date
    if age > REDRIVE_WINDOW:
        return False, (
            f"it stopped {age.days} days ago, outside the 14-day redrive window (ended {stop_date:%Y-%m-%d %H:%M} UTC)"
        )
    return True, ""


def plan(spec: StepFunctionsSpec, facts: dict[str, Any], attempt: int, now: datetime, region: str, token: str) -> Plan:
    desc = facts.get("execution") or {}
    sm = facts.get("state_machine") or {}
    arn = value(desc, "executionArn") or given(spec.execution_arn) or ""
    sm_arn = value(desc, "stateMachineArn") or given(spec.state_machine_arn) or ""
    region = region_of(arn or sm_arn, region)
    account = account_of(arn or sm_arn)
    sm_name = sm_arn.split(":")[-1] if sm_arn else "?"
    # The execution's own name is the last part of its ARN (the spec's "name" may be decorated).
    name = arn.split(":")[-1] if arn.count(":") >= 7 else str(value(desc, "name") or given(spec.name) or "run")
    where = f"state machine `{sm_name}` ({where_in(region, account)})"
    shared = {"region": region, "where": where, "original_url": execution_url(region, arn)}
    redrive = call_fields("stepfunctions", "states:RedriveExecution", target=arn, **shared)
    restart = call_fields("stepfunctions", "states:StartExecution", target=sm_arn, **shared)
    if not desc:
        # The stored input is redacted, and the execution's state is unknown: nothing safe to run.
        failed = next((n for n in facts.get("notes") or [] if n.startswith("DescribeExecution")), "")
        return not_runnable(
            redrive,
            f"The execution `{name}` could not be read"
            + (f" ({failed.partition(': ')[2]})" if failed else "")
            + ": without DescribeExecution neither its current state nor its original input is known "
            "(the incident keeps the input with its secrets redacted). Ask again once it can be read.",
            what="Redrive the execution or start it again",
            expect={"execution_arn": arn},
        )
    status = value(desc, "status")
    stop = parse_time(value(desc, "stopDate"))
    count = int(value(desc, "redriveCount") or 0)
    raw_input = desc.get("input")
    ok, why = sfn_redrivable(
        status=status,
        sm_type=value(sm, "type"),
        stop_date=stop,
        now=now,
        redrive_status=value(desc, "redriveStatus"),
        redrive_reason=value(desc, "redriveStatusReason"),
    )
    if ok:
        return Plan(
            **redrive,
            params={"executionArn": arn, "clientToken": token},
            what=(
                f"Redrive execution `{name}`: it restarts from the failed state, with the same input, "
                "and keeps the results of the states that already succeeded."
            ),
            input=json_or_text(raw_input),
            expect={"redrive_count": count, "execution_arn": arn},
        )
    if not sm_arn:
        return not_runnable(
            {**restart, "target": arn},
            "the state machine of the execution is not known, so it cannot be started again",
            what="Start the state machine again",
            fallback=why,
        )
    new_name = with_suffix(name, f"-redrive-{attempt}", _SFN_NAME_MAX)
    if raw_input is None:  # DescribeExecution leaves it out when asked for metadata only
        return not_runnable(
            restart,
            f"Not a redrive: {why}; and DescribeExecution did not return the original input of `{name}`, "
            "so a new execution with the same input cannot be started.",
            what="Start the state machine again",
            fallback=why,
            expect={"execution_arn": arn},
        )
    params: dict[str, Any] = {
        "stateMachineArn": sm_arn,
        "name": new_name,
        "input": raw_input if isinstance(raw_input, str) else json.dumps(raw_input),
    }
    return Plan(
        **restart,
        params=params,
        what=(
            f"Start a new execution `{new_name}` of `{sm_name}` with the original input of `{name}` "
            "(it runs every state again, from the start)."
        ),
        input=json_or_text(raw_input),
        fallback=f"Not a redrive: {why}.",
        expect={"execution_arn": arn},
    )


