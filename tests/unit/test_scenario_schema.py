"""A scenario's expect.yaml and thread.yaml have a schema. The format allows extra keys (comments, ids) and
ignores them: a key that is not declared is not checked and is reported as a warning, with the declared key it
is closest to, so a typo does not pass unnoticed; the repo's own scenarios are held to the strict form."""

from __future__ import annotations

from pathlib import Path

import pytest

from incident_responder_local.expectations import ScenarioError, check
from incident_responder_local.replay import Scenario, discover

ROOT = Path(__file__).resolve().parents[2]


def _scenario(tmp_path: Path, expect: str, thread: str | None = None) -> Path:
    (tmp_path / "event.json").write_text('{"source": "aws.states", "detail-type": "x", "detail": {}}')
    (tmp_path / "expect.yaml").write_text(expect)
    if thread is not None:
        (tmp_path / "thread.yaml").write_text(thread)
    return tmp_path


def test_extra_keys_are_allowed_and_ignored(tmp_path: Path) -> None:
    # Scenarios written elsewhere annotate their expectations (the design's format allows it).
    path = _scenario(tmp_path, "category: null\nposts: 0\nid: 17\nwhy: the maintainer's explanation\n"
                               "comment: from a public issue\n")
    scenario = Scenario.load(path)
    assert check(scenario.expect, None, []) == []
    assert [w.split(": ", 1)[1] for w in scenario.warnings] == [
        "key 'comment' is not checked", "key 'id' is not checked", "key 'why' is not checked"]


def test_a_misspelled_expectation_is_reported_with_the_file_the_key_and_its_closest_key(tmp_path: Path) -> None:
    path = _scenario(tmp_path, "category: timeout\nevidence_contain: ['Task timed out']\n")
    (warning,) = Scenario.load(path).warnings
    assert "expect.yaml" in warning and "'evidence_contain' is not checked" in warning
    assert "did you mean 'evidence_contains'" in warning
    with pytest.raises(ScenarioError) as err:  # the repo's own scenarios: strict
        Scenario.load(path, strict=True)
    assert "unknown key 'evidence_contain'" in str(err.value) and "did you mean 'evidence_contains'" in str(err.value)


def test_a_thread_step_with_an_unknown_key_is_reported(tmp_path: Path) -> None:
    path = _scenario(tmp_path, "category: timeout\n", "- {user: U1, text: status, expect_reply: [ok]}\n")
    assert any("step 1: key 'expect_reply' is not checked" in w for w in Scenario.load(path).warnings)
    with pytest.raises(ScenarioError, match="step 1: unknown key 'expect_reply'"):
        Scenario.load(path, strict=True)


def test_a_thread_step_has_text_or_click(tmp_path: Path) -> None:
    path = _scenario(tmp_path, "category: timeout\n", "- {user: U1}\n")
    with pytest.raises(ScenarioError, match="either text or click"):
        Scenario.load(path)


def test_an_unquoted_evidence_string_with_a_colon_is_an_error_not_a_crash(tmp_path: Path) -> None:
    # YAML reads "- java.lang.ClassNotFoundException: com.example.Driver" as a mapping, not a string.
    path = _scenario(tmp_path, "category: code_error\nevidence_contains:\n- java.lang.ClassNotFoundException: x\n")
    with pytest.raises(ScenarioError, match=r"evidence_contains must be a list of strings \(quote an item"):
        Scenario.load(path)


def test_annotation_keys_are_kept_and_not_checked(tmp_path: Path) -> None:
    scenario = Scenario.load(_scenario(tmp_path, "category: null\nposts: 0\nsource_message_id: 15\n"))
    assert scenario.expect["source_message_id"] == 15
    assert check(scenario.expect, None, []) == []


def test_every_key_is_checked() -> None:
    report = {"probable_cause": {"category": "timeout"}, "severity": "high", "pipeline": {"name": "p"},
              "title": "t", "next_steps": ["n"], "gaps": ["g"], "links": [{"url": "u"}],
              "evidence": [{"text": "e"}]}
    slack = [{"channel": "C1", "ts": "1", "thread_ts": None, "text": "hunter2", "blocks": []}]
    expect = {"category": "oom", "posts": 2, "evidence_contains": ["x"], "severity": "low", "pipeline": "q",
              "channel": "C2", "title_contains": ["x"], "next_steps_contain": ["x"], "gaps_contain": ["x"],
              "links_contain": ["x"], "must_not_contain": ["hunter2"]}
    failures = check(expect, report, slack)
    assert {f.split(":")[0] for f in failures} == set(expect)


def test_every_scenario_in_the_repo_loads_in_the_strict_form() -> None:
    for path in discover([ROOT / "tests" / "scenarios"]):
        Scenario.load(path, strict=True)


def test_a_world_key_spelled_another_way_is_read_and_an_unknown_one_reported(tmp_path: Path) -> None:
    path = _scenario(tmp_path, "category: null\nposts: 0\n")
    (path / "world.yaml").write_text("emr_serverless: {applications: [{applicationId: app1, type: Spark}]}\n"
                                     "Step-Functions: {state_machines: []}\nstepfunction: {}\n")
    scenario = Scenario.load(path)
    assert scenario.world.data["emrserverless"] == {"applications": [{"applicationId": "app1", "type": "Spark"}]}
    assert "stepfunctions" in scenario.world.data
    assert [w.split(": ", 1)[1] for w in scenario.warnings] == ["key 'stepfunction' is not loaded"]
    with pytest.raises(ScenarioError, match=r"world\.yaml: unknown key 'stepfunction'"):
        Scenario.load(path, strict=True)


def test_a_member_accounts_world_is_spelled_like_the_main_one(tmp_path: Path) -> None:
    from incident_responder_local.world import World, unknown_world_keys

    (tmp_path / "world.yaml").write_text("accounts: {'210987654321': {emr_serverless: {applications: []}, "
                                         "Step-Functions: {}, stepfunction: {}}}\n")
    world = World.read(tmp_path / "world.yaml")
    assert set(world.accounts["210987654321"]) == {"emrserverless", "stepfunctions", "stepfunction"}
    assert unknown_world_keys(world) == ["accounts.210987654321.stepfunction"]
