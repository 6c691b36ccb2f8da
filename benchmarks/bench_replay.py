"""Replay figures: AWS API calls per report per source, and replay time per scenario.

Runs every scenario in tests/scenarios through the real analyze handler against local AWS and the
local Slack emulator (``incident_responder.local.replay``), in this process.
"""

from __future__ import annotations

import statistics
from collections import defaultdict

from _common import ROOT, emit
from incident_responder.local.replay import replay


def main() -> None:
    results = replay([ROOT / "tests" / "scenarios"])
    calls: dict[str, list[int]] = defaultdict(list)
    times: list[float] = []
    for r in results:
        times.append(r["duration_ms"])
        if r["report"]:
            calls[r["report"]["source"]].append(sum(r["api_calls"].values()))
    for source, counts in sorted(calls.items()):
        target = 8 if source == "stepfunctions" else None
        emit(f"aws_api_calls_per_report_{source}", statistics.median(counts), "calls", None, target,
             max=max(counts), reports=len(counts))
    emit("replay_ms_per_scenario", round(statistics.median(times), 1), "ms", None, None,
         p90=round(sorted(times)[int(len(times) * 0.9) - 1], 1), scenarios=len(times),
         passed=sum(r["check"]["passed"] for r in results))


if __name__ == "__main__":
    main()
