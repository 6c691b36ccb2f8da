"""ECS and Batch sources without AWS: which events are reported, how they become incidents, and how the
signatures read the real stop reasons (tests/fixtures/error_messages.json, copied from the corpus)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from tests.conftest import FIXTURES, load_json, scenario_event

from incident_responder.analyze import signature_set
from incident_responder.errors import MalformedEvent
from incident_responder.model import Category, Confidence, EvidenceBook, Incident, Skip
from incident_responder.sources import adapter_for
from incident_responder.sources.batch import BatchAdapter
from incident_responder.sources.ecs import EcsAdapter
from incident_responder.sources.ecs.evidence import (
    _bare_secret_ref,
    _env_hosts,
    _round_limit,
    _stopped_with_the_task,
    exit_code_meaning,
    verdict,
)

MESSAGES = {m["id"]: m["verbatim"] for m in json.loads((FIXTURES / "error_messages.json").read_text())}
TD = "arn:aws:ecs:eu-west-1:123456789012:task-definition/orders-dedupe:7"
CLUSTER = "arn:aws:ecs:eu-west-1:123456789012:cluster/data-jobs"


def ecs_event(
    containers: list[dict[str, Any]],
    *,
    status: str = "STOPPED",
    reason: str = "",
    code: str = "",
    group: str = "family:orders-dedupe",
    cluster: str = CLUSTER,
) -> dict[str, Any]:
    detail: dict[str, Any] = {
        "taskArn": f"{cluster.replace(':cluster/', ':task/')}/3c2b1a0f9e8d47c6",
        "clusterArn": cluster,
        "taskDefinitionArn": TD,
        "lastStatus": status,
        "desiredStatus": "STOPPED",
        "group": group,
        "containers": containers,
        "startedAt": "2024-04-02T03:10:29.118Z",
        "stoppedAt": "2024-04-02T03:12:58.306Z",
    }
    if reason:
        detail["stoppedReason"] = reason
    if code:
        detail["stopCode"] = code
    return {
        "version": "0",
        "id": "e1",
        "detail-type": "ECS Task State Change",
        "source": "aws.ecs",
        "account": "123456789012",
        "time": "2024-04-02T03:12:58Z",
        "region": "eu-west-1",
        "resources": [detail["taskArn"]],
        "detail": detail,
    }


def c(name: str, exit_code: int | None = None, reason: str = "", image: str = "app:1") -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, "image": image, "lastStatus": "STOPPED"}
    if exit_code is not None:
        out["exitCode"] = exit_code
    if reason:
        out["reason"] = reason
    return out


ESSENTIAL = "Essential container in task exited"
SCALING = "Scaling activity initiated by (deployment ecs-svc/5169280574093855189)"


# -- what is reported -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("containers", "reason", "code", "group", "reported"),
    [
        # failures
        ([c("app", 1)], ESSENTIAL, "EssentialContainerExited", "family:x", True),
        (
            [c("app", 137, "OutOfMemoryError: Container killed due to memory usage")],
            ESSENTIAL,
            "",
            "family:x",
            True,
        ),
        (
            [c("app", 0, "OutOfMemoryError: Container killed due to memory usage")],
            ESSENTIAL,
            "",
            "family:x",
            True,
        ),
        ([c("app", None, MESSAGES[4])], MESSAGES[4], "TaskFailedToStart", "family:x", True),
        ([c("app", 143)], "Your Spot Task was interrupted.", "SpotInterruption", "service:web", True),
        ([c("app", 0)], "Your Spot Task was interrupted.", "TerminationNotice", "family:x", True),
        ([c("app", 143)], "Task stopped by user", "UserInitiated", "family:backfill", True),
        (
            [c("app", 143)],
            "Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:eu-west-1:"
            "123456789012:targetgroup/web/6d0ecf831eec9f09)",
            "ServiceSchedulerInitiated",
            "service:web",
            True,
        ),
        ([c("app", 0), c("worker", 2)], SCALING, "ServiceSchedulerInitiated", "service:web", True),
        # a deployment or scale-in cut the work off: it died of the SIGTERM or was killed after the stop timeout
        # (humanmade/Cavalcade-Runner#75)
        ([c("app", 137), c("envoy", 143)], SCALING, "ServiceSchedulerInitiated", "service:web", True),
        ([c("worker", 143)], SCALING, "ServiceSchedulerInitiated", "service:jobs", True),
        ([c("app")], "Host EC2 (instance i-08784105ffff56b4f) terminated.", "", "family:nightly", True),
        ([c("app", 0), c("cache-warmer", 137)], ESSENTIAL, "EssentialContainerExited", "family:x", True),
        # a known sidecar that ignored SIGTERM and was killed after the stop timeout: its buffered records lost
        # (aws/aws-for-fluent-bit 2.0.0; an OpenTelemetry sidecar under "sh /entry.sh")
        ([c("exporter", 0), c("xray", 137, image="amazon/aws-xray-daemon")], ESSENTIAL, "", "family:x", True),
        # a FireLens log router that exited 0 took the work down with it (aws/aws-for-fluent-bit#742)
        ([c("rails", 143), c("log_router", 0)], ESSENTIAL, "EssentialContainerExited", "family:x", True),
        # not failures
        ([c("app", 0)], SCALING, "ServiceSchedulerInitiated", "service:web", False),
        # the work's container cut off by a deployment's stop: a sidecar's 143 beside a clean exit is not
        ([c("app", 0), c("envoy", 143)], SCALING, "ServiceSchedulerInitiated", "service:web", False),
        ([c("app", 143)], "Task stopped by user", "UserInitiated", "service:web", False),
        ([c("app", 0)], ESSENTIAL, "EssentialContainerExited", "family:x", False),
        (
            [c("exporter", 0), c("aws-otel-collector", 143)],
            ESSENTIAL,
            "EssentialContainerExited",
            "family:x",
            False,
        ),
        ([c("app")], "Host EC2 (instance i-08784105ffff56b4f) terminated.", "", "service:web", False),
    ],
)
def test_which_stopped_tasks_are_reported(
    containers: list[dict[str, Any]], reason: str, code: str, group: str, reported: bool
) -> None:
    event = ecs_event(containers, reason=reason, code=code, group=group)
    assert verdict(event["detail"])[0] is reported
    parsed = EcsAdapter().parse(event)
    assert isinstance(parsed, Incident) is reported
    if not reported:
        assert isinstance(parsed, Skip) and parsed.reason


def test_tasks_of_batch_jobs_are_left_to_the_batch_event() -> None:
    event = ecs_event(
        [c("app", 1)],
        reason=ESSENTIAL,
        cluster="arn:aws:ecs:us-east-1:123456789012:cluster/"
        "AWSBatch-etl-ondemand-2c3d4e5f-6a7b-3c8d-9e0f-1a2b3c4d5e6f",
    )
    skip = EcsAdapter().parse(event)
    assert isinstance(skip, Skip) and "Batch" in skip.reason


@pytest.mark.parametrize(
    "sample",
    [
        "eventbridge/ecs_task_state_change_running_fargate.json",
        "eventbridge/ecs_task_state_change_container_stopped_exit0_2019doc.json",
    ],
)
def test_aws_examples_of_running_tasks_are_skipped(sample: str) -> None:
    event = load_json(sample)
    assert isinstance(adapter_for(event), EcsAdapter)
    assert isinstance(adapter_for(event).parse(event), Skip)


def test_spot_termination_warning_waits_for_the_stopped_event() -> None:
    # AWS's snippet (fargate-capacity-providers.md): the warning comes while the task still runs.
    snippet = (
        FIXTURES / "eventbridge" / "ecs_task_state_change_fargate_spot_termination_SNIPPET.txt"
    ).read_text()
    assert '"stopCode": "TerminationNotice"' in snippet and '"lastStatus": "RUNNING"' in snippet
    event = ecs_event(
        [c("app")], status="RUNNING", reason="Your Spot Task was interrupted.", code="TerminationNotice"
    )
    skip = EcsAdapter().parse(event)
    assert isinstance(skip, Skip) and "STOPPED event" in skip.reason


# -- the incident -----------------------------------------------------------------------------------------
def test_ecs_incident_names_the_family_the_task_and_the_catalog_arns() -> None:
    inc = EcsAdapter().parse(scenario_event("02_ecs_oom_exit137"))
    assert isinstance(inc, Incident)
    assert (inc.source, inc.status, inc.region) == ("ecs", "STOPPED", "us-east-1")
    assert inc.resource.name == "invoice-export"
    assert inc.resource.run_id == "5a0e2c4b6d8f41a3b5c7d9e1f3a5b7c9"
    assert inc.catalog_arns == [
        "arn:aws:ecs:us-east-1:123456789012:task-definition/invoice-export:3",
        "arn:aws:ecs:us-east-1:123456789012:task-definition/invoice-export",
        "arn:aws:ecs:us-east-1:123456789012:cluster/batch-fargate",
    ]
    assert inc.stopped_at == "2018-01-17T02:06:12.944Z"


def test_a_service_task_is_named_after_its_service_and_repeats_group() -> None:
    spot = ecs_event(
        [c("app", 143)],
        reason="Your Spot Task was interrupted.",
        code="SpotInterruption",
        group="service:web-api",
    )
    inc = EcsAdapter().parse(spot)
    other = copy.deepcopy(spot)
    other["detail"]["taskArn"] += "ff"
    again = EcsAdapter().parse(other)
    assert isinstance(inc, Incident) and isinstance(again, Incident)
    assert inc.resource.name == "web-api"
    assert inc.catalog_arns[-1] == "arn:aws:ecs:eu-west-1:123456789012:service/data-jobs/web-api"
    assert inc.fingerprint == again.fingerprint and inc.incident_id != again.incident_id


def test_batch_failed_event_becomes_an_incident_of_its_job_definition() -> None:
    event = load_json("eventbridge/batch_job_state_change_FAILED.json")
    inc = adapter_for(event).parse(event)
    assert isinstance(inc, Incident)
    assert inc.resource.name == "first-run-job-definition"
    assert inc.resource.run_id == "4c7599ae-0a82-49aa-ba5a-4727fcce14a8"
    assert inc.catalog_arns == [
        "arn:aws:batch:us-east-1:123456789012:job-definition/first-run-job-definition:1",
        "arn:aws:batch:us-east-1:123456789012:job-definition/first-run-job-definition",
        "arn:aws:batch:us-east-1:123456789012:job-queue/PexjEHappyPathCanary2JobQueue",
    ]
    assert inc.stopped_at == "2022-01-11T23:47:03.092Z"


@pytest.mark.parametrize("status", ["SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED"])
def test_batch_reports_only_failed_jobs(status: str) -> None:
    event = load_json("eventbridge/batch_job_state_change_RUNNABLE.json")
    event["detail"]["status"] = status
    assert isinstance(BatchAdapter().parse(event), Skip)


@pytest.mark.parametrize(
    ("source", "event"),
    [
        (EcsAdapter(), {"detail-type": "ECS Task State Change", "detail": {"lastStatus": "STOPPED"}}),
        (EcsAdapter(), {"detail-type": "ECS Task State Change", "detail": {"taskArn": "arn:aws:ecs:x"}}),
        (BatchAdapter(), {"detail-type": "Batch Job State Change", "detail": {"status": "FAILED"}}),
    ],
)
def test_events_without_their_key_fields_are_malformed(source: Any, event: dict[str, Any]) -> None:
    with pytest.raises(MalformedEvent):
        source.parse(event)


@pytest.mark.parametrize(
    ("code", "meaning"),
    [
        (137, "killed by SIGKILL, 128+9"),
        (139, "killed by SIGSEGV, 128+11"),
        (143, "killed by SIGTERM, 128+15"),
        (1, "application error"),
        (0, ""),
        (None, ""),
        ("x", ""),
    ],
)
def test_exit_codes_are_explained(code: Any, meaning: str) -> None:
    assert exit_code_meaning(code) == meaning


# -- signatures on real messages -----------------------------------------------------------------------------
ECS_CONTEXT = {
    "family": "invoice-export",
    "container": "export",
    "cluster": "batch-fargate",
    "task_id": "5a0e2c4b",
    "memory_text": "500 MiB (container hard limit; task 1024 MiB)",
    "memory_doubled": "1000",
    "memory_hint": "on Fargate raise the task memory too",
    "image": "invoice-export:1.8.0",
    "log_stream": "ecs/export/5a0e2c4b",
    "stopped_reason": ESSENTIAL,
    "cpu": "512",
    "task_memory": "1024",
    "exit_code": 137,
    "service": "",
    "resource_name": "invoice-export",
}


def ecs_book(
    *,
    reason: str = ESSENTIAL,
    code: str = "EssentialContainerExited",
    exit_code: int | None = 1,
    container_reason: str = "",
    logs: tuple[str, ...] = (),
) -> EvidenceBook:
    b = EvidenceBook()
    b.add(
        "task",
        "ecs:DescribeTasks",
        f"Task 5a0e2c4b stopped: {reason} (stop code {code})",
        stopped_reason=reason,
        stop_code=code,
        status="STOPPED",
    )
    b.add(
        "task",
        "ecs:DescribeTasks",
        f"Container export (essential) exited with code {exit_code}: {container_reason}",
        exit_code=exit_code,
        reason=container_reason,
        container="export",
        essential=True,
    )
    for line in logs:
        b.add("log", "/ecs/invoice-export/ecs/export/5a0e2c4b", line)
    return b


def diagnose(b: EvidenceBook, source: str, **ctx: Any) -> Any:
    return signature_set().diagnose(b.items, source, {**ECS_CONTEXT, **ctx})


@pytest.mark.parametrize(
    ("book", "category", "confidence"),
    [
        (
            ecs_book(exit_code=137, container_reason=MESSAGES[1].split("\t")[1].removesuffix(" Exit Code")),
            Category.OUT_OF_MEMORY,
            Confidence.HIGH,
        ),
        (
            ecs_book(exit_code=0, container_reason="OutOfMemoryError: Container killed due to memory usage"),
            Category.OUT_OF_MEMORY,
            Confidence.HIGH,
        ),
        (
            ecs_book(
                reason=MESSAGES[4], code="TaskFailedToStart", exit_code=None, container_reason=MESSAGES[4]
            ),
            Category.CONFIGURATION,
            Confidence.MEDIUM,
        ),
        (
            ecs_book(
                reason=MESSAGES[6], code="TaskFailedToStart", exit_code=None, container_reason=MESSAGES[6]
            ),
            Category.DEPENDENCY_UNAVAILABLE,
            Confidence.MEDIUM,  # a registry out of reach is as often the task's route to it (configuration)
        ),
        (
            ecs_book(reason=MESSAGES[9], code="TaskFailedToStart", exit_code=None),
            Category.CONFIGURATION,
            Confidence.MEDIUM,  # the task's network setup (the taxonomy's example); AWS's endpoint down is rarer
        ),
        (
            ecs_book(reason="Your Spot Task was interrupted.", code="SpotInterruption", exit_code=143),
            Category.CAPACITY,
            Confidence.HIGH,
        ),
        (
            ecs_book(reason="Task stopped by user", code="UserInitiated", exit_code=137),
            Category.MANUAL_STOP,
            Confidence.HIGH,
        ),
        (ecs_book(exit_code=137), Category.OUT_OF_MEMORY, Confidence.MEDIUM),
        (ecs_book(exit_code=139), Category.CODE_ERROR, Confidence.MEDIUM),
        (ecs_book(exit_code=1), Category.CODE_ERROR, Confidence.LOW),
        (
            ecs_book(exit_code=1, logs=("Traceback (most recent call last):", "KeyError: 'line_no'")),
            Category.CODE_ERROR,
            Confidence.MEDIUM,
        ),
        (
            ecs_book(
                exit_code=1,
                logs=(
                    "botocore.exceptions.ClientError: An error occurred (AccessDenied) when calling "
                    "the GetObject operation: Access Denied",
                ),
            ),
            Category.PERMISSION_DENIED,
            Confidence.MEDIUM,  # S3 says the same of a key that is not there, to a caller that may not list
        ),
        (
            ecs_book(
                exit_code=1,
                logs=(
                    "botocore.exceptions.ClientError: An error occurred (AccessDenied) when calling the GetObject "
                    "operation: User: arn:aws:sts::123456789012:assumed-role/etl/x is not authorized to perform: "
                    "s3:GetObject on resource: \"arn:aws:s3:::raw/in.csv\" because no identity-based policy "
                    "allows the s3:GetObject action",
                ),
            ),
            Category.PERMISSION_DENIED,
            Confidence.HIGH,
        ),
        (
            ecs_book(
                reason="CannotPullContainerError: write /var/lib/docker/tmp/GetImageBlob111111111: "
                "no space left on device",
                code="TaskFailedToStart",
                exit_code=None,
            ),
            Category.DISK_FULL,
            Confidence.HIGH,
        ),
        (
            ecs_book(
                reason="CannotPullContainerError: API error (404): repository 111122223333.dkr.ecr.us-east-1."
                "amazonaws.com/etl/loader not found",
                code="TaskFailedToStart",
                exit_code=None,
            ),
            Category.CONFIGURATION,
            Confidence.HIGH,
        ),
        (
            ecs_book(
                reason="CannotPullContainerError: ERROR: toomanyrequests: Too Many Requests.",
                code="TaskFailedToStart",
                exit_code=None,
            ),
            Category.THROTTLING,
            Confidence.HIGH,
        ),
        (
            ecs_book(
                reason="ResourceInitializationError: unable to pull secrets or registry auth: "
                "execution resource retrieval failed: unable to retrieve secret from asm: "
                "service call has been retried 1 time(s): AccessDeniedException",
                code="TaskFailedToStart",
                exit_code=None,
            ),
            Category.PERMISSION_DENIED,
            Confidence.HIGH,
        ),
        (
            ecs_book(
                reason="CannotCreateContainerError: API error (500): devmapper: Thin Pool has 4350 free "
                "data blocks which is less than minimum required 4454 free data blocks",
                code="TaskFailedToStart",
                exit_code=None,
            ),
            Category.DISK_FULL,
            Confidence.HIGH,
        ),
        (
            ecs_book(reason="Host EC2 (instance i-08784105ffff56b4f) terminated.", code="", exit_code=None),
            Category.CAPACITY,
            Confidence.HIGH,
        ),
    ],
)
def test_ecs_real_stop_reasons_are_diagnosed(
    book: EvidenceBook, category: Category, confidence: Confidence
) -> None:
    d = diagnose(book, "ecs")
    assert (d.cause.category, d.cause.confidence) == (category, confidence), d.cause.signature
    assert d.cause.evidence_ids


def test_ecs_oom_beats_the_generic_java_heap_signature_and_names_the_resource() -> None:
    d = diagnose(
        ecs_book(exit_code=137, container_reason="OutOfMemoryError: Container killed due to memory usage"),
        "ecs",
    )
    assert d.cause.signature == "ecs-container-oom"
    assert "500 MiB" in d.cause.explanation and "export" in d.cause.explanation
    steps = " ".join(d.next_steps)
    assert "invoice-export" in steps and "batch-fargate" in steps and "1000 MiB" in steps
    assert "?" not in steps


def test_ecs_signatures_do_not_apply_to_other_sources() -> None:
    book = ecs_book(reason="Your Spot Task was interrupted.", code="SpotInterruption", exit_code=143)
    assert diagnose(book, "ecs").cause.signature == "ecs-spot-interruption"
    elsewhere = diagnose(book, "stepfunctions")
    assert elsewhere.signature is None or "ecs" not in elsewhere.signature.sources or (
        "stepfunctions" in elsewhere.signature.sources)


BATCH_CONTEXT = {
    "job_name": "align-NA12878",
    "job_definition": "bam-align:4",
    "job_definition_name": "bam-align",
    "job_queue": "genomics-ondemand",
    "memory": "8192",
    "memory_doubled": "16384",
    "vcpus": "4",
    "timeout_seconds": "3600",
    "log_stream": "bam-align/default/a1b2",
    "role": "arn:aws:iam::1:role/j",
    "image": "bam-align:2.1.4",
    "exit_code": 1,
}


def batch_book(
    status_reason: str, *, exit_code: int | None = None, reason: str = "", logs: tuple[str, ...] = ()
) -> EvidenceBook:
    b = EvidenceBook()
    b.add(
        "job",
        "batch:DescribeJobs",
        f"Job align FAILED: {status_reason}",
        status_reason=status_reason,
        status="FAILED",
    )
    b.add(
        "job",
        "batch:DescribeJobs",
        f"Attempt 1 of 1: exit code {exit_code} — reason: {reason}",
        exit_code=exit_code,
        reason=reason,
        status_reason=status_reason,
        attempt=1,
    )
    for line in logs:
        b.add("log", "/aws/batch/job/bam-align/default/a1b2", line)
    return b


@pytest.mark.parametrize(
    ("book", "category"),
    [
        (
            batch_book(
                ESSENTIAL, exit_code=137, reason="OutOfMemoryError: Container killed due to memory usage"
            ),
            Category.OUT_OF_MEMORY,
        ),
        (batch_book("Job attempt duration exceeded timeout", exit_code=137), Category.TIMEOUT),
        (batch_book("Host EC2 (instance i-08784105ffff56b4f) terminated."), Category.CAPACITY),
        (
            batch_book(
                ESSENTIAL,
                reason="CannotInspectContainerError: Could not transition to inspecting; timed out "
                "after waiting 30s",
            ),
            Category.CAPACITY,
        ),
        (
            batch_book(
                "Canceled by JobStateTimeLimit action due to reason: CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY"
            ),
            Category.CAPACITY,
        ),
        (
            batch_book(
                "Canceled by JobStateTimeLimit action due to reason: "
                "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT"
            ),
            Category.CONFIGURATION,
        ),
        (batch_book("Dependent Job failed"), Category.UPSTREAM_FAILURE),
        (
            batch_book(
                ESSENTIAL,
                exit_code=1,
                logs=(
                    "An error occurred (AccessDenied) when calling the PutObject operation: Access Denied",
                ),
            ),
            Category.PERMISSION_DENIED,
        ),
        (
            batch_book(
                ESSENTIAL, exit_code=1, logs=("Traceback (most recent call last):", "KeyError: 'sample'")
            ),
            Category.CODE_ERROR,
        ),
        (batch_book(ESSENTIAL, exit_code=1), Category.CODE_ERROR),
        (batch_book(ESSENTIAL, exit_code=137), Category.OUT_OF_MEMORY),
    ],
)
def test_batch_real_status_reasons_are_diagnosed(book: EvidenceBook, category: Category) -> None:
    d = signature_set().diagnose(book.items, "batch", BATCH_CONTEXT)
    assert d.cause.category == category, d.cause.signature
    assert d.cause.signature and d.cause.signature.startswith(("batch-", "s3-", "python-"))


def test_batch_host_terminated_suggests_the_retry_strategy_for_its_job_definition() -> None:
    d = signature_set().diagnose(
        batch_book("Host EC2 (instance i-08784105ffff56b4f) terminated.").items, "batch", BATCH_CONTEXT
    )
    assert any('onStatusReason: "Host EC2*"' in s and "bam-align" in s for s in d.next_steps)


def test_ecs_and_batch_signatures_are_prefixed_and_source_specific() -> None:
    ours = [s for s in signature_set().signatures if s.origin in {"ecs.yaml", "batch.yaml"}]
    assert len([s for s in ours if s.origin == "ecs.yaml"]) >= 12
    assert len([s for s in ours if s.origin == "batch.yaml"]) >= 8
    for sig in ours:
        prefix = sig.origin.removesuffix(".yaml")
        assert sig.id.startswith(f"{prefix}-") and sig.sources == frozenset({prefix}), sig.id
        assert sig.next_steps, sig.id


def test_a_timeout_after_a_fatal_error_is_reported_with_that_error() -> None:
    # A worker killed 3 minutes in, then a hang until the 6-hour attempt timeout (nipreps/nibabies#74): the
    # kill is the cause, the timeout its symptom, and the limit may still matter (medium).
    timeout = "Job attempt duration exceeded timeout"
    killed = ("concurrent.futures.process.BrokenProcessPool: A process in the process pool was terminated abruptly "
              "while the future was running or pending.")
    d = signature_set().diagnose(batch_book(timeout, exit_code=137, logs=("Traceback (most recent call last):",
                                                                          killed)).items, "batch", {})
    assert (d.cause.category, d.cause.confidence) == (Category.OUT_OF_MEMORY, Confidence.MEDIUM)
    assert "a time limit stopped it" in d.cause.explanation and "E1" in d.cause.evidence_ids
    # A retried error or a warning before it is no such failure: the timeout stands (at medium: a time limit says
    # where the run stopped, not why).
    d = signature_set().diagnose(batch_book(timeout, exit_code=137, logs=(
        "WARN botocore: ThrottlingException: Rate exceeded; retrying in 2 s (attempt 1 of 5)",)).items, "batch", {})
    assert (d.cause.category, d.cause.confidence) == (Category.TIMEOUT, Confidence.MEDIUM)
    assert d.cause.signature == "batch-job-timeout"


def test_a_stop_a_round_time_after_an_orchestrator_started_the_task_is_its_time_limit() -> None:
    # MWAA's execution_timeout of 2 h stops the ECS task it started: "Task killed by the user" (apache/airflow#39026).
    book = ecs_book(reason="Task killed by the user", code="UserInitiated", exit_code=137)
    book.items[0].facts["round_limit"] = True
    d = diagnose(book, "ecs")
    assert (d.cause.category, d.cause.confidence) == (Category.TIMEOUT, Confidence.MEDIUM)
    assert d.cause.signature == "ecs-stopped-at-time-limit"
    book.items[0].facts["round_limit"] = False
    assert diagnose(book, "ecs").cause.category == Category.MANUAL_STOP


@pytest.mark.parametrize(("created", "stopping", "limit"), [
    ("2024-04-15T02:00:13.402Z", "2024-04-15T04:00:12.034Z", 7200.0),  # 2 h less a second
    ("2024-04-15T02:00:00Z", "2024-04-15T02:30:10Z", 1800.0),
    ("2024-03-19T02:00:53Z", "2024-03-19T03:41:07Z", None),  # a person, 1 h 40 min in
    ("2024-04-15T02:00:00Z", "2024-04-15T02:01:00Z", None),  # too short to be a limit
])
def test_round_time_limits(created: str, stopping: str, limit: float | None) -> None:
    assert _round_limit({"createdAt": created, "stoppingAt": stopping}) == limit


def test_a_cause_in_a_log_line_names_the_container_whose_log_it_is() -> None:
    book = ecs_book(exit_code=143, logs=())
    line = book.add("log", "/ecs/app/firelens/log_router/5a0e2c4b",
                    'level=error msg="AccessDenied: Access Denied status code: 403"')
    line.facts["placeholders"] = {"container": "log_router"}
    d = diagnose(book, "ecs")
    assert d.cause.category == Category.PERMISSION_DENIED
    assert "container log_router" in d.cause.explanation


def test_a_host_lost_under_an_earlier_attempt_is_no_cause_of_the_last_attempts_error() -> None:
    # Attempt 1 lost its Spot host; Batch retried, and attempt 2 failed on its own: the org's API request limit
    # (SalesforceLabs/OrgCheck#181). The lost host is a red herring beside the last attempt's error.
    b = EvidenceBook()
    b.add("job", "batch:DescribeJobs", f"Job sfdc-extract FAILED: {ESSENTIAL} — after 2 attempts",
          status_reason=ESSENTIAL, status="FAILED")
    b.add("job", "batch:DescribeJobs", "Attempt 1 of 2: no exit code — status reason: Host EC2 (instance "
          "i-0c7f3a9e1b5d2f468) terminated.", exit_code=None, reason="",
          status_reason="Host EC2 (instance i-0c7f3a9e1b5d2f468) terminated.", attempt="earlier")
    b.add("job", "batch:DescribeJobs", f"Attempt 2 of 2: exit code 1 (application error) — status reason: {ESSENTIAL}",
          exit_code=1, reason="", status_reason=ESSENTIAL, attempt=2)
    b.add("log", "/aws/batch/job/sfdc-extract/default/7e1c", "REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded.")
    d = signature_set().diagnose(b.items, "batch", BATCH_CONTEXT)
    assert d.cause.category == Category.THROTTLING
    # The same lost host under the last attempt is the cause.
    last = batch_book("Host EC2 (instance i-0c7f3a9e1b5d2f468) terminated.",
                      logs=("REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded.",))
    assert signature_set().diagnose(last.items, "batch", BATCH_CONTEXT).cause.category == Category.CAPACITY


@pytest.mark.parametrize(("reason", "rule"), [
    # What the call ended with says the network: the agent's retries alone do not.
    ("ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: "
     "unable to retrieve secret from asm: service call has been retried 5 time(s): failed to fetch secret arn:aws:"
     "secretsmanager:eu-west-2:123456789012:secret:admin-db-Xy12 from secrets manager: RequestCanceled: request "
     "context canceled caused by: context deadline exceeded", "ecs-secrets-unreachable"),
    # A reason ECS cut at 255 characters before what the call ended with: not read as an unreachable service.
    ("ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: "
     "unable to retrieve secret from asm: service call has been retried 5 time(s): failed to fetch secret arn:aws:"
     "secretsmanager:eu-west-2:123456789012:", "ecs-resource-initialization"),
])
def test_a_secrets_fetch_is_unreachable_only_when_its_error_says_so(reason: str, rule: str) -> None:
    b = ecs_book(reason=reason, code="TaskFailedToStart", exit_code=None)
    d = signature_set().diagnose(b.items, "ecs", ECS_CONTEXT)
    # Both are the task's setup; only the first is said to be its route to Secrets Manager.
    assert (d.cause.category, d.cause.signature) == (Category.CONFIGURATION, rule)
    assert ("NAT gateway" in " ".join(d.next_steps)) == (rule == "ecs-secrets-unreachable")


def test_a_script_bash_cannot_execute_for_its_interpreter_line_is_the_images_code() -> None:
    b = ecs_book(exit_code=127, logs=("/bin/sh: line 1: ./run-sync.sh: cannot execute: required file not found",))
    assert signature_set().diagnose(b.items, "ecs", ECS_CONTEXT).cause.category == Category.CODE_ERROR


@pytest.mark.parametrize("code", ["ServiceSchedulerInitiated", ""])
def test_a_worker_a_deployment_killed_after_its_stop_timeout_was_stopped_not_out_of_memory(code: str) -> None:
    # komoju/barcelona#27: a job worker still busy when the deployment's stop timeout (30 s) ran out; events of
    # that time carry no stop code, only the reason.
    d = diagnose(ecs_book(reason=SCALING, code=code, exit_code=137), "ecs")
    assert (d.cause.category, d.cause.signature) == (Category.MANUAL_STOP, "ecs-scheduler-stopped-work")
    # Killed for memory during the stop, it is the memory.
    d = diagnose(ecs_book(reason=SCALING, code=code, exit_code=137,
                          container_reason="OutOfMemoryError: Container killed due to memory usage"), "ecs")
    assert d.cause.category == Category.OUT_OF_MEMORY


@pytest.mark.parametrize("read_only", [True, False])
def test_no_writable_temporary_directory_on_a_read_only_root_is_the_definition(read_only: bool) -> None:
    # HHS/simpler-grants-gov#7844: readonlyRootFilesystem with no volume at /tmp; without it, a full disk as a rule.
    b = ecs_book(logs=("FileNotFoundError: [Errno 2] No usable temporary directory found in ['/tmp', '/var/tmp', "
                       "'/usr/tmp', '/api']",))
    if read_only:
        b.add("config", "ecs:DescribeTaskDefinition", "Container export has a read-only root file system "
              "(readonlyRootFilesystem); it can write only to its mounted volumes: none", read_only_root=True)
    d = diagnose(b, "ecs")
    assert d.cause.category == (Category.CONFIGURATION if read_only else Category.DISK_FULL)


def _defs(*secrets: str) -> dict[str, dict[str, object]]:
    return {"app": {"secrets": [{"name": f"S{i}", "valueFrom": v} for i, v in enumerate(secrets)]}}


@pytest.mark.parametrize(("refused", "secrets", "blamed"), [
    # aws/aws-cdk#10519: a Secrets Manager secret's name, which ECS looks up in Parameter Store
    ("prod/appserver/MySecret", ("arn:aws:secretsmanager:us-west-2:123456789012:secret:db-Wq3kLm",
                                 "prod/appserver/MySecret"), True),
    # aws/copilot-cli#4504: a bare name beside a secret given by its path
    ("GOOGLE_CLIENT_ID", ("/copilot/app/test/secrets/SESSION_SECRET", "GOOGLE_CLIENT_ID"), True),
    # a path the policy does not cover: the policy's, not the reference's
    ("api/REDIS_URL", ("/api/REDIS_URL",), False),
    # an ARN: the reference is complete
    ("prod/x", ("arn:aws:ssm:us-west-2:123456789012:parameter/prod/x",), False),
    # a bare name in a task whose every secret is bare: nothing says it is the wrong one
    ("TOKEN", ("TOKEN", "OTHER"), False),
    # a parameter the task definition does not name
    ("elsewhere", ("/copilot/app/test/secrets/SESSION_SECRET", "GOOGLE_CLIENT_ID"), False),
])
def test_a_refused_parameter_named_by_a_bare_name_is_the_reference(
        refused: str, secrets: tuple[str, ...], blamed: bool) -> None:
    hit = _bare_secret_ref(refused, _defs(*secrets))
    assert (hit is not None) == blamed
    if hit:
        assert hit[0] == "app" and hit[2] == refused


def test_single_label_hosts_of_an_environment_are_found_in_urls_and_host_settings() -> None:
    env = [{"name": "DATABASE_URL", "value": "postgresql+psycopg://u:${PW}@postgres:5432/app"},
           {"name": "REDIS_HOST", "value": "redis"},
           {"name": "API_URL", "value": "https://api.example.com/v1"},  # a dotted name is a real endpoint
           {"name": "LOCAL", "value": "http://localhost:8080"},  # the task's own network
           {"name": "MODE", "value": "worker"}]  # no host setting
    assert _env_hosts({"environment": env}) == {"postgres": "DATABASE_URL", "redis": "REDIS_HOST"}


def test_a_log_driver_whose_receiver_is_gone_is_not_read_as_a_missing_log_group() -> None:
    # komoju/barcelona#582: the syslog receiver the hosts ran was removed with its plugin.
    from incident_responder.analyze import signature_set
    from incident_responder.model import EvidenceBook

    b = EvidenceBook()
    b.add("task", "ecs:DescribeTasks", "Container worker (essential) has no exit code: CannotStartContainerError: "
          "Error response from daemon: failed to initialize logging driver: dial tcp 127.0.0.1:514: connect: "
          "connection refused")
    d = signature_set().diagnose(b.items, "ecs", {"container": "worker", "family": "delayed"})
    assert d.cause.signature == "ecs-log-driver-endpoint-unreachable"
    assert "awslogs group does not exist" not in d.cause.explanation
    b.items[0].text = ("Container worker (essential) has no exit code: CannotStartContainerError: failed to initialize "
                       "logging driver: failed to create Cloudwatch log stream: ResourceNotFoundException: The "
                       "specified log group does not exist.")
    assert signature_set().diagnose(b.items, "ecs", {"container": "worker"}).cause.signature == "ecs-log-group-missing"


@pytest.mark.parametrize(("app_exit", "bystander"), [
    (143, True),  # stopped by ECS's SIGTERM
    (0, True),  # shut down cleanly on it (DataDog/datadog-agent#4834: the app exited 0 after the agent panicked)
    (1, False),  # failed on its own: its log may hold the cause as well
])
def test_containers_that_did_not_fail_beside_an_essential_one_that_did_are_bystanders(app_exit: int,
                                                                                       bystander: bool) -> None:
    containers = [{"name": "datadog-agent", "exitCode": 2}, {"name": "orders-api", "exitCode": app_exit}]
    defs: dict[Any, dict[str, Any]] = {"datadog-agent": {"essential": True}, "orders-api": {"essential": True}}
    assert ("orders-api" in _stopped_with_the_task(containers, defs)) is bystander
    # With no essential container that failed on its own, nobody is a bystander.
    assert _stopped_with_the_task([{"name": "orders-api", "exitCode": 0}], defs) == set()
