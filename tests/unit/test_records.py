"""Structured log records (one JSON object per line) are read as the text a plain logger would have written:
the level, the message, the error and its stack trace on lines of their own; Lambda's JSON log format as its
text-format lines. Lines that are not log records stay as they are."""

from __future__ import annotations

import json

import pytest

from incident_responder.analyze import signature_set
from incident_responder.evidence.compaction import LogLine, compact
from incident_responder.evidence.records import plain
from incident_responder.model import Category, EvidenceBook

TRACEBACK = ('Traceback (most recent call last):\n  File "/var/task/app.py", line 40, in handler\n'
             '    total = record["amount"]\nKeyError: \'amount\'')


def lines(record: dict) -> list[str]:
    return plain(json.dumps(record)).split("\n")


def test_powertools_record_keeps_the_traceback_as_lines_and_drops_bookkeeping_fields() -> None:
    out = lines({"level": "ERROR", "location": "handler:42", "message": "payment failed",
                 "timestamp": "2024-05-01 10:00:00,123+0000", "service": "payments", "cold_start": False,
                 "function_name": "pay", "function_request_id": "c6af9ac6-7b61-11e6-9a41-93e812345678",
                 "exception": TRACEBACK, "exception_name": "KeyError",
                 "xray_trace_id": "1-5759e988-bd862e3fe1be46a994272793"})
    assert out[0] == "ERROR handler:42: payment failed"
    assert out[1:] == TRACEBACK.split("\n")
    assert not any("xray" in line or "c6af9ac6" in line or "payments" in line for line in out)


def test_pino_numeric_level_and_error_object() -> None:
    out = lines({"level": 50, "time": 1714557600000, "pid": 1, "hostname": "ip-10-0-0-1", "msg": "export failed",
                 "err": {"type": "Error", "message": "ENOSPC: no space left on device, write",
                         "stack": "Error: ENOSPC: no space left on device, write\n    at writeSync (node:fs:927:3)"}})
    assert out == ["ERROR export failed", "Error: ENOSPC: no space left on device, write",
                   "    at writeSync (node:fs:927:3)"]


def test_logstash_logback_stack_trace() -> None:
    out = lines({"@timestamp": "2024-05-01T10:00:00.123Z", "@version": "1", "message": "Job failed",
                 "logger_name": "com.acme.Job", "thread_name": "main", "level": "ERROR", "level_value": 40000,
                 "stack_trace": "java.lang.OutOfMemoryError: Java heap space\n\tat com.acme.Job.run(Job.java:42)"})
    assert out == ["ERROR com.acme.Job: Job failed", "java.lang.OutOfMemoryError: Java heap space",
                   "\tat com.acme.Job.run(Job.java:42)"]


def test_zap_error_string_and_a_field_that_says_why() -> None:
    out = lines({"level": "error", "ts": 1714557600.1, "caller": "main.go:42", "msg": "upload refused",
                 "reason": "bucket policy denies PutObject", "request_id": "3f1c",
                 "error": "AccessDenied: Access Denied"})
    assert out == ["ERROR main.go:42: upload refused (reason=bucket policy denies PutObject)",
                   "AccessDenied: Access Denied"]


def test_serilog_compact_and_structlog() -> None:
    serilog = lines({"@t": "2024-05-01T10:00:00Z", "@m": "Failed to process order 42", "@l": "Error",
                     "@x": "System.InvalidOperationException: Sequence contains no elements\n   at Acme.Orders.Run()"})
    assert serilog == ["ERROR Failed to process order 42",
                       "System.InvalidOperationException: Sequence contains no elements", "   at Acme.Orders.Run()"]
    structlog = lines({"event": "db connect failed", "level": "error", "timestamp": "2024-05-01T10:00:00Z",
                       "exception": "psycopg2.OperationalError: could not connect to server: Connection refused"})
    assert structlog == ["ERROR db connect failed",
                         "psycopg2.OperationalError: could not connect to server: Connection refused"]


def test_firelens_wraps_the_containers_line_which_may_be_a_record_itself() -> None:
    assert plain(json.dumps({"container_id": "4f2c", "container_name": "app", "source": "stderr",
                             "log": "2024-05-01 10:00:00 ERROR boom\n", "ecs_cluster": "jobs"})) \
        == "2024-05-01 10:00:00 ERROR boom"
    inner = json.dumps({"level": "error", "msg": "no space", "error": "write /data/x: no space left on device"})
    assert plain(json.dumps({"container_name": "app", "source": "stdout", "log": inner})) \
        == "ERROR no space\nwrite /data/x: no space left on device"


def test_lambda_json_format_platform_records_read_as_text_format_lines() -> None:
    rid = "9d7b5f3a-1c0e-4e2a-8b6d-4f2a0c8e6b41"
    assert plain(json.dumps({"time": "2024-02-09T18:21:25.100Z", "type": "platform.start",
                             "record": {"requestId": rid, "version": "$LATEST"}})) \
        == f"START RequestId: {rid} Version: $LATEST"
    report = plain(json.dumps({"time": "2024-02-09T18:21:28.1Z", "type": "platform.report", "record": {
        "requestId": rid, "status": "timeout",
        "metrics": {"durationMs": 3000.0, "billedDurationMs": 3000, "memorySizeMB": 128, "maxMemoryUsedMB": 128}}}))
    assert report == (f"REPORT RequestId: {rid}\tDuration: 3000.0 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB"
                      "\tMax Memory Used: 128 MB\tStatus: timeout")
    init = plain(json.dumps({"time": "t", "type": "platform.initReport", "record": {
        "phase": "init", "status": "error", "errorType": "Runtime.ExitError", "metrics": {"durationMs": 12.5}}}))
    assert init == "INIT_REPORT Init Duration: 12.5 ms\tPhase: init\tStatus: error\tError Type: Runtime.ExitError"


def test_lambda_json_format_application_and_error_records() -> None:
    rid = "0a2c4e6b-8d1f-4a3c-b5e7-9f1b3d5a7c02"
    assert plain(json.dumps({"timestamp": "2024-02-09T18:21:13.318Z", "level": "INFO", "requestId": rid,
                             "message": "processed 3 records"})) \
        == f"2024-02-09T18:21:13.318Z\t{rid}\tINFO\tprocessed 3 records"
    error = lines({"timestamp": "2024-02-09T18:21:13.400Z", "level": "ERROR", "requestId": rid, "message": {
        "errorType": "KeyError", "errorMessage": "'amount'",
        "stackTrace": ['  File "/var/task/app.py", line 3, in handler\n    x = event["amount"]\n']}})
    assert error == [f"2024-02-09T18:21:13.400Z\t{rid}\tERROR", "KeyError: 'amount'",
                     "Traceback (most recent call last):", '  File "/var/task/app.py", line 3, in handler',
                     '    x = event["amount"]']


@pytest.mark.parametrize("line", [
    '{"order_id": 42, "amount": 3.5}',  # a payload the job printed: no logger's fields
    '{"level": "ERROR", "message": "cut',  # not JSON
    '[{"level": "ERROR", "message": "x"}]',  # not an object
    "2024-05-01 10:00:00 ERROR plain text line",
    '{"level": "INFO"}',  # nothing to say
    "x" * 200 + '{"level": "ERROR", "message": "far"}',  # an object deep in a line is data, not the line's record
])
def test_lines_that_are_not_log_records_stay_as_they_are(line: str) -> None:
    assert plain(line) == line


def test_a_short_prefix_before_the_record_is_kept() -> None:
    line = 'web-1  | {"level":"error","msg":"boom","error":"ENOENT: no such file"}'
    assert plain(line) == "web-1  | ERROR boom\nENOENT: no such file"


def test_the_cause_inside_a_record_is_found_and_shown_as_text() -> None:
    """End to end through the compaction and the signatures: the out-of-memory inside a logback record is the
    cause, and the evidence shows its words, not the record's escaped JSON."""
    records = [json.dumps({"@timestamp": f"2024-05-01T10:0{i}:00Z", "level": "INFO", "logger_name": "com.acme.Job",
                           "message": f"processed batch {i}"}) for i in range(5)]
    records.append(json.dumps({"@timestamp": "2024-05-01T10:06:00Z", "level": "ERROR", "logger_name": "com.acme.Job",
                               "message": "batch 5 failed",
                               "stack_trace": "java.lang.OutOfMemoryError: Java heap space\n\tat com.acme.Job.run"}))
    result = compact([LogLine(plain(r), f"2024-05-01T10:0{i}:00Z", "/ecs/job/app/1") for i, r in enumerate(records)])
    book = EvidenceBook()
    for line in result.lines:
        book.add("log", "/ecs/job", line.text, line.last)
    shown = "\n".join(e.text for e in book.items)
    assert "OutOfMemoryError: Java heap space" in shown and '\\"' not in shown and '"level"' not in shown
    diagnosis = signature_set().diagnose(book.items, "ecs", {})
    assert diagnosis.cause.category == Category.OUT_OF_MEMORY


def test_terminal_colour_codes_are_removed_from_every_line_and_from_a_records_fields() -> None:
    assert plain("\x1b[31mERROR\x1b[0m \x1b[1;31mKeyError\x1b[0m: 'amount'") == "ERROR KeyError: 'amount'"
    assert plain("\x1b[2K\x1b[1G\x1b]0;title\x07done") == "done"  # cursor moves and a window title
    assert plain(json.dumps({"level": "error", "msg": "\x1b[31mdisk full\x1b[0m"})) == "ERROR disk full"


def test_the_container_runtimes_prefix_is_not_part_of_the_line() -> None:
    # containerd's CRI format, as a log agent tailing /var/log/containers ships it; a record behind it is read too.
    assert plain("2024-03-12T02:04:00.701000000Z stderr F Traceback (most recent call last):\n"
                 "2024-03-12T02:04:00.701000000Z stderr F ValueError: x") == (
        "Traceback (most recent call last):\nValueError: x")
    assert plain('2024-03-12T02:04:00.701Z stdout F {"level": "error", "msg": "boom"}') == "ERROR boom"
    # Not a prefix: a line that only mentions a stream, and one whose time is not at its start.
    assert plain("stderr F is what the runtime writes") == "stderr F is what the runtime writes"
    assert plain("got 2024-03-12T02:04:00Z stderr F x") == "got 2024-03-12T02:04:00Z stderr F x"


def test_a_node_error_shows_its_code_and_the_chain_of_errors_inside_it() -> None:
    # The AWS SDK for JavaScript (v2) nests the error it wrapped in originalError; pino logs the object whole
    # (aws/aws-sdk-js#3284: the instance metadata refusing the role name under load).
    line = ('{"level":50,"time":1590676363639,"msg":"upload failed","err":{"message":"Missing credentials in config",'
            '"code":"CredentialsError","originalError":{"message":"Could not load credentials from any providers",'
            '"code":"CredentialsError","originalError":{"message":"EC2 Metadata roleName request returned error",'
            '"errno":"EINVAL","code":"EINVAL","address":"169.254.169.254"}}}}')
    assert plain(line).split("\n") == [
        "ERROR upload failed", "CredentialsError: Missing credentials in config",
        "Caused by: CredentialsError: Could not load credentials from any providers",
        "Caused by: EINVAL: EC2 Metadata roleName request returned error"]
    # A code the message already starts with is not said twice.
    assert plain('{"level":"error","msg":"read failed","err":{"code":"ENOENT","message":"ENOENT: no such file"}}') == (
        "ERROR read failed\nENOENT: no such file")
