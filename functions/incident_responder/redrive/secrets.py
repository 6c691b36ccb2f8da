"""The real values of a redrive: never stored, read again from the failed run when they are needed.

The incident item keeps the source's redrive spec with every secret redacted (``analyze.py``), and
the audit table keeps each plan redacted (:func:`redact_params`): nothing the responder stores or
posts holds a password, key or token. A re-run must still get the real values, so wherever a
parameter holds a ``[REDACTED:...]`` marker, the value is taken from the failed run's own description,
read with one read-only call (:func:`read_original`): DescribeExecution's input (Step Functions),
GetJobRun's Arguments (Glue), DescribeTasks' overrides (ECS), DescribeStep's HadoopJarStep (EMR),
DescribeJobs' parameters and container (Batch). That happens twice: when the plan is built (a plan
whose values cannot be read is not runnable, and says why) and in the redrive function just before
the call, from the redacted copy the approval refers to.

:func:`restore` puts a real value back only where the stored value holds a marker, and only when the
real value redacts to exactly the stored one, so what runs is what the preview showed.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from ..aws import describe_error
from ..evidence.redaction import redact_obj

if TYPE_CHECKING:
    from ..aws import AwsContext

__all__ = ["has_redacted", "read_original", "real_values", "redact_params", "restore"]

logger = logging.getLogger(__name__)

_MARKER = re.compile(r"\[REDACTED(?::[a-z_]+)?\]")
_WHOLE_MARKER = re.compile(r"^\[REDACTED(?::[a-z_]+)?\]$")
# Parameters whose name holds a secret word but whose value is no secret (an idempotency token).
_NOT_SECRET_PARAMS = ("clientToken",)
# Items of a list that have one of these (environment variables, container overrides, properties) are
# matched by it, not by position: a spec may leave some out (Batch leaves secret-named variables out).
_ITEM_NAMES = ("name", "Key")


def has_redacted(value: Any) -> bool:
    """True when a string anywhere in ``value`` holds a redaction marker."""
    if isinstance(value, str):
        return bool(_MARKER.search(value))
    if isinstance(value, dict):
        return any(has_redacted(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(has_redacted(v) for v in value)
    return False


def redact_params(params: dict[str, Any]) -> dict[str, Any]:
    """A call's parameters as they may be stored or shown: secrets redacted, the client token kept."""
    out: dict[str, Any] = redact_obj(params, parse_json=True)
    for key in _NOT_SECRET_PARAMS:
        if key in params:
            out[key] = params[key]
    return out


# -- reading the failed run -------------------------------------------------------------------------------
def read_original(source: str, ids: dict[str, Any], aws: AwsContext, notes: list[str]) -> dict[str, Any] | None:
    """The failed run's own description, read-only by the source's adapter; None (with a note) when it
    cannot be read. ``ids`` are a plan's ``expect`` keys (the adapter's ``original_ids``)."""
    from ..sources import adapter

    found = adapter(source)
    try:
        return found.read_original(ids, aws, notes)
    except (ClientError, BotoCoreError) as exc:
        notes.append(f"{found.original_read}: {describe_error(exc)}")
        logger.warning("redrive original read failed", extra={"what": found.original_read,
                                                              "error": describe_error(exc)})
        return None


def real_values(source: str, original: dict[str, Any] | None) -> dict[str, Any]:
    """The call parameters that may hold secrets, with the failed run's real values (empty when unknown)."""
    from ..sources import adapter

    return adapter(source).real_values(original) if original else {}


# -- putting them back --------------------------------------------------------------------------------------
_ABSENT = object()


def restore(params: dict[str, Any], real: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """``params`` with each redacted value replaced by the real one: (params, paths still redacted)."""
    missing: list[str] = []
    out = {}
    for key, value in params.items():
        out[key] = _restore(value, real.get(key, _ABSENT), key, missing) if has_redacted(value) else value
    return out, missing


def _restore(stored: Any, real: Any, path: str, missing: list[str]) -> Any:
    if isinstance(stored, str):
        if not _MARKER.search(stored):
            return stored
        if real is not _ABSENT and real is not None and _same(stored, real):
            return real
        missing.append(path)
        return stored
    if isinstance(stored, dict):
        known = real if isinstance(real, dict) else {}
        return {k: _restore(v, known.get(k, _ABSENT), f"{path}.{k}", missing) for k, v in stored.items()}
    if isinstance(stored, list):
        items = real if isinstance(real, list) else []
        return [_restore(v, _match(v, i, items), f"{path}[{i}]", missing) for i, v in enumerate(stored)]
    return stored


def _match(stored: Any, index: int, items: list[Any]) -> Any:
    """The real item for a stored one: by its name when it has one (a spec may leave items out)."""
    if isinstance(stored, dict):
        for key in _ITEM_NAMES:
            if key in stored and not has_redacted(stored[key]):
                return next((r for r in items if isinstance(r, dict) and r.get(key) == stored[key]), _ABSENT)
    return items[index] if index < len(items) else _ABSENT


def _same(stored: str, real: Any) -> bool:
    """Whether ``real`` is what ``stored`` is the redacted form of."""
    if _WHOLE_MARKER.match(stored):  # blanked for its key, pair name or flag: any scalar value fits
        return isinstance(real, (str, int, float)) and not isinstance(real, bool)
    return isinstance(real, str) and redact_obj(real, parse_json=True) == stored
