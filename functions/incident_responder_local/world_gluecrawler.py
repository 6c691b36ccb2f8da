"""The local world's Glue crawlers: ``world.yaml`` ``glue: {crawlers: [...]}``, GetCrawler ``Crawler`` answers.

A crawler is made through the ordinary API (CreateCrawler) and then answers GetCrawler with exactly the
world's Crawler: moto's crawlers never crawl, so a ``LastCrawl`` that FAILED (its ErrorMessage, log
group and stream) cannot be reached through the API. A crawler's ``crawls`` (optional: ListCrawls
``Crawls`` answers, its crawl history) become moto's own crawl records, which ListCrawls lists and filters
(by ``State``, times); each answers with exactly the world's crawl (moto's records have no Summary or
ErrorMessage).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .world import convert_times, to_datetime

if TYPE_CHECKING:
    import boto3

    from .world import World

__all__ = ["load"]

_TIMES = {"StartTime", "EndTime", "CreationTime", "LastUpdated"}


def load(session: boto3.Session, world: World) -> None:
    crawlers = (world.data.get("glue") or {}).get("crawlers") or []
    if not crawlers:
        return
    from moto.glue.models import FakeCrawl, glue_backends

    backend = glue_backends[world.account][world.region]
    glue = session.client("glue", region_name=world.region)
    for crawler in crawlers:
        kwargs: dict[str, Any] = {"Name": crawler["Name"],
                                  "Role": crawler.get("Role") or f"arn:aws:iam::{world.account}:role/glue-crawler",
                                  "Targets": crawler.get("Targets") or {"S3Targets": [{"Path": "s3://data/"}]}}
        if crawler.get("DatabaseName"):
            kwargs["DatabaseName"] = crawler["DatabaseName"]
        glue.create_crawler(**kwargs)
        answer = convert_times({k: v for k, v in crawler.items() if k != "crawls"}, _TIMES, to_datetime)
        fake = backend.crawlers[crawler["Name"]]
        original = fake.as_dict

        def as_dict(original: Any = original, answer: dict[str, Any] = answer) -> dict[str, Any]:
            # The world's crawler until a StartCrawler (a redrive) changes moto's own state.
            now = original()
            return dict(answer) if now.get("State") == "READY" else {**answer, "State": now.get("State")}

        fake.as_dict = as_dict  # type: ignore[method-assign]
        for crawl in crawler.get("crawls") or []:
            fake.crawls.append(_crawl(FakeCrawl(crawler["Name"]), convert_times(crawl, _TIMES, to_datetime)))


def _crawl(made: Any, answer: dict[str, Any]) -> Any:
    """Moto's crawl record with the world's id, state and times; it lists as the world's crawl."""
    made.crawl_id = str(answer.get("CrawlId") or made.crawl_id)
    made.status = str(answer.get("State") or "COMPLETED")
    made.start_time = answer.get("StartTime") or made.start_time
    made.end_time = answer.get("EndTime")
    made.as_dict = lambda: dict(answer)
    return made
