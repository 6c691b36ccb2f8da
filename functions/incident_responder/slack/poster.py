"""Posting reports to Slack: the rendered report, or a threaded note for a repeat."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .render import render_repeat, render_report

if TYPE_CHECKING:
    from ..aws import AwsContext
    from ..config import Settings
    from ..model import Report

__all__ = ["SlackPoster", "clear_clients"]

# WebClients by (token, base URL), reused by warm invocations; created on first use.
_CLIENTS: dict[tuple[str, str], Any] = {}


def clear_clients() -> None:
    _CLIENTS.clear()


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
        key = (token, cfg.slack_api_url)
        if key not in _CLIENTS:
            _CLIENTS[key] = make_client(token, cfg.slack_api_url)
        return cls(_CLIENTS[key])

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

    def ephemeral(self, channel: str, user: str, text: str, thread_ts: str | None = None) -> None:
        """A message only ``user`` sees (in the thread when ``thread_ts`` is given)."""
        from .client import _invoke

        args = {"channel": channel, "user": user, "text": text}
        if thread_ts:
            args["thread_ts"] = thread_ts
        _invoke("chat.postEphemeral", self.client.chat_postEphemeral, **args)

    def react(self, channel: str, ts: str, name: str) -> bool:
        """Add a reaction to a message; False when it was already there."""
        from .client import add_reaction

        return add_reaction(self.client, channel, ts, name)

    def thread(self, channel: str, ts: str, limit: int = 200) -> list[dict[str, Any]]:
        """The thread's messages, parent first (``conversations.replies``)."""
        from .client import thread_replies

        return thread_replies(self.client, channel, ts, limit)

    def usergroup_members(self, usergroup: str) -> list[str]:
        """User IDs in a user group (``usergroups.users.list``)."""
        from .client import _invoke

        response = _invoke("usergroups.users.list", self.client.usergroups_users_list, usergroup=usergroup)
        return [str(u) for u in response.get("users") or []]
