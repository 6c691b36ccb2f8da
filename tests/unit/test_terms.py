"""The wording of known failures (diagnosis/terms.py): the last reading, after signatures and class rules."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from incident_responder.diagnosis import SignatureSet, load_signatures
from incident_responder.diagnosis.terms import TermModel, build_counts, load_term_model, terms
from incident_responder.model import Category, Confidence, EvidenceBook
from incident_responder.resources import rules_dir
from incident_responder_local.knowledge import HELD_OUT, TUNING, model_path, render, tuning_rows

ROWS = [
    {"message": "BOOTSTRAP_FAILURE_INSUFFICIENT_DISK_SPACE on the primary node", "category": "disk_full"},
    {"message": "No space left on device while writing the shuffle spill", "category": "disk_full"},
    {"message": "The disk quota of the volume is exhausted", "category": "disk_full"},
    {"message": "Subnet subnet-0abc is invalid for the security group of the cluster", "category": "configuration"},
    {"message": "Invalid subnet configuration: subnets are in different VPCs", "category": "configuration"},
    {"message": "Rate exceeded: too many requests, slow down", "category": "throttling"},
    {"message": "anything at all", "category": "unknown"},
]


@pytest.fixture(scope="module")
def bundled() -> SignatureSet:
    return SignatureSet(load_signatures(rules_dir() / "signatures"))


def _book(*texts: str, kind: str = "log") -> EvidenceBook:
    book = EvidenceBook()
    for text in texts:
        book.add(kind, "log", text)
    return book


def test_words_are_split_and_compound_names_kept_whole() -> None:
    words = terms("BOOTSTRAP_FAILURE_INSUFFICIENT_DISK_SPACE_PRIMARY: com.amazonaws.AmazonS3Exception Access Denied")
    assert {"insufficient", "disk", "space", "primary", "#amazons3exception", "access", "denied"} <= set(words)
    # The words of every failure report say nothing about the cause, nor do ids and short words.
    assert not {"failure", "bootstrap_failure", "com", "amazonaws"} & set(words)
    assert terms("Command failed with exit code 1") == []
    assert terms("Task 0f3a9c2d41b7e8aa failed: Essential container in task exited") == []


def test_the_model_reads_the_category_the_words_point_at() -> None:
    model = TermModel(build_counts(ROWS))
    reading = model.read("Cluster could not start: insufficient disk space on the core node")
    assert reading is not None and reading.category == Category.DISK_FULL and reading.clear
    assert "disk" in reading.telling and "space" in reading.telling
    assert model.read("zyxxy quux") is None  # no known word
    assert Category.UNKNOWN not in model.categories  # rows labelled unknown teach nothing


def test_a_single_known_word_is_not_a_clear_reading() -> None:
    reading = TermModel(build_counts(ROWS)).read("the subnet")
    assert reading is not None and not reading.clear


def test_unclear_evidence_stays_unknown(bundled: SignatureSet) -> None:
    for text in ("Command failed with exit code 1", "Run STOPPED", "Task failed",
                 "Loader gave up on batch 2026-12-01 (LD-4411)"):
        d = bundled.diagnose(_book(text).items, "glue", {"resource_name": "job"})
        assert d.cause.category == Category.UNKNOWN, text


def test_the_reading_comes_last_with_low_confidence_and_shows_its_words(bundled: SignatureSet) -> None:
    book = _book("Step 3 done in 41 s", "VALIDATION_ERROR_SUBNET_NOT_FROM_ONE_VPC")
    d = bundled.diagnose(book.items, "emr", {"resource_name": "nightly"})
    assert d.cause.category == Category.CONFIGURATION
    assert d.cause.confidence == Confidence.LOW and d.rule == "terms:configuration"
    assert d.cause.evidence_ids == ["E2"]
    assert '"VALIDATION_ERROR_SUBNET_NOT_FROM_ONE_VPC"' in d.cause.explanation
    assert '"subnet"' in d.cause.explanation and "to be confirmed by a person" in d.cause.explanation
    assert d.next_steps[0].startswith("Confirm the cause in E2 first")


def test_a_signature_or_class_rule_wins_over_the_wording(bundled: SignatureSet) -> None:
    book = _book("insufficient disk space on the node; java.net.UnknownHostException: metastore.internal")
    d = bundled.diagnose(book.items, "emr", {})
    assert d.cause.category == Category.DEPENDENCY_UNAVAILABLE and not d.rule.startswith("terms:")


def test_settings_and_catalog_evidence_are_not_read_for_wording(bundled: SignatureSet) -> None:
    book = _book("VALIDATION_ERROR_SUBNET_NOT_FROM_ONE_VPC", kind="config")
    assert bundled.diagnose(book.items, "emr", {}).cause.category == Category.UNKNOWN


MONGO_AUTH = ("ERROR export: Exception authenticating MongoCredential{mechanism=SCRAM-SHA-256, userName='etl', "
              "source='admin', password=<hidden>, mechanismProperties=<hidden>}")
PG_HBA = ('org.postgresql.util.PSQLException: FATAL: no pg_hba.conf entry for host "10.3.126.123", user "etl", '
          'database "orders", no encryption')
RECOVERED = "24/05/06 04:22:09 WARN S3AUtils: Throttling on GetObject (attempt 1 of 5); succeeded on retry 2"


def test_the_wording_of_a_failing_line_speaks_before_a_generic_symptom(bundled: SignatureSet) -> None:
    # "exit code 1" says the program failed, not why; the failing line's words do (a refused credential).
    book = EvidenceBook()
    book.add("job", "batch:DescribeJobs", "Attempt 1 of 1: exit code 1 (application error)", exit_code=1)
    assert bundled.diagnose(book.items, "batch", {}).rule == "batch-container-exit-nonzero"  # the symptom alone
    book.add("log", "/aws/batch/job", MONGO_AUTH)
    d = bundled.diagnose(book.items, "batch", {})
    assert d.cause.category == Category.PERMISSION_DENIED and d.cause.confidence == Confidence.LOW
    assert d.rule == "terms:permission_denied" and d.cause.evidence_ids == ["E2", "E1"]  # the line, then the symptom
    assert d.cause.explanation.startswith(
        'No specific signature matched; only a generic signature matched ("Attempt 1 of 1: exit code 1')


def test_a_recovered_warning_gives_way_to_the_wording_of_the_failing_line(bundled: SignatureSet) -> None:
    d = bundled.diagnose(_book(RECOVERED, MONGO_AUTH).items, "glue", {"resource_name": "job"})
    assert d.cause.category == Category.PERMISSION_DENIED and d.rule == "terms:permission_denied"
    assert d.cause.evidence_ids == ["E2"] and "a class rule matched a warning or a retried error" in d.cause.explanation
    # Alone, the warning is all there is: its class rule answers, with low confidence.
    d = bundled.diagnose(_book(RECOVERED).items, "glue", {"resource_name": "job"})
    assert d.cause.category == Category.THROTTLING and d.cause.confidence == Confidence.LOW


def test_routine_lines_and_the_analyzers_own_wording_are_not_read(bundled: SignatureSet) -> None:
    # An INFO line is not a failure, and the analyzer's summary of a task is its own wording, not the cause's.
    for book in (_book("17/06/09 20:11:07 INFO storage.MemoryStore: Block broadcast_37 stored as values in memory"),
                 _book("Launch type FARGATE; platform 1.4.0; group family:orders-dedupe; started by AWS Step Functions",
                       kind="task")):
        assert bundled.read_terms(book.items) is None
    # The service's own words in the same evidence (its stop reason, as a fact) are read.
    book = EvidenceBook()
    book.add("task", "ecs:DescribeTasks", "Task stopped: see the reason", stopped_reason=PG_HBA)
    reading = bundled.read_terms(book.items)
    assert reading is not None and reading.reading.category == Category.CONFIGURATION


def test_without_the_model_the_diagnosis_says_unknown(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        assert load_term_model(tmp_path / "missing.json") is None
        (tmp_path / "old.json").write_text(json.dumps({"version": 0}))
        assert load_term_model(tmp_path / "old.json") is None
    assert "term model not usable" in caplog.text
    sigs = SignatureSet(load_signatures(rules_dir() / "signatures"), terms=False)
    book = _book("VALIDATION_ERROR_SUBNET_NOT_FROM_ONE_VPC")
    assert sigs.diagnose(book.items, "emr", {}).cause.category == Category.UNKNOWN


def test_the_bundled_model_is_the_build_of_the_corpus_without_the_held_out_batch() -> None:
    shipped = model_path().read_text(encoding="utf-8")
    assert shipped == render(tuning_rows()), "rules/knowledge/terms.json is stale: run `incident-responder knowledge`"
    assert HELD_OUT not in TUNING
    data = json.loads(shipped)
    assert sum(data["docs"].values()) == sum(r["category"] != "unknown" for r in tuning_rows())


def test_a_class_rule_is_never_high_and_medium_only_when_the_wording_agrees() -> None:
    # The class rule maps NoHttpResponseException to an unreachable dependency; a word model that reads
    # "respond", "metastore" the same way corroborates it (medium), one that reads them otherwise, or none,
    # does not (low). A class rule alone never gives high confidence: that takes a specific signature.
    text = "org.apache.http.NoHttpResponseException: metastore.internal:443 failed to respond"
    agreeing = TermModel(build_counts([
        {"message": "the metastore did not respond", "category": "dependency_unavailable"},
        {"message": "no response: the server failed to respond in time", "category": "dependency_unavailable"},
        {"message": "Rate exceeded", "category": "throttling"}]))
    disagreeing = TermModel(build_counts([
        {"message": "metastore url points at the wrong port, so it does not respond", "category": "configuration"},
        {"message": "the misconfigured metastore endpoint will not respond", "category": "configuration"},
        {"message": "Rate exceeded", "category": "throttling"}]))
    signatures = load_signatures(rules_dir() / "signatures")
    for model, confidence in ((agreeing, Confidence.MEDIUM), (disagreeing, Confidence.LOW), (None, Confidence.LOW)):
        d = SignatureSet(signatures, terms=model).diagnose(_book(text).items, "emr", {})
        assert d.rule == "class:dependency-classes" and d.cause.category == Category.DEPENDENCY_UNAVAILABLE
        assert d.cause.confidence == confidence, model
    # The words are read where the class rule read the failure: here the run's raw error, not its summary line.
    book = EvidenceBook()
    book.add("job", "emr", "Run FAILED", error_message=text)
    d = SignatureSet(signatures, terms=agreeing).diagnose(book.items, "emr", {})
    assert d.rule == "class:dependency-classes" and d.cause.confidence == Confidence.MEDIUM


def test_a_secret_in_a_raw_error_fact_is_never_quoted(bundled: SignatureSet) -> None:
    # Facts keep the service's raw error (the evidence text is redacted when it is added); what a class rule
    # or the wording reads from them, and may quote, is redacted first.
    secret = "Sup3rS3cretPassw0rd"
    for error in (f"psycopg2.OperationalError: could not connect to server postgres://etl:{secret}@db.internal:5432/x",
                  f"Job run exceeded the maximum DPU hours for postgres://etl:{secret}@db.internal/x"):
        book = EvidenceBook()
        book.add("job", "glue", "Run FAILED", error_message=error)
        d = bundled.diagnose(book.items, "glue", {"resource_name": "job"})
        assert d.cause.category != Category.UNKNOWN and d.cause.evidence_ids == ["E1"]
        assert secret not in d.cause.explanation and secret not in " ".join(d.next_steps)
        assert "[REDACTED" in d.cause.explanation


def test_spark_attempt_bookkeeping_and_host_names_are_no_words() -> None:
    # Which attempt on which host says nothing of why it failed (lintool/warcbase#234 read "internal" and "tid"
    # as the words of out-of-memory failures).
    words = terms("Lost task 3184.3 in stage 0.0 (TID 3207, ip-172-31-9-142.us-west-2.compute.internal): "
                  "java.lang.NegativeArraySizeException")
    assert not {"tid", "stage", "internal", "compute", "west"} & set(words)
    assert {"#negativearraysizeexception", "negative", "array", "size"} <= set(words)


def test_the_aws_sdks_trailer_fields_are_no_words() -> None:
    # Every service exception of the Java SDK ends so, whatever its cause: "proxy", "service" and "request" were
    # read as the words of permission failures. The values (the error code) stay.
    words = terms("InvalidObjectException(message:StorageDescriptor cannot be null for table: t (Service: null; "
                  "Status Code: 0; Error Code: null; Request ID: null; Proxy: null))")
    assert not {"service", "proxy", "request", "status"} & set(words)
    words = terms("AmazonS3Exception: Access Denied (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied; "
                  "Request ID: 7X1B; S3 Extended Request ID: abc=)")
    assert {"access", "denied", "#accessdenied"} <= set(words) and "extended" not in words


def test_pips_account_of_what_it_installed_is_not_read_for_a_cause(bundled: SignatureSet) -> None:
    # A Glue Python shell job's --additional-python-modules install, logged before the script's own error: the
    # packages' names ("dynamodb", "lock", "delta") are no cause; the failing line is read and quoted.
    pip = ("Collecting python_dynamodb_lock==0.9.1\n  Downloading python_dynamodb_lock-0.9.1-py2.py3-none-any.whl "
           "(19 kB)\nInstalling collected packages: python_dynamodb_lock\nSuccessfully installed "
           "python_dynamodb_lock-0.9.1")
    failing = ("2023-05-17 05:31:02,949 ERROR partner_orders: load failed, nothing written\n"
               "botocore.errorfactory.ResourceInUseException: An error occurred (ResourceInUseException) when calling "
               "the CreateTable operation: Table already exists: DynamoDBLockTable")
    d = bundled.diagnose(_book(failing, pip).items, "glue", {"resource_name": "job"})
    assert d.rule.startswith("terms:") and "Table already exists: DynamoDBLockTable" in d.cause.explanation
    assert "Collecting" not in d.cause.explanation and d.cause.evidence_ids == ["E1"]


def test_what_a_program_did_is_not_read_for_a_cause(bundled: SignatureSet) -> None:
    # A shell's trace of its command and the AWS CLI's account of a transfer hold words of known failures ("archive",
    # "upload"), not a failure's: the word model does not read them.
    for line in ("+ aws s3 sync s3://example-archive-raw/folder1/ s3://example-archive-restored/folder1/ "
                 "--force-glacier-transfer",
                 "upload: logs/dbt.log to s3://acme-analytics-artifacts/dbt-logs/warehouse-transforms-daily/dbt.log"):
        assert bundled.read_terms(_book(line).items) is None, line
    # The same words in a line that failed are read, and so is Lambda's REPORT line of an invocation that used all its
    # memory.
    failed = _book("upload failed: logs/dbt.log to s3://acme-analytics-artifacts/dbt.log An error occurred "
                   "(AccessDenied) when calling the PutObject operation: Access Denied")
    reading = bundled.read_terms(failed.items)
    assert reading is not None and reading.reading.category == Category.PERMISSION_DENIED
    report = _book("REPORT RequestId: 1b690add-f44a-46d5-88e0-352bb2248e74\tDuration: 6082.95 ms\tBilled Duration: "
                   "6083 ms\tMemory Size: 6000 MB\tMax Memory Used: 6000 MB")
    reading = bundled.read_terms(report.items)
    assert reading is not None and reading.reading.category == Category.OUT_OF_MEMORY
