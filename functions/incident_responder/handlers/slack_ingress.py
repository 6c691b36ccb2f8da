"""Slack ingress function (Lambda Function URL): verify, dedupe, enqueue, answer within 3 seconds.

Every request is answered 2xx/4xx with one log line, whatever it holds (a bad configuration or an
unreachable store or queue is a 5xx so Slack retries). A rejected signature is logged as
``slack signature rejected`` (the template's metric filter counts
exactly that message; the failsafe alarm watches the count) and answered 401. Reads
SLACK_SIGNING_SECRET_NAME, FOLLOWUP_QUEUE_URL and INCIDENTS_TABLE.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from ..aws import shared_context
from ..config import settings
from ..slack.client import SlackConfigurationError
from ..slack.ingress import SlackRequest, get_signing_secret, handle_request
from ..store import IncidentStore

logger = Logger()
metrics = Metrics()


@logger.inject_lambda_context(log_event=False)
@metrics.log_metrics
def handler(event: Any, context: LambdaContext) -> dict[str, Any]:
    cfg, aws = settings(), shared_context()  # warm invocations reuse the clients: most of the ack time
    request = SlackRequest.from_function_url(event)
    try:
        secret = get_signing_secret(cfg.slack_signing_secret_name, secrets_client=aws.client("secretsmanager"))
    except SlackConfigurationError as exc:
        logger.error("slack signing secret unavailable", extra={"reason": str(exc)})
        return {"statusCode": 500, "headers": {"content-type": "text/plain"}, "body": "not configured"}
    store = IncidentStore(aws.client("dynamodb"), cfg.incidents_table, cfg.incident_ttl_days)
    result = handle_request(
        request, signing_secret=secret, store=store, sqs=aws.client("sqs"), queue_url=cfg.followup_queue_url
    )
    if result.outcome == "rejected":
        logger.warning("slack signature rejected", extra={"reason": result.reason, "source_ip": _source_ip(event)})
        metrics.add_metric(name="SlackRequestsRejected", unit=MetricUnit.Count, value=1)
    else:
        d = result.delivery
        logger.info(
            "slack request",
            extra={
                "outcome": result.outcome,
                "reason": result.reason,
                "key": d.key if d else None,
                "retry_num": d.retry_num if d else None,
            },
        )
        metrics.add_metric(
            name=f"SlackRequests{result.outcome.title().replace('_', '')}", unit=MetricUnit.Count, value=1
        )
    return result.to_function_url()


def _source_ip(event: Any) -> str | None:
    """The caller's address from the request context, as text safe to log (whatever the event holds)."""
    http = event.get("requestContext") if isinstance(event, dict) else None
    http = http.get("http") if isinstance(http, dict) else None
    value = http.get("sourceIp") if isinstance(http, dict) else None
    if value is None:
        return None
    # The log line is JSON written as UTF-8: a lone surrogate would lose the whole line.
    return str(value)[:64].encode("utf-8", "backslashreplace").decode("utf-8")
