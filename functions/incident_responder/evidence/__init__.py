"""Shared evidence helpers: reading logs, compacting them to a token budget, redacting secrets.

- :mod:`.logs`: CloudWatch Logs windows and S3 log objects, bounded by bytes, newest kept.
- :mod:`.compaction`: any number of lines -> a few ranked, redacted template lines.
- :mod:`.redaction`: secrets -> ``[REDACTED:<kind>]`` before any text leaves the process.
"""

from __future__ import annotations

from incident_responder.evidence.compaction import (
    CompactLine,
    CompactResult,
    LogLine,
    compact,
    estimate_tokens,
    parse_timestamp,
)
from incident_responder.evidence.logs import (
    LogFetch,
    fetch_log_window,
    iter_s3_log_lines,
    parse_s3_uri,
    read_s3_log,
)
from incident_responder.evidence.redaction import redact, redact_obj

__all__ = [
    "CompactLine",
    "CompactResult",
    "LogFetch",
    "LogLine",
    "compact",
    "estimate_tokens",
    "fetch_log_window",
    "iter_s3_log_lines",
    "parse_s3_uri",
    "parse_timestamp",
    "read_s3_log",
    "redact",
    "redact_obj",
]
