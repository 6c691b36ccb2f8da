"""Report -> Slack Block Kit, within Slack's limits, from the templates in ``prompts/``.

Limits (Slack's documented ones): at most 50 blocks a message, 3,000 characters in a section's text,
150 in a header, and a plain-text ``text`` fallback for notifications. Evidence that does not fit is
cut with a note rather than making the post fail.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..templates import render

if TYPE_CHECKING:
    from ..model import Report

__all__ = ["MAX_BLOCKS", "MAX_SECTION", "render_repeat", "render_report", "sections"]

MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_HEADER = 150
MAX_TEXT = 3000

SEVERITY_EMOJI = {"critical": ":red_circle:", "high": ":large_orange_circle:", "medium": ":large_yellow_circle:",
                  "low": ":white_circle:"}


def _label(source: str) -> str:
    from ..sources import adapter

    try:
        return adapter(source).label
    except KeyError:
        return source


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def sections(parts: list[str], header: str = "", limit: int = MAX_SECTION) -> list[dict[str, Any]]:
    """Pack text parts into as few mrkdwn sections as fit, each at most ``limit`` characters."""
    blocks: list[dict[str, Any]] = []
    current = header
    for part in parts:
        part = _cut(part, limit - 2)
        candidate = f"{current}\n{part}" if current else part
        if len(candidate) > limit:
            blocks.append(_section(current))
            current = part
        else:
            current = candidate
    if current:
        blocks.append(_section(current))
    return blocks


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _cut(text, MAX_SECTION)}}


def render_report(report: Report) -> tuple[str, list[dict[str, Any]]]:
    """The fallback text and the blocks of a report."""
    d = report.to_dict()
    common = {"report": d, "severity_emoji": SEVERITY_EMOJI.get(d["severity"], ""),
              "source_label": _label(report.source)}
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _cut(report.title, MAX_HEADER), "emoji": True}},
        _section(render("report_summary.j2", **common)),
        {"type": "context", "elements": [{"type": "mrkdwn", "text": _cut(render("report_context.j2", **common),
                                                                        MAX_SECTION)}]},
        {"type": "divider"},
    ]
    cause = render("report_cause.j2", cause=d["probable_cause"])
    steps = render("report_next_steps.j2", steps=d["next_steps"], links=d["links"])
    gaps = render("report_gaps.j2", gaps=d["gaps"]) if d["gaps"] else ""
    tail: list[dict[str, Any]] = [{"type": "divider"}, *sections([cause]), *sections([steps])]
    if gaps:
        tail.extend(sections([gaps]))
    if report.actions:
        tail.append(_actions(report))
    ev_lines = [render("_evidence_line.j2", ev=e) for e in d["evidence"]]
    ev_blocks = sections(ev_lines, header="*Evidence*")
    room = MAX_BLOCKS - len(blocks) - len(tail)
    if len(ev_blocks) > room:
        shown = ev_blocks[: max(room - 1, 0)]
        shown.append(_section(f"_{len(d['evidence'])} evidence items in all; the rest are in the thread "
                              f"(ask `more evidence`)._"))
        ev_blocks = shown
    blocks.extend(ev_blocks)
    blocks.extend(tail)
    text = _cut(render("report_text.j2", **common), MAX_TEXT)
    return text, blocks[:MAX_BLOCKS]


def _actions(report: Report) -> dict[str, Any]:
    elements = []
    if "redrive" in report.actions:
        elements.append({"type": "button", "action_id": "redrive_request", "style": "primary",
                         "text": {"type": "plain_text", "text": "Redrive"}, "value": report.incident_id})
    return {"type": "actions", "block_id": f"incident:{report.incident_id}"[:255], "elements": elements}


def render_repeat(report: Report) -> str:
    """A short threaded note for a repeat of an already reported failure."""
    return _cut(render("repeat_text.j2", report=report.to_dict()), MAX_TEXT)
