from __future__ import annotations

import json

from incident_responder.model import (
    Category,
    Confidence,
    EvidenceBook,
    Link,
    Pipeline,
    ProbableCause,
    Report,
    Resource,
    Severity,
)
from incident_responder.slack.render import MAX_BLOCKS, MAX_SECTION, render_report


def report(n_evidence: int = 3, text: str = "Task timed out after 3.07 seconds", gaps: list[str] | None = None
           ) -> Report:
    book = EvidenceBook()
    for i in range(n_evidence):
        book.add("log", "/aws/lambda/fn", f"{text} #{i}", "2020-11-10T05:46:57.874Z")
    return Report(
        incident_id="stepfunctions-sm-abc", fingerprint="f" * 16, source="stepfunctions",
        resource=Resource(arn="arn:aws:states:us-east-1:1:execution:sm:run", name="sm", run_id="run"),
        pipeline=Pipeline(name="smart-home-sync", owner="Devices team", runbook="https://wiki.example.com/rb"),
        severity=Severity.HIGH, title="sm failed: timeout", summary="Execution run of sm failed.",
        evidence=book.items,
        probable_cause=ProbableCause(Category.TIMEOUT, "The function ran past its timeout.", Confidence.HIGH,
                                     ["E1"]),
        next_steps=["Raise the timeout."], links=[Link("Execution", "https://console.aws.amazon.com/x")],
        gaps=gaps or [],
    )


def all_text(blocks: list[dict]) -> str:
    return json.dumps(blocks)


def test_report_has_the_four_parts_and_a_fallback() -> None:
    text, blocks = render_report(report())
    body = all_text(blocks)
    for part in ("*Evidence*", "*Probable cause:*", "*Next steps*", "E1", "timeout", "high confidence",
                 "smart-home-sync", "Devices team"):
        assert part in body, part
    assert blocks[0]["type"] == "header"
    assert "sm failed: timeout" in text and "timeout" in text


def test_limits_hold_for_huge_evidence() -> None:
    _, blocks = render_report(report(n_evidence=400, text="x" * 2000))
    assert len(blocks) <= MAX_BLOCKS
    for b in blocks:
        if b["type"] == "section":
            assert len(b["text"]["text"]) <= MAX_SECTION
    assert "400 evidence items in all" in all_text(blocks)
    assert "*Next steps*" in all_text(blocks)  # the cause and steps are never pushed out


def test_log_text_cannot_mention_channel_or_inject_links() -> None:
    _, blocks = render_report(report(text="<!channel> click <https://evil.example|here> & win"))
    body = all_text(blocks)
    assert "<!channel>" not in body
    assert "<https://evil.example|here>" not in body
    assert "&lt;!channel&gt;" in body


def test_gaps_are_shown() -> None:
    _, blocks = render_report(report(gaps=["log group /aws/lambda/fn not found"]))
    assert "Could not read" in all_text(blocks)
    assert "/aws/lambda/fn not found" in all_text(blocks)


def test_links_render_as_slack_links() -> None:
    _, blocks = render_report(report())
    assert "<https://console.aws.amazon.com/x|Execution>" in all_text(blocks)


def test_an_evidence_line_shows_where_the_jobs_code_raised_it_in_the_report_and_its_json() -> None:
    r = report(n_evidence=1, text="BrokenProcessPool: A process in the process pool was terminated abruptly")
    r.evidence[0].facts["raised_at"] = "/opt/job/merge_parts.py:61 in main: for result in executor.map(f, parts):"
    _, blocks = render_report(r)
    shown = json.loads(all_text(blocks))
    quoted = [b["text"]["text"] for b in shown if b["type"] == "section" and "terminated abruptly" in b["text"]["text"]]
    assert quoted and ">↳ /opt/job/merge_parts.py:61 in main: for result in executor.map(f, parts):" in quoted[0]
    assert r.to_dict()["evidence"][0]["raised_at"].startswith("/opt/job/merge_parts.py:61")
    plain = report(n_evidence=1)
    assert "↳" not in json.dumps(render_report(plain)[1], ensure_ascii=False)
    assert "raised_at" not in plain.to_dict()["evidence"][0]
