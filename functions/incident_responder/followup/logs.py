"""More log lines for a thread: the next page of the compacted window, or a pattern in a window.

The analysis records the log windows it read (``log_windows`` on the incident). A page is the next
``PAGE`` compacted lines after those already shown (the report showed the first page); a search
reads the window again with a CloudWatch filter pattern (the person's text as one quoted term).
Reads go through the analysis' own bounded reader (``evidence.logs.fetch_log_window``); every line
is redacted by the compaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..evidence.compaction import CompactLine, LogLine, compact
from ..model import parse_time
from ..templates import SafeText

if TYPE_CHECKING:
    from ..config import Settings
    from .intents import Intent

__all__ = ["PAGE", "LogAnswer", "LogWindow", "log_windows", "more_logs", "search_logs"]

PAGE = 8  # as many lines as the report shows from one window
_ALL = 10**9  # a token budget that keeps every template: pages are cut by count, not tokens


@dataclass
class LogWindow:
    group: str
    start: datetime
    end: datetime


@dataclass
class LogAnswer:
    """What a logs question found: lines (best first or by time), a title and notes; ``page`` shown."""

    title: str
    lines: list[CompactLine] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    page: int | None = None


def log_windows(incident: dict[str, Any]) -> list[LogWindow]:
    """The log windows the analysis read, from the incident item (``log_windows``, JSON)."""
    try:
        raw = json.loads(incident.get("log_windows") or "[]")
    except (TypeError, ValueError):
        return []
    windows = []
    for w in raw if isinstance(raw, list) else []:
        start, end = parse_time(w.get("start")), parse_time(w.get("end"))
        if w.get("group") and start and end:
            windows.append(LogWindow(str(w["group"]), start, end))
    return windows


def _ms(value: datetime) -> int:
    return int(value.timestamp() * 1000)


def _term(pattern: str) -> str:
    # One quoted term: CloudWatch matches it literally (case-sensitive), whatever its punctuation.
    return '"' + pattern.replace('"', " ").replace("\\", " ").strip() + '"'


def _read(
    logs: Any, window: LogWindow, max_bytes: int, pattern: str | None = None
) -> tuple[list[LogLine], bool, str | None]:
    """The window's lines (oldest first; the newest ``max_bytes`` when there is more), whether some were
    left out, and why reading failed (None when it did not): the analysis' own reader."""
    from ..evidence.logs import fetch_log_window

    fetched = fetch_log_window(
        logs,
        window.group,
        start=window.start,
        end=window.end,
        max_bytes=max_bytes,
        filter_pattern=_term(pattern) if pattern else None,
    )
    return fetched.lines, fetched.truncated, fetched.error


def _span(window: LogWindow) -> str:
    return f"{window.start:%Y-%m-%d %H:%M:%S} to {window.end:%H:%M:%S} UTC"


def more_logs(logs: Any, windows: list[LogWindow], page: int, cfg: Settings) -> LogAnswer:
    """Page ``page`` (1 = the first page after the report's own lines) of the compacted windows."""
    lines: list[LogLine] = []
    notes: list[str] = []
    for window in windows:
        read, cut, error = _read(logs, window, cfg.log_max_bytes)
        if error:
            notes.append(f"Could not read all of {window.group}: {error}")
        lines.extend(read)
        if cut:
            notes.append(
                f"{window.group}: only the newest part of the window was read; a pattern narrows it."
            )
    groups = ", ".join(w.group for w in windows)
    result = compact(
        lines, failure_time=max(w.end for w in windows), budget_tokens=_ALL, max_lines=PAGE * (page + 1)
    )
    shown = result.lines[PAGE * page : PAGE * (page + 1)]
    if not shown:
        return LogAnswer(
            title=f"No more log lines in {groups}",
            notes=[
                *notes,
                SafeText(f"The report and earlier answers showed all {len(result.lines)} distinct lines of the "
                         f"{result.total_lines} read. Search with a pattern, e.g. `logs 'Timeout' 30m`."),
            ],
        )
    first = PAGE * page + 1
    last = first + len(shown) - 1
    title = f"Log lines {first} to {last} of {result.templates} distinct, {groups} ({_span(windows[0])})"
    ordered = sorted(shown, key=lambda c: (c.first or "", -c.score))
    if result.templates > PAGE * (page + 1):
        notes.append(SafeText("Reply `logs` for the next page."))
    return LogAnswer(title=title, lines=ordered, notes=notes, page=page)


def search_logs(
    logs: Any, windows: list[LogWindow], intent: Intent, cfg: Settings, now: datetime | None = None
) -> LogAnswer:
    """Lines matching ``intent.pattern`` (if any) in the window the person gave (or the analysis')."""
    now = now or datetime.now(UTC)
    lines: list[LogLine] = []
    notes: list[str] = []
    searched: list[LogWindow] = []
    for window in windows:
        if intent.window_seconds and intent.recent:
            window = LogWindow(window.group, now - timedelta(seconds=intent.window_seconds), now)
        elif intent.window_seconds:
            window = LogWindow(
                window.group, window.end - timedelta(seconds=intent.window_seconds), window.end
            )
        searched.append(window)
        read, cut, error = _read(logs, window, cfg.log_max_bytes, intent.pattern)
        if error:
            notes.append(f"Could not read all of {window.group}: {error}")
        lines.extend(read)
        if cut:
            notes.append(f"{window.group}: more lines matched than I read; narrow the pattern or the window.")
    what = f"matching “{intent.pattern}”" if intent.pattern else "in the window"
    where = ", ".join(f"{w.group} ({_span(w)})" for w in searched)
    if not lines:
        return LogAnswer(title=f"No log lines {what} in {where}", notes=notes)
    result = compact(
        lines,
        failure_time=max(w.end for w in searched),
        budget_tokens=cfg.log_token_budget,
        max_lines=PAGE + 2,
    )
    ordered = sorted(result.lines, key=lambda c: (c.first or "", -c.score))
    title = f"{result.total_lines} log line(s) {what} in {where}"
    if result.omitted:
        notes.append(f"{result.omitted} other distinct line(s) not shown.")
    return LogAnswer(title=title, lines=ordered, notes=notes)
