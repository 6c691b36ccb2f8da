"""What every source adapter provides, and the collection context they share.

A source adapter (:class:`Adapter`) is the one place that knows an AWS service: how its EventBridge
events read and which are failures, how a run it launched ended, which evidence to collect, the
facts signatures may name (its :class:`SourceContext`), its console links and tags, its live status,
and how to plan, read back and run a redrive. Everything else asks the registry
(:mod:`incident_responder.sources`) and never switches on a source name.
"""

from __future__ import annotations

import abc
import dataclasses
import json
import logging
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar
from urllib.parse import quote

from botocore.exceptions import BotoCoreError, ClientError

from ..aws import describe_error, error_code
from ..errors import MalformedEvent
from ..evidence.redaction import redact
from ..model import parse_time

if TYPE_CHECKING:
    from ..aws import AwsContext
    from ..config import Settings
    from ..evidence.changes import Baseline, Reader
    from ..model import Evidence, EvidenceBook, Incident, Link, Skip
    from ..redrive.plans import Plan

__all__ = ["CHILD_CALL_BUDGET", "INTERNAL", "Adapter", "ChildCollector", "Collector", "NewRun", "NoRun",
           "RedriveSpec", "RunOutcome", "RunState", "SourceContext", "console_log_url", "given", "parse_time",
           "shorten"]

logger = logging.getLogger(__name__)
T = TypeVar("T")

MAX_LOG_EVIDENCE = 8
# The AWS calls one child run (a Batch job, ECS task, Glue run, EMR step, Athena query, EMR Serverless or EMR
# on EKS job run or Lambda invocation a Step Functions task ran) may make when its evidence is collected into its
# parent's report: describe it, its definition, and read its logs (each log window or log object one).
# Nested Step Functions executions are read by the parent's own collector.
CHILD_CALL_BUDGET = 6


# A log that shows its work started by a cron daemon in the container ("crond: USER root pid 101 cmd /app/run.sh",
# busybox's or cronie's "CROND[12]: (root) CMD (...)"): cron gives its jobs an environment of its own.
_CRON_RUNNER = re.compile(r"\bcrond(?:\[\d+\])?:? .{0,40}\b(?:cmd|CMD)\b")
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


# The metadata of a context field that is not a placeholder (signatures cannot name it).
INTERNAL = {"placeholder": False}


@dataclass
class SourceContext:
    """The facts of one analysis that signatures and next steps may name as ``{placeholders}``.

    Every field starts unset (None). Each adapter extends this with its own fields; setting a name
    that is not a field raises, so a typo fails in tests instead of rendering ``?`` in Slack. The
    placeholder contract (which names a signature may use) is derived from these classes.
    """

    # Set by the analyzer for every source.
    resource_name: Any = None
    run_id: Any = None
    region: Any = None
    account: Any = None
    status: Any = None
    pipeline: Any = None
    owner: Any = None
    runbook: Any = None
    # Set by collectors of any source.
    what: Any = field(default=None, metadata=INTERNAL)
    status_phrase: Any = field(default=None, metadata=INTERNAL)
    title: Any = field(default=None, metadata=INTERNAL)
    log_note: Any = field(default=None, metadata=INTERNAL)
    state: Any = None
    console_url: Any = None
    # The redrive spec the collector derived (stored redacted with the incident).
    redrive: Any = field(default=None, metadata=INTERNAL)
    # What changed since the last good run (evidence/changes.py), as sentences next steps may quote.
    baseline_run: Any = None
    input_change: Any = None
    definition_change: Any = None
    data_growth: Any = None
    duration_trend: Any = None
    memory_trend: Any = None
    runtime_change: Any = None  # a Lambda function's runtime version at its last good run → at the failure

    @classmethod
    def placeholder_names(cls) -> frozenset[str]:
        """The names a signature template may use for this source (``match`` is the engine's own)."""
        return frozenset(f.name for f in dataclasses.fields(cls) if f.metadata.get("placeholder", True)) | {"match"}

    def _check(self, key: str) -> None:
        if key not in {f.name for f in dataclasses.fields(self)}:
            raise KeyError(f"{type(self).__name__} has no field {key!r}: add it to the adapter's context")

    def update(self, **values: Any) -> None:
        for key, value in values.items():
            self[key] = value

    def setdefault(self, key: str, value: Any) -> Any:
        if self.get(key) is None:
            self[key] = value
        return self[key]

    def get(self, key: str, default: Any = None) -> Any:
        self._check(key)
        value = getattr(self, key)
        return default if value is None else value

    def __getitem__(self, key: str) -> Any:
        self._check(key)
        return getattr(self, key)

    def __setitem__(self, key: str, value: Any) -> None:
        self._check(key)
        setattr(self, key, value)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and getattr(self, key, None) is not None

    def values(self) -> dict[str, Any]:
        """The placeholder values that are set."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                if f.metadata.get("placeholder", True) and getattr(self, f.name) is not None}


@dataclass
class RedriveSpec:
    """How to re-run a failed run, as its collector records it; each adapter extends it with the fields
    its redrive call takes (named as the service's API names them) and the ids it reads the run back by.

    The incident item keeps it as JSON with every secret redacted (``to_dict``); ``from_dict`` reads it
    back, and a key the adapter's spec does not have is an error when ``strict`` (a collector's typo) and
    logged and dropped otherwise (an item written by an older version).
    """

    service: str = ""
    unknown: list[str] = field(default_factory=list)  # what the failed run's description did not say

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, strict: bool = False) -> Any:
        known = {f.name for f in dataclasses.fields(cls)}
        extra = sorted(set(data) - known)
        if extra and strict:
            raise KeyError(f"{cls.__name__} has no field(s) {extra}: add them to the adapter's spec")
        if extra:
            logger.warning("redrive spec keys dropped", extra={"spec": cls.__name__, "keys": extra})
        return cls(**{k: v for k, v in data.items() if k in known})

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in dataclasses.asdict(self).items() if v not in (None, [], {}, "")}


def region_and_account(event: dict[str, Any], label: str) -> tuple[str, str]:
    """The event's region and account, which the resource's ARN is built from; MalformedEvent without them."""
    region, account = event.get("region"), event.get("account")
    if not region or not account:
        raise MalformedEvent(f"{label} event without region or account")
    return str(region), str(account)


def extra_read(lines: list[str], what: str, read: Callable[[], list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """A read that adds to a live status answer (:meth:`Adapter.live_status`): its failure is one more line,
    not a failed answer."""
    from ..templates import escape_mrkdwn as esc

    try:
        return read()
    except (ClientError, BotoCoreError) as exc:
        lines.append(f"_Could not read {esc(what)}: {esc(describe_error(exc))}_")
        return []


def given(value: Any) -> Any:
    """``value``, or None when it is empty (None, "", [] or {})."""
    return None if value in (None, "", [], {}) else value


@dataclass(frozen=True)
class RunOutcome:
    """How a run ended, from its own EventBridge event: ``outcome`` is succeeded, failed or other."""

    run_key: str
    outcome: str

    @classmethod
    def of(cls, run_key: str, state: Any, succeeded: str, failed: Collection[str]) -> RunOutcome:
        """The outcome of a run whose event says ``state``: ``succeeded`` is the service's one success
        state, ``failed`` its end states of failure; any other state is ``other`` (still running)."""
        return cls(run_key, "succeeded" if state == succeeded else "failed" if state in failed else "other")


@dataclass(frozen=True)
class NewRun:
    """The run a redrive call started: its id, its run key and its console link."""

    run_id: str
    run_key: str
    url: str


@dataclass
class RunState:
    """What a fresh describe says: ``status`` (None when unknown), ``lines`` in Slack mrkdwn (values
    escaped), and the run's input."""

    status: str | None = None
    lines: list[str] = field(default_factory=list)
    input: Any = None
    error: str | None = None
    supported: bool = True


class Collector:
    """The context one source's evidence collection runs in.

    AWS calls go through :meth:`call`, which turns a failure into a line of the report ("could not
    read ...") instead of an exception: a report with a gap beats no report.
    """

    def __init__(self, incident: Incident, aws: AwsContext, settings: Settings, book: EvidenceBook,
                 context: SourceContext | None = None, home: AwsContext | None = None) -> None:
        self.incident = incident
        self.aws = aws  # the event's region: the evidence
        self.home = home or aws  # the responder's own region: its tables
        self.settings = settings
        self.book = book
        self.context: Any = context if context is not None else SourceContext()
        self.links: list[Link] = []
        self.failed_reads = 0
        self.log_groups: list[tuple[str, datetime | None, datetime | None]] = []
        # The child runs read into this report (a Glue job run a task started): (incident, its context).
        self.children: list[tuple[Incident, SourceContext]] = []
        # Set by a source whose reads show the event is no failure to report after all (an EMR step cancelled
        # behind a failed one): why. Nothing more is read and nothing is posted.
        self.not_reported = ""

    def client(self, service: str) -> Any:
        return self.aws.client(service)

    def spend(self, what: str) -> bool:
        """Whether one more read outside :meth:`call` (an S3 object) may be made; always, at the top level."""
        return True

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
                 time: Any = None, **facts: Any) -> Evidence:
        from ..evidence.redaction import redact_obj

        if isinstance(payload, str):
            try:
                payload = json.loads(payload)
            except ValueError:
                pass
        text = payload if isinstance(payload, str) else json.dumps(redact_obj(payload), sort_keys=True)
        return self.add(kind, source, f"{label}: {shorten(text, limit)}", time, **facts)

    def logs(self, group: str, start: datetime | None, end: datetime | None, *,
             stream_names: list[str] | None = None, stream_prefix: str | None = None,
             failure_time: datetime | None = None, max_items: int = MAX_LOG_EVIDENCE,
             budget_tokens: int | None = None, group_missing: str | None = None) -> list[Evidence]:
        """Read a log group's window, compact it, and add the best lines as evidence. ``group_missing``: the
        gap to state when the group does not exist and that is a set-up to say (a cluster that ships no logs
        to CloudWatch), not a failed read."""
        from ..evidence.logs import fetch_log_window

        end = end or datetime.now(timezone.utc)
        start = start or end - timedelta(seconds=self.settings.log_window_before)
        self.log_groups.append((group, start, end))
        fetched = fetch_log_window(self.client("logs"), group, start=start, end=end,
                                   stream_names=stream_names, stream_prefix=stream_prefix,
                                   max_bytes=self.settings.log_max_bytes)
        if fetched.error:
            if group_missing is not None and fetched.error == f"log group {group} not found":
                self.book.gap(group_missing)
                return []
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
        from ..evidence.compaction import at_memory_limit, compact

        result = compact(lines, failure_time=failure_time,
                         budget_tokens=budget_tokens or self.settings.log_token_budget)
        chosen = sorted(result.lines[:max_items], key=lambda c: (c.first or "", -c.score))
        added = []
        for line in chosen:
            last = f", last {line.last}" if line.last else ""  # a line without a time has no last time
            text = line.text if line.count <= 1 else f"{line.text} (×{line.count}{last})"
            facts: dict[str, Any] = {"count": line.count, "root": line.root, "position": line.position}
            if line.recovered:
                # A Spark task attempt whose retry finished, a MapReduce attempt of a task the job got past:
                # a red herring
                facts["recovered"] = True
            if at_memory_limit(line.text):  # a Lambda request that used all of its memory
                facts["at_memory_limit"] = True
            if line.raised_at:  # shown under the quote; never read as the failure's words
                facts["raised_at"] = _printable(line.raised_at)
            added.append(self.book.add("log", line.source or source, _printable(text), line.first, **facts))
        if not any(ev.facts.get("cron") for ev in self.book.items):
            ran = next((m for m in map(_message_of, lines) if _CRON_RUNNER.search(m)), None)
            if ran is not None:
                # (through add: a cron line's command may carry a secret, redacted like every other fact)
                added.append(self.add("config", source, f"Its work is started by cron in the container: {ran[:300]}",
                                      None, cron=True))
        omitted = result.total_lines - sum(c.count for c in chosen)
        if omitted > 0 or truncated:
            note = f"{result.total_lines} log lines read from {source}"
            note += " (truncated to the newest)" if truncated else ""
            self.context.setdefault("log_note", note)
        return added


class ChildCollector(Collector):
    """Collects a child run's evidence into its parent's report, with the child adapter's own collector.

    The child (a Batch job, ECS task, Glue job run, EMR step, Athena query, EMR Serverless or EMR on EKS job
    run or Lambda invocation that a Step Functions task ran) keeps
    its own context (its adapter's placeholders), and shares the parent's evidence book, links and log
    windows. It may make at most ``budget`` AWS calls (each log window read counts as one); past that
    a read is a gap. Every fact it adds is marked ``child=True`` and carries ``child_source``.
    """

    def __init__(self, parent: Collector, incident: Incident, context: SourceContext,
                 budget: int = CHILD_CALL_BUDGET) -> None:
        super().__init__(incident, parent.aws, parent.settings, parent.book, context, parent.home)
        self.parent = parent
        self.links = parent.links
        self.log_groups = parent.log_groups
        self.budget = budget
        self.calls = 0
        self._start = len(parent.book.items)
        self._gaps = len(parent.book.gaps)
        parent.children.append((incident, context))

    def spend(self, what: str) -> bool:
        if self.calls >= self.budget:
            self.book.gap(f"{what}: not read (the child {self.incident.source} run's evidence is limited "
                          f"to {self.budget} AWS calls)")
            return False
        self.calls += 1
        return True

    def call(self, what: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        if not self.spend(what):
            return None
        return super().call(what, fn, *args, **kwargs)

    def logs(self, group: str, start: datetime | None, end: datetime | None, **kwargs: Any) -> list[Evidence]:
        if not self.spend(f"log group {group}"):
            return []
        return super().logs(group, start, end, **kwargs)

    def finish(self) -> list[Evidence]:
        """Mark what the child added as the child's, count its failed reads in the parent's; its facts.

        Each fact carries ``child_context``: the child's own placeholder values (its adapter's context,
        with the run, resource, region, account and status of the child run), redacted, so a signature
        scoped to the child's source renders from the child and not from its parent.
        """
        inc = self.incident
        self.context.update(resource_name=inc.resource.name, run_id=inc.resource.run_id or "", region=inc.region,
                            account=inc.account, status=inc.status)
        values = {k: redact(v) if isinstance(v, str) else v for k, v in self.context.values().items()}
        added = self.book.items[self._start:]
        for ev in added:
            ev.facts.setdefault("child", True)
            ev.facts.setdefault("child_source", inc.source)
            ev.facts.setdefault("child_context", values)
            # The child's "event" is the one its parent's task cause was read into.
            if ev.source.endswith("(event)"):
                ev.source = ev.source[: -len("(event)")] + "(from the task's cause)"
        self.book.gaps[self._gaps:] = [g.replace("the event's own detail", "the task's cause")
                                       for g in self.book.gaps[self._gaps:]]
        self.parent.failed_reads += self.failed_reads
        return added

    @classmethod
    def follow(cls, parent: Collector, child_adapter: Adapter, incident: Incident, what: str) -> None:
        """Collect a child run's evidence with its adapter's collector into ``parent``'s report; a collector
        that fails leaves a gap saying ``what`` could not be collected, and the parent's report stands."""
        child = cls(parent, incident, child_adapter.context_type())
        try:
            child_adapter.collect(child)
        except Exception:
            logger.exception("child evidence collection failed", extra={"child_source": incident.source})
            parent.book.gap(f"the evidence of {what} could not be collected")
        child.finish()


class Adapter(abc.ABC):
    """One AWS service, end to end. Subclasses set the class attributes and implement every method;
    a missing one fails when the registry instantiates the adapter (at first use, and in tests)."""

    name: ClassVar[str]  # the report's ``source``: stepfunctions, ecs, ...
    event_source: ClassVar[str]  # EventBridge ``source``
    detail_types: ClassVar[tuple[str, ...]]  # EventBridge ``detail-type`` values it reads
    label: ClassVar[str]  # "Step Functions": the service as a report's header names it
    noun: ClassVar[str]  # "Step Functions execution": how a report names a run
    arn_service: ClassVar[str]  # the service part of its ARNs (for tags)
    original_read: ClassVar[str]  # the read-only call that describes a failed run (for redrive notes)
    context_type: ClassVar[type[SourceContext]] = SourceContext
    spec_type: ClassVar[type[RedriveSpec]] = RedriveSpec
    # The kinds of the ``detail`` fields it reads (a type, or one of envelope's ARN/ISO_TIME/EPOCH_MS).
    detail_schema: ClassVar[dict[str, Any]] = {}

    # -- events ---------------------------------------------------------------------------------------
    def handles(self, event: dict[str, Any]) -> bool:
        return event.get("source") == self.event_source and event.get("detail-type") in self.detail_types

    @abc.abstractmethod
    def parse(self, event: dict[str, Any]) -> Incident | Skip:
        """The incident of a failure event, or why the event is not reported."""

    @abc.abstractmethod
    def run_outcome(self, event: dict[str, Any]) -> RunOutcome | None:
        """The run key and outcome of an event about a run ending (None: not about a run)."""

    def may_be_redrive(self, event: dict[str, Any]) -> bool:
        """Whether the event's run can have been launched by a redrive (cheap, from the event alone).

        Only then does the analyzer look the run up in the audit table. Services whose events carry
        no mark of who started the run answer True.
        """
        return True

    def distinguish_redriven(self, incident: Incident) -> None:  # noqa: B027 - optional hook
        """Give a redriven run that keeps its id (a Step Functions redrive) an incident of its own."""

    # -- evidence ---------------------------------------------------------------------------------------
    @abc.abstractmethod
    def collect(self, c: Collector) -> None:
        """Collect the run's evidence into ``c`` (a failed read is a gap in the report, never a raise)."""

    @abc.abstractmethod
    def baseline(self, c: Collector, r: Reader) -> Baseline | None:
        """The most recent successful run of the same thing next to the failed one (after :meth:`collect`),
        read through ``r`` (at most ``r.limit`` calls); None when there is none or it cannot be read."""

    def what(self, incident: Incident) -> str:
        """The run as the summary names it (collectors may refine it with ``context.what``)."""
        run = f"{self.noun} {incident.resource.run_id or ''}".strip()
        return run if incident.resource.name in run else f"{run} ({incident.resource.name})"

    @abc.abstractmethod
    def console_url(self, region: str, run_id: str, extra: dict[str, Any] | None = None) -> str:
        """AWS console deep link to a run."""

    @abc.abstractmethod
    def tags(self, c: Collector, arn: str) -> dict[str, str]:
        """Tags of one of the service's resources (pipeline context when the catalog has no entry)."""

    @abc.abstractmethod
    def live_status(self, aws: AwsContext, resource: dict[str, Any], latest: bool) -> RunState:
        """The run as AWS describes it now (and, with ``latest``, the newest runs of the resource).

        May raise ClientError/BotoCoreError/KeyError; the caller says so in the answer.
        """

    # -- redrive ----------------------------------------------------------------------------------------
    def spec_without_details(self, resource_arn: str) -> RedriveSpec | None:
        """A redrive spec for an incident that stored none (nothing could be read), or None."""
        return None

    @abc.abstractmethod
    def original_ids(self, spec: Any) -> dict[str, Any]:
        """The failed run's ids (a plan's ``expect``) that :meth:`read_original` reads it back by."""

    def gather_facts(self, spec: Any, aws: AwsContext, notes: list[str]) -> dict[str, Any]:
        """Fresh facts a plan needs (read-only); a failed read appends to ``notes``."""
        return {}

    @abc.abstractmethod
    def plan(self, spec: Any, facts: dict[str, Any], *, attempt: int, now: datetime, region: str,
             token: str, resource_arn: str) -> Plan:
        """The redrive plan (pure: no AWS call); ``spec`` is an instance of :attr:`spec_type`."""

    @abc.abstractmethod
    def read_original(self, ids: dict[str, Any], aws: AwsContext, notes: list[str]) -> dict[str, Any] | None:
        """The failed run's own description; None, with a note, when AWS no longer returns it or the ids
        are unknown. May raise ClientError/BotoCoreError (the caller notes them)."""

    @abc.abstractmethod
    def real_values(self, original: dict[str, Any]) -> dict[str, Any]:
        """The call parameters that may hold secrets, with the failed run's real values."""

    @abc.abstractmethod
    def redrive_resources(self, plan: Plan, aws: AwsContext, resource_arn: str) -> list[tuple[str, dict[str, str]]]:
        """(ARN, tags) of every resource IAM checks the redrive opt-in tag on for the plan's call.

        Raises AWS errors or LookupError when they cannot be read (the preview says so)."""

    @abc.abstractmethod
    def new_run(self, plan: Plan, out: dict[str, Any]) -> NewRun:
        """The run a successful redrive call started (raise :class:`NoRun` when it started none)."""


class NoRun(Exception):
    """A redrive call that answered but started nothing."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}".rstrip(": "))
        self.code = code


def _message_of(line: Any) -> str:
    return str(getattr(line, "message", line))
