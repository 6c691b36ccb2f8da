"""What a Spark job run asks of its EMR Serverless application: a capacity refusal that is the job's own ask
over the application's ceiling is its setting, not a full application."""

from __future__ import annotations

from typing import Any

import pytest

from incident_responder.sources.sparksizing import fit, spark_ask

CAP_4_16 = {"cpu": "4 vCPU", "memory": "16 GB", "disk": "200 GB"}


def _run(params: str = "", overrides: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    run: dict[str, Any] = {"jobDriver": {"sparkSubmit": {"entryPoint": "s3://b/job.py",
                                                         "sparkSubmitParameters": params}}}
    if overrides is not None:
        run["configurationOverrides"] = {"applicationConfiguration": overrides}
    return run


def test_the_defaults_alone_do_not_fit_an_application_of_one_default_worker() -> None:
    ask = spark_ask(_run("--conf spark.sql.sources.partitionOverwriteMode=dynamic"))
    assert ask is not None
    # 4 vCPU and 14 GB + 10% overhead: a 16 GB worker, for the driver and each executor; 3 executors at start.
    assert (ask.driver.cpu, ask.driver.memory_gb, ask.executor.memory_gb, ask.initial_executors) == (4, 16, 16, 3)
    verdict = fit(ask, CAP_4_16)
    assert verdict is not None and verdict.verdict == "never"
    assert "16 vCPU, 64 GB in all" in verdict.text and "not even the driver and one executor" in verdict.text


def test_dynamic_allocation_starts_three_executors_whatever_the_instances_say() -> None:
    params = ("--conf spark.driver.cores=1 --conf spark.driver.memory=2g --conf spark.executor.cores=2 "
              "--conf spark.executor.memory=8g --conf spark.executor.instances=1")
    ask = spark_ask(_run(params))
    assert ask is not None and ask.initial_executors == 3
    verdict = fit(ask, CAP_4_16)
    assert verdict is not None and verdict.verdict == "not_at_start"
    # With dynamic allocation off, the one executor asked for fits.
    ask = spark_ask(_run(params + " --conf spark.dynamicAllocation.enabled=false"))
    assert ask is not None and ask.initial_executors == 1
    verdict = fit(ask, CAP_4_16)
    assert verdict is not None and verdict.verdict == "yes"


def test_a_job_that_fits_is_said_to_fit_and_an_application_without_a_maximum_has_no_verdict() -> None:
    ask = spark_ask(_run("--driver-cores 2 --driver-memory 4g --executor-cores 2 --executor-memory 4g"))
    assert ask is not None
    verdict = fit(ask, {"cpu": "200 vCPU", "memory": "800 GB"})
    assert verdict is not None and verdict.verdict == "yes"
    assert fit(ask, {}) is None


@pytest.mark.parametrize(("overrides", "params", "driver_gb"), [
    # The run's spark-defaults classification sets the sizes; sparkSubmitParameters win over it.
    ([{"classification": "spark-defaults", "properties": {"spark.driver.memory": "6g"}}], "", 7),
    ([{"classification": "spark-defaults", "properties": {"spark.driver.memory": "6g"}}],
     "--conf spark.driver.memory=2048m", 3),
    # An explicit overhead replaces the 10%.
    ([], "--conf spark.driver.memory=8g --conf spark.driver.memoryOverhead=2g", 10),
])
def test_where_the_sizes_come_from(overrides: list[dict[str, Any]], params: str, driver_gb: int) -> None:
    ask = spark_ask(_run(params, overrides))
    assert ask is not None and ask.driver.memory_gb == driver_gb


def test_the_applications_own_runtime_configuration_is_read_under_the_runs() -> None:
    application = {"runtimeConfiguration": [{"classification": "spark-defaults",
                                             "properties": {"spark.executor.cores": "1", "spark.executor.memory": "2g",
                                                            "spark.driver.cores": "1", "spark.driver.memory": "2g"}}]}
    ask = spark_ask(_run(""), application)
    assert ask is not None and (ask.driver.cpu, ask.executor.cpu) == (1, 1)
    verdict = fit(ask, CAP_4_16)
    assert verdict is not None and verdict.verdict == "yes"  # 1 + 3 * 1 vCPU, 3 + 3 * 3 GB


def test_a_hive_job_or_an_unreadable_size_asks_nothing_it_can_say() -> None:
    assert spark_ask({"jobDriver": {"hive": {"query": "s3://b/q.sql"}}}) is None
    assert spark_ask(_run("--conf spark.driver.memory=lots")) is None
