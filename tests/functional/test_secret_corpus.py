"""The secret corpus (tests/fixtures/secrets) through every way text leaves the responder.

A Glue job run fails with the corpus in its error message, its arguments and its error log. The real
analyze handler posts the report (local AWS + local Slack); people then ask ``status``, ``logs``,
``input`` and ``evidence`` in the thread through the signed ingress and the follow-up worker, and
request, approve and run a redrive. Afterwards no secret of the corpus may be anywhere: in any Slack
message or ephemeral (text and every string of its blocks), in any item of the incidents or audit
tables, or in what :func:`gate` lets through to an LLM. The corpus is run in chunks, so each answer's
length limits (the redrive preview cuts arguments at 1,200 characters) still show every shape.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from tests.conftest import FIXTURES, SCENARIOS

from incident_responder.evidence.redaction import gate
from incident_responder.templates import BACKTICK_LOOKALIKE
from incident_responder_local.replay import Scenario
from incident_responder_local.runtime import LocalStack
from incident_responder_local.thread_replay import run_thread

SHAPES: list[dict[str, str]] = yaml.safe_load((FIXTURES / "secrets" / "shapes.yaml").read_text(encoding="utf-8"))
# The redrive preview shows the arguments twice (input and call), each cut at 1,200 characters, in one
# Slack section: a chunk's arguments stay under that, so every shape is shown whole on every path.
CHUNK_CHARS = 900


def _chunks(shapes: list[dict[str, str]]) -> list[list[dict[str, str]]]:
    out: list[list[dict[str, str]]] = [[]]
    size = 0
    for shape in shapes:
        cost = len(json.dumps(shape["text"])) + 12
        if out[-1] and size + cost > CHUNK_CHARS:
            out.append([])
            size = 0
        out[-1].append(shape)
        size += cost
    return out


CHUNKS = _chunks(SHAPES)
ASKER, APPROVER = "U0ONCALL01", "U0APPROVER"
THREAD = [
    {"user": ASKER, "text": "status"},
    {"user": ASKER, "text": "logs"},
    {"user": ASKER, "text": "input"},
    {"user": ASKER, "text": "evidence"},
    {"user": ASKER, "click": "Redrive"},
    {"user": APPROVER, "click": "Approve"},
]


def _strings(value: Any) -> Iterator[str]:
    """Every string in a value; JSON text is also read as what it holds (so escaping hides nothing)."""
    if isinstance(value, str):
        yield value
        if value.lstrip()[:1] in ("{", "["):
            try:
                yield from _strings(json.loads(value))
            except ValueError:
                pass
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, (list, tuple, set)):
        for v in value:
            yield from _strings(v)


def _as_read(text: str) -> str:
    """Slack mrkdwn as a person reads it: entities and the backtick look-alike undone."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").replace(BACKTICK_LOOKALIKE, "`")


def _stored(stack: LocalStack) -> list[tuple[str, str]]:
    from boto3.dynamodb.types import TypeDeserializer

    des, db, found = TypeDeserializer(), stack.session.client("dynamodb"), []
    for table in (stack.env["INCIDENTS_TABLE"], stack.env["AUDIT_TABLE"]):
        for page in db.get_paginator("scan").paginate(TableName=table):
            for item in page["Items"]:
                for name, value in item.items():
                    found += [(f"{table}.{name}", s) for s in _strings(des.deserialize(value))]
    return found


def _with_corpus(world: dict[str, Any], shapes: list[dict[str, str]]) -> None:
    """The Glue run of scenario redrive_glue, carrying the shapes in its error, arguments and log."""
    run = world["glue"]["job_runs"][0]
    run["ErrorMessage"] = "Command failed with exit code 1: " + " | ".join(s["text"] for s in shapes)
    run["Arguments"] = {"--input": run["Arguments"]["--input"], **{f"--arg{i}": s["text"] for i, s in
                                                                   enumerate(shapes)}}
    error_log = next(g for g in world["logs"] if g["group"] == "/aws-glue/jobs/error")
    error_log.pop("file", None)
    error_log["events"] = [
        {"timestamp": f"2024-04-30T03:41:0{i // 10}.{i % 10}00Z", "message": f"ERROR {s['text']}"}
        for i, s in enumerate(shapes)
    ]


@pytest.mark.parametrize("shapes", CHUNKS, ids=[f"{c[0]['id']}..{c[-1]['id']}" for c in CHUNKS])
def test_no_secret_of_the_corpus_leaves_the_process(shapes: list[dict[str, str]], slack: Any) -> None:
    scenario = Scenario.load(SCENARIOS / "redrive_glue")
    _with_corpus(scenario.world.data, shapes)
    scenario.thread = THREAD
    with LocalStack(scenario.world, slack=slack) as stack:
        result, _ = stack.invoke("AnalyzeFunction", scenario.event)
        assert result["status"] == "posted", result
        steps = run_thread(stack, scenario, result)
        stored = _stored(stack)
    assert [f for step in steps for f in step["failures"]] == []
    replies = {step.get("text") or step.get("click"): " ".join(r["text"] for r in step["replies"]) for step in steps}
    # The shapes did reach each answer (redacted): the status and input answers show the markers.
    assert "[REDACTED:" in replies["status"] and "[REDACTED:" in replies["input"], replies
    assert "glue:StartJobRun" in replies["Redrive"] and "redrive started" in replies["Approve"], replies

    said = [(m["ts"], _as_read(s)) for m in slack.messages() + slack.ephemerals() for s in _strings(m)]
    report = [("report", s) for s in _strings(result["report"])]
    leaks = []
    for shape in shapes:
        secret = shape["secret"]
        leaks += [(shape["id"], "slack", ts) for ts, text in said if secret in text]
        leaks += [(shape["id"], where, "") for where, text in stored + report if secret in text]
        if secret in gate(shape["text"]) or secret in json.dumps(gate({"messages": [shape["text"]]})):
            leaks.append((shape["id"], "llm gate", ""))
    assert leaks == []


def test_the_status_answer_redacts_a_glue_error_message(slack: Any) -> None:
    """The review's case: a Glue run's ErrorMessage holding a database URL, asked with ``status``."""
    scenario = Scenario.load(SCENARIOS / "redrive_glue")
    run = scenario.world.data["glue"]["job_runs"][0]
    run["ErrorMessage"] = ("Command failed: could not connect to postgres://etl:Pg-Fake-Pw-7@db.internal/orders "
                           "with token=FakeToken0123456789")
    scenario.thread = [{"user": ASKER, "text": "status",
                        "expect_reply_contains": ["Error: Command failed: could not connect"]}]
    with LocalStack(scenario.world, slack=slack) as stack:
        result, _ = stack.invoke("AnalyzeFunction", scenario.event)
        steps = run_thread(stack, scenario, result)
    assert steps[0]["failures"] == []
    answer = " ".join(r["text"] for r in steps[0]["replies"])
    assert "Pg-Fake-Pw-7" not in answer and "FakeToken0123456789" not in answer
    assert "postgres://etl:[REDACTED:url_password]@db.internal/orders" in answer
    assert "token=[REDACTED:token]" in answer


def test_corpus_files_have_a_source_for_every_entry() -> None:
    negatives = yaml.safe_load((FIXTURES / "secrets" / "negatives.yaml").read_text(encoding="utf-8"))
    assert len(SHAPES) >= 80 and len(negatives) >= 30
    for entry in SHAPES + negatives:
        assert entry["id"] and entry["text"] and entry["source"], entry
    for shape in SHAPES:
        assert shape["secret"] in shape["text"], shape["id"]
    assert len({e["id"] for e in SHAPES}) == len(SHAPES)

