"""The local world's Step Functions: state machines and executions with their real histories.

Moto's execution history is canned; each pasted execution answers GetExecutionHistory with its own
history, and DescribeExecution with the pasted status, times, error and cause. An execution whose
``describe`` has a ``mapRunArn`` is a child of that Distributed Map run: ListExecutions(mapRunArn=...) lists
it, as AWS does (moto knows only stateMachineArn).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from .world import to_datetime, to_moto_datetime

if TYPE_CHECKING:
    import boto3

    from .world import World

__all__ = ["load"]


def load(session: boto3.Session, world: World) -> None:
    """Create the world's state machines and executions in moto."""
    if world.data.get("stepfunctions"):
        _stepfunctions(session, world)


def _history_event(raw: dict[str, Any]) -> dict[str, Any]:
    ev = dict(raw)
    ev["timestamp"] = to_datetime(ev.get("timestamp")) or datetime.now(timezone.utc)
    return ev


def _stepfunctions(session: boto3.Session, world: World) -> None:
    from moto.stepfunctions.models import stepfunctions_backends

    sfn = session.client("stepfunctions", region_name=world.region)
    backend = stepfunctions_backends[world.account][world.region]
    spec = world.data["stepfunctions"]
    _list_map_runs()
    known: set[str] = set()
    aliases: dict[str, str] = {}  # a state machine ARN as the world names it -> as moto made it
    for sm in spec.get("state_machines") or []:
        kwargs: dict[str, Any] = {"name": sm["name"], "definition": sm.get("definition") or "{}",
                                  "roleArn": sm.get("roleArn") or f"arn:aws:iam::{world.account}:role/sfn",
                                  "type": sm.get("type", "STANDARD")}
        if sm.get("loggingConfiguration"):
            kwargs["loggingConfiguration"] = sm["loggingConfiguration"]
        if isinstance(kwargs["definition"], dict):
            kwargs["definition"] = json.dumps(kwargs["definition"])
        sfn.create_state_machine(**kwargs)
        known.add(sm.get("stateMachineArn") or sm["name"])
    for ex in spec.get("executions") or []:
        desc = ex["describe"]
        sm_arn = desc["stateMachineArn"]
        if sm_arn not in known:
            # A Distributed Map's children run as "<state machine>/<map run label>", a name moto refuses.
            created = sfn.create_state_machine(name=sm_arn.split(":")[-1].replace("/", "-"), definition="{}",
                                               roleArn=f"arn:aws:iam::{world.account}:role/sfn")
            known.add(sm_arn)
            aliases[sm_arn] = created["stateMachineArn"]
        started = sfn.start_execution(stateMachineArn=aliases.get(sm_arn, sm_arn), name=desc["name"],
                                      input=desc.get("input") or "{}")
        execution = backend.describe_execution(started["executionArn"])
        execution.status = desc.get("status", "FAILED")
        execution.start_date = to_moto_datetime(desc.get("startDate")) or execution.start_date
        execution.stop_date = to_moto_datetime(desc.get("stopDate"))
        execution.error = desc.get("error")
        execution.cause = desc.get("cause")
        if desc.get("mapRunArn"):
            # A Distributed Map's child execution: ListExecutions(mapRunArn=...) lists it.
            execution.map_run_arn = desc["mapRunArn"]  # type: ignore[attr-defined]
        history = [_history_event(e) for e in ex.get("history") or []]
        # Moto's history is canned; this execution answers with its real one.
        execution.get_execution_history = _canned(history)  # type: ignore[method-assign]


def _canned(history: list[dict[str, Any]]) -> Any:
    def get_execution_history(_role_arn: str) -> list[dict[str, Any]]:
        return list(history)

    return get_execution_history


def _list_map_runs() -> None:
    """Teach moto's ListExecutions the mapRunArn parameter (once): the executions loaded with that map run."""
    from moto.stepfunctions.responses import StepFunctionResponse

    original = StepFunctionResponse.list_executions
    if getattr(original, "_map_runs", False):
        return

    def list_executions(self: Any) -> Any:
        from moto.core.responses import ActionResult

        map_run = self._get_param("mapRunArn")
        if not map_run:
            return original(self)
        status = self._get_param("statusFilter")
        limit = self._get_int_param("maxResults") or 100
        found = [e for sm in self.stepfunction_backend.state_machines for e in sm.executions
                 if getattr(e, "map_run_arn", None) == map_run and (not status or e.status == status)]
        found.sort(key=lambda e: e.start_date, reverse=True)
        out = []
        for e in found[:limit]:
            item = {"executionArn": e.execution_arn, "name": e.name, "startDate": e.start_date,
                    "stateMachineArn": e.state_machine_arn, "status": e.status, "mapRunArn": map_run}
            if e.stop_date:
                item["stopDate"] = e.stop_date
            out.append(item)
        return ActionResult({"executions": out})

    list_executions._map_runs = True  # type: ignore[attr-defined]
    StepFunctionResponse.list_executions = list_executions  # type: ignore[method-assign]
