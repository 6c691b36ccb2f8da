"""Run the stack's functions in-process against local AWS (moto) and the local Slack emulator.

``LocalStack`` is what ``replay``, ``demo`` and ``invoke`` share: a fresh moto account with the
stack's tables, queues and secrets created from template.yaml, a world loaded into it, the
functions' environment set, and each handler called the way Lambda calls it.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import io
import logging
import os
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from incident_responder.aws import use_sessions

from .world import World, load_world

if TYPE_CHECKING:
    from .slack_emulator import SlackEmulator

__all__ = ["FakeLambdaContext", "FunctionSpec", "LocalStack", "UnknownFunctionError", "template_functions"]

logger = logging.getLogger(__name__)

BOT_TOKEN = "xoxb-local-0000000000-incident-responder"
SIGNING_SECRET = "local-signing-secret-0123456789abcdef"



def _share_botocore_models() -> None:
    """One botocore data loader for every session of this process.

    Each fresh local account makes new boto3 sessions (the stack's and the handlers'), and a new session
    would read and parse botocore's service models again (about a quarter of a replayed scenario's
    time). A Lambda container makes its sessions once, so only the local runtime needs this; the models
    are read-only and the loader caches them per instance.
    """
    import botocore.loaders
    import botocore.session

    if getattr(botocore.session.create_loader, "_shared", False):
        return
    made: dict[str | None, Any] = {}

    def create_loader(search_path_string: str | None = None) -> Any:
        if search_path_string not in made:
            made[search_path_string] = botocore.loaders.create_loader(search_path_string)
        return made[search_path_string]

    create_loader._shared = True  # type: ignore[attr-defined]
    botocore.session.create_loader = create_loader  # type: ignore[assignment]


_pooled: dict[tuple[str, int], Any] = {}


def _local_session(region: str) -> Any:
    """A session whose clients are kept and reused by every local account and container of the process.

    The local stack builds its resources and worlds with it, and the handlers' contexts get it too
    (:func:`incident_responder.aws.use_sessions`): a client is stateless towards moto, which tells accounts
    apart per request, and the local credentials never change. Making sessions and clients anew for each
    replayed scenario took about a fifth of its time. The handlers still count every call, and each
    container starts without the caches of the last (:func:`_clear_caches`: what the code kept on a client
    goes with it).

    botocore copies its built-in handlers into a session when it is made, and a session's handlers into a
    client: the local world adds handlers as scenarios need them, so a session or client made before the
    last one was added is made again.
    """
    from botocore.handlers import BUILTIN_HANDLERS

    key = (region, len(BUILTIN_HANDLERS))
    session = _pooled.get(key)
    if session is None:
        import boto3

        class _PooledSession(boto3.Session):
            def __init__(self, **kwargs: Any) -> None:
                super().__init__(**kwargs)
                self._kept: dict[tuple[Any, ...], tuple[Any, set[str], Any]] = {}

            def client(self, service_name: str, region_name: str | None = None,  # type: ignore[override]
                       **kwargs: Any) -> Any:
                make: Any = super().client
                config = kwargs.get("config")
                if set(kwargs) - {"config"}:  # an endpoint or credentials of its own: a client of its own
                    return make(service_name, region_name=region_name, **kwargs)
                key = (service_name, region_name, id(config))
                if key not in self._kept:
                    made = make(service_name, region_name=region_name, **kwargs)
                    self._kept[key] = (made, set(vars(made)), config)  # the config kept: its id stays its own
                return self._kept[key][0]

            def forget_state(self) -> None:
                for made, attributes, _ in self._kept.values():
                    for name in set(vars(made)) - attributes:
                        delattr(made, name)

        session = _pooled[key] = _PooledSession(region_name=region)
    return session


def _container_session(region: str | None) -> Any:
    return _local_session(region or os.environ.get("AWS_REGION") or "us-east-1")


class UnknownFunctionError(KeyError):
    """A function id that template.yaml does not define."""

    def __init__(self, function: str, known: list[str]) -> None:
        super().__init__(function)
        self.function, self.known = function, known

    def __str__(self) -> str:
        return f"no function {self.function!r} in template.yaml; its functions are: {', '.join(self.known)}"


@dataclass(frozen=True)
class FunctionSpec:
    """A function of template.yaml as Lambda runs it: handler string, timeout, memory, declared variables."""

    logical_id: str
    handler: str  # "package.module.function", as Properties.Handler
    timeout: int
    memory: int
    variables: frozenset[str]  # Environment.Variables names, the Globals' included
    defaults: tuple[tuple[str, str], ...] = ()  # the values the template gives that resolve without a stack

    @property
    def module(self) -> str:
        return self.handler.rsplit(".", 1)[0]

    @property
    def attribute(self) -> str:
        return self.handler.rsplit(".", 1)[1]


def template_functions(template: dict[str, Any] | None = None) -> dict[str, FunctionSpec]:
    """The ``AWS::Serverless::Function`` resources of template.yaml by logical id."""
    from .stack import DEFAULT_STACK_NAME, _Resolver, _UnresolvedError, load_template

    template = template if template is not None else load_template()
    resolver = _Resolver(template, DEFAULT_STACK_NAME, "eu-west-1", "123456789012")
    glob = (template.get("Globals") or {}).get("Function") or {}
    glob_env = (glob.get("Environment") or {}).get("Variables") or {}
    glob_vars = set(glob_env)

    def defaults(variables: dict[str, Any]) -> tuple[tuple[str, str], ...]:
        out = []
        for name, node in variables.items():
            try:
                value = resolver.value(node)
            except (_UnresolvedError, KeyError):
                continue  # a resource of the stack: the local stack gives its own
            if isinstance(value, (str, int, float, bool)):
                out.append((name, str(value).lower() if isinstance(value, bool) else str(value)))
        return tuple(out)

    specs: dict[str, FunctionSpec] = {}
    for logical_id, resource in (template.get("Resources") or {}).items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        props = resource.get("Properties") or {}
        handler = str(props.get("Handler") or glob.get("Handler") or "")
        if "." not in handler:
            continue  # not a Python handler string (an image function, say)
        own_env = (props.get("Environment") or {}).get("Variables") or {}
        own_vars = set(own_env)
        specs[logical_id] = FunctionSpec(
            logical_id=logical_id, handler=handler,
            timeout=int(props.get("Timeout") or glob.get("Timeout") or 3),
            memory=int(props.get("MemorySize") or glob.get("MemorySize") or 128),
            variables=frozenset(glob_vars | own_vars), defaults=defaults({**glob_env, **own_env}))
    return specs


def global_variables(template: dict[str, Any] | None = None) -> frozenset[str]:
    """The variables template.yaml's Globals give every function."""
    from .stack import load_template

    template = template if template is not None else load_template()
    glob = (template.get("Globals") or {}).get("Function") or {}
    return frozenset((glob.get("Environment") or {}).get("Variables") or {})


@functools.lru_cache(maxsize=1)
def _repository_functions() -> dict[str, FunctionSpec]:
    return template_functions()


def function_spec(function: str) -> FunctionSpec:
    """The template's function ``function`` (a logical id), or :class:`UnknownFunctionError`."""
    specs = _repository_functions()
    if function not in specs:
        raise UnknownFunctionError(function, sorted(specs))
    return specs[function]

_LOCAL_ENV = {
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing", "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_SERVICE_NAME": "incident-responder", "POWERTOOLS_METRICS_NAMESPACE": "IncidentResponder",
    "POWERTOOLS_DEV": "false",
    # An event from a region moto does not list (botocore accepts any name of its partition's pattern, e.g.
    # a region newer than moto) reaches an empty region there, as in AWS, instead of moto's KeyError.
    "MOTO_ALLOW_NONEXISTENT_REGION": "true",
    # moto loads ~1,300 public AMIs (each with a volume and a snapshot) into every EC2 backend it creates;
    # no world reads them, and they were a tenth of a replay's time.
    "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
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
        self.last_output = ""  # what the last invocation wrote, kept when it raised

    def __enter__(self) -> LocalStack:
        try:
            return self._open()
        except BaseException:
            self.__exit__(None, None, None)  # a world that fails to load leaves no mock and no env behind
            raise

    def _open(self) -> LocalStack:
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
        _share_botocore_models()
        # Batch jobs stay in the backend: no Docker engine runs them (none exists here or in CI).
        self._mock = mock_aws(config={"batch": {"use_docker": False}})
        self._mock.start()
        from .moto_atomic import make_dynamodb_writes_atomic
        from .moto_faithful import make_moto_faithful

        make_dynamodb_writes_atomic()
        make_moto_faithful()
        self.session = _local_session(self.world.region)
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
        use_sessions(_container_session)
        # The local stack has no Lambda service: the worker's redrive call runs the handler here.
        from incident_responder.redrive.invoker import use_in_process

        use_in_process(run_redrive_in_process)
        return self

    def __exit__(self, *exc: Any) -> None:
        from incident_responder.redrive.invoker import use_in_process

        use_in_process(None)
        use_sessions(None)
        try:
            if self._mock is not None:
                self._mock.stop()
                self._mock = None
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
        spec = function_spec(function)
        module = importlib.import_module(spec.module)
        ctx = FakeLambdaContext(function_name=function, aws_request_id=str(uuid.uuid4()),
                                memory_limit_in_mb=spec.memory, timeout_seconds=float(spec.timeout),
                                invoked_function_arn=f"arn:aws:lambda:{self.world.region}:{self.world.account}"
                                                     f":function:{function}")
        buf = io.StringIO()
        handler_logger = getattr(module, "logger", None)
        stream_handler = getattr(handler_logger, "registered_handler", None)
        old_stream = _swap_stream(stream_handler, buf)
        # The library's own log lines (std logging) are captured too, as Lambda would keep them.
        capture = logging.StreamHandler(buf)
        capture.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        # Powertools' loggers write their own JSON lines: each line once.
        own = getattr(handler_logger, "name", None)
        capture.addFilter(lambda record: record.name != own)
        root = logging.getLogger()
        root.addHandler(capture)
        try:
            with contextlib.redirect_stdout(buf):
                result = getattr(module, spec.attribute)(event, ctx)
        finally:
            self.last_output = buf.getvalue()
            root.removeHandler(capture)
            if stream_handler is not None and old_stream is not None:
                _swap_stream(stream_handler, old_stream)
        return result, buf.getvalue()


def _swap_stream(handler: Any, stream: Any) -> Any:
    """Point a stream handler at ``stream``, returning the old one; unlike ``setStream`` it does not
    flush the old stream, which may be closed (a test's captured stderr)."""
    if handler is None:
        return None
    handler.acquire()
    try:
        old, handler.stream = handler.stream, stream
    finally:
        handler.release()
    return old


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
    for session in _pooled.values():
        session.forget_state()
    clear_catalog_cache()
    clear_clients()


def deploy_function_stubs(session: Any, region: str, names: list[str]) -> None:
    """The stack's functions as entries of local Lambda, named by logical id as sam/env.json names them
    (their code never runs there): what the failsafe throttles exists, as in a deployed stack."""
    import zipfile

    iam, lam = session.client("iam", region_name=region), session.client("lambda", region_name=region)
    try:
        role = iam.create_role(RoleName="incident-responder-local-function",
                               AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    except iam.exceptions.EntityAlreadyExistsException:
        role = iam.get_role(RoleName="incident-responder-local-function")["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as z:
        z.writestr("stub.py", "def handler(event, context):\n    return None\n")
    for name in names:
        try:
            lam.create_function(FunctionName=name, Runtime="python3.13", Role=role, Handler="stub.handler",
                                Code={"ZipFile": code.getvalue()})
        except lam.exceptions.ResourceConflictException:
            pass
