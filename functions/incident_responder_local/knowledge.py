"""The term model of known failures' wording, built from the labelled corpus (``incident-responder knowledge``).

The corpus is ``tests/fixtures/error_catalog/``: real, public error messages with their source and cause
category. The model learns from the tuning files (:data:`TUNING`, in the order they were collected) and
never from the held-out batch (``heldout.jsonl``), which measures it (``benchmarks/bench_diagnosis.py``)
and must stay unseen. The result is
``rules/knowledge/terms.json``, shipped with the rules; the tests check it is the build of the corpus as
it is, so it cannot go stale.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from incident_responder.diagnosis.terms import build_counts

__all__ = ["HELD_OUT", "TUNING", "corpus_dir", "model_path", "read_rows", "render", "tuning_files", "tuning_rows"]

HELD_OUT = "heldout.jsonl"
# The files the rules and the model learn from, in the order they were collected: the first catalog, the
# earlier held-out batches (each after it was scored once), AWS's documented error codes and reasons.
TUNING = ("catalog.jsonl", "heldout_r1.jsonl", "heldout_r2.jsonl", "heldout_r3.jsonl", "heldout_r4.jsonl",
          "heldout_r5.jsonl", "heldout_r6.jsonl", "heldout_r7.jsonl", "heldout_r8.jsonl", "documented.jsonl",
          "heldout_r10.jsonl", "heldout_r11.jsonl", "heldout_r12.jsonl")


def _root() -> Path:
    return Path(__file__).resolve().parents[2]


def corpus_dir() -> Path:
    return _root() / "tests" / "fixtures" / "error_catalog"


def model_path() -> Path:
    return _root() / "rules" / "knowledge" / "terms.json"


def tuning_files(corpus: Path | None = None) -> list[Path]:
    """The corpus files the model (and the rules) may learn from, in :data:`TUNING` order."""
    corpus = corpus or corpus_dir()
    return [corpus / name for name in TUNING]


def read_rows(path: Path) -> list[dict[str, Any]]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path.name}:{n}: not JSON ({exc.msg})") from exc
        if not isinstance(row, dict) or not {"message", "category"} <= row.keys():
            raise ValueError(f"{path.name}:{n}: needs message and category")
        rows.append(row)
    return rows


def tuning_rows(corpus: Path | None = None) -> list[dict[str, Any]]:
    return [row for path in tuning_files(corpus) for row in read_rows(path)]


def render(rows: list[dict[str, Any]]) -> str:
    """The model file's text: stable (sorted keys, one word per line) so a change reads as a diff."""
    data = build_counts(rows)
    counts = data.pop("counts")
    head = json.dumps(data, sort_keys=True)[:-1]
    body = ",\n".join(f"  {json.dumps(word)}: {json.dumps(c, sort_keys=True)}" for word, c in counts.items())
    return f'{head}, "counts": {{\n{body}\n}}}}\n'
