"""Structured log records read as the text they stand for.

Many jobs log one JSON object per line: Lambda's own JSON log format (``LoggingConfig.LogFormat: JSON``),
Powertools' Logger, structlog, python-json-logger, logstash-logback-encoder and log4j's JSON layouts,
pino and winston, zap, logrus and zerolog, Serilog's compact format, the Elastic Common Schema, and
FireLens, which wraps each line a container printed in ``{"log": ..., "container_name": ...}``. The cause
of a failure is then inside a field, with its quotes escaped and its stack trace on one line joined by
``\\n``: ``{"level":"ERROR","message":"payment failed","exception":"Traceback ...\\nKeyError: 'amount'"}``.

:func:`plain` turns such a line into the text a plain logger would have written, so that everything that
reads logs (the compaction's ranking, the exception chains, the class rules and the signatures, the
report's quotes) reads it as it reads any other line:

- the level first, then the logger and the message: ``ERROR payment.handler: payment failed``;
- the error's type and message, and its stack trace, as lines of their own under it;
- a few other short fields that can say why (``reason=...``, ``error_code=...``); ids, hosts, trace ids
  and the like are left out;
- Lambda's platform records as their text-format lines (``START RequestId: ...``, ``REPORT RequestId: ...
  Status: timeout``, ``INIT_REPORT ... Error Type: Runtime.ExitError``), and a function's JSON
  application record with its time, request id and level as the text format puts them.

A line that is not a JSON object, or whose object does not look like a log record (a payload a job
printed), is returned as it is. Terminal colour codes (``\x1b[31mERROR\x1b[0m``) are removed from every line:
a program that colours its output for a terminal writes them to CloudWatch too; so is containerd's line prefix
(``2024-03-12T02:04:00.701Z stderr F ``), which a log agent tailing a node's container logs ships as written.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["plain", "stack_lines"]

MAX_RECORD_CHARS = 256_000  # a longer line is not parsed (Lambda keeps a record of at most 256 KB)
MAX_DEPTH = 2  # a record whose message is itself a record (FireLens around a JSON logger) is read twice
MAX_EXTRA_FIELDS = 6
MAX_EXTRA_CHARS = 300

# Where a line's JSON object may start: at its beginning, or after a short prefix a log driver or a runtime
# put before it ("2024-05-01T10:00:00.123Z\t<request id>\tINFO\t{...}"; containerd's is removed first, _CRI).
_PREFIX_CHARS = 120

_MESSAGE_KEYS = ("message", "msg", "@m", "@mt", "log", "event", "short_message", "full_message", "body", "text",
                 "Message", "MessageTemplate", "RenderedMessage")
_LEVEL_KEYS = ("level", "levelname", "log_level", "severity", "loglevel", "lvl", "@l", "log.level", "Level",
               "Severity", "level_name", "levelName")
_LOGGER_KEYS = ("logger", "logger_name", "loggerName", "log.logger", "name", "caller", "location", "module")
_TIME_KEYS = ("timestamp", "time", "ts", "@t", "@timestamp", "asctime", "datetime", "date", "Timestamp", "t")
# Where an error is: a string (a stack trace, or "Type: message"), or an object with its type, message and stack.
_ERROR_KEYS = ("exception", "exc_info", "stack_trace", "stacktrace", "stackTrace", "stack", "error", "err", "@x",
               "Exception", "errorMessage", "error.message", "error.stack_trace", "exception.message",
               "exception.stacktrace", "trace", "traceback")
# The fields that name an error's type beside it (a hint for an error given as its message alone) ...
_TYPE_FIELDS = ("errorType", "exception_name", "exception_type", "error.type", "exception.type", "error_type",
                "exc_type")
# ... and, inside an error object, those too and its own "type" or "name".
_ERROR_TYPE_KEYS = (*_TYPE_FIELDS, "type", "name", "class", "kind", "ClassName")
# An error's cause inside it: Node's Error.cause, the AWS SDK for JavaScript's originalError, .NET's InnerException.
_CAUSE_KEYS = ("cause", "caused_by", "causedBy", "originalError", "inner", "InnerException", "innerException")
_CODE = re.compile(r"[A-Z][A-Za-z0-9_.]{2,63}")
_ERROR_MESSAGE_KEYS = ("errorMessage", "message", "msg", "error.message", "exception.message", "Message", "reason")
_ERROR_STACK_KEYS = ("stackTrace", "stack_trace", "stacktrace", "stack", "trace", "traceback", "error.stack_trace",
                     "exception.stacktrace", "StackTraceString", "frames")
# Fields that never say why: where and when, who and which request, the logger's own bookkeeping.
_NOISE = re.compile(
    r"(?i)^(?:@.*|timestamp|time|ts|date|datetime|asctime|created|msecs|relativecreated|epoch.*|"
    r"level.*|severity|lvl|loglevel|log_level|logger.*|name|caller|location|module|funcname|func_name|"
    r"function.*|filename|line.*|lineno|pathname|process.*|pid|thread.*|tid|host.*|hostname|ip|"
    r"service.*|version|app|application|env|environment|stage|region|account.*|"
    r"(?:aws_)?request_?id|requestid|x_?ray.*|trace.*|span.*|correlation.*|sampl.*|cold_start|"
    r"container_(?:id|name)|ecs_.*|task_?arn|cluster|source|stream|partial_.*|tags?|labels?|kubernetes|"
    r"message|msg|log|event|body|text|short_message|full_message|type|record|"
    r"exception.*|exc_.*|stack.*|error.*|err|traceback|trace|schema|ecs\.version|log\..*|event\..*)$")
# containerd's log format (CRI), which Batch on EKS and a log agent tailing /var/log/containers ship as written: each
# line behind "<RFC 3339 time> <stdout|stderr> <F|P> ". The time is the event's own; the line is what the program wrote.
_CRI = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d) std(?:out|err) [FP] ", re.M)
_CRI_CHARS = 48
# A terminal's colour and cursor codes ("\x1b[31mERROR\x1b[0m": Spring Boot's, rich's, chalk's, colorlog's
# output), which CloudWatch keeps as they were written: the words between them are the line.
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
_PINO_LEVELS = {10: "TRACE", 20: "DEBUG", 30: "INFO", 40: "WARN", 50: "ERROR", 60: "FATAL"}
_WORD_LEVELS = {"warning": "WARN", "err": "ERROR", "crit": "CRITICAL", "critical": "CRITICAL", "fatal": "FATAL",
                "panic": "FATAL", "dpanic": "FATAL", "emerg": "FATAL", "alert": "FATAL", "information": "INFO",
                "verbose": "DEBUG", "e": "ERROR", "w": "WARN", "i": "INFO", "d": "DEBUG", "f": "FATAL"}


def plain(message: str, _depth: int = 0) -> str:
    """The text ``message`` stands for: without terminal colour codes or the container runtime's prefix
    (``_CRI``), and as text when it is a structured log record; else ``message`` itself."""
    if "std" in message[:_CRI_CHARS] and _CRI.match(message):
        message = _CRI.sub("", message)
    if "\x1b" in message:
        message = _ANSI.sub("", message)
    if "{" not in message or len(message) > MAX_RECORD_CHARS:
        return message
    stripped = message.rstrip()
    if not stripped.endswith("}"):
        return message
    start = message.find("{")
    if start > _PREFIX_CHARS:
        return message
    try:
        record = json.loads(stripped[start:])
    except ValueError:
        return message
    if not isinstance(record, dict):
        return message
    prefix = message[:start]
    text = _platform(record)
    if text is None:
        text = _record(record, _depth)
    if text is None:
        return message
    if "\x1b" in text:  # a record's field may hold them too, escaped in its JSON ("\u001b[31m")
        text = _ANSI.sub("", text)
    return prefix + text if prefix.strip() else text


def _first(record: dict[str, Any], keys: tuple[str, ...]) -> tuple[str | None, Any]:
    for key in keys:
        value = record.get(key)
        if value not in (None, "", [], {}):
            return key, value
    return None, None


def _level(record: dict[str, Any]) -> str | None:
    _, value = _first(record, _LEVEL_KEYS)
    if value is None and isinstance(record.get("log"), dict):
        value = record["log"].get("level")
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return _PINO_LEVELS.get(value - value % 10)
    if isinstance(value, str) and 0 < len(value) <= 12:
        word = value.strip().lower()
        return _WORD_LEVELS.get(word, word.upper())
    return None


def _scalar(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def _error_lines(value: Any, type_hint: str | None = None) -> list[str]:
    """The lines an error field stands for: ``Type: message`` and its stack, or its text."""
    if isinstance(value, str):
        text = value.strip("\n")
        if type_hint and not text.startswith(type_hint) and "\n" not in text:
            text = f"{type_hint}: {text}"
        return text.split("\n") if text else []
    if isinstance(value, list):  # exc_info as a list of lines, or a stack as its frames
        return [str(v).rstrip("\n") for v in value if isinstance(v, (str, int, float))]
    if not isinstance(value, dict):
        return []
    kind = _scalar(_first(value, _ERROR_TYPE_KEYS)[1]) or type_hint
    said = _scalar(_first(value, _ERROR_MESSAGE_KEYS)[1])
    code = value.get("code")
    if not kind and isinstance(code, str) and _CODE.fullmatch(code) and not (said or "").startswith(code):
        kind = code  # Node's and the AWS SDK's error code ("CredentialsError"), where the object names no type
    stack = stack_lines(_first(value, _ERROR_STACK_KEYS)[1])
    lines: list[str] = []
    head = f"{kind}: {said}" if kind and said else (said or kind)
    # A stack written as JavaScript and Java write it starts with its own "Type: message" line.
    if head and not (stack and head.split(":")[0] in stack[0]):
        lines.append(head)
    lines.extend(stack)
    for key in _CAUSE_KEYS:
        inner = value.get(key)
        if isinstance(inner, (dict, str)) and inner:
            inner_lines = _error_lines(inner)
            if inner_lines:
                lines.append("Caused by: " + inner_lines[0])
                lines.extend(inner_lines[1:])
            break
    return lines


def stack_lines(stack: Any) -> list[str]:
    """A stack trace as its lines, given as one string or as a list of frames (strings or objects)."""
    if isinstance(stack, str):
        return stack.strip("\n").split("\n")
    if isinstance(stack, list):
        out: list[str] = []
        for frame in stack:
            if isinstance(frame, str):
                out.extend(frame.rstrip("\n").split("\n"))
            elif isinstance(frame, dict):
                where = ", ".join(f"{k}={v}" for k, v in frame.items() if isinstance(v, (str, int)))
                out.append(f"    at {where}")
        return out
    return []


def _python_stack(lines: list[str]) -> list[str]:
    """Lambda's Python ``stackTrace`` is the traceback's frames only; the traceback's header goes first."""
    if lines and lines[0].lstrip().startswith('File "'):
        return ["Traceback (most recent call last):", *lines]
    return lines


def _errors(record: dict[str, Any]) -> list[str]:
    """The lines of every error the record carries (each once)."""
    lines: list[str] = []
    seen: set[str] = set()
    type_hint = _scalar(_first(record, _TYPE_FIELDS)[1])
    if "errorMessage" in record or ("stackTrace" in record and "errorType" in record):
        # Lambda's error object at the top level: {"errorType", "errorMessage", "stackTrace"}.
        head = ": ".join(str(p) for p in (record.get("errorType"), record.get("errorMessage")) if p)
        return ([head] if head else []) + _python_stack(stack_lines(record.get("stackTrace")))
    for key in _ERROR_KEYS:
        value = record.get(key)
        if value in (None, "", [], {}, False, True):
            continue
        if key == "trace" and not (isinstance(value, list) or (isinstance(value, str) and "\n" in value)):
            continue  # a trace id, not a stack trace
        found = [line for line in _error_lines(value, type_hint if not lines else None) if line not in seen]
        if key == "stack" and found and lines:
            # A stack beside its error's message (winston's {"message", "stack"}): its first line repeats it.
            found = [line for line in found if line.strip() not in seen]
        lines.extend(found)
        seen.update(line.strip() for line in found)
    if not lines and type_hint:
        lines.append(type_hint)
    return lines


def _extras(record: dict[str, Any]) -> str:
    parts: list[str] = []
    for key, value in record.items():
        if len(parts) >= MAX_EXTRA_FIELDS:
            break
        text = _scalar(value)
        if text is None or _NOISE.match(key) or not text.strip() or len(text) > 200:
            continue
        parts.append(f"{key}={text}")
    out = "; ".join(parts)
    return out if len(out) <= MAX_EXTRA_CHARS else out[:MAX_EXTRA_CHARS].rsplit(";", 1)[0]


def _record(record: dict[str, Any], depth: int) -> str | None:
    key, message = _first(record, _MESSAGE_KEYS)
    level = _level(record)
    has_time = any(k in record for k in _TIME_KEYS)
    errors = _errors(record)
    if isinstance(message, dict):
        # Lambda's JSON format puts an error object in "message": {"errorType", "errorMessage", "stackTrace"}.
        nested = _errors(message) if ("errorMessage" in message or "errorType" in message) else []
        errors = nested + [line for line in errors if line not in nested]
        message = None if nested else json.dumps(message, ensure_ascii=False)
    message = _scalar(message)
    # A log record has a message, or an error, and something a logger adds (a level or a time); FireLens's
    # record has its "log" and the container it came from.
    firelens = key == "log" and ("container_name" in record or "source" in record or "stream" in record)
    if not (message or errors) or not (level or has_time or firelens):
        return None
    if firelens and isinstance(message, str):
        line = message.rstrip("\n")
        return plain(line, depth + 1) if depth + 1 < MAX_DEPTH else line
    if message and depth + 1 < MAX_DEPTH and message.lstrip().startswith("{"):
        message = plain(message, depth + 1)
    head = _head(record, level, message)
    lines = [head] if head else []
    lines.extend(line for line in errors if line.strip() and line.strip() != (message or "").strip())
    return "\n".join(lines) if lines else None


def _head(record: dict[str, Any], level: str | None, message: str | None) -> str:
    request_id = record.get("requestId") or record.get("AWSRequestId")
    when = record.get("timestamp")
    if isinstance(request_id, str) and isinstance(when, str) and level:
        # A Lambda function's record in the JSON format: the text format's "<time>\t<request id>\t<LEVEL>\t<message>".
        head = f"{when}\t{request_id}\t{level}\t{message or ''}".rstrip()
    else:
        _, logger = _first(record, _LOGGER_KEYS)
        logger = _scalar(logger)
        head = " ".join(p for p in (level, f"{logger}:" if logger and message else logger, message) if p)
    extras = _extras(record)
    return f"{head} ({extras})" if extras else head


def _platform(record: dict[str, Any]) -> str | None:
    """Lambda's platform records (JSON log format) as their text-format lines."""
    kind, body = record.get("type"), record.get("record")
    if not (isinstance(kind, str) and kind.startswith("platform.")) or not isinstance(body, dict):
        return None
    request_id = body.get("requestId", "")
    metrics: dict[str, Any] = body["metrics"] if isinstance(body.get("metrics"), dict) else {}
    status, error_type = body.get("status"), body.get("errorType")
    tail = "".join(f"\t{label}: {value}" for label, value in (("Status", status), ("Error Type", error_type))
                   if value and not (label == "Status" and value == "success"))
    if kind == "platform.start":
        return f"START RequestId: {request_id} Version: {body.get('version', '$LATEST')}"
    if kind in ("platform.runtimeDone", "platform.end"):
        return f"END RequestId: {request_id}{tail}"
    if kind == "platform.report":
        parts = [f"REPORT RequestId: {request_id}"]
        for label, field, unit in (("Duration", "durationMs", "ms"), ("Billed Duration", "billedDurationMs", "ms"),
                                   ("Memory Size", "memorySizeMB", "MB"), ("Max Memory Used", "maxMemoryUsedMB", "MB"),
                                   ("Init Duration", "initDurationMs", "ms")):
            if metrics.get(field) is not None:
                parts.append(f"{label}: {metrics[field]} {unit}")
        return "\t".join(parts) + tail
    if kind == "platform.initStart":
        return f"INIT_START Runtime Version: {body.get('runtimeVersion', '')}".rstrip()
    if kind == "platform.initReport":
        duration = metrics.get("durationMs")
        head = "INIT_REPORT" + (f" Init Duration: {duration} ms" if duration is not None else "")
        return head + (f"\tPhase: {body['phase']}" if body.get("phase") else "") + tail
    if kind == "platform.initRuntimeDone":
        return f"INIT_RUNTIME_DONE{tail}"
    if kind == "platform.extension":
        return f"EXTENSION\tName: {body.get('name', '')}\tState: {body.get('state', '')}"
    if kind == "platform.logsDropped":
        return f"LOGS_DROPPED {body.get('droppedRecords', '')} records: {body.get('reason', '')}"
    return None
