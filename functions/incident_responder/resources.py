"""Where the bundled ``rules/`` and ``prompts/`` live, in the repo and in the Lambda artifact."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from .config import env

__all__ = ["prompts_dir", "rules_dir"]

_PKG = Path(__file__).resolve().parent


@cache
def _find(name: str) -> Path:
    # Lambda artifact: <root>/incident_responder + <root>/<name>; repo: <root>/functions/incident_responder.
    for base in (_PKG.parent, _PKG.parent.parent):
        candidate = base / name
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"bundled {name}/ directory not found next to {_PKG}")


def rules_dir() -> Path:
    """The rules directory: RULES_DIR, or the bundled one."""
    override = env("RULES_DIR")
    return Path(override) if override else _find("rules")


def prompts_dir() -> Path:
    """The prompts directory: PROMPTS_DIR, or the bundled one."""
    override = env("PROMPTS_DIR")
    return Path(override) if override else _find("prompts")
