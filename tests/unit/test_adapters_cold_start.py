"""Each source's adapter loads on its own, first, in a fresh interpreter: a cold start only imports the service
whose event arrived, so an import cycle between two sources' modules (EMR on EKS and EMR Serverless share their
Spark helpers) must not depend on which of them came first."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from incident_responder.sources import ADAPTER_MODULES

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"


@pytest.mark.parametrize("name", sorted(ADAPTER_MODULES))
def test_an_adapter_loads_first_in_a_fresh_process(name: str) -> None:
    code = ("from incident_responder.sources import adapter; "
            f"a = adapter({name!r}); print(type(a).__name__)")
    env = {**os.environ, "PYTHONPATH": str(FUNCTIONS), "AWS_DEFAULT_REGION": "us-east-1"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().endswith("Adapter")
