"""The agent's tools: read-only, bounded, and never raising into the loop.

A tool is a name, a JSON schema for its input and a callable returning :class:`ToolResult`
(``{"status": "ok", "data": ...}`` or ``{"status": "error", "error": ...}``). :class:`ToolRegistry`
calls them: an unknown name, a bad argument or an exception inside a tool all come back as an error
result, and every result is redacted and cut to a bound (with a note saying so) before the model sees it.

The AWS reads the service adapters know best (the resource as it is now, its recent runs, the catalog
and Glue table metadata, similar past incidents) are injected as callables in :class:`ToolContext`, so
each source can plug its own in; a tool whose callable is missing says it is not available. Log reads
(CloudWatch Logs ``FilterLogEvents``) and S3 listings (``ListObjectsV2``/``HeadObject``, never a body)
are implemented here against boto3 clients, restricted to the incident's own log groups and buckets.

Nothing here can change anything: ``propose_redrive`` only records an intent; the caller shows the
usual preview with Approve/Cancel buttons, and a person decides.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from ..evidence.redaction import redact_obj
from ..model import Category, Confidence, Evidence, iso, parse_time

__all__ = [
    "FINAL_TOOL",
    "REDRIVE_ASK",
    "REDRIVE_TOOL",
    "Tool",
    "ToolContext",
    "ToolRegistry",
    "ToolResult",
    "build_registry",
    "submit_schema",
]

logger = logging.getLogger(__name__)

FINAL_TOOL = "submit_diagnosis"
REDRIVE_TOOL = "propose_redrive"
MAX_RESULT_CHARS = 4000
MAX_LOG_EVENTS = 50
MAX_LOG_PAGES = 3
MAX_LOG_WINDOW_MINUTES = 240
MAX_S3_KEYS = 20
REDRIVE_ASK = re.compile(r"(?i)\b(?:re-?drive|re-?run|retry|restart|run it again)\b")
_BUCKET_RE = re.compile(r"(?:s3a?://|arn:aws[\w-]*:s3:::)([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])")


@dataclass
class ToolResult:
    """What a tool returns to the model."""

    status: str  # ok | error
    data: Any = None
    error: str | None = None

    @classmethod
    def ok(cls, data: Any) -> ToolResult:
        return cls("ok", data=data)

    @classmethod
    def fail(cls, error: str) -> ToolResult:
        return cls("error", error=error)

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "data": self.data} if self.status == "ok" else \
            {"status": self.status, "error": self.error}


@dataclass
class Tool:
    name: str
    description: str
    schema: dict[str, Any]
    fn: Callable[[dict[str, Any]], ToolResult]

    def definition(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description, "input_schema": self.schema}


@dataclass
class ToolContext:
    """What the tools may read for one incident.

    ``evidence`` is the incident's evidence (ids E1..). ``logs`` and ``s3`` are boto3 clients (None: the
    tool says it is not available). ``log_groups`` and ``buckets`` bound what may be read (the buckets
    named in the evidence are added). ``window_end`` is the failure time that log windows count back from.
    The callables are the source adapters' read-only views; each returns plain JSON-like data.
    """

    evidence: list[Evidence]
    logs: Any = None
    s3: Any = None
    log_groups: list[str] = field(default_factory=list)
    buckets: list[str] = field(default_factory=list)
    window_end: datetime | str | None = None
    describe_resource: Callable[[], Any] | None = None
    recent_runs: Callable[[int], Any] | None = None
    catalog_metadata: Callable[[], Any] | None = None
    similar_incidents: Callable[[int], Any] | None = None
    redrive_available: bool = False
    redrive_requested: bool = False  # the person's own question asked for one (set by answer_question)

    def allowed_buckets(self) -> set[str]:
        found = {m.group(1) for e in self.evidence for m in _BUCKET_RE.finditer(e.text)}
        return found | set(self.buckets)


def _truncate(payload: dict[str, Any], limit: int) -> str:
    text = json.dumps(payload, ensure_ascii=False, default=str)
    if len(text) <= limit:
        return text
    return (text[: limit - 120] + f"… [truncated: the result had {len(text)} characters, {limit} are shown; "
            "ask for a narrower window, pattern or prefix]")


class ToolRegistry:
    """The tools offered in one run, by name."""

    def __init__(self, tools: Iterable[Tool], max_result_chars: int = MAX_RESULT_CHARS) -> None:
        self.tools = {t.name: t for t in tools}
        self.max_result_chars = max_result_chars

    def definitions(self) -> list[dict[str, Any]]:
        return [t.definition() for t in self.tools.values()]

    def call(self, name: str, args: Any) -> ToolResult:
        """Run a tool; never raises."""
        tool = self.tools.get(name)
        if tool is None:
            logger.warning("agent asked for an unknown tool", extra={"tool": str(name)[:80]})
            return ToolResult.fail(f"unknown tool {str(name)[:80]!r}; the tools are: {', '.join(self.tools)}")
        if not isinstance(args, dict):
            return ToolResult.fail("the tool input must be a JSON object")
        problem = check_args(tool.schema, args)
        if problem:
            return ToolResult.fail(problem)
        try:
            result = tool.fn(args)
        except Exception as exc:
            logger.warning("agent tool failed", extra={"tool": name, "error": str(exc)[:300]})
            return ToolResult.fail(f"{name} failed: {type(exc).__name__}: {str(exc)[:300]}")
        return result if isinstance(result, ToolResult) else ToolResult.ok(result)

    def render(self, result: ToolResult) -> str:
        """The result as the model sees it: redacted JSON within the size bound."""
        return _truncate(redact_obj(result.to_dict()), self.max_result_chars)


def check_args(schema: dict[str, Any], args: dict[str, Any]) -> str | None:
    """A minimal JSON-schema check (required keys, types, enums, bounds) of a tool input."""
    props: dict[str, Any] = schema.get("properties", {})
    missing = [k for k in schema.get("required", []) if k not in args]
    if missing:
        return f"missing required input: {', '.join(missing)}"
    unknown = [k for k in args if k not in props]
    if unknown and schema.get("additionalProperties") is False:
        return f"unknown input: {', '.join(unknown)}"
    types: dict[str, Any] = {"string": str, "integer": int, "array": list, "object": dict, "boolean": bool,
                             "number": (int, float)}
    for key, spec in props.items():
        if key not in args:
            continue
        value = args[key]
        want = types.get(spec.get("type", ""))
        if want is not None and (not isinstance(value, want) or (spec.get("type") == "integer"
                                                                 and isinstance(value, bool))):
            return f"{key} must be of type {spec['type']}"
        if "enum" in spec and value not in spec["enum"]:
            return f"{key} must be one of {', '.join(map(str, spec['enum']))}"
        if isinstance(value, int) and not isinstance(value, bool):
            if "minimum" in spec and value < spec["minimum"]:
                return f"{key} must be at least {spec['minimum']}"
            if "maximum" in spec and value > spec["maximum"]:
                return f"{key} must be at most {spec['maximum']}"
        if isinstance(value, str) and "maxLength" in spec and len(value) > spec["maxLength"]:
            return f"{key} must be at most {spec['maxLength']} characters"
    return None


# --- the tools -------------------------------------------------------------------------------------

def _changes(ctx: ToolContext) -> Callable[[dict[str, Any]], ToolResult]:
    """The recorded differences against the last good run (evidence of kind ``change``)."""
    def run(args: dict[str, Any]) -> ToolResult:
        found = [e.to_dict() for e in ctx.evidence if e.kind == "change"]
        if not found:
            return ToolResult.ok({"changes": [], "note": "no earlier successful run was compared with this one "
                                  "(none was found, or it could not be read)"})
        return ToolResult.ok({"changes": found})
    return run


def _get_evidence(ctx: ToolContext) -> Callable[[dict[str, Any]], ToolResult]:
    def run(args: dict[str, Any]) -> ToolResult:
        wanted = str(args["id"]).strip().upper()
        ev = next((e for e in ctx.evidence if e.id == wanted), None)
        if ev is None:
            return ToolResult.fail(f"no evidence {wanted}; the ids are {', '.join(e.id for e in ctx.evidence)}")
        return ToolResult.ok(ev.to_dict())
    return run


def _aws_error(exc: Exception) -> str:
    from botocore.exceptions import ClientError

    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        return f"{err.get('Code', 'Error')}: {str(err.get('Message', ''))[:200]}"
    return f"{type(exc).__name__}: {str(exc)[:200]}"


def _filter_pattern(pattern: str) -> str:
    """A literal term for FilterLogEvents: quoted unless already a filter pattern."""
    pattern = pattern.strip()
    if not pattern or pattern.startswith(("{", "[", '"', "%")):
        return pattern
    return '"' + pattern.replace('"', "") + '"'


def _more_logs(ctx: ToolContext) -> Callable[[dict[str, Any]], ToolResult]:
    def run(args: dict[str, Any]) -> ToolResult:
        if ctx.logs is None:
            return ToolResult.fail("log reading is not available for this incident")
        group = args["log_group"]
        if group not in ctx.log_groups:
            return ToolResult.fail(f"log group {group!r} is not one of this incident's: "
                                   f"{', '.join(ctx.log_groups) or 'none'}")
        minutes = int(args.get("minutes_before", 15))
        end = parse_time(args.get("end_time")) or parse_time(ctx.window_end) or datetime.now(timezone.utc)
        start = end - timedelta(minutes=minutes)
        params: dict[str, Any] = {
            "logGroupName": group, "startTime": int(start.timestamp() * 1000),
            "endTime": int(end.timestamp() * 1000) + 1, "limit": MAX_LOG_EVENTS,
        }
        if args.get("log_stream"):
            params["logStreamNames"] = [args["log_stream"]]
        if args.get("pattern"):
            params["filterPattern"] = _filter_pattern(args["pattern"])
        events: list[dict[str, Any]] = []
        more = False
        try:
            for _ in range(MAX_LOG_PAGES):
                page = ctx.logs.filter_log_events(**params)
                for e in page.get("events", []):
                    events.append({"time": iso(e.get("timestamp")), "stream": e.get("logStreamName"),
                                   "message": str(e.get("message", "")).rstrip()[:500]})
                token = page.get("nextToken")
                if not token or len(events) >= MAX_LOG_EVENTS:
                    more = bool(token)
                    break
                params["nextToken"] = token
            else:
                more = True
        except Exception as exc:
            return ToolResult.fail(f"could not read {group}: {_aws_error(exc)}")
        kept = events[-MAX_LOG_EVENTS:]
        return ToolResult.ok({"log_group": group, "window": [iso(start), iso(end)], "events": kept,
                              "more_not_shown": more or len(events) > len(kept)})
    return run


def _s3_list_head(ctx: ToolContext) -> Callable[[dict[str, Any]], ToolResult]:
    def run(args: dict[str, Any]) -> ToolResult:
        if ctx.s3 is None:
            return ToolResult.fail("S3 reading is not available for this incident")
        bucket = args["bucket"]
        allowed = ctx.allowed_buckets()
        if bucket not in allowed:
            return ToolResult.fail(f"bucket {bucket!r} is not named in this incident's evidence "
                                   f"({', '.join(sorted(allowed)) or 'none'})")
        try:
            if args.get("key"):
                head = ctx.s3.head_object(Bucket=bucket, Key=args["key"])
                return ToolResult.ok({"bucket": bucket, "key": args["key"], "size": head.get("ContentLength"),
                                      "last_modified": iso(head.get("LastModified")),
                                      "content_type": head.get("ContentType"),
                                      "storage_class": head.get("StorageClass", "STANDARD")})
            max_keys = min(int(args.get("max_keys", 10)), MAX_S3_KEYS)
            page = ctx.s3.list_objects_v2(Bucket=bucket, Prefix=args.get("prefix", ""), MaxKeys=max_keys,
                                          Delimiter="/")
        except Exception as exc:
            return ToolResult.fail(f"could not read s3://{bucket}/{args.get('key') or args.get('prefix', '')}: "
                                   f"{_aws_error(exc)}")
        return ToolResult.ok({
            "bucket": bucket, "prefix": args.get("prefix", ""),
            "objects": [{"key": o["Key"], "size": o.get("Size"), "last_modified": iso(o.get("LastModified"))}
                        for o in page.get("Contents", [])],
            "folders": [p["Prefix"] for p in page.get("CommonPrefixes", [])],
            "more_not_shown": bool(page.get("IsTruncated")),
        })
    return run


def _injected(fn: Callable[..., Any] | None, what: str, *call_args: Any) -> ToolResult:
    if fn is None:
        return ToolResult.fail(f"{what} is not available for this source")
    return ToolResult.ok(fn(*call_args))


def _propose_redrive(ctx: ToolContext, intents: list[dict[str, Any]]) -> Callable[[dict[str, Any]], ToolResult]:
    def run(args: dict[str, Any]) -> ToolResult:
        if not ctx.redrive_available:
            return ToolResult.fail("this failure cannot be redriven from Slack")
        if not ctx.redrive_requested:
            # Only the person's own words can lead to a preview; text in logs or inputs never does.
            return ToolResult.fail("refused: the person did not ask for a redrive")
        intents.append({"intent": "redrive_preview", "reason": str(args.get("reason", ""))[:300]})
        return ToolResult.ok({"proposed": True, "note": "A preview of the redrive will be posted with Approve and "
                              "Cancel buttons; nothing has run, and only an approver can approve it."})
    return run


def submit_schema() -> dict[str, Any]:
    return {
        "type": "object", "additionalProperties": False,
        "required": ["category", "explanation", "confidence", "citations", "next_steps"],
        "properties": {
            "category": {"type": "string", "enum": [c.value for c in Category]},
            "explanation": {"type": "string", "maxLength": 1200,
                            "description": "Two or three sentences: what failed and why, from the evidence."},
            "confidence": {"type": "string", "enum": [c.value for c in Confidence]},
            "citations": {
                "type": "array", "minItems": 1, "maxItems": 6,
                "description": "The evidence the cause rests on: each an evidence id and a verbatim quote of it.",
                "items": {"type": "object", "required": ["evidence_id", "quote"], "additionalProperties": False,
                          "properties": {"evidence_id": {"type": "string", "pattern": "^E[0-9]+$"},
                                         "quote": {"type": "string", "maxLength": 300}}},
            },
            "next_steps": {"type": "array", "maxItems": 5, "items": {"type": "string", "maxLength": 300}},
        },
    }


def build_registry(ctx: ToolContext, *, thread: bool = False, final: bool = True,
                   intents: list[dict[str, Any]] | None = None) -> ToolRegistry:
    """The tools of one run: the read-only ones, ``submit_diagnosis`` (report mode) and, in a thread
    whose failure can be redriven, ``propose_redrive``. ``intents`` collects the proposals."""
    def schema(props: dict[str, Any], required: list[str]) -> dict[str, Any]:
        return {"type": "object", "properties": props, "required": required, "additionalProperties": False}

    tools = [
        Tool("get_evidence", "The full text of one evidence item of this incident, by id (E1, E2, ...).",
             schema({"id": {"type": "string", "maxLength": 10}}, ["id"]), _get_evidence(ctx)),
        Tool("changes", "What changed since the last good run of the same thing: the baseline run, input and "
             "definition differences, input data size now vs then, and the duration trend next to the limit.",
             schema({}, []), _changes(ctx)),
        Tool("more_logs", "Read-only: up to 50 log events of one of this incident's CloudWatch log groups, in a "
             "window of minutes before the failure (or before end_time), optionally one stream and a text pattern.",
             schema({"log_group": {"type": "string", "maxLength": 512},
                     "log_stream": {"type": "string", "maxLength": 512},
                     "pattern": {"type": "string", "maxLength": 200},
                     "minutes_before": {"type": "integer", "minimum": 1, "maximum": MAX_LOG_WINDOW_MINUTES},
                     "end_time": {"type": "string", "maxLength": 40}}, ["log_group"]),
             _more_logs(ctx)),
        Tool("describe_resource_now", "Read-only: the failed resource as AWS describes it now (configuration, "
             "state).", schema({}, []), lambda a: _injected(ctx.describe_resource, "describe_resource_now")),
        Tool("recent_runs", "Read-only: the resource's most recent runs with their status and times.",
             schema({"limit": {"type": "integer", "minimum": 1, "maximum": 20}}, []),
             lambda a: _injected(ctx.recent_runs, "recent_runs", int(a.get("limit", 5)))),
        Tool("catalog_and_table_metadata", "Read-only: the pipeline's catalog entry and the Glue Data Catalog "
             "metadata (schema, location, partitions) of its datasets.", schema({}, []),
             lambda a: _injected(ctx.catalog_metadata, "catalog_and_table_metadata")),
        Tool("similar_incidents", "Read-only: earlier incidents of the same resource with their diagnosed cause.",
             schema({"limit": {"type": "integer", "minimum": 1, "maximum": 10}}, []),
             lambda a: _injected(ctx.similar_incidents, "similar_incidents", int(a.get("limit", 5)))),
        Tool("s3_list_head", "Read-only: list up to 20 keys under a prefix of a bucket named in the evidence, or "
             "the metadata of one key (size, time). Never reads object contents.",
             schema({"bucket": {"type": "string", "maxLength": 63}, "prefix": {"type": "string", "maxLength": 1024},
                     "key": {"type": "string", "maxLength": 1024},
                     "max_keys": {"type": "integer", "minimum": 1, "maximum": MAX_S3_KEYS}}, ["bucket"]),
             _s3_list_head(ctx)),
    ]
    if thread and ctx.redrive_available:
        tools.append(Tool(REDRIVE_TOOL, "Propose re-running the failed run. This only asks for a preview that a "
                          "person must approve; it runs nothing. Use it only when the person asked for a redrive.",
                          schema({"reason": {"type": "string", "maxLength": 300}}, ["reason"]),
                          _propose_redrive(ctx, intents if intents is not None else [])))
    if final:
        # Validated by the loop itself (see agent.validate_submission); listed here so it is offered.
        tools.append(Tool(FINAL_TOOL, "Submit the diagnosis. Call it exactly once, last. Every citation must quote "
                          "its evidence item verbatim.", submit_schema(),
                          lambda a: ToolResult.fail("submit_diagnosis is handled by the loop")))
    return ToolRegistry(tools)
