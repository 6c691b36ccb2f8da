"""Redrive end to end against moto and the local Slack: the executor per source, the local
RedriveExecution, the Slack flow (approve, cancel, unauthorized, second person, expiry, double click,
Slack retry, a failing call) and the new run's own event threading back into the conversation."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from tests.conftest import SCENARIOS

from incident_responder.evidence.redaction import redact_obj
from incident_responder.redrive.executor import execute
from incident_responder.redrive.plans import Plan, build_plan, gather_facts
from incident_responder_local import world_redrive

REGION = "eu-west-1"
ACCOUNT = "123456789012"


# -- helpers -----------------------------------------------------------------------------------------


class Conversation:
    """One scenario analyzed in a LocalStack, and its report's thread driven through the flow."""

    def __init__(self, stack: Any, slack: Any, scenario: Any) -> None:
        from incident_responder.aws import AwsContext
        from incident_responder.config import settings
        from incident_responder.redrive.audit import AuditStore
        from incident_responder.store import IncidentStore

        self.stack, self.slack, self.scenario = stack, slack, scenario
        result, _ = stack.invoke("AnalyzeFunction", scenario.event)
        assert result["status"] == "posted", result
        self.channel, self.root = result["channel"], result["ts"]
        self.cfg = settings()
        self.aws = AwsContext(region=scenario.world.region)
        self.store = IncidentStore(self.aws.client("dynamodb"), self.cfg.incidents_table)
        self.audit = AuditStore(self.aws.client("dynamodb"), self.cfg.audit_table)
        incident = self.store.by_thread(self.channel, self.root)
        assert incident is not None
        self.incident: dict[str, Any] = incident

    def flow(self, clock: Any = None, invoker: Any = None) -> Any:
        from incident_responder.followup.context import ThreadContext
        from incident_responder.redrive.flow import RedriveFlow
        from incident_responder.slack.poster import SlackPoster

        ctx = ThreadContext(
            aws=self.aws,
            settings=self.cfg,
            slack=SlackPoster.from_settings(self.cfg, self.aws),
            store=self.store,
            channel=self.channel,
            thread_ts=self.root,
            message_ts=None,
        )
        return RedriveFlow(ctx, clock=clock, invoker=invoker)

    def unreachable(self) -> Any:
        """The real invoker, pointed at a redrive function that does not exist: the invoke fails
        (as a throttled or failing invoke does) and the redrive function is never reached."""
        from incident_responder.redrive.invoker import RedriveInvoker

        return RedriveInvoker(self.aws, "incident-responder-redrive-missing")

    def request(self, user: str = "U0ONCALL01", clock: Any = None) -> str:
        before = len(self.replies())
        self.flow(clock).request(self.incident, user)
        assert len(self.replies()) == before + 1
        return self.button("Approve")["value"]

    def click(self, action: str, request_id: str, user: str, clock: Any = None, invoker: Any = None) -> None:
        self.flow(clock, invoker).action(self.incident, f"redrive_{action}", request_id, user)

    def status(self, request_id: str) -> str:
        request = self.audit.get_request(self.incident["incident_id"], request_id)
        return str((request or {}).get("status"))

    def replies(self) -> list[dict[str, Any]]:
        return [m for m in self.slack.thread(self.channel, self.root) if m["ts"] != self.root]

    def last(self) -> str:
        return _text(self.replies()[-1])

    def button(self, label: str) -> dict[str, Any]:
        for message in reversed(self.replies()):
            for block in message.get("blocks") or []:
                for element in block.get("elements") or []:
                    if block.get("type") == "actions" and element.get("text", {}).get("text") == label:
                        return element  # type: ignore[no-any-return]
        raise AssertionError(f"no {label} button in the thread")

    def top_level(self) -> list[dict[str, Any]]:
        return self.slack.messages(top_level_only=True)  # type: ignore[no-any-return]

    def analyze(self, event: dict[str, Any]) -> dict[str, Any]:
        result, _ = self.stack.invoke("AnalyzeFunction", event)
        return result  # type: ignore[no-any-return]


def _text(message: dict[str, Any]) -> str:
    parts = [message.get("text") or ""]
    for block in message.get("blocks") or []:
        if isinstance(block.get("text"), dict):
            parts.append(block["text"].get("text", ""))
        for element in block.get("elements") or []:
            if isinstance(element.get("text"), str):
                parts.append(element["text"])
    return "\n".join(parts)


@pytest.fixture
def conversation(slack: Any) -> Iterator[Any]:
    """``conversation(name, edit=None, **env)``: a scenario's report, posted in a fresh local stack;
    ``edit`` changes the scenario's world data before it is loaded."""
    from incident_responder_local.replay import Scenario
    from incident_responder_local.runtime import LocalStack

    with ExitStack() as stacks:

        def start(name: str, edit: Callable[[dict[str, Any]], None] | None = None, **env: str) -> Conversation:
            scenario = Scenario.load(SCENARIOS / name)
            if edit is not None:
                edit(scenario.world.data)
            stack = stacks.enter_context(LocalStack(scenario.world, slack=slack, env=env))
            return Conversation(stack, slack, scenario)

        yield start


def _runs(convo: Conversation, source: str) -> list[dict[str, Any]]:
    return [r for r in convo.audit.runs(convo.incident["incident_id"]) if r.get("state") == "started"]


# -- the local RedriveExecution ----------------------------------------------------------------------


@pytest.fixture
def sfn() -> Iterator[Any]:
    world_redrive.install()
    with mock_aws(config={"batch": {"use_docker": False}}):
        client = boto3.Session(region_name=REGION, aws_access_key_id="t", aws_secret_access_key="t").client(
            "stepfunctions"
        )
        yield client


def _failed_execution(
    sfn: Any, name: str = "run-1", *, sm_type: str = "STANDARD", stopped_ago: timedelta = timedelta(hours=1)
) -> str:
    from moto.stepfunctions.models import stepfunctions_backends

    sm = sfn.create_state_machine(
        name=f"sm-{name}", definition="{}", type=sm_type, roleArn=f"arn:aws:iam::{ACCOUNT}:role/sfn"
    )["stateMachineArn"]
    arn = sfn.start_execution(stateMachineArn=sm, name=name, input='{"day": 1}')["executionArn"]
    execution = stepfunctions_backends[ACCOUNT][REGION].describe_execution(arn)
    execution.status, execution.stop_date = "FAILED", datetime.now(UTC) - stopped_ago
    return str(arn)


def test_local_redrive_execution_redrives_moto_s_execution(sfn: Any) -> None:
    arn = _failed_execution(sfn)
    assert sfn.describe_execution(executionArn=arn)["redriveStatus"] == "REDRIVABLE"
    out = sfn.redrive_execution(executionArn=arn, clientToken="token-1")
    described = sfn.describe_execution(executionArn=arn)
    assert described["status"] == "RUNNING" and described["redriveCount"] == 1
    assert described["redriveDate"] == out["redriveDate"]
    assert described["redriveStatus"] == "NOT_REDRIVABLE"
    # The same client token within 15 minutes: the first answer, no second redrive (as AWS does).
    again = sfn.redrive_execution(executionArn=arn, clientToken="token-1")
    assert again["redriveDate"] == out["redriveDate"]
    assert sfn.describe_execution(executionArn=arn)["redriveCount"] == 1
    with pytest.raises(sfn.exceptions.ExecutionNotRedrivable, match="RUNNING"):
        sfn.redrive_execution(executionArn=arn, clientToken="token-2")


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"sm_type": "EXPRESS"}, "ExecutionNotRedrivable", "Express"),
        ({"stopped_ago": timedelta(days=15)}, "ExecutionNotRedrivable", "past the redrive window"),
    ],
)
def test_local_redrive_execution_refuses_like_aws(sfn: Any, kwargs: dict[str, Any], error: str, message: str) -> None:
    arn = _failed_execution(sfn, **kwargs)
    with pytest.raises(ClientError) as caught:
        sfn.redrive_execution(executionArn=arn)
    assert caught.value.response["Error"]["Code"] == error and message in str(caught.value)


def test_local_redrive_execution_validates_the_request_and_knows_missing_executions(sfn: Any) -> None:
    from botocore.exceptions import ParamValidationError

    with pytest.raises(ParamValidationError):  # botocore's own validation, before the local handler
        sfn.redrive_execution()
    with pytest.raises(sfn.exceptions.ExecutionDoesNotExist):
        sfn.redrive_execution(executionArn=f"arn:aws:states:{REGION}:{ACCOUNT}:execution:sm:nope")


def test_local_redrive_handler_is_inert_without_a_mock() -> None:
    from botocore.model import ServiceModel  # noqa: F401 (the handler must not need moto)

    world_redrive.install()
    assert world_redrive._redrive_execution(model=None, params={}) is None


# -- the executor, per source, against moto ----------------------------------------------------------------


@pytest.fixture
def aws() -> Iterator[Any]:
    from incident_responder.aws import AwsContext

    world_redrive.install()
    with mock_aws(config={"batch": {"use_docker": False}}):
        yield AwsContext(
            region=REGION,
            session=boto3.Session(region_name=REGION, aws_access_key_id="t", aws_secret_access_key="t"),
        )


def _plan(source: str, spec: dict[str, Any], **kwargs: Any) -> Plan:
    return build_plan(source, spec, attempt=1, idempotency_key="inc#1", region=REGION, **kwargs)


def test_executor_start_execution_fallback(aws: Any) -> None:
    sfn = aws.client("stepfunctions")
    arn = _failed_execution(sfn, "nightly", stopped_ago=timedelta(days=30))
    machine = sfn.describe_execution(executionArn=arn)["stateMachineArn"]
    plan = _plan(
        "stepfunctions",
        {"execution_arn": arn, "state_machine_arn": machine, "input": '{"day": 1}'},
        facts={"execution": sfn.describe_execution(executionArn=arn)},
    )
    result = execute(plan, aws)
    assert result.ok and result.run_id.endswith(":nightly-redrive-1") and result.run_key == result.run_id
    assert sfn.describe_execution(executionArn=result.run_id)["input"] == '{"day": 1}'


def test_executor_redrive_execution(aws: Any) -> None:
    sfn = aws.client("stepfunctions")
    arn = _failed_execution(sfn, "hourly")
    plan = _plan("stepfunctions", {"execution_arn": arn}, facts={"execution": sfn.describe_execution(executionArn=arn)})
    result = execute(plan, aws)
    assert result.ok and result.action == "states:RedriveExecution"
    assert result.run_id == arn and result.run_key == f"{arn}#redrive-1"
    assert sfn.describe_execution(executionArn=arn)["redriveCount"] == 1


def test_executor_run_task(aws: Any) -> None:
    ecs = aws.client("ecs")
    cluster = ecs.create_cluster(clusterName="jobs")["cluster"]["clusterArn"]
    td = ecs.register_task_definition(
        family="dedupe",
        networkMode="bridge",
        cpu="256",
        memory="512",
        containerDefinitions=[{"name": "main", "image": "x", "memory": 512}],
    )
    td_arn = td["taskDefinition"]["taskDefinitionArn"]
    spec = {
        "cluster": cluster,
        "taskDefinition": td_arn,
        "launchType": "FARGATE",
        "overrides": {"containerOverrides": [{"name": "main", "command": ["run", "--day", "1"]}]},
    }
    result = execute(_plan("ecs", spec), aws)
    assert result.ok, result
    task = ecs.describe_tasks(cluster=cluster, tasks=[result.run_id])["tasks"][0]
    assert task["taskDefinitionArn"] == td_arn and task["startedBy"] == "incident-responder"
    assert task["overrides"]["containerOverrides"][0]["command"] == ["run", "--day", "1"]


def test_executor_start_job_run_and_its_failure(aws: Any) -> None:
    glue = aws.client("glue")
    glue.create_job(
        Name="dedupe",
        Role="arn:aws:iam::123456789012:role/glue",
        Command={"Name": "glueetl", "ScriptLocation": "s3://b/s.py"},
    )
    spec = {"JobName": "dedupe", "Arguments": {"--day": "1"}, "WorkerType": "G.1X", "NumberOfWorkers": 2}
    result = execute(_plan("glue", spec), aws)
    assert result.ok and result.run_key == f"dedupe#{result.run_id}"
    run = glue.get_job_run(JobName="dedupe", RunId=result.run_id)["JobRun"]
    assert run["Arguments"] == {"--day": "1"}
    failed = execute(_plan("glue", {**spec, "JobName": "deleted-job"}), aws)
    assert not failed.ok and failed.error_code == "EntityNotFoundException" and failed.error


def test_executor_submit_job_rereads_secret_environment_values(aws: Any) -> None:
    iam, batch = aws.client("iam"), aws.client("batch")
    role = iam.create_role(RoleName="batch", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    env = batch.create_compute_environment(
        computeEnvironmentName="compute-env", type="UNMANAGED", state="ENABLED", serviceRole=role
    )
    queue = batch.create_job_queue(
        jobQueueName="q",
        state="ENABLED",
        priority=1,
        computeEnvironmentOrder=[{"order": 1, "computeEnvironment": env["computeEnvironmentArn"]}],
    )["jobQueueArn"]
    jd = batch.register_job_definition(
        jobDefinitionName="align",
        type="container",
        containerProperties={"image": "x", "command": ["align"], "vcpus": 1, "memory": 512},
    )["jobDefinitionArn"]
    overrides = {
        "command": ["align", "--db-password", "pw-0a1b2c3d"],
        "environment": [
            {"name": "DB_PASSWORD", "value": "s3cret"},
            {"name": "REFERENCE_DB", "value": "postgresql://ref:pw-0a1b2c3d@refdb:5432/ref"},
        ],
    }
    original = batch.submit_job(jobName="align-1", jobQueue=queue, jobDefinition=jd, containerOverrides=overrides)[
        "jobId"
    ]
    # The spec as the incident keeps it (analyze.py): everything that looks secret redacted.
    spec = redact_obj(
        {
            "jobName": "align-1",
            "jobQueue": queue,
            "jobDefinition": jd,
            "jobId": original,
            "parameters": {"sample": "NA1"},
            "containerOverrides": overrides,
        },
        parse_json=True,
    )
    assert "s3cret" not in json.dumps(spec) and "pw-0a1b2c3d" not in json.dumps(spec)
    plan = _plan("batch", spec, facts=gather_facts("batch", spec, aws))
    assert plan.runnable, plan.reason
    stored = Plan.from_dict(json.loads(json.dumps(plan.redacted().to_dict())))  # as the audit table keeps it
    assert "s3cret" not in json.dumps(stored.to_dict()) and "pw-0a1b2c3d" not in json.dumps(stored.to_dict())
    result = execute(stored, aws)
    assert result.ok, result
    job = batch.describe_jobs(jobs=[result.run_id])["jobs"][0]
    assert job["jobName"] == "align-1-redrive-1" and job["parameters"] == {"sample": "NA1"}
    assert job["container"]["command"] == overrides["command"]
    for variable in overrides["environment"]:
        assert variable in job["container"]["environment"]
    # A job Batch no longer returns: the plan says so, and a stored plan does not run with markers.
    gone_spec = {**spec, "jobId": "expired"}
    gone = _plan("batch", gone_spec, facts=gather_facts("batch", gone_spec, aws))
    assert not gone.runnable and "DescribeJobs" in gone.reason
    assert any("Batch no longer returns job expired" in w for w in gone.warnings)
    stale = Plan.from_dict({**stored.to_dict(), "expect": {"original_job_id": "expired"}})
    failed = execute(stale, aws)
    assert not failed.ok and failed.error_code == "SecretsUnavailable"


def test_executor_add_job_flow_steps(aws: Any) -> None:
    emr = aws.client("emr")
    cluster = emr.run_job_flow(
        Name="nightly",
        ReleaseLabel="emr-6.15.0",
        Instances={
            "MasterInstanceType": "m5.xlarge",
            "InstanceCount": 1,
            "KeepJobFlowAliveWhenNoSteps": True,
        },
        JobFlowRole="EMR_EC2_DefaultRole",
        ServiceRole="EMR_DefaultRole",
    )["JobFlowId"]
    spec = {
        "cluster_id": cluster,
        "step": {
            "Name": "sessionize",
            "ActionOnFailure": "CONTINUE",
            "HadoopJarStep": {"Jar": "command-runner.jar", "Args": ["spark-submit", "s3://j/s.py"]},
        },
    }
    plan = _plan("emr", spec, facts={"cluster": emr.describe_cluster(ClusterId=cluster)["Cluster"]})
    result = execute(plan, aws)
    assert result.ok and result.run_key == f"{cluster}#{result.run_id}"
    step = emr.describe_step(ClusterId=cluster, StepId=result.run_id)["Step"]
    assert step["Name"] == "sessionize (redrive 1)" and step["Config"]["Args"] == [
        "spark-submit",
        "s3://j/s.py",
    ]


def test_executor_never_raises() -> None:
    class Broken:
        def client(self, service: str) -> Any:
            raise RuntimeError("no client")

    plan = _plan("glue", {"JobName": "x"})
    result = execute(plan, Broken())  # type: ignore[arg-type]
    assert not result.ok and "no client" in result.error
    not_runnable = Plan.from_dict({**plan.to_dict(), "runnable": False, "reason": "gone"})
    assert execute(not_runnable, Broken()).error == "gone"  # type: ignore[arg-type]


# -- the Slack flow ------------------------------------------------------------------------------------------


def test_approve_runs_once_whatever_the_clicks(conversation: Any) -> None:
    convo = conversation("redrive_glue")
    glue = convo.aws.client("glue")
    before = len(glue.get_job_runs(JobName="customer-dedupe")["JobRuns"])
    request_id = convo.request()
    preview = convo.last()
    assert "glue:StartJobRun" in preview and "not idempotent" in preview and "<@U0APPROVER>" in preview
    convo.click("approve", request_id, "U0APPROVER")
    assert "<@U0APPROVER> approved: redrive started (`glue:StartJobRun`, attempt 1)" in convo.last()
    for _ in range(3):  # a double click, and the same click delivered again
        convo.click("approve", request_id, "U0APPROVER")
        assert "It runs once; nothing more was started." in convo.last()
    assert len(glue.get_job_runs(JobName="customer-dedupe")["JobRuns"]) == before + 1
    assert len(_runs(convo, "glue")) == 1
    # The preview shows who approved; its buttons stay, and clicking them is harmless (above).
    preview_message = convo.replies()[0]
    assert "Approved by <@U0APPROVER>" in _text(preview_message)


def test_slack_retry_through_the_ingress_runs_once(conversation: Any) -> None:
    from incident_responder_local.runtime import SIGNING_SECRET
    from incident_responder_local.slack_requests import block_actions_body, function_url_event

    convo = conversation("redrive_emr")
    request_id = convo.request()
    preview = convo.replies()[-1]
    button = {**convo.button("Approve"), "block_id": f"redrive:{request_id}"}
    message = {
        "type": "message",
        "ts": preview["ts"],
        "thread_ts": convo.root,
        "text": preview.get("text", ""),
        "blocks": preview.get("blocks") or [],
    }
    body = block_actions_body(
        channel=convo.channel,
        user="U0APPROVER",
        message=message,
        action=button,
        action_ts=f"{time.time():.6f}",
    )
    for retry in (None, 1, 2):  # the click, then Slack's retries of the same request
        answer, _ = convo.stack.invoke(
            "SlackIngressFunction",
            function_url_event(
                body, secret=SIGNING_SECRET, content_type="application/x-www-form-urlencoded", retry_num=retry
            ),
        )
        assert answer["statusCode"] == 200
        _drain(convo)
    started = [r for r in convo.replies() if "redrive started" in _text(r)]
    assert len(started) == 1
    run = convo.audit.get_run(convo.incident["incident_id"], 1)
    assert run is not None and convo.audit.get_run(convo.incident["incident_id"], 2) is None
    from moto.emr.models import emr_backends

    cluster = emr_backends[ACCOUNT][convo.scenario.world.region].clusters["j-1K48QZ7HXM3CB"]
    assert [s.name for s in cluster.steps].count("sessionize-events (redrive 1)") == 1


def _drain(convo: Conversation) -> None:
    """Hand the queued deliveries to the worker, as Lambda's SQS event source does."""
    sqs = convo.stack.session.client("sqs")
    url = convo.stack.env["FOLLOWUP_QUEUE_URL"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    while True:
        messages = (
            sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=5, AttributeNames=["All"]).get("Messages") or []
        )
        if not messages:
            return
        records = [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": {k: str(v) for k, v in (m.get("Attributes") or {}).items()},
                "messageAttributes": {},
                "md5OfBody": m["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": arn,
                "awsRegion": convo.scenario.world.region,
            }
            for m in messages
        ]
        result, _ = convo.stack.invoke("FollowupWorkerFunction", {"Records": records})
        assert not (result or {}).get("batchItemFailures"), result
        for m in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


def test_cancel_then_approve_runs_nothing(conversation: Any) -> None:
    convo = conversation("redrive_batch")
    request_id = convo.request()
    convo.click("cancel", request_id, "U0STRANGER")
    assert "<@U0STRANGER> can't cancel this redrive" in convo.last()
    convo.click("cancel", request_id, "U0ONCALL01")
    assert "Redrive cancelled by <@U0ONCALL01>. Nothing was run." in convo.last()
    convo.click("approve", request_id, "U0APPROVER")
    assert "already cancelled by <@U0ONCALL01>" in convo.last()
    assert _runs(convo, "batch") == []
    kinds = [a["kind"] for a in convo.audit.trail(convo.incident["incident_id"])]
    assert kinds == ["request", "rejection", "cancel", "rejection"]


def test_only_approvers_approve_and_not_the_requester_when_a_second_person_is_required(
    conversation: Any,
) -> None:
    convo = conversation("redrive_ecs", REDRIVE_APPROVERS="U0ONCALL01", REDRIVE_REQUIRE_SECOND_PERSON="true")
    request_id = convo.request(user="U0ONCALL01")
    assert "Can approve: <@U0ONCALL01>, <@U0ORDERSLEAD> (someone other than the requester)" in convo.last()
    convo.click("approve", request_id, "U0STRANGER")
    assert "<@U0STRANGER> can't approve this redrive: only <@U0ONCALL01>, <@U0ORDERSLEAD> can." in convo.last()
    convo.click("approve", request_id, "U0ONCALL01")
    assert "someone else must approve it. Nothing was run." in convo.last()
    assert _runs(convo, "ecs") == []
    convo.click("approve", request_id, "U0ORDERSLEAD")  # the catalog's approver
    assert "<@U0ORDERSLEAD> approved: redrive started (`ecs:RunTask`" in convo.last()
    tasks = convo.aws.client("ecs").list_tasks(cluster="data-jobs", startedBy="incident-responder")["taskArns"]
    assert len(tasks) == 1
    rejections = [a for a in convo.audit.trail(convo.incident["incident_id"]) if a["kind"] == "rejection"]
    assert [(a["who"], a["result"]) for a in rejections] == [
        ("U0STRANGER", "not_approver"),
        ("U0ONCALL01", "second_person"),
    ]


def test_an_expired_approval_runs_nothing(conversation: Any) -> None:
    convo = conversation("redrive_sfn_demo")
    t0 = datetime(2030, 1, 1, 9, 0, tzinfo=UTC)
    late = convo.request(clock=lambda: t0)
    assert "The buttons expire at 2030-01-01 10:00 UTC" in convo.last()
    convo.click("approve", late, "U0ANALYTICSLEAD", clock=lambda: t0 + timedelta(seconds=3600))
    assert "This redrive approval expired at 2030-01-01 10:00 UTC, 1 h after it was requested" in convo.last()
    convo.click("approve", late, "U0ANALYTICSLEAD", clock=lambda: t0 + timedelta(seconds=3700))
    assert "expired" in convo.last()
    assert _runs(convo, "stepfunctions") == []
    # A fresh request is approved just in time.
    in_time = convo.request(clock=lambda: t0 + timedelta(hours=2))
    convo.click("approve", in_time, "U0ANALYTICSLEAD", clock=lambda: t0 + timedelta(hours=3) - timedelta(seconds=1))
    assert "redrive started (`states:RedriveExecution`" in convo.last()
    expiries = [a for a in convo.audit.trail(convo.incident["incident_id"]) if a["kind"] == "expiry"]
    assert len(expiries) == 2


def _approved_then_worker_died(convo: Conversation, request_id: str, approver: str, at: datetime) -> None:
    """The worker recorded the approval, then stopped before it reached the redrive function."""
    from incident_responder.redrive.audit import APPROVED, PENDING

    moved, _ = convo.audit.transition(
        convo.incident["incident_id"],
        request_id,
        APPROVED,
        from_states=(PENDING,),
        by=approver,
        now_epoch=int(at.timestamp()),
        fields={"decided_by": approver, "start_by": int(at.timestamp()) + 300},
    )
    assert moved


def test_a_redelivered_approval_the_worker_never_ran_is_offered_for_retry_not_run(conversation: Any) -> None:
    convo = conversation("redrive_glue")
    t0 = datetime.now(UTC)
    request_id = convo.request(clock=lambda: t0)
    _approved_then_worker_died(convo, request_id, "U0APPROVER", t0)
    later = t0 + timedelta(minutes=12)  # SQS redelivers the click after the visibility timeout
    convo.click("cancel", request_id, "U0ONCALL01", clock=lambda: later)  # the requester cancels
    assert "Redrive cancelled by <@U0ONCALL01>. Nothing was run." in convo.last()
    convo.click("approve", request_id, "U0APPROVER", clock=lambda: later)
    convo.click("retry", request_id, "U0APPROVER", clock=lambda: later)
    assert "already cancelled" in convo.last()
    assert _runs(convo, "glue") == [] and convo.status(request_id) == "cancelled"


def test_a_redelivered_approval_is_started_again_only_by_an_approver(conversation: Any) -> None:
    convo = conversation("redrive_glue")
    t0 = datetime.now(UTC)
    request_id = convo.request(clock=lambda: t0)
    _approved_then_worker_died(convo, request_id, "U0APPROVER", t0)
    later = t0 + timedelta(minutes=12)
    convo.click("approve", request_id, "U0STRANGER", clock=lambda: later)
    assert "<@U0STRANGER> can't approve this redrive" in convo.last()
    assert _runs(convo, "glue") == [] and convo.status(request_id) == "start_failed"
    convo.click("approve", request_id, "U0APPROVER", clock=lambda: later)  # the redelivered click
    assert "<@U0APPROVER> approved: redrive started (`glue:StartJobRun`, attempt 1)" in convo.last()
    convo.click("approve", request_id, "U0APPROVER", clock=lambda: later)
    assert "already approved by <@U0APPROVER>: <https://" in convo.last()
    assert "It runs once; nothing more was started." in convo.last()
    assert len(_runs(convo, "glue")) == 1


# -- a start that failed: Cancel, non-approvers and the deadline never run it; Retry runs it once ----------


def _failed_start(convo: Conversation, clock: Any = None) -> str:
    request_id = convo.request(clock=clock)
    convo.click("approve", request_id, "U0APPROVER", clock=clock, invoker=convo.unreachable())
    text = convo.last()
    assert "<@U0APPROVER> approved, but the redrive could not be started" in text, text
    assert "Nothing was run" in text and "could not invoke the redrive function" in text
    assert convo.button("Retry")["value"] == request_id
    assert convo.status(request_id) == "start_failed"
    return request_id


def test_cancel_after_a_failed_start_never_runs(conversation: Any) -> None:
    convo = conversation("redrive_glue")
    request_id = _failed_start(convo)
    convo.click("cancel", request_id, "U0ONCALL01")  # the requester; the redrive function is reachable now
    assert _runs(convo, "glue") == [] and convo.audit.runs(convo.incident["incident_id"]) == []
    assert "Redrive cancelled by <@U0ONCALL01>. Nothing was run." in convo.last()
    convo.click("retry", request_id, "U0APPROVER")  # a late Retry cannot bring it back
    assert "already cancelled" in convo.last()
    assert _runs(convo, "glue") == [] and convo.status(request_id) == "cancelled"


def test_a_non_approver_after_a_failed_start_never_runs(conversation: Any) -> None:
    convo = conversation("redrive_glue")
    request_id = _failed_start(convo)
    for action in ("approve", "retry"):
        convo.click(action, request_id, "U0STRANGER")
        assert "<@U0STRANGER> can't approve this redrive" in convo.last()
    convo.click("cancel", request_id, "U0STRANGER")
    assert "can't cancel this redrive" in convo.last()
    assert _runs(convo, "glue") == [] and convo.status(request_id) == "start_failed"


def test_an_expired_approval_never_runs_after_a_failed_start(conversation: Any) -> None:
    convo = conversation("redrive_glue")
    t0 = datetime(2030, 1, 1, 9, 0, tzinfo=UTC)
    request_id = _failed_start(convo, clock=lambda: t0)
    day_later = t0 + timedelta(days=1)
    convo.click("retry", request_id, "U0APPROVER", clock=lambda: day_later)
    assert "This redrive approval expired at 2030-01-01 10:00 UTC" in convo.last()
    convo.click("approve", request_id, "U0APPROVER", clock=lambda: day_later)
    assert "expired" in convo.last()
    assert _runs(convo, "glue") == [] and convo.status(request_id) == "expired"
    # Nor can the redrive function be made to run it directly.
    answer, _ = convo.stack.invoke(
        "RedriveFunction", {"incident_id": convo.incident["incident_id"], "request_id": request_id}
    )
    assert answer["status"] == "refused" and _runs(convo, "glue") == []


def test_retry_by_an_approver_runs_once(conversation: Any) -> None:
    convo = conversation("redrive_glue")
    request_id = _failed_start(convo)
    convo.click("retry", request_id, "U0APPROVER")
    assert "<@U0APPROVER> approved: redrive started (`glue:StartJobRun`, attempt 1)" in convo.last()
    for action in ("retry", "approve", "cancel"):  # double clicks, Slack retries, a late Cancel
        convo.click(action, request_id, "U0APPROVER")
        assert "already approved by <@U0APPROVER>" in convo.last() and "nothing more was started" in convo.last()
    assert len(_runs(convo, "glue")) == 1 and convo.status(request_id) == "succeeded"
    history = convo.audit.get_request(convo.incident["incident_id"], request_id)["history"]
    assert [h["to"] for h in history] == ["approved", "start_failed", "approved", "running", "succeeded"]


def test_the_redrive_function_starts_an_approval_only_within_its_start_window(conversation: Any) -> None:
    convo = conversation("redrive_glue")
    t0 = datetime.now(UTC) - timedelta(minutes=10)
    request_id = convo.request(clock=lambda: t0)
    _approved_then_worker_died(convo, request_id, "U0APPROVER", t0)
    answer, _ = convo.stack.invoke(
        "RedriveFunction", {"incident_id": convo.incident["incident_id"], "request_id": request_id}
    )
    assert answer["status"] == "refused" and _runs(convo, "glue") == []
    assert convo.status(request_id) == "approved"


def test_concurrent_moves_of_one_request_cannot_both_win(conversation: Any) -> None:
    from incident_responder.redrive.audit import APPROVED, CANCELLED, PENDING

    convo = conversation("redrive_glue")
    request_id = convo.request()
    incident_id, now = convo.incident["incident_id"], int(datetime.now(UTC).timestamp())
    first = convo.audit.transition(incident_id, request_id, APPROVED, from_states=(PENDING,), by="U0A", now_epoch=now)
    second = convo.audit.transition(incident_id, request_id, CANCELLED, from_states=(PENDING,), by="U0B", now_epoch=now)
    assert first[0] and not second[0] and second[1]["status"] == "approved"
    with pytest.raises(ValueError):
        convo.audit.transition(incident_id, request_id, PENDING, from_states=(CANCELLED,), by="U0B", now_epoch=now)


# -- a preview that could not be posted blocks nothing --------------------------------------------------------


def test_a_failed_preview_post_does_not_block_a_new_request(conversation: Any) -> None:
    from incident_responder.slack.client import SlackPostError

    convo = conversation("redrive_glue")
    convo.slack.fail_next("chat.postMessage", error="msg_too_long")
    with pytest.raises(SlackPostError):
        convo.flow().request(convo.incident, "U0ONCALL01")
    first = convo.audit.requests(convo.incident["incident_id"])
    assert [r["status"] for r in first] == ["superseded"] and "preview_ts" not in first[0]
    request_id = convo.request()  # asked again: a fresh preview, with buttons
    assert "A redrive preview is already waiting" not in convo.last()
    convo.click("approve", request_id, "U0APPROVER")
    assert "redrive started (`glue:StartJobRun`, attempt 1)" in convo.last()
    assert len(_runs(convo, "glue")) == 1


def test_a_pending_request_whose_preview_was_never_posted_is_superseded(conversation: Any) -> None:
    convo = conversation("redrive_glue")
    request_id = convo.request()
    # As if the worker stopped between storing the request and posting its preview.
    convo.aws.client("dynamodb").update_item(
        TableName=convo.cfg.audit_table,
        Key={"pk": {"S": f"INCIDENT#{convo.incident['incident_id']}"}, "sk": {"S": f"REQUEST#{request_id}"}},
        UpdateExpression="REMOVE preview_ts",
    )
    fresh = convo.request(user="U0OTHER")
    assert fresh != request_id and convo.status(request_id) == "superseded"
    convo.click("approve", request_id, "U0APPROVER")
    assert "was replaced by a newer one" in convo.last() and _runs(convo, "glue") == []


# -- opt-in ----------------------------------------------------------------------------------------------------


def _no_opt_in(world: dict[str, Any]) -> None:
    world.pop("tags", None)


def test_a_resource_that_has_not_opted_in_gets_no_approve_button(conversation: Any) -> None:
    convo = conversation("redrive_glue", edit=_no_opt_in)
    before = len(convo.replies())
    convo.flow().request(convo.incident, "U0ONCALL01")
    assert len(convo.replies()) == before + 1
    text = convo.last()
    assert "this resource has not opted in to redrive; the call will be refused by IAM" in text
    assert "arn:aws:glue:us-east-2:123456789012:job/customer-dedupe" in text
    assert "incident-responder:redrive=allowed" in text
    with pytest.raises(AssertionError, match="no Approve button"):
        convo.button("Approve")
    (request,) = convo.audit.requests(convo.incident["incident_id"])
    assert request["status"] == "not_runnable" and request["opted_in"] is False
    convo.click("approve", request["request_id"], "U0APPROVER")  # a forged click
    assert _runs(convo, "glue") == []


def test_a_pending_preview_is_not_posted_twice(conversation: Any) -> None:
    convo = conversation("redrive_emr")
    convo.request()
    convo.flow().request(convo.incident, "U0OTHER")
    assert "A redrive preview is already waiting for approval in this thread" in convo.last()
    assert sum("Redrive preview" in _text(m) for m in convo.replies()) == 1


def test_a_failing_redrive_call_is_said_in_the_thread_and_audited(conversation: Any) -> None:
    convo = conversation("redrive_ecs_call_fails")
    request_id = convo.request()
    convo.click("approve", request_id, "U0APPROVER")
    text = convo.last()
    assert "approved, but the redrive call failed (`ecs:RunTask`)" in text and "Nothing new is running" in text
    run = convo.audit.get_run(convo.incident["incident_id"], 1)
    assert run is not None and run["state"] == "failed" and run["error"]
    execution = [a for a in convo.audit.trail(convo.incident["incident_id"]) if a["kind"] == "execution"]
    assert execution[0]["result"].startswith("failed: ") and execution[0]["who"] == "U0APPROVER"
    # Asking again makes a new attempt (the failed one keeps its key).
    convo.request()
    assert "(attempt 2)" in convo.last()


def test_sfn_not_redrivable_falls_back_to_a_new_execution(conversation: Any) -> None:
    convo = conversation("redrive_sfn_fallback")
    request_id = convo.request()
    assert "Not a redrive:" in convo.last() and "states:StartExecution" in convo.last()
    convo.click("approve", request_id, "U0APPROVER")
    sfn = convo.aws.client("stepfunctions")
    spec = json.loads(convo.incident["redrive"])
    new = f"{spec['execution_arn']}-redrive-1"
    original = sfn.describe_execution(executionArn=spec["execution_arn"])
    assert sfn.describe_execution(executionArn=new)["input"] == original["input"]  # not the stored copy
    assert "redrive started (`states:StartExecution`" in convo.last() and new in convo.last()
    assert sfn.describe_execution(executionArn=spec["execution_arn"])["status"] == "FAILED"  # untouched


def test_the_audit_trail_says_who_when_what_and_result(conversation: Any) -> None:
    convo = conversation("redrive_sfn_demo")
    request_id = convo.request(user="U0ONCALL01")
    convo.click("approve", request_id, "U0ANALYTICSLEAD")
    trail = convo.audit.trail(convo.incident["incident_id"])
    assert [a["kind"] for a in trail] == ["request", "approval", "execution"]
    for line in trail:
        assert line["who"] and line["what"] and line["result"]
        assert datetime.fromisoformat(line["when"]).tzinfo is not None
    assert trail[0]["who"] == "U0ONCALL01" and trail[0]["result"] == "preview posted"
    assert trail[2]["what"].startswith("states:RedriveExecution on arn:aws:states:")
    assert trail[2]["result"].startswith("started arn:aws:states:")


def test_the_redrive_function_runs_only_approved_requests(conversation: Any) -> None:
    convo = conversation("redrive_glue")
    request_id = convo.request()
    incident_id = convo.incident["incident_id"]
    pending, _ = convo.stack.invoke("RedriveFunction", {"incident_id": incident_id, "request_id": request_id})
    assert pending["status"] == "refused" and "pending" in pending["error"]
    unknown, _ = convo.stack.invoke("RedriveFunction", {"incident_id": incident_id, "request_id": "nope"})
    assert unknown["status"] == "refused"
    bad, _ = convo.stack.invoke("RedriveFunction", {"incident_id": incident_id})
    assert bad["status"] == "refused"
    # Approved by someone who is not (or no longer) an approver: refused by the function itself.
    _approved_then_worker_died(convo, request_id, "U0STRANGER", datetime.now(UTC))
    forged, _ = convo.stack.invoke("RedriveFunction", {"incident_id": incident_id, "request_id": request_id})
    assert forged["status"] == "refused" and _runs(convo, "glue") == []


# -- secrets: stored and shown redacted, run with the real values ---------------------------------------------


def _stored(dynamodb: Any, *tables: str) -> list[tuple[str, str]]:
    """(table.attribute, value as text) for every attribute of every item of ``tables``."""
    from boto3.dynamodb.types import TypeDeserializer

    des = TypeDeserializer()
    found = []
    for table in tables:
        for page in dynamodb.get_paginator("scan").paginate(TableName=table):
            for item in page["Items"]:
                found += [(f"{table}.{name}", str(des.deserialize(value))) for name, value in item.items()]
    return found


def _assert_nowhere(convo: Conversation, secrets: list[str]) -> None:
    """None of ``secrets`` in the incidents or audit table, or in any Slack message."""
    stored = _stored(convo.aws.client("dynamodb"), convo.cfg.incidents_table, convo.cfg.audit_table)
    assert any(where.endswith(".plan") for where, _ in stored)  # the audit table holds the request
    said = [(m["ts"], (m.get("text") or "") + json.dumps(m.get("blocks") or [])) for m in convo.slack.messages()]
    for secret in secrets:
        assert [where for where, text in stored if secret in text] == [], secret
        assert [ts for ts, text in said if secret in text] == [], secret


def test_the_incident_item_keeps_the_redrive_spec_redacted(slack: Any) -> None:
    from incident_responder_local.replay import Scenario
    from incident_responder_local.runtime import LocalStack

    scenario = Scenario.load(SCENARIOS / "sfn_secret_redaction")
    with LocalStack(scenario.world, slack=slack) as stack:
        result, _ = stack.invoke("AnalyzeFunction", scenario.event)
        assert result["status"] == "posted" and result["report"]["actions"] == ["redrive"]
        stored = _stored(stack.session.client("dynamodb"), stack.env["INCIDENTS_TABLE"])
    for secret in scenario.expect["must_not_contain"]:
        assert [where for where, text in stored if secret in text] == [], secret
    # Redacted, not dropped: the identifiers and the input's other values are intact.
    spec = json.loads(next(text for where, text in stored if where.endswith(".redrive")))
    detail = scenario.event["detail"]
    assert (spec["execution_arn"], spec["state_machine_arn"], spec["name"]) == (
        detail["executionArn"],
        detail["stateMachineArn"],
        detail["name"],
    )
    kept = json.loads(spec["input"])
    assert kept["source_dsn"].startswith("postgresql://etl_user:[REDACTED:url_password]@orders-db.cluster-")
    assert kept["aws_access_key_id"] == "[REDACTED:aws_access_key_id]"
    assert kept["aws_secret_access_key"] == "[REDACTED:aws_secret_access_key]"
    assert kept["export_date"] == "2024-03-14" and kept["target"] == "s3://orders-exports-eu/2024-03-14/"


def _past_the_redrive_window(world: dict[str, Any]) -> None:
    world["stepfunctions"]["executions"][0]["describe"].update(
        redriveStatus="NOT_REDRIVABLE", redriveStatusReason="Execution is past the redrive window"
    )
    # The state machine opted in to redrive (the redrive function's IAM rights need the tag).
    machine = world["stepfunctions"]["executions"][0]["describe"]["stateMachineArn"]
    world.setdefault("tags", {})[machine] = {"incident-responder:redrive": "allowed"}


def test_a_restart_gets_the_real_input_while_the_preview_shows_it_redacted(conversation: Any) -> None:
    convo = conversation("sfn_secret_redaction", edit=_past_the_redrive_window, REDRIVE_APPROVERS="U0APPROVER")
    described = convo.scenario.world.data["stepfunctions"]["executions"][0]["describe"]
    request_id = convo.request()
    preview = convo.last()
    assert "states:StartExecution" in preview and "past the redrive window" in preview
    assert "etl_user:[REDACTED:url_password]@orders-db" in preview and "s3://orders-exports-eu/" in preview
    convo.click("approve", request_id, "U0APPROVER")
    assert "redrive started (`states:StartExecution`" in convo.last()
    sfn = convo.aws.client("stepfunctions")
    new = sfn.describe_execution(executionArn=f"{described['executionArn']}-redrive-1")
    assert new["input"] == described["input"]  # the real input, secrets and all
    _assert_nowhere(convo, convo.scenario.expect["must_not_contain"])


def test_nothing_is_offered_when_the_execution_cannot_be_read(conversation: Any) -> None:
    from moto.stepfunctions.models import stepfunctions_backends

    convo = conversation("sfn_secret_redaction", edit=_past_the_redrive_window, REDRIVE_APPROVERS="U0APPROVER")
    spec = json.loads(convo.incident["redrive"])
    # DescribeExecution now fails; the incident's own (redacted) copy of the input must not be used instead.
    machine = stepfunctions_backends[ACCOUNT][convo.scenario.world.region].describe_state_machine(
        spec["state_machine_arn"]
    )
    machine.executions = [e for e in machine.executions if e.execution_arn != spec["execution_arn"]]
    convo.flow().request(convo.incident, "U0ONCALL01")
    text = convo.last()
    assert "Redrive not possible" in text and "could not be read" in text and "ExecutionDoesNotExist" in text
    with pytest.raises(AssertionError, match="no Approve button"):
        convo.button("Approve")
    request = convo.audit.requests(convo.incident["incident_id"])[0]
    assert request["status"] == "not_runnable" and json.loads(request["plan"])["params"] == {}


GLUE_SECRETS = {
    "--db_password": "Glu3-Pa55word-2024",
    "--crm_dsn": "postgresql://crm_rw:Glu3-Dsn-Pw-2024@crm-db.internal:5432/crm",
}


def _glue_arguments(world: dict[str, Any]) -> None:
    world["glue"]["job_runs"][0]["Arguments"].update(GLUE_SECRETS)


def test_a_glue_rerun_gets_the_real_arguments_while_the_preview_shows_them_redacted(conversation: Any) -> None:
    convo = conversation("redrive_glue", edit=_glue_arguments)
    request_id = convo.request()
    preview = convo.last()
    assert '"--db_password": "[REDACTED:password]"' in preview
    assert "postgresql://crm_rw:[REDACTED:url_password]@crm-db.internal:5432/crm" in preview
    convo.click("approve", request_id, "U0APPROVER")
    run = convo.audit.get_run(convo.incident["incident_id"], 1)
    assert run is not None and run["state"] == "started", run
    started = convo.aws.client("glue").get_job_run(JobName="customer-dedupe", RunId=run["run_id"])["JobRun"]
    for name, value in {"--input": "s3://acme-crm-use2/exports/2024-04-29/customers.jsonl", **GLUE_SECRETS}.items():
        assert started["Arguments"][name] == value
    _assert_nowhere(convo, ["Glu3-Pa55word-2024", "Glu3-Dsn-Pw-2024"])


ECS_ENVIRONMENT = [
    {"name": "DB_PASSWORD", "value": "Ecs-S3cret-Value-77"},
    {"name": "ORDERS_DB", "value": "postgresql://orders:Ecs-Dsn-Pw-77@orders-db:5432/orders"},
    {"name": "ORDERS_BUCKET", "value": "acme-orders-raw"},
]


def _ecs_environment(world: dict[str, Any]) -> None:
    world["ecs"]["tasks"][0]["overrides"]["containerOverrides"][0]["environment"] = ECS_ENVIRONMENT


def test_an_ecs_rerun_gets_the_real_environment_while_the_preview_shows_it_redacted(conversation: Any) -> None:
    convo = conversation("redrive_ecs", edit=_ecs_environment)
    request_id = convo.request()
    preview = convo.last()
    assert "DB_PASSWORD" in preview and "[REDACTED:password]" in preview and "acme-orders-raw" in preview
    convo.click("approve", request_id, "U0ORDERSLEAD")
    assert "redrive started (`ecs:RunTask`" in convo.last()
    ecs = convo.aws.client("ecs")
    arns = ecs.list_tasks(cluster="data-jobs", startedBy="incident-responder")["taskArns"]
    task = ecs.describe_tasks(cluster="data-jobs", tasks=arns)["tasks"][0]
    assert task["overrides"]["containerOverrides"][0]["environment"] == ECS_ENVIRONMENT
    _assert_nowhere(convo, ["Ecs-S3cret-Value-77", "Ecs-Dsn-Pw-77"])


def _emr_secret_args(world: dict[str, Any]) -> None:
    world["emr"]["steps"][0]["step"]["Config"]["Args"] += ["--db-password", "Emr-S3cret-Arg-5"]


def test_an_emr_rerun_gets_the_real_step_arguments(conversation: Any) -> None:
    convo = conversation("redrive_emr", edit=_emr_secret_args)
    request_id = convo.request()
    assert '"--db-password"' in convo.last() and "Emr-S3cret-Arg-5" not in convo.last()
    convo.click("approve", request_id, "U0APPROVER")
    run = convo.audit.get_run(convo.incident["incident_id"], 1)
    assert run is not None and run["state"] == "started", run
    step = convo.aws.client("emr").describe_step(ClusterId="j-1K48QZ7HXM3CB", StepId=run["run_id"])["Step"]
    assert step["Config"]["Args"][-2:] == ["--db-password", "Emr-S3cret-Arg-5"]
    _assert_nowhere(convo, ["Emr-S3cret-Arg-5"])


@pytest.mark.parametrize("scenario", ["redrive_sfn_fallback", "redrive_emr"])
def test_the_new_run_is_listed_beside_the_failed_one(conversation: Any, scenario: str) -> None:
    convo = conversation(scenario)
    convo.click("approve", convo.request(), "U0APPROVER")
    if scenario == "redrive_emr":
        steps = convo.aws.client("emr").list_steps(ClusterId="j-1K48QZ7HXM3CB")["Steps"]
        assert [s["Name"] for s in steps] == ["sessionize-events (redrive 1)", "sessionize-events"]  # newest first
        return
    spec = json.loads(convo.incident["redrive"])
    sfn = convo.aws.client("stepfunctions")
    names = [e["name"] for e in sfn.list_executions(stateMachineArn=spec["state_machine_arn"])["executions"]]
    assert names == [f"{spec['name']}-redrive-1", spec["name"]]  # newest first


# -- the new run's own event -------------------------------------------------------------------------------

FOLLOW_UP = [
    ("redrive_sfn_demo", "stepfunctions", "U0ANALYTICSLEAD"),
    ("redrive_sfn_fallback", "stepfunctions", "U0APPROVER"),
    ("redrive_ecs", "ecs", "U0ORDERSLEAD"),
    ("redrive_glue", "glue", "U0APPROVER"),
    ("redrive_batch", "batch", "U0APPROVER"),
    ("redrive_emr", "emr", "U0APPROVER"),
]


def _approve_and_complete(convo: Conversation, approver: str, outcome: str) -> dict[str, Any]:
    request_id = convo.request()
    convo.click("approve", request_id, approver)
    run = convo.audit.get_run(convo.incident["incident_id"], 1)
    assert run is not None and run["state"] == "started", run
    launched = convo.audit.launched(run["run_key"])
    assert launched is not None and launched["thread_ts"] == convo.root
    parent = {
        "glue": run["run_key"].split("#")[0],
        "emr": run["run_key"].split("#")[0],
        "ecs": convo.incident["redrive"] and json.loads(convo.incident["redrive"]).get("cluster", ""),
    }
    return world_redrive.complete(
        launched["source"],
        run["run_id"],
        outcome,
        region=convo.scenario.world.region,
        account=convo.scenario.world.account,
        parent=parent.get(launched["source"], ""),
    )


@pytest.mark.parametrize(("scenario", "source", "approver"), FOLLOW_UP)
def test_the_new_run_s_success_is_said_in_the_same_thread_once(
    conversation: Any, scenario: str, source: str, approver: str
) -> None:
    convo = conversation(scenario)
    event = _approve_and_complete(convo, approver, "succeeded")
    result = convo.analyze(event)
    assert result["status"] == "threaded", result
    assert "Redrive succeeded" in convo.last() and "finished successfully" in convo.last()
    assert len(convo.top_level()) == 1  # not a new top-level alert
    again = convo.analyze({**event, "id": "another-delivery"})
    assert again["status"] == "duplicate" and sum("Redrive succeeded" in _text(m) for m in convo.replies()) == 1
    outcomes = [a for a in convo.audit.trail(convo.incident["incident_id"]) if a["kind"] == "outcome"]
    assert [a["result"] for a in outcomes] == ["succeeded"]


@pytest.mark.parametrize("scenario", ["redrive_sfn_demo", "redrive_sfn_fallback"])
def test_the_new_run_s_failure_is_a_new_report_in_the_same_thread(conversation: Any, scenario: str) -> None:
    convo = conversation(scenario)
    approver = dict((s, a) for s, _, a in FOLLOW_UP)[scenario]
    event = _approve_and_complete(convo, approver, "failed")
    result = convo.analyze(event)
    assert result["status"] == "grouped" and result["thread_ts"] == convo.root, result
    assert len(convo.top_level()) == 1
    report = convo.replies()[-1]
    assert report["thread_ts"] == convo.root and any(b.get("type") == "header" for b in report["blocks"])
    # The new failure is an incident of its own: it can be redriven again from its own report.
    assert result["report"]["incident_id"] != convo.incident["incident_id"]
    assert result["report"]["actions"] == ["redrive"]


def test_other_successes_are_still_not_reported(conversation: Any) -> None:
    convo = conversation("redrive_glue")
    event = {
        "version": "0",
        "id": "x",
        "detail-type": "Glue Job State Change",
        "source": "aws.glue",
        "account": ACCOUNT,
        "time": "2024-04-30T00:00:00Z",
        "region": convo.scenario.world.region,
        "resources": [],
        "detail": {
            "jobName": "customer-dedupe",
            "severity": "INFO",
            "state": "SUCCEEDED",
            "jobRunId": "jr_not_ours",
            "message": "Job run succeeded",
        },
    }
    assert convo.analyze(event)["status"] == "skipped"
    assert convo.replies() == []


def test_a_missing_audit_table_never_costs_a_report(conversation: Any) -> None:
    convo = conversation("redrive_glue", AUDIT_TABLE="no-such-table")
    assert len(convo.top_level()) == 1


# -- how the worker reaches the redrive function ------------------------------------------------------------


def test_invoker_invokes_the_redrive_function_synchronously_in_aws() -> None:
    import io

    from botocore.stub import Stubber

    from incident_responder.redrive.invoker import RedriveInvoker

    client = boto3.client("lambda", region_name=REGION, aws_access_key_id="t", aws_secret_access_key="t")

    class Session:
        def client(self, *args: Any, **kwargs: Any) -> Any:
            return client

    class Aws:
        session, region = Session(), REGION

    invoker = RedriveInvoker(Aws(), "incident-responder-RedriveFunction-X")  # type: ignore[arg-type]
    payload = {"incident_id": "i", "request_id": "r"}
    with Stubber(client) as stub:
        stub.add_response(
            "invoke",
            {"StatusCode": 200, "Payload": io.BytesIO(b'{"status": "started"}')},
            {
                "FunctionName": "incident-responder-RedriveFunction-X",
                "InvocationType": "RequestResponse",
                "Payload": json.dumps(payload).encode(),
            },
        )
        stub.add_response(
            "invoke",
            {
                "StatusCode": 200,
                "FunctionError": "Unhandled",
                "Payload": io.BytesIO(b'{"errorMessage": "boom"}'),
            },
        )
        stub.add_client_error("invoke", "ResourceNotFoundException", "Function not found")
        assert invoker.invoke(payload) == {"status": "started"}
        assert invoker.invoke(payload) == {"status": "failed", "error": "the redrive function failed: boom"}
        failed = invoker.invoke(payload)
        assert failed["status"] == "failed" and "ResourceNotFoundException" in failed["error"]


# -- EventBridge: only our runs' successes reach the analyzer ---------------------------------------------


@pytest.mark.parametrize(
    ("rule", "source", "detail_type", "detail", "routed"),
    [
        (
            "StepFunctions",
            "aws.states",
            "Step Functions Execution Status Change",
            {"status": "SUCCEEDED", "name": "nightly-redrive-1"},
            True,
        ),
        (
            "StepFunctions",
            "aws.states",
            "Step Functions Execution Status Change",
            {"status": "SUCCEEDED", "name": "nightly", "redriveCount": 1},
            True,
        ),
        (
            "StepFunctions",
            "aws.states",
            "Step Functions Execution Status Change",
            {"status": "SUCCEEDED", "name": "nightly", "redriveCount": 0},
            False,
        ),
        (
            "Batch",
            "aws.batch",
            "Batch Job State Change",
            {"status": "SUCCEEDED", "jobName": "align-redrive-2"},
            True,
        ),
        ("Batch", "aws.batch", "Batch Job State Change", {"status": "SUCCEEDED", "jobName": "align"}, False),
        (
            "EmrStep",
            "aws.emr",
            "EMR Step Status Change",
            {"state": "COMPLETED", "name": "sessionize (redrive 1)"},
            True,
        ),
        ("EmrStep", "aws.emr", "EMR Step Status Change", {"state": "COMPLETED", "name": "sessionize"}, False),
    ],
)
def test_rules_route_the_successes_of_redrive_runs_only(
    rule: str, source: str, detail_type: str, detail: dict[str, Any], routed: bool
) -> None:
    from tests.stack import load_template

    pattern = load_template()["Resources"]["AnalyzeFunction"]["Properties"]["Events"][rule]["Properties"]["Pattern"]
    on_disk = json.loads(
        (
            Path(__file__).resolve().parents[2]
            / "rules"
            / "events"
            / {"StepFunctions": "stepfunctions", "Batch": "batch", "EmrStep": "emr_step"}[rule]
        )
        .with_suffix(".json")
        .read_text()
    )
    assert on_disk == pattern
    with mock_aws(config={"batch": {"use_docker": False}}):
        session = boto3.Session(region_name=REGION, aws_access_key_id="t", aws_secret_access_key="t")
        events, sqs = session.client("events"), session.client("sqs")
        url = sqs.create_queue(QueueName="analyze")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        events.put_rule(Name=rule, EventPattern=json.dumps(pattern))
        events.put_targets(Rule=rule, Targets=[{"Id": "analyze", "Arn": arn}])
        events.put_events(Entries=[{"Source": source, "DetailType": detail_type, "Detail": json.dumps(detail)}])
        received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1).get("Messages") or []
    assert bool(received) is routed
