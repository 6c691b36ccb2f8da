"""Is the missing input really missing? The folder a "matches 0 files" or "Path does not exist" line names is
listed once, and what is there decides how far the report believes the message."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from incident_responder.analyze import signature_set
from incident_responder.aws import AwsContext
from incident_responder.evidence.inputs import check_inputs
from incident_responder.model import Category, Confidence, EvidenceBook
from incident_responder.sources.base import Collector, SourceContext

BUCKET = "com-acme-batch-archive"
RUN = "snowflake/enriched/good/run=2018-01-31-17-12-44/"
PATTERN_MISS = ("diagnostics: User class threw exception: org.apache.hadoop.mapred.InvalidInputException: "
                f"Input Pattern s3a://{BUCKET}/{RUN}part-* matches 0 files")


@pytest.fixture
def s3() -> Iterator[AwsContext]:
    with mock_aws():
        boto3.client("s3", region_name="eu-west-1").create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        yield AwsContext(region="eu-west-1")


def _collector(aws: AwsContext, *lines: str) -> Collector:
    c = Collector.__new__(Collector)
    c.book, c.context, c.aws, c.failed_reads = EvidenceBook(), SourceContext(), aws, 0  # type: ignore[assignment]
    for line in lines:
        c.book.add("log", "s3://logs/j-1/steps/s-1/stderr.gz", line)
    return c


def _put(aws: AwsContext, *keys: str) -> None:
    for key in keys:
        aws.client("s3").put_object(Bucket=BUCKET, Key=key, Body=b"x")


def _diagnose(c: Collector) -> tuple[Category, Confidence]:
    d = signature_set().diagnose(c.book.items, "emr", {"resource_name": "job", "run_id": "s-1"})
    return d.cause.category, d.cause.confidence


def test_files_under_other_names_than_the_pattern_are_not_a_missing_input(s3: AwsContext) -> None:
    # snowplow-archive/snowplow-snowflake-loader#44: a part-* glob over stream-enriched files.
    _put(s3, f"{RUN}acme-enriched-good-2018-01-31-16-59-58.gz", f"{RUN}acme-enriched-good-2018-01-31-17-04-58.gz")
    c = _collector(s3, PATTERN_MISS)
    ev = check_inputs(c)
    assert ev is not None and ev.kind == "input" and ev.facts["input_check"] == "unmatched"
    assert ev.text.startswith(f"None of the 2 entries in s3://{BUCKET}/{RUN} matches the pattern part-*")
    assert "acme-enriched-good-2018-01-31-16-59-58.gz" in ev.text
    assert _diagnose(c) == (Category.CONFIGURATION, Confidence.MEDIUM)


def test_an_empty_folder_confirms_the_missing_input(s3: AwsContext) -> None:
    c = _collector(s3, PATTERN_MISS)
    ev = check_inputs(c)
    assert ev is not None and ev.facts["input_check"] == "absent" and "is empty" in ev.text
    assert _diagnose(c)[0] == Category.MISSING_INPUT


def test_files_that_match_now_may_have_arrived_after_the_run(s3: AwsContext) -> None:
    _put(s3, f"{RUN}part-00000.gz")
    c = _collector(s3, PATTERN_MISS)
    ev = check_inputs(c)
    assert ev is not None and ev.facts["input_check"] == "present" and "arrived after the run" in ev.text


def test_a_missing_path_shows_what_its_parent_holds(s3: AwsContext) -> None:
    # A partition the job reads as dt= that the producer writes as date=.
    _put(s3, "orders/date=2024-03-13/part-0.parquet", "orders/date=2024-03-14/part-0.parquet")
    c = _collector(s3, f"pyspark.errors.exceptions.captured.AnalysisException: [PATH_NOT_FOUND] Path does not exist: "
                       f"s3://{BUCKET}/orders/dt=2024-03-14.")
    ev = check_inputs(c)
    assert ev is not None and ev.facts["input_check"] == "absent"
    assert ev.text == (f"Nothing is under s3://{BUCKET}/orders/dt=2024-03-14/; s3://{BUCKET}/orders/ holds 2 entries "
                       "(date=2024-03-13/, date=2024-03-14/)")


def test_a_listing_that_is_refused_says_nothing_about_the_input() -> None:
    with mock_aws():  # no bucket: NoSuchBucket, a read that failed
        c = _collector(AwsContext(region="eu-west-1"), PATTERN_MISS)
        assert check_inputs(c) is None
        assert any("ListObjectsV2" in g for g in c.book.gaps)
        assert not [e for e in c.book.items if e.kind == "input"]


def test_no_missing_input_line_makes_no_call(s3: AwsContext) -> None:
    c = _collector(s3, "java.lang.OutOfMemoryError: Java heap space")
    assert check_inputs(c) is None and not c.book.gaps


NO_SCHEMA = "pyspark.sql.utils.AnalysisException: 'Unable to infer schema for Parquet. It must be specified manually.;'"
SOURCE_ARG = f'Run arguments: {{"--run_date": "2024-03-17", "--source_path": "s3://{BUCKET}/parquet-data/"}}'


def test_data_in_plain_subfolders_is_the_path_not_a_missing_input(s3: AwsContext) -> None:
    # repost.aws knowledge-center glue-unable-to-infer-schema: Parquet under 2024/03/17/, not year=2024/...
    _put(s3, "parquet-data/2024/03/17/part-00000.snappy.parquet", "parquet-data/_manifests/2024-03-17.json")
    c = _collector(s3, NO_SCHEMA)
    c.book.add("config", "glue:GetJobRun", SOURCE_ARG)
    ev = check_inputs(c)
    assert ev is not None and ev.facts["input_check"] == "nested"
    assert ev.text == (f"s3://{BUCKET}/parquet-data/ holds no data files directly, only folders that are not "
                       "key=value partitions (2024/, _manifests/)")
    assert _diagnose(c) == (Category.CONFIGURATION, Confidence.MEDIUM)


def test_partition_folders_under_the_path_are_not_blamed(s3: AwsContext) -> None:
    # key=value folders Spark reads: whatever failed, the layout is not it.
    _put(s3, "parquet-data/year=2024/month=03/part-00000.snappy.parquet")
    c = _collector(s3, NO_SCHEMA)
    c.book.add("config", "glue:GetJobRun", SOURCE_ARG)
    ev = check_inputs(c)
    assert ev is not None and ev.facts["input_check"] == "present"


def test_an_empty_source_path_confirms_the_missing_input(s3: AwsContext) -> None:
    c = _collector(s3, NO_SCHEMA, f"reading source=s3://{BUCKET}/parquet-data/ for 2024-03-17")
    ev = check_inputs(c)
    assert ev is not None and ev.facts["input_check"] == "absent"
    assert _diagnose(c)[0] == Category.MISSING_INPUT


def test_a_folder_with_only_a_writers_bookkeeping_holds_no_input(s3: AwsContext) -> None:
    # Guidewire/cda-client#20: a batch whose records were all duplicates wrote its metrics and no Parquet file.
    _put(s3, "cc_claim/1771203530000/.cda/batch-metrics.json")
    c = _collector(s3, f"AnalysisException: Path does not exist: s3a://{BUCKET}/cc_claim/1771203530000/*.parquet")
    ev = check_inputs(c)
    assert ev is not None and ev.facts["input_check"] == "absent"
    assert ev.text == (f"s3://{BUCKET}/cc_claim/1771203530000/ holds no data, only bookkeeping (.cda/): nothing the "
                       "pattern *.parquet could match was written")
    assert _diagnose(c)[0] == Category.MISSING_INPUT
