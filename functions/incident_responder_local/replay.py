"""Scenario replay (README, "The command line"): each scenario against a fresh local world.

The event goes through the analyze handler exactly as in Lambda; the Slack messages come from the
local emulator; ``check`` compares the outcome with ``expect.yaml``; ``thread.yaml`` steps (when
present) go through the Slack ingress and the follow-up worker.

The agent (Claude on Bedrock) never reaches a real model here: the replay gives its ``AnthropicBedrock``
client a scripted Bedrock runtime (:class:`incident_responder.diagnosis.scripted.ScriptedBedrock`)
serving the scenario's ``model.yaml``, a list of Messages API response bodies served in order to the
agent's calls, report and thread alike; when the list runs out (or there is none) the next call fails
like a Bedrock outage. A ``model.yaml`` turns ``LLM_ENABLED`` on; ``diagnosis_mode`` in ``expect.yaml``
sets ``DIAGNOSIS_MODE``. ``incident-responder eval`` passes ``bedrock`` to reach the real model instead.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from incident_responder.aws import api_calls, reset_api_calls
from incident_responder.evidence.changes import CHANGES_TAG
from incident_responder.formats import load_yaml

from .expectations import check, unknown_keys, validate_expect, validate_thread
from .runtime import LocalStack
from .world import World, unknown_world_keys

__all__ = ["Scenario", "check", "discover", "model_summary", "replay", "run_scenario", "scripted_factory"]

ClientFactory = Callable[[Any, "str | None"], Any]


@dataclass
class Scenario:
    path: Path
    name: str
    event: Any
    world: World
    expect: dict[str, Any]
    thread: list[dict[str, Any]]
    model: list[dict[str, Any]] | None = None  # model.yaml: scripted Bedrock responses
    env: dict[str, str] = field(default_factory=dict)
    # Keys of expect.yaml or thread.yaml that are not checked (the format allows extra keys; a typo shows here).
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path, strict: bool = False) -> Scenario:
        """The scenario folder at ``path``. ``strict``: a key expect.yaml or thread.yaml does not declare is
        an error (the repo's own scenarios), not a warning."""
        event_file = path / "event.json"
        if not event_file.is_file():
            raise FileNotFoundError(f"{path} is not a scenario: no event.json")
        event = json.loads(event_file.read_text(encoding="utf-8"))
        world = World.read(path / "world.yaml", base=path)
        warnings: list[str] | None = None if strict else []
        unknown_keys(set(unknown_world_keys(world)), set(), path / "world.yaml", warnings, ignored="is not loaded")
        expect_file = path / "expect.yaml"
        expect = validate_expect(load_yaml(expect_file.read_text(encoding="utf-8")), expect_file, warnings) \
            if expect_file.is_file() else {}
        thread_file = path / "thread.yaml"
        thread = validate_thread(load_yaml(thread_file.read_text(encoding="utf-8")), thread_file, warnings) \
            if thread_file.is_file() else []
        model = None
        model_file = path / "model.yaml"
        if model_file.is_file():
            from incident_responder.diagnosis.scripted import ScriptedBedrock

            model = ScriptedBedrock.from_yaml(model_file).responses
        env: dict[str, str] = {}
        mode = expect.get("diagnosis_mode")
        if mode:
            env["DIAGNOSIS_MODE"] = str(mode)
        if model is not None or mode in {"auto", "agent"}:
            env["LLM_ENABLED"] = "true"
        return cls(path=path, name=path.name, event=event, world=world, expect=expect, thread=thread, model=model,
                   env=env, warnings=warnings or [])


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


def scripted_factory(script: Any) -> ClientFactory:
    """An agent client factory whose ``AnthropicBedrock`` clients talk to ``script`` (no retries, so an
    outage fails at once, as the deployed client fails after its one retry)."""
    def make(cfg: Any, region: str | None) -> Any:
        from incident_responder.diagnosis.scripted import bedrock_client

        return bedrock_client(script, region=cfg.bedrock_region or region or "us-east-1", max_retries=0,
                              timeout=float(cfg.llm_timeout))
    return make


@contextmanager
def _agent_client(factory: ClientFactory) -> Iterator[None]:
    from incident_responder.diagnosis.agent import use_client_factory

    use_client_factory(factory)
    try:
        yield
    finally:
        use_client_factory(None)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def model_summary(requests: list[Any]) -> dict[str, Any]:
    """What was sent to the model: the number of calls, the tools offered, the tool calls the answers
    made and the characters of all requests."""
    offered = sorted({name for r in requests for name in r.tools_offered})
    return {"count": len(requests), "tools_offered": offered,
            "tool_calls": [name for r in requests for name in r.response_tool_calls],
            "request_chars": sum(r.chars for r in requests)}


def run_scenario(path: Path, slack: Any, *, bedrock: ClientFactory | None = None,
                 env: dict[str, str] | None = None) -> dict[str, Any]:
    """Replay one scenario; ``slack`` is a running SlackEmulator (reset here).

    The agent's Bedrock calls go to the scenario's scripted responses (``model.yaml``), or to
    ``bedrock`` (a client factory) when given; ``env`` overrides the scenario's settings.
    """
    from incident_responder.diagnosis.scripted import ScriptedBedrock

    scenario = Scenario.load(path)
    slack.reset()
    script = ScriptedBedrock(list(scenario.model or []))
    started = time.perf_counter()
    thread_results: list[dict[str, Any]] = []
    with LocalStack(scenario.world, slack=slack, env={**scenario.env, **(env or {})}) as stack, \
            _agent_client(bedrock or scripted_factory(script)):
        reset_api_calls()
        result, output = stack.invoke("AnalyzeFunction", scenario.event)
        calls = api_calls()
        change_calls = api_calls(CHANGES_TAG)
        if scenario.thread:
            from .thread_replay import run_thread

            thread_results = run_thread(stack, scenario, result)
    duration_ms = round((time.perf_counter() - started) * 1000, 1)
    report = result.get("report") if isinstance(result, dict) else None
    messages = [{"channel": m["channel"], "ts": m["ts"], "thread_ts": m.get("thread_ts"), "text": m.get("text"),
                 "blocks": m.get("blocks")} for m in slack.messages()]
    bodies = ["\n".join(_strings(r.body)) for r in script.requests]
    failures = check(scenario.expect, report, messages, thread_results, channel_id=slack.channel_id,
                     model_bodies=bodies)
    return {"scenario": scenario.name, "report": report, "slack": messages, "api_calls": calls,
            "api_calls_changes": change_calls, "duration_ms": duration_ms,
            "check": {"passed": not failures, "failures": failures, "warnings": scenario.warnings},
            "outcome": result.get("status") if isinstance(result, dict) else None,
            "diagnosis": result.get("diagnosis") if isinstance(result, dict) else None,
            "model_requests": model_summary(script.requests), "scripted": bedrock is None,
            "expect": scenario.expect, "thread": thread_results, "log": output}


def replay(paths: list[str | Path]) -> list[dict[str, Any]]:
    from .runtime import BOT_TOKEN
    from .slack_emulator import SlackEmulator

    results = []
    with SlackEmulator(bot_token=BOT_TOKEN) as slack:
        for path in discover(paths):
            results.append(run_scenario(path, slack))
    return results
