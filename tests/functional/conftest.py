"""Fixtures of the functional tests: one `sam build` of template.yaml per test session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _sam() -> str | None:
    beside = Path(sys.executable).with_name("sam")
    return str(beside) if beside.exists() else shutil.which("sam")


@pytest.fixture(scope="session")
def sam_build_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output of a real `sam build` (pip downloads arm64 wheels for python3.13: slow)."""
    sam = _sam()
    if sam is None:
        pytest.skip("the sam CLI is not installed (pip install aws-sam-cli)")
    out = tmp_path_factory.mktemp("sam") / "build"
    env = {**os.environ, "SAM_CLI_TELEMETRY": "0", "AWS_DEFAULT_REGION": "eu-west-1"}
    proc = subprocess.run(
        [sam, "build", "--template-file", str(ROOT / "template.yaml"), "--base-dir", str(ROOT),
         "--build-dir", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False,
    )
    assert proc.returncode == 0, f"sam build failed:\n{proc.stdout[-5000:]}\n{proc.stderr[-5000:]}"
    return out
