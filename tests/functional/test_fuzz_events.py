"""Fuzzing EventBridge events through the analyze handler, in a local account with the local Slack.

Real failure events of each source (the scenarios' event.json) with fields replaced by values of the
wrong type or shape (times that are numbers or nonsense, ARNs that are lists or not ARNs, regions,
states), removed, or joined by extra fields; and arbitrary JSON. Properties: the handler never
raises; an event it cannot use is rejected (returned, logged as ``event rejected``, counted as
EventsRejected); a report it does post shows no Python repr (``{'``, ``['``) where a name belongs.
The number of examples run is printed (``-s``) as a JSON line.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from tests.conftest import SCENARIOS, emf_metrics, json_lines, scenario_event

from incident_responder_local.runtime import LocalStack
from incident_responder_local.world import World

SCENARIO = SCENARIOS / "sfn_lambda_timeout"
SOURCES = ["sfn_lambda_timeout", "02_ecs_oom_exit137", "03_emr_step_spark_failure", "glue_job_timeout", "batch_oom",
           "emr_cluster_bootstrap_failure"]
WORLD = World.read(SCENARIO / "world.yaml", base=SCENARIO)
# Each source's real event, moved into the local account's region (the tables live there).
EVENTS = {name: json.loads(json.dumps(scenario_event(name)).replace("us-east-1", WORLD.region)) for name in SOURCES}
TOP = ["id", "time", "region", "account", "source", "detail-type", "resources", "resources.0", "detail"]
DETAIL = ["status", "state", "lastStatus", "stopCode", "stoppedReason", "executionArn", "stateMachineArn", "name",
          "startDate", "stopDate", "taskArn", "clusterArn", "stoppedAt", "createdAt", "containers", "clusterId",
          "stepId", "jobName", "jobRunId", "jobArn", "jobId", "statusReason", "message", "stateChangeReason"]
REPRS = ("{'", "['", "<built-in", " object at 0x")
# No shrinking while the test is expected to fail: it would multiply the time (each example is a whole
# analysis); the failing examples are reported as generated.
FUZZ = settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck), database=None,
                phases=[Phase.explicit, Phase.generate])
COUNTS: Counter[str] = Counter()

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=16),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
odd_values = st.one_of(
    json_values,
    st.sampled_from(["", "2024-13-45T99:99:99Z", "yesterday", "not-an-arn", "arn:aws:states:::", "us-east-1\n",
                     "eu-mars-9", "\ud800", "FAILED", "RUNNING", 10**30, -1, 1.5e300]),
)


def _set(event: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node: Any = event
    for part in parents:
        if isinstance(node, list):
            node = node[int(part)] if part.isdigit() and int(part) < len(node) else None
        else:
            node = node.get(part) if isinstance(node, dict) else None
    if isinstance(node, dict):
        if value is _DELETE:
            node.pop(last, None)
        else:
            node[last] = value
    elif isinstance(node, list) and last.isdigit() and int(last) < len(node):
        node[int(last)] = value


_DELETE = object()


@st.composite
def events(draw: st.DrawFn) -> Any:
    if draw(st.integers(0, 9)) == 0:
        return draw(json_values)
    event = copy.deepcopy(EVENTS[draw(st.sampled_from(SOURCES))])
    paths = st.sampled_from(TOP + [f"detail.{k}" for k in DETAIL])
    for path, value in draw(st.lists(st.tuples(paths, st.one_of(st.just(_DELETE), odd_values)), min_size=1,
                                     max_size=3)):
        _set(event, path, value)
    if draw(st.booleans()):
        event.update(draw(st.dictionaries(st.text(max_size=8), json_values, max_size=2)))
    event["id"] = f"fuzz-{draw(st.uuids())}" if isinstance(event.get("id"), str) else event.get("id")
    return event


@pytest.fixture(scope="module")
def stack(slack_emulator: Any) -> Iterator[LocalStack]:
    slack_emulator.reset()
    with LocalStack(WORLD, slack=slack_emulator) as local:
        yield local
    for name, value in sorted(COUNTS.items()):
        print(json.dumps({"name": name, "value": value, "unit": "examples"}))


def _forget_incidents(stack: LocalStack) -> None:
    db, table = stack.session.client("dynamodb"), stack.env["INCIDENTS_TABLE"]
    for item in db.scan(TableName=table, ProjectionExpression="incident_id")["Items"]:
        db.delete_item(TableName=table, Key={"incident_id": item["incident_id"]})


@FUZZ
@given(event=events())
def test_any_event_is_analyzed_or_rejected_never_raised(stack: LocalStack, slack_emulator: Any, event: Any) -> None:
    _forget_incidents(stack)  # each example is a first delivery, so it goes as far as a report
    seen = len(slack_emulator.messages())
    try:
        result, output = stack.invoke("AnalyzeFunction", event)
    except Exception as exc:
        COUNTS[f"events_fuzz_examples_raised_{type(exc).__name__}"] += 1
        raise

    COUNTS[f"events_fuzz_examples_{result.get('status')}"] += 1
    assert isinstance(result, dict) and result.get("status")
    if result["status"] == "rejected":
        assert any(line.get("message") == "event rejected" for line in json_lines(output))
        assert "EventsRejected" in emf_metrics(output)
    for message in slack_emulator.messages()[seen:]:
        shown = message["text"] + json.dumps(message.get("blocks") or [], ensure_ascii=False)
        assert not any(r in shown for r in REPRS), shown[:600]
