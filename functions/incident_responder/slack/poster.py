"""Posting reports to Slack: the rendered report, or a threaded note for a repeat."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .render import render_report, render_repeat

if TYPE_CHECKING:
    from ..aws import AwsContext
    from ..config import Settings
    from ..model import Report

__all__ = ["SlackPoster"]


class SlackPoster:
    """Posts through a slack-sdk ``WebClient`` (with its retry handlers); raises on failure."""

    def __init__(self, client: Any) -> None:
        self.client = client

    @classmethod
    def from_settings(cls, cfg: Settings, aws: AwsContext | None = None) -> SlackPoster:
        """Reads SLACK_TOKEN_SECRET (or SLACK_BOT_TOKEN) and SLACK_API_URL."""
        from .client import get_bot_token, make_client

        token = get_bot_token(cfg.slack_token_secret or None, cfg.slack_bot_token or None,
                              secrets_client=aws.client("secretsmanager") if aws else None)
        return cls(make_client(token, cfg.slack_api_url))

    def post_report(self, report: Report, channel: str) -> dict[str, Any]:
        from .client import post_message

        text, blocks = render_report(report)
        out = post_message(self.client, channel, text, blocks=blocks)
        return {"channel": out["channel"], "ts": out["ts"], "thread_ts": None}

    def post_repeat(self, report: Report, channel: str, thread_ts: str) -> dict[str, Any]:
        from .client import post_message

        out = post_message(self.client, channel, render_repeat(report), thread_ts=thread_ts)
        return {"channel": out["channel"], "ts": out["ts"], "thread_ts": thread_ts}

    def reply(self, channel: str, thread_ts: str, text: str, blocks: list[dict[str, Any]] | None = None
              ) -> dict[str, Any]:
        from .client import post_message

        out = post_message(self.client, channel, text, blocks=blocks, thread_ts=thread_ts)
        return {"channel": out["channel"], "ts": out["ts"], "thread_ts": thread_ts}
