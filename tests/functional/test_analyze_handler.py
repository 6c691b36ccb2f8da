"""The analyze handler end to end: EventBridge events through ``handlers.analyze`` as Lambda calls it, in a
fresh local account (moto, tables from template.yaml) with the local Slack.

The account holds the world of the scenario sfn_lambda_timeout (a Step Functions execution whose Lambda
task timed out), and the events are that scenario's event and variations of it.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
from tests.conftest import SCENARIOS, emf_metrics, json_lines, scenario_event

from incident_responder.slack.client import SlackUnavailableError
from incident_responder.store import IncidentStore
from incident_responder_local.runtime import LocalStack
from incident_responder_local.world import World

SCENARIO = SCENARIOS / "sfn_lambda_timeout"
EVENT = scenario_event(SCENARIO.name)
RETRY_NAME = "nightly-2024-03-13-retry1"


def _world(second_execution: bool = False) -> World:
    world = World.read(SCENARIO / "world.yaml", base=SCENARIO)
    if second_execution:  # the same failure again, in a later execution of the same state machine
        data = copy.deepcopy(world.data)
        again = copy.deepcopy(data["stepfunctions"]["executions"][0])
        arn = again["describe"]["executionArn"].rsplit(":", 1)[0] + f":{RETRY_NAME}"
        again["describe"].update(executionArn=arn, name=RETRY_NAME)
        data["stepfunctions"]["executions"].append(again)
        world = World(data=data, base=world.base, region=world.region, account=world.account, env=world.env)
    return world


def _second_event() -> dict[str, Any]:
    event = copy.deepcopy(EVENT)
    arn = event["detail"]["executionArn"].rsplit(":", 1)[0] + f":{RETRY_NAME}"
    event["id"] = "0c5e9f2a-7b41-4d3e-9a86-5f1d2c7e4b90"
    event["resources"] = [arn]
    event["detail"].update(executionArn=arn, name=RETRY_NAME)
    return event


@pytest.fixture
def stack(slack: Any) -> Iterator[LocalStack]:
    with LocalStack(_world(), slack=slack) as local:
        yield local


def _top_level(slack: Any) -> list[dict[str, Any]]:
    return [m for m in slack.messages() if not m.get("thread_ts") or m["thread_ts"] == m["ts"]]


def _store(stack: LocalStack) -> IncidentStore:
    return IncidentStore(stack.session.client("dynamodb"), stack.env["INCIDENTS_TABLE"])


# ---------------------------------------------------------------- exactly once, grouping
def test_same_event_delivered_twice_posts_once(stack: LocalStack, slack: Any) -> None:
    first, _ = stack.invoke("AnalyzeFunction", EVENT)
    second, output = stack.invoke("AnalyzeFunction", copy.deepcopy(EVENT))
    assert first["status"] == "posted"
    assert second["status"] == "duplicate"
    assert (second["channel"], second["ts"]) == (first["channel"], first["ts"])  # points at the report
    assert len(slack.messages()) == 1
    assert emf_metrics(output).get("EventsDuplicate") in (1, [1], 1.0, [1.0])


@pytest.mark.parametrize(("window", "grouped"), [("30", True), ("0", False)], ids=["within", "outside"])
def test_second_failure_within_the_window_goes_into_the_first_reports_thread(
        slack: Any, window: str, grouped: bool) -> None:
    env = {"GROUP_WINDOW_MINUTES": window}
    with LocalStack(_world(second_execution=True), slack=slack, env=env) as stack:
        first, _ = stack.invoke("AnalyzeFunction", EVENT)
        second, _ = stack.invoke("AnalyzeFunction", _second_event())
        store = _store(stack)
        assert first["status"] == "posted"
        if not grouped:
            assert second["status"] == "posted"
            assert len(_top_level(slack)) == 2
            return
        assert second["status"] == "grouped"
        assert len(_top_level(slack)) == 1
        replies = [m for m in slack.messages() if m.get("thread_ts") and m["thread_ts"] != m["ts"]]
        assert len(replies) == 1 and replies[0]["thread_ts"] == first["ts"]
        assert RETRY_NAME in replies[0]["text"] and "Happened again" in replies[0]["text"]
        # Both incidents are stored; the thread leads to the first one.
        assert store.get(second["report"]["incident_id"])["thread_ts"] == first["ts"]
        assert store.by_thread(first["channel"], first["ts"])["incident_id"] == first["report"]["incident_id"]


# ---------------------------------------------------------------- Slack trouble
def test_slack_down_raises_and_a_redelivery_posts_once(stack: LocalStack, slack: Any) -> None:
    slack.down()
    try:
        with pytest.raises(SlackUnavailableError):  # so EventBridge/Lambda retry the event
            stack.invoke("AnalyzeFunction", EVENT)
    finally:
        slack.up()
    assert slack.messages() == []
    retried, _ = stack.invoke("AnalyzeFunction", copy.deepcopy(EVENT))  # the claim was released
    assert retried["status"] == "posted"
    assert len(slack.messages()) == 1
    again, _ = stack.invoke("AnalyzeFunction", copy.deepcopy(EVENT))
    assert again["status"] == "duplicate"
    assert len(slack.messages()) == 1


def test_slack_rate_limited_twice_then_ok_posts_once(stack: LocalStack, slack: Any) -> None:
    slack.fail_next("chat.postMessage", count=2, status=429, retry_after=1)
    result, _ = stack.invoke("AnalyzeFunction", EVENT)
    assert result["status"] == "posted"
    assert slack.call_count("chat.postMessage") == 3
    assert len(slack.messages()) == 1


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize("event", [
    {"version": "0", "id": "a1", "source": "aws.states",
     "detail-type": "Step Functions Execution Status Change"},
    {**EVENT, "detail": {"status": "FAILED", "name": "no-execution-arn"}},
    {**EVENT, "detail": "FAILED"},
    {**EVENT, "source": "aws.s3", "detail-type": "Object Created", "detail": {"bucket": {"name": "b"}}},
    {**EVENT, "detail-type": "Step Functions State Machine Updated"},
], ids=["no-detail", "no-execution-arn", "detail-not-object", "unknown-source", "unknown-detail-type"])
def test_malformed_or_unknown_event_is_rejected_logged_and_counted(
        stack: LocalStack, slack: Any, event: dict[str, Any]) -> None:
    result, output = stack.invoke("AnalyzeFunction", event)
    assert result["status"] == "rejected" and result["reason"]
    rejected = [line for line in json_lines(output) if line.get("message") == "event rejected"]
    assert len(rejected) == 1 and rejected[0]["level"] == "ERROR", output
    assert emf_metrics(output).get("EventsRejected") in (1, [1], 1.0, [1.0]), output
    assert slack.messages() == []


# ---------------------------------------------------------------- evidence that cannot be read
def test_history_access_denied_still_posts_with_a_gap(
        stack: LocalStack, slack: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.core.exceptions import AWSError
    from moto.stepfunctions.models import stepfunctions_backends

    arn = EVENT["detail"]["executionArn"]
    message = (f"User: arn:aws:sts::{stack.world.account}:assumed-role/incident-responder-analyze/analyze "
               f"is not authorized to perform: states:GetExecutionHistory on resource: {arn} because no "
               "identity-based policy allows the states:GetExecutionHistory action")

    def denied(_role_arn: str) -> Any:
        raise AWSError(message, exception_type="AccessDeniedException", status=400)

    # No IAM in the local account: this execution's history answers as AWS does without the permission.
    execution = stepfunctions_backends[stack.world.account][stack.world.region].describe_execution(arn)
    monkeypatch.setattr(execution, "get_execution_history", denied)

    result, output = stack.invoke("AnalyzeFunction", EVENT)
    assert result["status"] == "posted"
    report = result["report"]
    gaps = [g for g in report["gaps"] if "GetExecutionHistory" in g]
    assert gaps and "AccessDeniedException" in gaps[0] and "not authorized" in gaps[0], report["gaps"]
    # Still a useful report from DescribeExecution: the error and its cause.
    assert report["probable_cause"]["category"] == "timeout"
    assert any("Task timed out after 60.06 seconds" in e["text"] for e in report["evidence"])
    text = slack.messages()[0]["text"] + json.dumps(slack.messages()[0]["blocks"])
    assert "AccessDeniedException" in text  # people see what could not be read
    assert emf_metrics(output).get("EvidenceReadsFailed") in (1, [1], 1.0, [1.0])


# ---------------------------------------------------------------- persistence
def test_incident_is_stored_with_its_slack_ts_and_found_by_thread(stack: LocalStack, slack: Any) -> None:
    result, _ = stack.invoke("AnalyzeFunction", EVENT)
    store = _store(stack)
    item = store.by_thread(result["channel"], result["ts"])
    assert item is not None
    assert item["incident_id"] == result["report"]["incident_id"]
    assert (item["status"], item["channel"], item["slack_ts"]) == ("posted", result["channel"], result["ts"])
    assert item["channel"] == slack.channel_id("#orders-data")  # the catalog's channel for the pipeline
    assert json.loads(item["report"])["probable_cause"]["category"] == "timeout"
    assert store.by_thread(result["channel"], "1.000000") is None


# ---------------------------------------------------------------- an invocation that died, another region
def test_a_report_whose_invocation_died_is_taken_over_by_the_retry(stack: LocalStack, slack: Any) -> None:
    """A timeout or OOM kill leaves the claim pending: the retry after the lease takes over and posts."""
    from incident_responder.sources import adapter_for

    incident = adapter_for(EVENT).parse(EVENT)
    store = _store(stack)
    # The first invocation claimed the incident with a lease that ended (it died at its deadline).
    store.claim(incident.incident_id, incident.fingerprint, incident.event_id, lease_seconds=-1)
    result, output = stack.invoke("AnalyzeFunction", EVENT)
    assert result["status"] == "posted" and len(_top_level(slack)) == 1
    assert emf_metrics(output).get("ClaimLeaseExpired") in (1, [1], 1.0, [1.0])


def test_a_delivery_while_another_invocation_reports_is_retried_not_dropped(stack: LocalStack, slack: Any) -> None:
    from incident_responder.errors import ClaimInProgress
    from incident_responder.sources import adapter_for

    incident = adapter_for(EVENT).parse(EVENT)
    _store(stack).claim(incident.incident_id, incident.fingerprint, incident.event_id, lease_seconds=120)
    with pytest.raises(ClaimInProgress):  # Lambda retries it; a "duplicate" success would lose the report
        stack.invoke("AnalyzeFunction", EVENT)
    assert slack.messages() == []


def test_an_event_from_another_region_is_reported_with_the_responder_s_own_tables(slack: Any) -> None:
    """The responder's tables and secrets live in its own region; the evidence in the event's."""
    world = _world()
    world = World(data=world.data, base=world.base, region=world.region, account=world.account,
                  env={**world.env, "AWS_REGION": world.region})
    event = copy.deepcopy(EVENT)
    other = "us-west-2" if world.region != "us-west-2" else "eu-central-1"
    event["region"] = other
    event["detail"]["executionArn"] = event["detail"]["executionArn"].replace(f":{world.region}:", f":{other}:")
    event["detail"]["stateMachineArn"] = event["detail"]["stateMachineArn"].replace(f":{world.region}:", f":{other}:")
    with LocalStack(world, slack=slack) as stack:
        result, _ = stack.invoke("AnalyzeFunction", event)
        assert result["status"] == "posted", result
        saved = _store(stack).get(result["report"]["incident_id"])
    assert saved is not None and saved["status"] == "posted"
    # The execution lives in the other region, where this account has none: a gap, not a lost report.
    assert any("ExecutionDoesNotExist" in g or "could not be read" in g for g in result["report"]["gaps"]) or (
        "from the event" in json.dumps(result["report"]["evidence"]))


def test_the_claim_lease_ends_soon_after_the_invocation_can(stack: LocalStack) -> None:
    import time

    before = time.time()
    result, _ = stack.invoke("AnalyzeFunction", EVENT)
    item = _store(stack).get(result["report"]["incident_id"])
    assert item is not None
    # The local context has the template's 120 s timeout; the lease is that and a 10 s margin, not 300 s.
    assert before + 120 <= int(item["lease_until"]) <= time.time() + 131


@pytest.mark.parametrize("trial", range(4))
def test_two_executions_failing_at_once_post_one_top_level_report(slack: Any, trial: int) -> None:
    """Concurrent repeats of one failure: one opens the group and posts; the other threads under it."""
    import threading

    from incident_responder.analyze import analyze

    with LocalStack(_world(second_execution=True), slack=slack, env={"GROUP_WINDOW_MINUTES": "30"}):
        results: list[Any] = [None, None]
        start = threading.Barrier(2)

        def run(i: int, event: dict[str, Any]) -> None:
            start.wait()
            try:
                results[i] = analyze(event, lease_seconds=130).to_dict()  # two Lambda containers at once
            except Exception as exc:  # a retry-later answer counts as not posted yet
                results[i] = exc

        threads = [threading.Thread(target=run, args=(0, copy.deepcopy(EVENT))),
                   threading.Thread(target=run, args=(1, _second_event()))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    statuses = sorted(r["status"] if isinstance(r, dict) else type(r).__name__ for r in results)
    assert statuses == ["grouped", "posted"], results
    assert len(_top_level(slack)) == 1
    root = _top_level(slack)[0]
    assert [m["thread_ts"] for m in slack.messages() if m["ts"] != root["ts"]] == [root["ts"]]
