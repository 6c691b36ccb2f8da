"""Batch: "Batch Job State Change" events of FAILED jobs.

Only FAILED is reported; SUBMITTED, PENDING, RUNNABLE, STARTING, RUNNING and SUCCEEDED are skipped.
Evidence: DescribeJobs (the event's own detail when the job can no longer be described): the job's
status reason, each attempt (newest last) with its container's exit code, reason and log stream, the
job definition, queue, container vCPU/memory, timeout and retry strategy, and the log lines of
the shown attempts' streams in ``/aws/batch/job`` (or the group of the job's awslogs configuration).
A Batch on EKS job (``eksAttempts``) shows each attempt's pod, node and containers instead, and the log lines of
its newest pod from Container Insights' log group of the cluster (:mod:`.eks`).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from ...errors import MalformedEvent
from ...evidence.redaction import is_secret_key
from ...model import Incident, Link, Resource, Skip, iso
from ..base import console_log_url, parse_time, shorten
from ..ecs.evidence import exit_code_meaning, read_stream_logs, writable_paths
from . import eks
from .queues import queue_environments
from .spec import BatchSpec

if TYPE_CHECKING:
    from ..base import Collector

__all__ = ["BatchEvidence"]

DEFAULT_LOG_GROUP = "/aws/batch/job"
MAX_ATTEMPTS_SHOWN = 3
ARRAY_CHILD_FAILED = "Array Child Job failed"
DEPENDENCY_FAILED = "Dependent Job failed"
DEPENDENCIES_READ = 100  # DescribeJobs takes at most 100 ids
NODE_EARLY_MS = 60_000  # a worker node that stopped this long before its job did failed on its own
# A host path that holds programs: a bin folder, or a program in one ("/usr/bin/aws", "/home/ec2-user/miniconda").
_HOST_PROGRAM = re.compile(r"/(?:s?bin|libexec)(?:/|$)|/(?:mini|ana)?conda\d?(?:/|$)|/aws(?:-cli)?$")


def _first_failed(jobs: list[dict[str, Any]]) -> dict[str, Any]:
    """The job of ``jobs`` that stopped first (the others may have failed for its sake)."""
    return min(jobs, key=lambda j: (j.get("stoppedAt") or 0, str(j["jobId"])))


def _described(c: Collector, ids: list[str], what: str) -> list[dict[str, Any]] | None:
    """The jobs one DescribeJobs of ``ids`` (at most 100) returns; None when the call failed (a gap)."""
    out = c.call(what, c.client("batch").describe_jobs, jobs=ids)
    if out is None:
        return None
    return [j for j in out.get("jobs") or [] if isinstance(j, dict) and j.get("jobId")]


def definition_parts(value: str) -> tuple[str, str]:
    """(name, revision) of a job definition ARN or ``name:revision``."""
    tail = value.rsplit("/", 1)[-1]
    name, _, revision = tail.partition(":")
    return name, revision


def _arn(kind: str, value: str, region: str, account: str) -> str:
    if not value or value.startswith("arn:"):
        return value
    return f"arn:aws:batch:{region}:{account}:{kind}/{value}"


def job_resources(container: dict[str, Any]) -> dict[str, str]:
    """VCPU, MEMORY (MiB) and GPU of a job's container: resourceRequirements, else the legacy fields."""
    out = {str(r.get("type")): str(r.get("value")) for r in container.get("resourceRequirements") or []}
    if "VCPU" not in out and container.get("vcpus"):
        out["VCPU"] = str(container["vcpus"])
    if "MEMORY" not in out and container.get("memory"):
        out["MEMORY"] = str(container["memory"])
    return out


def stream_of(container: dict[str, Any]) -> str:
    """The log stream a job's (or an attempt's) container wrote to, if any."""
    return str(container.get("logStreamName") or "")


_NOT_STARTED = frozenset({"SUBMITTED", "PENDING", "RUNNABLE", "STARTING"})  # no container has run yet

class BatchEvidence:
    """Parsing of the service's events and collection of its evidence (the adapter's first half)."""

    name: ClassVar[str]  # the adapter's

    def parse(self, event: dict[str, Any]) -> Incident | Skip:
        detail = event.get("detail") or {}
        job_id, status = detail.get("jobId"), detail.get("status")
        if not job_id or not status:
            raise MalformedEvent("Batch event without detail.jobId or detail.status")
        if status != "FAILED":
            return Skip(f"job status {status} is not FAILED")
        job_arn = str(detail.get("jobArn") or "")
        parts = job_arn.split(":")
        region = event.get("region") or (parts[3] if len(parts) > 3 else "")
        account = event.get("account") or (parts[4] if len(parts) > 4 else "")
        job_arn = job_arn or f"arn:aws:batch:{region}:{account}:job/{job_id}"
        jd_arn = _arn("job-definition", str(detail.get("jobDefinition") or ""), region, account)
        queue_arn = _arn("job-queue", str(detail.get("jobQueue") or ""), region, account)
        jd_name, _ = definition_parts(jd_arn)
        arns = [jd_arn, jd_arn.rsplit(":", 1)[0] if jd_arn.count(":") > 5 else "", queue_arn]
        return Incident(
            source=self.name, event_id=str(event.get("id", "")), detail_type=event["detail-type"],
            region=region, account=account,
            resource=Resource(arn=job_arn, name=jd_name or str(detail.get("jobName") or job_id),
                              run_id=job_id),
            status=status, event_time=event.get("time"), started_at=iso(detail.get("startedAt")),
            stopped_at=iso(detail.get("stoppedAt")) or event.get("time"),
            catalog_arns=[a for a in arns if a], detail=detail,
        )

    # -- evidence ---------------------------------------------------------------------------------
    def collect(self, c: Collector) -> None:
        inc = c.incident
        job_id = str(inc.resource.run_id)
        out = c.call(f"DescribeJobs {job_id}", c.client("batch").describe_jobs, jobs=[job_id])
        jobs = (out or {}).get("jobs") or []
        if jobs:
            job, source = jobs[0], "batch:DescribeJobs"
        else:
            if out is not None:
                c.book.gap(f"DescribeJobs {job_id}: no such job (Batch keeps finished jobs for about 7 "
                           f"days); the event's own detail is shown instead")
            else:
                c.book.gap(f"job {job_id}: the event's own detail is shown instead of DescribeJobs")
            job, source = inc.detail, "batch (event)"
        container = job.get("container") or {}
        attempts = [a for a in job.get("attempts") or [] if isinstance(a, dict)]
        # A Batch on EKS job ran pods: its attempts are eksAttempts, each with its pod's containers.
        on_eks = eks.is_eks(job)
        pods = eks.eks_attempts(job) if on_eks else []
        last = (attempts[-1].get("container") if attempts else None) or container
        self._context(c, job, container, last)
        if on_eks:
            self._eks_context(c, job, pods)
        self._status(c, job, source, attempts or pods)
        shown = attempts or pods
        for n, attempt in enumerate(shown[-MAX_ATTEMPTS_SHOWN:], start=max(len(shown) - MAX_ATTEMPTS_SHOWN, 0) + 1):
            if attempts:
                self._attempt(c, attempt, n, len(shown), source)
            else:
                self._eks_attempt(c, attempt, n, len(shown), source)
        if len(shown) > MAX_ATTEMPTS_SHOWN:
            c.book.gap(f"{len(shown) - MAX_ATTEMPTS_SHOWN} earlier attempts not shown")
        self._config(c, job, container, source)
        if on_eks:
            eks.read_pod_logs(c, job, pods)
        else:
            self._logs(c, job, container, attempts, last)
        c.context["redrive"] = BatchSpec.from_dict(self._redrive(job, container), strict=True)
        array = job.get("arrayProperties") or {}
        # An array job's parent (a size, no index of its own): Batch may give it no status reason at all, only the
        # children's FAILED count in its statusSummary.
        parent_failed = bool(array.get("size")) and array.get("index") is None and \
            bool((array.get("statusSummary") or {}).get("FAILED"))
        if (str(job.get("statusReason") or "").startswith(ARRAY_CHILD_FAILED) or parent_failed) and not shown:
            self._array_child(c, job)
        elif str(job.get("statusReason") or "").startswith(DEPENDENCY_FAILED) and not shown:
            self._dependency(c, job)
        elif job.get("nodeProperties") and "#" not in str(job.get("jobId") or job_id):
            if not stream_of(last):
                self._main_node(c, job)
            self._failed_node(c, job)

    def _array_child(self, c: Collector, job: dict[str, Any]) -> None:
        """An array job fails when one of its children does, and runs nothing of its own: the first failed
        child's evidence (ListJobs, then the child's own DescribeJobs, attempts and log) is the job's cause,
        collected as its child's."""
        job_id = str(job.get("jobId") or c.incident.resource.run_id)
        out = c.call(f"ListJobs {job_id} FAILED", c.client("batch").list_jobs, arrayJobId=job_id,
                     jobStatus="FAILED")
        failed = [j for j in (out or {}).get("jobSummaryList") or [] if j.get("jobId")]
        if not failed:
            if out is not None:
                c.book.gap(f"ListJobs of array job {job_id}: no FAILED child listed (Batch keeps finished jobs "
                           f"for about 7 days)")
            return
        first = _first_failed(failed)
        child_id = str(first["jobId"])
        self._follow_failed(c, job, first, f"{len(failed)} child(ren) of array job {job_id} failed; the first, index "
                            f"{child_id.rsplit(':', 1)[-1]} ({child_id})", "batch:ListJobs", f"array child {child_id}")

    def _dependency(self, c: Collector, job: dict[str, Any]) -> None:
        """A job whose dependency failed never runs: Batch fails it with "Dependent Job failed". The failed job
        it depends on (one DescribeJobs of its ``dependsOn`` ids; the first that failed, when several did) holds the
        cause, collected as the job's child; a dependency that itself waited on a failed one is followed the same
        way, within the children's depth bound."""
        ids = [str(d["jobId"]) for d in job.get("dependsOn") or [] if isinstance(d, dict) and d.get("jobId")]
        if not ids:
            c.book.gap("the job's dependencies: DescribeJobs names none (dependsOn is empty)")
            return
        read = ids[:DEPENDENCIES_READ]
        described = _described(c, read, f"DescribeJobs {', '.join(read)}")
        if described is None:
            return
        failed = [j for j in described if j.get("status") == "FAILED"]
        if not failed:
            missing = len(read) - len(described)
            kept = f" ({missing} no longer kept: Batch keeps finished jobs for about 7 days)" if missing else ""
            c.book.gap(f"DescribeJobs of the job's {len(ids)} dependencies: none is FAILED{kept}")
            return
        first = _first_failed(failed)
        dep_id = str(first["jobId"])
        self._follow_failed(c, job, first, f"Job {job.get('jobName') or job.get('jobId')} depends on {len(ids)} "
                            f"job(s); {len(failed)} failed. The first, {first.get('jobName') or dep_id} ({dep_id})",
                            "batch:DescribeJobs", f"dependency {dep_id}")

    def _failed_node(self, c: Collector, job: dict[str, Any]) -> None:
        """A multi-node job's worker node that failed well before the job ended (its setup or its program died,
        and the main node waited for it until a person or a time limit stopped the job): that node holds the
        cause, and is followed as the job's child. One DescribeJobs of the node jobs ("<job id>#<index>", at
        most 100); nodes that stopped with the job were stopped by its end."""
        job_id = str(job.get("jobId") or c.incident.resource.run_id)
        props = job.get("nodeProperties") or {}
        main = props.get("mainNode", 0)
        ids = [f"{job_id}#{i}" for i in range(int(props.get("numNodes") or 0)) if i != main][:DEPENDENCIES_READ]
        if not ids:
            return
        ended = job.get("stoppedAt")
        early = [j for j in _described(c, ids, f"DescribeJobs of the {len(ids)} worker nodes of {job_id}") or []
                 if j.get("status") == "FAILED" and isinstance(j.get("stoppedAt"), int)
                 and (not isinstance(ended, int) or j["stoppedAt"] < ended - NODE_EARLY_MS)]
        if not early:
            return
        first = _first_failed(early)
        node = str(first["jobId"])
        self._follow_failed(c, job, first, f"{len(early)} worker node(s) of the job failed before it ended; the "
                            f"first, node {node.rsplit('#', 1)[-1]} ({node})", "batch:DescribeJobs", f"node {node}")

    def _follow_failed(self, c: Collector, job: dict[str, Any], failed: dict[str, Any], intro: str, source: str,
                       what: str) -> None:
        """Follow ``failed`` (a ListJobs summary or a DescribeJobs job) as the child of ``job``."""
        self._follow(c, job, {"jobId": str(failed["jobId"]), "jobArn": failed.get("jobArn") or "",
                              "jobName": failed.get("jobName") or "", "startedAt": failed.get("startedAt"),
                              "stoppedAt": failed.get("stoppedAt")},
                     f"{intro}, follows as the job's child: {failed.get('statusReason') or 'no status reason given'}",
                     source, what)

    def _main_node(self, c: Collector, job: dict[str, Any]) -> None:
        """A multi-node parallel job runs its containers as node jobs ("<job id>#<node index>"); the job ends
        with its main node, so the main node's evidence (its attempts, exit code and log) is the job's cause,
        collected as its child's."""
        job_id = str(job.get("jobId") or c.incident.resource.run_id)
        main = (job.get("nodeProperties") or {}).get("mainNode", 0)
        node_id = f"{job_id}#{main}"
        nodes = (job.get("nodeProperties") or {}).get("numNodes")
        self._follow(c, job, {"jobId": node_id, "jobArn": f"{job.get('jobArn') or c.incident.resource.arn}#{main}",
                              "jobName": job.get("jobName") or "", "startedAt": job.get("startedAt"),
                              "stoppedAt": job.get("stoppedAt")},
                     f"Multi-node parallel job of {nodes or '?'} nodes: the job ends with its main node, node {main} "
                     f"({node_id}), which follows as the job's child", "batch:DescribeJobs", f"main node {node_id}")

    def _follow(self, c: Collector, job: dict[str, Any], child: dict[str, Any], text: str, source: str,
                what: str) -> None:
        """Collect a child job of ``job`` (an array child, a node, a dependency) with this adapter, after an item
        saying why."""
        from .. import adapter
        from ..base import ChildCollector

        detail = {**{k: job[k] for k in ("jobDefinition", "jobQueue") if job.get(k)}, **child, "status": "FAILED"}
        event = {"detail-type": "Batch Job State Change", "source": "aws.batch", "id": "",
                 "region": c.incident.region, "account": c.incident.account,
                 "time": iso(child.get("stoppedAt")) or c.incident.event_time, "detail": detail}
        parsed = self.parse(event)
        if not isinstance(parsed, Incident):
            return
        c.add("job", source, text, child.get("stoppedAt"), child_run=child["jobId"], child_source=self.name)
        ChildCollector.follow(c, adapter(self.name), parsed, what)

    def _context(self, c: Collector, job: dict[str, Any], container: dict[str, Any],
                 last: dict[str, Any]) -> None:
        region = c.incident.region
        jd_name, jd_rev = definition_parts(str(job.get("jobDefinition") or ""))
        queue = str(job.get("jobQueue") or "").rsplit("/", 1)[-1]
        res = job_resources(container)
        memory = res.get("MEMORY", "")
        job_id = str(job.get("jobId") or c.incident.resource.run_id)
        timeout = (job.get("timeout") or {}).get("attemptDurationSeconds")
        from . import job_url

        console = job_url(region, job_id)
        c.context.update(
            job_id=job_id, job_name=job.get("jobName") or "?", job_queue=queue or "?",
            job_definition=f"{jd_name}:{jd_rev}" if jd_rev else jd_name or "?",
            job_definition_name=jd_name or "?",
            memory=memory or "?", memory_doubled=str(int(memory) * 2) if memory.isdigit() else "twice that",
            vcpus=res.get("VCPU", "?"), timeout_seconds=str(timeout) if timeout else "none",
            attempts=str(len(job.get("attempts") or [])), exit_code=last.get("exitCode", "none"),
            role=container.get("jobRoleArn") or "(none set)", log_group=DEFAULT_LOG_GROUP,
            log_stream=last.get("logStreamName") or container.get("logStreamName") or "(none recorded)",
            image=container.get("image") or "?", console_url=console,
            what=f"Batch job {job.get('jobName') or job_id} ({job_id}) of job definition "
                 f"{jd_name}{':' + jd_rev if jd_rev else ''} on queue {queue or '?'}",
        )
        c.links.append(Link("Job in the Batch console", console))

    def _status(self, c: Collector, job: dict[str, Any], source: str, attempts: list[dict[str, Any]]) -> None:
        reason = str(job.get("statusReason") or "")
        status = str(job.get("status") or "FAILED")
        name = job.get("jobName") or job.get("jobId")
        if status in _NOT_STARTED and not attempts:
            # A child a Step Functions task gave up on (a timeout) before Batch ever placed it.
            text = (f"Job {name} is still {status}: no attempt has run; it was never placed on an instance "
                    "(resources it asks for that no instance type of the queue's compute environments offers, "
                    "a compute environment at its maximum vCPUs, or instances that cannot join the cluster)")
        else:
            text = f"Job {name} {status}: {reason or 'no status reason given'}"
            if not attempts:
                text += " — no attempt ran (the job failed before it was placed, or was cancelled)"
            elif len(attempts) > 1:
                text += f" — after {len(attempts)} attempts"
        c.add("job", source, text, job.get("stoppedAt") or c.incident.stopped_at,
              status_reason=reason, status=status)
        if status in _NOT_STARTED and not attempts:
            self._placement(c, job)

    @staticmethod
    def _placement(c: Collector, job: dict[str, Any]) -> None:
        """Why a job was never placed, when its queue or a compute environment of it says: a queue or an
        environment that is INVALID or DISABLED, with its statusReason ("CLIENT_ERROR - Launch Template UserData is
        not MIME multipart format"). One DescribeJobQueues and one DescribeComputeEnvironments; nothing is added
        when all of them are VALID and ENABLED (then capacity or the job's size is why, which the job's own
        statusReason says while it waits)."""
        queue = str(job.get("jobQueue") or "")
        if not queue:
            return
        name = queue.rsplit("/", 1)[-1]
        q, envs = queue_environments(c, queue)
        if not q:
            return
        if q.get("status") not in (None, "VALID") or q.get("state") not in (None, "ENABLED"):
            c.add("job", "batch:DescribeJobQueues", f"Job queue {name} is {q.get('state') or '?'} and "
                  f"{q.get('status') or '?'}: {q.get('statusReason') or 'no status reason given'}",
                  status_reason=str(q.get("statusReason") or ""), queue_status=str(q.get("status") or ""))
        for env in envs or []:
            if env.get("status") in (None, "VALID") and env.get("state") in (None, "ENABLED"):
                continue
            c.add("job", "batch:DescribeComputeEnvironments",
                  f"Compute environment {env.get('computeEnvironmentName') or '?'} of queue {name} is "
                  f"{env.get('state') or '?'} and {env.get('status') or '?'}: "
                  f"{env.get('statusReason') or 'no status reason given'}",
                  status_reason=str(env.get("statusReason") or ""), environment_status=str(env.get("status") or ""))

    def _attempt(self, c: Collector, attempt: dict[str, Any], n: int, total: int, source: str) -> None:
        cont = attempt.get("container") or {}
        code = cont.get("exitCode")
        reason = str(cont.get("reason") or "")
        status_reason = str(attempt.get("statusReason") or "")
        if code is None:
            text = f"Attempt {n} of {total}: no exit code"
        else:
            meaning = exit_code_meaning(code)
            text = f"Attempt {n} of {total}: exit code {code}" + (f" ({meaning})" if meaning else "")
        text += f" — reason: {reason}" if reason else ""
        text += f" — status reason: {status_reason}" if status_reason and status_reason != reason else ""
        started, stopped = parse_time(attempt.get("startedAt")), parse_time(attempt.get("stoppedAt"))
        if started and stopped:
            secs = (stopped - started).total_seconds()
            text += f" — ran {secs:.0f} s" if secs < 600 else f" — ran {secs / 60:.1f} min"
        if cont.get("logStreamName"):
            text += f" — log stream {cont['logStreamName']}"
        # An attempt Batch retried after is what an earlier attempt died of (a Spot host reclaimed under the
        # first, then the retry's own error): a red herring beside the last attempt's failure.
        c.add("job", source, shorten(text, 900), attempt.get("stoppedAt"), exit_code=code, reason=reason,
              status_reason=status_reason, attempt="earlier" if n < total else n,
              log_stream=cont.get("logStreamName") or "")

    @staticmethod
    def _eks_context(c: Collector, job: dict[str, Any], pods: list[dict[str, Any]]) -> None:
        """The placeholders an ECS-based job takes from its container, from the pod and its newest attempt."""
        res = eks.pod_resources(job)
        memory = res.get("MEMORY", "")
        failed = eks.failed_container(pods[-1]) if pods else None
        conts = (pods[-1].get("containers") or []) if pods else []
        exit_code = failed[1].get("exitCode") if failed else (conts[0].get("exitCode") if conts else None)
        images = [str(x.get("image")) for x in eks.pod_containers(job) if x.get("image")]
        c.context.update(
            memory=memory or "?", memory_doubled=str(int(memory) * 2) if memory.isdigit() else "twice that",
            vcpus=res.get("VCPU", "?"), attempts=str(len(pods)),
            exit_code="none" if exit_code is None else exit_code, role=eks.service_account_role(job),
            image=images[0] if images else "?", log_group="(none: Batch on EKS ships no pod logs itself)",
            log_stream="(none read)")

    @staticmethod
    def _eks_attempt(c: Collector, attempt: dict[str, Any], n: int, total: int, source: str) -> None:
        text, facts = eks.attempt_text(attempt, n, total)
        # As for an ECS-based attempt, one Batch retried after is what an earlier attempt died of.
        c.add("job", source, text, attempt.get("stoppedAt"), attempt="earlier" if n < total else n, log_stream="",
              **facts)

    def _config(self, c: Collector, job: dict[str, Any], container: dict[str, Any], source: str) -> None:
        res = job_resources(container)
        bits = [f"Job definition {c.context['job_definition']}", f"queue {c.context['job_queue']}"]
        if job.get("platformCapabilities"):
            bits.append(f"platform {', '.join(job['platformCapabilities'])}")
        units = {"VCPU": "vCPU", "MEMORY": "MiB memory", "GPU": "GPU"}
        size = [f"{res[k]} {unit}" for k, unit in units.items() if k in res]
        if size:
            bits.append("container " + ", ".join(size))
        if eks.is_eks(job):
            bits.extend(eks.pod_config(job))
            res = eks.pod_resources(job)
        if container.get("image"):
            bits.append(f"image {container['image']}")
        timeout = (job.get("timeout") or {}).get("attemptDurationSeconds")
        bits.append(f"attempt timeout {timeout} s" if timeout else "no attempt timeout")
        retry = job.get("retryStrategy") or {}
        if retry.get("attempts"):
            rules = len(retry.get("evaluateOnExit") or [])
            bits.append(f"retry strategy {retry['attempts']} attempts" + (f", {rules} evaluateOnExit rules"
                                                                          if rules else ""))
        depends = [d.get("jobId") for d in job.get("dependsOn") or [] if d.get("jobId")]
        if depends:
            bits.append(f"depends on {', '.join(depends[:5])}")
        if job.get("arrayProperties", {}).get("index") is not None:
            bits.append(f"array child {job['arrayProperties']['index']}")
        # A program of the host mounted into the container (Nextflow's AWS CLI from the AMI) runs with the image's
        # libraries and interpreter, not the host's.
        hosts = {v.get("name"): (v.get("host") or {}).get("sourcePath") for v in container.get("volumes") or []
                 if isinstance(v, dict)}
        mounts = [(hosts[m.get("sourceVolume")], m.get("containerPath")) for m in container.get("mountPoints") or []
                  if isinstance(m, dict) and hosts.get(m.get("sourceVolume"))]
        if mounts:
            bits.append("host paths mounted: " + ", ".join(f"{src} at {dst}" for src, dst in mounts[:4]))
        programs = sum(1 for src, _ in mounts if _HOST_PROGRAM.search(str(src)))
        if container.get("readonlyRootFilesystem") is True:
            bits.append(f"read-only root file system (writable only: {writable_paths(container)})")
        # /dev/shm: Docker's 64 MiB unless the job definition gives more (0 here).
        shm = (container.get("linuxParameters") or {}).get("sharedMemorySize")
        shm_mib = shm if isinstance(shm, int) and shm > 0 else 0
        if shm_mib:
            bits.append(f"shared memory (/dev/shm) {shm_mib} MiB")
            c.context["shared_memory_mib"] = shm_mib
        c.add("config", source, "; ".join(bits), job.get("createdAt"), memory=res.get("MEMORY", ""),
              vcpus=res.get("VCPU", ""), timeout_seconds=timeout or "", host_programs=programs,
              shared_memory_mib=shm_mib,
              role=str(container.get("jobRoleArn") or ""),
              read_only_root=container.get("readonlyRootFilesystem") is True)

    def _logs(self, c: Collector, job: dict[str, Any], container: dict[str, Any],
              attempts: list[dict[str, Any]], last: dict[str, Any]) -> None:
        stream = last.get("logStreamName") or container.get("logStreamName")
        log_cfg = container.get("logConfiguration") or {}
        if log_cfg.get("logDriver") not in (None, "awslogs"):
            c.book.gap(f"the job logs with {log_cfg['logDriver']}, not awslogs: its log lines were not read")
            return
        if not stream:
            return  # no attempt ran a container: there is no stream
        group = (log_cfg.get("options") or {}).get("awslogs-group") or DEFAULT_LOG_GROUP
        attempt = attempts[-1] if attempts else job
        started = parse_time(attempt.get("startedAt") or job.get("startedAt"))
        stopped = parse_time(attempt.get("stoppedAt") or job.get("stoppedAt") or c.incident.stopped_at)
        start = started - timedelta(seconds=5) if started else None
        end = stopped + timedelta(seconds=c.settings.log_window_after) if stopped else None
        c.context.update(log_group=group, log_stream=stream)
        c.links.append(Link("Log stream of the last attempt", console_log_url(c.incident.region, group, start,
                                                                              end, stream)))
        # Every shown attempt's stream (one call): an earlier attempt can say what the last one does not.
        shown = attempts[-MAX_ATTEMPTS_SHOWN:]
        streams = list(dict.fromkeys([*(str((a.get("container") or {}).get("logStreamName") or "")
                                        for a in shown), stream]))
        first = parse_time(shown[0].get("startedAt")) if shown else None
        if first and start and first - timedelta(seconds=5) < start:
            start = first - timedelta(seconds=5)
        read_stream_logs(c, group, [s for s in streams if s], start, end, stopped)

    @staticmethod
    def _redrive(job: dict[str, Any], container: dict[str, Any]) -> dict[str, Any]:
        """How to submit this job again (SubmitJob parameters), with what is not known."""
        spec: dict[str, Any] = {"service": "batch", "action": "SubmitJob", "jobName": job.get("jobName"),
                                "jobQueue": job.get("jobQueue"), "jobDefinition": job.get("jobDefinition"),
                                "jobId": job.get("jobId"), "unknown": []}
        if job.get("parameters"):
            spec["parameters"] = job["parameters"]
        overrides: dict[str, Any] = {}
        if container.get("command"):
            overrides["command"] = container["command"]
        if container.get("resourceRequirements"):
            overrides["resourceRequirements"] = container["resourceRequirements"]
        env = container.get("environment") or []
        secret = [str(e.get("name")) for e in env if is_secret_key(str(e.get("name") or ""))]
        if env:
            # A secret-named variable is left out (the job definition's own value applies), not stored.
            overrides["environment"] = [{"name": e.get("name"), "value": e.get("value")} for e in env
                                        if str(e.get("name")) not in secret]
        if secret:
            spec["unknown"].append(f"containerOverrides.environment: {', '.join(secret)} left out (secret); "
                                   f"the job definition's value applies")
        if overrides:
            spec["containerOverrides"] = overrides
        for key in ("retryStrategy", "timeout", "propagateTags", "shareIdentifier"):
            if job.get(key) not in (None, {}, []):
                spec[key] = job[key]
        if job.get("schedulingPriority") is not None:
            spec["schedulingPriorityOverride"] = job["schedulingPriority"]
        if job.get("arrayProperties", {}).get("size"):
            spec["arrayProperties"] = {"size": job["arrayProperties"]["size"]}
        if job.get("dependsOn"):
            spec["unknown"].append("dependsOn: the jobs it waited on have finished; submitted without them")
        if job.get("nodeProperties") or job.get("eksProperties"):
            spec["unknown"].append("multi-node or EKS job: nodeOverrides/eksPropertiesOverride not derived")
        return spec
