"""How the follow-up worker reaches the redrive function, the only function allowed to re-run work.

In AWS the worker invokes RedriveFunction synchronously (``lambda:InvokeFunction`` on that one
function, see template.yaml) and posts the result in the thread; it holds no redrive right itself.
The invocation is safe to retry: the function claims ``<incident_id>#<attempt>`` before acting, so a
repeated invocation answers ``duplicate`` with the first run.

Locally (REDRIVE_FUNCTION_NAME empty: the local stack runs every function in-process) the same
handler is called in-process, the way ``LocalStack.invoke`` calls any function.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from ..aws import describe_error

if TYPE_CHECKING:
    from ..aws import AwsContext
    from ..config import Settings

__all__ = ["RedriveInvoker", "use_in_process"]

logger = logging.getLogger(__name__)

# Longer than RedriveFunction's 60 s timeout, so a slow redrive is not cut off by the client.
_INVOKE_CONFIG = Config(
    connect_timeout=5,
    read_timeout=75,
    retries={"mode": "standard", "max_attempts": 2},
    user_agent_extra="incident-responder",
)


class RedriveInvoker:
    """Calls the redrive function with ``{"incident_id", "request_id"}`` and returns its answer.

    Never raises: an invocation failure is answered as ``{"status": "failed", "error": ...}``.
    """

    def __init__(self, aws: AwsContext, function_name: str = "") -> None:
        self.aws = aws
        self.function_name = function_name

    @classmethod
    def from_settings(cls, cfg: Settings, aws: AwsContext) -> RedriveInvoker:
        """Reads REDRIVE_FUNCTION_NAME (empty: a configuration error, unless the local stack runs it in-process)."""
        return cls(aws, cfg.redrive_function_name)

    def invoke(self, payload: dict[str, Any]) -> dict[str, Any]:
        if not self.function_name:
            if _in_process is None:
                logger.error("REDRIVE_FUNCTION_NAME is not set; no redrive can run")
                return {"status": "failed", "error": "the responder is misconfigured: REDRIVE_FUNCTION_NAME is not set"}
            return _in_process(payload)
        try:
            client = self.aws.session.client("lambda", region_name=self.aws.region, config=_INVOKE_CONFIG)
            out = client.invoke(
                FunctionName=self.function_name,
                InvocationType="RequestResponse",
                Payload=json.dumps(payload).encode(),
            )
            body = json.loads(out["Payload"].read() or b"null")
        except (ClientError, BotoCoreError, ValueError) as exc:
            logger.error("redrive function invoke failed", extra={"error": describe_error(exc)})
            return {
                "status": "failed",
                "error": f"could not invoke the redrive function: {describe_error(exc)}",
            }
        if out.get("FunctionError") or not isinstance(body, dict):
            message = body.get("errorMessage") if isinstance(body, dict) else body
            return {"status": "failed", "error": f"the redrive function failed: {message}"}
        return body



def use_in_process(runner: Callable[[dict[str, Any]], dict[str, Any]] | None) -> None:
    """Make an empty REDRIVE_FUNCTION_NAME call ``runner`` in this process (the local stack does this).

    In a deployed stack nothing calls this, so an empty REDRIVE_FUNCTION_NAME is a configuration error.
    """
    global _in_process
    _in_process = runner


_in_process: Callable[[dict[str, Any]], dict[str, Any]] | None = None
