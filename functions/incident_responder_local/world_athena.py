"""The local world's Athena: ``world.yaml`` ``athena: {work_groups, query_executions, data_catalogs}``.

``data_catalogs`` are GetDataCatalog ``DataCatalog`` answers (a federated query's LAMBDA catalog, made with
CreateDataCatalog); moto answers an empty body for a name it does not know, Athena InvalidRequestException, and
so does a before-call handler here.

``work_groups`` are GetWorkGroup ``WorkGroup`` answers, ``query_executions`` GetQueryExecution
``QueryExecution`` answers. Workgroups and queries are made through the ordinary API (CreateWorkGroup,
StartQueryExecution) and the query is given the world's id. Moto's queries always succeed and have no
``AthenaError``: GetQueryExecution's ``Status`` (FAILED, StateChangeReason, AthenaError, times),
``Statistics`` and ``EngineVersion`` come from the world, merged into moto's answer by an after-call
handler active only under the mock (:mod:`.world_answers`). Moto raises a KeyError for a query id it
does not know, and answers an empty WorkGroup for a name it does not know; Athena answers
InvalidRequestException to both, and so do before-call handlers here. Moto has no
BatchGetQueryExecution (the last good run's lookup reads a page of the workgroup's queries with it): a
before-call handler answers it with the world's QueryExecution of each id a backend holds (the others are
``UnprocessedQueryExecutionIds``, as Athena answers an unknown id).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .world import convert_times, to_datetime
from .world_answers import _http, _install, merge_after, mocked

if TYPE_CHECKING:
    import boto3

    from .world import World

__all__ = ["load"]

_TIMES = {"SubmissionDateTime", "CompletionDateTime"}
_ANSWERS: dict[str, dict[str, Any]] = {}  # query id -> the world's QueryExecution (BatchGetQueryExecution)


def load(session: boto3.Session, world: World) -> None:
    _install("before-call.athena.GetQueryExecution", _unknown_query)
    _install("before-call.athena.GetWorkGroup", _unknown_work_group)
    _install("before-call.athena.BatchGetQueryExecution", _batch_get)
    _install("before-call.athena.GetDataCatalog", _unknown_data_catalog)
    spec = world.data.get("athena") or {}
    groups, queries = spec.get("work_groups") or [], spec.get("query_executions") or []
    catalogs = spec.get("data_catalogs") or []
    if not groups and not queries and not catalogs:
        return
    from moto.athena.models import athena_backends

    backend = athena_backends[world.account][world.region]
    athena = session.client("athena", region_name=world.region)
    for catalog in catalogs:
        made = {k: catalog[k] for k in ("Description", "Parameters") if catalog.get(k)}
        athena.create_data_catalog(Name=catalog["Name"], Type=catalog.get("Type") or "LAMBDA", **made)
    for group in groups:
        if group["Name"] in backend.work_groups:
            backend.work_groups[group["Name"]].configuration.update(group.get("Configuration") or {})
            continue
        athena.create_work_group(Name=group["Name"], Configuration=group.get("Configuration") or {},
                                 Description=group.get("Description") or "")
        if group.get("State"):
            backend.work_groups[group["Name"]].state = group["State"]
    for query in queries:
        kwargs: dict[str, Any] = {"QueryString": query["Query"], "WorkGroup": query.get("WorkGroup") or "primary"}
        if kwargs["WorkGroup"] not in backend.work_groups:
            athena.create_work_group(Name=kwargs["WorkGroup"])  # a query's workgroup exists, listed or not
        for key in ("QueryExecutionContext", "ResultConfiguration"):
            if query.get(key):
                kwargs[key] = query[key]
        made = athena.start_query_execution(**kwargs)["QueryExecutionId"]
        fake = backend.executions.pop(made)
        fake.id = query["QueryExecutionId"]
        if query.get("ResultConfiguration"):
            fake.config = dict(query["ResultConfiguration"])  # moto appends "<id>.csv" to the location
        backend.executions[fake.id] = fake
        extra = {k: query[k] for k in ("Status", "Statistics", "EngineVersion", "StatementType") if k in query}
        merge_after("after-call.athena.GetQueryExecution", ("QueryExecution", "QueryExecutionId"), fake.id,
                    convert_times(extra, _TIMES, to_datetime))
        _ANSWERS[fake.id] = convert_times({"WorkGroup": kwargs["WorkGroup"], "StatementType": "DML", **query},
                                          _TIMES, to_datetime)


def _batch_get(model: Any, params: dict[str, Any], **_: Any) -> Any:
    """before-call.athena.BatchGetQueryExecution (moto has none): the world's answers of the ids a backend
    holds, in the order asked."""
    if not mocked():
        return None
    import json

    from botocore.validate import ParamValidator
    from moto.athena.models import athena_backends

    raw = params.get("body") or b"{}"
    ids = [str(i) for i in json.loads(raw.decode() if isinstance(raw, bytes) else raw).get("QueryExecutionIds") or []]
    held = {i for regions in list(athena_backends.values()) for backend in list(regions.values())
            for i in list(backend.executions)}
    found = [_ANSWERS[i] for i in ids if i in held and i in _ANSWERS]
    missing = [{"QueryExecutionId": i, "ErrorCode": "InvalidRequestException",
                "ErrorMessage": f"QueryExecution {i} was not found"} for i in ids if i not in held or i not in _ANSWERS]
    body: dict[str, Any] = {"QueryExecutions": found}
    if missing:
        body["UnprocessedQueryExecutionIds"] = missing
    report = ParamValidator().validate(body, model.output_shape)
    if report.has_errors():  # a defect of the world file, said plainly
        raise AssertionError(f"world answer of {model.name} does not fit its shape: {report.generate_report()}")
    return _http(model, 200, body)


def _unknown(field: str, held: str, message: str) -> Any:
    """A before-call handler answering Athena's InvalidRequestException for a name (the request's ``field``)
    that no backend holds in its ``held`` collection, where moto raises a KeyError or answers nothing."""

    def handler(model: Any, params: dict[str, Any], **_: Any) -> Any:
        if not mocked():
            return None
        import json

        from moto.athena.models import athena_backends

        raw = params.get("body") or b"{}"
        name = str(json.loads(raw.decode() if isinstance(raw, bytes) else raw).get(field))
        for regions in list(athena_backends.values()):
            if any(name in getattr(backend, held) for backend in list(regions.values())):
                return None
        return _http(model, 400, {"Error": {"Code": "InvalidRequestException", "Message": message.format(name)}})

    return handler


# GetQueryExecution (moto raises KeyError), GetWorkGroup (moto answers None), GetDataCatalog (moto answers nothing).
_unknown_query = _unknown("QueryExecutionId", "executions", "QueryExecution {} was not found")
_unknown_work_group = _unknown("WorkGroup", "work_groups", "WorkGroup {} is not found")
_unknown_data_catalog = _unknown("Name", "data_catalogs", "Catalog {} is not found")
