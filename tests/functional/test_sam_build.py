"""`sam build` of template.yaml: what ships in each function's artifact.

Slow (a real build: pip downloads arm64 wheels for python3.13 from PyPI, about a minute on a cold
pip cache), so it lives in its own module; CI runs it by path:
`pytest tests/functional/test_sam_build.py`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
FUNCTIONS = ["AnalyzeFunction", "SlackIngressFunction", "FollowupWorkerFunction", "RedriveFunction",
             "FailsafeFunction"]
# Never in an artifact: test and dev tools, and boto3 (the Lambda runtime provides it).
FORBIDDEN = {"tests", "moto", "pytest", "_pytest", "boto3", "botocore", "samcli", "cfnlint", "ruff", "mypy",
             "incident_responder_local"}  # the local world (moto patches, Slack emulator) is a dev package
LAMBDA_UNZIPPED_LIMIT = 250 * 1024 * 1024


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _files(path: Path) -> set[str]:
    return {str(f.relative_to(path)) for f in path.rglob("*") if f.is_file() and "__pycache__" not in f.parts}


@pytest.fixture(scope="module")
def build_dir(sam_build_dir: Path) -> Path:
    return sam_build_dir  # tests/functional/conftest.py: one build per session, shared with test_rie.py


def test_every_function_is_built(build_dir: Path) -> None:
    built = yaml.load((build_dir / "template.yaml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    for function_id in FUNCTIONS:
        assert (build_dir / function_id / "incident_responder" / "handlers").is_dir(), function_id
        assert built["Resources"][function_id]["Properties"]["CodeUri"] == function_id


@pytest.mark.parametrize("function_id", FUNCTIONS)
def test_artifact_ships_package_rules_and_prompts(build_dir: Path, function_id: str) -> None:
    artifact = build_dir / function_id
    # The runtime looks for rules/ and prompts/ next to the package first (artifact root).
    for name in ("incident_responder", "rules", "prompts"):
        assert (artifact / name).is_dir(), f"{function_id}: no {name}/ at the artifact root"
    assert _files(artifact / "rules") == _files(ROOT / "rules")
    assert _files(artifact / "prompts") == _files(ROOT / "prompts")
    package = ROOT / "functions" / "incident_responder"
    assert _files(artifact / "incident_responder") == _files(package)
    assert not list((artifact / "incident_responder").rglob("__pycache__"))


@pytest.mark.parametrize("function_id", FUNCTIONS)
def test_artifact_has_runtime_dependencies_only(build_dir: Path, function_id: str) -> None:
    artifact = build_dir / function_id
    top = {p.name for p in artifact.iterdir()}
    for module in ("aws_lambda_powertools", "jinja2", "slack_sdk", "yaml"):
        assert module in top, f"{function_id}: {module} not installed"
    shipped = top | {p.name.split("-")[0].lower() for p in artifact.glob("*.dist-info")}
    assert not shipped & FORBIDDEN, f"{function_id} ships {sorted(shipped & FORBIDDEN)}"
    assert _size(artifact) < LAMBDA_UNZIPPED_LIMIT


def test_native_extensions_are_for_lambda_arm64_python313(build_dir: Path) -> None:
    extensions = list((build_dir / "AnalyzeFunction").rglob("*.so"))
    assert extensions, "pyyaml and markupsafe bring compiled speedups"
    for so in extensions:
        assert "x86_64" not in so.name, so.name
        assert "aarch64" in so.name or "abi3" in so.name, so.name
        assert "cpython-313" in so.name or "abi3" in so.name, so.name
