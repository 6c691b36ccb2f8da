"""The follow-up worker reads a member account's incident where it is: through the account's read role
(the analyzer's per-account credential cache), never with the central account's credentials, which see
only the central account's resources of the same names. Local AWS (moto) tells the accounts apart by the
credentials of each call, as AWS does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from incident_responder.aws import AwsContext, clear_shared_contexts
from incident_responder_local.replay import Scenario
from incident_responder_local.runtime import LocalStack
from incident_responder_local.thread_replay import run_thread

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
MEMBER = "222222222222"
CRAWLER_ARN = f"arn:aws:glue:eu-west-1:{MEMBER}:crawler/orders-landing"


def _replies(steps: list[dict[str, Any]]) -> list[str]:
    return [r["text"] for step in steps for r in step["replies"]]


def _assumed(account: str) -> list[tuple[str, str | None]]:
    from moto.sts.models import sts_backends

    return [(r.arn.split("/")[1], r.external_id) for r in sts_backends[account]["aws"].assumed_roles]


@pytest.fixture
def thread_world(slack_emulator: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.delenv("MOTO_ACCOUNT_ID", raising=False)
    clear_shared_contexts()
    slack_emulator.reset()
    scenario = Scenario.load(SCENARIOS / "accounts_member_thread_reads_through_role")
    with LocalStack(scenario.world, slack=slack_emulator) as stack:
        yield scenario, stack
    clear_shared_contexts()


def test_thread_answers_read_the_member_account_through_its_read_role_only(thread_world: Any) -> None:
    scenario, stack = thread_world
    result, _ = stack.invoke("AnalyzeFunction", scenario.event)
    assert result["status"] == "posted"
    steps = run_thread(stack, scenario, result)
    assert not [f for step in steps for f in step["failures"]], steps
    status, logs = _replies(steps)
    assert "Service is unable to assume provided role" in status
    assert "home account's own crawler" not in status  # the central crawler of the same name
    assert "ERROR : Service is unable to assume provided role" in logs
    assert "home account's own log line" not in logs
    roles = {name for name, _ in _assumed(MEMBER)} - {"world-loader"}
    assert roles == {"incident-responder-read"}  # answering never takes the redrive role
    assert all(ext == "ext-central-0001" for name, ext in _assumed(MEMBER) if name != "world-loader")


def test_the_agents_tools_read_the_member_account(thread_world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from incident_responder.config import settings
    from incident_responder.followup.answers import Asked, _agent_tools
    from incident_responder.followup.context import ThreadContext
    from incident_responder.followup.intents import Intent

    _, stack = thread_world
    for key, value in stack.env.items():
        monkeypatch.setenv(key, value)
    ctx = ThreadContext(aws=AwsContext(region="eu-west-1", session=stack.session), settings=settings(),
                        slack=None, store=None, channel="C0ALERTS", thread_ts="1.0", message_ts=None)  # type: ignore[arg-type]
    report = {"incident_id": "i-1", "source": "gluecrawler", "status": "Failed",
              "resource": {"arn": CRAWLER_ARN, "name": "orders-landing", "run_id": "2024-06-02T04:12:40Z"}}
    windows = [{"group": "/aws-glue/crawlers", "start": "2024-06-02T04:00:00Z", "end": "2024-06-02T04:13:00Z"}]
    asked = Asked(ctx=ctx, incident={"incident_id": "i-1", "resource_arn": CRAWLER_ARN, "report": json.dumps(report),
                                     "log_windows": json.dumps(windows)},
                  intent=Intent(name="unknown", text="why did it fail?"), user="U0ONCALL01")
    tools = _agent_tools(asked, redrive_available=False)
    described = json.dumps(tools.describe_resource())
    assert "Service is unable to assume provided role" in described
    assert "home account's own crawler" not in described
    found = tools.logs.filter_log_events(logGroupName="/aws-glue/crawlers")["events"]
    assert [e["message"] for e in found][-1] == "ERROR : Service is unable to assume provided role. Please verify " \
                                                "role's TrustPolicy"


def test_an_account_without_the_role_gets_an_answer_that_says_what_could_not_be_read(
        slack_emulator: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MOTO_ACCOUNT_ID", raising=False)
    clear_shared_contexts()
    slack_emulator.reset()
    scenario = Scenario.load(SCENARIOS / "accounts_member_thread_without_role")
    with LocalStack(scenario.world, slack=slack_emulator) as stack:
        result, _ = stack.invoke("AnalyzeFunction", scenario.event)
        steps = run_thread(stack, scenario, result)
    clear_shared_contexts()
    assert not [f for step in steps for f in step["failures"]], steps
    status = _replies(steps)[0]
    assert "nothing of account 444444444444 (legacy) could be read" in status
    assert "home account's own crawler" not in status
    log = steps[0]["worker_log"]
    assert "member role not assumed" in log and "444444444444" in log  # a log line, not a stack trace
    assert "Traceback" not in log and "follow-up answer failed" not in log
