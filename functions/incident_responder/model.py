"""The incident model: what failed, the evidence gathered, and the report posted.

The JSON shape of :class:`Report` is the contract of design.md; keys may be added, never renamed.
"""

from __future__ import annotations

import enum
import hashlib
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any, TypeVar

__all__ = [
    "Category",
    "Confidence",
    "Evidence",
    "EvidenceBook",
    "Incident",
    "Link",
    "Pipeline",
    "ProbableCause",
    "Report",
    "Resource",
    "Severity",
    "Skip",
    "iso",
    "parse_time",
]


class Category(str, enum.Enum):
    """Root-cause taxonomy (design.md)."""

    OUT_OF_MEMORY = "out_of_memory"
    TIMEOUT = "timeout"
    PERMISSION_DENIED = "permission_denied"
    THROTTLING = "throttling"
    MISSING_INPUT = "missing_input"
    BAD_DATA = "bad_data"
    CODE_ERROR = "code_error"
    DEPENDENCY_UNAVAILABLE = "dependency_unavailable"
    DISK_FULL = "disk_full"
    CAPACITY = "capacity"
    CONFIGURATION = "configuration"
    MANUAL_STOP = "manual_stop"
    UPSTREAM_FAILURE = "upstream_failure"
    UNKNOWN = "unknown"


class Confidence(str, enum.Enum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Severity(str, enum.Enum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


def iso(value: Any) -> str | None:
    """Return an ISO-8601 UTC string for a datetime, epoch milliseconds or an ISO string; None for anything
    else (a service's field of another shape, a time out of any era) rather than a failed report."""
    if value is None or value == "" or isinstance(value, bool) or not isinstance(value, (str, int, float, datetime)):
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        try:
            value = datetime.fromtimestamp(value / 1000, tz=timezone.utc)
        except (OverflowError, ValueError, OSError):  # not a time of this era: no time rather than a crash
            return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_time(value: Any) -> datetime | None:
    """Aware UTC datetime from a datetime, epoch milliseconds or an ISO-8601 string (None if unreadable)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value / 1000, tz=timezone.utc)
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


@dataclass
class Resource:
    arn: str
    name: str
    run_id: str | None = None


@dataclass
class Pipeline:
    name: str
    owner: str | None = None
    runbook: str | None = None
    slack_channel: str | None = None
    criticality: str | None = None
    datasets: list[str] = field(default_factory=list)
    approvers: list[str] = field(default_factory=list)
    idempotent: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "owner": self.owner, "runbook": self.runbook,
                "slack_channel": self.slack_channel, "criticality": self.criticality,
                "datasets": list(self.datasets)}


@dataclass
class Evidence:
    """One fact. ``id`` (E1, E2, ...) is assigned by :class:`EvidenceBook`."""

    kind: str  # history|log|task|step|job|catalog|config
    source: str
    text: str
    time: str | None = None
    id: str = ""
    # Structured facts the signature engine may match on (error, cause, exit_code, ...).
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def raised_at(self) -> str | None:
        """Where a Python traceback in the text left the work's own code ("/tmp/merge.py:88 in main: for ..."),
        shown beside the quote; the diagnosis never reads it."""
        return self.facts.get("raised_at")

    def to_dict(self) -> dict[str, Any]:
        out = {"id": self.id, "kind": self.kind, "source": self.source, "time": self.time, "text": self.text}
        if self.raised_at:
            out["raised_at"] = self.raised_at
        return out


class EvidenceBook:
    """Ordered evidence with stable ids, plus the list of things that could not be read."""

    def __init__(self) -> None:
        self.items: list[Evidence] = []
        self.gaps: list[str] = []

    def add(self, kind: str, source: str, text: str, time: Any = None, **facts: Any) -> Evidence:
        ev = Evidence(kind=kind, source=source, text=text, time=iso(time),
                      id=f"E{len(self.items) + 1}", facts=facts)
        self.items.append(ev)
        return ev

    def gap(self, what: str) -> None:
        """Record that something could not be read; the report says so."""
        if what not in self.gaps:
            self.gaps.append(what)

    def get(self, evidence_id: str) -> Evidence | None:
        return next((e for e in self.items if e.id == evidence_id), None)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


@dataclass
class Incident:
    """A failure parsed from an EventBridge event, before evidence is gathered."""

    source: str  # stepfunctions|ecs|emr|glue|batch
    event_id: str
    detail_type: str
    region: str
    account: str
    resource: Resource
    status: str
    event_time: str | None
    started_at: str | None = None
    stopped_at: str | None = None
    # The ARN used to find the pipeline in the catalog (state machine, cluster, job, task def).
    catalog_arns: list[str] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)
    title_hint: str = ""

    @property
    def fingerprint(self) -> str:
        """Stable key for grouping repeats: same source, same resource (not the run)."""
        base = f"{self.source}|{self.account}|{self.region}|{self.resource.name}|{self.status}"
        return hashlib.sha256(base.encode()).hexdigest()[:16]

    @property
    def incident_id(self) -> str:
        run = self.resource.run_id or self.event_id
        slug = re.sub(r"[^A-Za-z0-9-]+", "-", f"{self.source}-{self.resource.name}")[:60]
        digest = hashlib.sha256(f"{self.resource.arn}|{run}".encode()).hexdigest()[:10]
        return f"{slug}-{digest}"


@dataclass
class ProbableCause:
    category: Category
    explanation: str
    confidence: Confidence
    evidence_ids: list[str]
    signature: str | None = None
    diagnoser: str = "rules"  # who wrote it: rules (the signatures) | agent (Claude on Bedrock)
    note: str | None = None  # one sentence when the agent ran but its answer is not shown
    footer: str | None = None  # the agent's figures: model, tool calls, tokens, cache, estimated cost

    def to_dict(self) -> dict[str, Any]:
        return {"category": self.category.value, "explanation": self.explanation,
                "confidence": self.confidence.value, "evidence_ids": list(self.evidence_ids),
                "signature": self.signature, "diagnoser": self.diagnoser, "note": self.note,
                "footer": self.footer}


@dataclass
class Link:
    label: str
    url: str


@dataclass
class Report:
    incident_id: str
    fingerprint: str
    source: str
    resource: Resource
    pipeline: Pipeline | None
    severity: Severity
    title: str
    summary: str
    evidence: list[Evidence]
    probable_cause: ProbableCause
    next_steps: list[str]
    links: list[Link] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)
    event_time: str | None = None
    status: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        """A report as stored with its incident (``to_dict``'s shape); missing keys get empty values."""
        resource = data.get("resource") or {}
        pipeline = data.get("pipeline")
        cause = data.get("probable_cause") or {}
        return cls(
            incident_id=str(data.get("incident_id") or ""),
            fingerprint=str(data.get("fingerprint") or ""),
            source=str(data.get("source") or ""),
            resource=Resource(arn=str(resource.get("arn") or ""), name=str(resource.get("name") or "?"),
                              run_id=resource.get("run_id")),
            pipeline=Pipeline(**{k: v for k, v in pipeline.items() if k in Pipeline.__dataclass_fields__})
            if isinstance(pipeline, dict) and pipeline.get("name") else None,
            severity=_enum(Severity, data.get("severity"), Severity.MEDIUM),
            title=str(data.get("title") or ""),
            summary=str(data.get("summary") or ""),
            evidence=[Evidence(kind=str(e.get("kind") or ""), source=str(e.get("source") or ""),
                               text=str(e.get("text") or ""), time=e.get("time"), id=str(e.get("id") or ""))
                      for e in data.get("evidence") or [] if isinstance(e, dict)],
            probable_cause=ProbableCause(
                category=_enum(Category, cause.get("category"), Category.UNKNOWN),
                explanation=str(cause.get("explanation") or ""),
                confidence=_enum(Confidence, cause.get("confidence"), Confidence.LOW),
                evidence_ids=[str(i) for i in cause.get("evidence_ids") or []],
                signature=cause.get("signature"),
                diagnoser=str(cause.get("diagnoser") or "rules"),
                note=cause.get("note"),
                footer=cause.get("footer"),
            ),
            next_steps=[str(x) for x in data.get("next_steps") or []],
            links=[Link(label=str(x.get("label") or ""), url=str(x.get("url") or ""))
                   for x in data.get("links") or [] if isinstance(x, dict)],
            actions=[str(x) for x in data.get("actions") or []],
            gaps=[str(x) for x in data.get("gaps") or []],
            event_time=data.get("event_time"),
            status=str(data.get("status") or ""),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "incident_id": self.incident_id,
            "fingerprint": self.fingerprint,
            "source": self.source,
            "resource": asdict(self.resource),
            "pipeline": self.pipeline.to_dict() if self.pipeline else None,
            "severity": self.severity.value,
            "title": self.title,
            "summary": self.summary,
            "evidence": [e.to_dict() for e in self.evidence],
            "probable_cause": self.probable_cause.to_dict(),
            "next_steps": list(self.next_steps),
            "links": [asdict(link) for link in self.links],
            "actions": list(self.actions),
            "gaps": list(self.gaps),
            "event_time": self.event_time,
            "status": self.status,
        }


E = TypeVar("E", bound=enum.Enum)


def _enum(kind: type[E], value: Any, default: E) -> E:
    try:
        return kind(value)
    except ValueError:
        return default


@dataclass
class Skip:
    """An event that is valid but not reported (a success, a benign stop), with the reason.

    ``good_run`` is what a source keeps of a run that ended well when its service has no API to find it
    again (an ECS task's clean stop): the baseline later reports compare with (evidence/changes.py).
    """

    reason: str
    good_run: dict[str, Any] | None = None
