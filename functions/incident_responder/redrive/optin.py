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

from ..aws import describe_error, own_account

if TYPE_CHECKING:
    from ..aws import AwsContext
    from .plans import Plan

__all__ = ["OPT_IN_TAG_KEY", "OPT_IN_TAG_VALUE", "OptIn", "check_opt_in", "tags_of"]

logger = logging.getLogger(__name__)

OPT_IN_TAG_KEY = "incident-responder:redrive"
OPT_IN_TAG_VALUE = "allowed"


@dataclass
class OptIn:
    """``opted_in``: True, False (``missing`` names the resources without the tag) or None (unknown)."""

    opted_in: bool | None
    missing: list[str] = field(default_factory=list)
    error: str = ""


def tags_of(pairs: Any) -> dict[str, str]:
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


def _resources(plan: Plan, aws: AwsContext, resource_arn: str) -> list[tuple[str, dict[str, str]]]:
    """(resource, its tags) for every resource IAM checks the opt-in tag on: the source's adapter knows."""
    from ..sources import adapter

    return adapter(plan.source).redrive_resources(plan, aws, resource_arn)


def check_opt_in(plan: Plan, aws: AwsContext, resource_arn: str = "") -> OptIn:
    """Read the tags of the resources ``plan``'s call needs (see the module docstring)."""
    if not plan.runnable or not plan.operation:
        return OptIn(None)
    try:
        if plan.account and plan.account != own_account(aws):
            # A member account's resource: its redrive role's policy decides there; the tags are not
            # readable with this account's credentials (and a same-named resource here is not it).
            return OptIn(None, error=f"the resource is in member account {plan.account}, whose redrive role "
                                     "decides on its opt-in")
        found = _resources(plan, aws, resource_arn)
    except (ClientError, BotoCoreError, LookupError, KeyError) as exc:
        error = describe_error(exc) if isinstance(exc, (ClientError, BotoCoreError)) else str(exc)
        logger.warning("redrive opt-in tags unreadable", extra={"action": plan.action, "error": error})
        return OptIn(None, error=error)
    missing = [name for name, tags in found if tags.get(OPT_IN_TAG_KEY) != OPT_IN_TAG_VALUE]
    return OptIn(not missing, missing)
