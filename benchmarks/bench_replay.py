"""Replay figures: AWS API calls per report per source, and replay time per scenario.

The comparison with the last good run (evidence/changes.py) counts its calls apart from the report's
(``api_calls_changes``): ``aws_api_calls_changes_extra_<source>`` is what it adds to a report, within its
own budget of 3, for every source with a reported scenario (the ten adapters), its line naming the calls
made (``calls``: operation -> count over the source's reports); the per-report and Step Functions
cold/warm figures are the report's own calls.

Runs every scenario in tests/scenarios through the real analyze handler against local AWS and the
local Slack emulator (``incident_responder_local.replay``), in this process.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict

from _common import ROOT, emit
from incident_responder.aws import api_calls, reset_api_calls
from incident_responder_local.replay import Scenario, discover, replay
from incident_responder_local.runtime import BOT_TOKEN, LocalStack
from incident_responder_local.slack_emulator import SlackEmulator


def cold_and_warm_calls(path: object) -> tuple[int, int, dict[str, int]]:
    """AWS calls of one Step Functions report in a fresh container, then of the next report of the same
    failure in the same (warm) container: the incident item is removed, so the second event is analyzed
    end to end, as another execution failing the same way would be."""
    scenario = Scenario.load(path)  # type: ignore[arg-type]
    with SlackEmulator(bot_token=BOT_TOKEN) as slack, LocalStack(scenario.world, slack=slack) as stack:
        reset_api_calls()
        stack.invoke("AnalyzeFunction", scenario.event)
        cold = sum(api_calls().values())
        table = stack.session.resource("dynamodb").Table(stack.env["INCIDENTS_TABLE"])
        for item in table.scan()["Items"]:
            table.delete_item(Key={"incident_id": item["incident_id"]})
        reset_api_calls()
        stack.invoke("AnalyzeFunction", {**scenario.event, "id": "second-delivery-of-another-run"})
        warm_calls = api_calls()
    return cold, sum(warm_calls.values()), warm_calls


def main() -> None:
    results = replay([ROOT / "tests" / "scenarios"])
    calls: dict[str, list[int]] = defaultdict(list)
    extra: dict[str, list[int]] = defaultdict(list)
    named: dict[str, Counter[str]] = defaultdict(Counter)
    times: list[float] = []
    for r in results:
        times.append(r["duration_ms"])
        if r["report"]:
            calls[r["report"]["source"]].append(sum(r["api_calls"].values()))
            extra[r["report"]["source"]].append(sum(r["api_calls_changes"].values()))
            named[r["report"]["source"]].update(r["api_calls_changes"])
    for source, counts in sorted(calls.items()):
        target = 8 if source == "stepfunctions" else None
        emit(f"aws_api_calls_per_report_{source}", statistics.median(counts), "calls", None, target,
             max=max(counts), reports=len(counts))
    for source, counts in sorted(extra.items()):
        emit(f"aws_api_calls_changes_extra_{source}", statistics.median(counts), "calls", None, 3,
             max=max(counts), reports=len(counts), calls=dict(sorted(named[source].items())))
    sfn = [p for p in discover([ROOT / "tests" / "scenarios"])
           if Scenario.load(p).event.get("source") == "aws.states" and Scenario.load(p).expect.get("posts")]
    figures = [cold_and_warm_calls(p) for p in sfn]
    emit("aws_api_calls_stepfunctions_cold", statistics.median(f[0] for f in figures), "calls", None, 8,
         max=max(f[0] for f in figures), reports=len(figures))
    emit("aws_api_calls_stepfunctions_warm", statistics.median(f[1] for f in figures), "calls", None, 6,
         max=max(f[1] for f in figures), reports=len(figures),
         example=min(figures, key=lambda f: f[1])[2])
    emit("replay_ms_per_scenario", round(statistics.median(times), 1), "ms", None, None,
         p90=round(sorted(times)[int(len(times) * 0.9) - 1], 1), scenarios=len(times),
         passed=sum(r["check"]["passed"] for r in results))


if __name__ == "__main__":
    main()
