from __future__ import annotations

from pathlib import Path

from incident_responder.config import ENV

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_every_environment_variable_is_documented() -> None:
    missing = [name for name in ENV if f"`{name}`" not in README]
    assert not missing, f"README's configuration table lacks {missing}"


def test_quickstart_commands_are_documented() -> None:
    assert "make demo" in README and "make test" in README
