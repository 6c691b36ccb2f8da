"""The local world's Glue Data Quality results: ``world.yaml`` ``glue: {data_quality_results: [...]}``.

Each entry is a GetDataQualityResult answer. Moto has no data quality API: a before-call handler
active only under the mock (:mod:`.world_answers`) answers GetDataQualityResult for the world's result
ids, validated against the operation's output shape, and ``EntityNotFoundException`` for any other id,
as Glue does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .world import convert_times, to_datetime
from .world_answers import answer_before

if TYPE_CHECKING:
    import boto3

    from .world import World

__all__ = ["load"]

_TIMES = {"StartedOn", "CompletedOn"}


def load(session: boto3.Session, world: World) -> None:
    answer_before("before-call.glue.GetDataQualityResult", "ResultId", "EntityNotFoundException")
    for result in (world.data.get("glue") or {}).get("data_quality_results") or []:
        answer_before("before-call.glue.GetDataQualityResult", "ResultId", "EntityNotFoundException",
                      str(result["ResultId"]), convert_times(result, _TIMES, to_datetime))
