"""The built analyze function under the real Lambda runtime: `sam build` output, the runtime interface
emulator aws-sam-cli ships and awslambdaric, against the local AWS and Slack servers.

A packaging mistake (a dependency, rules/ or prompts/ missing from the artifact, a wrong handler
string in template.yaml) fails here, as it would in Lambda. Slow: it reuses the session's sam build.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from slack_sdk import WebClient

from incident_responder_local.rie import RuntimeInterfaceEmulator
from incident_responder_local.runtime import BOT_TOKEN, template_functions
from incident_responder_local.server import LocalServers
from incident_responder_local.world import World

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "tests" / "scenarios" / "sfn_lambda_timeout"


def test_built_analyze_function_posts_its_report_under_the_lambda_runtime(sam_build_dir: Path) -> None:
    spec = template_functions()["AnalyzeFunction"]
    event = json.loads((SCENARIO / "event.json").read_text(encoding="utf-8"))
    output = io.StringIO()
    with LocalServers(World.read(SCENARIO / "world.yaml", base=SCENARIO)) as servers:
        env = {**dict(spec.defaults), **servers.function_env()}
        with RuntimeInterfaceEmulator(sam_build_dir / "AnalyzeFunction", spec.handler, env,
                                      function_name="AnalyzeFunction", timeout=spec.timeout,
                                      memory=spec.memory, output=output) as rie:
            result = rie.invoke(event)
        assert isinstance(result, dict) and "channel" in result, (result, output.getvalue()[-3000:])
        # The report reached the Slack emulator through the real slack-sdk, as a person would read it.
        history = WebClient(token=BOT_TOKEN, base_url=servers.slack_url).conversations_history(
            channel=result["channel"])["messages"]

    assert result["status"] == "posted", (result, output.getvalue()[-3000:])
    assert result["report"]["probable_cause"]["category"] == "timeout"
    assert len(history) == 1 and "EnrichOrders" in history[0]["text"]
    # The function ran from the artifact, not from this checkout.
    log = output.getvalue()
    assert "START RequestId" in log and "REPORT RequestId" in log
    assert str(ROOT / "functions") not in log


def test_a_second_invoke_of_the_same_event_posts_nothing_new(sam_build_dir: Path) -> None:
    spec = template_functions()["AnalyzeFunction"]
    event = json.loads((SCENARIO / "event.json").read_text(encoding="utf-8"))
    with LocalServers(World.read(SCENARIO / "world.yaml", base=SCENARIO)) as servers:
        env = {**dict(spec.defaults), **servers.function_env()}
        with RuntimeInterfaceEmulator(sam_build_dir / "AnalyzeFunction", spec.handler, env,
                                      function_name="AnalyzeFunction", output=io.StringIO()) as rie:
            first = rie.invoke(event)
            second = rie.invoke(event)  # a warm invocation of the same process; the claim is in DynamoDB
        posted = servers.slack.messages()

    assert first["status"] == "posted"
    assert second["status"] != "posted"
    assert len(posted) == 1
