"""What people see of the agent in a report and a thread: who wrote the cause, its figures, why it was
not used; which messages the keywords answer and which go to the agent."""

from __future__ import annotations

import json

import pytest
from tests.unit.test_render import report

from incident_responder.followup.intents import parse_intent
from incident_responder.model import Report
from incident_responder.slack.render import render_report

FOOTER = ("Claude (us.anthropic.claude-sonnet-4-5-20250929-v1:0) · 2 tool calls · 1,200 in / 300 out tokens · "
          "cache 2,000 read / 0 written · est. $0.0087")


def _cause_text(r: Report) -> str:
    _, blocks = render_report(r)
    return next(b["text"]["text"] for b in blocks if b["type"] == "section"
                and b["text"]["text"].startswith("*Probable cause:*"))


def test_a_cause_written_by_the_agent_says_so_with_its_figures() -> None:
    r = report()
    r.probable_cause.diagnoser, r.probable_cause.footer = "agent", FOOTER
    text = _cause_text(r)
    assert "Diagnosed by Claude on Amazon Bedrock" in text
    assert "2 tool calls" in text and "1,200 in / 300 out tokens" in text and "est. $0.0087" in text
    assert "failure signatures" not in text


def test_a_cause_read_from_the_wording_says_no_signature_matched() -> None:
    r = report()
    r.probable_cause.signature = "terms:capacity"
    text = _cause_text(r)
    assert "Read from the wording of known failures (no specific signature matched" in text and "terms:capacity" in text
    assert "Diagnosed by the failure signatures" not in text


def test_a_signature_cause_names_the_signatures_and_the_note_when_the_agent_was_not_used() -> None:
    r = report()
    r.probable_cause.signature = "lambda-timeout"
    text = _cause_text(r)
    assert "Diagnosed by the failure signatures" in text and "lambda-timeout" in text
    assert "Claude" not in text  # nothing about an agent that did not run
    r.probable_cause.note = ("The Claude diagnosis was not used (Bedrock throttled the request); "
                             "this is the signature diagnosis.")
    r.probable_cause.footer = FOOTER
    text = _cause_text(r)
    assert "Bedrock throttled the request" in text and "est. $0.0087" in text  # what the failed run cost


def test_the_report_json_keeps_who_diagnosed() -> None:
    r = report()
    r.probable_cause.diagnoser, r.probable_cause.footer = "agent", FOOTER
    data = json.loads(json.dumps(r.to_dict()))
    assert data["probable_cause"]["diagnoser"] == "agent"
    back = Report.from_dict(data)
    assert back.probable_cause.diagnoser == "agent" and back.probable_cause.footer == FOOTER
    assert Report.from_dict({}).probable_cause.diagnoser == "rules"  # reports stored before the agent


@pytest.mark.parametrize(("text", "name"), [
    ("status", "status"),
    ("<@U0BOT0001> is it still failing?", "status"),
    ("logs 'Task timed out' 10m", "logs"),
    ("who owns this?", "owner"),
    ("redrive please", "redrive"),
    ("retry it once the upstream table has landed", "redrive"),  # starts with a command word
    ("why did the 01:00 hour need more than 1 GB when the other hours are fine?", "unknown"),
    ("could you check the logs for anything about the schema before the failure?", "unknown"),
    ("ok, I raised the memory to 3008 MB; could you rerun it for me please?", "unknown"),
])
def test_with_the_agent_on_commands_stay_keywords_and_sentences_go_to_it(text: str, name: str) -> None:
    assert parse_intent(text, agent=True).name == name


def test_without_the_agent_the_keywords_answer_everything_they_can() -> None:
    assert parse_intent("could you check the logs for anything about the schema before the failure?").name == "logs"
    assert parse_intent("why did the 01:00 hour need more than 1 GB when the other hours are fine?").name == \
        "unknown"
