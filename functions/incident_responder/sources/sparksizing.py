"""What a Spark job run asks for, read from its settings (EMR Serverless and EMR on EKS alike), and against an EMR
Serverless application's maximum capacity.

An ``ApplicationMaxCapacityExceededException`` reads like a full application (other runs holding the
workers: capacity). It is often the job's own ask instead: with no sizes set, EMR Serverless gives the
driver and each executor 4 vCPU and 14 GB (plus Spark's memory overhead, max(384 MB, 10%): a 16 GB worker)
and dynamic allocation starts 3 executors, so a job on an application capped at 4 vCPU / 16 GB can never
place one executor; with spark.executor.instances=1 and dynamic allocation still on, the initial executors
are still 3. The ask is read from the application's runtimeConfiguration, the run's configurationOverrides
(``spark-defaults``) and its sparkSubmitParameters (``--conf``, ``--driver-memory``, ``--num-executors``...),
in that order of precedence, over EMR Serverless's documented Spark defaults.
"""

from __future__ import annotations

import math
import re
import shlex
from dataclasses import dataclass
from typing import Any

__all__ = ["Ask", "Fit", "fit", "spark_ask", "spark_conf", "spark_mib", "spark_properties"]

# EMR Serverless's Spark defaults (the job's properties when nothing sets them).
DEFAULTS = {
    "spark.driver.cores": "4", "spark.driver.memory": "14g",
    "spark.executor.cores": "4", "spark.executor.memory": "14g",
    "spark.dynamicAllocation.enabled": "true", "spark.dynamicAllocation.initialExecutors": "3",
    "spark.dynamicAllocation.minExecutors": "0",
}
_FLAGS = {"--driver-memory": "spark.driver.memory", "--driver-cores": "spark.driver.cores",
          "--executor-memory": "spark.executor.memory", "--executor-cores": "spark.executor.cores",
          "--num-executors": "spark.executor.instances"}
_MEMORY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$", re.IGNORECASE)
_MIB = {"k": 1 / 1024, "": 1, "m": 1, "g": 1024, "t": 1024 * 1024}
_NUMBER = re.compile(r"\s*(\d+(?:\.\d+)?)")


def spark_conf(params: str) -> dict[str, str]:
    """The ``--conf key=value`` settings (and other ``--flag value`` pairs) of sparkSubmitParameters."""
    try:
        words = shlex.split(params or "")
    except ValueError:
        words = (params or "").split()
    out: dict[str, str] = {}
    i = 0
    while i < len(words):
        word = words[i]
        if word == "--conf" and i + 1 < len(words):
            key, _, value = words[i + 1].partition("=")
            out[key] = value
            i += 2
        elif word.startswith("--") and i + 1 < len(words) and not words[i + 1].startswith("--"):
            out[word] = words[i + 1]
            i += 2
        else:
            out[word] = ""
            i += 1
    return out


def spark_mib(value: str | None) -> float | int | None:
    """A Spark memory setting ("14g", "2048m"; without a unit, MiB, as Spark reads spark.*.memory) in MiB."""
    found = _MEMORY.match(value or "")
    if not found:
        return None
    mib = round(float(found.group(1)) * _MIB[found.group(2).lower()], 1)
    return int(mib) if mib.is_integer() else mib


@dataclass(frozen=True)
class Worker:
    cpu: int
    memory_gb: int

    def __str__(self) -> str:
        return f"{self.cpu} vCPU / {self.memory_gb} GB"


@dataclass(frozen=True)
class Ask:
    driver: Worker
    executor: Worker
    initial_executors: int


def _worker(props: dict[str, str], role: str) -> Worker | None:
    try:
        cpu = int(float(props[f"spark.{role}.cores"]))
    except ValueError:
        return None
    memory = spark_mib(props[f"spark.{role}.memory"])
    if memory is None:
        return None
    overhead_raw = props.get(f"spark.{role}.memoryOverhead")
    overhead = spark_mib(overhead_raw) if overhead_raw else max(384, memory * 0.1)
    if overhead is None:
        return None
    return Worker(cpu, math.ceil((memory + overhead) / 1024 - 1e-9))


def spark_properties(spark: dict[str, Any], *configurations: Any) -> dict[str, str]:
    """The Spark properties a job run sets, by property name: the spark-defaults classifications of
    ``configurations`` (each a list of configurations, later ones winning), then the job driver's
    sparkSubmitParameters (``--conf k=v`` and the ``--executor-memory``-style flags), which win."""
    props: dict[str, str] = {}
    for configs in configurations:
        for config in configs or []:
            if isinstance(config, dict) and config.get("classification") == "spark-defaults":
                props.update({str(k): str(v) for k, v in (config.get("properties") or {}).items()})
    for key, value in spark_conf(str(spark.get("sparkSubmitParameters") or "")).items():
        if value:
            props[_FLAGS.get(key, key)] = value
    return props


def spark_ask(run: dict[str, Any], application: dict[str, Any] | None = None) -> Ask | None:
    """The driver, one executor and the executors a Spark job run starts with; None for a Hive job or a
    size that cannot be read."""
    spark = (run.get("jobDriver") or {}).get("sparkSubmit")
    if not isinstance(spark, dict):
        return None
    props = dict(DEFAULTS)
    props.update(spark_properties(spark, (application or {}).get("runtimeConfiguration"),
                                  (run.get("configurationOverrides") or {}).get("applicationConfiguration")))
    driver, executor = _worker(props, "driver"), _worker(props, "executor")
    if driver is None or executor is None:
        return None
    try:
        instances = int(props.get("spark.executor.instances") or 0)
        if props["spark.dynamicAllocation.enabled"].strip().lower() == "true":
            initial = max(int(props["spark.dynamicAllocation.initialExecutors"]),
                          int(props["spark.dynamicAllocation.minExecutors"]), instances)
        else:
            initial = instances or 2  # Spark's default number of executors without dynamic allocation
    except ValueError:
        return None
    return Ask(driver, executor, initial)


@dataclass(frozen=True)
class Fit:
    """How the ask fits the maximum capacity: ``never`` (not even the driver and one executor), ``not_at_start``
    (the executors it starts with do not), ``yes``; and the sentence the report shows."""

    verdict: str
    text: str


def _cap(value: Any, unit: str) -> float | None:
    """A maximumCapacity figure ("4 vCPU"; "16 GB", in GB)."""
    if unit == "GB":
        mib = spark_mib(str(value or ""))
        return None if mib is None else mib / 1024
    m = _NUMBER.match(str(value or ""))
    return float(m[1]) if m else None


def fit(ask: Ask, maximum: dict[str, Any]) -> Fit | None:
    """The ask against an application's ``maximumCapacity`` ({"cpu": "4 vCPU", "memory": "16 GB"}); None when
    the application sets no maximum."""
    cpu, memory = _cap(maximum.get("cpu"), "vCPU"), _cap(maximum.get("memory"), "GB")
    if cpu is None and memory is None:
        return None

    def over(workers: int) -> bool:
        need_cpu = ask.driver.cpu + workers * ask.executor.cpu
        need_memory = ask.driver.memory_gb + workers * ask.executor.memory_gb
        return (cpu is not None and need_cpu > cpu) or (memory is not None and need_memory > memory)

    n = ask.initial_executors
    total = (f"{ask.driver.cpu + n * ask.executor.cpu} vCPU, "
             f"{ask.driver.memory_gb + n * ask.executor.memory_gb} GB in all")
    text = (f"The job asks for a driver of {ask.driver} and {n} executor{'s' if n != 1 else ''} of {ask.executor} "
            f"at start ({total}); the application's maximum capacity is "
            f"{', '.join(str(maximum[k]) for k in ('cpu', 'memory') if maximum.get(k))}")
    if over(1):
        return Fit("never", text + ": not even the driver and one executor fit in it")
    if n > 1 and over(n):
        return Fit("not_at_start", text + ": the executors it starts with do not fit in it")
    return Fit("yes", text)
