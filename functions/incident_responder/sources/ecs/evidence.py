"""ECS: "ECS Task State Change" events of STOPPED tasks that failed.

What is reported (:func:`verdict`, from the event alone):

- a container stopped for lack of memory (an ``OutOfMemoryError`` reason), whatever its exit code;
- stop code ``TaskFailedToStart``, ``SpotInterruption`` or ``TerminationNotice``;
- a task replaced for failing its ELB or container health checks;
- a container that exited non-zero, or never started and has a reason (``CannotPullContainerError``);
- a standalone task stopped with StopTask (``UserInitiated``), as ``manual_stop``, like an aborted
  Step Functions execution; the host of a standalone task lost (``Host EC2 ... terminated``);
- a service's task the scheduler stopped (a deployment's replacement, a scale-in) whose work's container did
  not exit 0: it died of the SIGTERM (143) or was killed after the stop timeout (137), and what it was doing
  was cut off (``manual_stop``: a deployment stopped it).

Not reported (a ``Skip`` with the reason): tasks not yet STOPPED (the Spot ``TerminationNotice`` warning
comes while the task still runs; its STOPPED event follows), a clean exit (every container 0), the
service scheduler's scale-in or deployment replacements whose work's containers exited 0 (a sidecar's 143
beside them is the stop signal's), a StopTask on a service's task, a lost host under a service (the scheduler
replaces the task), and tasks in ``AWSBatch-`` clusters (the Batch Job State Change reports those).
When the essential container exits, ECS stops the others with SIGTERM: a sidecar's 143 beside a container
that exited 0 is part of a clean stop. A 137 is not: the container ignored SIGTERM and was killed after the
stop timeout, so what it held (a log router's or a collector's buffered records) was lost (aws/aws-for-
fluent-bit's 2.0.0 ignoring SIGTERM; an OpenTelemetry sidecar started by "sh /entry.sh", which does not pass
the signal on). A known sidecar's 0 is no clean stop either: the work's container it took down with it
failed. Events do not say which container is essential; the evidence does.

Evidence: DescribeTasks (the event's own detail when the task has expired), DescribeTaskDefinition
(a deleted one is a gap), each container's exit code and reason, the stop reason and code, launch
type, capacity provider and group, CPU and memory limits, and the log lines of every container, essential
or not (failed ones first), from its awslogs stream ``<prefix>/<container>/<task id>``.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from ...errors import MalformedEvent
from ...formats import fmt_duration
from ...model import Incident, Link, Resource, Skip, iso
from ..base import console_log_url, parse_time, shorten
from .spec import EcsSpec

if TYPE_CHECKING:
    from datetime import datetime

    from ...model import Evidence
    from ..base import Collector

__all__ = ["EcsEvidence", "ecs_console_url", "exit_code_meaning", "read_stream_logs", "verdict"]

REPORTED_STOP_CODES = frozenset({"TaskFailedToStart", "SpotInterruption", "TerminationNotice"})
MAX_CONTAINERS = 8  # evidence items for containers; a task has at most 10
MAX_LOG_CONTAINERS = MAX_CONTAINERS  # streams of one log group are read in one call

_OOM = re.compile(r"OutOfMemory|OOMKilled|out of memory", re.IGNORECASE)
# The runtime could not start the container's program: not in the image, or not on its PATH.
_EXEC_FAILED = re.compile(r'(?i)CannotStartContainerError.{0,400}\bexec(?:: "(?P<program>[^"]*)")?:? .{0,120}'
                          r'(?:executable file not found|no such file or directory)')
_HEALTH = re.compile(r"failed (?:ELB|container) health checks", re.IGNORECASE)
_HOST_LOST = re.compile(r"^Host EC2 \(instance [^)]*\) (?:stopped|terminated)|performing maintenance on the "
                        r"underlying infrastructure|Container instance deregistration forced", re.IGNORECASE)
_SCALING = re.compile(r"^Scaling activity initiated by", re.IGNORECASE)
_SIDECAR = re.compile(r"(?i)x-?ray|otel|opentelemetry|datadog|envoy|appmesh|fluent|firelens|log[-_]?router"
                      r"|cloudwatch-agent|cwagent")
_SIGNALS = {1: "SIGHUP", 2: "SIGINT", 6: "SIGABRT", 7: "SIGBUS", 9: "SIGKILL", 11: "SIGSEGV", 13: "SIGPIPE",
            15: "SIGTERM"}
_EXIT_WORDS = {1: "application error", 126: "command not executable", 127: "command not found"}


# The log driver could not start ("ResourceInitializationError: failed to validate logger args: ...").
_LOG_DRIVER_FAILED = re.compile(r"failed to validate logger args|failed to initialize logging driver")
_REGION_NAME = re.compile(r"[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d")


def exit_code_meaning(code: Any) -> str:
    """A few words for a container exit code: ``killed by SIGKILL, 128+9``, ``application error``."""
    try:
        n = int(code)
    except (TypeError, ValueError):
        return ""
    if n > 128 and n - 128 in _SIGNALS:
        return f"killed by {_SIGNALS[n - 128]}, 128+{n - 128}"
    return _EXIT_WORDS.get(n, "")


# An orchestrator that started a task stops it with StopTask when its own time limit passes (Airflow's
# execution_timeout, a Step Functions state's TimeoutSeconds): the stop comes a round time after the task was
# created. Limits are set in half hours; a person's stop rarely lands within a minute of one.
ROUND_LIMIT = 1800
ROUND_SLACK = 60.0


def _round_limit(task: dict[str, Any]) -> float | None:
    """The round time limit (seconds) a task's StopTask came at, from its creation, or None."""
    created, stopping = parse_time(task.get("createdAt")), parse_time(task.get("stoppingAt"))
    if not created or not stopping:
        return None
    took = (stopping - created).total_seconds()
    limit = round(took / ROUND_LIMIT) * ROUND_LIMIT
    return float(limit) if limit and abs(took - limit) <= min(ROUND_SLACK, 0.01 * limit) else None


def _oom(container: dict[str, Any]) -> bool:
    return bool(_OOM.search(container.get("reason") or ""))


def _sidecar(container: dict[str, Any]) -> bool:
    return bool(_SIDECAR.search(f"{container.get('name', '')} {container.get('image', '')}"))


def _benign_signal(container: dict[str, Any]) -> bool:
    """Exited from the stop signal ECS sends the other containers once the essential one has exited (SIGTERM,
    143; not SIGKILL, 137, which the container earned by ignoring it)."""
    return not container.get("reason") and container.get("exitCode") == 143


def _ended_on_its_own(container: dict[str, Any]) -> bool:
    """Whether a container ended with a failure of its own: a reason (OutOfMemoryError, CannotStartContainerError),
    or an exit code that is neither a clean exit nor the stop signal's (SIGTERM 143, SIGKILL 137 after it)."""
    return bool(container.get("reason")) or container.get("exitCode") not in (None, 0, 137, 143)


def _stopped_with_the_task(containers: list[dict[str, Any]], defs: dict[Any, dict[str, Any]]) -> set[str]:
    """The containers ECS stopped (SIGTERM, 143) because an essential container of the task had ended with a
    failure of its own (an exit code that is not the stop signal's, or a reason): what they logged as the task went
    down (an app's "connect ECONNREFUSED" to its proxy sidecar that had aborted, aws/aws-app-mesh-roadmap#130) is
    the consequence. Empty when no such essential container ended the task."""
    ended = [x for x in containers if defs.get(x.get("name"), {}).get("essential", True) and _ended_on_its_own(x)]
    if not ended:
        return set()
    # ... or that exited cleanly: one that shut down on the stop signal as it should (a server's graceful exit 0,
    # its tracer's "connect: connection refused" to the agent sidecar that had panicked, DataDog/datadog-agent#4834)
    # did not fail either.
    return {str(x.get("name")) for x in containers if x not in ended
            and (_benign_signal(x) or (x.get("exitCode") == 0 and not x.get("reason")))}


def writable_paths(container: dict[str, Any]) -> str:
    """Where a container with a read-only root file system can write: its mount points (ECS container definitions
    and Batch container properties name them alike), or "none"."""
    paths = [str(m.get("containerPath")) for m in container.get("mountPoints") or [] if isinstance(m, dict)]
    return ", ".join(paths[:4]) if paths else "none"


def _failed(container: dict[str, Any], clean_exit_seen: bool) -> bool:
    if _oom(container):
        return True
    code = container.get("exitCode")
    if code is None:
        return bool(container.get("reason"))
    return code != 0 and not (clean_exit_seen and _benign_signal(container))


# The key a parent's collector sets in the event it builds for a child task (never in an EventBridge event).
PARENT_FAILED = "x-parent-failed"


def verdict(detail: dict[str, Any]) -> tuple[bool, str]:
    """Whether a STOPPED task's event is a failure to report, and why (module docstring)."""
    reason = str(detail.get("stoppedReason") or "")
    code = str(detail.get("stopCode") or "")
    group = str(detail.get("group") or "")
    containers = [c for c in detail.get("containers") or [] if isinstance(c, dict)]
    service = group.startswith("service:")
    if detail.get(PARENT_FAILED):
        # A task a Step Functions state ran and saw fail or time out: its stop is the failure, whatever
        # the little the state's record of it says.
        return True, str(detail[PARENT_FAILED])
    if str(detail.get("clusterArn", "")).split("/")[-1].startswith("AWSBatch-"):
        return False, "task of an AWS Batch job: its Batch Job State Change is reported instead"
    oom = [c for c in containers if _oom(c)]
    if oom or _OOM.search(reason):
        return True, f"container {oom[0].get('name') if oom else '?'} ran out of memory"
    if code in REPORTED_STOP_CODES:
        return True, f"stop code {code}"
    if _HEALTH.search(reason):
        return True, "failed health checks"
    if code == "UserInitiated":
        if service:
            return False, f"a task of {group} stopped with StopTask ({reason or 'no reason given'})"
        return True, "stopped with StopTask"
    if _HOST_LOST.search(reason):
        if service:
            return False, f"{reason}: the service scheduler replaces the task of {group}"
        return True, reason
    # The work finished when a container of the work exited 0. A sidecar that exited 0 (a FireLens log router
    # that could not load its configuration) stops the task too, and the work's container then exits 143.
    clean = any(c.get("exitCode") == 0 and not _sidecar(c) for c in containers) or all(
        _sidecar(c) for c in containers)
    if code == "ServiceSchedulerInitiated" or _SCALING.search(reason):
        hard = [c for c in containers if _ended_on_its_own(c)]
        if hard:
            first = hard[0]
            return True, f"container {first.get('name')} exited {first.get('exitCode')} during a scheduler stop"
        # A container of the work that the stop cut off: it died of SIGTERM (143) or ignored it and was killed
        # after the stop timeout (137) rather than finishing and exiting 0. What it was doing was lost (a worker's
        # copy killed by a deployment's replacement or a scale-in), a stop a person should know about. A sidecar's
        # 143 beside the work's clean exit is part of a clean stop.
        cut = [c for c in containers if c.get("exitCode") in (137, 143) and not _sidecar(c)]
        if not cut:
            return False, f"stopped by the service scheduler ({reason or code}) with clean exits"
        first = cut[0]
        return True, f"container {first.get('name')} was cut off by a scheduler stop (exit {first.get('exitCode')})"
    failed = [c for c in containers if _failed(c, clean)]
    if failed:
        first = failed[0]
        if first.get("exitCode") is None:
            return True, f"container {first.get('name')} did not start: {first.get('reason')}"
        return True, f"container {first.get('name')} exited {first.get('exitCode')}"
    return False, f"stopped cleanly ({reason or code or 'no reason'}): no container failed"


# A host name that could not be resolved, as clients say it: Go ("lookup db on 10.0.0.2:53: no such host"), the JVM
# ("UnknownHostException: db"), libpq ('could not translate host name "db" to address'), Node ("getaddrinfo
# ENOTFOUND db"), curl ("Could not resolve host: db"), MySQL ("Unknown MySQL server host 'db'").
_HOST_LOOKUP = re.compile(
    r"\blookup ([\w.-]+)(?: on [\d.:\[\]a-f]+)?: no such host|UnknownHostException: ([\w.-]+)"
    r"|could not translate host name \"([\w.-]+)\"|getaddrinfo (?:ENOTFOUND|EAI_AGAIN) ([\w.-]+)"
    r"|Could not resolve host: ([\w.-]+)|Unknown MySQL server host '([\w.-]+)'")


def _looked_up(text: str) -> str:
    """The host a failed name lookup in ``text`` names (lower case; empty when the line names none)."""
    m = _HOST_LOOKUP.search(text)
    return next((h for h in m.groups() if h), "").lower() if m else ""


# A name lookup that failed, whether or not the line names the host (psycopg's "[Errno -2] Name or service not known"
# does not).
_NAME_LOOKUP_FAILED = re.compile(
    r"no such host|UnknownHostException|could not translate host name|getaddrinfo (?:ENOTFOUND|EAI_AGAIN)"
    r"|Could not resolve host|Unknown MySQL server host|Name or service not known"
    r"|Temporary failure in name resolution|nodename nor servname provided")
# The host of a URL in a container's environment ("postgresql+psycopg://app:${PW}@postgres:5432/app").
_URL_HOST = re.compile(r"^[a-z][\w+.-]*://(?:[^@/\s]*@)?([^:/?#\s@]+)(?::\d+)?(?:[/?#]|$)", re.I)


def _env_hosts(definition: dict[str, Any]) -> dict[str, str]:
    """Each single-label host (no dot: "postgres", "redis") a container's environment names, in a URL or as a
    *_HOST value, with the variable that names it. docker-compose makes such a name for a service; ECS makes
    none (a Service Connect alias would be the service's setup, which the task does not show)."""
    hosts: dict[str, str] = {}
    for item in definition.get("environment") or []:
        if not isinstance(item, dict):
            continue
        name, value = str(item.get("name") or ""), str(item.get("value") or "").strip()
        m = _URL_HOST.match(value)
        host = m.group(1) if m else value if re.search(r"(?:^|_)(?:HOST|HOSTNAME|SERVER)$", name, re.I) else ""
        host = host.lower()
        if re.fullmatch(r"[a-z][a-z0-9-]{0,62}", host) and host != "localhost":
            hosts.setdefault(host, name)
    return hosts


# The SSM parameter an execution role was refused ("... ssm:GetParameters on resource:
# arn:aws:ssm:us-west-2:123456789012:parameter/prod/appserver/MySecret").
_SSM_DENIED = re.compile(r"ssm:GetParameters? on resource: arn:aws[\w-]*:ssm:[\w-]+:\d{12}:parameter/([\w/.@+=-]+)")


def _bare_secret_ref(denied: str, defs: dict[Any, dict[str, Any]]) -> tuple[str, str, str] | None:
    """The secret (container, name, valueFrom) whose valueFrom is the refused parameter's bare name, where the
    way it is written says the reference, not the policy, is what is wrong: a name with slashes but no leading
    one is no SSM path (it reads as a Secrets Manager secret's name, which ECS takes for a parameter), and a
    name at the root where another secret of the task is given by path or ARN is most likely missing that path
    (aws/copilot-cli#4504, aws/aws-cdk#10519)."""
    refs = [(str(name), str(s.get("name") or ""), str(s.get("valueFrom") or ""))
            for name, d in defs.items() for s in d.get("secrets") or [] if isinstance(s, dict)]
    hit = next((r for r in refs if r[2] == denied), None)
    if hit is None or hit[2].startswith(("/", "arn:")):
        return None
    others = [r[2] for r in refs if r[2] != denied]
    if "/" in hit[2] or any(v.startswith(("/", "arn:")) for v in others):
        return hit
    return None


def _task_id(task_arn: str) -> str:
    return task_arn.rsplit("/", 1)[-1]


def _family_revision(td_arn: str) -> tuple[str, str]:
    tail = td_arn.rsplit("/", 1)[-1]
    family, _, revision = tail.partition(":")
    return family, revision


def ecs_console_url(region: str, path: str) -> str:
    return f"https://{region}.console.aws.amazon.com/ecs/v2/{path}?region={region}"


class EcsEvidence:
    """Parsing of the service's events and collection of its evidence (the adapter's first half)."""

    name: ClassVar[str]  # the adapter's

    def parse(self, event: dict[str, Any]) -> Incident | Skip:
        detail = event.get("detail") or {}
        task_arn, status = detail.get("taskArn"), detail.get("lastStatus")
        if not task_arn or not status:
            raise MalformedEvent("ECS event without detail.taskArn or detail.lastStatus")
        if status != "STOPPED":
            if detail.get("stopCode") == "TerminationNotice":
                return Skip("Spot TerminationNotice while the task still runs; its STOPPED event is reported")
            return Skip(f"task lastStatus {status} is not STOPPED")
        report, why = verdict(detail)
        if not report:
            return Skip(why)
        parts = task_arn.split(":")
        region = event.get("region") or (parts[3] if len(parts) > 3 else "")
        account = event.get("account") or (parts[4] if len(parts) > 4 else "")
        td_arn = str(detail.get("taskDefinitionArn") or "")
        family, _ = _family_revision(td_arn)
        group = str(detail.get("group") or "")
        service = group.split(":", 1)[1] if group.startswith("service:") else ""
        cluster_arn = str(detail.get("clusterArn") or "")
        arns = [td_arn, td_arn.rsplit(":", 1)[0] if td_arn.count(":") > 5 else "", cluster_arn]
        if service and cluster_arn:
            arns.append(cluster_arn.replace(":cluster/", ":service/") + f"/{service}")
        return Incident(
            source=self.name, event_id=str(event.get("id", "")), detail_type=event["detail-type"],
            region=region, account=account,
            resource=Resource(arn=task_arn, name=service or family or _task_id(task_arn),
                              run_id=_task_id(task_arn)),
            status=status, event_time=event.get("time"),
            started_at=iso(detail.get("startedAt") or detail.get("createdAt")),
            stopped_at=iso(detail.get("stoppedAt") or detail.get("executionStoppedAt")) or event.get("time"),
            catalog_arns=[a for a in arns if a], detail=detail, title_hint=why,
        )

    # -- evidence ---------------------------------------------------------------------------------
    def collect(self, c: Collector) -> None:
        inc = c.incident
        task_id = inc.resource.run_id or _task_id(inc.resource.arn)
        task, source = self._task(c, task_id)
        td_arn = str(task.get("taskDefinitionArn") or inc.detail.get("taskDefinitionArn") or "")
        family, revision = _family_revision(td_arn)
        td = self._task_definition(c, td_arn, family, revision) if td_arn else None
        defs = {d.get("name"): d for d in (td or {}).get("containerDefinitions") or []}
        containers = [x for x in task.get("containers") or [] if isinstance(x, dict)]
        clean = any(x.get("exitCode") == 0 for x in containers)
        ranked = sorted(containers, key=lambda x: (not _oom(x), not _failed(x, clean),
                                                   defs.get(x.get("name"), {}).get("essential") is False))
        primary = ranked[0] if ranked else {}
        cluster_arn = str(task.get("clusterArn") or inc.detail.get("clusterArn") or "")
        cluster = cluster_arn.rsplit("/", 1)[-1] or "default"
        self._context(c, task, td, primary, defs, task_id, cluster, cluster_arn, family, revision)
        self._stop(c, task, source, task_id)
        for x in ranked[:MAX_CONTAINERS]:
            self._container(c, x, defs, source, task)
        if len(ranked) > MAX_CONTAINERS:
            c.book.gap(f"{len(ranked) - MAX_CONTAINERS} more containers not shown")
        self._placement(c, task, source)
        self._limits(c, task, td, primary, defs, source, family, revision)
        self._overrides(c, task, source)
        # Every container's log, essential or not, failed ones first: the cause can be in a sidecar's
        # or an init container's stream while the essential one only says it was stopped.
        named = [x for x in ranked if _failed(x, clean)] or [
            x for x in ranked if defs.get(x.get("name"), {}).get("essential", True)]
        quiet = {str(x.get("name")) for x in ranked if x not in named}  # no gap when these cannot be read
        self._logs(c, task, td, ranked[:MAX_LOG_CONTAINERS], defs, task_id, quiet)
        self._sibling_lookup(c, task, td, defs)
        self._compose_host(c, defs, named)
        self._secret_reference(c, task, defs)
        self._log_settings(c, task, defs)
        spec = self._redrive(task, td, td_arn, cluster_arn, family)
        c.context["redrive"] = EcsSpec.from_dict({**spec, "taskArn": c.incident.resource.arn}, strict=True)

    def _task(self, c: Collector, task_id: str) -> tuple[dict[str, Any], str]:
        inc = c.incident
        cluster = inc.detail.get("clusterArn") or "default"
        out = c.call(f"DescribeTasks {task_id}", c.client("ecs").describe_tasks, cluster=cluster,
                     tasks=[inc.resource.arn])
        tasks = (out or {}).get("tasks") or []
        if tasks:
            return tasks[0], "ecs:DescribeTasks"
        if out is not None:
            failure: dict[str, Any] = next(iter(out.get("failures") or []), {})
            c.book.gap(f"DescribeTasks {task_id}: {failure.get('reason') or 'no such task'} (AWS keeps "
                       f"stopped tasks for about an hour); the event's own detail is shown instead")
        else:
            c.book.gap(f"task {task_id}: the event's own detail is shown instead of DescribeTasks")
        return inc.detail, "ecs (event)"

    def _task_definition(self, c: Collector, td_arn: str, family: str,
                         revision: str) -> dict[str, Any] | None:
        out = c.call(f"DescribeTaskDefinition {family}:{revision}", c.client("ecs").describe_task_definition,
                     taskDefinition=td_arn)
        td = (out or {}).get("taskDefinition")
        if td is None:
            c.book.gap(f"task definition {family}:{revision} could not be read (deregistered and deleted?): "
                       f"which containers are essential, their memory limits and their log settings are "
                       f"unknown, so container logs were not read")
        return td

    def _context(self, c: Collector, task: dict[str, Any], td: dict[str, Any] | None, primary: dict[str, Any],
                 defs: dict[Any, dict[str, Any]], task_id: str, cluster: str, cluster_arn: str, family: str,
                 revision: str) -> None:
        region = c.incident.region
        group = str(task.get("group") or "")
        service = group.split(":", 1)[1] if group.startswith("service:") else ""
        name = str(primary.get("name") or "?")
        cdef = defs.get(name, {})
        task_memory = str((td or {}).get("memory") or task.get("memory") or "")
        hard = cdef.get("memory") or primary.get("memory")
        memory = str(hard or task_memory or "")
        kind = "container hard limit" if hard else ("task memory" if task_memory else "")
        if memory:
            memory_text = f"{memory} MiB ({kind}"
            memory_text += f"; task {task_memory} MiB)" if hard and task_memory else ")"
        else:
            memory_text = "unknown (the task definition could not be read)"
        doubled = str(int(memory) * 2) if memory.isdigit() else "twice the current value"
        fargate = str(task.get("capacityProviderName") or task.get("launchType") or "").startswith("FARGATE")
        if fargate:
            hint = "on Fargate raise the task memory too, to a valid CPU/memory pair"
        else:
            hint = f"keep it within the memory the instances of cluster {cluster} can offer"
        what = f"ECS task {task_id} of {family}:{revision} in cluster {cluster}"
        what += f" (service {service})" if service else ""
        c.context.update(
            task_id=task_id, cluster=cluster, cluster_arn=cluster_arn, family=family or "?",
            revision=revision or "?", task_definition=f"{family}:{revision}", container=name,
            image=primary.get("image") or cdef.get("image") or "?", exit_code=primary.get("exitCode", "none"),
            memory=memory or "?", memory_text=memory_text, memory_doubled=doubled, memory_hint=hint,
            log_stream=f"<awslogs prefix>/{name}/{task_id}", log_group="(see the task definition)",
            task_memory=task_memory or "?",
            memory_reservation=str(cdef.get("memoryReservation") or "none"),
            cpu=str((td or {}).get("cpu") or task.get("cpu") or "?"), group=group or "?", service=service,
            launch_type=task.get("launchType") or "?",
            capacity_provider=task.get("capacityProviderName") or "none",
            stopped_reason=task.get("stoppedReason") or "", stop_code=task.get("stopCode") or "",
            started_by=task.get("startedBy") or "?",
            console_url=ecs_console_url(region, f"clusters/{cluster}/tasks/{task_id}/configuration"),
            task_definition_url=ecs_console_url(region, f"task-definitions/{family}/{revision}/containers"),
            what=what,
        )
        c.links.append(Link("Task in the ECS console", c.context["console_url"]))
        if service:
            c.links.append(Link(f"Service {service}",
                                ecs_console_url(region, f"clusters/{cluster}/services/{service}/health")))
        if family and td is not None:
            c.links.append(Link(f"Task definition {family}:{revision}", c.context["task_definition_url"]))

    def _stop(self, c: Collector, task: dict[str, Any], source: str, task_id: str) -> None:
        reason = str(task.get("stoppedReason") or "")
        code = str(task.get("stopCode") or "")
        text = f"Task {task_id} stopped: {reason or 'no reason given'}"
        text += f" (stop code {code})" if code else ""
        if task.get("desiredStatus") and task.get("desiredStatus") != task.get("lastStatus"):
            text += f"; desired status {task['desiredStatus']}"
        when = task.get("stoppedAt") or task.get("executionStoppedAt") or c.incident.stopped_at
        limit = _round_limit(task) if code == "UserInitiated" and task.get("startedBy") else None
        if limit:
            text += (f"; StopTask came {fmt_duration(limit)} after the task was created, a round time: the "
                     f"time limit of {task['startedBy']}, which started it, more likely than a person")
        if limit:
            c.context.update(stop_limit=fmt_duration(limit))
        c.add("task", source, text, when, stopped_reason=reason, stop_code=code, status="STOPPED",
              round_limit=bool(limit))

    def _container(self, c: Collector, x: dict[str, Any], defs: dict[Any, dict[str, Any]], source: str,
                   task: dict[str, Any]) -> None:
        name = str(x.get("name") or "?")
        essential = defs.get(name, {}).get("essential", True) if defs else None
        role = {True: " (essential)", False: " (not essential)", None: ""}[essential]
        code = x.get("exitCode")
        reason = str(x.get("reason") or "")
        if code is None:
            text = f"Container {name}{role} has no exit code (it did not run to an exit)"
        else:
            meaning = exit_code_meaning(code)
            text = f"Container {name}{role} exited with code {code}" + (f" ({meaning})" if meaning else "")
        if reason and reason == task.get("stoppedReason"):
            text += ": the task's stop reason above"
        elif reason:
            text += f": {reason}"
        if (code not in (None, 0) or reason) and x.get("image"):
            text += f" — image {x['image']}"
        if x.get("healthStatus") == "UNHEALTHY":
            text += " — health status UNHEALTHY"
        c.add("task", source, shorten(text, 900), task.get("stoppedAt") or c.incident.stopped_at,
              exit_code=code, reason=reason, container=name, essential=essential,
              memory=defs.get(name, {}).get("memory") or x.get("memory"))

    def _placement(self, c: Collector, task: dict[str, Any], source: str) -> None:
        bits = [f"Launch type {task.get('launchType') or 'unknown'}"]
        if task.get("capacityProviderName"):
            bits.append(f"capacity provider {task['capacityProviderName']}")
        if task.get("platformVersion"):
            bits.append(f"platform {task['platformVersion']}")
        if task.get("group"):
            bits.append(f"group {task['group']}")
        if task.get("startedBy"):
            bits.append(f"started by {task['startedBy']}")
        if task.get("availabilityZone"):
            bits.append(f"zone {task['availabilityZone']}")
        if task.get("containerInstanceArn"):
            bits.append(f"container instance {_task_id(str(task['containerInstanceArn']))}")
        created, started = parse_time(task.get("createdAt")), parse_time(task.get("startedAt"))
        stopped = parse_time(task.get("stoppedAt") or task.get("executionStoppedAt"))
        if started and stopped:
            ran = fmt_duration((stopped - started).total_seconds())
            bits.append(f"ran {ran} ({started:%H:%M:%S} to {stopped:%H:%M:%S} UTC)")
        elif created and stopped:
            bits.append(f"never reached RUNNING: created {created:%H:%M:%S}, stopped {stopped:%H:%M:%S} UTC")
        c.add("task", source, "; ".join(bits), task.get("createdAt"),
              launch_type=task.get("launchType") or "", group=task.get("group") or "",
              capacity_provider=task.get("capacityProviderName") or "")

    def _limits(self, c: Collector, task: dict[str, Any], td: dict[str, Any] | None, primary: dict[str, Any],
                defs: dict[Any, dict[str, Any]], source: str, family: str, revision: str) -> None:
        cpu = (td or {}).get("cpu") or task.get("cpu")
        memory = (td or {}).get("memory") or task.get("memory")
        text = f"Task size: {cpu or 'no'} CPU units, {memory or 'no'} MiB memory"
        per = []
        rows = list(defs.values()) or [x for x in task.get("containers") or [] if isinstance(x, dict)]
        for d in rows[:MAX_CONTAINERS]:
            limits = [f"memory hard limit {d['memory']} MiB" if d.get("memory") else "no hard memory limit"]
            if d.get("memoryReservation"):
                limits.append(f"soft limit {d['memoryReservation']} MiB")
            if d.get("cpu") not in (None, "", 0, "0"):
                limits.append(f"cpu {d['cpu']} units")
            per.append(f"{d.get('name')}: {', '.join(limits)}")
        if per:
            text += "; containers: " + "; ".join(per)
        hard = defs.get(primary.get("name"), {}).get("memory") or primary.get("memory")
        # The role the task's SDKs fetch credentials for (an override wins): with one set, "no credentials" means
        # the fetch from the task's credentials endpoint failed, not that none were given.
        role = ((task.get("overrides") or {}).get("taskRoleArn") or (td or {}).get("taskRoleArn") or "")
        c.context["role"] = role or "(none set)"
        c.add("config", "ecs:DescribeTaskDefinition" if td else source, text, None,
              memory=str(hard or memory or ""), task_memory=str(memory or ""), cpu=str(cpu or ""),
              role=str(role))
        # A container killed (137) after the work's container exited 0 did not stop on SIGTERM: how it is started
        # says whether the signal reaches its program (a shell that runs it without exec does not pass it on).
        ran = [x for x in task.get("containers") or [] if isinstance(x, dict)]
        if any(x.get("exitCode") == 0 for x in ran):
            for x in ran:
                d = defs.get(x.get("name")) or {}
                start = " ".join(map(str, [*(d.get("entryPoint") or []), *(d.get("command") or [])]))
                if x.get("exitCode") == 137 and start:
                    stop = d.get("stopTimeout")
                    c.add("config", "ecs:DescribeTaskDefinition",
                          f"Container {x.get('name')} (killed with 137 after the others stopped) starts as: {start}; "
                          f"stop timeout {f'{stop} s' if stop else 'the ECS default (30 s)'}", None,
                          container=str(x.get("name") or ""))
        # A container whose program could not be started ("exec: "s3s3mirror.sh": executable file not found in
        # $PATH") that the task starts with its image's own entrypoint and command: the image names the program it
        # lacks, not the task definition (pmoust/s3s3mirror-docker#4, fixed in the image).
        overrides = {str(o.get("name")): o.get("command") or [] for o in
                     (task.get("overrides") or {}).get("containerOverrides") or [] if isinstance(o, dict)}
        for x in ran:
            spec = defs.get(x.get("name"))
            failed = _EXEC_FAILED.search(str(x.get("reason") or ""))
            if spec is None or failed is None or not failed.group("program"):
                continue
            program = failed.group("program")
            given = " ".join(map(str, [*(spec.get("entryPoint") or []), *(spec.get("command") or []),
                                       *overrides.get(str(x.get("name")), [])]))
            if program not in given:
                c.add("config", "ecs:DescribeTaskDefinition",
                      f"Container {x.get('name')} could not start \"{program}\", which its task definition does not "
                      f"name (entryPoint: {spec.get('entryPoint') or 'none'}): the program is its image's own", None,
                      container=str(x.get("name") or ""), image_start=True)
        # A task stopped for failing its container health checks: what each check runs, since the check itself can
        # be what fails (a "curl" the image does not have: node:22-alpine ships none).
        health = _HEALTH.search(str(task.get("stoppedReason") or ""))
        if health and "container" in health.group(0).lower():
            for d in rows[:MAX_CONTAINERS]:
                check = d.get("healthCheck") if isinstance(d.get("healthCheck"), dict) else None
                command = [str(x) for x in (check or {}).get("command") or []]
                if not check or not command:
                    continue
                run = " ".join(command[1:] if command[0] in ("CMD", "CMD-SHELL") else command)
                timing = ", ".join(f"{label} {check[key]}{unit}" for key, label, unit in (
                    ("interval", "interval", " s"), ("timeout", "timeout", " s"), ("retries", "retries", ""),
                    ("startPeriod", "start period", " s")) if check.get(key) is not None)
                c.add("config", "ecs:DescribeTaskDefinition",
                      f"Container {d.get('name')}'s health check runs: {run}" + (f" ({timing})" if timing else ""),
                      None, container=str(d.get("name") or ""), health_check=run)
        # A container whose root file system is read-only writes only to its mounted volumes: a program that writes
        # a temporary file under / is refused (HHS/simpler-grants-gov#7844).
        for d in rows[:MAX_CONTAINERS]:
            if d.get("readonlyRootFilesystem") is True:
                c.add("config", "ecs:DescribeTaskDefinition",
                      f"Container {d.get('name')} has a read-only root file system (readonlyRootFilesystem); it can "
                      f"write only to its mounted volumes: {writable_paths(d)}", None,
                      container=str(d.get("name") or ""), read_only_root=True)
        if td and td.get("status") and td["status"] != "ACTIVE":
            when = f" at {iso(td['deregisteredAt'])}" if td.get("deregisteredAt") else ""
            c.add("config", "ecs:DescribeTaskDefinition",
                  f"Task definition {family}:{revision} is {td['status']} (deregistered{when}): it cannot "
                  f"run new tasks; a re-run needs an ACTIVE revision of {family}", td.get("deregisteredAt"),
                  task_definition_status=td["status"])

    def _overrides(self, c: Collector, task: dict[str, Any], source: str) -> None:
        overrides = task.get("overrides") or {}
        useful = {k: v for k, v in overrides.items() if k != "containerOverrides" and v}
        conts = [{k: v for k, v in o.items() if k != "name" and v} | {"name": o.get("name")}
                 for o in overrides.get("containerOverrides") or [] if len(o) > 1]
        if conts:
            useful["containerOverrides"] = conts
        if useful:
            c.add_json("config", source, "Run overrides", useful, limit=600)

    def _logs(self, c: Collector, task: dict[str, Any], td: dict[str, Any] | None,
              targets: list[dict[str, Any]], defs: dict[Any, dict[str, Any]], task_id: str,
              quiet: set[str] | frozenset[str] = frozenset()) -> None:
        if td is None:
            return
        if not task.get("startedAt") and all(x.get("exitCode") is None for x in targets):
            return  # the containers never ran: there is no log stream to read
        # Each container's stream is the task's own: from its creation on (a container that printed its error and
        # exited within a second can be seen to start after it did, its lines a few seconds before startedAt).
        started = parse_time(task.get("createdAt") or task.get("pullStartedAt") or task.get("startedAt"))
        stopped = parse_time(task.get("stoppedAt") or task.get("executionStoppedAt") or c.incident.stopped_at)
        end = stopped + timedelta(seconds=c.settings.log_window_after) if stopped else None
        start = started - timedelta(seconds=5) if started else None
        streams: dict[str, list[str]] = {}
        for x in targets:
            name = str(x.get("name"))
            log_cfg = defs.get(name, {}).get("logConfiguration") or {}
            opts = log_cfg.get("options") or {}
            if name in quiet and (log_cfg.get("logDriver") != "awslogs" or not opts.get("awslogs-group")
                                  or not opts.get("awslogs-stream-prefix")):
                continue  # a container that did not fail and is not the one that matters: no gap for it
            if log_cfg.get("logDriver") != "awslogs":
                c.book.gap(f"container {name} logs with {log_cfg.get('logDriver') or 'no log driver'}, "
                           f"not awslogs: its log lines were not read")
                continue
            group, prefix = opts.get("awslogs-group"), opts.get("awslogs-stream-prefix")
            if opts.get("awslogs-region") and opts["awslogs-region"] != c.incident.region:
                c.book.gap(f"container {name} logs to {group} in {opts['awslogs-region']}: not read")
                continue
            if not group or not prefix:
                c.book.gap(f"container {name} logs to {group or '?'} without awslogs-stream-prefix, so its "
                           f"stream cannot be named: its log lines were not read")
                continue
            stream = f"{prefix}/{name}/{task_id}"
            streams.setdefault(group, []).append(stream)
            if not c.context.get("log_read"):
                c.context.update(log_group=group, log_stream=stream, log_read=True)
            c.links.append(Link(f"Logs of {name}",
                                console_log_url(c.incident.region, group, start, end, stream)))
        stopped_by_task = _stopped_with_the_task(targets, defs)
        for group, names in streams.items():
            for ev in read_stream_logs(c, group, names, start, end, stopped):
                if (ev.facts.get("placeholders") or {}).get("container") in stopped_by_task:
                    ev.facts["bystander"] = True

    @staticmethod
    def _secret_reference(c: Collector, task: dict[str, Any], defs: dict[Any, dict[str, Any]]) -> None:
        """A refused SSM parameter that the task definition names by a bare name, written unlike an SSM path or
        unlike the task's other secrets: the reference, more than the execution role's policy, is what to fix."""
        m = _SSM_DENIED.search(str(task.get("stoppedReason") or ""))
        hit = _bare_secret_ref(m.group(1), defs) if m else None
        if hit is None:
            return
        container, name, ref = hit
        how = ("has slashes but no leading one, so it is no SSM path: it reads as a Secrets Manager secret's name, "
               "which ECS looks up in Parameter Store" if "/" in ref else
               "is a bare name at the root, where another secret of the task is given by path or ARN")
        c.add("config", "ecs:DescribeTaskDefinition",
              f"Secret {name} of container {container} is referenced as '{ref}': the name {how}", None,
              secret_ref=ref, secret_name=name)
        c.context.update(secret_ref=ref, secret_name=name)

    @staticmethod
    def _log_settings(c: Collector, task: dict[str, Any], defs: dict[Any, dict[str, Any]]) -> None:
        """A task whose log driver could not start ("failed to validate logger args"): each container's awslogs
        options, the setting the fix is in (its group, and its region: a value that is no region name, a URL
        pasted in its place, leaves the driver without CloudWatch Logs' endpoint)."""
        if not _LOG_DRIVER_FAILED.search(str(task.get("stoppedReason") or "")):
            return
        for name, cdef in defs.items():
            cfg = cdef.get("logConfiguration") or {}
            if cfg.get("logDriver") != "awslogs":
                continue
            opts = cfg.get("options") or {}
            region = str(opts.get("awslogs-region") or "")
            prefix = opts.get("awslogs-stream-prefix") or "(none)"
            text = (f"Container {name} logs with awslogs to group {opts.get('awslogs-group') or '(none)'} in region "
                    f"{region or 'of the task'}, stream prefix {prefix}, awslogs-create-group "
                    f"{opts.get('awslogs-create-group') or 'false'}")
            invalid = bool(region) and not _REGION_NAME.fullmatch(region)
            if invalid:
                text += f": '{region}' is no region name"
            c.add("config", "ecs:DescribeTaskDefinition", text, None, awslogs_region=region,
                  awslogs_region_invalid=invalid)
            if invalid:
                c.context.update(awslogs_region=region)

    @staticmethod
    def _compose_host(c: Collector, defs: dict[Any, dict[str, Any]], named: list[Any]) -> None:
        """A name lookup that failed where a failed container's environment points at a single-label host, the
        name docker-compose gives a service ("DATABASE_URL=postgresql://...@postgres:5432/app"): ECS makes no
        DNS name for it, so a setting brought over from compose fails however healthy the database is. Said
        only when the line names that host, or names none and the environment names exactly one such host."""
        if c.context.get("sibling_host"):
            return
        containers = {str(n).lower() for n in defs if n}  # a container's own name is the sibling rule's (or a link)
        hosts: dict[str, tuple[str, str]] = {}
        for x in named:
            for host, var in _env_hosts(defs.get(x.get("name")) or {}).items():
                if host not in containers:
                    hosts.setdefault(host, (str(x.get("name")), var))
        if not hosts:
            return
        for ev in c.book.items:
            if ev.kind != "log" or not _NAME_LOOKUP_FAILED.search(ev.text):
                continue
            looked_up = _looked_up(ev.text)
            if looked_up:
                host = looked_up if looked_up in hosts else ""
            else:  # psycopg's "Name or service not known" names none: the environment's one such host, if one
                host = next(iter(hosts)) if len(hosts) == 1 else ""
            if not host:
                continue
            container, var = hosts[host]
            c.add("config", "ecs:DescribeTaskDefinition",
                  f"{var} of container {container} names the host '{host}', a single-label name such as "
                  f"docker-compose gives a service, and a name lookup failed ({ev.id}): ECS makes no DNS name for "
                  f"it; a database or service is reached by its endpoint, a Cloud Map name or a Service Connect "
                  f"alias", None, compose_host=host, compose_var=var)
            c.context.update(compose_host=host, compose_var=var)
            return

    @staticmethod
    def _sibling_lookup(c: Collector, task: dict[str, Any], td: dict[str, Any] | None,
                        defs: dict[Any, dict[str, Any]]) -> None:
        """A container that failed to resolve the name of another container of its task ("dial tcp: lookup db on
        172.16.0.2:53: no such host"). In awsvpc network mode (every Fargate task) the containers of a task share
        one network namespace: they reach each other on localhost, and no DNS name is made for a container
        (links are the bridge mode's). Said as a fact of the task's setup, beside the log line."""
        mode = (td or {}).get("networkMode") or ("awsvpc" if task.get("launchType") == "FARGATE" else "")
        if mode != "awsvpc" or len(defs) < 2:
            return
        names = {str(n) for n in defs if n}
        for ev in c.book.items:  # the loop ends at the fact it adds
            host = _looked_up(ev.text) if ev.kind == "log" else ""
            if host in names:
                c.add("config", "ecs:DescribeTaskDefinition",
                      f"A container looked up '{host}', the name of a container of the same task ({ev.id}), in "
                      f"awsvpc network mode: the containers of an awsvpc task reach each other on localhost "
                      f"(127.0.0.1); no DNS name is made for a container", None, sibling_host=host)
                c.context["sibling_host"] = host
                return

    @staticmethod
    def _redrive(task: dict[str, Any], td: dict[str, Any] | None, td_arn: str, cluster_arn: str,
                 family: str) -> dict[str, Any]:
        """How to run this task again (RunTask parameters), with what is not known."""
        spec: dict[str, Any] = {"service": "ecs", "action": "RunTask", "cluster": cluster_arn,
                                "taskDefinition": td_arn, "count": 1, "unknown": []}
        group = str(task.get("group") or "")
        if group.startswith("service:"):
            spec.update(action="UpdateService", serviceName=group.split(":", 1)[1], forceNewDeployment=True)
        if task.get("capacityProviderName"):
            spec["capacityProviderStrategy"] = [{"capacityProvider": task["capacityProviderName"],
                                                 "weight": 1}]
        elif task.get("launchType"):
            spec["launchType"] = task["launchType"]
        if task.get("platformVersion") and task.get("launchType") != "EC2":
            spec["platformVersion"] = task["platformVersion"]
        if group and not group.startswith("service:"):
            spec["group"] = group
        subnets = [d.get("value") for a in task.get("attachments") or [] if a.get("type") in (
            "ElasticNetworkInterface", "eni") for d in a.get("details") or [] if d.get("name") == "subnetId"]
        spec["network_mode"] = (td or {}).get("networkMode") or ""
        if subnets or (td or {}).get("networkMode") == "awsvpc":
            spec["networkConfiguration"] = {"awsvpcConfiguration": {"subnets": [s for s in subnets if s]}}
            # DescribeTasks does not return the task's security groups or public IP setting.
            spec["unknown"] += ["networkConfiguration.awsvpcConfiguration.securityGroups",
                                "networkConfiguration.awsvpcConfiguration.assignPublicIp"]
        overrides = task.get("overrides") or {}
        if any(len(o) > 1 for o in overrides.get("containerOverrides") or []) or any(
                v for k, v in overrides.items() if k != "containerOverrides"):
            spec["overrides"] = overrides
        if (td is None or td.get("status") not in (None, "ACTIVE")) and family:
            # RunTask cannot use an INACTIVE or deleted revision; the family name runs its latest ACTIVE one.
            spec["taskDefinition"] = family
            spec["unknown"].append(f"taskDefinition: {td_arn.rsplit('/', 1)[-1]} is not ACTIVE; the latest "
                                   f"ACTIVE revision of {family} runs instead")
        return spec


def read_stream_logs(c: Collector, group: str, streams: list[str], start: datetime | None,
                     end: datetime | None, failure_time: datetime | None) -> list[Evidence]:
    """Log lines of named streams; when none come back, say which stream does not exist."""
    before = len(c.book.gaps)
    added = c.logs(group, start, end, stream_names=streams, failure_time=failure_time)
    for ev in added:  # "<prefix>/<container>/<task id>": a cause found in a line names its own container
        stream = ev.source.removeprefix(f"{group}/")
        if stream in streams:
            ev.facts["placeholders"] = {"container": stream.split("/")[-2], "log_stream": stream}
    generic = f"no log lines in {group}"
    if added or any(not g.startswith(generic) for g in c.book.gaps[before:]):
        return added  # lines, or a read error that already says what is wrong
    logs = c.client("logs")
    missing = []
    for stream in streams:
        out = c.call(f"DescribeLogStreams {group}", logs.describe_log_streams, logGroupName=group,
                     logStreamNamePrefix=stream, limit=5)
        if out is None:
            return added
        if not any(s.get("logStreamName") == stream for s in out.get("logStreams") or []):
            missing.append(stream)
    if missing:
        # A precise line beats "no log lines in <group>": the stream itself is absent.
        c.book.gaps[before:] = [g for g in c.book.gaps[before:] if not g.startswith(generic)]
        for stream in missing:
            c.book.gap(f"log stream {stream} does not exist in {group}: the container wrote no log "
                       f"(it did not start, or awslogs could not create the stream), or it has expired")
    return added
