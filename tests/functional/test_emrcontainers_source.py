"""EMR on EKS job runs: a failed run's own event and a Step Functions emr-containers:startJobRun.sync task's child,
read with DescribeJobRun and the Spark driver's logs where EMR on EKS writes them (CloudWatch streams or S3
objects under ``<virtualClusterId>/jobs/<jobRunId>/containers/spark-<jobRunId>/<pod>/``). Against moto (the
local world of tests/scenarios/emrcontainers_* and emr_eks_*)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import SCENARIOS

from incident_responder.aws import AwsContext
from incident_responder.config import settings
from incident_responder.model import EvidenceBook, Incident
from incident_responder.redrive.plans import build_plan
from incident_responder.sources import adapter
from incident_responder.sources.base import Collector
from incident_responder_local.replay import Scenario, replay
from incident_responder_local.runtime import LocalStack

SFN_CHILD = "emr_eks_executor_evicted_ephemeral_storage"
DIRECT = "emrcontainers_driver_stderr_path_not_found_s3_logs"
NO_LOG_GROUP = "emrcontainers_log_group_missing"
# AWS calls of one EMR on EKS report, claim, catalog, grouping, save and Slack token included: DescribeJobRun,
# the driver's stderr and stdout (two log windows or two objects), and a listing and a read of the failed
# executors' logs when the driver names them (DescribeVirtualCluster only for CLUSTER_UNAVAILABLE). EMR
# Serverless's budget is 11 too.
MAX_REPORT_CALLS = 11


@pytest.fixture
def stack(request: pytest.FixtureRequest) -> Iterator[LocalStack]:
    scenario = Scenario.load(SCENARIOS / request.param)
    with LocalStack(scenario.world) as local:
        local.scenario = scenario  # type: ignore[attr-defined]
        yield local


def collect(stack: LocalStack, name: str) -> Collector:
    src = adapter(name)
    incident = src.parse(stack.scenario.event)  # type: ignore[attr-defined]
    assert isinstance(incident, Incident)
    c = Collector(incident, AwsContext(region=incident.region, session=stack.session), settings(), EvidenceBook(),
                  context=src.context_type())
    src.collect(c)
    return c


def _copy(tmp_path: Path, name: str, append: str = "", drop: str = "") -> Path:
    folder = tmp_path / name
    shutil.copytree(SCENARIOS / name, folder)
    world = folder / "world.yaml"
    text = world.read_text(encoding="utf-8")
    if drop:
        text = text[: text.index(drop)]
    world.write_text(text + append, encoding="utf-8")
    return folder


@pytest.mark.parametrize("stack", [SFN_CHILD], indirect=True)
def test_a_step_functions_emr_on_eks_task_collects_the_job_runs_own_evidence(stack: LocalStack) -> None:
    c = collect(stack, "stepfunctions")
    child = [e for e in c.book.items if e.facts.get("child")]
    assert child and all(e.facts["child_source"] == "emrcontainers" for e in child)
    # DescribeJobRun's failureReason and stateDetails, the Spark sizes.
    assert any(e.source == "emr-containers:DescribeJobRun" and e.text.startswith(
        "Job run FAILED: USER_ERROR: Jobs failed, please check complete logs") for e in child)
    assert any("spark.executor.memory=8G" in e.text and "spark.executor.instances=12" in e.text for e in child)
    # The driver's stderr stream, with the kubelet's eviction of the executors.
    logs = [e for e in child if e.kind == "log"]
    assert any("The node was low on resource: ephemeral-storage." in e.text for e in logs)
    assert all(e.source.startswith("/emr-on-eks/clickstream/sessionize/8c3mx1k9q2z7w4b5d6e0f1ga3/jobs/") for e in logs)
    assert c.context.get("state") == "Sessionize"


def test_a_job_run_that_can_no_longer_be_described_is_read_from_the_tasks_cause(tmp_path: Path) -> None:
    folder = _copy(tmp_path, SFN_CHILD, drop="emrcontainers:\n")  # the virtual cluster deleted since
    (result,) = replay([folder])
    evidence = result["report"]["evidence"]
    assert any(e["source"] == "emr-containers job run (from the task's cause)"
               and "USER_ERROR: Jobs failed, please check complete logs" in e["text"] for e in evidence)
    # The monitoring configuration in the cause still leads to the driver's log.
    assert any("ephemeral-storage" in e["text"] and e["kind"] == "log" for e in evidence)


def test_the_failed_executors_stderr_is_read_after_the_drivers(tmp_path: Path) -> None:
    stream = ("sessionize/8c3mx1k9q2z7w4b5d6e0f1ga3/jobs/00000002tq8k3h1n5v7/containers/spark-00000002tq8k3h1n5v7/"
              "clickstream-sessionize-7f1c2a9e4b3d5a60-exec-4/stderr")
    executor = f"""- group: /emr-on-eks/clickstream
  stream: {stream}
  events:
  - timestamp: '2021-03-16T02:38:13.000Z'
    message: '21/03/16 02:38:13 ERROR CoarseGrainedExecutorBackend: RECEIVED SIGNAL TERM'
"""
    folder = _copy(tmp_path, SFN_CHILD)
    world = folder / "world.yaml"
    text = world.read_text(encoding="utf-8")
    world.write_text(text.replace("\ns3:\n", "\n" + executor + "s3:\n"), encoding="utf-8")
    (result,) = replay([folder])
    logs = [e for e in result["report"]["evidence"] if e["kind"] == "log"]
    # The driver's "Lost task 5.0 in stage 3.0 (TID 2405, 192.168.201.25, executor 4)" names the executor.
    assert any("RECEIVED SIGNAL TERM" in e["text"] and "-exec-4/stderr" in e["source"] for e in logs)
    assert result["api_calls"].get("logs.DescribeLogStreams") == 1


@pytest.mark.parametrize("name", [DIRECT, NO_LOG_GROUP])
def test_an_emr_on_eks_report_stays_within_its_call_budget(name: str) -> None:
    (result,) = replay([SCENARIOS / name])
    assert result["report"]["source"] == "emrcontainers"
    assert 0 < sum(result["api_calls"].values()) <= MAX_REPORT_CALLS, result["api_calls"]


def test_a_direct_failure_reads_the_driver_stderr_from_s3_and_says_what_ran() -> None:
    (result,) = replay([SCENARIOS / DIRECT])
    report = result["report"]
    texts = [e["text"] for e in report["evidence"]]
    assert any("[PATH_NOT_FOUND] Path does not exist: s3://acme-orders-raw/orders/dt=2024-05-02" in t for t in texts)
    assert any(t.startswith("Run settings: release emr-6.15.0-latest, role arn:aws:iam::123456789012:role/"
                            "emr-eks-orders-job-role") for t in texts)
    folder = ("s3://acme-emr-eks-logs/orders/k3r9x2m7q1w8e5t6y4u0i2o9p/jobs/000000033h5c8d0n2fj/containers/"
              "spark-000000033h5c8d0n2fj/spark-000000033h5c8d0n2fj-driver/")
    assert any(e["source"].startswith(folder) for e in report["evidence"])
    assert "logs.FilterLogEvents" not in result["api_calls"]  # the job sends no logs to CloudWatch


def test_a_missing_log_group_is_said_and_nothing_is_made_up() -> None:
    (result,) = replay([SCENARIOS / NO_LOG_GROUP])
    report = result["report"]
    assert "log group /emr-on-eks/payments-recon not found" in report["gaps"]
    assert not [e for e in report["evidence"] if e["kind"] == "log"]


@pytest.mark.parametrize("stack", [DIRECT], indirect=True)
def test_the_redrive_starts_the_same_job_on_the_same_virtual_cluster(stack: LocalStack) -> None:
    c = collect(stack, "emrcontainers")
    spec: Any = c.context.get("redrive")
    plan = build_plan("emrcontainers", spec.to_dict(), attempt=2, idempotency_key="inc-1#2", region="us-east-1",
                      resource_arn=c.incident.resource.arn)
    assert plan.runnable and plan.action == "emr-containers:StartJobRun", plan.reason
    assert plan.params["virtualClusterId"] == "k3r9x2m7q1w8e5t6y4u0i2o9p"
    assert plan.params["name"] == "orders-enrich-redrive-2"
    assert plan.params["releaseLabel"] == "emr-6.15.0-latest"
    assert plan.params["executionRoleArn"] == "arn:aws:iam::123456789012:role/emr-eks-orders-job-role"
    assert plan.params["jobDriver"]["sparkSubmitJobDriver"]["entryPointArguments"][1] == "2024-05-02"
    assert plan.params["retryPolicyConfiguration"] == {"maxAttempts": 1}
    out = stack.session.client("emr-containers").start_job_run(**plan.params)
    started = adapter("emrcontainers").new_run(plan, out)
    assert started.run_key == f"k3r9x2m7q1w8e5t6y4u0i2o9p#{out['id']}"


@pytest.mark.parametrize(("name", "driver", "runner"), [
    # S3: the driver's folder under the application, the runner's a folder of its own beside it.
    (DIRECT, "spark-000000033h5c8d0n2fj/spark-000000033h5c8d0n2fj-driver/", "000000033h5c8d0n2fj-k7x2q/"),
    # CloudWatch: the same paths as stream names under the job's prefix.
    (SFN_CHILD, "spark-00000002tq8k3h1n5v7/spark-00000002tq8k3h1n5v7-driver/", "00000002tq8k3h1n5v7-x9z8y/"),
])
def test_a_driver_that_left_no_log_gives_way_to_the_job_runners(tmp_path: Path, name: str, driver: str,
                                                                  runner: str) -> None:
    # A driver pod that never started (spark-submit could not create it, or the executors' volume claims:
    # eksctl-io/eksctl#5397) leaves no log; what failed is in the stderr of the job runner, the pod that ran
    # spark-submit, under <virtualClusterId>/jobs/<jobRunId>/containers/<jobRunId>-<suffix>/.
    folder = _copy(tmp_path, name)
    world = folder / "world.yaml"
    world.write_text(world.read_text(encoding="utf-8").replace(driver, runner), encoding="utf-8")
    (result,) = replay([folder])
    logs = [e for e in result["report"]["evidence"] if e["kind"] == "log"]
    assert logs and all(f"/containers/{runner}stderr" in e["source"] for e in logs), [e["source"] for e in logs]
    # The driver's stdout is not asked for once its stderr is missing: one listing more than a driver's report.
    assert 0 < sum(result["api_calls"].values()) <= MAX_REPORT_CALLS + 1, result["api_calls"]
