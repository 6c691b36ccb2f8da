"""Reading failure logs from CloudWatch Logs and S3 (moto), including everything that goes wrong."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from incident_responder.evidence.logs import fetch_log_window, iter_s3_log_lines, read_s3_log

REGION = "eu-west-1"
# CloudWatch Logs (and moto) reject events older than 14 days: the failure happened an hour ago.
T0 = (datetime.now(UTC) - timedelta(hours=1)).replace(microsecond=0)
GROUP = "/aws/batch/job"


def ms(dt: datetime) -> int:
    return int(dt.timestamp() * 1000)


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        yield


@pytest.fixture
def logs(aws: None) -> Any:
    return boto3.client("logs", region_name=REGION)


@pytest.fixture
def s3(aws: None) -> Any:
    client = boto3.client("s3", region_name=REGION)
    client.create_bucket(Bucket="logs-bucket", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    return client


def put(logs: Any, stream: str, events: list[tuple[datetime, str]], group: str = GROUP) -> None:
    try:
        logs.create_log_group(logGroupName=group)
    except logs.exceptions.ResourceAlreadyExistsException:
        pass
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    logs.put_log_events(logGroupName=group, logStreamName=stream,
                        logEvents=[{"timestamp": ms(t), "message": m} for t, m in events])


# ---------------------------------------------------------------------------------------------------
# CloudWatch Logs


def test_window_keeps_only_events_between_start_and_end(logs: Any) -> None:
    put(logs, "job/default/abc", [
        (T0 - timedelta(minutes=30), "INFO starting, long before"),
        (T0 - timedelta(seconds=20), "INFO reading s3://in/part-0"),
        (T0, "ERROR java.lang.OutOfMemoryError: Java heap space"),
        (T0 + timedelta(minutes=30), "INFO next run, long after"),
    ])
    fetch = fetch_log_window(logs, GROUP, start=T0 - timedelta(minutes=1), end=T0 + timedelta(minutes=1))
    assert fetch.error is None
    assert [line.message for line in fetch.lines] == [
        "INFO reading s3://in/part-0", "ERROR java.lang.OutOfMemoryError: Java heap space"]
    assert fetch.lines[-1].timestamp == T0.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    assert fetch.lines[-1].source == f"{GROUP}/job/default/abc"
    assert fetch.streams == ["job/default/abc"] and not fetch.truncated


def test_stream_prefix_and_stream_names_narrow_the_read(logs: Any) -> None:
    put(logs, "ecs/app/task-1", [(T0, "ERROR from the failed task")])
    put(logs, "ecs/app/task-2", [(T0, "INFO from a healthy task")])
    put(logs, "ecs/sidecar/task-1", [(T0, "INFO from the sidecar")])
    start, end = T0 - timedelta(minutes=1), T0 + timedelta(minutes=1)

    by_prefix = fetch_log_window(logs, GROUP, stream_prefix="ecs/app/", start=start, end=end)
    assert sorted(line.message for line in by_prefix.lines) == ["ERROR from the failed task",
                                                                 "INFO from a healthy task"]
    by_name = fetch_log_window(logs, GROUP, stream_names=["ecs/app/task-1", "ecs/sidecar/task-1"],
                               start=start, end=end)
    assert by_name.streams == ["ecs/app/task-1", "ecs/sidecar/task-1"]
    assert "INFO from a healthy task" not in [line.message for line in by_name.lines]


def test_events_from_several_streams_come_back_in_time_order(logs: Any) -> None:
    put(logs, "a", [(T0 + timedelta(seconds=2), "second"), (T0 + timedelta(seconds=4), "fourth")])
    put(logs, "b", [(T0 + timedelta(seconds=1), "first"), (T0 + timedelta(seconds=3), "third")])
    fetch = fetch_log_window(logs, GROUP, start=T0, end=T0 + timedelta(minutes=1))
    assert [line.message for line in fetch.lines] == ["first", "second", "third", "fourth"]


def test_missing_log_group_is_an_error_sentence_not_an_exception(logs: Any) -> None:
    fetch = fetch_log_window(logs, "/aws/lambda/x", start=T0, end=T0 + timedelta(minutes=5))
    assert fetch.lines == [] and fetch.bytes_read == 0
    assert fetch.error == "log group /aws/lambda/x not found"


@pytest.mark.parametrize(("code", "message", "expected"), [
    ("AccessDeniedException", "User: arn:aws:sts::123456789012:assumed-role/analyzer is not authorized",
     "access denied reading log group /aws/glue/jobs/error: User: arn:aws:sts::123456789012:assumed-role/"),
    ("ThrottlingException", "Rate exceeded",
     "CloudWatch Logs throttled the read of log group /aws/glue/jobs/error"),
    ("ResourceNotFoundException", "The specified log stream does not exist.",
     "log stream jr_0123 not found in log group /aws/glue/jobs/error"),
])
def test_denied_throttled_and_missing_stream_are_reported(code: str, message: str, expected: str) -> None:
    client = boto3.client("logs", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stub:
        stub.add_client_error("filter_log_events", service_error_code=code, service_message=message)
        fetch = fetch_log_window(client, "/aws/glue/jobs/error", stream_names=["jr_0123"],
                                 start=T0, end=T0 + timedelta(minutes=5))
    assert fetch.lines == []
    assert fetch.error is not None and fetch.error.startswith(expected)


def test_throttling_midway_keeps_what_was_read() -> None:
    client = boto3.client("logs", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stub:
        stub.add_response("filter_log_events", {
            "events": [{"logStreamName": "s", "timestamp": ms(T0), "message": "ERROR first page",
                        "eventId": "1"}],
            "nextToken": "page-2",
        })
        stub.add_client_error("filter_log_events", service_error_code="ThrottlingException",
                              service_message="Rate exceeded")
        fetch = fetch_log_window(client, GROUP, start=T0, end=T0 + timedelta(minutes=5))
    assert [line.message for line in fetch.lines] == ["ERROR first page"]
    assert fetch.error == (f"CloudWatch Logs throttled the read of log group {GROUP} "
                           "(1 events read before that)")


def test_byte_bound_keeps_the_newest_events(logs: Any) -> None:
    events = [(T0 + timedelta(seconds=i), f"line {i:03d} " + "x" * 90) for i in range(100)]  # 99 bytes each
    events[-1] = (events[-1][0], "ERROR Task failed: exit code 137")
    put(logs, "s", events)
    fetch = fetch_log_window(logs, GROUP, start=T0, end=T0 + timedelta(minutes=5), max_bytes=1000)
    assert fetch.truncated
    assert sum(len(line.message) for line in fetch.lines) <= 1000
    assert fetch.lines[-1].message == "ERROR Task failed: exit code 137"
    assert fetch.lines[0].message.startswith("line 090")  # the oldest were dropped, the newest kept
    assert fetch.bytes_read > 9000  # everything was read, only the newest part was kept


def test_page_cap_still_reads_the_newest_part_of_the_window(logs: Any) -> None:
    put(logs, "s", [(T0 + timedelta(seconds=i), f"event {i}") for i in range(120)])
    fetch = fetch_log_window(logs, GROUP, start=T0, end=T0 + timedelta(seconds=119), page_size=5, max_pages=2)
    messages = [line.message for line in fetch.lines]
    assert fetch.truncated
    assert messages[:10] == [f"event {i}" for i in range(10)]  # what the capped first pass read
    assert messages[-1] == "event 119"  # and the end of the window, where the failure is


# ---------------------------------------------------------------------------------------------------
# S3

LOG_TEXT = "2024-06-01 02:00:00,000 INFO start\n2024-06-01 02:00:05,000 ERROR No space left on device\n"


def test_plain_and_gzip_objects_are_read_by_content_not_name(s3: Any) -> None:
    s3.put_object(Bucket="logs-bucket", Key="steps/s-1/stderr.gz", Body=gzip.compress(LOG_TEXT.encode()))
    s3.put_object(Bucket="logs-bucket", Key="steps/s-1/stdout", Body=gzip.compress(LOG_TEXT.encode()))
    s3.put_object(Bucket="logs-bucket", Key="steps/s-1/controller.gz", Body=LOG_TEXT.encode())
    for key, is_gzip in (("steps/s-1/stderr.gz", True), ("steps/s-1/stdout", True),
                         ("steps/s-1/controller.gz", False)):
        uri = f"s3://logs-bucket/{key}"
        lines, info = iter_s3_log_lines(s3, uri)
        assert [line.message for line in lines] == LOG_TEXT.splitlines()
        assert info["gzip"] is is_gzip and info["error"] is None and not info["truncated"]
        assert info["bytes_read"] == len(LOG_TEXT)


def test_s3n_uri_and_log_line_source(s3: Any) -> None:
    s3.put_object(Bucket="logs-bucket", Key="a/b.log", Body=b"hello\r\nworld")
    fetch = read_s3_log(s3, "s3n://logs-bucket/a/b.log")
    assert [line.message for line in fetch.lines] == ["hello", "world"]
    assert fetch.lines[0].source == "s3n://logs-bucket/a/b.log" and fetch.error is None


def test_truncated_gzip_yields_what_could_be_decompressed(s3: Any) -> None:
    text = "".join(f"2024-06-01 02:00:{i % 60:02d},000 INFO row {i} processed ok\n" for i in range(5000))
    packed = gzip.compress(text.encode())
    s3.put_object(Bucket="logs-bucket", Key="cut.gz", Body=packed[: len(packed) // 2])
    lines, info = iter_s3_log_lines(s3, "s3://logs-bucket/cut.gz")
    got = [line.message for line in lines]
    assert info["gzip_incomplete"] and info["error"] is None
    assert 100 < len(got) < 5000
    assert got[0] == "2024-06-01 02:00:00,000 INFO row 0 processed ok"
    assert all(line in text for line in got[:-1])
    fetch = read_s3_log(s3, "s3://logs-bucket/cut.gz")
    assert fetch.error is not None and "truncated or corrupt gzip" in fetch.error and fetch.lines


def test_non_utf8_bytes_are_replaced_not_fatal(s3: Any) -> None:
    body = "Größe überschritten\n".encode("latin-1") + b"\xff\xfe ok\n"
    s3.put_object(Bucket="logs-bucket", Key="latin1.log", Body=body)
    lines, info = iter_s3_log_lines(s3, "s3://logs-bucket/latin1.log")
    got = [line.message for line in lines]
    assert got == ["Gr\ufffd\ufffde \ufffdberschritten", "\ufffd\ufffd ok"]
    assert info["error"] is None


def test_large_plain_object_keeps_its_newest_bytes(s3: Any) -> None:
    body = "".join(f"INFO line {i:05d} " + "y" * 80 + "\n" for i in range(2000)) + "ERROR the failure\n"
    s3.put_object(Bucket="logs-bucket", Key="big.log", Body=body.encode())
    lines, info = iter_s3_log_lines(s3, "s3://logs-bucket/big.log", max_bytes=10_000)
    got = [line.message for line in lines]
    assert info["truncated"] and info["bytes_read"] <= 10_000
    assert got[-1] == "ERROR the failure"
    # The ranged read starts mid-line: that cut first line is dropped, whole lines remain.
    assert got[0].startswith("INFO line ") and len(got[0]) == len("INFO line 00000 ") + 80
    assert len(got) < 120


def test_large_gzip_object_keeps_its_newest_lines(s3: Any) -> None:
    body = "".join(f"INFO line {i:05d} " + "z" * 80 + "\n" for i in range(20_000)) + "ERROR the failure\n"
    s3.put_object(Bucket="logs-bucket", Key="big.gz", Body=gzip.compress(body.encode()))
    lines, info = iter_s3_log_lines(s3, "s3://logs-bucket/big.gz", max_bytes=50_000)
    got = [line.message for line in lines]
    assert info["gzip"] and info["truncated"] and not info["gzip_incomplete"]
    assert got[-1] == "ERROR the failure"
    assert sum(len(line) + 1 for line in got) <= 50_000


@pytest.mark.parametrize(("uri", "expected"), [
    ("s3://logs-bucket/no/such/key.gz", "log object s3://logs-bucket/no/such/key.gz not found"),
    ("s3://no-such-bucket-here/k", "bucket of log object s3://no-such-bucket-here/k not found"),
    ("https://example.com/log", "not an S3 uri: https://example.com/log"),
])
def test_missing_object_or_bucket_is_an_error_not_an_exception(s3: Any, uri: str, expected: str) -> None:
    lines, info = iter_s3_log_lines(s3, uri)
    assert list(lines) == []
    assert info["error"] == expected
    fetch = read_s3_log(s3, uri)
    assert fetch.lines == [] and fetch.error == expected
