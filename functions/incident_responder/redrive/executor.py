"""Running an approved redrive: the one place the responder changes anything in an AWS account.

:func:`execute` makes the plan's single boto3 call and turns any failure into a :class:`RunResult`
with an error (never an exception). :func:`run_request` is what the redrive function does with an
approved request: re-check the approval in the audit table, claim ``<incident_id>#<attempt>``
(exactly once, whatever the number of clicks, Slack retries or invocations), execute, record the
result, the audit line and the launched run (so the new run's own events find the thread). The
stored plan is redacted; the real values of its redacted parameters are read again from the failed
run just before the call (:mod:`.secrets`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from ..aws import describe_error, error_code
from ..evidence.redaction import redact
from ..sources.base import NewRun, NoRun
from .plans import Plan, fit_call
from .secrets import has_redacted, read_original, real_values, restore

if TYPE_CHECKING:
    from ..aws import AwsContext
    from ..config import Settings
    from .audit import AuditStore

__all__ = ["RunResult", "execute", "is_authorized", "run_request"]

logger = logging.getLogger(__name__)


@dataclass
class RunResult:
    """What one redrive call did: ``ok`` with the new run's id, key and console link, or an error."""

    ok: bool
    action: str
    run_id: str = ""
    run_key: str = ""
    run_url: str = ""
    error: str = ""
    error_code: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _new_run(plan: Plan, out: dict[str, Any]) -> NewRun:
    """The run a successful call started, as the source's adapter reads the call's answer."""
    from ..sources import adapter

    return adapter(plan.source).new_run(plan, out)


def _call_params(plan: Plan, aws: AwsContext) -> dict[str, Any]:
    """The plan's parameters with the real values of the redacted ones, read again from the failed run.

    The plan comes from the audit table, where it is stored redacted (:meth:`.plans.Plan.redacted`).
    """
    if not has_redacted(plan.params):
        return plan.params
    notes: list[str] = []
    original = read_original(plan.source, plan.expect, aws, notes)
    params, missing = restore(plan.params, real_values(plan.source, original))
    if missing:
        why = f": {'; '.join(notes)}" if notes else ""
        raise NoRun(
            "SecretsUnavailable",
            f"the real values of {', '.join(missing)} could not be read again from the failed run{why}",
        )
    fitted, _, error = fit_call(plan, params)
    if error:
        raise NoRun("InvalidParameters", " ".join(error.split()))
    return fitted


def execute(plan: Plan, aws: AwsContext) -> RunResult:
    """Make the plan's one call with a client from ``aws``. Never raises: failures become errors.

    Redacted parameters get their real values, read again from the failed run, just before the call;
    the error text that goes back to the thread and the audit table is redacted.
    """
    if not plan.runnable or not plan.operation:
        return RunResult(False, plan.action, error=plan.reason or "nothing to run", error_code="NotRunnable")
    try:
        client = aws.client(plan.service)
        params = _call_params(plan, aws)
        out = getattr(client, plan.operation)(**params)
        new = _new_run(plan, out)
        run_id, key, url = new.run_id, new.run_key, new.url
    except (ClientError, BotoCoreError) as exc:
        logger.warning("redrive call failed", extra={"action": plan.action, "error_code": error_code(exc)})
        return RunResult(False, plan.action, error=redact(describe_error(exc)), error_code=error_code(exc))
    except NoRun as exc:
        return RunResult(False, plan.action, error=str(exc), error_code=exc.code)
    except Exception as exc:  # a tool that changes AWS must report, not crash the thread
        logger.exception("redrive call raised", extra={"action": plan.action})
        error = redact(f"{type(exc).__name__}: {exc}")
        return RunResult(False, plan.action, error=error, error_code=type(exc).__name__)
    logger.info("redrive started", extra={"action": plan.action, "run_id": run_id})
    return RunResult(True, plan.action, run_id=run_id, run_key=key, run_url=url)


def is_authorized(user: str, request: dict[str, Any], cfg: Settings) -> tuple[bool, str]:
    """Whether ``user`` may approve (or retry) ``request``: (ok, why not).

    Approvers are REDRIVE_APPROVERS plus the pipeline's catalog ``approvers`` (stored on the request
    when it was made); with REDRIVE_REQUIRE_SECOND_PERSON the approver must not be the requester.
    An empty user id is nobody.
    """
    approvers = {a for a in (*cfg.redrive_approvers, *(request.get("approvers") or [])) if a and a.strip()}
    if not user or user not in approvers:
        return False, "not_approver"
    if (cfg.redrive_second_person or request.get("second_person")) and user == request.get("requested_by"):
        return False, "second_person"
    return True, ""


def _refused(error: str, request: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"status": "refused", "error": error, "state": str((request or {}).get("status") or "")}


def run_request(
    incident_id: str,
    request_id: str,
    *,
    audit: AuditStore,
    cfg: Settings,
    aws_for: Callable[[str, str], AwsContext],
) -> dict[str, Any]:
    """Run an approved request once. Returns ``status``: started, failed, duplicate or refused.

    Only a request in ``approved`` whose start window (``start_by``) is still open, approved by
    someone who is an approver now, is moved to ``running`` (a conditional write: one invocation
    wins); anything else is refused and nothing runs. Then ``<incident_id>#<attempt>`` is claimed,
    the call made, and the request moved to ``succeeded``, ``failed`` or ``duplicate``.
    ``aws_for(region, account)`` gives the AwsContext for the plan's region and account. Reads REDRIVE_APPROVERS and
    REDRIVE_REQUIRE_SECOND_PERSON (through ``cfg``).
    """
    from .audit import APPROVED, DUPLICATE, FAILED, RUNNING, SUCCEEDED

    request = audit.get_request(incident_id, request_id)
    if request is None:
        return _refused(f"no redrive request {request_id} for incident {incident_id}")
    approver = str(request.get("decided_by") or "")
    if request.get("status") != APPROVED:
        return _refused(f"the request is {request.get('status')}, not approved", request)
    ok, why = is_authorized(approver, request, cfg)
    if not ok:
        audit.record(
            incident_id,
            "rejection",
            who=approver,
            what=f"execute request {request_id}",
            result=f"refused by the redrive function: {why}",
            request_id=request_id,
        )
        return _refused(f"{approver or 'nobody'} may not approve this redrive ({why})", request)
    now = int(audit.clock().timestamp())
    moved, current = audit.transition(
        incident_id,
        request_id,
        RUNNING,
        from_states=(APPROVED,),
        by=approver,
        now_epoch=now,
        start_window_open=True,
        decided_by=approver,
    )
    if not moved:
        audit.record(
            incident_id,
            "rejection",
            who=approver,
            what=f"execute request {request_id}",
            result=f"refused by the redrive function: the request is {current.get('status')}"
            + (", its start window closed" if current.get("status") == APPROVED else ""),
            request_id=request_id,
        )
        return _refused(f"the request is {current.get('status')} and cannot be started now", current)
    attempt = int(request.get("attempt") or 1)
    claim = audit.claim_run(incident_id, attempt, request_id=request_id, approved_by=approver)
    if not claim.won:
        held = claim.item
        audit.transition(incident_id, request_id, DUPLICATE, from_states=(RUNNING,), by=approver, now_epoch=now)
        logger.info("redrive already claimed", extra={"key": held.get("key"), "state": held.get("state")})
        return {
            "status": "duplicate",
            "attempt": attempt,
            "state": held.get("state"),
            "run_id": held.get("run_id", ""),
            "run_url": held.get("run_url", ""),
            "error": held.get("error", ""),
            "request_id": held.get("request_id", ""),
            "approved_by": held.get("approved_by", ""),
        }
    plan = Plan.from_dict(json.loads(request["plan"]))
    result = execute(plan, aws_for(plan.region, plan.account))
    audit.finish_run(
        incident_id,
        attempt,
        state="started" if result.ok else "failed",
        run_id=result.run_id,
        run_key=result.run_key,
        run_url=result.run_url,
        error=result.error,
        action=plan.action,
    )
    audit.transition(
        incident_id,
        request_id,
        SUCCEEDED if result.ok else FAILED,
        from_states=(RUNNING,),
        by=approver,
        now_epoch=now,
        fields={"run_id": result.run_id, "run_url": result.run_url, "error": result.error},
    )
    if result.ok:
        audit.put_launched(
            result.run_key,
            incident_id=incident_id,
            attempt=attempt,
            request_id=request_id,
            channel=request.get("channel"),
            thread_ts=request.get("thread_ts"),
            source=plan.source,
            run_id=result.run_id,
            run_url=result.run_url,
            action=plan.action,
        )
    audit.record(
        incident_id,
        "execution",
        who=approver,
        what=f"{plan.action} on {plan.target}",
        result=f"started {result.run_id}" if result.ok else f"failed: {result.error}",
        request_id=request_id,
        attempt=attempt,
        run_id=result.run_id,
    )
    return {"status": "started" if result.ok else "failed", "attempt": attempt, **result.to_dict()}
