"""Evidence where the cause actually is: the child run a Step Functions task started, read with its own
service's collector (marked as the child's, within a call budget), and a task's cause JSON parsed so
the fields that say why are never cut. Against moto (the local world of tests/scenarios/child_*)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from tests.conftest import SCENARIOS

from incident_responder.aws import AwsContext
from incident_responder.config import settings
from incident_responder.model import EvidenceBook, Incident
from incident_responder.sources import adapter
from incident_responder.sources.base import ChildCollector, Collector
from incident_responder.sources.stepfunctions.evidence import cause_text
from incident_responder_local.replay import Scenario
from incident_responder_local.runtime import LocalStack


@pytest.fixture
def stack(request: pytest.FixtureRequest) -> Iterator[LocalStack]:
    scenario = Scenario.load(SCENARIOS / request.param)
    with LocalStack(scenario.world) as local:
        local.scenario = scenario  # type: ignore[attr-defined]
        yield local


def collect(stack: LocalStack, name: str, fresh: bool = False) -> Collector:
    """The scenario's event collected by adapter ``name``; ``fresh``: in a session made after the world was
    loaded, which has the world's answer handlers (the Athena and Lambda fields moto cannot set)."""
    import boto3

    src = adapter(name)
    incident = src.parse(stack.scenario.event)  # type: ignore[attr-defined]
    assert isinstance(incident, Incident)
    session = boto3.Session(region_name=incident.region) if fresh else stack.session
    c = Collector(incident, AwsContext(region=incident.region, session=session), settings(),
                  EvidenceBook(), context=src.context_type())
    src.collect(c)
    return c


@pytest.mark.parametrize("stack", ["child_sfn_batch_oom"], indirect=True)
def test_a_batch_child_is_read_with_the_batch_collector_and_marked_as_the_childs(stack: LocalStack) -> None:
    c = collect(stack, "stepfunctions")
    child = [e for e in c.book.items if e.facts.get("child")]
    parent = [e for e in c.book.items if not e.facts.get("child")]
    # The job's own attempt, its limits and its log lines are the child's; the history is the parent's.
    assert any("OutOfMemoryError: Container killed due to memory usage" in e.text and e.facts["exit_code"] == 137
               for e in child)
    assert any(e.kind == "log" and "sorting 7.4 GiB" in e.text for e in child)
    assert all(e.facts["child_source"] == "batch" for e in child)
    assert any(e.source == "states:GetExecutionHistory" and "AlignSample" in e.text for e in parent)
    assert not any(e.source.startswith("batch") for e in parent)
    # The parent's context stays the Step Functions one; the child's link is in the report.
    assert c.context.get("state") == "AlignSample"
    assert any("jobs/detail/6d1e0f3a" in link.url for link in c.links)


@pytest.mark.parametrize("stack", ["child_sfn_glue_executor"], indirect=True)
def test_a_child_past_its_call_budget_leaves_a_gap_not_a_lost_report(stack: LocalStack) -> None:
    parent = Collector(_glue_incident(stack), AwsContext(region="eu-west-1", session=stack.session), settings(),
                       EvidenceBook())
    glue = adapter("glue")
    child = ChildCollector(parent, parent.incident, glue.context_type(), budget=2)
    glue.collect(child)
    added = child.finish()
    assert child.calls == 2  # GetJobRun and GetJob; the log windows were refused
    assert any("limited to 2 AWS calls" in g for g in parent.book.gaps)
    assert added and all(e.facts["child"] for e in added)
    assert any("Job aborted" in e.text for e in added)


def _glue_incident(stack: LocalStack) -> Incident:
    run = stack.scenario.world.data["glue"]["job_runs"][0]  # type: ignore[attr-defined]
    parsed = adapter("glue").parse({"id": "t", "detail-type": "Glue Job State Change", "source": "aws.glue",
                                    "region": "eu-west-1", "account": "123456789012",
                                    "time": "2024-05-06T04:22:35Z",
                                    "detail": {"jobName": run["JobName"], "jobRunId": run["Id"],
                                               "state": "FAILED"}})
    assert isinstance(parsed, Incident)
    return parsed


def test_a_cause_keeps_the_fields_that_say_why_whole() -> None:
    trace = [f'  File "/var/task/app.py", line {n}, in step_{n}' for n in range(40)]
    cause = json.dumps({"errorType": "KeyError", "errorMessage": "'partner_id'", "stackTrace": trace,
                        "requestId": "0f1e2d3c", "padding": "x" * 3000})
    text = cause_text(cause)
    assert "errorType: KeyError" in text and "errorMessage: 'partner_id'" in text
    assert all(line in text for line in trace)  # the stack trace is not cut, whatever its length
    assert "x" * 3000 not in text  # the rest is shortened
    reason = "Essential container in task exited; " + "OutOfMemoryError: Container killed due to memory usage " * 20
    nested = cause_text(json.dumps({"JobId": "j", "Attempts": [{"Container": {"Reason": reason}}]}))
    assert reason.strip() in nested
    assert cause_text("plain text cause") == "plain text cause"


def test_the_rest_of_a_cause_is_quoted_as_the_service_wrote_it() -> None:
    # RunTask's refusal as Step Functions writes it: compact JSON, its own key order. The report quotes it so, on
    # one line, and a person can search their logs for the words they see.
    cause = ('{"Failures":[{"Arn":"arn:aws:ecs:us-east-1:123456789012:container-instance/mi/9f3c",'
             '"Reason":"RESOURCE:MEMORY"}],\n "SdkResponseMetadata":{"RequestId":"5c1d"}}')
    text = cause_text(cause)
    assert 'full cause: {"Failures":[{"Arn":"arn:aws:ecs:us-east-1:123456789012:container-instance/mi/9f3c",' in text
    assert '"Reason":"RESOURCE:MEMORY"}], "SdkResponseMetadata"' in text


def test_child_budget_counts_log_windows() -> None:
    book = EvidenceBook()
    inc = Incident(source="batch", event_id="e", detail_type="Batch Job State Change", region="us-east-1",
                   account="123456789012", resource=_resource(), status="FAILED", event_time="2024-03-02T01:51:42Z")
    parent = Collector(inc, AwsContext(region="us-east-1"), settings(), book)
    child = ChildCollector(parent, inc, adapter("batch").context_type(), budget=0)
    assert child.logs("/aws/batch/job", None, None) == []
    assert child.call("DescribeJobs j", lambda: {"jobs": []}) is None
    assert len(book.gaps) == 2 and child.calls == 0


def _resource() -> Any:
    from incident_responder.model import Resource

    return Resource(arn="arn:aws:batch:us-east-1:123456789012:job/j", name="j", run_id="j")


@pytest.mark.parametrize("stack", ["child_athena_table_not_found"], indirect=True)
def test_an_athena_child_is_read_with_the_athena_collector(stack: LocalStack) -> None:
    c = collect(stack, "stepfunctions", fresh=True)
    child = [e for e in c.book.items if e.facts.get("child")]
    assert child and all(e.facts["child_source"] == "athena" for e in child)
    assert any("TABLE_NOT_FOUND" in e.text and e.source == "athena:GetQueryExecution" for e in child)
    assert not any("TABLE_NOT_FOUND" in e.text for e in c.book.items if not e.facts.get("child"))
    # The child's context travels with its facts; the parent's stays the Step Functions one.
    assert child[0].facts["child_context"]["database"] == "sales"
    assert child[0].facts["child_context"]["resource_name"] == "reporting"
    assert c.context.get("state") == "BuildDailyRevenue"


@pytest.mark.parametrize("stack", ["child_emrserverless_driver_stderr"], indirect=True)
def test_an_emr_serverless_childs_log_objects_count_against_its_budget(stack: LocalStack) -> None:
    c = collect(stack, "stepfunctions")
    assert any("Path does not exist: s3://clickstream-raw-eu/clicks/dt=2024-06-02" in e.text
               and e.facts.get("child_source") == "emrserverless" for e in c.book.items)
    parent = Collector(c.incident, c.aws, settings(), EvidenceBook())
    src = adapter("emrserverless")
    run = stack.scenario.world.data["emrserverless"]["job_runs"][0]  # type: ignore[attr-defined]
    inc = src.parse({"id": "t", "detail-type": "EMR Serverless Job Run State Change", "source": "aws.emr-serverless",
                     "region": "eu-west-1", "account": "123456789012", "time": "2024-06-03T02:07:41Z",
                     "detail": {"applicationId": run["applicationId"], "jobRunId": run["jobRunId"], "state": "FAILED"}})
    assert isinstance(inc, Incident)
    child = ChildCollector(parent, inc, src.context_type(), budget=3)
    src.collect(child)
    child.finish()
    assert child.calls == 3  # GetJobRun, GetApplication, the driver's stderr; stdout was refused
    assert any("limited to 3 AWS calls" in g for g in parent.book.gaps)
    assert any("Path does not exist" in e.text for e in parent.book.items)


@pytest.mark.parametrize("stack", ["child_lambda_traceback_in_logs"], indirect=True)
def test_a_lambda_child_reads_its_own_requests_lines_in_its_log_group(stack: LocalStack) -> None:
    c = collect(stack, "stepfunctions", fresh=True)
    logs = [e for e in c.book.items if e.kind == "log"]
    assert logs and all(e.source.startswith("/orders/functions/") and e.facts["child_source"] == "lambda" for e in logs)
    assert any("kms:GenerateDataKey" in e.text for e in logs)
    assert not any("invoice-service" in e.text for e in c.book.items)  # another invocation's stream
    assert {g for g, _, _ in c.log_groups} == {"/orders/functions"}
    assert c.context.get("function_name") == "orders-export"  # the parent's placeholders stay set


@pytest.mark.parametrize("stack", ["sagemaker_transform_video_pose_mms_backend_timeout"], indirect=True)
def test_a_sagemaker_jobs_own_log_is_read_where_its_failure_reason_says_to_look(stack: LocalStack) -> None:
    # The transform job's FailureReason is "ClientError: See job logs for more information"; the model server's
    # error is in /aws/sagemaker/TransformJobs, in the job's streams (the instance's and its data-log).
    c = collect(stack, "stepfunctions")
    logs = [e for e in c.book.items if e.kind == "log"]
    assert logs and all(e.source.startswith("/aws/sagemaker/TransformJobs/pose-scoring-2019-11-05-14-40-02/")
                        for e in logs)
    assert {g for g, _, _ in c.log_groups} == {"/aws/sagemaker/TransformJobs"}
    worker = next(e for e in logs if "Backend worker did not respond in given time" in e.text)
    # rsyslog's escaped tab before each frame ("#011at com...") is read as the trace it is: no frame in the quote.
    assert "#011" not in worker.text and "WorkerThread.java:142" not in worker.text
    assert any(e.source.endswith("/data-log") and "Bad HTTP status received from algorithm: 500" in e.text
               for e in logs)
    assert any(link.label.startswith("Logs of SageMaker transform job pose-scoring-2019-11-05-14-40-02")
               for link in c.links)


def _nested(tmp_path: Any, replace: dict[str, str] | None = None) -> dict[str, Any]:
    """The nested-execution scenario replayed, its child's error text replaced as given."""
    import shutil

    from incident_responder_local.replay import replay

    folder = tmp_path / "nested"
    shutil.copytree(SCENARIOS / "sfn_nested_child_failed", folder)
    for f in folder.iterdir():
        text = f.read_text(encoding="utf-8")
        for old, new in (replace or {}).items():
            text = text.replace(old, new)
        f.write_text(text, encoding="utf-8")
    (result,) = replay([folder])
    return result["report"]["probable_cause"]


def test_a_nested_execution_with_a_known_cause_is_reported_as_that_cause(tmp_path: Any) -> None:
    cause = _nested(tmp_path)
    assert cause["category"] == "permission_denied"
    assert cause["explanation"].startswith("The parent failed because its nested execution f3b2a8d1")
    assert "Root cause:" in cause["explanation"] and "AccessDenied" in cause["explanation"]


def test_a_nested_execution_whose_cause_is_not_found_is_an_upstream_failure(tmp_path: Any) -> None:
    # The child's function failed without saying why: no message, no traceback, no error class. Its words
    # make a low-confidence guess, which stays a guess beside the certain upstream failure.
    cause = _nested(tmp_path, {"An error occurred (AccessDenied) when calling the GetObject operation: Access Denied":
                               "", "Traceback (most recent call last):": "", "ClientError": "Failed"})
    assert cause["category"] == "upstream_failure"
    assert "The child's own failure: code_error (low confidence)" in cause["explanation"]
    # That the child failed is certain, what failed in it is not: the root cause is not claimed with high confidence.
    assert cause["confidence"] == "medium"


def test_a_nested_execution_whose_child_a_class_rule_reads_is_reported_as_that_cause(tmp_path: Any) -> None:
    # The child's function failed on an exception class a rule knows (SNS refusing a topic of another region as
    # an invalid parameter), though the words of known failures do not corroborate it: low confidence, but a
    # rule's reading of the child, not a guess. The category is the child's, not upstream_failure.
    cause = _nested(tmp_path, {
        "An error occurred (AccessDenied) when calling the GetObject operation: Access Denied":
            "An error occurred (InvalidParameter) when calling the Publish operation: Invalid parameter: TopicArn",
        "ClientError": "InvalidParameterException"})
    assert cause["category"] == "configuration"
    assert "Root cause:" in cause["explanation"] and "TopicArn" in cause["explanation"]


def test_a_fail_state_after_a_lambda_that_reported_its_failure_reads_that_invocation() -> None:
    # A CSV import whose function caught DynamoDB's refusal, logged it and returned {"status": "FAILED"}; a Choice
    # then sent the execution to a Fail state (written from aws-samples/csv-to-dynamodb#9, tests/fixtures/
    # fail_state_after_lambda). No task failed: the invocation before the Fail state holds the cause. Whether a
    # byte-order mark in the file's first header is the data's fault or the code's is the thread's question; the
    # evidence is not.
    from pathlib import Path

    from incident_responder_local.replay import replay

    (result,) = replay([Path(__file__).parents[1] / "fixtures" / "fail_state_after_lambda"])
    texts = [e["text"] for e in result["report"]["evidence"]]
    assert any(t.startswith("Before the Fail state, state 'ImportCsv' (lambda:invoke) succeeded with output: "
                            '{"rowsRead": 70, "rowsWritten": 0, "status": "FAILED"}') for t in texts)
    assert any("The provided key element does not match the schema" in t for t in texts)
    assert result["report"]["probable_cause"]["category"] != "unknown"


def test_an_execution_that_failed_in_a_choice_reads_no_log_of_the_lambda_before_it() -> None:
    # The DeepRacer workflow failed with States.Runtime in a Choice after a Lambda task that succeeded: no Fail
    # state, so the function did not report a failure of its own; the Choice's input says why, and no log is read.
    from incident_responder_local.replay import replay

    (result,) = replay([SCENARIOS / "deepracer_training_quota_choice_runtime"])
    assert result["report"]["probable_cause"]["category"] == "capacity"
    assert "logs.FilterLogEvents" not in result["api_calls"]
    assert not any(e["text"].startswith("Before the Fail state") for e in result["report"]["evidence"])
