"""Glue: "Glue Job State Change" FAILED, TIMEOUT and ERROR; STOPPED only when configured.

Evidence: GetJobRun (ErrorMessage, attempt, worker type and count, timeout, execution time, the run's
arguments, redacted), the event's own message when it says more than the run's ErrorMessage (the
message of a FAILED event is the real error), GetJob (script, role, Glue version), the run's lines in
``<LogGroupName>/error`` and ``<LogGroupName>/output`` (``/aws-glue/jobs`` by default; every stream of
the run: the driver's is named by the run id, each executor's ``<run id>_<executor id>``); for a Ray job
(``glueray``, its Z.2X workers), the run's lines in ``/aws-glue/ray/jobs/script-log`` (the script's own,
with the lines Ray's processes echo to it: a raylet's OOM kills) and ``ray-monitor-log`` (the autoscaler),
where Glue writes them instead; and Glue
Data Catalog metadata for the tables named in the arguments
(``--database``/``--table_name`` and the like).

A STOPPED run is reported (as manual_stop) only when REPORT_GLUE_STOPPED is true; SUCCEEDED and the
running states never are.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote

from ...errors import MalformedEvent
from ...evidence.catalog import table_metadata
from ...formats import fmt_duration
from ...model import Incident, Link, Resource, Skip, iso
from ..base import console_log_url, parse_time, region_and_account, shorten
from .spec import GlueSpec

if TYPE_CHECKING:
    from ..base import Collector

__all__ = ["GlueEvidence", "run_console_url", "unpinned_modules"]

logger = logging.getLogger(__name__)

REPORTED = {"FAILED", "TIMEOUT", "ERROR"}
# The arguments that say which libraries a job loads, and how (Glue's special parameters).
_LIBRARY_ARGUMENTS = frozenset({"--extra-jars", "--extra-py-files", "--additional-python-modules", "--user-jars-first",
                                "--python-modules-installer-option", "--datalake-formats", "--conf"})
# An entry of --additional-python-modules that names a package without a version (``requests``, ``pandas[aws]``):
# pip takes the newest release at every start. A pinned one (``==``, ``<``, ``~=``...) or a wheel or path is not.
_UNPINNED = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*(?:\[[^\]]*\])?$")


def unpinned_modules(arguments: dict[str, Any]) -> list[str]:
    """The packages --additional-python-modules installs at the start of every run without a version."""
    value = str(arguments.get("--additional-python-modules") or "")
    return [m.strip() for m in value.split(",") if _UNPINNED.match(m.strip())]


_PHRASE = {"FAILED": "failed", "TIMEOUT": "timed out", "ERROR": "ended in ERROR", "STOPPED": "was stopped"}
_DEFAULT_LOG_GROUP = "/aws-glue/jobs"
_RAY_LOG_GROUP = "/aws-glue/ray/jobs"
# The script's log (with what Ray's processes echo to it) before the autoscaler's, as (group, items).
_RAY_LOGS = (("script-log", 8), ("ray-monitor-log", 3))
_LOG_TITLES = {"error": "Error log", "output": "Output log", "script-log": "Ray script log",
               "ray-monitor-log": "Ray autoscaler log"}
_MAX_RUN_HOURS = 48  # Glue's default job timeout (2,880 minutes): the widest window a run can need
_DB_KEYS = ("database", "database_name", "db", "db_name", "catalog_database", "glue_database")


def _is_ray(run: dict[str, Any], job_type: Any) -> bool:
    """A Glue for Ray job: its command (``glueray``), its workers (Z.2X only runs Ray) or its log group."""
    return (job_type == "glueray" or str(run.get("WorkerType") or "").startswith("Z.")
            or "/ray/" in str(run.get("LogGroupName") or "") + "/")


def run_console_url(region: str, job: str, run_id: str) -> str:
    return (f"https://{region}.console.aws.amazon.com/gluestudio/home?region={region}"
            f"#/job/{quote(job, safe='')}/run/{run_id}")


def _job_console(region: str, job: str) -> str:
    return (f"https://{region}.console.aws.amazon.com/gluestudio/home?region={region}"
            f"#/editor/job/{quote(job, safe='')}/details")


def datasets_from_arguments(arguments: dict[str, Any]) -> list[str]:
    """``db.table`` names from job arguments: ``--table_name x`` with ``--database d``, ``--source_table
    d.x``, ``--target_table y`` with ``--target_database e``..."""
    low = {str(k).lstrip("-").lower(): str(v) for k, v in arguments.items() if v not in (None, "")}
    found: list[str] = []
    for key, value in low.items():
        if "table" not in key or key.endswith(("_format", "_type", "_location", "_path")):
            continue
        if "." in value and "/" not in value:
            found.append(value)
            continue
        prefix = key.split("table", 1)[0]
        db = next((low[prefix + k] for k in _DB_KEYS if prefix + k in low), None) or next(
            (low[k] for k in _DB_KEYS if k in low), None)
        if db and "/" not in value:
            found.append(f"{db}.{value}")
    return list(dict.fromkeys(found))


class GlueEvidence:
    """Parsing of the service's events and collection of its evidence (the adapter's first half)."""

    name: ClassVar[str]  # the adapter's

    def parse(self, event: dict[str, Any]) -> Incident | Skip:
        """Reads REPORT_GLUE_STOPPED (at call time) to decide on STOPPED runs."""
        from ...config import settings

        detail = event.get("detail") or {}
        job, state = detail.get("jobName"), detail.get("state")
        if not job or not state:
            raise MalformedEvent("Glue event without detail.jobName or detail.state")
        region, account = region_and_account(event, "Glue")
        if state == "STOPPED" and not settings().report_glue_stopped:
            return Skip("Glue job run STOPPED: not reported unless REPORT_GLUE_STOPPED is true")
        if state not in REPORTED and state != "STOPPED":
            return Skip(f"job run state {state} is not a failure")
        arn = f"arn:aws:glue:{region}:{account}:job/{job}"
        return Incident(source=self.name, event_id=str(event.get("id", "")), detail_type=event["detail-type"],
                        region=region, account=account,
                        resource=Resource(arn=arn, name=str(job), run_id=detail.get("jobRunId")),
                        status=state, event_time=event.get("time"), stopped_at=iso(event.get("time")),
                        catalog_arns=[arn], detail=detail)

    # -- evidence ---------------------------------------------------------------------------------
    def collect(self, c: Collector) -> None:
        inc = c.incident
        job, run_id = inc.resource.name, inc.resource.run_id
        glue = c.client("glue")
        c.context.update(job_name=job, job_run_id=run_id or "?",
                         what=f"Glue job run {run_id or '?'} of {job}",
                         status_phrase=_PHRASE.get(inc.status, inc.status),
                         job_console_url=_job_console(inc.region, job))
        if run_id:
            c.links.append(Link(f"Run {run_id[:16]}… in the Glue console",
                                run_console_url(inc.region, job, run_id)))
            out = c.call(f"GetJobRun {run_id}", glue.get_job_run, JobName=job, RunId=run_id,
                         PredecessorsIncluded=False)
            run = (out or {}).get("JobRun")
        else:
            c.book.gap("the event names no job run id")
            run = None
        definition = (c.call(f"GetJob {job}", glue.get_job, JobName=job) or {}).get("Job")
        message = str(inc.detail.get("message") or "")
        if run:
            error = self._run(c, run, message)
        else:
            text = (f"Job run {run_id or '?'} of {job} {inc.status} "
                    "(from the event; the run itself could not be read)")
            c.add("job", "events:Glue Job State Change", text + (f": {message}" if message else ""),
                  inc.event_time, status=inc.status, error_message=message)
            error = message
        c.context["error_message"] = shorten(error, 300) if error else "?"
        if definition:
            self._definition(c, definition)
        self._logs(c, run or {}, run_id)
        run = run or {}
        # JobRun.Arguments holds the run's own arguments only; the job's defaults apply beneath them.
        arguments = {**((definition or {}).get("DefaultArguments") or {}), **(run.get("Arguments") or {})}
        unpinned = unpinned_modules(arguments)
        if unpinned:
            in_run = "--additional-python-modules" in (run.get("Arguments") or {})
            given_by = "glue:GetJobRun" if in_run else "glue:GetJob"
            c.add("config", given_by, "Installed at the start of every run without a version "
                  f"(--additional-python-modules): {', '.join(unpinned[:8])}", None,
                  unpinned_modules=",".join(unpinned))
        # The libraries the job's defaults load (a connector jar, a wheel, the Spark settings): a linkage error
        # ("NoSuchMethodError: scala.Some.value()", a bundle built for Scala 2.12 on Glue 2.0's 2.11) names
        # neither the jar nor its version; the defaults do. The run's own arguments are shown above.
        libraries = {k: v for k, v in ((definition or {}).get("DefaultArguments") or {}).items()
                     if k in _LIBRARY_ARGUMENTS and k not in (run.get("Arguments") or {})}
        if libraries:
            c.add_json("config", "glue:GetJob", "Job default arguments (libraries and settings)", libraries,
                       limit=600)
        datasets = datasets_from_arguments(arguments)
        c.context["datasets"] = ", ".join(datasets) or "none named in the arguments"
        if datasets:
            table_metadata(c, datasets)
        # What a redrive passes to StartJobRun: the same run arguments and capacity. The incident keeps
        # them redacted; a redrive reads the real arguments again with GetJobRun.
        c.context["redrive"] = GlueSpec(
            service="glue", JobName=job, Arguments=dict(run.get("Arguments") or {}),
            WorkerType=run.get("WorkerType") or "", NumberOfWorkers=run.get("NumberOfWorkers"),
            Timeout=run.get("Timeout"), JobRunId=run_id or "", state=inc.status)

    def _run(self, c: Collector, run: dict[str, Any], message: str) -> str:
        inc = c.incident
        state = run.get("JobRunState") or inc.status
        error = str(run.get("ErrorMessage") or "")
        started, completed = parse_time(run.get("StartedOn")), parse_time(run.get("CompletedOn"))
        inc.started_at = inc.started_at or iso(started)
        if completed:
            inc.stopped_at = iso(completed)
        seconds = run.get("ExecutionTime")
        text = f"Run {state}"
        text += f" after {fmt_duration(seconds)}" if isinstance(seconds, int) and seconds else ""
        attempt = run.get("Attempt") if isinstance(run.get("Attempt"), int) else 0
        text += f" (attempt {attempt + 1})" if attempt else ""
        text += f": {shorten(error, 1200)}" if error else ": no ErrorMessage"
        c.add("job", "glue:GetJobRun", text, completed or run.get("LastModifiedOn"), status=state,
              error_message=error, attempt=attempt)
        if message and (not error or (error.strip() not in message and message.strip() not in error)):
            c.add("job", "events:Glue Job State Change", f"Event message: {message}", inc.event_time,
                  status=inc.status, error_message=message)
            error = error or message
        timeout, workers, worker_type = run.get("Timeout"), run.get("NumberOfWorkers"), run.get("WorkerType")
        parts: list[str] = []
        if worker_type or workers:
            parts.append(f"{workers or '?'} × {worker_type or '?'} workers")
        elif run.get("MaxCapacity"):
            parts.append(f"{run['MaxCapacity']} DPU")
        if run.get("GlueVersion"):
            parts.append(f"Glue {run['GlueVersion']}")
        if timeout:
            parts.append(f"timeout {timeout} min")
        if isinstance(seconds, int):
            parts.append(f"ran {fmt_duration(seconds)}" + (f" of its {timeout} min" if timeout else ""))
        if run.get("ExecutionClass"):
            parts.append(f"{run['ExecutionClass'].lower()} execution class")
        if parts:
            c.add("config", "glue:GetJobRun", "Run settings: " + ", ".join(parts),
                  worker_type=worker_type or "", workers=workers or 0, timeout_minutes=timeout or 0,
                  execution_seconds=seconds or 0)
        if run.get("Arguments"):
            c.add_json("config", "glue:GetJobRun", "Run arguments", run["Arguments"], limit=600)
        c.context.update(worker_type=worker_type or "?", workers=workers or "?", capacity=parts[0] if parts else "?",
                         timeout_minutes=timeout or "?", glue_version=run.get("GlueVersion") or "?",
                         execution_minutes=f"{seconds / 60:.0f}" if isinstance(seconds, int) else "?",
                         attempt=attempt)
        return error

    def _definition(self, c: Collector, job: dict[str, Any]) -> None:
        command = job.get("Command") or {}
        parts = [f"{command.get('Name', '?')} job"]
        if command.get("ScriptLocation"):
            parts.append(f"script {command['ScriptLocation']}")
        if job.get("Role"):
            parts.append(f"role {job['Role']}")
        if job.get("GlueVersion"):
            parts.append(f"Glue {job['GlueVersion']}")
        if job.get("MaxRetries") is not None:
            parts.append(f"max retries {job['MaxRetries']}")
        # A job without a connection runs outside your VPC: a database or cluster inside it is out of its reach.
        connections = [str(n) for n in (job.get("Connections") or {}).get("Connections") or []]
        parts.append(f"connections {', '.join(connections)}" if connections
                     else "no connection (it runs outside your VPC)")
        name = job.get("Name", c.incident.resource.name)
        c.add("config", "glue:GetJob", f"Job {name}: " + ", ".join(parts), role=job.get("Role") or "",
              script_location=command.get("ScriptLocation") or "", connections=len(connections))
        c.context.update(role=job.get("Role") or "?", script_location=command.get("ScriptLocation") or "?",
                         job_type=command.get("Name") or "?")
        if c.context.get("glue_version") in (None, "?") and job.get("GlueVersion"):
            c.context["glue_version"] = job["GlueVersion"]

    def _logs(self, c: Collector, run: dict[str, Any], run_id: str | None) -> None:
        if not run_id:
            return
        inc = c.incident
        end = parse_time(run.get("CompletedOn")) or parse_time(inc.event_time)
        start = parse_time(run.get("StartedOn"))
        if end is None:
            return
        failure = end
        end = end + timedelta(seconds=c.settings.log_window_after)
        if start is None:
            start = end - timedelta(hours=_MAX_RUN_HOURS)
        start -= timedelta(seconds=60)
        base = (run.get("LogGroupName") or _DEFAULT_LOG_GROUP).rstrip("/")
        logs: tuple[tuple[str, int], ...] = (("error", 8), ("output", 4))
        if _is_ray(run, c.context.get("job_type")):
            base, logs = (base if "/ray/" in base + "/" else _RAY_LOG_GROUP), _RAY_LOGS
        c.context.update(error_log_group=f"{base}/{logs[0][0]}", output_log_group=f"{base}/{logs[1][0]}")
        for suffix, items in logs:
            group = f"{base}/{suffix}"
            c.links.append(Link(f"{_LOG_TITLES[suffix]} of the run in CloudWatch",
                                console_log_url(inc.region, group, start, end, stream=run_id)))
            # The driver writes the stream named by the run id, each executor ``<run id>_<executor>``:
            # the prefix reads them all (the cause is often only in an executor's stream).
            c.logs(group, start, end, stream_prefix=run_id, failure_time=failure, max_items=items)
