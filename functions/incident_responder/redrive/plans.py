"""Redrive plans: exactly which API call will re-run the failed work, where, and with what input.

A plan is built from the redrive spec a source stored on the incident (``c.context["redrive"]``) plus
a few fresh facts read just before the preview (:func:`gather_facts`: the execution's current status
and redrive fields, the state machine's type, the EMR cluster's state). :func:`build_plan` is pure, so
every rule here is unit-tested without AWS.

The plan's ``params`` are the exact keyword arguments of one boto3 call. They are fitted to the
operation's input shape in botocore's service model (keys the API does not take are dropped and
listed) and validated with botocore's own parameter validator, so what the preview shows is what
the executor sends. Specs are read tolerantly: a missing key leaves the parameter out, a missing
required one makes the plan not runnable, with the reason.

Per source:

- Step Functions: ``RedriveExecution`` when the execution can be redriven (Standard type, ended
  FAILED, TIMED_OUT or ABORTED, within the 14-day window after its stop: DescribeExecution's
  ``redriveStatus`` says so when present, otherwise the window is computed); otherwise
  ``StartExecution`` of the same state machine with the original input under the name
  ``<name>-redrive-<attempt>``, saying why it is not a redrive.
- ECS: ``RunTask`` with the stopped task's task definition, cluster, launch type or capacity
  provider strategy, network configuration and overrides.
- EMR: ``AddJobFlowSteps`` with the failed step's configuration, when the cluster still runs;
  otherwise not runnable, with what would re-create the cluster.
- Glue: ``StartJobRun`` with the same arguments and capacity. Batch: ``SubmitJob`` with the same
  job definition, queue, parameters and container overrides.

Secrets: the stored spec has them redacted. A plan in memory holds the real values, read again from
the failed run (:mod:`.secrets`; Step Functions' input always comes from DescribeExecution, never
from the stored copy), and :meth:`Plan.redacted` is the only form that is posted or stored; the
executor reads the real values again before the call.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from ..aws import describe_error
from ..evidence.redaction import redact, redact_obj
from ..model import parse_time
from .secrets import READS, has_redacted, read_original, real_values, redact_params, restore

if TYPE_CHECKING:
    from ..aws import AwsContext

__all__ = [
    "REDRIVE_WINDOW",
    "Plan",
    "build_plan",
    "console_url",
    "fit_call",
    "gather_facts",
    "load_spec",
    "original_ids",
    "sfn_redrivable",
]

logger = logging.getLogger(__name__)

# Step Functions keeps a stopped Standard execution redrivable for 14 days.
REDRIVE_WINDOW = timedelta(days=14)
SFN_REDRIVABLE_STATUSES = frozenset({"FAILED", "TIMED_OUT", "ABORTED"})
EMR_LIVE_STATES = frozenset({"STARTING", "BOOTSTRAPPING", "RUNNING", "WAITING"})
# ECS allows these characters (and at most 36 of them) in startedBy; new tasks are marked with it.
STARTED_BY = "incident-responder"

_SFN_NAME_MAX = 80
_BATCH_NAME_MAX = 128
_EMR_NAME_MAX = 256


@dataclass
class Plan:
    """One redrive: the boto3 call (``service``.``operation`` with ``params``) and how to show it.

    ``runnable`` is False when nothing can be run (``reason`` says why and what would help);
    ``fallback`` is the reason a better action was not possible (Step Functions: why not a redrive).
    """

    source: str
    action: str  # the API action as IAM names it, e.g. states:RedriveExecution
    service: str  # boto3 client name
    operation: str  # boto3 method name
    params: dict[str, Any]
    region: str
    target: str  # the resource the call acts on (ARN or name)
    where: str  # a sentence: which resource, which account and region
    what: str  # a sentence: what the call does
    input_label: str = "Input"
    input: Any = None  # what the re-run gets as input, for the preview (shown redacted)
    runnable: bool = True
    reason: str = ""
    fallback: str = ""
    warnings: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # spec keys the API does not take
    original_url: str = ""
    # Facts the executor needs to name the new run (e.g. the execution's redrive count before).
    expect: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def redacted(self) -> Plan:
        """This plan as it may leave the process (the preview, the audit table): every secret redacted.

        The executor reads the redacted values again from the failed run (:mod:`.secrets`).
        """
        return replace(
            self,
            params=redact_params(self.params),
            input=redact_obj(self.input, parse_json=True),
            what=redact(self.what),
            reason=redact(self.reason),
            fallback=redact(self.fallback),
            warnings=[redact(w) for w in self.warnings],
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Plan:
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


# -- spec and facts ---------------------------------------------------------------------------------
def load_spec(incident: dict[str, Any]) -> dict[str, Any] | None:
    """The redrive spec stored on an incident item (a JSON string, or already a dict), or None."""
    raw = incident.get("redrive")
    if not raw:
        return None
    if isinstance(raw, dict):
        return raw
    try:
        spec = json.loads(raw)
    except (TypeError, ValueError):
        logger.warning("stored redrive spec is not JSON", extra={"incident_id": incident.get("incident_id")})
        return None
    return spec if isinstance(spec, dict) else None


def _pick(d: dict[str, Any] | None, *names: str) -> Any:
    """The first of ``names`` present (and not None/empty) in ``d``, trying each name's case variants."""
    if not isinstance(d, dict):
        return None
    for name in names:
        for key in (name, name[:1].lower() + name[1:], name[:1].upper() + name[1:]):
            value = d.get(key)
            if value not in (None, "", [], {}):
                return value
    return None


def _present(spec: dict[str, Any], *keys: str) -> dict[str, Any]:
    """The ``keys`` the spec has a value for (as :func:`_pick` reads it), with their values."""
    return {key: value for key in keys if (value := _pick(spec, key)) is not None}


def _safe(what: str, fn: Any, notes: list[str], **kwargs: Any) -> dict[str, Any] | None:
    try:
        return fn(**kwargs)  # type: ignore[no-any-return]
    except (ClientError, BotoCoreError) as exc:
        notes.append(f"{what}: {describe_error(exc)}")
        logger.warning("redrive fact read failed", extra={"what": what, "error": describe_error(exc)})
        return None


def original_ids(source: str, spec: dict[str, Any]) -> dict[str, Any]:
    """The failed run's ids, under the plan's ``expect`` keys that :func:`.secrets.read_original` reads."""
    if source == "stepfunctions":
        return {"execution_arn": _pick(spec, "execution_arn", "executionArn") or ""}
    if source == "glue":
        return {"job_name": _pick(spec, "JobName", "job_name") or "",
                "run_id": _pick(spec, "JobRunId", "previous_run_id", "Id") or ""}
    if source == "ecs":
        return {"cluster": str(_pick(spec, "cluster", "clusterArn") or "default").split("/")[-1],
                "task_arn": _pick(spec, "taskArn", "task_arn") or ""}
    if source == "emr":
        return {"cluster_id": _emr_cluster_id(spec), "step_id": _pick(spec, "failed_step_id", "StepId") or ""}
    if source == "batch":
        return {"original_job_id": _pick(spec, "jobId", "job_id") or ""}
    return {}


def gather_facts(source: str, spec: dict[str, Any], aws: AwsContext) -> dict[str, Any]:
    """Fresh facts for :func:`build_plan`, read with read-only calls; a failed read becomes a note.

    Step Functions: DescribeExecution (its status, redrive fields and input) and DescribeStateMachine.
    EMR: DescribeCluster. When the stored spec holds redacted values: the failed run's own
    description (``original``: GetJobRun, DescribeTasks, DescribeStep or DescribeJobs), whose real
    values the plan's call gets.
    """
    notes: list[str] = []
    facts: dict[str, Any] = {"notes": notes}
    if source in ("glue", "ecs", "emr", "batch") and has_redacted(spec):
        facts["original"] = read_original(source, original_ids(source, spec), aws, notes)
    if source == "stepfunctions":
        sfn: Any = aws.client("stepfunctions")
        arn = _pick(spec, "execution_arn", "executionArn")
        if arn:
            facts["execution"] = _safe("DescribeExecution", sfn.describe_execution, notes, executionArn=arn)
        sm_arn = _pick(facts.get("execution"), "stateMachineArn") or _pick(spec, "state_machine_arn", "stateMachineArn")
        if sm_arn:
            facts["state_machine"] = _safe(
                "DescribeStateMachine", sfn.describe_state_machine, notes, stateMachineArn=sm_arn
            )
    elif source == "emr":
        cluster_id = _emr_cluster_id(spec)
        if cluster_id:
            try:
                emr: Any = aws.client("emr")
                facts["cluster"] = emr.describe_cluster(ClusterId=cluster_id).get("Cluster")
            except ClientError as exc:
                if "InvalidRequest" not in str(exc.response.get("Error", {}).get("Code")):
                    notes.append(f"DescribeCluster: {describe_error(exc)}")
                # EMR forgets terminated clusters after a while: the cluster is gone.
                facts["cluster"] = {
                    "Id": cluster_id,
                    "Status": {
                        "State": "TERMINATED",
                        "StateChangeReason": {"Message": f"EMR no longer knows it ({describe_error(exc)})"},
                    },
                }
            except BotoCoreError as exc:
                notes.append(f"DescribeCluster: {describe_error(exc)}")
    return facts


# -- model fitting ----------------------------------------------------------------------------------
@cache
def _service_model(service: str) -> Any:
    import botocore.session

    return botocore.session.get_session().get_service_model(service)


def operation_model(service: str, operation: str) -> Any:
    """botocore's model of ``operation`` (its API name, e.g. ``RunTask``)."""
    return _service_model(service).operation_model(operation)


def _fit(shape: Any, value: Any, path: str, dropped: list[str]) -> Any:
    """``value`` with every key the shape does not define removed (and listed in ``dropped``)."""
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key in shape.members:
                out[key] = _fit(shape.members[key], item, f"{path}.{key}" if path else key, dropped)
            else:
                dropped.append(f"{path}.{key}" if path else key)
        return out
    if kind == "list" and isinstance(value, list):
        return [_fit(shape.member, v, f"{path}[]", dropped) for v in value]
    if kind == "map" and isinstance(value, dict):
        return {str(k): _fit(shape.value, v, path, dropped) for k, v in value.items()}
    if kind == "string" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value


def fit_params(service: str, api_operation: str, params: dict[str, Any]) -> tuple[dict[str, Any], list[str], str]:
    """Params fitted to the operation's input shape: (params, dropped keys, validation error or "")."""
    from botocore.validate import ParamValidator

    model = operation_model(service, api_operation)
    dropped: list[str] = []
    fitted = _fit(model.input_shape, {k: v for k, v in params.items() if v is not None}, "", dropped)
    report = ParamValidator().validate(fitted, model.input_shape)
    return fitted, dropped, report.generate_report() if report.has_errors() else ""


# -- helpers ------------------------------------------------------------------------------------------
# The calls a plan makes, by boto3 method: (boto3 client, IAM action). The action's name is the API operation.
_CALLS: dict[str, tuple[str, str]] = {
    "redrive_execution": ("stepfunctions", "states:RedriveExecution"),
    "start_execution": ("stepfunctions", "states:StartExecution"),
    "run_task": ("ecs", "ecs:RunTask"),
    "submit_job": ("batch", "batch:SubmitJob"),
    "start_job_run": ("glue", "glue:StartJobRun"),
    "add_job_flow_steps": ("emr", "elasticmapreduce:AddJobFlowSteps"),
}
_API_OPERATION = {operation: action.partition(":")[2] for operation, (_, action) in _CALLS.items()}


def _base(source: str, operation: str, **fields: Any) -> dict[str, Any]:
    """The Plan fields naming the call (its boto3 method, e.g. ``run_task``) for ``source``, and ``fields``."""
    service, action = _CALLS[operation]
    return {"source": source, "action": action, "service": service, "operation": operation, **fields}


def _not_runnable(base: dict[str, Any], reason: str, **extra: Any) -> Plan:
    """A plan that calls nothing: ``reason`` says why and what would help."""
    return Plan(**{**base, "params": {}, "runnable": False, "reason": reason, **extra})


def _region_of(arn: Any, default: str) -> str:
    parts = str(arn or "").split(":")
    return parts[3] if len(parts) > 4 and parts[0] == "arn" and parts[3] else default


def _account_of(arn: Any) -> str:
    parts = str(arn or "").split(":")
    return parts[4] if len(parts) > 4 and parts[0] == "arn" else ""


def _in(region: str, account: str) -> str:
    return f"account {account}, {region}" if account else region


def _with_suffix(name: str, suffix: str, limit: int) -> str:
    return name[: max(limit - len(suffix), 1)] + suffix


def _json_value(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def console_url(source: str, region: str, run_id: str, extra: dict[str, Any] | None = None) -> str:
    """AWS console deep link to a run (execution, task, step, job run, job)."""
    extra = extra or {}
    base = f"https://{region}.console.aws.amazon.com"
    if not run_id:
        return ""
    if source == "stepfunctions":
        return f"{base}/states/home?region={region}#/v2/executions/details/{run_id}"
    if source == "ecs":
        cluster = str(extra.get("cluster") or "default").split("/")[-1]
        return f"{base}/ecs/v2/clusters/{cluster}/tasks/{run_id.split('/')[-1]}?region={region}"
    if source == "batch":
        return f"{base}/batch/home?region={region}#jobs/detail/{run_id}"
    if source == "glue":
        return f"{base}/gluestudio/home?region={region}#/job/{extra.get('job_name', '')}/run/{run_id}"
    if source == "emr":
        return f"{base}/emr/home?region={region}#/clusterDetails/{extra.get('cluster_id', '')}"
    return ""


# -- Step Functions -----------------------------------------------------------------------------------
def sfn_redrivable(
    *,
    status: str | None,
    sm_type: str | None,
    stop_date: datetime | None,
    now: datetime,
    redrive_status: str | None = None,
    redrive_reason: str | None = None,
) -> tuple[bool, str]:
    """Whether an execution can be redriven, and if not, why (a sentence for the thread).

    Standard only, ended FAILED, TIMED_OUT or ABORTED, and within the 14-day redrive window. When
    DescribeExecution reports ``redriveStatus`` it must be REDRIVABLE, and it is taken as the word on
    the window: Step Functions computes it from the stop time itself (and knows more, e.g. a running
    redrive). Without it (older responses, other tools' stubs) the window is computed here.
    """
    kind = (sm_type or "STANDARD").upper()
    if kind != "STANDARD":
        return (
            False,
            f"it is an {kind.title()} workflow execution, and only Standard executions can be redriven",
        )
    if status not in SFN_REDRIVABLE_STATUSES:
        return False, (
            f"the execution is {status or 'in an unknown state'} now; only FAILED, TIMED_OUT or "
            "ABORTED executions can be redriven"
        )
    if redrive_status:
        if redrive_status == "REDRIVABLE":
            return True, ""
        why = f": {redrive_reason}" if redrive_reason else ""
        return False, f"Step Functions reports it {redrive_status.replace('_', ' ').lower()}{why}"
    if stop_date is None:
        return False, "its stop time is unknown, so the 14-day redrive window cannot be checked"
    age = now - stop_date
    if age > REDRIVE_WINDOW:
        return False, (
            f"it stopped {age.days} days ago, outside the 14-day redrive window (ended {stop_date:%Y-%m-%d %H:%M} UTC)"
        )
    return True, ""


def _sfn(spec: dict[str, Any], facts: dict[str, Any], attempt: int, now: datetime, region: str, token: str) -> Plan:
    desc = facts.get("execution") or {}
    sm = facts.get("state_machine") or {}
    arn = _pick(desc, "executionArn") or _pick(spec, "execution_arn", "executionArn") or ""
    sm_arn = _pick(desc, "stateMachineArn") or _pick(spec, "state_machine_arn", "stateMachineArn") or ""
    region = _region_of(arn or sm_arn, region)
    account = _account_of(arn or sm_arn)
    sm_name = sm_arn.split(":")[-1] if sm_arn else "?"
    # The execution's own name is the last part of its ARN (the spec's "name" may be decorated).
    name = arn.split(":")[-1] if arn.count(":") >= 7 else str(_pick(desc, "name") or _pick(spec, "name") or "run")
    where = f"state machine `{sm_name}` ({_in(region, account)})"
    shared = {"region": region, "where": where, "original_url": console_url("stepfunctions", region, arn)}
    redrive = _base("stepfunctions", "redrive_execution", target=arn, **shared)
    restart = _base("stepfunctions", "start_execution", target=sm_arn, **shared)
    if not desc:
        # The stored input is redacted, and the execution's state is unknown: nothing safe to run.
        failed = next((n for n in facts.get("notes") or [] if n.startswith("DescribeExecution")), "")
        return _not_runnable(
            redrive,
            f"The execution `{name}` could not be read"
            + (f" ({failed.partition(': ')[2]})" if failed else "")
            + ": without DescribeExecution neither its current state nor its original input is known "
            "(the incident keeps the input with its secrets redacted). Ask again once it can be read.",
            what="Redrive the execution or start it again",
            expect={"execution_arn": arn},
        )
    status = _pick(desc, "status")
    stop = parse_time(_pick(desc, "stopDate"))
    count = int(_pick(desc, "redriveCount") or 0)
    raw_input = desc.get("input")
    ok, why = sfn_redrivable(
        status=status,
        sm_type=_pick(sm, "type") or _pick(spec, "type"),
        stop_date=stop,
        now=now,
        redrive_status=_pick(desc, "redriveStatus"),
        redrive_reason=_pick(desc, "redriveStatusReason"),
    )
    if ok:
        return Plan(
            **redrive,
            params={"executionArn": arn, "clientToken": token},
            what=(
                f"Redrive execution `{name}`: it restarts from the failed state, with the same input, "
                "and keeps the results of the states that already succeeded."
            ),
            input=_json_value(raw_input),
            expect={"redrive_count": count, "execution_arn": arn},
        )
    if not sm_arn:
        return _not_runnable(
            {**restart, "target": arn},
            "the state machine of the execution is not known, so it cannot be started again",
            what="Start the state machine again",
            fallback=why,
        )
    new_name = _with_suffix(name, f"-redrive-{attempt}", _SFN_NAME_MAX)
    if raw_input is None:  # DescribeExecution leaves it out when asked for metadata only
        return _not_runnable(
            restart,
            f"Not a redrive: {why}; and DescribeExecution did not return the original input of `{name}`, "
            "so a new execution with the same input cannot be started.",
            what="Start the state machine again",
            fallback=why,
            expect={"execution_arn": arn},
        )
    params: dict[str, Any] = {
        "stateMachineArn": sm_arn,
        "name": new_name,
        "input": raw_input if isinstance(raw_input, str) else json.dumps(raw_input),
    }
    return Plan(
        **restart,
        params=params,
        what=(
            f"Start a new execution `{new_name}` of `{sm_name}` with the original input of `{name}` "
            "(it runs every state again, from the start)."
        ),
        input=_json_value(raw_input),
        fallback=f"Not a redrive: {why}.",
        expect={"execution_arn": arn},
    )


# -- ECS ------------------------------------------------------------------------------------------------
def _ecs(spec: dict[str, Any], attempt: int, region: str, token: str) -> Plan:
    cluster = _pick(spec, "cluster", "clusterArn")
    task_def = _pick(spec, "taskDefinition", "taskDefinitionArn", "task_definition")
    service = _pick(spec, "serviceName")
    if service or _pick(spec, "action") == "UpdateService":
        cluster_name = str(cluster or "default").split("/")[-1]
        return _not_runnable(
            _base("ecs", "run_task", region=_region_of(cluster, region), target=str(task_def or ""),
                  where=f"service `{service}` of cluster `{cluster_name}`"),
            f"The task belonged to service `{service}`: ECS starts a replacement for a stopped "
            "service task by itself, and a task run beside the service would not be part of it. "
            "To start fresh tasks, force a new deployment: `aws ecs update-service --cluster "
            f"{cluster_name} --service {service} --force-new-deployment`.",
            what="Run the task again",
        )
    params: dict[str, Any] = {
        "cluster": cluster,
        "taskDefinition": task_def,
        "count": 1,
        "startedBy": STARTED_BY,
        "clientToken": token,
    }
    strategy = _pick(spec, "capacityProviderStrategy")
    provider = _pick(spec, "capacityProviderName", "capacityProvider")
    warnings: list[str] = []
    if strategy:
        params["capacityProviderStrategy"] = strategy
    elif provider:
        params["capacityProviderStrategy"] = [{"capacityProvider": provider, "weight": 1}]
    elif _pick(spec, "launchType"):
        params["launchType"] = _pick(spec, "launchType")
    params.update(_present(
        spec, "networkConfiguration", "overrides", "platformVersion", "group", "enableExecuteCommand",
        "propagateTags", "placementConstraints", "placementStrategy",
    ))
    if not _pick(spec, "networkConfiguration") and "unknown" not in spec:
        warnings.append(
            "The stopped task's network configuration is not known: the new task gets none, which "
            "only works for task definitions that do not use the awsvpc network mode."
        )
    arn = str(task_def or "")
    region = _region_of(cluster or task_def, region)
    cluster_name = str(cluster or "default").split("/")[-1]
    td_name = arn.split("/")[-1] if arn else "?"
    how = (
        f"capacity provider {params['capacityProviderStrategy'][0].get('capacityProvider')}"
        if params.get("capacityProviderStrategy")
        else f"launch type {params.get('launchType', 'default')}"
    )
    return Plan(
        **_base("ecs", "run_task", region=region, target=arn,
                where=f"cluster `{cluster_name}` ({_in(region, _account_of(cluster))})"),
        params=params,
        what=f"Run a new task of `{td_name}` ({how}) with the stopped task's overrides.",
        input_label="Overrides",
        input=params.get("overrides") or {},
        warnings=warnings,
        original_url=console_url(
            "ecs", region, str(_pick(spec, "taskArn", "task_arn") or ""), {"cluster": cluster_name}
        ),
        expect={"cluster": cluster_name},
    )


# -- Batch ---------------------------------------------------------------------------------------------
def _batch(spec: dict[str, Any], attempt: int, region: str, job_arn: str) -> Plan:
    name = str(_pick(spec, "jobName", "job_name") or "job")
    new_name = _with_suffix(re.sub(r"[^A-Za-z0-9_-]", "-", name), f"-redrive-{attempt}", _BATCH_NAME_MAX)
    queue = _pick(spec, "jobQueue", "job_queue")
    params: dict[str, Any] = {
        "jobName": new_name,
        "jobQueue": queue,
        "jobDefinition": _pick(spec, "jobDefinition", "job_definition"),
    }
    params.update(_present(
        spec, "parameters", "containerOverrides", "retryStrategy", "timeout", "propagateTags", "nodeOverrides",
        "ecsPropertiesOverride", "eksPropertiesOverride", "shareIdentifier", "schedulingPriorityOverride",
        "arrayProperties",
    ))
    if _pick(spec, "schedulingPriority") is not None and "schedulingPriorityOverride" not in params:
        params["schedulingPriorityOverride"] = _pick(spec, "schedulingPriority")  # DescribeJobs' name for it
    region = _region_of(queue or params["jobDefinition"], region)
    queue_name = str(queue or "?").split("/")[-1]
    job_id = str(_pick(spec, "jobId", "job_id") or (job_arn.split("/")[-1] if ":job/" in job_arn else ""))
    return Plan(
        **_base("batch", "submit_job", region=region, target=str(params["jobDefinition"] or ""),
                where=f"job queue `{queue_name}` ({_in(region, _account_of(queue))})"),
        params=params,
        what=(
            f"Submit job `{new_name}` with the failed job's definition "
            f"`{str(params['jobDefinition'] or '?').split('/')[-1]}`, parameters and container overrides."
        ),
        input_label="Parameters and overrides",
        input={k: params[k] for k in ("parameters", "containerOverrides") if k in params},
        original_url=console_url("batch", region, job_id),
        # Secret environment values are not stored: the executor re-reads them from this job.
        expect={"original_job_id": job_id},
    )


# -- Glue -----------------------------------------------------------------------------------------------
def _glue(spec: dict[str, Any], region: str) -> Plan:
    job = _pick(spec, "JobName", "job_name")
    params: dict[str, Any] = {"JobName": job}
    params.update(_present(
        spec, "Arguments", "WorkerType", "NumberOfWorkers", "Timeout", "MaxCapacity", "SecurityConfiguration",
        "NotificationProperty", "ExecutionClass", "JobRunQueuingEnabled",
    ))
    if params.get("WorkerType") and params.get("NumberOfWorkers"):
        params.pop("MaxCapacity", None)  # Glue refuses both
    return Plan(
        **_base("glue", "start_job_run", region=region, target=str(job or ""),
                where=f"Glue job `{job or '?'}` ({region})"),
        params=params,
        what=(
            f"Start a new run of `{job or '?'}` with the failed run's arguments"
            + (f", {params['NumberOfWorkers']} x {params['WorkerType']} workers" if params.get("WorkerType") else "")
            + "."
        ),
        input_label="Arguments",
        input=params.get("Arguments") or {},
        original_url=console_url(
            "glue", region, str(_pick(spec, "JobRunId", "Id", "previous_run_id") or ""), {"job_name": job}
        ),
        expect={"job_name": job},
    )


# -- EMR ------------------------------------------------------------------------------------------------
def _emr_cluster_id(spec: dict[str, Any]) -> str:
    return str(_pick(spec, "cluster_id", "ClusterId", "JobFlowId", "clusterId") or "")


def _emr_step(spec: dict[str, Any]) -> dict[str, Any]:
    step = _pick(spec, "step", "Step") or {}
    step = dict(step) if isinstance(step, dict) else {}
    for key in ("Name", "ActionOnFailure", "HadoopJarStep", "Config"):
        if key not in step and _pick(spec, key) is not None:
            step[key] = _pick(spec, key)
    jar = dict(step.get("HadoopJarStep") or step.get("Config") or {})
    props = jar.get("Properties")
    if isinstance(props, dict):  # DescribeStep gives a map; AddJobFlowSteps takes Key/Value pairs
        jar["Properties"] = [{"Key": str(k), "Value": str(v)} for k, v in props.items()]
    if not jar.get("MainClass"):
        jar.pop("MainClass", None)
    return {
        "Name": step.get("Name") or "step",
        "ActionOnFailure": step.get("ActionOnFailure") or "CONTINUE",
        "HadoopJarStep": jar,
    }


def _emr_base(cluster_id: str, region: str, where: str) -> dict[str, Any]:
    return _base("emr", "add_job_flow_steps", region=region, target=cluster_id, where=where,
                 original_url=console_url("emr", region, cluster_id, {"cluster_id": cluster_id}))


def _emr(spec: dict[str, Any], facts: dict[str, Any], attempt: int, region: str) -> Plan:
    cluster_id = _emr_cluster_id(spec)
    cluster = facts.get("cluster") or {}
    state = (cluster.get("Status") or {}).get("State") or _pick(spec, "cluster_state", "ClusterState", "state")
    why = ((cluster.get("Status") or {}).get("StateChangeReason") or {}).get("Message")
    if not (_pick(spec, "step", "Step", "HadoopJarStep", "Config")):
        gone = bool(state) and state not in EMR_LIVE_STATES
        note = _pick(spec, "note") or (
            (f"{cluster_id} is {state}" + (f": {why}" if why else "")) if state else "the cluster could not be read"
        )
        return _not_runnable(
            _emr_base(cluster_id, region, f"EMR cluster `{cluster.get('Name') or cluster_id}` ({cluster_id})"),
            ("The cluster is gone" if gone else "The failed step's configuration is not known")
            + f" ({note}), so there is no step to add again. "
            + _emr_recreate(cluster, cluster_id, None),
            what="Run the failed work again",
        )
    step = _emr_step(spec)
    step["Name"] = _with_suffix(str(step["Name"]), f" (redrive {attempt})", _EMR_NAME_MAX)
    params = {"JobFlowId": cluster_id, "Steps": [step]}
    if _pick(spec, "ExecutionRoleArn", "execution_role_arn"):
        params["ExecutionRoleArn"] = _pick(spec, "ExecutionRoleArn", "execution_role_arn")
    name = cluster.get("Name") or _pick(spec, "cluster_name", "ClusterName") or cluster_id
    region = _region_of(cluster.get("ClusterArn"), region)
    where = f"EMR cluster `{name}` ({cluster_id}, {_in(region, _account_of(cluster.get('ClusterArn')))})"
    plan = Plan(
        **_emr_base(cluster_id, region, where),
        params=params,
        what=f"Add the failed step again as `{step['Name']}` to the same cluster.",
        input_label="Step",
        input=step["HadoopJarStep"],
        expect={"cluster_id": cluster_id},
    )
    if step["ActionOnFailure"] in {"TERMINATE_CLUSTER", "TERMINATE_JOB_FLOW"}:
        plan.warnings.append(
            f"The step's ActionOnFailure is {step['ActionOnFailure']}: if it fails again, the cluster is terminated."
        )
    if state and state not in EMR_LIVE_STATES:
        plan.runnable = False
        plan.reason = (
            f"The cluster is gone: {cluster_id} is {state}"
            + (f" ({why})" if why else "")
            + ", and steps can only be added to a running cluster. "
            + _emr_recreate(cluster, cluster_id, step)
        )
    elif not state:
        plan.warnings.append("The cluster's current state could not be read; AddJobFlowSteps fails if it is gone.")
    return plan


def _emr_recreate(cluster: dict[str, Any], cluster_id: str, step: dict[str, Any] | None) -> str:
    parts = []
    if cluster.get("ReleaseLabel"):
        parts.append(str(cluster["ReleaseLabel"]))
    apps = [a.get("Name") for a in cluster.get("Applications") or [] if a.get("Name")]
    if apps:
        parts.append("with " + ", ".join(apps))
    like = f" ({' '.join(parts)})" if parts else ""
    if step is None:
        return (
            f"To run the work again, create a cluster like it{like}: the EMR console's Clone on {cluster_id} "
            "copies its configuration while EMR still lists it; otherwise `aws emr create-cluster` with the "
            "same release, applications, instance groups and roles, with the steps it was meant to run."
        )
    return (
        f"To run it again, create a cluster like it{like} — the EMR console's Clone on {cluster_id} copies "
        "its configuration, or `aws emr create-cluster` with the same release, applications, instance groups "
        "and roles — then add the step: `aws emr add-steps --cluster-id <new cluster> --steps "
        f"'{json.dumps([_cli_step(step)], separators=(',', ':'))}'`."
    )


def _cli_step(step: dict[str, Any]) -> dict[str, Any]:
    jar = step.get("HadoopJarStep") or {}
    out = {
        "Type": "CUSTOM_JAR",
        "Name": step.get("Name"),
        "ActionOnFailure": step.get("ActionOnFailure"),
        "Jar": jar.get("Jar"),
        "Args": jar.get("Args") or [],
    }
    if jar.get("MainClass"):
        out["MainClass"] = jar["MainClass"]
    return out


# -- secrets ----------------------------------------------------------------------------------------------
def _restore_secrets(plan: Plan, facts: dict[str, Any]) -> None:
    """Put the failed run's real values where the stored spec has redacted ones; not runnable without them."""
    original = facts.get("execution") if plan.source == "stepfunctions" else facts.get("original")
    plan.params, missing = restore(plan.params, real_values(plan.source, original))
    if not missing:
        return
    read = READS.get(plan.source, "a read of the failed run")
    shown = ", ".join(missing[:4]) + (f" and {len(missing) - 4} more" if len(missing) > 4 else "")
    plan.runnable = False
    plan.reason = (
        f"The incident keeps the failed run's secret values redacted ({shown}), and {read} could not give the "
        "real ones again, so the re-run would not get them. Run it by hand with the values from your secret store."
    )


# -- entry point ----------------------------------------------------------------------------------------
def fit_call(plan: Plan, params: dict[str, Any]) -> tuple[dict[str, Any], list[str], str]:
    """``params`` fitted to the input shape of the plan's call: (params, dropped keys, validation error or "")."""
    return fit_params(plan.service, _API_OPERATION[plan.operation], params)


def build_plan(
    source: str,
    spec: dict[str, Any],
    *,
    attempt: int,
    idempotency_key: str,
    facts: dict[str, Any] | None = None,
    now: datetime | None = None,
    region: str = "us-east-1",
    resource_arn: str = "",
) -> Plan:
    """The plan for re-running the failed work of one incident (pure: no AWS call).

    ``idempotency_key`` (``<incident_id>#<attempt>``) becomes the API's client token where the API
    has one (RedriveExecution, RunTask); ``attempt`` names new runs (``<name>-redrive-<attempt>``).
    """
    import hashlib

    facts = facts or {}
    now = now or datetime.now(UTC)
    token = hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]
    source = source or str(spec.get("source") or "")
    if source == "stepfunctions":
        plan = _sfn(spec, facts, attempt, now, region, token)
    elif source == "ecs":
        plan = _ecs(spec, attempt, region, token)
    elif source == "batch":
        plan = _batch(spec, attempt, region, resource_arn)
    elif source == "glue":
        plan = _glue(spec, region)
    elif source == "emr":
        plan = _emr(spec, facts, attempt, region)
    else:
        nothing = dict.fromkeys(("action", "service", "operation", "target", "where", "what"), "")
        return _not_runnable(
            {**nothing, "source": source, "region": region}, f"redrive is not supported for {source or 'this source'}"
        )
    plan.expect = {**original_ids(source, spec), **plan.expect}
    if plan.runnable and has_redacted(plan.params):
        _restore_secrets(plan, facts)
    if plan.params and plan.operation in _API_OPERATION:
        plan.params, plan.dropped, error = fit_call(plan, plan.params)
        if error and plan.runnable:
            plan.runnable = False
            plan.reason = (
                f"The stored details of the failed run are not enough to build the call ({' '.join(error.split())})."
            )
    for unknown in spec.get("unknown") or []:
        plan.warnings.append(f"Not known from the failed run: {unknown}")
    for note in facts.get("notes") or []:
        plan.warnings.append(f"Could not read {note}")
    return plan
