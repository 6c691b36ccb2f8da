"""Who may talk to the responder in a thread: ALLOWED_SLACK_USERS, the ALLOWED_SLACK_USERGROUP's members,
and the REDRIVE_APPROVERS. Nobody else, also when none of them is set (deny by default; ``*`` in
ALLOWED_SLACK_USERS opens it to everyone who can post in the channel)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..config import Settings
    from ..slack.poster import SlackPoster

__all__ = ["Access"]

logger = logging.getLogger(__name__)


class Access:
    """Authorization for one worker invocation; the user group is listed once (usergroups.users.list)."""

    def __init__(self, settings: Settings, slack: SlackPoster) -> None:
        self.settings = settings
        self.slack = slack
        self._group: set[str] | None = None

    def allowed(self, user: str) -> bool:
        """Whether ``user`` may ask; a Slack failure listing the group raises (the message is retried)."""
        cfg = self.settings
        if "*" in cfg.allowed_users or user in cfg.allowed_users or user in cfg.redrive_approvers:
            return True
        if not cfg.allowed_usergroup:
            return False
        if self._group is None:
            from ..slack.client import SlackPostError

            try:
                self._group = set(self.slack.usergroup_members(cfg.allowed_usergroup))
            except SlackPostError as exc:
                if exc.retryable:
                    raise
                logger.error(
                    "cannot list the allowed user group",
                    extra={"usergroup": cfg.allowed_usergroup, "error": exc.error},
                )
                self._group = set()
        return user in self._group
