"""What a scenario may expect, and the check of a replay against it.

``expect.yaml`` and ``thread.yaml`` have a schema. The scenario format allows extra keys (comments, ids,
where a failure was found) and ignores them, so a key this module does not know is not checked; it is
reported as a warning when the scenario loads (with the file, the key and the known key it is closest to),
so a typo does not pass unnoticed. The repo's own scenarios are held to the strict form: none of them may
carry a key that is not declared (annotation keys are declared: kept and not checked).
"""

from __future__ import annotations

import difflib
import json
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["EXPECT_KEYS", "SETTING_KEYS", "THREAD_STEP_KEYS", "ScenarioError", "check", "slack_text", "unknown_keys",
           "validate_expect", "validate_thread"]


logger = logging.getLogger(__name__)


class ScenarioError(ValueError):
    """A scenario folder that cannot be replayed as written."""


# Checked keys: what each one asserts is in check() below.
EXPECT_KEYS: dict[str, str] = {
    "category": "the probable cause's category (null: no report is posted)",
    "confidence": "the probable cause's confidence (high, medium, low)",
    "posts": "the number of top-level Slack messages",
    "evidence_contains": "strings each found in some evidence text (white space folded)",
    "severity": "the report's severity",
    "pipeline": "the catalog pipeline's name",
    "channel": "the channel (name or id) every top-level message went to",
    "title_contains": "strings each found in the report's title",
    "next_steps_contain": "strings each found in some next step",
    "gaps_contain": "strings each found in some 'could not read' line",
    "links_contain": "strings each found in some link URL",
    "must_not_contain": "strings (secrets) found in no report JSON, no Slack message and no request sent to the "
                        "model",
    "diagnoser": "who wrote the probable cause: rules (the signatures) or agent (Claude on Bedrock)",
    "note_contains": "strings each found in the report's note on the agent (why its answer is not shown)",
    "model_requests": "the number of requests sent to the (scripted) Bedrock runtime",
}
# Setting keys: how the scenario's stack is configured, not checked.
SETTING_KEYS: dict[str, str] = {
    "diagnosis_mode": "DIAGNOSIS_MODE of the replay (rules, auto, agent); auto and agent turn LLM_ENABLED on",
}
# Annotation keys: kept with the scenario, never checked.
ANNOTATION_KEYS = frozenset({"source_message_id", "child_execution", "note", "source"})
THREAD_STEP_KEYS = frozenset({"user", "text", "click", "expect_reply_contains"})


def unknown_keys(keys: set[str], known: set[str], where: Path, warnings: list[str] | None,
                 ignored: str = "is not checked") -> None:
    """Each key not in ``known``: an error when ``warnings`` is None (strict), else a warning appended to it
    (and logged), the key being ignored."""
    for key in sorted(keys - known):
        near = difflib.get_close_matches(key, sorted(known), n=1)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        if warnings is None:
            raise ScenarioError(f"{where}: unknown key {key!r}{hint}; known keys: {', '.join(sorted(known))}")
        warning = f"{where}: key {key!r} {ignored}{hint}"
        logger.warning("scenario key not checked", extra={"file": str(where), "key": key,
                                                           "closest": near[0] if near else None})
        warnings.append(warning)


def validate_expect(expect: Any, where: Path, warnings: list[str] | None = None) -> dict[str, Any]:
    """``expect`` checked against the schema. An unknown key is ignored and reported in ``warnings``; without
    a ``warnings`` list (strict) it is an error."""
    if expect is None:
        return {}
    if not isinstance(expect, dict):
        raise ScenarioError(f"{where}: expected a mapping of expectations, got {type(expect).__name__}")
    unknown_keys(set(expect), set(EXPECT_KEYS) | set(SETTING_KEYS) | ANNOTATION_KEYS, where, warnings)
    for key in ("evidence_contains", "title_contains", "next_steps_contain", "gaps_contain", "links_contain",
                "must_not_contain", "note_contains"):
        if key in expect and not (isinstance(expect[key], list) and all(isinstance(v, str) for v in expect[key])):
            # An unquoted "a: b" item is a mapping to YAML.
            raise ScenarioError(f"{where}: {key} must be a list of strings (quote an item that holds ': ')")
    if "diagnosis_mode" in expect and expect["diagnosis_mode"] not in {"rules", "auto", "agent"}:
        raise ScenarioError(f"{where}: diagnosis_mode must be rules, auto or agent")
    if "diagnoser" in expect and expect["diagnoser"] not in {"rules", "agent"}:
        raise ScenarioError(f"{where}: diagnoser must be rules or agent")
    if "model_requests" in expect and (not isinstance(expect["model_requests"], int)
                                       or isinstance(expect["model_requests"], bool)):
        raise ScenarioError(f"{where}: model_requests must be a number")
    return expect


def validate_thread(steps: Any, where: Path, warnings: list[str] | None = None) -> list[dict[str, Any]]:
    """``steps`` checked against the schema; an unknown key as in :func:`validate_expect`."""
    if steps is None:
        return []
    if not isinstance(steps, list) or not all(isinstance(s, dict) for s in steps):
        raise ScenarioError(f"{where}: expected a list of steps ({{user, text}} or {{user, click}})")
    for i, step in enumerate(steps, 1):
        unknown_keys(set(step), set(THREAD_STEP_KEYS), Path(f"{where} step {i}"), warnings)
        if ("text" in step) == ("click" in step):
            raise ScenarioError(f"{where} step {i}: a step has either text or click")
    return steps


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def slack_text(message: dict[str, Any]) -> str:
    return (message.get("text") or "") + json.dumps(message.get("blocks") or [], ensure_ascii=False)


def check(expect: dict[str, Any], report: dict[str, Any] | None, slack: list[dict[str, Any]],
          thread_results: list[dict[str, Any]] | None = None,
          channel_id: Callable[[str], str] | None = None, model_bodies: list[str] | None = None) -> list[str]:
    """Failures of a scenario's expectations (empty when it passes). ``model_bodies``: the requests
    sent to the model, as text."""
    failures: list[str] = []
    top = [m for m in slack if not m.get("thread_ts") or m.get("thread_ts") == m.get("ts")]
    if "category" in expect:
        want = expect["category"]
        got = report["probable_cause"]["category"] if report else None
        if want != got:
            failures.append(f"category: expected {want}, got {got}")
    if "confidence" in expect:
        got = report["probable_cause"]["confidence"] if report else None
        if expect["confidence"] != got:
            failures.append(f"confidence: expected {expect['confidence']}, got {got}")
    if "posts" in expect and len(top) != int(expect["posts"]):
        failures.append(f"posts: expected {expect['posts']} top-level messages, got {len(top)}")
    texts = [_norm(e.get("text", "")) for e in (report or {}).get("evidence", [])]
    for needle in expect.get("evidence_contains") or []:
        if not any(_norm(needle) in t for t in texts):
            failures.append(f"evidence_contains: {needle!r} is in no evidence text")
    rep = report or {}
    if "channel" in expect:
        want = channel_id(expect["channel"]) if channel_id else expect["channel"]
        got_channels = sorted({m["channel"] for m in top})
        if got_channels != [want]:
            failures.append(f"channel: expected {expect['channel']} ({want}), got {got_channels}")
    if "severity" in expect and rep.get("severity") != expect["severity"]:
        failures.append(f"severity: expected {expect['severity']}, got {rep.get('severity')}")
    if "pipeline" in expect and (rep.get("pipeline") or {}).get("name") != expect["pipeline"]:
        failures.append(f"pipeline: expected {expect['pipeline']}, got {rep.get('pipeline')}")
    fields = {"title_contains": [rep.get("title", "")], "next_steps_contain": rep.get("next_steps", []),
              "gaps_contain": rep.get("gaps", []),
              "links_contain": [link["url"] for link in rep.get("links", [])]}
    for key, values in fields.items():
        for needle in expect.get(key) or []:
            if not any(needle in t for t in values):
                failures.append(f"{key}: {needle!r} is in none of {values}")
    cause = rep.get("probable_cause") or {}
    if "diagnoser" in expect and cause.get("diagnoser") != expect["diagnoser"]:
        failures.append(f"diagnoser: expected {expect['diagnoser']}, got {cause.get('diagnoser')}")
    for needle in expect.get("note_contains") or []:
        if needle not in (cause.get("note") or ""):
            failures.append(f"note_contains: {needle!r} is not in the note {cause.get('note')!r}")
    if "model_requests" in expect and len(model_bodies or []) != expect["model_requests"]:
        failures.append(f"model_requests: expected {expect['model_requests']}, got {len(model_bodies or [])}")
    dumps = {"the report JSON": json.dumps(report, ensure_ascii=False)} if report else {}
    dumps.update({f"Slack message {m['ts']}": slack_text(m) for m in slack})
    dumps.update({f"model request {i + 1}": body for i, body in enumerate(model_bodies or [])})
    for secret in expect.get("must_not_contain") or []:
        failures.extend(f"must_not_contain: {secret!r} is in {where}" for where, text in dumps.items()
                        if secret in text)
    for i, step in enumerate(thread_results or []):
        failures.extend(f"thread step {i + 1}: {f}" for f in step.get("failures", []))
    return failures
