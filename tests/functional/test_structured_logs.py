"""The same failures, logged as JSON records, get the same diagnosis: scenarios of tests/scenarios replayed end to
end (moto and the local Slack emulator) with their logs rewritten as structured loggers write them
(incident_responder_local.restyle): Lambda's JSON log format, and application records whose ``exception`` field
holds the traceback. The report shows the records' words, never their JSON."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.conftest import SCENARIOS

from incident_responder_local.replay import run_scenario
from incident_responder_local.restyle import colour_world, cri_world, joined_world, restyle_world


def restyled(name: str, into: Path, style: Callable[[dict], tuple[dict, int]] = restyle_world) -> Path:
    """A copy of scenario ``name`` under ``into`` whose world's logs ``style`` rewrote."""
    dest = into / name
    shutil.copytree(SCENARIOS / name, dest)
    world, changed = style(yaml.safe_load((dest / "world.yaml").read_text(encoding="utf-8")))
    assert changed, f"{name}: no log event was rewritten"
    (dest / "world.yaml").write_text(yaml.safe_dump(world, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return dest


def expected(name: str) -> dict[str, Any]:
    return yaml.safe_load((SCENARIOS / name / "expect.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name, shown", [
    # Lambda's JSON format: no "Task timed out" line, the report's status says it.
    ("rekognition_assessment_lambda_timeout", "Status: timeout"),
    ("sfn_lambda_unknown_timed_out_in_its_log", "Status: timeout"),
    # The cause inside the ERROR record's exception field.
    ("batch_s3_getobject_access_denied_kms_decrypt_missing", "AccessDenied"),
    ("ecs_fargate_s3_headbucket_403_missing_listbucket", "403"),
    ("sfn_genomics_batch_align_fasta_download_no_space_left", "No space left on device"),
    ("ecs_java_spring_batch_dynamodb_analysis_item_over_400kb", "Item size has exceeded the maximum allowed size"),
])
def test_a_failure_logged_as_json_records_is_diagnosed_as_in_text(name: str, shown: str, slack: Any,
                                                                  tmp_path: Path) -> None:
    result = run_scenario(restyled(name, tmp_path), slack)
    report = result["report"]
    assert report["probable_cause"]["category"] == expected(name)["category"]
    logs = [e["text"] for e in report["evidence"] if e["kind"] == "log"]
    assert any(shown in text for text in logs), logs
    assert not any(text.lstrip().startswith("{\"") or '\\"' in text for text in logs), logs


def test_without_reading_the_records_the_json_would_be_shown(slack: Any, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The reading is what makes the difference: with it switched off, the same world shows the records' JSON and
    loses the timeout."""
    monkeypatch.setattr("incident_responder.evidence.logs.plain", lambda message: message)
    name = "rekognition_assessment_lambda_timeout"
    result = run_scenario(restyled(name, tmp_path), slack)
    evidence = "\n".join(e["text"] for e in result["report"]["evidence"])
    assert "Status: timeout" not in evidence


@pytest.mark.parametrize("name", ["ecs_java_spring_batch_dynamodb_analysis_item_over_400kb",
                                  "batch_s3_getobject_access_denied_kms_decrypt_missing"])
def test_a_failure_whose_container_colours_its_output_is_diagnosed_as_in_plain_text(name: str, slack: Any,
                                                                                   tmp_path: Path) -> None:
    result = run_scenario(restyled(name, tmp_path, colour_world), slack)
    assert result["check"]["passed"], result["check"]["failures"]  # its category and its evidence strings
    assert not any("\x1b" in e["text"] for e in result["report"]["evidence"])


@pytest.mark.parametrize("name, shown", [
    # The shell's "Killed" after the last INFO record of a process the host's OOM killer ended.
    ("ecs_ec2_raster_percentile_process_killed_host_memory", "Killed"),
    # A native library's abort, with S3's SlowDown, under an INFO line about a resubmitted query.
    ("batch_tiledb_s3_slowdown_fragment_metadata", "Exception:  SlowDown"),
])
def test_lines_a_log_agent_joined_to_the_record_before_are_read_as_written(name: str, shown: str, slack: Any,
                                                                           tmp_path: Path) -> None:
    dest = restyled(name, tmp_path, joined_world)
    world = yaml.safe_load((dest / "world.yaml").read_text(encoding="utf-8"))
    joined = [e["message"] for s in world["logs"] for e in s["events"] if shown in e["message"]]
    assert joined and all("\n" in m for m in joined)  # the decisive line is inside another record's event
    result = run_scenario(dest, slack)
    assert result["check"]["passed"], result["check"]["failures"]


def test_container_lines_behind_the_container_runtimes_prefix_are_read_as_the_program_wrote_them(
        slack: Any, tmp_path: Path) -> None:
    name = "batch_s3_getobject_access_denied_kms_decrypt_missing"
    result = run_scenario(restyled(name, tmp_path, cri_world), slack)
    assert result["check"]["passed"], result["check"]["failures"]
    logs = [e["text"] for e in result["report"]["evidence"] if e["kind"] == "log"]
    assert logs and not any(" stderr F " in t or " stdout F " in t for t in logs)
