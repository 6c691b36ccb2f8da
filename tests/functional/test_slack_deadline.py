"""Slack retries stop before the Lambda's deadline: a 429 cannot eat the function's timeout.

The real slack-sdk ``WebClient`` with our retry handlers against the local Slack emulator's 429s; the
Lambda's remaining time is a clock that only moves when a retry handler sleeps, so nothing really
waits. A wait that would pass the deadline (or the per-call cap) fails the call at once with a
retryable error: the analyze handler re-raises it, Lambda retries the event and the DLQ keeps it.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from tests.conftest import SCENARIOS, scenario_event

from incident_responder.slack.client import (
    MAX_TOTAL_RETRY_SLEEP,
    Deadline,
    SlackRateLimitedError,
    SlackUnavailableError,
    make_client,
    post_message,
    slack_deadline,
)
from incident_responder_local.runtime import FakeLambdaContext, LocalStack
from incident_responder_local.slack_emulator import SlackEmulator
from incident_responder_local.world import World

TOKEN = "xoxb-local-test"
SCENARIO = SCENARIOS / "sfn_lambda_timeout"


class LambdaClock:
    """A Lambda's remaining time (seconds) that passes only when the retry handlers sleep."""

    def __init__(self, remaining: float) -> None:
        self.left = remaining
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.left -= seconds

    def remaining(self) -> float:
        return self.left


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    with SlackEmulator(bot_token=TOKEN) as slack:
        yield slack


def _client(slack: SlackEmulator, clock: LambdaClock, **kw: Any) -> Any:
    return make_client(TOKEN, slack.base_url, sleep=clock.sleep, **kw)


def test_a_retry_after_longer_than_the_time_left_fails_at_once_and_is_retryable(emulator: SlackEmulator) -> None:
    # 120 s function, 100 s left; Slack asks for 90 s: waiting would leave no time to post and record.
    clock = LambdaClock(remaining=100)
    emulator.fail_next("chat.postMessage", count=4, status=429, retry_after=90)

    with slack_deadline(Deadline(clock.remaining, reserve=15)), pytest.raises(SlackRateLimitedError) as caught:
        post_message(_client(emulator, clock, max_retry_after=90), "#data-incidents", "report")

    assert clock.slept == []  # nothing of the function's time was spent waiting
    assert caught.value.retryable and caught.value.out_of_time
    assert caught.value.retry_after == 90.0 and "deadline" in str(caught.value)
    assert emulator.call_count("chat.postMessage") == 1 and emulator.messages() == []


def test_retries_that_fit_before_the_deadline_still_deliver(emulator: SlackEmulator) -> None:
    clock = LambdaClock(remaining=100)
    emulator.fail_next("chat.postMessage", count=2, status=429, retry_after=5)

    with slack_deadline(Deadline(clock.remaining, reserve=15)):
        post_message(_client(emulator, clock), "#data-incidents", "report")

    assert clock.slept == [5.0, 5.0]
    assert emulator.call_count("chat.postMessage") == 3 and len(emulator.messages()) == 1


def test_the_retries_stop_when_the_next_wait_would_cross_the_deadline(emulator: SlackEmulator) -> None:
    # 60 s left, 15 s reserved: two 20 s waits fit (45 -> 25 -> 5 s spare), a third does not.
    clock = LambdaClock(remaining=60)
    emulator.fail_next("chat.postMessage", count=4, status=429, retry_after=20)

    with slack_deadline(Deadline(clock.remaining, reserve=15)), pytest.raises(SlackRateLimitedError) as caught:
        post_message(_client(emulator, clock, max_total_sleep=300), "#data-incidents", "report")

    assert clock.slept == [20.0, 20.0] and clock.left == 20
    assert caught.value.out_of_time and emulator.messages() == []


def test_without_a_deadline_the_waits_of_one_call_are_capped_in_total(emulator: SlackEmulator) -> None:
    # Three 429s asking for 25 s each would have slept 75 s before the fourth attempt.
    clock = LambdaClock(remaining=10_000)
    emulator.fail_next("chat.postMessage", count=3, status=429, retry_after=25)

    with pytest.raises(SlackRateLimitedError) as caught:
        post_message(_client(emulator, clock), "#data-incidents", "report")

    assert sum(clock.slept) <= MAX_TOTAL_RETRY_SLEEP and clock.slept == [25.0]
    assert caught.value.retryable and caught.value.out_of_time
    assert "at most" in str(caught.value)


def test_server_error_retries_respect_the_deadline_too(emulator: SlackEmulator) -> None:
    clock = LambdaClock(remaining=15.5)  # half a second spare after the reserve
    emulator.fail_next("chat.postMessage", count=4, status=503)

    with slack_deadline(Deadline(clock.remaining, reserve=15)), pytest.raises(SlackUnavailableError) as caught:
        post_message(_client(emulator, clock), "#data-incidents", "report")

    assert sum(clock.slept) <= 0.5
    assert caught.value.retryable and caught.value.out_of_time and caught.value.status == 503
    assert emulator.messages() == []


# ---------------------------------------------------------------- through the analyze handler


@dataclass
class ShortContext(FakeLambdaContext):
    """A Lambda context with ``millis_left`` of the function's time remaining."""

    millis_left: int = 40_000

    def get_remaining_time_in_millis(self) -> int:
        return self.millis_left


def test_analyze_handler_gives_up_before_its_timeout_and_keeps_the_event(slack: Any) -> None:
    event = scenario_event(SCENARIO.name)
    with LocalStack(World.read(SCENARIO / "world.yaml", base=SCENARIO), slack=slack) as stack:
        from incident_responder.handlers import analyze as analyze_handler  # its Metrics read the stack's env

        slack.fail_next("chat.postMessage", count=1, status=429, retry_after=90)
        # 40 s left, 15 s reserved: even the capped 30 s wait does not fit, so no real time passes.
        with pytest.raises(SlackRateLimitedError) as caught:
            analyze_handler.handler(copy.deepcopy(event), ShortContext(function_name="AnalyzeFunction"))
        assert caught.value.out_of_time and slack.call_count("chat.postMessage") == 1
        retried, _ = stack.invoke("AnalyzeFunction", copy.deepcopy(event))  # Lambda's retry of the event

    assert retried["status"] == "posted" and len(slack.messages()) == 1
