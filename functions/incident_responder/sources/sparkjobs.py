"""What EMR Serverless and EMR on EKS share: a job run's job driver (Spark submit, or the service's other kind), its
facts for the comparison with the last good run, the latest runs a live status lists, and how its Spark logs are read
(the driver's, then the executors' the driver says failed tasks ran on). The two APIs name the same things
differently (``sparkSubmit`` and ``sparkSubmitJobDriver``; EMR Serverless's Hive query, EMR on EKS's Spark SQL), so
each service passes its :class:`DriverShape`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..evidence.changes import RunFacts
from .base import parse_time
from .sparksizing import spark_conf, spark_mib

if TYPE_CHECKING:
    from datetime import datetime

    from .base import Collector

__all__ = ["EMR_ON_EKS", "EMR_SERVERLESS", "EXECUTORS_READ", "EXECUTOR_ITEMS", "LOG_ITEMS", "DriverShape",
           "driver_summary", "failed_executors", "latest_runs_text", "read_s3_log_object", "run_facts"]

LOG_ITEMS = {"stderr": 8, "stdout": 3}  # the driver's logs and the lines kept of each
EXECUTORS_READ = 2  # executor stderr logs read after the driver named failed tasks on them
EXECUTOR_ITEMS = 5
# "Lost task 5.0 in stage 3.0 (TID 2405, 192.168.201.25, executor 4)" (Spark 3.0) and "Lost task 211.3 in
# stage 14.0 (TID 9981) (10.0.1.7 executor 7)" (Spark 3.1+): the executor a failed attempt ran on.
_LOST_ON = re.compile(r"\bLost task \d+\.\d+ in stage [\d.]+ \(TID \d+(?:, |\) \()[^()]*?executor (\d+)\)")

MEMORY_KEYS = {"spark.executor.memory": "memory per executor (MiB)",
               "spark.driver.memory": "memory of the driver (MiB)"}


@dataclass(frozen=True)
class DriverShape:
    """How a service's job run names its driver, its other kind of driver, and when the run ended."""

    spark: str  # the Spark submit driver's key in jobDriver
    other: str  # the other driver's key
    other_label: str  # what the other driver is called in the report
    other_entry: str  # the other driver's entry point (a query file or script)
    other_params: str  # its parameters
    ended: str  # the run's field of when it ended


EMR_SERVERLESS = DriverShape("sparkSubmit", "hive", "Hive query", "query", "parameters", "updatedAt")
EMR_ON_EKS = DriverShape("sparkSubmitJobDriver", "sparkSqlJobDriver", "Spark SQL", "entryPoint", "sparkSqlParameters",
                         "finishedAt")


def driver_summary(driver: dict[str, Any], shape: DriverShape) -> tuple[str, str]:
    """(entry point, a one-line description) of a job driver."""
    spark = driver.get(shape.spark) or {}
    if spark:
        entry = str(spark.get("entryPoint") or "?")
        args = " ".join(str(a) for a in spark.get("entryPointArguments") or [])
        params = str(spark.get("sparkSubmitParameters") or "")
        return entry, f"spark-submit {params} {entry} {args}".replace("  ", " ").strip()
    other = driver.get(shape.other) or {}
    if other:
        entry = str(other.get(shape.other_entry) or "?")
        return entry, f"{shape.other_label} {entry} {other.get(shape.other_params) or ''}".strip()
    return "?", "an unknown job driver"


def run_facts(run_id: str, run: dict[str, Any], shape: DriverShape, **definition: Any) -> RunFacts:
    """A job run's facts for the comparison: the entry point arguments, the Spark ``--conf`` settings (as keys)
    and the configuration overrides' classifications as inputs; the entry point, release label, execution role,
    executor and driver memory (MiB: ``--conf`` over spark-defaults) and ``definition`` as definition fields."""
    driver = run.get("jobDriver") or {}
    spark = driver.get(shape.spark) or {}
    conf = spark_conf(str(spark.get("sparkSubmitParameters") or ""))
    overrides = {str(x.get("classification")): x.get("properties") or {}
                 for x in (run.get("configurationOverrides") or {}).get("applicationConfiguration") or []}
    inputs: dict[str, Any] = {"entryPointArguments": list(spark.get("entryPointArguments") or []),
                              "sparkSubmitParameters": {k: v for k, v in conf.items() if k not in MEMORY_KEYS},
                              "configurationOverrides": overrides}
    if driver.get(shape.other):
        inputs = {shape.other: driver[shape.other], "configurationOverrides": overrides}
    fields: dict[str, Any] = {
        "entry point": spark.get("entryPoint") or (driver.get(shape.other) or {}).get(shape.other_entry),
        "release": run.get("releaseLabel"), "execution role": run.get("executionRole") or run.get("executionRoleArn"),
        **definition}
    for key, label in MEMORY_KEYS.items():
        fields[label] = spark_mib(conf.get(key) or overrides.get("spark-defaults", {}).get(key))
    return RunFacts(run_id=run_id, started=parse_time(run.get("createdAt")), stopped=parse_time(run.get(shape.ended)),
                    inputs=inputs, definition=fields)


def failed_executors(c: Collector) -> list[str]:
    """The executors the driver's log says failed task attempts ran on: the one of a job's "most recent failure"
    first, then the others, newest first. Their stderr holds the task's own exception."""
    final: list[str] = []
    others: list[str] = []
    for ev in reversed(c.book.items):
        if ev.kind != "log":
            continue
        for m in _LOST_ON.finditer(ev.text):
            (final if "most recent failure" in ev.text else others).append(m[1])
    return list(dict.fromkeys([*final, *others]))


def read_s3_log_object(c: Collector, uri: str, what: str, end: datetime | None, items: int) -> bool:
    """One log object of the run (gzip, the newest ``log_max_bytes``), compacted into at most ``items`` lines;
    whether it held any line."""
    from ..evidence.logs import read_s3_log

    if not c.spend(f"{what} {uri}"):
        return False
    fetched = read_s3_log(c.client("s3"), uri, max_bytes=c.settings.log_max_bytes)
    if fetched.error:
        c.failed_reads += 1
        c.book.gap(f"{what}: {fetched.error}")
    if fetched.lines:
        c.add_compacted(fetched.lines, uri, end, max_items=items, truncated=fetched.truncated)
    return bool(fetched.lines)


def latest_runs_text(runs: list[dict[str, Any]]) -> str:
    """The line a live status gives the latest job runs of an application or virtual cluster (ListJobRuns)."""
    from ..formats import fmt_time
    from ..templates import escape_mrkdwn as esc

    return "Latest job runs: " + ", ".join(
        f"`{esc(r.get('id'))}` {esc(r.get('state'))} ({fmt_time(r.get('createdAt'))})" for r in runs)
