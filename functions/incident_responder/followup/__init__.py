"""Follow-up questions in a report's Slack thread: intents, authorization, answers, the worker."""

from .context import ThreadContext
from .intents import Intent, parse_intent
from .worker import FollowupWorker

__all__ = ["FollowupWorker", "Intent", "ThreadContext", "parse_intent"]
