"""What changed, for EMR Serverless, Athena, Glue crawlers, Glue Data Quality and Lambda: how each reads its
runs (query shapes, Spark settings, crawl summaries, REPORT lines), and the trends a report shows."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from incident_responder.evidence.changes import Series, trend
from incident_responder.sources.athena.changes import query_shape
from incident_responder.sources.emrserverless.changes import _facts as emrs_facts
from incident_responder.sources.gluecrawler.changes import tables_changed
from incident_responder.sources.sparksizing import spark_conf
from incident_responder_local.replay import run_scenario

lambda_changes = importlib.import_module("incident_responder.sources.lambda.changes")
SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def test_the_same_athena_query_on_another_day_has_the_same_shape_and_its_literals_are_the_input() -> None:
    a, lit_a = query_shape("SELECT uri FROM logs.cf WHERE day = '2024-05-10' AND status = 503")
    b, lit_b = query_shape("select uri\n  from logs.cf\n where day = '2024-05-11' and status = 503;  -- daily")
    assert a == b
    assert lit_a == ["'2024-05-10'", "503"] and lit_b == ["'2024-05-11'", "503"]
    assert query_shape("SELECT uri FROM logs.cf WHERE status = 503")[0] != a  # a dropped filter is another query


def test_spark_settings_are_compared_key_by_key_and_memory_in_mib() -> None:
    assert spark_conf("--conf spark.executor.memory=4g --conf spark.executor.cores=2 --name daily") == {
        "spark.executor.memory": "4g", "spark.executor.cores": "2", "--name": "daily"}
    run = {"jobDriver": {"sparkSubmit": {"entryPoint": "s3://code/job.py", "entryPointArguments": ["--day", "1"],
                                         "sparkSubmitParameters": "--conf spark.executor.memory=512m"}},
           "releaseLabel": "emr-7.1.0"}
    facts = emrs_facts("run-1", run)
    assert facts.definition["memory per executor (MiB)"] == 512
    assert facts.definition["release"] == "emr-7.1.0"
    assert facts.inputs["entryPointArguments"] == ["--day", "1"]
    assert "spark.executor.memory" not in facts.inputs["sparkSubmitParameters"]  # said once, as a definition


def test_a_crawl_summary_counts_the_tables_added_and_updated() -> None:
    summary = ('{"TABLE": {"ADD": {"Count": 2}, "UPDATE": {"Count": 3}, "DELETE": {"Count": 9}}, '
               '"PARTITION": {"ADD": {"Count": 40}}}')
    assert tables_changed(summary) == 5
    assert tables_changed("not json") is None
    assert tables_changed('{"PARTITION": {"ADD": {"Count": 1}}}') is None  # says nothing of tables


def test_lambda_report_lines_mark_each_invocation_and_the_failed_ones() -> None:
    ok, bad, timed_out = ("0b7e5d11-84c2-4f3e-a1d9-6c2f0e8b4a57", "6f1c2a94-3b7d-4e0a-9c55-2d8e41f7a0b3",
                          "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a")
    events = [
        {"timestamp": 1_000, "message": f"REPORT RequestId: {ok}\tDuration: 1200.5 ms\tBilled Duration: 1201 ms\t"
                                        "Memory Size: 512 MB\tMax Memory Used: 301 MB"},
        {"timestamp": 2_000, "message": f"[ERROR]\t2024-03-14T02:15:08Z\t{bad}\tKeyError: 'id'"},
        {"timestamp": 2_100, "message": f"REPORT RequestId: {bad}\tDuration: 80.1 ms\tBilled Duration: 81 ms\t"
                                        "Memory Size: 512 MB\tMax Memory Used: 90 MB"},
        {"timestamp": 3_000, "message": f"REPORT RequestId: {timed_out}\tDuration: 3000.0 ms\tBilled Duration: 3000 ms"
                                        "\tMemory Size: 512 MB\tMax Memory Used: 120 MB\tStatus: timeout"},
    ]
    reports, failed = lambda_changes.invocations(events)
    assert [r["id"] for r in reports] == [ok, bad, timed_out]
    assert failed == {bad, timed_out}
    assert reports[0]["used"] == 301 and reports[0]["size"] == 512 and reports[0]["seconds"] == 1.2005


def test_each_sandbox_start_gives_the_runtime_version_it_ran_on_in_either_log_format() -> None:
    events = [
        {"timestamp": 3_000, "message": "INIT_START Runtime Version: provided:al2.v20\tRuntime Version ARN: "
                                        "arn:aws:lambda:us-west-2::runtime:7d3f"},
        {"timestamp": 1_000, "message": "INIT_START Runtime Version: provided:al2.v19\tRuntime Version ARN: "
                                        "arn:aws:lambda:us-west-2::runtime:4b8e"},
        {"timestamp": 2_000, "message": '{"time": "2024-01-01T00:00:02.000Z", "type": "platform.initStart", '
                                        '"record": {"runtimeVersion": "python:3.12.v27", "phase": "init"}}'},
        {"timestamp": 2_500, "message": "START RequestId: 6f1c2a94-3b7d-4e0a-9c55-2d8e41f7a0b3 Version: $LATEST"},
    ]
    assert [v for _, v in lambda_changes.runtime_versions(events)] == ["provided:al2.v19", "python:3.12.v27",
                                                                        "provided:al2.v20"]


def test_a_memory_trend_reads_in_mb_next_to_the_memory_size() -> None:
    series = Series("max memory used by fn", [690, 745, 801, 870, 950, 1024], limit=1024,
                    limit_label="memory size", aspect="memory_trend", unit="MB")
    text, facts = trend(series.subject, series.values, series.limit, series.limit_label, series.unit) or ("", {})
    assert text == "max memory used by fn over 6 runs ▁▂▃▅▇█, 690 MB → 1024 MB, memory size 1024 MB"
    assert facts["rising"] and facts["near_limit"]


def test_a_lambda_failure_with_no_good_invocation_in_its_logs_says_so(slack_emulator: Any) -> None:
    result = run_scenario(SCENARIOS / "lambda_timeout", slack_emulator)
    report = result["report"]
    gaps = [g for g in report["gaps"] if g.startswith("what changed: no earlier successful run of")]
    assert gaps and "logs:FilterLogEvents" in gaps[0], report["gaps"]
    assert not [e for e in report["evidence"] if e["kind"] == "change"]
    assert result["api_calls_changes"] == {"logs.FilterLogEvents": 1}
