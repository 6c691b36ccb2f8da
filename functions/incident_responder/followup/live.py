"""The failed run as AWS sees it now: a fresh describe per source, for ``status``, ``input`` and ``similar``.

Read-only calls, each wrapped: a failure becomes ``RunState.error`` (said in the answer), never an
exception out of here. Sources without a reader here answer with what the report recorded.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from ..aws import describe_error
from ..templates import escape_mrkdwn as esc

if TYPE_CHECKING:
    from ..aws import AwsContext

__all__ = ["RunState", "fmt_time", "run_state"]

_LATEST = 3


@dataclass
class RunState:
    """What a fresh describe says: ``status`` (None when unknown), ``lines`` in Slack mrkdwn (values
    escaped), and the run's input."""

    status: str | None = None
    lines: list[str] = field(default_factory=list)
    input: Any = None
    error: str | None = None
    supported: bool = True


def fmt_time(value: Any) -> str:
    """A datetime, epoch milliseconds or ISO string as ``YYYY-MM-DD HH:MM:SS UTC`` ('' when unknown)."""
    if value is None or value == "":
        return ""
    if isinstance(value, (int, float)):
        value = datetime.fromtimestamp(value / 1000, tz=UTC)
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return f"{value.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"


def _json(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def _extra(lines: list[str], what: str, read: Callable[[], list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """A read that adds to the answer: its failure is one more line, not a failed answer."""
    try:
        return read()
    except (ClientError, BotoCoreError) as exc:
        lines.append(f"_Could not read {esc(what)}: {esc(describe_error(exc))}_")
        return []


def _stepfunctions(aws: AwsContext, resource: dict[str, Any], latest: bool) -> RunState:
    sfn: Any = aws.client("stepfunctions")
    d = sfn.describe_execution(executionArn=resource["arn"])
    status = d.get("status")
    line = f"Execution `{esc(d.get('name') or resource.get('run_id'))}` is *{esc(status)}*"
    if d.get("stopDate"):
        line += f" (stopped {fmt_time(d['stopDate'])})"
    elif d.get("startDate"):
        line += f" (started {fmt_time(d['startDate'])})"
    lines = [line]
    if d.get("redriveCount"):
        lines.append(f"Redriven {d['redriveCount']} time(s), last at {fmt_time(d.get('redriveDate'))}")
    if d.get("redriveStatus") and status != "SUCCEEDED":
        reason = d.get("redriveStatusReason")
        lines.append(f"Redrive: {esc(d['redriveStatus'])}" + (f" ({esc(reason)})" if reason else ""))
    if latest and d.get("stateMachineArn"):
        name = d["stateMachineArn"].split(":")[-1]
        runs = _extra(
            lines,
            f"the latest runs of {name}",
            lambda: sfn.list_executions(stateMachineArn=d["stateMachineArn"], maxResults=_LATEST).get(
                "executions", []
            ),
        )
        if runs:
            listed = ", ".join(
                f"`{esc(r.get('name'))}` {esc(r.get('status'))} ({fmt_time(r.get('startDate'))})"
                for r in runs
            )
            lines.append(f"Latest runs of {esc(name)}: {listed}")
    return RunState(status=status, lines=lines, input=_json(d.get("input")))


def _glue(aws: AwsContext, resource: dict[str, Any], latest: bool) -> RunState:
    glue: Any = aws.client("glue")
    run = glue.get_job_run(JobName=resource["name"], RunId=resource["run_id"])["JobRun"]
    status = run.get("JobRunState")
    line = f"Job run `{esc(resource['run_id'])}` of {esc(resource['name'])} is *{esc(status)}*"
    if run.get("CompletedOn"):
        line += f" (ended {fmt_time(run['CompletedOn'])})"
    lines = [line]
    if run.get("ErrorMessage") and status != "SUCCEEDED":
        lines.append(f"Error: {esc(run['ErrorMessage'])}")
    if latest:
        runs = _extra(
            lines,
            f"the latest runs of {resource['name']}",
            lambda: glue.get_job_runs(JobName=resource["name"], MaxResults=_LATEST).get("JobRuns", []),
        )
        if runs:
            listed = ", ".join(
                f"`{esc(r.get('Id'))}` {esc(r.get('JobRunState'))} ({fmt_time(r.get('StartedOn'))})"
                for r in runs
            )
            lines.append(f"Latest runs of {esc(resource['name'])}: {listed}")
    return RunState(status=status, lines=lines, input=run.get("Arguments"))


def _batch(aws: AwsContext, resource: dict[str, Any], latest: bool) -> RunState:
    batch: Any = aws.client("batch")
    jobs = batch.describe_jobs(jobs=[resource["run_id"]]).get("jobs", [])
    if not jobs:
        return RunState(error=f"Batch job {resource['run_id']} is no longer known to AWS Batch")
    job = jobs[0]
    status = job.get("status")
    line = (
        f"Job `{esc(job.get('jobName') or resource['name'])}` ({esc(resource['run_id'])}) is *{esc(status)}*"
    )
    if job.get("stoppedAt"):
        line += f" (stopped {fmt_time(job['stoppedAt'])})"
    lines = [line]
    if job.get("statusReason") and status != "SUCCEEDED":
        lines.append(f"Reason: {esc(job['statusReason'])}")
    container = job.get("container") or {}
    given = {"parameters": job.get("parameters"), "command": container.get("command")}
    return RunState(status=status, lines=lines, input={k: v for k, v in given.items() if v})


_READERS = {"stepfunctions": _stepfunctions, "glue": _glue, "batch": _batch}


def run_state(aws: AwsContext, report: dict[str, Any], *, latest: bool = True) -> RunState:
    """Describe the report's run now. ``latest`` adds the newest runs of the same resource."""
    source = str(report.get("source") or "")
    resource = report.get("resource") or {}
    reader = _READERS.get(source)
    if reader is None:
        return RunState(
            status=report.get("status") or None,
            supported=False,
            lines=[
                f"I cannot read the live state of {esc(source or 'this')} runs yet; at report time "
                f"it was *{esc(report.get('status') or 'unknown')}*."
            ],
        )
    try:
        return reader(aws, resource, latest)
    except (ClientError, BotoCoreError) as exc:
        return RunState(error=describe_error(exc))
    except KeyError as exc:
        return RunState(error=f"the report does not say which run it was ({exc.args[0]} missing)")
