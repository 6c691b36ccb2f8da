"""Redrive function: run one approved redrive, once. Invoked by the follow-up worker only.

Event: ``{"incident_id": "...", "request_id": "..."}``. The approval is re-checked in the audit
table (AUDIT_TABLE) before anything runs; the answer (started, failed, duplicate, refused) goes back
to the worker, which posts it in the thread. Reads AUDIT_TABLE, REDRIVE_APPROVERS and
REDRIVE_REQUIRE_SECOND_PERSON.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from ..aws import AwsContext
from ..config import settings
from ..redrive.audit import AuditStore
from ..redrive.executor import run_request

logger = Logger()
metrics = Metrics()


@logger.inject_lambda_context(log_event=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if not isinstance(event, dict) or not event.get("incident_id") or not event.get("request_id"):
        logger.error("redrive event rejected", extra={"event_type": type(event).__name__})
        metrics.add_metric(name="RedriveRejected", unit=MetricUnit.Count, value=1)
        return {"status": "refused", "error": "the event needs incident_id and request_id"}
    cfg = settings()
    home = AwsContext()
    result = run_request(
        str(event["incident_id"]),
        str(event["request_id"]),
        audit=AuditStore(home.client("dynamodb"), cfg.audit_table),
        cfg=cfg,
        aws_for=lambda region, account: run_context(region, account, home, cfg),
    )
    metrics.add_metric(name=f"Redrive{str(result.get('status', '')).capitalize()}", unit=MetricUnit.Count, value=1)
    logger.info("redrive handled", extra={k: result.get(k) for k in ("status", "run_id", "error", "attempt")})
    return result


def run_context(region: str, account: str, home: AwsContext, cfg: Any) -> AwsContext:
    """Where a redrive call runs: the function's own role in its own account; in a member account, that
    account's MEMBER_REDRIVE_ROLE_NAME (only this function assumes it). A role that cannot be assumed
    makes the call fail with AWS's reason, which the thread is told."""
    from ..aws import account_access

    return account_access(account, region, base=home, role_name=cfg.member_redrive_role,
                          external_id=cfg.member_external_id, seconds=cfg.member_session_seconds,
                          purpose="redrive").aws
