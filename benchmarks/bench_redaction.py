"""Redaction benchmark: how many secret shapes are caught, how much ordinary text is damaged, at what cost.

Run: ``.venv/bin/python benchmarks/bench_redaction.py`` (under a minute on 2 cores).
Prints one JSON line per figure: ``{"name", "value", "unit", "baseline", "target"}``.

- shapes caught / tried over the corpus tests/fixtures/secrets/shapes.yaml (one per line, and all of
  them side by side on one line, where a rule that swallows its neighbour would show);
- negatives over-redacted (tests/fixtures/secrets/negatives.yaml) and Loghub lines changed;
- throughput on a large Loghub log (the four tests/fixtures/loghub logs repeated to about 8 MB), as a
  ratio against a plain ``re`` scan of the same text for secret words: the whole text in one call, and
  line by line as compaction calls it;
- linearity on adversarial inputs: the time for 2n characters over the time for n (2.0 is linear).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from incident_responder.evidence.redaction import redact

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "fixtures" / "secrets"
LOGHUB = ROOT / "tests" / "fixtures" / "loghub"
PLAIN = re.compile(r"password|secret|token|AKIA|Bearer|://")
TARGET_BYTES = 8_000_000


def emit(name: str, value: object, unit: str, baseline: object, target: str) -> None:
    print(json.dumps({"name": name, "value": value, "unit": unit, "baseline": baseline, "target": target}),
          flush=True)


def best_of(fn: Callable[[], object], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def corpus() -> None:
    shapes = yaml.safe_load((CORPUS / "shapes.yaml").read_text(encoding="utf-8"))
    negatives = yaml.safe_load((CORPUS / "negatives.yaml").read_text(encoding="utf-8"))
    caught = sum(1 for s in shapes if s["secret"] not in redact(s["text"]))
    emit("shapes_caught", caught, f"of {len(shapes)} shapes", None, f"{len(shapes)}")
    joined = redact(" | ".join(s["text"] for s in shapes))
    together = sum(1 for s in shapes if s["secret"] not in joined)
    emit("shapes_caught_side_by_side", together, f"of {len(shapes)} shapes", None, f"{len(shapes)}")
    over = sum(1 for n in negatives if redact(n["text"]) != n["text"])
    emit("negatives_over_redacted", over, f"of {len(negatives)} negatives", None, "0")
    lines = [line for p in sorted(LOGHUB.glob("*.log")) for line in p.read_text(encoding="utf-8").splitlines()]
    changed = sum(1 for line in lines if redact(line) != line)
    emit("loghub_lines_changed", changed, f"of {len(lines)} lines", None, "0")


def throughput() -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(LOGHUB.glob("*.log")))
    text = text * max(1, TARGET_BYTES // len(text))
    lines = text.splitlines()
    mb = len(text) / 1e6
    plain = best_of(lambda: PLAIN.findall(text))
    whole = best_of(lambda: redact(text))
    emit("redact_whole_text_vs_plain_re_scan", round(whole / plain, 2), "x the time of one re scan",
         f"plain re scan {mb / plain:.0f} MB/s", "< 20x")
    emit("redact_whole_text_throughput", round(mb / whole, 1), "MB/s", None, "> 5 MB/s")
    plain_lines = best_of(lambda: [PLAIN.search(line) for line in lines])
    per_line = best_of(lambda: [redact(line) for line in lines])
    emit("redact_per_line_vs_plain_re_search", round(per_line / plain_lines, 2), "x the time of re.search per line",
         f"{len(lines)} lines, {mb:.1f} MB", "< 20x")
    emit("redact_per_line_throughput", round(len(lines) / per_line), "lines/s", None, "> 100000 lines/s")


ADVERSARIAL: dict[str, Callable[[int], str]] = {
    "key_characters": lambda n: "a" * n,
    "secret_word_repeated": lambda n: "password" * (n // 8),
    "url_userinfo_colons_and_ats": lambda n: "x://" + "u:" * (n // 4) + "@" * (n // 4),
    "unterminated_private_key": lambda n: "-----BEGIN RSA PRIVATE KEY-----" + "A" * n,
    "key_without_separator": lambda n: "token_" * (n // 6) + "=1",
    "authorization_header": lambda n: "Authorization: " + "x" * n,
    "cookie_pairs": lambda n: "Cookie: " + "a=b;" * (n // 4),
    "mysql_flags": lambda n: "mysql " + " -" * (n // 2),
    "json_pairs": lambda n: '{"password": "' + "x" * n,
}


def linearity() -> None:
    n = 200_000
    worst = 0.0
    for name, make in ADVERSARIAL.items():
        small, large = make(n), make(2 * n)
        ratio = best_of(lambda t=large: redact(t)) / max(best_of(lambda t=small: redact(t)), 1e-9)
        worst = max(worst, ratio)
        emit(f"adversarial_{name}_2n_over_n", round(ratio, 2), "time ratio", 2.0, "<= 3 (linear)")
    emit("adversarial_worst_2n_over_n", round(worst, 2), "time ratio", 2.0, "<= 3 (linear)")


if __name__ == "__main__":
    corpus()
    throughput()
    linearity()
