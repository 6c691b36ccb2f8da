"""The analyze service: EventBridge event -> incident -> evidence -> diagnosis -> one Slack report.

``analyze(event)`` is what the Lambda handler calls, and reads as the pipeline it runs:

1. parse: the source's adapter reads the event (a success or benign stop is skipped);
2. a run that an approved redrive launched (only when the adapter says the event can be one) reports
   into the thread that asked for it;
3. claim the incident once in DynamoDB (the same event delivered twice posts once);
4. collect the adapter's evidence and the pipeline context (catalog, tags, Glue Data Catalog);
5. diagnose (``DIAGNOSIS_MODE``: the signatures, or Claude on Bedrock with the signatures as hint and
   fallback) and build the report;
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
from functools import cache
from typing import TYPE_CHECKING, Any

from .aws import AwsContext, shared_context
from .config import Settings
from .config import settings as read_settings
from .diagnosis import SignatureSet, load_signatures
from .errors import ClaimInProgress
from .evidence.catalog import cached_catalog, pipeline_from_tags, table_metadata
from .evidence.changes import collect_changes, remember_good_run
from .evidence.columns import check_catalog_columns, check_columns
from .evidence.inputs import check_inputs
from .evidence.redaction import redact, redact_obj
from .formats import fmt_duration
from .model import Category, Confidence, EvidenceBook, Incident, Link, Report, Severity, Skip
from .resources import rules_dir
from .sources import adapter, adapter_for
from .sources.base import Collector, parse_time

if TYPE_CHECKING:
    from collections.abc import Callable

    from .diagnosis.agent import AgentOutcome
    from .diagnosis.diagnoser import DiagnosisResult
    from .model import Pipeline
    from .redrive.runs import Launch
    from .sources.base import Adapter, RedriveSpec
    from .store import Group

__all__ = ["Outcome", "analyze", "build_report", "diagnose_incident", "signature_set"]

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
    diagnosis: DiagnosisResult | None = None

    @property
    def agent(self) -> AgentOutcome | None:
        """What the agent did, when it ran (its figures are published as metrics)."""
        return self.diagnosis.agent if self.diagnosis is not None else None

    def to_dict(self) -> dict[str, Any]:
        out = {"status": self.status, "reason": self.reason, "channel": self.channel, "ts": self.ts,
               "thread_ts": self.thread_ts, "report": self.report.to_dict() if self.report else None}
        if self.diagnosis is not None:
            out["diagnosis"] = _diagnosis_summary(self.diagnosis)
        return out


def _diagnosis_summary(d: DiagnosisResult) -> dict[str, Any]:
    """Who diagnosed, why a candidate was not shown, and the agent's figures (for logs and ``eval``)."""
    out: dict[str, Any] = {"diagnoser": d.diagnoser, "note": d.note, "rejected": list(d.rejected), "agent": None}
    a = d.agent
    if a is not None:
        out["agent"] = {"status": a.status, "reason": a.reason, "model": a.model,
                        "tool_calls": [t["name"] for t in a.tool_calls], **a.usage.to_dict(),
                        "cost_usd": round(a.cost_usd, 6), "seconds": round(a.seconds, 3),
                        "model_seconds": round(a.model_seconds, 3), "request_chars": a.request_chars,
                        "category": (a.submission or {}).get("category")}
    return out


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


def _signature_context(incident: Incident, c: Collector, pipeline: Pipeline | None) -> dict[str, Any]:
    """The values signatures write into causes and next steps (a step's command line, an error message),
    redacted first."""
    c.context.update(resource_name=incident.resource.name, run_id=incident.resource.run_id or "",
                     region=incident.region, account=incident.account, status=incident.status,
                     pipeline=pipeline.name if pipeline else "", owner=(pipeline.owner if pipeline else "") or "",
                     runbook=(pipeline.runbook if pipeline else "") or "")
    return {k: redact(v) if isinstance(v, str) else v for k, v in c.context.values().items()}


def diagnose_incident(incident: Incident, c: Collector, pipeline: Pipeline | None, sigs: SignatureSet,
                      cfg: Settings, *, aws: AwsContext | None = None, home: AwsContext | None = None,
                      store: Any = None, remaining_seconds: float | None = None, use_agent: bool = True
                      ) -> DiagnosisResult:
    """The probable cause, by ``DIAGNOSIS_MODE``: the signatures, or Claude on Bedrock with the signatures'
    answer as a hint and fallback (:func:`incident_responder.diagnosis.diagnoser.diagnose`).

    The agent is only built when ``LLM_ENABLED`` is true and the mode is not ``rules``; on the rules
    path nothing of it (nor ``anthropic``) is imported. ``remaining_seconds`` is the invocation's time
    left; the agent keeps well inside it.
    """
    from .diagnosis.diagnoser import DiagnosisRequest, RulesDiagnoser, diagnose

    context = _signature_context(incident, c, pipeline)
    request = DiagnosisRequest(evidence=c.book.items, source=incident.source, context=context,
                               gaps=list(c.book.gaps))
    agent = None
    if use_agent and cfg.diagnosis_mode != "rules" and cfg.llm_enabled:
        from .diagnosis.cost import DynamoCostStore
        from .diagnosis.diagnoser import AgentDiagnoser
        from .diagnosis.incident_tools import incident_tools

        tools = incident_tools(
            aws or c.aws, evidence=c.book.items, source=incident.source,
            resource={"arn": incident.resource.arn, "name": incident.resource.name,
                      "run_id": incident.resource.run_id},
            log_groups=[g for g, _, _ in c.log_groups], window_end=incident.stopped_at or incident.event_time,
            pipeline=pipeline, fingerprint=incident.fingerprint, incident_id=incident.incident_id, store=store)
        cost = DynamoCostStore((home or c.home).client("dynamodb"), cfg.incidents_table)
        agent = AgentDiagnoser(tools, cfg=cfg, cost_store=cost, remaining_seconds=remaining_seconds)
    return diagnose(request, rules=RulesDiagnoser(sigs), cfg=cfg, agent=agent)


def build_report(incident: Incident, c: Collector, pipeline: Pipeline | None, sigs: SignatureSet,
                 repeats: int = 0, cfg: Settings | None = None, src: Adapter | None = None,
                 diagnosis: DiagnosisResult | None = None) -> Report:
    """Assemble the report from the collected evidence and its diagnosis (the signatures' when
    ``diagnosis`` is not given)."""
    from .templates import render

    cfg = cfg or read_settings()
    book = c.book
    src = src or adapter(incident.source)
    if diagnosis is None:
        diagnosis = diagnose_incident(incident, c, pipeline, sigs, cfg, use_agent=False)
    context = _signature_context(incident, c, pipeline)
    cause = diagnosis.cause
    cause.diagnoser = "agent" if diagnosis.diagnoser == "agent" else "rules"
    cause.note = diagnosis.note
    cause.footer = diagnosis.footer
    steps = list(diagnosis.next_steps)
    if cause.category == Category.UPSTREAM_FAILURE and cause.diagnoser == "rules":
        # Show the child's own cause, from the child's evidence only.
        child = [e for e in book.items if e.facts.get("child")]
        if child:
            inner = sigs.diagnose(child, incident.source, context, exclude=frozenset({Category.UPSTREAM_FAILURE}))
            # A guess about the child (its words alone read as a cause, no rule matched) stays a guess beside
            # upstream_failure; what a rule read in the child's evidence (an exception class, a signature) is the
            # root cause, at the confidence it has there.
            guess = inner.cause.confidence == Confidence.LOW and (inner.rule or "").startswith("terms:")
            if inner.cause.category == Category.UNKNOWN or guess:
                # That the child failed is certain; what failed in it is not known: the root cause is open, so
                # the report does not claim it with high confidence.
                if cause.confidence == Confidence.HIGH:
                    cause.confidence = Confidence.MEDIUM
                cause.explanation += (f" The child's own failure: {inner.cause.category.value} "
                                      f"({inner.cause.confidence.value} confidence): {inner.cause.explanation}")
            else:
                # The child's cause is the root cause: the category is the child's, the parent is its context.
                cause.category, cause.confidence = inner.cause.category, inner.cause.confidence
                cause.signature = inner.cause.signature
                cause.explanation += f" Root cause: {inner.cause.explanation}"
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
            slack: Any = None, store: Any = None,
            home: AwsContext | None = None, lease_seconds: int | None = None,
            remaining_seconds: Callable[[], float] | None = None) -> Outcome:
    """Analyze one EventBridge event end to end. Reads the settings of :mod:`config`.

    The pipeline: parse -> (a run a redrive launched: its own step) -> claim -> collect -> diagnose
    -> render -> post -> save. ``slack`` is a :class:`~incident_responder.slack.poster.SlackPoster` and
    ``store`` an :class:`~incident_responder.store.IncidentStore`; both are built from the settings
    when not given. Raises MalformedEvent/UnknownEvent for bad input, and re-raises Slack and store
    failures (after releasing the claim) so the event is retried and kept.

    ``lease_seconds`` is how long the claim holds: the invocation's remaining time and a margin (the
    handler passes it), so a retry after a timeout takes over. ``aws`` reads the evidence, in the event's
    region; ``home`` reaches the responder's own resources (its tables, its secrets), in the function's
    own region, whatever region the event comes from. ``remaining_seconds`` tells the invocation's time
    left (the handler passes Lambda's clock): the agent, when it runs, keeps well inside it.
    """
    cfg = cfg or read_settings()
    src = adapter_for(event)
    parsed = src.parse(event)
    aws = aws or shared_context(parsed.region if not isinstance(parsed, Skip) else
                                str(event.get("region") or "") or None)
    home = home or _home(aws)
    launch = _launched_by_redrive(event, src, home, cfg)
    if isinstance(parsed, Skip):
        if launch is not None and launch.succeeded:
            return _redrive_succeeded(launch, slack, cfg, home)
        if parsed.good_run:
            remember_good_run(parsed.good_run, home, cfg)
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
        if c.not_reported:
            store.release(incident.incident_id)
            logger.info("not reported", extra={"incident_id": incident.incident_id, "reason": c.not_reported})
            return Outcome("skipped", c.not_reported)
        pipeline = _pipeline(c, src, cfg)
        if pipeline and pipeline.datasets:
            table_metadata(c, pipeline.datasets)
        check_catalog_columns(c)
        group = _group(incident, store, cfg, launch)
        sigs = signature_set(cfg)
        diagnosis = diagnose_incident(incident, c, pipeline, sigs, cfg, aws=aws, home=home, store=store,
                                      remaining_seconds=remaining_seconds() if remaining_seconds else None)
        report = build_report(incident, c, pipeline, sigs, repeats=group.repeats, cfg=cfg, src=src,
                              diagnosis=diagnosis)
        slack = slack or _poster(cfg, home)
        found = _earlier_post(report, pipeline, group, launch, slack, cfg) if taken_over else None
        status, posted = found or _post(report, pipeline, group, launch, slack, cfg, incident)
        _save(store, incident, report, posted, status, c, group=group if status == "posted" else None)
    except Exception:
        store.release(incident.incident_id)
        raise
    failure_time = parse_time(incident.stopped_at) or parse_time(incident.event_time)
    lag = (time.time() - failure_time.timestamp()) if failure_time else None
    return Outcome(status, report=report, channel=posted["channel"], ts=posted["ts"],
                   thread_ts=posted.get("thread_ts"), failed_reads=c.failed_reads, seconds_since_failure=lag,
                   metrics={"ClaimLeaseExpired": 1.0} if taken_over else {}, diagnosis=diagnosis)


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


def _home(aws: AwsContext) -> AwsContext:
    """The context of the function's own region (its clients' default region): ``aws`` itself when the
    event comes from that region."""
    own = shared_context()
    return aws if aws.region == own.region else own


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
    if c.not_reported:
        return c
    check_inputs(c)
    check_columns(c)
    collect_changes(c, src)
    return c


def _evidence_context(incident: Incident, aws: AwsContext, cfg: Settings) -> tuple[AwsContext, str, str]:
    """Where the evidence is read: (context, the account line of the report, a gap).

    An event of the responder's own account is read with ``aws``. An event of another (member) account
    is read through that account's MEMBER_READ_ROLE_NAME, assumed with ``aws``'s credentials (cached per
    account until they expire); the responder's own tables stay with ``home``. An account whose role
    cannot be assumed still gets its report: the event's own facts, and a gap saying what could not be
    read and why.
    """
    from .aws import account_access

    alias = cfg.account_aliases.get(incident.account, "")
    named = f"{incident.account} ({alias})" if alias else incident.account
    access = account_access(incident.account, incident.region, base=aws, role_name=cfg.member_read_role,
                            external_id=cfg.member_external_id, seconds=cfg.member_session_seconds, alias=alias)
    if not access.member:
        return access.aws, (f"Account {named}, {incident.region}" if alias else ""), ""
    if access.error:
        return access.aws, f"Account {named}, {incident.region}: a member account", access.error
    return access.aws, (f"Account {named}, {incident.region}: a member account, read through its role "
                        f"{cfg.member_read_role}"), ""


# How long a repeat waits for the first report of its failure to be posted before it is retried later.
GROUP_ROOT_WAIT_SECONDS = 8.0
# The repeats of a failure that get a reply in its thread (the others are counted, and said at the next one):
# a storm of one failure posts a handful of messages, not one per event.
_REPLY_AT = frozenset({1, 2, 5, 10, 20, 50, 100, 200, 500, 1000})


def _group(incident: Incident, store: Any, cfg: Settings, launch: Launch | None) -> Group:
    """The failure's group: this report opens it (a top-level report) or repeats it (a reply in its thread).

    Atomic: of two failures of the same fingerprint at the same instant, one opens the group and the other
    waits for its root message (a few seconds), else it is retried later, so it never posts a second
    top-level report.
    """
    from .store import Group

    if launch is not None:  # a redrive's own run reports into its thread, outside any group
        return Group(first=True, item={})
    group: Group = store.open_group(incident.fingerprint, incident.incident_id, cfg.group_window_minutes)
    waited = 0.0
    while not group.first and group.root is None and waited < GROUP_ROOT_WAIT_SECONDS:
        time.sleep(0.5)
        waited += 0.5
        found = store.group(incident.fingerprint)
        group = Group(first=False, item={**group.item, **(found or {})})
    if not group.first and group.root is None:
        raise ClaimInProgress(f"the first report of {incident.fingerprint} is not posted yet; retried later")
    return group


def _reply_worthy(group: Group, report: Report) -> bool:
    """Whether a repeat gets its own reply: the first repeats, then a few at growing counts, and any whose
    cause differs from the first report's."""
    if group.repeats in _REPLY_AT:
        return True
    root_category = group.item.get("root_category")
    return bool(root_category) and root_category != report.probable_cause.category.value


def _places(pipeline: Pipeline | None, group: Group, launch: Launch | None,
            cfg: Settings) -> tuple[str, dict[str, Any] | None]:
    """The report's channel, and the thread it belongs in (a redrive's, or the first report's), if any."""
    channel = (pipeline.slack_channel if pipeline and pipeline.slack_channel else None) or cfg.default_channel
    if launch is not None:
        return channel, {"channel": launch.channel, "thread_ts": launch.thread_ts}
    if group.root is not None:
        return channel, {"channel": group.root[0], "thread_ts": group.root[1]}
    return channel, None


def _post(report: Report, pipeline: Pipeline | None, group: Group, launch: Launch | None,
          slack: Any, cfg: Settings, incident: Incident) -> tuple[str, dict[str, Any]]:
    """Post the report, exactly once for its incident (the post carries the incident id as metadata); a
    repeat that is only counted posts nothing (:func:`_reply_worthy`)."""
    channel, thread = _places(pipeline, group, launch, cfg)
    key = incident.incident_id
    if launch is not None:  # a redrive's new run failed: its report replies in the thread that asked for it
        from .redrive.runs import post_failure

        return "grouped", post_failure(launch, report, slack, incident.incident_id)
    if thread is not None:
        if not _reply_worthy(group, report):
            return "grouped", {"channel": thread["channel"], "ts": None, "thread_ts": thread["thread_ts"]}
        return "grouped", slack.post_repeat(report, channel=thread["channel"], thread_ts=thread["thread_ts"], key=key)
    return "posted", slack.post_report(report, channel=channel, key=key)


def _earlier_post(report: Report, pipeline: Pipeline | None, group: Group, launch: Launch | None,
                  slack: Any, cfg: Settings) -> tuple[str, dict[str, Any]] | None:
    """After an invocation died holding the claim: the report it may have posted before dying (found by the
    incident id in the message metadata), so the retry saves it instead of posting it again."""
    channel, thread = _places(pipeline, group, launch, cfg)
    if thread is not None:
        found = slack.find_posted(thread["channel"], report.incident_id, thread_ts=thread["thread_ts"])
        return ("grouped", found) if found else None
    for place in dict.fromkeys([channel, cfg.default_channel]):
        found = slack.find_posted(place, report.incident_id)
        if found:
            logger.info("the report was posted before the earlier invocation died; not posting it again",
                        extra={"incident_id": report.incident_id, "ts": found["ts"]})
            return "posted", found
    return None


def _save(store: Any, incident: Incident, report: Report, posted: dict[str, Any], status: str,
          c: Collector, group: Group | None = None) -> None:
    """Save the incident; the first report of a group also records where its thread is, in the same write."""
    store.save_report(incident.incident_id, report.to_dict(), channel=posted["channel"], ts=posted["ts"],
                      thread_ts=posted.get("thread_ts"), grouped=status == "grouped",
                      source=incident.source, resource_arn=incident.resource.arn,
                      redrive=_stored_redrive(c.context.get("redrive")),
                      log_windows=_log_windows(c),
                      group_root=(incident.fingerprint, report.probable_cause.category.value)
                      if group is not None and group.item else None)
