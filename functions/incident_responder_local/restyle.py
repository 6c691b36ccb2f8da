"""A local world's logs rewritten as structured loggers write them, to test that a diagnosis does not depend on
the log's format.

:func:`restyle_world` returns a copy of a world whose CloudWatch log events are written as JSON records:

- a Lambda function's log group (``/aws/lambda/...``) in Lambda's JSON log format: ``platform.start``,
  ``platform.runtimeDone`` and ``platform.report`` records for START, END and REPORT (a timeout is the report's
  ``"status": "timeout"``; the JSON format has no "Task timed out" line), application lines as
  ``{"timestamp", "level", "requestId", "message"}``, and a Python error as its error object
  (``{"errorType", "errorMessage", "stackTrace"}``) in the record's ``message``;
- an ECS or Batch container's log group as an application logger writes it (Powertools, structlog,
  logstash-logback): each line with a level becomes ``{"timestamp", "level", "logger", "message"}``, and a
  traceback or a Java stack trace that follows an ERROR record goes into that record's ``exception`` field, as
  ``logger.exception(...)`` puts it. Lines no logger wrote (a program's print output) stay text.

:func:`colour_world` returns a copy whose container logs (ECS, Batch) are coloured as a terminal shows them
(Spring Boot, rich, chalk, colorlog): ANSI codes around each line's level and around exception names.

:func:`cri_world` returns a copy whose container lines carry containerd's prefix (the CRI log format a log agent
tailing /var/log/containers ships as written: "<time> stderr F <line>").

:func:`joined_world` returns a copy whose container logs were grouped into events as awslogs does with its
``awslogs-datetime-format`` option: an event starts at a line that begins with a date; every other line (a stack
frame, a traceback the interpreter printed, a program's undated output) is appended to the event before it.

The benchmark ``benchmarks/bench_structured_logs.py`` replays every scenario both ways and counts the
diagnoses that change; the functional tests replay a few.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

__all__ = ["colour_world", "cri_world", "joined_world", "restyle_events", "restyle_world"]

_LEVEL = re.compile(r"\b(ERROR|WARN(?:ING)?|INFO|DEBUG|FATAL|CRITICAL|SEVERE|TRACE)\b")
_PREFIX = re.compile(r"^\s*(?:\[?\d{4}-\d\d-\d\d[T ][\d:.,]+Z?\]?\s*)?"
                     r"(?:\[?(?:ERROR|WARN(?:ING)?|INFO|DEBUG|FATAL|CRITICAL|SEVERE|TRACE)\]?\s*[:\t-]?\s*)?")
_LAMBDA_APP = re.compile(r"^(\d{4}-\d\d-\d\dT[\d:.]+Z)\t([0-9a-f-]{36})\t(\w+)\t(.*)$", re.S)
_START = re.compile(r"^START RequestId: (\S+) Version: (\S+)")
_END = re.compile(r"^END RequestId: (\S+)")
_REPORT = re.compile(r"^REPORT RequestId: (\S+)\s+Duration: ([\d.]+) ms\s+Billed Duration: (\d+) ms\s+"
                     r"Memory Size: (\d+) MB\s+Max Memory Used: (\d+) MB(?:\s+Init Duration: ([\d.]+) ms)?")
_TIMEOUT = re.compile(r"^\S+ (\S+) Task timed out after [\d.]+ seconds")
_PYTHON_ERROR = re.compile(r"^\[ERROR\] (\w[\w.]*): (.*?)\nTraceback \(most recent call last\):\n(.*)$", re.S)
_TRACE_LINE = re.compile(r"^(?:\s|Traceback \(most recent|Caused by:|\tat |\s+\.\.\. \d+ more)")
_EXCEPTION = re.compile(r"^[\w.$]+(?:Error|Exception|Exit|Interrupt)\b(?::|$)")
_FAILED_LEVELS = ("ERROR", "FATAL", "CRITICAL", "SEVERE")
_COLOURS = {"ERROR": "31", "FATAL": "31;1", "CRITICAL": "31;1", "SEVERE": "31;1", "WARN": "33", "WARNING": "33",
            "INFO": "32", "DEBUG": "36", "TRACE": "36"}
_EXCEPTION_NAME = re.compile(r"\b([A-Z]\w*(?:Error|Exception))\b")


def _lambda(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    timed_out = {m.group(1) for e in events if (m := _TIMEOUT.match(str(e.get("message") or "")))}
    out: list[dict[str, Any]] = []
    for event in events:
        message, when = event.get("message"), event.get("timestamp")
        if not isinstance(message, str):
            out.append(event)
            continue
        record: dict[str, Any] | None = None
        if m := _START.match(message):
            record = {"time": when, "type": "platform.start", "record": {"requestId": m[1], "version": m[2]}}
        elif m := _END.match(message):
            record = {"time": when, "type": "platform.runtimeDone",
                      "record": {"requestId": m[1], "status": "timeout" if m[1] in timed_out else "success"}}
        elif m := _REPORT.match(message):
            metrics: dict[str, Any] = {"durationMs": float(m[2]), "billedDurationMs": int(m[3]),
                                       "memorySizeMB": int(m[4]), "maxMemoryUsedMB": int(m[5])}
            if m[6]:
                metrics["initDurationMs"] = float(m[6])
            status = "timeout" if m[1] in timed_out else ("error" if "Status: error" in message else "success")
            record = {"time": when, "type": "platform.report",
                      "record": {"requestId": m[1], "metrics": metrics, "status": status}}
            if "Error Type:" in message:
                record["record"]["errorType"] = message.split("Error Type:")[1].split()[0]
        elif _TIMEOUT.match(message):
            continue  # the JSON format says it in the report's status
        elif m := _LAMBDA_APP.match(message):
            record = {"timestamp": m[1], "level": m[3], "requestId": m[2], "message": m[4]}
        elif m := _PYTHON_ERROR.match(message):
            frames = [f for f in re.split(r"(?=  File \")", m[3]) if f.strip()]
            record = {"timestamp": when, "level": "ERROR", "requestId": "",
                      "message": {"errorMessage": m[2], "errorType": m[1], "stackTrace": frames}}
        out.append(event if record is None else dict(event, message=json.dumps(record)))
    return out


def _application(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    last: tuple[int, dict[str, Any]] | None = None  # the ERROR record a following trace belongs to
    trace: list[dict[str, Any]] = []
    in_python = False

    def flush() -> None:
        nonlocal trace, last
        if not trace:
            return
        text = "\n".join(str(e["message"]) for e in trace)
        if last is not None:
            at, record = last
            record["exception"] = text
            out[at] = dict(out[at], message=json.dumps(record))
        else:
            out.extend(trace)  # a trace no logger record owns stays text (stderr)
        trace, last = [], None

    for i, event in enumerate(events):
        message = event.get("message")
        if not isinstance(message, str):
            flush()
            out.append(event)
            continue
        following = events[i + 1].get("message") if i + 1 < len(events) else ""
        opens = message.startswith("Traceback (most recent call last)") or (
            bool(_EXCEPTION.match(message)) and isinstance(following, str)
            and following.startswith(("\tat ", "    at ")))
        if opens or (trace and (_TRACE_LINE.match(message) or (in_python and _EXCEPTION.match(message)))):
            trace.append(event)
            if message.startswith("Traceback"):
                in_python = True
            elif in_python and _EXCEPTION.match(message):
                in_python = False
                flush()
            continue
        flush()
        in_python = False
        level = _LEVEL.search(message[:40])
        if level is None or "\n" in message:
            out.append(event)
            last = None
            continue
        record = {"timestamp": event.get("timestamp"), "level": level.group(1).replace("WARNING", "WARN"),
                  "logger": "app", "message": _PREFIX.sub("", message, count=1)}
        out.append(dict(event, message=json.dumps(record)))
        last = (len(out) - 1, record) if record["level"] in _FAILED_LEVELS else None
    flush()
    return out


def _container_group(group: str) -> bool:
    """Whether a log group is an ECS task's or a Batch job's (awslogs)."""
    return group.startswith(("/ecs", "/aws/batch")) or "ecs" in group


def restyle_events(group: str, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events of one log group as a structured logger writes them (see the module docstring)."""
    if group.startswith("/aws/lambda/"):
        return _lambda(events)
    if _container_group(group):
        return _application(events)
    return events


def restyle_world(world: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """A copy of ``world`` with its log events restyled, and how many events were rewritten."""
    out = copy.deepcopy(world)
    changed = 0
    for stream in out.get("logs") or []:
        if not isinstance(stream, dict):
            continue
        events = stream.get("events") or []
        new = restyle_events(str(stream.get("group", "")), events)
        changed += sum(1 for e in new if str(e.get("message") or "").startswith("{")) - sum(
            1 for e in events if str(e.get("message") or "").startswith("{"))
        stream["events"] = new
    return out, changed


def _colour(message: Any) -> Any:
    if not isinstance(message, str):
        return message
    out = _LEVEL.sub(lambda m: f"\x1b[{_COLOURS[m.group(1)]}m{m.group(1)}\x1b[0m", message, count=1)
    return _EXCEPTION_NAME.sub(lambda m: f"\x1b[1;31m{m.group(1)}\x1b[0m", out)


def colour_world(world: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """A copy of ``world`` with its container logs coloured (see the module docstring), and how many events were."""
    out, streams = _container_streams(world)
    changed = 0
    for stream in streams:
        events = []
        for event in stream.get("events") or []:
            painted = _colour(event.get("message"))
            changed += painted != event.get("message")
            events.append(dict(event, message=painted))
        stream["events"] = events
    return out, changed


def _container_streams(world: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    out = copy.deepcopy(world)
    return out, [stream for stream in out.get("logs") or []
                 if isinstance(stream, dict) and _container_group(str(stream.get("group", "")))]


def _cri_time(value: Any) -> str:
    text = str(value or "2024-01-01T00:00:00.000Z")
    return (text[:-1] if text.endswith("Z") else text)[:23].ljust(23, "0") + "000000Z"


_STDERR = re.compile(r"Error|Exception|Traceback|^\s+File |^\tat |\bWARN|\bERROR|\bFATAL")


def cri_world(world: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """A copy of ``world`` whose container lines carry containerd's CRI prefix (see the module docstring), and how
    many events were rewritten."""
    out, streams = _container_streams(world)
    changed = 0
    for stream in streams:
        events = []
        for event in stream.get("events") or []:
            message = event.get("message")
            if isinstance(message, str):
                prefix = f"{_cri_time(event.get('timestamp'))} {'stderr' if _STDERR.search(message) else 'stdout'} F "
                message = "\n".join(prefix + part for part in message.split("\n"))
                changed += 1
            events.append(dict(event, message=message))
        stream["events"] = events
    return out, changed


_DATED = re.compile(r"^\[?\d{4}-\d\d-\d\d[T ]\d\d:\d\d")


def joined_world(world: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """A copy of ``world`` whose container events are grouped by their first line's date, as awslogs-datetime-format
    groups them (see the module docstring), and how many events were appended to the one before. A stream whose
    lines mostly carry no date is left alone: nobody would set the option for it."""
    out, streams = _container_streams(world)
    changed = 0
    for stream in streams:
        events = stream.get("events") or []
        texts = [e for e in events if isinstance(e.get("message"), str)]
        if not texts or sum(bool(_DATED.match(e["message"])) for e in texts) * 2 < len(texts):
            continue
        grouped: list[dict[str, Any]] = []
        for event in events:
            message = event.get("message")
            if (grouped and isinstance(message, str) and not _DATED.match(message)
                    and isinstance(grouped[-1].get("message"), str)):
                grouped[-1] = dict(grouped[-1], message=grouped[-1]["message"] + "\n" + message)
                changed += 1
            else:
                grouped.append(dict(event))
        stream["events"] = grouped
    return out, changed
