"""`incident-responder local up`: moto in server mode and the Slack emulator as real servers, with the
stack's resources and a scenario's world, reachable from any process through AWS_ENDPOINT_URL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import boto3
from slack_sdk import WebClient

from incident_responder_local.runtime import BOT_TOKEN
from incident_responder_local.server import LocalServers, env_file, local_env_sections
from incident_responder_local.world import World

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "tests" / "scenarios" / "sfn_lambda_timeout"


def _client(service: str, servers: LocalServers) -> object:
    return boto3.client(service, region_name=servers.world.region, endpoint_url=servers.aws_url,
                        aws_access_key_id="any", aws_secret_access_key="any")


def test_world_and_stack_are_served_over_http() -> None:
    world = World.read(SCENARIO / "world.yaml", base=SCENARIO)
    with LocalServers(world) as servers:
        # The world's failed execution, with the history the world loaders set on moto's backend.
        sfn = _client("stepfunctions", servers)
        (execution,) = world.data["stepfunctions"]["executions"][:1]
        arn = execution["describe"]["executionArn"]
        assert sfn.describe_execution(executionArn=arn)["status"] == "FAILED"  # type: ignore[attr-defined]
        events = sfn.get_execution_history(executionArn=arn)["events"]  # type: ignore[attr-defined]
        assert any(e["type"] == "ExecutionFailed" for e in events)
        tables = _client("dynamodb", servers).list_tables()["TableNames"]  # type: ignore[attr-defined]
        assert {"incident-responder-incidents", "incident-responder-catalog"} <= set(tables)
        # The Slack Web API emulator, through the real slack-sdk.
        slack = WebClient(token=BOT_TOKEN, base_url=servers.slack_url)
        assert slack.auth_test()["ok"]


def test_committed_env_json_is_what_local_up_writes() -> None:
    with LocalServers(World.read(None)) as servers:
        written = env_file(servers, extra=local_env_sections())
    text = json.dumps(written).replace(f":{servers.aws_port}", ":4566").replace(f":{servers.slack_port}", ":4567")
    committed = json.loads((ROOT / "sam" / "env.json").read_text(encoding="utf-8"))
    assert json.loads(text) == committed
    params = committed["Parameters"]
    assert params["AWS_ENDPOINT_URL"] == "http://host.docker.internal:4566"
    assert params["SLACK_API_URL"] == "http://host.docker.internal:4567/api/"


def test_local_up_serves_until_sigterm(tmp_path: Path) -> None:
    env_path = tmp_path / "env.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "incident_responder_local.cli", "local", "up", str(SCENARIO),
         "--aws-port", "0", "--slack-port", "0", "--env-file", str(env_path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
        env={k: v for k, v in os.environ.items() if not k.startswith("AWS_")})
    try:
        assert proc.stdout is not None
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("Ctrl-C"):
                break
        assert lines and lines[-1].startswith("Ctrl-C"), "".join(lines) + (proc.stderr.read() if proc.stderr else "")
        aws_url = next(word for line in lines if line.startswith("local AWS")
                       for word in line.split() if word.startswith("http"))
        written = json.loads(env_path.read_text(encoding="utf-8"))
        assert written["Parameters"]["AWS_ENDPOINT_URL"].endswith(aws_url.rsplit(":", 1)[1])
        sfn = boto3.client("stepfunctions", region_name="eu-west-1", endpoint_url=aws_url,
                           aws_access_key_id="any", aws_secret_access_key="any")
        names = [m["name"] for m in sfn.list_state_machines()["stateMachines"]]
        assert "orders-nightly-load" in names
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0
    assert "stopped" in out
