"""Replay every scenario folder under tests/scenarios through the analyze handler, and check what people see.

Each folder is replayed once per session (``run_scenario``: a fresh local AWS account, the shared local
Slack) and must pass its ``expect.yaml`` (every key replay knows: ``incident_responder_local.expectations``).
The tests below them assert Step Functions behaviour a user would notice in particular reports.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.conftest import emf_metrics

from incident_responder.sources.base import CHILD_CALL_BUDGET
from incident_responder_local.expectations import slack_text as _slack_dump
from incident_responder_local.replay import discover, run_scenario

HERE = Path(__file__).resolve().parent
SCENARIOS = discover([HERE])
Result = dict[str, Any]

# What one Step Functions report may cost in AWS API calls in a fresh container: a report on a Lambda task
# makes 7 (states GetExecutionHistory, logs FilterLogEvents in the task's window, dynamodb PutItem for the
# claim, Scan for the catalog, Query for grouping, UpdateItem to save, secretsmanager GetSecretValue for
# the Slack token), 8 with one more piece of evidence (a Glue table of the pipeline, a child execution, tags
# when the catalog has no entry). A warm container reuses the catalog and the token: 2 fewer
# (benchmarks/bench_replay.py measures both).
MAX_API_CALLS = 8
# The comparison with the last good run (evidence/changes.py) has a budget of its own, counted apart
# (``api_calls_changes``): the baseline lookup and the differences of any source's report.
MAX_CHANGE_CALLS = 3

# A report on a task that ran a Batch job, an ECS task, a Glue job run, an EMR step, an Athena query, an
# EMR Serverless or EMR on EKS job run or a Lambda invocation also reads that child run with its own collector, at most
# CHILD_CALL_BUDGET calls (each log window or log object one): a Glue child makes 4 (GetJobRun, GetJob,
# the error and output log windows), a Batch child 2 (DescribeJobs and its streams), an ECS child 3, an
# EMR child up to 6 (DescribeStep, DescribeCluster, stderr, syslog, the YARN listing and containers), an
# Athena child 2 (GetQueryExecution, GetWorkGroup), an EMR Serverless child 4 (GetJobRun, GetApplication,
# the driver's stderr and stdout), an EMR on EKS child 3 (DescribeJobRun, the driver's stderr and stdout
# streams; 5 with the failed executors' streams listed and read), a Lambda child 2
# (GetFunctionConfiguration and the task's log window, which a Lambda task reads anyway), a nested execution its history and its own task's reads, a Distributed
# Map's failed child execution up to 4 (ListExecutions of the map run, FAILED then TIMED_OUT, the child's
# history and its task's log window). Only reports that followed a child get the extra calls.
MAX_API_CALLS_WITH_CHILD = MAX_API_CALLS + CHILD_CALL_BUDGET
_CHILD_READS = {"batch.DescribeJobs", "ecs.DescribeTasks", "glue.GetJobRun", "elasticmapreduce.DescribeStep",
                "athena.GetQueryExecution", "emr-serverless.GetJobRun", "emr-containers.DescribeJobRun",
                "lambda.GetFunctionConfiguration",
                "states.ListExecutions"}


def _event(path: Path) -> dict[str, Any]:
    return json.loads((path / "event.json").read_text(encoding="utf-8"))


def _expect(path: Path) -> dict[str, Any]:
    file = path / "expect.yaml"
    return (yaml.safe_load(file.read_text(encoding="utf-8")) or {}) if file.is_file() else {}


# The Step Functions scenarios: sfn_*, and child_* whose child a task ran.
_STEP_FUNCTIONS_NAME = re.compile(r"(\d+_)?(sfn_|child_)")


@pytest.fixture(scope="session")
def replayed(slack_emulator: Any) -> Callable[[str], Result]:
    """The replay of a scenario by folder name, run once per session."""
    cache: dict[str, Result] = {}

    def get(name: str) -> Result:
        if name not in cache:
            cache[name] = run_scenario(HERE / name, slack_emulator)
        return cache[name]

    return get


# One test per scenario, so that each is replayed once per run whichever worker runs it: what it must show
# (expect.yaml), and, for a scenario that posts a report, the AWS calls the report may make.
@pytest.mark.parametrize("path", SCENARIOS, ids=[p.name for p in SCENARIOS])
def test_scenario(path: Path, replayed: Callable[[str], Result]) -> None:
    result = replayed(path.name)
    failures = list(result["check"]["failures"])
    expect = _expect(path)
    if expect.get("posts"):
        if _STEP_FUNCTIONS_NAME.match(path.name) and _event(path).get("source") == "aws.states":
            failures += _step_functions_calls_over_budget(result)
        if expect.get("category"):
            failures += _comparison_calls_over_budget(result)
    assert not failures, f"{path.name}:\n" + "\n".join(failures) + f"\n(outcome {result['outcome']})"


def _step_functions_calls_over_budget(result: Result) -> list[str]:
    """A Step Functions report within MAX_API_CALLS (with a child it followed, MAX_API_CALLS_WITH_CHILD)."""
    calls = result["api_calls"]
    if not calls:
        return ["a posted report made no AWS call at all: the counter is not wired"]
    total = sum(calls.values())
    # A nested execution the task started is a child too: its history is a second GetExecutionHistory.
    followed = _CHILD_READS & set(calls) or calls.get("states.GetExecutionHistory", 0) > 1
    budget = MAX_API_CALLS_WITH_CHILD if followed else MAX_API_CALLS
    return [f"{total} AWS API calls (budget {budget}): {calls}"] if total > budget else []


def _comparison_calls_over_budget(result: Result) -> list[str]:
    """The comparison with the last good run within MAX_CHANGE_CALLS; a Step Functions report always looks for its
    baseline (one ListExecutions)."""
    changes = result["api_calls_changes"]
    failures = [f"the comparison made {sum(changes.values())} AWS calls (budget {MAX_CHANGE_CALLS}): {changes}"
                ] if sum(changes.values()) > MAX_CHANGE_CALLS else []
    if (result["report"] is not None and result["report"]["source"] == "stepfunctions"
            and changes.get("states.ListExecutions") != 1):
        failures.append(f"a Step Functions report looks for its baseline once: {changes}")
    return failures


def test_a_report_without_a_baseline_says_so(replayed: Callable[[str], Result]) -> None:
    report, slack = _report(replayed, "sfn_lambda_oom")
    gap = "what changed: no earlier successful run of clickstream-sessionize to compare with"
    assert any(g.startswith(gap) for g in report["gaps"]), report["gaps"]
    assert not [e for e in report["evidence"] if e["kind"] == "change"]
    assert gap in _slack_dump(slack[0])


# -- what a user notices in particular reports -------------------------------------------------------
def _report(replayed: Callable[[str], Result], name: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    result = replayed(name)
    assert result["report"] is not None, f"{name}: no report ({result['outcome']})"
    return result["report"], result["slack"]


def test_timeout_report_tells_which_function_to_fix(replayed: Callable[[str], Result]) -> None:
    report, slack = _report(replayed, "sfn_lambda_timeout")
    assert report["probable_cause"]["category"] == "timeout"
    steps = report["next_steps"]
    assert any("--function-name orders-enrich --timeout" in s for s in steps), steps
    assert "orders-enrich" in report["probable_cause"]["explanation"]
    # ... and the same advice is in the Slack message people read.
    assert "--function-name orders-enrich" in _slack_dump(slack[0])


def test_oom_report_cites_the_invocations_report_line(replayed: Callable[[str], Result]) -> None:
    report, _ = _report(replayed, "sfn_lambda_oom")
    lines = [e for e in report["evidence"] if e["text"].startswith("REPORT RequestId:")]
    assert len(lines) == 1, [e["text"] for e in report["evidence"]]
    line = lines[0]
    assert "Memory Size: 1024 MB" in line["text"] and "Max Memory Used: 1024 MB" in line["text"]
    assert line["source"].startswith("/aws/lambda/clickstream-sessionize-batch")
    assert line["id"] in report["probable_cause"]["evidence_ids"]
    assert report["probable_cause"]["category"] == "out_of_memory"


def test_nested_report_points_at_the_failed_child(replayed: Callable[[str], Result]) -> None:
    report, slack = _report(replayed, "sfn_nested_child_failed")
    child = _expect(HERE / "sfn_nested_child_failed")["child_execution"]
    child_arn = f"arn:aws:states:eu-west-1:123456789012:execution:datalake-ingest-sales:{child}"
    cause = report["probable_cause"]
    assert cause["category"] == "permission_denied"  # the child's own cause, found with high confidence
    link = next((lk for lk in report["links"] if lk["url"].endswith(child_arn)), None)
    assert link is not None and child in link["label"], report["links"]
    assert child in cause["explanation"] and child in report["next_steps"][0]
    # The child's own error is evidence, cited by the cause, and named in the explanation.
    child_error = [e for e in report["evidence"] if e["text"].startswith("Nested execution: ")
                   and "AccessDenied" in e["text"]]
    assert child_error and child_error[0]["id"] in cause["evidence_ids"]
    assert "nested execution" in cause["explanation"] and "Root cause:" in cause["explanation"]
    assert child_arn in _slack_dump(slack[0])


def test_aborted_execution_is_low_severity_without_redrive(replayed: Callable[[str], Result]) -> None:
    report, slack = _report(replayed, "sfn_execution_aborted")
    assert report["probable_cause"]["category"] == "manual_stop"
    assert report["pipeline"]["criticality"] == "high"  # low despite a high-criticality pipeline
    assert report["severity"] == "low"
    assert report["actions"] == []
    assert "Redrive" not in _slack_dump(slack[0])


def test_succeeded_execution_posts_nothing_and_reads_no_evidence(replayed: Callable[[str], Result]) -> None:
    result = replayed("sfn_succeeded_not_reported")
    assert result["outcome"] == "skipped"
    assert result["report"] is None
    assert result["slack"] == []
    # No evidence is read for a success (the redrive hook's audit lookup is the only call).
    assert not [c for c in result["api_calls"] if c.split(".")[0] in {"states", "logs", "secretsmanager"}], \
        result["api_calls"]


def test_secrets_never_reach_slack_or_the_report(replayed: Callable[[str], Result]) -> None:
    report, slack = _report(replayed, "sfn_secret_redaction")
    secrets = _expect(HERE / "sfn_secret_redaction")["must_not_contain"]
    texts = [json.dumps(report, ensure_ascii=False)] + [_slack_dump(m) for m in slack]
    assert slack
    for text in texts:
        assert "AKIA" not in text
        for secret in secrets:
            assert secret not in text
    # Redacted, not dropped: the line that logged the URL is still evidence.
    assert any("postgresql://etl_user:[REDACTED:url_password]@" in e["text"] and e["kind"] == "log"
               for e in report["evidence"])


def test_deleted_log_group_is_reported_as_a_gap(replayed: Callable[[str], Result]) -> None:
    report, slack = _report(replayed, "sfn_log_group_deleted")
    assert report["gaps"][0] == "log group /aws/lambda/invoice-pdf-renderer not found"
    assert report["gaps"][1:] == ["what changed: no earlier successful run of invoice-pdf-render to compare with "
                                  "(states:ListExecutions SUCCEEDED, newest 14)"]
    assert report["probable_cause"]["category"] == "timeout"  # from the history alone
    assert "log group /aws/lambda/invoice-pdf-renderer not found" in _slack_dump(slack[0])


@pytest.mark.parametrize("name", ["01_sfn_lambda_timeout", "sfn_nested_child_failed"])
def test_a_warm_container_reports_within_six_calls(name: str, slack_emulator: Any) -> None:
    """The second failure in the same container reads neither the catalog nor the Slack token again (the
    describe of a child run the task ran, such as the Lambda function's configuration, comes on top)."""
    from incident_responder.aws import api_calls, reset_api_calls
    from incident_responder_local.replay import Scenario
    from incident_responder_local.runtime import LocalStack

    scenario = Scenario.load(HERE / name)
    slack_emulator.reset()
    with LocalStack(scenario.world, slack=slack_emulator) as stack:
        stack.invoke("AnalyzeFunction", scenario.event)
        table = stack.session.resource("dynamodb").Table(stack.env["INCIDENTS_TABLE"])
        for item in table.scan()["Items"]:  # as if another execution failed the same way
            table.delete_item(Key={"incident_id": item["incident_id"]})
        reset_api_calls()
        result, _ = stack.invoke("AnalyzeFunction", {**scenario.event, "id": "another-run"})
        calls = api_calls()
    assert result["status"] == "posted"
    assert sum(calls.values()) - sum(calls.get(read, 0) for read in _CHILD_READS) <= 6, calls
    assert "dynamodb.Scan" not in calls and "secretsmanager.GetSecretValue" not in calls


def test_each_replayed_container_starts_cold(slack_emulator: Any) -> None:
    """The local runtime keeps its boto3 clients between replays, not what the code kept: a second replay of the same
    failure reads the catalog and the Slack token again, as a new Lambda container would, and makes the same calls."""
    first = run_scenario(HERE / "01_sfn_lambda_timeout", slack_emulator)
    again = run_scenario(HERE / "01_sfn_lambda_timeout", slack_emulator)
    assert again["api_calls"] == first["api_calls"]
    assert {"dynamodb.Scan", "secretsmanager.GetSecretValue"} <= set(again["api_calls"])
    assert again["outcome"] == "posted" and again["check"]["passed"]


def test_an_answer_by_the_agent_publishes_its_tokens_and_cost(replayed: Callable[[str], Result]) -> None:
    """Each agent-written thread answer is counted per incident: calls, tokens, cost (CloudWatch EMF)."""
    result = replayed("agent_thread_question")
    logs = "".join(step.get("worker_log", "") for step in result["thread"])
    assert {"AgentCalls", "AgentInputTokens", "AgentCostUSD"} <= set(emf_metrics(logs))
