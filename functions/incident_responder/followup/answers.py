"""Answers to follow-up questions without an LLM: the incident's evidence plus fresh, read-only AWS calls.

Each answer is a function of an :class:`Asked` that returns the reply text (Slack mrkdwn, rendered
from ``prompts/followup_*.j2``), or None when it already posted (the redrive flow). An AWS read
that fails is said in the reply; it does not raise.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import TYPE_CHECKING, Any

from ..evidence.redaction import redact_obj
from ..templates import render
from .live import fmt_time, run_state
from .logs import LogAnswer, log_windows, more_logs, search_logs

if TYPE_CHECKING:
    from .context import ThreadContext
    from .intents import Intent

__all__ = ["ANSWERS", "SIMILAR_DAYS", "Asked", "answer", "answer_action", "redrive_flow"]

SIMILAR_DAYS = 30
_SIMILAR_SHOWN = 5
_INPUT_CHARS = 2500
_REDRIVE_MODULE = "incident_responder.redrive.flow"


@dataclass
class Asked:
    """A question in a thread: the context, the incident item, its report, the intent, who asked,
    and the thread's messages (parent first)."""

    ctx: ThreadContext
    incident: dict[str, Any]
    intent: Intent
    user: str
    thread: list[dict[str, Any]] = field(default_factory=list)
    report: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.report:
            try:
                self.report = json.loads(self.incident.get("report") or "{}")
            except (TypeError, ValueError):
                self.report = {}

    @property
    def resource(self) -> dict[str, Any]:
        return self.report.get("resource") or {}


def _status(q: Asked) -> str:
    state = run_state(q.ctx.aws, q.report)
    return render(
        "followup_status.j2",
        resource_name=q.resource.get("name", "?"),
        run_id=q.resource.get("run_id") or "",
        lines=state.lines,
        error=state.error,
        reported_status=q.report.get("status") or "",
        category=_category(q.report),
    )


def _category(report: dict[str, Any]) -> str:
    return str((report.get("probable_cause") or {}).get("category") or "unknown")


def _render_logs(found: LogAnswer) -> str:
    lines = [
        {"time": (c.first or "")[11:23], "text": c.text, "count": c.count, "last": (c.last or "")[11:23]}
        for c in found.lines
    ]
    return render("followup_logs.j2", title=found.title, lines=lines, notes=found.notes)


def _logs(q: Asked) -> str:
    windows = log_windows(q.incident)
    if not windows:
        return render(
            "followup_logs.j2",
            title="No log window was recorded for this incident",
            lines=[],
            notes=["The analysis read no logs for it (the failed work has no log group I know of)."],
        )
    logs = q.ctx.aws.client("logs")
    if q.intent.pattern or q.intent.window_seconds:
        return _render_logs(search_logs(logs, windows, q.intent, q.ctx.settings))
    page = int(q.incident.get("followup_logs_page") or 0) + 1
    found = more_logs(logs, windows, page, q.ctx.settings)
    if found.page:
        q.ctx.store.update(str(q.incident["incident_id"]), followup_logs_page=found.page)
    return _render_logs(found)


def _input(q: Asked) -> str:
    state = run_state(q.ctx.aws, q.report, latest=False)
    data, origin = state.input, "fresh from AWS"
    if data is None:
        recorded = _recorded_redrive(q.incident)
        data, origin = recorded.get("input"), "as recorded at report time"
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError:
                pass
    text = ""
    if data not in (None, "", {}, []):
        text = json.dumps(redact_obj(data), indent=2, sort_keys=True, default=str)
        if len(text) > _INPUT_CHARS:
            text = text[:_INPUT_CHARS] + f"\n… ({len(text) - _INPUT_CHARS} more characters)"
    return render(
        "followup_input.j2",
        resource_name=q.resource.get("name", "?"),
        run_id=q.resource.get("run_id") or "",
        origin=origin,
        text=text,
        error=state.error,
        missing="No input was recorded." if state.error else "The run has no input.",
    )


def _recorded_redrive(incident: dict[str, Any]) -> dict[str, Any]:
    try:
        value = json.loads(incident.get("redrive") or "{}")
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _similar(q: Asked) -> str:
    since = datetime.now(UTC) - timedelta(days=SIMILAR_DAYS)
    fingerprint = q.incident.get("fingerprint") or q.report.get("fingerprint")
    found = q.ctx.store.recent(str(fingerprint), since, limit=25) if fingerprint else []
    others = [i for i in found if i.get("incident_id") != q.incident.get("incident_id") and i.get("report")]
    items = []
    for item in others[:_SIMILAR_SHOWN]:
        try:
            report = json.loads(item["report"])
        except (TypeError, ValueError):
            continue
        items.append(
            {
                "when": fmt_time(item.get("created_at")) or "?",
                "run_id": (report.get("resource") or {}).get("run_id") or "?",
                "category": _category(report),
                "outcome": _outcome(q, item, report),
            }
        )
    return render(
        "followup_similar.j2",
        items=items,
        more=max(0, len(others) - len(items)),
        days=SIMILAR_DAYS,
        resource_name=q.resource.get("name", "?"),
    )


def _outcome(q: Asked, item: dict[str, Any], report: dict[str, Any]) -> str:
    """How an earlier incident ended: what was recorded on it, else what AWS says about its run now."""
    if item.get("resolution"):
        return str(item["resolution"])
    state = run_state(q.ctx.aws, report, latest=False)
    if state.status and state.supported:
        redriven = " after a redrive" if any(line.startswith("Redriven") for line in state.lines) else ""
        return f"its run is now {state.status}{redriven}"
    return "reported" + (" (grouped under an earlier report)" if item.get("grouped") else "")


def _owner(q: Asked) -> str:
    return render(
        "followup_owner.j2", pipeline=q.report.get("pipeline"), resource_name=q.resource.get("name", "?")
    )


def _evidence(q: Asked) -> str:
    return render(
        "followup_evidence.j2", evidence=q.report.get("evidence") or [], gaps=q.report.get("gaps") or []
    )


def _help(q: Asked) -> str:
    return render("followup_help.j2", question="" if q.intent.name == "help" else q.intent.text)


def redrive_flow() -> ModuleType | None:
    """The redrive flow module, or None while this deployment has none."""
    try:
        return importlib.import_module(_REDRIVE_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name in {_REDRIVE_MODULE, _REDRIVE_MODULE.rpartition(".")[0]}:
            return None
        raise


def _redrive_unavailable(q: Asked) -> str:
    console = next(
        (link.get("url") for link in q.report.get("links") or [] if "console" in str(link.get("label"))), None
    )
    return render("followup_redrive_unavailable.j2", console_url=console)


def _redrive(q: Asked) -> str | None:
    flow = redrive_flow()
    if flow is None:
        return _redrive_unavailable(q)
    return flow.handle_request(q.ctx, q.incident, q.user)  # type: ignore[no-any-return]


ANSWERS: dict[str, Callable[[Asked], str | None]] = {
    "status": _status,
    "logs": _logs,
    "input": _input,
    "similar": _similar,
    "owner": _owner,
    "evidence": _evidence,
    "help": _help,
    "redrive": _redrive,
    "unknown": _help,
}


def answer(q: Asked) -> str | None:
    """The reply to a question (None when the answer posted itself)."""
    return ANSWERS.get(q.intent.name, _help)(q)


def answer_action(q: Asked, action_id: str, value: str) -> str | None:
    """A click on a redrive button: the request goes to the redrive flow, approvals and cancels too."""
    flow = redrive_flow()
    if flow is None:
        return _redrive_unavailable(q)
    if action_id == "redrive_request":
        return flow.handle_request(q.ctx, q.incident, q.user)  # type: ignore[no-any-return]
    return flow.handle_action(q.ctx, q.incident, action_id, value, q.user)  # type: ignore[no-any-return]
