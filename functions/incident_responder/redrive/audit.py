"""The redrive audit trail and its exactly-once guards, in the audit table (AUDIT_TABLE).

Table (template.yaml ``AuditTable``): ``pk``/``sk`` strings. Items:

- ``INCIDENT#<incident_id>`` / ``REQUEST#<request_id>``: a redrive request: who asked, when, the plan
  (exactly what runs), the approval deadline (``approval_expires_at``, epoch seconds), its ``status``
  (pending → approved | cancelled | expired) and who decided. Status changes are conditional
  updates from ``pending``, so two clicks cannot both decide.
- ``INCIDENT#<incident_id>`` / ``RUN#<attempt>``: the idempotency claim of ``<incident_id>#<attempt>``,
  written with ``attribute_not_exists`` before the re-run is started: whatever the number of clicks,
  Slack retries or invocations, one claim wins and only its holder calls AWS. It then holds the result.
- ``INCIDENT#<incident_id>`` / ``AUDIT#<time>#<kind>#<id>``: one line of the audit trail for every
  request, approval, rejection, cancellation, expiry, execution and outcome: who, when, what, result.
- ``RUN#<run key>`` / ``LAUNCHED``: which incident, attempt and Slack thread launched a run, so the
  new run's own EventBridge event is reported in that thread (the analyzer looks it up).

Audit items carry no ``expires_at``: the table's TTL never removes them.
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
from ..store import from_item, to_item, to_value

__all__ = ["AuditStore", "Claimed", "idempotency_key"]

logger = logging.getLogger(__name__)


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

    def decide(
        self,
        incident_id: str,
        request_id: str,
        status: str,
        *,
        by: str,
        now_epoch: int,
        require_unexpired: bool,
    ) -> tuple[bool, dict[str, Any]]:
        """Move a pending request to ``status`` (approved, cancelled, expired), once.

        With ``require_unexpired`` the move only happens before the approval deadline. Returns
        (True, the updated item) or (False, the item as it is).
        """
        cond = "#s = :pending"
        values: dict[str, Any] = {":pending": "pending", ":status": status, ":by": by, ":at": self._now()}
        if require_unexpired:
            cond += " AND approval_expires_at > :now"
            values[":now"] = now_epoch
        try:
            out = self.db.update_item(
                TableName=self.table,
                Key=_item({"pk": _incident_pk(incident_id), "sk": f"REQUEST#{request_id}"}),
                UpdateExpression="SET #s = :status, decided_by = :by, decided_at = :at",
                ConditionExpression=f"attribute_exists(pk) AND {cond}",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={k: to_value(v) for k, v in values.items()},
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
            return True, _plain(out["Attributes"])
        except ClientError as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise self._fail("decide request", exc) from exc
            raw: Any = exc.response.get("Item")
            return False, _plain(raw) if raw else (self.get_request(incident_id, request_id) or {})
        except BotoCoreError as exc:
            raise self._fail("decide request", exc) from exc

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
            self.db.put_item(
                TableName=self.table,
                Item=_item(item),
                ConditionExpression="attribute_not_exists(pk)",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
            return Claimed(True, item)
        except ClientError as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise self._fail("claim run", exc) from exc
            raw: Any = exc.response.get("Item")
            return Claimed(False, _plain(raw) if raw else (self.get_run(incident_id, attempt) or {}))
        except BotoCoreError as exc:
            raise self._fail("claim run", exc) from exc

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
