"""Events are validated at the boundary: a malformed event is rejected with a reason, a real one passes."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from incident_responder.errors import MalformedEvent
from incident_responder.sources import adapter_for

ROOT = Path(__file__).resolve().parents[2]
REAL = sorted([*(ROOT / "tests" / "fixtures" / "eventbridge").glob("*.json"), *(ROOT / "sam" / "events").glob("*.json"),
               *(ROOT / "tests" / "scenarios").glob("*/event.json")])


def _events() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in REAL:
        event = json.loads(path.read_text())
        if isinstance(event, dict) and str(event.get("source", "")).startswith("aws."):
            out.append((path.relative_to(ROOT).as_posix(), event))
    return out


@pytest.mark.parametrize(("name", "event"), _events(), ids=[n for n, _ in _events()])
def test_every_real_event_passes_validation(name: str, event: dict[str, Any]) -> None:
    assert adapter_for(event).event_source == event["source"]


SFN = json.loads((ROOT / "sam" / "events" / "stepfunctions.json").read_text())
ECS = json.loads((ROOT / "sam" / "events" / "ecs.json").read_text())
BATCH = json.loads((ROOT / "sam" / "events" / "batch.json").read_text())


def _with(event: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(event)
    target = out
    *parents, last = path.split(".")
    for key in parents:
        target = target[key]
    target[last] = value
    return out


@pytest.mark.parametrize(("event", "reason"), [
    (_with(SFN, "time", 1700000000), "event time must be an ISO-8601 time"),
    (_with(SFN, "time", "yesterday"), "event time must be an ISO-8601 time"),
    (_with(SFN, "region", {"name": "eu-west-1"}), "event region is not an AWS region name"),
    (_with(SFN, "region", "Europe"), "event region is not an AWS region name"),
    # A trailing newline would end up in the endpoint URL ("https://sts.us-east-1\n.amazonaws.com").
    (_with(SFN, "region", "us-east-1\n"), "event region is not an AWS region name"),
    (_with(SFN, "account", "123456789012\n"), "event account is not a 12-digit account id"),
    (_with(SFN, "detail.executionArn", "arn:aws:states:us-east-1:123456789012:execution:sm:run\n"),
     "detail.executionArn must be an ARN"),
    (_with(SFN, "account", 123456789012), "event account is not a 12-digit account id"),
    (_with(SFN, "detail", ["executionArn"]), "event detail is not an object"),
    (_with(SFN, "detail.executionArn", {"arn": "x"}), "detail.executionArn must be an ARN, got dict"),
    (_with(SFN, "detail.executionArn", "my-execution"), "detail.executionArn must be an ARN"),
    (_with(SFN, "detail.status", ["FAILED"]), "detail.status must be a string, got list"),
    (_with(SFN, "detail.stopDate", "2024-01-01"), "detail.stopDate must be epoch milliseconds"),
    (_with(SFN, "detail.redriveCount", True), "detail.redriveCount must be int"),
    (_with(ECS, "detail.containers", {"name": "app"}), "detail.containers must be list"),
    (_with(ECS, "detail.stoppedAt", 17), "detail.stoppedAt must be an ISO-8601 time"),
    (_with(SFN, "source", None), "event source must be a non-empty string"),
    (_with(ECS, "detail.taskArn", "arn:aws:ecs:us-east-1:123456789012:task/c/\ud800"),
     r"event.detail.taskArn is not valid Unicode text"),
    (_with(SFN, "detail.input", {"rows": ["ok", "\udfff"]}), r"event.detail.input.rows\[1\] is not valid Unicode"),
    (_with(BATCH, "detail.createdAt", {"at": ""}), "detail.createdAt must be epoch milliseconds"),
])
def test_a_malformed_event_is_rejected_with_the_field_that_is_wrong(event: dict[str, Any], reason: str) -> None:
    with pytest.raises(MalformedEvent, match=reason):
        adapter_for(event)


def test_a_time_out_of_any_era_is_no_time_not_a_crash() -> None:
    from incident_responder.aws import AwsContext
    from incident_responder.config import settings
    from incident_responder.model import EvidenceBook, iso
    from incident_responder.sources.base import Collector

    assert iso(10**30) is None and iso(1.5e300) is None
    assert iso(1700000000000) == "2023-11-14T22:13:20.000Z"
    incident = adapter_for(BATCH).parse(BATCH)
    collector = Collector(incident, AwsContext(region="eu-west-1"), settings(), EvidenceBook())
    item = collector.add("config", "batch:DescribeJobs", "memory 4096", {"at": ""})  # a field of another shape
    assert item.time is None and item.text == "memory 4096"
    assert collector.add("job", "batch:DescribeJobs", "stopped", 10**30).time is None
    assert len(collector.book.items) == 2  # both facts kept, without their times
