"""Pipeline context: the catalog entry for a resource, tags as a fallback, Glue Data Catalog metadata.

The catalog (a DynamoDB table) maps resource ARNs or ARN prefixes to a pipeline; the longest matching
prefix wins. Resources with no entry can carry tags instead: ``pipeline``, ``owner``, ``slack-channel``
and ``runbook``. An entry may also claim whole accounts (``accounts: ["111122223333"]``, or a resource
``arn:aws:*:*:111122223333:``): a resource that neither an entry nor its tags place goes to its
account's entry.
"""

from __future__ import annotations

import logging
import re
import time
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from ..aws import describe_error
from ..model import Pipeline

if TYPE_CHECKING:
    from ..sources.base import Collector

__all__ = ["CatalogIndex", "cached_catalog", "catalog_entries", "clear_catalog_cache", "find_pipeline",
           "pipeline_from_item", "pipeline_from_tags", "table_metadata"]

logger = logging.getLogger(__name__)

MAX_DATASETS = 3
MAX_COLUMNS = 1000  # the columns of a table kept for the column check; a wide table's rest is not read
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_]+")  # a table name that is its own pattern in a GetTables expression


def pipeline_from_item(item: dict[str, Any]) -> Pipeline:
    def as_list(v: Any) -> list[str]:
        if v is None:
            return []
        return [str(x) for x in (v if isinstance(v, (list, set, tuple)) else str(v).split(","))]

    return Pipeline(
        name=str(item.get("pipeline")), owner=item.get("owner"), runbook=item.get("runbook"),
        slack_channel=item.get("slack_channel"), criticality=item.get("criticality"),
        datasets=as_list(item.get("datasets")), approvers=as_list(item.get("approvers")),
        idempotent=str(item.get("idempotent", True)).lower() not in {"false", "0", "no"},
    )


def catalog_entries(dynamodb: Any, table: str) -> list[dict[str, Any]]:
    """Every catalog item (the catalog is small: one item per pipeline)."""
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"TableName": table}
    from boto3.dynamodb.types import TypeDeserializer

    des = TypeDeserializer()
    while True:
        page = dynamodb.scan(**kwargs)
        items.extend({k: des.deserialize(v) for k, v in it.items()} for it in page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


class CatalogIndex:
    """Catalog entries by resource ARN or prefix. A lookup tries each prefix of the ARN itself, so its
    cost depends on the ARN's length, not on how many pipelines the catalog holds."""

    def __init__(self, entries: list[dict[str, Any]]) -> None:
        self.size = len(entries)
        self._by_prefix: dict[str, dict[str, Any]] = {}
        self._by_account: dict[str, dict[str, Any]] = {}
        for item in entries:
            for prefix in item.get("resources") or []:
                account = _whole_account(str(prefix))
                if account:
                    self._by_account.setdefault(account, item)
                else:
                    self._by_prefix.setdefault(str(prefix), item)
            for account in item.get("accounts") or []:
                self._by_account.setdefault(str(account), item)

    def find(self, arns: list[str]) -> Pipeline | None:
        """The entry whose resource ARN or prefix matches one of ``arns``; the longest prefix wins."""
        best: tuple[int, dict[str, Any]] | None = None
        for arn in arns:
            for end in range(len(arn), best[0] if best else 0, -1):
                item = self._by_prefix.get(arn[:end])
                if item is not None:
                    best = (end, item)
                    break
        return pipeline_from_item(best[1]) if best else None

    def for_account(self, arns: list[str]) -> Pipeline | None:
        """The entry that claims the whole account of one of ``arns`` (``accounts`` or ``arn:aws:*:*:<id>:``)."""
        for arn in arns:
            parts = arn.split(":")
            item = self._by_account.get(parts[4]) if len(parts) > 4 and parts[0] == "arn" else None
            if item is not None:
                return pipeline_from_item(item)
        return None


def _whole_account(prefix: str) -> str:
    """The account of a catalog resource that names a whole account (``arn:aws:*:*:<account>:``), or ""."""
    parts = prefix.split(":")
    if len(parts) >= 5 and parts[0] == "arn" and parts[2] == "*" and parts[3] in ("*", "") and parts[4].isdigit() \
            and all(p == "" for p in parts[5:]):
        return parts[4]
    return ""


def find_pipeline(entries: list[dict[str, Any]], arns: list[str]) -> Pipeline | None:
    """The entry whose resource ARN or prefix matches one of ``arns``; the longest prefix wins."""
    return CatalogIndex(entries).find(arns)


_CACHE: dict[tuple[str, str], tuple[float, CatalogIndex]] = {}


def cached_catalog(dynamodb: Any, table: str, ttl_seconds: int, now: float | None = None) -> CatalogIndex:
    """The catalog as an index, read once per ``ttl_seconds`` in a warm function (0: every call).

    The catalog changes when a team adds a pipeline, not per event: a warm analyzer does not scan the
    table for every failure of a storm. Raises what the Scan raises (the caller records the gap).
    """
    clock = time.monotonic() if now is None else now
    key = (table, str(getattr(getattr(dynamodb, "meta", None), "endpoint_url", "")))
    hit = _CACHE.get(key)
    if hit is not None and ttl_seconds > 0 and clock < hit[0]:
        return hit[1]
    index = CatalogIndex(catalog_entries(dynamodb, table))
    _CACHE[key] = (clock + ttl_seconds, index)
    return index


def clear_catalog_cache() -> None:
    _CACHE.clear()


def pipeline_from_tags(tags: dict[str, str]) -> Pipeline | None:
    low = {k.lower(): v for k, v in tags.items()}
    name = low.get("pipeline")
    if not name:
        return None
    return Pipeline(name=name, owner=low.get("owner"), runbook=low.get("runbook"),
                    slack_channel=low.get("slack-channel") or low.get("slack_channel"),
                    criticality=low.get("criticality"))


def table_metadata(c: Collector, datasets: list[str]) -> None:
    """Glue Data Catalog facts for the pipeline's datasets (``db.table``): location, last update. Tables of
    one database are read with one GetTables call (its expression names them), a lone table with GetTable."""
    glue = c.client("glue")
    seen = {e.facts.get("dataset") for e in c.book.items if e.kind == "catalog"}
    by_db: dict[str, list[str]] = {}
    for ds in datasets[:MAX_DATASETS]:
        if "." in ds and ds not in seen:
            db, table = ds.split(".", 1)
            by_db.setdefault(db, []).append(table)
    for db, tables in by_db.items():
        batched = len(tables) > 1 and all(_PLAIN_NAME.fullmatch(t) for t in tables)
        try:
            if batched:
                listed = glue.get_tables(DatabaseName=db, Expression=f"^(?:{'|'.join(tables)})$")["TableList"]
                found = {str(t.get("Name", "")).lower(): t for t in listed}
            else:
                found = {}
                for table in tables:
                    try:
                        found[table.lower()] = glue.get_table(DatabaseName=db, Name=table)["Table"]
                    except ClientError as exc:
                        c.book.gap(f"Glue Data Catalog table {db}.{table}: {describe_error(exc)}")
                        found[table.lower()] = None
        except (ClientError, BotoCoreError) as exc:
            for table in tables:
                c.book.gap(f"Glue Data Catalog table {db}.{table}: {describe_error(exc)}")
            continue
        for table in tables:
            t = found.get(table.lower(), {})
            if t is None:
                continue  # its GetTable error is a gap already
            if not t:
                c.book.gap(f"Glue Data Catalog table {db}.{table}: not found in database {db} (glue:GetTables)")
                continue
            _table_fact(c, f"{db}.{table}", t, "glue:GetTables" if batched else "glue:GetTable")


def _table_fact(c: Collector, ds: str, t: dict[str, Any], call: str) -> None:
    sd = t.get("StorageDescriptor") or {}
    parts = [f"Glue table {ds}"]
    if sd.get("Location"):
        parts.append(f"location {sd['Location']}")
    updated = t.get("UpdateTime") or t.get("CreateTime")
    if updated:
        parts.append(f"last updated {updated:%Y-%m-%d %H:%M UTC}" if hasattr(updated, "strftime")
                     else f"last updated {updated}")
    keys = [k.get("Name") for k in t.get("PartitionKeys") or []]
    if keys:
        parts.append(f"partitioned by {', '.join(k for k in keys if k)}")
    fmt = (sd.get("SerdeInfo") or {}).get("SerializationLibrary") or sd.get("InputFormat")
    if fmt:
        parts.append(f"format {fmt.split('.')[-1]}")
    # The columns the table defines, by lower-case name (Athena's and Glue's names are case-insensitive): the
    # column check (evidence/columns.py) asks whether a column a query could not resolve is one of them.
    defined = [*(sd.get("Columns") or []), *(t.get("PartitionKeys") or [])][:MAX_COLUMNS]
    columns = {str(col["Name"]).lower(): str(col.get("Type", "")) for col in defined if col.get("Name")}
    c.add("catalog", call, ", ".join(parts), updated, dataset=ds, location=sd.get("Location", ""), columns=columns)
