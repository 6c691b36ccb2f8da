"""The local world's ECS: ``world.data["ecs"]`` loaded into moto.

``ecs.task_definitions`` are DescribeTaskDefinition ``taskDefinition`` objects and ``ecs.tasks`` are
DescribeTasks ``task`` objects, pasted as boto3 returns them. Afterwards moto answers DescribeTasks and
DescribeTaskDefinition with exactly those objects; the code under test makes its ordinary calls.

- Task definitions are registered through the API (so tags, revisions and deregistration behave as
  moto implements them), then moved to the revision of their ARN, given their status (``INACTIVE``
  for a deregistered one) and made to serialize as the pasted object: moto rebuilds container
  definitions with its own defaults and drops fields such as ``registeredAt``.
- Clusters named by a task's ``clusterArn`` (and any in the optional ``ecs.clusters`` list) are
  created through the API.
- Stopped tasks cannot be reached through the API (moto's RunTask makes RUNNING tasks with exit code
  0 and no stop code or container reason), so each task is placed in moto's backend as a record
  that serializes as the pasted object.

- ``ecs.good_runs`` (optional) are clean stops the responder recorded before the scenario (the baseline
  of a later failure): ``{taskDefinitionArn, taskArn, startedAt, stoppedAt, overrides, durations}``
  (``durations``: seconds of earlier clean runs of the family, oldest first), written to the incidents
  table as the analyzer writes them when it skips a clean stop.

A task definition left out of the world is one that was deleted: DescribeTaskDefinition answers with
moto's ClientException, as AWS does. A task left out is one that has expired (AWS keeps stopped
tasks for about an hour): DescribeTasks answers with no task.
"""

from __future__ import annotations

import copy
import re
from typing import TYPE_CHECKING, Any

from .world import to_datetime

if TYPE_CHECKING:
    import boto3

    from .world import World

__all__ = ["load"]

# RegisterTaskDefinition parameters that moto accepts; everything else only shows in the response.
_REGISTER_KEYS = ("taskRoleArn", "executionRoleArn", "networkMode", "volumes", "placementConstraints",
                  "requiresCompatibilities", "cpu", "memory", "proxyConfiguration", "inferenceAccelerators",
                  "runtimePlatform", "ipcMode", "pidMode", "ephemeralStorage")
_TD_ARN = re.compile(r"task-definition/(?P<family>[^:/]+):(?P<revision>\d+)$")


def load(session: boto3.Session, world: World) -> None:
    """Create the world's ECS clusters, task definitions and stopped tasks in moto."""
    spec = world.data.get("ecs") or {}
    if not spec:
        return
    from moto.ecs.models import ecs_backends

    client = session.client("ecs", region_name=world.region)
    backend = ecs_backends[world.account][world.region]
    for td in spec.get("task_definitions") or []:
        _task_definition(client, backend, td)
    tasks = spec.get("tasks") or []
    clusters = [str(c) for c in spec.get("clusters") or []] + [str(t["clusterArn"]) for t in tasks]
    made: set[str] = set()
    for cluster in clusters:
        name = cluster.split("/")[-1]
        if name not in made:
            client.create_cluster(clusterName=name)
            made.add(name)
    for task in tasks:
        record = _StoppedTask(_timestamps(copy.deepcopy(task)))
        backend.tasks.setdefault(record.cluster_name, {})[record.task_arn] = record  # type: ignore[assignment]
    for run in spec.get("good_runs") or []:
        _good_run(session, world, run)


def _good_run(session: boto3.Session, world: World, run: dict[str, Any]) -> None:
    """A clean stop as the analyzer keeps it (evidence/changes.py ``remember_good_run``)."""
    import json
    import os
    import time

    from incident_responder.evidence.changes import GOOD_RUN_PREFIX
    from incident_responder.model import iso
    from incident_responder.sources.ecs.changes import good_run

    detail = {"taskDefinitionArn": run["taskDefinitionArn"], "taskArn": run.get("taskArn") or "",
              "startedAt": run.get("startedAt"), "stoppedAt": run.get("stoppedAt"),
              "overrides": run.get("overrides") or {}, "containers": [{"exitCode": 0}]}
    kept = good_run(detail)
    if kept is None:
        raise ValueError(f"world.yaml ecs.good_runs: {run} is not a clean stop of a task definition")
    durations = [*(run.get("durations") or []), kept.pop("seconds")]
    item = {k: v for k, v in kept.items() if v is not None}
    item.update(incident_id=GOOD_RUN_PREFIX + item.pop("key"), started=iso(to_datetime(run.get("startedAt"))),
                durations=[str(round(float(d), 1)) for d in durations if d is not None],
                expires_at=int(time.time()) + 86400)
    if item.get("overrides") is not None:
        json.loads(item["overrides"])  # kept as JSON text, as the analyzer keeps it
    table = session.resource("dynamodb", region_name=world.region).Table(os.environ["INCIDENTS_TABLE"])
    table.put_item(Item=item)


def _task_definition(client: Any, backend: Any, td: dict[str, Any]) -> None:
    arn = td.get("taskDefinitionArn") or ""
    m = _TD_ARN.search(arn)
    family = td.get("family") or (m.group("family") if m else None)
    if not family:
        raise ValueError("world.yaml ecs.task_definitions: an entry needs family or taskDefinitionArn")
    revision = int(td.get("revision") or (m.group("revision") if m else 1))
    kwargs: dict[str, Any] = {"family": family, "containerDefinitions": td.get("containerDefinitions") or []}
    kwargs.update({k: td[k] for k in _REGISTER_KEYS if td.get(k) is not None})
    # moto asks every container of a definition without a task-level memory for a hard limit ("memory") when it
    # requires EC2, where ECS takes a soft one (memoryReservation) too: such a container is registered with a
    # placeholder, which the pasted containerDefinitions then replace (below).
    if not kwargs.get("memory"):
        kwargs["containerDefinitions"] = [
            c if c.get("memory") else {**c, "memory": c.get("memoryReservation") or 128}
            for c in kwargs["containerDefinitions"]]
    registered = client.register_task_definition(**kwargs)["taskDefinition"]
    obj = backend.task_definitions[family].pop(registered["revision"])
    obj.revision = revision
    obj.arn = arn or obj.arn.rsplit(":", 1)[0] + f":{revision}"
    obj.status = td.get("status") or "ACTIVE"
    backend.task_definitions[family][revision] = obj
    # The serializer looks for the response member's own (camelCase) name first: set each pasted field
    # so the response is the pasted object, not moto's rebuilt one.
    for key, value in _timestamps(copy.deepcopy(td)).items():
        setattr(obj, key, value)
    obj.taskDefinitionArn = obj.arn
    obj.revision = revision


class _StoppedTask(dict):  # type: ignore[type-arg]
    """A DescribeTasks ``task`` as moto's backend keeps tasks: the serializer reads its keys, the backend
    its ``task_arn``, ``id`` and ``advance()``; other attributes map to keys (``cluster_arn``)."""

    @property
    def task_arn(self) -> str:
        return str(self["taskArn"])

    @property
    def id(self) -> str:
        return self.task_arn.split("/")[-1]

    @property
    def cluster_name(self) -> str:
        return str(self.get("clusterArn", "default")).split("/")[-1]

    @property
    def tags(self) -> list[dict[str, str]]:
        return list(self.get("tags") or [])

    def advance(self) -> None:
        """A stopped task stays stopped (moto's tasks move one lifecycle step per describe)."""

    def __getattr__(self, name: str) -> Any:
        head, *rest = name.split("_")
        key = head + "".join(w.title() for w in rest)
        if key in self:
            return self[key]
        raise AttributeError(name)


def _timestamps(value: Any, key: str = "") -> Any:
    """ISO-8601 strings under ``...At`` keys become datetimes, as moto's serializer expects."""
    if isinstance(value, dict):
        return {k: _timestamps(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_timestamps(v, key) for v in value]
    if key.endswith("At") and isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return to_datetime(value)
    return value
