"""A scenario's expect.yaml and thread.yaml have a schema: a typo is an error, not a silent pass."""

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


def test_a_misspelled_expectation_is_an_error_that_names_the_file_and_the_key(tmp_path: Path) -> None:
    path = _scenario(tmp_path, "category: timeout\nevidence_contain: ['Task timed out']\n")
    with pytest.raises(ScenarioError) as err:
        Scenario.load(path)
    assert "expect.yaml" in str(err.value) and "'evidence_contain'" in str(err.value)
    assert "did you mean 'evidence_contains'" in str(err.value)


def test_a_thread_step_with_an_unknown_key_is_an_error(tmp_path: Path) -> None:
    path = _scenario(tmp_path, "category: timeout\n", "- {user: U1, text: status, expect_reply: [ok]}\n")
    with pytest.raises(ScenarioError, match="step 1: unknown key 'expect_reply'"):
        Scenario.load(path)


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


def test_every_scenario_in_the_repo_loads() -> None:
    for path in discover([ROOT / "tests" / "scenarios"]):
        Scenario.load(path)
