"""EMR and Glue: which events become incidents, and what their signatures conclude from the evidence."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tests.conftest import load_json

from incident_responder.diagnosis import SignatureSet, load_signatures
from incident_responder.errors import MalformedEvent
from incident_responder.model import Category, Confidence, EvidenceBook, Incident, Skip
from incident_responder.resources import rules_dir
from incident_responder.sources import adapter_for
from incident_responder.sources.emr import EmrAdapter
from incident_responder.sources.emr.evidence import s3_uri
from incident_responder.sources.glue import GlueAdapter
from incident_responder.sources.glue.evidence import datasets_from_arguments


@pytest.fixture(scope="module")
def sigs() -> SignatureSet:
    return SignatureSet(load_signatures(rules_dir() / "signatures"))


def _cluster_event(state: str, code: str, message: str = "") -> dict[str, Any]:
    event = load_json("eventbridge/emr_cluster_state_change_TERMINATED_user_request.json")
    event["detail"].update(state=state, stateChangeReason=json.dumps({"code": code, "message": message}))
    return event


# -- parse: EMR -------------------------------------------------------------------------------------
def test_failed_step_sample_is_an_incident_named_after_cluster_and_step() -> None:
    event = load_json("eventbridge/emr_step_status_change_FAILED.json")
    src = adapter_for(event)
    assert isinstance(src, EmrAdapter)
    incident = src.parse(event)
    assert isinstance(incident, Incident)
    # The cluster's name is only in the event's message.
    assert incident.resource.name == "Development Cluster/CustomJAR"
    assert incident.resource.run_id == "s-ZYXWVUTSRQPON"
    assert incident.catalog_arns == [
        "arn:aws:elasticmapreduce:us-east-1:123456789012:cluster/j-123456789ABCD"]
    assert incident.status == "FAILED"


@pytest.mark.parametrize("sample", ["eventbridge/emr_cluster_state_change_WAITING.json",
                                    "eventbridge/emr_cluster_state_change_TERMINATED_user_request.json"])
def test_waiting_and_user_terminated_clusters_are_not_reported(sample: str) -> None:
    event = load_json(sample)
    assert isinstance(adapter_for(event).parse(event), Skip)


def test_user_request_skip_says_why() -> None:
    event = load_json("eventbridge/emr_cluster_state_change_TERMINATED_user_request.json")
    skipped = adapter_for(event).parse(event)
    assert isinstance(skipped, Skip) and "USER_REQUEST" in skipped.reason


def test_cluster_terminated_with_errors_is_an_incident() -> None:
    event = _cluster_event("TERMINATED_WITH_ERRORS", "STEP_FAILURE", "Shut down as step failed")
    incident = EmrAdapter().parse(event)
    assert isinstance(incident, Incident)
    assert incident.resource.name == "Development Cluster"
    assert incident.resource.run_id == "j-123456789ABCD"
    assert incident.status == "TERMINATED_WITH_ERRORS"


@pytest.mark.parametrize("state", ["COMPLETED", "RUNNING", "PENDING"])
def test_steps_that_did_not_fail_are_skipped(state: str) -> None:
    event = load_json("eventbridge/emr_step_status_change_FAILED.json")
    event["detail"]["state"] = state
    assert isinstance(EmrAdapter().parse(event), Skip)


def test_a_cancelled_step_is_looked_at() -> None:
    # Whether it is reported (a person's cancel) or not (cancelled behind a failed step, or by the cluster's end)
    # takes a ListSteps call: the scenarios emr_step_cancelled_* show both.
    event = load_json("eventbridge/emr_step_status_change_FAILED.json")
    event["detail"]["state"] = "CANCELLED"
    incident = EmrAdapter().parse(event)
    assert isinstance(incident, Incident) and incident.status == "CANCELLED"


def test_step_and_cluster_of_the_same_failure_get_different_fingerprints() -> None:
    step = EmrAdapter().parse(load_json("eventbridge/emr_step_status_change_FAILED.json"))
    cluster = EmrAdapter().parse(_cluster_event("TERMINATED_WITH_ERRORS", "STEP_FAILURE"))
    assert isinstance(step, Incident) and isinstance(cluster, Incident)
    assert step.fingerprint != cluster.fingerprint


@pytest.mark.parametrize("drop", ["clusterId", "state", "stepId"])
def test_emr_events_missing_their_ids_are_malformed(drop: str) -> None:
    event = load_json("eventbridge/emr_step_status_change_FAILED.json")
    del event["detail"][drop]
    with pytest.raises(MalformedEvent):
        EmrAdapter().parse(event)


def test_emr_log_uris_of_every_scheme_become_s3() -> None:
    assert s3_uri("s3n://acme-logs/logs/") == "s3://acme-logs/logs/"
    assert s3_uri("s3a://acme-logs/x/stderr.gz") == "s3://acme-logs/x/stderr.gz"
    assert s3_uri(" s3://acme-logs/y ") == "s3://acme-logs/y"


# -- parse: Glue ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("sample", "state"), [
    ("eventbridge/glue_job_state_change_FAILED.json", "FAILED"),
    ("eventbridge/glue_job_state_change_TIMEOUT.json", "TIMEOUT"),
])
def test_glue_failures_are_incidents(sample: str, state: str) -> None:
    event = load_json(sample)
    src = adapter_for(event)
    assert isinstance(src, GlueAdapter)
    incident = src.parse(event)
    assert isinstance(incident, Incident)
    assert incident.status == state
    assert incident.resource.name == "MyJob"
    assert incident.resource.run_id == event["detail"]["jobRunId"]
    assert incident.catalog_arns == [f"arn:aws:glue:{event['region']}:123456789012:job/MyJob"]


def test_glue_error_state_is_an_incident() -> None:
    event = load_json("eventbridge/glue_job_state_change_FAILED.json")
    event["detail"]["state"] = "ERROR"
    assert isinstance(GlueAdapter().parse(event), Incident)


def test_glue_success_is_skipped() -> None:
    event = load_json("eventbridge/glue_job_state_change_SUCCEEDED.json")
    assert isinstance(adapter_for(event).parse(event), Skip)


def test_glue_stop_is_reported_only_when_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    event = load_json("eventbridge/glue_job_state_change_STOPPED.json")
    monkeypatch.delenv("REPORT_GLUE_STOPPED", raising=False)
    skipped = GlueAdapter().parse(event)
    assert isinstance(skipped, Skip) and "REPORT_GLUE_STOPPED" in skipped.reason
    monkeypatch.setenv("REPORT_GLUE_STOPPED", "true")  # read when the event is parsed, not at import
    incident = GlueAdapter().parse(event)
    assert isinstance(incident, Incident) and incident.status == "STOPPED"


def test_glue_event_without_job_name_is_malformed() -> None:
    event = load_json("eventbridge/glue_job_state_change_FAILED.json")
    del event["detail"]["jobName"]
    with pytest.raises(MalformedEvent):
        GlueAdapter().parse(event)


@pytest.mark.parametrize(("arguments", "datasets"), [
    ({"--database": "sales", "--table_name": "orders"}, ["sales.orders"]),
    ({"--source_database": "raw", "--source_table": "clicks", "--target_table": "curated.sessions"},
     ["raw.clicks", "curated.sessions"]),
    ({"--database": "events", "--target_table": "clicks_parquet", "--table_format": "parquet"},
     ["events.clicks_parquet"]),
    ({"--table_name": "orders"}, []),  # no database: nothing to look up
    ({"--output_table_path": "s3://bucket/x/"}, []),
    ({}, []),
])
def test_tables_are_found_in_job_arguments(arguments: dict[str, str], datasets: list[str]) -> None:
    assert datasets_from_arguments(arguments) == datasets


# -- signatures -------------------------------------------------------------------------------------
Item = tuple[str, str, dict[str, Any]]


def log(text: str, **facts: Any) -> Item:
    return ("log", text, facts)


def job(text: str, **facts: Any) -> Item:
    return ("job", text, facts)


def step(text: str, **facts: Any) -> Item:
    return ("step", text, facts)


def _book(*items: Item) -> EvidenceBook:
    book = EvidenceBook()
    for kind, text, facts in items:
        book.add(kind, "test", text, None, **facts)
    return book


SLOWDOWN = ("com.amazonaws.services.s3.model.AmazonS3Exception: Please reduce your request rate. (Service: "
            "Amazon S3; Status Code: 503; Error Code: SlowDown; Request ID: 03D8D00FA3AD0455)")
CASES: list[tuple[str, list[Item], Category, str]] = [
    ("emr", [step("Step 'x' (s-1) FAILED — org.apache.spark.SparkException: Job aborted due to stage "
                  "failure"),
             log("ERROR YarnScheduler: Lost executor 9 on ip-1: Container killed by YARN for exceeding "
                 "memory limits. 7.2 GB of 4.2 GB virtual memory used.")],
     Category.OUT_OF_MEMORY, "emr-yarn-container-memory"),
    ("emr", [step("SparkException: Job aborted due to stage failure: Task 3 in stage 1.0 failed 4 times")],
     Category.CODE_ERROR, "emr-spark-job-aborted"),
    ("emr", [step("Step 'x' FAILED: Output directory already exists. — org.apache.hadoop.mapred."
                  "FileAlreadyExistsException: Output directory s3://myBucket/logs/beta already exists",
                  reason="Output directory already exists.")],
     Category.CONFIGURATION, "emr-output-already-exists"),
    ("emr", [log("java.io.IOException: No space left on device")], Category.DISK_FULL, "emr-no-space-left"),
    ("emr", [step(SLOWDOWN)], Category.THROTTLING, "emr-s3-slowdown"),
    ("emr", [job("Cluster c is TERMINATED_WITH_ERRORS: BOOTSTRAP_FAILURE — On the master instance (i-0f), "
                 "bootstrap action 1 returned a non-zero return code",
                 state_change_code="BOOTSTRAP_FAILURE")],
     Category.CONFIGURATION, "emr-bootstrap-failure"),
    ("emr", [job("Cluster c is TERMINATED_WITH_ERRORS: VALIDATION_ERROR — The requested instance type is not "
                 "supported in the requested Availability Zone", state_change_code="VALIDATION_ERROR")],
     Category.CONFIGURATION, "emr-validation-error"),
    ("emr", [job("Cluster c is TERMINATED_WITH_ERRORS: INSTANCE_FAILURE",
                 state_change_code="INSTANCE_FAILURE")],
     Category.CAPACITY, "emr-instance-failure"),
    ("emr", [job("Cluster c is TERMINATED_WITH_ERRORS: INSTANCE_FAILURE — Instance failure: the master instance "
                 "i-07e1 was terminated because Amazon EC2 reclaimed its Spot capacity.",
                 state_change_code="INSTANCE_FAILURE")],
     Category.CAPACITY, "emr-instance-capacity"),
    ("emr", [job("Cluster c is TERMINATED_WITH_ERRORS: INTERNAL_ERROR", state_change_code="INTERNAL_ERROR")],
     Category.DEPENDENCY_UNAVAILABLE, "emr-internal-error"),
    # The cluster's upstream signature wins over the child's own cause, which analyze shows beside it.
    ("emr", [step("The cluster shut down because step 'b' (s-2) failed", upstream_step_failed=True),
             log("java.lang.OutOfMemoryError: Java heap space", child=True)],
     Category.UPSTREAM_FAILURE, "emr-cluster-terminated-after-step-failure"),
    ("glue", [job("Run FAILED: Role arn:aws:iam::123456789012:role/Glue_Role should be given assume role "
                  "permissions for Glue Service.", status="FAILED")],
     Category.PERMISSION_DENIED, "glue-role-cannot-be-assumed"),
    ("glue", [job("AnalysisException: u'Path does not exist: hdfs://ip-172-31-74-135.ec2.internal:8020/x;'")],
     Category.MISSING_INPUT, "glue-path-does-not-exist"),
    ("glue", [job("Run TIMEOUT after 60 min: no ErrorMessage", status="TIMEOUT")], Category.TIMEOUT,
     "glue-job-timeout"),
    ("glue", [job("Run STOPPED after 19 min: no ErrorMessage", status="STOPPED")], Category.MANUAL_STOP,
     "glue-run-stopped"),
    ("glue", [log(f"17/06/09 20:11:58 WARN TaskSetManager: Lost task 12.0: {SLOWDOWN}")], Category.THROTTLING,
     "glue-s3-slowdown"),
    ("glue", [log("ModuleNotFoundError: No module named 'paramiko'")], Category.CODE_ERROR,
     "glue-python-module-missing"),
    ("glue", [log("Traceback (most recent call last):"), log("KeyError: 'customer_id'")], Category.CODE_ERROR,
     "glue-python-exception"),
    ("glue", [job("Parquet column cannot be converted in file s3://b/p.parquet. Column: [amount], Expected: "
                  "double, Found: INT64")], Category.BAD_DATA, "glue-schema-mismatch"),
    ("glue", [job("HIVE_BAD_DATA: Field userContextId's type INT64 in parquet is incompatible with type "
                  "varchar")],
     Category.BAD_DATA, "glue-schema-mismatch"),
    ("glue", [job("AnalysisException: cannot resolve '`customer_id`' given input columns: [id, name]")],
     Category.CODE_ERROR, "glue-column-cannot-be-resolved"),
    ("glue", [job("AnalysisException: Unable to infer schema for Parquet. It must be specified manually.")],
     Category.MISSING_INPUT, "glue-unable-to-infer-schema"),
    ("glue", [job("An error occurred while calling o122.pyWriteDynamicFrame. Access Denied (Service: "
                  "Amazon S3; Status Code: 403; Error Code: AccessDenied; Request ID: 021AAB703DB20A2D)")],
     Category.PERMISSION_DENIED, "glue-access-denied"),
    ("glue", [job("Container killed by YARN for exceeding memory limits. 5.5 GB of 5.5 GB physical "
                  "memory used")],
     Category.OUT_OF_MEMORY, "glue-yarn-memory"),
    ("glue", [job("Run ERROR: no ErrorMessage", status="ERROR")], Category.CONFIGURATION,
     "glue-run-error-state"),
]


@pytest.mark.parametrize(("source", "items", "category", "signature"), CASES, ids=[c[3] for c in CASES])
def test_signature_diagnosis(sigs: SignatureSet, source: str, items: list[Item], category: Category,
                             signature: str) -> None:
    book = _book(*items)
    diagnosis = sigs.diagnose(book.items, source, {})
    assert (diagnosis.cause.category, diagnosis.cause.signature) == (category, signature)
    assert diagnosis.cause.evidence_ids


def test_source_specific_signatures_stay_with_their_source(sigs: SignatureSet) -> None:
    book = _book(job("Run STOPPED", status="STOPPED"))
    assert sigs.diagnose(book.items, "emr", {}).cause.category == Category.UNKNOWN
    book = _book(step("x", upstream_step_failed=True))
    assert sigs.diagnose(book.items, "glue", {}).cause.category != Category.UPSTREAM_FAILURE


def test_emr_and_glue_signatures_outrank_the_generic_ones_they_refine(sigs: SignatureSet) -> None:
    by_id = {s.id: s for s in sigs.signatures}
    assert by_id["emr-yarn-container-memory"].priority > by_id["java-heap-oom"].priority
    assert by_id["emr-no-space-left"].priority > by_id["no-space-left"].priority
    assert by_id["emr-s3-slowdown"].priority > by_id["throttling"].priority
    assert by_id["glue-s3-slowdown"].priority > by_id["throttling"].priority
    assert by_id["glue-path-does-not-exist"].priority > by_id["s3-no-such-key"].priority
    assert by_id["emr-s3-access-denied"].priority > by_id["s3-access-denied"].priority
    assert by_id["glue-access-denied"].priority > by_id["s3-access-denied"].priority
    assert by_id["glue-python-exception"].priority > by_id["python-unhandled-exception"].priority
    ours = [s for s in sigs.signatures if s.id.startswith(("emr-", "glue-"))]
    assert sum(s.id.startswith("emr-") for s in ours) >= 10
    assert sum(s.id.startswith("glue-") for s in ours) >= 10
    assert all(s.sources for s in ours)


# The placeholder contract (which names a signature may use) is the adapters' context classes:
# tests/unit/test_adapters.py checks every signature against them.


@pytest.mark.parametrize("message", [
    "Instance group ig-3P0Q (Core - 2) failed to provision Spot instances: Max spot instance count exceeded",
    # EC2's vCPU quota in its own words, without its code (scrapoxy/scrapoxy#202)
    "You have requested more vCPU capacity than your current vCPU limit of 32 allows for the instance bucket that "
    "the specified instance type belongs to.",
])
def test_an_account_limit_emr_calls_a_validation_error_is_capacity(sigs: SignatureSet, message: str) -> None:
    # EMR reports the account's Spot instance limit under VALIDATION_ERROR: a limit to raise, not a setting.
    b = _book(job(f"Cluster c is TERMINATED_WITH_ERRORS: VALIDATION_ERROR — {message}",
                  state_change_code="VALIDATION_ERROR"))
    d = sigs.diagnose(b.items, "emr", {"cluster": "c"})
    assert d.cause.category == Category.CAPACITY
    assert d.cause.confidence != Confidence.HIGH


# A Hadoop 1 job history file as the JobTracker writes it: records of KEY="value" fields ending in " .", the values'
# dots, commas and quotes escaped with a backslash, and an ERROR holding the attempt's stack trace over several lines.
def _attempt(kind: str, attempt: str, status: str, finished: int, host: str, error: str = "") -> str:
    task = "task_" + attempt.removeprefix("attempt_").rsplit("_", 1)[0]
    fields = (f'TASK_TYPE="{kind.upper()}" TASKID="{task}" TASK_ATTEMPT_ID="{attempt}" TASK_STATUS="{status}" '
              f'FINISH_TIME="{finished}" HOSTNAME="/default-rack/{host}"')
    return f"{kind.title()}Attempt {fields}" + (f' ERROR="{error}"' if error else "") + " ."


_HISTORY = "\n".join([
    'Meta VERSION="1" .',
    r'Job JOBID="job_201703091012_0001" JOBNAME="streamjob41\.jar" USER="hadoop" SUBMIT_TIME="1489054865980" .',
    _attempt("map", "attempt_201703091012_0001_m_000217_0", "SUCCESS", 1489056790665,
             r"ip-172-31-10-67\.us-west-1\.compute\.internal"),
    _attempt("map", "attempt_201703091012_0001_m_000218_0", "FAILED", 1489056800665,
             r"ip-172-31-10-138\.us-west-1\.compute\.internal",
             "Error initializing attempt_201703091012_0001_m_000218_0:\n"
             r'java\.io\.IOException: Cannot run program \"bash\": java\.io\.IOException: error=12\, Cannot allocate '
             "memory\n"
             r"	at java\.lang\.ProcessBuilder\.start(ProcessBuilder\.java:460)" "\n"
             r"Caused by: java\.io\.IOException: error=12\, Cannot allocate memory" "\n"
             r"	\.\.\. 9 more" "\n"),
    _attempt("reduce", "attempt_201703091012_0001_r_000003_1", "KILLED", 1489056900000,
             r"ip-172-31-10-12\.us-west-1\.compute\.internal",
             r"Task attempt_201703091012_0001_r_000003_1 failed to report status for 602 seconds\. Killing!"),
    'Job JOBID="job_201703091012_0001" FINISH_TIME="1489056859554" JOB_STATUS="FAILED" .',
])


def test_a_hadoop1_history_gives_each_failed_attempt_its_error_without_frames_or_escapes() -> None:
    from incident_responder.sources.emr.evidence import failed_attempts

    found = failed_attempts(_HISTORY)
    assert [line for line, _ in found] == [
        "attempt_201703091012_0001_m_000218_0 FAILED on ip-172-31-10-138.us-west-1.compute.internal: Error "
        'initializing attempt_201703091012_0001_m_000218_0: java.io.IOException: Cannot run program "bash": '
        "java.io.IOException: error=12, Cannot allocate memory Caused by: java.io.IOException: error=12, Cannot "
        "allocate memory",
        "attempt_201703091012_0001_r_000003_1 KILLED on ip-172-31-10-12.us-west-1.compute.internal: Task "
        "attempt_201703091012_0001_r_000003_1 failed to report status for 602 seconds. Killing!"]
    assert found[0][1] is not None and found[0][1].startswith("2017-03-09T10:53:20")


def test_a_glue_quota_on_a_kind_of_resource_is_capacity_and_names_no_workers(sigs: SignatureSet) -> None:
    # The account's crawlers (NatLabRockies' crawler quota): a count to bring down or raise, not the run's workers.
    b = _book(job("Run FAILED after 2 s: ResourceNumberLimitExceededException: An error occurred "
                  "(ResourceNumberLimitExceededException) when calling the CreateCrawler operation: The number of "
                  "crawlers has exceeded the limit. Your account is limited to 50 crawlers."))
    d = sigs.diagnose(b.items, "glue", {"job_name": "catalog-refresh"})
    assert (d.cause.category, d.cause.confidence) == (Category.CAPACITY, Confidence.MEDIUM)
    assert "quota" in d.cause.explanation and "workers" not in d.cause.explanation
    # A table's archived versions are the writer's setting (apache/iceberg#5965).
    b = _book(job("Run FAILED: ResourceNumberLimitExceededException: Number of TABLE_VERSION resources exceeds the "
                  "limit 100000 per TABLE (Service: Glue, Status Code: 400)"))
    d = sigs.diagnose(b.items, "glue", {"job_name": "clickstream"})
    assert d.cause.category == Category.CONFIGURATION
    assert any("skip-archive" in s for s in d.next_steps)


def test_unpinned_modules_are_the_entries_without_a_version() -> None:
    from incident_responder.sources.glue.evidence import unpinned_modules

    args = {"--additional-python-modules": "pydeequ==1.0.1, requests,great_expectations,pandas[aws],"
                                           "numpy<2,s3://libs/acme-1.0-py3-none-any.whl,scipy~=1.11"}
    assert unpinned_modules(args) == ["requests", "great_expectations", "pandas[aws]"]
    assert unpinned_modules({"--additional-python-modules": "pyarrow==14.0.1"}) == []
    assert unpinned_modules({}) == []


@pytest.mark.parametrize(("unpinned", "code_changed", "expected"), [
    # A name a new release of an unpinned dependency removed (markupsafe 2.1 dropped soft_unicode, which the
    # Jinja2 the job installs still imported: pallets/markupsafe#284).
    (True, False, "configuration"),
    # The script changed after the last good run: the import may be the change's, not a release's.
    (True, True, "code_error"),
    # Every module pinned: the import is the script's.
    (False, False, "code_error"),
])
def test_an_import_that_fails_under_unpinned_modules_is_a_new_release(unpinned: bool, code_changed: bool,
                                                                        expected: str) -> None:
    from incident_responder.analyze import signature_set
    from incident_responder.model import EvidenceBook

    b = EvidenceBook()
    b.add("job", "glue:GetJobRun", "Run FAILED after 118 s: ImportError: cannot import name 'soft_unicode' from "
          "'markupsafe' (/home/spark/.local/lib/python3.7/site-packages/markupsafe/__init__.py)", status="FAILED")
    b.add("log", "/aws-glue/jobs/error", "Traceback (most recent call last):\n  File \"/tmp/job.py\", line 4, in "
          "<module>\n    import jinja2\nImportError: cannot import name 'soft_unicode' from 'markupsafe'")
    if unpinned:
        b.add("config", "glue:GetJob", "Installed at the start of every run without a version "
              "(--additional-python-modules): jinja2", unpinned_modules="jinja2")
    if code_changed:
        b.add("change", "glue:GetJob", "Job profiler definition last modified after the last good run",
              aspect="code", changed_after_baseline=True)
    d = signature_set().diagnose(b.items, "glue", {"job_name": "profiler", "glue_version": "3.0"})
    assert d.cause.category.value == expected
