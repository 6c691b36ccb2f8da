"""The analyze service: EventBridge event -> incident -> evidence -> diagnosis -> one Slack report.

``analyze(event)`` is what the Lambda handler calls, and reads as the pipeline it runs:

1. parse: the source's adapter reads the event (a success or benign stop is skipped);
2. a run that an approved redrive launched (only when the adapter says the event can be one) reports
   into the thread that asked for it;
3. claim the incident once in DynamoDB (the same event delivered twice posts once);
4. collect the adapter's evidence and the pipeline context (catalog, tags, Glue Data Catalog);
5. diagnose with the signatures and build the report;
6. post it: to the pipeline's channel, or as a threaded reply when the same failure was reported
   within the grouping window;
7. save the incident.

A Slack or DynamoDB failure raises, after releasing the claim, so EventBridge retries and the DLQ
keeps what never got through.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import cache
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from .aws import AwsContext, describe_error, shared_context
from .config import Settings
from .config import settings as read_settings
from .diagnosis import SignatureSet, load_signatures
from .errors import ClaimInProgress
from .evidence.catalog import cached_catalog, pipeline_from_tags, table_metadata
from .evidence.redaction import redact, redact_obj
from .formats import fmt_duration
from .model import Category, Confidence, EvidenceBook, Incident, Link, Report, Severity, Skip
from .resources import rules_dir
from .sources import adapter, adapter_for
from .sources.base import Collector, parse_time

if TYPE_CHECKING:
    from .model import Pipeline
    from .redrive.runs import Launch
    from .sources.base import Adapter, RedriveSpec

__all__ = ["Outcome", "analyze", "build_report", "signature_set"]

logger = logging.getLogger(__name__)

# Without a deadline (a call from outside Lambda): the analyze function's own timeout, and a margin.
DEFAULT_LEASE_SECONDS = 150

_SEVERITY_BY_CRITICALITY = {"critical": Severity.CRITICAL, "high": Severity.HIGH, "medium": Severity.MEDIUM,
                            "low": Severity.LOW}


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


def _pipeline(c: Collector, src: Adapter, cfg: Settings) -> Pipeline | None:
    inc = c.incident
    index = c.call("pipeline catalog", cached_catalog, c.home.client("dynamodb"), cfg.catalog_table,
                   cfg.catalog_cache_seconds)
    arns = list(inc.catalog_arns) or [inc.resource.arn]
    found = index.find(arns) if index is not None else None
    if found is None:
        for arn in arns[:1]:
            found = pipeline_from_tags(src.tags(c, arn))
    if found is None and index is not None:  # the catalog entry that claims the whole account
        found = index.for_account(arns)
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
    return fmt_duration((stop - start).total_seconds())


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
                 repeats: int = 0, cfg: Settings | None = None, src: Adapter | None = None) -> Report:
    """Diagnose the collected evidence and assemble the report."""
    from .templates import render

    cfg = cfg or read_settings()
    book = c.book
    src = src or adapter(incident.source)
    c.context.update(resource_name=incident.resource.name, run_id=incident.resource.run_id or "",
                     region=incident.region, account=incident.account, status=incident.status,
                     pipeline=pipeline.name if pipeline else "", owner=(pipeline.owner if pipeline else "") or "",
                     runbook=(pipeline.runbook if pipeline else "") or "")
    context = c.context.values()
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
    summary = render("summary.txt.j2", what=c.context.get("what", src.what(incident)),
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


def _stored_redrive(spec: RedriveSpec | None) -> str | None:
    """The source's redrive spec as the incident item keeps it: JSON with every secret redacted.

    Readers of the incidents table (the follow-up worker, the redrive preview) see only this copy; a
    redrive re-reads the real values from AWS when it plans and when it runs (redrive/plans.py).
    """
    if not spec:
        return None
    plain = json.loads(json.dumps(spec.to_dict(), default=str))  # datetimes as text, so they are redacted like text
    return json.dumps(redact_obj(plain, parse_json=True))


def analyze(event: dict[str, Any], *, aws: AwsContext | None = None, cfg: Settings | None = None,
            slack: Any = None, store: Any = None, now: datetime | None = None,
            home: AwsContext | None = None, lease_seconds: int | None = None) -> Outcome:
    """Analyze one EventBridge event end to end. Reads the settings of :mod:`config`.

    The pipeline: parse -> (a run a redrive launched: its own step) -> claim -> collect -> diagnose
    -> render -> post -> save. ``slack`` is a :class:`~incident_responder.slack.poster.SlackPoster` and
    ``store`` an :class:`~incident_responder.store.IncidentStore`; both are built from the settings
    when not given. Raises MalformedEvent/UnknownEvent for bad input, and re-raises Slack and store
    failures (after releasing the claim) so the event is retried and kept.

    ``lease_seconds`` is how long the claim holds: the invocation's remaining time and a margin (the
    handler passes it), so a retry after a timeout takes over. ``aws`` reads the evidence, in the event's
    region; ``home`` reaches the responder's own resources (its tables, its secrets), in the function's
    own region, whatever region the event comes from.
    """
    cfg = cfg or read_settings()
    src = adapter_for(event)
    parsed = src.parse(event)
    aws = aws or shared_context(parsed.region if not isinstance(parsed, Skip) else
                                str(event.get("region") or "") or None)
    home = home or (aws if aws is not None and aws.region == _home_region(aws) else shared_context())
    launch = _launched_by_redrive(event, src, home, cfg)
    if isinstance(parsed, Skip):
        if launch is not None and launch.succeeded:
            return _redrive_succeeded(launch, slack, cfg, home)
        return Outcome("skipped", parsed.reason)
    incident = parsed
    src.distinguish_redriven(incident)
    store = store or _store(home, cfg)
    claim = store.claim(incident.incident_id, incident.fingerprint, incident.event_id,
                        lease_seconds=lease_seconds or DEFAULT_LEASE_SECONDS)
    if claim.state == "duplicate":
        if claim.item.get("status") == "pending":
            # Being reported by another invocation: retried later, when it has posted (a duplicate then)
            # or its lease has run out (this one takes over). Never acknowledged as done before it is.
            raise ClaimInProgress(f"incident {incident.incident_id} is being reported by another invocation")
        return Outcome("duplicate", f"incident {incident.incident_id} is already {claim.item.get('status')}",
                       channel=claim.item.get("channel"), ts=claim.item.get("slack_ts"))
    taken_over = claim.state == "retry"
    if taken_over:
        logger.warning("claim lease expired: an earlier invocation died; reporting again",
                       extra={"incident_id": incident.incident_id})
    try:
        c = _collect(incident, src, aws, cfg, home)
        pipeline = _pipeline(c, src, cfg)
        if pipeline and pipeline.datasets:
            table_metadata(c, pipeline.datasets)
        earlier = _earlier_reports(incident, store, cfg, now)
        report = build_report(incident, c, pipeline, signature_set(cfg), repeats=len(earlier), cfg=cfg, src=src)
        slack = slack or _poster(cfg, home)
        status, posted = _post(report, pipeline, earlier, launch, slack, cfg, incident)
        _save(store, incident, report, posted, status, c)
    except Exception:
        store.release(incident.incident_id)
        raise
    failure_time = parse_time(incident.stopped_at) or parse_time(incident.event_time)
    lag = (time.time() - failure_time.timestamp()) if failure_time else None
    return Outcome(status, report=report, channel=posted["channel"], ts=posted["ts"],
                   thread_ts=posted.get("thread_ts"), failed_reads=c.failed_reads, seconds_since_failure=lag,
                   metrics={"ClaimLeaseExpired": 1.0} if taken_over else {})


# -- the steps ------------------------------------------------------------------------------------------
def _store(aws: AwsContext, cfg: Settings) -> Any:
    from .store import IncidentStore

    return IncidentStore(aws.client("dynamodb"), cfg.incidents_table, cfg.incident_ttl_days)


def _poster(cfg: Settings, aws: AwsContext) -> Any:
    from .slack.poster import SlackPoster

    return SlackPoster.from_settings(cfg, aws)


def _launched_by_redrive(event: dict[str, Any], src: Adapter, aws: AwsContext, cfg: Settings) -> Launch | None:
    """The launch record of a run an approved redrive started, looked up only when the event can be one."""
    if not src.may_be_redrive(event):
        return None
    from .redrive.runs import launched_run

    return launched_run(event, aws, cfg)


def _redrive_succeeded(launch: Launch, slack: Any, cfg: Settings, aws: AwsContext) -> Outcome:
    """A run a redrive launched succeeded: a note in the thread that asked for it (a success is
    otherwise skipped like any success)."""
    from .redrive.runs import post_success

    note = post_success(launch, slack or _poster(cfg, aws))
    return Outcome("threaded" if note else "duplicate", "a run launched by a redrive succeeded",
                   channel=launch.channel, ts=(note or {}).get("ts"), thread_ts=launch.thread_ts)


def _home_region(aws: AwsContext) -> str:
    import os

    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or aws.region


def _collect(incident: Incident, src: Adapter, aws: AwsContext, cfg: Settings, home: AwsContext) -> Collector:
    evidence, account_line, gap = _evidence_context(incident, aws, cfg)
    c = Collector(incident, evidence, cfg, EvidenceBook(), context=src.context_type(), home=home)
    if account_line:
        c.add("account", "sts", account_line, account=incident.account,
              alias=cfg.account_aliases.get(incident.account, ""))
    if gap:
        c.failed_reads += 1
        c.book.gap(gap)
    src.collect(c)
    return c


def _evidence_context(incident: Incident, aws: AwsContext, cfg: Settings) -> tuple[AwsContext, str, str]:
    """Where the evidence is read: (context, the account line of the report, a gap).

    An event of the responder's own account is read with ``aws``. An event of another (member) account
    is read through that account's MEMBER_READ_ROLE_NAME, assumed with ``aws``'s credentials (cached per
    account until they expire); the responder's own tables stay with ``home``. An account whose role
    cannot be assumed still gets its report: the event's own facts, and a gap saying what could not be
    read and why.
    """
    from .aws import AssumeRoleFailed, failing_context, member_context, own_account

    alias = cfg.account_aliases.get(incident.account, "")
    try:
        own = own_account(aws)
    except (ClientError, BotoCoreError) as exc:
        logger.warning("own account unknown: evidence read with the function's own role",
                       extra={"error": describe_error(exc)})
        own = incident.account
    named = f"{incident.account} ({alias})" if alias else incident.account
    if not incident.account or incident.account == own:
        return aws, (f"Account {named}, {incident.region}" if alias else ""), ""
    line = f"Account {named}, {incident.region}: a member account, read through its role {cfg.member_read_role}"
    try:
        return member_context(incident.account, incident.region, cfg.member_read_role, base=aws,
                              external_id=cfg.member_external_id, seconds=cfg.member_session_seconds), line, ""
    except AssumeRoleFailed as exc:
        logger.warning("member role not assumed", extra={"account": incident.account, "role": exc.arn,
                                                         "error": describe_error(exc.cause)})
        why = (f"account {named}: nothing of it could be read ({exc}); deploy sam/member-account.yaml in that "
               "account, or check its trust policy and MEMBER_EXTERNAL_ID")
        return failing_context(aws.region, exc.cause), f"Account {named}, {incident.region}: a member account", why



def _earlier_reports(incident: Incident, store: Any, cfg: Settings, now: datetime | None) -> list[dict[str, Any]]:
    """Reports of the same failure posted within the grouping window (the newest report threads under
    the first)."""
    since = (now or datetime.now(timezone.utc)) - timedelta(minutes=cfg.group_window_minutes)
    return [i for i in store.recent(incident.fingerprint, since)
            if i.get("incident_id") != incident.incident_id and i.get("status") == "posted"]


def _post(report: Report, pipeline: Pipeline | None, earlier: list[dict[str, Any]], launch: Launch | None,
          slack: Any, cfg: Settings, incident: Incident) -> tuple[str, dict[str, Any]]:
    channel = (pipeline.slack_channel if pipeline and pipeline.slack_channel else None) or cfg.default_channel
    root = min(earlier, key=lambda i: i.get("created_at", "")) if earlier else None
    if launch is not None:  # a redrive's new run failed: its report replies in the thread that asked for it
        from .redrive.runs import post_failure

        return "grouped", post_failure(launch, report, slack, incident.incident_id)
    if root and root.get("channel") and root.get("thread_ts"):
        return "grouped", slack.post_repeat(report, channel=root["channel"], thread_ts=root["thread_ts"])
    return "posted", slack.post_report(report, channel=channel)


def _save(store: Any, incident: Incident, report: Report, posted: dict[str, Any], status: str,
          c: Collector) -> None:
    store.save_report(incident.incident_id, report.to_dict(), channel=posted["channel"], ts=posted["ts"],
                      thread_ts=posted.get("thread_ts"), grouped=status == "grouped",
                      source=incident.source, resource_arn=incident.resource.arn,
                      redrive=_stored_redrive(c.context.get("redrive")),
                      log_windows=_log_windows(c))
