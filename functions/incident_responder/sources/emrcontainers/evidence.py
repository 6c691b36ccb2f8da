"""EMR on EKS (``emr-containers``): "EMR Job Run State Change" FAILED and CANCELLED.

Evidence: DescribeJobRun (``failureReason``, ``stateDetails``, the release label, the execution role, the
Spark submit job driver and the Spark sizes it sets, redacted, the run's duration and retry policy),
DescribeVirtualCluster when the run failed with CLUSTER_UNAVAILABLE or cannot be described (the EKS cluster
and namespace the virtual cluster stands for, and its state), and the Spark driver's
stderr and stdout, then the stderr of the executors the driver says failed tasks ran on. EMR on EKS writes
a pod's logs under ``<virtualClusterId>/jobs/<jobRunId>/containers/<sparkAppId>/<podName>/``: in CloudWatch
as streams ``<logStreamNamePrefix>/<that>/stderr`` (and ``stdout``) of the job's ``logGroupName``, in S3 as
``<logUri>/<that>/stderr.gz``. The Spark application is ``spark-<jobRunId>`` and its driver pod
``spark-<jobRunId>-driver``; executor pods are ``<app name>-<hash>-exec-<N>``, so they are found by one
listing of the application's folder. CloudWatch is read first; S3 when the job sends no logs to CloudWatch
or CloudWatch gave none (a log group that does not exist is a gap that says so). When the driver left no log
(it never started: spark-submit could not create it, or the executors' volumes), the job runner's stderr is read
instead: the pod that ran spark-submit, ``<virtualClusterId>/jobs/<jobRunId>/containers/<jobRunId>-<suffix>/``,
found by one listing.

COMPLETED and the running states are not reported.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from ...errors import MalformedEvent
from ...model import Incident, Link, Resource, Skip, iso
from ..base import console_log_url, parse_time, region_and_account, shorten
from ..emrserverless.evidence import JOB_RUN_FROM_CAUSE
from ..sparkjobs import (
    EMR_ON_EKS,
    EXECUTOR_ITEMS,
    EXECUTORS_READ,
    LOG_ITEMS,
    driver_summary,
    failed_executors,
    read_s3_log_object,
)
from ..sparksizing import spark_properties
from .spec import EmrContainersSpec

if TYPE_CHECKING:
    from datetime import datetime

    from ..base import Collector

__all__ = ["JOB_RUN_FROM_CAUSE", "EmrContainersEvidence", "job_runs_url", "spark_settings"]

REPORTED = {"FAILED", "CANCELLED"}
_PHRASE = {"FAILED": "failed", "CANCELLED": "was cancelled"}
LIST_LIMIT = 200  # log streams or objects listed in the Spark application's folder
# The Spark settings a report shows: the sizes and counts of the driver and executors, and where they spill.
_SHOWN = re.compile(r"^spark\.(driver|executor)\.(memory|memoryOverhead|cores|instances)$|"
                    r"^spark\.dynamicAllocation\.(enabled|maxExecutors)$|^spark\.local\.dir$|"
                    r"^spark\.kubernetes\.(driver|executor)\.(request\.cores|limit\.cores|volumes\..*)$")


def job_runs_url(region: str, virtual_cluster_id: str) -> str:
    """The virtual cluster's page in the EMR console, which lists its job runs."""
    return (f"https://{region}.console.aws.amazon.com/emr/home?region={region}"
            f"#/eks/clusterDetails/{virtual_cluster_id}")


def virtual_cluster_arn(region: str, account: str, virtual_cluster_id: str) -> str:
    return f"arn:aws:emr-containers:{region}:{account}:/virtualclusters/{virtual_cluster_id}"


def spark_settings(run: dict[str, Any]) -> dict[str, str]:
    """The Spark settings a job run sets that size it (spark-defaults of its configuration overrides, then its
    sparkSubmitParameters, which win), by Spark property name."""
    spark = (run.get("jobDriver") or {}).get("sparkSubmitJobDriver") or {}
    props = spark_properties(spark, (run.get("configurationOverrides") or {}).get("applicationConfiguration"))
    return {k: v for k, v in props.items() if _SHOWN.match(k)}


class EmrContainersEvidence:
    """Parsing of the service's events and collection of its evidence (the adapter's first half)."""

    name: ClassVar[str]

    def parse(self, event: dict[str, Any]) -> Incident | Skip:
        detail = event.get("detail") or {}
        vc, run_id, state = detail.get("virtualClusterId"), detail.get("id"), detail.get("state")
        if not vc or not run_id or not state:
            raise MalformedEvent("EMR on EKS event without detail.virtualClusterId, id or state")
        region, account = region_and_account(event, "EMR on EKS")
        if state not in REPORTED:
            return Skip(f"job run state {state} is not a failure")
        arn = virtual_cluster_arn(region, account, vc)
        run_arn = str(detail.get("arn") or "")
        return Incident(source=self.name, event_id=str(event.get("id", "")), detail_type=event["detail-type"],
                        region=region, account=account, resource=Resource(arn=arn, name=str(vc), run_id=run_id),
                        status=state, event_time=event.get("time"), started_at=iso(detail.get("createdAt")),
                        stopped_at=iso(detail.get("finishedAt") or event.get("time")),
                        catalog_arns=[run_arn, arn] if run_arn else [arn], detail=detail)

    def collect(self, c: Collector) -> None:
        inc = c.incident
        vc, run_id = inc.resource.name, str(inc.resource.run_id)
        client = c.client("emr-containers")
        c.context.update(virtual_cluster_id=vc, job_run_id=run_id,
                         what=f"EMR on EKS job run {run_id} on virtual cluster {vc}",
                         status_phrase=_PHRASE.get(inc.status, inc.status.lower()))
        c.links.append(Link("Virtual cluster and its job runs in the EMR console", job_runs_url(inc.region, vc)))
        run = (c.call(f"DescribeJobRun {run_id}", client.describe_job_run, id=run_id, virtualClusterId=vc)
               or {}).get("jobRun")
        source = "emr-containers:DescribeJobRun"
        if not run and isinstance(inc.detail.get(JOB_RUN_FROM_CAUSE), dict):
            # A Step Functions .sync task's cause is DescribeJobRun's answer when the run ended: read that when
            # the run can no longer be described (its virtual cluster deleted since).
            run, source = inc.detail[JOB_RUN_FROM_CAUSE], "emr-containers job run (from the task's cause)"
        if run:
            self._run(c, run, source)
        else:
            c.add("job", "events:EMR Job Run State Change",
                  f"Job run {run_id} {inc.status}"
                  + (f": {inc.detail['stateDetails']}" if inc.detail.get("stateDetails") else "")
                  + " (from the event; the run itself could not be read)",
                  inc.event_time, state=inc.status, state_details=str(inc.detail.get("stateDetails") or ""))
            c.context.setdefault("state_details", "?")
        if not run or run.get("failureReason") == "CLUSTER_UNAVAILABLE":
            # The EKS cluster or namespace the virtual cluster stands for could not run the job (or the run is
            # gone): its state and where it points are the evidence. Otherwise the call is not worth its cost.
            cluster = (c.call(f"DescribeVirtualCluster {vc}", client.describe_virtual_cluster, id=vc)
                       or {}).get("virtualCluster")
            if cluster:
                self._cluster(c, cluster)
        if run:
            self._logs(c, vc, run_id, run)
            c.context["redrive"] = EmrContainersSpec(
                service="emr-containers", virtualClusterId=vc, jobRunId=run_id,
                executionRoleArn=str(run.get("executionRoleArn") or ""),
                releaseLabel=str(run.get("releaseLabel") or ""),
                jobDriver=dict(run.get("jobDriver") or {}),
                configurationOverrides=dict(run.get("configurationOverrides") or {}),
                retryPolicyConfiguration=dict(run.get("retryPolicyConfiguration") or {}),
                name=str(run.get("name") or ""), state=inc.status)

    def _run(self, c: Collector, run: dict[str, Any], source: str) -> None:
        inc = c.incident
        state = run.get("state") or inc.status
        details = str(run.get("stateDetails") or "")
        reason = str(run.get("failureReason") or "")
        started, ended = parse_time(run.get("createdAt")), parse_time(run.get("finishedAt"))
        inc.started_at = iso(started) or inc.started_at
        inc.stopped_at = iso(ended) or inc.stopped_at
        said = f"{reason}: {details}" if reason and details else reason or details or "no stateDetails"
        c.add("job", source, f"Job run {state}: {shorten(said, 1200)}", ended,
              state=state, state_details=details, failure_reason=reason)
        entry, command = driver_summary(run.get("jobDriver") or {}, EMR_ON_EKS)
        c.add("config", source, f"Job driver: {shorten(command, 600)}", entry_point=entry)
        settings = spark_settings(run)
        if settings:
            shown = ", ".join(f"{k}={v}" for k, v in settings.items())
            c.add("config", source, f"Spark settings: {shorten(shown, 600)}", spark_settings=shown)
            c.context["spark_settings"] = shown
        parts = [f"release {run.get('releaseLabel') or '?'}", f"role {run.get('executionRoleArn') or '?'}"]
        if started and ended:
            seconds = int((ended - started).total_seconds())
            parts.append(f"ran {seconds // 60} min {seconds % 60} s")
        retries = run.get("retryPolicyExecution") or {}
        limit = (run.get("retryPolicyConfiguration") or {}).get("maxAttempts")
        if retries.get("currentAttemptCount") is not None:
            parts.append(f"attempt {retries['currentAttemptCount']}" + (f" of {limit}" if limit else ""))
        c.add("config", source, "Run settings: " + ", ".join(parts), release_label=run.get("releaseLabel") or "")
        c.context.update(state_details=shorten(details, 300) if details else "?", failure_reason=reason or "?",
                         entry_point=entry, execution_role=run.get("executionRoleArn") or "?",
                         job_name=run.get("name") or "?", release_label=run.get("releaseLabel") or "?")

    @staticmethod
    def _cluster(c: Collector, cluster: dict[str, Any]) -> None:
        provider = cluster.get("containerProvider") or {}
        namespace = ((provider.get("info") or {}).get("eksInfo") or {}).get("namespace") or "?"
        text = (f"Virtual cluster {cluster.get('name') or cluster.get('id')} ({cluster.get('state') or '?'}): "
                f"EKS cluster {provider.get('id') or '?'}, namespace {namespace}")
        c.add("config", "emr-containers:DescribeVirtualCluster", text, virtual_cluster_state=cluster.get("state") or "",
              namespace=namespace)
        c.context.update(virtual_cluster_name=cluster.get("name") or c.context.get("virtual_cluster_id"),
                         eks_cluster=provider.get("id") or "?", namespace=namespace)

    def _logs(self, c: Collector, vc: str, run_id: str, run: dict[str, Any]) -> None:
        inc = c.incident
        monitoring = (run.get("configurationOverrides") or {}).get("monitoringConfiguration") or {}
        s3 = (monitoring.get("s3MonitoringConfiguration") or {}).get("logUri")
        cw = monitoring.get("cloudWatchMonitoringConfiguration") or {}
        end = parse_time(run.get("finishedAt")) or parse_time(inc.event_time)
        start = parse_time(run.get("createdAt"))
        app = f"{vc}/jobs/{run_id}/containers/spark-{run_id}"
        driver = f"{app}/spark-{run_id}-driver"
        runner = f"{vc}/jobs/{run_id}/containers/{run_id}-"  # the job runner pod's folder, its suffix unknown
        read = False
        if cw.get("logGroupName"):
            read = self._cloudwatch(c, str(cw["logGroupName"]), str(cw.get("logStreamNamePrefix") or "").strip("/"),
                                    app, driver, runner, start, end)
        if s3 and not read:
            folder = str(s3).rstrip("/")
            c.context["driver_log"] = f"{folder}/{driver}/stderr.gz"
            read = True
            for name, items in LOG_ITEMS.items():  # stderr first: without it the driver never ran
                got = read_s3_log_object(c, f"{folder}/{driver}/{name}.gz", f"driver {name}", end, items)
                if not got and name == "stderr":
                    self._s3_runner(c, f"{folder}/{runner}", end)
                    break
            failed = failed_executors(c)[:EXECUTORS_READ]
            if failed:
                self._s3_executors(c, f"{folder}/{app}/", failed, end)
        if not read and not cw.get("logGroupName"):
            c.book.gap("driver logs: the job run sends its logs neither to CloudWatch nor to S3 "
                       "(monitoringConfiguration), or only to managed logs, which the responder cannot read")

    def _cloudwatch(self, c: Collector, group: str, prefix: str, app: str, driver: str, runner: str,
                    start: datetime | None, end: datetime | None) -> bool:
        """The driver's stderr and stdout streams, then the failed executors' stderr (the job runner's stderr when
        the driver wrote nothing); whether any line was read."""
        inc = c.incident
        stream = f"{prefix}/{driver}" if prefix else driver
        c.context.setdefault("driver_log", f"{group} {stream}/stderr")
        window_end = (end + timedelta(seconds=c.settings.log_window_after)) if end else None
        window_start = (start - timedelta(seconds=60)) if start else None
        c.links.append(Link("Driver logs in CloudWatch",
                            console_log_url(inc.region, group, window_start, window_end, stream=f"{stream}/stderr")))
        added = []
        for name, items in LOG_ITEMS.items():  # stderr first: without it the driver never ran
            added += c.logs(group, window_start, window_end, stream_names=[f"{stream}/{name}"], failure_time=end,
                            max_items=items)
            if not added:
                break
        if not added:
            names = _stream_names(c, group, f"{prefix}/{runner}" if prefix else runner)
            chosen = [n for n in names if n.endswith("/stderr")][:1]
            return bool(chosen) and bool(c.logs(group, window_start, window_end, stream_names=chosen,
                                                failure_time=end, max_items=LOG_ITEMS["stderr"]))
        failed = failed_executors(c)[:EXECUTORS_READ]
        if failed:
            names = _stream_names(c, group, f"{prefix}/{app}/" if prefix else f"{app}/")
            chosen = _executor_logs(names, failed, "stderr")
            if chosen:
                c.logs(group, window_start, window_end, failure_time=end, max_items=EXECUTOR_ITEMS,
                       stream_names=chosen)
        return True

    @staticmethod
    def _s3_runner(c: Collector, folder: str, end: datetime | None) -> None:
        """The job runner pod's stderr.gz, under ``folder`` (``.../containers/<jobRunId>-``)."""
        bucket, keys = _s3_listing(c, folder)
        keys = [k for k in keys if k.endswith("/stderr.gz")]
        if keys:
            read_s3_log_object(c, f"s3://{bucket}/{keys[0]}", "job runner stderr", end, LOG_ITEMS["stderr"])

    @staticmethod
    def _s3_executors(c: Collector, folder: str, failed: list[str], end: datetime | None) -> None:
        bucket, keys = _s3_listing(c, folder)
        for key in _executor_logs(keys, failed, "stderr.gz"):
            executor = re.search(r"-exec-(\d+)/", key)
            read_s3_log_object(c, f"s3://{bucket}/{key}", f"executor {executor[1] if executor else '?'} stderr", end,
                               EXECUTOR_ITEMS)


def _stream_names(c: Collector, group: str, folder: str) -> list[str]:
    """The names of the log streams under ``folder`` in ``group`` (one DescribeLogStreams call, at most 50)."""
    out = c.call(f"DescribeLogStreams {group} {folder}", c.client("logs").describe_log_streams,
                 logGroupName=group, logStreamNamePrefix=folder, limit=50)
    return [str(s.get("logStreamName")) for s in (out or {}).get("logStreams") or []]


def _s3_listing(c: Collector, folder: str) -> tuple[str, list[str]]:
    """The bucket of an ``s3://`` folder and the keys one listing of it gives (none for a folder that is no S3
    URI or could not be listed)."""
    from ...evidence.logs import parse_s3_uri

    parsed = parse_s3_uri(folder)
    if parsed is None:
        return "", []
    bucket, prefix = parsed
    out = c.call(f"ListObjectsV2 {folder}", c.client("s3").list_objects_v2, Bucket=bucket, Prefix=prefix,
                 MaxKeys=LIST_LIMIT)
    return bucket, [str(o.get("Key")) for o in (out or {}).get("Contents") or []]


def _executor_logs(names: list[str], executors: list[str], leaf: str) -> list[str]:
    """The ``<pod>-exec-<N>/<leaf>`` names of ``executors``, in their order."""
    found = []
    for executor in executors:
        found += [n for n in names if n.endswith(f"-exec-{executor}/{leaf}")][:1]
    return found
