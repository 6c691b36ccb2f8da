"""Compaction: a huge log becomes a few ranked lines that fit the budget and keep the cause."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from incident_responder.analyze import signature_set
from incident_responder.evidence.compaction import (
    MAX_TEMPLATES,
    CompactLine,
    LogLine,
    _is_frame,
    compact,
    error_weight,
    estimate_tokens,
    is_routine,
    log_level,
    parse_timestamp,
)
from incident_responder.formats import shorten_token
from incident_responder.model import Category, EvidenceBook

LOGHUB = Path(__file__).resolve().parent.parent / "fixtures" / "loghub"
NOISE = [
    line
    for name in ("Spark_2k.log", "Hadoop_2k.log", "HDFS_2k.log", "OpenStack_2k.log")
    for line in (LOGHUB / name).read_text(encoding="utf-8", errors="replace").splitlines()
]

YARN = ("17/11/25 18:23:24 ERROR YarnClusterScheduler: Lost executor 9 on harrisburg.cs.colostate.edu: "
        "Container killed by YARN for exceeding memory limits. 7.2 GB of 4.2 GB virtual memory used. "
        "Consider boosting spark.yarn.executor.memoryOverhead.")
HEAP = "java.lang.OutOfMemoryError: Java heap space"
SLOWDOWN = ("com.amazonaws.services.s3.model.AmazonS3Exception: Please reduce your request rate. "
            "(Service: Amazon S3; Status Code: 503; Error Code: SlowDown; Request ID: 03D8D00FA3AD0455)")
HANDLER = ("20/02/17 11:44:50 ERROR SparkUncaughtExceptionHandler: Uncaught exception in thread "
           "Thread[Executor task launch worker for task 931,5,main]")
NO_SPACE = "java.io.IOException: No space left on device"


def noisy_log(n: int, causal: list[str], at: float, seed: int = 0) -> Iterator[str]:
    """``n`` Loghub lines starting at a seeded offset, with ``causal`` inserted at fraction ``at``."""
    start = random.Random(seed).randrange(len(NOISE))
    where = int(n * at)
    for i, line in enumerate(itertools.islice(itertools.cycle(NOISE[start:] + NOISE[:start]), n)):
        if i == where:
            yield from causal
        yield line


def shown(result: object) -> str:
    return "\n".join(line.text for line in result.lines)  # type: ignore[attr-defined]


def test_repeats_collapse_with_count_and_first_last_time() -> None:
    base = datetime(2024, 6, 1, 2, 0, tzinfo=UTC)
    lines = [
        LogLine(f"INFO fetched batch {i} of {i * 7} rows from s3://bucket/part-{i:05d}",
                timestamp=(base + timedelta(seconds=i)).isoformat(), source="/ecs/etl/task/1")
        for i in range(5000)
    ]
    result = compact(lines)
    assert result.total_lines == 5000
    assert result.templates == 1
    [line] = result.lines
    assert line.count == 5000
    assert line.first == "2024-06-01T02:00:00.000Z"
    assert line.last == "2024-06-01T03:23:19.000Z"
    assert line.text.startswith("INFO fetched batch 4999 of")  # the newest occurrence is the exemplar
    assert line.source == "/ecs/etl/task/1"
    assert "x5000" in line.render()


def test_leading_timestamps_are_parsed_when_the_line_has_none() -> None:
    result = compact([
        "081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 terminating",
        "081109 203807 222 INFO dfs.DataNode$PacketResponder: PacketResponder 0 terminating",
    ])
    assert result.lines[0].first == "2008-11-09T20:36:15.000Z"
    assert result.lines[0].last == "2008-11-09T20:38:07.000Z"
    assert parse_timestamp("17/11/25 18:23:24 ERROR x") == datetime(2017, 11, 25, 18, 23, 24, tzinfo=UTC)
    assert parse_timestamp("2015-10-18 18:01:47,978 INFO [main] x") == datetime(
        2015, 10, 18, 18, 1, 47, 978000, tzinfo=UTC)
    assert parse_timestamp("[ERROR] 2018-07-18T15:17:26.792+02:00 x") == datetime(
        2018, 7, 18, 13, 17, 26, 792000, tzinfo=UTC)
    assert parse_timestamp("no time here 12:00") is None


@pytest.mark.parametrize("causal", [[YARN], [HANDLER, HEAP], [SLOWDOWN], [NO_SPACE]],
                         ids=["yarn_memory", "java_heap", "s3_slowdown", "no_space"])
@pytest.mark.parametrize("at", [0.03, 0.5, 0.97])
def test_causal_line_survives_in_2000_tokens_of_loghub_noise(causal: list[str], at: float) -> None:
    result = compact(noisy_log(40_000, causal, at), budget_tokens=2000)
    assert estimate_tokens(result.render()) <= 2000
    assert causal[-1] in shown(result)
    assert result.total_lines == 40_000 + len(causal)
    assert result.omitted > 0  # the noise really was cut, not all shown


def test_causal_line_ranks_first_over_frequent_errors() -> None:
    result = compact(noisy_log(40_000, [YARN], 0.5, seed=3))
    assert "Container killed by YARN" in result.lines[0].text
    assert result.lines[0].count == 1


@pytest.mark.parametrize("budget", [300, 800, 2000])
def test_budget_and_max_lines_are_respected(budget: int) -> None:
    result = compact(noisy_log(20_000, [YARN], 0.7), budget_tokens=budget)
    assert estimate_tokens(result.render()) <= budget
    assert "Container killed by YARN" in shown(result)
    assert len(compact(noisy_log(20_000, [YARN], 0.7), max_lines=3).lines) == 3


def test_rare_error_outranks_a_frequent_one() -> None:
    lines = [f"2024-06-01T02:00:{i % 60:02d}Z ERROR Connection refused to 10.0.0.{i % 250}:8125"
             for i in range(3000)]
    # The rare error sits mid-log; the frequent one goes on to the very end and still ranks below it.
    lines.insert(1500, "2024-06-01T02:00:30Z ERROR Task failed: NoSuchKey: The specified key does not exist.")
    result = compact(lines)
    assert "NoSuchKey" in result.lines[0].text
    assert "Connection refused" in result.lines[1].text
    assert result.lines[1].count == 3000


def test_lines_near_the_failure_time_rank_higher() -> None:
    base = datetime(2024, 6, 1, 2, 0, tzinfo=UTC)
    near = LogLine("ERROR write failed: Permission denied", (base - timedelta(seconds=5)).isoformat())
    beats = [LogLine(f"INFO heartbeat {i}", (base + timedelta(seconds=i)).isoformat()) for i in range(50)]
    later = LogLine("ERROR upload failed: Connection refused", (base + timedelta(hours=3)).isoformat())
    result = compact([near, *beats, later], failure_time=base)
    assert "Permission denied" in result.lines[0].text
    # Without a failure time, position near the end decides.
    assert "Connection refused" in compact([near, *beats, later]).lines[0].text


_RPC_ERROR = [
    "Traceback (most recent call last):",
    '  File "/app/client.py", line 41, in <module>',
    "    fl.client.start_numpy_client(server_address=SERVER, client=GPT2Client())",
    "grpc._channel._MultiThreadedRendezvous: <_MultiThreadedRendezvous of RPC that terminated with:",
    "\tstatus = StatusCode.RESOURCE_EXHAUSTED",
    '\tdetails = "Sent message larger than max (544715979 vs. 536870912)"',
    '\tdebug_error_string = "UNKNOWN:Error received from peer  {grpc_status:8, grpc_message:"Sent message larger than '
    'max (544715979 vs. 536870912)"}"',
    ">",
]
_RPC_JOINED = ("grpc._channel._MultiThreadedRendezvous: <_MultiThreadedRendezvous of RPC that terminated with: "
               'status = StatusCode.RESOURCE_EXHAUSTED details = "Sent message larger than max (544715979 vs. '
               '536870912)" >')


@pytest.mark.parametrize("one_event", [False, True])
def test_a_grpc_error_printed_over_lines_is_one_line_with_its_status_and_details(one_event: bool) -> None:
    # Python's gRPC error puts its status and details on lines of their own and closes with ">" (flwrlabs/flower#3006):
    # logged a line per event (Batch's awslogs) or as one event, the report shows them on one line, not a lone ">".
    lines = ["\n".join(_RPC_ERROR)] if one_event else _RPC_ERROR
    texts = [line.text for line in compact(["INFO :      local fit done", *lines, "INFO : exiting"]).lines]
    assert _RPC_JOINED in texts, texts
    assert ">" not in texts and not any("debug_error_string" in t for t in texts), texts


def test_a_trace_whose_tabs_and_line_breaks_rsyslog_escaped_is_read_as_a_trace() -> None:
    # SageMaker's job logs pass through rsyslog, which writes a tab as "#011" and a line break as "#012"
    # (aws/sagemaker-mxnet-inference-toolkit#77): the frames it escaped are frames, not part of the reason.
    escaped = ("2019-11-05 14:56:03,202 [ERROR] W-9000-model com.amazonaws.ml.mms.wlm.WorkerThread - Backend worker "
               "error#012com.amazonaws.ml.mms.wlm.WorkerInitializationException: Backend worker did not respond in "
               "given time"
               " #011at com.amazonaws.ml.mms.wlm.WorkerThread.run(WorkerThread.java:142)"
               " #011at java.util.concurrent.FutureTask.run(FutureTask.java:266)")
    texts = [line.text for line in compact(["2019-11-05 14:56:03,201 [INFO ] model loaded", escaped]).lines]
    worker = next(t for t in texts if "Backend worker did not respond in given time" in t)
    assert "#011" not in worker and "WorkerThread.java:142" not in worker, texts
    # A '#011' that escapes no frame is the log's own text.
    assert any("ticket #0112 closed" in t for t in
               (line.text for line in compact(["ERROR: ticket #0112 closed without a fix"]).lines))


def test_curls_own_error_line_ranks_with_the_errors() -> None:
    # curl says why in its own format, often without an error word ("curl: (60) SSL: no alternative certificate
    # subject name matches target hostname"); the script's retries and diagnostics around it must not outrank it.
    curl = "curl: (60) SSL: no alternative certificate subject name matches target hostname 'rates.example.com'"
    lines = ["2024-09-17T14:00:21Z INFO  partner-rates-ingest starting",
             "2024-09-17T14:00:21Z WARN  RATES_API_BASE is deprecated, use RATES_API_URL",
             *[x for n in (1, 2, 3) for x in (f"2024-09-17T14:00:2{n}Z INFO  GET https://rates.example.com/v2/fx "
                                              f"(attempt {n}/3)", curl,
                                              "2024-09-17T14:00:27Z WARN  curl exited 60, retrying in 5s")],
             "2024-09-17T14:00:33Z INFO  diagnostics: peer certificate subject=/CN=*.execute-api.amazonaws.com",
             "2024-09-17T14:00:33Z ERROR giving up after 3 attempts (exit 60)"]
    texts = [line.text for line in compact(lines).lines]
    assert curl in texts[:2], texts


# Mountpoint quotes S3's XML error body at the end of a long line (awslabs/mountpoint-s3#1068): its code and message say
# why, the request and host ids after them are bookkeeping. OpenSearch's bulk error names its root cause last, nested in
# caused_by (aws-samples/aws-ai-ml-workshop-kr#92).
_S3_ERROR_BODY = (
    '2024-10-17T09:05:16.853893Z ERROR read{req=280 ino=3 fh=7 offset=0 size=4096 '
    'name="plain.txt"}:prefetch{range=0..35 out of 35}: mountpoint_s3::prefetch::part_stream: GetObject '
    'body part failed key="plain.txt" error=ClientError(ResponseError(MetaRequestResult { '
    'response_status: 501, crt_error: Error(14343, "aws-c-s3: AWS_ERROR_S3_INVALID_RESPONSE_STATUS, '
    'Invalid response status from request"), error_response_headers: Some(Headers { inner: '
    '0x7fbe04047780 }), error_response_body: Some("<?xml version=\\"1.0\\" '
    'encoding=\\"UTF-8\\"?>\\n<Error><Code>NotImplemented</Code><Message>Operation Not '
    'Implemented.</Message><RequestId>74708ebe-6e62-4609-98b5-41f3aff9319e</RequestId>'
    '<HostId>{host-id}</HostId></Error>") '
    '}))')
_NESTED_CAUSE = (
    "opensearchpy.helpers.errors.BulkIndexError: ('77 document(s) failed to index.', [{'index': "
    "{'_index': 'v5-faq', '_id': '67c5fe02-4b3b-4f96-a744-92b28bd81a3e', 'status': 400, 'error': "
    '{\'type\': \'mapper_parsing_exception\', \'reason\': "failed to parse field [vector_field] of type '
    "[knn_vector] in document with id '67c5fe02-4b3b-4f96-a744-92b28bd81a3e'. Preview of field's value: "
    '\'null\'", \'caused_by\': {\'type\': \'illegal_argument_exception\', \'reason\': \'Vector dimension mismatch. '
    "Expected: 1536, Given: 1024'}}, 'data': {'vector_field': [0.0123, -0.0456, 0.0789, 0.0012, -0.0345, "
    "0.0678, 0.0901, -0.0234, 0.0567, 0.0890], 'text': 'How do I reset my password?'}}}])")


@pytest.mark.parametrize(("line", "kept_parts", "dropped"), [
    (_S3_ERROR_BODY, ["<Code>NotImplemented</Code><Message>Operation Not Implemented.</Message>",
                      'GetObject body part failed key="plain.txt"'], "74708ebe"),
    (_NESTED_CAUSE, ["Vector dimension mismatch. Expected: 1536, Given: 1024",
                     "opensearchpy.helpers.errors.BulkIndexError: ('77 document(s) failed to index.'"], "0.0123"),
])
def test_a_long_lines_reason_past_the_cut_is_kept_with_its_head(line: str, kept_parts: list[str], dropped: str) -> None:
    (kept,) = [compacted.text for compacted in compact([line]).lines]
    assert all(part in kept for part in kept_parts) and dropped not in kept, kept


def test_an_exceptions_message_under_the_same_stamp_on_the_next_line_is_its_message() -> None:
    # Kettle and Hop stamp every line of a record: the exception's message is the next line (apache/hop#3814).
    stamp = "2024/04/16 02:00:49 - dwh_nightly - "
    lines = [f"{stamp}Starting action [load_dimensions]", f"{stamp}ERROR: Error running action 'load_dimensions' : ",
             f"{stamp}ERROR: org.apache.hop.core.exception.HopException: ",
             f"{stamp}You need to specify a workflow run configuration to execute this workflow",
             f"{stamp}Starting action [Mail failure]"]
    texts = [line.text for line in compact(lines).lines]
    assert (f"{stamp}ERROR: org.apache.hop.core.exception.HopException: You need to specify a workflow run "
            "configuration to execute this workflow") in texts, texts
    # The record after it under the same stamp is a record of its own.
    assert f"{stamp}Starting action [Mail failure]" in texts, texts


def test_the_error_a_tools_summary_lists_under_its_errors_header_is_kept() -> None:
    # Soda Core's scan summary: its error is the line under "ERRORS:", words with no error term in them
    # (sodadata/soda-core#1755); the ordinary summary lines around it weigh as much or more.
    lines = ["[02:11:57] Soda Core 3.0.17", "[02:12:03] Scan summary:", "[02:12:03] 1/1 check NOT EVALUATED: ",
             "[02:12:03]       freshness_in_hours warn when > 3 fail when > 24 [NOT EVALUATED]",
             "[02:12:03] 1 checks not evaluated.", "[02:12:03] 1 errors.",
             "[02:12:03] Oops! 1 error. 0 failures. 0 warnings. 0 pass.", "ERRORS:",
             "[02:12:03] Metrics '\"freshness_in_hours\"' were not computed for check 'freshness_in_hours'"]
    texts = [line.text for line in compact(lines, max_lines=4).lines]
    assert ("ERRORS: [02:12:03] Metrics '\"freshness_in_hours\"' were not computed for check 'freshness_in_hours'"
            in texts), texts
    # A header with nothing listed under it stays a line of its own.
    assert "ERRORS:" in [line.text for line in compact(["starting", "ERRORS:"]).lines]


def test_a_rust_panic_is_kept_with_its_message() -> None:
    # Rust 1.73 and later print where a thread panicked on one line and why on the next (Boavizta/cloud-scanner#666);
    # the web framework's lines about panics in general, which say "panic" too, must not crowd it out.
    place = ("thread 'tokio-runtime-worker' panicked at /usr/local/cargo/registry/src/index.crates.io-6f17d22bba15001f/"
             "hyper-rustls-0.24.2/src/config.rs:48:9:")
    lines = ["hyper_rustls::config: with_native_roots processed 0 valid and 0 invalid certs", place,
             "no CA certificates found",
             "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace",
             "rocket::server: Handler metrics panicked.", "rocket::server: This is an application bug.",
             "rocket::server: A panic in Rust must be treated as an exceptional event.",
             "rocket::server: Panicking is not a suitable error handling mechanism.",
             "rocket::server: Unwinding, the result of a panic, is an expensive operation.",
             "rocket::server: Outcome: Error(500 Internal Server Error)"]
    texts = [line.text for line in compact(lines, max_lines=4).lines]
    assert f"{place} no CA certificates found" in texts, texts


def test_the_failures_a_line_counts_are_kept_with_it() -> None:
    # Elasticsearch's failed bootstrap checks, counted on one line and each numbered on its own
    # (awslabs/amazon-eks-ami#234): the numbered line says which limit, in no error word.
    lines = ["[2019-03-29T02:10:16,927][INFO ][o.e.b.BootstrapChecks    ] [indexer-0] bound or publishing to a "
             "non-loopback address, enforcing bootstrap checks", "ERROR: [1] bootstrap checks failed",
             "[1]: max file descriptors [4096] for elasticsearch process is too low, increase to at least [65536]",
             "[2019-03-29T02:10:16,948][INFO ][o.e.n.Node               ] [indexer-0] stopping ...",
             "[2019-03-29T02:10:16,987][INFO ][o.e.n.Node               ] [indexer-0] stopped"]
    texts = [line.text for line in compact(lines, max_lines=3).lines]
    assert ("ERROR: [1] bootstrap checks failed [1]: max file descriptors [4096] for elasticsearch process is too "
            "low, increase to at least [65536]") in texts, texts
    # As many numbered lines as the count says: a later numbered line is a line of its own.
    texts = [line.text for line in compact(["ERROR: [1] bootstrap checks failed", "[1]: max file descriptors [4096]",
                                            "[2]: not one of the failures counted"]).lines]
    assert "ERROR: [1] bootstrap checks failed [1]: max file descriptors [4096]" in texts, texts
    assert "[2]: not one of the failures counted" in texts, texts


def test_a_jvm_crash_reports_signal_and_problematic_frame_are_one_line() -> None:
    # The JVM's fatal error report, a line each as a container logs it (crawler-commons/url-frontier#17): the frame
    # names the native library that crashed; the report shows it with the signal, under the header.
    report = ["#", "# A fatal error has been detected by the Java Runtime Environment:", "#",
              "#  SIGSEGV (0xb) at pc=0x00007fa253424f47, pid=568380, tid=0x00007fa1ff7fa700", "#",
              "# JRE version: OpenJDK Runtime Environment (8.0_292-b10)", "# Problematic frame:",
              "# C  [librocksdbjni2589559341903054454.so+0x326f47]  rocksdb::DBImpl::NewIterator("
              "rocksdb::ReadOptions const&, rocksdb::ColumnFamilyHandle*)+0x47", "#",
              "# An error report file with more information is saved as:", "# /opt/frontier/hs_err_pid568380.log"]
    lines = [f"[export-{n}] INFO exported {n}000 URLs" for n in range(1, 30)] + report
    texts = [line.text for line in compact(lines).lines]
    crash = next(t for t in texts if "A fatal error has been detected" in t)
    assert "SIGSEGV (0xb) at pc=0x00007fa253424f47" in crash and "rocksdb::DBImpl::NewIterator(" in crash, texts
    assert "# Problematic frame:" not in texts, texts


def test_java_stack_trace_keeps_the_exception_line_not_frames() -> None:
    trace = [
        HANDLER,
        HEAP,
        "\tat java.util.Arrays.copyOf(Arrays.java:3236)",
        "\tat org.apache.hadoop.ipc.RemoteException.unwrapRemoteException(RemoteException.java:106)",
        "\tat org.apache.spark.SparkException$.failed(SparkException.scala:41)",
        "\tat org.apache.spark.executor.Executor$TaskRunner.run(Executor.scala:338)",
        "\t... 23 more",
    ]
    result = compact(["20/02/17 11:44:49 INFO Executor: Running task 931.0"] * 20 + trace)
    texts = [line.text for line in result.lines]
    assert texts[0] == HEAP
    assert texts[1].startswith("20/02/17 11:44:50 ERROR SparkUncaughtExceptionHandler")
    # Frames, even those naming an Exception class, say where, not what: not shown beside the exception.
    assert not any(text.lstrip().startswith(("at ", "...")) for text in texts)
    # A log of frames alone still shows them.
    alone = [line.text for line in compact(trace[2:]).lines]
    assert alone and all(text.lstrip().startswith(("at ", "...")) for text in alone)


def test_multiline_events_are_represented_by_their_exception() -> None:
    java = ("2024-06-01 02:00:00,000 ERROR Job failed\n"
            "org.apache.spark.SparkException: Job aborted due to stage failure\n"
            "\tat org.apache.spark.scheduler.DAGScheduler.failJob(DAGScheduler.scala:1889)\n"
            "Caused by: java.io.FileNotFoundException: No such file or directory: s3://bucket/missing.parquet\n"
            "\tat org.apache.hadoop.fs.s3a.S3AFileSystem.s3GetFileStatus(S3AFileSystem.java:2269)\n")
    python = ('Traceback (most recent call last):\n  File "/var/task/app.py", line 12, in handler\n'
              '    row["customer_id"]\nKeyError: \'customer_id\'\n')
    lambda_json = ('{\n  "errorMessage": "Unable to import module \'app\': No module named \'pandas\'",\n'
                   '  "errorType": "Runtime.ImportModuleError",\n  "stackTrace": []\n}\n')
    result = compact([LogLine(java), LogLine(python), LogLine(lambda_json)])
    texts = shown(result)
    assert '{ "errorMessage": "Unable to import module \'app\': No module named \'pandas\'",' in texts
    assert "SparkException: Job aborted" in texts
    assert "Caused by: java.io.FileNotFoundException" in texts
    assert "KeyError: 'customer_id'" in texts
    assert "DAGScheduler.scala" not in texts and "/var/task/app.py" not in texts
    assert all("\n" not in line.text for line in result.lines)


def test_secrets_in_log_lines_are_redacted_in_output() -> None:
    lines = [
        "ERROR connect failed for postgres://etl:Sup3rS3cret@db.internal:5432/dw: Connection refused",
        "INFO using credentials AKIAIOSFODNN7EXAMPLE from env",
        "WARN retrying with Authorization: Bearer abc123def456ghi789",
    ]
    result = compact(lines)
    out = result.render() + "".join(line.template for line in result.lines)
    for secret in ("Sup3rS3cret", "AKIAIOSFODNN7EXAMPLE", "abc123def456ghi789"):
        assert secret not in out
    assert "[REDACTED:url_password]" in out and "[REDACTED:aws_access_key_id]" in out


def test_garbage_and_huge_lines_do_not_crash() -> None:
    rng = random.Random(5)
    junk = [bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300))).decode("utf-8", errors="replace")
            for _ in range(500)]
    huge = "x" * 200_000 + " OutOfMemoryError at the end is cut away"
    long_error = "ERROR " + "a" * 1500 + " java.lang.OutOfMemoryError: Java heap space " + "b" * 300
    result = compact([*junk, "", "\n\r\n", huge, long_error, LogLine("", None, "")], budget_tokens=2000)
    assert result.total_lines == 505
    assert result.truncated_input  # the 200,000-character line was cut at 2,000
    assert all(len(line.text) <= 401 and "\n" not in line.text for line in result.lines)
    assert "OutOfMemoryError at the end" not in shown(result)
    # The error deep inside a long line is kept in view when the line is clipped.
    assert any("java.lang.OutOfMemoryError: Java heap space" in line.text for line in result.lines)


def test_memory_stays_bounded_on_all_unique_lines() -> None:
    import tracemalloc

    words = ["alpha", "beta", "gamma", "delta", "kappa", "omega", "sigma", "theta", "zeta", "iota"]

    def unique(n: int) -> Iterator[str]:
        rng = random.Random(1)
        for _ in range(n):
            yield "INFO " + " ".join(rng.choice(words) + rng.choice(words) for _ in range(8))
        yield "ERROR Task failed: AccessDenied: not authorized to perform s3:GetObject"

    peaks = []
    for n in (MAX_TEMPLATES * 2, MAX_TEMPLATES * 6):
        tracemalloc.start()
        result = compact(unique(n))
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        assert result.truncated_input  # templates were dropped to stay bounded
        assert "AccessDenied" in result.lines[0].text
    # Three times the unique lines, about the same peak: memory is bounded by MAX_TEMPLATES, not the input.
    assert peaks[1] < peaks[0] * 1.5, peaks


def test_estimate_tokens_is_conservative() -> None:
    assert estimate_tokens("") == 0
    assert estimate_tokens("a" * 400) >= 100
    assert estimate_tokens("é" * 100) > estimate_tokens("e" * 100)


def test_hadoop_container_memory_kill_survives_noise() -> None:
    """YARN's MapReduce wording of a memory kill ranks like the Spark one (no per-source special case)."""
    from incident_responder.evidence.compaction import compact

    noise = [f"2015-10-18 18:01:{i % 60:02d},978 INFO [main] org.apache.hadoop.mapred.Task: progress {i}"
             for i in range(3000)]
    # A dozen different error lines near the end compete for the few evidence slots.
    noise += [f"2015-10-18 18:09:{i:02d},100 ERROR [main] org.apache.hadoop.{name}: java.io.IOException: {name} failed"
              for i, name in enumerate(["ipc.Client", "hdfs.DFSClient", "mapred.Task", "yarn.Nodemanager",
                                        "mapreduce.Job", "fs.FileSystem", "net.NetUtils", "io.retry.RetryInvocation",
                                        "security.UserGroup", "hdfs.LeaseRenewer", "mapred.YarnChild", "util.Shell"])]
    kill = ("Container [pid=4733,containerID=container_1445144423722_0020_01_000002] is running beyond physical "
            "memory limits. Current usage: 1.0 GB of 1 GB physical memory used; 1.6 GB of 2.1 GB virtual memory used.")
    lines = [*noise[:1500], kill, *noise[1500:]]
    result = compact(lines, budget_tokens=600, max_lines=8)
    assert any("is running beyond physical memory limits" in c.text for c in result.lines[:8])


def test_a_long_line_keeps_its_particulars_at_the_end() -> None:
    # The schema report follows a long S3 path (apache/spark#34308): the path is shortened in its middle, not
    # the report cut off.
    line = ("22/03/09 01:25:17 WARN TaskSetManager: Lost task 4.0 in stage 1.0 (TID 5) (ip-10-20-3-87.eu-central-1"
            ".compute.internal executor 5): org.apache.spark.sql.execution.QueryExecutionException: Parquet column "
            "cannot be converted in file s3://acme-lake-euc1/raw/user_activity/dt=2022-03-08/part-00004-7c1e3a5b-"
            "9d2f-4b6e-8a0c-2e4f6a8c0e1d-c000.snappy.parquet. Column: [user_id], Expected: bigint, Found: INT32")
    (out,) = compact([line], budget_tokens=2000).lines
    assert out.text.endswith("Column: [user_id], Expected: bigint, Found: INT32") and len(out.text) <= 400
    # No long token: the head and a short last clause are kept, the head cut at a space.
    words = " ".join(f"word{i}" for i in range(120))
    (out,) = compact([f"ERROR {words}. Value 'x-17' of column amount is out of range"], budget_tokens=2000).lines
    assert out.text.startswith("ERROR word0 word1") and " … " in out.text
    assert out.text.endswith("Value 'x-17' of column amount is out of range") and len(out.text) <= 400


def test_the_root_cause_of_a_trace_outranks_the_rarer_wrappers_around_it() -> None:
    # Each of ten task attempts logs the same root cause (an S3 503) under Spark's wrappers; the job abort
    # that ends the step is logged once. The root cause must still come before the wrappers.
    attempt = ["20/11/19 04:25:13 WARN TaskSetManager: Lost task 842.{n} in stage 3.0: "
               "org.apache.spark.SparkException: Task failed while writing rows.",
               "\tat org.apache.spark.sql.execution.datasources.FileFormatWriter.executeTask(Writer.scala:291)",
               "Caused by: com.amazonaws.services.s3.model.AmazonS3Exception: Slow Down (Service: Amazon S3; Status "
               "Code: 503; Error Code: 503 Slow Down; Request ID: R{n}E4K8W2N6Y1B3QJ)",
               "\tat com.amazon.ws.emr.hadoop.fs.s3.Jets3tNativeFileSystemStore.storeFile(Store.java:96)",
               "20/11/19 04:25:14 INFO Executor: Running task 842.{n} in stage 3.0"]
    lines = [line.format(n=n) for n in range(10) for line in attempt]
    lines += ["Caused by: org.apache.spark.SparkException: Job aborted due to stage failure: Task 842 in stage 3.0 "
              "failed 4 times, most recent failure: Lost task 842.3: org.apache.spark.SparkException: Task failed "
              "while writing rows.",
              "\tat org.apache.spark.scheduler.DAGScheduler.failJobAndIndependentStages(DAGScheduler.scala:2059)",
              "Caused by: com.amazonaws.services.s3.model.AmazonS3Exception: Slow Down (Service: Amazon S3; Status "
              "Code: 503; Error Code: 503 Slow Down; Request ID: Z9E4K8W2N6Y1B3QJ)",
              ": org.apache.spark.SparkException: Job aborted.",
              "py4j.protocol.Py4JJavaError: An error occurred while calling o212.parquet."]
    shown = [line.text for line in compact(lines, budget_tokens=2000).lines]
    root = next(i for i, text in enumerate(shown) if "Error Code: 503 Slow Down" in text)
    abort = next(i for i, text in enumerate(shown) if "Job aborted due to stage failure" in text)
    lost = next(i for i, text in enumerate(shown) if "Lost task 842" in text)
    assert root < min(abort, lost), shown


def test_a_py4j_traceback_keeps_the_java_exception_it_wraps_and_the_root_cause() -> None:
    event = ("22/11/08 14:24:10 ERROR ProcessLauncher: Error from Python:Traceback (most recent call last):\n"
             '  File "/tmp/job.py", line 29, in <module>\n'
             "    orders = glueContext.create_dynamic_frame.from_catalog(database=\"erp\", table_name=\"orders\")\n"
             "py4j.protocol.Py4JJavaError: An error occurred while calling o97.getDynamicFrame.\n"
             ": com.mysql.cj.jdbc.exceptions.CommunicationsException: Communications link failure\n"
             "\tat com.mysql.cj.jdbc.exceptions.SQLError.createCommunicationsException(SQLError.java:174)\n"
             "Caused by: java.net.SocketTimeoutException: connect timed out\n"
             "\tat java.net.PlainSocketImpl.socketConnect(Native Method)\n")
    (line,) = compact([event], budget_tokens=2000).lines
    assert "CommunicationsException: Communications link failure" in line.text
    assert line.text.endswith("Caused by: java.net.SocketTimeoutException: connect timed out")


def test_an_object_logged_over_lines_with_an_error_inside_shows_its_fields_not_its_brace() -> None:
    # Node's console.log of an object whose error carries a stack (arithmetric/aws-lambda-ses-forwarder#133): one
    # CloudWatch event, its first line only "{"; the error is in a field, its frames under it.
    event = ("2021-09-23T14:05:14.201Z\te0f4b7c2-5a19-4d3e-8b6f-27c1d9a0e4b5\tINFO\t{\n"
             "  level: 'error',\n"
             "  message: 'copyObject() returned error:',\n"
             "  error: AccessDenied: Access Denied\n"
             "      at Request.extractError (/var/runtime/node_modules/aws-sdk/lib/services/s3.js:712:35)\n"
             "      at Request.callListeners (/var/runtime/node_modules/aws-sdk/lib/sequential_executor.js:106:20) {\n"
             "    code: 'AccessDenied',\n"
             "    statusCode: 403\n"
             "  }\n"
             "}")
    (line,) = compact([event], budget_tokens=2000).lines
    assert "message: 'copyObject() returned error:', error: AccessDenied: Access Denied" in line.text
    assert "statusCode: 403" in line.text
    assert "extractError" not in line.text


def test_a_python_exception_whose_message_goes_on_over_lines_is_shown_by_its_exception_line() -> None:
    # Ray's OutOfMemoryError writes its message over two lines (ray-project/ray#45894): the traceback's last
    # line is not the exception line, which names the class.
    event = ("Traceback (most recent call last):\n"
             '  File "/tmp/embed.py", line 58, in <module>\n'
             "    results = ray.get(refs)\n"
             "ray.exceptions.OutOfMemoryError: Task was killed due to the node running low on memory.\n"
             "Memory on the node (IP: 172.31.14.203) where the task was running was 60.91GB / 63.76GB (0.955298), "
             "which exceeds the memory usage threshold of 0.95.\n")
    (line,) = compact([event], budget_tokens=2000).lines
    assert line.text.startswith("ray.exceptions.OutOfMemoryError: Task was killed due to the node running low")
    assert "exceeds the memory usage threshold" in line.text


def test_a_long_exception_message_keeps_its_first_line_and_its_last_ones() -> None:
    # Iceberg's write check prints the table's whole schema, then the problem (apache/iceberg#457): nine lines
    # before the first frame. The problem line is the one that says what is wrong.
    schema = ["table {", "  1: level: required string", "  2: event_time: optional timestamptz",
              "  3: id: required int", "  4: message: optional string", "  5: app: optional string", "}"]
    lines = ["19/09/06 02:15:52 INFO TaskSetManager: Finished task 14.1 in stage 1.0 (64/64)",
             'Exception in thread "main" java.lang.IllegalArgumentException: Cannot write incompatible dataset to '
             "table with schema:", *schema, "Problems:", "* level should be required, but is optional",
             "\tat com.google.common.base.Preconditions.checkArgument(Preconditions.java:145)",
             "\tat org.apache.iceberg.types.CheckCompatibility.writeCompatibilityErrors(CheckCompatibility.java:53)",
             "19/09/06 02:15:53 INFO SparkContext: Invoking stop() from shutdown hook"]
    texts = [c.text for c in compact(lines, budget_tokens=2000).lines]
    (line,) = [t for t in texts if "IllegalArgumentException" in t]
    assert line.startswith('Exception in thread "main" java.lang.IllegalArgumentException: Cannot write incompatible')
    assert line.endswith("Problems: * level should be required, but is optional")
    assert "1: level: required string" not in line  # the middle of a long message is left out


def test_a_long_message_keeps_the_line_in_its_middle_that_tells_the_error() -> None:
    # sharp's load failure (lovell/sharp#3898): the error on its second line, then five lines of advice before the
    # frames. The advice ends the message; the dlopen error is what an engineer quotes.
    lines = ["/app/node_modules/sharp/lib/sharp.js:85", "  throw new Error(help.join('\\n'));", "  ^",
             'Error: Could not load the "sharp" module using the linux-x64 runtime',
             "ERR_DLOPEN_FAILED: libvips-cpp.so.42: cannot open shared object file: No such file or directory",
             "Possible solutions:", "- Add platform-specific dependencies:",
             "    npm install --os=linux --cpu=x64 sharp",
             "  or", "    npm install --force @img/sharp-linux-x64",
             "- Consult the installation documentation: https://sharp.pixelplumbing.com/install",
             "    at Object.<anonymous> (/app/node_modules/sharp/lib/sharp.js:85:9)",
             "    at Module._compile (node:internal/modules/cjs/loader:1198:14)"]
    texts = [c.text for c in compact(lines, budget_tokens=2000).lines]
    (line,) = [t for t in texts if "Could not load" in t]
    assert "ERR_DLOPEN_FAILED: libvips-cpp.so.42: cannot open shared object file" in line
    assert line.endswith("https://sharp.pixelplumbing.com/install")  # still the message's end after the cut
    assert "Possible solutions" not in line


def test_an_exception_whose_message_starts_on_the_next_line_keeps_that_line() -> None:
    # ruamel.yaml 0.18's removal notice (nukezil/IOMatch#4): the type alone on its line, then the message over six
    # more. Its first line says what was removed; a long message's middle is what is cut, not its start.
    lines = ["Traceback (most recent call last):", '  File "/app/train.py", line 23, in <module>',
             "AttributeError: ", '"load()" has been removed, use', "", "  yaml = YAML(typ='rt')", "  yaml.load(...)",
             "", "and register any classes that you use, or check the tag attribute on the loaded data,",
             'instead of file "/app/semilearn/core/utils/misc.py", line 23']
    texts = [c.text for c in compact(lines, budget_tokens=2000).lines]
    (line,) = [t for t in texts if t.startswith("AttributeError")]
    assert line.startswith('AttributeError: "load()" has been removed, use')
    assert line.endswith('line 23')


def test_a_python_traceback_a_caused_by_line_opens_ends_in_the_root_cause() -> None:
    # An EMR step's stderr: Spark's "Caused by: ...PythonException: Traceback (most recent call last):", the
    # executor's frames, then the worker's exception, then the Java frames. The exception is the root cause, not
    # the header that opened the traceback.
    lines = ["24/06/18 02:11:05 ERROR TaskSetManager: Task 3 in stage 3.0 failed 4 times; aborting job",
             "Caused by: org.apache.spark.api.python.PythonException: Traceback (most recent call last):",
             '  File "/usr/local/lib64/python3.9/site-packages/pandas/__init__.py", line 22, in <module>',
             "    from pandas.compat import is_numpy_dev as _is_numpy_dev  # pyright: ignore # noqa:F401",
             '  File "pandas/_libs/interval.pyx", line 1, in init pandas._libs.interval',
             "ValueError: numpy.dtype size changed, may indicate binary incompatibility. Expected 96 from C header, "
             "got 88 from PyObject",
             "\tat org.apache.spark.api.python.BasePythonRunner$ReaderIterator.handlePythonException("
             "PythonRunner.scala:572)",
             "\tat org.apache.spark.api.python.PythonRunner$$anon$3.read(PythonRunner.scala:784)"]
    result = compact(lines, budget_tokens=2000).lines
    roots = [c.text for c in result if c.root]
    assert roots == ["ValueError: numpy.dtype size changed, may indicate binary incompatibility. Expected 96 from C "
                     "header, got 88 from PyObject"]


def test_a_cause_without_a_message_is_shown_with_the_frame_that_threw_it() -> None:
    # A Glue job's Py4J error whose root cause is a bare IllegalArgumentException: Hudi's precondition on its
    # timeline, which only the frame names (apache/hudi#6463).
    event = ("2022-08-21 03:47:44,696 ERROR [main] glue.ProcessLauncher: Error from Python:Traceback (most recent "
             "call last):\n  File \"/tmp/upsert.py\", line 88, in <module>\n    for result in executor.map(f, xs):\n"
             "py4j.protocol.Py4JJavaError: An error occurred while calling o1187.save.\n"
             ": org.apache.hudi.exception.HoodieUpsertException: Failed to upsert for commit time 20220821034739512\n"
             "\tat org.apache.hudi.table.action.commit.BaseWriteHelper.write(BaseWriteHelper.java:64)\n"
             "Caused by: java.lang.IllegalArgumentException\n"
             "\tat org.apache.hudi.common.util.ValidationUtils.checkArgument(ValidationUtils.java:31)\n"
             "\tat org.apache.hudi.common.table.timeline.HoodieActiveTimeline.transitionState("
             "HoodieActiveTimeline.java:570)")
    (line,) = [c.text for c in compact([event], budget_tokens=2000).lines]
    assert line.endswith("Caused by: java.lang.IllegalArgumentException at org.apache.hudi.common.util."
                         "ValidationUtils.checkArgument(ValidationUtils.java:31)")


def test_a_python_exception_whose_message_goes_on_after_the_traceback_keeps_its_reason() -> None:
    # An OpenAPI client's ApiException ends the traceback, its body printed on the lines after it, one JSON field a
    # line (HubSpot/hubspot-api-python#117): the body's reason is the exception's message.
    lines = ["Traceback (most recent call last):",
             '  File "/usr/local/lib/python3.9/site-packages/hubspot/crm/companies/rest.py", line 189, in request',
             "    raise ApiException(http_resp=r)",
             "hubspot.crm.companies.exceptions.ApiException: (429)", "HTTP response body: ", "{",
             '    "status": "error",', '    "message": "You have reached your ten_secondly_rolling limit.",',
             '    "errorType": "RATE_LIMIT",', '    "correlationId": "c93e06a4-7d61-4c3e-b63f-edf486fc6e90",',
             '    "policyName": "TEN_SECONDLY_ROLLING",',
             '    "groupName": "publicapi:hapikey-api-calls-ten-secondly:1"',
             "}"]
    texts = [c.text for c in compact(lines, budget_tokens=2000).lines]
    (line,) = [t for t in texts if "ApiException" in t]
    assert '"message": "You have reached your ten_secondly_rolling limit."' in line
    assert not [t for t in texts if t.strip().startswith('"message"')]  # not a line of its own


def test_lines_after_an_exception_that_no_traceback_ends_stay_lines_of_their_own() -> None:
    # A logged error with no traceback before it, then the next records: no message of its own goes on.
    lines = ["ValueError: bad row 7", "processing file 8 of 9", "processing file 9 of 9"]
    texts = [c.text for c in compact(lines, budget_tokens=2000).lines]
    assert "ValueError: bad row 7" in texts and "processing file 9 of 9" in texts


def test_a_limit_exceeded_on_a_debug_line_is_kept_as_evidence() -> None:
    # dbt-athena logs Athena cancelling its query at the workgroup's scan limit only at debug level
    # (dbt-labs/dbt-adapters#1221), among hundreds of routine lines.
    names = [a + b for a in "abcdefghijklmnop" for b in "qrstuvwxyz"]  # 160 templates, not one
    lines = [f"03:01:{i % 60:02d}.100000 [debug] [Thread-2 (]: Began running node model.web.{n}"
             for i, n in enumerate(names)]
    lines.insert(80, "03:02:55.537000 [debug] [Thread-1 (]: Athena query 1c3e5a7b ended in state CANCELLED: "
                      "Bytes scanned limit was exceeded")
    texts = [c.text for c in compact(lines, budget_tokens=300).lines]
    assert any("Bytes scanned limit was exceeded" in t for t in texts)


def test_an_executors_python_exception_is_kept_behind_the_spark_wrapper() -> None:
    # A Glue executor logs the Python traceback inside Spark's "PythonException: Traceback ..." wrapper; the
    # traceback's last line (the AccessDenied) is the cause (awslabs/amazon-dynamodb-tools#325).
    event = ("2026-08-28 17:03:57 ERROR Executor:98 - Exception in task 155.0 in stage 4.0 (TID 310)\n"
             "org.apache.spark.api.python.PythonException: Traceback (most recent call last):\n"
             '  File "/tmp/python_modules.zip/delete.py", line 71, in _delete_partition\n'
             "    writer.flush()\n"
             "botocore.exceptions.ClientError: An error occurred (AccessDeniedException) when calling the "
             "BatchWriteItem operation: User: arn:aws:sts::123456789012:assumed-role/ro/GlueJobRunnerSession is "
             "not authorized to perform: dynamodb:BatchWriteItem")
    (line,) = compact([event], budget_tokens=2000).lines
    assert line.text.startswith("2026-08-28 17:03:57 ERROR Executor:98 - Exception in task 155.0")
    assert "not authorized to perform: dynamodb:BatchWriteItem" in line.text


def test_a_clipped_line_keeps_its_heaviest_signal_not_its_first() -> None:
    # YARN's application report: the exit code comes first, the reason (memory) after it, and a short last
    # clause ("final status: FAILED") after that. The memory kill must stay in view (athena-glue-service-logs#19).
    event = ("19/09/30 18:13:44 INFO Client: \n\t client token: N/A\n\t diagnostics: Application application_1569865"
             "532923_0001 failed 1 times due to AM Container for appattempt_1569865532923_0001_000001 exited with  "
             "exitCode: -104\nFailing this attempt.Diagnostics: Container [pid=11027,containerID=container_15698655"
             "32923_0001_01_000001] is running beyond physical memory limits. Current usage: 5.5 GB of 5.5 GB physical"
             " memory used; 7.7 GB of 27.5 GB virtual memory used. Killing container.\nDump of the process-tree for "
             "container_1569865532923_0001_01_000001 :\n\t|- 11027 11025 11027 11027 (bash) 0 0 115879936 704 "
             "/bin/bash -c LD_LIBRARY_PATH=/usr/lib/hadoop/lib/native /usr/lib/jvm/java-1.8.0/bin/java -server "
             "-Xmx5120m org.apache.spark.deploy.yarn.ApplicationMaster\nContainer killed on request. Exit code is 143"
             "\n\t ApplicationMaster host: N/A\n\t queue: default\n\t final status: FAILED")
    (line,) = compact([event], budget_tokens=2000).lines
    assert "is running beyond physical memory limits" in line.text and len(line.text) <= 400


def test_a_clipped_one_line_exception_chain_keeps_its_deepest_message() -> None:
    # Tez's vertex diagnostics name the task's exceptions on one line, wrapper first: the reason is the last
    # one's message (HDFS with no DataNode to write to), far past where the line is cut.
    event = ("Vertex failed, vertexName=Reducer 2, vertexId=vertex_1690254118302_0031_1_01, diagnostics=[Task failed, "
             "taskId=task_1690254118302_0031_1_01_000172, diagnostics=[TaskAttempt 0 failed, info=[Error: Error while "
             "running task ( failure ) : attempt_1690254118302_0031_1_01_000172_0:java.lang.RuntimeException: "
             "org.apache.hadoop.hive.ql.metadata.HiveException: org.apache.hadoop.ipc.RemoteException("
             "java.io.IOException): File /tmp/hive/hadoop/_tez_scratch_dir/.hive-staging_hive_2023-07-26_03-55-02_118"
             "_4419/_task_tmp.-ext-10002/_tmp.000172_0 could only be written to 0 of the 1 minReplication nodes. There "
             "are 3 datanode(s) running and 3 node(s) are excluded in this operation.\n\tat org.apache.hadoop.hdfs."
             "server.blockmanagement.BlockManager.chooseTarget4NewBlock(BlockManager.java:2276)")
    (line,) = compact([event], budget_tokens=2000).lines
    assert line.text.startswith("Vertex failed, vertexName=Reducer 2")
    assert "RemoteException(java.io.IOException): File" in line.text
    assert "could only be written to 0 of the 1 minReplication nodes" in line.text and len(line.text) <= 400
    b = EvidenceBook()
    b.add("log", "s3://logs/j-1/steps/s-1/stderr.gz", line.text)
    assert signature_set().diagnose(b.items, "emr", {}).cause.category == Category.DISK_FULL


def test_a_clipped_one_line_python_traceback_keeps_its_exception() -> None:
    # aws/aws-sdk-pandas#547: Glue's module installer logs pip's output on one line; the build's exception lies past
    # the cut, after the traceback's last frame, with no module path before its class.
    event = ("INFO\t2021-02-04 08:13:09,416\t25065\tcom.amazonaws.services.glue.PythonModuleInstaller\t[main]\t    "
             "Complete output from command python setup.py egg_info:    Traceback (most recent call last):      "
             "File \"<string>\", line 1, in <module>      File \"/tmp/pip-build-3w8zq1ya/pyarrow/setup.py\", line 624, "
             "in <module>        url='https://arrow.apache.org/'    OSError: 'git' was not found    -----------------"
             "-----------------------Command \"python setup.py egg_info\" failed with error code 1 in "
             "/tmp/pip-build-3w8zq1ya/pyarrow/")
    (line,) = compact([event], budget_tokens=2000).lines
    assert "OSError: 'git' was not found" in line.text and len(line.text) <= 400
    assert line.text.startswith("INFO")


def test_a_line_over_the_length_limit_keeps_its_end() -> None:
    # The same installer line with pip's whole download log before the traceback, 2,000 characters and more: the cut
    # of an over-long line keeps its end, where a program's captured output puts its error, and its frames still
    # lead to the exception when the traceback's header falls in what was cut.
    downloads = "".join(f"Collecting dep{i}<2.0.0,>=1.{i}.0 (from awswrangler)  Downloading https://files."
                        f"pythonhosted.org/packages/{i:02d}/ab/{'c' * 60}/dep{i}-1.{i}.0-py3-none-any.whl (171kB)"
                        for i in range(12))
    event = ("INFO\t2021-02-04 08:13:09,416\t25065\tcom.amazonaws.services.glue.PythonModuleInstaller\t[main]\t"
             + downloads + "    Complete output from command python setup.py egg_info:    Traceback (most recent "
             "call last):      File \"<string>\", line 1, in <module>      File \"/tmp/pip-build-3w8zq1ya/pyarrow/"
             "setup.py\", line 624, in <module>        url='https://arrow.apache.org/'      File "
             "\"/tmp/pip-build-3w8zq1ya/pyarrow/"
             ".eggs/setuptools_scm-5.0.1-py3.7.egg/setuptools_scm/utils.py\", line 142, in require_command        "
             "raise OSError(\"%r was not found\" % name)    OSError: 'git' was not found    -----------------"
             "-----------------------Command \"python setup.py egg_info\" failed with error code 1 in "
             "/tmp/pip-build-3w8zq1ya/pyarrow/")
    assert len(event) > 2600
    (line,) = compact([event], budget_tokens=2000).lines
    assert "OSError: 'git' was not found" in line.text and len(line.text) <= 400
    assert line.text.startswith("INFO")


def test_a_chained_traceback_names_where_a_bare_root_was_raised() -> None:
    # aws/aws-sdk-pandas#153: a worker of to_parquet died, the parent's recv() on its pipe raised a bare EOFError, and
    # Glue 1.0's runscript failed re-raising it. The root has no message: the module that raised it says what it was.
    event = ("Traceback (most recent call last):\n"
             "  File \"/glue/lib/installation/awswrangler/pandas.py\", line 805, in data_to_s3\n"
             "    objects_paths += receive_pipes[i].recv()\n"
             "  File \"/usr/local/lib/python3.6/multiprocessing/connection.py\", line 250, in recv\n"
             "    buf = self._recv_bytes()\n"
             "  File \"/usr/local/lib/python3.6/multiprocessing/connection.py\", line 383, in _recv\n"
             "    raise EOFError\n"
             "EOFError\n\n"
             "During handling of the above exception, another exception occurred:\n\n"
             "Traceback (most recent call last):\n"
             "  File \"/tmp/runscript.py\", line 137, in <module>\n"
             "    raise e_type(e_value).with_tracsback(new_stack)\n"
             "AttributeError: 'EOFError' object has no attribute 'with_tracsback'")
    (line,) = compact([event], budget_tokens=2000).lines
    assert "EOFError (raised in multiprocessing/connection.py, in _recv)" in line.text
    b = EvidenceBook()
    b.add("log", "/aws-glue/python-jobs/error/jr_1", line.text)
    assert signature_set().diagnose(b.items, "glue", {}).cause.category == Category.OUT_OF_MEMORY


def test_a_shortened_url_keeps_the_name_of_its_file() -> None:
    # Which wheel pip downloaded is the last segment of a long URL: it stays whole, the directories give way.
    url = ("https://files.pythonhosted.org/packages/28/57/debf8f714d5b1a14ce39a6e8bbd1105beaab8490f96c2673fe04bf27cedb/"
           "awswrangler-2.4.0-py3-none-any.whl")
    short = shorten_token(url)
    assert short.endswith("/awswrangler-2.4.0-py3-none-any.whl") and short.startswith("https://files.python")
    assert len(short) <= 72


def test_a_long_response_body_keeps_its_reason_beside_its_closing_message() -> None:
    # burnash/gspread#513: Python prints the API's JSON body after the exception, line by line; its "reason" names the
    # cause as much as the closing "message" does, and is kept though the body is longer than a joined message.
    body = ['gspread.v4.exceptions.APIError: {', ' "error": {', '  "errors": [', '   {', '    "domain": "global",',
            '    "reason": "insufficientPermissions",', '    "message": "Insufficient Permission"', '   }', '  ],',
            '  "code": 403,', '  "message": "Insufficient Permission"', ' }', '}']
    trace = ['Traceback (most recent call last):', '  File "/app/sync_targets.py", line 88, in <module>',
             '    sheet = client.open("Store Targets 2018")', '  File "/usr/local/lib/python3.6/site-packages/gspread/'
             'v4/client.py", line 98, in open', '    raise APIError(response)']
    lines = compact(trace + body, budget_tokens=2000).lines
    (exc,) = [line for line in lines if line.text.startswith("gspread.v4.exceptions.APIError")]
    assert '"reason": "insufficientPermissions"' in exc.text and '"code": 403' in exc.text


def test_a_clipped_access_denied_chain_keeps_the_role_the_resource_and_the_reason() -> None:
    # Hive's start-up touches the default database through Glue, as the instance profile (apache/kyuubi#4952):
    # the role to fix, the resource and "because no identity-based policy allows" must all stay in view.
    event = ("pyspark.sql.utils.AnalysisException: org.apache.hadoop.hive.ql.metadata.HiveException: MetaException("
             "message:Unable to verify existence of default database: com.amazonaws.services.glue.model.AccessDenied"
             "Exception: User: arn:aws:sts::123456789012:assumed-role/orders-emr-ec2-role/i-0a4f2c9e81b7d3065 is not "
             "authorized to perform: glue:GetDatabase on resource: arn:aws:glue:us-east-1:123456789012:database/"
             "default because no identity-based policy allows the glue:GetDatabase action (Service: AWSGlue; Status "
             "Code: 400; Error Code: AccessDeniedException; Request ID: 3f816608-0cb2-467b-9181-05c5bfcd29b3; "
             "Proxy: null))")
    (line,) = compact([event], budget_tokens=2000).lines
    assert line.text.startswith("pyspark.sql.utils.AnalysisException: … com.amazonaws.services.glue.model.")
    assert ("User: arn:aws:sts::123456789012:assumed-role/orders-emr-ec2-role/i-0a4f2c9e81b7d3065 is not authorized "
            "to perform: glue:GetDatabase on resource: arn:aws:glue:us-east-1:123456789012:database/default because "
            "no identity-based policy allows the glue:GetDatabase action") in line.text
    assert len(line.text) <= 400


def test_a_yarn_reports_diagnostics_written_over_lines_are_one_line() -> None:
    # The Spark client's application report, as an EMR step's stderr.gz has it, one line per line: the reason
    # the AM container exited (-100) is on the line after "diagnostics:", before the report's next field.
    lines = ["21/07/27 06:13:57 INFO Client: ",
             "\t client token: N/A",
             "\t diagnostics: Application application_1627339181442_0031 failed 1 times due to AM Container for "
             "appattempt_1627339181442_0031_000001 exited with  exitCode: -100",
             "Failing this attempt.Diagnostics: Container released on a *lost* node",
             "For more detailed output, check the application tracking page: http://ip-10-20-1-15:8088/cluster/app/"
             "application_1627339181442_0031 Then click on links to logs of each attempt.",
             ". Failing the application.",
             "\t ApplicationMaster host: N/A",
             "\t final status: FAILED"]
    texts = [line.text for line in compact(lines, budget_tokens=2000).lines]
    joined = next(t for t in texts if "exitCode: -100" in t)
    assert joined.endswith("exitCode: -100 Failing this attempt.Diagnostics: Container released on a *lost* node")
    assert not any("tracking page" in t for t in texts)
    b = EvidenceBook()
    b.add("log", "s3://logs/j-1/steps/s-1/stderr.gz", joined)
    assert signature_set().diagnose(b.items, "emr", {}).cause.category == Category.CAPACITY


def test_a_root_cause_whose_message_goes_on_over_lines_keeps_its_first_one() -> None:
    # Spark 3's SparkUpgradeException ends its first line with a colon: what it refused is on the next line,
    # the setting to change further down (a Glue job writing pre-1900 timestamps as INT96).
    event = ("2023-07-14 03:13:23,000 ERROR [Executor task launch worker for task 12.3 in stage 8.0 (TID 431)] "
             "executor.Executor (Logging.scala:logError(98)): Exception in task 12.3 in stage 8.0 (TID 431)\n"
             "org.apache.spark.SparkException: Task failed while writing rows.\n"
             "Caused by: org.apache.spark.SparkUpgradeException: You may get a different result due to the upgrading "
             "to Spark >= 3.0: \nwriting dates before 1582-10-15 or timestamps before 1900-01-01T00:00:00Z\n"
             "into Parquet INT96 files can be dangerous, as the files may be read by Spark 2.x\n"
             "or legacy versions of Hive later, which uses a legacy hybrid calendar that\n"
             "is different from Spark 3.0+'s Proleptic Gregorian calendar. See more\n"
             "details in SPARK-31404. You can set \"spark.sql.parquet.int96RebaseModeInWrite\" to \"LEGACY\".\n"
             "\tat org.apache.spark.sql.errors.QueryExecutionErrors$.sparkUpgradeInWritingDatesError(QueryExecution"
             "Errors.scala:582)")
    (line,) = compact([event], budget_tokens=2000).lines
    assert ("SparkUpgradeException: You may get a different result due to the upgrading to Spark >= 3.0: writing "
            "dates before 1582-10-15 or timestamps before 1900-01-01T00:00:00Z") in line.text
    assert len(line.text) <= 400


def test_an_exception_with_no_message_of_its_own_keeps_the_line_its_message_starts_on() -> None:
    # A bootstrap action's stderr read line by line: conda-pack's error names nothing on its own line, the
    # reason is on the next one, and no stack frame follows (dask/dask-yarn#133).
    lines = ["==> WARNING: A newer version of conda exists. <==", "", "CondaPackError: ",
             "Files managed by conda were found to have been deleted/overwritten in the", "following packages:", "",
             "- python='3.8.5'", "",
             "This is usually due to `pip` uninstalling or clobbering conda managed files,"]
    texts = [c.text for c in compact(lines, budget_tokens=2000).lines]
    assert any(t.startswith("CondaPackError: Files managed by conda were found to have been deleted/overwritten")
               for t in texts), texts
    # An exception line with its own message stays as it is.
    texts = [c.text for c in compact(["ValueError: bad row 7", "next record"], budget_tokens=2000).lines]
    assert "ValueError: bad row 7" in texts


def test_a_mapreduce_attempt_of_another_task_than_the_one_the_job_failed_for_was_recovered() -> None:
    # The job client's syslog: a map attempt failed on a read timeout and was retried; the job failed for a
    # reducer whose every attempt timed out (awsdocs emr-troubleshoot-error-streaming).
    lines = [
        "2023-09-19 03:54:02,771 INFO org.apache.hadoop.mapreduce.Job (main): Task Id : "
        "attempt_1695085312418_0002_m_000117_0, Status : FAILED",
        "Error: java.net.SocketTimeoutException: Read timed out",
        *[f"2023-09-19 04:{10 + i}:02,884 INFO org.apache.hadoop.mapreduce.Job (main): Task Id : "
          f"attempt_1695085312418_0002_r_000007_{i}, Status : FAILED" for i in range(3)],
        "AttemptID:attempt_1695085312418_0002_r_000007_2 Timed out after 600 secs",
        "2023-09-19 04:41:02,351 INFO org.apache.hadoop.mapreduce.Job (main): Job job_1695085312418_0002 failed with "
        "state FAILED due to: Task failed task_1695085312418_0002_r_000007",
    ]
    by_text = {line.text: line for line in compact(lines, budget_tokens=2000).lines}
    timeout = next(line for text, line in by_text.items() if text.startswith("Error: java.net.SocketTimeout"))
    assert timeout.recovered
    reducer = next(line for text, line in by_text.items() if "Timed out after 600 secs" in text)
    assert not reducer.recovered
    b = EvidenceBook()
    for line in compact(lines, budget_tokens=2000).lines:
        b.add("log", "s3://logs/j-1/steps/s-1/syslog.gz", line.text, recovered=line.recovered)
    assert signature_set().diagnose(b.items, "emr", {}).cause.category == Category.TIMEOUT


def _line(lines: list[str], fragment: str) -> CompactLine:
    """The compacted line of ``lines`` that holds ``fragment``."""
    return next(line for line in compact(lines, budget_tokens=2000).lines if fragment in line.text)


def test_a_mapreduce_attempt_of_a_job_that_completed_was_recovered() -> None:
    # A bulk load's job client: a map attempt failed on a read timeout, the job completed anyway, and the step
    # failed afterwards on its own (Merck/Halyard#5: the HBase region server refused the job's files).
    lines = [
        "16/12/15 13:12:40 INFO mapreduce.Job: Task Id : attempt_1481806412345_0003_m_000117_0, Status : FAILED",
        "Error: java.net.SocketTimeoutException: Read timed out",
        "16/12/15 13:41:58 INFO mapreduce.Job: Job job_1481806412345_0003 completed successfully",
        "16/12/15 14:09:58 ERROR mapreduce.LoadIncrementalHFiles: hbase.bulkload.retries.retryOnIOException is "
        "disabled. Unable to recover",
    ]
    assert _line(lines, "Error: java.net.SocketTimeout").recovered
    assert not _line(lines, "Unable to recover").recovered
    # The same attempt, in a job that has not completed: not recovered.
    assert not _line(lines[:2] + lines[3:], "Error: java.net").recovered


def test_a_spark_executor_exception_on_the_event_after_its_task_line_is_that_attempts() -> None:
    # A Glue executor's stream, one CloudWatch event per line: a Kinesis read throttled in task 1.0 of stage 9612
    # (its retry finished), then the task that ended the job failing on the data (yaooqinn/spark-postgres#18).
    lines = [
        "23/06/14 09:39:12 ERROR Executor: Exception in task 1.0 in stage 9612.0 (TID 38405)",
        "com.amazonaws.services.kinesis.model.ProvisionedThroughputExceededException: Rate exceeded for shard "
        "shardId-000000000003",
        "23/06/14 09:39:40 INFO Executor: Finished task 1.1 in stage 9612.0 (TID 38406). 2061 bytes result sent",
        "23/06/14 09:42:41 ERROR Executor: Exception in task 2.3 in stage 9614.0 (TID 38433)",
        'org.postgresql.util.PSQLException: ERROR: invalid byte sequence for encoding "UTF8": 0x00',
    ]
    assert _line(lines, "ProvisionedThroughputExceeded").recovered
    assert not _line(lines, "PSQLException").recovered


def test_the_frames_and_causes_under_a_lost_spark_task_are_that_attempts() -> None:
    # An EMR Serverless driver's stderr, read line by line: a shuffle fetch that timed out in task 41.0 (its
    # retry 41.1 finished), then the job's own failure, a subprocess whose Python lacks a module
    # (aws-samples/emr-serverless-samples#63).
    lines = [
        "24/05/03 02:03:27 WARN TaskSetManager: Lost task 41.0 in stage 4.0 (TID 233) (10.0.1.7 executor 2): "
        "org.apache.spark.SparkException: Exception thrown in awaitResult: ",
        "\tat org.apache.spark.util.SparkThreadUtils$.awaitResult(SparkThreadUtils.scala:56)",
        "Caused by: java.net.SocketTimeoutException: Read timed out",
        "\tat java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:288)",
        "24/05/03 02:03:31 INFO TaskSetManager: Finished task 41.1 in stage 4.0 (TID 241) in 3872 ms (200/200)",
        "Traceback (most recent call last):",
        '  File "/usr/bin/aws", line 19, in <module>',
        "ModuleNotFoundError: No module named 'dateutil'",
    ]
    assert _line(lines, "SocketTimeoutException").recovered
    assert not _line(lines, "ModuleNotFoundError").recovered
    # The attempt's retry never finished: its cause is the failure's.
    assert not _line(lines[:4] + lines[5:], "SocketTimeoutException").recovered


def test_the_trace_a_program_logged_under_a_warning_is_the_warnings() -> None:
    # An EMR step's stderr read line by line: Hudi logs at WARN that its default properties file is absent and
    # goes on; the run then fails on its schema file (apache/hudi#4641).
    lines = [
        "22/01/20 09:46:58 WARN UtilHelpers: Unexpected error read props file at :file:/home/hadoop/dfs.properties",
        "java.lang.IllegalArgumentException: Cannot read properties from dfs",
        "\tat org.apache.hudi.common.config.DFSPropertiesConfiguration.visitFile(DFSPropertiesConfiguration.java:97)",
        "Caused by: java.io.FileNotFoundException: File file:/home/hadoop/dfs.properties does not exist",
        "\t... 16 more",
        "22/01/20 09:46:58 INFO UtilHelpers: Adding overridden properties to file properties.",
        'Exception in thread "main" org.apache.hudi.exception.HoodieIOException: Error reading schema',
        "\tat org.apache.hudi.utilities.schema.FilebasedSchemaProvider.<init>(FilebasedSchemaProvider.java:68)",
        "Caused by: org.apache.avro.SchemaParseException: com.fasterxml.jackson.core.JsonParseException: "
        "Unrecognized token 'Objavro'",
    ]
    assert _line(lines, "IllegalArgumentException").recovered
    assert _line(lines, "FileNotFoundException").recovered
    assert not _line(lines, "SchemaParseException").recovered
    # The same trace under an ERROR line is the failure's.
    errored = [lines[0].replace(" WARN ", " ERROR "), *lines[1:]]
    assert not _line(errored, "FileNotFoundException").recovered

def test_a_warnings_trace_that_a_later_failure_names_as_its_cause_is_the_failures() -> None:
    # A Spark 1.6 driver collecting task results (spark-jobserver/spark-jobserver#367): Netty's direct buffers run
    # out while fetching a result, BlockManager logs the fetch's first failed attempt at WARN with its trace, and
    # the job aborts at once on that same exception ("Most recent failure cause:", then "Caused by: ...Boxed Error").
    lines = [
        "16/01/20 10:53:38 WARN BlockManager: Failed to fetch remote block taskresult_648 from BlockManagerId(7, "
        "ip-10-0-12-31.eu-west-1.compute.internal, 44511) (failed attempt 1)",
        "java.util.concurrent.ExecutionException: Boxed Error",
        "\tat scala.concurrent.impl.Promise$.resolver(Promise.scala:55)",
        "Caused by: java.lang.OutOfMemoryError: Direct buffer memory",
        "\tat java.nio.Bits.reserveMemory(Bits.java:658)",
        "16/01/20 10:53:38 ERROR TaskResultGetter: Exception while getting task result",
        "org.apache.spark.storage.BlockFetchException: Failed to fetch block from 1 locations. Most recent failure "
        "cause:",
        "\tat org.apache.spark.storage.BlockManager.doGetRemote(BlockManager.scala:595)",
        "Caused by: java.util.concurrent.ExecutionException: Boxed Error",
        "\t... 12 more",
    ]
    assert not _line(lines, "Direct buffer memory").recovered
    assert not _line(lines, "Boxed Error").recovered
    # A failure that names another cause leaves the warning's trace the warning's.
    other = [*lines[:-2], "Caused by: java.net.ConnectException: Connection refused", "\t... 12 more"]
    assert _line(other, "Direct buffer memory").recovered


def test_what_follows_a_warning_beyond_its_trace_is_not_the_warnings() -> None:
    # Flink's CLI: a LOG4J warning, then its banner and the exception that ended the step
    # (j3-signalroom/apache_flink-kickstarter#715); a Python traceback written as one event of its own; and Spark's
    # lost-task warning, whose attempt can be the one that ended the job.
    flink = [
        "2025-10-23 13:05:41,388 WARN  org.apache.flink.yarn.configuration.YarnLogConfigUtil [] - The configuration "
        "directory ('/etc/flink/conf') already contains a LOG4J config file.",
        "------------------------------------------------------------",
        " The program finished with the following exception:",
        "org.apache.flink.client.program.ProgramInvocationException: The program's entry point class "
        "'kickstarter.App' caused an exception during initialization: Invalid signature file digest",
        "Caused by: java.lang.SecurityException: Invalid signature file digest for Manifest main attributes",
    ]
    assert not _line(flink, "SecurityException").recovered
    glue = [
        "23/09/21 02:03:40 WARN GarbageCollectionMetrics: To enable non-built-in garbage collector(s) ...",
        "Traceback (most recent call last):\n  File \"/tmp/dq.py\", line 58, in <module>\n"
        "AttributeError: 'Check' object has no attribute 'hasCompletenss'",
    ]
    assert not _line(glue, "AttributeError").recovered
    spark = [
        "24/05/03 02:03:27 WARN TaskSetManager: Lost task 41.3 in stage 4.0 (TID 233) (10.0.1.7 executor 2): "
        "org.apache.spark.SparkException: Exception thrown in awaitResult: ",
        "Caused by: java.io.IOException: No space left on device",
    ]
    assert not _line(spark, "No space left").recovered


def test_a_failure_the_program_says_it_will_try_again_was_passed_over() -> None:
    # A wrapper's download that failed once and was tried again, then the aligner's own fatal error
    # (alexdobin/STAR#397): the reset connection is a red herring; a failure with no retry note after it is not.
    lines = [
        "download failed: s3://runs/run42/SRR1294947.fastq.gz to reads/SRR1294947.fastq.gz (\"Connection broken: "
        "ConnectionResetError(104, 'Connection reset by peer')\")",
        "[run_star] download attempt 1 of 3 failed, retrying in 10s",
        "EXITING because of FATAL ERROR in reads input: quality string length is not equal to sequence length",
    ]
    assert _line(lines, "Connection reset").recovered
    assert not _line(lines, "FATAL ERROR").recovered
    assert not _line([lines[0], lines[2]], "Connection reset").recovered


def test_a_chained_python_traceback_keeps_its_root_cause_after_the_wrapper() -> None:
    # A job that wraps pandas' error in its own ("raise RuntimeError(...) from e"): the parser's message is the
    # cause (the Stack Overflow thread "python pandas error tokenizing data").
    event = ("Traceback (most recent call last):\n"
             '  File "/tmp/load.py", line 58, in load_feed\n'
             "    df = pd.read_csv(io.BytesIO(body))\n"
             "pandas.errors.ParserError: Error tokenizing data. C error: Expected 14 fields in line 48213, saw 15\n\n"
             "The above exception was the direct cause of the following exception:\n\n"
             "Traceback (most recent call last):\n"
             '  File "/tmp/load.py", line 64, in load_feed\n'
             "    raise RuntimeError(f'price feed load failed for {uri}') from e\n"
             "RuntimeError: price feed load failed for s3://feeds/price_list.csv")
    (line,) = compact([event], budget_tokens=2000).lines
    assert line.text == ("RuntimeError: price feed load failed for s3://feeds/price_list.csv | "
                         "pandas.errors.ParserError: Error tokenizing data. C error: Expected 14 fields in line 48213, "
                         "saw 15")


def test_the_jvms_notice_of_its_options_is_no_evidence() -> None:
    lines = ["Picked up JAVA_TOOL_OPTIONS: -XX:+ExitOnOutOfMemoryError -Xmx6g",
             "com.amazonaws.services.s3.model.AmazonS3Exception: Access Denied (Service: Amazon S3; Status Code: 403; "
             "Error Code: AccessDenied)"]
    texts = [line.text for line in compact(lines, budget_tokens=2000).lines]
    assert not any("JAVA_TOOL_OPTIONS" in t for t in texts)
    # The flag's name is no out-of-memory: the refusal is the cause (finnishtransportagency/digiroad2#2082).
    b = EvidenceBook()
    for text in texts:
        b.add("log", "/aws/batch/job", text)
    assert signature_set().diagnose(b.items, "batch", {}).cause.category == Category.PERMISSION_DENIED


def test_a_clipped_sdk_exception_drops_its_request_ids_and_keeps_its_class_name() -> None:
    event = ("24/02/12 01:08:51 ERROR Executor: Exception in task 1874.1 in stage 5.0 (TID 9633)\n"
             "org.apache.spark.SparkException: Task failed while writing rows.\n"
             "\tat org.apache.spark.sql.execution.datasources.FileFormatWriter.executeTask(Writer.scala:296)\n"
             "Caused by: java.io.IOException: com.amazon.ws.emr.hadoop.fs.shaded.com.amazonaws.services.dynamodbv2."
             "model.ProvisionedThroughputExceededException: The level of configured provisioned throughput for the "
             "table was exceeded. (Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ProvisionedThroughput"
             "ExceededException; Request ID: N5QA1R8E4G7K2Y0SXc2vB8nM1qL6pZ4tR0wE7yU3iO9aS5dF2gH8jK1lPz; Proxy: null)")
    (line,) = compact([event], budget_tokens=2000).lines
    assert "ProvisionedThroughputExceededException: The level of configured provisioned throughput" in line.text
    assert "Error Code: ProvisionedThroughputExceededException)" in line.text and "Request ID" not in line.text


def test_a_clipped_go_sdk_error_keeps_the_call_and_the_services_words() -> None:
    # The AWS SDK for Go v2 puts the service's reason last, after the request's ids (redpanda-data/connect#2923):
    # a line over the limit keeps the call refused and the whole reason, not the ids.
    event = ('time="2024-10-07T22:33:40+02:00" level=error msg="Failed to send message to aws_s3: upload multipart '
             "failed, upload id: Rr8Tz1mQ4vX7bN2cK5dW9fH3jL6pS0aE.yU8iO1gB4nM7hV2kC5xZ9qT3wR6eY0uP_lA8sD1fG4hJ7kL0z"
             "X3cV6bN9mQ2w, cause: operation error S3: UploadPart, https response error StatusCode: 400, RequestID: "
             "9PD4KQ2ZT7WXH1MA, HostID: Xq1L0b7hR2mWcY5tPz8nK3vJd6sF9aGe4uQiO2xTnB1yHk7rM0pZ5wC3fV8jN6lS4dA9gE2hU1oI7"
             "kR5tY0qW3=, api error InvalidRequest: Content-MD5 OR x-amz-checksum- HTTP header is required for Put "
             'Part requests with Object Lock parameters" @service=redpanda-connect label="" path=root.output')
    (line,) = compact([event], budget_tokens=2000).lines
    assert "operation error S3: UploadPart, https response error StatusCode: 400" in line.text
    assert "HTTP header is required for Put Part requests with Object Lock parameters" in line.text
    assert "RequestID" not in line.text and "HostID" not in line.text and len(line.text) <= 400


def test_a_traceback_logged_one_line_per_event_ranks_its_exception_line() -> None:
    # A container's stdout: each line of the traceback is its own log event, and the exception's class names
    # neither "Error" nor "Exception" (nipreps/nibabies#74).
    noise = [f"210618-21:0{i % 10}:00,000 nipype.workflow INFO: [Node] Finished \"wf.node{i}\"." for i in range(40)]
    trace = ["Traceback (most recent call last):",
             '  File "/usr/local/miniconda/lib/python3.7/concurrent/futures/_base.py", line 324, in _invoke_callbacks',
             "    callback(self)",
             "concurrent.futures.process.BrokenProcessPool: A process in the process pool was terminated abruptly "
             "while the future was running or pending."]
    shown = [line.text for line in compact(noise[:20] + trace + noise[20:], budget_tokens=2000).lines]
    assert shown[0].startswith("concurrent.futures.process.BrokenProcessPool"), shown[:3]


def test_an_exception_message_over_two_lines_keeps_its_second_line() -> None:
    # Spark's Kafka source explains the failure on the line after the exception (mozilla/telemetry-streaming#25).
    event = ("17/02/20 00:12:49 ERROR Executor: Exception in task 86.0 in stage 0.0 (TID 86)\n"
             "java.lang.IllegalStateException: Cannot fetch offset 7881614 (GroupId: spark-kafka-source-a6, "
             "TopicPartition: telemetry-86).\n"
             "Some data may have been lost because they are not available in Kafka any more\n"
             "\tat org.apache.spark.sql.kafka010.KafkaSourceRDD.reportDataLoss(KafkaSourceRDD.scala:239)\n")
    (line,) = compact([event], budget_tokens=2000).lines
    assert "Cannot fetch offset 7881614" in line.text and "not available in Kafka any more" in line.text


def test_an_exception_message_wrapped_over_lines_of_a_plain_log_is_one_line() -> None:
    # The same trace in an EMR step's stderr.gz, read line by line: the message's lines before the first
    # frame are one evidence line, so its reason ("aged out by Kafka") is not left on a line of its own.
    lines = ["17/02/20 00:12:49 ERROR Executor: Exception in task 86.0 in stage 0.0 (TID 86)",
             "java.lang.IllegalStateException: Cannot fetch offset 7881614 (GroupId: spark-kafka-source-a6, "
             "TopicPartition: telemetry-86). ",
             "Some data may have been lost because they are not available in Kafka any more; either the",
             " data was aged out by Kafka or the topic may have been deleted.",
             "    ",
             "\tat org.apache.spark.sql.kafka010.CachedKafkaConsumer.reportDataLoss(CachedKafkaConsumer.scala:278)",
             "17/02/20 00:12:50 INFO Executor: Finished task 85.0 in stage 0.0 (TID 85)"]
    shown = [line.text for line in compact(lines, budget_tokens=2000).lines]
    assert shown[0] == ("java.lang.IllegalStateException: Cannot fetch offset 7881614 (GroupId: spark-kafka-source-a6, "
                        "TopicPartition: telemetry-86). Some data may have been lost because they are not available "
                        "in Kafka any more; either the data was aged out by Kafka or the topic may have been deleted.")
    assert not any(text.startswith(("Some data", "data was")) or not text.strip() for text in shown), shown


def test_lines_after_an_exception_are_not_joined_without_a_stack_frame_below_them() -> None:
    # A Python script's stderr: the exception is its last line, the next ones are other records; and a chained
    # traceback's "During handling" stays out of the exception line above it.
    lines = ["ValueError: invalid literal for int() with base 10: 'n/a'",
             "Command exiting with ret '1'",
             "KeyError: 'customer_id'",
             "",
             "During handling of the above exception, another exception occurred:",
             "",
             "Traceback (most recent call last):",
             '  File "/mnt/tmp/job.py", line 12, in <module>']
    shown = [line.text for line in compact(lines, budget_tokens=2000).lines]
    assert "ValueError: invalid literal for int() with base 10: 'n/a'" in shown
    assert "Command exiting with ret '1'" in shown
    assert "KeyError: 'customer_id'" in shown


def test_the_first_exception_of_a_chained_traceback_logged_line_by_line_is_its_root() -> None:
    # One event per line (a container's awslogs stream): the 503s came first; the KeyError was raised while
    # handling them (serapeum-org/earthlens#790).
    lines = ["Traceback (most recent call last):",
             '  File "/usr/local/lib/python3.11/site-packages/urllib3/connectionpool.py", line 942, in urlopen',
             "urllib3.exceptions.ResponseError: too many 503 error responses",
             "",
             "During handling of the above exception, another exception occurred:",
             "",
             "Traceback (most recent call last):",
             '  File "/app/extract.py", line 51, in main',
             "KeyError: 'message'",
             "Traceback (most recent call last):",  # a new, unrelated traceback later
             '  File "/app/extract.py", line 90, in cleanup',
             "ValueError: nothing to clean"]
    roots = [line.text for line in compact(lines, budget_tokens=2000).lines if line.root]
    assert roots == ["urllib3.exceptions.ResponseError: too many 503 error responses"]


HUDI_SYNC = """py4j.protocol.Py4JJavaError: An error occurred while calling o214.save.
: org.apache.hudi.exception.HoodieException: Got runtime exception when hive syncing orders_hudi
\tat org.apache.hudi.hive.HiveSyncTool.syncHoodieTable(HiveSyncTool.java:170)
Caused by: org.apache.hudi.exception.HoodieException: Fail to drop partitions to lakehouse.orders_hudi
\tat org.apache.hudi.aws.sync.AWSGlueCatalogSyncClient.dropPartitions(AWSGlueCatalogSyncClient.java:243)
Caused by: org.apache.hudi.com.amazonaws.services.glue.model.ValidationException: 1 validation error detected: \
Value '[PartitionValueList(values=[2024-01-01]), PartitionValueList(values=[2024-01-02]), ...(96 more) \
PartitionValueList(values=[2024-04-10])]' at 'partitionsToDelete' failed to satisfy constraint: Member must have \
length less than or equal to 25 (Service: AWSGlue; Status Code: 400; Error Code: ValidationException; Request ID: \
2f6c9a1e-7b3d-4e58-a0c4-9d1e3b5f7a20; Proxy: null)
\tat org.apache.hudi.com.amazonaws.services.glue.AWSGlueClient.executeBatchDeletePartition(AWSGlueClient.java:1450)"""


def test_a_long_headline_keeps_its_root_cause_whole_and_shortens_the_data_in_it() -> None:
    # apache/hudi#9806: the reason is after 100 partition values, at the end of the last "Caused by:".
    [line] = compact([HUDI_SYNC]).lines
    assert len(line.text) <= 400
    assert "at 'partitionsToDelete' failed to satisfy constraint: Member must have length less than or equal to 25" \
        in line.text
    assert line.text.startswith("py4j.protocol.Py4JJavaError")
    assert "(values=[2024-04-10])" not in line.text  # the value list is shortened, the reason kept


def test_a_line_cut_to_the_limit_ends_on_a_whole_word() -> None:
    # crowemi/target-s3#4: Arrow's S3 error, logged at info level with the logger's fields after it.
    text = ("2023-04-03T13:03:17.200666Z [info     ] OSError: When initiating multiple part upload for key "
            "'raw/orders/2023/04/03/orders-20230403-130244.parquet' in bucket 'acme-elt-raw-euw1': AWS Error UNKNOWN "
            "(HTTP status 301) during CreateMultipartUpload operation: Unable to parse ExceptionName: "
            "PermanentRedirect Message: The bucket you are attempting to access must be addressed using the "
            "specified endpoint. Please send all future requests to this endpoint. cmd_type=elb consumer=True "
            "name=target-s3 producer=False stdio=stderr string_id=target-s3")
    [line] = compact([text]).lines
    assert len(line.text) <= 400
    kept = line.text.rstrip("…").split()
    assert set(kept) <= set(text.split()) | {"…"}  # every word whole, none cut in its middle


def test_a_value_list_that_runs_past_the_line_limit_is_shortened_before_the_line_is_cut() -> None:
    # The same refusal with every one of its 60 partition values written out: the line is longer than a line may
    # be (2,000 characters), and the reason after the list is kept only if the list is shortened first.
    values = ", ".join(f"PartitionValueList(values=[2023-12-{d:02d}])" for d in range(1, 61))
    text = HUDI_SYNC.replace("PartitionValueList(values=[2024-01-01]), PartitionValueList(values=[2024-01-02]), "
                             "...(96 more) PartitionValueList(values=[2024-04-10])", values)
    assert max(len(line) for line in text.splitlines()) > 2000
    [line] = compact([text]).lines
    assert "failed to satisfy constraint: Member must have length less than or equal to 25" in line.text


def test_a_value_list_inside_a_json_logged_message_is_shortened_and_the_constraint_kept() -> None:
    # The same refusal logged by a structured logger: the message is the value of "message", kept whole as the
    # reason, and the partition list quoted inside it is data again.
    values = ", ".join(f"PartitionValueList(Values=[2021-01-{d:02d}])" for d in range(1, 31))
    message = ("An error occurred (ValidationException) when calling the BatchDeletePartition operation: 1 validation "
               f"error detected: Value '[{values}]' at 'partitionsToDelete' failed to satisfy constraint: Member must "
               "have length less than or equal to 25")
    logged = '{"level":"ERROR","location":"handler:42","message":"' + message + '","service":"compactor"}'
    [line] = compact([logged]).lines
    assert "at 'partitionsToDelete' failed to satisfy constraint: Member must have length less than or equal to 25" \
        in line.text
    assert "2021-01-30" not in line.text


def test_a_quoted_value_that_is_itself_the_error_is_not_shortened() -> None:
    # redshift_connector's error is a dict whose detail field holds Redshift's report (aws/aws-sdk-pandas#529): the
    # reason is inside the quotes, not data around it.
    detail = ("\\n  -----------------------------------------------\\n  error:  Spectrum Scan Error\\n  code:      "
              "15001\\n  context:   The length of the data column display_name is longer than the length defined "
              "in the table. Table: 256, Data: 320, File name: https://s3.us-east-1.amazonaws.com/acme-crm-staging/"
              "redshift-copy/4b1d7c0e20fee7fe7/20fee7fe7_0.snappy.parquet?&amp;X-Amz\\n  query:     71875904")
    line = ("redshift_connector.error.ProgrammingError: {'S': 'ERROR', 'C': 'XX000', 'M': 'Spectrum Scan Error', "
            f"'D': '{detail}', 'F': '/home/ec2-user/padb/src/sys/xen_execute.cpp', 'L': '9226', 'R': 'pg_throw'}}")
    [kept] = compact([line]).lines
    assert "longer than the length defined in the table. Table: 256, Data: 320" in kept.text


def test_spark_task_attempts_are_recovered_only_when_a_later_attempt_of_that_task_finished() -> None:
    lost = ("WARN TaskSetManager: Lost task {t}.{a} in stage 3.0 (TID 9): java.net.SocketTimeoutException: Read "
            "timed out")
    done = "INFO TaskSetManager: Finished task {t}.{a} in stage 3.0 (TID 12) in 811 ms (64/64)"
    ok = compact([lost.format(t=7, a=0), done.format(t=7, a=1)]).lines
    assert [line.recovered for line in ok if "Lost" in line.text] == [True]
    # Another task finished, or the same attempt number in another stage: not a recovery of this one.
    other = compact([lost.format(t=7, a=0), done.format(t=8, a=1), done.format(t=7, a=1).replace("3.0", "4.0")])
    assert not any(line.recovered for line in other.lines)
    # One template for two lost tasks: recovered only when both were.
    half = compact([lost.format(t=7, a=0), lost.format(t=9, a=0), done.format(t=7, a=1)]).lines
    assert not any(line.recovered for line in half)


def test_an_exception_printed_under_a_routine_line_that_quotes_it_is_that_lines_retried_call() -> None:
    # The AWS SDK for Java logs a request it will retry at INFO, with its exception and frames under it; the job
    # later failed for a task whose four attempts threw (lintool/warcbase#234).
    lines = [
        "16/06/14 13:17:03 INFO AmazonHttpClient: Unable to execute HTTP request: Connection reset",
        "java.net.SocketException: Connection reset",
        "\tat java.net.SocketInputStream.read(SocketInputStream.java:209)",
        "16/06/14 13:17:04 INFO TaskSetManager: Finished task 1702.0 in stage 0.0 (TID 1705) (1698/5412)",
        "16/06/14 13:33:02 ERROR TaskSetManager: Task 3184 in stage 0.0 failed 4 times; aborting job",
        'Exception in thread "main" org.apache.spark.SparkException: Job aborted due to stage failure: Task 3184 '
        "in stage 0.0 failed 4 times, most recent failure: Lost task 3184.3 in stage 0.0 (TID 3207, "
        "ip-172-31-9-142.us-west-2.compute.internal): java.lang.NegativeArraySizeException",
        "java.lang.NegativeArraySizeException",
        "\tat org.warcbase.data.WarcRecordUtils.copyStream(WarcRecordUtils.java:125)",
    ]
    by_text = {line.text: line for line in compact(lines, budget_tokens=2000).lines}
    assert by_text["java.net.SocketException: Connection reset"].recovered
    assert not by_text["java.lang.NegativeArraySizeException"].recovered
    b = EvidenceBook()
    for line in compact(lines, budget_tokens=2000).lines:
        b.add("log", "s3://logs/j-1/steps/s-1/stderr.gz", line.text, recovered=line.recovered)
    assert signature_set().diagnose(b.items, "emr", {}).cause.category != Category.DEPENDENCY_UNAVAILABLE
    # The same exception on its own, or under an error line, is no retried call.
    alone = compact(["16/06/14 13:17:03 ERROR Executor: Exception in task 3.0 in stage 1.0 (TID 9)",
                     "java.net.SocketException: Connection reset"], budget_tokens=2000).lines
    assert not any(line.recovered for line in alone)


def test_an_exception_whose_message_starts_on_the_next_line_keeps_it() -> None:
    # Spark's PythonException: "SparkException: " with nothing after it, then the worker's error on the lines
    # below, then the exception it ended with and its frames (deepsense-ai/seahorse#77).
    lines = ["18/05/29 14:45:20 ERROR Executor: Exception in task 0.0 in stage 7.0 (TID 212)",
             "org.apache.spark.SparkException: ",
             "Error from python worker:",
             "  /usr/bin/python: No module named pyspark",
             "PYTHONPATH was:",
             "  /mnt/yarn/usercache/hadoop/filecache/19/__spark_libs__4018.zip/spark-core_2.11-2.2.0.jar:we-deps.zip",
             "java.io.EOFException",
             "\tat java.io.DataInputStream.readInt(DataInputStream.java:392)"]
    shown = [line.text for line in compact(lines, budget_tokens=2000).lines]
    assert any(text.startswith("org.apache.spark.SparkException: Error from python worker: /usr/bin/python: No module "
                               "named pyspark") for text in shown), shown
    assert "java.io.EOFException" in shown
    b = EvidenceBook()
    for text in shown:
        b.add("log", "s3://logs/j-1/containers/application_1/container_1/stderr.gz", text)
    d = signature_set().diagnose(b.items, "emr", {})
    assert d.cause.category == Category.CODE_ERROR and "No module named pyspark" in d.cause.explanation


def test_blank_lines_and_rules_are_no_evidence() -> None:
    # Ivy's report frames its errors in rules of colons and blank lines (databricks/spark-redshift#202).
    lines = ["", "   ", "\t\t::::::::::::::::::::::::::::::::::::::::::::::", "====", "",
             "\t\t:: org.apache.hadoop#hadoop-aws;2.6.0: not found",
             'Exception in thread "main" java.lang.RuntimeException: [unresolved dependency: '
             "org.apache.hadoop#hadoop-aws;2.6.0: not found]"]
    texts = [line.text for line in compact(lines, budget_tokens=2000).lines]
    assert len(texts) == 2 and all(t.strip(" \t:=") for t in texts)


def test_a_long_trace_in_one_event_keeps_its_root_cause_past_the_frames() -> None:
    # A Glue driver's Py4J traceback as one CloudWatch event: the Java chain's root cause comes after thousands
    # of characters of frames (apache/hudi#9595); the event is read whole for its headline, then cut.
    frames = "".join(f"\tat org.apache.hudi.sync.common.util.SyncUtilHelpers.runHoodieMetaSync(Sync.java:{i})\n"
                     for i in range(60))
    event = ("23/09/04 02:11:45 ERROR ProcessLauncher: Error from Python:Traceback (most recent call last):\n"
             '  File "/tmp/orders_cdc_to_hudi.py", line 96, in <module>\n'
             "py4j.protocol.Py4JJavaError: An error occurred while calling o148.save.\n"
             ": org.apache.hudi.exception.HoodieException: Could not sync using the meta sync class "
             "org.apache.hudi.aws.sync.AwsGlueCatalogSyncTool\n" + frames +
             "Caused by: org.apache.hudi.aws.sync.HoodieGlueSyncException: Fail to get table: sales.orders_hudi\n"
             + frames +
             "Caused by: org.apache.hudi.software.amazon.awssdk.services.glue.model.EntityNotFoundException: Entity "
             "Not Found (Service: Glue, Status Code: 400, Request ID: eb86d3b6-012f-464c-a62e-91a385e48b0c)\n" + frames)
    assert len(event) > 8000
    (line,) = compact([event], budget_tokens=2000).lines
    assert "EntityNotFoundException: Entity Not Found (Service: Glue, Status Code: 400" in line.text
    assert "Request ID" not in line.text and len(line.text) <= 400


def test_a_package_managers_conflict_lines_are_kept_over_its_progress() -> None:
    # yum's transaction check names the files two packages both own; its progress lines say nothing.
    lines = ["Downloading packages:", "Total download size: 9.3 M", "Installed size: 29 M",
             "Running transaction check", "Running transaction test", "Transaction check error:",
             *[f"  file /etc/init.d from install of chkconfig-1.3.49.3-2.14.amzn1.x86_64 conflicts with file from "
               f"package {p}-1.0-1.noarch" for p in ("EmrMetrics", "service-nanny", "instance-controller")],
             "Error Summary", "-------------", *[f"Install  {n} Packages" for n in range(2, 12)]]
    kept = compact(lines, max_lines=4).render()
    assert "conflicts with file from package" in kept


def test_a_traceback_written_one_frame_per_event_shows_no_source_line_as_evidence() -> None:
    # Glue's Python shell writes each frame as its own event, its source line indented under it: the code a frame
    # ran is where, not what; the exception line leads and the frames' code lines are not shown beside it.
    lines = ["Traceback (most recent call last):",
             '  File "/tmp/runscript.py", line 215, in <module>\n'
             "    runpy.run_path(temp_file_path, run_name='__main__')",
             '  File "/usr/local/lib/python3.9/site-packages/pandas/io/parsers/readers.py", line 912, in read_csv\n'
             "    return _read(filepath_or_buffer, kwds)",
             '  File "pandas/_libs/parsers.pyx", line 2021, in pandas._libs.parsers.raise_parser_error',
             "UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff in position 0: invalid start byte"]
    texts = [line.text for line in compact(lines, budget_tokens=2000).lines]
    assert texts[0].startswith("UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff")
    assert not any("_read(filepath_or_buffer" in t or "runpy.run_path" in t for t in texts)
    # A whole traceback in one event still names its exception, not a frame's code.
    (whole,) = compact(["Traceback (most recent call last):\n" + "\n".join(lines[1:])], budget_tokens=2000).lines
    assert whole.text.startswith("UnicodeDecodeError: 'utf-8' codec")


def test_a_node_frame_line_that_carries_the_errors_code_is_shown() -> None:
    # Old Node prints an error object's fields after its last frame, on that frame's line.
    lines = ["{ Error: certificate has expired",
             "    at TLSSocket.onConnectSecure (_tls_wrap.js:1058:34)",
             "    at TLSWrap.ssl.onhandshakedone (_tls_wrap.js:436:38) code: 'CERT_HAS_EXPIRED' }"]
    texts = [line.text for line in compact(lines, budget_tokens=2000).lines]
    assert any("code: 'CERT_HAS_EXPIRED'" in t for t in texts)
    assert not any("onConnectSecure" in t for t in texts)


def test_source_lines_of_a_traceback_logged_line_by_line_are_no_evidence() -> None:
    # Each line of the traceback its own event: the source lines indented under the frames say where, not what.
    lines = ["Traceback (most recent call last):",
             '  File "/app/etl/load.py", line 212, in load',
             "    etl.db.execute(conn, ddl_stmt)",
             '  File "/app/etl/db.py", line 88, in execute',
             "    cursor.execute(stmt, args)",
             "psycopg2.OperationalError: SSL SYSCALL error: EOF detected"]
    texts = [line.text for line in compact(lines, budget_tokens=2000).lines]
    assert texts[0] == "psycopg2.OperationalError: SSL SYSCALL error: EOF detected"
    assert not any("cursor.execute" in t or "etl.db.execute" in t for t in texts)


def test_a_resolvers_not_found_artifact_outweighs_its_progress_lines() -> None:
    lines = [f"\tfound org.example#lib{i};1.0 in central" for i in range(30)]
    lines += ["\t[NOT FOUND  ] javax.jms#jms;1.1!jms.jar (42ms)", "\t[SUCCESSFUL ] org.example#lib1;1.0!lib1.jar (9ms)"]
    texts = [line.text for line in compact(lines, budget_tokens=2000, max_lines=3).lines]
    assert "[NOT FOUND  ] javax.jms#jms;1.1!jms.jar" in texts[0]


def test_a_clipped_json_document_keeps_its_error_fields_whole() -> None:
    # A loader's status logged whole, without spaces: its error code is past 400 characters of bookkeeping, and a
    # blob without spaces is many fields, not one token to shorten in its middle
    # (wellcomecollection/catalogue-pipeline#3455).
    status = ('Neptune loader status with errors: {"status":"200 OK","payload":{"feedCount":[{"LOAD_FAILED":1}],'
              '"overallStatus":{"fullUri":"s3://catalogue-graph/graph_bulk_loader/2026-07-03/windows/2026-07-06T11:45'
              '-2026-07-06T12:00/catalogue_concepts__edges.csv","runNumber":1,"retryNumber":0,"status":"LOAD_FAILED",'
              '"totalTimeSpent":96,"startTime":1783339760,"totalRecords":418,"totalDuplicates":0,"parsingErrors":0,'
              '"datatypeMismatchErrors":0,"insertErrors":1},"errors":{"startIndex":1,"endIndex":1,"loadId":'
              '"6f2d9a41-8c3b-4e7a-b150-2d9c4e6f8a13","errorLogs":[{"errorCode":"FROM_OR_TO_VERTEX_ARE_MISSING",'
              '"errorMessage":"Either from vertex, \'a7xk2p9q\', or to vertex, \'sh2026001150\', is not present.",'
              '"fileName":"s3://catalogue-graph/edges.csv","recordNum":57}]}}}')
    (line,) = compact([status], budget_tokens=2000).lines
    assert '"errorCode":"FROM_OR_TO_VERTEX_ARE_MISSING"' in line.text
    assert "is not present" in line.text and len(line.text) <= 400


@pytest.mark.parametrize(("line", "retried"), [
    ("[run_star] download attempt 1 of 3 failed, retrying in 10s", True),
    ("DescribeTable throttled, retry 1/5 in 200 ms", True),
    ("Node [10.0.1.7:9200] failed (timeout); selected next node [10.0.1.8:9200]", True),
    ("BACKING OFF for 4s", True),
    ("Clean the data at location s3://b/p before retrying the query", False),
    ("The job will be retried by the scheduler", True),
    ("Task failed and will not retry", False),
    # a program's count of what it retried and got past
    ("render_map: fetched 78 tiles (2 retried after HTTP 503)", True),
    ("retried after the lock was released", False),
])
def test_the_retry_note_is_read_in_any_case_and_not_as_advice(line: str, retried: bool) -> None:
    from incident_responder.evidence.compaction import RETRIED

    assert bool(RETRIED.search(line)) is retried


def test_an_error_objects_message_field_is_never_shortened_as_data() -> None:
    # The SDK error object a Node function logs whole: its message is the reason, however long
    # (awslabs/aws-lambda-redshift-loader#177).
    obj = ('2020-11-24T17:40:03.077Z\tef2d94fb\tINFO\t{ "message": "The level of configured provisioned throughput '
           'for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.", '
           '"code": "ProvisionedThroughputExceededException", "time": "2020-11-24T17:40:03.077Z", "requestId": '
           '"2IVIAA06LEFJ2OEVCS23PJBJ3RVV4KQNSO5AEMVJF66Q9ASUAAJH", "statusCode": 400, "retryable": true, '
           '"retryDelay": 49.3, "note": "' + "x" * 120 + '" }')
    (line,) = compact([obj], budget_tokens=2000).lines
    assert "The level of configured provisioned throughput for the table was exceeded" in line.text


def test_a_package_the_package_manager_does_not_have_is_kept_over_its_progress_lines() -> None:
    # yum on Amazon Linux 2 asked for Python 2.7 packages it no longer has (commoncrawl/cc-mrjob#30): the line says
    # no error word, and the repository and install lines around it must not push it out.
    names = ("amzn", "core", "extras", "docker", "epel", "kernel", "ng", "emr", "apps", "platform", "updates",
             "source", "debug", "optional", "supplementary", "livepatch", "nginx", "corretto", "python", "ruby")
    before = [f"{a}-{b} | 1.8 kB 00:00" for a in names for b in names[:2]]
    after = [f"Installing {a}-{b}" for a in names for b in names[2:4]]
    lines = [*before, "No package python27 available.", *after, "sudo: pip-2.7: command not found"]
    texts = [line.text for line in compact(lines, budget_tokens=300).lines]
    assert "No package python27 available." in texts


def test_an_exception_with_no_message_keeps_the_source_line_that_raised_it() -> None:
    # HyP3's unzip of a granule with no .SAFE folder (ASFHyP3/hyp3-gamma#491): next() over nothing raises a bare
    # StopIteration; the line that called next() is what says why.
    lines = [
        "Traceback (most recent call last):",
        '  File "/usr/local/lib/python3.10/dist-packages/hyp3_gamma/util.py", line 46, in unzip_granule',
        "    safe_dir = next(item.filename for item in z.infolist() if item.filename.endswith('.SAFE/'))",
        "StopIteration",
    ]
    kept = _line(lines, "safe_dir = next(")
    assert kept.text.strip().startswith("safe_dir = next(")
    # With a message of its own, the exception says why: its source line stays a frame's.
    said = [*lines[:3], "KeyError: 'granule'"]
    assert not [c for c in compact(said).lines if "safe_dir" in c.text]


def test_program_output_carried_as_a_bytes_literal_is_read_line_by_line() -> None:
    # The single-cell portal's Seurat step logged R's whole stderr as one bytes literal; numpy's refusal is its
    # sixth line, far past any length one line is kept to (chanzuckerberg/single-cell-data-portal#4464).
    output = ("Loading required package: reticulate\\nLoading required namespace: Seurat\\n" + "Warning: x\\n" * 40 +
              "Error in (function (cond) : \\n error in evaluating the argument 'x': numpy.core._exceptions."
              "_ArrayMemoryError: Unable to allocate 267. GiB for an array with shape (1169213, 30639)\\n"
              "Execution halted\\n")
    line = f"ERROR:process_seurat:Seurat conversion failed: b'' b\"{output}\""
    texts = [c.text for c in compact([line]).lines]
    assert any(t.strip().startswith("error in evaluating the argument 'x'") and "267. GiB" in t for t in texts)
    assert any(t.startswith("ERROR:process_seurat:Seurat conversion failed") for t in texts)
    # A message that only quotes one escaped newline stays one line.
    assert [c.text for c in compact(["ERROR: bad value b'a\\nb'"]).lines] == ["ERROR: bad value b'a\\nb'"]


def test_a_wrapper_that_says_what_its_cause_says_is_kept_with_it() -> None:
    # An S3A upload's pool exhausted (the Databricks FAQ on multi-part uploads; apache/hudi#7130): the words people
    # search are the SDK's "Unable to execute HTTP request: ...", over the pool's own exception.
    lines = [
        "Caused by: org.apache.spark.SparkException: Task failed while writing rows.",
        "\tat org.apache.spark.sql.execution.datasources.FileFormatWriter$.executeTask(FileFormatWriter.scala:257)",
        "Caused by: com.amazonaws.SdkClientException: Unable to execute HTTP request: Timeout waiting for connection "
        "from pool",
        "\tat com.amazonaws.http.AmazonHttpClient$RequestExecutor.handleRetryableException(AmazonHttpClient.java:1175)",
        "Caused by: org.apache.http.conn.ConnectionPoolTimeoutException: Timeout waiting for connection from pool",
        "\t... 37 more",
    ]
    assert _line(lines, "ConnectionPoolTimeoutException").root
    assert _line(lines, "Unable to execute HTTP request").root
    assert not _line(lines, "Task failed while writing rows").root
    # A wrapper that says something else of its own stays a wrapper.
    other = [*lines[:2], "Caused by: java.io.IOException: Could not upload part 3", *lines[3:]]
    assert not _line(other, "Could not upload part").root


def test_a_clipped_line_drops_the_private_domain_of_its_hosts_but_not_of_a_path() -> None:
    # An HDFS lease collision logged by Spark (ldbc/ldbc_snb_datagen_spark#374): the reason is at the end, past two
    # hosts' domains the line can do without; a namenode URL keeps its host whole.
    line = ("22/02/17 20:58:15 INFO TaskSetManager: Lost task 44.3 in stage 43.0 (TID 6522) on "
            "ip-172-31-31-49.us-east-2.compute.internal, executor 4: org.apache.hadoop.ipc.RemoteException (Failed to "
            "CREATE_FILE hdfs://ip-172-31-5-7.us-east-2.compute.internal:8020/ldbc_snb_datagen/build/graphs/csv/raw/"
            "composite-merged-fk/dynamic/Forum_hasMember_Person/part_44_0.csv for DFSClient_NONMAPREDUCE_-1933521877_58"
            " on ip-172-31-31-49.ec2.internal because this file lease is currently owned by "
            "DFSClient_NONMAPREDUCE_515266291_56 on 172.31.19.8) [duplicate 3]")
    [kept] = compact([line]).lines
    assert "currently owned by DFSClient_NONMAPREDUCE_515266291_56" in kept.text
    assert "on ip-172-31-31-49, executor 4" in kept.text
    assert "us-east-2.compute.internal, executor" not in kept.text


def test_an_event_whose_message_goes_on_before_its_frames_keeps_those_lines() -> None:
    # sharp's error: its first line names the write, the next ones why (lovell/sharp#1661).
    event = ("2024-03-14T09:12:07.412Z\t5f3c\tERROR\tresize 1200x1200 failed: Error: vips__write: write failed\n"
             "unix error: No space left on device\nvips2png: unable to write to buffer\n\n"
             "    at Sharp._pipeline (/var/task/node_modules/sharp/lib/output.js:647:23)")
    [kept] = compact([event]).lines
    assert "write failed unix error: No space left on device" in kept.text
    assert "Sharp._pipeline" not in kept.text


def test_a_long_message_keeps_the_setting_it_names_as_the_fix() -> None:
    # apache/hudi#6278: Spark 3's rebase exception explains itself for 400 characters before the setting.
    line = ("22/08/01 06:59:01 WARN TaskSetManager: Lost task 97.0 in stage 2.0 (TID 98) (ip-10-20-0-103.ec2.internal "
            "executor 4): org.apache.spark.SparkUpgradeException: You may get a different result due to the upgrading "
            "of Spark 3.0: reading dates before 1582-10-15 or timestamps before 1900-01-01T00:00:00Z from Parquet "
            "files can be ambiguous, as the files may be written by Spark 2.x or legacy versions of Hive, which uses "
            "a legacy hybrid calendar that is different from Spark 3.0+'s Proleptic Gregorian calendar. See more "
            "details in SPARK-31404. You can set spark.sql.legacy.parquet.datetimeRebaseModeInRead to 'LEGACY' to "
            "rebase the datetime values w.r.t. the calendar difference during reading.")
    [kept] = compact([line]).lines
    assert "SparkUpgradeException" in kept.text
    assert "You can set spark.sql.legacy.parquet.datetimeRebaseModeInRead to 'LEGACY'" in kept.text
    assert kept.text.count("You can set") == 1
    # Without an exception's class in the line, the same: as much of the message as fits, then the setting.
    plain = line.split("SparkUpgradeException: ", 1)[1]
    [kept] = compact(["WARN " + plain]).lines
    assert kept.text.startswith("WARN You may get a different result")
    assert "You can set spark.sql.legacy.parquet.datetimeRebaseModeInRead to 'LEGACY'" in kept.text
    assert kept.text.count("You can set") == 1 and len(kept.text) <= 410


def batch_log_category(text: str) -> Category:
    """The category a Batch job's diagnosis gives with ``text`` as its one log line."""
    b = EvidenceBook()
    b.add("log", "/aws/batch/job", text)
    return signature_set().diagnose(b.items, "batch", {}).cause.category


def test_lines_a_log_agent_joined_under_a_routine_record_are_read_as_they_were_written() -> None:
    # awslogs-datetime-format starts an event at a dated line: the shell's "Killed" and the script's exit message
    # after the last INFO record arrive as that record's lines. Read whole, the event is an INFO line; read as
    # written, the kill is the failure (the same lines one per event).
    joined = ("2025-07-11 03:38:09 INFO farmstats: block 2/6 read (412 x 4 x 4096 x 4096)\nKilled\n"
              "run_farm.sh: farm stats failed for farm 2291 (exit 137)")
    apart = joined.split("\n")
    texts = [line.text for line in compact([LogLine(joined, "2025-07-11T03:38:09Z", "/ecs/farm")]).lines]
    assert texts == [line.text for line in compact([LogLine(t, "2025-07-11T03:38:09Z", "/ecs/farm")
                                                    for t in apart]).lines]
    assert "Killed" in texts and not any("\n" in t or " | " in t for t in texts)


def test_an_uncaught_traceback_joined_to_a_warning_is_the_failure_not_the_warnings_trace() -> None:
    joined = ("2024-03-02 04:11:09,551 WARNING loader: manifest has 3 late files, reading them anyway\n"
              "Traceback (most recent call last):\n"
              '  File "/app/load.py", line 88, in <module>\n'
              "    shutil.copyfileobj(src, dst)\n"
              "OSError: [Errno 28] No space left on device\n")
    (first, *_) = compact([LogLine("2024-03-02 04:10:00,000 INFO loader: start"), LogLine(joined)]).lines
    assert first.text == "OSError: [Errno 28] No space left on device"
    assert batch_log_category(first.text) == Category.DISK_FULL


def test_an_error_record_with_its_traceback_stays_one_event() -> None:
    event = ("2024-03-02 04:11:09,551 ERROR loader: copy failed\nTraceback (most recent call last):\n"
             '  File "/app/load.py", line 88, in <module>\n    shutil.copyfileobj(src, dst)\n'
             "OSError: [Errno 28] No space left on device")
    (line,) = compact([LogLine(event)]).lines
    assert line.text == ("2024-03-02 04:11:09,551 ERROR loader: copy failed | OSError: [Errno 28] No space left on "
                         "device")


def test_a_trace_with_no_cause_shows_the_exception_its_clean_up_suppressed() -> None:
    # Picard's spill to disk: the thrown exception says what it was doing; the suppressed one why it failed.
    event = ('Exception in thread "main" picard.PicardException: Exception writing ReadEnds to file.\n'
             "\tat picard.sam.markduplicates.util.ReadEndsForMarkDuplicatesCodec.encode(ReadEndsForMarkDuplicatesCodec"
             ".java:74)\n\tat htsjdk.samtools.util.SortingCollection.spillToDisk(SortingCollection.java:254)\n"
             "\tSuppressed: java.io.IOException: No space left on device\n"
             "\t\tat sun.nio.ch.FileDispatcherImpl.write0(Native Method)")
    (line,) = compact([LogLine(event)]).lines
    assert "PicardException: Exception writing ReadEnds to file." in line.text
    assert "Suppressed: java.io.IOException: No space left on device" in line.text
    assert batch_log_category(line.text) == Category.DISK_FULL


def test_a_clipped_refusal_keeps_who_was_refused_what_and_why_past_a_long_wrapper() -> None:
    # The role in the refusal is the finding (the instance role, where the task role was meant): a plain cut
    # stopped at "is not…".
    event = ("2025-06-04 01:21:46,421 ERROR compact.main: upload failed, aborting run\nTraceback (most recent call "
             'last):\n  File "/app/compact/io.py", line 212, in flush\n    self._s3.upload_file(local_path, bucket, '
             "key)\nboto3.exceptions.S3UploadFailedError: Failed to upload /tmp/compact/part-0000.parquet to "
             "acme-orders-curated/orders_compact/dt=2025-06-03/part-0000.parquet: An error occurred (AccessDenied) "
             "when calling the PutObject operation: User: arn:aws:sts::123456789012:assumed-role/ecs-etl-ec2-instance"
             "-role/i-0f3a7c9e1b5d2a4c6 is not authorized to perform: s3:PutObject on resource: \"arn:aws:s3:::acme-"
             "orders-curated/orders_compact/dt=2025-06-03/part-0000.parquet\" because no identity-based policy allows "
             "the s3:PutObject action")
    (line,) = compact([LogLine(event)]).lines
    assert len(line.text) <= 400
    assert line.text.startswith("2025-06-04 01:21:46,421 ERROR compact.main: upload failed, aborting run")
    assert ("User: arn:aws:sts::123456789012:assumed-role/ecs-etl-ec2-instance-role/i-0f3a7c9e1b5d2a4c6 is not "
            "authorized to perform: s3:PutObject on resource: ") in line.text
    assert line.text.endswith("because no identity-based policy allows the s3:PutObject action")


def test_a_cut_keeps_a_cause_word_that_sits_in_the_middle_of_an_exceptions_message() -> None:
    # just-work/django-video-transcoding#50: ffmpeg's progress lines carried in the exception's message, the cause
    # near their end, and the exception's last line after them.
    progress = "".join(f"[info] frame={n:>6} fps= 34 q=28.0 size= {n * 13}kB time=01:0{n % 10}:22.85 speed=1.36x \\r"
                       for n in range(90000, 90012))
    event = (f"[2020-05-25 10:04:08,551: ERROR/ForkPoolWorker-1] Task video_transcoding.tasks.transcode_video[3f1e] "
             f"raised unexpected: TranscodeError('{progress}[error] av_interleaved_write_frame(): No space left on "
             f"device\\n[error] Error writing trailer of /tmp/video-33/out.mp4: No space left on device\\n')\n"
             f"video_transcoding.transcoding.TranscodeError: [info] frame=   31 fps=0.0 q=0.0 size=       0kB")
    (line,) = compact([event], budget_tokens=2000).lines
    assert "No space left on device" in line.text


_MERGE_TRACE = [
    "Traceback (most recent call last):",
    '  File "/opt/job/merge_parts.py", line 88, in <module>',
    "    main()",
    '  File "/opt/job/merge_parts.py", line 61, in main',
    "    for result in executor.map(start_merging, parts):",
    '  File "/usr/local/lib/python3.10/concurrent/futures/process.py", line 570, in _chain_from_iterable_of_lists',
    "    for element in iterable:",
    '  File "/usr/local/lib/python3.10/site-packages/pyarrow/parquet/core.py", line 3, in read_table',
    "    raise ArrowInvalid(msg)",
    "concurrent.futures.process.BrokenProcessPool: A process in the process pool was terminated abruptly",
]


@pytest.mark.parametrize("one_event", [True, False], ids=["one event", "one event per line"])
def test_a_python_exception_is_shown_with_the_line_of_the_jobs_own_code_that_raised_it(one_event: bool) -> None:
    # The exception says what failed; the innermost frame outside the interpreter's library and the installed
    # packages says which line of the job called into it, with its source.
    lines = ["\n".join(_MERGE_TRACE)] if one_event else list(_MERGE_TRACE)
    top = compact(lines, budget_tokens=2000).lines[0]
    assert top.text.startswith("concurrent.futures.process.BrokenProcessPool: A process in the process pool")
    assert top.raised_at == "/opt/job/merge_parts.py:61 in main: for result in executor.map(start_merging, parts):"
    assert "merge_parts.py" not in top.text  # the words the diagnosis reads stay the exception's


def test_a_traceback_only_through_libraries_names_no_line_of_the_job() -> None:
    trace = [_MERGE_TRACE[0], *_MERGE_TRACE[5:]]  # from the interpreter's library on: no frame of the job's
    assert compact(["\n".join(trace)], budget_tokens=2000).lines[0].raised_at is None
    assert compact(["ValueError: no traceback above me"]).lines[0].raised_at is None


def test_a_chained_traceback_is_shown_with_the_jobs_line_of_its_root_cause() -> None:
    event = "\n".join([
        "Traceback (most recent call last):",
        '  File "/var/task/loader.py", line 12, in load',
        '    frame = pd.read_csv(f"s3://raw-bucket/{key}")',
        "FileNotFoundError: raw-bucket/exports/2024-06-02.csv",
        "",
        "During handling of the above exception, another exception occurred:",
        "",
        "Traceback (most recent call last):",
        '  File "/var/task/loader.py", line 15, in load',
        '    notify(f"missing {key}")',
        "KeyError: 'SLACK_HOOK'",
    ])
    (line,) = compact([event], budget_tokens=2000).lines
    assert line.raised_at == '/var/task/loader.py:12 in load: frame = pd.read_csv(f"s3://raw-bucket/{key}")'


def test_the_jobs_source_line_under_a_frame_is_redacted_and_bounded() -> None:
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    event = "\n".join([
        "Traceback (most recent call last):",
        '  File "/app/export.py", line 40, in connect',
        f'    conn = psycopg2.connect("postgresql://etl:{secret}@db.internal:5432/dw?" + "x" * 400)',
        "psycopg2.OperationalError: could not connect to server: Connection refused",
    ])
    (line,) = compact([event], budget_tokens=2000).lines
    assert line.raised_at is not None and line.raised_at.startswith("/app/export.py:40 in connect: conn =")
    assert secret not in line.raised_at and len(line.raised_at) <= 160


def test_a_message_framed_between_two_rules_is_kept_as_one_line() -> None:
    # Open MPI's help text, one line an event (open-mpi/ompi#6020): its first line names the cause, the others only
    # continue it; read line by line, the first was dropped and only "Either request fewer slots ..." was kept.
    rule = "-" * 74
    framed = ["There are not enough slots available in the system to satisfy the 32 slots",
              "that were requested by the application:", "  ABYSS-P",
              "Either request fewer slots for your application, or make more slots available", "for use."]
    lines = ["+ mpirun -np 32 ABYSS-P -k96", rule, *framed, rule, "+ rc=1", "+ exit 1"]
    texts = [line.text for line in compact(lines).lines]
    assert ("There are not enough slots available in the system to satisfy the 32 slots that were requested by the "
            "application: ABYSS-P Either request fewer slots") in " ".join(texts)
    assert rule not in texts
    # A rule with no closing one within a few lines frames nothing: the lines stay as they were.
    loose = compact([rule, *(f"row {i}: ok" for i in range(20))])
    assert not any("row 0: ok row 1: ok" in line.text for line in loose.lines)


def test_rakes_abort_is_joined_with_the_message_under_it_and_ruby_frames_are_frames() -> None:
    # r7kamura/mastodon-terraform#25: strong_migrations raises a message-only RuntimeError; Rake prints "rails
    # aborted!", the message on the next line, then the frames. The message was dropped, a frame kept instead.
    lines = ["rails aborted!", "Set SAFETY_ASSURED=1 to run this task in production",
             "/app/vendor/bundle/ruby/2.4.0/gems/strong_migrations-0.1.9/lib/tasks/strong_migrations.rake:5:in "
             "`block (2 levels) in <top (required)>'",
             "/app/vendor/bundle/ruby/2.4.0/gems/bootsnap-1.1.5/lib/bootsnap/load_path_cache/core_ext/kernel_require.rb"
             ":17:in `require'",
             "bin/rails:4:in `<main>'", "Tasks: TOP => db:setup => db:schema:load"]
    texts = [line.text for line in compact(lines).lines]
    assert "rails aborted! Set SAFETY_ASSURED=1 to run this task in production" in texts
    assert _is_frame(lines[3]) and _is_frame(lines[4])
    # The line that raised, with its message after the method, is no frame.
    assert not _is_frame("/app/lib/sync.rb:12:in `fetch': undefined method `[]' for nil:NilClass (NoMethodError)")


def test_a_dotnet_inner_exceptions_deepest_message_is_kept_unless_it_says_nothing() -> None:
    # dotnet/runtime#80641: the OpenSSL error is the last inner exception of four; the line is clipped around it.
    tls = ("FATAL Manifest upload failed for {ManifestDate}; carrier was not notified of {Count} shipments "
           "(ManifestDate=2023-01-15; Count=412) | System.Net.Http.HttpRequestException: The SSL connection could not "
           "be established, see inner exception. ---> System.Security.Authentication.AuthenticationException: "
           "Authentication failed, see inner exception. ---> Interop+OpenSsl+SslException: SSL Handshake failed with "
           "OpenSSL error - SSL_ERROR_SSL. ---> Interop+Crypto+OpenSslCryptographicException: error:0A000152:SSL "
           "routines::unsafe legacy renegotiation disabled")
    assert "unsafe legacy renegotiation disabled" in compact([tls]).lines[0].text
    # An inner exception thrown without a message of its own leaves the service's refusal above it in view.
    refused = ("Unhandled exception. Amazon.SimpleSystemsManagement.AmazonSimpleSystemsManagementException: User: "
               "arn:aws:sts::123456789012:assumed-role/api-dev-taskrole/b3d2288234f84e6890309f446b99639f is not "
               "authorized to perform: ssm:GetParametersByPath on resource: arn:aws:ssm:us-east-1:123456789012:"
               "parameter/ommyx/dev because no identity-based policy allows the ssm:GetParametersByPath action "
               "---> Amazon.Runtime.Internal.HttpErrorResponseException: Exception of type "
               "'Amazon.Runtime.Internal.HttpErrorResponseException' was thrown.")
    assert "is not authorized to perform: ssm:GetParametersByPath" in compact([refused]).lines[0].text


def test_glog_lines_carry_their_level_in_the_first_letter() -> None:
    # Triton and other C++ servers log with glog: "W1202 08:15:20.590871 1 file.cc:236] ..." is a warning, "I..."
    # routine, "E..." an error (triton-inference-server/server#3645's log).
    warning = ("W1202 08:15:20.590871 1 pinned_memory_manager.cc:236] Unable to allocate pinned system memory, "
               "pinned memory pool will not be available: CUDA driver version is insufficient for CUDA runtime version")
    assert log_level(warning) == "WARNING"
    assert log_level("I1202 08:15:20.591004 1 cuda_memory_manager.cc:115] CUDA memory pool disabled") == "INFO"
    assert is_routine("I1202 08:15:20.591004 1 cuda_memory_manager.cc:115] CUDA memory pool disabled")
    error = ("E1202 08:15:33.456811 1 model_repository_manager.cc:1215] failed to load 'intent_classifier' version 1: "
             "Internal: failed to stat file /tmp/foldert7APhn/1/model.onnx")
    assert log_level(error) == "ERROR" and error_weight(error) > error_weight(error[1:])
    # A word that merely starts with such a letter is no level.
    assert log_level("Ingesting 1202 rows") is None
    # TensorFlow's own C++ logging puts the letter after the date and time (tensorflow/tensorflow#31622's log).
    tf_error = ("2019-08-15 03:12:39.814460: E tensorflow/stream_executor/cuda/cuda_dnn.cc:319] Loaded runtime CuDNN "
                "library: 7.4.1 but source was compiled with: 7.6.0.")
    assert log_level(tf_error) == "ERROR" and error_weight(tf_error) > 0
    assert is_routine("2019-08-15 03:12:33.660882: I tensorflow/stream_executor/platform/default/dso_loader.cc:44] "
                      "Successfully opened dynamic library libcudnn.so.7")


def test_a_failed_pip_build_keeps_the_package_it_was_building() -> None:
    """pip's own failure lines never name the package; the source archive it fetched last does, and is kept over
    pip's boilerplate and the build's chatter."""
    log = [
        "Collecting boto3==1.38.27 (from -r /app/requirements.txt (line 1))",
        "  Downloading boto3-1.38.27-py3-none-any.whl.metadata (6.6 kB)",
        "Collecting numpy (from -r /app/requirements.txt (line 3))",
        "  Downloading numpy-2.3.0.tar.gz (20.4 MB)",
        "  Installing build dependencies: finished with status 'done'",
        "  Preparing metadata (pyproject.toml): finished with status 'error'",
        "  error: subprocess-exited-with-error",
        "  × Preparing metadata (pyproject.toml) did not run successfully.",
        "  │ exit code: 1",
        "  ╰─> [20 lines of output]",
        *[f"      Build step {i} of the vendored meson" for i in range(12)],
        "      [end of output]",
        "  note: This error originates from a subprocess, and is likely not a problem with pip.",
        "error: metadata-generation-failed",
        "× Encountered error while generating package metadata.",
        "╰─> See above for output.",
        "note: This is an issue with the package mentioned above, not pip.",
        "hint: See above for details.",
    ]
    text = shown(compact(log, max_lines=8))
    assert "Downloading numpy-2.3.0.tar.gz" in text
    assert "did not run successfully" in text
    assert "boto3" not in text and "not a problem with pip" not in text and "See above" not in text


def test_work_started_by_cron_is_said_once_and_its_command_redacted() -> None:
    # kshcherban/acme-nginx#51: a job cron starts in the container finds no credentials (cron gives its jobs an
    # environment of its own). The cron line is evidence of how the work runs; its command may carry a secret.
    from tests.collectors import stepfunctions_collector

    c = stepfunctions_collector()
    lines = [LogLine("crond: USER root pid 101 cmd /app/bin/sync.sh --password=hunter2secret", "2024-03-11T00:15:01Z"),
             LogLine("ERROR - Unable to locate credentials", "2024-03-11T00:15:06Z"),
             LogLine("crond: USER root pid 102 cmd /app/bin/sync.sh --password=hunter2secret", "2024-03-11T00:30:01Z")]
    c.add_compacted(lines, "/ecs/feed-sync", None)
    c.add_compacted(lines, "/ecs/feed-sync", None)
    cron = [ev for ev in c.book.items if ev.facts.get("cron")]
    assert len(cron) == 1 and cron[0].kind == "config"
    assert "hunter2secret" not in cron[0].text and "/app/bin/sync.sh" in cron[0].text
    # A log without a cron daemon's lines says nothing of it.
    plain = stepfunctions_collector()
    plain.add_compacted([LogLine("ERROR - Unable to locate credentials", "2024-03-11T00:15:06Z")], "/ecs/x", None)
    assert not any(ev.facts.get("cron") for ev in plain.book.items)
