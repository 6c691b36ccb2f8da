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
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from ..aws import describe_error
from ..evidence.redaction import redact, redact_obj
from .secrets import has_redacted, read_original, real_values, redact_params, restore

if TYPE_CHECKING:
    from ..aws import AwsContext

__all__ = [
    "Plan",
    "account_of",
    "build_plan",
    "call_fields",
    "console_url",
    "fit_call",
    "gather_facts",
    "load_spec",
    "not_runnable",
    "present",
    "read_safely",
    "region_of",
    "value",
    "where_in",
    "with_suffix",
]

logger = logging.getLogger(__name__)

# ECS allows these characters (and at most 36 of them) in startedBy; new tasks are marked with it.
STARTED_BY = "incident-responder"



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
    # The account the failed run is in (from the incident's resource ARN): the redrive function runs the
    # call there, through the account's redrive role when it is a member account.
    account: str = ""

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


def value(d: dict[str, Any] | None, key: str) -> Any:
    """``d[key]`` when it holds something (not None or empty), else None. Specs have one key per value."""
    if not isinstance(d, dict):
        return None
    found = d.get(key)
    return None if found in (None, "", [], {}) else found


def present(spec: Any, *keys: str) -> dict[str, Any]:
    """The ``keys`` (fields of a redrive spec) that have a value, with their values."""
    return {key: found for key in keys if (found := value(spec.__dict__, key)) is not None}


def read_safely(what: str, fn: Any, notes: list[str], **kwargs: Any) -> dict[str, Any] | None:
    try:
        return fn(**kwargs)  # type: ignore[no-any-return]
    except (ClientError, BotoCoreError) as exc:
        notes.append(f"{what}: {describe_error(exc)}")
        logger.warning("redrive fact read failed", extra={"what": what, "error": describe_error(exc)})
        return None


def gather_facts(source: str, spec: dict[str, Any], aws: AwsContext) -> dict[str, Any]:
    """Fresh facts for :func:`build_plan`, read with read-only calls; a failed read becomes a note.

    The source's adapter reads what its plan needs (Step Functions: DescribeExecution and
    DescribeStateMachine; EMR: DescribeCluster). When the stored spec holds redacted values, the failed
    run's own description is read too (``original``), whose real values the plan's call gets.
    """
    from ..sources import adapter

    notes: list[str] = []
    found = adapter(source)
    typed = found.spec_type.from_dict(spec)
    facts: dict[str, Any] = {"notes": notes, **found.gather_facts(typed, aws, notes)}
    if has_redacted(spec) and "original" not in facts:
        facts["original"] = read_original(source, found.original_ids(typed), aws, notes)
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
# The calls a plan makes, by IAM action: (boto3 client, boto3 method, API operation).
_CALLS: dict[str, tuple[str, str, str]] = {
    "states:RedriveExecution": ("stepfunctions", "redrive_execution", "RedriveExecution"),
    "states:StartExecution": ("stepfunctions", "start_execution", "StartExecution"),
    "ecs:RunTask": ("ecs", "run_task", "RunTask"),
    "batch:SubmitJob": ("batch", "submit_job", "SubmitJob"),
    "glue:StartJobRun": ("glue", "start_job_run", "StartJobRun"),
    "elasticmapreduce:AddJobFlowSteps": ("emr", "add_job_flow_steps", "AddJobFlowSteps"),
    "glue:StartCrawler": ("glue", "start_crawler", "StartCrawler"),
    "athena:StartQueryExecution": ("athena", "start_query_execution", "StartQueryExecution"),
    "emr-serverless:StartJobRun": ("emr-serverless", "start_job_run", "StartJobRun"),
    "emr-containers:StartJobRun": ("emr-containers", "start_job_run", "StartJobRun"),
    "lambda:InvokeFunction": ("lambda", "invoke", "Invoke"),
}


def call_fields(source: str, action: str, **fields: Any) -> dict[str, Any]:
    """The Plan fields naming the call of IAM ``action`` (e.g. ``ecs:RunTask``) for ``source``, and ``fields``."""
    service, operation, _ = _CALLS[action]
    return {"source": source, "action": action, "service": service, "operation": operation, **fields}


def not_runnable(base: dict[str, Any], reason: str, **extra: Any) -> Plan:
    """A plan that calls nothing: ``reason`` says why and what would help."""
    return Plan(**{**base, "params": {}, "runnable": False, "reason": reason, **extra})


def region_of(arn: Any, default: str) -> str:
    parts = str(arn or "").split(":")
    return parts[3] if len(parts) > 4 and parts[0] == "arn" and parts[3] else default


def account_of(arn: Any) -> str:
    parts = str(arn or "").split(":")
    return parts[4] if len(parts) > 4 and parts[0] == "arn" else ""


def where_in(region: str, account: str) -> str:
    return f"account {account}, {region}" if account else region


def with_suffix(name: str, suffix: str, limit: int) -> str:
    return name[: max(limit - len(suffix), 1)] + suffix


def console_url(source: str, region: str, run_id: str, extra: dict[str, Any] | None = None) -> str:
    """AWS console deep link to a run (execution, task, step, job run, job), by the source's adapter."""
    from ..sources import adapter

    return adapter(source).console_url(region, run_id, extra) if run_id else ""


# -- secrets ----------------------------------------------------------------------------------------------
def _restore_secrets(plan: Plan, facts: dict[str, Any]) -> None:
    """Put the failed run's real values where the stored spec has redacted ones; not runnable without them."""
    original = facts.get("original")
    plan.params, missing = restore(plan.params, real_values(plan.source, original))
    if not missing:
        return
    from ..sources import adapter

    read = adapter(plan.source).original_read
    shown = ", ".join(missing[:4]) + (f" and {len(missing) - 4} more" if len(missing) > 4 else "")
    plan.runnable = False
    plan.reason = (
        f"The incident keeps the failed run's secret values redacted ({shown}), and {read} could not give the "
        "real ones again, so the re-run would not get them. Run it by hand with the values from your secret store."
    )


# -- entry point ----------------------------------------------------------------------------------------
def fit_call(plan: Plan, params: dict[str, Any]) -> tuple[dict[str, Any], list[str], str]:
    """``params`` fitted to the input shape of the plan's call: (params, dropped keys, validation error or "")."""
    return fit_params(plan.service, _CALLS[plan.action][2], params)


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
    from ..sources import ADAPTER_MODULES, adapter

    source = source or str(spec.get("source") or "")
    if source not in ADAPTER_MODULES:
        nothing = dict.fromkeys(("action", "service", "operation", "target", "where", "what"), "")
        return not_runnable(
            {**nothing, "source": source, "region": region}, f"redrive is not supported for {source or 'this source'}"
        )
    found = adapter(source)
    typed = found.spec_type.from_dict(spec)
    plan = found.plan(typed, facts, attempt=attempt, now=now, region=region, token=token, resource_arn=resource_arn)
    plan.expect = {**found.original_ids(typed), **plan.expect}
    plan.account = plan.account or account_of(resource_arn)
    if plan.runnable and has_redacted(plan.params):
        _restore_secrets(plan, facts)
    if plan.params and plan.action in _CALLS:
        plan.params, plan.dropped, error = fit_call(plan, plan.params)
        if error and plan.runnable:
            plan.runnable = False
            plan.reason = (
                f"The stored details of the failed run are not enough to build the call ({' '.join(error.split())})."
            )
    for unknown in typed.unknown:
        plan.warnings.append(f"Not known from the failed run: {unknown}")
    for note in facts.get("notes") or []:
        plan.warnings.append(f"Could not read {note}")
    return plan
