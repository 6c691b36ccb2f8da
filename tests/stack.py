"""The stack's tables, queues, topics and secrets in moto, created from template.yaml.

Re-exports :mod:`incident_responder_local.stack` (the CLI and the local runtime use the same code),
so tests and the deployed stack cannot drift.
"""

from __future__ import annotations

from incident_responder_local.stack import (
    DEFAULT_STACK_NAME,
    TemplateNotFoundError,
    create_stack_resources,
    load_template,
)

__all__ = ["DEFAULT_STACK_NAME", "TemplateNotFoundError", "create_stack_resources", "load_template"]
