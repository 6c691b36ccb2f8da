"""The local stack as real servers: AWS (moto in server mode) and the Slack Web API emulator.

``LocalServers`` runs moto's ``ThreadedMotoServer`` in *this* process, so the world loaders
(world.py, world_*.py), which set moto's backend objects directly, act on the very backends the
server answers from. The stack's tables, queues, topics and secrets are created from template.yaml
and a scenario's world.yaml is loaded, both through the server's HTTP endpoint. Any process (a
function under the Lambda runtime interface emulator, ``sam local invoke`` in Docker, the AWS CLI)
then reaches them with ``AWS_ENDPOINT_URL`` (boto3 honours it natively) and ``SLACK_API_URL``.

``incident-responder local up`` runs one until Ctrl-C; ``invoke --runtime rie`` runs one for the
length of an invocation.

Not covered by the servers: the ``RedriveExecution`` of world_redrive.py, which hooks botocore in the
calling process; a redrive of a Step Functions execution needs the in-process runtime.
"""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .runtime import BOT_TOKEN, SIGNING_SECRET, deploy_function_stubs, template_functions
from .world import World

__all__ = ["DOCKER_HOST", "LocalServers", "env_file"]

#: How a container started by ``sam local invoke`` reaches the host (Docker Desktop, and Linux
#: engines with ``--add-host host.docker.internal:host-gateway``, which SAM CLI adds).
DOCKER_HOST = "host.docker.internal"
DEFAULT_AWS_PORT = 4566
DEFAULT_SLACK_PORT = 4567

_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing"}


def _free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


class PortInUseError(OSError):
    """A port asked for is taken."""


class ServerUnavailableError(RuntimeError):
    """moto's server is not installed."""


@dataclass
class LocalServers:
    """moto server + Slack emulator on loopback, with the stack and a world loaded.

    ``aws_port`` / ``slack_port`` 0 pick free ports. Use as a context manager; while open, this
    process' own boto3 clients go to the moto server too (``AWS_ENDPOINT_URL`` is set).
    """

    world: World
    host: str = "127.0.0.1"
    aws_port: int = 0
    slack_port: int = 0
    stack_env: dict[str, str] = field(default_factory=dict)
    _moto: Any = None
    _slack: Any = None
    _saved: dict[str, str | None] = field(default_factory=dict)

    @property
    def aws_url(self) -> str:
        return f"http://{self.host}:{self.aws_port}"

    @property
    def slack_url(self) -> str:
        return f"http://{self.host}:{self.slack_port}/api/"

    @property
    def slack(self) -> Any:
        return self._slack

    def __enter__(self) -> LocalServers:
        for port in (self.aws_port, self.slack_port):
            if port and not _free(self.host, port):
                raise PortInUseError(f"port {self.host}:{port} is in use (another `local up`?); "
                                     "pick others with --aws-port/--slack-port")
        try:
            self._start()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _start(self) -> None:
        import boto3
        from moto.core.config import default_user_config

        try:
            from moto.server import ThreadedMotoServer
        except ImportError as exc:  # flask: moto[server] is not in the demo's install
            raise ServerUnavailableError(
                f"local AWS as a server needs moto's server ({exc.name} is not installed): "
                "make test installs it, or pip install -e '.[server]'") from exc

        from .slack_emulator import SlackEmulator
        from .stack import create_stack_resources
        from .world import load_world

        self._apply({**_CREDENTIALS, "MOTO_ACCOUNT_ID": self.world.account, "AWS_DEFAULT_REGION": self.world.region})
        # Batch jobs stay in the backend: no Docker engine runs them.
        default_user_config.setdefault("batch", {})["use_docker"] = False
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
        self._moto = ThreadedMotoServer(ip_address=self.host, port=self.aws_port, verbose=False)
        self._moto.start()
        self.aws_port = self._moto.get_host_and_port()[1]
        self._reset()  # moto's backends live in this process: a fresh account, whatever ran before
        self._apply({"AWS_ENDPOINT_URL": self.aws_url})
        self._slack = SlackEmulator(bot_token=BOT_TOKEN, host=self.host, port=self.slack_port).start()
        self.slack_port = int(self._slack.base_url.rsplit(":", 1)[1].split("/", 1)[0])

        session = boto3.Session(region_name=self.world.region)
        env = create_stack_resources(session, bot_token=BOT_TOKEN, signing_secret=SIGNING_SECRET,
                                     region=self.world.region)
        load_world(self.world, session, catalog_table=env["CATALOG_TABLE"])
        deploy_function_stubs(session, self.world.region, sorted(template_functions()))
        self.stack_env = {**env, "DEFAULT_SLACK_CHANNEL": "#data-incidents", **self.world.env}

    def __exit__(self, *exc: Any) -> None:
        try:
            if self._slack is not None:
                self._slack.stop()
            if self._moto is not None:
                self._reset()
                self._moto.stop()
        finally:
            self._slack = self._moto = None
            for key, old in self._saved.items():
                if old is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = old
            self._saved.clear()

    def _reset(self) -> None:
        request = urllib.request.Request(f"{self.aws_url}/moto-api/reset", data=b"", method="POST")
        with urllib.request.urlopen(request, timeout=30):
            pass

    def _apply(self, env: dict[str, str]) -> None:
        for key, value in env.items():
            self._saved.setdefault(key, os.environ.get(key))
            os.environ[key] = value

    def function_env(self, host: str | None = None) -> dict[str, str]:
        """What a function process needs to use these servers; ``host`` replaces the loopback address
        (``host.docker.internal`` for a container)."""
        host = host or self.host
        return {
            **_CREDENTIALS,
            "AWS_REGION": self.world.region,
            "AWS_DEFAULT_REGION": self.world.region,
            "AWS_ENDPOINT_URL": f"http://{host}:{self.aws_port}",
            "SLACK_API_URL": f"http://{host}:{self.slack_port}/api/",
            "POWERTOOLS_TRACE_DISABLED": "true",
            **self.stack_env,
        }


#: Settings of the functions' own sections in the env file: who may ask and approve locally
#: (the Slack emulator's user), and no LLM.
LOCAL_FUNCTION_SETTINGS: dict[str, dict[str, str]] = {
    "AnalyzeFunction": {"LLM_ENABLED": "false"},
    "FollowupWorkerFunction": {"ALLOWED_SLACK_USERS": "U0LOCAL01", "REDRIVE_APPROVERS": "U0LOCAL01",
                               "LLM_ENABLED": "false", "REDRIVE_FUNCTION_NAME": "RedriveFunction"},
    "RedriveFunction": {"REDRIVE_APPROVERS": "U0LOCAL01"},
    "FailsafeFunction": {"INGRESS_FUNCTION_NAME": "SlackIngressFunction"},
}


def local_env_sections() -> dict[str, dict[str, str]]:
    return {k: dict(v) for k, v in LOCAL_FUNCTION_SETTINGS.items()}


def env_file(servers: LocalServers, host: str = DOCKER_HOST,
             extra: dict[str, dict[str, str]] | None = None) -> dict[str, Any]:
    """A ``sam local invoke --env-vars`` file for ``servers`` as seen from ``host``.

    As SAM reads it: ``Parameters`` for the variables every function declares (template.yaml's
    Globals: the endpoints), then one section per function with the variables it declares (the
    stack's names, and ``extra``'s settings). A variable a function does not declare is left out:
    ``sam local invoke`` would drop it.
    """
    from .runtime import global_variables, template_functions

    shared: dict[str, str] = {}
    for key, value in servers.function_env().items():
        shared[key] = _portable(value, servers, host)
    globals_ = global_variables()
    out: dict[str, Any] = {"Parameters": {k: v for k, v in sorted(shared.items()) if k in globals_}}
    for logical_id, spec in template_functions().items():
        own = {k: v for k, v in shared.items() if k in spec.variables and k not in globals_}
        own.update((extra or {}).get(logical_id, {}))
        out[logical_id] = {k: v for k, v in sorted(own.items()) if k in spec.variables}
    return out


def _portable(value: str, servers: LocalServers, host: str) -> str:
    """A value as another machine or container reads it: loopback URLs through ``host``, a secret by
    name (the same in every local account), a queue by its AWS URL (moto finds it by account and name
    at any endpoint)."""
    queue = re.fullmatch(rf"http://(?:{re.escape(servers.host)}|localhost):{servers.aws_port}/(\d{{12}})/([^/]+)",
                         value)
    if queue:
        return f"https://sqs.{servers.world.region}.amazonaws.com/{queue.group(1)}/{queue.group(2)}"
    secret = re.fullmatch(r"arn:aws:secretsmanager:[^:]+:[^:]+:secret:(.+)-[A-Za-z0-9]{6}", value)
    if secret:
        return secret.group(1)
    for prefix in (f"http://{servers.host}:", "http://localhost:"):
        value = value.replace(prefix, f"http://{host}:")
    return value


def write_env_file(path: Path, content: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(content, indent=2) + "\n", encoding="utf-8")
