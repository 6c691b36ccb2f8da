"""Batch on EKS without AWS: how an attempt's pod reads (from DescribeJobs, or from a Step Functions task's cause
that capitalises its keys) and what the pod's resources make of the memory a next step names."""

from __future__ import annotations

import json

from incident_responder.sources.batch.eks import attempt_text, pod_resources

POD = "aws-batch.9c2e7a41-3b5d-3f08-a6e1-4d7b0c9f2e18"


def test_a_pods_memory_limit_is_the_mib_an_out_of_memory_next_step_names() -> None:
    job = {"eksProperties": {"podProperties": {"containers": [
        {"name": "main", "resources": {"requests": {"cpu": "500m", "memory": "1536Mi"},
                                       "limits": {"memory": "2G"}}}]}}}
    # The limit is the line the kernel kills at; the CPU only requested.
    assert pod_resources(job) == {"MEMORY": "1907", "VCPU": "0.5"}


def test_an_attempt_from_a_step_functions_cause_names_the_init_container_that_failed() -> None:
    cause_attempt = {
        "PodName": POD, "PodNamespace": "etl", "NodeName": "ip-10-0-3-17.ec2.internal",
        "InitContainers": [{"Name": "wait-for-db", "ExitCode": 0},
                           {"Name": "migrate", "ExitCode": 137, "Reason": "OOMKilled"}],
        "Containers": [{"Name": "main", "Reason": "PodInitializing"}],
        "StatusReason": "Init container migrate exited with non-zero exit code",
        "StartedAt": 1787022187112, "StoppedAt": 1787022194112}
    text, facts = attempt_text(cause_attempt, 2, 2)
    assert text == (f"Attempt 2 of 2: pod {POD} in namespace etl on node ip-10-0-3-17.ec2.internal — init container "
                    "migrate failed: exit code 137 (killed by SIGKILL, 128+9) — reason: OOMKilled; container main: no "
                    "exit code — reason: PodInitializing — status reason: Init container migrate exited with non-zero "
                    "exit code — ran 7 s")
    # The failed init container is the attempt's exit code and reason, as a signature reads them.
    assert (facts["exit_code"], facts["reason"], facts["container"], facts["init_container_failed"]) == \
        (137, "OOMKilled", "migrate", True)


def test_a_batch_task_whose_job_cannot_be_followed_shows_the_pod_its_cause_describes() -> None:
    # A cause without the job's id (nothing to describe): what it says of the pod is the evidence.
    from tests.collectors import stepfunctions_collector

    from incident_responder.sources import adapter

    c = stepfunctions_collector()
    failed = {"id": 6, "type": "TaskFailed", "timestamp": "2024-06-02T03:04:10Z",
              "taskFailedEventDetails": {"resourceType": "batch", "resource": "submitJob.sync"}}
    cause = json.dumps({"Status": "FAILED", "StatusReason": "Essential container in pod exited", "EksAttempts": [
        {"PodName": POD, "PodNamespace": "etl", "Containers": [{"Name": "main", "ExitCode": 2, "Reason": "Error"}]}]})
    adapter("stepfunctions")._task_specific(c, failed, None, "batch:submitJob.sync", cause, 0, {6: failed})
    texts = [e.text for e in c.book.items]
    assert texts == [f"Attempt 1 of 1: pod {POD} in namespace etl — container main exit code 2 — reason: Error",
                     "Batch job status reason: Essential container in pod exited"]
