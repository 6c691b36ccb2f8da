"""Reading a Step Functions history: which failed tasks a Retry got past (no cause of the execution's end), what a
poll loop's last answer says before the Fail state it led to, and which names an execution's ARN holds."""

from __future__ import annotations

from typing import Any

import pytest
from tests.collectors import stepfunctions_collector

from incident_responder.sources.stepfunctions.evidence import StepFunctionsEvidence, execution_names


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


def _poll_loop(output: str) -> list[dict[str, Any]]:
    events = _history("TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited",
                      "ChoiceStateEntered", "ChoiceStateExited", "FailStateEntered", "ExecutionFailed")
    events[0]["stateEnteredEventDetails"] = {"name": "DescribeFeatureGroup"}
    events[1]["taskScheduledEventDetails"] = {"resourceType": "aws-sdk:sagemaker", "resource": "describeFeatureGroup"}
    events[3]["taskSucceededEventDetails"] = {"output": output}
    events[-1]["executionFailedEventDetails"] = {"error": "FeatureGroupFailed", "cause": "See the feature group"}
    return events


def test_a_poll_loops_last_answer_before_the_fail_state_gives_its_reason() -> None:
    # aws/amazon-sagemaker-examples#2079: a describe call's answer, read as failed by a Choice, names why.
    events = _poll_loop('{"FeatureGroupStatus": "CreateFailed", "FailureReason": "Insufficient Lake Formation '
                        'permission(s): Required Create Database on Catalog"}')
    c = stepfunctions_collector()
    StepFunctionsEvidence()._reported_failure(c, events[-1], {e["id"]: e for e in events}, "")
    assert any("Required Create Database on Catalog" in e.text for e in c.book.items)


def test_a_poll_loops_answer_without_a_reason_adds_nothing() -> None:
    events = _poll_loop('{"FeatureGroupStatus": "Creating"}')
    c = stepfunctions_collector()
    StepFunctionsEvidence()._reported_failure(c, events[-1], {e["id"]: e for e in events}, "")
    assert c.book.items == []


@pytest.mark.parametrize(("arn", "names"), [
    ("arn:aws:states:eu-west-1:123456789012:execution:orders-etl:run-2024-06-02", ("orders-etl", "run-2024-06-02")),
    # an Express execution adds an id after its name: the name is not that id, nor the machine the name
    ("arn:aws:states:eu-west-1:123456789012:express:outage-reminder:reminder-3f8c2a61:b91e4d07-5c2a-4e8b-9d13-7a0f",
     ("outage-reminder", "reminder-3f8c2a61")),
    # a Distributed Map's child names its machine with the map run's label
    ("arn:aws:states:us-east-1:123456789012:execution:ingest/map-run-1:0a1b2c3d", ("ingest/map-run-1", "0a1b2c3d")),
])
def test_an_execution_arn_names_its_machine_and_itself(arn: str, names: tuple[str, str]) -> None:
    assert execution_names(arn) == names
