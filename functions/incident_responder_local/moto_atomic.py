"""DynamoDB's conditional writes are atomic; moto's in-process backend checks the condition and then
writes, and two threads can interleave between the two. The local world serializes moto's DynamoDB writes
so that two concurrent invocations see what they would see in AWS (one wins a conditional write).
"""

from __future__ import annotations

import functools
import threading
from typing import Any

__all__ = ["make_dynamodb_writes_atomic"]

_LOCK = threading.RLock()
_WRITES = ("put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item",
           "get_item", "query", "scan")


def make_dynamodb_writes_atomic() -> None:
    """Patch moto's DynamoDB backend once: each read and write runs under one lock."""
    from moto.dynamodb.models import DynamoDBBackend

    for name in _WRITES:
        method = getattr(DynamoDBBackend, name)
        if getattr(method, "_incident_responder_atomic", False):
            continue

        def locked(*args: Any, __method: Any = method, **kwargs: Any) -> Any:
            with _LOCK:
                return __method(*args, **kwargs)

        functools.update_wrapper(locked, method)
        locked._incident_responder_atomic = True  # type: ignore[attr-defined]
        setattr(DynamoDBBackend, name, locked)
