"""template.yaml and the agent: its settings are stack parameters with the same defaults as the code,
and the functions that run it may keep its daily cost counter."""

from __future__ import annotations

import json
from typing import Any

from tests.functional.test_template import _granted, _statements, template, transformed

from incident_responder.config import ENV

__all__ = ["template", "transformed"]

# environment variable -> stack parameter
AGENT_PARAMETERS = {
    "DIAGNOSIS_MODE": "DiagnosisMode",
    "BEDROCK_MODEL_ID": "BedrockModelId",
    "BEDROCK_REGION": "BedrockRegion",
    "LLM_ENABLED": "LlmEnabled",
    "AGENT_MAX_TOOL_CALLS": "AgentMaxToolCalls",
    "AGENT_TOKEN_BUDGET": "AgentTokenBudget",
    "AGENT_DEADLINE_SECONDS": "AgentDeadlineSeconds",
    "AGENT_MAX_COST_PER_INCIDENT_USD": "AgentMaxCostPerIncidentUsd",
    "AGENT_MAX_COST_PER_DAY_USD": "AgentMaxCostPerDayUsd",
}
AGENT_FUNCTIONS = ("AnalyzeFunction", "FollowupWorkerFunction")


def test_agent_settings_are_parameters_passed_to_the_functions_that_run_it(template: dict[str, Any]) -> None:
    params = template["Parameters"]
    for function_id in AGENT_FUNCTIONS:
        env = template["Resources"][function_id]["Properties"]["Environment"]["Variables"]
        for name, param in AGENT_PARAMETERS.items():
            assert env.get(name) == {"Ref": param}, (function_id, name)
    for name, param in AGENT_PARAMETERS.items():
        # A stack deployed with the defaults behaves like the code's defaults (and the README's table).
        assert str(params[param]["Default"]) == ENV[name][0], (param, params[param]["Default"], ENV[name][0])
    assert params["DiagnosisMode"]["AllowedValues"] == ["rules", "auto", "agent"]


def test_the_daily_cost_counter_can_be_read_and_counted(transformed: dict[str, Any]) -> None:
    # DynamoCostStore: GetItem (ConsistentRead) and UpdateItem ADD on the incidents table.
    for function_id in AGENT_FUNCTIONS:
        on_incidents = [s for s in _statements(transformed, function_id) if "IncidentsTable" in json.dumps(s)]
        wanted = {"dynamodb:GetItem", "dynamodb:UpdateItem"}
        assert _granted(on_incidents, wanted) == wanted, function_id


def test_bedrock_may_call_the_inference_profile_in_the_bedrock_region(template: dict[str, Any]) -> None:
    for function_id in AGENT_FUNCTIONS:
        policies = template["Resources"][function_id]["Properties"]["Policies"]
        bedrock = next(p for p in policies if "bedrock:" in json.dumps(p))
        statement = bedrock["Fn::If"][1]["Statement"][0]
        assert "bedrock:InvokeModel" in statement["Action"]
        resources = json.dumps(statement["Resource"])
        assert ":bedrock:*:${AWS::AccountId}:inference-profile/${BedrockModelId}" in resources
