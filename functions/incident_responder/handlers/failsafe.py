"""Failsafe function (SNS, from the signature-failure alarm): shut the Slack ingress off and notify.

Reads INGRESS_FUNCTION_NAME and NOTIFY_TOPIC_ARN. A failure to shut it off raises, so the
asynchronous SNS invocation is retried.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from ..aws import AwsContext
from ..config import settings
from ..failsafe import alarms_from_sns, shut_off_ingress

logger = Logger()


@logger.inject_lambda_context(log_event=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    cfg, aws = settings(), AwsContext()
    outcomes = [
        shut_off_ingress(
            alarm,
            lambda_client=aws.client("lambda"),
            sns_client=aws.client("sns"),
            function_name=cfg.ingress_function_name,
            topic_arn=cfg.notify_topic_arn,
        )
        for alarm in alarms_from_sns(event)
    ]
    for outcome in outcomes:
        log = logger.warning if outcome.action == "throttled" else logger.info
        log(
            "failsafe",
            extra={
                "action": outcome.action,
                "reason": outcome.reason,
                "notified": outcome.notified,
                "function_name": cfg.ingress_function_name,
            },
        )
    return {"actions": [o.action for o in outcomes]}
