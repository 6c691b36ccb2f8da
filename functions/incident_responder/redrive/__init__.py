"""Redrive: re-run the failed work, only after an authorized person approves it, exactly once, audited.

- :mod:`.plans`: what will run, where, with what input (built from the source's stored spec).
- :mod:`.secrets`: the real values the stored, redacted spec lacks, read again from the failed run.
- :mod:`.flow`: the Slack thread conversation (preview, approve, cancel, result); the follow-up worker
  calls :func:`~.flow.handle_request` and :func:`~.flow.handle_action`.
- :mod:`.invoker`: how the worker reaches the redrive function (Lambda invoke; in-process locally).
- :mod:`.executor`: the redrive function's work: re-check, claim ``<incident_id>#<attempt>``, one call.
- :mod:`.audit`: requests, claims, launched runs and the audit trail in AUDIT_TABLE.
- :mod:`.runs`: run keys, and the new run's own events threading back into the conversation.

Nothing is imported here, so the analyzer's cold start pays only for what it uses.
"""

__all__: list[str] = []
