"""The agent's read-only view of one incident, for the analyzer and the thread worker alike.

:func:`incident_tools` builds the :class:`~.tools.ToolContext` of an incident from what both callers
have: the evidence, the AWS context of the incident's region, the source adapter's ``live_status``
(the resource now, its recent runs), the pipeline's catalog entry and the incidents table (earlier
incidents of the same failure). Every callable is read-only and its result is plain data the tool
registry redacts and bounds before the model sees it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from .tools import ToolContext

if TYPE_CHECKING:
    from ..aws import AwsContext
    from ..model import Evidence, Pipeline

__all__ = ["SIMILAR_DAYS", "incident_tools"]

logger = logging.getLogger(__name__)

SIMILAR_DAYS = 30
_LINES = 15


def _live(aws: AwsContext, source: str, resource: dict[str, Any], latest: bool) -> dict[str, Any]:
    from ..sources import adapter

    state = adapter(source).live_status(aws, {k: v for k, v in resource.items() if v}, latest)
    return {"status": state.status, "lines": state.lines[:_LINES], "error": state.error,
            "supported": state.supported}


def _similar(store: Any, fingerprint: str, incident_id: str) -> Callable[[int], Any]:
    def read(limit: int) -> Any:
        since = datetime.now(timezone.utc) - timedelta(days=SIMILAR_DAYS)
        found = store.recent(fingerprint, since, limit=limit + 1)
        out = []
        for item in found:
            if item.get("incident_id") == incident_id:
                continue
            try:
                report = json.loads(item.get("report") or "{}")
            except (TypeError, ValueError):
                report = {}
            cause = report.get("probable_cause") or {}
            out.append({"when": item.get("created_at"), "run_id": (report.get("resource") or {}).get("run_id"),
                        "category": cause.get("category"), "explanation": str(cause.get("explanation", ""))[:300],
                        "resolution": item.get("resolution")})
        return {"days": SIMILAR_DAYS, "incidents": out[:limit]}
    return read


def incident_tools(aws: AwsContext | None, *, evidence: list[Evidence], source: str, resource: dict[str, Any],
                   log_groups: list[str], window_end: datetime | str | None = None,
                   pipeline: Pipeline | None = None, fingerprint: str = "", incident_id: str = "",
                   store: Any = None, redrive_available: bool = False) -> ToolContext:
    """The tool context of one incident. ``aws`` reads in the incident's region (None: no AWS reads);
    ``resource`` is the report's resource (``arn``, ``name``, ``run_id``)."""
    logs = s3 = None
    if aws is not None:
        logs, s3 = aws.client("logs"), aws.client("s3")
    live = aws is not None and bool(resource.get("arn") or resource.get("name"))

    def describe() -> Any:
        assert aws is not None
        return _live(aws, source, resource, latest=False)

    def recent(limit: int) -> Any:
        assert aws is not None
        state = _live(aws, source, resource, latest=True)
        state["lines"] = state["lines"][: max(1, limit) + 3]
        return state

    def catalog() -> Any:
        return {"pipeline": pipeline.to_dict() if pipeline else None,
                "table_evidence": [e.to_dict() for e in evidence if e.kind == "catalog"]}

    return ToolContext(
        evidence=evidence, logs=logs, s3=s3, log_groups=list(dict.fromkeys(g for g in log_groups if g)),
        window_end=window_end,
        describe_resource=describe if live else None,
        recent_runs=recent if live else None,
        catalog_metadata=catalog,
        similar_incidents=_similar(store, fingerprint, incident_id) if store is not None and fingerprint else None,
        redrive_available=redrive_available,
    )
