"""Which failed tasks of a Step Functions history a Retry got past: those are no cause of the execution's end."""

from __future__ import annotations

from typing import Any

from incident_responder.sources.stepfunctions.evidence import StepFunctionsEvidence


def _history(*types: str) -> list[dict[str, Any]]:
    """Events in order, each following the one before it (previousEventId), as a linear history has them."""
    return [{"id": i, "previousEventId": i - 1, "type": t} for i, t in enumerate(types, start=1)]


def _failures(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in events if e["type"].endswith("Failed") and not e["type"].startswith("Execution")]


def test_a_throttled_task_its_retry_ran_again_to_success_is_recovered() -> None:
    events = _history("ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskFailed",
                      "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited", "FailStateEntered",
                      "ExecutionFailed")
    assert StepFunctionsEvidence._not_recovered(_failures(events), events) == []


def test_a_task_that_failed_twice_before_succeeding_is_recovered() -> None:
    events = _history("TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskFailed", "TaskScheduled",
                      "TaskStarted", "TaskTimedOut", "TaskScheduled", "TaskStarted", "TaskSucceeded")
    failed = [e for e in events if e["type"] in ("TaskFailed", "TaskTimedOut")]
    assert StepFunctionsEvidence._not_recovered(failed, events) == []


def test_a_failure_its_retries_never_got_past_stands() -> None:
    events = _history("TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskFailed", "TaskScheduled",
                      "TaskStarted", "TaskFailed", "TaskStateExited", "PassStateEntered", "TaskStateEntered",
                      "TaskScheduled", "TaskStarted", "TaskSucceeded")
    failures = _failures(events)
    assert StepFunctionsEvidence._not_recovered(failures, events) == failures


def test_a_map_iterations_failure_followed_by_anothers_success_stands() -> None:
    # Iterations interleave: the event after the failure is the Map's, however a later task succeeds.
    events = _history("MapStateEntered", "MapIterationStarted", "TaskScheduled", "TaskStarted", "TaskSucceeded",
                      "MapIterationSucceeded", "TaskFailed", "MapIterationFailed", "MapStateFailed",
                      "ExecutionFailed")
    failures = [e for e in events if e["type"] == "TaskFailed"]
    assert StepFunctionsEvidence._not_recovered(failures, events) == failures
