"""Redrive plans, run keys and the redrive-run events: pure functions, no AWS."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from incident_responder.evidence.redaction import redact_obj
from incident_responder.redrive.plans import Plan, build_plan, load_spec
from incident_responder.redrive.runs import event_run
from incident_responder.redrive.secrets import real_values, restore
from incident_responder.sources import adapter
from incident_responder.sources.stepfunctions.redrive import sfn_redrivable

NOW = datetime(2024, 3, 20, 12, 0, tzinfo=UTC)
EXECUTION = "arn:aws:states:eu-west-1:123456789012:execution:clickstream-sessionize:hourly-2024-03-14T01"
MACHINE = "arn:aws:states:eu-west-1:123456789012:stateMachine:clickstream-sessionize"


def _sfn_spec(**extra: Any) -> dict[str, Any]:
    return {
        "source": "stepfunctions",
        "execution_arn": EXECUTION,
        "state_machine_arn": MACHINE,
        "name": "hourly-2024-03-14T01",
        "input": '{"dt": "2024-03-14"}',
        "status": "FAILED",
        "stop_date": (NOW - timedelta(days=1)).isoformat(),
        "redrive_count": 0,
        **extra,
    }


def _sfn_facts(**described: Any) -> dict[str, Any]:
    """Facts as gather_facts reads them: DescribeExecution (with the real input) and DescribeStateMachine."""
    execution = {
        "executionArn": EXECUTION,
        "stateMachineArn": MACHINE,
        "name": "hourly-2024-03-14T01",
        "status": "FAILED",
        "stopDate": NOW - timedelta(days=1),
        "input": '{"dt": "2024-03-14"}',
        "redriveCount": 0,
        **described,
    }
    return {"execution": execution, "state_machine": {"type": "STANDARD"}, "notes": []}


def _plan(source: str, spec: dict[str, Any], **kwargs: Any) -> Plan:
    kwargs.setdefault("attempt", 1)
    kwargs.setdefault("idempotency_key", "incident-1#1")
    kwargs.setdefault("now", NOW)
    kwargs.setdefault("region", "eu-west-1")
    return build_plan(source, spec, **kwargs)


# -- Step Functions: redrive or restart ------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "sm_type", "age_days", "redrive_status", "ok", "why"),
    [
        ("FAILED", "STANDARD", 1, None, True, ""),
        ("TIMED_OUT", "STANDARD", 13.9, None, True, ""),
        ("ABORTED", None, 0, None, True, ""),
        ("FAILED", "STANDARD", 14.5, None, False, "outside the 14-day redrive window"),
        ("FAILED", "EXPRESS", 1, None, False, "only Standard executions"),
        ("SUCCEEDED", "STANDARD", 1, None, False, "only FAILED, TIMED_OUT or ABORTED"),
        ("RUNNING", "STANDARD", 1, None, False, "is RUNNING now"),
        ("FAILED", "STANDARD", 1, "NOT_REDRIVABLE", False, "reports it not redrivable"),
        # Step Functions applies the window itself; its word is taken when it gives one.
        ("FAILED", "STANDARD", 300, "REDRIVABLE", True, ""),
    ],
)
def test_sfn_redrivable_rules(
    status: str, sm_type: str | None, age_days: float, redrive_status: str | None, ok: bool, why: str
) -> None:
    got, reason = sfn_redrivable(
        status=status,
        sm_type=sm_type,
        stop_date=NOW - timedelta(days=age_days),
        now=NOW,
        redrive_status=redrive_status,
    )
    assert got is ok
    assert why in reason


def test_sfn_unknown_stop_time_is_not_redrivable() -> None:
    ok, reason = sfn_redrivable(status="FAILED", sm_type="STANDARD", stop_date=None, now=NOW)
    assert not ok and "stop time is unknown" in reason


def test_sfn_redrivable_plan_is_a_redrive_execution_with_the_idempotency_token() -> None:
    plan = _plan("stepfunctions", _sfn_spec(), facts=_sfn_facts(), idempotency_key="incident-1#3", attempt=3)
    assert plan.runnable and plan.action == "states:RedriveExecution"
    assert plan.operation == "redrive_execution"
    token = hashlib.sha256(b"incident-1#3").hexdigest()[:32]
    assert plan.params == {"executionArn": EXECUTION, "clientToken": token}
    assert plan.input == {"dt": "2024-03-14"}
    assert plan.expect["redrive_count"] == 0
    assert "clickstream-sessionize" in plan.where and "eu-west-1" in plan.where
    assert plan.fallback == ""


def test_sfn_not_redrivable_falls_back_to_a_new_start_with_the_original_input() -> None:
    plan = _plan("stepfunctions", _sfn_spec(), facts=_sfn_facts(stopDate=NOW - timedelta(days=30)), attempt=2)
    assert plan.action == "states:StartExecution"
    assert plan.params == {
        "stateMachineArn": MACHINE,
        "name": "hourly-2024-03-14T01-redrive-2",
        "input": '{"dt": "2024-03-14"}',
    }
    assert plan.fallback.startswith("Not a redrive: it stopped 30 days ago")
    assert "hourly-2024-03-14T01" in plan.what  # linked to the failed execution by name


def test_sfn_fresh_facts_win_over_the_stored_spec() -> None:
    facts = {
        "execution": {
            "executionArn": EXECUTION,
            "stateMachineArn": MACHINE,
            "status": "RUNNING",
            "stopDate": None,
            "input": '{"dt": "2024-03-15"}',
            "redriveCount": 1,
        },
        "state_machine": {"type": "STANDARD"},
    }
    plan = _plan("stepfunctions", _sfn_spec(), facts=facts)
    assert plan.action == "states:StartExecution"
    assert "is RUNNING now" in plan.fallback
    assert plan.params["input"] == '{"dt": "2024-03-15"}'


def test_sfn_express_state_machine_is_restarted() -> None:
    plan = _plan("stepfunctions", _sfn_spec(), facts={**_sfn_facts(), "state_machine": {"type": "EXPRESS"}})
    assert plan.action == "states:StartExecution" and "Express" in plan.fallback


def test_sfn_new_names_fit_the_80_character_limit() -> None:
    name = "x" * 80
    arn = f"{MACHINE.replace('stateMachine', 'execution')}:{name}"
    plan = _plan("stepfunctions", _sfn_spec(), facts=_sfn_facts(executionArn=arn, status="SUCCEEDED"), attempt=12)
    assert len(plan.params["name"]) == 80 and plan.params["name"].endswith("-redrive-12")


# -- secrets: the stored spec is redacted, the plan gets the real values ------------------------------------
REAL_INPUT = '{"dt": "2024-03-14", "dsn": "postgres://etl:pw-81f3aa@db:5432/dw", "apiKey": 987654321}'


def test_sfn_restart_takes_the_input_from_describe_execution_never_from_the_stored_spec() -> None:
    stored = redact_obj(_sfn_spec(input=REAL_INPUT), parse_json=True)
    assert "pw-81f3aa" not in json.dumps(stored)
    facts = _sfn_facts(stopDate=NOW - timedelta(days=30), input=REAL_INPUT)
    plan = _plan("stepfunctions", stored, facts=facts)
    assert plan.runnable and plan.params["input"] == REAL_INPUT
    shown = plan.redacted()
    assert json.loads(shown.params["input"]) == {
        "dt": "2024-03-14",
        "dsn": "postgres://etl:[REDACTED:url_password]@db:5432/dw",
        "apiKey": "[REDACTED:api_key]",
    }
    assert "pw-81f3aa" not in json.dumps(shown.to_dict()) and "987654321" not in json.dumps(shown.to_dict())
    # What the redrive function does with the stored copy: the real input again, from DescribeExecution.
    params, missing = restore(shown.params, real_values("stepfunctions", facts["execution"]))
    assert missing == [] and params == plan.params


def test_sfn_without_describe_execution_is_not_runnable() -> None:
    facts = {"notes": ["DescribeExecution: AccessDeniedException: not authorized"]}
    plan = _plan("stepfunctions", _sfn_spec(), facts=facts)
    assert not plan.runnable and plan.params == {}
    assert "could not be read (AccessDeniedException: not authorized)" in plan.reason
    assert "original input" in plan.reason


def test_sfn_restart_without_the_input_is_not_runnable() -> None:
    execution = {k: v for k, v in _sfn_facts(stopDate=NOW - timedelta(days=30))["execution"].items() if k != "input"}
    plan = _plan("stepfunctions", _sfn_spec(), facts={"execution": execution})
    assert not plan.runnable and plan.params == {} and "did not return the original input" in plan.reason


GLUE_RUN_ARGUMENTS = {
    "--input": "s3://b/k",
    "--db_password": "pw-1c2d3e",
    "--jdbc_url": "jdbc:postgresql://crm:pw-1c2d3e@db:5432/crm",
}


def _glue_spec() -> dict[str, Any]:
    spec = {"service": "glue", "JobName": "customer-dedupe", "Arguments": GLUE_RUN_ARGUMENTS, "JobRunId": "jr_1"}
    return redact_obj(spec, parse_json=True)  # as analyze.py stores it


def test_glue_redacted_arguments_get_the_real_values_of_the_failed_run() -> None:
    spec = _glue_spec()
    assert spec["Arguments"]["--db_password"] == "[REDACTED:password]" and spec["JobName"] == "customer-dedupe"
    plan = _plan("glue", spec, facts={"original": {"Id": "jr_1", "Arguments": GLUE_RUN_ARGUMENTS}})
    assert plan.runnable and plan.params["Arguments"] == GLUE_RUN_ARGUMENTS
    assert plan.expect == {"job_name": "customer-dedupe", "run_id": "jr_1"}  # what the executor reads again
    assert "pw-1c2d3e" not in json.dumps(plan.redacted().to_dict())


def test_redacted_values_that_cannot_be_read_again_make_the_plan_not_runnable() -> None:
    facts = {"original": None, "notes": ["GetJobRun: EntityNotFoundException: run jr_1 not found"]}
    plan = _plan("glue", _glue_spec(), facts=facts)
    assert not plan.runnable
    assert "Arguments.--db_password, Arguments.--jdbc_url" in plan.reason and "GetJobRun" in plan.reason
    assert "Could not read GetJobRun: EntityNotFoundException: run jr_1 not found" in plan.warnings


def test_a_real_value_that_does_not_match_the_stored_one_is_not_used() -> None:
    changed = {**GLUE_RUN_ARGUMENTS, "--jdbc_url": "jdbc:postgresql://crm:pw-1c2d3e@other-db:5432/crm"}
    plan = _plan("glue", _glue_spec(), facts={"original": {"Arguments": changed}})
    assert not plan.runnable and "Arguments.--jdbc_url" in plan.reason and "--db_password" not in plan.reason


def test_ecs_environment_values_are_matched_by_name() -> None:
    real = {
        "containerOverrides": [
            {"name": "sidecar", "environment": [{"name": "TOKEN", "value": "tok-9a8b7c6d5e"}]},
            {
                "name": "dedupe",
                "command": ["run"],
                "environment": [
                    {"name": "REGION", "value": "eu-west-1"},
                    {"name": "DB_PASSWORD", "value": "pw-4f5e6d"},
                ],
            },
        ]
    }
    spec = redact_obj({**ECS_SPEC, "overrides": {"containerOverrides": real["containerOverrides"][::-1]}})
    plan = _plan("ecs", spec, facts={"original": {"overrides": real}})
    assert plan.runnable, plan.reason
    by_name = {o["name"]: o for o in plan.params["overrides"]["containerOverrides"]}
    assert by_name["dedupe"]["environment"][1] == {"name": "DB_PASSWORD", "value": "pw-4f5e6d"}
    assert by_name["sidecar"]["environment"] == [{"name": "TOKEN", "value": "tok-9a8b7c6d5e"}]


def test_emr_step_arguments_and_properties_get_the_real_values() -> None:
    config = {
        "Jar": "command-runner.jar",
        "Args": ["spark-submit", "--db-password", "pw-7e6d5c", "s3://j/s.py"],
        "Properties": {"spark.jdbc.password": "pw-7e6d5c"},
    }
    step = {
        "Name": "sessionize",
        "ActionOnFailure": "CONTINUE",
        "HadoopJarStep": {**config, "Properties": [{"Key": "spark.jdbc.password", "Value": "pw-7e6d5c"}]},
    }
    spec = redact_obj({**EMR_SPEC, "step": step})
    assert "pw-7e6d5c" not in json.dumps(spec)
    facts = {"cluster": {"Status": {"State": "WAITING"}}, "original": {"Id": "s-3QM", **step, "Config": config}}
    plan = _plan("emr", spec, facts=facts)
    assert plan.runnable and plan.expect["step_id"] == "s-3QM"
    jar = plan.params["Steps"][0]["HadoopJarStep"]
    assert jar["Args"] == config["Args"] and jar["Properties"] == [{"Key": "spark.jdbc.password", "Value": "pw-7e6d5c"}]


# -- ECS ---------------------------------------------------------------------------------------------

ECS_SPEC: dict[str, Any] = {
    "service": "ecs",
    "action": "RunTask",
    "cluster": "arn:aws:ecs:eu-west-1:123456789012:cluster/data-jobs",
    "taskDefinition": "arn:aws:ecs:eu-west-1:123456789012:task-definition/orders-dedupe:7",
    "count": 1,
    "launchType": "FARGATE",
    "platformVersion": "1.4.0",
    "group": "family:orders-dedupe",
    "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-0123"]}},
    "overrides": {"containerOverrides": [{"name": "dedupe", "command": ["python", "dedupe.py"], "exitCode": 1}]},
    "unknown": ["networkConfiguration.awsvpcConfiguration.securityGroups"],
}


def test_ecs_plan_runs_the_same_task() -> None:
    plan = _plan("ecs", ECS_SPEC)
    assert plan.action == "ecs:RunTask" and plan.runnable
    p = plan.params
    assert p["cluster"] == ECS_SPEC["cluster"] and p["taskDefinition"] == ECS_SPEC["taskDefinition"]
    assert p["launchType"] == "FARGATE" and "capacityProviderStrategy" not in p
    assert p["networkConfiguration"] == ECS_SPEC["networkConfiguration"]
    assert p["overrides"] == {"containerOverrides": [{"name": "dedupe", "command": ["python", "dedupe.py"]}]}
    assert p["startedBy"] == "incident-responder" and len(p["clientToken"]) == 32
    # A key RunTask does not take is dropped, and said; what the source could not know is said too.
    assert plan.dropped == ["overrides.containerOverrides[].exitCode"]
    assert any("securityGroups" in w for w in plan.warnings)


def test_ecs_capacity_provider_replaces_the_launch_type() -> None:
    spec = {**ECS_SPEC, "capacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]}
    plan = _plan("ecs", spec)
    assert plan.params["capacityProviderStrategy"] == [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]
    assert "launchType" not in plan.params


def test_ecs_service_task_is_not_run_beside_its_service() -> None:
    plan = _plan("ecs", {**ECS_SPEC, "action": "UpdateService", "serviceName": "orders-api"})
    assert not plan.runnable
    assert "force-new-deployment" in plan.reason and "orders-api" in plan.reason


def test_a_spec_missing_a_required_parameter_is_not_runnable() -> None:
    plan = _plan("ecs", {k: v for k, v in ECS_SPEC.items() if k != "taskDefinition"})
    assert not plan.runnable and "taskDefinition" in plan.reason


# -- Batch, Glue --------------------------------------------------------------------------------------


def test_batch_plan_submits_the_same_job_under_a_new_name() -> None:
    spec = {
        "service": "batch",
        "jobName": "align-NA12878",
        "jobQueue": "arn:aws:batch:us-east-1:123456789012:job-queue/genomics",
        "jobDefinition": "arn:aws:batch:us-east-1:123456789012:job-definition/bam:4",
        "parameters": {"sample": "NA12878"},
        "schedulingPriorityOverride": 5,
        "containerOverrides": {
            "command": ["align", "Ref::sample"],
            "environment": [{"name": "DB_PASSWORD", "value": "[REDACTED]"}],
        },
    }
    plan = _plan("batch", spec, attempt=2, resource_arn="arn:aws:batch:us-east-1:123456789012:job/8e2f-4b6a")
    assert plan.action == "batch:SubmitJob" and plan.region == "us-east-1"
    assert plan.params["jobName"] == "align-NA12878-redrive-2"
    assert plan.params["parameters"] == {"sample": "NA12878"}
    assert plan.params["containerOverrides"]["command"] == ["align", "Ref::sample"]
    assert plan.params["schedulingPriorityOverride"] == 5
    assert plan.expect == {"original_job_id": "8e2f-4b6a"}  # secret values are re-read from it


def test_glue_plan_starts_the_job_with_the_same_arguments_and_capacity() -> None:
    spec = {
        "service": "glue",
        "JobName": "customer-dedupe",
        "Arguments": {"--input": "s3://b/k", "--day": 3},
        "WorkerType": "G.1X",
        "NumberOfWorkers": 10,
        "MaxCapacity": 10.0,
        "Timeout": None,
        "JobRunId": "jr_1",
    }
    plan = _plan("glue", spec)
    assert plan.params == {
        "JobName": "customer-dedupe",
        "Arguments": {"--input": "s3://b/k", "--day": "3"},
        "WorkerType": "G.1X",
        "NumberOfWorkers": 10,
    }
    assert "10 x G.1X" in plan.what
    assert plan.original_url.endswith("/job/customer-dedupe/run/jr_1")


# -- EMR --------------------------------------------------------------------------------------------------

EMR_SPEC: dict[str, Any] = {
    "service": "emr",
    "cluster_id": "j-1K48",
    "cluster_state": "WAITING",
    "failed_step_id": "s-3QM",
    "step": {
        "Name": "sessionize",
        "ActionOnFailure": "CONTINUE",
        "HadoopJarStep": {
            "Jar": "command-runner.jar",
            "Args": ["spark-submit", "s3://j/s.py"],
            "Properties": {"k": "v"},
        },
    },
}


def test_emr_plan_adds_the_failed_step_again_on_a_running_cluster() -> None:
    facts = {
        "cluster": {
            "Id": "j-1K48",
            "Name": "nightly",
            "Status": {"State": "WAITING"},
            "ClusterArn": "arn:aws:elasticmapreduce:us-east-1:123456789012:cluster/j-1K48",
        }
    }
    plan = _plan("emr", EMR_SPEC, facts=facts, attempt=2)
    assert plan.runnable and plan.action == "elasticmapreduce:AddJobFlowSteps"
    step = plan.params["Steps"][0]
    assert plan.params["JobFlowId"] == "j-1K48" and step["Name"] == "sessionize (redrive 2)"
    assert step["HadoopJarStep"]["Properties"] == [{"Key": "k", "Value": "v"}]
    assert step["ActionOnFailure"] == "CONTINUE" and plan.region == "us-east-1"


def test_emr_terminated_cluster_explains_how_to_recreate_it() -> None:
    facts = {
        "cluster": {
            "Id": "j-1K48",
            "Status": {
                "State": "TERMINATED_WITH_ERRORS",
                "StateChangeReason": {"Message": "Master instance failed"},
            },
            "ReleaseLabel": "emr-6.15.0",
            "Applications": [{"Name": "Spark"}],
        }
    }
    plan = _plan("emr", {**EMR_SPEC, "step": {**EMR_SPEC["step"], "ActionOnFailure": "TERMINATE_CLUSTER"}}, facts=facts)
    assert not plan.runnable
    assert plan.reason.startswith("The cluster is gone: j-1K48 is TERMINATED_WITH_ERRORS (Master instance failed)")
    assert "emr-6.15.0 with Spark" in plan.reason and "aws emr add-steps" in plan.reason
    assert any("TERMINATE_CLUSTER" in w for w in plan.warnings)


def test_emr_without_a_step_explains_the_gone_cluster() -> None:
    facts = {"cluster": {"Id": "j-9", "Status": {"State": "TERMINATED"}}}
    plan = _plan("emr", {"cluster_id": "j-9"}, facts=facts)
    assert not plan.runnable and plan.reason.startswith("The cluster is gone (j-9 is TERMINATED)")


def test_unknown_source_is_not_runnable() -> None:
    assert not _plan("codebuild", {"x": 1}).runnable


def test_plans_survive_a_json_round_trip() -> None:
    plan = _plan("stepfunctions", _sfn_spec(), facts=_sfn_facts())
    assert Plan.from_dict(json.loads(json.dumps(plan.to_dict()))) == plan


def test_load_spec_tolerates_missing_and_broken_specs() -> None:
    assert load_spec({}) is None
    assert load_spec({"redrive": "not json"}) is None
    assert load_spec({"redrive": json.dumps({"a": 1})}) == {"a": 1}


# -- run keys and the new run's own events ----------------------------------------------------------------


TASK = "arn:aws:ecs:eu-west-1:123456789012:task/etl/0f9a"


def _event(source: str, detail_type: str, **detail: Any) -> dict[str, Any]:
    return {"source": source, "detail-type": detail_type, "detail": detail}


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (
            _event(
                "aws.states",
                "Step Functions Execution Status Change",
                executionArn=EXECUTION,
                status="SUCCEEDED",
            ),
            ("stepfunctions", EXECUTION, "succeeded"),
        ),
        (
            _event(
                "aws.states",
                "Step Functions Execution Status Change",
                executionArn=EXECUTION,
                status="FAILED",
                redriveCount=2,
            ),
            ("stepfunctions", f"{EXECUTION}#redrive-2", "failed"),
        ),
        (
            _event(
                "aws.ecs",
                "ECS Task State Change",
                taskArn=TASK,
                lastStatus="STOPPED",
                containers=[{"exitCode": 0}, {"exitCode": 0}],
            ),
            ("ecs", TASK, "succeeded"),
        ),
        (
            _event(
                "aws.ecs",
                "ECS Task State Change",
                taskArn=TASK,
                lastStatus="STOPPED",
                containers=[{"exitCode": 0}, {"exitCode": 137}],
            ),
            ("ecs", TASK, "failed"),
        ),
        (
            _event("aws.ecs", "ECS Task State Change", taskArn=TASK, lastStatus="RUNNING"),
            ("ecs", TASK, "other"),
        ),
        (  # the app exited 0; its sidecar got SIGTERM when the task stopped: the run succeeded
            _event("aws.ecs", "ECS Task State Change", taskArn=TASK, lastStatus="STOPPED",
                   stopCode="EssentialContainerExited", stoppedReason="Essential container in task exited",
                   containers=[{"name": "app", "exitCode": 0}, {"name": "xray-daemon", "exitCode": 143}]),
            ("ecs", TASK, "succeeded"),
        ),
        (  # killed for memory, yet the exit code says 0: the run failed
            _event("aws.ecs", "ECS Task State Change", taskArn=TASK, lastStatus="STOPPED",
                   containers=[{"name": "app", "exitCode": 0, "reason": "OutOfMemoryError: Container killed due "
                                "to memory usage"}]),
            ("ecs", TASK, "failed"),
        ),
        (
            _event("aws.batch", "Batch Job State Change", jobId="j", status="SUCCEEDED"),
            ("batch", "j", "succeeded"),
        ),
        (
            _event("aws.glue", "Glue Job State Change", jobName="g", jobRunId="jr", state="TIMEOUT"),
            ("glue", "g#jr", "failed"),
        ),
        (
            _event("aws.emr", "EMR Step Status Change", clusterId="j-1", stepId="s-1", state="COMPLETED"),
            ("emr", "j-1#s-1", "succeeded"),
        ),
        (_event("aws.emr", "EMR Cluster State Change", clusterId="j-1", state="TERMINATED"), None),
    ],
)
def test_event_run_finds_the_run_and_its_outcome(event: dict[str, Any], expected: Any) -> None:
    assert event_run(event) == expected


@pytest.mark.parametrize(
    ("operation", "params", "expect", "answer", "event"),
    [
        ("redrive_execution", {"executionArn": EXECUTION}, {"redrive_count": 1}, {},
         _event("aws.states", "Step Functions Execution Status Change", executionArn=EXECUTION, status="FAILED",
                redriveCount=2)),
        ("start_execution", {"stateMachineArn": "sm", "name": "run-redrive-1"}, {},
         {"executionArn": EXECUTION + "-redrive-1"},
         _event("aws.states", "Step Functions Execution Status Change", executionArn=EXECUTION + "-redrive-1",
                name="run-redrive-1", status="SUCCEEDED")),
        ("run_task", {"cluster": "c"}, {"cluster": "c"},
         {"tasks": [{"taskArn": "arn:aws:ecs:eu-west-1:123456789012:task/c/abc"}]},
         _event("aws.ecs", "ECS Task State Change", taskArn="arn:aws:ecs:eu-west-1:123456789012:task/c/abc",
                lastStatus="STOPPED", startedBy="incident-responder", containers=[{"name": "app", "exitCode": 0}])),
        ("submit_job", {"jobName": "j-redrive-1"}, {}, {"jobId": "job-2"},
         _event("aws.batch", "Batch Job State Change", jobId="job-2", jobName="j-redrive-1", status="SUCCEEDED")),
        ("start_job_run", {"JobName": "MyJob"}, {}, {"JobRunId": "jr_2"},
         _event("aws.glue", "Glue Job State Change", jobName="MyJob", jobRunId="jr_2", state="SUCCEEDED")),
        ("add_job_flow_steps", {"JobFlowId": "j-1"}, {}, {"StepIds": ["s-2"]},
         _event("aws.emr", "EMR Step Status Change", clusterId="j-1", stepId="s-2", state="COMPLETED",
                name="etl (redrive 1)")),
    ],
)
def test_the_run_a_redrive_records_is_the_run_its_own_event_names(
    operation: str, params: dict[str, Any], expect: dict[str, Any], answer: dict[str, Any], event: dict[str, Any]
) -> None:
    """The key the executor records for a launched run finds that run's own later event, and the
    event is recognised as one a redrive may have launched (so the audit table is asked)."""
    source = {"redrive_execution": "stepfunctions", "start_execution": "stepfunctions", "run_task": "ecs",
              "submit_job": "batch", "start_job_run": "glue", "add_job_flow_steps": "emr"}[operation]
    found = adapter(source)
    plan = Plan(source=source, action="", service="", operation=operation, params=params, region="eu-west-1",
                target="", where="", what="", expect=expect)
    recorded = found.new_run(plan, answer)
    seen = event_run(event)
    assert seen is not None and seen[1] == recorded.run_key
    assert recorded.url.startswith("https://eu-west-1.console.aws.amazon.com/")
    assert found.may_be_redrive(event)


def test_events_of_runs_no_redrive_launched_are_not_looked_up() -> None:
    plain = [
        _event("aws.states", "Step Functions Execution Status Change", executionArn=EXECUTION, status="FAILED"),
        _event("aws.ecs", "ECS Task State Change", taskArn=TASK, lastStatus="STOPPED", startedBy="ecs-svc/123"),
        _event("aws.batch", "Batch Job State Change", jobId="j", jobName="nightly", status="FAILED"),
        _event("aws.emr", "EMR Step Status Change", clusterId="j-1", stepId="s-1", state="FAILED", name="etl"),
    ]
    names = ["stepfunctions", "ecs", "batch", "emr"]
    assert [adapter(name).may_be_redrive(e) for name, e in zip(names, plain, strict=True)] == [False] * 4


def test_mentions_only_for_user_ids() -> None:
    from incident_responder.redrive.flow import mention

    assert mention("U0ABC123") == "<@U0ABC123>"
    assert mention("<!channel>") == "&lt;!channel&gt;"
