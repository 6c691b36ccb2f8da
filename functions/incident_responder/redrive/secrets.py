"""The real values of a redrive: never stored, read again from the failed run when they are needed.

The incident item keeps the source's redrive spec with every secret redacted (``analyze.py``), and
the audit table keeps each plan redacted (:func:`redact_params`): nothing the responder stores or
posts holds a password, key or token. A re-run must still get the real values, so wherever a
parameter holds a ``[REDACTED:...]`` marker, the value is taken from the failed run's own description,
read with one read-only call (:func:`read_original`): DescribeExecution's input (Step Functions),
GetJobRun's Arguments (Glue), DescribeTasks' overrides (ECS), DescribeStep's HadoopJarStep (EMR),
DescribeJobs' parameters and container (Batch). That happens twice: when the plan is built (a plan
whose values cannot be read is not runnable, and says why) and in the redrive function just before
the call, from the redacted copy the approval refers to.

:func:`restore` puts a real value back only where the stored value holds a marker, and only when the
real value redacts to exactly the stored one, so what runs is what the preview showed.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from ..aws import describe_error
from ..evidence.redaction import redact_obj

if TYPE_CHECKING:
    from ..aws import AwsContext

__all__ = ["READS", "has_redacted", "read_original", "real_values", "redact_params", "restore"]

logger = logging.getLogger(__name__)

_MARKER = re.compile(r"\[REDACTED(?::[a-z_]+)?\]")
_WHOLE_MARKER = re.compile(r"^\[REDACTED(?::[a-z_]+)?\]$")
# Parameters whose name holds a secret word but whose value is no secret (an idempotency token).
_NOT_SECRET_PARAMS = ("clientToken",)
# Items of a list that have one of these (environment variables, container overrides, properties) are
# matched by it, not by position: a spec may leave some out (Batch leaves secret-named variables out).
_ITEM_NAMES = ("name", "Key")


def has_redacted(value: Any) -> bool:
    """True when a string anywhere in ``value`` holds a redaction marker."""
    if isinstance(value, str):
        return bool(_MARKER.search(value))
    if isinstance(value, dict):
        return any(has_redacted(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(has_redacted(v) for v in value)
    return False


def redact_params(params: dict[str, Any]) -> dict[str, Any]:
    """A call's parameters as they may be stored or shown: secrets redacted, the client token kept."""
    out: dict[str, Any] = redact_obj(params, parse_json=True)
    for key in _NOT_SECRET_PARAMS:
        if key in params:
            out[key] = params[key]
    return out


# -- reading the failed run -------------------------------------------------------------------------------
# The read-only call that describes a failed run, per source.
READS = {
    "stepfunctions": "DescribeExecution",
    "glue": "GetJobRun",
    "ecs": "DescribeTasks",
    "emr": "DescribeStep",
    "batch": "DescribeJobs",
}


def read_original(source: str, ids: dict[str, Any], aws: AwsContext, notes: list[str]) -> dict[str, Any] | None:
    """The failed run's own description, read-only; None (with a note) when it cannot be read.

    ``ids`` are a plan's ``expect`` keys: ``execution_arn`` (Step Functions), ``job_name`` and
    ``run_id`` (Glue), ``cluster`` and ``task_arn`` (ECS), ``cluster_id`` and ``step_id`` (EMR),
    ``original_job_id`` (Batch).
    """
    what = READS.get(source, "")
    try:
        if source == "stepfunctions" and ids.get("execution_arn"):
            sfn: Any = aws.client("stepfunctions")
            return sfn.describe_execution(executionArn=ids["execution_arn"])  # type: ignore[no-any-return]
        if source == "glue" and ids.get("job_name") and ids.get("run_id"):
            glue: Any = aws.client("glue")
            return glue.get_job_run(JobName=ids["job_name"], RunId=ids["run_id"])["JobRun"]  # type: ignore[no-any-return]
        if source == "ecs" and ids.get("task_arn"):
            ecs: Any = aws.client("ecs")
            kwargs = {"cluster": ids["cluster"]} if ids.get("cluster") else {}
            tasks = ecs.describe_tasks(tasks=[ids["task_arn"]], **kwargs).get("tasks") or []
            if not tasks:
                notes.append(f"{what}: ECS no longer returns the stopped task (it keeps them for about an hour)")
            return tasks[0] if tasks else None
        if source == "emr" and ids.get("cluster_id") and ids.get("step_id"):
            emr: Any = aws.client("emr")
            return emr.describe_step(ClusterId=ids["cluster_id"], StepId=ids["step_id"])["Step"]  # type: ignore[no-any-return]
        if source == "batch" and ids.get("original_job_id"):
            batch: Any = aws.client("batch")
            jobs = batch.describe_jobs(jobs=[ids["original_job_id"]]).get("jobs") or []
            if not jobs:
                notes.append(f"{what}: Batch no longer returns job {ids['original_job_id']}")
            return jobs[0] if jobs else None
    except (ClientError, BotoCoreError) as exc:
        notes.append(f"{what}: {describe_error(exc)}")
        logger.warning("redrive original read failed", extra={"what": what, "error": describe_error(exc)})
        return None
    notes.append(f"{what or source}: the failed run's id is not known")
    return None


def real_values(source: str, original: dict[str, Any] | None) -> dict[str, Any]:
    """The call parameters that may hold secrets, with the failed run's real values (empty when unknown)."""
    if not original:
        return {}
    if source == "stepfunctions":
        return {"input": original.get("input")} if "input" in original else {}
    if source == "glue":
        return {"Arguments": original.get("Arguments") or {}}
    if source == "ecs":
        return {"overrides": original.get("overrides") or {}}
    if source == "emr":
        config = dict(original.get("Config") or {})
        props = config.get("Properties")
        if isinstance(props, dict):  # DescribeStep gives a map; AddJobFlowSteps takes Key/Value pairs
            config["Properties"] = [{"Key": str(k), "Value": str(v)} for k, v in props.items()]
        return {
            "Steps": [
                {
                    "Name": original.get("Name"),
                    "ActionOnFailure": original.get("ActionOnFailure"),
                    "HadoopJarStep": config,
                }
            ]
        }
    if source == "batch":
        container = original.get("container") or {}
        return {
            "parameters": original.get("parameters") or {},
            "containerOverrides": {
                k: container[k] for k in ("command", "environment", "resourceRequirements") if k in container
            },
        }
    return {}


# -- putting them back --------------------------------------------------------------------------------------
_ABSENT = object()


def restore(params: dict[str, Any], real: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """``params`` with each redacted value replaced by the real one: (params, paths still redacted)."""
    missing: list[str] = []
    out = {}
    for key, value in params.items():
        out[key] = _restore(value, real.get(key, _ABSENT), key, missing) if has_redacted(value) else value
    return out, missing


def _restore(stored: Any, real: Any, path: str, missing: list[str]) -> Any:
    if isinstance(stored, str):
        if not _MARKER.search(stored):
            return stored
        if real is not _ABSENT and real is not None and _same(stored, real):
            return real
        missing.append(path)
        return stored
    if isinstance(stored, dict):
        known = real if isinstance(real, dict) else {}
        return {k: _restore(v, known.get(k, _ABSENT), f"{path}.{k}", missing) for k, v in stored.items()}
    if isinstance(stored, list):
        items = real if isinstance(real, list) else []
        return [_restore(v, _match(v, i, items), f"{path}[{i}]", missing) for i, v in enumerate(stored)]
    return stored


def _match(stored: Any, index: int, items: list[Any]) -> Any:
    """The real item for a stored one: by its name when it has one (a spec may leave items out)."""
    if isinstance(stored, dict):
        for key in _ITEM_NAMES:
            if key in stored and not has_redacted(stored[key]):
                return next((r for r in items if isinstance(r, dict) and r.get(key) == stored[key]), _ABSENT)
    return items[index] if index < len(items) else _ABSENT


def _same(stored: str, real: Any) -> bool:
    """Whether ``real`` is what ``stored`` is the redacted form of."""
    if _WHOLE_MARKER.match(stored):  # blanked for its key, pair name or flag: any scalar value fits
        return isinstance(real, (str, int, float)) and not isinstance(real, bool)
    return isinstance(real, str) and redact_obj(real, parse_json=True) == stored
