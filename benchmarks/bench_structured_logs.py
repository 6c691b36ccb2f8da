"""Structured, coloured, prefixed and joined logs: does the diagnosis hold when the same failure is logged as JSON
records, with a terminal's colour codes, behind the container runtime's prefix, or grouped into events by a log agent?

Every scenario in tests/scenarios whose CloudWatch logs come from a Lambda function, an ECS task or a Batch job
is replayed with its logs rewritten as structured loggers write them (``incident_responder_local.restyle``:
Lambda's JSON log format; application records with the traceback in an ``exception`` field), twice in this
process:

- as the responder reads logs (JSON records read as the text they stand for, ``evidence.records.plain``);
- as a baseline, with that reading switched off (each record read as its raw JSON line).

The same for the scenarios whose ECS or Batch logs are coloured as a terminal shows them (``colour_world``: ANSI
codes around levels and exception names), the baseline keeping the codes.

The same for container lines behind containerd's CRI prefix (``cri_world``), the baseline keeping the prefix; and
for container logs grouped into events as awslogs-datetime-format groups them (``joined_world``: undated lines
appended to the dated record before), the baseline reading each such event whole (``evidence.compaction._unjoined``
switched off).

Printed: the share of restyled scenarios whose category is still the expected one, with the reading and
without, and the count of those wrong with high confidence. A scenario's evidence strings are not checked
here: the restyled logs drop the level prefixes some of them quote.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from unittest import mock

import yaml

from _common import ROOT, emit
from incident_responder_local.replay import replay
from incident_responder_local.restyle import colour_world, cri_world, joined_world, restyle_world


def restyled(into: Path, style: Callable[[dict], tuple[dict, int]] = restyle_world) -> list[Path]:
    out = []
    for world_file in sorted((ROOT / "tests" / "scenarios").glob("*/world.yaml")):
        world = yaml.safe_load(world_file.read_text(encoding="utf-8"))
        if not isinstance(world, dict) or not world.get("logs"):
            continue
        new, changed = style(world)
        if not changed:
            continue
        dest = into / world_file.parent.name
        shutil.copytree(world_file.parent, dest)
        (dest / "world.yaml").write_text(yaml.safe_dump(new, sort_keys=False, allow_unicode=True), encoding="utf-8")
        out.append(dest)
    return out


def score(results: list[dict]) -> tuple[int, int, int]:
    right = wrong_high = 0
    for r in results:
        cause = (r.get("report") or {}).get("probable_cause") or {}
        expected = (r.get("expect") or {}).get("category")
        if cause.get("category") == expected:
            right += 1
        elif cause.get("confidence") == "high":
            wrong_high += 1
    return right, wrong_high, len(results)


def main() -> None:
    raw = lambda message: message  # noqa: E731
    unread = [mock.patch("incident_responder.evidence.logs.plain", raw),
              mock.patch("incident_responder.sources.lambda.changes.plain", raw)]
    whole = [mock.patch("incident_responder.evidence.compaction._unjoined", lambda message: None)]
    for name, style, baseline in (("structured_logs", restyle_world, unread), ("coloured_logs", colour_world, unread),
                                  ("cri_prefixed_logs", cri_world, unread), ("agent_joined_logs", joined_world, whole)):
        with tempfile.TemporaryDirectory(prefix=f"{name}-") as tmp:
            paths = restyled(Path(tmp), style)
            right, wrong_high, n = score(replay(paths))
            with contextlib.ExitStack() as stack:
                for patch in baseline:
                    stack.enter_context(patch)
                base_right, base_wrong_high, _ = score(replay(paths))
        emit(f"{name}_category_accuracy", round(right / n, 3), "ratio", round(base_right / n, 3), None,
             scenarios=n, right=right, baseline_right=base_right)
        emit(f"{name}_wrong_high", wrong_high, "count", base_wrong_high, 0, scenarios=n)


if __name__ == "__main__":
    main()
