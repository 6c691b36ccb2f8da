"""Analyze function: EventBridge failure event -> one Slack report.

Bad input (malformed event, unknown detail-type) is logged and counted, and returns normally so no
retry loop starts; Slack or DynamoDB failures re-raise so EventBridge/Lambda retry and the DLQ keeps
the event.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from ..analyze import analyze
from ..deadline import Deadline, slack_deadline
from ..errors import ClaimInProgress, MalformedEvent, UnknownEvent
from ..tracing import LazyTracer

logger = Logger()
metrics = Metrics()
tracer = LazyTracer()  # the X-Ray SDK is imported at the first invocation: see tracing.py
LEASE_MARGIN_SECONDS = 10


@logger.inject_lambda_context(correlation_id_path="id", log_event=False)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        # The claim's lease ends a little after this invocation can: a retry after a timeout takes over.
        lease = int(context.get_remaining_time_in_millis() / 1000) + LEASE_MARGIN_SECONDS
        with slack_deadline(Deadline.from_lambda_context(context)):  # Slack retries stop before the timeout
            outcome = analyze(event, lease_seconds=lease,
                              remaining_seconds=lambda: context.get_remaining_time_in_millis() / 1000)
    except (MalformedEvent, UnknownEvent) as exc:
        logger.error("event rejected", extra={"reason": str(exc), "detail_type": _get(event, "detail-type")})
        metrics.add_metric(name="EventsRejected", unit=MetricUnit.Count, value=1)
        return {"status": "rejected", "reason": str(exc)}
    except ClaimInProgress as exc:
        # Not a failure: another invocation holds the claim. Raised so Lambda retries this event later.
        logger.info("incident being reported by another invocation; retried later", extra={"reason": str(exc)})
        metrics.add_metric(name="ClaimsInProgress", unit=MetricUnit.Count, value=1)
        raise
    except Exception as exc:
        # Re-raised: Lambda retries the event, then the DLQ keeps it. Counted so the alarm sees it.
        logger.exception("report failed; the event will be retried", extra={"error": type(exc).__name__})
        metrics.add_metric(name="ReportsFailed", unit=MetricUnit.Count, value=1)
        raise
    metrics.add_metric(name=f"Events{outcome.status.capitalize()}", unit=MetricUnit.Count, value=1)
    for name, value in outcome.metrics.items():
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
    if outcome.agent is not None:  # the agent ran: its calls, tokens, cost and time
        from ..diagnosis.agent import publish_metrics

        publish_metrics(outcome.agent, metrics)
    if outcome.status in {"posted", "grouped"}:
        metrics.add_metric(name="ReportsPosted", unit=MetricUnit.Count, value=1)
        metrics.add_metric(name="EvidenceReadsFailed", unit=MetricUnit.Count, value=outcome.failed_reads)
        if outcome.seconds_since_failure is not None:
            metrics.add_metric(name="TimeToReport", unit=MetricUnit.Seconds, value=outcome.seconds_since_failure)
    logger.info("event analyzed", extra={"outcome": outcome.status, "reason": outcome.reason,
                                         "channel": outcome.channel, "ts": outcome.ts})
    return outcome.to_dict()


def _get(event: Any, key: str) -> Any:
    return event.get(key) if isinstance(event, dict) else None
