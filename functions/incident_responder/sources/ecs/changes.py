"""ECS: the last good run is the last clean stop of the same task family, as the responder recorded it.

ECS keeps a stopped task for about an hour and has no API to list the good runs of a family, so the
analyzer keeps one small item per family when it skips a task's event as a clean stop (every essential
container exited 0): the task, its task definition revision, its times and overrides (redacted), and its
recent durations (evidence/changes.py ``remember_good_run``, with the incidents' TTL).

Calls (at most three): GetItem of that item, then DescribeTaskDefinition of the good revision and of the
failed one when they differ (image, memory, CPU, environment keys and command of the task's container, the network
mode).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ...evidence.changes import Baseline, Reader, RunFacts, last_good_run
from ...evidence.redaction import redact_obj
from ...model import iso
from ..base import parse_time

if TYPE_CHECKING:
    from ..base import Collector

__all__ = ["baseline", "good_run"]


def good_run(detail: dict[str, Any]) -> dict[str, Any] | None:
    """What to keep of a task that stopped cleanly (every essential container exited 0), or None."""
    containers = [x for x in detail.get("containers") or [] if isinstance(x, dict)]
    td_arn = str(detail.get("taskDefinitionArn") or "")
    if str(detail.get("clusterArn", "")).split("/")[-1].startswith("AWSBatch-"):
        return None  # a Batch job's task: Batch keeps its own runs
    if not containers or not td_arn or any(x.get("exitCode") not in (0, None) for x in containers):
        return None
    if not any(x.get("exitCode") == 0 for x in containers):
        return None
    family = td_arn.split("/")[-1].rsplit(":", 1)[0]
    started, stopped = parse_time(detail.get("startedAt")), parse_time(detail.get("stoppedAt"))
    overrides = detail.get("overrides") or {}
    return {"key": f"ecs#{family}", "run_id": str(detail.get("taskArn") or "").split("/")[-1],
            "task_definition": td_arn, "started": iso(started), "stopped": iso(stopped),
            "overrides": json.dumps(redact_obj(overrides), sort_keys=True) if overrides else None,
            "seconds": (stopped - started).total_seconds() if started and stopped and stopped >= started else None}


def _definition(td: dict[str, Any] | None, container: str) -> dict[str, Any]:
    if not td:
        return {}
    defs = td.get("containerDefinitions") or []
    cdef = next((d for d in defs if d.get("name") == container), defs[0] if defs else {})
    return {"image": cdef.get("image"), "memory (MiB)": cdef.get("memory") or td.get("memory"),
            "task memory (MiB)": td.get("memory"), "CPU units": td.get("cpu") or cdef.get("cpu"),
            "environment keys": sorted(str(e.get("name")) for e in cdef.get("environment") or []),
            "secrets": sorted(str(e.get("name")) for e in cdef.get("secrets") or []),
            "command": " ".join(map(str, cdef.get("command") or [])) or None,
            "entry point": " ".join(map(str, cdef.get("entryPoint") or [])) or None,
            "user": cdef.get("user"),
            # Off unless set: a definition that turns it on shows the change (a runtime that writes at start, .NET's
            # "Failed to create CoreCLR", fails on the read-only file system).
            "read-only root file system": "on" if cdef.get("readonlyRootFilesystem") else "off",
            "ephemeral storage (GiB)": (td.get("ephemeralStorage") or {}).get("sizeInGiB"),
            "task role": td.get("taskRoleArn"), "execution role": td.get("executionRoleArn"),
            # bridge or host reach out through the instance; awsvpc through the task's own interface, which needs
            # its subnet's route (a NAT gateway, an endpoint) to reach anything
            "network mode": td.get("networkMode")}


def baseline(c: Collector, r: Reader) -> Baseline | None:
    inc = c.incident
    td_arn = str(inc.detail.get("taskDefinitionArn") or "")
    family = td_arn.split("/")[-1].rsplit(":", 1)[0]
    if not family:
        return None
    r.searched = f"no clean stop of {family} recorded by the responder"
    kept = last_good_run(r, f"ecs#{family}")
    if not kept or not kept.get("task_definition"):
        return None
    good_td, container = str(kept["task_definition"]), str(c.context.get("container") or "")
    ecs = c.client("ecs")
    revision = good_td.rsplit(":", 1)[-1]
    good_def = failed_def = None
    if good_td != td_arn:
        good_def = (r.read(f"DescribeTaskDefinition {family}:{revision}", ecs.describe_task_definition,
                           taskDefinition=good_td) or {}).get("taskDefinition")
        failed_def = (r.read(f"DescribeTaskDefinition {family}:{td_arn.rsplit(':', 1)[-1]}",
                             ecs.describe_task_definition, taskDefinition=td_arn) or {}).get("taskDefinition")
    overrides = json.loads(kept["overrides"]) if kept.get("overrides") else {}
    good = RunFacts(run_id=f"task {kept.get('run_id') or '?'}", started=parse_time(kept.get("started")),
                    stopped=parse_time(kept.get("stopped")), inputs=overrides,
                    definition=_definition(good_def, container), revision=f"revision {revision}")
    failed = RunFacts(run_id=inc.resource.run_id or "", started=parse_time(inc.started_at),
                      stopped=parse_time(inc.stopped_at), inputs=inc.detail.get("overrides") or {},
                      definition=_definition(failed_def, container),
                      revision=f"revision {td_arn.rsplit(':', 1)[-1]}")
    durations = [float(d) for d in kept.get("durations") or [] if _is_number(d)]
    if failed.seconds is not None:
        durations.append(failed.seconds)
    return Baseline(subject=f"task family {family}", good=good, failed=failed,
                    source="the responder's record of clean stops", definition_label=f"Task definition {family}",
                    durations=durations, trend_subject=f"duration of {family} tasks")


def _is_number(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True
