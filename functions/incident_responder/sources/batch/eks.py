"""Batch on EKS: jobs whose DescribeJobs answer has ``eksProperties`` and ``eksAttempts`` instead of
``container`` and ``attempts``.

Batch runs each attempt of such a job as a Kubernetes pod on the EKS cluster of the queue's compute
environment. DescribeJobs says, per attempt, the pod, its namespace and node, the cluster (``eksClusterArn``;
older answers lack it), the attempt's status reason, and each container's and init container's exit code and
reason (Kubernetes' terminated reason: ``Error``, ``OOMKilled``, ``ContainerCannotRun``). The job's
``eksProperties.podProperties`` holds the pod as submitted: containers with image, command and resources
(requests and limits: ``cpu``, ``memory``, ``ephemeral-storage``, ``nvidia.com/gpu``), and the service
account whose IAM role (IRSA or EKS Pod Identity) the code runs as.

Batch ships no log of a pod itself (no awslogs driver, no ``/aws/batch/job`` stream): what a pod printed is in
CloudWatch only where the cluster runs a log agent. Container Insights' Fluent Bit DaemonSet is the usual one;
it tails ``/var/log/containers/<pod>_<namespace>_<container>-<container id>.log`` on each node with the tag
``application.*`` and writes to the log group ``/aws/containerinsights/<cluster>/application`` with
``log_stream_prefix`` ``<node name>-``, so a container's stream is
``<node>-application.var.log.containers.<pod>_<namespace>_<container>-<container id>.log``; the older
Fluentd set-up names it ``<pod>_<namespace>_<container>-<container id>.log``. One FilterLogEvents with the
prefix up to ``<pod>_<namespace>_`` reads every container and init container of a pod; the Fluentd prefix is
read only when the Fluent Bit one finds nothing.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ...model import Link
from ..base import console_log_url, parse_time, shorten
from ..ecs.evidence import exit_code_meaning
from .queues import queue_environments

if TYPE_CHECKING:
    from ..base import Collector

__all__ = ["application_log_group", "attempt_text", "eks_attempts", "failed_container", "is_eks", "pod_config",
           "pod_containers", "pod_resources", "read_pod_logs", "service_account", "service_account_role"]

# The Kubernetes resources a Batch on EKS container may name, as the config line shows them.
_RESOURCES = (("cpu", "cpu"), ("memory", "memory"), ("ephemeral-storage", "ephemeral storage"),
              ("nvidia.com/gpu", "GPU"))
MAX_CONTAINERS_SHOWN = 6
# A Kubernetes quantity: a number and a suffix (binary Ki..Ei, decimal k..E, milli m).
_QUANTITY = re.compile(r"^\s*(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)\s*([KMGTPE]i|[kKMGTPE]|m)?\s*$")
_FACTORS = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60, "k": 10**3, "K": 10**3,
            "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18, "m": 10**-3, None: 1}


def is_eks(job: dict[str, Any]) -> bool:
    """Whether the job ran (or was to run) on Amazon EKS."""
    return bool(job.get("eksAttempts") or job.get("eksProperties")) or \
        "EKS" in (job.get("platformCapabilities") or [])


def eks_attempts(job: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for a in job.get("eksAttempts") or [] if isinstance(a, dict)]


def _pod(job: dict[str, Any]) -> dict[str, Any]:
    return ((job.get("eksProperties") or {}).get("podProperties") or {})


def pod_containers(job: dict[str, Any], init: bool = False) -> list[dict[str, Any]]:
    """The pod's containers (or init containers) as the job was submitted."""
    return [c for c in _pod(job).get("initContainers" if init else "containers") or [] if isinstance(c, dict)]


def _either(doc: dict[str, Any], key: str) -> Any:
    """``key`` of ``doc``, or its capitalised form (a Step Functions cause capitalises keys at any depth)."""
    return doc.get(key) if key in doc else doc.get(key[:1].upper() + key[1:])


def mebibytes(quantity: Any) -> int | None:
    """A Kubernetes memory quantity ("16Gi", "512M", "1e9") in MiB, or None when it is not one."""
    m = _QUANTITY.match(str(quantity or ""))
    if not m:
        return None
    return round(float(m.group(1)) * _FACTORS[m.group(2)] / 2**20)


def cpus(quantity: Any) -> str:
    """A Kubernetes CPU quantity ("4", "500m") in vCPUs, as text ("4", "0.5"); the quantity itself otherwise."""
    m = _QUANTITY.match(str(quantity or ""))
    if not m or m.group(2) not in (None, "m"):
        return str(quantity)
    value = float(m.group(1)) * _FACTORS[m.group(2)]
    return f"{value:g}"


def pod_resources(job: dict[str, Any]) -> dict[str, str]:
    """VCPU and MEMORY (MiB) of the pod's first container, as :func:`..evidence.job_resources` gives them for an
    ECS-based job: its limits (the line the kernel kills at), else its requests."""
    containers = pod_containers(job)
    if not containers:
        return {}
    res = _either(containers[0], "resources") or {}
    out: dict[str, str] = {}
    for part in ("limits", "requests"):
        given = _either(res, part) or {}
        if "VCPU" not in out and given.get("cpu") is not None:
            out["VCPU"] = cpus(given["cpu"])
        mib = mebibytes(given.get("memory"))
        if "MEMORY" not in out and mib is not None:
            out["MEMORY"] = str(mib)
    return out


def service_account(job: dict[str, Any]) -> str | None:
    """The Kubernetes service account the pod runs as (its IAM role by IRSA or EKS Pod Identity); None: the
    namespace's default."""
    account = _pod(job).get("serviceAccountName")
    return str(account) if account else None


def service_account_role(job: dict[str, Any]) -> str:
    """The identity the pod's code runs as, worded for a "job role {role}" sentence."""
    account = service_account(job)
    if account:
        return f"of service account {account}"
    return "of the namespace's default service account (the job sets none)"


def failed_container(attempt: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """("init container" or "container", its detail) of the attempt's first container that exited non-zero: an
    init container first, since the pod's containers start only after every init container succeeded."""
    for kind, key in (("init container", "initContainers"), ("container", "containers")):
        for cont in _either(attempt, key) or []:
            code = _either(cont, "exitCode") if isinstance(cont, dict) else None
            if code not in (None, 0):
                return kind, cont
    return None


def _container_text(kind: str, cont: dict[str, Any]) -> str:
    name = _either(cont, "name") or "?"
    code, reason = _either(cont, "exitCode"), str(_either(cont, "reason") or "")
    if code is None:
        text = f"{kind} {name}: no exit code"
    else:
        meaning = exit_code_meaning(code)
        failed = " failed:" if kind == "init container" and code != 0 else ""
        text = f"{kind} {name}{failed} exit code {code}" + (f" ({meaning})" if meaning else "")
    return text + (f" — reason: {reason}" if reason else "")


def attempt_text(attempt: dict[str, Any], n: int, total: int) -> tuple[str, dict[str, Any]]:
    """The evidence text of one EKS attempt and its facts (``exit_code``, ``reason`` and ``status_reason`` as the
    ECS-based attempts have them, read from the container that failed)."""
    pod, ns, node = (str(_either(attempt, k) or "") for k in ("podName", "podNamespace", "nodeName"))
    text = f"Attempt {n} of {total}: " + (f"pod {pod}" if pod else "no pod recorded")
    text += f" in namespace {ns}" if ns else ""
    text += f" on node {node}" if node else ""
    inits = [c for c in _either(attempt, "initContainers") or [] if isinstance(c, dict)]
    conts = [c for c in _either(attempt, "containers") or [] if isinstance(c, dict)]
    # An init container that exited 0 did its work; one that did not is why the pod's containers never ran.
    shown = [("init container", c) for c in inits if _either(c, "exitCode") != 0 or _either(c, "reason")]
    shown += [("container", c) for c in conts]
    parts = [_container_text(kind, c) for kind, c in shown[:MAX_CONTAINERS_SHOWN]]
    if len(shown) > MAX_CONTAINERS_SHOWN:
        parts.append(f"{len(shown) - MAX_CONTAINERS_SHOWN} more containers")
    if parts:
        text += " — " + "; ".join(parts)
    failed = failed_container(attempt)
    chosen = failed[1] if failed else (conts[0] if conts else {})
    reason = str(_either(chosen, "reason") or "")
    status_reason = str(_either(attempt, "statusReason") or "")
    text += f" — status reason: {status_reason}" if status_reason and status_reason != reason else ""
    started, stopped = parse_time(_either(attempt, "startedAt")), parse_time(_either(attempt, "stoppedAt"))
    if started and stopped:
        secs = (stopped - started).total_seconds()
        text += f" — ran {secs:.0f} s" if secs < 600 else f" — ran {secs / 60:.1f} min"
    facts = {"exit_code": _either(chosen, "exitCode"), "reason": reason, "status_reason": status_reason,
             "pod": pod, "namespace": ns, "node": node, "container": str(_either(chosen, "name") or ""),
             "init_container_failed": bool(failed and failed[0] == "init container")}
    return shorten(text, 900), facts


def pod_config(job: dict[str, Any]) -> list[str]:
    """The pod's settings as config line parts: service account, and each container's image and resources."""
    pod = _pod(job)
    bits = [f"service account {service_account(job) or '(none set: the namespace default)'}"]
    if pod.get("hostNetwork"):
        bits.append("host network")
    for kind, init in (("init container", True), ("container", False)):
        for cont in pod_containers(job, init)[:MAX_CONTAINERS_SHOWN]:
            words = [f"{kind} {cont.get('name') or '?'}"]
            if cont.get("image"):
                words.append(f"image {cont['image']}")
            res = cont.get("resources") or {}
            for part in ("requests", "limits"):
                given = res.get(part) or {}
                sizes = [f"{label} {given[key]}" for key, label in _RESOURCES if given.get(key) is not None]
                if sizes:
                    words.append(f"{part} " + ", ".join(sizes))
            if not res.get("limits") and not res.get("requests"):
                words.append("no resources set")
            bits.append(" ".join(words[:2]) + (" — " + "; ".join(words[2:]) if words[2:] else ""))
    return bits


def application_log_group(cluster: str) -> str:
    """Container Insights' log group of a cluster's application (container) logs."""
    return f"/aws/containerinsights/{cluster}/application"


def _cluster_of(c: Collector, job: dict[str, Any], attempt: dict[str, Any]) -> tuple[str, str]:
    """(cluster name, namespace) of the attempt's pod: the attempt's own ``eksClusterArn`` and ``podNamespace``
    (no call); else the EKS configuration of the job queue's compute environments (DescribeJobQueues, then one
    DescribeComputeEnvironments of them), as an older DescribeJobs answer names no cluster."""
    arn, ns = str(_either(attempt, "eksClusterArn") or ""), str(_either(attempt, "podNamespace") or "")
    if arn and ns:
        return arn.rsplit("/", 1)[-1], ns
    queue = str(job.get("jobQueue") or c.incident.detail.get("jobQueue") or "")
    if not queue:
        c.book.gap("the pod's EKS cluster: the job names no queue, so its compute environment is not known")
        return arn.rsplit("/", 1)[-1], ns
    name = queue.rsplit("/", 1)[-1]
    found, envs = queue_environments(c, queue)
    if not found:
        if found is not None:
            c.book.gap(f"DescribeJobQueues {name}: no such queue; the pod's EKS cluster is not known")
        return arn.rsplit("/", 1)[-1], ns
    configs = [e.get("eksConfiguration") or {} for e in envs or []]
    clusters = list(dict.fromkeys(str(e["eksClusterArn"]) for e in configs if e.get("eksClusterArn")))
    if not clusters:
        if envs is not None:
            c.book.gap(f"the compute environments of queue {name} name no EKS cluster (eksConfiguration)")
        return arn.rsplit("/", 1)[-1], ns
    if len(clusters) > 1 and not arn:
        c.book.gap(f"queue {name} has compute environments on {len(clusters)} EKS clusters; the log group of "
                   f"the first, {clusters[0].rsplit('/', 1)[-1]}, is read")
    arn = arn or clusters[0]
    namespaces = [str(e["kubernetesNamespace"]) for e in configs
                  if e.get("eksClusterArn") == arn and e.get("kubernetesNamespace")]
    return arn.rsplit("/", 1)[-1], ns or (namespaces[0] if namespaces else "")


def _container_of(stream: str, pod: str, ns: str) -> str:
    """The container a stream of the pod is of: ``…<pod>_<namespace>_<container>-<container id>.log``."""
    tail = stream.split(f"{pod}_{ns}_", 1)[-1]
    return tail.rsplit("-", 1)[0] if "-" in tail else tail


def read_pod_logs(c: Collector, job: dict[str, Any], attempts: list[dict[str, Any]]) -> None:
    """The log lines of the newest attempt's pod (every container and init container of it), from Container
    Insights' application log group of the pod's cluster, in the attempt's window.

    Each pod is a stream prefix of its own, so each costs a read: the newest attempt's pod is the one the job
    failed with; earlier attempts' exit codes and reasons are shown from DescribeJobs.
    """
    last = attempts[-1] if attempts else {}
    pod, node = str(_either(last, "podName") or ""), str(_either(last, "nodeName") or "")
    if not pod:
        return  # no pod was created: there is nothing it could have printed
    cluster, ns = _cluster_of(c, job, last)
    if not cluster or not ns:
        c.book.gap(f"the log of pod {pod}: its EKS cluster or namespace is not known, so its Container Insights "
                   f"log group was not read")
        return
    group = application_log_group(cluster)
    started = parse_time(_either(last, "startedAt") or job.get("startedAt"))
    stopped = parse_time(_either(last, "stoppedAt") or job.get("stoppedAt") or c.incident.stopped_at)
    start = started - timedelta(seconds=5) if started else None
    end = stopped + timedelta(seconds=c.settings.log_window_after) if stopped else None
    c.context.update(log_group=group, log_stream=f"pod {pod} in {group}")
    c.links.append(Link("Log group of the job's pods (Container Insights)",
                        console_log_url(c.incident.region, group, start, end)))
    # Fluent Bit's name first (Container Insights' default), then Fluentd's.
    prefixes = ([f"{node}-application.var.log.containers.{pod}_{ns}_"] if node else []) + [f"{pod}_{ns}_"]
    before = len(c.book.gaps)
    generic = f"no log lines in {group}"
    # No Container Insights on the cluster is a set-up to say, not a failed read.
    missing = (f"log group {group} not found: Batch on EKS ships no pod logs itself, and cluster {cluster} has no "
               f"Container Insights (Fluent Bit) writing there, so what pod {pod} printed was not read")
    for prefix in prefixes:
        mark = len(c.book.gaps)
        added = c.logs(group, start, end, stream_prefix=prefix, failure_time=stopped, group_missing=missing)
        if added:
            c.book.gaps[before:] = [g for g in c.book.gaps[before:] if not g.startswith(generic)]
            for ev in added:
                stream = ev.source.removeprefix(f"{group}/")
                ev.facts["placeholders"] = {"container": _container_of(stream, pod, ns), "log_stream": stream}
            failing = failed_container(last)
            name = str(_either(failing[1], "name") or "") if failing else ""
            streams = [e.source.removeprefix(f"{group}/") for e in added]
            own = [s for s in streams if _container_of(s, pod, ns) == name] or streams
            c.context["log_stream"] = own[0]
            return
        new = c.book.gaps[mark:]
        if missing in new:
            c.context["log_stream"] = "(none: the cluster ships no pod logs to CloudWatch)"
            return
        if any(not g.startswith(generic) for g in new):
            return  # a read error that already says what is wrong
    c.book.gaps[before:] = [g for g in c.book.gaps[before:] if not g.startswith(generic)]
    c.book.gap(f"no log stream of pod {pod} (namespace {ns}) in {group} with lines in the attempt's window: the "
               f"pod printed nothing, or the cluster's log agent names its streams otherwise than Fluent Bit's "
               f"<node>-application.var.log.containers.<pod>_<namespace>_<container>-<id>.log")
