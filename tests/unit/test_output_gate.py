"""The one redaction gate (every Slack call, the stores, LLM text) and code fences that cannot be broken."""

from __future__ import annotations

from typing import Any

from incident_responder.evidence.redaction import gate
from incident_responder.slack.client import post_message, update_message
from incident_responder.templates import BACKTICK_LOOKALIKE, render

URL = "postgres://etl:Pg-Fake-Pw-7@db.internal/orders"
TOKEN = "xoxb-123456789012-1234567890123-FakeTokenNotRealAbCdEfGh"


class RecordingClient:
    """A WebClient stand-in that records what would go over the wire (slack-sdk's method names)."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def chat_postMessage(self, **kwargs: Any) -> dict[str, str]:
        self.sent.append(kwargs)
        return {"channel": "C1", "ts": "1.1"}

    def chat_update(self, **kwargs: Any) -> dict[str, str]:
        self.sent.append(kwargs)
        return {"channel": "C1", "ts": kwargs["ts"]}


def test_every_text_and_block_string_is_redacted_at_the_slack_boundary() -> None:
    client = RecordingClient()
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"• Error: {URL}"}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": f"token {TOKEN}"}]},
        {"type": "actions", "block_id": "incident:abc", "elements": [
            {"type": "button", "action_id": "redrive_approve", "value": "req-1",
             "text": {"type": "plain_text", "text": "Approve"}}]},
    ]
    post_message(client, "#c", f"fallback {URL}", blocks=blocks, thread_ts="1.0")  # type: ignore[arg-type]
    update_message(client, "C1", "1.1", f"edited {TOKEN}", blocks=blocks)  # type: ignore[arg-type]
    for sent in client.sent:
        wire = repr(sent)
        assert "Pg-Fake-Pw-7" not in wire and TOKEN not in wire
        assert "[REDACTED:" in sent["text"]
    first = client.sent[0]
    assert first["blocks"][0]["text"]["text"] == "• Error: postgres://etl:[REDACTED:url_password]@db.internal/orders"
    assert first["blocks"][2] == blocks[2]  # ids, action ids and labels untouched
    assert blocks[0]["text"]["text"].endswith(URL)  # the caller's blocks are not modified
    assert first["thread_ts"] == "1.0" and first["channel"] == "#c"


def test_gate_walks_store_items_and_llm_messages() -> None:
    item = {"incident_id": "glue-x", "report": '{"evidence": [{"text": "dsn=' + URL + '"}]}',
            "attempt": 2, "ok": True, "notes": ["Cookie: sid=FakeSession0123456789abcdef"]}
    out = gate(item)
    assert "Pg-Fake-Pw-7" not in repr(out) and "FakeSession0123456789abcdef" not in repr(out)
    assert out["incident_id"] == "glue-x" and out["attempt"] == 2 and out["ok"] is True
    messages = [{"role": "user", "content": [{"type": "text", "text": f"logs:\n{URL}"}]}]
    assert "Pg-Fake-Pw-7" not in repr(gate(messages))
    assert gate(gate(item)) == gate(item)


def test_three_backticks_in_a_log_line_stay_inside_the_code_block() -> None:
    lines = [{"time": "03:41:07.100", "text": "```<!channel> *bold* ``` done", "count": 1, "last": ""}]
    text = render("followup_logs.j2", title="Log lines", lines=lines, notes=[])
    assert text.count("```") == 2  # the template's own fence, opened and closed once
    assert text.index("```") < text.index("done") < text.rindex("```")
    assert BACKTICK_LOOKALIKE * 3 in text and "&lt;!channel&gt;" in text


def test_an_input_with_a_fence_cannot_end_the_input_block() -> None:
    text = render("followup_input.j2", resource_name="job", run_id="jr_1", origin="fresh from AWS",
                  text='{"sql": "select 1 ``` <@U0ALL> "}', error=None, missing="")
    assert text.count("```") == 2


def test_the_redrive_preview_keeps_its_code_blocks_whole() -> None:
    plan = {"action": "glue:StartJobRun", "what": "run ``` again", "where": "job", "fallback": "",
            "input_label": "Arguments", "warnings": ["``` warn"], "dropped": [], "original_url": ""}
    text = render("_redrive_plan.j2", plan=plan, input_text='{"--q": "a```b"}', params_text="x`")
    assert text.count("```") == 4  # two blocks, each opened and closed by the template
