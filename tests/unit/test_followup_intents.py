"""What a person asks in a report's thread, as the worker understands it without an LLM."""

from __future__ import annotations

import pytest

from incident_responder.followup.intents import parse_intent
from incident_responder.followup.worker import split_reply


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("status", "status"),
        ("<@U0BOT0001> is it still failing?", "status"),
        ("what's the state now", "status"),
        ("more logs please", "logs"),
        ("more", "logs"),
        ("show me the input", "input"),
        ("what payload did it get?", "input"),
        ("has this happened before?", "similar"),
        ("any similar incidents?", "similar"),
        ("who owns this?", "owner"),
        ("where is the runbook", "owner"),
        ("more evidence", "evidence"),
        ("help", "help"),
        ("what can you do?", "help"),
        ("please redrive it", "redrive"),
        ("can you run it again", "redrive"),
        ("retry", "redrive"),
        ("what changed?", "changes"),
        ("changes", "changes"),
        ("what's different from the last good run", "changes"),
        ("show the input logs", "logs"),
        ("why is the sky blue?", "unknown"),
        ("", "unknown"),
    ],
)
def test_intents(text: str, intent: str) -> None:
    assert parse_intent(text).name == intent


@pytest.mark.parametrize(
    ("text", "pattern", "seconds", "recent"),
    [
        ("logs 'Timeout' 10m", "Timeout", 600, False),
        ("logs \u201cTask timed out\u201d last 2h", "Task timed out", 7200, True),
        ("logs `OutOfMemory` 30 minutes", "OutOfMemory", 1800, False),
        ("grep ERROR", "ERROR", None, False),
        ("logs matching SlowDown in the past 15 min", "SlowDown", 900, True),
        ("logs", None, None, False),
        ("logs 5m", None, 300, False),
        ("logs 'x' 999d", "x", 7 * 86400, False),  # capped at a week
    ],
)
def test_log_pattern_and_window(text: str, pattern: str | None, seconds: int | None, recent: bool) -> None:
    intent = parse_intent(text)

    assert (intent.name, intent.pattern, intent.window_seconds, intent.recent) == (
        "logs",
        pattern,
        seconds,
        recent,
    )


def test_slack_escaping_and_mentions_are_undone() -> None:
    intent = parse_intent("<@U0BOT0001> logs '&lt;ERROR&gt; a &amp; b' 1h")

    assert intent.pattern == "<ERROR> a & b"
    assert intent.text.startswith("logs")


def test_long_replies_are_split_at_line_ends() -> None:
    text = "\n".join(f"line {i} " + "x" * 90 for i in range(30))

    parts = split_reply(text, limit=1000)

    assert all(len(p) <= 1000 for p in parts)
    assert "\n".join(parts) == text


def test_very_long_replies_are_cut_with_a_note() -> None:
    parts = split_reply("\n".join("y" * 900 for _ in range(100)), limit=1000)

    assert len(parts) == 5 and parts[-1].endswith("_(cut: the rest is too long)_")
