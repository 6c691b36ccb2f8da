"""Fault injection on the analyze path: stop it after each step and at each DynamoDB and Slack call, then
deliver the event again as Lambda's retry would. Whatever failed, the report is posted exactly once and
the incident ends saved as posted: nothing lost, nothing doubled.

The world is the scenario sfn_lambda_timeout (a Step Functions execution whose Lambda task timed out).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError
from tests.conftest import SCENARIOS, scenario_event

from incident_responder.aws import shared_context
from incident_responder.errors import ClaimInProgress
from incident_responder.sources import adapter_for
from incident_responder.store import IncidentStore
from incident_responder_local.runtime import LocalStack
from incident_responder_local.world import World

SCENARIO = SCENARIOS / "sfn_lambda_timeout"
EVENT = scenario_event(SCENARIO.name)
INCIDENT = adapter_for(EVENT).parse(EVENT)


@pytest.fixture
def stack(slack: Any) -> Iterator[LocalStack]:
    with LocalStack(World.read(SCENARIO / "world.yaml", base=SCENARIO), slack=slack) as local:
        yield local


def _top_level(slack: Any) -> list[dict[str, Any]]:
    return [m for m in slack.messages() if not m.get("thread_ts") or m["thread_ts"] == m["ts"]]


def _saved(stack: LocalStack) -> dict[str, Any] | None:
    return IncidentStore(stack.session.client("dynamodb"), stack.env["INCIDENTS_TABLE"]).get(INCIDENT.incident_id)


def _deliver_until_done(stack: LocalStack, attempts: int = 4) -> list[str]:
    """Deliver the event as Lambda does (the first try, then retries) until one returns; the outcomes."""
    outcomes = []
    for _ in range(attempts):
        try:
            result, _ = stack.invoke("AnalyzeFunction", copy.deepcopy(EVENT))
        except ClaimInProgress:
            outcomes.append("in progress")
            _expire_lease(stack)  # the earlier invocation's lease runs out before the next retry
            continue
        except Exception as exc:
            outcomes.append(f"failed: {type(exc).__name__}")
            continue
        outcomes.append(result["status"])
        return outcomes
    return outcomes


def _expire_lease(stack: LocalStack) -> None:
    stack.session.client("dynamodb").update_item(
        TableName=stack.env["INCIDENTS_TABLE"], Key={"incident_id": {"S": INCIDENT.incident_id}},
        UpdateExpression="SET lease_until = :zero", ExpressionAttributeValues={":zero": {"N": "0"}})


class _FailOnce:
    """A botocore before-call hook that fails the ``nth`` call of one operation, once."""

    def __init__(self, operation: str, nth: int = 1, error: Exception | None = None) -> None:
        self.operation, self.nth, self.seen, self.fired = operation, nth, 0, False
        self.error = error

    def __call__(self, model: Any = None, **_: Any) -> None:
        if self.fired or model is None or model.name != self.operation:
            return
        self.seen += 1
        if self.seen < self.nth:
            return
        self.fired = True
        raise self.error or ClientError({"Error": {"Code": "InternalFailure", "Message": "injected"}}, model.name)


# ---------------------------------------------------------------- a failure at each DynamoDB call
@pytest.mark.parametrize(("operation", "nth"), [("PutItem", 1), ("Scan", 1), ("PutItem", 2),
                                               ("TransactWriteItems", 1)],
                         ids=["claim", "catalog", "group", "save"])
def test_a_failed_dynamodb_call_is_retried_into_exactly_one_post(stack: LocalStack, slack: Any,
                                                                 operation: str, nth: int) -> None:
    hook = _FailOnce(operation, nth)
    client = shared_context(stack.world.region).client("dynamodb")
    client.meta.events.register(f"before-call.dynamodb.{operation}", hook)
    try:
        outcomes = _deliver_until_done(stack)
    finally:
        client.meta.events.unregister(f"before-call.dynamodb.{operation}", hook)
    assert hook.fired
    assert outcomes[-1] == "posted", outcomes
    assert len(_top_level(slack)) == 1
    saved = _saved(stack)
    assert saved is not None and saved["status"] == "posted" and saved["slack_ts"] == _top_level(slack)[0]["ts"]


# ---------------------------------------------------------------- Slack: a lost answer, an outage
def test_a_post_whose_answer_was_lost_is_found_not_posted_again(stack: LocalStack, slack: Any) -> None:
    """The connection breaks after Slack stored the message: the client does not resend it blindly."""
    slack.drop_response_next("chat.postMessage")
    outcomes = _deliver_until_done(stack)
    assert outcomes == ["posted"]
    assert len(_top_level(slack)) == 1
    assert sum(1 for method, _ in slack.calls if method == "chat.postMessage") == 1


def test_slack_down_then_up_posts_once(stack: LocalStack, slack: Any) -> None:
    slack.fail_next("chat.postMessage", count=8, status=503)
    outcomes = _deliver_until_done(stack)
    assert outcomes[0].startswith("failed") and outcomes[-1] == "posted", outcomes
    assert len(_top_level(slack)) == 1


# ---------------------------------------------------------------- the invocation dies after a step
class Killed(BaseException):
    """The function's process ends here (a timeout or an out-of-memory kill): no handler runs after it."""


@pytest.mark.parametrize("step", ["collect", "post", "save"])
def test_an_invocation_that_dies_after_a_step_is_taken_over_once(stack: LocalStack, slack: Any,
                                                                 monkeypatch: pytest.MonkeyPatch, step: str) -> None:
    from incident_responder import analyze as analyze_module
    from incident_responder.slack.poster import SlackPoster

    targets = {
        "collect": (analyze_module, "_collect"),
        "post": (SlackPoster, "post_report"),
        "save": (IncidentStore, "save_report"),
    }
    owner, name = targets[step]
    original = getattr(owner, name)
    calls = {"n": 0}

    def dies_after(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        out = original(*args, **kwargs)
        if calls["n"] == 1:
            raise Killed(step)
        return out

    monkeypatch.setattr(owner, name, dies_after)
    with pytest.raises(Killed):
        stack.invoke("AnalyzeFunction", copy.deepcopy(EVENT))
    if step == "save":  # it died after saving: the work was done, the retry is a duplicate
        result, _ = stack.invoke("AnalyzeFunction", copy.deepcopy(EVENT))
        assert result["status"] == "duplicate"
    else:
        # While the dead invocation's lease runs, a retry is told to come back, not acknowledged as done.
        with pytest.raises(ClaimInProgress):
            stack.invoke("AnalyzeFunction", copy.deepcopy(EVENT))
        _expire_lease(stack)
        result, _ = stack.invoke("AnalyzeFunction", copy.deepcopy(EVENT))
        assert result["status"] == "posted"
    assert len(_top_level(slack)) == 1, [m["text"][:60] for m in slack.messages()]
    saved = _saved(stack)
    assert saved is not None and saved["status"] == "posted" and saved["slack_ts"] == _top_level(slack)[0]["ts"]
