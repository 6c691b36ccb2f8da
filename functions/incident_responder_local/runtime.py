"""Run the stack's functions in-process against local AWS (moto) and the local Slack emulator.

``LocalStack`` is what ``replay``, ``demo`` and ``invoke`` share: a fresh moto account with the
stack's tables, queues and secrets created from template.yaml, a world loaded into it, the
functions' environment set, and each handler called the way Lambda calls it.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import logging
import os
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .world import World, load_world

if TYPE_CHECKING:
    from .slack_emulator import SlackEmulator

__all__ = ["FUNCTION_HANDLERS", "FakeLambdaContext", "LocalStack"]

logger = logging.getLogger(__name__)

BOT_TOKEN = "xoxb-local-0000000000-incident-responder"
SIGNING_SECRET = "local-signing-secret-0123456789abcdef"

FUNCTION_HANDLERS = {
    "AnalyzeFunction": "incident_responder.handlers.analyze",
    "SlackIngressFunction": "incident_responder.handlers.slack_ingress",
    "FollowupWorkerFunction": "incident_responder.handlers.followup",
    "RedriveFunction": "incident_responder.handlers.redrive",
    "FailsafeFunction": "incident_responder.handlers.failsafe",
}

_LOCAL_ENV = {
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing", "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_SERVICE_NAME": "incident-responder", "POWERTOOLS_METRICS_NAMESPACE": "IncidentResponder",
    "POWERTOOLS_DEV": "false",
}


@dataclass
class FakeLambdaContext:
    function_name: str = "incident-responder-local"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:eu-west-1:123456789012:function:incident-responder-local"
    aws_request_id: str = ""
    log_group_name: str = "/aws/lambda/incident-responder-local"
    log_stream_name: str = "local"
    function_version: str = "$LATEST"
    timeout_seconds: float = 120.0  # the analyze function's Timeout in template.yaml
    started: float = field(default_factory=time.monotonic)

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.started + self.timeout_seconds - time.monotonic()) * 1000))


class LocalStack:
    """A fresh local account (moto) + the stack's resources + a world, for one scenario or session.

    Use as a context manager; ``env`` is applied to ``os.environ`` while it is open.
    """

    def __init__(self, world: World | None = None, slack: SlackEmulator | None = None,
                 env: dict[str, str] | None = None) -> None:
        self.world = world or World(data={}, base=os.getcwd())  # type: ignore[arg-type]
        self.slack = slack
        self.extra_env = dict(env or {})
        self.env: dict[str, str] = {}
        self._saved: dict[str, str | None] = {}
        self._mock: Any = None
        self.session: Any = None

    def __enter__(self) -> LocalStack:
        import boto3
        from moto import mock_aws

        from .stack import create_stack_resources

        base_env = {**_LOCAL_ENV, "AWS_DEFAULT_REGION": self.world.region, "AWS_REGION": self.world.region}
        if self.world.accounts:
            # Member accounts: moto tells the accounts apart by the credentials of each call (STS
            # AssumeRole), which MOTO_ACCOUNT_ID would override; the world's own account is moto's default.
            self._unset("MOTO_ACCOUNT_ID")
        else:
            base_env["MOTO_ACCOUNT_ID"] = self.world.account
        self._apply(base_env)
        # Batch jobs stay in the backend: no Docker engine runs them (none exists here or in CI).
        self._mock = mock_aws(config={"batch": {"use_docker": False}})
        self._mock.start()
        from .moto_atomic import make_dynamodb_writes_atomic

        make_dynamodb_writes_atomic()
        self.session = boto3.Session(region_name=self.world.region)
        stack_env = create_stack_resources(self.session, bot_token=BOT_TOKEN, signing_secret=SIGNING_SECRET,
                                           region=self.world.region)
        env = {**stack_env, "SLACK_BOT_TOKEN": "", "DEFAULT_SLACK_CHANNEL": "#data-incidents"}
        if self.slack is not None:
            env["SLACK_API_URL"] = self.slack.base_url
        env.update(self.world.env)
        env.update(self.extra_env)
        self._apply(env)
        self.env = {**base_env, **env}
        load_world(self.world, self.session, catalog_table=os.environ["CATALOG_TABLE"])
        _clear_caches()
        # The local stack has no Lambda service: the worker's redrive call runs the handler here.
        from incident_responder.redrive.invoker import use_in_process

        use_in_process(run_redrive_in_process)
        return self

    def __exit__(self, *exc: Any) -> None:
        from incident_responder.redrive.invoker import use_in_process

        use_in_process(None)
        try:
            if self._mock is not None:
                self._mock.stop()
        finally:
            for key, old in self._saved.items():
                if old is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = old
            self._saved.clear()
            _clear_caches()

    def _unset(self, key: str) -> None:
        self._saved.setdefault(key, os.environ.get(key))
        os.environ.pop(key, None)

    def _apply(self, env: dict[str, str]) -> None:
        for key, value in env.items():
            self._saved.setdefault(key, os.environ.get(key))
            os.environ[key] = value

    def invoke(self, function: str, event: Any) -> tuple[Any, str]:
        """Call a function's handler in-process as Lambda would; returns (result, captured output)."""
        module_name = FUNCTION_HANDLERS.get(function, function)
        module = importlib.import_module(module_name)
        ctx = FakeLambdaContext(function_name=function, aws_request_id=str(uuid.uuid4()),
                                invoked_function_arn=f"arn:aws:lambda:{self.world.region}:{self.world.account}"
                                                     f":function:{function}")
        buf = io.StringIO()
        handler_logger = getattr(module, "logger", None)
        stream_handler = getattr(handler_logger, "registered_handler", None)
        old_stream = stream_handler.setStream(buf) if stream_handler is not None else None
        # The library's own log lines (std logging) are captured too, as Lambda would keep them.
        capture = logging.StreamHandler(buf)
        capture.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        root = logging.getLogger()
        root.addHandler(capture)
        try:
            with contextlib.redirect_stdout(buf):
                result = module.handler(event, ctx)
        finally:
            root.removeHandler(capture)
            if stream_handler is not None and old_stream is not None:
                stream_handler.setStream(old_stream)
        return result, buf.getvalue()


def run_redrive_in_process(payload: dict[str, Any]) -> dict[str, Any]:
    """The redrive function's handler called in this process, answering as a Lambda invoke would."""
    from incident_responder.handlers.redrive import handler

    try:
        result = handler(payload, FakeLambdaContext(function_name="RedriveFunction",
                                                    aws_request_id=str(uuid.uuid4())))
    except Exception as exc:  # same answer as a FunctionError in AWS
        logger.exception("redrive function failed in-process")
        return {"status": "failed", "error": f"the redrive function failed: {exc}"}
    return result if isinstance(result, dict) else {"status": "failed", "error": "no answer"}


def _clear_caches() -> None:
    from aws_lambda_powertools.utilities import parameters

    from incident_responder.aws import clear_shared_contexts
    from incident_responder.evidence.catalog import clear_catalog_cache
    from incident_responder.slack.poster import clear_clients

    parameters.clear_caches()
    clear_shared_contexts()
    clear_catalog_cache()
    clear_clients()
