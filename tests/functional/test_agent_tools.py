"""The agent's read-only tools against local AWS (moto): bounded, restricted, never raising."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws
from tests.agent_support import evidence

from incident_responder.diagnosis.scripted import ScriptedBedrock, message, tool_use
from incident_responder.diagnosis.tools import MAX_LOG_EVENTS, MAX_S3_KEYS, ToolContext, build_registry

REGION = "us-east-1"
GROUP = "/aws/lambda/customer-etl-load"
T0 = (datetime.now(UTC) - timedelta(hours=1)).replace(microsecond=0)  # CloudWatch keeps recent events only
EVIDENCE = evidence("Execution failed in state Load: States.TaskFailed",
                    "Reading s3://raw-landing/2026/12/01/part-0001.parquet failed: NoSuchKey")


def ms(dt: datetime) -> int:
    return int(dt.timestamp() * 1000)


@pytest.fixture
def aws() -> Iterator[dict[str, Any]]:
    with mock_aws():
        logs = boto3.client("logs", region_name=REGION)
        logs.create_log_group(logGroupName=GROUP)
        logs.create_log_stream(logGroupName=GROUP, logStreamName="2026/12/01/[$LATEST]abc")
        events = [{"timestamp": ms(T0 - timedelta(minutes=10) + timedelta(seconds=i)),
                   "message": f"INFO processed batch {i}"} for i in range(120)]
        events.append({"timestamp": ms(T0 - timedelta(seconds=5)),
                       "message": "ERROR connect to postgres://etl:hunter2hunter2@db:5432/x refused"})
        logs.put_log_events(logGroupName=GROUP, logStreamName="2026/12/01/[$LATEST]abc", logEvents=events)
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket="raw-landing")
        for i in range(30):
            s3.put_object(Bucket="raw-landing", Key=f"2026/12/01/part-{i:04d}.parquet", Body=b"PAR1" * 100)
        s3.create_bucket(Bucket="payroll-exports")
        yield {"logs": logs, "s3": s3}


def registry(aws: dict[str, Any], **kwargs: Any) -> Any:
    ctx = ToolContext(evidence=EVIDENCE, logs=aws["logs"], s3=aws["s3"], log_groups=[GROUP], window_end=T0,
                      **kwargs)
    return build_registry(ctx)


def test_more_logs_reads_a_bounded_window_with_a_pattern(aws: dict[str, Any]) -> None:
    reg = registry(aws)
    res = reg.call("more_logs", {"log_group": GROUP, "minutes_before": 30})
    assert res.status == "ok"
    events = res.data["events"]
    assert len(events) <= MAX_LOG_EVENTS and res.data["more_not_shown"]
    res = reg.call("more_logs", {"log_group": GROUP, "pattern": "ERROR", "minutes_before": 30})
    assert [e["message"][:25] for e in res.data["events"]] == ["ERROR connect to postgres"]
    # What the model sees is redacted.
    shown = reg.render(res)
    assert "hunter2hunter2" not in shown and "[REDACTED:" in shown
    # Nothing before the window.
    res = reg.call("more_logs", {"log_group": GROUP, "minutes_before": 1, "pattern": "processed"})
    assert res.status == "ok" and res.data["events"] == []


def test_more_logs_refuses_other_groups_and_reports_missing_ones(aws: dict[str, Any]) -> None:
    reg = registry(aws)
    res = reg.call("more_logs", {"log_group": "/aws/lambda/secrets-rotator"})
    assert res.status == "error" and "not one of this incident's" in (res.error or "")
    reg = build_registry(ToolContext(evidence=EVIDENCE, logs=aws["logs"], log_groups=["/aws/lambda/gone"],
                                     window_end=T0))
    res = reg.call("more_logs", {"log_group": "/aws/lambda/gone"})
    assert res.status == "error" and "ResourceNotFoundException" in (res.error or "")
    res = reg.call("more_logs", {"log_group": GROUP, "minutes_before": 100000})
    assert res.status == "error" and "at most" in (res.error or "")


def test_s3_list_head_lists_bounded_and_never_reads_bodies(aws: dict[str, Any]) -> None:
    reg = registry(aws)
    res = reg.call("s3_list_head", {"bucket": "raw-landing", "prefix": "2026/12/01/", "max_keys": 20})
    assert res.status == "ok" and len(res.data["objects"]) == MAX_S3_KEYS and res.data["more_not_shown"]
    assert res.data["objects"][0] == {"key": "2026/12/01/part-0000.parquet", "size": 400,
                                      "last_modified": res.data["objects"][0]["last_modified"]}
    res = reg.call("s3_list_head", {"bucket": "raw-landing", "key": "2026/12/01/part-0001.parquet"})
    assert res.status == "ok" and res.data["size"] == 400 and "PAR1" not in json.dumps(res.data)
    res = reg.call("s3_list_head", {"bucket": "raw-landing", "key": "2026/12/02/missing.parquet"})
    assert res.status == "error" and "could not read s3://raw-landing/2026/12/02/missing.parquet" in (res.error or "")
    res = reg.call("s3_list_head", {"bucket": "payroll-exports"})
    assert res.status == "error" and "not named in this incident's evidence" in (res.error or "")


def test_injected_adapters_and_missing_ones(aws: dict[str, Any]) -> None:
    runs = [{"run_id": f"run-{i}", "status": "SUCCEEDED"} for i in range(3)]
    reg = registry(aws, recent_runs=lambda limit: runs[:limit],
                   describe_resource=lambda: {"Timeout": 30, "Environment": {"DB_PASSWORD": "hunter2hunter2"}})
    assert reg.call("recent_runs", {"limit": 2}).data == runs[:2]
    shown = reg.render(reg.call("describe_resource_now", {}))
    assert "hunter2hunter2" not in shown and '"Timeout": 30' in shown
    res = reg.call("similar_incidents", {})
    assert res.status == "error" and "not available" in (res.error or "")
    boom = registry(aws, catalog_metadata=lambda: 1 / 0)
    res = boom.call("catalog_and_table_metadata", {})
    assert res.status == "error" and "ZeroDivisionError" in (res.error or "")


def test_the_loop_uses_the_tools_end_to_end(aws: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.agent_support import INCIDENT, client_for, settings, submit

    from incident_responder.diagnosis.agent import run_diagnosis

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLETESTONLY")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-secret-only")
    script = ScriptedBedrock([
        message(tool_use("s3_list_head", {"bucket": "raw-landing", "key": "2026/12/01/part-0001.parquet"})),
        submit(category="missing_input", confidence="medium", explanation="The input object was missing.",
               quotes=[("E2", "part-0001.parquet failed: NoSuchKey")]),
    ])
    ctx = ToolContext(evidence=EVIDENCE, logs=aws["logs"], s3=aws["s3"], log_groups=[GROUP], window_end=T0)
    out = run_diagnosis(INCIDENT, ctx, cfg=settings(), client=client_for(script))
    assert out.ok and out.tool_calls == [{"name": "s3_list_head", "status": "ok"}]
    assert '"size": 400' in script.requests[1].body["messages"][-1]["content"][0]["content"]
    assert "raw-landing" in script.requests[0].body["messages"][0]["content"][0]["text"]  # bucket offered
