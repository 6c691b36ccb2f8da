"""What a follow-up answer (or the redrive flow) gets to work with: one Slack thread of one incident."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..aws import AccountAccess, AwsContext
    from ..config import Settings
    from ..slack.poster import SlackPoster
    from ..store import IncidentStore

__all__ = ["ThreadContext"]


@dataclass
class ThreadContext:
    """The thread being answered.

    ``channel`` and ``thread_ts`` name the report's thread; ``message_ts`` is the message being
    answered (a person's reply, or the message holding the clicked button), None when there is none.
    ``slack.reply(channel, thread_ts, text)`` posts in the thread. The incident handed alongside a
    context is the item :meth:`IncidentStore.get` returns (``report`` is its report as JSON text).

    ``aws`` is the worker's own context: the responder's tables, the Slack token, the redrive function.
    The failed work's evidence is read with :meth:`reads`, in the resource's own account and region.
    """

    aws: AwsContext
    settings: Settings
    slack: SlackPoster
    store: IncidentStore
    channel: str
    thread_ts: str
    message_ts: str | None
    # What the agent did while answering (AgentOutcome), for the handler's metrics.
    agent_runs: list[Any] = field(default_factory=list)
    _reads: dict[tuple[str, str], AccountAccess] = field(default_factory=dict, repr=False)

    def reads(self, arn: str) -> AccountAccess:
        """Where the resource ``arn`` is read: its account and region (from the ARN). A member account's
        resource is read through the account's MEMBER_READ_ROLE_NAME, never with the worker's own
        credentials (a same-named resource here is not it); one per account and region for the thread."""
        from ..aws import account_access
        from ..formats import parse_arn

        parsed = parse_arn(arn)
        account = parsed.account if parsed else ""
        region = (parsed.region if parsed else "") or self.aws.region
        key = (account, region)
        if key not in self._reads:
            cfg = self.settings
            self._reads[key] = account_access(
                account, region, base=self.aws, role_name=cfg.member_read_role, external_id=cfg.member_external_id,
                seconds=cfg.member_session_seconds, alias=cfg.account_aliases.get(account, ""))
        return self._reads[key]
