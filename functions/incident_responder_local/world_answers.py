"""Answers moto (5.x) cannot give, for the local world only: botocore handlers active only under a mock.

Some failure facts have no API that writes them: Athena's ``Status.AthenaError`` and
``StateChangeReason`` of a FAILED query, a Lambda function's ``LoggingConfig``; and moto has no
``GetDataQualityResult`` at all. As :mod:`.world_redrive` does for ``RedriveExecution``, these are
botocore handlers appended to ``BUILTIN_HANDLERS`` (every client created afterwards has them) that act
only while a moto mock is active; otherwise they return nothing and the call goes to AWS as usual.

- :func:`merge_after` (``after-call``): the world's fields are merged into moto's answer for one
  resource (the resource exists in moto, made through the ordinary API; only the fields moto lacks
  come from the world).
- :func:`answer_before` (``before-call``): the whole answer of an operation moto lacks, validated
  against the operation's output shape; an id the world does not have gets the AWS error
  (``EntityNotFoundException`` for Glue).

The code under test makes its ordinary boto3 calls.
"""

from __future__ import annotations

import copy
import json
import threading
import uuid
from typing import Any

__all__ = ["answer_before", "merge_after", "mocked"]

_lock = threading.Lock()
# event name -> (key path in the answer, {key: fields})
_AFTER: dict[str, tuple[tuple[str, ...], dict[str, dict[str, Any]]]] = {}
# event name -> (request parameter, not-found error code, {key: answer})
_BEFORE: dict[str, tuple[str, str, dict[str, dict[str, Any]]]] = {}
_installed: set[str] = set()


def mocked() -> bool:
    try:
        from moto.core.models import botocore_stubber
    except ImportError:  # moto is a local/dev dependency only
        return False
    return bool(getattr(botocore_stubber, "enabled", False))


def _install(event: str, handler: Any) -> None:
    with _lock:
        if event in _installed:
            return
        from botocore.handlers import BUILTIN_HANDLERS

        BUILTIN_HANDLERS.append((event, handler))
        _installed.add(event)


def _deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _deep_merge(base[key], value)
        else:
            base[key] = copy.deepcopy(value)


def merge_after(event: str, key_path: tuple[str, ...], key: str, fields: dict[str, Any]) -> None:
    """Merge ``fields`` into the answer of ``event`` (``after-call.<service>.<Operation>``) whose value at
    ``key_path`` is ``key``; the fields sit at the same level as the key (its parent object, or each object of
    the list the path's last but one key holds)."""
    with _lock:
        _AFTER.setdefault(event, (key_path, {}))[1][key] = fields

    def handler(parsed: Any, http_response: Any = None, event_name: str = event, **_: Any) -> None:
        if not mocked() or not isinstance(parsed, dict) or getattr(http_response, "status_code", 200) >= 300:
            return
        path, known = _AFTER.get(event_name, ((), {}))
        node: Any = parsed
        for part in path[:-1]:
            node = node.get(part) if isinstance(node, dict) else None
        # One resource, or a list of them (DescribeComputeEnvironments' computeEnvironments).
        for item in node if isinstance(node, list) else [node]:
            if isinstance(item, dict) and str(item.get(path[-1])) in known:
                _deep_merge(item, known[str(item[path[-1]])])

    _install(event, handler)


def answer_before(event: str, param: str, not_found: str, key: str | None = None,
                  body: dict[str, Any] | None = None) -> None:
    """Answer ``event`` (``before-call.<service>.<Operation>``) with ``body`` when the request's ``param``
    is ``key``; any other key gets the error ``not_found`` (HTTP 400), as the service answers. With no
    ``key``, the handler is installed with the answers it has (every key is then not found)."""
    with _lock:
        known = _BEFORE.setdefault(event, (param, not_found, {}))[2]
        if key is not None and body is not None:
            known[key] = body

    def handler(model: Any, params: dict[str, Any], event_name: str = event, **_: Any) -> Any:
        if not mocked():
            return None
        name, code, known = _BEFORE[event_name]
        raw = params.get("body") or b"{}"
        args = json.loads(raw.decode() if isinstance(raw, bytes) else raw)
        found = known.get(str(args.get(name)))
        if found is None:
            return _http(model, 400, {"Error": {"Code": code, "Message": f"{args.get(name)} not found"}})
        from botocore.validate import ParamValidator

        report = ParamValidator().validate(found, model.output_shape)
        if report.has_errors():  # a defect of the world file, said plainly
            raise AssertionError(f"world answer of {model.name} does not fit its shape: {report.generate_report()}")
        return _http(model, 200, dict(found))

    _install(event, handler)


def _http(model: Any, status: int, body: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    from botocore.awsrequest import AWSResponse
    from botocore.compat import HTTPHeaders

    request_id = str(uuid.uuid4())
    headers = {"x-amzn-requestid": request_id, "content-type": "application/x-amz-json-1.1"}
    meta = {"RequestId": request_id, "HTTPStatusCode": status, "HTTPHeaders": headers, "RetryAttempts": 0}
    http = AWSResponse(f"https://local/{model.name}", status, HTTPHeaders.from_dict(headers), None)
    return http, {**body, "ResponseMetadata": meta}
