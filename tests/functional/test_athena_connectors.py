"""A federated Athena query fails in its Lambda connector: the query says only "Query timeout" or a
GENERIC_USER_ERROR wrapper, and the cause is in the connector's log. The connector is found from the
error's function ARN, the query's "lambda:<function>" catalog, or the query's data catalog (GetDataCatalog),
and its log is read in the query's window. Against moto (a world written here)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from incident_responder.aws import AwsContext
from incident_responder.config import settings
from incident_responder.model import EvidenceBook, Incident
from incident_responder.sources import adapter
from incident_responder.sources.base import Collector
from incident_responder_local.runtime import LocalStack
from incident_responder_local.world import World

REGION = "eu-west-1"
QUERY_ID = "b3e1f7a2-9c4d-4e58-8a16-0d2c7f9e4b31"
CAUSE = ("WARN ThrottlingInvoker:165 - handleThrottle: Encountered a Throttling event[com.amazonaws.services.logs."
         "model.AWSLogsException: Rate exceeded (Service: AWSLogs; Status Code: 400; Error Code: "
         "ThrottlingException)] adding delay to invocation of 6400 ms.")


def _world(tmp_path: Path, *, catalog: str, query: str, reason: str = "Query timeout",
           catalogs: list[dict[str, Any]] | None = None) -> World:
    data = {
        "region": REGION,
        "athena": {
            "data_catalogs": catalogs or [],
            "work_groups": [{"Name": "reports", "State": "ENABLED", "Configuration": {}}],
            "query_executions": [{
                "QueryExecutionId": QUERY_ID, "Query": query, "StatementType": "DML", "WorkGroup": "reports",
                "QueryExecutionContext": {"Database": "prod", "Catalog": catalog},
                "Status": {"State": "FAILED", "StateChangeReason": reason,
                           "SubmissionDateTime": "2021-08-11T08:40:00Z", "CompletionDateTime": "2021-08-11T09:10:00Z",
                           "AthenaError": {"ErrorCategory": 1, "ErrorType": 1000, "Retryable": False}},
            }],
        },
        "logs": [{"group": "/aws/lambda/apigwlogs", "stream": "2021/08/11/[$LATEST]c1f8e3a0b7d24596a0",
                  "events": [
                      {"timestamp": "2021-08-11T08:47:11Z", "message": "START RequestId: f4a1 Version: $LATEST"},
                      {"timestamp": "2021-08-11T08:47:52Z", "message": f"2021-08-11 08:47:52 f4a1 {CAUSE}"},
                      {"timestamp": "2021-08-11T08:48:10Z", "message": "END RequestId: f4a1"}]}],
    }
    path = tmp_path / "world.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return World.read(path)


@pytest.fixture
def collect(tmp_path: Path) -> Iterator[Any]:
    stacks: list[LocalStack] = []

    def run(**kwargs: Any) -> Collector:
        import boto3

        stack = LocalStack(_world(tmp_path, **kwargs))
        stack.__enter__()
        stacks.append(stack)
        src = adapter("athena")
        incident = src.parse({"id": "e", "detail-type": "Athena Query State Change", "source": "aws.athena",
                              "account": "123456789012", "region": REGION, "time": "2021-08-11T09:10:01Z",
                              "detail": {"queryExecutionId": QUERY_ID, "currentState": "FAILED",
                                         "workgroupName": "reports"}})
        assert isinstance(incident, Incident)
        calls: list[str] = []
        session = boto3.Session(region_name=REGION)
        session.events.register("before-call.*.*", lambda model, **_: calls.append(model.name))
        c = Collector(incident, AwsContext(region=REGION, session=session), settings(), EvidenceBook(),
                      context=src.context_type())
        src.collect(c)
        c.calls_made = calls  # type: ignore[attr-defined]
        return c

    yield run
    for stack in stacks:
        stack.__exit__(None, None, None)


def _connector_lines(c: Collector) -> list[str]:
    return [e.text for e in c.book.items if e.kind == "log" and e.source.startswith("/aws/lambda/apigwlogs")]


def test_the_connector_of_a_lambda_catalog_is_read_in_the_querys_window(collect: Any) -> None:
    c = collect(catalog="apigwlogs", query='SELECT * FROM "apigwlogs"."prod"."all_log_streams"',
                catalogs=[{"Name": "apigwlogs", "Type": "LAMBDA",
                           "Parameters": {"function": f"arn:aws:lambda:{REGION}:123456789012:function:apigwlogs"}}])
    assert any("Rate exceeded (Service: AWSLogs" in line for line in _connector_lines(c))
    assert "GetDataCatalog" in c.calls_made
    assert [group for group, _, _ in c.log_groups] == ["/aws/lambda/apigwlogs"]  # the connector, read once


def test_a_function_the_error_names_is_read_without_looking_up_the_catalog(collect: Any) -> None:
    reason = ("GENERIC_USER_ERROR: Encountered an exception[java.lang.RuntimeException] from your LambdaFunction"
              f"[arn:aws:lambda:{REGION}:123456789012:function:apigwlogs] executed in context[retrieving meta-data]")
    c = collect(catalog="AwsDataCatalog", query='SELECT * FROM "logs"."t"', reason=reason)
    assert any("Rate exceeded" in line for line in _connector_lines(c))
    assert "GetDataCatalog" not in c.calls_made


def test_a_lambda_prefixed_catalog_in_the_query_names_its_function(collect: Any) -> None:
    c = collect(catalog="AwsDataCatalog", query='SELECT * FROM "lambda:apigwlogs"."prod"."all_log_streams"')
    assert any("Rate exceeded" in line for line in _connector_lines(c))
    assert "GetDataCatalog" not in c.calls_made


def test_a_glue_catalog_query_reads_no_connector(collect: Any) -> None:
    c = collect(catalog="AwsDataCatalog", query="SELECT * FROM prod.events")
    assert not _connector_lines(c)
    assert "GetDataCatalog" not in c.calls_made and "FilterLogEvents" not in c.calls_made


def test_a_catalog_that_is_gone_is_a_gap_in_the_report_not_a_failure(collect: Any) -> None:
    c = collect(catalog="dropped_catalog", query='SELECT * FROM "dropped_catalog"."prod"."t"')
    assert not _connector_lines(c)
    assert any("GetDataCatalog dropped_catalog" in gap and "InvalidRequestException" in gap for gap in c.book.gaps)
    assert any(e.source == "athena:GetQueryExecution" and "Query timeout" in e.text for e in c.book.items)
