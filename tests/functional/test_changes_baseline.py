"""The last good run end to end: an ECS clean stop the analyzer skips is kept as the family's baseline, and
the next failure of the family is compared with it, within the comparison's own call budget."""

from __future__ import annotations

import copy
from typing import Any

from tests.conftest import SCENARIOS

from incident_responder.aws import AwsContext, api_calls, reset_api_calls
from incident_responder.config import settings
from incident_responder.evidence.changes import CHANGES_TAG, Reader
from incident_responder.model import EvidenceBook, Incident
from incident_responder.sources.base import Collector
from incident_responder.sources.ecs import ADAPTER as ECS
from incident_responder_local.replay import Scenario
from incident_responder_local.runtime import LocalStack

CLEAN_TASK = "arn:aws:ecs:us-east-1:123456789012:task/batch-fargate/0c2e4a6c8e0a42c4a6e8c0e2a4c6e8a0"


def _clean_stop(event: dict[str, Any]) -> dict[str, Any]:
    """The same task family the night before, ended with exit 0: a clean stop (not reported)."""
    clean = copy.deepcopy(event)
    clean["id"] = "clean-stop-of-the-night-before"
    d = clean["detail"]
    d.update(taskArn=CLEAN_TASK, startedAt="2018-01-16T02:00:40.000Z", stoppedAt="2018-01-16T02:05:40.000Z",
             createdAt="2018-01-16T02:00:05.000Z", stopCode="EssentialContainerExited",
             stoppedReason="Essential container in task exited")
    for container in d["containers"]:
        container.update(exitCode=0, taskArn=CLEAN_TASK)
        container.pop("reason", None)
    return clean


def test_a_clean_stop_becomes_the_baseline_of_the_next_failure(slack_emulator: Any) -> None:
    scenario = Scenario.load(SCENARIOS / "02_ecs_oom_exit137")
    slack_emulator.reset()
    with LocalStack(scenario.world, slack=slack_emulator) as stack:
        skipped, _ = stack.invoke("AnalyzeFunction", _clean_stop(scenario.event))
        assert skipped["status"] == "skipped"
        reset_api_calls()
        result, _ = stack.invoke("AnalyzeFunction", scenario.event)
        report_calls, change_calls = api_calls(), api_calls(CHANGES_TAG)
    assert result["status"] == "posted"
    changes = [e["text"] for e in result["report"]["evidence"] if e["kind"] == "change"]
    assert changes[0].startswith("Last good run: task 0c2e4a6c8e0a42c4a6e8c0e2a4c6e8a0 of task family "
                                 "invoice-export ended 2018-01-16 02:05 UTC after 5 min"), changes
    assert not [g for g in result["report"]["gaps"] if g.startswith("what changed")]
    # The same revision ran both times: no definition call, one read of the kept run, counted apart.
    assert change_calls == {"dynamodb.GetItem": 1}, change_calls
    assert "dynamodb.GetItem" not in report_calls


def test_the_first_failure_of_a_family_has_no_baseline_and_says_so(slack_emulator: Any) -> None:
    scenario = Scenario.load(SCENARIOS / "02_ecs_oom_exit137")
    slack_emulator.reset()
    with LocalStack(scenario.world, slack=slack_emulator) as stack:
        result, _ = stack.invoke("AnalyzeFunction", scenario.event)
    assert "what changed: no earlier successful run of invoice-export to compare with (no clean stop of " \
           "invoice-export recorded by the responder)" in result["report"]["gaps"]


def test_calls_past_the_budget_are_not_made_and_the_report_says_which() -> None:
    scenario = Scenario.load(SCENARIOS / "02_ecs_oom_exit137")
    with LocalStack(scenario.world) as stack:
        incident = ECS.parse(scenario.event)
        assert isinstance(incident, Incident)
        aws = AwsContext(region=incident.region, session=stack.session)
        c = Collector(incident, aws, settings(), EvidenceBook(), context=ECS.context_type())
        r = Reader(c, limit=1)
        ecs: Any = c.client("ecs")
        reset_api_calls()
        first = r.read("ListClusters", ecs.list_clusters)
        second = r.read("DescribeClusters", ecs.describe_clusters, clusters=["batch-fargate"])
        assert first is not None and second is None
        assert r.skipped == ["DescribeClusters"]
        assert api_calls(CHANGES_TAG) == {"ecs.ListClusters": 1} and api_calls() == {}


def test_the_kept_durations_stay_bounded() -> None:
    from incident_responder.aws import AwsContext
    from incident_responder.evidence.changes import GOOD_RUN_PREFIX, TREND_RUNS, remember_good_run

    scenario = Scenario.load(SCENARIOS / "02_ecs_oom_exit137")
    with LocalStack(scenario.world) as stack:
        aws = AwsContext(session=stack.session, region=stack.session.region_name)
        for n in range(2 * TREND_RUNS + 1):
            remember_good_run({"key": "ecs#etl", "run_id": f"t{n}", "task_definition": "etl:1", "seconds": n},
                              aws, settings())
        item = stack.session.resource("dynamodb").Table(stack.env["INCIDENTS_TABLE"]).get_item(
            Key={"incident_id": GOOD_RUN_PREFIX + "ecs#etl"})["Item"]
    assert item["run_id"] == f"t{2 * TREND_RUNS}"
    assert item["durations"] == [f"{float(n)}" for n in range(TREND_RUNS + 1, 2 * TREND_RUNS + 1)]


def _lambda_runtime_report(tmp_path: Any, failed_on: str) -> dict[str, Any]:
    """A Lambda function whose layer was built for python3.12, replayed with its failing invocations' sandboxes on
    ``failed_on`` (the last good one ran on python:3.12.v72)."""
    import shutil

    from incident_responder_local.replay import replay

    folder = tmp_path / "runtime"
    shutil.copytree(SCENARIOS / "lambda_strands_chapter_agent_pydantic_core_deps_built_for_py312_on_py313", folder)
    world = folder / "world.yaml"
    world.write_text(world.read_text(encoding="utf-8").replace("python:3.13.v31", failed_on), encoding="utf-8")
    (result,) = replay([folder])
    return result["report"]


def test_a_change_of_the_functions_runtime_setting_is_told_from_lambdas_update_of_the_runtime(tmp_path: Any) -> None:
    # strands-agents/harness-sdk#633: the function moved from python3.12 to python3.13 under a layer built for 3.12.
    moved = _lambda_runtime_report(tmp_path / "moved", "python:3.13.v31")
    changes = [e["text"] for e in moved["evidence"] if e["kind"] == "change"]
    assert any("python:3.12.v72 at the last good invocation, python:3.13.v31 at the failure (its runtime setting was "
               "changed)" in t for t in changes)
    cause = moved["probable_cause"]
    assert (cause["category"], cause["confidence"]) == ("configuration", "medium")
    assert "right after its runtime was changed (python:3.12.v72 → python:3.13.v31" in cause["explanation"]
    assert "No module named 'pydantic_core._pydantic_core'" in cause["explanation"]
    # Lambda's own release of the same runtime, beside a deployment after the last good run: the deployment's import.
    updated = _lambda_runtime_report(tmp_path / "updated", "python:3.12.v73")
    changes = [e["text"] for e in updated["evidence"] if e["kind"] == "change"]
    assert any("python:3.12.v73 at the failure (Lambda updates a managed runtime under an unchanged function)" in t
               for t in changes)
    assert updated["probable_cause"]["category"] == "code_error"
    assert "runtime was changed" not in updated["probable_cause"]["explanation"]
