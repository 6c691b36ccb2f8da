"""The analyze service: EventBridge event -> incident -> evidence -> diagnosis -> one Slack report.

``analyze(event)`` is what the Lambda handler calls. Steps: parse the event (a success or benign stop
is skipped), claim the incident once in DynamoDB (the same event delivered twice posts once), collect
the source's evidence and the pipeline context, diagnose with the signatures, build the report, and
post it: to the pipeline's channel, or as a threaded reply when the same failure was reported within
the grouping window. A Slack or DynamoDB failure raises, after releasing the claim, so EventBridge
retries and the DLQ keeps what never got through.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import cache
from typing import TYPE_CHECKING, Any

from .aws import AwsContext, shared_context
from .config import Settings
from .config import settings as read_settings
from .diagnosis import SignatureSet, load_signatures
from .evidence.catalog import catalog_entries, find_pipeline, pipeline_from_tags, resource_tags, table_metadata
from .evidence.redaction import redact, redact_obj
from .model import Category, Confidence, EvidenceBook, Incident, Link, Report, Severity, Skip
from .resources import rules_dir
from .sources import source_for
from .sources.base import Collector, parse_time

if TYPE_CHECKING:
    from .model import Pipeline
    from .sources.base import Source

__all__ = ["Outcome", "analyze", "build_report", "signature_set"]

logger = logging.getLogger(__name__)

_SEVERITY_BY_CRITICALITY = {"critical": Severity.CRITICAL, "high": Severity.HIGH, "medium": Severity.MEDIUM,
                            "low": Severity.LOW}
_NOUN = {"stepfunctions": "Step Functions execution", "ecs": "ECS task", "emr": "EMR", "glue": "Glue job run",
         "batch": "Batch job"}


@dataclass
class Outcome:
    """What one analysis did: ``posted``, ``grouped`` (threaded under an earlier report),
    ``duplicate`` or ``skipped``."""

    status: str
    reason: str = ""
    report: Report | None = None
    channel: str | None = None
    ts: str | None = None
    thread_ts: str | None = None
    failed_reads: int = 0
    seconds_since_failure: float | None = None
    metrics: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "reason": self.reason, "channel": self.channel, "ts": self.ts,
                "thread_ts": self.thread_ts, "report": self.report.to_dict() if self.report else None}


@cache
def _signatures(builtin: str, extra: str) -> SignatureSet:
    return SignatureSet(load_signatures(builtin, extra))


def signature_set(cfg: Settings | None = None) -> SignatureSet:
    """The bundled signatures plus the user's own (EXTRA_SIGNATURES_DIR), loaded once per process."""
    cfg = cfg or read_settings()
    return _signatures(str(rules_dir() / "signatures"), cfg.extra_signatures_dir)


def _pipeline(c: Collector, cfg: Settings) -> Pipeline | None:
    inc = c.incident
    entries = c.call("pipeline catalog", catalog_entries, c.client("dynamodb"), cfg.catalog_table) or []
    arns = list(inc.catalog_arns) or [inc.resource.arn]
    found = find_pipeline(entries, arns)
    if found is None:
        for arn in arns[:1]:
            found = pipeline_from_tags(resource_tags(c, arn))
    return found


def _severity(incident: Incident, pipeline: Pipeline | None, category: Category) -> Severity:
    if category == Category.MANUAL_STOP:
        return Severity.LOW
    base = _SEVERITY_BY_CRITICALITY.get((pipeline.criticality or "").lower() if pipeline else "", Severity.MEDIUM)
    return base


def _duration(incident: Incident) -> str:
    start, stop = parse_time(incident.started_at), parse_time(incident.stopped_at)
    if not start or not stop or stop < start:
        return ""
    secs = (stop - start).total_seconds()
    if secs < 120:
        return f"{secs:.1f} s"
    if secs < 7200:
        return f"{secs / 60:.0f} min"
    return f"{secs / 3600:.1f} h"


def _title(incident: Incident, category: Category, state: str | None) -> str:
    status = incident.status.replace("_", " ").lower()
    cause = category.value.replace("_", " ")
    title = f"{incident.resource.name} {status}"
    if cause not in status and category != Category.UNKNOWN:
        title += f": {cause}"
    if state and state != "?":
        title += f" in {state}"
    return title


def build_report(incident: Incident, c: Collector, pipeline: Pipeline | None, sigs: SignatureSet,
                 repeats: int = 0, cfg: Settings | None = None) -> Report:
    """Diagnose the collected evidence and assemble the report."""
    from .templates import render

    cfg = cfg or read_settings()
    book = c.book
    context = {"resource_name": incident.resource.name, "run_id": incident.resource.run_id or "",
               "region": incident.region, "account": incident.account, "status": incident.status,
               "pipeline": pipeline.name if pipeline else "", "owner": (pipeline.owner if pipeline else "") or "",
               "runbook": (pipeline.runbook if pipeline else "") or "", **c.context}
    # Signatures write these into next steps (a step's command line, an error message): redacted first.
    context = {k: redact(v) if isinstance(v, str) else v for k, v in context.items()}
    diagnosis = sigs.diagnose(book.items, incident.source, context)
    cause = diagnosis.cause
    steps = list(diagnosis.next_steps)
    if cause.category == Category.UPSTREAM_FAILURE:
        # Show the child's own cause, from the child's evidence only.
        child = [e for e in book.items if e.facts.get("child")]
        if child:
            inner = sigs.diagnose(child, incident.source, context, exclude=frozenset({Category.UPSTREAM_FAILURE}))
            cause.explanation += (f" The child's own failure: {inner.cause.category.value} "
                                  f"({inner.cause.confidence.value} confidence): {inner.cause.explanation}")
            cause.evidence_ids += [i for i in inner.cause.evidence_ids if i not in cause.evidence_ids]
            steps[1:1] = inner.next_steps
    # Facts first: a cause must cite evidence that exists.
    cause.evidence_ids = [i for i in cause.evidence_ids if book.get(i) is not None]
    if not cause.evidence_ids:
        cause.category, cause.confidence = Category.UNKNOWN, Confidence.LOW
    if cause.category == Category.UNKNOWN:
        steps.append("Read the evidence above and the linked logs; if this failure recurs, add a signature "
                     "for it (see the README, 'Adding a signature').")
    if pipeline and pipeline.runbook:
        steps.append(f"Follow the pipeline runbook: {pipeline.runbook}")
    links = list(c.links)
    if pipeline and pipeline.runbook:
        links.append(Link(label="Runbook", url=pipeline.runbook))
    stop = parse_time(incident.stopped_at) or parse_time(incident.event_time)
    what = f"{_NOUN.get(incident.source, incident.source)} {incident.resource.run_id or ''}".strip()
    if incident.source == "stepfunctions":
        what += f" of state machine {incident.resource.name}"
    elif incident.resource.name not in what:
        what += f" ({incident.resource.name})"
    summary = render("summary.txt.j2", what=c.context.get("what", what),
                     status_phrase=c.context.get("status_phrase", incident.status.lower().replace("_", " ")),
                     when=f"{stop:%Y-%m-%d %H:%M:%S} UTC" if stop else "", duration=_duration(incident),
                     pipeline=pipeline, cause=cause.to_dict(), repeats=repeats,
                     resource_name=incident.resource.name, window_minutes=cfg.group_window_minutes)
    title = c.context.get("title") or _title(incident, cause.category, c.context.get("state"))
    return Report(
        incident_id=incident.incident_id, fingerprint=incident.fingerprint, source=incident.source,
        resource=incident.resource, pipeline=pipeline, severity=_severity(incident, pipeline, cause.category),
        title=title, summary=" ".join(summary.split()), evidence=list(book.items), probable_cause=cause,
        next_steps=steps, links=links, gaps=list(book.gaps),
        actions=["redrive"] if c.context.get("redrive") and cause.category != Category.MANUAL_STOP else [],
        event_time=incident.event_time, status=incident.status,
    )


def _log_windows(c: Collector) -> str | None:
    """The log windows the analysis read, for the thread's follow-up questions (``logs``)."""
    windows = [{"group": g, "start": s.isoformat() if s else None, "end": e.isoformat() if e else None}
               for g, s, e in c.log_groups]
    return json.dumps(windows) if windows else None


def _stored_redrive(spec: dict[str, Any] | None) -> str | None:
    """The source's redrive spec as the incident item keeps it: JSON with every secret redacted.

    Readers of the incidents table (the follow-up worker, the redrive preview) see only this copy; a
    redrive re-reads the real values from AWS when it plans and when it runs (redrive/plans.py).
    """
    if not spec:
        return None
    plain = json.loads(json.dumps(spec, default=str))  # datetimes as text, so they are redacted like text
    return json.dumps(redact_obj(plain, parse_json=True))


def analyze(event: dict[str, Any], *, aws: AwsContext | None = None, cfg: Settings | None = None,
            slack: Any = None, store: Any = None, now: datetime | None = None) -> Outcome:
    """Analyze one EventBridge event end to end. Reads the settings of :mod:`config`.

    ``slack`` is a :class:`~incident_responder.slack.poster.SlackPoster` and ``store`` an
    :class:`~incident_responder.store.IncidentStore`; both are built from the settings when not given.
    Raises MalformedEvent/UnknownEvent for bad input, and re-raises Slack and store failures.
    """
    from .store import IncidentStore

    cfg = cfg or read_settings()
    src: Source = source_for(event)
    parsed = src.parse(event)
    # -- redrive hook (redrive/runs.py): the run an approved redrive launched reports into its thread.
    # Its success is otherwise skipped like any success; only a run we launched gets this note.
    from .redrive.runs import distinguish_redriven, launched_run, post_success

    aws = aws or shared_context(parsed.region if not isinstance(parsed, Skip) else
                                str(event.get("region") or "") or None)
    launch = launched_run(event, aws, cfg)
    if isinstance(parsed, Skip) and launch is not None and launch.succeeded:
        from .slack.poster import SlackPoster

        note = post_success(launch, slack or SlackPoster.from_settings(cfg, aws))
        return Outcome("threaded" if note else "duplicate", "a run launched by a redrive succeeded",
                       channel=launch.channel, ts=(note or {}).get("ts"), thread_ts=launch.thread_ts)
    if not isinstance(parsed, Skip):
        distinguish_redriven(parsed)
    # -- end of the redrive hook
    if isinstance(parsed, Skip):
        return Outcome("skipped", parsed.reason)
    incident = parsed
    store = store or IncidentStore(aws.client("dynamodb"), cfg.incidents_table, cfg.incident_ttl_days)
    claim = store.claim(incident.incident_id, incident.fingerprint, incident.event_id)
    if claim.state == "duplicate":
        return Outcome("duplicate", f"incident {incident.incident_id} is already {claim.item.get('status')}",
                       channel=claim.item.get("channel"), ts=claim.item.get("slack_ts"))
    try:
        return _report(incident, src, aws, cfg, slack, store, now, launch=launch)
    except Exception:
        store.release(incident.incident_id)
        raise


def _report(incident: Incident, src: Source, aws: AwsContext, cfg: Settings, slack: Any, store: Any,
            now: datetime | None, launch: Any = None) -> Outcome:
    from .slack.poster import SlackPoster

    c = Collector(incident, aws, cfg, EvidenceBook())
    src.collect(c)
    pipeline = _pipeline(c, cfg)
    if pipeline and pipeline.datasets:
        table_metadata(c, pipeline.datasets)
    since = (now or datetime.now(timezone.utc)) - timedelta(minutes=cfg.group_window_minutes)
    earlier = [i for i in store.recent(incident.fingerprint, since)
               if i.get("incident_id") != incident.incident_id and i.get("status") == "posted"]
    report = build_report(incident, c, pipeline, signature_set(cfg), repeats=len(earlier), cfg=cfg)
    slack = slack or SlackPoster.from_settings(cfg, aws)
    channel = (pipeline.slack_channel if pipeline and pipeline.slack_channel else None) or cfg.default_channel
    root = min(earlier, key=lambda i: i.get("created_at", "")) if earlier else None
    if launch is not None:  # redrive hook: a redrive's new run failed -> its report replies in that thread
        from .redrive.runs import post_failure

        posted = post_failure(launch, report, slack, incident.incident_id)
        status = "grouped"
    elif root and root.get("channel") and root.get("thread_ts"):
        posted = slack.post_repeat(report, channel=root["channel"], thread_ts=root["thread_ts"])
        status = "grouped"
    else:
        posted = slack.post_report(report, channel=channel)
        status = "posted"
    store.save_report(incident.incident_id, report.to_dict(), channel=posted["channel"], ts=posted["ts"],
                      thread_ts=posted.get("thread_ts"), grouped=status == "grouped",
                      source=incident.source, resource_arn=incident.resource.arn,
                      redrive=_stored_redrive(c.context.get("redrive")),
                      log_windows=_log_windows(c))
    failure_time = parse_time(incident.stopped_at) or parse_time(incident.event_time)
    lag = (time.time() - failure_time.timestamp()) if failure_time else None
    return Outcome(status, report=report, channel=posted["channel"], ts=posted["ts"],
                   thread_ts=posted.get("thread_ts"), failed_reads=c.failed_reads, seconds_since_failure=lag)
