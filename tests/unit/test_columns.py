"""A column the job cannot find that the data's header spells otherwise is the data's change, not a bug."""

from __future__ import annotations

import pytest

from incident_responder.analyze import signature_set
from incident_responder.evidence.columns import check_catalog_columns, check_columns
from incident_responder.model import Category, Confidence, EvidenceBook
from incident_responder.sources.base import Collector, SourceContext


def _collector(*lines: str) -> Collector:
    c = Collector.__new__(Collector)
    c.book, c.context, c.failed_reads = EvidenceBook(), SourceContext(), 0  # type: ignore[assignment]
    for line in lines:
        c.book.add("log", "/aws/lambda/parse", line)
    return c


def _diagnose(c: Collector) -> tuple[Category, Confidence]:
    d = signature_set().diagnose(c.book.items, "lambda", {"resource_name": "parse", "run_id": "r-1"})
    return d.cause.category, d.cause.confidence


@pytest.mark.parametrize(("lines", "spelled"), [
    # Pengeace/LncRNA-Disease-link#1: the header gained a leading space; the code looks the column up by name.
    (["INFO columns read: ['Species', ' Name', 'Disease ID']", "KeyError: 'Name'"], " Name"),
    # Spark names the columns it has in the error itself.
    (["org.apache.spark.sql.AnalysisException: cannot resolve 'Name' given input columns: [Species, name, "
      "disease_id]; line 1 pos 7"], "name"),
    # A spreadsheet export's byte-order mark.
    (["header: ['\ufeffid', 'amount', 'currency']", "KeyError: 'id'"], "\ufeffid"),
])
def test_a_column_the_header_spells_otherwise_is_the_data(lines: list[str], spelled: str) -> None:
    c = _collector(*lines)
    ev = check_columns(c)
    assert ev is not None and ev.kind == "columns" and ev.facts["column_spelled"] == spelled
    assert _diagnose(c) == (Category.BAD_DATA, Confidence.MEDIUM)


@pytest.mark.parametrize("lines", [
    # The column is simply not there: the data may lack it, or the code asks for the wrong one.
    ["INFO columns read: ['Species', 'Disease ID', 'Source']", "KeyError: 'Name'"],
    # One other quoted 'ID' on an unrelated line is no header.
    ["looked up 'ID' in the cache", "KeyError: 'id'"],
    ["java.lang.OutOfMemoryError: Java heap space"],
])
def test_no_other_spelling_in_a_header_adds_nothing(lines: list[str]) -> None:
    c = _collector(*lines)
    assert check_columns(c) is None and not [e for e in c.book.items if e.kind == "columns"]


def _query_collector(error: str, columns: dict[str, str]) -> Collector:
    c = Collector.__new__(Collector)
    c.book, c.context, c.failed_reads = EvidenceBook(), SourceContext(), 0  # type: ignore[assignment]
    c.book.add("query", "athena:GetQueryExecution", error)
    c.book.add("catalog", "glue:GetTable", "Glue table default.evt_development, location "
               "arn:aws:dynamodb:us-east-1:123456789012:table/evt_development", dataset="default.evt_development",
               columns=columns)
    return c


def test_a_column_the_query_cannot_resolve_that_the_catalog_defines_is_the_tables_reading() -> None:
    # awslabs/aws-athena-query-federation#376: the DynamoDB connector could not map the set<bigint> the crawler gave
    # the column and fell back to an inferred schema without it; the query named a column the table has.
    c = _query_collector("Query FAILED: SYNTAX_ERROR: line 1:16: Column 'crop_ids' cannot be resolved",
                         {"evt_id": "string", "crop_ids": "set<bigint>"})
    ev = check_catalog_columns(c)
    assert ev is not None and "defines as set<bigint>" in ev.text
    d = signature_set().diagnose(c.book.items, "athena", {"resource_name": "evt-analytics", "run_id": "q-1"})
    assert (d.cause.category, d.cause.confidence) == (Category.CONFIGURATION, Confidence.MEDIUM)
    assert ev.id in d.cause.evidence_ids


def test_a_column_the_catalog_does_not_define_is_still_the_query() -> None:
    c = _query_collector("Query FAILED: SYNTAX_ERROR: line 1:16: Column 'crop_id' cannot be resolved",
                         {"evt_id": "string", "crop_ids": "set<bigint>"})
    assert check_catalog_columns(c) is None
    d = signature_set().diagnose(c.book.items, "athena", {"resource_name": "evt-analytics", "run_id": "q-1"})
    assert d.cause.category == Category.CODE_ERROR
