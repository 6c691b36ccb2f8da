"""The local world's Glue Data Quality results: ``world.yaml`` ``glue: {data_quality_results: [...]}``.

Each entry is a GetDataQualityResult answer. Moto has no data quality API: before-call handlers active
only under the mock (:mod:`.world_answers`) answer, from the world's results:

- GetDataQualityResult for the world's result ids (validated against the operation's output shape), and
  ``EntityNotFoundException`` for any other id, as Glue does;
- ListDataQualityResults (the results' summaries, newest first, filtered by the table, the job, and the
  ``StartedAfter``/``StartedBefore`` times the request gives) and BatchGetDataQualityResult (the world's
  results of the ids asked; the others are ``ResultsNotFound``), which the last good run's lookup reads.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from .world import convert_times, to_datetime
from .world_answers import _http, _install, answer_before, mocked

if TYPE_CHECKING:
    import boto3

    from .world import World

__all__ = ["load"]

_TIMES = {"StartedOn", "CompletedOn"}
_RESULTS: dict[str, dict[str, Any]] = {}  # result id -> the world's GetDataQualityResult answer


def load(session: boto3.Session, world: World) -> None:
    answer_before("before-call.glue.GetDataQualityResult", "ResultId", "EntityNotFoundException")
    _install("before-call.glue.ListDataQualityResults", _list)
    _install("before-call.glue.BatchGetDataQualityResult", _batch_get)
    for result in (world.data.get("glue") or {}).get("data_quality_results") or []:
        answer = convert_times(result, _TIMES, to_datetime)
        answer_before("before-call.glue.GetDataQualityResult", "ResultId", "EntityNotFoundException",
                      str(result["ResultId"]), answer)
        _RESULTS[str(result["ResultId"])] = answer


def _args(params: dict[str, Any]) -> dict[str, Any]:
    raw = params.get("body") or b"{}"
    return dict(json.loads(raw.decode() if isinstance(raw, bytes) else raw))


def _checked(model: Any, body: dict[str, Any]) -> Any:
    from botocore.validate import ParamValidator

    report = ParamValidator().validate(body, model.output_shape)
    if report.has_errors():  # a defect of the world file, said plainly
        raise AssertionError(f"world answer of {model.name} does not fit its shape: {report.generate_report()}")
    return _http(model, 200, body)


def _time(value: Any) -> datetime | None:
    """A world time, or a request's (botocore sends a JSON timestamp as epoch seconds)."""
    if isinstance(value, datetime) or value is None:
        return value
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, tz=timezone.utc)
    return to_datetime(value)


def _list(model: Any, params: dict[str, Any], **_: Any) -> Any:
    """before-call.glue.ListDataQualityResults: the world's results that fit the filter, newest first."""
    if not mocked():
        return None
    criteria = _args(params).get("Filter") or {}
    table = (criteria.get("DataSource") or {}).get("GlueTable") or {}
    after, before = _time(criteria.get("StartedAfter")), _time(criteria.get("StartedBefore"))
    chosen = []
    for result in _RESULTS.values():
        source = (result.get("DataSource") or {}).get("GlueTable") or {}
        started = _time(result.get("StartedOn"))
        if table and (source.get("DatabaseName"), source.get("TableName")) != (table.get("DatabaseName"),
                                                                               table.get("TableName")):
            continue
        if criteria.get("JobName") and result.get("JobName") != criteria["JobName"]:
            continue
        if started and ((after and started <= after) or (before and started >= before)):
            continue
        chosen.append(result)
    chosen.sort(key=lambda x: _time(x.get("StartedOn")) or datetime.min.replace(tzinfo=timezone.utc), reverse=True)
    limit = int(_args(params).get("MaxResults") or 100)
    summaries = [{k: v for k, v in r.items() if k in {"ResultId", "DataSource", "JobName", "JobRunId", "StartedOn"}}
                 for r in chosen[:limit]]
    return _checked(model, {"Results": summaries})


def _batch_get(model: Any, params: dict[str, Any], **_: Any) -> Any:
    """before-call.glue.BatchGetDataQualityResult: the world's results of the ids asked."""
    if not mocked():
        return None
    ids = [str(i) for i in _args(params).get("ResultIds") or []]
    missing = [i for i in ids if i not in _RESULTS]
    body: dict[str, Any] = {"Results": [_RESULTS[i] for i in ids if i in _RESULTS]}
    if missing:
        body["ResultsNotFound"] = missing
    return _checked(model, body)
