"""Runs a redrive launched, and their own EventBridge events.

Every launched run has a key (its adapter's ``run_outcome``) under which the audit table remembers which incident,
attempt and Slack thread launched it. When that run later ends, its own event reaches the analyzer
like any other; :func:`launched_run` recognizes it so the analyzer reports it into the same thread:
a success as a short "redrive succeeded" note (:func:`post_success`), a failure as a new report
replying in the thread. Both are exactly once: the launched item's ``outcome`` is set conditionally.

Run keys: Step Functions, the execution ARN (an in-place redrive keeps the ARN, so its key is
``<arn>#redrive-<redriveCount>``); ECS, the task ARN; Batch, the job id; Glue, ``<job>#<run id>``;
EMR, ``<cluster id>#<step id>``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import MalformedEvent, UnknownEvent

if TYPE_CHECKING:
    from ..aws import AwsContext
    from ..config import Settings
    from .audit import AuditStore

__all__ = ["Launch", "event_run", "launched_run", "post_success"]

logger = logging.getLogger(__name__)

def event_run(event: dict[str, Any]) -> tuple[str, str, str] | None:
    """(source, run key, outcome) of an EventBridge event, by its source's adapter; outcome is
    succeeded, failed or other."""
    from ..sources import adapter_for

    try:
        found = adapter_for(event)
    except (MalformedEvent, UnknownEvent):
        return None
    outcome = found.run_outcome(event)
    return (found.name, outcome.run_key, outcome.outcome) if outcome else None


@dataclass
class Launch:
    """A run launched by a redrive, as the audit table knows it, and how it ended."""

    run_key: str
    outcome: str
    item: dict[str, Any]
    audit: AuditStore

    @property
    def channel(self) -> str:
        return str(self.item.get("channel") or "")

    @property
    def thread_ts(self) -> str:
        return str(self.item.get("thread_ts") or "")

    @property
    def succeeded(self) -> bool:
        return self.outcome == "succeeded"


def launched_run(event: dict[str, Any], aws: AwsContext, cfg: Settings) -> Launch | None:
    """The launch record when ``event`` is about a run a redrive launched, else None.

    Reads AUDIT_TABLE (one GetItem). Never raises: a lookup failure is logged and the event is
    then reported as any other, because a report in the wrong place beats no report.
    """
    from ..sources import adapter_for
    from .audit import AuditStore

    try:
        if not adapter_for(event).may_be_redrive(event):
            return None
    except (MalformedEvent, UnknownEvent):
        return None
    found = event_run(event)
    if found is None or found[2] == "other" or not cfg.audit_table:
        return None
    _, key, outcome = found
    try:
        audit = AuditStore(aws.client("dynamodb"), cfg.audit_table)
        item = audit.launched(key)
    except Exception as exc:  # never cost a report: see the docstring
        logger.warning("redrive launch lookup failed", extra={"run_key": key, "error": str(exc)})
        return None
    if not item or not item.get("channel") or not item.get("thread_ts"):
        return None
    return Launch(run_key=key, outcome=outcome, item=item, audit=audit)


def record_outcome(launch: Launch, incident_id: str | None = None) -> bool:
    """Mark the launched run's outcome once and audit it; False when it was already recorded."""
    first = launch.audit.mark_outcome(launch.run_key, launch.outcome)
    if first:
        launch.audit.record(
            str(launch.item.get("incident_id")),
            "outcome",
            who="aws",
            what=f"run {launch.item.get('run_id') or launch.run_key}",
            result=launch.outcome,
            attempt=launch.item.get("attempt"),
            new_incident_id=incident_id,
        )
    return first


def post_success(launch: Launch, slack: Any) -> dict[str, Any] | None:
    """Post the "redrive succeeded" note in the launching thread, once (None when already posted)."""
    from ..templates import render

    if not record_outcome(launch):
        return None
    item = launch.item
    text = render(
        "redrive_succeeded.j2",
        run_id=str(item.get("run_id") or launch.run_key),
        run_url=str(item.get("run_url") or ""),
        attempt=int(item.get("attempt") or 1),
        action=str(item.get("action") or ""),
    )
    return dict(slack.reply(launch.channel, launch.thread_ts, text))


def post_failure(launch: Launch, report: Any, slack: Any, incident_id: str) -> dict[str, Any]:
    """Post the new run's failure report as a reply in the launching thread; record the outcome."""
    from ..slack.render import render_report

    text, blocks = render_report(report)
    posted = dict(slack.reply(launch.channel, launch.thread_ts, text, blocks=blocks, key=incident_id))
    try:
        record_outcome(launch, incident_id)
    except Exception as exc:  # the report is out; the audit line is best effort here
        logger.warning("could not record the redrive outcome", extra={"run_key": launch.run_key, "error": str(exc)})
    return {
        "channel": posted.get("channel") or launch.channel,
        "ts": posted["ts"],
        "thread_ts": launch.thread_ts,
    }
