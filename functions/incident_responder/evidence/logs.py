"""Read the log lines around a failure: CloudWatch Logs windows and log objects in S3.

Both readers are bounded by bytes and, since a failure is logged last, keep the newest part when
there is more than the bound: :func:`fetch_log_window` keeps the last ``max_bytes`` of the
window, :func:`iter_s3_log_lines` reads the tail of a plain object with a ranged GET and the tail
of a gzip object while decompressing it.

Neither raises for the failures an incident responder meets every day (a log group deleted with
its stack, a stream that never existed, AccessDenied, throttling, a missing S3 object): they
return what they read with ``error`` set to a sentence a person can act on. The evidence layer
reports that sentence instead of the log lines.
"""

from __future__ import annotations

import heapq
import re
import zlib
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from incident_responder.evidence.compaction import LogLine
from incident_responder.evidence.records import plain

if TYPE_CHECKING:
    from mypy_boto3_logs import CloudWatchLogsClient
    from mypy_boto3_s3 import S3Client

__all__ = ["LogFetch", "fetch_log_window", "iter_s3_log_lines", "parse_s3_uri", "read_s3_log"]

DEFAULT_MAX_BYTES = 5_000_000
DEFAULT_MAX_PAGES = 100
S3_CHUNK = 256 * 1024
GZIP_SCAN_FACTOR = 20  # a gzip object is decompressed up to 20 x max_bytes; its newest max_bytes are kept

_NOT_FOUND = {"ResourceNotFoundException", "NoSuchKey", "NoSuchBucket", "NotFound", "404"}
_DENIED = {"AccessDeniedException", "AccessDenied", "UnauthorizedOperation", "403",
           "KMS.AccessDeniedException"}
_THROTTLED = {"ThrottlingException", "Throttling", "TooManyRequestsException", "LimitExceededException",
              "RequestLimitExceeded", "SlowDown", "ServiceUnavailableException", "RequestThrottled"}


@dataclass
class LogFetch:
    """Lines read from one log source, oldest first, and how complete they are."""

    lines: list[LogLine]
    bytes_read: int  # bytes of log text read (before the newest max_bytes were kept)
    truncated: bool  # more was there than was kept: the oldest part was dropped
    error: str | None = None  # why reading stopped early or failed, as a sentence
    streams: list[str] = field(default_factory=list)  # log streams (or the S3 uri) the lines came from


def _ms(value: datetime) -> int:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp() * 1000)


def _iso_ms(epoch_ms: int) -> str:
    dt = datetime.fromtimestamp(epoch_ms / 1000, tz=UTC)
    return dt.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _code(exc: ClientError) -> tuple[str, str]:
    err = exc.response.get("Error", {})
    return str(err.get("Code", "")), str(err.get("Message", "") or "")


def _logs_error(exc: Exception, group: str, streams: list[str] | None, read: int) -> str:
    """A sentence for a failed CloudWatch Logs read."""
    so_far = f" ({read} events read before that)" if read else ""
    if isinstance(exc, ClientError):
        code, message = _code(exc)
        if code in _NOT_FOUND:
            if "stream" in message.lower() and streams:
                return f"log stream {', '.join(streams[:3])} not found in log group {group}"
            return f"log group {group} not found"
        if code in _DENIED:
            return f"access denied reading log group {group}: {message or code}"
        if code in _THROTTLED or "rate exceeded" in message.lower():
            return f"CloudWatch Logs throttled the read of log group {group}{so_far}"
        return f"could not read log group {group}: {code}: {message}".rstrip(": ") + so_far
    return f"could not read log group {group}: {exc}{so_far}"


def fetch_log_window(
    logs_client: CloudWatchLogsClient | None,
    group: str,
    *,
    start: datetime,
    end: datetime,
    stream_names: list[str] | None = None,
    stream_prefix: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    filter_pattern: str | None = None,
    max_pages: int = DEFAULT_MAX_PAGES,
    page_size: int | None = None,
) -> LogFetch:
    """Read the events of ``group`` between ``start`` and ``end`` (FilterLogEvents), oldest first.

    Narrow to ``stream_names`` (up to 100 per call; more are read in batches) or to streams whose
    name starts with ``stream_prefix``, and optionally a CloudWatch ``filter_pattern``. At most
    ``max_bytes`` of message text is kept, the newest; ``max_pages`` bounds the API calls per pass.
    If the page cap stops a pass before ``end``, a second pass reads the newest part of the window,
    so the lines next to the failure are not the ones lost. Naive datetimes are taken as UTC.

    Never raises for a missing group or stream, AccessDenied, throttling or a network error: the
    returned ``LogFetch`` carries what was read and ``error`` says what went wrong.
    """
    if logs_client is None:
        import boto3

        logs_client = boto3.client("logs")
    start_ms, end_ms = _ms(start), _ms(end)
    if end_ms < start_ms:
        start_ms, end_ms = end_ms, start_ms

    # A min-heap on (timestamp, arrival) holds the newest max_bytes whatever order pages arrive in
    # (batches of stream names, the tail pass).
    kept: list[tuple[int, int, str, str, str]] = []
    seen_ids: set[str] = set()
    state = {"bytes": 0, "kept_bytes": 0, "events": 0, "dropped": False, "arrival": 0}

    def add(event: dict[str, Any]) -> None:
        event_id = str(event.get("eventId") or f"{event.get('logStreamName')}:{event.get('timestamp')}:"
                       f"{hash(event.get('message'))}")
        if event_id in seen_ids:
            return
        stream = str(event.get("logStreamName", ""))
        if stream_prefix and not stream.startswith(stream_prefix):
            return  # the API applies the prefix too; this keeps a backend that ignores it honest
        message = str(event.get("message", "")).rstrip("\r\n")
        size = len(message.encode("utf-8", "replace"))
        state["bytes"] += size
        state["events"] += 1
        state["arrival"] += 1
        seen_ids.add(event_id)
        heapq.heappush(kept, (int(event.get("timestamp", 0)), state["arrival"], event_id, stream, message))
        state["kept_bytes"] += size
        while state["kept_bytes"] > max_bytes and kept:
            _, _, old_id, _, old = heapq.heappop(kept)
            seen_ids.discard(old_id)
            state["kept_bytes"] -= len(old.encode("utf-8", "replace"))
            state["dropped"] = True

    def run_pass(lo: int, hi: int, names: list[str] | None) -> tuple[bool, int]:
        """One paginated FilterLogEvents pass; returns (completed, newest timestamp seen)."""
        kwargs: dict[str, Any] = {"logGroupName": group, "startTime": lo, "endTime": hi}
        if names:
            kwargs["logStreamNames"] = names
        elif stream_prefix:
            kwargs["logStreamNamePrefix"] = stream_prefix
        if filter_pattern:
            kwargs["filterPattern"] = filter_pattern
        if page_size:
            kwargs["limit"] = page_size
        newest = lo
        for _ in range(max(1, max_pages)):
            page = logs_client.filter_log_events(**kwargs)
            for event in page.get("events", []):
                add(event)
                newest = max(newest, int(event.get("timestamp", lo)))
            token = page.get("nextToken")
            if not token:
                return True, newest
            kwargs["nextToken"] = token
        return False, newest

    batches: list[list[str] | None] = (
        [stream_names[i : i + 100] for i in range(0, len(stream_names), 100)] if stream_names else [None]
    )
    error: str | None = None
    capped = False
    try:
        for names in batches:
            done, newest = run_pass(start_ms, end_ms, names)
            # Capped before the end: read the newest part again, narrowing until a pass completes.
            span = end_ms - newest
            for _ in range(3):
                if done:
                    break
                capped = True
                span = max(span // 4, 1000)
                done, _ = run_pass(max(newest + 1, end_ms - span), end_ms, names)
    except (ClientError, BotoCoreError) as exc:
        error = _logs_error(exc, group, stream_names, state["events"])

    ordered = sorted(kept)
    lines = [
        LogLine(message=plain(message), timestamp=_iso_ms(ts), source=f"{group}/{stream}")
        for ts, _, _, stream, message in ordered
    ]
    return LogFetch(
        lines=lines,
        bytes_read=state["bytes"],
        truncated=bool(state["dropped"] or capped),
        error=error,
        streams=sorted({stream for _, _, _, stream, _ in ordered}),
    )


# ---------------------------------------------------------------------------------------------------
# S3
_S3_URI = re.compile(r"^s3[an]?://([^/]+)/(.+)$")


def parse_s3_uri(uri: str) -> tuple[str, str] | None:
    """``s3://bucket/key`` (also ``s3n://``, ``s3a://``) -> (bucket, key), or None."""
    m = _S3_URI.match(uri.strip())
    return (m.group(1), m.group(2)) if m else None


def _s3_error(exc: Exception, uri: str) -> str:
    if isinstance(exc, ClientError):
        code, message = _code(exc)
        if code in {"NoSuchKey", "404", "NotFound"}:
            return f"log object {uri} not found"
        if code == "NoSuchBucket":
            return f"bucket of log object {uri} not found"
        if code in _DENIED:
            return f"access denied reading log object {uri}"
        if code in _THROTTLED:
            return f"S3 throttled the read of log object {uri}"
        return f"could not read log object {uri}: {code}: {message}".rstrip(": ")
    return f"could not read log object {uri}: {exc}"


class _Tail:
    """The newest ``limit`` bytes of a byte stream, as whole lines."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.lines: deque[bytes] = deque()
        self.size = 0
        self.partial = b""
        self.dropped = False

    def feed(self, data: bytes) -> None:
        data = self.partial + data
        parts = data.split(b"\n")
        self.partial = parts.pop()
        for part in parts:
            self._push(part)
        if len(self.partial) > self.limit:  # one endless line: keep its end
            self.partial = self.partial[-self.limit :]
            self.dropped = True

    def _push(self, line: bytes) -> None:
        self.lines.append(line)
        self.size += len(line) + 1
        while self.size > self.limit and len(self.lines) > 1:
            self.size -= len(self.lines.popleft()) + 1
            self.dropped = True

    def close(self) -> None:
        if self.partial:
            self._push(self.partial)
            self.partial = b""


def _decode_lines(lines: deque[bytes] | list[bytes], uri: str) -> Iterator[LogLine]:
    for raw in lines:
        yield LogLine(message=plain(raw.decode("utf-8", "replace").rstrip("\r")), timestamp=None, source=uri)


def iter_s3_log_lines(
    s3_client: S3Client | None, uri: str, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[Iterator[LogLine], dict[str, Any]]:
    """Read a log object in S3 and return ``(lines, info)``; ``info`` is complete on return.

    The object is gunzipped when its bytes start with the gzip magic (whatever its name), decoded
    as UTF-8 with invalid bytes replaced, and split into lines. At most ``max_bytes`` of text is
    kept, the newest: a plain object is read with a ranged GET of its last ``max_bytes``; a gzip
    object is decompressed (up to ``GZIP_SCAN_FACTOR`` x ``max_bytes``) keeping its last
    ``max_bytes``. A truncated gzip stream yields what could be decompressed.

    ``info``: ``uri``, ``size`` (object bytes), ``gzip``, ``bytes_read`` (text bytes read),
    ``truncated`` (older text was dropped), ``gzip_incomplete``, ``error`` (a sentence, or None).
    Never raises for a missing object or bucket, AccessDenied or throttling.
    """
    info: dict[str, Any] = {"uri": uri, "size": None, "gzip": False, "bytes_read": 0, "truncated": False,
                            "gzip_incomplete": False, "error": None}
    parsed = parse_s3_uri(uri)
    if parsed is None:
        info["error"] = f"not an S3 uri: {uri}"
        return iter(()), info
    if s3_client is None:
        import boto3

        s3_client = boto3.client("s3")
    bucket, key = parsed
    tail: deque[bytes] | list[bytes]
    try:
        response = s3_client.get_object(Bucket=bucket, Key=key)
        body = response["Body"]
        size = int(response.get("ContentLength") or 0)
        info["size"] = size
        head = body.read(S3_CHUNK)
        if head[:2] == b"\x1f\x8b":
            info["gzip"] = True
            tail = _read_gzip(head, body, max_bytes, info)
        else:
            tail = _read_plain(s3_client, bucket, key, head, body, size, max_bytes, info)
    except (ClientError, BotoCoreError) as exc:
        info["error"] = _s3_error(exc, uri)
        return iter(()), info
    return _decode_lines(tail, uri), info


def _read_plain(s3_client: Any, bucket: str, key: str, head: bytes, body: Any, size: int, max_bytes: int,
                info: dict[str, Any]) -> list[bytes]:
    if size > max_bytes:
        # Only the newest part is wanted: drop this stream and fetch the last max_bytes directly.
        body.close()
        ranged = s3_client.get_object(Bucket=bucket, Key=key, Range=f"bytes={size - max_bytes}-")
        data = ranged["Body"].read()
        info["truncated"] = True
        data = data.split(b"\n", 1)[1] if b"\n" in data else data  # the first line is cut: drop it
    else:
        data = head + body.read()
    info["bytes_read"] = len(data)
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return lines


def _read_gzip(head: bytes, body: Any, max_bytes: int, info: dict[str, Any]) -> deque[bytes]:
    tail = _Tail(max_bytes)
    scan_limit = max_bytes * GZIP_SCAN_FACTOR
    decomp = zlib.decompressobj(16 + zlib.MAX_WBITS)
    chunk = head
    total = 0
    while chunk:
        try:
            out = decomp.decompress(chunk)
            while decomp.eof and decomp.unused_data:  # concatenated gzip members
                rest = decomp.unused_data
                decomp = zlib.decompressobj(16 + zlib.MAX_WBITS)
                out += decomp.decompress(rest)
        except zlib.error:
            info["gzip_incomplete"] = True  # corrupt from here on: keep what came before
            break
        total += len(out)
        tail.feed(out)
        if total >= scan_limit:
            info["truncated"] = True
            break
        chunk = body.read(S3_CHUNK)
    else:
        if not decomp.eof:
            info["gzip_incomplete"] = True  # the object ends mid-stream (an upload cut short)
    try:
        tail.feed(decomp.flush())
    except zlib.error:
        info["gzip_incomplete"] = True
    tail.close()
    info["bytes_read"] = total
    info["truncated"] = info["truncated"] or tail.dropped
    return tail.lines


def read_s3_log(s3_client: S3Client | None, uri: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> LogFetch:
    """:func:`iter_s3_log_lines` as a :class:`LogFetch` (lines in memory, at most ``max_bytes``)."""
    lines, info = iter_s3_log_lines(s3_client, uri, max_bytes=max_bytes)
    kept = list(lines)
    error = info["error"]
    if error is None and info["gzip_incomplete"]:
        error = f"log object {uri} is a truncated or corrupt gzip stream; read what could be decompressed"
    return LogFetch(lines=kept, bytes_read=int(info["bytes_read"]), truncated=bool(info["truncated"]),
                    error=error, streams=[uri] if kept else [])
