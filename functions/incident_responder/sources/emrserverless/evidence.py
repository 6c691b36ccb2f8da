"""EMR Serverless: "EMR Serverless Job Run State Change" FAILED and CANCELLED.

Evidence: GetJobRun (``stateDetails``, the execution role, the job driver's entry point and Spark
parameters, redacted, the run's duration and timeout), the driver's stderr and stdout from the run's
S3 log location (``<logUri>/applications/<app>/jobs/<run>/SPARK_DRIVER/stderr.gz``) or its CloudWatch
log streams (``/aws/emr-serverless`` by default), and GetApplication (release, state and the
application's ``maximumCapacity``: the ceiling a job cannot grow past), and when the job's own Spark sizes
ask for more than that ceiling, the sum (:mod:`..sparksizing`).

SUCCESS and the running states are not reported.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from ...errors import MalformedEvent
from ...model import Incident, Link, Resource, Skip, iso
from ..base import console_log_url, parse_time, region_and_account, shorten
from ..sparkjobs import (
    EMR_SERVERLESS,
    EXECUTOR_ITEMS,
    EXECUTORS_READ,
    LOG_ITEMS,
    driver_summary,
    failed_executors,
    read_s3_log_object,
)
from ..sparksizing import fit, spark_ask
from .spec import EmrServerlessSpec

if TYPE_CHECKING:
    from ..base import Collector

__all__ = ["EmrServerlessEvidence", "job_run_url"]

REPORTED = {"FAILED", "CANCELLED"}
_PHRASE = {"FAILED": "failed", "CANCELLED": "was cancelled"}
DEFAULT_LOG_GROUP = "/aws/emr-serverless"
# The key a parent's collector sets in the event it builds for a child run: the job run its cause holds.
JOB_RUN_FROM_CAUSE = "x-job-run"


def job_run_url(region: str, application_id: str, run_id: str) -> str:
    return (f"https://{region}.console.aws.amazon.com/emr/home?region={region}"
            f"#/serverless-applications/{application_id}/job-runs/{run_id}")


def application_arn(region: str, account: str, application_id: str) -> str:
    return f"arn:aws:emr-serverless:{region}:{account}:/applications/{application_id}"


class EmrServerlessEvidence:
    """Parsing of the service's events and collection of its evidence (the adapter's first half)."""

    name: ClassVar[str]

    def parse(self, event: dict[str, Any]) -> Incident | Skip:
        detail = event.get("detail") or {}
        app, run_id, state = detail.get("applicationId"), detail.get("jobRunId"), detail.get("state")
        if not app or not run_id or not state:
            raise MalformedEvent("EMR Serverless event without detail.applicationId, jobRunId or state")
        region, account = region_and_account(event, "EMR Serverless")
        if state not in REPORTED:
            return Skip(f"job run state {state} is not a failure")
        arn = application_arn(region, account, app)
        return Incident(source=self.name, event_id=str(event.get("id", "")), detail_type=event["detail-type"],
                        region=region, account=account, resource=Resource(arn=arn, name=str(app), run_id=run_id),
                        status=state, event_time=event.get("time"), started_at=iso(detail.get("createdAt")),
                        stopped_at=iso(detail.get("updatedAt") or event.get("time")),
                        catalog_arns=[str(detail.get("arn") or ""), arn] if detail.get("arn") else [arn],
                        detail=detail)

    def collect(self, c: Collector) -> None:
        inc = c.incident
        app, run_id = inc.resource.name, str(inc.resource.run_id)
        client = c.client("emr-serverless")
        c.context.update(application_id=app, job_run_id=run_id, what=f"EMR Serverless job run {run_id} on {app}",
                         status_phrase=_PHRASE.get(inc.status, inc.status.lower()))
        c.links.append(Link("Job run in the EMR Studio console", job_run_url(inc.region, app, run_id)))
        run = (c.call(f"GetJobRun {run_id}", client.get_job_run, applicationId=app, jobRunId=run_id) or {}).get(
            "jobRun")
        application = (c.call(f"GetApplication {app}", client.get_application, applicationId=app) or {}).get(
            "application")
        source = "emr-serverless:GetJobRun"
        if not run and isinstance(inc.detail.get(JOB_RUN_FROM_CAUSE), dict):
            # A Step Functions task's cause holds the job run as GetJobRun returned it when the run ended:
            # read that when the run can no longer be read (its application deleted since).
            run, source = inc.detail[JOB_RUN_FROM_CAUSE], "emr-serverless job run (from the task's cause)"
        if run:
            self._run(c, run, source)
        else:
            c.add("job", "events:EMR Serverless Job Run State Change",
                  f"Job run {run_id} {inc.status} (from the event; the run itself could not be read)",
                  inc.event_time, state=inc.status, state_details="")
            c.context.setdefault("state_details", "?")
        if application:
            self._application(c, application, run)
        if run:
            self._logs(c, app, run_id, run)
            c.context["redrive"] = EmrServerlessSpec(
                service="emr-serverless", applicationId=app, jobRunId=run_id,
                executionRoleArn=str(run.get("executionRole") or ""), jobDriver=dict(run.get("jobDriver") or {}),
                configurationOverrides=dict(run.get("configurationOverrides") or {}),
                executionTimeoutMinutes=run.get("executionTimeoutMinutes"), name=str(run.get("name") or ""),
                state=inc.status)

    def _run(self, c: Collector, run: dict[str, Any], source: str = "emr-serverless:GetJobRun") -> None:
        inc = c.incident
        state = run.get("state") or inc.status
        details = str(run.get("stateDetails") or "")
        started, ended = parse_time(run.get("createdAt")), parse_time(run.get("updatedAt"))
        inc.started_at = iso(started) or inc.started_at
        inc.stopped_at = iso(ended) or inc.stopped_at
        c.add("job", source,
              f"Job run {state}: {shorten(details, 1200) if details else 'no stateDetails'}", ended,
              state=state, state_details=details)
        entry, command = driver_summary(run.get("jobDriver") or {}, EMR_SERVERLESS)
        c.add("config", source, f"Job driver: {shorten(command, 600)}", entry_point=entry)
        timeout = run.get("executionTimeoutMinutes")
        seconds = run.get("totalExecutionDurationSeconds")
        parts = [f"release {run.get('releaseLabel') or '?'}", f"role {run.get('executionRole') or '?'}"]
        if isinstance(seconds, int):
            parts.append(f"ran {seconds // 60} min {seconds % 60} s")
        if timeout:
            parts.append(f"timeout {timeout} min")
        c.add("config", source, "Run settings: " + ", ".join(parts),
              timeout_minutes=timeout or 0, execution_seconds=seconds or 0)
        c.context.update(state_details=shorten(details, 300) if details else "?", entry_point=entry,
                         execution_role=run.get("executionRole") or "?", timeout_minutes=timeout or "?",
                         job_name=run.get("name") or "?", release_label=run.get("releaseLabel") or "?")

    def _application(self, c: Collector, application: dict[str, Any], run: dict[str, Any] | None = None) -> None:
        cap = application.get("maximumCapacity") or {}
        limits = ", ".join(f"{k} {cap[k]}" for k in ("cpu", "memory", "disk") if cap.get(k)) or "no maximum set"
        text = (f"Application {application.get('name') or application.get('applicationId')} "
                f"({application.get('type') or '?'}, {application.get('releaseLabel') or '?'}, "
                f"{application.get('state') or '?'}): maximum capacity {limits}")
        c.add("config", "emr-serverless:GetApplication", text, max_cpu=str(cap.get("cpu") or ""),
              max_memory=str(cap.get("memory") or ""), application_state=application.get("state") or "")
        c.context.update(application_name=application.get("name") or c.context.get("application_id"),
                         max_capacity=limits)
        ask = spark_ask(run, application) if run else None
        fits = fit(ask, cap) if ask else None
        if fits is not None and fits.verdict != "yes":
            # The job's own ask is over the ceiling: no other run needs to hold the capacity for it to fail.
            c.add("config", "emr-serverless:GetJobRun", fits.text, job_fits=fits.verdict)
            c.context["job_ask"] = fits.text

    def _logs(self, c: Collector, app: str, run_id: str, run: dict[str, Any]) -> None:
        inc = c.incident
        monitoring = (run.get("configurationOverrides") or {}).get("monitoringConfiguration") or {}
        s3 = (monitoring.get("s3MonitoringConfiguration") or {}).get("logUri")
        cw = monitoring.get("cloudWatchLoggingConfiguration") or {}
        end = parse_time(run.get("updatedAt")) or parse_time(inc.event_time)
        start = parse_time(run.get("createdAt"))
        suffix = f"applications/{app}/jobs/{run_id}/SPARK_DRIVER"
        read = False
        if s3:
            read = True
            folder = f"{str(s3).rstrip('/')}/{suffix}"
            c.context["driver_log"] = f"{folder}/stderr.gz"
            for name, items in LOG_ITEMS.items():
                read_s3_log_object(c, f"{folder}/{name}.gz", f"driver {name}", end, items)
            executors = f"{str(s3).rstrip('/')}/applications/{app}/jobs/{run_id}/SPARK_EXECUTOR"
            for executor in failed_executors(c)[:EXECUTORS_READ]:
                read_s3_log_object(c, f"{executors}/{executor}/stderr.gz", f"executor {executor} stderr", end,
                                   EXECUTOR_ITEMS)
        if cw.get("enabled"):
            read = True
            group = str(cw.get("logGroupName") or DEFAULT_LOG_GROUP)
            prefix = str(cw.get("logStreamNamePrefix") or "").strip("/")
            stream = f"{prefix}/{suffix}" if prefix else f"/{suffix}"
            c.context.setdefault("driver_log", f"{group} {stream}/stderr")
            window_end = (end + timedelta(seconds=c.settings.log_window_after)) if end else None
            window_start = (start - timedelta(seconds=60)) if start else None
            url = console_log_url(inc.region, group, window_start, window_end, stream=f"{stream}/stderr")
            c.links.append(Link("Driver logs in CloudWatch", url))
            for name, items in LOG_ITEMS.items():
                c.logs(group, window_start, window_end, stream_names=[f"{stream}/{name}"], failure_time=end,
                       max_items=items)
            failed = failed_executors(c)[:EXECUTORS_READ]
            if failed:
                base = stream.rsplit("/", 1)[0]
                c.logs(group, window_start, window_end, failure_time=end, max_items=EXECUTOR_ITEMS,
                       stream_names=[f"{base}/SPARK_EXECUTOR/{e}/stderr" for e in failed])
        if not read:
            c.book.gap("driver logs: the job run sends its logs neither to S3 nor to CloudWatch "
                       "(monitoringConfiguration), or only to managed storage, which the responder cannot read")
