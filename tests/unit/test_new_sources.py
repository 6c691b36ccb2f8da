"""The five newer sources' event reading: which states are reported, what a malformed event says, and
the facts their reports are built from (DQDL thresholds, Lambda's function ARNs, account aliases)."""

from __future__ import annotations

import copy
import importlib
import json
from pathlib import Path
from typing import Any

import pytest

from incident_responder.config import Settings
from incident_responder.errors import MalformedEvent
from incident_responder.model import Incident, Skip
from incident_responder.sources import adapter_for
from incident_responder.sources.gluedq.evidence import threshold_of

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "eventbridge"
_lambda_evidence = importlib.import_module("incident_responder.sources.lambda.evidence")
split_arn = _lambda_evidence.split_arn


def _event(name: str, **detail: Any) -> dict[str, Any]:
    event = copy.deepcopy(json.loads((FIXTURES / name).read_text()))
    event["detail"].update(detail)
    return event


@pytest.mark.parametrize(("fixture", "detail", "reported"), [
    ("emr_serverless_job_run_state_change_FAILED.json", {}, True),
    ("emr_serverless_job_run_state_change_FAILED.json", {"state": "CANCELLED"}, True),
    ("emr_serverless_job_run_state_change_FAILED.json", {"state": "SUCCESS"}, False),
    ("emr_serverless_job_run_state_change_RUNNING.json", {}, False),
    ("athena_query_state_change_FAILED.json", {}, True),
    ("athena_query_state_change_FAILED.json", {"currentState": "CANCELLED"}, False),
    ("athena_query_state_change_SUCCEEDED.json", {}, False),
    ("glue_crawler_state_change_Failed.json", {}, True),
    ("glue_crawler_state_change_Succeeded.json", {}, False),
    ("glue_crawler_state_change_Failed.json", {"state": "Started"}, False),
    ("glue_dq_evaluation_results_rules_failed.json", {}, True),
    ("glue_dq_evaluation_results_all_passed.json", {}, False),
    ("lambda_invocation_result_failure.json", {}, True),
])
def test_failures_are_reported_and_benign_states_dropped(fixture: str, detail: dict[str, Any], reported: bool) -> None:
    event = _event(fixture, **detail)
    parsed = adapter_for(event).parse(event)
    assert isinstance(parsed, Incident) is reported
    if not reported:
        assert isinstance(parsed, Skip) and parsed.reason


def test_the_glue_sources_share_aws_glue_and_each_reads_its_own_events() -> None:
    crawler = _event("glue_crawler_state_change_Failed.json")
    job = json.loads((FIXTURES / "glue_job_state_change_FAILED.json").read_text())
    assert adapter_for(crawler).name == "gluecrawler"
    assert adapter_for(job).name == "glue"


@pytest.mark.parametrize(("fixture", "drop", "message"), [
    ("emr_serverless_job_run_state_change_FAILED.json", "jobRunId", "jobRunId"),
    ("athena_query_state_change_FAILED.json", "queryExecutionId", "queryExecutionId"),
    ("glue_crawler_state_change_Failed.json", "crawlerName", "crawlerName"),
    ("glue_dq_evaluation_results_rules_failed.json", "resultID", "resultID"),
    ("lambda_invocation_result_failure.json", "requestContext", "requestContext"),
])
def test_an_event_without_its_ids_is_a_clear_error(fixture: str, drop: str, message: str) -> None:
    event = _event(fixture)
    event["detail"].pop(drop)
    with pytest.raises(MalformedEvent, match=message):
        adapter_for(event).parse(event)


def test_lambda_records_name_the_function_and_the_version_that_ran() -> None:
    event = _event("lambda_invocation_result_failure.json")
    incident = adapter_for(event).parse(event)
    assert isinstance(incident, Incident)
    assert incident.resource.arn == "arn:aws:lambda:us-east-2:123456789012:function:my-function"
    assert incident.resource.run_id == "8ea123e4-1db7-4aca-ad10-d9ca1234c1fd"
    assert incident.status == "RETRIES_EXHAUSTED"
    assert split_arn("arn:aws:lambda:eu-west-1:123456789012:function:f:prod")[1:] == ("f", "prod")
    with pytest.raises(MalformedEvent, match="not one"):
        split_arn("arn:aws:sqs:eu-west-1:123456789012:queue")


@pytest.mark.parametrize(("rule", "threshold"), [
    ('Completeness "customer_email" > 0.95', "> 0.95"),
    ('IsComplete "id"', "= 1.0"),
    ('IsUnique "order_id"', "= 1.0"),
    ('RowCount between 1000 and 5000', "between 1000 and 5000"),
    ('ColumnValues "status" in ["NEW", "PAID"]', 'in ["NEW", "PAID"]'),
    ('ColumnValues "amount" <= 0', "<= 0"),
    ('CustomSql "select count(*) from primary"', ""),
])
def test_dqdl_thresholds(rule: str, threshold: str) -> None:
    assert threshold_of(rule) == threshold


def test_account_aliases_setting(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("ACCOUNT_ALIASES", "222222222222=sales-prod, 333333333333 = analytics ,broken")
    assert Settings().account_aliases == {"222222222222": "sales-prod", "333333333333": "analytics"}
    assert "not key=value" in caplog.text


@pytest.mark.parametrize(("runtime", "layers", "named"), [
    # keithrozario/Klayers#173: the Python 3.8 pandas layer on a python3.9 function
    ("python3.9", ["arn:aws:lambda:us-east-1:770693421928:layer:Klayers-python38-pandas:37"],
     ("Klayers-python38-pandas", "Python 3.8")),
    ("python3.12", ["arn:aws:lambda:us-east-1:123456789012:layer:Klayers-p311-numpy:4"],
     ("Klayers-p311-numpy", "Python 3.11")),
    ("nodejs20.x", ["arn:aws:lambda:eu-west-1:123456789012:layer:sharp-nodejs18:2"], ("sharp-nodejs18", "Node.js 18")),
    # the layer made for the function's own version
    ("python3.9", ["arn:aws:lambda:us-east-1:336392948345:layer:AWSSDKPandas-Python39:8"], None),
    ("python3.12", ["arn:aws:lambda:us-east-1:123456789012:layer:Klayers-p312-requests:1"], None),
    # names that say nothing of a version, and a runtime with no language version
    ("python3.9", ["arn:aws:lambda:us-east-1:123456789012:layer:shared-utils:12"], None),
    ("provided.al2", ["arn:aws:lambda:us-east-1:123456789012:layer:Klayers-python38-pandas:37"], None),
])
def test_a_layer_named_for_another_version_of_the_runtime_is_found(
        runtime: str, layers: list[str], named: tuple[str, str] | None) -> None:
    assert _lambda_evidence.layer_built_for_another_runtime(runtime, layers) == named


@pytest.mark.parametrize(("arch", "layers", "named"), [
    # ewfian/faiss-node#36: the x86_64 build of a native module's layer on a function switched to arm64
    ("arm64", ["arn:aws:lambda:us-east-1:123456789012:layer:faiss-node-x86_64:3"], ("faiss-node-x86_64:3", "x86_64")),
    ("x86_64", ["arn:aws:lambda:us-east-1:123456789012:layer:sharp-arm64:2"], ("sharp-arm64:2", "arm64")),
    # the layer made for the function's own architecture, and names that say nothing of one
    ("arm64", ["arn:aws:lambda:us-east-1:123456789012:layer:libvips-aarch64:5"], None),
    ("x86_64", ["arn:aws:lambda:us-east-1:123456789012:layer:faiss-node-amd64:1"], None),
    ("arm64", ["arn:aws:lambda:us-east-1:123456789012:layer:shared-utils:12"], None),
])
def test_a_layer_named_for_another_architecture_is_found(
        arch: str, layers: list[str], named: tuple[str, str] | None) -> None:
    assert _lambda_evidence.layer_built_for_another_architecture(arch, layers) == named


@pytest.mark.parametrize(("payload", "text"), [
    # terraform-aws-modules/terraform-aws-notify-slack#22: a test message published to the topic by hand
    ({"Records": [{"EventSource": "aws:sns", "Sns": {"Message": " This is a test"}}]}, "This is a test"),
    ({"Records": [{"eventSource": "aws:sqs", "body": "order 42 shipped"}]}, "order 42 shipped"),
    # the messages the function was written for
    ({"Records": [{"Sns": {"Message": '{"AlarmName": "orders-5xx", "NewStateValue": "ALARM"}'}}]}, None),
    ({"Records": [{"body": '"a JSON string"'}]}, None),
    # no message at all, or not a record list
    ({"Records": [{"Sns": {"Message": ""}}]}, None),
    ({"detail-type": "Glue Job State Change", "detail": {"state": "FAILED"}}, None),
    ("plain", None),
])
def test_a_plain_text_message_among_the_records_is_found(payload: Any, text: str | None) -> None:
    assert _lambda_evidence.message_not_json(payload) == text


@pytest.mark.parametrize(("payload", "found"), [
    # boto/boto3#730: an upload whose name has spaces, its key URL-encoded by the notification
    ({"Records": [{"eventSource": "aws:s3", "s3": {"bucket": {"name": "board-docs"},
                                                   "object": {"key": "minutes/Q2+Board+Meeting.pdf"}}}]},
     ("board-docs", "minutes/Q2+Board+Meeting.pdf")),
    ({"Records": [{"s3": {"bucket": {"name": "photos"}, "object": {"key": "in/photo%281%29.jpg"}}}]},
     ("photos", "in/photo%281%29.jpg")),
    # a plain key, which the function may use as it is
    ({"Records": [{"s3": {"bucket": {"name": "photos"}, "object": {"key": "in/2024-06-02/photo_1.jpg"}}}]}, None),
    # no S3 record
    ({"Records": [{"eventSource": "aws:sqs", "body": "a+b"}]}, None),
    ({"detail-type": "Object Created", "detail": {"object": {"key": "a+b"}}}, None),
])
def test_an_s3_event_key_that_is_url_encoded_is_found(payload: Any, found: tuple[str, str] | None) -> None:
    assert _lambda_evidence.encoded_s3_key(payload) == found


@pytest.mark.parametrize(("payload", "service"), [
    # aws/aws-lambda-go#228: an EventBridge event of CodeBuild's, which a handler's type must fit
    ({"source": "aws.codebuild", "detail-type": "CodeBuild Build State Change", "detail": {}}, "aws.codebuild"),
    ({"Records": [{"eventSource": "aws:s3", "s3": {"object": {"key": "a.csv"}}}]}, "aws:s3"),
    ({"source": "com.acme.orders", "detail-type": "OrderPlaced", "detail": {}}, None),
    ({"Records": [{"eventSource": "aws:sqs", "body": "{}"}]}, None),
    ("plain text", None),
])
def test_an_event_is_awss_own_only_when_aws_wrote_all_of_it(payload: Any, service: str | None) -> None:
    assert _lambda_evidence.aws_service_event(payload) == service


@pytest.mark.parametrize(("query", "message", "found"), [
    # awslabs/aws-athena-query-federation#792: Athena asked the Timestream connector for "iotmulti"
    ('SELECT * FROM "testdb"."IoTMulti" limit 10', "The table 'iotmulti' does not exist in database 'testdb'",
     ("IoTMulti", "iotmulti")),
    # a name the query wrote in lower case is no lowering
    ("SELECT * FROM testdb.iotmulti", "The table 'iotmulti' does not exist in database 'testdb'", None),
    # nor is a name the error does not quote
    ('SELECT * FROM "Sales"."Orders"', "TABLE_NOT_FOUND: line 1:15: Table awsdatacatalog.sales.orders does not exist",
     None),
])
def test_a_name_athena_lower_cased_is_found(query: str, message: str, found: tuple[str, str] | None) -> None:
    from incident_responder.sources.athena.evidence import lowered_name
    assert lowered_name(query, message) == found

