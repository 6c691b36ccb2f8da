"""Whether the resource a redrive acts on has opted in to redrive, read from its tags.

The redrive function's IAM rights (template.yaml, ``RedriveFunction``) apply only to resources tagged
``incident-responder:redrive=allowed`` (condition ``aws:ResourceTag/incident-responder:redrive``), so
the preview reads the same tags first: a resource that has not opted in gets a preview that says the
call would be refused by IAM, and no Approve button.

Which resource IAM checks, per call (the Service Authorization Reference's resource types):

- ``states:RedriveExecution``: the execution; executions carry no tags of their own, so the tags read
  are those of its state machine. ``states:StartExecution``: the state machine.
- ``ecs:RunTask``: the task definition.
- ``elasticmapreduce:AddJobFlowSteps``: the cluster.
- ``glue:StartJobRun``: the job.
- ``batch:SubmitJob``: both the job queue and the job definition (each must carry the tag).

A tag read that fails is not a verdict: the preview says the tags could not be read and keeps its
buttons (IAM still decides).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from ..aws import describe_error

if TYPE_CHECKING:
    from ..aws import AwsContext
    from .plans import Plan

__all__ = ["OPT_IN_TAG_KEY", "OPT_IN_TAG_VALUE", "OptIn", "check_opt_in"]

logger = logging.getLogger(__name__)

OPT_IN_TAG_KEY = "incident-responder:redrive"
OPT_IN_TAG_VALUE = "allowed"


@dataclass
class OptIn:
    """``opted_in``: True, False (``missing`` names the resources without the tag) or None (unknown)."""

    opted_in: bool | None
    missing: list[str] = field(default_factory=list)
    error: str = ""


def _tags_of(pairs: Any) -> dict[str, str]:
    """Tags as a dict, from any of the shapes the services answer with."""
    if isinstance(pairs, dict):
        return {str(k): str(v) for k, v in pairs.items()}
    out: dict[str, str] = {}
    for pair in pairs or []:
        if isinstance(pair, dict):
            key = pair.get("key", pair.get("Key"))
            value = pair.get("value", pair.get("Value", ""))
            if key is not None:
                out[str(key)] = str(value or "")
    return out


def _state_machine_arn(execution_arn: str) -> str:
    """``arn:...:execution:<machine>:<name>`` → ``arn:...:stateMachine:<machine>``."""
    parts = execution_arn.split(":")
    if len(parts) >= 8 and parts[5] == "execution":
        return ":".join([*parts[:5], "stateMachine", parts[6]])
    return execution_arn


def _glue_job_arn(job: str, resource_arn: str, region: str) -> str:
    parts = resource_arn.split(":")
    partition = parts[1] if len(parts) > 4 and parts[1] else "aws"
    account = parts[4] if len(parts) > 4 else ""
    return f"arn:{partition}:glue:{region}:{account}:job/{job}"


def _resources(plan: Plan, aws: AwsContext, resource_arn: str) -> list[tuple[str, dict[str, str]]]:
    """(resource, its tags) for every resource IAM checks the opt-in tag on for this call."""
    params, op = plan.params, plan.operation
    client: Any
    if op in {"redrive_execution", "start_execution"}:
        machine = params.get("stateMachineArn") or _state_machine_arn(str(params.get("executionArn") or ""))
        client = aws.client("stepfunctions")
        out = client.list_tags_for_resource(resourceArn=machine)
        return [(str(machine), _tags_of(out.get("tags")))]
    if op == "run_task":
        definition = str(params.get("taskDefinition") or "")
        client = aws.client("ecs")
        out = client.describe_task_definition(taskDefinition=definition, include=["TAGS"])
        arn = (out.get("taskDefinition") or {}).get("taskDefinitionArn") or definition
        return [(str(arn), _tags_of(out.get("tags")))]
    if op == "add_job_flow_steps":
        cluster = str(params.get("JobFlowId") or "")
        client = aws.client("emr")
        out = client.describe_cluster(ClusterId=cluster)
        return [(cluster, _tags_of((out.get("Cluster") or {}).get("Tags")))]
    if op == "start_job_run":
        job = str(params.get("JobName") or "")
        arn = _glue_job_arn(job, resource_arn, plan.region)
        client = aws.client("glue")
        return [(arn, _tags_of(client.get_tags(ResourceArn=arn).get("Tags")))]
    if op == "submit_job":
        batch: Any = aws.client("batch")
        queue = str(params.get("jobQueue") or "")
        definition = str(params.get("jobDefinition") or "")
        queues = batch.describe_job_queues(jobQueues=[queue]).get("jobQueues") or []
        definitions = batch.describe_job_definitions(jobDefinitions=[definition]).get("jobDefinitions") or []
        if not queues or not definitions:
            raise LookupError(f"job queue {queue} or job definition {definition} not found")
        return [
            (str(queues[0].get("jobQueueArn") or queue), _tags_of(queues[0].get("tags"))),
            (str(definitions[0].get("jobDefinitionArn") or definition), _tags_of(definitions[0].get("tags"))),
        ]
    raise LookupError(f"no opt-in check for {plan.action or op}")


def check_opt_in(plan: Plan, aws: AwsContext, resource_arn: str = "") -> OptIn:
    """Read the tags of the resources ``plan``'s call needs (see the module docstring)."""
    if not plan.runnable or not plan.operation:
        return OptIn(None)
    try:
        found = _resources(plan, aws, resource_arn)
    except (ClientError, BotoCoreError, LookupError, KeyError) as exc:
        error = describe_error(exc) if isinstance(exc, (ClientError, BotoCoreError)) else str(exc)
        logger.warning("redrive opt-in tags unreadable", extra={"action": plan.action, "error": error})
        return OptIn(None, error=error)
    missing = [name for name, tags in found if tags.get(OPT_IN_TAG_KEY) != OPT_IN_TAG_VALUE]
    return OptIn(not missing, missing)
