"""The agent loop against the real AnthropicBedrock client over a scripted Bedrock runtime."""

from __future__ import annotations

import json
from itertools import count
from typing import Any

import boto3
import pytest
from moto import mock_aws
from tests.agent_support import INCIDENT, MODEL, client_for, evidence, fake_aws_env, settings, submit

from incident_responder.diagnosis.agent import AgentLimits, answer_question, run_diagnosis
from incident_responder.diagnosis.cost import DynamoCostStore, MemoryCostStore, Usage, price_for
from incident_responder.diagnosis.scripted import ScriptedBedrock, message, text, tool_use
from incident_responder.diagnosis.tools import ToolContext

__all__ = ["fake_aws_env"]

pytestmark = pytest.mark.usefixtures("fake_aws_env")

EVIDENCE = evidence("Execution failed in state Load: States.TaskFailed",
                    "REPORT RequestId: 1f2e Duration: 30000.00 ms Status: timeout\nTask timed out after 30.00 seconds")
GOOD = submit(quotes=[("E2", "Task timed out after 30.00 seconds")])


def run(script: ScriptedBedrock, ctx: ToolContext | None = None, **kwargs: Any) -> Any:
    kwargs.setdefault("cfg", settings())
    return run_diagnosis(INCIDENT, ctx or ToolContext(evidence=EVIDENCE), client=client_for(script), **kwargs)


def test_calls_invoke_model_signed_with_bedrock_version_and_cached_prefix() -> None:
    script = ScriptedBedrock([message(text("Checking E2."), tool_use("get_evidence", {"id": "E2"})), GOOD])
    out = run(script)
    assert out.ok and out.submission is not None and out.submission["category"] == "timeout"
    assert script.count == 2 and script.remaining == 0
    first = script.requests[0]
    assert first.path == f"/model/{MODEL}/invoke" and first.signed
    assert first.credential_scope.endswith("/us-east-1/bedrock/aws4_request")
    assert first.body["anthropic_version"] == "bedrock-2023-05-31" and "model" not in first.body
    assert first.body["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert first.body["tools"][-1]["cache_control"] == {"type": "ephemeral"}
    assert "submit_diagnosis" in first.tools_offered and "propose_redrive" not in first.tools_offered
    # The second request carries the tool result of the first call.
    result = script.requests[1].body["messages"][-1]["content"][0]
    assert result["type"] == "tool_result" and "Task timed out" in result["content"]
    assert script.tool_calls == ["get_evidence", "submit_diagnosis"]


def test_footer_and_metrics_report_model_tools_tokens_cache_and_cost() -> None:
    usage = {"input_tokens": 1000, "output_tokens": 200, "cache_read_input_tokens": 3000,
             "cache_creation_input_tokens": 0}
    script = ScriptedBedrock([{**GOOD, "usage": usage}])
    out = run(script)
    price = price_for(MODEL)
    expected = (1000 * price.input + 200 * price.output + 3000 * price.cache_read) / 1e6
    assert out.cost_usd == pytest.approx(expected)
    footer = out.footer()
    assert MODEL in footer and "0 tool calls" in footer and "1,000 in / 200 out" in footer
    assert "3,000 read" in footer and f"${expected:.4f}" in footer
    assert out.metrics()["AgentCacheReadTokens"] == 3000


def test_tool_calls_are_bounded_and_the_last_step_forces_the_submission() -> None:
    n = count()
    looping = [message(tool_use("get_evidence", {"id": f"E{next(n) % 2 + 1}", "x": i})) for i in range(10)]
    script = ScriptedBedrock([*looping[:3], GOOD])
    out = run(script, limits=AgentLimits(max_tool_calls=2))
    assert out.ok
    assert len(out.tool_calls) == 2
    # The third answer was refused (limit), and the step after it offered only the submission.
    assert [r.tool_choice for r in script.requests][-1] == {"type": "tool", "name": "submit_diagnosis"}


def test_repeated_identical_tool_call_is_refused() -> None:
    same = tool_use("get_evidence", {"id": "E1"})
    script = ScriptedBedrock([message(same), message(tool_use("get_evidence", {"id": "E1"})), GOOD])
    out = run(script)
    assert out.ok and len(out.tool_calls) == 1
    refused = script.requests[2].body["messages"][-1]["content"][0]
    assert refused["is_error"] and "already made" in refused["content"]


def test_large_tool_output_is_truncated_with_a_note() -> None:
    big = evidence("start", "x" * 20000)
    script = ScriptedBedrock([message(tool_use("get_evidence", {"id": "E2"})),
                              submit(quotes=[("E1", "start")], category="unknown")])
    out = run(script, ctx=ToolContext(evidence=big))
    assert out.ok
    content = script.requests[1].body["messages"][-1]["content"][0]["content"]
    assert len(content) <= 4000 and "truncated: the result had" in content
    # The first message cut the long evidence too, and said where the rest is.
    assert "get_evidence(E2) has all" in script.requests[0].body["messages"][0]["content"][0]["text"]


def test_invalid_submission_gets_one_correction_then_the_rules_stand() -> None:
    bad = submit(category="gremlins", quotes=[("E2", "Task timed out")])
    script = ScriptedBedrock([bad, GOOD])
    out = run(script)
    assert out.ok and out.submission is not None
    err = script.requests[1].body["messages"][-1]["content"][0]
    assert err["is_error"] and "category must be one of" in err["content"]

    script = ScriptedBedrock([bad, submit(quotes=[("E99", "made up")])])
    out = run(script)
    assert out.status == "invalid" and "E99 is not an evidence id" in out.reason and out.submission is None


@pytest.mark.parametrize(("error", "reason"), [
    ({"status": 429, "type": "ThrottlingException", "message": "Too many requests"}, "throttled"),
    ({"status": 403, "type": "AccessDeniedException", "message": "not authorized"}, "denied access"),
    ({"status": 400, "type": "ValidationException",
      "message": "Invocation of model ID with on-demand throughput isn't supported"}, "rejected the request"),
    ({"status": 404, "type": "ResourceNotFoundException", "message": "Model not found"}, "not found"),
    ({"status": 500, "type": "InternalServerException", "message": "boom"}, "unavailable"),
])
def test_bedrock_errors_come_back_as_a_result(error: dict[str, Any], reason: str) -> None:
    out = run(ScriptedBedrock([{"error": error}]))
    assert out.status == "error" and reason in out.reason and error["type"] in out.reason
    assert "not used" in out.note()


def test_outage_and_invalid_response_do_not_raise() -> None:
    out = run(ScriptedBedrock([]))  # the script is empty: Bedrock is down
    assert out.status == "error" and "ServiceUnavailableException" in out.reason
    out = run(ScriptedBedrock([{"raw": "<html>gateway</html>"}]))
    assert out.status == "error" and "not a valid message" in out.reason


def test_throttling_is_retried_once_by_the_sdk() -> None:
    script = ScriptedBedrock([{"error": {"status": 429, "type": "ThrottlingException", "message": "slow"}}, GOOD])
    out = run_diagnosis(INCIDENT, ToolContext(evidence=EVIDENCE), cfg=settings(),
                        client=client_for(script, max_retries=1))
    assert out.ok and script.count == 2


def test_deadline_token_budget_and_cost_caps_stop_the_run() -> None:
    ticks = iter([0.0, 0.0, 100.0, 100.0, 100.0, 100.0, 100.0, 100.0])
    script = ScriptedBedrock([message(tool_use("get_evidence", {"id": "E1"})), GOOD])
    out = run(script, limits=AgentLimits(deadline_seconds=30), clock=lambda: next(ticks, 100.0))
    assert out.status == "limit" and "deadline" in out.reason and script.count == 1

    heavy = {"input_tokens": 39000, "output_tokens": 500, "cache_read_input_tokens": 0,
             "cache_creation_input_tokens": 0}
    script = ScriptedBedrock([{**message(tool_use("get_evidence", {"id": "E1"})), "usage": heavy}, GOOD])
    out = run(script, limits=AgentLimits(token_budget=40000))
    assert out.status == "limit" and "token budget" in out.reason and script.count == 1

    pricey = {**heavy, "input_tokens": 30000}
    script = ScriptedBedrock([{**message(tool_use("get_evidence", {"id": "E1"})), "usage": pricey}, GOOD])
    out = run(script, limits=AgentLimits(max_cost_incident=0.10, token_budget=10**6))
    assert out.status == "limit" and "per-incident cost cap" in out.reason and script.count == 1


def test_daily_cost_cap_skips_the_call_and_spend_is_counted() -> None:
    store = MemoryCostStore()
    store.add(5.0)
    script = ScriptedBedrock([GOOD])
    out = run(script, cost_store=store, limits=AgentLimits(max_cost_day=5.0))
    assert out.status == "skipped" and "daily cost cap" in out.reason and script.count == 0

    store = MemoryCostStore()
    out = run(ScriptedBedrock([GOOD]), cost_store=store)
    assert out.ok and store.spent_today() == pytest.approx(out.cost_usd) and out.cost_usd > 0


def test_dynamodb_daily_counter_is_atomic_and_fails_closed() -> None:
    with mock_aws():
        db = boto3.client("dynamodb", region_name="us-east-1")
        db.create_table(TableName="incidents", KeySchema=[{"AttributeName": "incident_id", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "incident_id", "AttributeType": "S"}],
                        BillingMode="PAY_PER_REQUEST")
        store = DynamoCostStore(db, "incidents")
        assert store.spent_today() == 0
        store.add(0.0125)
        assert store.add(0.0100) == pytest.approx(0.0225)
        assert store.spent_today() == pytest.approx(0.0225)
        assert DynamoCostStore(db, "no-such-table").spent_today() == float("inf")


def test_nothing_secret_reaches_the_model() -> None:
    secret_ev = evidence("Execution failed: postgres://etl:hunter2hunter2@db:5432/x refused",
                         "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\nTask timed out")
    script = ScriptedBedrock([message(tool_use("get_evidence", {"id": "E2"})), GOOD])
    run(script, ctx=ToolContext(evidence=secret_ev),
        hint={"category": "unknown", "explanation": "password=hunter2hunter2", "confidence": "low",
              "evidence_ids": []})
    sent = json.dumps([r.body for r in script.requests])
    assert "hunter2hunter2" not in sent and "wJalrXUtnFEMI" not in sent
    assert "[REDACTED:" in sent


def test_thread_answer_and_redrive_intent() -> None:
    ctx = ToolContext(evidence=EVIDENCE, redrive_available=True)
    script = ScriptedBedrock([message(tool_use("propose_redrive", {"reason": "asked by the on-call"})),
                              message(text("A redrive preview is posted below (E2: the function timed out)."))])
    out = answer_question(INCIDENT, ctx, "why did it fail? please redrive it", cfg=settings(), question_user="U1",
                          thread=[{"user": "U2", "text": "is this the usual timeout?"}], client=client_for(script))
    assert out.ok and out.answer is not None and "E2" in out.answer
    assert out.intents == [{"intent": "redrive_preview", "reason": "asked by the on-call"}]
    assert "propose_redrive" in script.requests[0].tools_offered
    assert "submit_diagnosis" not in script.requests[0].tools_offered
    first = script.requests[0].body["messages"][0]["content"][0]["text"]
    assert "is this the usual timeout?" in first and "please redrive it" in first


def test_thread_without_redrive_offers_no_redrive_tool() -> None:
    script = ScriptedBedrock([message(text("It timed out (E2)."))])
    out = answer_question(INCIDENT, ToolContext(evidence=EVIDENCE), "why?", cfg=settings(),
                          client=client_for(script))
    assert out.ok and "propose_redrive" not in script.requests[0].tools_offered and out.intents == []


def test_usage_and_prices() -> None:
    u = Usage()
    u.add({"input_tokens": 10, "output_tokens": 5, "cache_read_input_tokens": 7, "cache_creation_input_tokens": 3})
    assert u.total_tokens == 25 and u.calls == 1
    assert price_for("global.anthropic.claude-haiku-4-5-20251001-v1:0").input == 1.00
    assert price_for("us.anthropic.claude-haiku-4-5-20251001-v1:0").input == pytest.approx(1.10)
    assert price_for("anthropic.claude-3-5-haiku-20241022-v1:0").input == 0.80
    assert price_for("some.unknown-model").input >= 3.0


def test_model_yaml_script_is_served_in_order_then_bedrock_is_down() -> None:
    from tests.conftest import FIXTURES

    script = ScriptedBedrock.from_yaml(FIXTURES / "agent" / "model.yaml")
    out = run(script)
    assert out.ok and out.submission is not None and out.submission["category"] == "timeout"
    assert out.usage.cache_read_tokens == 1650 and out.usage.cache_write_tokens == 1650
    # The next run meets the scripted throttling, the one after it an outage.
    assert "ThrottlingException" in run(script).reason
    assert "ServiceUnavailableException" in run(script).reason
    assert script.count == 4 and script.tool_calls == ["get_evidence", "submit_diagnosis"]


def test_deadline_stays_inside_the_invocation_time_left() -> None:
    cfg = settings(agent_deadline_seconds=45.0)
    assert AgentLimits.from_settings(cfg, remaining_seconds=900).deadline_seconds == 45.0
    assert AgentLimits.from_settings(cfg, remaining_seconds=40).deadline_seconds == pytest.approx(24.0)
    script = ScriptedBedrock([GOOD])
    out = run(script, remaining_seconds=12)
    assert out.status == "skipped" and "not enough time" in out.reason and script.count == 0


def test_thread_last_step_offers_no_tool_and_refuses_more_calls() -> None:
    calls = [message(tool_use("get_evidence", {"id": f"E{i}"})) for i in (1, 2)]
    script = ScriptedBedrock([*calls, message(text("E2 shows the timeout."))])
    out = answer_question(INCIDENT, ToolContext(evidence=EVIDENCE), "why?", cfg=settings(llm_max_steps=1),
                          client=client_for(script))
    assert out.ok and out.answer == "E2 shows the timeout." and len(out.tool_calls) == 1
    assert [r.tool_choice for r in script.requests] == [{"type": "auto"}, {"type": "none"}, {"type": "none"}]


def test_metrics_are_published_per_run() -> None:
    from aws_lambda_powertools import Metrics

    from incident_responder.diagnosis.agent import publish_metrics

    out = run(ScriptedBedrock([message(tool_use("get_evidence", {"id": "E1"})), GOOD]))
    metrics = Metrics(namespace="IncidentResponderTest", service="test")
    metrics.clear_metrics()  # Powertools shares the metric set between instances
    try:
        publish_metrics(out, metrics)
        emf = metrics.serialize_metric_set()
    finally:
        metrics.clear_metrics()
    names = {m["Name"] for m in emf["_aws"]["CloudWatchMetrics"][0]["Metrics"]}
    assert {"AgentToolCalls", "AgentCostUSD", "AgentCacheReadTokens", "AgentOk"} <= names
    assert emf["AgentToolCalls"] in (1.0, [1.0]) and emf["AgentOk"] in (1.0, [1.0])
