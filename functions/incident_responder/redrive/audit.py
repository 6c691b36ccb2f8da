"""The redrive audit trail and its exactly-once guards, in the audit table (AUDIT_TABLE).

Table (template.yaml ``AuditTable``): ``pk``/``sk`` strings. Items:

- ``INCIDENT#<incident_id>`` / ``REQUEST#<request_id>``: a redrive request: who asked, when, the plan
  (exactly what runs), the approval deadline (``approval_expires_at``, epoch seconds), its ``status``
  (the state machine below), who decided last, the Slack ts of its posted preview
  (``preview_ts``, set only once the post succeeded) and its ``history`` of transitions.
- ``INCIDENT#<incident_id>`` / ``RUN#<attempt>``: the idempotency claim of ``<incident_id>#<attempt>``,
  written with ``attribute_not_exists`` before the re-run is started: whatever the number of clicks,
  Slack retries or invocations, one claim wins and only its holder calls AWS. It then holds the result.
- ``INCIDENT#<incident_id>`` / ``AUDIT#<time>#<kind>#<id>``: one line of the audit trail for every
  request, approval, rejection, cancellation, expiry, execution and outcome: who, when, what, result.
- ``RUN#<run key>`` / ``LAUNCHED``: which incident, attempt and Slack thread launched a run, so the
  new run's own EventBridge event is reported in that thread (the analyzer looks it up).

Audit items carry no ``expires_at``: the table's TTL never removes them.

The request's state machine (:data:`TRANSITIONS`); every move is one conditional ``UpdateItem`` on the
current state (and, where it matters, the deadline), so concurrent clicks, Slack retries and SQS
redeliveries cannot both move a request, run it twice or bring a closed one back:

- ``pending`` → ``approved`` (an approver, before the deadline) | ``cancelled`` (requester or
  approver) | ``expired`` (a click after the deadline) | ``superseded`` (its preview was never
  posted and a new request came);
- ``approved`` → ``running`` (the redrive function, within ``start_by``) | ``start_failed`` (the
  function was not reached: a throttled or failed invoke, or the start window closed);
- ``start_failed`` → ``approved`` (Retry: an approver, before the deadline) | ``cancelled`` | ``expired``;
- ``running`` → ``succeeded`` (the new run started) | ``failed`` (AWS refused the call) |
  ``duplicate`` (the attempt was already run);
- ``succeeded``, ``failed``, ``duplicate``, ``cancelled``, ``expired``, ``superseded`` and
  ``not_runnable`` (nothing to run, or the resource has not opted in) are final.

``approved`` carries ``start_by``: the redrive function moves it to ``running`` only until then (a
few minutes after the approval), so an approval whose start was lost is never run by anyone but an
approver clicking Retry before the deadline.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ..aws import describe_error, error_code
from ..errors import StoreError
from ..store import from_item, put_if, to_item, to_value

__all__ = [
    "APPROVED",
    "CANCELLED",
    "DUPLICATE",
    "EXPIRED",
    "FAILED",
    "NOT_RUNNABLE",
    "PENDING",
    "RUNNING",
    "START_FAILED",
    "SUCCEEDED",
    "SUPERSEDED",
    "TRANSITIONS",
    "AuditStore",
    "Claimed",
    "idempotency_key",
]

logger = logging.getLogger(__name__)


PENDING = "pending"
APPROVED = "approved"
RUNNING = "running"
SUCCEEDED = "succeeded"
FAILED = "failed"
DUPLICATE = "duplicate"
START_FAILED = "start_failed"
CANCELLED = "cancelled"
EXPIRED = "expired"
SUPERSEDED = "superseded"
NOT_RUNNABLE = "not_runnable"

TRANSITIONS: dict[str, frozenset[str]] = {
    PENDING: frozenset({APPROVED, CANCELLED, EXPIRED, SUPERSEDED}),
    APPROVED: frozenset({RUNNING, START_FAILED}),
    START_FAILED: frozenset({APPROVED, CANCELLED, EXPIRED}),
    RUNNING: frozenset({SUCCEEDED, FAILED, DUPLICATE}),
}
"""Allowed moves of a redrive request; every other state is final."""


def idempotency_key(incident_id: str, attempt: int) -> str:
    return f"{incident_id}#{attempt}"


_item, _plain = to_item, from_item


def _incident_pk(incident_id: str) -> str:
    return f"INCIDENT#{incident_id}"


def _run_sk(attempt: int) -> str:
    return f"RUN#{attempt:04d}"


@dataclass
class Claimed:
    """Outcome of claiming an attempt: ``won`` (the caller runs it) or not (``item`` is the holder's)."""

    won: bool
    item: dict[str, Any]


class AuditStore:
    """Redrive requests, claims, launched runs and the audit trail. ``dynamodb`` is a boto3 client.

    ``clock`` returns the current UTC time (injected in tests).
    """

    def __init__(self, dynamodb: Any, table: str, clock: Callable[[], datetime] | None = None) -> None:
        self.db = dynamodb
        self.table = table
        self.clock = clock or (lambda: datetime.now(UTC))

    def _fail(self, what: str, exc: Exception) -> StoreError:
        logger.error("audit store failed", extra={"what": what, "error_code": error_code(exc)})
        return StoreError(f"{what} on {self.table}: {describe_error(exc)}")

    def _now(self) -> str:
        return self.clock().isoformat()

    # -- audit trail ---------------------------------------------------------------------------------
    def record(self, incident_id: str, kind: str, *, who: str, what: str, result: str, **extra: Any) -> None:
        """Append one audit line and log it.

        ``kind``: request, approval, rejection, cancel, expiry, execution or outcome.
        """
        when = self._now()
        item = {
            "pk": _incident_pk(incident_id),
            "sk": f"AUDIT#{when}#{kind}#{uuid.uuid4().hex[:8]}",
            "kind": kind,
            "incident_id": incident_id,
            "who": who,
            "when": when,
            "what": what,
            "result": result,
            **{k: v for k, v in extra.items() if v not in (None, "")},
        }
        logger.info("redrive audit", extra={k: v for k, v in item.items() if k not in {"pk", "sk"}})
        try:
            self.db.put_item(TableName=self.table, Item=_item(item))
        except (ClientError, BotoCoreError) as exc:
            raise self._fail("record audit", exc) from exc

    def trail(self, incident_id: str) -> list[dict[str, Any]]:
        """The audit lines of an incident, oldest first."""
        return self._query(incident_id, "AUDIT#")

    # -- requests --------------------------------------------------------------------------------------
    def put_request(self, request: dict[str, Any]) -> None:
        """Store a new request (``request_id`` must be new)."""
        item = {
            "pk": _incident_pk(request["incident_id"]),
            "sk": f"REQUEST#{request['request_id']}",
            **request,
        }
        try:
            self.db.put_item(TableName=self.table, Item=_item(item), ConditionExpression="attribute_not_exists(pk)")
        except (ClientError, BotoCoreError) as exc:
            raise self._fail("put request", exc) from exc

    def get_request(self, incident_id: str, request_id: str) -> dict[str, Any] | None:
        return self._get(_incident_pk(incident_id), f"REQUEST#{request_id}")

    def requests(self, incident_id: str) -> list[dict[str, Any]]:
        return self._query(incident_id, "REQUEST#")

    def transition(
        self,
        incident_id: str,
        request_id: str,
        to: str,
        *,
        from_states: tuple[str, ...],
        by: str,
        now_epoch: int,
        before_deadline: bool = False,
        start_window_open: bool = False,
        start_window_closed: bool = False,
        decided_by: str | None = None,
        no_preview: bool = False,
        fields: dict[str, Any] | None = None,
    ) -> tuple[bool, dict[str, Any]]:
        """Move a request from one of ``from_states`` to ``to`` with one conditional write.

        Conditions added on request: ``before_deadline`` (``approval_expires_at`` > now),
        ``start_window_open`` / ``start_window_closed`` (``start_by`` > now, or missing or past),
        ``decided_by`` (the approval is that person's), ``no_preview`` (no ``preview_ts``). ``fields``
        are set with the move. Returns (True, the updated item) or (False, the item as it is).
        Raises ValueError for a move the state machine does not have.
        """
        bad = [f for f in from_states if to not in TRANSITIONS.get(f, frozenset())]
        if bad or not from_states:
            raise ValueError(f"no redrive request transition {', '.join(bad) or '?'} -> {to}")
        when = self._now()
        values: dict[str, Any] = {
            ":to": to,
            ":by": by,
            ":at": when,
            ":now": now_epoch,
            ":h": [{"to": to, "by": by, "at": when}],
            ":empty": [],
        }
        froms = []
        for i, state in enumerate(from_states):
            values[f":f{i}"] = state
            froms.append(f":f{i}")
        cond = [f"attribute_exists(pk) AND #s IN ({', '.join(froms)})"]
        if before_deadline:
            cond.append("approval_expires_at > :now")
        if start_window_open:
            cond.append("start_by > :now")
        if start_window_closed:
            cond.append("(attribute_not_exists(start_by) OR start_by <= :now)")
        if decided_by is not None:
            cond.append("decided_by = :decider")
            values[":decider"] = decided_by
        if no_preview:
            cond.append("attribute_not_exists(preview_ts)")
        names = {"#s": "status"}
        sets = ["#s = :to", "changed_by = :by", "changed_at = :at", "#h = list_append(if_not_exists(#h, :empty), :h)"]
        names["#h"] = "history"
        for i, (key, value) in enumerate((fields or {}).items()):
            if value is None:
                continue
            names[f"#x{i}"] = key
            values[f":x{i}"] = value
            sets.append(f"#x{i} = :x{i}")
        uses_now = before_deadline or start_window_open or start_window_closed
        if not uses_now:
            values.pop(":now")
        try:
            out = self.db.update_item(
                TableName=self.table,
                Key=_item({"pk": _incident_pk(incident_id), "sk": f"REQUEST#{request_id}"}),
                UpdateExpression="SET " + ", ".join(sets),
                ConditionExpression=" AND ".join(cond),
                ExpressionAttributeNames=names,
                ExpressionAttributeValues={k: to_value(v) for k, v in values.items()},
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise self._fail("move request", exc) from exc
            raw: Any = exc.response.get("Item")
            return False, _plain(raw) if raw else (self.get_request(incident_id, request_id) or {})
        except BotoCoreError as exc:
            raise self._fail("move request", exc) from exc
        logger.info("redrive request moved", extra={"request_id": request_id, "to": to, "by": by})
        return True, _plain(out["Attributes"])

    def mark_posted(self, incident_id: str, request_id: str, preview_ts: str, preview_blocks: str) -> bool:
        """Record the ts of a preview Slack accepted, while the request is still pending (once)."""
        try:
            self.db.update_item(
                TableName=self.table,
                Key=_item({"pk": _incident_pk(incident_id), "sk": f"REQUEST#{request_id}"}),
                UpdateExpression="SET preview_ts = :ts, preview_blocks = :blocks",
                ConditionExpression="attribute_exists(pk) AND #s = :pending AND attribute_not_exists(preview_ts)",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={
                    ":ts": to_value(preview_ts),
                    ":blocks": to_value(preview_blocks),
                    ":pending": to_value(PENDING),
                },
            )
            return True
        except ClientError as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                return False
            raise self._fail("mark preview posted", exc) from exc
        except BotoCoreError as exc:
            raise self._fail("mark preview posted", exc) from exc

    def set_request(self, incident_id: str, request_id: str, **fields: Any) -> None:
        self._update(_incident_pk(incident_id), f"REQUEST#{request_id}", fields)

    # -- runs --------------------------------------------------------------------------------------------
    def runs(self, incident_id: str) -> list[dict[str, Any]]:
        """Claimed attempts of an incident, in attempt order."""
        return self._query(incident_id, "RUN#")

    def next_attempt(self, incident_id: str) -> int:
        """1 + the highest attempt claimed so far."""
        return max((int(r.get("attempt", 0)) for r in self.runs(incident_id)), default=0) + 1

    def claim_run(self, incident_id: str, attempt: int, **fields: Any) -> Claimed:
        """Claim ``<incident_id>#<attempt>`` with a conditional write; only one caller ever wins."""
        item = {
            "pk": _incident_pk(incident_id),
            "sk": _run_sk(attempt),
            "key": idempotency_key(incident_id, attempt),
            "incident_id": incident_id,
            "attempt": attempt,
            "state": "running",
            "claimed_at": self._now(),
            **fields,
        }
        try:
            written, old = put_if(self.db, self.table, item, "attribute_not_exists(pk)")
        except (ClientError, BotoCoreError) as exc:
            raise self._fail("claim run", exc) from exc
        return Claimed(True, item) if written else Claimed(False, old or self.get_run(incident_id, attempt) or {})

    def get_run(self, incident_id: str, attempt: int) -> dict[str, Any] | None:
        return self._get(_incident_pk(incident_id), _run_sk(attempt))

    def finish_run(self, incident_id: str, attempt: int, **fields: Any) -> None:
        self._update(_incident_pk(incident_id), _run_sk(attempt), {**fields, "finished_at": self._now()})

    # -- launched runs (for the new run's own events) -----------------------------------------------------
    def put_launched(self, run_key: str, **fields: Any) -> None:
        item = {
            "pk": f"RUN#{run_key}",
            "sk": "LAUNCHED",
            "run_key": run_key,
            "launched_at": self._now(),
            **fields,
        }
        try:
            self.db.put_item(TableName=self.table, Item=_item(item))
        except (ClientError, BotoCoreError) as exc:
            raise self._fail("put launched run", exc) from exc

    def launched(self, run_key: str) -> dict[str, Any] | None:
        """Which incident, attempt and Slack thread launched run ``run_key`` (None: not one of ours)."""
        return self._get(f"RUN#{run_key}", "LAUNCHED")

    def mark_outcome(self, run_key: str, outcome: str) -> bool:
        """Record the final outcome of a launched run, once; False when it was already recorded."""
        try:
            self.db.update_item(
                TableName=self.table,
                Key=_item({"pk": f"RUN#{run_key}", "sk": "LAUNCHED"}),
                UpdateExpression="SET outcome = :o, outcome_at = :at",
                ConditionExpression="attribute_exists(pk) AND attribute_not_exists(outcome)",
                ExpressionAttributeValues={":o": to_value(outcome), ":at": to_value(self._now())},
            )
            return True
        except ClientError as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                return False
            raise self._fail("mark outcome", exc) from exc
        except BotoCoreError as exc:
            raise self._fail("mark outcome", exc) from exc

    # -- plumbing ------------------------------------------------------------------------------------------
    def _get(self, pk: str, sk: str) -> dict[str, Any] | None:
        try:
            out = self.db.get_item(TableName=self.table, Key=_item({"pk": pk, "sk": sk}), ConsistentRead=True)
        except (ClientError, BotoCoreError) as exc:
            raise self._fail("get", exc) from exc
        return _plain(out["Item"]) if "Item" in out else None

    def _query(self, incident_id: str, prefix: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "ConsistentRead": True,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {":pk": {"S": _incident_pk(incident_id)}, ":prefix": {"S": prefix}},
        }
        try:
            while True:
                out = self.db.query(**kwargs)
                items.extend(_plain(i) for i in out.get("Items", []))
                if "LastEvaluatedKey" not in out:
                    return items
                kwargs["ExclusiveStartKey"] = out["LastEvaluatedKey"]
        except (ClientError, BotoCoreError) as exc:
            raise self._fail("query", exc) from exc

    def _update(self, pk: str, sk: str, fields: dict[str, Any]) -> None:
        fields = {k: v for k, v in fields.items() if v is not None}
        if not fields:
            return
        try:
            self.db.update_item(
                TableName=self.table,
                Key=_item({"pk": pk, "sk": sk}),
                UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in fields),
                ExpressionAttributeNames={f"#{k}": k for k in fields},
                ExpressionAttributeValues={f":{k}": to_value(v) for k, v in fields.items()},
            )
        except (ClientError, BotoCoreError) as exc:
            raise self._fail("update", exc) from exc
