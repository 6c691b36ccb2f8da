"""Runs a redrive launched, and their own EventBridge events.

Every launched run has a key (:func:`run_key`) under which the audit table remembers which incident,
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

if TYPE_CHECKING:
    from ..aws import AwsContext
    from ..config import Settings
    from ..model import Incident
    from .audit import AuditStore

__all__ = ["Launch", "distinguish_redriven", "event_run", "launched_run", "post_success", "run_key"]

logger = logging.getLogger(__name__)

_FAILED = {"FAILED", "TIMED_OUT", "ABORTED", "TIMEOUT", "ERROR", "STOPPED", "CANCELLED"}


def run_key(source: str, run_id: str, *, redrive_count: int = 0, parent: str = "") -> str:
    """The key of a run: ``parent`` is the Glue job or EMR cluster the run id belongs to."""
    if source == "stepfunctions" and redrive_count:
        return f"{run_id}#redrive-{redrive_count}"
    if source in {"glue", "emr"}:
        return f"{parent}#{run_id}"
    return run_id


def event_run(event: dict[str, Any]) -> tuple[str, str, str] | None:
    """(source, run key, outcome) of an EventBridge event; outcome is succeeded, failed or other."""
    detail = event.get("detail") if isinstance(event, dict) else None
    if not isinstance(detail, dict):
        return None
    src, kind = event.get("source"), event.get("detail-type")
    if src == "aws.states" and detail.get("executionArn"):
        status = detail.get("status")
        count = _int(detail.get("redriveCount"))
        return (
            "stepfunctions",
            run_key("stepfunctions", detail["executionArn"], redrive_count=count),
            _outcome(status, {"SUCCEEDED"}),
        )
    if src == "aws.ecs" and kind == "ECS Task State Change" and detail.get("taskArn"):
        if detail.get("lastStatus") != "STOPPED":
            return "ecs", detail["taskArn"], "other"
        codes = [c.get("exitCode") for c in detail.get("containers") or []]
        ok = bool(codes) and all(code == 0 for code in codes)
        return "ecs", detail["taskArn"], "succeeded" if ok else "failed"
    if src == "aws.batch" and detail.get("jobId"):
        return "batch", detail["jobId"], _outcome(detail.get("status"), {"SUCCEEDED"})
    if src == "aws.glue" and detail.get("jobRunId"):
        return (
            "glue",
            run_key("glue", detail["jobRunId"], parent=str(detail.get("jobName"))),
            _outcome(detail.get("state"), {"SUCCEEDED"}),
        )
    if src == "aws.emr" and kind == "EMR Step Status Change" and detail.get("stepId"):
        return (
            "emr",
            run_key("emr", detail["stepId"], parent=str(detail.get("clusterId"))),
            _outcome(detail.get("state"), {"COMPLETED"}),
        )
    return None


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _outcome(status: Any, ok: set[str]) -> str:
    if status in ok:
        return "succeeded"
    return "failed" if status in _FAILED else "other"


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
    from .audit import AuditStore

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


def distinguish_redriven(incident: Incident) -> None:
    """Give a redriven Step Functions execution's new failure its own incident.

    A redrive keeps the execution's ARN and name, so without this the new failure would have the
    incident id of the one already reported and be dropped as a duplicate delivery.
    """
    count = _int((incident.detail or {}).get("redriveCount"))
    if incident.source == "stepfunctions" and count and incident.resource.run_id:
        incident.resource.run_id = f"{incident.resource.run_id} (redrive {count})"


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
    posted = dict(slack.reply(launch.channel, launch.thread_ts, text, blocks=blocks))
    try:
        record_outcome(launch, incident_id)
    except Exception as exc:  # the report is out; the audit line is best effort here
        logger.warning("could not record the redrive outcome", extra={"run_key": launch.run_key, "error": str(exc)})
    return {
        "channel": posted.get("channel") or launch.channel,
        "ts": posted["ts"],
        "thread_ts": launch.thread_ts,
    }
