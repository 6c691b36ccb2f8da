"""What EMR Serverless and EMR on EKS share: a job run's job driver (Spark submit, or the service's other kind) and
its facts for the comparison with the last good run. The two APIs name the same things differently
(``sparkSubmit`` and ``sparkSubmitJobDriver``; EMR Serverless's Hive query, EMR on EKS's Spark SQL), so each
service passes its :class:`DriverShape`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..evidence.changes import RunFacts
from .base import parse_time
from .emrserverless.sizing import spark_conf, spark_mib

__all__ = ["EMR_ON_EKS", "EMR_SERVERLESS", "DriverShape", "driver_summary", "run_facts"]

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
