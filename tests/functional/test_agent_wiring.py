"""The agent wired into the product, replayed end to end (analyze handler, local AWS, local Slack, the
real anthropic client over the scripted Bedrock runtime): the report people read, the thread, the
replay's ``model_requests``, ``eval`` and the demo."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from incident_responder_local.cli import main
from incident_responder_local.expectations import ScenarioError, slack_text, validate_expect
from incident_responder_local.replay import run_scenario

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "tests" / "scenarios"


@pytest.fixture(scope="module")
def replayed(slack_emulator: Any) -> Any:
    cache: dict[str, dict[str, Any]] = {}

    def get(name: str) -> dict[str, Any]:
        if name not in cache:
            cache[name] = run_scenario(SCENARIOS / name, slack_emulator)
        return cache[name]

    return get


def test_the_agents_report_says_who_wrote_it_and_what_it_cost(replayed: Any) -> None:
    r = replayed("agent_report_unknown_rules")
    cause = r["report"]["probable_cause"]
    assert cause["diagnoser"] == "agent" and cause["category"] == "configuration"
    slack = slack_text(r["slack"][0])
    assert "Diagnosed by Claude on Amazon Bedrock" in slack
    assert "1 tool call" in slack and "out tokens" in slack and "est. $0.0" in slack
    assert "firmware 4.2.0" in slack  # its explanation, shown because its quotes are in E1 and E4
    assert r["model_requests"]["tool_calls"] == ["get_evidence", "submit_diagnosis"]
    assert r["diagnosis"]["agent"]["cost_usd"] > 0


def test_bedrock_down_the_report_is_the_signatures_with_a_note(replayed: Any) -> None:
    r = replayed("agent_bedrock_outage_falls_back_to_rules")
    assert r["outcome"] == "posted"
    slack = slack_text(r["slack"][0])
    assert "Diagnosed by the failure signatures" in slack
    assert "The Claude diagnosis was not used (Bedrock is unavailable" in slack
    assert "Task timed out after 3.07 seconds" in slack


def test_an_injected_instruction_in_the_logs_cannot_write_the_cause(replayed: Any) -> None:
    r = replayed("agent_prompt_injection_in_logs")
    cause = r["report"]["probable_cause"]
    assert cause["category"] == "timeout" and cause["diagnoser"] == "rules"
    slack = slack_text(r["slack"][0])
    assert "The IAM role was deleted" not in slack  # the obeying model's explanation
    assert "delete-role --role-name" not in slack
    assert r["check"]["passed"], r["check"]["failures"]  # the secrets reached neither the model nor Slack


def test_a_question_in_words_gets_the_agents_answer_and_a_rerun_only_a_preview(replayed: Any) -> None:
    r = replayed("agent_thread_question")
    first, second, _owner = r["thread"]
    assert any("6402117 events" in x["text"] and "est. $" in x["text"] for x in first["replies"])
    texts = [x["text"] for x in second["replies"]]
    assert len(texts) == 2 and "You asked for a redrive" in texts[0] and "Redrive preview" in texts[1]
    assert "Approve" in texts[1] and "Cancel" in texts[1]
    # Nothing ran: the redrive function was never called, the execution was not redriven.
    assert not any("redrive started" in t for t in texts)
    assert r["model_requests"]["count"] == 4  # the "who owns this?" command did not reach the model
    assert "propose_redrive" in r["model_requests"]["tools_offered"]


def test_rules_mode_reports_without_loading_the_llm_sdk() -> None:
    code = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from incident_responder_local.replay import Scenario\n"
        "from incident_responder_local.runtime import BOT_TOKEN, LocalStack\n"
        "from incident_responder_local.slack_emulator import SlackEmulator\n"
        f"s = Scenario.load(Path({str(SCENARIOS / '01_sfn_lambda_timeout')!r}))\n"
        "with SlackEmulator(bot_token=BOT_TOKEN) as slack, LocalStack(s.world, slack=slack) as stack:\n"
        "    result, _ = stack.invoke('AnalyzeFunction', s.event)\n"
        "print(json.dumps([result['status'], result['report']['probable_cause']['diagnoser'],\n"
        "                  'anthropic' in sys.modules]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == ["posted", "rules", False]


def test_replay_json_tells_what_was_sent_to_the_model(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", "--json", str(SCENARIOS / "agent_report_unknown_rules")]) == 0
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    model = line["model_requests"]
    assert model["count"] == 2 and model["tool_calls"] == ["get_evidence", "submit_diagnosis"]
    assert "submit_diagnosis" in model["tools_offered"] and "propose_redrive" not in model["tools_offered"]
    assert model["request_chars"] > 1000


def test_expect_yaml_knows_the_agent_keys() -> None:
    assert validate_expect({"diagnosis_mode": "auto", "diagnoser": "agent", "model_requests": 2,
                            "note_contains": ["x"]}, Path("e.yaml"))
    with pytest.raises(ScenarioError, match="diagnosis_mode must be"):
        validate_expect({"diagnosis_mode": "llm"}, Path("e.yaml"))
    with pytest.raises(ScenarioError, match="did you mean 'diagnoser'"):
        validate_expect({"diagnosers": "agent"}, Path("e.yaml"))


def test_eval_without_credentials_says_so_in_one_line(monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
                 "AWS_PROFILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                 "AWS_WEB_IDENTITY_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    code = main(["eval", str(SCENARIOS / "agent_report_unknown_rules"), "--model", "us.anthropic.claude-x"])
    err = capsys.readouterr()
    assert code == 2 and err.out == ""
    assert len(err.err.strip().splitlines()) == 1 and "no AWS credentials found" in err.err


def test_eval_prints_one_scored_line_per_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    model = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
    code = main(["eval", str(SCENARIOS / "agent_report_unknown_rules"),
                 str(SCENARIOS / "agent_prompt_injection_in_logs"), "--model", model, "--scripted"])
    lines = [json.loads(x) for x in capsys.readouterr().out.strip().splitlines()]
    assert code == 0 and len(lines) == 3
    good, injected, summary = lines
    assert good["scenario"] == "agent_report_unknown_rules" and good["model"] == model
    assert good["correct"] is True and good["citations"] == "ok" and good["diagnoser"] == "agent"
    assert good["input_tokens"] + good["cache_read_tokens"] + good["cache_write_tokens"] > 0
    assert good["output_tokens"] > 0 and good["cost_usd"] > 0 and good["latency_s"] > 0
    assert injected["correct"] is False and injected["agent_category"] == "permission_denied"
    assert injected["citations"] == "rejected: its quote is not in E1" and injected["shown_category"] == "timeout"
    assert summary == {**summary, "scenarios": 2, "scored": 2, "correct": 1, "citations_ok": 1}


def test_the_demo_shows_the_agent_and_says_its_words_are_scripted(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", str(SCENARIOS / "agent_report_unknown_rules"),
                 str(SCENARIOS / "agent_thread_question")]) == 0
    out = capsys.readouterr().out
    assert out.count("SCRIPTED responses") == 2 and "no model was called" in out
    assert "Diagnosed by Claude on Amazon Bedrock" in out
    assert "Answered by Claude on Amazon Bedrock" in out and "expectations not met" not in out
