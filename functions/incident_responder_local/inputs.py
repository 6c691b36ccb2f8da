"""Files a person hands the ``incident-responder`` command, read with errors they can act on.

Every reader here raises :class:`UsageError` with one line naming the file (and the line and column
of a syntax error); the command prints it on stderr and exits non-zero, never with a traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

from incident_responder.formats import load_yaml

__all__ = ["UsageError", "read_env_vars", "read_json", "read_text", "read_yaml", "scenario_problem"]


class UsageError(Exception):
    """A bad input of the command line: the message is what the person reads."""


def read_text(path: str | Path, what: str = "file") -> str:
    """The text of ``path``; ``-`` reads standard input."""
    if str(path) == "-":
        return sys.stdin.read()
    p = Path(path)
    if not p.exists():
        raise UsageError(f"{what} {p} does not exist")
    if p.is_dir():
        raise UsageError(f"{what} {p} is a folder, not a file")
    try:
        return p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{what} {p} is not UTF-8 text: {exc.reason} at byte {exc.start}") from exc
    except OSError as exc:
        raise UsageError(f"cannot read {what} {p}: {exc.strerror or exc}") from exc


def _name(path: str | Path) -> str:
    return "<stdin>" if str(path) == "-" else str(path)


def read_json(path: str | Path, what: str = "file") -> Any:
    """JSON from ``path`` (``-``: standard input); a syntax error names the file, line and column."""
    text = read_text(path, what)
    if not text.strip():
        raise UsageError(f"{what} {_name(path)} is empty: expected JSON")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{_name(path)}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from exc


def read_yaml(path: str | Path, what: str = "file") -> Any:
    """YAML from ``path``; a syntax error names the file, line and column."""
    text = read_text(path, what)
    try:
        return load_yaml(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{mark.line + 1}:{mark.column + 1}:" if mark is not None else ""
        problem = exc.problem or exc.context or "syntax error"
        raise UsageError(f"{_name(path)}:{where} not valid YAML: {problem}") from exc
    except yaml.YAMLError as exc:
        raise UsageError(f"{_name(path)}: not valid YAML: {exc}") from exc


def read_env_vars(path: str | Path, function: str) -> dict[str, str]:
    """The overrides a ``sam local invoke --env-vars`` file gives ``function``, merged as SAM merges them:
    the ``Parameters`` section applies to every function, then the function's own section wins."""
    raw = read_json(path, "env file")
    if not isinstance(raw, dict):
        raise UsageError(f"env file {path}: expected a JSON object of sections (Parameters, <LogicalId>), "
                         f"got {type(raw).__name__}")
    merged: dict[str, str] = {}
    for section in ("Parameters", function):
        values = raw.get(section)
        if values is None:
            continue
        if not isinstance(values, dict):
            raise UsageError(f"env file {path}: section {section} must be an object of NAME: value")
        for key, value in values.items():
            if isinstance(value, (dict, list)):
                raise UsageError(f"env file {path}: {section}.{key} must be a string, number or boolean")
            merged[str(key)] = _env_text(value)
    return merged


def _env_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def scenario_problem(path: Path) -> str | None:
    """Why the scenario folder ``path`` cannot be replayed (a missing or unreadable file), or None."""
    try:
        read_json(path / "event.json", "event file")
        for name in ("world.yaml", "expect.yaml", "thread.yaml"):
            if (path / name).exists():
                read_yaml(path / name, name)
    except UsageError as exc:
        return str(exc)
    return None
