"""What changed since the last good run: the diff, the sparkline and the trend people read in a report."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from incident_responder.evidence.changes import (
    Baseline,
    RunFacts,
    diff_definition,
    diff_inputs,
    record,
    s3_paths,
    sparkline,
    trend,
)
from incident_responder.followup.answers import Asked, _changes
from incident_responder.followup.intents import Intent
from incident_responder.model import EvidenceBook, Report
from incident_responder.sources.base import Collector, SourceContext


def test_the_input_diff_names_added_removed_and_changed_keys_only() -> None:
    before = {"run_date": "2024-03-12", "source": {"bucket": "a", "prefix": "daily/"}, "mode": "full"}
    after = {"run_date": "2024-03-13", "source": {"bucket": "a", "prefix": "daily/"}, "limit": 10}
    parts, added, removed, changed = diff_inputs(before, after)
    assert changed == ["run_date"] and added == ["limit"] and removed == ["mode"]
    assert parts == ["run_date: 2024-03-12 → 2024-03-13", "added limit = 10", "removed mode (was full)"]
    assert not [p for p in parts if "bucket" in p]  # unchanged keys are not shown


def test_an_empty_value_beside_a_missing_one_is_no_difference() -> None:
    # ECS's event names an override list the good run's record left out: no change to report, nor to blame.
    before = {"containerOverrides": [{"name": "rollup"}]}
    after = {"containerOverrides": [{"name": "rollup"}], "inferenceAcceleratorOverrides": [], "tag": ""}
    assert diff_inputs(before, after) == ([], [], [], [])
    parts, added, *_ = diff_inputs(before, {**after, "tag": "v2"})
    assert added == ["tag"] and parts == ["added tag = v2"]


def test_the_input_diff_redacts_secrets_and_elides_long_values() -> None:
    before = {"db_password": "hunter2-old-value", "query": "x" * 500}
    after = {"db_password": "s3cr3t-N3w-Passw0rd!", "query": "y" * 500}
    parts, *_ = diff_inputs(before, after)
    text = " ".join(parts)
    assert "s3cr3t-N3w-Passw0rd!" not in text and "hunter2-old-value" not in text
    assert "x" * 100 not in text and "…" in text
    assert len(text) < 300


def test_definition_fields_compare_lists_as_sets_and_numbers_by_value() -> None:
    before = {"memory": 4096, "cpu": "1024", "env": ["A", "B"], "image": "repo:1"}
    after = {"memory": 2048, "cpu": 1024, "env": ["B", "C"], "image": "repo:1"}
    assert diff_definition(before, after) == [("memory", 4096, 2048), ("env", ["A", "B"], ["B", "C"])]


def test_the_sparkline_rises_with_the_durations() -> None:
    assert sparkline([1, 2, 3, 4, 5, 6, 7, 8]) == "▁▂▃▄▅▆▇█"
    assert sparkline([5, 5, 5]) == "▁▁▁"
    assert sparkline([]) == ""


def test_a_trend_near_its_limit_is_rising_and_near() -> None:
    minutes = [12, 15, 19, 24, 30, 37, 45, 52, 58]
    text, facts = trend("duration of ProcessEvents", [m * 60 for m in minutes], 3600, "limit") or ("", {})
    assert text == "duration of ProcessEvents over 9 runs ▁▁▂▃▄▅▆▇█, 12 min → 58 min, limit 60 min"
    assert facts["rising"] and facts["near_limit"]
    flat = trend("duration of X", [600, 610, 590, 605], 3600)
    assert flat is not None and not flat[1]["rising"] and not flat[1]["near_limit"]
    assert trend("duration of X", [600, 700], 3600) is None  # two runs are not a trend


def test_s3_paths_are_found_anywhere_in_the_input() -> None:
    doc = {"a": "s3://bucket-one/daily/2024-03-13/", "b": ["--input=s3://bucket-two/x/y.csv"], "c": 1}
    assert s3_paths(doc) == ["s3://bucket-one/daily/2024-03-13/", "s3://bucket-two/x/y.csv"]


class _Incident:
    class resource:
        name = "etl-job"


def _collector() -> Collector:
    c = Collector.__new__(Collector)
    c.book, c.context, c.incident = EvidenceBook(), SourceContext(), _Incident()  # type: ignore[assignment]
    return c


def test_a_lowered_memory_is_evidence_and_a_sentence_next_steps_can_quote() -> None:
    c = _collector()
    t0, t1 = datetime(2024, 3, 12, 2, tzinfo=timezone.utc), datetime(2024, 3, 12, 2, 30, tzinfo=timezone.utc)
    base = Baseline(subject="task family etl-job", source="test",
                    good=RunFacts("task abc", t0, t1, {}, {"memory (MiB)": 4096}, "revision 41"),
                    failed=RunFacts("def", t0, t1, {}, {"memory (MiB)": 2048}, "revision 42"),
                    definition_label="Task definition etl-job")

    class _Reader:
        skipped: list[str] = []
        limit = 3

    record(c, base, _Reader())  # type: ignore[arg-type]
    texts = [e.text for e in c.book.items]
    assert texts[0].startswith("Last good run: task abc of task family etl-job ended 2024-03-12 02:30 UTC")
    assert texts[1] == "Task definition etl-job revision 41 → revision 42: memory (MiB) 4096 → 2048"
    assert c.book.items[1].facts["memory_lowered"] is True
    assert c.context["definition_change"] == ("Task definition etl-job revision 41 → revision 42 lowered "
                                              "memory from 4096 to 2048 MiB")


def test_the_changes_reply_lists_the_change_evidence_or_says_why_there_is_none() -> None:
    report = Report.from_dict({
        "resource": {"name": "etl-job"},
        "evidence": [{"id": "E1", "kind": "task", "source": "ecs", "text": "exit 137"},
                     {"id": "E2", "kind": "change", "source": "ecs", "text": "memory (MiB) 4096 → 2048"}]})
    asked = Asked(ctx=None, incident={}, intent=Intent("changes"), user="U1", report=report)  # type: ignore[arg-type]
    text = _changes(asked).text()
    assert "What changed since the last good run of etl-job" in text and "4096 → 2048" in text
    assert "exit 137" not in text
    report.evidence = report.evidence[:1]
    report.gaps = ["what changed: no earlier successful run of etl-job to compare with"]
    text = _changes(asked).text()
    assert "No comparison with a last good run" in text and "no earlier successful run of etl-job" in text


def test_the_agent_changes_tool_returns_only_the_recorded_differences() -> None:
    from incident_responder.diagnosis.tools import ToolContext, build_registry
    from incident_responder.model import Evidence

    items = [Evidence("task", "ecs", "exit 137", id="E1"),
             Evidence("change", "ecs", "Task definition etl revision 41 → revision 42: memory (MiB) 4096 → 2048",
                      id="E2")]
    res = build_registry(ToolContext(evidence=items)).call("changes", {})
    assert res.status == "ok" and [c["id"] for c in res.data["changes"]] == ["E2"]
    none = build_registry(ToolContext(evidence=items[:1])).call("changes", {})
    assert none.status == "ok" and none.data["changes"] == [] and "no earlier successful run" in none.data["note"]


class _NoSkips:
    skipped: list[str] = []
    limit = 3


def _diagnose(c: Collector) -> tuple[str, str]:
    from incident_responder.analyze import signature_set

    d = signature_set().diagnose(c.book.items, "ecs", {"family": "etl-job", "container": "app"})
    return d.cause.category.value, d.cause.confidence.value


def test_a_revision_whose_definition_could_not_be_read_is_no_story_of_a_change() -> None:
    # The good run's revision was not readable (brooklyn-data/dbt_artifacts#337 as written): the report says it was
    # not compared, and the failure's own line decides, not "a failure right after a change".
    c = _collector()
    c.book.add("log", "/ecs/etl-job", "14:35:41   Object of type WarnErrorOptions is not JSON serializable")
    base = Baseline(subject="task family etl-job", source="test", good=RunFacts("task abc", revision="revision 22"),
                    failed=RunFacts("def", definition={"image": "dbt:1.5"}, revision="revision 23"),
                    definition_label="Task definition etl-job")
    record(c, base, _NoSkips())  # type: ignore[arg-type]
    assert c.book.items[-1].text == ("Task definition etl-job revision 22 → revision 23 (not compared: revision 22 "
                                     "could not be read)")
    assert _diagnose(c)[0] == "code_error"
    # Both read and alike: the revision changed with no difference in what is compared, still a change.
    c = _collector()
    base.good.definition = {"image": "dbt:1.5"}
    record(c, base, _NoSkips())  # type: ignore[arg-type]
    assert c.book.items[-1].text.endswith("(no difference in the fields compared)")
    assert _diagnose(c) == ("configuration", "medium")


@pytest.mark.parametrize(("missing", "good", "failed", "named"), [
    # The changed date is the missing partition's.
    ("Path does not exist: s3://lake/orders/dt=2024-06-02/", {"run_date": "2024-06-01"}, {"run_date": "2024-06-02"},
     True),
    # The changed file's name ends the missing path.
    ("FileNotFoundError: [Errno 2] No such file or directory: '/data/in/batch-7.csv'",
     {"input": "s3://in/batch-6.csv"}, {"input": "s3://in/batch-7.csv"}, True),
    # A run id and an API address changed beside a flow file the image lacks (PrefectHQ/prefect#9137).
    ("FileNotFoundError: [Errno 2] No such file or directory: '/workflow.py'",
     {"containerOverrides": [{"name": "app"}]},
     {"containerOverrides": [{"name": "app", "environment": [{"name": "FLOW_RUN_ID", "value": "6f2d8c1a"},
                                                             {"name": "API_URL", "value": "https://api.example/x"}]}]},
     False),
])
def test_a_changed_input_is_the_missing_inputs_cause_only_when_it_names_the_missing_path(
        missing: str, good: dict[str, Any], failed: dict[str, Any], named: bool) -> None:
    c = _collector()
    c.book.add("log", "/ecs/etl-job", missing)
    base = Baseline(subject="task family etl-job", source="test", good=RunFacts("task abc", inputs=good),
                    failed=RunFacts("def", inputs=failed), definition_label="Task definition etl-job")
    record(c, base, _NoSkips())  # type: ignore[arg-type]
    change = next(e for e in c.book.items if e.facts.get("aspect") == "input")
    assert change.facts["names_missing"] is named
    category, confidence = _diagnose(c)
    assert category == "missing_input"
    assert (confidence == "high") is named
