"""EMR and Glue sources against local AWS (moto): the world they read, the evidence they gather, and what
goes wrong (log objects missing, not gzip, cut short or binary; clusters gone; runs unknown)."""

from __future__ import annotations

import copy
import gzip
import json
import random
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from botocore.exceptions import ClientError
from tests.conftest import SCENARIOS

from incident_responder.analyze import build_report, signature_set
from incident_responder.aws import AwsContext, api_calls, reset_api_calls
from incident_responder.config import settings
from incident_responder.model import Category, EvidenceBook, Incident, Report
from incident_responder.sources import adapter_for
from incident_responder.sources.base import Collector
from incident_responder_local.replay import Scenario, run_scenario
from incident_responder_local.runtime import LocalStack
from incident_responder_local.world import World

ACCOUNT = "123456789012"


def _scenario(name: str) -> Scenario:
    return Scenario.load(SCENARIOS / name)


def _world(name: str, **changes: Any) -> World:
    """A scenario's world, with top-level keys replaced."""
    world = _scenario(name).world
    data = copy.deepcopy(world.data)
    data.update(changes)
    return World(data=data, base=world.base, region=world.region, account=world.account,
                 env={**world.env, **{str(k): str(v) for k, v in (changes.get("env") or {}).items()}})


class Run:
    """One source's collection in a fresh local account: the incident, its collector, its report."""

    def __init__(self, world: World, event: dict[str, Any]) -> None:
        self.world, self.event = world, event

    def __enter__(self) -> Run:
        self.stack = LocalStack(self.world).__enter__()
        self.session: boto3.Session = self.stack.session
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stack.__exit__(*exc)

    def collect(self) -> tuple[Incident, Collector]:
        src = adapter_for(self.event)
        incident = src.parse(self.event)
        assert isinstance(incident, Incident)
        aws = AwsContext(region=incident.region, session=self.session)
        c = Collector(incident, aws, settings(), EvidenceBook(), context=src.context_type())
        reset_api_calls()
        src.collect(c)
        self.calls = api_calls()
        return incident, c

    def report(self) -> Report:
        incident, c = self.collect()
        self.collector = c
        return build_report(incident, c, None, signature_set())


@pytest.fixture
def run() -> Iterator[Any]:
    opened: list[Run] = []

    def make(world: World, event: dict[str, Any]) -> Run:
        r = Run(world, event).__enter__()
        opened.append(r)
        return r

    yield make
    for r in reversed(opened):
        r.__exit__(None, None, None)


def _texts(report: Report) -> str:
    return "\n".join(e.text for e in report.evidence)


# -- the local world answers as AWS would ---------------------------------------------------------
def test_emr_world_answers_with_the_steps_failure_details_and_the_clusters_reason(run: Any) -> None:
    sc = _scenario("emr_cluster_terminated_after_step_failure")
    r = run(sc.world, sc.event)
    emr = r.session.client("emr", region_name=sc.world.region)
    want = sc.world.data["emr"]["steps"][1]["step"]
    got = emr.describe_step(ClusterId="j-3TRANS1ENT42Q", StepId=want["Id"])["Step"]
    assert got["Status"]["FailureDetails"] == want["Status"]["FailureDetails"]
    assert got["Config"]["Args"] == want["Config"]["Args"] and got["ActionOnFailure"] == "TERMINATE_CLUSTER"
    cluster = emr.describe_cluster(ClusterId="j-3TRANS1ENT42Q")["Cluster"]
    assert cluster["Status"]["State"] == "TERMINATED_WITH_ERRORS"
    assert cluster["Status"]["StateChangeReason"] == {"Code": "STEP_FAILURE",
                                                      "Message": "Shut down as step failed"}
    steps = emr.list_steps(ClusterId="j-3TRANS1ENT42Q")["Steps"]
    assert [s["Id"] for s in steps] == ["s-4N0T1FYD0NE0", "s-3EXP0RTLEDGR", "s-2BU1LDLEDG3R",
                                        "s-1PREPARE0001"]  # newest first
    assert [s["Id"] for s in emr.list_steps(ClusterId="j-3TRANS1ENT42Q", StepStates=["FAILED"])["Steps"]] == [
        "s-2BU1LDLEDG3R"]


@pytest.mark.parametrize(("call", "kwargs"), [
    ("describe_step", {"ClusterId": "j-NOSUCHCLUSTER", "StepId": "s-1"}),
    ("describe_step", {"ClusterId": "j-3TRANS1ENT42Q", "StepId": "s-NOSUCHSTEP"}),
    ("list_steps", {"ClusterId": "j-NOSUCHCLUSTER"}),
    ("describe_cluster", {"ClusterId": "j-NOSUCHCLUSTER"}),
])
def test_emr_world_answers_unknown_ids_with_invalid_request(run: Any, call: str,
                                                             kwargs: dict[str, str]) -> None:
    sc = _scenario("emr_cluster_terminated_after_step_failure")
    emr = run(sc.world, sc.event).session.client("emr", region_name=sc.world.region)
    with pytest.raises(ClientError) as err:
        getattr(emr, call)(**kwargs)
    assert err.value.response["Error"]["Code"] == "InvalidRequestException"


def test_glue_world_answers_with_the_runs_error_and_knows_no_other_run(run: Any) -> None:
    sc = _scenario("glue_path_does_not_exist")
    glue = run(sc.world, sc.event).session.client("glue", region_name=sc.world.region)
    want = sc.world.data["glue"]["job_runs"][0]
    got = glue.get_job_run(JobName=want["JobName"], RunId=want["Id"])["JobRun"]
    assert got["ErrorMessage"] == want["ErrorMessage"] and got["JobRunState"] == "FAILED"
    assert got["Arguments"] == want["Arguments"]
    assert glue.get_job(JobName=want["JobName"])["Job"]["Role"].endswith(":role/AWSGlueServiceRoleDefault")
    with pytest.raises(ClientError) as err:
        glue.get_job_run(JobName=want["JobName"], RunId="jr_" + "0" * 64)
    assert err.value.response["Error"]["Code"] == "EntityNotFoundException"


# -- EMR evidence ------------------------------------------------------------------------------------
def test_empty_failure_details_lead_to_the_stderr_under_the_clusters_log_uri(run: Any) -> None:
    sc = _scenario("emr_step_empty_details_stderr_disk_full")
    r = run(sc.world, sc.event)
    report = r.report()
    stderr = "s3://acme-emr-logs-euw1/elasticmapreduce/j-2AXOGAPLF0R1Q/steps/s-1ORD3RSD1SK0Q/stderr.gz"
    cause_lines = [e for e in report.evidence if "No space left on device" in e.text]
    assert cause_lines and all(e.source == stderr for e in cause_lines)
    assert report.probable_cause.category.value == "disk_full"
    assert set(report.probable_cause.evidence_ids) & {e.id for e in cause_lines}
    # One DescribeStep, one DescribeCluster, one object: the stderr had the error, so no syslog read; one
    # listing of the cluster's YARN container logs (there are none in this world).
    assert r.calls == {"elasticmapreduce.DescribeStep": 1, "elasticmapreduce.DescribeCluster": 1,
                       "s3.GetObject": 1, "s3.ListObjectsV2": 1}


def test_log_reads_are_bounded_and_keep_the_newest_lines(run: Any) -> None:
    sc = _scenario("emr_step_empty_details_stderr_disk_full")
    r = run(_world(sc.name, env={"LOG_MAX_BYTES": "4000"}), sc.event)
    report = r.report()
    texts = _texts(report)
    assert "No space left on device" in texts  # the end of the log, next to the failure, is kept
    assert "Registered signal handlers" not in texts  # the first lines of a 90 KB log are not
    assert "only the newest 4000 bytes" in r.collector.context["log_note"]


def test_a_missing_stderr_object_is_a_gap_and_the_report_still_has_its_cause(run: Any) -> None:
    sc = _scenario("emr_step_stderr_missing_slowdown")
    report = run(sc.world, sc.event).report()
    assert any("stderr.gz not found" in g and "every 5 minutes" in g for g in report.gaps), report.gaps
    assert any("syslog.gz not found" in g for g in report.gaps)
    assert report.probable_cause.category.value == "throttling"


def _step_world_with_stderr(body: bytes) -> tuple[World, dict[str, Any]]:
    sc = _scenario("emr_step_stderr_not_gzip")
    key = sc.world.data["s3"][0]["key"]
    return _world(sc.name, s3=[]), {"bucket": "acme-emr-logs-euc1", "key": key, "body": body,
                                    "event": sc.event}


@pytest.mark.parametrize("kind", ["binary", "gzip-of-binary", "gzip-cut-in-the-header", "empty"])
def test_stderr_that_is_garbage_never_crashes_the_collector(run: Any, kind: str) -> None:
    rng = random.Random(7)
    junk = bytes(rng.randrange(256) for _ in range(20_000))
    body = {"binary": junk, "gzip-of-binary": gzip.compress(junk, mtime=0),
            "gzip-cut-in-the-header": gzip.compress(b"x" * 1000, mtime=0)[:6], "empty": b""}[kind]
    world, obj = _step_world_with_stderr(body)
    r = run(world, obj["event"])
    s3 = r.session.client("s3", region_name=world.region)
    s3.create_bucket(Bucket=obj["bucket"], CreateBucketConfiguration={"LocationConstraint": world.region})
    s3.put_object(Bucket=obj["bucket"], Key=obj["key"], Body=body)
    report = r.report()  # no exception
    assert report.evidence[0].text.startswith("Step 'load-partner-feeds'")
    json.dumps(report.to_dict())  # and the report serializes
    if kind in {"gzip-cut-in-the-header", "empty"}:
        assert report.gaps, "an unreadable or empty log must be said"


def test_a_gzip_cut_short_with_latin1_bytes_still_gives_its_cause(run: Any) -> None:
    sc = _scenario("emr_step_truncated_gzip")
    report = run(sc.world, sc.event).report()
    texts = _texts(report)
    assert "Container killed by YARN for exceeding memory limits" in texts
    assert "Stra\ufffde" in texts  # invalid UTF-8 replaced, not dropped
    assert any("truncated or corrupt gzip" in g for g in report.gaps)


def test_syslog_is_read_when_stderr_has_no_error_line(run: Any) -> None:
    sc = _scenario("emr_step_syslog_memory")
    r = run(sc.world, sc.event)
    report = r.report()
    assert r.calls["s3.GetObject"] == 2
    assert any(e.source.endswith("/syslog.gz") and "is running beyond physical memory limits" in e.text
               for e in report.evidence)


def test_syslog_is_not_read_when_stderr_shows_the_error(run: Any) -> None:
    sc = _scenario("emr_step_stderr_not_gzip")
    r = run(sc.world, sc.event)
    r.report()
    assert r.calls["s3.GetObject"] == 1


def test_a_cluster_gone_still_gives_a_report_from_the_event(run: Any) -> None:
    sc = _scenario("emr_step_cluster_gone")
    report = run(sc.world, sc.event).report()
    assert "could not be read" in report.evidence[0].text
    assert any("DescribeCluster" in g and "is not valid" in g for g in report.gaps)
    assert any("DescribeStep" in g for g in report.gaps)


def test_a_terminated_cluster_already_gone_is_reported_from_the_events_reason(run: Any) -> None:
    sc = _scenario("emr_cluster_terminated_after_step_failure")
    r = run(_world(sc.name, emr={}, s3=[]), sc.event)
    report = r.report()
    first = report.evidence[0]
    assert first.source == "events:EMR Cluster State Change" and "STEP_FAILURE" in first.text
    assert "could not be read" in first.text
    assert any(e.facts.get("upstream_step_failed") and "the steps could not be listed" in e.text
               for e in report.evidence)
    assert report.probable_cause.category.value == "upstream_failure"
    assert any("DescribeCluster" in g for g in report.gaps) and any("ListSteps" in g for g in report.gaps)


def test_cluster_after_step_failure_points_at_the_step_and_shows_its_cause(run: Any) -> None:
    sc = _scenario("emr_cluster_terminated_after_step_failure")
    r = run(sc.world, sc.event)
    report = r.report()
    upstream = [e for e in report.evidence if e.facts.get("upstream_step_failed")]
    assert len(upstream) == 1 and "build-ledger" in upstream[0].text
    assert "2 other step(s) were cancelled" in upstream[0].text
    child = [e for e in report.evidence if e.facts.get("child")]
    assert any("java.lang.OutOfMemoryError: Java heap space" in e.text for e in child)
    assert all("stderr.gz" in e.source or e.source == "elasticmapreduce:ListSteps" for e in child)
    cause = report.probable_cause
    # The step's own cause is the root cause: its category is the report's; the cluster is the context.
    assert cause.category.value == "out_of_memory" and cause.confidence.value == "high"
    assert "terminated with errors because its step build-ledger" in cause.explanation
    assert "Root cause:" in cause.explanation and "heap" in cause.explanation
    assert "build-ledger" in cause.explanation and "s-2BU1LDLEDG3R" in report.next_steps[0]
    # ... and one listing of the cluster's YARN container logs (none in this world).
    assert r.calls == {"elasticmapreduce.DescribeCluster": 1, "elasticmapreduce.ListSteps": 1,
                       "s3.GetObject": 1, "s3.ListObjectsV2": 1}


def test_emr_redrive_describes_the_step_to_add_again(run: Any) -> None:
    sc = _scenario("emr_step_output_already_exists")
    _, c = run(sc.world, sc.event).collect()
    assert c.context["redrive"].to_dict() == {
        "service": "emr", "cluster_id": "j-1K48XXXXXHCB", "cluster_state": "WAITING",
        "cluster_accepts_steps": True, "failed_step_id": "s-3QM0XXXXXM1W",
        "step": {"Name": "aggregate-beta-logs", "ActionOnFailure": "CONTINUE",
                 "HadoopJarStep": {"Jar": "s3://myBucket/jars/log-aggregator-1.0.jar",
                                   "Args": ["s3://myBucket/raw/beta/", "s3://myBucket/logs/beta"],
                                   "MainClass": "com.amazonaws.samples.LogAggregator"}}}


def test_emr_redrive_of_a_terminated_cluster_says_it_cannot_take_steps(run: Any) -> None:
    sc = _scenario("emr_cluster_terminated_after_step_failure")
    _, c = run(sc.world, sc.event).collect()
    redrive = c.context["redrive"].to_dict()
    assert redrive["cluster_accepts_steps"] is False and redrive["cluster_state"] == "TERMINATED_WITH_ERRORS"
    assert redrive["step"]["Name"] == "build-ledger"
    assert redrive["step"]["HadoopJarStep"]["Args"][-3:] == [
        "s3://acme-jobs-euw1/ledger/build_ledger.py", "--date", "2020-02-16"]


def test_cluster_tags_are_the_pipeline_fallback(run: Any) -> None:
    sc = _scenario("emr_step_stderr_not_gzip")
    _, c = run(sc.world, sc.event).collect()
    assert {"Key": "pipeline", "Value": "partner-feeds"} in c.context["emr_cluster_tags"]


# -- Glue evidence -----------------------------------------------------------------------------------
def test_glue_reads_only_the_runs_own_streams(run: Any) -> None:
    sc = _scenario("glue_python_traceback")
    other = "jr_" + "1" * 64
    logs = [*sc.world.data["logs"], {"group": "/aws-glue/jobs/error", "stream": other, "events": [
        {"timestamp": "2024-04-30T03:41:07.500Z",
         "message": "ZeroDivisionError: division by zero (another run)"}]}]
    r = run(_world(sc.name, logs=logs), sc.event)
    report = r.report()
    assert "KeyError: 'customer_id'" in _texts(report)
    assert "another run" not in _texts(report)
    assert r.calls == {"glue.GetJobRun": 1, "glue.GetJob": 1, "logs.FilterLogEvents": 2}


def test_glue_reads_a_runs_custom_log_group(run: Any) -> None:
    sc = _scenario("glue_python_traceback")
    glue = copy.deepcopy(sc.world.data["glue"])
    glue["job_runs"][0]["LogGroupName"] = "/teams/crm/glue"
    logs = [{**spec, "group": spec["group"].replace("/aws-glue/jobs", "/teams/crm/glue")}
            for spec in sc.world.data["logs"]]
    report = run(_world(sc.name, glue=glue, logs=logs), sc.event).report()
    assert any(e.source.startswith("/teams/crm/glue/error/") and "KeyError" in e.text
               for e in report.evidence)
    assert not report.gaps


@pytest.mark.parametrize("ray_by", ["command", "worker type"])
def test_a_glue_for_ray_run_is_read_from_the_ray_log_groups(run: Any, ray_by: str) -> None:
    # Glue for Ray writes no /aws-glue/jobs/error: the script's log (with the raylet's lines echoed into it)
    # is /aws-glue/ray/jobs/script-log, the autoscaler's ray-monitor-log, streams named by the run id.
    sc = _scenario("glue_python_traceback")
    glue = copy.deepcopy(sc.world.data["glue"])
    job, job_run = glue["jobs"][0], glue["job_runs"][0]
    if ray_by == "command":
        job["Command"] = {"Name": "glueray", "ScriptLocation": "s3://acme-glue-scripts-use2/embed.py",
                          "Runtime": "Ray2.4"}
    else:
        job_run["WorkerType"], job_run["NumberOfWorkers"] = "Z.2X", 5
    run_id = job_run["Id"]
    logs = [
        {"group": "/aws-glue/ray/jobs/script-log", "stream": run_id, "events": [
            {"timestamp": "2024-04-30T03:40:50.000Z",
             "message": "(raylet, ip=10.0.1.7) node_manager.cc:3064: 3 Workers (tasks / actors) killed due to "
                        "memory pressure (OOM), 0 Workers crashed due to other reasons"},
            {"timestamp": "2024-04-30T03:41:07.000Z",
             "message": "Traceback (most recent call last):\n  File \"/tmp/embed.py\", line 58, in <module>\n"
                        "    results = ray.get(refs)\nray.exceptions.OutOfMemoryError: Task was killed due to the "
                        "node running low on memory.\nMemory on the node (IP: 10.0.1.7) where the task was running "
                        "was 60.91GB / 63.76GB (0.955298), which exceeds the memory usage threshold of 0.95."}]},
        {"group": "/aws-glue/ray/jobs/ray-monitor-log", "stream": run_id, "events": [
            {"timestamp": "2024-04-30T03:40:40.000Z", "message": "INFO autoscaler.py:468 -- Resized to 40 CPUs."}]},
    ]
    r = run(_world(sc.name, glue=glue, logs=logs), sc.event)
    report = r.report()
    assert "ray.exceptions.OutOfMemoryError: Task was killed due to the node running low on memory." in _texts(report)
    assert report.probable_cause.category == Category.OUT_OF_MEMORY
    assert report.probable_cause.signature == "ray-oom-killed"
    assert not [g for g in report.gaps if "log group" in g]
    assert r.calls["logs.FilterLogEvents"] == 2
    assert {link.label for link in r.collector.links} >= {"Ray script log of the run in CloudWatch",
                                                          "Ray autoscaler log of the run in CloudWatch"}


def test_glue_arguments_are_redacted_and_their_tables_described(run: Any) -> None:
    sc = _scenario("glue_path_does_not_exist")
    glue = copy.deepcopy(sc.world.data["glue"])
    glue["job_runs"][0]["Arguments"]["--db_password"] = "hunter2-very-secret"
    r = run(_world(sc.name, glue=glue), sc.event)
    report = r.report()
    args = next(e for e in report.evidence if e.text.startswith("Run arguments"))
    assert "hunter2-very-secret" not in json.dumps(report.to_dict())
    assert "--table_name" in args.text
    table = next(e for e in report.evidence if e.kind == "catalog")
    assert "s3://acme-etl-use1/marketing_and_sales/sales/" in table.text
    # The redrive keeps the arguments as they were: it has to run the same job again.
    assert r.collector.context["redrive"].to_dict()["Arguments"]["--db_password"] == "hunter2-very-secret"
    assert r.collector.context["redrive"].to_dict()["JobName"] == "JoinMarketingAndSalesData"


def test_glue_redrive_describes_the_run(run: Any) -> None:
    sc = _scenario("glue_schema_mismatch")
    _, c = run(sc.world, sc.event).collect()
    redrive = c.context["redrive"].to_dict()
    assert {k: redrive[k] for k in ("JobName", "Arguments", "WorkerType", "NumberOfWorkers", "Timeout")} == {
        "JobName": "sales-daily-rollup",
        "Arguments": {"--database": "sales", "--table_name": "orders", "--day": "2024-04-30"},
        "WorkerType": "G.1X", "NumberOfWorkers": 20, "Timeout": 2880}
    assert [c.context[k] for k in ("worker_type", "workers", "timeout_minutes")] == ["G.1X", 20, 2880]


def test_an_unknown_glue_run_still_reports_the_events_message(run: Any) -> None:
    sc = _scenario("glue_unknown_run_id")
    report = run(sc.world, sc.event).report()
    assert "Command failed with exit code 1" in report.evidence[0].text
    assert any(g.startswith("GetJobRun jr_") and "EntityNotFoundException" in g for g in report.gaps)
    assert report.probable_cause.category.value == "unknown"


def test_event_message_is_evidence_when_it_says_more_than_the_run(run: Any) -> None:
    sc = _scenario("glue_failed_assume_role")
    glue = copy.deepcopy(sc.world.data["glue"])
    del glue["job_runs"][0]["ErrorMessage"]
    report = run(_world(sc.name, glue=glue), sc.event).report()
    assert any(e.source == "events:Glue Job State Change" and "assume role permissions" in e.text
               for e in report.evidence)
    assert report.probable_cause.category.value == "permission_denied"


# -- end to end, through the analyze handler and local Slack ----------------------------------------
def test_glue_stopped_posts_only_when_configured(slack: Any) -> None:
    quiet = run_scenario(SCENARIOS / "glue_stopped_not_reported", slack)
    assert quiet["outcome"] == "skipped" and quiet["slack"] == []
    loud = run_scenario(SCENARIOS / "glue_stopped_reported_when_configured", slack)
    assert loud["report"]["probable_cause"]["category"] == "manual_stop"
    assert loud["report"]["severity"] == "low"
    assert len(loud["slack"]) == 1


def test_emr_cluster_report_in_slack_names_the_failed_step(slack: Any) -> None:
    result = run_scenario(SCENARIOS / "emr_cluster_terminated_after_step_failure", slack)
    assert result["check"]["passed"], result["check"]
    text = "".join((m.get("text") or "") + json.dumps(m.get("blocks")) for m in result["slack"])
    assert "build-ledger" in text and "Java heap space" in text


def test_scenario_folders_exist() -> None:
    names = {p.name for p in Path(SCENARIOS).iterdir()}
    assert sum(n.startswith("emr_") for n in names) >= 8 and sum(n.startswith("glue_") for n in names) >= 8


def _bootstrap_logs(stderr: str, stdout: str | None) -> list[dict[str, Any]]:
    """The conda bootstrap scenario's S3 objects with its action's stderr (and stdout, or none) replaced."""
    objects = []
    for obj in _scenario("emr_bootstrap_conda_unsatisfiable").world.data["s3"]:
        key = str(obj.get("key", ""))
        if key.endswith("/bootstrap-actions/1/stdout.gz"):
            if stdout is None:
                continue
            obj = {**obj, "body": stdout}
        elif key.endswith("/bootstrap-actions/1/stderr.gz"):
            obj = {**obj, "body": stderr}
        objects.append(obj)
    return objects


_YUM_STDERR = ("+ sudo yum install -y python27 python27-pip gcc-c++\n"
               "https://amazonlinux-2-repos-us-east-1.s3.dualstack.us-east-1.amazonaws.com/2/core/2.0/x86_64/6b02/"
               "repodata/repomd.xml: [Errno 12] Timeout on https://amazonlinux-2-repos-us-east-1.s3.dualstack.us-east-"
               "1.amazonaws.com/2/core/2.0/x86_64/6b02/repodata/repomd.xml: (28, 'Connection timed out after 5000 "
               "milliseconds')\nTrying other mirror.\nError: Nothing to do\n")


def test_a_bootstrap_actions_stdout_is_read_beside_its_stderr(run: Any) -> None:
    # yum says which package it does not have on stdout, and only "Error: Nothing to do" on stderr; the mirror
    # it timed out on was passed over for the next one (commoncrawl/cc-mrjob#30).
    sc = _scenario("emr_bootstrap_conda_unsatisfiable")
    stdout = ("Loaded plugins: extras_suggestions, langpacks, priorities, update-motd\n"
              "No package python27 available.\nNo package python27-pip available.\n")
    report = run(_world(sc.name, s3=_bootstrap_logs(_YUM_STDERR, stdout)), sc.event).report()
    assert any(e.source.endswith("/bootstrap-actions/1/stdout.gz") and "No package python27" in e.text
               for e in report.evidence)
    timeout = next(e for e in report.evidence if "Connection timed out" in e.text)
    assert timeout.facts.get("recovered") is True
    assert report.probable_cause.category == Category.CONFIGURATION


def test_a_bootstrap_action_that_printed_nothing_is_no_gap(run: Any) -> None:
    sc = _scenario("emr_bootstrap_conda_unsatisfiable")
    report = run(_world(sc.name, s3=_bootstrap_logs(_YUM_STDERR, None)), sc.event).report()
    assert not any("stdout" in g for g in report.gaps)
    assert any("Error: Nothing to do" in e.text for e in report.evidence)


def test_a_glue_job_the_world_makes_from_its_runs_was_defined_before_them(slack: Any) -> None:
    # The world describes the runs, not the job: the job moto makes for them is a Python shell job (its runs log
    # to /aws-glue/python-jobs) defined before the first run, not at replay time, which would read as a change
    # made since the last good run.
    result = run_scenario(SCENARIOS / "glue_pythonshell_pandas_merge_exit_code_10", slack)
    text = "\n".join(e["text"] for e in result["report"]["evidence"])
    assert "pythonshell job" in text
    assert "last modified 2022-02-14 09:00 UTC — before the last good run" in text
    assert result["report"]["probable_cause"]["category"] == "out_of_memory"


def test_a_lost_node_yarn_took_out_for_full_disks_is_read_in_the_resourcemanagers_log(slack: Any,
                                                                                    tmp_path: Path) -> None:
    """After "Container released on a *lost* node", the ResourceManager's log on the primary node is read first:
    a node reported UNHEALTHY for its full disks is a full disk, not a Spot reclaim (the EMR guide's "Deny-listed
    nodes"). The same step with the Spot notice in the instance controller's log stays capacity."""
    name = "spark_am_on_spot_task_node_reclaimed"
    dest = tmp_path / name
    shutil.copytree(SCENARIOS / name, dest)
    world = yaml.safe_load((dest / "world.yaml").read_text(encoding="utf-8"))
    for obj in world["s3"]:
        key = str(obj.get("key", ""))
        if key.endswith("instance-controller.log.gz"):
            obj["body"] = "2021-07-27 06:12:05,000 INFO Poller: InstanceJointStatusMap conatins 850 entries\n"
        elif "resourcemanager" in key:
            obj["body"] = (
                "2021-07-27 06:13:16,901 INFO org.apache.hadoop.yarn.server.resourcemanager.rmnode.RMNodeImpl: Node "
                "ip-10-20-7-142.ap-northeast-2.compute.internal:8041 reported UNHEALTHY with details: 1/1 local-dirs "
                "are bad: /mnt/yarn; 1/1 log-dirs are bad: /var/log/hadoop-yarn/containers\n"
                "2021-07-27 06:13:16,902 INFO org.apache.hadoop.yarn.server.resourcemanager.rmnode.RMNodeImpl: "
                "ip-10-20-7-142.ap-northeast-2.compute.internal:8041 Node Transitioned from RUNNING to UNHEALTHY\n")
    # The NodeManager of the node YARN took out says what its health check measured; it is read next, in place of
    # the instance controller's log (its Spot notices are not the question any more).
    world["s3"].append({
        "bucket": "de-emr-logs-apne2", "gzip": True,
        "key": "batch/j-1PZ8M3VD6QK2T/node/i-0b7e2d9c4a1f36e85/applications/hadoop-yarn/hadoop-yarn-nodemanager-ip-"
               "10-20-7-142.ap-northeast-2.compute.internal.log.gz",
        "body": ("2021-07-27 06:13:05,112 WARN org.apache.hadoop.yarn.server.nodemanager.DirectoryCollection: "
                 "Directory /mnt/yarn error, used space above threshold of 90.0%, removing from list of valid "
                 "directories\n")})
    (dest / "world.yaml").write_text(yaml.safe_dump(world, sort_keys=False), encoding="utf-8")
    report = run_scenario(dest, slack)["report"]
    assert report["probable_cause"]["category"] == "disk_full"
    assert any("local-dirs are bad" in e["text"] and "resourcemanager" in e["source"] for e in report["evidence"])
    assert any("used space above threshold of 90.0%" in e["text"] and "nodemanager-ip-10-20-7-142" in e["source"]
               for e in report["evidence"])
    assert not any("instance-controller" in e["source"] for e in report["evidence"])
    assert run_scenario(SCENARIOS / name, slack)["report"]["probable_cause"]["category"] == "capacity"
