"""The redrive spec of gluecrawler: the crawler to start again."""

from __future__ import annotations

from dataclasses import dataclass

from ..base import RedriveSpec

__all__ = ["GlueCrawlerSpec"]


@dataclass
class GlueCrawlerSpec(RedriveSpec):
    """StartCrawler's one parameter, and the failed crawl's start time (for the preview)."""

    Name: str = ""
    crawl_started: str = ""
    state: str = ""
