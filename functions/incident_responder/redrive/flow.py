"""The redrive conversation in a report's Slack thread: preview, approve or cancel, run once, result.

The follow-up worker calls :func:`handle_request` when someone clicks the report's "Redrive" button
(``redrive_request``) or asks for a redrive in the thread, and :func:`handle_action` for the
buttons (``redrive_approve``, ``redrive_cancel``, ``redrive_retry``; their value is the request id).
Both post in the thread themselves and return None.

A request is a state machine kept in the audit table (:mod:`.audit`, ``TRANSITIONS``); every move is a
conditional write, so clicks, Slack retries and SQS redeliveries cannot double-run or revive one.

1. Request: the plan (:mod:`.plans`) is previewed in the thread: what will run, where, with what
   input, a warning when the catalog marks the pipeline not idempotent or the resource has not opted
   in to redrive (then no Approve button), and Approve / Cancel buttons. The request is stored
   ``pending`` before the post; its ``preview_ts`` is recorded only once Slack accepted the post. A
   pending request whose preview was never posted is ``superseded`` by the next request, so a failed
   post never blocks a redrive.
2. Approve (``pending`` → ``approved``): only an approver (REDRIVE_APPROVERS, plus the pipeline's
   catalog ``approvers``; with REDRIVE_REQUIRE_SECOND_PERSON not the requester), before the deadline
   (REDRIVE_APPROVAL_TTL_SECONDS). Anyone else, or later, changes nothing and runs nothing.
3. Run: the redrive function is invoked (:class:`.invoker.RedriveInvoker`); it alone moves
   ``approved`` → ``running`` → ``succeeded`` | ``failed`` | ``duplicate``, within a short start
   window after the approval. When it was not reached (a throttled or failed invoke) the request
   goes ``approved`` → ``start_failed`` and the thread gets a Retry button: Retry
   (``start_failed`` → ``approved``) follows the rules of Approve; Cancel (by the requester or an
   approver) closes it. Cancel never runs anything.

Every request, approval, retry, rejection, cancellation and expiry is written to the audit trail.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..evidence.redaction import redact_obj
from ..formats import json_or_text
from ..sources import ADAPTER_MODULES, adapter
from ..templates import SafeText, escape_mrkdwn, render
from .audit import (
    APPROVED,
    CANCELLED,
    EXPIRED,
    NOT_RUNNABLE,
    PENDING,
    START_FAILED,
    SUPERSEDED,
    AuditStore,
    idempotency_key,
)
from .executor import is_authorized
from .optin import OPT_IN_TAG_KEY, OPT_IN_TAG_VALUE, OptIn, check_opt_in
from .plans import Plan, build_plan, gather_facts, load_spec

if TYPE_CHECKING:
    from ..followup.context import ThreadContext

__all__ = ["APPROVE", "CANCEL", "REQUEST", "RETRY", "RedriveFlow", "handle_action", "handle_request"]

logger = logging.getLogger(__name__)

REQUEST = "redrive_request"
APPROVE = "redrive_approve"
CANCEL = "redrive_cancel"
RETRY = "redrive_retry"

# How long after an approval (or retry) the redrive function may still start it: longer than the
# worker's synchronous invoke with its retry (2 x 75 s), shorter than the follow-up queue's
# visibility timeout, so a click redelivered after a worker crash finds the window closed and the
# request is offered for Retry instead of run unseen.
START_WINDOW_SECONDS = 300

_MAX_SHOWN = 1200
_USER = re.compile(r"^[UW][A-Z0-9]{2,}$")


def handle_request(ctx: ThreadContext, incident: dict[str, Any], user: str) -> None:
    """Post a redrive preview (or why there is none) in the incident's thread."""
    RedriveFlow(ctx).request(incident, user)


def handle_action(ctx: ThreadContext, incident: dict[str, Any], action_id: str, value: str, user: str) -> None:
    """Handle a click on a redrive button: request, approve, cancel or retry."""
    RedriveFlow(ctx).action(incident, action_id, value, user)


def mention(user: str) -> SafeText:
    """A Slack mention of a user id (anything that is not a user id is shown as plain text)."""
    return SafeText(f"<@{user}>") if _USER.fullmatch(user or "") else SafeText(escape_mrkdwn(user or "someone"))


def _mentions(users: list[str]) -> SafeText:
    return SafeText(", ".join(mention(u) for u in users))


def _compact(value: Any, pad: str = "") -> str:
    """JSON with one key per line, but short lists and objects of plain values kept on one line."""
    flat = json.dumps(value, sort_keys=True, default=str)
    if not isinstance(value, (dict, list)) or len(flat) <= 72 or not value:
        return flat
    inner = pad + "  "
    if isinstance(value, list):
        return "[\n" + ",\n".join(inner + _compact(v, inner) for v in value) + f"\n{pad}]"
    return (
        "{\n"
        + ",\n".join(f"{inner}{json.dumps(str(k))}: {_compact(v, inner)}" for k, v in sorted(value.items()))
        + f"\n{pad}}}"
    )


def _shown(value: Any, redact: bool = True) -> str:
    """A value as the preview shows it: compact JSON, secrets redacted, cut to a readable length."""
    if value in (None, "", {}, []):
        return "(none)"
    value = json_or_text(value)
    value = redact_obj(value, parse_json=True) if redact else value
    text = _compact(value) if not isinstance(value, str) else value
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 1] + "…"


def _hhmm(when: datetime) -> str:
    return f"{when:%Y-%m-%d %H:%M} UTC"


def _ttl_text(seconds: int) -> str:
    if seconds % 3600 == 0 and seconds >= 3600:
        return f"{seconds // 3600} h"
    if seconds >= 60:
        return f"{seconds // 60} min"
    return f"{seconds} s"


class RedriveFlow:
    """The flow for one thread. ``clock``, ``audit`` and ``invoker`` may be injected (tests)."""

    def __init__(
        self,
        ctx: ThreadContext,
        *,
        clock: Callable[[], datetime] | None = None,
        audit: AuditStore | None = None,
        invoker: Any = None,
    ) -> None:
        self.ctx = ctx
        self.cfg = ctx.settings
        self.clock = clock or (lambda: datetime.now(UTC))
        self.audit = audit or AuditStore(ctx.aws.client("dynamodb"), self.cfg.audit_table, clock=self.clock)
        if invoker is None:
            from .invoker import RedriveInvoker

            invoker = RedriveInvoker.from_settings(self.cfg, ctx.aws)
        self.invoker = invoker

    # -- Slack ---------------------------------------------------------------------------------------
    def _say(self, text: str, blocks: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        return dict(self.ctx.slack.reply(self.ctx.channel, self.ctx.thread_ts, text, blocks=blocks))

    def _note(self, kind: str, **values: Any) -> None:
        self._say(render("redrive_note.j2", kind=kind, **values))

    def _mark_preview(self, request: dict[str, Any], status: str, who: str) -> None:
        """Show on the preview who decided and when. The buttons stay: a late or double click is
        answered in the thread ("already approved") and changes nothing."""
        from ..slack.client import SlackPostError, update_message

        ts = request.get("preview_ts") or self.ctx.message_ts
        blocks = json.loads(request.get("preview_blocks") or "[]")
        if not ts or not blocks:
            return
        line = render("redrive_decided.j2", status=status, who=mention(who), when=_hhmm(self.clock()))
        at = next((i for i, b in enumerate(blocks) if b.get("type") == "actions"), len(blocks))
        blocks.insert(at, {"type": "context", "elements": [{"type": "mrkdwn", "text": line}]})
        try:
            update_message(self.ctx.slack.client, self.ctx.channel, str(ts), line, blocks=blocks)
        except SlackPostError as exc:  # the decision stands; only its mark on the preview is missing
            logger.warning("could not update the redrive preview", extra={"error": exc.error})

    # -- catalog ----------------------------------------------------------------------------------------
    def _pipeline(self, incident: dict[str, Any]) -> tuple[str, list[str], bool | None]:
        """(pipeline name, catalog approvers, idempotent or None when unknown)."""
        from ..evidence.catalog import pipeline_from_item

        try:
            report = json.loads(incident.get("report") or "{}")
        except ValueError:
            report = {}
        name = str(((report.get("pipeline") or {}).get("name")) or "")
        if not name:
            return "", [], None
        try:
            ddb: Any = self.ctx.aws.client("dynamodb")
            out = ddb.get_item(TableName=self.cfg.catalog_table, Key={"pipeline": {"S": name}})
        except Exception as exc:  # a catalog read failure must not block the preview
            logger.warning("catalog read failed", extra={"pipeline": name, "error": str(exc)})
            return name, [], None
        if "Item" not in out:
            return name, [], None
        from boto3.dynamodb.types import TypeDeserializer

        des = TypeDeserializer()
        pipeline = pipeline_from_item({k: des.deserialize(v) for k, v in out["Item"].items()})
        return name, [a.strip() for a in pipeline.approvers if a.strip()], pipeline.idempotent

    # -- request ----------------------------------------------------------------------------------------
    def request(self, incident: dict[str, Any], user: str) -> None:
        incident_id = str(incident.get("incident_id") or "")
        spec = load_spec(incident)
        source = str(incident.get("source") or (spec or {}).get("source") or (spec or {}).get("service") or "")
        arn = str(incident.get("resource_arn") or "")
        if not spec and source in ADAPTER_MODULES:
            # Nothing could be read of how to re-run it (an EMR cluster that is gone): the adapter may
            # still plan something that explains what would.
            planned = adapter(source).spec_without_details(arn)
            spec = planned.to_dict() if planned else None
        if not spec:
            reason = "this failure carries no details of how to re-run it"
            self.audit.record(incident_id, "request", who=user, what="redrive", result=f"unavailable: {reason}")
            self._note("unavailable", reason=reason)
            return
        now = self.clock()
        for open_request in self.audit.requests(incident_id):
            if open_request.get("status") != PENDING:
                continue
            if not open_request.get("preview_ts"):
                self._supersede(incident_id, open_request, user, "its preview was never posted")
                continue
            if int(open_request.get("approval_expires_at", 0)) > now.timestamp():
                self._note(
                    "pending",
                    by=mention(str(open_request.get("requested_by"))),
                    when=_hhmm(datetime.fromtimestamp(int(open_request["approval_expires_at"]), UTC)),
                )
                self.audit.record(
                    incident_id,
                    "request",
                    who=user,
                    what="redrive",
                    result=f"not posted: request {open_request.get('request_id')} is pending",
                )
                return
        pipeline, catalog_approvers, idempotent = self._pipeline(incident)
        attempt = self.audit.next_attempt(incident_id)
        region = self._region(incident)
        # The failed run is read where it is: a member account's through its read role (never a same-named
        # resource of this account); the redrive function alone acts there, through the redrive role.
        facts = gather_facts(source, spec, self.ctx.reads(arn).aws)
        plan = build_plan(
            source,
            spec,
            attempt=attempt,
            idempotency_key=idempotency_key(incident_id, attempt),
            facts=facts,
            now=now,
            region=region,
            resource_arn=str(incident.get("resource_arn") or ""),
        ).redacted()  # what is stored and posted; the redrive function reads the real values again
        opt_in = self._opt_in(plan, incident)
        approvable = plan.runnable and opt_in.opted_in is not False
        request_id = uuid.uuid4().hex[:12]
        expires = now + timedelta(seconds=self.cfg.redrive_ttl_seconds)
        approvers = sorted(set(self.cfg.redrive_approvers) | set(catalog_approvers))
        record = {
            "incident_id": incident_id,
            "request_id": request_id,
            "attempt": attempt,
            "key": idempotency_key(incident_id, attempt),
            "requested_by": user,
            "requested_at": now.isoformat(),
            "approval_expires_at": int(expires.timestamp()),
            "status": PENDING if approvable else NOT_RUNNABLE,
            "opted_in": opt_in.opted_in,
            "plan": json.dumps(plan.to_dict()),
            "approvers": approvers,
            "second_person": self.cfg.redrive_second_person,
            "channel": self.ctx.channel,
            "thread_ts": self.ctx.thread_ts,
            "pipeline": pipeline or None,
            "idempotent": idempotent,
            "source": source,
        }
        self.audit.put_request(record)
        summary = f"{plan.action} on {plan.target}" if plan.action else "redrive"
        text, blocks = self._preview(
            plan, request_id, attempt, user, approvers, pipeline, idempotent, expires, opt_in
        )
        try:
            posted = self._say(text, blocks)
        except Exception:
            # Nothing shows this request: it must not block the next one (nor be approvable).
            self._supersede(incident_id, record, user, "its preview could not be posted")
            raise
        if approvable and not self.audit.mark_posted(
            incident_id, request_id, str(posted.get("ts") or ""), json.dumps(blocks)
        ):
            logger.warning("redrive request changed before its preview was recorded", extra={"request_id": request_id})
        self.audit.record(
            incident_id,
            "request",
            who=user,
            what=summary,
            request_id=request_id,
            attempt=attempt,
            result=(
                "preview posted"
                if approvable
                else f"not runnable: {plan.reason}"
                if not plan.runnable
                else f"not opted in: {', '.join(opt_in.missing)}"
            ),
        )

    def _supersede(self, incident_id: str, request: dict[str, Any], user: str, why: str) -> None:
        changed, _ = self.audit.transition(
            incident_id,
            str(request["request_id"]),
            SUPERSEDED,
            from_states=(PENDING,),
            by=user,
            now_epoch=int(self.clock().timestamp()),
            no_preview=True,
        )
        if changed:
            self.audit.record(
                incident_id,
                "supersede",
                who=user,
                what=f"request {request['request_id']}",
                result=f"superseded: {why}",
                request_id=request["request_id"],
            )

    def _opt_in(self, plan: Plan, incident: dict[str, Any]) -> OptIn:
        return check_opt_in(plan, self.ctx.aws, str(incident.get("resource_arn") or ""))

    def _region(self, incident: dict[str, Any]) -> str:
        parts = str(incident.get("resource_arn") or "").split(":")
        return parts[3] if len(parts) > 4 and parts[3] else self.ctx.aws.region

    def _preview(
        self,
        plan: Plan,
        request_id: str,
        attempt: int,
        user: str,
        approvers: list[str],
        pipeline: str,
        idempotent: bool | None,
        expires: datetime,
        opt_in: OptIn | None = None,
    ) -> tuple[str, list[dict[str, Any]]]:
        from ..slack.render import sections

        plan = plan.redacted()  # already redacted by request(); the preview must never show more
        values = {
            "plan": plan.to_dict(),
            "input_text": _shown(plan.input),
            "params_text": _shown(plan.params, redact=False),
            "requester": mention(user),
        }
        if not plan.runnable:
            body = render("redrive_not_runnable.j2", **values)
            return f"Redrive not possible: {plan.reason}"[:300], sections([body])
        body = render(
            "redrive_preview.j2",
            **values,
            attempt=attempt,
            approvers=_mentions(approvers),
            second_person=self.cfg.redrive_second_person,
            pipeline=pipeline,
            not_idempotent=idempotent is False,
            expires=_hhmm(expires),
            opted_in=None if opt_in is None else opt_in.opted_in,
            not_opted_in=(opt_in.missing if opt_in else []),
            opt_in_error=(opt_in.error if opt_in else ""),
            opt_in_tag=f"{OPT_IN_TAG_KEY}={OPT_IN_TAG_VALUE}",
        )
        if opt_in is not None and opt_in.opted_in is False:
            text = f"Redrive preview: {plan.action} ({plan.target}): not opted in to redrive, nothing to approve"
            return text[:300], sections([body])
        buttons = {
            "type": "actions",
            "block_id": f"redrive:{request_id}",
            "elements": [
                {
                    "type": "button",
                    "action_id": APPROVE,
                    "style": "primary",
                    "value": request_id,
                    "text": {"type": "plain_text", "text": "Approve"},
                },
                {
                    "type": "button",
                    "action_id": CANCEL,
                    "value": request_id,
                    "text": {"type": "plain_text", "text": "Cancel"},
                },
            ],
        }
        return f"Redrive preview: {plan.action} ({plan.target}), approve or cancel", [
            *sections([body]),
            buttons,
        ]

    # -- buttons ----------------------------------------------------------------------------------------
    def action(self, incident: dict[str, Any], action_id: str, value: str, user: str) -> None:
        if action_id == REQUEST:
            self.request(incident, user)
            return
        incident_id = str(incident.get("incident_id") or "")
        request = self.audit.get_request(incident_id, value) if value else None
        if request is None:
            self.audit.record(incident_id, "rejection", who=user, what=f"{action_id} {value}", result="unknown request")
            self._note("unknown")
            return
        if action_id not in {APPROVE, RETRY, CANCEL}:
            logger.warning("unknown redrive action", extra={"action_id": action_id})
            return
        request = self._settle(incident_id, request, user)
        if action_id == CANCEL:
            self._cancel(incident_id, request, user)
        else:
            self._approve(incident_id, request, user, "retry" if action_id == RETRY else "approve")

    def _now(self) -> int:
        return int(self.clock().timestamp())

    def _expired(self, request: dict[str, Any]) -> bool:
        return self._now() >= int(request.get("approval_expires_at") or 0)

    def _settle(self, incident_id: str, request: dict[str, Any], user: str) -> dict[str, Any]:
        """An ``approved`` request whose start window closed was never started (the worker stopped
        between the approval and the invoke): it becomes ``start_failed``, offered for Retry."""
        if request.get("status") != APPROVED or int(request.get("start_by") or 0) > self._now():
            return request
        changed, current = self.audit.transition(
            incident_id,
            str(request["request_id"]),
            START_FAILED,
            from_states=(APPROVED,),
            by=user,
            now_epoch=self._now(),
            start_window_closed=True,
            fields={"start_error": "the redrive function was not reached in time after the approval"},
        )
        if changed:
            self.audit.record(
                incident_id,
                "execution",
                who=str(request.get("decided_by") or ""),
                what=f"start request {request['request_id']}",
                result="not started: the start window closed before the redrive function ran it",
                request_id=request["request_id"],
            )
        return current

    def _already(self, incident_id: str, request: dict[str, Any], user: str, action: str) -> None:
        """Say where a request already is. Never runs anything."""
        status = str(request.get("status"))
        if status == EXPIRED:
            self._expired_note(incident_id, request, user, action, decided=False)
            return
        run = self.audit.get_run(incident_id, int(request.get("attempt") or 0)) if request.get("attempt") else None
        if run is not None and run.get("request_id") != request.get("request_id"):
            run = None
        self.audit.record(
            incident_id,
            "rejection",
            who=user,
            what=f"{action} request {request.get('request_id')}",
            result=f"already {status}",
            request_id=request.get("request_id"),
        )
        self._note(
            "already",
            status=status.replace("_", " "),
            by=mention(str(request.get("decided_by") or request.get("changed_by") or "")),
            run_url=str((run or {}).get("run_url") or ""),
            run_id=str((run or {}).get("run_id") or ""),
        )

    def _expired_note(self, incident_id: str, request: dict[str, Any], user: str, action: str, decided: bool) -> None:
        expires = datetime.fromtimestamp(int(request.get("approval_expires_at") or 0), UTC)
        if decided:
            self._mark_preview(request, "expired", user)
        self.audit.record(
            incident_id,
            "expiry",
            who=user,
            what=f"{action} request {request.get('request_id')}",
            result=f"expired at {expires.isoformat()}",
            request_id=request.get("request_id"),
        )
        self._note("expired", when=_hhmm(expires), ttl=_ttl_text(self.cfg.redrive_ttl_seconds))

    def _expire(self, incident_id: str, request: dict[str, Any], user: str, action: str) -> None:
        changed, current = self.audit.transition(
            incident_id,
            str(request["request_id"]),
            EXPIRED,
            from_states=(str(request.get("status")),),
            by=user,
            now_epoch=self._now(),
        )
        if not changed and current.get("status") != EXPIRED:
            self._already(incident_id, current, user, action)
            return
        self._expired_note(incident_id, current, user, action, decided=changed)

    def _approve(self, incident_id: str, request: dict[str, Any], user: str, action: str) -> None:
        """Approve (``pending``) or retry (``start_failed``): an approver, before the deadline, only."""
        request_id = str(request["request_id"])
        status = request.get("status")
        if status not in {PENDING, START_FAILED}:
            self._already(incident_id, request, user, action)
            return
        if self._expired(request):
            self._expire(incident_id, request, user, action)
            return
        ok, why = is_authorized(user, request, self.cfg)
        if not ok:
            approvers = sorted(set(self.cfg.redrive_approvers) | set(request.get("approvers") or []))
            self.audit.record(
                incident_id,
                "rejection",
                who=user,
                what=f"{action} request {request_id}",
                result=why,
                request_id=request_id,
            )
            if why == "second_person":
                self._note("second_person", who=mention(user))
            else:
                self._note("not_approver", who=mention(user), approvers=_mentions(approvers))
            return
        now = self._now()
        changed, current = self.audit.transition(
            incident_id,
            request_id,
            APPROVED,
            from_states=(PENDING, START_FAILED),
            by=user,
            now_epoch=now,
            before_deadline=True,
            fields={"decided_by": user, "decided_at": self.clock().isoformat(), "start_by": now + START_WINDOW_SECONDS},
        )
        if not changed:
            if current.get("status") in {PENDING, START_FAILED} and self._expired(current):
                self._expire(incident_id, current, user, action)
            else:
                self._already(incident_id, current, user, action)
            return
        plan = json.loads(current.get("plan") or "{}")
        self.audit.record(
            incident_id,
            "approval",
            who=user,
            what=f"{plan.get('action')} on {plan.get('target')}",
            result="approved" if status == PENDING else "retried after a failed start",
            request_id=request_id,
            attempt=current.get("attempt"),
        )
        if status == PENDING:
            self._mark_preview(current, "approved", user)
        self._run(incident_id, current)

    def _run(self, incident_id: str, request: dict[str, Any]) -> None:
        """Have the redrive function run an approved request, and say how it went in the thread."""
        request_id = str(request["request_id"])
        approver = str(request.get("decided_by") or "")
        plan = json.loads(request.get("plan") or "{}")
        result = self.invoker.invoke({"incident_id": incident_id, "request_id": request_id})
        if result.get("status") not in {"started", "failed", "duplicate"} or not result.get("attempt"):
            # The redrive function did not take the request (not reached, throttled, crashed before
            # the call, refused): the state in the audit table says what happened.
            self._not_started(incident_id, request, str(result.get("error") or "no answer"))
            return
        self._say(
            render(
                "redrive_result.j2",
                status=result.get("status"),
                action=result.get("action") or plan.get("action") or "",
                attempt=result.get("attempt") or request.get("attempt"),
                run_id=str(result.get("run_id") or ""),
                run_url=str(result.get("run_url") or ""),
                error=str(result.get("error") or "").rstrip("."),
                state=str(result.get("state") or ""),
                approver=mention(approver),
            )
        )

    def _not_started(self, incident_id: str, request: dict[str, Any], error: str) -> None:
        request_id = str(request["request_id"])
        approver = str(request.get("decided_by") or "")
        changed, current = self.audit.transition(
            incident_id,
            request_id,
            START_FAILED,
            from_states=(APPROVED,),
            by=approver,
            now_epoch=self._now(),
            fields={"start_error": error[:500]},
        )
        if not changed:
            # The function did take it (its answer was lost on the way back): say where it is.
            self._already(incident_id, current, approver, "start")
            return
        self.audit.record(
            incident_id,
            "execution",
            who=approver,
            what=f"invoke the redrive function for {request_id}",
            result=f"not started: {error}",
            request_id=request_id,
        )
        expires = datetime.fromtimestamp(int(current.get("approval_expires_at") or 0), UTC)
        open_ = not self._expired(current)
        text = render(
            "redrive_result.j2",
            status="start_failed",
            error=error.rstrip("."),
            approver=mention(approver),
            attempt=current.get("attempt"),
            action=json.loads(current.get("plan") or "{}").get("action") or "",
            until=_hhmm(expires),
            can_retry=open_,
        )
        blocks: list[dict[str, Any]] | None = None
        if open_:
            from ..slack.render import sections

            blocks = [
                *sections([text]),
                {
                    "type": "actions",
                    "block_id": f"redrive-retry:{request_id}",
                    "elements": [
                        {
                            "type": "button",
                            "action_id": RETRY,
                            "style": "primary",
                            "value": request_id,
                            "text": {"type": "plain_text", "text": "Retry"},
                        },
                        {
                            "type": "button",
                            "action_id": CANCEL,
                            "value": request_id,
                            "text": {"type": "plain_text", "text": "Cancel"},
                        },
                    ],
                },
            ]
        self._say(text, blocks)

    def _cancel(self, incident_id: str, request: dict[str, Any], user: str) -> None:
        """Cancel a ``pending`` or ``start_failed`` request (requester or approver). Never runs anything."""
        request_id = str(request["request_id"])
        approvers = set(self.cfg.redrive_approvers) | set(request.get("approvers") or [])
        if user != request.get("requested_by") and user not in approvers:
            self.audit.record(
                incident_id,
                "rejection",
                who=user,
                what=f"cancel request {request_id}",
                result="not the requester or an approver",
                request_id=request_id,
            )
            self._note("not_canceller", who=mention(user))
            return
        if request.get("status") not in {PENDING, START_FAILED}:
            self._already(incident_id, request, user, "cancel")
            return
        changed, current = self.audit.transition(
            incident_id,
            request_id,
            CANCELLED,
            from_states=(PENDING, START_FAILED),
            by=user,
            now_epoch=self._now(),
            fields={"decided_by": user, "decided_at": self.clock().isoformat()},
        )
        if not changed:
            self._already(incident_id, current, user, "cancel")
            return
        self.audit.record(
            incident_id,
            "cancel",
            who=user,
            what=f"request {request_id}",
            result="cancelled",
            request_id=request_id,
        )
        self._mark_preview(current, "cancelled", user)
        self._note("cancelled", who=mention(user))
