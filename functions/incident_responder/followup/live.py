"""The failed run as AWS sees it now, for ``status``, ``input`` and ``similar``: the source's adapter
describes it (:meth:`~incident_responder.sources.base.Adapter.live_status`).

Read-only calls, each wrapped: a failure becomes ``RunState.error`` (said in the answer), never an
exception out of here.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from ..aws import describe_error
from ..sources import adapter
from ..sources.base import RunState
from ..templates import escape_mrkdwn as esc

if TYPE_CHECKING:
    from ..aws import AwsContext
    from ..model import Report

__all__ = ["RunState", "run_state"]

def run_state(aws: AwsContext, report: Report, *, latest: bool = True) -> RunState:
    """Describe the report's run now. ``latest`` adds the newest runs of the same resource."""
    resource = {k: v for k, v in asdict(report.resource).items() if v}
    try:
        found = adapter(report.source)
    except KeyError:
        return RunState(
            status=report.status or None,
            supported=False,
            lines=[
                f"I cannot read the live state of {esc(report.source or 'this')} runs; at report time "
                f"it was *{esc(report.status or 'unknown')}*."
            ],
        )
    try:
        return found.live_status(aws, resource, latest)
    except (ClientError, BotoCoreError) as exc:
        return RunState(error=describe_error(exc))
    except KeyError as exc:
        return RunState(error=f"the report does not say which run it was ({exc.args[0]} missing)")
