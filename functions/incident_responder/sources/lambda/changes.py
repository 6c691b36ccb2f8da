"""Lambda: the last good run is the function's newest invocation before the failure whose log has a
``REPORT`` line and no error, in its log group.

Lambda keeps no history of invocations or of configurations, so the responder reads what the logs and
the function say (calls, at most two):

- FilterLogEvents of the function's log group over the day before the failure (one page, at most 1000
  events, oldest first: a busy function's page ends before the failure and says so), for the ``REPORT``
  lines (each invocation's duration, memory size and max memory used) and the error lines (``[ERROR]``,
  ``Task timed out``, ``Status: error``), whose request ids mark failed invocations; in the JSON log format,
  its ``platform.report`` records and error records, read as their text lines;
- GetFunctionConfiguration (of the version that ran): ``LastModified`` after the last good invocation is
  "code or configuration changed N min before the failure", with the code SHA, version, memory and
  timeout now.

Compared: the memory size of the last good invocation (its REPORT line) and now; the duration trend next
to the timeout; the memory trend (Max Memory Used next to the memory size) over the recent invocations; and the
runtime version each ran on (the ``INIT_START`` line of the sandbox it ran in, read by the same call): Lambda
updates a managed runtime under an unchanged function, and a binary or package that leaned on what the old
version carried (OpenSSL 1.1 in provided.al2 until its v20) fails at start on the new one.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from ...evidence.changes import TREND_RUNS, Baseline, Reader, RunFacts, Series
from ...evidence.records import plain
from ..base import parse_time

if TYPE_CHECKING:
    from ..base import Collector

__all__ = ["LOOKBACK", "baseline", "invocations", "runtime_versions"]

LOOKBACK = timedelta(hours=24)
PAGE = 1000
JUST_BEFORE_MINUTES = 24 * 60  # a change this close to the failure is "right before" it
_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_REPORT = re.compile(r"REPORT RequestId: (?P<id>\S+)\s+Duration: (?P<duration>[\d.]+) ms.*?Memory Size: "
                     r"(?P<size>\d+) MB\s+Max Memory Used: (?P<used>\d+) MB", re.S)
_ERROR = re.compile(r"\[ERROR\]|Task timed out|Status: (?:error|timeout)|Runtime exited with error|"
                    r"Runtime\.\w+Error|\"errorType\"")
# The terms of both log formats: text ("REPORT RequestId: ...") and JSON ({"type":"platform.report", ...}, an
# error record's "errorType"), whose records are read as their text lines (evidence.records.plain).
PATTERN = ('?"REPORT RequestId" ?"[ERROR]" ?"Task timed out" ?"Status: error" ?"Status: timeout" ?"Runtime exited" '
           '?"platform.report" ?"errorType" ?"INIT_START" ?"platform.initStart"')
# A sandbox's first line: the runtime version it runs ("INIT_START Runtime Version: provided:al2.v20\tRuntime Version
# ARN: ..."), in the text format and as the JSON format's platform.initStart reads (evidence.records.plain).
_INIT_START = re.compile(r"INIT_START Runtime Version: (?P<version>\S+)")


def _when(event: dict[str, Any]) -> datetime:
    return datetime.fromtimestamp(int(event.get("timestamp") or 0) / 1000, tz=timezone.utc)


def invocations(events: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], set[str]]:
    """(one dict per REPORT line: id, time, seconds, size, used; oldest first), and the request ids that
    logged an error."""
    reports, failed = [], set()
    for event in events:
        raw = str(event.get("message") or "")
        message = plain(raw)
        found = _REPORT.search(message)
        when = _when(event)
        if found:
            reports.append({"id": found.group("id"), "time": when, "seconds": float(found.group("duration")) / 1000,
                            "size": float(found.group("size")), "used": float(found.group("used")),
                            "error": bool(re.search(r"Status: (?:error|timeout)", message))})
            if reports[-1]["error"]:
                failed.add(found.group("id"))
        elif _ERROR.search(message) or _ERROR.search(raw):
            failed.update(_ID.findall(raw))
    reports.sort(key=lambda x: x["time"])
    return reports, failed


def runtime_versions(events: list[dict[str, Any]]) -> list[tuple[datetime, str]]:
    """(time, runtime version) of each sandbox start in ``events``, oldest first."""
    found = []
    for event in events:
        raw = str(event.get("message") or "")
        if "INIT_START" not in raw and "platform.initStart" not in raw:
            continue  # most of the page: REPORT and error lines, not read as records twice
        m = _INIT_START.search(plain(raw))
        if m:
            found.append((_when(event), m.group("version")))
    return sorted(found)


def _family(version: str) -> str:
    """A runtime version without Lambda's release of it: ``python:3.12`` of ``python:3.12.v72``."""
    return re.sub(r"\.v\d+$", "", version)


def _version_at(starts: list[tuple[datetime, str]], when: datetime) -> str | None:
    """The runtime version of the newest sandbox started at or before ``when``."""
    return next((version for started, version in reversed(starts) if started <= when), None)


def _run(report: dict[str, Any]) -> RunFacts:
    stopped = report["time"]
    return RunFacts(run_id=f"request {report['id']}", started=stopped - timedelta(seconds=report["seconds"]),
                    stopped=stopped, definition={"memory (MB)": int(report["size"])})


def baseline(c: Collector, r: Reader) -> Baseline | None:
    inc = c.incident
    name, request_id = inc.resource.name, str(inc.resource.run_id or "")
    group = str(c.context.get("log_group") or f"/aws/lambda/{name}")
    end = parse_time(inc.detail.get("timestamp")) or parse_time(inc.stopped_at) or parse_time(inc.event_time)
    if end is None:
        return None
    start = end - LOOKBACK
    r.searched = (f"logs:FilterLogEvents of {group}: no invocation with a REPORT line and no error in the "
                  f"{int(LOOKBACK.total_seconds() // 3600)} h before the failure")
    out = r.read(f"FilterLogEvents {group} (REPORT lines)", c.client("logs").filter_log_events,
                 logGroupName=group, startTime=int(start.timestamp() * 1000),
                 endTime=int((end + timedelta(seconds=5)).timestamp() * 1000), filterPattern=PATTERN, limit=PAGE)
    if out is None:
        return None
    reports, failed_ids = invocations(out.get("events") or [])
    failed_ids.add(request_id)
    mine = [x for x in reports if x["id"] == request_id]
    first_attempt = min((x["time"] - timedelta(seconds=x["seconds"]) for x in mine), default=None)
    before = first_attempt or end
    good = [x for x in reports if x["id"] not in failed_ids and x["time"] <= before]
    if not good:
        return None
    qualifier = str(c.context.get("qualifier") or "")
    which = {"Qualifier": qualifier} if qualifier and qualifier != "$LATEST" else {}
    config = r.read(f"GetFunctionConfiguration {name}", c.client("lambda").get_function_configuration,
                    FunctionName=name, **which) or {}
    last = mine[-1] if mine else None
    size_now = config.get("MemorySize") or (last["size"] if last else None)
    failed = RunFacts(run_id=f"request {request_id}", started=first_attempt, stopped=last["time"] if last else end,
                      definition={"memory (MB)": size_now})
    recent = reports[-TREND_RUNS:]
    timeout = config.get("Timeout") or c.context.get("timeout_seconds")
    base = Baseline(subject=f"function {name}", good=_run(good[-1]), failed=failed, source="logs:FilterLogEvents",
                    definition_label=f"Function {name}", memory_units="MB",
                    durations=[x["seconds"] for x in recent], trend_subject=f"duration of {name} invocations",
                    limit_seconds=float(timeout) if isinstance(timeout, (int, float)) else None, limit_label="timeout")
    limit = size_now if isinstance(size_now, (int, float)) else (recent[-1]["size"] if recent else None)
    base.series.append(Series(subject=f"max memory used by {name}", values=[x["used"] for x in recent],
                              limit=float(limit) if limit else None, limit_label="memory size",
                              aspect="memory_trend", unit="MB"))
    if out.get("nextToken"):
        c.book.gap(f"what changed: the REPORT lines of {name} were read up to the first {PAGE} events of the "
                   "day before the failure")
    if config:
        _changed(c, base, name, config, end)
    starts = runtime_versions(out.get("events") or [])
    was, now = _version_at(starts, good[-1]["time"]), _version_at(starts, last["time"] if last else end)
    if was and now and was != now:
        # python:3.12.v72 → python:3.13.v31 is the function's own runtime setting (Lambda never moves a function to
        # another language version); python:3.12.v72 → python:3.12.v73 is Lambda's update of the managed runtime.
        moved = _family(was) != _family(now)
        why = ("its runtime setting was changed" if moved
               else "Lambda updates a managed runtime under an unchanged function")
        c.context["runtime_change"] = f"{was} → {now}"
        base.extra.append(("logs:FilterLogEvents",
                           f"Runtime version of {name}: {was} at the last good invocation, {now} at the failure "
                           f"({why})",
                           {"aspect": "runtime", "runtime_before": was, "runtime_after": now,
                            "family_changed": moved}))
    return base


def _changed(c: Collector, base: Baseline, name: str, config: dict[str, Any], end: datetime) -> None:
    modified = parse_time(config.get("LastModified"))
    good_end = base.good.stopped
    after = bool(modified and good_end and modified > good_end)
    failure = base.failed.started or end
    sha = str(config.get("CodeSha256") or "")
    facts: dict[str, Any] = {"aspect": "code", "function": name, "changed_after_baseline": after,
                             "memory_mb": config.get("MemorySize"), "timeout_seconds": config.get("Timeout"),
                             "just_before": False}
    details = (f"version {config.get('Version', '?')}, code SHA {sha[:12] or '?'}, {config.get('MemorySize', '?')} MB, "
               f"timeout {config.get('Timeout', '?')} s")
    when = f"{modified:%Y-%m-%d %H:%M} UTC" if modified else "?"
    if after and modified:
        minutes = max(0, int((failure - modified).total_seconds() // 60))
        facts.update(minutes_before_failure=minutes, just_before=minutes <= JUST_BEFORE_MINUTES)
        text = (f"Function {name}: code or configuration changed {minutes} min before the failure (last modified "
                f"{when}, after the last good invocation); now {details}")
    else:
        text = f"Function {name}: unchanged since before the last good invocation (last modified {when}); {details}"
    base.extra.append(("lambda:GetFunctionConfiguration", text, facts))
