"""Shared by the benchmarks: one JSON line per figure."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def emit(name: str, value: float, unit: str, baseline: Any, target: Any, **extra: Any) -> None:
    """Print one figure as ``{"name", "value", "unit", "baseline", "target"}`` (plus extras)."""
    print(json.dumps({"name": name, "value": value, "unit": unit, "baseline": baseline, "target": target,
                      **extra}), flush=True)
    sys.stdout.flush()
