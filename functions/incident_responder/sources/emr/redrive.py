"""EMR redrive: ``AddJobFlowSteps`` with the failed step's configuration while the cluster accepts
steps; otherwise not runnable, with what would re-create the cluster.

The spec the collector stores: ``cluster_id``, ``cluster_state``, ``cluster_accepts_steps``,
``failed_step_id``, ``step`` (``Name``, ``ActionOnFailure``, ``HadoopJarStep`` as AddJobFlowSteps
takes them) and, for a terminated cluster, ``note``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from ...aws import describe_error
from ...redrive.plans import Plan, account_of, call_fields, not_runnable, region_of, where_in, with_suffix
from ..base import given
from .evidence import cluster_console_url
from .spec import EmrSpec

if TYPE_CHECKING:
    from ...aws import AwsContext

__all__ = ["EMR_LIVE_STATES", "gather_facts", "plan"]

EMR_LIVE_STATES = frozenset({"STARTING", "BOOTSTRAPPING", "RUNNING", "WAITING"})
_EMR_NAME_MAX = 256


def gather_facts(spec: EmrSpec, aws: AwsContext, notes: list[str]) -> dict[str, Any]:
    """DescribeCluster: whether the cluster still accepts steps (a cluster EMR forgot is gone)."""
    cluster_id = _emr_cluster_id(spec)
    if not cluster_id:
        return {}
    try:
        emr: Any = aws.client("emr")
        return {"cluster": emr.describe_cluster(ClusterId=cluster_id).get("Cluster")}
    except ClientError as exc:
        if "InvalidRequest" not in str(exc.response.get("Error", {}).get("Code")):
            notes.append(f"DescribeCluster: {describe_error(exc)}")
        # EMR forgets terminated clusters after a while: the cluster is gone.
        return {"cluster": {"Id": cluster_id, "Status": {
            "State": "TERMINATED",
            "StateChangeReason": {"Message": f"EMR no longer knows it ({describe_error(exc)})"}}}}
    except BotoCoreError as exc:
        notes.append(f"DescribeCluster: {describe_error(exc)}")
        return {}


def _emr_cluster_id(spec: EmrSpec) -> str:
    return str(given(spec.cluster_id) or "")


def _emr_step(spec: EmrSpec) -> dict[str, Any]:
    step = given(spec.step) or {}
    step = dict(step) if isinstance(step, dict) else {}
    jar = dict(step.get("HadoopJarStep") or {})
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
    return call_fields("emr", "elasticmapreduce:AddJobFlowSteps", region=region, target=cluster_id, where=where,
                 original_url=cluster_console_url(region, cluster_id))


def plan(spec: EmrSpec, facts: dict[str, Any], attempt: int, region: str) -> Plan:
    cluster_id = _emr_cluster_id(spec)
    cluster = facts.get("cluster") or {}
    state = (cluster.get("Status") or {}).get("State") or given(spec.cluster_state)
    why = ((cluster.get("Status") or {}).get("StateChangeReason") or {}).get("Message")
    if not (given(spec.step)):
        gone = bool(state) and state not in EMR_LIVE_STATES
        note = given(spec.note) or (
            (f"{cluster_id} is {state}" + (f": {why}" if why else "")) if state else "the cluster could not be read"
        )
        return not_runnable(
            _emr_base(cluster_id, region, f"EMR cluster `{cluster.get('Name') or cluster_id}` ({cluster_id})"),
            ("The cluster is gone" if gone else "The failed step's configuration is not known")
            + f" ({note}), so there is no step to add again. "
            + _emr_recreate(cluster, cluster_id, None),
            what="Run the failed work again",
        )
    step = _emr_step(spec)
    step["Name"] = with_suffix(str(step["Name"]), f" (redrive {attempt})", _EMR_NAME_MAX)
    params = {"JobFlowId": cluster_id, "Steps": [step]}
    if given(spec.ExecutionRoleArn):
        params["ExecutionRoleArn"] = given(spec.ExecutionRoleArn)
    name = cluster.get("Name") or given(spec.cluster_name) or cluster_id
    region = region_of(cluster.get("ClusterArn"), region)
    where = f"EMR cluster `{name}` ({cluster_id}, {where_in(region, account_of(cluster.get('ClusterArn')))})"
    result = Plan(
        **_emr_base(cluster_id, region, where),
        params=params,
        what=f"Add the failed step again as `{step['Name']}` to the same cluster.",
        input_label="Step",
        input=step["HadoopJarStep"],
        expect={"cluster_id": cluster_id},
    )
    if step["ActionOnFailure"] in {"TERMINATE_CLUSTER", "TERMINATE_JOB_FLOW"}:
        result.warnings.append(
            f"The step's ActionOnFailure is {step['ActionOnFailure']}: if it fails again, the cluster is terminated."
        )
    if state and state not in EMR_LIVE_STATES:
        result.runnable = False
        result.reason = (
            f"The cluster is gone: {cluster_id} is {state}"
            + (f" ({why})" if why else "")
            + ", and steps can only be added to a running cluster. "
            + _emr_recreate(cluster, cluster_id, step)
        )
    elif not state:
        result.warnings.append("The cluster's current state could not be read; AddJobFlowSteps fails if it is gone.")
    return result


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


