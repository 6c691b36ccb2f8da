"""The lock files: what `make demo`, `make test` and `sam build` install, pinned with hashes."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_PIN = re.compile(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==([^\s;\\]+)", re.MULTILINE)


def pins(path: Path) -> dict[str, str]:
    text = path.read_text(encoding="utf-8")
    return {m.group(1).lower().replace("_", "-"): m.group(2) for m in _PIN.finditer(text)}


def requirement_names(requirements: list[str]) -> set[str]:
    return {re.split(r"[\[<>=!~; ]", r, maxsplit=1)[0].lower().replace("_", "-") for r in requirements}


@pytest.mark.parametrize("lock", ["requirements/demo.lock", "requirements/dev.lock", "functions/requirements.lock",
                                  "functions/requirements-nodeps.lock"])
def test_every_pin_has_a_hash(lock: str) -> None:
    text = (ROOT / lock).read_text(encoding="utf-8")
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text.strip())
    for block in blocks:
        if block.startswith("#"):
            continue
        assert "==" in block.splitlines()[0], block.splitlines()[0]
        assert "--hash=sha256:" in block, block.splitlines()[0]


def test_demo_installs_no_development_tools() -> None:
    demo = pins(ROOT / "requirements" / "demo.lock")
    assert {"moto", "boto3", "aws-lambda-powertools", "jinja2", "slack-sdk", "pyyaml"} <= set(demo)
    # anthropic is in it: the demo's agent report runs the real SDK against scripted Bedrock responses.
    assert not {"aws-sam-cli", "cfn-lint", "mypy", "ruff", "pytest", "awslambdaric"} & set(demo)
    assert "anthropic" in demo


def test_locks_cover_what_pyproject_asks() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    own = project["name"]
    demo = pins(ROOT / "requirements" / "demo.lock")
    dev = pins(ROOT / "requirements" / "dev.lock")
    assert requirement_names(project["dependencies"] + extras["local"]) - {own} <= set(demo)
    wanted = requirement_names(project["dependencies"] + [r for name in ("llm", "local", "server", "dev")
                                                          for r in extras[name]]) - {own}
    assert wanted <= set(dev)


def test_function_artifact_lock_follows_its_requirements() -> None:
    shipped = pins(ROOT / "functions" / "requirements.lock")
    listed = [line for line in (ROOT / "functions" / "requirements.txt").read_text(encoding="utf-8").splitlines()
              if line.strip() and not line.startswith("#")]
    assert requirement_names(listed) <= set(shipped)
    # Never in an artifact: the Lambda runtime provides boto3; moto and the tools are for development.
    assert not {"boto3", "botocore", "moto", "pytest"} & set(shipped)
    nodeps = pins(ROOT / "functions" / "requirements-nodeps.lock")
    assert set(nodeps) == {"aws-xray-sdk", "wrapt"}
    makefile = (ROOT / "functions" / "Makefile").read_text(encoding="utf-8")
    assert "--require-hashes -r \"$(SRC)/requirements.lock\"" in makefile
