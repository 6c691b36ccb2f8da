"""Follow-up worker function (SQS FIFO): answer replies in a report's thread, in order per thread.

Powertools' FIFO batch processor reports partial batch failures (ReportBatchItemFailures): a failed
message is retried (then dead-lettered) and only the later messages of its own thread wait for it.
Reads the settings of incident_responder.config (INCIDENTS_TABLE, SLACK_TOKEN_SECRET,
ALLOWED_SLACK_USERS, ALLOWED_SLACK_USERGROUP, ...).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import SqsFifoPartialProcessor, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from ..aws import shared_context
from ..config import settings
from ..followup.worker import FollowupWorker

logger = Logger()
metrics = Metrics()
processor = SqsFifoPartialProcessor(skip_group_on_error=True)
# A batch whose every message failed is reported like any partial failure (the same messages come
# back), instead of an invocation error.
processor.raise_on_entire_batch_failure = False


@logger.inject_lambda_context(log_event=False)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    worker = FollowupWorker(shared_context(), settings(),
                            remaining_seconds=lambda: context.get_remaining_time_in_millis() / 1000)

    def record_handler(record: SQSRecord) -> str:
        try:
            outcome = worker.process(record.body)
        except Exception as exc:
            logger.exception("follow-up failed", extra={"message_id": record.message_id, "error": type(exc).__name__})
            metrics.add_metric(name="FollowupsFailed", unit=MetricUnit.Count, value=1)
            raise
        logger.info("follow-up handled", extra={"message_id": record.message_id, "outcome": outcome})
        metrics.add_metric(
            name=f"Followups{outcome.split(':')[0].title().replace('_', '')}", unit=MetricUnit.Count, value=1
        )
        return outcome

    try:
        return dict(
            process_partial_response(event=event, record_handler=record_handler, processor=processor,
                                     context=context)
        )
    finally:
        if worker.agent_runs:  # the agent's tokens, tool calls and cost, per answer
            from ..diagnosis.agent import publish_metrics

            for outcome in worker.agent_runs:
                publish_metrics(outcome, metrics)
