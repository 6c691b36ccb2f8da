"""The `incident-responder` command as a person uses it: bad inputs are one clear line and a non-zero
exit, `invoke` behaves like `sam local invoke`, replay reports each scenario as it finishes."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from incident_responder_local.cli import main
from incident_responder_local.runtime import template_functions

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "sam" / "events"
SCENARIOS = ROOT / "tests" / "scenarios"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code: int, err: str, *needles: str) -> None:
    assert code != 0
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in lines[0], lines[0]


# -- bad inputs -------------------------------------------------------------------------------------
def test_unknown_function_lists_the_template_functions(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "invoke", "AnalyseFunction", "-e", str(EVENTS / "glue.json"))
    assert_one_line_error(code, err, "AnalyseFunction", *sorted(template_functions()))


def test_missing_event_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "invoke", "AnalyzeFunction", "-e", str(tmp_path / "nope.json"))
    assert_one_line_error(code, err, "nope.json", "does not exist")


def test_bad_json_names_file_line_and_column(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "event.json"
    bad.write_text('{\n  "source": "aws.glue",\n  "detail": {oops}\n}\n', encoding="utf-8")
    code, _, err = run(capsys, "invoke", "AnalyzeFunction", "-e", str(bad))
    assert_one_line_error(code, err, f"{bad}:3:")


def test_bad_env_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "invoke", "AnalyzeFunction", "-e", str(EVENTS / "glue.json"),
                       "-n", str(tmp_path / "env.json"))
    assert_one_line_error(code, err, "env file", "does not exist")
    bad = tmp_path / "env.json"
    bad.write_text('{"Parameters": ["x"]}', encoding="utf-8")
    code, _, err = run(capsys, "invoke", "AnalyzeFunction", "-e", str(EVENTS / "glue.json"), "-n", str(bad))
    assert_one_line_error(code, err, "Parameters")


def test_world_that_does_not_exist(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "invoke", "AnalyzeFunction", "-e", str(EVENTS / "glue.json"),
                       "--world", str(tmp_path / "no-such-scenario"))
    assert_one_line_error(code, err, "--world", "no-such-scenario", "does not exist")


def test_bad_world_yaml_names_the_file_and_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "world.yaml").write_text("region: eu-west-1\nlogs:\n  - group: [unclosed\n", encoding="utf-8")
    code, _, err = run(capsys, "invoke", "AnalyzeFunction", "-e", str(EVENTS / "glue.json"),
                       "--world", str(tmp_path))
    assert_one_line_error(code, err, str(tmp_path / "world.yaml"), "YAML")
    assert ":4:" in err or ":3:" in err


def test_world_naming_a_missing_log_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "world.yaml").write_text("logs:\n  - {group: g, stream: s, file: missing.log}\n", encoding="utf-8")
    code, _, err = run(capsys, "invoke", "AnalyzeFunction", "-e", str(EVENTS / "glue.json"),
                       "--world", str(tmp_path))
    assert_one_line_error(code, err, "missing.log")


def test_local_up_of_a_scenario_that_does_not_exist(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "local", "up", str(tmp_path / "nope"), "--env-file", str(tmp_path / "env.json"))
    assert_one_line_error(code, err, "nope", "does not exist")
    assert not (tmp_path / "env.json").exists()


def test_check_on_an_empty_folder_fails(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "replay", str(tmp_path), "--check")
    assert_one_line_error(code, err, "no scenarios", str(tmp_path))
    assert "passed" not in out


def test_replay_of_a_folder_that_does_not_exist(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "replay", str(tmp_path / "missing"))
    assert_one_line_error(code, err, "missing")


def test_a_broken_scenario_is_a_failed_line_not_a_crash(capsys: pytest.CaptureFixture[str],
                                                        tmp_path: Path) -> None:
    good = tmp_path / "a_good"
    shutil.copytree(SCENARIOS / "glue_module_not_found", good)
    broken = tmp_path / "b_broken"
    broken.mkdir()
    (broken / "event.json").write_text("{not json", encoding="utf-8")
    code, out, _ = run(capsys, "replay", str(tmp_path), "--check")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("[1/2] PASS a_good")
    assert lines[1].startswith("[2/2] FAIL b_broken") and "event.json:1:" in lines[1]
    assert lines[-1] == "1 passed, 1 failed"


# -- invoke like sam local invoke ------------------------------------------------------------------
ANALYZE_EVENTS = ["stepfunctions", "ecs", "emr_step", "emr_cluster", "glue", "batch"]


@pytest.mark.parametrize("name", ANALYZE_EVENTS)
def test_every_sample_event_is_reported(capsys: pytest.CaptureFixture[str], name: str) -> None:
    code, out, err = run(capsys, "invoke", "AnalyzeFunction", "-e", str(EVENTS / f"{name}.json"),
                         "-n", str(ROOT / "sam" / "env.json"))
    assert code == 0, out[-2000:]
    result = json.loads(out)
    event = json.loads((EVENTS / f"{name}.json").read_text(encoding="utf-8"))
    assert result["status"] == "posted", err
    # The event's own account and region: the links and ARNs of the report are the event's.
    assert event["region"] in json.dumps(result["report"])
    assert "Traceback" not in err


@pytest.mark.parametrize(("function", "name"), [
    ("SlackIngressFunction", "slack_url_verification"), ("SlackIngressFunction", "slack_thread_reply"),
    ("FollowupWorkerFunction", "followup_sqs"), ("FailsafeFunction", "failsafe_alarm")])
def test_other_sample_events_invoke_cleanly(capsys: pytest.CaptureFixture[str], function: str, name: str) -> None:
    code, out, err = run(capsys, "invoke", function, "-e", str(EVENTS / f"{name}.json"),
                         "-n", str(ROOT / "sam" / "env.json"))
    assert code == 0, err
    result = json.loads(out)
    assert "errorType" not in result
    if name == "failsafe_alarm":
        assert result == {"actions": ["throttled"]}
    if name == "slack_url_verification":
        assert "challenge" in result["body"]


def test_event_from_stdin(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO((EVENTS / "glue.json").read_text(encoding="utf-8")))
    code, out, _ = run(capsys, "invoke", "AnalyzeFunction", "--event", "-")
    assert code == 0
    result = json.loads(out)
    assert result["status"] == "posted", result
    assert result["report"]["source"] == "glue"


def test_each_log_line_is_printed_once(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "invoke", "AnalyzeFunction", "-e", str(EVENTS / "glue.json"))
    assert code == 0
    analyzed = [line for line in err.splitlines() if "event analyzed" in line]
    assert len(analyzed) == 1, analyzed


def test_env_file_merges_parameters_then_the_function_section(tmp_path: Path) -> None:
    from incident_responder_local.inputs import read_env_vars

    env = tmp_path / "env.json"
    env.write_text(json.dumps({"Parameters": {"LOG_TOKEN_BUDGET": "100", "DEFAULT_SLACK_CHANNEL": "#all"},
                               "AnalyzeFunction": {"DEFAULT_SLACK_CHANNEL": "#mine", "LLM_ENABLED": False},
                               "RedriveFunction": {"DEFAULT_SLACK_CHANNEL": "#theirs"}}), encoding="utf-8")
    assert read_env_vars(env, "AnalyzeFunction") == {"LOG_TOKEN_BUDGET": "100", "DEFAULT_SLACK_CHANNEL": "#mine",
                                                     "LLM_ENABLED": "false"}
    assert read_env_vars(env, "FailsafeFunction") == {"LOG_TOKEN_BUDGET": "100", "DEFAULT_SLACK_CHANNEL": "#all"}


def test_env_file_channel_reaches_the_function(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    env = tmp_path / "env.json"
    env.write_text(json.dumps({"Parameters": {"DEFAULT_SLACK_CHANNEL": "#all"},
                               "AnalyzeFunction": {"DEFAULT_SLACK_CHANNEL": "#analyzer-only"}}), encoding="utf-8")
    code, out, _ = run(capsys, "invoke", "AnalyzeFunction", "-e", str(EVENTS / "glue.json"), "-n", str(env))
    assert code == 0
    from incident_responder_local.slack_emulator import SlackEmulator

    assert json.loads(out)["channel"] == SlackEmulator().channel_id("#analyzer-only")


def test_function_ids_and_handlers_come_from_the_template() -> None:
    import yaml

    from incident_responder_local.stack import _CfnLoader

    template = yaml.load((ROOT / "template.yaml").read_text(encoding="utf-8"), Loader=_CfnLoader)
    declared = {lid: r["Properties"]["Handler"] for lid, r in template["Resources"].items()
                if r["Type"] == "AWS::Serverless::Function"}
    assert {lid: spec.handler for lid, spec in template_functions().items()} == declared


# -- replay progress -------------------------------------------------------------------------------
def test_replay_prints_a_line_per_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "replay", str(SCENARIOS / "glue_module_not_found"),
                       str(SCENARIOS / "batch_oom"), "--check")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("[1/2] PASS glue_module_not_found")
    assert lines[1].startswith("[2/2] PASS batch_oom")
    assert lines[2] == "2 passed, 0 failed"
