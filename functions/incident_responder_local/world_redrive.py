"""The local world's redrive: Step Functions ``RedriveExecution`` and the redrive fields moto lacks.

Moto (5.x) implements StartExecution, RunTask, StartJobRun, SubmitJob and AddJobFlowSteps, but has no
``RedriveExecution`` and no ``redriveCount`` / ``redriveStatus`` in DescribeExecution. The approach
here, and why:

- **A backend-level redrive behind botocore's own event hook.** :func:`install` adds two handlers
  to botocore's ``BUILTIN_HANDLERS`` (the same mechanism moto uses to put itself in front of every
  client), so every client created afterwards has them: ``before-call.sfn.RedriveExecution`` and
  ``after-call.sfn.DescribeExecution``. They act only while a moto mock is active (moto's
  ``botocore_stubber.enabled``); otherwise they return nothing and the call goes to AWS as usual.
- The RedriveExecution handler runs after botocore has validated the request against the service
  model, applies AWS's documented rules to moto's execution object (Standard only; FAILED,
  TIMED_OUT or ABORTED; within 14 days of the stop, unless the world pasted a ``redriveStatus``;
  not while running), then redrives it: status RUNNING, ``redriveCount`` + 1, ``redriveDate`` now,
  stop date cleared. The same ``clientToken`` within 15 minutes returns the first answer without a
  second redrive, as AWS does. The response is validated against the operation's output shape in
  botocore's model before it is returned; a refusal is an HTTP 400 with AWS's error code
  (``ExecutionNotRedrivable``, ``ExecutionDoesNotExist``), which botocore raises as the modeled
  exception. The code under test makes its ordinary ``client.redrive_execution(...)`` call.
- The DescribeExecution handler adds ``redriveCount``, ``redriveDate``, ``redriveStatus`` and
  ``redriveStatusReason`` (and the stop date of a TIMED_OUT execution) to moto's answer.

Why not botocore's ``Stubber``: it answers canned responses for one client the test holds, but the
redrive runs in the redrive function, which builds its own clients, and a canned answer would not
change the execution a later DescribeExecution reads. Why not patching moto's response classes:
this hook changes nothing of moto's and stays inert outside a mock.

Not covered: moto's standalone server mode (requests then never pass through this process's
botocore). :func:`load` also makes the job queues and definitions the world's failed Batch jobs name,
so SubmitJob can be made against them, and :func:`complete` ends a launched run the way AWS would and
returns the EventBridge event AWS would send (tests use it for the new run's own event).
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from incident_responder.sources.batch.evidence import job_resources

from .world import to_datetime

if TYPE_CHECKING:
    import boto3

    from .world import World

__all__ = ["complete", "install", "load"]

logger = logging.getLogger(__name__)

WINDOW = timedelta(days=14)
TOKEN_TTL = timedelta(minutes=15)
_REDRIVABLE = {"FAILED", "TIMED_OUT", "ABORTED"}
_lock = threading.Lock()
_installed = False


# -- installation ------------------------------------------------------------------------------------
def install() -> None:
    """Register the handlers in botocore's BUILTIN_HANDLERS (once per process)."""
    global _installed
    with _lock:
        if _installed:
            return
        from botocore.handlers import BUILTIN_HANDLERS

        BUILTIN_HANDLERS.append(("before-call.sfn.RedriveExecution", _redrive_execution))
        BUILTIN_HANDLERS.append(("after-call.sfn.DescribeExecution", _describe_execution))
        BUILTIN_HANDLERS.append(("before-call.ecs.RunTask", _run_task_defaults))
        _installed = True


def _mocked() -> bool:
    try:
        from moto.core.models import botocore_stubber
    except ImportError:  # moto is a local/dev dependency only
        return False
    return bool(getattr(botocore_stubber, "enabled", False))


def load(session: boto3.Session, world: World) -> None:
    """Install the handlers; give the world's executions their pasted redrive fields; make the
    Batch queues and job definitions SubmitJob needs."""
    install()
    spec = world.data.get("stepfunctions") or {}
    if spec.get("executions"):
        from moto.stepfunctions.models import stepfunctions_backends

        backend = stepfunctions_backends[world.account][world.region]
        for ex in spec["executions"]:
            desc = ex.get("describe") or {}
            arn = desc.get("executionArn")
            if not arn or desc.get("mapRunArn"):  # a map run's child is not redriven on its own
                continue
            execution: Any = backend.describe_execution(arn)
            execution.redrive_count = int(desc.get("redriveCount") or 0)
            execution.redrive_date = to_datetime(desc.get("redriveDate"))
            execution.redrive_status = desc.get("redriveStatus")
            execution.redrive_status_reason = desc.get("redriveStatusReason")
    jobs = (world.data.get("batch") or {}).get("jobs") or []
    if jobs:
        _batch_targets(session, world, jobs)
    tasks = (world.data.get("ecs") or {}).get("tasks") or []
    if tasks:
        _ecs_subnets(session, world, tasks)


# -- Step Functions ------------------------------------------------------------------------------------
def _now() -> datetime:
    return datetime.now(UTC)


def _execution(arn: str) -> tuple[Any, Any]:
    """(moto execution, its state machine) for an execution ARN; raises moto's error when unknown."""
    from moto.stepfunctions.models import stepfunctions_backends

    parts = arn.split(":")
    backend = stepfunctions_backends[parts[4]][parts[3]]
    execution = backend.describe_execution(arn)
    return execution, backend.describe_state_machine(execution.state_machine_arn)


def _status(execution: Any, machine: Any, now: datetime) -> tuple[str, str]:
    """(redriveStatus, redriveStatusReason) as Step Functions would report them."""
    if (getattr(machine, "type", None) or "STANDARD") != "STANDARD":
        return "NOT_REDRIVABLE", "Express workflow executions cannot be redriven"
    if execution.status not in _REDRIVABLE:
        return "NOT_REDRIVABLE", f"Execution is {execution.status} and cannot be redriven"
    pasted = getattr(execution, "redrive_status", None)
    if pasted:  # what the world's DescribeExecution said (AWS applies the window itself)
        return pasted, getattr(execution, "redrive_status_reason", None) or ""
    stop = execution.stop_date
    if stop is not None and now - (stop if stop.tzinfo else stop.replace(tzinfo=UTC)) > WINDOW:
        return "NOT_REDRIVABLE", "Execution stopped more than 14 days ago and is past the redrive window"
    return "REDRIVABLE", ""


def _answer(model: Any, status: int, body: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    from botocore.awsrequest import AWSResponse
    from botocore.compat import HTTPHeaders

    request_id = str(uuid.uuid4())
    headers = {"x-amzn-requestid": request_id, "content-type": "application/x-amz-json-1.0"}
    meta = {"RequestId": request_id, "HTTPStatusCode": status, "HTTPHeaders": headers, "RetryAttempts": 0}
    http = AWSResponse(f"https://states.local/{model.name}", status, HTTPHeaders.from_dict(headers), None)
    return http, {**body, "ResponseMetadata": meta}


def _error(model: Any, code: str, message: str) -> tuple[Any, dict[str, Any]]:
    return _answer(model, 400, {"Error": {"Code": code, "Message": message}})


def _redrive_execution(model: Any, params: dict[str, Any], **_: Any) -> tuple[Any, dict[str, Any]] | None:
    """before-call.sfn.RedriveExecution: a backend-level redrive (see the module docstring)."""
    if not _mocked():
        return None
    from botocore.validate import ParamValidator

    body = params.get("body") or b"{}"
    args = json.loads(body.decode() if isinstance(body, bytes) else body)
    arn, token = str(args.get("executionArn") or ""), args.get("clientToken")
    now = _now()
    try:
        execution, machine = _execution(arn)
    except Exception:
        return _error(model, "ExecutionDoesNotExist", f"Execution Does Not Exist: '{arn}'")
    with _lock:
        last = getattr(execution, "redrive_token", None)
        if token and last and last[0] == token and now - last[1] < TOKEN_TTL:
            return _answer(model, 200, {"redriveDate": last[2]})
        status, reason = _status(execution, machine, now)
        if status != "REDRIVABLE":
            return _error(model, "ExecutionNotRedrivable", reason or f"Execution is {status}")
        execution.status = "RUNNING"
        execution.redrive_count = int(getattr(execution, "redrive_count", 0) or 0) + 1
        execution.redrive_date = now
        execution.redrive_status = None
        execution.redrive_status_reason = None
        execution.stop_date = None
        execution.error = execution.cause = None
        execution.redrive_token = (token, now, now)
    response = {"redriveDate": now}
    report = ParamValidator().validate(response, model.output_shape)
    if report.has_errors():  # a defect of this module, not of the code under test
        raise AssertionError(report.generate_report())
    logger.info("local RedriveExecution", extra={"execution_arn": arn, "redrive_count": execution.redrive_count})
    return _answer(model, 200, response)


def _describe_execution(parsed: dict[str, Any], http_response: Any = None, **_: Any) -> None:
    """after-call.sfn.DescribeExecution: the redrive fields moto does not return."""
    if (
        not _mocked()
        or not isinstance(parsed, dict)
        or not parsed.get("executionArn")
        or getattr(http_response, "status_code", 200) >= 300
    ):
        return
    try:
        execution, machine = _execution(parsed["executionArn"])
    except Exception:
        return
    parsed["redriveCount"] = int(getattr(execution, "redrive_count", 0) or 0)
    if getattr(execution, "redrive_date", None):
        parsed["redriveDate"] = execution.redrive_date
    status, reason = _status(execution, machine, _now())
    parsed["redriveStatus"] = status
    if reason:
        parsed["redriveStatusReason"] = reason
    if execution.status == "TIMED_OUT" and execution.stop_date and "stopDate" not in parsed:
        parsed["stopDate"] = execution.stop_date


# -- ECS ----------------------------------------------------------------------------------------------
def _ecs_subnets(session: boto3.Session, world: World, tasks: list[dict[str, Any]]) -> None:
    """Make the subnets the world's tasks ran in (moto's RunTask places an ENI in the named subnet)."""
    from moto.ec2.models import ec2_backends
    from moto.ec2.models.elastic_network_interfaces import NetworkInterface

    wanted = sorted(
        {
            str(d.get("value"))
            for t in tasks
            for a in t.get("attachments") or []
            for d in a.get("details") or []
            if d.get("name") == "subnetId" and d.get("value")
        }
    )
    if not wanted:
        return
    if not hasattr(NetworkInterface, "private_dns_name"):
        # moto 5.2's awsvpc RunTask reads this attribute, which its ENIs lack: the name AWS would give.
        NetworkInterface.private_dns_name = property(  # type: ignore[assignment]
            lambda eni: f"ip-{str(eni.private_ip_address or '').replace('.', '-')}.ec2.internal"
        )
    backend = ec2_backends[world.account][world.region]
    ec2 = session.client("ec2", region_name=world.region)
    vpc = ""
    for i, subnet_id in enumerate(wanted):
        try:
            backend.get_subnet(subnet_id)
            continue
        except Exception:
            pass
        vpc = vpc or ec2.create_vpc(CidrBlock="10.99.0.0/16")["Vpc"]["VpcId"]
        made = ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.99.{i % 256}.0/24")["Subnet"]["SubnetId"]
        subnet = backend.get_subnet(made)
        zone = backend.subnets[subnet.availability_zone]
        zone[subnet_id] = zone.pop(made)
        subnet.id = subnet_id


def _run_task_defaults(params: dict[str, Any], **_: Any) -> None:
    """before-call.ecs.RunTask: AWS puts an awsvpc task without security groups in the VPC's default
    group; moto requires them, so the local world fills in that default (the request is otherwise
    unchanged)."""
    if not _mocked():
        return
    body = params.get("body") or b"{}"
    args = json.loads(body.decode() if isinstance(body, bytes) else body)
    conf = (args.get("networkConfiguration") or {}).get("awsvpcConfiguration")
    if not conf or conf.get("securityGroups") or not conf.get("subnets"):
        return
    try:
        from moto.ec2.models import ec2_backends

        region = str(params.get("context", {}).get("client_region") or "")
        backend = next(
            b
            for account in ec2_backends.values()
            for r, b in account.items()
            if (not region or r == region) and _has_subnet(b, conf["subnets"][0])
        )
        subnet = backend.get_subnet(conf["subnets"][0])
        default = backend.get_security_group_from_name("default", vpc_id=subnet.vpc_id)
    except Exception:  # unknown subnet: moto answers as it does
        return
    if default is None:
        return
    conf["securityGroups"] = [default.id]
    params["body"] = json.dumps(args).encode()


def _has_subnet(backend: Any, subnet_id: str) -> bool:
    try:
        backend.get_subnet(subnet_id)
    except Exception:
        return False
    return True


# -- Batch ----------------------------------------------------------------------------------------------
def _batch_targets(session: boto3.Session, world: World, jobs: list[dict[str, Any]]) -> None:
    batch = session.client("batch", region_name=world.region)
    queues = {str(j.get("jobQueue")) for j in jobs if j.get("jobQueue")}
    definitions = {str(j.get("jobDefinition")) for j in jobs if j.get("jobDefinition")}
    known_queues = {q["jobQueueArn"] for q in batch.describe_job_queues().get("jobQueues", [])}
    env_arn = ""
    for queue in sorted(queues - known_queues):
        if not env_arn:
            role = session.client("iam").create_role(
                RoleName="local-batch-service-role",
                Path="/service-role/",
                AssumeRolePolicyDocument=json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": "batch.amazonaws.com"},
                                "Action": "sts:AssumeRole",
                            }
                        ],
                    }
                ),
            )["Role"]["Arn"]
            env_arn = batch.create_compute_environment(
                computeEnvironmentName="local-redrive", type="UNMANAGED", state="ENABLED", serviceRole=role
            )["computeEnvironmentArn"]
        batch.create_job_queue(
            jobQueueName=queue.split("/")[-1],
            state="ENABLED",
            priority=1,
            computeEnvironmentOrder=[{"order": 1, "computeEnvironment": env_arn}],
        )
    known_defs = {d["jobDefinitionArn"] for d in batch.describe_job_definitions().get("jobDefinitions", [])}
    for definition in sorted(definitions - known_defs):
        job = next(j for j in jobs if str(j.get("jobDefinition")) == definition)
        container = job.get("container") or {}
        name, _, revision = definition.split("/")[-1].partition(":")
        # The job's resources: its resourceRequirements, or the container's older top-level vcpus and memory
        # (DescribeJobs still answers those for jobs of definitions registered with them).
        needs = {"VCPU": "1", "MEMORY": "512", **job_resources(container)}
        props = {
            "image": container.get("image") or "public.ecr.aws/docker/library/busybox:latest",
            "command": container.get("command") or ["true"],
            "resourceRequirements": [{"type": kind, "value": value} for kind, value in needs.items()],
        }
        # Registered until the job's revision exists (revisions are numbered by registration).
        for _ in range(min(int(revision or 1), 100)):
            out = batch.register_job_definition(jobDefinitionName=name, type="container", containerProperties=props)
            if out["revision"] >= int(revision or 1):
                break


# -- completing a launched run ------------------------------------------------------------------------
def complete(source: str, run_id: str, outcome: str, *, region: str, account: str, parent: str = "") -> dict[str, Any]:
    """End run ``run_id`` with ``outcome`` (succeeded or failed) in moto where moto allows it, and
    return the EventBridge event AWS would send for it. ``parent``: the Glue job or EMR cluster."""
    now = _now()
    ok = outcome == "succeeded"
    base = {
        "version": "0",
        "id": str(uuid.uuid4()),
        "account": account,
        "region": region,
        "time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "resources": [],
    }
    if source == "stepfunctions":
        execution, _ = _execution(run_id)
        execution.status = "SUCCEEDED" if ok else "FAILED"
        execution.stop_date = now.replace(tzinfo=None)  # naive UTC, as moto keeps its times
        if not ok:
            execution.error, execution.cause = "States.TaskFailed", "The redriven execution failed again"
        detail = {
            "executionArn": run_id,
            "stateMachineArn": execution.state_machine_arn,
            "name": execution.name,
            "status": execution.status,
            "startDate": _ms(execution.start_date),
            "stopDate": _ms(now),
            "input": execution.execution_input,
            "inputDetails": {"included": True},
            "output": "{}" if ok else None,
            "outputDetails": {"included": True} if ok else None,
            "redriveCount": int(getattr(execution, "redrive_count", 0) or 0),
        }
        if getattr(execution, "redrive_date", None):
            detail["redriveDate"] = _ms(execution.redrive_date)
        return {
            **base,
            "detail-type": "Step Functions Execution Status Change",
            "source": "aws.states",
            "resources": [run_id],
            "detail": detail,
        }
    if source == "ecs":
        return {
            **base,
            "detail-type": "ECS Task State Change",
            "source": "aws.ecs",
            "resources": [run_id],
            "detail": {
                "taskArn": run_id,
                "clusterArn": parent,
                "lastStatus": "STOPPED",
                "desiredStatus": "STOPPED",
                "stopCode": "EssentialContainerExited",
                "stoppedReason": "Essential container in task exited",
                "startedBy": "incident-responder",
                "containers": [{"name": "main", "exitCode": 0 if ok else 1, "lastStatus": "STOPPED"}],
                "stoppedAt": now.isoformat(),
            },
        }
    if source == "batch":
        import boto3

        jobs = boto3.client("batch", region_name=region).describe_jobs(jobs=[run_id]).get("jobs") or []
        return {
            **base,
            "detail-type": "Batch Job State Change",
            "source": "aws.batch",
            "detail": {
                "jobId": run_id,
                "jobName": jobs[0]["jobName"] if jobs else parent or run_id,
                "status": "SUCCEEDED" if ok else "FAILED",
                "statusReason": "" if ok else "Essential container in task exited",
            },
        }
    if source == "glue":
        return {
            **base,
            "detail-type": "Glue Job State Change",
            "source": "aws.glue",
            "detail": {
                "jobName": parent,
                "severity": "INFO" if ok else "ERROR",
                "jobRunId": run_id,
                "state": "SUCCEEDED" if ok else "FAILED",
                "message": "Job run succeeded" if ok else "Job run failed",
            },
        }
    if source == "emr":
        import boto3

        step = boto3.client("emr", region_name=region).describe_step(ClusterId=parent, StepId=run_id)["Step"]
        return {
            **base,
            "detail-type": "EMR Step Status Change",
            "source": "aws.emr",
            "detail": {
                "severity": "INFO" if ok else "ERROR",
                "actionOnFailure": "CONTINUE",
                "stepId": run_id,
                "name": step["Name"],
                "clusterId": parent,
                "state": "COMPLETED" if ok else "FAILED",
                "message": f"Step {run_id} {'completed' if ok else 'failed'}",
            },
        }
    raise ValueError(f"no completion event for source {source}")


def _ms(value: Any) -> int:
    dt = to_datetime(value)
    return int(dt.timestamp() * 1000) if dt else 0
