"""What every event source provides, and the collection context they share."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Protocol, TypeVar
from urllib.parse import quote

from botocore.exceptions import BotoCoreError, ClientError

from ..aws import describe_error, error_code
from ..evidence.redaction import redact
from ..model import parse_time

if TYPE_CHECKING:
    from ..aws import AwsContext
    from ..config import Settings
    from ..model import Evidence, EvidenceBook, Incident, Link, Skip

__all__ = ["Collector", "Source", "console_log_url", "parse_time", "shorten"]

logger = logging.getLogger(__name__)
T = TypeVar("T")

MAX_LOG_EVIDENCE = 8


_CONTROL = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32), 127], " ")


def _printable(text: str) -> str:
    """Log bytes can carry NULs and terminal escapes; keep tabs and newlines only."""
    return text.translate(_CONTROL)


def shorten(text: str, limit: int = 600) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def console_log_url(region: str, group: str, start: datetime | None, end: datetime | None,
                    stream: str | None = None) -> str:
    """CloudWatch console deep link to a log group (or stream) for a time window."""

    def enc(s: str) -> str:
        return quote(quote(s, safe=""), safe="").replace("%", "$25")

    url = (f"https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}"
           f"#logsV2:log-groups/log-group/{enc(group)}")
    url += f"/log-events/{enc(stream)}" if stream else "/log-events"
    if start and end:
        url += f"$3FstartTime$3D{int(start.timestamp() * 1000)}$26endTime$3D{int(end.timestamp() * 1000)}"
    return url


class Collector:
    """The context one source's evidence collection runs in.

    AWS calls go through :meth:`call`, which turns a failure into a line of the report ("could not
    read ...") instead of an exception: a report with a gap beats no report.
    """

    def __init__(self, incident: Incident, aws: AwsContext, settings: Settings, book: EvidenceBook) -> None:
        self.incident = incident
        self.aws = aws
        self.settings = settings
        self.book = book
        self.context: dict[str, Any] = {}  # values for signature templates and next steps
        self.links: list[Link] = []
        self.failed_reads = 0
        self.log_groups: list[tuple[str, datetime | None, datetime | None]] = []

    def client(self, service: str) -> Any:
        return self.aws.client(service)

    def call(self, what: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        try:
            return fn(*args, **kwargs)
        except (ClientError, BotoCoreError) as exc:
            self.failed_reads += 1
            self.book.gap(f"{what}: {describe_error(exc)}")
            logger.warning("evidence read failed", extra={"what": what, "error_code": error_code(exc)})
            return None

    def add(self, kind: str, source: str, text: str, time: Any = None, **facts: Any) -> Evidence:
        """Add one fact; its text is redacted and stripped of control characters first."""
        return self.book.add(kind, source, redact(_printable(text)), time, **facts)

    def add_json(self, kind: str, source: str, label: str, payload: Any, limit: int = 800,
                 time: Any = None) -> Evidence:
        from ..evidence.redaction import redact_obj

        if isinstance(payload, str):
            try:
                payload = json.loads(payload)
            except ValueError:
                pass
        text = payload if isinstance(payload, str) else json.dumps(redact_obj(payload), sort_keys=True)
        return self.add(kind, source, f"{label}: {shorten(text, limit)}", time)

    def logs(self, group: str, start: datetime | None, end: datetime | None, *,
             stream_names: list[str] | None = None, stream_prefix: str | None = None,
             failure_time: datetime | None = None, max_items: int = MAX_LOG_EVIDENCE,
             budget_tokens: int | None = None) -> list[Evidence]:
        """Read a log group's window, compact it, and add the best lines as evidence."""
        from ..evidence.logs import fetch_log_window

        end = end or datetime.now(timezone.utc)
        start = start or end - timedelta(seconds=self.settings.log_window_before)
        self.log_groups.append((group, start, end))
        fetched = fetch_log_window(self.client("logs"), group, start=start, end=end,
                                   stream_names=stream_names, stream_prefix=stream_prefix,
                                   max_bytes=self.settings.log_max_bytes)
        if fetched.error:
            self.failed_reads += 1
            self.book.gap(fetched.error)
            return []
        if not fetched.lines:
            self.book.gap(f"no log lines in {group} between {start:%H:%M:%S} and {end:%H:%M:%S} UTC")
            return []
        return self.add_compacted(fetched.lines, group, failure_time or end, max_items=max_items,
                                  budget_tokens=budget_tokens, truncated=fetched.truncated)

    def add_compacted(self, lines: Any, source: str, failure_time: datetime | None, *,
                      max_items: int = MAX_LOG_EVIDENCE, budget_tokens: int | None = None,
                      truncated: bool = False) -> list[Evidence]:
        from ..evidence.compaction import compact

        result = compact(lines, failure_time=failure_time,
                         budget_tokens=budget_tokens or self.settings.log_token_budget)
        chosen = sorted(result.lines[:max_items], key=lambda c: (c.first or "", -c.score))
        added = []
        for line in chosen:
            text = line.text if line.count <= 1 else f"{line.text} (×{line.count}, last {line.last or '?'})"
            added.append(self.book.add("log", line.source or source, _printable(text), line.first,
                                       count=line.count))
        omitted = result.total_lines - sum(c.count for c in chosen)
        if omitted > 0 or truncated:
            note = f"{result.total_lines} log lines read from {source}"
            note += " (truncated to the newest)" if truncated else ""
            self.context.setdefault("log_note", note)
        return added


class Source(Protocol):
    """One event source: parse its events, collect its evidence, describe its redrive."""

    @property
    def name(self) -> str: ...

    @property
    def detail_types(self) -> tuple[str, ...]: ...

    @property
    def event_source(self) -> str: ...

    def parse(self, event: dict[str, Any]) -> Incident | Skip: ...

    def collect(self, c: Collector) -> None: ...
