"""ECS and Batch sources end to end: the analyze handler against moto (the local world) and the local Slack
emulator, on the scenarios in tests/scenarios/ecs_* and batch_*; and the local world's ECS and Batch state
answering ordinary boto3 calls."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
from tests.conftest import SCENARIOS

from incident_responder.analyze import signature_set
from incident_responder.aws import AwsContext
from incident_responder.config import settings
from incident_responder.model import Category, EvidenceBook, Incident
from incident_responder.sources.base import Collector
from incident_responder.sources.batch import BatchAdapter
from incident_responder.sources.ecs import EcsAdapter
from incident_responder_local.replay import Scenario, run_scenario
from incident_responder_local.runtime import LocalStack
from incident_responder_local.world import World


def replay(name: str, slack: Any) -> dict[str, Any]:
    result = run_scenario(SCENARIOS / name, slack)
    assert result["check"]["passed"], result["check"]["failures"]
    return result


def evidence(result: dict[str, Any]) -> str:
    return "\n".join(e["text"] for e in result["report"]["evidence"])


def top_level(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for m in result["slack"] if not m["thread_ts"] or m["thread_ts"] == m["ts"]]


@pytest.fixture
def stack(request: pytest.FixtureRequest) -> Iterator[LocalStack]:
    """The local world of the scenario named by the test's (indirect) parameter, loaded into moto."""
    scenario = Scenario.load(SCENARIOS / request.param)
    with LocalStack(scenario.world) as local:
        local.scenario = scenario  # type: ignore[attr-defined]
        yield local


def collect(stack: LocalStack, source: Any) -> Collector:
    incident = source.parse(stack.scenario.event)  # type: ignore[attr-defined]
    assert isinstance(incident, Incident)
    c = Collector(
        incident, AwsContext(region=incident.region, session=stack.session), settings(), EvidenceBook(),
        context=source.context_type(),
    )
    source.collect(c)
    return c


# -- ECS ------------------------------------------------------------------------------------------------
def test_ecs_oom_report_carries_the_task_facts_in_three_ecs_and_logs_calls(slack: Any) -> None:
    result = replay("02_ecs_oom_exit137", slack)
    text = evidence(result)
    assert "Container export (essential) exited with code 137 (killed by SIGKILL, 128+9)" in text
    assert "Task size: 512 CPU units, 1024 MiB memory; containers: export: memory hard limit 500 MiB" in text
    assert "Launch type FARGATE" in text and "group family:invoice-export" in text
    assert "loaded 412338 invoice lines into memory" in text  # the awslogs stream ecs/export/<task id>
    calls = result["api_calls"]
    assert calls["ecs.DescribeTasks"] == 1 and calls["ecs.DescribeTaskDefinition"] == 1
    assert calls["logs.FilterLogEvents"] == 1 and "logs.DescribeLogStreams" not in calls
    [post] = top_level(result)
    assert post["channel"] == slack.channel_id("#billing-alerts")
    cause = result["report"]["probable_cause"]
    assert cause["signature"] == "ecs-container-oom" and cause["evidence_ids"]
    assert any(
        "task definition invoice-export" in s and "batch-fargate" in s for s in result["report"]["next_steps"]
    )


def test_deleted_task_definition_still_posts_and_says_what_could_not_be_read(slack: Any) -> None:
    result = replay("ecs_deleted_task_definition", slack)
    gaps = " ".join(result["report"]["gaps"])
    assert (
        "DescribeTaskDefinition ledger-close:18: ClientException: Unable to describe task definition." in gaps
    )
    assert "container logs were not read" in gaps
    # The task's own description still gives the container's hard limit and the exit code.
    assert "close: memory hard limit 4096 MiB" in evidence(result)
    [post] = top_level(result)
    assert "Unable to describe task definition" in json.dumps(post["blocks"])
    assert "logs.FilterLogEvents" not in result["api_calls"]


@pytest.mark.parametrize("stack", ["ecs_deleted_task_definition"], indirect=True)
def test_deleted_task_definition_redrives_the_latest_active_revision(stack: LocalStack) -> None:
    c = collect(stack, EcsAdapter())
    assert c.context["redrive"].to_dict()["taskDefinition"] == "ledger-close"
    assert any("ledger-close:18 is not ACTIVE" in u for u in c.context["redrive"].to_dict()["unknown"])
    assert not any(link.label.startswith("Task definition") for link in c.links)


def test_an_inactive_task_definition_is_still_read_and_flagged() -> None:
    scenario = Scenario.load(SCENARIOS / "02_ecs_oom_exit137")
    data = copy.deepcopy(scenario.world.data)
    data["ecs"]["task_definitions"][0].update(status="INACTIVE", deregisteredAt="2018-01-16T09:00:00.000Z")
    world = World(data=data, base=scenario.world.base, region=scenario.world.region,
                  account=scenario.world.account)
    with LocalStack(world) as local:
        local.scenario = scenario  # type: ignore[attr-defined]
        c = collect(local, EcsAdapter())
    texts = "\n".join(e.text for e in c.book)
    assert "Task definition invoice-export:3 is INACTIVE (deregistered at 2018-01-16T09:00:00.000Z)" in texts
    assert "export: memory hard limit 500 MiB" in texts  # the definition itself was still read
    assert c.context["redrive"].to_dict()["taskDefinition"] == "invoice-export"
    assert c.book.gaps == []


def _collect_ecs(scenario: Scenario, world_json: str) -> Any:
    """The ECS evidence of ``scenario`` with its world replaced by ``world_json`` (an edited copy of it)."""
    world = World(data=json.loads(world_json), base=scenario.world.base, region=scenario.world.region,
                  account=scenario.world.account)
    with LocalStack(world) as local:
        local.scenario = scenario  # type: ignore[attr-defined]
        return collect(local, EcsAdapter())


@pytest.mark.parametrize(("network_mode", "host", "named"), [
    ("awsvpc", "db", True),  # camptocamp/terraboard#61: the Postgres sidecar looked up by its container name
    ("bridge", "db", False),  # bridge mode has links: the name is not the task's setup by itself
    ("awsvpc", "db.internal.example", False),  # a name that is no container's: DNS, not the task's setup
])
def test_a_container_looking_up_a_sibling_by_name_in_awsvpc_mode_is_the_tasks_setup(
        network_mode: str, host: str, named: bool) -> None:
    scenario = Scenario.load(SCENARIOS / "ecs_fargate_sidecar_db_hostname_no_such_host")
    data = copy.deepcopy(scenario.world.data)
    data["ecs"]["task_definitions"][0]["networkMode"] = network_mode
    if network_mode != "awsvpc":
        for task in data["ecs"]["tasks"]:
            task["launchType"] = "EC2"
    c = _collect_ecs(scenario, json.dumps(data).replace("lookup db on", f"lookup {host} on"))
    facts = [e for e in c.book if e.facts.get("sibling_host")]
    assert bool(facts) == named
    d = signature_set().diagnose(c.book.items, "ecs", c.context.values())
    if named:
        assert "reach each other on localhost" in facts[0].text
        assert d.rule == "ecs-awsvpc-sibling-container-by-name"
        assert d.cause.category == Category.CONFIGURATION
    else:
        assert d.rule != "ecs-awsvpc-sibling-container-by-name"


@pytest.mark.parametrize(("url", "line", "named"), [
    # infinri/neural-forge#2: the compose service's name left in DATABASE_URL; psycopg's error names no host
    ("postgresql+psycopg://neural:${POSTGRES_PASSWORD}@postgres:5432/neural_forge",
     "[Errno -2] Name or service not known", True),
    # the line names the same host
    ("postgresql://app@postgres:5432/app", 'could not translate host name "postgres" to address', True),
    # a real endpoint that did not resolve: DNS or the database, not a compose name
    ("postgresql://app@db.cluster-c1x2.eu-west-1.rds.amazonaws.com:5432/app",
     "[Errno -2] Name or service not known", False),
    # the line names another host than the environment's: that host is what failed
    ("postgresql://app@postgres:5432/app", 'could not translate host name "api.example.com" to address', False),
])
def test_a_compose_service_name_left_in_the_environment_is_the_tasks_setting(
        url: str, line: str, named: bool) -> None:
    scenario = Scenario.load(SCENARIOS / "alembic_migration_db_host_unresolvable")
    data = copy.deepcopy(scenario.world.data)
    for item in data["ecs"]["task_definitions"][0]["containerDefinitions"][0]["environment"]:
        if item["name"] == "DATABASE_URL":
            item["value"] = url
    c = _collect_ecs(scenario, json.dumps(data).replace("[Errno -2] Name or service not known",
                                                        line.replace('"', '\\"')))
    facts = [e for e in c.book if e.facts.get("compose_host")]
    assert bool(facts) == named
    d = signature_set().diagnose(c.book.items, "ecs", c.context.values())
    if named:
        assert "DATABASE_URL of container" in facts[0].text and "'postgres'" in facts[0].text
        assert url not in facts[0].text and "@" not in facts[0].text  # nothing of the URL's user or password
        assert d.rule == "ecs-compose-service-host"
        assert d.cause.category == Category.CONFIGURATION
        assert d.cause.confidence.value == "medium"
    else:
        assert d.rule != "ecs-compose-service-host"


def test_missing_log_stream_is_named_in_the_report(slack: Any) -> None:
    result = replay("ecs_missing_log_stream", slack)
    stream = "ecs/sync/7b6a5f4e3d2c41b0a9f8e7d6c5b4a392"
    assert any(
        g.startswith(f"log stream {stream} does not exist in /ecs/partner-sync")
        for g in result["report"]["gaps"]
    )
    assert not any(g.startswith("no log lines") for g in result["report"]["gaps"])
    assert "partner-sync: 14 partners" not in evidence(result)  # yesterday's stream is not this task's


def test_expired_task_is_reported_from_the_event_and_says_so(slack: Any) -> None:
    result = replay("ecs_task_expired_segfault", slack)
    sources = {e["source"] for e in result["report"]["evidence"] if e["kind"] == "task"}
    assert sources == {"ecs (event)"}
    assert any("AWS keeps stopped tasks for about an hour" in g for g in result["report"]["gaps"])
    assert "Fatal Python error: Segmentation fault" in evidence(result)  # logs found from the task definition


def test_task_that_never_started_reads_no_logs(slack: Any) -> None:
    result = replay("ecs_cannot_pull_no_route", slack)
    assert "logs.FilterLogEvents" not in result["api_calls"]
    # Nothing could not be read; the only note is that no earlier good run of the service was recorded.
    assert [g for g in result["report"]["gaps"] if not g.startswith("what changed: ")] == []
    assert "never reached RUNNING" in evidence(result)


@pytest.mark.parametrize(
    "name", ["ecs_scale_in_exit0", "ecs_sidecar_sigterm_after_success", "ecs_running_task"]
)
def test_clean_stops_post_nothing_and_read_nothing(slack: Any, name: str) -> None:
    result = replay(name, slack)
    assert result["outcome"] == "skipped" and result["report"] is None and top_level(result) == []
    assert not any(call.startswith(("ecs.", "logs.")) for call in result["api_calls"])


@pytest.mark.parametrize("stack", ["ecs_fargate_spot_interruption"], indirect=True)
def test_ecs_redrive_spec_is_a_run_task_of_the_same_definition_and_capacity(stack: LocalStack) -> None:
    c = collect(stack, EcsAdapter())
    spec = c.context["redrive"].to_dict()
    assert spec["action"] == "RunTask"
    assert spec["cluster"] == "arn:aws:ecs:eu-west-1:123456789012:cluster/etl-spot"
    assert (
        spec["taskDefinition"] == "arn:aws:ecs:eu-west-1:123456789012:task-definition/clickstream-compact:12"
    )
    assert spec["capacityProviderStrategy"] == [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]
    assert "launchType" not in spec  # RunTask takes one or the other
    assert spec["networkConfiguration"] == {"awsvpcConfiguration": {"subnets": ["subnet-0a7b3c9d1e2f4a5b6"]}}
    assert "networkConfiguration.awsvpcConfiguration.securityGroups" in spec["unknown"]
    assert spec["taskArn"].endswith("/b7e1c0a2d4f64e8b9a3c5d7e9f1a2b3c")
    assert c.context["container"] == "compactor" and c.context["capacity_provider"] == "FARGATE_SPOT"


@pytest.mark.parametrize("stack", ["ecs_exit1_python_traceback"], indirect=True)
def test_ecs_redrive_keeps_the_command_override_and_context_names_the_stream(stack: LocalStack) -> None:
    c = collect(stack, EcsAdapter())
    assert c.context["redrive"].to_dict()["overrides"]["containerOverrides"][0]["command"][-1] == "2024-04-01"
    assert c.context["log_group"] == "/ecs/orders-dedupe"
    assert c.context["log_stream"] == "ecs/dedupe/3c2b1a0f9e8d47c6b5a4f3e2d1c0b9a8"
    assert any(link.label == "Logs of dedupe" and "log-events" in link.url for link in c.links)


@pytest.mark.parametrize("stack", ["ecs_cannot_pull_no_route"], indirect=True)
def test_a_service_task_redrives_as_a_new_deployment(stack: LocalStack) -> None:
    spec = collect(stack, EcsAdapter()).context["redrive"].to_dict()
    assert spec["action"] == "UpdateService" and spec["serviceName"] == "cloud-scanner"


@pytest.mark.parametrize("stack", ["02_ecs_oom_exit137"], indirect=True)
def test_world_ecs_answers_with_the_pasted_task_and_definition(stack: LocalStack) -> None:
    ecs = stack.session.client("ecs")
    task = ecs.describe_tasks(cluster="batch-fargate", tasks=["5a0e2c4b6d8f41a3b5c7d9e1f3a5b7c9"])["tasks"][0]
    assert task["lastStatus"] == "STOPPED" and task["stoppedReason"] == "Essential container in task exited"
    assert task["containers"][0]["exitCode"] == 137
    assert task["containers"][0]["reason"] == "OutOfMemoryError: Container killed due to memory usage"
    assert task["stoppedAt"].isoformat() == "2018-01-17T02:06:12.944000+00:00"
    td = ecs.describe_task_definition(taskDefinition="invoice-export:3")["taskDefinition"]
    assert (td["revision"], td["status"], td["memory"]) == (3, "ACTIVE", "1024")
    assert td["containerDefinitions"][0]["logConfiguration"]["options"]["awslogs-stream-prefix"] == "ecs"
    assert ecs.list_tags_for_resource(resourceArn=td["taskDefinitionArn"])["tags"] == []


# -- Batch ----------------------------------------------------------------------------------------------
def test_batch_oom_report_reads_the_job_once_and_the_attempt_stream(slack: Any) -> None:
    result = replay("batch_oom", slack)
    text = evidence(result)
    assert "Attempt 1 of 1: exit code 137 (killed by SIGKILL, 128+9) — reason: OutOfMemoryError" in text
    assert "container 4 vCPU, 8192 MiB memory" in text
    assert "sorting 7.4 GiB of alignments in memory" in text
    assert result["api_calls"]["batch.DescribeJobs"] == 1 and result["api_calls"]["logs.FilterLogEvents"] == 1
    # Only a Batch on EKS job reads its queue's compute environments (for the cluster of its pods' logs).
    assert not {"batch.DescribeJobQueues", "batch.DescribeComputeEnvironments"} & set(result["api_calls"])
    assert any("bam-align above 8192 MiB" in s for s in result["report"]["next_steps"])


def test_batch_job_no_longer_described_is_reported_from_the_event(slack: Any) -> None:
    result = replay("batch_job_gone_event_only", slack)
    assert {e["source"] for e in result["report"]["evidence"] if e["kind"] in {"job", "config"}} == {
        "batch (event)"
    }
    gaps = " ".join(result["report"]["gaps"])
    assert "no such job" in gaps and "/aws/batch/job" in gaps
    assert "Attempt 1 of 2: exit code 1" in evidence(result)


def test_batch_missing_log_stream_is_named(slack: Any) -> None:
    result = replay("batch_missing_log_stream", slack)
    assert any(
        g.startswith("log stream fx-rates-fetch/default/e5f6a7b8c9d04e1f2a3b4c5d6e7f8a9b does not exist")
        for g in result["report"]["gaps"]
    )


def _stuck_runnable(tmp_path: Any, environment: dict[str, Any] | None) -> Any:
    """The Step Functions task whose Batch child stayed RUNNABLE until the task timed out, its queue's one compute
    environment as ``environment`` says (None: the world names none, and the queue gets a VALID one)."""
    import shutil

    import yaml

    folder = tmp_path / "sfn_batch_child_stuck_runnable_until_timeout"
    shutil.copytree(SCENARIOS / folder.name, folder)
    world = yaml.safe_load((folder / "world.yaml").read_text(encoding="utf-8"))
    if environment is not None:
        world["batch"]["compute_environments"] = [{"computeEnvironmentName": "spot-bot-ce", **environment}]
        world["batch"]["job_queues"] = [{"jobQueueName": "spot-bot-queue", "computeEnvironmentOrder": [
            {"order": 1, "computeEnvironment": "spot-bot-ce"}]}]
    (folder / "world.yaml").write_text(yaml.safe_dump(world, sort_keys=False), encoding="utf-8")
    (folder / "expect.yaml").write_text("posts: 1\n", encoding="utf-8")
    return folder


def test_a_child_never_placed_is_read_by_its_invalid_compute_environment(slack: Any, tmp_path: Any) -> None:
    # aws-samples/quant-research-sample-using-amazon-ecs-and-aws-batch#4: user data Batch could not merge, so the
    # environment was INVALID and the job RUNNABLE until the task's TimeoutSeconds.
    reason = "CLIENT_ERROR - Launch Template UserData is not MIME multipart format"
    result = run_scenario(_stuck_runnable(tmp_path, {"status": "INVALID", "statusReason": reason}), slack)
    cause = result["report"]["probable_cause"]
    assert (cause["category"], cause["confidence"]) == ("configuration", "medium")  # the timeout: not one-sided
    assert "Launch Template UserData is not MIME multipart format" in cause["explanation"]
    assert f"Compute environment spot-bot-ce of queue spot-bot-queue is ENABLED and INVALID: {reason}" in \
        evidence(result)
    calls = result["api_calls"]
    assert calls["batch.DescribeJobQueues"] == 1 and calls["batch.DescribeComputeEnvironments"] == 1
    # ... while a queue whose environments are all VALID adds nothing, and the job's own words stand
    valid = run_scenario(_stuck_runnable(tmp_path / "valid", None), slack)
    assert "Compute environment" not in evidence(valid)
    assert valid["report"]["probable_cause"]["category"] == "timeout"  # the time-out, with the job never placed


@pytest.mark.parametrize("name", ["batch_runnable_not_reported", "batch_succeeded_not_reported"])
def test_batch_jobs_that_did_not_fail_post_nothing(slack: Any, name: str) -> None:
    result = replay(name, slack)
    assert result["report"] is None and top_level(result) == []
    assert "batch.DescribeJobs" not in result["api_calls"]


@pytest.mark.parametrize("stack", ["batch_exit1_access_denied"], indirect=True)
def test_batch_redrive_spec_resubmits_the_job_without_its_secret(stack: LocalStack) -> None:
    spec = collect(stack, BatchAdapter()).context["redrive"].to_dict()
    assert spec["action"] == "SubmitJob" and spec["jobName"] == "partner-report-upload-20240421"
    assert spec["jobQueue"] == "arn:aws:batch:us-east-1:123456789012:job-queue/etl-ondemand"
    assert (
        spec["jobDefinition"] == "arn:aws:batch:us-east-1:123456789012:job-definition/partner-report-upload:6"
    )
    overrides = spec["containerOverrides"]
    assert overrides["command"] == ["python", "-m", "upload", "--day", "2024-04-21"]
    assert overrides["environment"] == [{"name": "TARGET_BUCKET", "value": "acme-partner-exchange"}]
    assert "tok_live_8f2a9c41d7e3b6a0" not in json.dumps(spec)
    assert any("PARTNER_API_TOKEN" in u for u in spec["unknown"])


@pytest.mark.parametrize("stack", ["batch_oom"], indirect=True)
def test_world_batch_answers_describe_jobs_with_the_pasted_job(stack: LocalStack) -> None:
    job = stack.session.client("batch").describe_jobs(jobs=["8e2f4b6a-1c3d-4e5f-9a7b-2c4d6e8f0a1b"])["jobs"][
        0
    ]
    assert (
        job["status"] == "FAILED" and job["startedAt"] == 1709342049418
    )  # epoch milliseconds, as boto3 gives
    assert (
        job["attempts"][0]["container"]["reason"] == "OutOfMemoryError: Container killed due to memory usage"
    )
    assert stack.session.client("batch").describe_jobs(jobs=["not-there"])["jobs"] == []


def test_a_job_whose_dependency_failed_is_diagnosed_from_the_dependency(slack: Any) -> None:
    # "Dependent Job failed": the job never ran; the job it depends on is described (one call) and its own attempt
    # and log are read as the job's child, where the throttled Glue poll is.
    result = replay("batch_dependent_job_failed_glue_poller_throttled", slack)
    text = evidence(result)
    assert "depends on 1 job(s); 1 failed. The first, crest-count-2018-11-23" in text
    assert "(ThrottlingException) when calling the GetJobRun operation" in text
    assert result["report"]["probable_cause"]["category"] == "throttling"
    assert result["api_calls"]["batch.DescribeJobs"] == 3  # the job, its dependencies, the dependency's own read


def test_a_job_whose_dependencies_did_not_fail_says_so(slack: Any, tmp_path: Any) -> None:
    import shutil

    import yaml

    shutil.copytree(SCENARIOS / "batch_dependent_job_failed_glue_poller_throttled", tmp_path / "s")
    world = yaml.safe_load((tmp_path / "s" / "world.yaml").read_text())
    for job in world["batch"]["jobs"]:
        if job["jobName"] == "crest-count-2018-11-23":
            job["status"] = "SUCCEEDED"
    (tmp_path / "s" / "world.yaml").write_text(yaml.safe_dump(world))
    result = run_scenario(tmp_path / "s", slack)
    assert result["report"]["probable_cause"]["category"] == "upstream_failure"
    assert any("dependencies: none is FAILED" in g for g in result["report"]["gaps"])


def test_a_multi_node_job_is_diagnosed_from_the_worker_node_that_failed_before_it_ended(slack: Any) -> None:
    # The main node waited for 100 nodes until a person killed the job ("Terminated by the user", 137); two worker
    # nodes had died 25 minutes before, their DescribeStacks calls throttled. One DescribeJobs of the worker nodes
    # finds them; the first is read as the job's child.
    result = replay("batch_mnp_pcluster_nodes_describestacks_throttled", slack)
    text = evidence(result)
    assert "2 worker node(s) of the job failed before it ended; the first, node 37" in text
    assert result["report"]["probable_cause"]["category"] == "throttling"
    assert result["api_calls"]["batch.DescribeJobs"] == 3  # the job, its worker nodes, the node's own read


def test_world_batch_registers_a_definition_from_a_jobs_older_vcpus_and_memory() -> None:
    # DescribeJobs still answers top-level vcpus and memory for jobs of definitions registered with them; the local
    # world registers the job's definition from either form (moto requires its memory).
    scenario = Scenario.load(SCENARIOS / "agc_nextflow_task_no_space")
    data = copy.deepcopy(scenario.world.data)
    for job in data["batch"]["jobs"]:
        container = job.get("container") or {}
        needs = {r["type"]: r["value"] for r in container.pop("resourceRequirements", [])}
        container.update(vcpus=int(needs.get("VCPU", 2)), memory=int(needs.get("MEMORY", 3000)))
    world = World(data=data, base=scenario.world.base, region=scenario.world.region,
                  account=scenario.world.account)
    with LocalStack(world) as local:
        defs = local.session.client("batch").describe_job_definitions()["jobDefinitions"]
        wanted = {job["jobDefinition"]: job["container"] for job in data["batch"]["jobs"]}
        for d in defs:
            if d["jobDefinitionArn"] in wanted:
                needs = {r["type"]: r["value"] for r in d["containerProperties"]["resourceRequirements"]}
                assert needs["MEMORY"] == str(wanted[d["jobDefinitionArn"]]["memory"])
        assert any(d["jobDefinitionArn"] in wanted for d in defs)


def test_a_batch_jobs_role_and_read_only_root_are_facts_of_its_setup() -> None:
    # What "no credentials" and a refused write under / are read against: the job role set, the root read-only.
    scenario = Scenario.load(SCENARIOS / "batch_oom")
    data = copy.deepcopy(scenario.world.data)
    role = "arn:aws:iam::123456789012:role/nightly-export-job"
    for job in data["batch"]["jobs"]:
        job.setdefault("container", {}).update(jobRoleArn=role, readonlyRootFilesystem=True,
                                               mountPoints=[{"sourceVolume": "scratch", "containerPath": "/scratch"}])
    world = World(data=data, base=scenario.world.base, region=scenario.world.region,
                  account=scenario.world.account)
    with LocalStack(world) as local:
        local.scenario = scenario  # type: ignore[attr-defined]
        c = collect(local, BatchAdapter())
    [config] = [ev for ev in c.book.items if ev.kind == "config" and "queue" in ev.text]
    assert "read-only root file system (writable only: /scratch)" in config.text
    assert (config.facts["role"], config.facts["read_only_root"]) == (role, True)
    assert c.context["role"] == role


def test_a_task_that_failed_its_health_checks_shows_what_the_check_runs(slack: Any) -> None:
    """The health check can be what fails (a curl the image does not have, YumaInaura/YumaInaura#3393): the report
    shows the check's command, from the task definition."""
    result = replay("ecs_node_webhook_relay_container_health_check_curl_missing", slack)
    assert any(e["kind"] == "config" and "health check runs: curl -f http://127.0.0.1:80/ || exit 1" in e["text"]
               for e in result["report"]["evidence"]), evidence(result)
