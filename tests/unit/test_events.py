from __future__ import annotations

import pytest
from tests.conftest import load_json, scenario_event

from incident_responder.errors import MalformedEvent, UnknownEvent
from incident_responder.model import Incident, Skip
from incident_responder.sources import adapter_for


@pytest.mark.parametrize(("sample", "status"), [
    ("eventbridge/sfn_execution_status_change_failed.json", "FAILED"),
    ("eventbridge/sfn_execution_status_change_timed_out.json", "TIMED_OUT"),
    ("eventbridge/sfn_execution_status_change_aborted.json", "ABORTED"),
])
def test_sfn_failures_become_incidents(sample: str, status: str) -> None:
    event = load_json(sample)
    incident = adapter_for(event).parse(event)
    assert isinstance(incident, Incident)
    assert incident.status == status
    assert incident.resource.name == "state-machine"
    assert incident.resource.run_id == "execution-name"
    assert incident.catalog_arns[0].endswith(":stateMachine:state-machine")


@pytest.mark.parametrize("sample", ["eventbridge/sfn_execution_status_change_succeeded.json",
                                    "eventbridge/sfn_execution_status_change_running.json"])
def test_sfn_success_and_running_are_skipped(sample: str) -> None:
    event = load_json(sample)
    assert isinstance(adapter_for(event).parse(event), Skip)


def test_same_run_same_incident_id_other_run_other_id() -> None:
    event = scenario_event("01_sfn_lambda_timeout")
    a = adapter_for(event).parse(event)
    again = adapter_for(event).parse({**event, "id": "another-delivery"})
    other = adapter_for(event).parse({**event, "detail": {**event["detail"], "name": "other",
                                     "executionArn": event["detail"]["executionArn"] + "x"}})
    assert isinstance(a, Incident) and isinstance(again, Incident) and isinstance(other, Incident)
    assert a.incident_id == again.incident_id
    assert a.incident_id != other.incident_id
    assert a.fingerprint == other.fingerprint  # same state machine, same status: a repeat


@pytest.mark.parametrize(("event", "error"), [
    ("not an event", MalformedEvent),
    ({"source": "aws.states", "detail-type": "Step Functions Execution Status Change"}, MalformedEvent),
    ({"source": "aws.states", "detail-type": "Step Functions Execution Status Change", "detail": []},
     MalformedEvent),
    ({"source": "aws.states", "detail-type": "Step Functions Execution Status Change", "detail": {}},
     MalformedEvent),
    ({"source": "aws.codebuild", "detail-type": "CodeBuild Build State Change", "detail": {}}, UnknownEvent),
])
def test_bad_events_get_clear_errors(event: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        src = adapter_for(event)
        src.parse(event)  # type: ignore[arg-type]
