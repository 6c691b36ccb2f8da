"""The local world's EMR: ``world.yaml`` ``emr: {clusters: [...], steps: [{cluster_id, step}]}`` in moto.

Entries are DescribeCluster ``Cluster`` and DescribeStep ``Step`` responses. Clusters and steps are
created through the ordinary API (RunJobFlow, AddJobFlowSteps) and then given the world's ids and
state, which the API cannot reach: a FAILED step with its FailureDetails, a cluster
TERMINATED_WITH_ERRORS with its StateChangeReason. Moto's response serializer looks an attribute up by
its AWS name (``Status``) before its Python name (``status``), so each world key is set on the moto
object under its AWS name and DescribeCluster, DescribeStep and ListSteps answer with exactly the
world's values, FailureDetails included (moto's own ``status`` has no FailureDetails).

Moto answers DescribeStep and ListSteps for an unknown cluster with a KeyError rather than AWS's
InvalidRequestException; this module makes them answer as AWS does, so "the cluster is already gone"
can be replayed.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from .world import convert_times, to_moto_datetime

if TYPE_CHECKING:
    import boto3

    from .world import World

__all__ = ["load"]

logger = logging.getLogger(__name__)

_TIME_KEYS = {"CreationDateTime", "StartDateTime", "ReadyDateTime", "EndDateTime"}


def load(session: boto3.Session, world: World) -> None:
    """Create the world's EMR clusters and steps in moto (``mock_aws`` active)."""
    from moto.emr.models import emr_backends

    backend = emr_backends[world.account][world.region]
    _answer_unknown_ids_like_aws(backend)
    spec = world.data.get("emr") or {}
    if not spec:
        return
    emr = session.client("emr", region_name=world.region)
    for cluster in spec.get("clusters") or []:
        _cluster(emr, backend, cluster)
    for entry in spec.get("steps") or []:
        cluster_id = entry["cluster_id"]
        if cluster_id not in backend.clusters:
            logger.warning("world step on a cluster the world does not describe; a bare one is made",
                           extra={"cluster_id": cluster_id})
            _cluster(emr, backend, {"Id": cluster_id, "Name": cluster_id})
        _step(emr, backend, cluster_id, entry["step"])


def _overlay(obj: Any, response: dict[str, Any]) -> None:
    # The AWS name wins over moto's snake_case attribute when the response is serialized.
    for key, value in response.items():
        # World times become naive UTC datetimes: what moto keeps and serializes.
        setattr(obj, key, convert_times(value, _TIME_KEYS, to_moto_datetime, key))


def _cluster(emr: Any, backend: Any, cluster: dict[str, Any]) -> None:
    attrs = cluster.get("Ec2InstanceAttributes") or {}
    kwargs: dict[str, Any] = {
        "Name": cluster.get("Name") or cluster["Id"],
        "Instances": {"InstanceCount": 1, "MasterInstanceType": "m5.xlarge",
                      "KeepJobFlowAliveWhenNoSteps": True},
        "ServiceRole": cluster.get("ServiceRole") or "EMR_DefaultRole",
        "JobFlowRole": attrs.get("IamInstanceProfile") or "EMR_EC2_DefaultRole",
        "VisibleToAllUsers": bool(cluster.get("VisibleToAllUsers", True)),
    }
    if cluster.get("LogUri"):
        kwargs["LogUri"] = cluster["LogUri"]
    if cluster.get("ReleaseLabel"):
        kwargs["ReleaseLabel"] = cluster["ReleaseLabel"]
    if cluster.get("Applications"):
        kwargs["Applications"] = [{"Name": a["Name"]} for a in cluster["Applications"] if a.get("Name")]
    if cluster.get("Tags"):
        kwargs["Tags"] = [{"Key": t["Key"], "Value": str(t.get("Value", ""))} for t in cluster["Tags"]]
    made = emr.run_job_flow(**kwargs)["JobFlowId"]
    obj = backend.clusters.pop(made)
    obj.id = cluster["Id"]
    backend.clusters[obj.id] = obj
    status = cluster.get("Status") or {}
    obj.state = status.get("State") or obj.state
    timeline = status.get("Timeline") or {}
    obj.creation_datetime = to_moto_datetime(timeline.get("CreationDateTime")) or obj.creation_datetime
    obj.end_datetime = to_moto_datetime(timeline.get("EndDateTime"))
    _overlay(obj, cluster)


def _step(emr: Any, backend: Any, cluster_id: str, step: dict[str, Any]) -> None:
    config = step.get("Config") or {}
    props = config.get("Properties") or {}
    jar_step: dict[str, Any] = {"Jar": config.get("Jar") or "command-runner.jar",
                                "Args": [str(a) for a in config.get("Args") or []],
                                "Properties": [{"Key": k, "Value": str(v)} for k, v in props.items()]}
    if config.get("MainClass"):
        jar_step["MainClass"] = config["MainClass"]
    made = emr.add_job_flow_steps(JobFlowId=cluster_id, Steps=[{
        "Name": step.get("Name") or step["Id"], "ActionOnFailure": step.get("ActionOnFailure") or "CONTINUE",
        "HadoopJarStep": jar_step}])["StepIds"][0]
    obj = next(s for s in backend.clusters[cluster_id].steps if s.id == made)
    obj.id = step["Id"]
    status = step.get("Status") or {}
    obj.state = status.get("State") or obj.state
    timeline = status.get("Timeline") or {}
    # ListSteps orders by creation time, newest first.
    obj.creation_date_time = to_moto_datetime(timeline.get("CreationDateTime")) or obj.creation_date_time
    obj.start_date_time = to_moto_datetime(timeline.get("StartDateTime"))
    obj.end_date_time = to_moto_datetime(timeline.get("EndDateTime"))
    _overlay(obj, step)


def _answer_unknown_ids_like_aws(backend: Any) -> None:
    """DescribeStep/ListSteps on an unknown cluster or step: InvalidRequestException, as in AWS.

    Set on the backend instance, so moto's reset (a fresh backend per mock) drops it.
    """
    from moto.emr.exceptions import InvalidCluster, InvalidRequestException

    describe_step, list_steps = backend.describe_step, backend.list_steps

    def checked_describe_step(cluster_id: str, step_id: str) -> Any:
        if cluster_id not in backend.clusters:
            raise InvalidCluster(cluster_id)
        step = describe_step(cluster_id, step_id)
        if step is None:
            raise InvalidRequestException(f"Step id '{step_id}' is not valid.")
        return step

    def checked_list_steps(cluster_id: str, *args: Any, **kwargs: Any) -> Any:
        if cluster_id not in backend.clusters:
            raise InvalidCluster(cluster_id)
        return list_steps(cluster_id, *args, **kwargs)

    backend.describe_step = checked_describe_step
    backend.list_steps = checked_list_steps
