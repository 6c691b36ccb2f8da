"""Glue crawlers: the last good run is the crawler's newest COMPLETED crawl before the failed one.

Calls (at most two): ListCrawls of the crawler (its crawl history: states, times, summaries; one page of
at most 50 crawls) and GetCrawler (the crawler's ``Version`` and ``LastUpdated``: a crawler changed after
its last good crawl says so; its targets and configuration now, since no API keeps their earlier
values). GetCrawlerMetrics is not used: it describes the last crawl only.

Trends: the duration of recent crawls, and the tables a crawl added or updated (read from each crawl's
``Summary``, a JSON document; a summary that does not parse is left out of the trend).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ...evidence.changes import TREND_RUNS, Baseline, Reader, RunFacts, Series, since
from ..base import parse_time

if TYPE_CHECKING:
    from ..base import Collector

__all__ = ["baseline", "tables_changed"]

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
LIST_BOUND = 50


def tables_changed(summary: Any) -> int | None:
    """Tables a crawl added or updated, from its ``Summary`` (``{"TABLE": {"ADD": {"Count": 2}, ...}}``:
    every ``Count`` under a TABLE key's ADD or UPDATE); None when the summary does not say."""
    try:
        doc = json.loads(summary) if isinstance(summary, str) else summary
    except ValueError:
        return None
    if not isinstance(doc, dict):
        return None
    total, seen = 0, False
    for key, value in doc.items():
        if "TABLE" not in str(key).upper() or not isinstance(value, dict):
            continue
        for action, detail in value.items():
            if str(action).upper() in {"ADD", "UPDATE"} and isinstance(detail, dict):
                count = detail.get("Count")
                if isinstance(count, (int, float)):
                    total, seen = total + int(count), True
    return total if seen else None


def _facts(crawl: dict[str, Any]) -> RunFacts:
    return RunFacts(run_id=f"crawl {crawl.get('CrawlId') or '?'}", started=parse_time(crawl.get("StartTime")),
                    stopped=parse_time(crawl.get("EndTime")))


def baseline(c: Collector, r: Reader) -> Baseline | None:
    inc = c.incident
    name = inc.resource.name
    glue = c.client("glue")
    r.searched = f"glue:ListCrawls of crawler {name}, newest {LIST_BOUND}"
    out = r.read(f"ListCrawls {name}", glue.list_crawls, CrawlerName=name, MaxResults=LIST_BOUND)
    crawls = sorted((out or {}).get("Crawls") or [], key=lambda x: parse_time(x.get("StartTime")) or _EPOCH)
    failed_crawls = [x for x in crawls if x.get("State") == "FAILED"]
    failed_crawl = failed_crawls[-1] if failed_crawls else {}
    cutoff = parse_time(failed_crawl.get("StartTime")) or parse_time(inc.started_at) or parse_time(inc.event_time)
    good = [x for x in crawls if x.get("State") == "COMPLETED" and not x.get("ErrorMessage")
            and (cutoff is None or (parse_time(x.get("StartTime")) or _EPOCH) < cutoff)]
    if not good:
        return None
    failed = _facts(failed_crawl) if failed_crawl else RunFacts(
        run_id="the failed crawl", started=parse_time(inc.started_at), stopped=parse_time(inc.stopped_at))
    if failed.stopped is None:
        failed.stopped = parse_time(inc.stopped_at)
    recent = good[-(TREND_RUNS - 1):]
    base = Baseline(subject=f"crawler {name}", good=_facts(good[-1]), failed=failed, source="glue:ListCrawls",
                    definition_label=f"Crawler {name}",
                    durations=[s for s in [*(_facts(x).seconds for x in recent), failed.seconds] if s is not None],
                    trend_subject=f"duration of {name} crawls")
    changed = [n for n in (tables_changed(x.get("Summary")) for x in recent) if n is not None]
    base.series.append(Series(subject=f"tables added or updated by {name} crawls", values=[float(n) for n in changed],
                              aspect="tables_trend", unit="count"))
    crawler = (r.read(f"GetCrawler {name}", glue.get_crawler, Name=name) or {}).get("Crawler")
    if crawler:
        updated = crawler.get("LastUpdated")
        after = since(updated, base.good)
        when = parse_time(updated)
        text = (f"Crawler {name} definition: version {crawler.get('Version', '?')}, last updated "
                f"{f'{when:%Y-%m-%d %H:%M} UTC' if when else '?'}")
        if after and when and failed.started:
            minutes = max(0, int((failed.started - when).total_seconds() // 60))
            text += f" — after the last good crawl started, {minutes} min before the failed crawl"
        else:
            text += " — before the last good crawl" if when else ""
        base.extra.append(("glue:GetCrawler", text, {"aspect": "code", "changed_after_baseline": after,
                                                      "version": crawler.get("Version")}))
    return base
