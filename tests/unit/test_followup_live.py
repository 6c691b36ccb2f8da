"""'status' and 'input' read the run again: what a person is told when AWS answers, refuses, or forgets."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from incident_responder.followup.live import run_state
from incident_responder.model import Report

ARN = "arn:aws:states:eu-west-1:123456789012:execution:orders-load:run-7"
SM = "arn:aws:states:eu-west-1:123456789012:stateMachine:orders-load"
TASK = "arn:aws:ecs:eu-west-1:123456789012:task/etl/abc"


class FakeAws:
    def __init__(self, **clients: Any) -> None:
        self.clients = clients

    def client(self, name: str) -> Any:
        return self.clients[name]


def _denied(operation: str) -> ClientError:
    return ClientError(
        {"Error": {"Code": "AccessDeniedException", "Message": f"not authorized to perform: {operation}"}},
        operation,
    )


class Sfn:
    def __init__(self, deny_list: bool = False, gone: bool = False) -> None:
        self.deny_list, self.gone = deny_list, gone

    def describe_execution(self, executionArn: str) -> dict[str, Any]:
        if self.gone:
            raise ClientError(
                {"Error": {"Code": "ExecutionDoesNotExist", "Message": "Execution does not exist"}},
                "DescribeExecution",
            )
        return {
            "executionArn": executionArn,
            "name": "run-7",
            "status": "SUCCEEDED",
            "stateMachineArn": SM,
            "startDate": datetime(2024, 3, 14, 2, 0, tzinfo=UTC),
            "stopDate": datetime(2024, 3, 14, 2, 9, tzinfo=UTC),
            "redriveCount": 1,
            "redriveDate": datetime(2024, 3, 14, 2, 5, tzinfo=UTC),
            "input": '{"day": "2024-03-13", "password": "hunter2"}',
        }

    def list_executions(self, **_: Any) -> dict[str, Any]:
        if self.deny_list:
            raise _denied("states:ListExecutions")
        return {
            "executions": [
                {"name": "run-8", "status": "RUNNING", "startDate": datetime(2024, 3, 14, 3, 0, tzinfo=UTC)}
            ]
        }


def _report(source: str = "stepfunctions", **resource: str) -> Report:
    return Report.from_dict({
        "source": source,
        "status": "FAILED",
        "resource": resource or {"arn": ARN, "name": "orders-load", "run_id": "run-7"},
    })


def test_status_now_after_a_redrive() -> None:
    state = run_state(FakeAws(stepfunctions=Sfn()), _report())  # type: ignore[arg-type]

    assert state.status == "SUCCEEDED" and state.error is None
    assert state.lines[0] == "Execution `run-7` is *SUCCEEDED* (stopped 2024-03-14 02:09:00 UTC)"
    assert "Redriven 1 time(s), last at 2024-03-14 02:05:00 UTC" in state.lines
    assert state.lines[-1] == "Latest runs of orders-load: `run-8` RUNNING (2024-03-14 03:00:00 UTC)"
    assert state.input == {"day": "2024-03-13", "password": "hunter2"}  # redacted by the answer, not here


def test_a_refused_side_read_does_not_lose_the_status() -> None:
    state = run_state(FakeAws(stepfunctions=Sfn(deny_list=True)), _report())  # type: ignore[arg-type]

    assert state.status == "SUCCEEDED" and state.error is None
    assert "Could not read the latest runs of orders-load: AccessDeniedException" in state.lines[-1]


def test_a_run_aws_no_longer_knows_is_said_plainly() -> None:
    state = run_state(FakeAws(stepfunctions=Sfn(gone=True)), _report())  # type: ignore[arg-type]

    assert state.status is None
    assert state.error == "ExecutionDoesNotExist: Execution does not exist"


def test_glue_run_status_escapes_what_aws_says() -> None:
    class Glue:
        def get_job_run(self, JobName: str, RunId: str) -> dict[str, Any]:
            return {
                "JobRun": {
                    "Id": RunId,
                    "JobRunState": "FAILED",
                    "ErrorMessage": "bad <input> & more",
                    "CompletedOn": datetime(2024, 3, 14, 4, 0, tzinfo=UTC),
                    "Arguments": {"--day": "13"},
                }
            }

        def get_job_runs(self, JobName: str, MaxResults: int) -> dict[str, Any]:
            return {"JobRuns": []}

    state = run_state(FakeAws(glue=Glue()), _report("glue", name="sales-etl", run_id="jr_1"))  # type: ignore[arg-type]

    assert state.status == "FAILED"
    assert state.lines == [
        "Job run `jr_1` of sales-etl is *FAILED* (ended 2024-03-14 04:00:00 UTC)",
        "Error: bad &lt;input&gt; &amp; more",
    ]
    assert state.input == {"--day": "13"}


def test_batch_job_forgotten_by_aws_batch() -> None:
    class Batch:
        def describe_jobs(self, jobs: list[str]) -> dict[str, Any]:
            return {"jobs": []}

    state = run_state(FakeAws(batch=Batch()), _report("batch", name="nightly", run_id="j-1"))  # type: ignore[arg-type]

    assert state.error == "Batch job j-1 is no longer known to AWS Batch"


def test_an_ecs_task_is_described_again_with_its_exit_codes() -> None:
    class Ecs:
        def describe_tasks(self, tasks: list[str], cluster: str = "") -> dict[str, Any]:
            assert cluster == "etl" and tasks == [TASK]
            return {"tasks": [{"lastStatus": "STOPPED", "stoppedReason": "Essential container in task exited",
                               "stoppedAt": datetime(2024, 3, 14, 2, 9, tzinfo=UTC),
                               "containers": [{"name": "app", "exitCode": 137, "reason": "OutOfMemoryError"}]}]}

    state = run_state(FakeAws(ecs=Ecs()), _report("ecs", arn=TASK, name="loader", run_id="abc"))  # type: ignore[arg-type]

    assert state.status == "STOPPED" and state.error is None
    assert state.lines == ["Task `abc` is *STOPPED* (stopped 2024-03-14 02:09:00 UTC)",
                           "Stopped reason: Essential container in task exited",
                           "Container app: exit code 137 (OutOfMemoryError)"]


def test_an_ecs_task_that_aws_forgot_is_said_plainly() -> None:
    class Ecs:
        def describe_tasks(self, **_: Any) -> dict[str, Any]:
            return {"tasks": [], "failures": [{"arn": TASK, "reason": "MISSING"}]}

    state = run_state(FakeAws(ecs=Ecs()), _report("ecs", arn=TASK, name="loader", run_id="abc"))  # type: ignore[arg-type]

    assert state.error == "ECS no longer returns task abc (it keeps stopped tasks for about an hour)"


def test_an_emr_step_is_described_with_its_cluster() -> None:
    class Emr:
        def describe_cluster(self, ClusterId: str) -> dict[str, Any]:
            return {"Cluster": {"Id": ClusterId, "Name": "nightly", "Status": {"State": "WAITING"}}}

        def describe_step(self, ClusterId: str, StepId: str) -> dict[str, Any]:
            return {"Step": {"Id": StepId, "Name": "spark-etl", "Status": {
                "State": "FAILED", "FailureDetails": {"Reason": "Unknown Error.", "Message": "Job aborted"}}}}

    cluster = "arn:aws:elasticmapreduce:eu-west-1:123456789012:cluster/j-1ABC"
    state = run_state(FakeAws(emr=Emr()), _report("emr", arn=cluster, name="nightly/spark-etl", run_id="s-9"))  # type: ignore[arg-type]

    assert state.status == "FAILED"
    assert state.lines == ["Step `spark-etl` (s-9) is *FAILED*", "Cluster `nightly` (j-1ABC) is *WAITING*",
                           "Failure: Unknown Error. Job aborted"]


def test_a_source_no_adapter_knows_says_what_was_reported() -> None:
    state = run_state(FakeAws(), _report("dataflow", arn="arn:x", name="t"))  # type: ignore[arg-type]

    assert not state.supported and state.status == "FAILED"
    assert state.lines == ["I cannot read the live state of dataflow runs; at report time it was *FAILED*."]


def test_a_report_without_its_run_is_said_plainly() -> None:
    class Glue:
        def get_job_run(self, **kwargs: Any) -> dict[str, Any]:
            raise AssertionError(f"no run to read, yet asked for {kwargs}")

    state = run_state(FakeAws(glue=Glue()), _report("glue", name="sales-etl"))  # type: ignore[arg-type]

    assert state.error == "the report does not say which run it was (run_id missing)"
