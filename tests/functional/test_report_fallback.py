"""A report whose channel refuses it goes to the fallback channel, saying why; token errors still fail.

The analyze handler end to end in a local account (the sfn_lambda_timeout scenario: its catalog entry
names ``#orders-data``) with the local Slack emulator, whose channel is deleted, archived, or without
the app; DEFAULT_SLACK_CHANNEL is ``#data-incidents``.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
from tests.conftest import SCENARIOS, scenario_event

from incident_responder.slack.client import SlackPostError
from incident_responder.store import IncidentStore
from incident_responder_local.runtime import LocalStack
from incident_responder_local.world import World

SCENARIO = SCENARIOS / "sfn_lambda_timeout"
EVENT = scenario_event(SCENARIO.name)


@pytest.fixture
def stack(slack: Any) -> Iterator[LocalStack]:
    with LocalStack(World.read(SCENARIO / "world.yaml", base=SCENARIO), slack=slack) as local:
        yield local


def _shown(message: dict[str, Any]) -> str:
    return message["text"] + json.dumps(message.get("blocks") or [])


@pytest.mark.parametrize("error", ["channel_not_found", "not_in_channel", "is_archived"])
def test_a_report_for_a_refusing_channel_goes_to_the_fallback_channel_with_the_reason(
    stack: LocalStack, slack: Any, error: str
) -> None:
    slack.close_channel("#orders-data", error)

    result, output = stack.invoke("AnalyzeFunction", EVENT)

    assert result["status"] == "posted"
    fallback = slack.channel_id("data-incidents")
    assert result["channel"] == fallback
    (message,) = slack.messages()
    assert message["channel"] == fallback
    shown = _shown(message)
    assert "#orders-data" in shown and error in shown and "fallback channel" in shown
    assert "Task timed out" in shown  # the whole report, not only the note
    assert len(message["blocks"]) <= 50
    assert f"refused the report for #orders-data ({error})" in output  # the reason is logged too
    # The incident points at where the report really is, so replies in that thread are answered.
    store = IncidentStore(stack.session.client("dynamodb"), stack.env["INCIDENTS_TABLE"])
    assert store.by_thread(fallback, result["ts"])["incident_id"] == result["report"]["incident_id"]


@pytest.mark.parametrize("error", ["invalid_auth", "token_revoked"])
def test_token_errors_still_fail_and_post_nothing_anywhere(stack: LocalStack, slack: Any, error: str) -> None:
    slack.fail_next("chat.postMessage", error=error)

    with pytest.raises(SlackPostError) as caught:
        stack.invoke("AnalyzeFunction", EVENT)

    assert caught.value.error == error
    assert slack.messages() == [] and slack.call_count("chat.postMessage") == 1
    retried, _ = stack.invoke("AnalyzeFunction", copy.deepcopy(EVENT))  # the claim was released: kept
    assert retried["status"] == "posted"


def test_when_the_fallback_channel_refuses_too_the_report_fails_to_be_retried(
    stack: LocalStack, slack: Any
) -> None:
    slack.close_channel("#orders-data", "is_archived")
    slack.close_channel("#data-incidents", "not_in_channel")

    with pytest.raises(SlackPostError) as caught:
        stack.invoke("AnalyzeFunction", EVENT)

    assert caught.value.error == "not_in_channel"
    assert slack.messages() == []


def test_a_repeat_whose_thread_channel_was_archived_is_reported_in_the_fallback_channel(slack: Any) -> None:
    from tests.functional.test_analyze_handler import _second_event, _world

    with LocalStack(_world(second_execution=True), slack=slack, env={"GROUP_WINDOW_MINUTES": "30"}) as stack:
        first, _ = stack.invoke("AnalyzeFunction", EVENT)
        slack.close_channel("#orders-data", "is_archived")
        second, _ = stack.invoke("AnalyzeFunction", _second_event())

    assert first["status"] == "posted" and second["channel"] == slack.channel_id("data-incidents")
    latest = slack.messages()[-1]
    assert latest["channel"] == slack.channel_id("data-incidents") and not latest.get("thread_ts")
    assert "is_archived" in _shown(latest) and "Task timed out" in _shown(latest)
