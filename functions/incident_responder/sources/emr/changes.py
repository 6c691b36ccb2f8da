"""EMR: the last good run is a COMPLETED step of the same name on the cluster (a step failed), or the
previous cluster of the same name that ended without errors (a cluster failed).

Calls (at most two): ListSteps with StepStates COMPLETED (the step's arguments, the durations of the
same step), or ListClusters TERMINATED and DescribeCluster of the previous cluster of the same name
(release label, applications).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...evidence.changes import TREND_RUNS, Baseline, Reader, RunFacts
from ..base import parse_time

if TYPE_CHECKING:
    from ..base import Collector

__all__ = ["baseline"]

_CLEAN_ENDS = {"ALL_STEPS_COMPLETED", "USER_REQUEST"}


def _step_facts(step: dict[str, Any]) -> RunFacts:
    timeline = (step.get("Status") or {}).get("Timeline") or {}
    config = step.get("Config") or step.get("HadoopJarStep") or {}
    return RunFacts(run_id=f"step {step.get('Id') or '?'}", started=parse_time(timeline.get("StartDateTime")),
                    stopped=parse_time(timeline.get("EndDateTime")),
                    inputs={"args": list(config.get("Args") or [])} if config else None,
                    definition={"jar": config.get("Jar")})


def baseline(c: Collector, r: Reader) -> Baseline | None:
    if c.incident.detail.get("stepId"):
        return _step(c, r)
    return _cluster(c, r)


def _step(c: Collector, r: Reader) -> Baseline | None:
    inc = c.incident
    cluster_id = str(inc.detail.get("clusterId") or "")
    name = str(c.context.get("step_name") or inc.detail.get("name") or "")
    if not cluster_id or not name:
        return None
    r.searched = f"elasticmapreduce:ListSteps COMPLETED on cluster {cluster_id}"
    out = r.read(f"ListSteps COMPLETED {cluster_id}", c.client("emr").list_steps, ClusterId=cluster_id,
                 StepStates=["COMPLETED"])
    same = [s for s in (out or {}).get("Steps") or [] if s.get("Name") == name and s.get("Id") != inc.resource.run_id]
    if not same:
        return None
    same.sort(key=lambda s: _step_facts(s).started or parse_time(0))  # type: ignore[arg-type,return-value]
    spec = c.context.get("redrive")
    step = (spec.step if spec else {}) or {}
    failed = _step_facts({"Id": inc.resource.run_id, "Config": step.get("HadoopJarStep") or {}})
    failed.started, failed.stopped = parse_time(inc.started_at), parse_time(inc.stopped_at or inc.event_time)
    durations = [_step_facts(s).seconds for s in same[-(TREND_RUNS - 1):]]
    return Baseline(subject=f"step {name}", good=_step_facts(same[-1]), failed=failed,
                    source="elasticmapreduce:ListSteps", definition_label=f"Step {name}",
                    durations=[d for d in durations if d is not None], trend_subject=f"duration of step {name}")


def _cluster(c: Collector, r: Reader) -> Baseline | None:
    inc = c.incident
    name = str(c.context.get("cluster_name") or inc.resource.name)
    emr = c.client("emr")
    r.searched = f"elasticmapreduce:ListClusters TERMINATED named {name}"
    out = r.read("ListClusters TERMINATED", emr.list_clusters, ClusterStates=["TERMINATED"])
    same = [x for x in (out or {}).get("Clusters") or [] if x.get("Name") == name and x.get("Id") != inc.resource.run_id
            and ((x.get("Status") or {}).get("StateChangeReason") or {}).get("Code") in _CLEAN_ENDS]
    if not same:
        return None

    def timeline(x: dict[str, Any]) -> dict[str, Any]:
        return (x.get("Status") or {}).get("Timeline") or {}

    same.sort(key=lambda x: parse_time(timeline(x).get("CreationDateTime")) or parse_time(0))  # type: ignore[arg-type,return-value]
    prev = same[-1]
    described = (r.read(f"DescribeCluster {prev.get('Id')}", emr.describe_cluster, ClusterId=prev["Id"]) or {}
                 ).get("Cluster") or {}
    good = RunFacts(run_id=f"cluster {prev.get('Id')}", started=parse_time(timeline(prev).get("CreationDateTime")),
                    stopped=parse_time(timeline(prev).get("EndDateTime")),
                    definition={"release": described.get("ReleaseLabel"),
                                "applications": sorted(a.get("Name", "") for a in described.get("Applications") or [])
                                if described else None})
    failed = RunFacts(run_id=inc.resource.run_id or "", definition={"release": c.context.get("release_label")})
    durations = [RunFacts("", parse_time(timeline(x).get("CreationDateTime")),
                          parse_time(timeline(x).get("EndDateTime"))).seconds for x in same[-TREND_RUNS:]]
    return Baseline(subject=f"cluster {name}", good=good, failed=failed, source="elasticmapreduce:ListClusters",
                    definition_label=f"Cluster {name}", durations=[d for d in durations if d is not None],
                    trend_subject=f"lifetime of clusters named {name}")
