"""What a follow-up answer (or the redrive flow) gets to work with: one Slack thread of one incident."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..aws import AwsContext
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
