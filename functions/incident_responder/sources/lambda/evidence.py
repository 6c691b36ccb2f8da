"""Lambda: "Lambda Function Invocation Result - Failure", the invocation record an asynchronous
invocation's on-failure destination puts on an EventBridge bus (source ``lambda``).

Evidence: the record's ``requestContext`` (condition: RetriesExhausted or EventAgeExceeded, the
approximate invoke count), the ``responsePayload``'s ``errorType``, ``errorMessage`` and ``stackTrace``,
the ``requestPayload`` (redacted), GetFunctionConfiguration (memory, timeout, runtime, handler, the
version that ran, its log group) and the function's log lines of that request id (START, the error,
``REPORT`` with its duration and max memory used).

Every such record is a failure; the success destination's records are not matched by the rule.

A Step Functions task's invocation (a child run) comes as the same record without a ``condition``: a
synchronous invocation, its incident's ``started_at`` the task's start. Its error is the task's cause;
the log lines read are that request's own, in the task's window: every line of the log stream that
served it, from its START to its REPORT (a Python traceback and ``print`` output carry no request id).
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote

from ...errors import MalformedEvent
from ...evidence.records import stack_lines
from ...model import Incident, Link, Resource, iso
from ..base import console_log_url, parse_time, shorten
from .spec import LambdaSpec

if TYPE_CHECKING:
    from ...evidence.compaction import LogLine
    from ...evidence.logs import LogFetch
    from ...model import Skip
    from ..base import Collector

__all__ = ["LambdaEvidence", "function_url", "request_lines", "split_arn"]

_LOG_ITEMS = 8
_REPORT = re.compile(r"Duration: (?P<duration>[\d.]+) ms.*?Memory Size: (?P<size>\d+) MB\s+Max Memory Used: "
                     r"(?P<used>\d+) MB", re.S)
_MAX_TIMEOUT_SECONDS = 900
# The language version a layer's name says it was built for ("Klayers-python38-pandas", "Klayers-p312-numpy",
# "AWSSDKPandas-Python39", "sharp-nodejs18"), and a runtime's ("python3.9", "nodejs20.x").
_LAYER_VERSION = re.compile(r"(?i)(?:^|[-_])(python|py|p|nodejs|node)-?(3[._]?\d{1,2}|\d{2})(?=$|[-_.:])")
_RUNTIME_VERSION = re.compile(r"^(python|nodejs)(\d+)\.?(\d*)")


def message_not_json(payload: Any) -> str | None:
    """The first SNS message or SQS body among the records a function was given, when it is text but not JSON
    ("This is a test", a DMS event's sentence): SNS and SQS carry any text, so a function that parses every
    message as JSON fails on it. None when the first message is JSON, or there is none."""
    records = payload.get("Records") if isinstance(payload, dict) else None
    for record in records if isinstance(records, list) else []:
        if not isinstance(record, dict):
            continue
        sns = record.get("Sns")
        message = sns.get("Message") if isinstance(sns, dict) else record.get("body")
        if isinstance(message, str) and message.strip():
            try:
                json.loads(message)
            except ValueError:
                return message.strip()
            return None
    return None


# A key as S3 event notifications send it: URL-encoded, a space as "+" and other characters as %XX.
_ENCODED_KEY = re.compile(r"\+|%[0-9A-Fa-f]{2}")


def encoded_s3_key(payload: Any) -> tuple[str, str] | None:
    """The bucket and key of the first S3 event record a function was given, when the key holds URL-encoding
    ("Q2+Board+Meeting+Minutes.pdf", "photo%281%29.jpg"): used as it is, it names an object that does not exist.
    None when the first record's key is plain, or there is no S3 record."""
    records = payload.get("Records") if isinstance(payload, dict) else None
    for record in records if isinstance(records, list) else []:
        s3 = record.get("s3") if isinstance(record, dict) else None
        if not isinstance(s3, dict):
            continue
        key = (s3.get("object") or {}).get("key")
        bucket = (s3.get("bucket") or {}).get("name")
        if isinstance(key, str) and _ENCODED_KEY.search(key):
            return str(bucket or "?"), key
        return None
    return None


def aws_service_event(payload: Any) -> str | None:
    """The AWS service that wrote the event a function was given, when the whole event is the service's own: an
    EventBridge event whose source is "aws.<service>" ("aws.codebuild"), or an S3 event notification ("aws:s3").
    Its shape is AWS's, so a handler that cannot bind it to its type has the type wrong. None for events whose
    content another program wrote (an SQS body, an SNS message, a Kinesis record, a custom EventBridge source)."""
    if not isinstance(payload, dict):
        return None
    source = payload.get("source")
    if isinstance(source, str) and source.startswith("aws.") and "detail-type" in payload:
        return source
    records = payload.get("Records")
    first = records[0] if isinstance(records, list) and records else None
    if isinstance(first, dict) and first.get("eventSource") == "aws:s3" and isinstance(first.get("s3"), dict):
        return "aws:s3"
    return None


# The processor architecture a layer's name says it was built for ("faiss-node-x86_64", "sharp-arm64").
_LAYER_ARCH = re.compile(r"(?i)(?:^|[-_])(x86[-_]?64|amd64|arm64|aarch64)(?=$|[-_.:])")


def layer_built_for_another_architecture(arch: str, layer_arns: list[str]) -> tuple[str, str] | None:
    """The first layer (its name and version) whose name says it was built for the other processor architecture
    than the function's (x86_64 or arm64): a native module of one does not load on the other
    (ewfian/faiss-node#36: an x86_64 layer on an arm64 function). Names that say nothing of one are not judged."""
    arm = arch.lower() in ("arm64", "aarch64")
    for arn in layer_arns:
        parts = str(arn).split(":")
        name = ":".join(parts[6:8]) if len(parts) > 6 else str(arn)
        m = _LAYER_ARCH.search(parts[6] if len(parts) > 6 else str(arn))
        if m and (m.group(1).lower() in ("arm64", "aarch64")) != arm:
            return name, m.group(1)
    return None


def layer_built_for_another_runtime(runtime: str, layer_arns: list[str]) -> tuple[str, str] | None:
    """The first layer (its name and version) whose name says it was built for another version of the
    function's language: a native wheel of Python 3.8 does not import on python3.9, nor a Node module built for
    Node 18 on nodejs20.x. Names that say nothing of a version are not judged."""
    m = _RUNTIME_VERSION.match(runtime or "")
    if not m:
        return None
    language, major, minor = m.group(1), m.group(2), m.group(3)
    for arn in layer_arns:
        parts = str(arn).split(":")
        name = parts[6] if len(parts) > 6 else str(arn)
        for lm in _LAYER_VERSION.finditer(name):
            kind, digits = lm.group(1).lower(), re.sub(r"[._]", "", lm.group(2))
            if language == "python" and kind in ("python", "py", "p") and digits.startswith("3"):
                if digits != f"{major}{minor}":
                    return name, f"Python {digits[0]}.{digits[1:]}"
                break
            if language == "nodejs" and kind in ("nodejs", "node") and len(digits) == 2:
                if digits != major:
                    return name, f"Node.js {digits}"
                break
    return None


def split_arn(arn: str) -> tuple[str, str, str]:
    """(unqualified function ARN, function name, qualifier) of a (possibly qualified) function ARN."""
    parts = arn.split(":")
    if len(parts) < 7 or parts[2] != "lambda" or parts[5] != "function":
        raise MalformedEvent(f"Lambda invocation record with a function ARN that is not one: {arn!r}")
    qualifier = parts[7] if len(parts) > 7 else ""
    return ":".join(parts[:7]), parts[6], qualifier


def function_url(region: str, name: str) -> str:
    return (f"https://{region}.console.aws.amazon.com/lambda/home?region={region}"
            f"#/functions/{quote(name, safe='')}")


def _response(detail: dict[str, Any]) -> dict[str, Any]:
    payload = detail.get("responsePayload")
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except ValueError:
            return {"errorMessage": payload}
    return payload if isinstance(payload, dict) else {}


class LambdaEvidence:
    """Parsing of the service's events and collection of its evidence (the adapter's first half)."""

    name: ClassVar[str]

    def parse(self, event: dict[str, Any]) -> Incident | Skip:
        detail = event.get("detail") or {}
        context = detail.get("requestContext") or {}
        arn, request_id = context.get("functionArn"), context.get("requestId")
        if not arn or not request_id:
            raise MalformedEvent("Lambda invocation record without requestContext.functionArn or requestId")
        base, name, _ = split_arn(str(arn))
        region = event.get("region") or base.split(":")[3]
        account = event.get("account") or base.split(":")[4]
        condition = str(context.get("condition") or "Failure")
        return Incident(source=self.name, event_id=str(event.get("id", "")), detail_type=event["detail-type"],
                        region=region, account=account, resource=Resource(arn=base, name=name, run_id=request_id),
                        status=re.sub(r"(?<!^)(?=[A-Z])", "_", condition).upper(), event_time=event.get("time"),
                        stopped_at=iso(detail.get("timestamp") or event.get("time")), catalog_arns=[base],
                        detail=detail)

    def collect(self, c: Collector) -> None:
        inc = c.incident
        detail = inc.detail
        context = detail.get("requestContext") or {}
        request_id, name = str(inc.resource.run_id), inc.resource.name
        _, _, qualifier = split_arn(str(context.get("functionArn")))
        response = _response(detail)
        error_type = str(response.get("errorType") or (detail.get("responseContext") or {}).get("functionError") or "")
        message = str(response.get("errorMessage") or "")
        invokes = context.get("approximateInvokeCount")
        synchronous = not context.get("condition")
        c.context.update(function_name=name, request_id=request_id, qualifier=qualifier or "$LATEST",
                         error_type=error_type or "?", error_message=shorten(message, 300) if message else "?",
                         condition=context.get("condition") or "?",
                         invoke_count=invokes if isinstance(invokes, int) else "?",
                         what=f"{'Invocation' if synchronous else 'Asynchronous invocation'} {request_id} of {name}",
                         status_phrase=("failed after its retries" if context.get("condition") == "RetriesExhausted"
                                        else "expired before it could run" if context.get("condition") ==
                                        "EventAgeExceeded" else "failed"))
        c.links.append(Link(f"Function {name} in the Lambda console", function_url(inc.region, name)))
        source = "lambda (from the task's cause)" if synchronous else "lambda:responsePayload"
        text = f"{error_type or 'Error'}: {shorten(message, 1200) or 'no errorMessage'}"
        c.add("error", source, text, detail.get("timestamp") or inc.event_time,
              error_type=error_type, error_message=message)
        trace = response.get("stackTrace")
        if isinstance(trace, str):
            # A custom runtime's own error object may carry its trace as one string (a shell runtime's stderr:
            # "/var/task/hello.sh: /opt/bin/aws: /usr/bin/python3: bad interpreter: No such file or directory").
            trace = stack_lines(trace)
        if isinstance(trace, list) and trace:
            # Python's runtime lists its frames outermost first ('File "/var/task/app.py", line 61, in handler', or
            # Python 2's [file, line, function, code]); Java's, Node's and .NET's innermost first
            # ("com.acme.Store.hash(Store.java:247)", "at Handshake.ErrorPacket (/var/task/...)"). The frames
            # nearest the failure are the ones kept.
            python = isinstance(trace[0], list) or 'File "' in str(trace[0])
            lines = [str(t).strip() for t in trace]
            c.add("error", source, ("Stack trace (innermost last):\n" + "\n".join(lines[-6:])) if python else
                  ("Stack trace (innermost first):\n" + "\n".join(lines[:6])),
                  detail.get("timestamp") or inc.event_time, error_type=error_type)
        if not synchronous:
            self._invocation(c, context, detail, qualifier)
        if "requestPayload" in detail:
            # What the function was given: a failure event an alerting function forwards quotes another job's
            # error, which is no finding about this function (given=True keeps it from the rules' text).
            # An event AWS wrote whole (aws_event): a handler that cannot bind it has its type wrong.
            c.add_json("input", "lambda:requestPayload", "Request payload", detail.get("requestPayload"), limit=600,
                       given=True, aws_event=aws_service_event(detail.get("requestPayload")) is not None)
            plain = message_not_json(detail.get("requestPayload"))
            if plain is not None:
                c.add("input", "lambda:requestPayload", f"The message the function was given is plain text, not "
                      f"JSON: \"{shorten(plain, 120)}\"", message_not_json=True, given=True)
            encoded = encoded_s3_key(detail.get("requestPayload"))
            if encoded is not None:
                c.add("input", "lambda:requestPayload", f"The S3 event's object key is URL-encoded: "
                      f"s3://{encoded[0]}/{shorten(encoded[1], 200)}", s3_key_encoded=True, given=True)
        if synchronous and parse_time(inc.started_at) is not None:
            self._child_logs(c, name, request_id, qualifier)
        else:
            config = self._configuration(c, name, qualifier)
            self._logs(c, name, request_id, (config or {}))
        c.context["redrive"] = LambdaSpec(service="lambda", FunctionName=name, Qualifier=qualifier,
                                          Payload=detail.get("requestPayload"), requestId=request_id)

    @staticmethod
    def _invocation(c: Collector, context: dict[str, Any], detail: dict[str, Any], qualifier: str) -> None:
        invokes = context.get("approximateInvokeCount")
        c.add("invocation", "lambda:requestContext",
              f"Condition {context.get('condition') or '?'} after about "
              f"{invokes if isinstance(invokes, int) else '?'} attempt(s); status code "
              f"{(detail.get('responseContext') or {}).get('statusCode', '?')}, version "
              f"{(detail.get('responseContext') or {}).get('executedVersion') or qualifier or '?'}",
              detail.get("timestamp") or c.incident.event_time, condition=context.get("condition") or "",
              invoke_count=invokes or 0)

    def _configuration(self, c: Collector, name: str, qualifier: str) -> dict[str, Any] | None:
        config = c.call(f"GetFunctionConfiguration {name}", c.client("lambda").get_function_configuration,
                        FunctionName=name, **({"Qualifier": qualifier} if qualifier else {}))
        if config:
            self._config(c, config)
        return config  # type: ignore[no-any-return]

    def _child_logs(self, c: Collector, name: str, request_id: str, qualifier: str) -> None:
        """A task's invocation: its default log group first (its REPORT line gives the memory size and
        what was used); the configuration (its own log group, memory and timeout) only when the request's
        lines are not there, which keeps a Step Functions report with a Lambda task in its call budget.
        A ``Runtime.*`` error (the package, the handler, the runtime) is about the configuration: it is
        read first."""
        if str(c.context.get("error_type") or "").startswith("Runtime."):
            self._request_logs(c, name, request_id, self._configuration(c, name, qualifier) or {})
            return
        shown, fetched = self._request_logs(c, name, request_id, {}, final=False)
        if shown:
            return
        config = self._configuration(c, name, qualifier) or {}
        own_group = (config.get("LoggingConfig") or {}).get("LogGroup") not in (None, f"/aws/lambda/{name}")
        self._request_logs(c, name, request_id, config, fetched=None if own_group else fetched)

    def _config(self, c: Collector, config: dict[str, Any]) -> None:
        memory, timeout = config.get("MemorySize"), config.get("Timeout")
        # A function attached to a VPC reaches AWS's APIs only through a NAT gateway or the VPC's endpoints.
        vpc = config.get("VpcConfig") or {}
        subnets = [s for s in vpc.get("SubnetIds") or [] if s]
        where = (f", in VPC {vpc.get('VpcId') or '?'} ({len(subnets)} subnet{'s' if len(subnets) != 1 else ''}: "
                 f"{', '.join(subnets[:3])})" if subnets else "")
        facts: dict[str, Any] = {}
        if config.get("PackageType") == "Image":
            # A container image starts with its own ENTRYPOINT unless the function's ImageConfig sets one: which of
            # the two named a program that is not there decides whose fault it is (the image's build, or the setting).
            entry = ((config.get("ImageConfigResponse") or {}).get("ImageConfig") or {}).get("EntryPoint") or []
            kind = f"container image, entrypoint {' '.join(map(str, entry))} set on the function" if entry else \
                "container image with its own entrypoint"
            if not entry:
                facts["image_start"] = True  # as ECS says of a program its task definition does not name
        else:
            kind = (f"{config.get('Runtime') or config.get('PackageType') or '?'}, "
                    f"handler {config.get('Handler') or '?'}")
        c.add("config", "lambda:GetFunctionConfiguration",
              f"Function {config.get('FunctionName')}: {memory or '?'} MB memory, timeout {timeout or '?'} s, "
              f"{kind}, version {config.get('Version') or '?'}, "
              f"last modified {config.get('LastModified') or '?'}{where}",
              memory_mb=memory or 0, timeout_seconds=timeout or 0, in_vpc=bool(subnets), **facts)
        c.context.update(memory_mb=memory or "?", timeout_seconds=timeout or "?", runtime=config.get("Runtime") or "?",
                         handler=config.get("Handler") or "?", role=config.get("Role") or "?")
        layers = [str(x.get("Arn") or "") for x in config.get("Layers") or [] if isinstance(x, dict)]
        other = layer_built_for_another_runtime(str(config.get("Runtime") or ""), layers)
        arch = next(iter(config.get("Architectures") or []), "x86_64")
        other_arch = None if other else layer_built_for_another_architecture(str(arch), layers)
        if other_arch:
            layer, built_for = other_arch
            c.add("config", "lambda:GetFunctionConfiguration",
                  f"Layer {layer} is named for {built_for}, and the function runs on {arch}: native code built for "
                  f"one processor architecture does not load on the other", None, layer_mismatch=layer)
            c.context.update(layer=layer, layer_built_for=f"{built_for} (the function runs on {arch})")
        if other:
            layer, built_for = other
            c.add("config", "lambda:GetFunctionConfiguration",
                  f"Layer {layer} is named for {built_for}, and the function runs {config.get('Runtime')}: a package "
                  f"with native code built for one version does not import on another", None, layer_mismatch=layer)
            c.context.update(layer=layer, layer_built_for=built_for)

    def _logs(self, c: Collector, name: str, request_id: str, config: dict[str, Any]) -> None:
        from ...evidence.logs import fetch_log_window

        inc = c.incident
        group = str((config.get("LoggingConfig") or {}).get("LogGroup") or f"/aws/lambda/{name}")
        end = parse_time(inc.detail.get("timestamp")) or parse_time(inc.event_time)
        if end is None:
            return
        configured = config.get("Timeout")
        timeout = configured if isinstance(configured, int) else _MAX_TIMEOUT_SECONDS
        # The record is written after the last attempt; retries wait about 1 and then 2 minutes.
        start = end - timedelta(seconds=timeout * 3 + 240)
        window_end = end + timedelta(seconds=c.settings.log_window_after)
        c.context["log_group"] = group
        c.log_groups.append((group, start, window_end))
        c.links.append(Link("Function log in CloudWatch", console_log_url(inc.region, group, start, window_end)))
        if not c.spend(f"log group {group}"):
            return
        fetched = fetch_log_window(c.client("logs"), group, start=start, end=window_end,
                                   max_bytes=c.settings.log_max_bytes, filter_pattern=f'"{request_id}"')
        if fetched.error:
            c.failed_reads += 1
            c.book.gap(fetched.error)
            return
        lines = [line for line in fetched.lines if request_id in line.message]
        if not lines:
            c.book.gap(f"no log lines of request {request_id} in {group} between {start:%H:%M:%S} and "
                       f"{window_end:%H:%M:%S} UTC")
            return
        # The lines that name the request are its START, END and REPORT and what the runtime logs with its id; a
        # Java or Go logger's lines, a traceback printed whole, do not carry it. The streams that served the
        # request, read whole in the window (one more read), give each attempt's lines from START to REPORT.
        prefix = f"{group}/"
        streams = sorted({line.source.removeprefix(prefix) for line in lines if line.source.startswith(prefix)})
        if streams and c.spend(f"log streams of request {request_id}"):
            whole = fetch_log_window(c.client("logs"), group, start=start, end=window_end,
                                     max_bytes=c.settings.log_max_bytes, stream_names=streams[:10])
            if not whole.error and whole.lines:
                lines = request_lines(whole.lines, request_id) or lines
                fetched = whole
        _report_facts(c, lines, request_id)
        c.add_compacted(lines, group, end, max_items=_LOG_ITEMS, truncated=fetched.truncated)

    def _request_logs(self, c: Collector, name: str, request_id: str, config: dict[str, Any], *,
                      final: bool = True, fetched: LogFetch | None = None) -> tuple[bool, LogFetch | None]:
        """A synchronous invocation's own log lines: the task's window of the function's log group (one
        read, bounded by bytes), narrowed to the stream that served the request, from its START to its
        REPORT. When no line names the request, the window's lines are kept and the report says so.

        Returns whether lines were shown, and the read. Not ``final``: only the request's own lines are
        added (none: nothing is said yet). ``fetched``: the earlier read of the same group, used again."""
        from ...evidence.logs import fetch_log_window

        inc = c.incident
        group = str((config.get("LoggingConfig") or {}).get("LogGroup") or f"/aws/lambda/{name}")
        started, ended = parse_time(inc.started_at), parse_time(inc.detail.get("timestamp")) or parse_time(
            inc.event_time)
        if started is None or ended is None:
            return False, fetched
        start, end = started - timedelta(seconds=2), ended + timedelta(seconds=2)
        if fetched is None:
            if not c.spend(f"log group {group}"):
                return False, None
            fetched = fetch_log_window(c.client("logs"), group, start=start, end=end,
                                       max_bytes=c.settings.log_max_bytes)
        lines = request_lines(fetched.lines, request_id) if not fetched.error else []
        if not lines and not final:
            return False, fetched
        c.context["log_group"] = group
        c.log_groups.append((group, start, end))
        c.links.append(Link(f"Logs of {name} in CloudWatch", console_log_url(inc.region, group, start, end)))
        if fetched.error:
            c.failed_reads += 1
            c.book.gap(fetched.error)
            return False, fetched
        if not lines:
            if not fetched.lines:
                c.book.gap(f"no log lines in {group} between {start:%H:%M:%S} and {end:%H:%M:%S} UTC")
                return False, fetched
            c.book.gap(f"no log line of request {request_id} in {group} between {start:%H:%M:%S} and "
                       f"{end:%H:%M:%S} UTC: the window's lines are shown")
            lines = fetched.lines
        _report_facts(c, lines, request_id)
        c.add_compacted(lines, group, ended, max_items=_LOG_ITEMS, truncated=fetched.truncated)
        return True, fetched


def _report_facts(c: Collector, lines: list[LogLine], request_id: str) -> None:
    """The request's REPORT line: its duration, the memory it used and the function's memory size."""
    for line in lines:
        found = _REPORT.search(line.message)
        if found and request_id in line.message:
            c.context.update(max_memory_used_mb=found.group("used"), duration_ms=found.group("duration"))
            c.context.setdefault("memory_mb", found.group("size"))


def request_lines(lines: list[LogLine], request_id: str) -> list[LogLine]:
    """The lines of one request: in each log stream that names it, from its ``START`` (and the init phase
    before it, or the first line read, when it started earlier) to its ``REPORT`` (or the next request's
    ``START``), and any later line that names it (its timeout, written after its ``REPORT``). An execution
    environment serves one request at a time, so the lines between are that request's, with or
    without its id (a Python traceback, ``print`` output)."""
    streams = {line.source for line in lines if request_id in line.message}
    out: list[LogLine] = []
    start, report = "START RequestId: " + request_id, "REPORT RequestId: " + request_id
    for stream in sorted(streams):
        mine = [line for line in lines if line.source == stream]
        begin = next((i for i, line in enumerate(mine) if line.message.startswith(start)),
                     0)  # its START before the window: the stream was serving it from the window's first line
        # The lines since the stream's previous REPORT are the environment's init (INIT_START, an import
        # error), which the request waited for.
        while begin > 0 and not mine[begin - 1].message.startswith("REPORT RequestId: "):
            begin -= 1
        serving = True
        for line in mine[begin:]:
            if line.message.startswith("START RequestId: "):
                # An asynchronous invocation's retries keep its request id: each attempt is the request's.
                serving = line.message.startswith(start)
            # Lambda writes an attempt's "<id> Task timed out after 2.00 seconds" after its REPORT line: a line
            # that names the request is its own wherever it falls (an earlier attempt's timeout that left an
            # idempotency record in progress, aws-powertools/powertools-lambda-python#1038).
            if serving or request_id in line.message:
                out.append(line)
            if line.message.startswith(report):
                serving = False
    return sorted(out, key=lambda line: line.timestamp or "")
