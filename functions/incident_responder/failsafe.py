"""The failsafe: when forged Slack requests pile up, shut the ingress function off and say so.

The template's metric filter counts ``slack signature rejected`` log lines of the ingress function;
its alarm (more than SignatureFailureAlarmThreshold an hour) notifies an SNS topic this function
listens to. On ALARM it sets the ingress function's reserved concurrency to 0 (every request to the
Function URL is then refused without running any code) and publishes a notice to the notify topic.
It never turns the ingress back on: a person does, after reading the logs.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from .aws import describe_error
from .errors import IncidentResponderError

__all__ = ["FailsafeError", "FailsafeOutcome", "alarms_from_sns", "shut_off_ingress"]

logger = logging.getLogger(__name__)


class FailsafeError(IncidentResponderError):
    """The ingress function could not be shut off (raised so the invocation is retried)."""


@dataclass
class FailsafeOutcome:
    action: str  # throttled | none
    reason: str
    notified: bool = False


def alarms_from_sns(event: dict[str, Any]) -> list[dict[str, Any]]:
    """The CloudWatch alarm notifications in an SNS event (messages that are not one are skipped)."""
    alarms = []
    for record in event.get("Records") or []:
        message = ((record or {}).get("Sns") or {}).get("Message") or ""
        try:
            data = json.loads(message)
        except ValueError:
            logger.warning("not an alarm notification", extra={"message": message[:200]})
            continue
        if isinstance(data, dict) and "NewStateValue" in data:
            alarms.append(data)
    return alarms


def shut_off_ingress(
    alarm: dict[str, Any], *, lambda_client: Any, sns_client: Any, function_name: str, topic_arn: str
) -> FailsafeOutcome:
    """On an ALARM notification, set ``function_name``'s reserved concurrency to 0 and notify ``topic_arn``.

    Raises FailsafeError when the function name is not set or the concurrency cannot be changed; a
    failed notice is logged only (the shut-off is what matters).
    """
    if alarm.get("NewStateValue") != "ALARM":
        return FailsafeOutcome("none", f"alarm state is {alarm.get('NewStateValue')}")
    if not function_name:
        raise FailsafeError("INGRESS_FUNCTION_NAME is not set: cannot shut the Slack ingress off")
    try:
        lambda_client.put_function_concurrency(FunctionName=function_name, ReservedConcurrentExecutions=0)
    except (ClientError, BotoCoreError) as exc:
        raise FailsafeError(
            f"could not set the concurrency of {function_name} to 0: {describe_error(exc)}"
        ) from exc
    reason = "rejected Slack signatures exceeded the alarm threshold"
    outcome = FailsafeOutcome("throttled", reason)
    if topic_arn:
        from .templates import render

        notice = render(
            "failsafe_notice.txt.j2",
            function_name=function_name,
            reason=reason,
            alarm_name=alarm.get("AlarmName", "?"),
            new_state=alarm.get("NewStateValue"),
            when=alarm.get("StateChangeTime", "?"),
            state_reason=alarm.get("NewStateReason", ""),
        )
        try:
            sns_client.publish(
                TopicArn=topic_arn, Subject="incident-responder: Slack ingress shut off", Message=notice
            )
            outcome.notified = True
        except (ClientError, BotoCoreError) as exc:
            logger.error("failsafe notice not sent", extra={"error": describe_error(exc)})
    return outcome
