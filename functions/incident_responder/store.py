"""DynamoDB persistence of incidents: exactly-once claims, grouping by fingerprint, thread lookup.

Table (template.yaml ``IncidentsTable``): pk ``incident_id``; GSI ``by_fingerprint`` (``fingerprint``,
``created_at``) for repeats and similar past incidents; GSI ``by_thread`` (``thread_key`` =
``<channel>:<ts>``) to find the incident of a Slack thread; TTL on ``expires_at``.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import BotoCoreError, ClientError

from .aws import describe_error, error_code
from .errors import StoreError

__all__ = ["Claim", "Group", "IncidentStore", "from_item", "put_if", "thread_key", "to_item", "to_value"]

logger = logging.getLogger(__name__)
_ser = TypeSerializer()
_des = TypeDeserializer()


def thread_key(channel: str, ts: str) -> str:
    return f"{channel}:{ts}"


def to_item(d: dict[str, Any]) -> dict[str, Any]:
    """A plain dict as a DynamoDB item (low-level client shape); None values are left out."""
    return {k: _ser.serialize(v) for k, v in d.items() if v is not None}


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    """A DynamoDB item (low-level client shape) as a plain dict."""
    return {k: _des.deserialize(v) for k, v in item.items()}


def to_value(v: Any) -> dict[str, Any]:
    """One value in the low-level client's attribute shape ({"S": ...}, {"N": ...}, ...)."""
    return dict(_ser.serialize(v))


_item, _plain = to_item, from_item


def put_if(db: Any, table: str, item: dict[str, Any], condition: str, *, names: dict[str, str] | None = None,
           values: dict[str, Any] | None = None) -> tuple[bool, dict[str, Any]]:
    """The one DynamoDB claim: write ``item`` if ``condition`` holds.

    Returns (written, the item that was there before: the one replaced, or the one that kept the write
    out; ``{}`` when there was none). Other errors raise (ClientError/BotoCoreError): callers wrap them in
    their own error type.
    """
    kwargs: dict[str, Any] = {"TableName": table, "Item": to_item(item), "ConditionExpression": condition,
                              "ReturnValues": "ALL_OLD", "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
    if names:
        kwargs["ExpressionAttributeNames"] = names
    if values:
        kwargs["ExpressionAttributeValues"] = {k: to_value(v) for k, v in values.items()}
    try:
        out = db.put_item(**kwargs)
    except ClientError as exc:
        if error_code(exc) != "ConditionalCheckFailedException":
            raise
        raw: Any = exc.response.get("Item")
        return False, from_item(raw) if raw else {}
    return True, from_item(out.get("Attributes") or {})


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Claim:
    """Outcome of claiming an incident: ``new``, ``retry`` (an earlier attempt did not finish) or
    ``duplicate`` (already reported, or being reported right now by another delivery)."""

    state: str
    item: dict[str, Any]


@dataclass
class Group:
    """A failure fingerprint's window: ``first`` when this incident opened it; ``item`` holds
    ``root_channel``/``root_ts`` once the first report is posted, and the ``repeats`` count."""

    first: bool
    item: dict[str, Any]

    @property
    def root(self) -> tuple[str, str] | None:
        channel, ts = self.item.get("root_channel"), self.item.get("root_ts")
        return (str(channel), str(ts)) if channel and ts else None

    @property
    def repeats(self) -> int:
        return int(self.item.get("repeats") or 0)


def _group_key(fingerprint: str) -> str:
    return f"group#{fingerprint}"


class IncidentStore:
    """Incidents in DynamoDB. ``dynamodb`` is a boto3 DynamoDB client."""

    def __init__(self, dynamodb: Any, table: str, ttl_days: int = 90) -> None:
        self.db = dynamodb
        self.table = table
        self.ttl_days = ttl_days

    def _fail(self, what: str, exc: Exception) -> StoreError:
        logger.error("incident store failed", extra={"what": what, "error_code": error_code(exc)})
        return StoreError(f"{what} on {self.table}: {describe_error(exc)}")

    def claim(self, incident_id: str, fingerprint: str, event_id: str, lease_seconds: int = 300) -> Claim:
        """Claim the right to report an incident, once, whatever the number of deliveries.

        The claim is a lease: ``lease_seconds`` should end soon after the invocation's own deadline, so a
        retry after a timeout or an out-of-memory kill takes the incident over (state ``retry``) instead of
        finding it pending forever. ``duplicate`` is a report already posted, or one being made right now
        (``item["status"] == "pending"`` with a live lease).
        """
        now = _now()
        item = {"incident_id": incident_id, "fingerprint": fingerprint, "event_id": event_id,
                "status": "pending", "created_at": now.isoformat(), "lease_until": int(time.time()) + lease_seconds,
                "expires_at": int((now + timedelta(days=self.ttl_days)).timestamp())}
        try:
            written, old = put_if(self.db, self.table, item,
                                  "attribute_not_exists(incident_id) OR (#s = :pending AND lease_until < :now)",
                                  names={"#s": "status"}, values={":pending": "pending", ":now": int(time.time())})
        except (ClientError, BotoCoreError) as exc:
            raise self._fail("claim", exc) from exc
        if written:
            return Claim("retry" if old else "new", {**item, "previous": old} if old else item)
        return Claim("duplicate", old or self.get(incident_id) or {})

    def release(self, incident_id: str) -> None:
        """Give up a claim after a failure, so the retried delivery can report."""
        try:
            self.db.update_item(TableName=self.table, Key=_item({"incident_id": incident_id}),
                                UpdateExpression="SET lease_until = :zero",
                                ConditionExpression="#s = :pending",
                                ExpressionAttributeNames={"#s": "status"},
                                ExpressionAttributeValues={":zero": {"N": "0"}, ":pending": {"S": "pending"}})
        except (ClientError, BotoCoreError) as exc:
            logger.warning("could not release incident claim", extra={"incident_id": incident_id,
                                                                       "error_code": error_code(exc)})

    # -- grouping: one top-level report per failure fingerprint and window -----------------------------
    def open_group(self, fingerprint: str, incident_id: str, window_minutes: int) -> Group:
        """Become the first report of ``fingerprint``'s window, atomically, or count as a repeat of it.

        One conditional write: the first incident of a window owns the group (``first``); any other,
        even one arriving at the same instant, is a repeat (``first`` False) and gets the group as it
        stands (its root message once the first report is posted, and the repeat count). A window that
        ended is opened again by the next failure.
        """
        now = int(time.time())
        item = {"incident_id": _group_key(fingerprint), "kind": "group", "fingerprint": fingerprint,
                "root_incident": incident_id, "repeats": 0, "opened_at": now,
                "window_until": now + window_minutes * 60,
                "expires_at": now + max(window_minutes * 60, 3600) + 86400}
        if window_minutes <= 0:  # no grouping: every failure is a report of its own
            return Group(first=True, item={})
        try:
            written, old = put_if(self.db, self.table, item,
                                  "attribute_not_exists(incident_id) OR window_until <= :now OR root_incident = :me",
                                  values={":now": now, ":me": incident_id})
            if written:
                return Group(first=True, item=item)
            out = self.db.update_item(
                TableName=self.table, Key=_item({"incident_id": _group_key(fingerprint)}),
                UpdateExpression="ADD repeats :one", ConditionExpression="attribute_exists(incident_id)",
                ExpressionAttributeValues={":one": {"N": "1"}}, ReturnValues="ALL_NEW")
        except (ClientError, BotoCoreError) as exc:
            raise self._fail("open group", exc) from exc
        return Group(first=False, item=_plain(out.get("Attributes") or old))

    def group(self, fingerprint: str) -> dict[str, Any] | None:
        return self.get(_group_key(fingerprint))

    def group_root(self, fingerprint: str, *, channel: str, ts: str) -> None:
        """Record where the group's first report is, so its repeats thread under it."""
        self.update(_group_key(fingerprint), root_channel=channel, root_ts=ts)

    def get(self, incident_id: str) -> dict[str, Any] | None:
        try:
            out = self.db.get_item(TableName=self.table, Key=_item({"incident_id": incident_id}),
                                   ConsistentRead=True)
        except (ClientError, BotoCoreError) as exc:
            raise self._fail("get", exc) from exc
        return _plain(out["Item"]) if "Item" in out else None

    def recent(self, fingerprint: str, since: datetime, limit: int = 10) -> list[dict[str, Any]]:
        """Incidents with this fingerprint created since ``since``, newest first."""
        try:
            out = self.db.query(
                TableName=self.table, IndexName="by_fingerprint",
                KeyConditionExpression="fingerprint = :fp AND created_at >= :since",
                ExpressionAttributeValues={":fp": {"S": fingerprint}, ":since": {"S": since.isoformat()}},
                ScanIndexForward=False, Limit=limit)
        except (ClientError, BotoCoreError) as exc:
            raise self._fail("query by fingerprint", exc) from exc
        return [_plain(i) for i in out.get("Items", [])]

    def by_thread(self, channel: str, ts: str) -> dict[str, Any] | None:
        """The incident whose report (or grouped repeat) is the root of this Slack thread."""
        try:
            out = self.db.query(TableName=self.table, IndexName="by_thread",
                                KeyConditionExpression="thread_key = :k",
                                ExpressionAttributeValues={":k": {"S": thread_key(channel, ts)}}, Limit=5)
        except (ClientError, BotoCoreError) as exc:
            raise self._fail("query by thread", exc) from exc
        items = [_plain(i) for i in out.get("Items", [])]
        items.sort(key=lambda i: i.get("created_at", ""))
        return items[0] if items else None

    def save_report(self, incident_id: str, report: dict[str, Any], *, channel: str, ts: str | None,
                    thread_ts: str | None, status: str = "posted", group_root: tuple[str, str] | None = None,
                    **extra: Any) -> None:
        """Record the posted report and where it is in Slack. ``group_root`` (fingerprint, category): this
        report opened its failure's group, whose item gets the root message in the same transaction."""
        root = thread_ts or ts or ""
        values = {":s": status, ":r": json.dumps(report, default=str), ":c": channel, ":ts": ts, ":root": root,
                  ":tk": thread_key(channel, root), ":at": _now().isoformat()}
        extra = {k: v for k, v in extra.items() if v is not None}
        values.update({f":{k}": v for k, v in extra.items()})
        sets = ["#s = :s", "report = :r", "channel = :c", "slack_ts = :ts", "thread_ts = :root",
                "thread_key = :tk", "posted_at = :at", *[f"#{k} = :{k}" for k in extra]]
        # Extra names go through placeholders: some (``source``) are DynamoDB reserved words.
        names = {"#s": "status", **{f"#{k}": k for k in extra}}
        update = {"TableName": self.table, "Key": _item({"incident_id": incident_id}),
                  "UpdateExpression": "SET " + ", ".join(sets), "ExpressionAttributeNames": names,
                  "ExpressionAttributeValues": {k: _ser.serialize(v) for k, v in values.items()}}
        try:
            if group_root is None:
                self.db.update_item(**update)
                return
            fingerprint, category = group_root
            self.db.transact_write_items(TransactItems=[
                {"Update": update},
                {"Update": {"TableName": self.table, "Key": _item({"incident_id": _group_key(fingerprint)}),
                            "UpdateExpression": "SET root_channel = :c, root_ts = :ts, root_category = :cat",
                            "ExpressionAttributeValues": _item({":c": channel, ":ts": root, ":cat": category})}},
            ])
        except (ClientError, BotoCoreError) as exc:
            raise self._fail("save report", exc) from exc

    def update(self, incident_id: str, **fields: Any) -> None:
        names = {f"#{k}": k for k in fields}
        try:
            self.db.update_item(TableName=self.table, Key=_item({"incident_id": incident_id}),
                                UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in fields),
                                ExpressionAttributeNames=names,
                                ExpressionAttributeValues={f":{k}": _ser.serialize(v) for k, v in fields.items()})
        except (ClientError, BotoCoreError) as exc:
            raise self._fail("update", exc) from exc

    # -- Slack deliveries (exactly-once ingress) ---------------------------------------------------
    # A Slack message or button click is claimed under ``slack#<key>`` in this table: the ingress
    # function's rights are scoped to it, and the items expire (TTL) long after Slack stops retrying.
    # They carry no fingerprint or thread_key, so they never appear in the indexes.

    def claim_delivery(self, key: str, *, event_id: str = "", ttl_seconds: int = 86400) -> bool:
        """Claim a Slack delivery once; False when it was already claimed (a retry or a duplicate)."""
        now = int(time.time())
        item = {"incident_id": f"slack#{key}", "kind": "slack_delivery", "event_id": event_id or None,
                "status": "queued", "received_at": _now().isoformat(), "expires_at": now + ttl_seconds}
        try:
            return put_if(self.db, self.table, item, "attribute_not_exists(incident_id)")[0]
        except (ClientError, BotoCoreError) as exc:
            raise self._fail("claim delivery", exc) from exc

    def release_delivery(self, key: str) -> None:
        """Forget a claim whose enqueue failed, so Slack's retry of the same delivery goes through."""
        try:
            self.db.delete_item(TableName=self.table, Key=_item({"incident_id": f"slack#{key}"}))
        except (ClientError, BotoCoreError) as exc:
            logger.warning("could not release delivery claim",
                           extra={"key": key, "error_code": error_code(exc)})

    def delivery(self, key: str) -> dict[str, Any] | None:
        """The claim of a Slack delivery (``status`` queued or answered), or None."""
        return self.get(f"slack#{key}")

    def mark_delivery(self, key: str, status: str, ttl_seconds: int = 86400) -> None:
        """Record how a claimed delivery ended (``answered``): a redelivered message is not answered twice."""
        self.update(f"slack#{key}", status=status, kind="slack_delivery",
                    expires_at=int(time.time()) + ttl_seconds)
