"""Glue crawlers: "Glue Crawler State Change" Failed.

Evidence: the event's ``errorMessage``; GetCrawler (``LastCrawl``: status, error message, its log group
and stream, start time; the crawler's role, targets, database and schedule); the crawl's lines in
``/aws-glue/crawlers`` (the stream is named after the crawler; the crawl's lines start with its
``MessagePrefix``).

Started and Succeeded are not reported.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote

from ...errors import MalformedEvent
from ...model import Incident, Link, Resource, Skip, iso
from ..base import console_log_url, parse_time, region_and_account, shorten
from .spec import GlueCrawlerSpec

if TYPE_CHECKING:
    from ..base import Collector

__all__ = ["GlueCrawlerEvidence", "crawler_url"]

REPORTED = {"Failed"}
DEFAULT_LOG_GROUP = "/aws-glue/crawlers"
_MAX_CRAWL_HOURS = 24


def crawler_url(region: str, name: str) -> str:
    return (f"https://{region}.console.aws.amazon.com/glue/home?region={region}"
            f"#/v2/data-catalog/crawlers/view/{quote(name, safe='')}")


def crawler_arn(region: str, account: str, name: str) -> str:
    return f"arn:aws:glue:{region}:{account}:crawler/{name}"


def _targets(targets: dict[str, Any]) -> list[str]:
    found = [str(t.get("Path")) for t in targets.get("S3Targets") or [] if t.get("Path")]
    found += [f"JDBC {t.get('ConnectionName')}:{t.get('Path')}" for t in targets.get("JdbcTargets") or []]
    found += [f"DynamoDB {t.get('Path')}" for t in targets.get("DynamoDBTargets") or []]
    found += [f"catalog {t.get('DatabaseName')}.{','.join(t.get('Tables') or [])}"
              for t in targets.get("CatalogTargets") or []]
    found += [f"Delta {p}" for t in targets.get("DeltaTargets") or [] for p in t.get("DeltaTables") or []]
    return found


class GlueCrawlerEvidence:
    """Parsing of the service's events and collection of its evidence (the adapter's first half)."""

    name: ClassVar[str]

    def parse(self, event: dict[str, Any]) -> Incident | Skip:
        detail = event.get("detail") or {}
        crawler, state = detail.get("crawlerName"), detail.get("state")
        if not crawler or not state:
            raise MalformedEvent("Glue crawler event without detail.crawlerName or detail.state")
        region, account = region_and_account(event, "Glue crawler")
        if state not in REPORTED:
            return Skip(f"crawler state {state} is not a failure")
        arn = crawler_arn(region, account, crawler)
        return Incident(source=self.name, event_id=str(event.get("id", "")), detail_type=event["detail-type"],
                        region=region, account=account,
                        resource=Resource(arn=arn, name=str(crawler), run_id=str(event.get("time") or "")),
                        status=state.upper(), event_time=event.get("time"), stopped_at=iso(event.get("time")),
                        catalog_arns=[arn], detail=detail)

    def collect(self, c: Collector) -> None:
        inc = c.incident
        name = inc.resource.name
        message = str(inc.detail.get("errorMessage") or "")
        c.context.update(crawler_name=name, what=f"Glue crawler {name}", status_phrase="failed",
                         error_message=shorten(message, 300) if message else "?")
        c.links.append(Link("Crawler in the Glue console", crawler_url(inc.region, name)))
        crawler = (c.call(f"GetCrawler {name}", c.client("glue").get_crawler, Name=name) or {}).get("Crawler")
        last = (crawler or {}).get("LastCrawl") or {}
        error = str(last.get("ErrorMessage") or "")
        if message and message != error:
            c.add("job", "events:Glue Crawler State Change", f"Crawler Failed: {message}", inc.event_time,
                  status="FAILED", error_message=message)
        if crawler:
            self._crawler(c, crawler, last)
        elif not message:
            c.add("job", "events:Glue Crawler State Change", f"Crawler {name} Failed (no error message in the event)",
                  inc.event_time, status="FAILED", error_message="")
        self._logs(c, name, last)
        c.context["redrive"] = GlueCrawlerSpec(service="glue-crawler", Name=name, state=inc.status,
                                               crawl_started=iso(last.get("StartTime")) or "")

    def _crawler(self, c: Collector, crawler: dict[str, Any], last: dict[str, Any]) -> None:
        inc = c.incident
        error = str(last.get("ErrorMessage") or "")
        started = parse_time(last.get("StartTime"))
        inc.started_at = iso(started) or inc.started_at
        if last:
            c.add("job", "glue:GetCrawler",
                  f"Last crawl {last.get('Status') or '?'}: {shorten(error, 1200) if error else 'no ErrorMessage'}",
                  inc.event_time, status=last.get("Status") or "", error_message=error)
        targets = _targets(crawler.get("Targets") or {})
        parts = [f"role {crawler.get('Role') or '?'}", f"database {crawler.get('DatabaseName') or '?'}",
                 "targets " + (", ".join(targets[:5]) or "none")]
        schedule = (crawler.get("Schedule") or {}).get("ScheduleExpression")
        if schedule:
            parts.append(f"schedule {schedule}")
        c.add("config", "glue:GetCrawler", f"Crawler {crawler.get('Name')}: " + ", ".join(parts),
              role=crawler.get("Role") or "", database=crawler.get("DatabaseName") or "")
        c.context.update(role=crawler.get("Role") or "?", database=crawler.get("DatabaseName") or "?",
                         targets=", ".join(targets[:5]) or "none", crawler_state=crawler.get("State") or "?")
        if error:
            c.context["error_message"] = shorten(error, 300)

    def _logs(self, c: Collector, name: str, last: dict[str, Any]) -> None:
        inc = c.incident
        group = str(last.get("LogGroup") or DEFAULT_LOG_GROUP)
        stream = str(last.get("LogStream") or name)
        end = parse_time(inc.event_time)
        if end is None:
            return
        start = parse_time(last.get("StartTime")) or end - timedelta(hours=_MAX_CRAWL_HOURS)
        start -= timedelta(seconds=60)
        window_end = end + timedelta(seconds=c.settings.log_window_after)
        c.context["log_group"] = group
        c.links.append(Link("Crawler log in CloudWatch", console_log_url(inc.region, group, start, window_end,
                                                                         stream=stream)))
        c.logs(group, start, window_end, stream_names=[stream], failure_time=end)
