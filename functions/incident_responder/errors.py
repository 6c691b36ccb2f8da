"""Exception types of the responder, one family per concern."""

from __future__ import annotations

__all__ = ["ClaimInProgress", "ConfigurationError", "IncidentResponderError", "MalformedEvent", "StoreError",
           "UnknownEvent"]


class IncidentResponderError(Exception):
    """Base of every error raised on purpose by the responder."""


class MalformedEvent(IncidentResponderError):
    """The event is not a well-formed EventBridge event of a source we handle."""


class UnknownEvent(IncidentResponderError):
    """The event's source or detail-type is not one the responder knows."""


class ConfigurationError(IncidentResponderError):
    """A required setting is missing or wrong."""


class StoreError(IncidentResponderError):
    """DynamoDB persistence failed."""


class ClaimInProgress(IncidentResponderError):
    """Another invocation is reporting this incident right now; retry later (its lease ends soon)."""
