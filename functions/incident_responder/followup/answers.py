"""Answers to follow-up questions: the incident's evidence plus fresh, read-only AWS calls.

The keyword commands (``status``, ``logs``, ``input``, ``similar``, ``owner``, ``evidence``, ``redrive``,
``help``) are answered without an LLM. Free text (intent ``unknown``) goes to Claude on Bedrock whenever
``LLM_ENABLED`` is true, whatever ``DIAGNOSIS_MODE`` says (that setting is about who writes the report):
:func:`_agent` runs the bounded, read-only loop of :mod:`incident_responder.diagnosis.agent`, posts its
answer with the figures footer and, when the person asked for a redrive, the usual preview with
Approve/Cancel (nothing runs without an approver). When the agent cannot answer, the keyword help is
posted with one line saying why.

Each answer is a function of an :class:`Asked` (the incident's typed :class:`~..model.Report`) that
returns a :class:`Reply`: the data of the answer and the template (``prompts/followup_*.j2``) that turns
it into Slack mrkdwn; or None when it already posted (the redrive flow). An AWS read that fails is said
in the reply; it does not raise.

The failed work is read where it is: in its own region, and for a member account's incident through that
account's read role (``ThreadContext.reads``); an account whose role cannot be assumed gets an answer that
says what could not be read. The responder's own tables are read with the worker's context.
"""

from __future__ import annotations

import importlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import TYPE_CHECKING, Any

from ..evidence.redaction import redact_obj
from ..formats import fmt_time, json_or_text
from ..model import Report
from ..templates import render
from .live import RunState, run_state
from .logs import LogAnswer, log_windows, more_logs, search_logs

if TYPE_CHECKING:
    from ..aws import AccountAccess
    from .context import ThreadContext
    from .intents import Intent

__all__ = ["ANSWERS", "SIMILAR_DAYS", "Asked", "Reply", "answer", "answer_action", "redrive_flow"]

logger = logging.getLogger(__name__)

SIMILAR_DAYS = 30
_SIMILAR_SHOWN = 5
_INPUT_CHARS = 2500
_REDRIVE_MODULE = "incident_responder.redrive.flow"


@dataclass(frozen=True)
class Reply:
    """An answer as data; :meth:`text` renders it (Slack mrkdwn, values escaped by the template)."""

    template: str
    values: dict[str, Any] = field(default_factory=dict)

    def text(self) -> str:
        return render(self.template, **self.values)


def _load_report(raw: Any) -> Report:
    try:
        data = json.loads(raw or "{}")
    except (TypeError, ValueError):
        data = {}
    return Report.from_dict(data if isinstance(data, dict) else {})


@dataclass
class Asked:
    """A question in a thread: the context, the incident item, its report, the intent, who asked,
    and the thread's messages (parent first)."""

    ctx: ThreadContext
    incident: dict[str, Any]
    intent: Intent
    user: str
    thread: list[dict[str, Any]] = field(default_factory=list)
    report: Report = field(default_factory=lambda: Report.from_dict({}))
    remaining_seconds: Callable[[], float] | None = None  # the invocation's time left (Lambda's clock)

    def __post_init__(self) -> None:
        if not self.report.incident_id and self.incident.get("report"):
            self.report = _load_report(self.incident.get("report"))

    @property
    def reads(self) -> AccountAccess:
        """Where the incident's resource is read (its account and region)."""
        return self.ctx.reads(self.report.resource.arn or str(self.incident.get("resource_arn") or ""))


def _live(access: AccountAccess, report: Report, *, latest: bool = True) -> RunState:
    """The run now, as its own account sees it; nothing is asked of an account whose role was refused."""
    if access.error:
        return RunState(error=access.error)
    return run_state(access.aws, report, latest=latest)


def _status(q: Asked) -> Reply:
    state = _live(q.reads, q.report)
    return Reply("followup_status.j2", {
        "resource_name": q.report.resource.name,
        "run_id": q.report.resource.run_id or "",
        "lines": state.lines,
        "error": state.error,
        "reported_status": q.report.status,
        "category": q.report.probable_cause.category.value,
    })


def _log_reply(found: LogAnswer) -> Reply:
    lines = [
        {"time": (c.first or "")[11:23], "text": c.text, "count": c.count, "last": (c.last or "")[11:23]}
        for c in found.lines
    ]
    return Reply("followup_logs.j2", {"title": found.title, "lines": lines, "notes": found.notes})


def _logs(q: Asked) -> Reply:
    windows = log_windows(q.incident)
    if not windows:
        return Reply("followup_logs.j2", {
            "title": "No log window was recorded for this incident",
            "lines": [],
            "notes": ["The analysis read no logs for it (the failed work has no log group I know of)."],
        })
    access = q.reads
    if access.error:
        return Reply("followup_logs.j2", {"title": "The logs could not be read", "lines": [],
                                          "notes": [f"Could not read {', '.join(w.group for w in windows)}: "
                                                    f"{access.error}"]})
    logs = access.aws.client("logs")
    if q.intent.pattern or q.intent.window_seconds:
        return _log_reply(search_logs(logs, windows, q.intent, q.ctx.settings))
    page = int(q.incident.get("followup_logs_page") or 0) + 1
    found = more_logs(logs, windows, page, q.ctx.settings)
    if found.page:
        q.ctx.store.update(str(q.incident["incident_id"]), followup_logs_page=found.page)
    return _log_reply(found)


def _input(q: Asked) -> Reply:
    state = _live(q.reads, q.report, latest=False)
    data, origin = state.input, "fresh from AWS"
    if data is None:
        recorded = _recorded_redrive(q.incident)
        data, origin = recorded.get("input"), "as recorded at report time"
        data = json_or_text(data)
    text = ""
    if data not in (None, "", {}, []):
        text = json.dumps(redact_obj(data), indent=2, sort_keys=True, default=str)
        if len(text) > _INPUT_CHARS:
            text = text[:_INPUT_CHARS] + f"\n… ({len(text) - _INPUT_CHARS} more characters)"
    return Reply("followup_input.j2", {
        "resource_name": q.report.resource.name,
        "run_id": q.report.resource.run_id or "",
        "origin": origin,
        "text": text,
        "error": state.error,
        "missing": "No input was recorded." if state.error else "The run has no input.",
    })


def _recorded_redrive(incident: dict[str, Any]) -> dict[str, Any]:
    try:
        value = json.loads(incident.get("redrive") or "{}")
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _similar(q: Asked) -> Reply:
    since = datetime.now(UTC) - timedelta(days=SIMILAR_DAYS)
    fingerprint = q.incident.get("fingerprint") or q.report.fingerprint
    found = q.ctx.store.recent(str(fingerprint), since, limit=25) if fingerprint else []
    others = [i for i in found if i.get("incident_id") != q.incident.get("incident_id") and i.get("report")]
    items = []
    for item in others[:_SIMILAR_SHOWN]:
        report = _load_report(item["report"])
        if not report.incident_id:
            continue
        items.append(
            {
                "when": fmt_time(item.get("created_at")) or "?",
                "run_id": report.resource.run_id or "?",
                "category": report.probable_cause.category.value,
                "outcome": _outcome(q, item, report),
            }
        )
    return Reply("followup_similar.j2", {
        "items": items,
        "more": max(0, len(others) - len(items)),
        "days": SIMILAR_DAYS,
        "resource_name": q.report.resource.name,
    })


def _outcome(q: Asked, item: dict[str, Any], report: Report) -> str:
    """How an earlier incident ended: what was recorded on it, else what AWS says about its run now."""
    if item.get("resolution"):
        return str(item["resolution"])
    state = _live(q.ctx.reads(report.resource.arn or str(item.get("resource_arn") or "")), report, latest=False)
    if state.status and state.supported:
        redriven = " after a redrive" if any(line.startswith("Redriven") for line in state.lines) else ""
        return f"its run is now {state.status}{redriven}"
    return "reported" + (" (grouped under an earlier report)" if item.get("grouped") else "")


def _owner(q: Asked) -> Reply:
    pipeline = q.report.pipeline.to_dict() if q.report.pipeline else None
    return Reply("followup_owner.j2", {"pipeline": pipeline, "resource_name": q.report.resource.name})


def _evidence(q: Asked) -> Reply:
    return Reply("followup_evidence.j2", {"evidence": [e.to_dict() for e in q.report.evidence],
                                          "gaps": q.report.gaps})


def _changes(q: Asked) -> Reply:
    """What changed since the last good run, as the report recorded it (no AWS call)."""
    changes = [e.to_dict() for e in q.report.evidence if e.kind == "change"]
    missing = [g for g in q.report.gaps if g.startswith("what changed")]
    return Reply("followup_changes.j2", {"changes": changes, "missing": missing,
                                         "resource_name": q.report.resource.name})


def _help(q: Asked, note: str | None = None) -> Reply:
    return Reply("followup_help.j2", {"question": "" if q.intent.name == "help" else q.intent.text, "note": note})


_AGENT_ANSWER_CHARS = 3000


def _region(arn: str) -> str | None:
    parts = arn.split(":")
    return parts[3] if len(parts) > 4 and parts[3] else None


def _agent_tools(q: Asked, redrive_available: bool) -> Any:
    from ..diagnosis.incident_tools import incident_tools
    from .logs import log_windows

    # The tools read in the resource's account and region; with a refused role each read says so.
    return incident_tools(
        q.reads.aws, evidence=list(q.report.evidence), source=q.report.source,
        resource={"arn": q.report.resource.arn, "name": q.report.resource.name, "run_id": q.report.resource.run_id},
        log_groups=[w.group for w in log_windows(q.incident)], window_end=q.report.event_time,
        pipeline=q.report.pipeline, fingerprint=str(q.incident.get("fingerprint") or q.report.fingerprint),
        incident_id=str(q.incident.get("incident_id") or ""), store=q.ctx.store,
        redrive_available=redrive_available)


def _agent(q: Asked) -> Reply | None:
    """Free text, answered by Claude on Bedrock; the keyword help (with why) when it cannot answer."""
    from ..diagnosis.agent import answer_question
    from ..diagnosis.cost import DynamoCostStore

    flow = redrive_flow()
    cfg = q.ctx.settings
    try:
        tools = _agent_tools(q, redrive_available="redrive" in q.report.actions and flow is not None)
        thread = [{"user": str(m.get("user") or m.get("bot_id") or "?"), "text": str(m.get("text") or "")}
                  for m in q.thread if m.get("ts") != q.ctx.message_ts]
        incident = {"source": q.report.source, "resource_name": q.report.resource.name,
                    "run_id": q.report.resource.run_id or "", "status": q.report.status,
                    "region": _region(q.report.resource.arn) or q.ctx.aws.region}
        out = answer_question(
            incident, tools, q.intent.text, cfg=cfg, question_user=q.user, thread=thread,
            cause=q.report.probable_cause.to_dict(),
            cost_store=DynamoCostStore(q.ctx.aws.client("dynamodb"), cfg.incidents_table),
            remaining_seconds=q.remaining_seconds() if q.remaining_seconds else None)
        q.ctx.agent_runs.append(out)
    except Exception as exc:  # answer_question never raises; building its context might
        logger.exception("agent answer could not start")
        return _help(q, f"Claude could not answer ({type(exc).__name__}); here are the commands I know.")
    if not out.ok or not out.answer:
        logger.info("agent answer not used", extra={"status": out.status, "reason": out.reason})
        return _help(q, f"Claude could not answer ({out.reason}); here are the commands I know.")
    answer_text = out.answer if len(out.answer) <= _AGENT_ANSWER_CHARS else \
        out.answer[: _AGENT_ANSWER_CHARS - 1] + "…"
    reply = Reply("followup_agent.j2", {"answer": answer_text, "footer": out.footer() if out.usage.calls else None,
                                        "redrive": bool(out.intents)})
    if not any(i.get("intent") == "redrive_preview" for i in out.intents) or flow is None:
        return reply
    # The person asked for a redrive: the answer first, then the usual preview (Approve/Cancel).
    q.ctx.slack.reply(q.ctx.channel, q.ctx.thread_ts, reply.text())
    flow.handle_request(q.ctx, q.incident, q.user)
    return None


def _unknown(q: Asked) -> Reply | None:
    return _agent(q) if q.ctx.settings.llm_enabled else _help(q)


def redrive_flow() -> ModuleType | None:
    """The redrive flow module, or None while this deployment has none."""
    try:
        return importlib.import_module(_REDRIVE_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name in {_REDRIVE_MODULE, _REDRIVE_MODULE.rpartition(".")[0]}:
            return None
        raise


def _redrive_unavailable(q: Asked) -> Reply:
    console = next((link.url for link in q.report.links if "console" in link.label), None)
    return Reply("followup_redrive_unavailable.j2", {"console_url": console})


def _redrive(q: Asked) -> Reply | None:
    flow = redrive_flow()
    if flow is None:
        return _redrive_unavailable(q)
    flow.handle_request(q.ctx, q.incident, q.user)  # posts the preview in the thread itself
    return None


ANSWERS: dict[str, Callable[[Asked], Reply | None]] = {
    "status": _status,
    "logs": _logs,
    "input": _input,
    "similar": _similar,
    "owner": _owner,
    "evidence": _evidence,
    "changes": _changes,
    "help": _help,
    "redrive": _redrive,
    "unknown": _unknown,
}


def answer(q: Asked) -> Reply | None:
    """The reply to a question (None when the answer posted itself)."""
    return ANSWERS.get(q.intent.name, _help)(q)


def answer_action(q: Asked, action_id: str, value: str) -> Reply | None:
    """A click on a redrive button: the request goes to the redrive flow, approvals and cancels too."""
    flow = redrive_flow()
    if flow is None:
        return _redrive_unavailable(q)
    if action_id == "redrive_request":
        flow.handle_request(q.ctx, q.incident, q.user)
    else:
        flow.handle_action(q.ctx, q.incident, action_id, value, q.user)
    return None  # the flow posts in the thread itself
