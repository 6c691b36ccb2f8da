"""The pipeline catalog at 10,000 entries: AWS calls per event (cold, warm) and lookup cost against 10 entries.

The analyzer reads the catalog once per CATALOG_CACHE_SECONDS in a warm function and looks a resource up in
an index by ARN prefix, so neither the calls nor the lookup grow with the number of pipelines. Figures are
call counts and ratios of two lookups timed in this process.
"""

from __future__ import annotations

import os
import time

from _common import emit
from incident_responder.aws import AwsContext, api_calls, reset_api_calls
from incident_responder.evidence.catalog import cached_catalog, clear_catalog_cache

N = 10_000
LOOKUPS = 3_000
REGION = "eu-west-1"


def _entries(n: int) -> list[dict[str, object]]:
    return [{"pipeline": f"pipeline-{i:05d}", "owner": f"team-{i % 40}", "slack_channel": f"#alerts-{i % 40}",
             "resources": [f"arn:aws:states:{REGION}:123456789012:stateMachine:sm-{i:05d}",
                           f"arn:aws:glue:{REGION}:123456789012:job/job-{i:05d}"]} for i in range(n)]


def _lookup_seconds(index: object, n: int) -> float:
    arns = [f"arn:aws:states:{REGION}:123456789012:execution:sm-{i % n:05d}:run-{i}" for i in range(LOOKUPS)]
    started = time.perf_counter()
    for arn in arns:
        index.find([arn.replace(":execution:", ":stateMachine:").rsplit(":", 1)[0], arn])  # type: ignore[attr-defined]
    return time.perf_counter() - started


def main() -> None:
    os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_DEFAULT_REGION": REGION})
    from moto import mock_aws

    with mock_aws():
        aws = AwsContext(region=REGION)
        ddb = aws.client("dynamodb")
        import boto3

        for table, n in (("catalog-big", N), ("catalog-small", 10)):
            ddb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                             AttributeDefinitions=[{"AttributeName": "pipeline", "AttributeType": "S"}],
                             KeySchema=[{"AttributeName": "pipeline", "KeyType": "HASH"}])
            with boto3.resource("dynamodb", region_name=REGION).Table(table).batch_writer() as batch:
                for item in _entries(n):
                    batch.put_item(Item=item)
        clear_catalog_cache()
        reset_api_calls()
        big = cached_catalog(ddb, "catalog-big", 60)
        cold = sum(api_calls().values())
        reset_api_calls()
        cached_catalog(ddb, "catalog-big", 60)
        warm = sum(api_calls().values())
        small = cached_catalog(ddb, "catalog-small", 60)
        assert big.size == N and small.size == 10
        ratio = min(_lookup_seconds(big, N) for _ in range(3)) / min(_lookup_seconds(small, 10) for _ in range(3))
    emit("catalog_calls_per_event_cold_10k", cold, "calls", None, None, entries=N, note="Scan pages")
    emit("catalog_calls_per_event_warm_10k", warm, "calls", None, 0, entries=N)
    emit("catalog_lookup_ratio_10k_vs_10", round(ratio, 3), "ratio", None, 1.5, lookups=LOOKUPS)


if __name__ == "__main__":
    main()
