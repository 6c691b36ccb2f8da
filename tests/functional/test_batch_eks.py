"""Batch on EKS jobs end to end against moto (the local world): each attempt's pod, node and containers (init
containers too), the pod's settings, and what the pod printed, read from Container Insights' log group of the
cluster; also as the child of a Step Functions task. Built on tests/scenarios/batch_eks_deeplake_irsa_node_role_denied,
changed per test."""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from tests.conftest import SCENARIOS

from incident_responder_local.replay import Scenario, replay
from incident_responder_local.runtime import LocalStack

BASE = "batch_eks_deeplake_irsa_node_role_denied"
POD = "aws-batch.3f81c2d6-9a4e-3b57-8d10-e6c2a7f94b05"
NODE = "ip-10-42-17-203.us-west-2.compute.internal"
GROUP = "/aws/containerinsights/ml-batch-eks/application"
MAIN_ID = "4b9e2f71c6a8d03e5f1b7a92c4d6e8f0a1b3c5d7e9f20416a8c0e2f4b6d81a3c"
INIT_ID = "7c0d2e4f6a8b1c3d5e7f9a0b2c4d6e8f1a3b5c7d9e0f2a4b6c8d0e1f3a5b7c9d"


def _variant(tmp_path: Path, change: Callable[[dict[str, Any], dict[str, Any]], None],
             expect: dict[str, Any] | None = None) -> dict[str, Any]:
    """The replay of the base scenario with its world (and event) changed by ``change(world, event)``."""
    folder = tmp_path / "eks"
    shutil.copytree(SCENARIOS / BASE, folder)
    world = yaml.safe_load((folder / "world.yaml").read_text(encoding="utf-8"))
    event = json.loads((folder / "event.json").read_text(encoding="utf-8"))
    change(world, event)
    (folder / "world.yaml").write_text(yaml.safe_dump(world, sort_keys=False), encoding="utf-8")
    (folder / "event.json").write_text(json.dumps(event), encoding="utf-8")
    (folder / "expect.yaml").write_text(yaml.safe_dump(expect or {"posts": 1}), encoding="utf-8")
    (result,) = replay([folder])
    return result


def _job(world: dict[str, Any]) -> dict[str, Any]:
    job: dict[str, Any] = world["batch"]["jobs"][0]
    return job


def _texts(result: dict[str, Any]) -> list[str]:
    return [e["text"] for e in result["report"]["evidence"]]


def test_an_eks_job_shows_its_pod_its_settings_and_the_pods_log_lines() -> None:
    (result,) = replay([SCENARIOS / BASE])
    texts = _texts(result)
    assert any(t.startswith(f"Attempt 1 of 1: pod {POD} in namespace ml-batch on node {NODE} — container main exit "
                            "code 1 (application error) — reason: Error — status reason: Essential container in pod "
                            "exited — ran 35 s") for t in texts), texts
    assert not any("no attempt ran" in t for t in texts)
    [config] = [e["text"] for e in result["report"]["evidence"] if e["kind"] == "config" and "queue" in e["text"]]
    assert "service account support-embeddings" in config
    assert "container main image 123456789012.dkr.ecr.us-west-2.amazonaws.com/support-embeddings:2026.08.3-arm64 " \
           "— requests cpu 4, memory 16Gi; limits cpu 4, memory 16Gi" in config
    # Fluent Bit's records, read as the line each carries.
    logs = [e for e in result["report"]["evidence"] if e["kind"] == "log"]
    assert any(e["text"] == "is not authorized to perform: s3:ListBucket on acme-ml-datasets" for e in logs)
    assert all(e["source"].startswith(f"{GROUP}/{NODE}-application.var.log.containers.{POD}_ml-batch_main-")
               for e in logs)
    cause = result["report"]["probable_cause"]
    assert cause["category"] == "permission_denied"
    assert "The job role of service account support-embeddings is missing the action" in cause["explanation"]
    # The attempt names its cluster: no read of the queue or its compute environments.
    calls = result["api_calls"]
    assert calls["batch.DescribeJobs"] == 1 and calls["logs.FilterLogEvents"] == 1
    assert "batch.DescribeJobQueues" not in calls and "batch.DescribeComputeEnvironments" not in calls


def test_an_attempt_that_names_no_cluster_is_read_from_the_queues_compute_environment(tmp_path: Path) -> None:
    def change(world: dict[str, Any], event: dict[str, Any]) -> None:
        for doc in (_job(world), event["detail"]):
            for attempt in doc["eksAttempts"]:
                del attempt["eksClusterArn"], attempt["podNamespace"]

    result = _variant(tmp_path, change)
    assert result["api_calls"]["batch.DescribeJobQueues"] == 1
    assert result["api_calls"]["batch.DescribeComputeEnvironments"] == 1
    # The cluster and namespace of the compute environment's eksConfiguration find the pod's stream.
    assert "is not authorized to perform: s3:ListBucket on acme-ml-datasets" in _texts(result)


def test_a_fluentd_named_stream_is_found_too(tmp_path: Path) -> None:
    def change(world: dict[str, Any], event: dict[str, Any]) -> None:
        world["logs"][0]["stream"] = f"{POD}_ml-batch_main-{MAIN_ID}.log"

    result = _variant(tmp_path, change)
    assert "is not authorized to perform: s3:ListBucket on acme-ml-datasets" in _texts(result)
    assert result["api_calls"]["logs.FilterLogEvents"] == 2  # Fluent Bit's name first, then Fluentd's
    assert not any(g.startswith("no log") for g in result["report"]["gaps"])


def test_a_cluster_without_container_insights_is_a_gap_not_a_failed_report(tmp_path: Path) -> None:
    def change(world: dict[str, Any], event: dict[str, Any]) -> None:
        del world["logs"]

    result = _variant(tmp_path, change)
    assert result["report"] is not None
    gaps = result["report"]["gaps"]
    assert any(g.startswith(f"log group {GROUP} not found: Batch on EKS ships no pod logs itself") for g in gaps)
    assert f"log group {GROUP} not found" not in gaps  # said once, as the set-up it is, not as a failed read
    assert any("container main exit code 1" in t for t in _texts(result))
    assert result["api_calls"]["logs.FilterLogEvents"] == 1  # no second name is tried in a group that is not there


def test_a_failed_init_container_is_shown_as_why_the_pod_never_ran(tmp_path: Path) -> None:
    def change(world: dict[str, Any], event: dict[str, Any]) -> None:
        job = _job(world)
        job["eksProperties"]["podProperties"]["initContainers"] = [
            {"name": "fetch-model", "image": "public.ecr.aws/aws-cli/aws-cli:2.17.0",
             "command": ["aws", "s3", "sync", "s3://acme-ml-models/bge-small-en-v1.5", "/models"],
             "resources": {"limits": {"memory": "512Mi"}, "requests": {"cpu": "250m", "memory": "512Mi"}}}]
        attempt = job["eksAttempts"][0]
        attempt["initContainers"] = [{"name": "fetch-model", "containerID": f"containerd://{INIT_ID}",
                                      "exitCode": 1, "reason": "Error"}]
        attempt["containers"] = [{"name": "main", "reason": "PodInitializing"}]
        attempt["statusReason"] = "Init container fetch-model exited with non-zero exit code"
        event["detail"] = copy.deepcopy(job)
        world["logs"] = [{"group": GROUP,
                          "stream": f"{NODE}-application.var.log.containers.{POD}_ml-batch_fetch-model-{INIT_ID}.log",
                          "events": [{"timestamp": "2026-08-18T03:03:09.204Z", "message": json.dumps(
                              {"stream": "stderr", "log": "fatal error: An error occurred (AccessDenied) when calling "
                               "the ListObjectsV2 operation: Access Denied",
                               "kubernetes": {"pod_name": POD, "container_name": "fetch-model"}})}]}]

    result = _variant(tmp_path, change)
    texts = _texts(result)
    assert any("init container fetch-model failed: exit code 1 (application error) — reason: Error; container "
               "main: no exit code — reason: PodInitializing — status reason: Init container fetch-model exited "
               "with non-zero exit code" in t for t in texts), texts
    assert any("init container fetch-model image public.ecr.aws/aws-cli/aws-cli:2.17.0 — requests cpu 250m, "
               "memory 512Mi; limits memory 512Mi" in t for t in texts)
    # The init container's stream is one of the pod's: its line is read with the same prefix.
    assert any(t.startswith("fatal error: An error occurred (AccessDenied) when calling the ListObjectsV2") for t in
               texts)


def test_a_container_killed_at_its_memory_limit_is_out_of_memory_with_the_limit_in_mib(tmp_path: Path) -> None:
    def change(world: dict[str, Any], event: dict[str, Any]) -> None:
        for doc in (_job(world), event["detail"]):
            doc["eksAttempts"][0]["containers"][0].update(exitCode=137, reason="OOMKilled")
        del world["logs"]

    result = _variant(tmp_path, change, {"posts": 1, "category": "out_of_memory"})
    assert result["check"]["passed"], result["check"]["failures"]
    assert any("container main exit code 137 (killed by SIGKILL, 128+9) — reason: OOMKilled" in t
               for t in _texts(result))
    assert "16384 MiB" in result["report"]["probable_cause"]["explanation"]


def test_a_step_functions_task_that_ran_an_eks_job_reads_its_pod_as_the_child(tmp_path: Path) -> None:
    job_id = "7d3e9a41-5c2b-4f18-8e06-b1a4c9f2d573"
    execution = "arn:aws:states:us-west-2:123456789012:execution:support-embeddings:nightly-2026-08-18"
    machine = "arn:aws:states:us-west-2:123456789012:stateMachine:support-embeddings"
    params = json.dumps({"JobName": "support-embeddings-refresh-2026-08-18", "JobQueue": "ml-ingest-eks",
                         "JobDefinition": "support-embeddings-refresh:12"})
    cause = json.dumps({"JobId": job_id, "JobName": "support-embeddings-refresh-2026-08-18", "Status": "FAILED",
                        "StatusReason": "Essential container in pod exited"})

    def change(world: dict[str, Any], event: dict[str, Any]) -> None:
        world["catalog"][0]["resources"].append(machine)
        task = {"resourceType": "batch", "resource": "submitJob.sync"}
        world["stepfunctions"] = {
            "state_machines": [{"stateMachineArn": machine, "name": "support-embeddings", "definition": json.dumps(
                {"StartAt": "Refresh", "States": {"Refresh": {"Type": "Task", "End": True,
                                                              "Resource": "arn:aws:states:::batch:submitJob.sync",
                                                              "Parameters": json.loads(params)}}})}],
            "executions": [{"describe": {"executionArn": execution, "stateMachineArn": machine,
                                         "name": "nightly-2026-08-18", "status": "FAILED",
                                         "startDate": "2026-08-18T03:02:00.000Z",
                                         "stopDate": "2026-08-18T03:03:44.000Z", "input": "{}",
                                         "error": "States.TaskFailed", "cause": cause},
                            "history": [
                {"timestamp": "2026-08-18T03:02:00.000Z", "type": "ExecutionStarted", "id": 1, "previousEventId": 0,
                 "executionStartedEventDetails": {"input": "{}"}},
                {"timestamp": "2026-08-18T03:02:00.100Z", "type": "TaskStateEntered", "id": 2, "previousEventId": 1,
                 "stateEnteredEventDetails": {"name": "Refresh", "input": "{}"}},
                {"timestamp": "2026-08-18T03:02:00.200Z", "type": "TaskScheduled", "id": 3, "previousEventId": 2,
                 "taskScheduledEventDetails": {**task, "region": "us-west-2", "parameters": params}},
                {"timestamp": "2026-08-18T03:02:00.300Z", "type": "TaskStarted", "id": 4, "previousEventId": 3,
                 "taskStartedEventDetails": task},
                {"timestamp": "2026-08-18T03:02:01.408Z", "type": "TaskSubmitted", "id": 5, "previousEventId": 4,
                 "taskSubmittedEventDetails": {**task, "output": json.dumps({"JobId": job_id})}},
                {"timestamp": "2026-08-18T03:03:43.900Z", "type": "TaskFailed", "id": 6, "previousEventId": 5,
                 "taskFailedEventDetails": {**task, "error": "States.TaskFailed", "cause": cause}},
                {"timestamp": "2026-08-18T03:03:44.000Z", "type": "ExecutionFailed", "id": 7, "previousEventId": 6,
                 "executionFailedEventDetails": {"error": "States.TaskFailed", "cause": cause}}]}]}
        event.clear()
        event.update({"version": "0", "id": "5e0c1f7a-2b3d-4c8e-9f6a-1d2e3f4a5b6c", "source": "aws.states",
                      "detail-type": "Step Functions Execution Status Change", "account": "123456789012",
                      "region": "us-west-2", "time": "2026-08-18T03:03:44Z", "resources": [execution],
                      "detail": {"executionArn": execution, "stateMachineArn": machine, "name": "nightly-2026-08-18",
                                 "status": "FAILED", "startDate": 1787022120000, "stopDate": 1787022224000}})

    result = _variant(tmp_path, change, {"posts": 1, "category": "permission_denied"})
    assert result["check"]["passed"], result["check"]["failures"]
    child = [e for e in result["report"]["evidence"] if e["source"].startswith(("batch", GROUP))]
    assert any(f"pod {POD} in namespace ml-batch" in e["text"] and "container main exit code 1" in e["text"]
               for e in child)
    assert any(e["text"] == "User: arn:aws:sts::123456789012:assumed-role/eks_node_groups/i-0c4f7a9e2b81d3065"
               for e in child)
    assert result["api_calls"]["batch.DescribeJobs"] == 1 and result["api_calls"]["logs.FilterLogEvents"] >= 1


def test_the_world_answers_a_compute_environments_eks_configuration() -> None:
    scenario = Scenario.load(SCENARIOS / BASE)
    with LocalStack(scenario.world) as local:
        import boto3

        batch = boto3.Session(region_name="us-west-2").client("batch")
        [env] = batch.describe_compute_environments(computeEnvironments=["ml-ingest-eks-graviton"])[
            "computeEnvironments"]
        [queue] = batch.describe_job_queues(jobQueues=["ml-ingest-eks"])["jobQueues"]
        assert local.session is not None
    assert env["eksConfiguration"] == {"eksClusterArn": "arn:aws:eks:us-west-2:123456789012:cluster/ml-batch-eks",
                                       "kubernetesNamespace": "ml-batch"}
    assert env["containerOrchestrationType"] == "EKS" and env["type"] == "MANAGED"
    assert [o["computeEnvironment"] for o in queue["computeEnvironmentOrder"]] == [env["computeEnvironmentArn"]]


def test_what_changed_since_the_last_good_job_reads_the_pods_image(tmp_path: Path) -> None:
    def change(world: dict[str, Any], event: dict[str, Any]) -> None:
        good = copy.deepcopy(_job(world))
        good.update(jobId="0a6f3c2e-8d14-4b7a-9e25-c1f0d8b3a476", jobName="support-embeddings-refresh-2026-08-17",
                    status="SUCCEEDED", statusReason="", createdAt=1786935721408, startedAt=1786935787112,
                    stoppedAt=1786936122306)
        good["jobArn"] = f"arn:aws:batch:us-west-2:123456789012:job/{good['jobId']}"
        good["eksProperties"]["podProperties"]["containers"][0]["image"] = \
            "123456789012.dkr.ecr.us-west-2.amazonaws.com/support-embeddings:2026.08.2-arm64"
        good["eksAttempts"][0]["containers"][0].update(exitCode=0, reason="Completed")
        world["batch"]["jobs"].append(good)

    result = _variant(tmp_path, change)
    changes = [e["text"] for e in result["report"]["evidence"] if e["kind"] == "change"]
    assert "Job support-embeddings-refresh: image …ngs:2026.08.2-arm64 → …ngs:2026.08.3-arm64" in changes, changes
