"""Shared fixtures: sample events from files, a fake Lambda context, local AWS and local Slack."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

TESTS = Path(__file__).resolve().parent
FIXTURES = TESTS / "fixtures"
SCENARIOS = TESTS / "scenarios"


def load_json(rel: str) -> Any:
    """A JSON fixture by path relative to tests/fixtures (``.jsonc`` comments allowed)."""
    text = (FIXTURES / rel).read_text(encoding="utf-8")
    if rel.endswith(".jsonc"):
        text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))
    return json.loads(text)


def json_lines(output: str) -> list[dict[str, Any]]:
    """The JSON object lines of a function's output (its structured logs and EMF metrics)."""
    lines = []
    # One record per "\n", as CloudWatch Logs reads them: str.splitlines() would also split a record at a
    # U+0085 or U+2028 inside one of its values (an event's fields are anything).
    for line in output.split("\n"):
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            lines.append(value)
    return lines


def emf_metrics(output: str) -> dict[str, Any]:
    """Metric name -> value, from the CloudWatch embedded metric format lines of the output."""
    found: dict[str, Any] = {}
    for line in json_lines(output):
        for directive in (line.get("_aws") or {}).get("CloudWatchMetrics", []):
            for metric in directive.get("Metrics", []):
                found[metric["Name"]] = line.get(metric["Name"])
    return found


def scenario_event(name: str) -> dict[str, Any]:
    return json.loads((SCENARIOS / name / "event.json").read_text(encoding="utf-8"))


@pytest.fixture
def lambda_context() -> Any:
    from incident_responder_local.runtime import FakeLambdaContext

    return FakeLambdaContext()


@pytest.fixture(scope="session")
def slack_emulator() -> Any:
    from incident_responder_local.runtime import BOT_TOKEN
    from incident_responder_local.slack_emulator import SlackEmulator

    with SlackEmulator(bot_token=BOT_TOKEN) as emu:
        yield emu


@pytest.fixture
def slack(slack_emulator: Any) -> Any:
    slack_emulator.reset()
    return slack_emulator
