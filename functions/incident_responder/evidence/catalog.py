"""Pipeline context: the catalog entry for a resource, tags as a fallback, Glue Data Catalog metadata.

The catalog (a DynamoDB table) maps resource ARNs or ARN prefixes to a pipeline; the longest matching
prefix wins. Resources with no entry can carry tags instead: ``pipeline``, ``owner``,
``slack-channel`` and ``runbook``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from ..aws import describe_error
from ..model import Pipeline

if TYPE_CHECKING:
    from ..sources.base import Collector

__all__ = ["catalog_entries", "find_pipeline", "pipeline_from_item", "pipeline_from_tags", "resource_tags",
           "table_metadata"]

logger = logging.getLogger(__name__)

MAX_DATASETS = 3


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


def find_pipeline(entries: list[dict[str, Any]], arns: list[str]) -> Pipeline | None:
    """The entry whose resource ARN or prefix matches one of ``arns``; the longest prefix wins."""
    best: tuple[int, dict[str, Any]] | None = None
    for item in entries:
        for prefix in item.get("resources") or []:
            prefix = str(prefix)
            if any(arn == prefix or arn.startswith(prefix) for arn in arns) and (
                    best is None or len(prefix) > best[0]):
                best = (len(prefix), item)
    return pipeline_from_item(best[1]) if best else None


def pipeline_from_tags(tags: dict[str, str]) -> Pipeline | None:
    low = {k.lower(): v for k, v in tags.items()}
    name = low.get("pipeline")
    if not name:
        return None
    return Pipeline(name=name, owner=low.get("owner"), runbook=low.get("runbook"),
                    slack_channel=low.get("slack-channel") or low.get("slack_channel"),
                    criticality=low.get("criticality"))


def resource_tags(c: Collector, arn: str) -> dict[str, str]:
    """Tags of a resource by its ARN, through the owning service's own tag API."""
    service = arn.split(":")[2] if arn.count(":") >= 5 else ""
    if service == "states":
        out = c.call("ListTagsForResource", c.client("stepfunctions").list_tags_for_resource, resourceArn=arn)
        return {t["key"]: t["value"] for t in (out or {}).get("tags", [])}
    if service == "ecs":
        out = c.call("ListTagsForResource", c.client("ecs").list_tags_for_resource, resourceArn=arn)
        return {t["key"]: t["value"] for t in (out or {}).get("tags", [])}
    if service == "glue":
        out = c.call("GetTags", c.client("glue").get_tags, ResourceArn=arn)
        return dict((out or {}).get("Tags", {}))
    if service == "batch":
        out = c.call("ListTagsForResource", c.client("batch").list_tags_for_resource, resourceArn=arn)
        return dict((out or {}).get("tags", {}))
    if service == "elasticmapreduce":
        tags = c.context.get("emr_cluster_tags")
        return {t["Key"]: t["Value"] for t in tags or []}
    return {}


def table_metadata(c: Collector, datasets: list[str]) -> None:
    """Glue Data Catalog facts for the pipeline's datasets (``db.table``): location, last update."""
    glue = c.client("glue")
    seen = {e.facts.get("dataset") for e in c.book.items if e.kind == "catalog"}
    for ds in datasets[:MAX_DATASETS]:
        if "." not in ds or ds in seen:
            continue
        db, table = ds.split(".", 1)
        try:
            t = glue.get_table(DatabaseName=db, Name=table)["Table"]
        except (ClientError, BotoCoreError) as exc:
            c.book.gap(f"Glue Data Catalog table {ds}: {describe_error(exc)}")
            continue
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
        c.add("catalog", "glue:GetTable", ", ".join(parts), updated, dataset=ds,
              location=sd.get("Location", ""))
