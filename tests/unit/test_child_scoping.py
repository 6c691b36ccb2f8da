"""A service's signatures read the evidence of a child run of that service in a parent's report (a Glue run a
Step Functions task started) and render from the child's context, never from the parent's own evidence; and
the pieces a Step Functions task's child is named and read by (a Lambda request id, its own log lines)."""

from __future__ import annotations

import dataclasses
import json
import string
from pathlib import Path

import pytest
from tests.collectors import stepfunctions_collector

from incident_responder.diagnosis import SignatureSet, load_signatures
from incident_responder.evidence.compaction import LogLine
from incident_responder.model import Category, EvidenceBook, Incident, Resource
from incident_responder.sources import adapter, all_adapters
from incident_responder.sources.base import ChildCollector, Collector, SourceContext
from incident_responder.sources.stepfunctions.evidence import StepFunctionsEvidence

SIG = """
signatures:
  - id: widget-quota
    category: capacity
    confidence: high
    priority: 90
    sources: [athena]
    match:
      any: [{text: 'WIDGET_QUOTA'}]
      none: [{text: 'maintenance window'}]
    explanation: "Workgroup {workgroup} hit its quota ({scan_cutoff}) in {resource_name}, pipeline {pipeline}: {match}"
    next_steps: ["Raise {scan_cutoff} of {workgroup}; state {state}."]
"""


def _sigs(tmp_path: Path) -> SignatureSet:
    (tmp_path / "s.yaml").write_text(SIG)
    return SignatureSet(load_signatures(tmp_path))


def _athena_child(parent: Collector, text: str) -> None:
    inc = Incident(source="athena", event_id="e:child", detail_type="Athena Query State Change",
                   region="eu-west-1", account="123456789012",
                   resource=Resource(arn="arn:aws:athena:eu-west-1:123456789012:workgroup/analytics", name="analytics",
                                     run_id="q-1"), status="FAILED", event_time="2024-06-02T03:04:12Z")
    child = ChildCollector(parent, inc, adapter("athena").context_type())
    child.context.update(workgroup="analytics", scan_cutoff="10.0 GB")
    child.add("query", "athena:GetQueryExecution", text)
    child.finish()


def test_a_service_signature_matches_its_childs_evidence_and_renders_from_the_childs_context(tmp_path: Path) -> None:
    parent = stepfunctions_collector()
    parent.add("history", "states:GetExecutionHistory", "State 'Count' failed: States.TaskFailed")
    _athena_child(parent, "Query FAILED: WIDGET_QUOTA reached")
    context = {"resource_name": "sm", "pipeline": "clickstream", "state": "Count", "error": "States.TaskFailed"}
    d = _sigs(tmp_path).diagnose(parent.book.items, "stepfunctions", context)
    assert d.cause.signature == "widget-quota" and d.cause.category == Category.CAPACITY
    # The child's names (workgroup, cutoff, its own resource); the parent's only for the names every source
    # shares (pipeline, state); never "?".
    assert d.cause.explanation == ('Workgroup analytics hit its quota (10.0 GB) in analytics, pipeline clickstream: '
                                   'Query FAILED: WIDGET_QUOTA reached')
    assert d.next_steps == ["Raise 10.0 GB of analytics; state Count."]
    assert d.cause.evidence_ids == ["E2"]


def test_a_service_signature_never_matches_the_parents_own_evidence(tmp_path: Path) -> None:
    sigs = _sigs(tmp_path)
    parent = stepfunctions_collector()
    # The parent's own line says it, and so does a child of another source: neither is an Athena child.
    parent.add("history", "states:GetExecutionHistory", "cause: WIDGET_QUOTA reached")
    glue = ChildCollector(parent, dataclasses.replace(parent.incident, source="glue"), adapter("glue").context_type())
    glue.add("job", "glue:GetJobRun", "WIDGET_QUOTA reached")
    glue.finish()
    assert sigs.diagnose(parent.book.items, "stepfunctions", {}).cause.signature != "widget-quota"
    # Its none: conditions read the child's evidence only, as on an Athena report of its own.
    _athena_child(parent, "WIDGET_QUOTA reached")
    assert sigs.diagnose(parent.book.items, "stepfunctions", {}).cause.signature == "widget-quota"
    parent.add("history", "states:GetExecutionHistory", "maintenance window")  # the parent's, not the child's
    assert sigs.diagnose(parent.book.items, "stepfunctions", {}).cause.signature == "widget-quota"
    _athena_child(parent, "maintenance window")
    assert sigs.diagnose(parent.book.items, "stepfunctions", {}).cause.signature != "widget-quota"


def test_on_its_own_source_a_signature_reads_every_item_as_before(tmp_path: Path) -> None:
    b = EvidenceBook()
    b.add("query", "athena:GetQueryExecution", "WIDGET_QUOTA reached")
    d = _sigs(tmp_path).diagnose(b.items, "athena", {"workgroup": "adhoc", "scan_cutoff": "1.0 GB"})
    assert d.cause.signature == "widget-quota"
    assert d.cause.explanation.startswith("Workgroup adhoc hit its quota (1.0 GB)")


def test_a_child_context_carries_every_name_its_sources_signatures_may_use() -> None:
    """The names a scoped signature renders on a child are the child's context fields (the placeholder
    contract, tests/unit/test_adapters.py) plus the shared ones the parent gives: nothing else is needed."""
    from incident_responder.analyze import signature_set

    shared = SourceContext.placeholder_names()
    for sig in signature_set().signatures:
        for source in sig.sources:
            names = {f for t in [sig.explanation, *sig.next_steps] for _, f, _, _ in string.Formatter().parse(t) if f}
            assert names <= adapter(source).context_type.placeholder_names() | shared, sig.id


@pytest.mark.parametrize(("cause", "request_id"), [
    ('{"errorMessage":"\'k\'","errorType":"KeyError","requestId":"e8d41b27-6c3f-4f90-a5b2-91d7c0e3f4a6"}',
     "e8d41b27-6c3f-4f90-a5b2-91d7c0e3f4a6"),
    ('{"errorMessage":"RequestId: 9b0c7e3a-51d4-4c2b-8f6e-0a3d5b7c9e21 Error: Runtime exited with error: signal: '
     'killed","errorType":"Runtime.ExitError"}', "9b0c7e3a-51d4-4c2b-8f6e-0a3d5b7c9e21"),
    ('The cause could not be determined because Lambda did not return an error type. Returned payload: '
     '{"errorMessage":"2024-03-14T02:16:08.937Z 6f1c2a94-3b7d-4e0a-9c55-2d8e41f7a0b3 Task timed out after 60.06 '
     'seconds"}', "6f1c2a94-3b7d-4e0a-9c55-2d8e41f7a0b3"),
    # A Lambda API error's "Request ID" is the API call's: no invocation ran.
    ("ServiceException (Service: AWSLambda; Status Code: 500; Error Code: ServiceException; Request ID: "
     "2f126f71-7ef2-4b92-bacd-76dafcb55aa5)", None),
])
def test_the_invocation_a_lambda_tasks_cause_names(cause: str, request_id: str | None) -> None:
    parent = stepfunctions_collector()
    scheduled = {"timestamp": "2024-03-14T02:15:08Z", "type": "TaskScheduled",
                 "taskScheduledEventDetails": {"resourceType": "lambda", "resource": "invoke", "region": "eu-west-1",
                                               "parameters": json.dumps({"FunctionName": "orders-extract:live"})}}
    doc = json.loads(cause) if cause.startswith("{") else {}
    detail = StepFunctionsEvidence._service_child(parent, "lambda", doc, {}, {"FunctionName": "orders-extract:live"},
                                                  {"timestamp": "2024-03-14T02:16:09Z"}, scheduled, cause)
    if request_id is None:
        assert detail is None
        return
    assert detail is not None and detail["requestContext"] == {
        "functionArn": "arn:aws:lambda:eu-west-1:123456789012:function:orders-extract:live", "requestId": request_id}
    assert detail["responsePayload"].get("errorMessage")
    parsed = adapter("lambda").parse({"id": "x", "detail-type": "Lambda Function Invocation Result - Failure",
                                      "source": "lambda", "detail": detail})
    assert isinstance(parsed, Incident) and parsed.resource.name == "orders-extract"


def _line(stream: str, ts: str, message: str) -> LogLine:
    return LogLine(message=message, timestamp=f"2024-06-03T04:10:{ts}Z", source=f"/g/{stream}")


def test_request_lines_keep_the_request_and_its_init_and_drop_the_neighbours() -> None:
    import importlib

    request_lines = importlib.import_module("incident_responder.sources.lambda.evidence").request_lines
    rid, other = "c7a9e3d1-4b2f-4e6a-9d8c-0b1a2f3e4d5c", "1e2d3c4b-5a69-4788-9a0b-c1d2e3f4a5b6"
    lines = [
        _line("a", "00.000", f"REPORT RequestId: {other}\tDuration: 1 ms"),  # the stream's previous request
        _line("a", "00.100", "INIT_START Runtime Version: python:3.12"),
        _line("a", "00.160", f"START RequestId: {rid} Version: $LATEST"),
        _line("b", "02.000", f"START RequestId: {other} Version: $LATEST"),
        _line("b", "05.000", "a concurrent invocation's print"),
        _line("a", "10.900", "uploading part 3 of 4"),
        _line("a", "11.020", "[ERROR] KeyError: 'k'\nTraceback (most recent call last):"),
        _line("a", "11.380", f"REPORT RequestId: {rid}\tDuration: 11219.40 ms"),
        _line("a", "11.500", f"START RequestId: {other} Version: $LATEST"),
        _line("a", "11.600", "the next request's line"),
    ]
    kept = [line.message.split("\n")[0] for line in request_lines(lines, rid)]
    assert kept == ["INIT_START Runtime Version: python:3.12", f"START RequestId: {rid} Version: $LATEST",
                    "uploading part 3 of 4", "[ERROR] KeyError: 'k'", f"REPORT RequestId: {rid}\tDuration: 11219.40 ms"]
    # Started before the window: from the stream's first line read.
    assert next(line.message for line in request_lines(lines[5:8], rid)) == "uploading part 3 of 4"
    assert request_lines(lines, "0000") == []


def test_an_attempts_timeout_written_after_its_report_is_the_requests() -> None:
    import importlib

    request_lines = importlib.import_module("incident_responder.sources.lambda.evidence").request_lines
    rid, other = "3f5a8c1d-92e4-4b7a-8d6f-1e2c3b4a5d60", "1e2d3c4b-5a69-4788-9a0b-c1d2e3f4a5b6"
    lines = [  # aws-powertools/powertools-lambda-python#1038: the first attempt timed out, the retries were refused
        _line("a", "15.402", f"START RequestId: {rid} Version: $LATEST"),
        _line("a", "17.404", f"REPORT RequestId: {rid}\tDuration: 2001.87 ms"),
        _line("a", "17.404", f"2022-05-04T10:03:17.404Z {rid} Task timed out after 2.00 seconds"),
        _line("a", "18.000", f"START RequestId: {other} Version: $LATEST"),
        _line("a", "18.100", "another request's line"),
        _line("a", "19.733", f"START RequestId: {rid} Version: $LATEST"),
        _line("a", "19.905", "[ERROR] IdempotencyAlreadyInProgressError: Execution already in progress"),
    ]
    kept = [line.message for line in request_lines(lines, rid)]
    assert f"2022-05-04T10:03:17.404Z {rid} Task timed out after 2.00 seconds" in kept
    assert "another request's line" not in kept


def test_every_service_a_task_can_run_has_an_adapter() -> None:
    from incident_responder.sources.stepfunctions import evidence

    names = {a.name for a in all_adapters()}
    assert {name for name, _ in evidence._CHILD_ADAPTERS.values()} <= names
    for name, detail_type in evidence._CHILD_ADAPTERS.values():
        assert detail_type in adapter(name).detail_types
