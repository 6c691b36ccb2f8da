"""Collectors for unit tests of the sources: a failed Step Functions execution's, with no AWS behind it."""

from __future__ import annotations

from incident_responder.aws import AwsContext
from incident_responder.config import settings
from incident_responder.model import EvidenceBook, Incident, Resource
from incident_responder.sources import adapter
from incident_responder.sources.base import Collector


def stepfunctions_collector() -> Collector:
    """The collector of a failed execution run-1 of state machine sm (eu-west-1)."""
    inc = Incident(source="stepfunctions", event_id="e", detail_type="Step Functions Execution Status Change",
                   region="eu-west-1", account="123456789012",
                   resource=Resource(arn="arn:aws:states:eu-west-1:123456789012:execution:sm:run-1", name="sm",
                                     run_id="run-1"), status="FAILED", event_time="2024-06-02T03:04:12Z")
    return Collector(inc, AwsContext(region="eu-west-1"), settings(), EvidenceBook(),
                     context=adapter("stepfunctions").context_type())
