"""The catalog index: the longest ARN prefix wins, a warm function reads the table once per TTL."""

from __future__ import annotations

from typing import Any

from incident_responder.evidence.catalog import CatalogIndex, cached_catalog, clear_catalog_cache

SM = "arn:aws:states:eu-west-1:123456789012:stateMachine:orders"


def test_the_longest_prefix_wins_whatever_the_order() -> None:
    entries = [{"pipeline": "all-of-eu", "resources": ["arn:aws:states:eu-west-1:123456789012:"]},
               {"pipeline": "orders", "resources": [SM]},
               {"pipeline": "orders-family", "resources": ["arn:aws:states:eu-west-1:123456789012:stateMachine:ord"]}]
    for ordered in (entries, entries[::-1]):
        index = CatalogIndex(ordered)
        assert index.find([SM]).name == "orders"  # type: ignore[union-attr]
        assert index.find([SM + "-v2"]).name == "orders"  # type: ignore[union-attr]
        assert index.find([SM.replace("orders", "ordinal")]).name == "orders-family"  # type: ignore[union-attr]
        assert index.find(["arn:aws:states:eu-west-1:123456789012:stateMachine:x"]).name == "all-of-eu"  # type: ignore[union-attr]
        assert index.find(["arn:aws:glue:us-east-1:1:job/x"]) is None


def test_the_best_match_over_several_arns() -> None:
    index = CatalogIndex([{"pipeline": "cluster", "resources": ["arn:aws:ecs:eu-west-1:1:cluster/etl"]},
                          {"pipeline": "family", "resources": ["arn:aws:ecs:eu-west-1:1:task-definition/loader"]}])
    found = index.find(["arn:aws:ecs:eu-west-1:1:task-definition/loader:7", "arn:aws:ecs:eu-west-1:1:cluster/etl"])
    assert found is not None and found.name == "family"


class CountingDynamoDB:
    def __init__(self, items: list[dict[str, Any]]) -> None:
        self.items, self.scans = items, 0

    def scan(self, **_: Any) -> dict[str, Any]:
        self.scans += 1
        return {"Items": [{"pipeline": {"S": i["pipeline"]}, "resources": {"L": [{"S": r} for r in i["resources"]]}}
                          for i in self.items]}


def test_a_warm_function_reads_the_catalog_once_per_ttl() -> None:
    clear_catalog_cache()
    ddb = CountingDynamoDB([{"pipeline": "orders", "resources": [SM]}])
    assert cached_catalog(ddb, "catalog", 60, now=100.0).find([SM]) is not None
    cached_catalog(ddb, "catalog", 60, now=159.0)
    assert ddb.scans == 1
    ddb.items.append({"pipeline": "new", "resources": ["arn:aws:glue:eu-west-1:1:job/new"]})
    assert cached_catalog(ddb, "catalog", 60, now=161.0).find(["arn:aws:glue:eu-west-1:1:job/new"]) is not None
    assert ddb.scans == 2
    cached_catalog(ddb, "catalog", 0, now=161.5)
    assert ddb.scans == 3  # a TTL of 0 reads the table for every event
    clear_catalog_cache()
