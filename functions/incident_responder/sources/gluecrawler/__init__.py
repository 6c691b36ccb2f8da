"""Glue crawlers: "Glue Crawler State Change" Failed.

Parsing and evidence: :mod:`.evidence`. This module is the adapter: run outcomes, tags, console links,
live status, and the redrive (``StartCrawler``: a crawl takes no input, so a re-run is the same crawl).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...redrive.plans import Plan, account_of, call_fields
from ..base import Adapter, NewRun, RunOutcome, RunState, SourceContext, given
from . import changes
from .evidence import GlueCrawlerEvidence, crawler_url
from .spec import GlueCrawlerSpec

if TYPE_CHECKING:
    from datetime import datetime

    from ...aws import AwsContext
    from ...evidence.changes import Baseline, Reader
    from ..base import Collector

__all__ = ["ADAPTER", "GlueCrawlerAdapter", "GlueCrawlerContext"]


@dataclass
class GlueCrawlerContext(SourceContext):
    crawler_name: Any = None
    error_message: Any = None
    role: Any = None
    database: Any = None
    targets: Any = None
    crawler_state: Any = None
    log_group: Any = None


class GlueCrawlerAdapter(GlueCrawlerEvidence, Adapter):
    name = "gluecrawler"
    event_source = "aws.glue"
    detail_types = ("Glue Crawler State Change",)
    label = "Glue crawler"
    noun = "Glue crawler run"
    arn_service = "glue"
    original_read = "GetCrawler"
    context_type = GlueCrawlerContext
    spec_type = GlueCrawlerSpec
    detail_schema = {"crawlerName": str, "state": str, "errorMessage": str}

    def run_outcome(self, event: dict[str, Any]) -> RunOutcome | None:
        detail = event.get("detail") or {}
        name = detail.get("crawlerName")
        if not isinstance(name, str) or not name:
            return None
        # A crawler runs one crawl at a time: the crawler's name is the run key of its current crawl.
        return RunOutcome.of(f"crawler#{name}", detail.get("state"), "Succeeded", {"Failed"})

    def may_be_redrive(self, event: dict[str, Any]) -> bool:
        return (event.get("detail") or {}).get("state") in {"Succeeded", "Failed"}

    def console_url(self, region: str, run_id: str, extra: dict[str, Any] | None = None) -> str:
        name = str((extra or {}).get("crawler_name") or "")
        return crawler_url(region, name) if name else ""

    def tags(self, c: Collector, arn: str) -> dict[str, str]:
        out = c.call("GetTags", c.client("glue").get_tags, ResourceArn=arn)
        return dict((out or {}).get("Tags", {}))

    def live_status(self, aws: AwsContext, resource: dict[str, Any], latest: bool) -> RunState:
        from ...formats import fmt_time
        from ...templates import escape_mrkdwn as esc

        glue: Any = aws.client("glue")
        crawler = glue.get_crawler(Name=resource["name"])["Crawler"]
        last = crawler.get("LastCrawl") or {}
        lines = [f"Crawler {esc(resource['name'])} is *{esc(crawler.get('State'))}*; its last crawl "
                 f"({fmt_time(last.get('StartTime'))}) *{esc(last.get('Status') or '?')}*"]
        if last.get("ErrorMessage"):
            lines.append(f"Error: {esc(last['ErrorMessage'])}")
        return RunState(status=last.get("Status"), lines=lines)

    # -- redrive ----------------------------------------------------------------------------------------
    def original_ids(self, spec: GlueCrawlerSpec) -> dict[str, Any]:
        return {"crawler_name": given(spec.Name) or ""}

    def plan(self, spec: GlueCrawlerSpec, facts: dict[str, Any], *, attempt: int, now: datetime, region: str,
             token: str, resource_arn: str) -> Plan:
        name = str(given(spec.Name) or "")
        return Plan(
            **call_fields(self.name, "glue:StartCrawler"),
            region=region, target=name, where=f"Glue crawler `{name or '?'}` ({region})", params={"Name": name},
            what=f"Start crawler `{name or '?'}` again (a crawl takes no input: the same targets are crawled).",
            input_label="Crawler", input={"Name": name},
            original_url=self.console_url(region, name, {"crawler_name": name}), expect={"crawler_name": name},
        )

    def read_original(self, ids: dict[str, Any], aws: AwsContext, notes: list[str]) -> dict[str, Any] | None:
        if not ids.get("crawler_name"):
            notes.append(f"{self.original_read}: the crawler's name is not known")
            return None
        glue: Any = aws.client("glue")
        return glue.get_crawler(Name=ids["crawler_name"])["Crawler"]  # type: ignore[no-any-return]

    def real_values(self, original: dict[str, Any]) -> dict[str, Any]:
        return {}

    def baseline(self, c: Collector, r: Reader) -> Baseline | None:
        return changes.baseline(c, r)

    def redrive_resources(self, plan: Plan, aws: AwsContext, resource_arn: str) -> list[tuple[str, dict[str, str]]]:
        from ...redrive.optin import tags_of

        name = str(plan.params.get("Name") or "")
        arn = f"arn:aws:glue:{plan.region}:{account_of(resource_arn)}:crawler/{name}"
        client: Any = aws.client("glue")
        return [(arn, tags_of(client.get_tags(ResourceArn=arn).get("Tags")))]

    def new_run(self, plan: Plan, out: dict[str, Any]) -> NewRun:
        name = plan.params["Name"]
        return NewRun(name, f"crawler#{name}", self.console_url(plan.region, name, {"crawler_name": name}))


ADAPTER = GlueCrawlerAdapter()
