"""Scenario replay (README, "The command line"): each scenario against a fresh local world.

The event goes through the analyze handler exactly as in Lambda; the Slack messages come from the
local emulator; ``check`` compares the outcome with ``expect.yaml``; ``thread.yaml`` steps (when
present) go through the Slack ingress and the follow-up worker.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from incident_responder.aws import api_calls, reset_api_calls

from .expectations import check, validate_expect, validate_thread
from .runtime import LocalStack
from .world import World

__all__ = ["Scenario", "check", "discover", "replay", "run_scenario"]


@dataclass
class Scenario:
    path: Path
    name: str
    event: Any
    world: World
    expect: dict[str, Any]
    thread: list[dict[str, Any]]

    @classmethod
    def load(cls, path: Path) -> Scenario:
        event_file = path / "event.json"
        if not event_file.is_file():
            raise FileNotFoundError(f"{path} is not a scenario: no event.json")
        event = json.loads(event_file.read_text(encoding="utf-8"))
        world = World.read(path / "world.yaml", base=path)
        expect_file = path / "expect.yaml"
        expect = validate_expect(yaml.safe_load(expect_file.read_text(encoding="utf-8")), expect_file) \
            if expect_file.is_file() else {}
        thread_file = path / "thread.yaml"
        thread = validate_thread(yaml.safe_load(thread_file.read_text(encoding="utf-8")), thread_file) \
            if thread_file.is_file() else []
        return cls(path=path, name=path.name, event=event, world=world, expect=expect, thread=thread)


def discover(paths: list[str | Path]) -> list[Path]:
    """Scenario folders: a path with event.json is one; otherwise each such folder below it, sorted."""
    found: list[Path] = []
    for p in map(Path, paths):
        if (p / "event.json").is_file():
            found.append(p)
        elif p.is_dir():
            found.extend(sorted(d.parent for d in p.rglob("event.json")))
        else:
            raise FileNotFoundError(f"no scenario at {p}")
    return found


def run_scenario(path: Path, slack: Any) -> dict[str, Any]:
    """Replay one scenario; ``slack`` is a running SlackEmulator (reset here)."""
    scenario = Scenario.load(path)
    slack.reset()
    started = time.perf_counter()
    thread_results: list[dict[str, Any]] = []
    with LocalStack(scenario.world, slack=slack) as stack:
        reset_api_calls()
        result, output = stack.invoke("AnalyzeFunction", scenario.event)
        calls = api_calls()
        if scenario.thread:
            from .thread_replay import run_thread

            thread_results = run_thread(stack, scenario, result)
    duration_ms = round((time.perf_counter() - started) * 1000, 1)
    report = result.get("report") if isinstance(result, dict) else None
    messages = [{"channel": m["channel"], "ts": m["ts"], "thread_ts": m.get("thread_ts"), "text": m.get("text"),
                 "blocks": m.get("blocks")} for m in slack.messages()]
    failures = check(scenario.expect, report, messages, thread_results, channel_id=slack.channel_id)
    return {"scenario": scenario.name, "report": report, "slack": messages, "api_calls": calls,
            "duration_ms": duration_ms, "check": {"passed": not failures, "failures": failures},
            "outcome": result.get("status") if isinstance(result, dict) else None,
            "thread": thread_results, "log": output}


def replay(paths: list[str | Path]) -> list[dict[str, Any]]:
    from .runtime import BOT_TOKEN
    from .slack_emulator import SlackEmulator

    results = []
    with SlackEmulator(bot_token=BOT_TOKEN) as slack:
        for path in discover(paths):
            results.append(run_scenario(path, slack))
    return results
