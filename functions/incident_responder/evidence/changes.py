"""What changed since the last good run: the baseline, the differences and the trend, as evidence.

Each source adapter finds its baseline (``Adapter.baseline``: the most recent successful run of the
same thing) with at most :data:`MAX_CALLS` AWS calls, read through a :class:`Reader` that counts them
under :data:`CHANGES_TAG` (apart from the report's own calls) and stops at the budget. This module does
the rest for every source: a structural diff of the inputs (redacted, long values elided), the
definition fields that differ, the size of the S3 data the input names now and at the baseline, the
duration trend of recent runs next to the limit as a sparkline, and the other trends an adapter reads
(:class:`Series`: memory used next to the memory size, data scanned next to a cutoff, the failed step's
own duration) in the same form. Each difference is an evidence item of
kind ``change`` whose facts signatures match on (``rules/signatures/changes.yaml``); the sentences
signatures quote are fields of the base :class:`~incident_responder.sources.base.SourceContext`.
No baseline is a gap line of the report.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise
from typing import TYPE_CHECKING, Any, TypeVar

from ..aws import counted_as
from ..formats import fmt_duration
from ..model import parse_time
from .redaction import redact, redact_obj

if TYPE_CHECKING:
    from ..sources.base import Adapter, Collector

__all__ = ["CHANGES_TAG", "KIND", "MAX_CALLS", "TREND_RUNS", "Baseline", "Reader", "RunFacts", "Series",
           "collect_changes", "diff_definition", "diff_inputs", "fmt_bytes", "s3_paths", "s3_sizes", "sparkline",
           "trend"]

logger = logging.getLogger(__name__)
T = TypeVar("T")

CHANGES_TAG = "changes"  # the api_calls() tag of the calls this step makes
KIND = "change"  # the evidence kind of every difference
MAX_CALLS = 3  # AWS calls one report may spend on the baseline and the differences
TREND_RUNS = 14  # runs shown in a duration trend (the failed one included)
S3_LIST_BOUND = 1000  # keys one ListObjectsV2 page returns: the bound of a size comparison
_VALUE_CHARS = 60
_MAX_KEYS_SHOWN = 8
_BARS = "▁▂▃▄▅▆▇█"
_S3 = re.compile(r"s3a?://([a-z0-9][a-z0-9.\-]{1,61}[a-z0-9])/([^\s\"',;]*)")


# -- the calls ------------------------------------------------------------------------------------------
class Reader:
    """The collector's calls for this step: counted under :data:`CHANGES_TAG`, at most ``limit`` of them.

    A call past the budget is not made; the report says what was left unread. ``searched`` is how the
    adapter looked for the baseline, for the gap line when it found none.
    """

    def __init__(self, c: Collector, limit: int = MAX_CALLS) -> None:
        self.c = c
        self.limit = limit
        self.used = 0
        self.skipped: list[str] = []
        self.searched = ""

    @property
    def left(self) -> int:
        return self.limit - self.used

    def read(self, what: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        if self.used >= self.limit:
            self.skipped.append(what)
            return None
        self.used += 1
        with counted_as(CHANGES_TAG):
            return self.c.call(what, fn, *args, **kwargs)


# -- what an adapter returns ----------------------------------------------------------------------------
@dataclass
class RunFacts:
    """One run as the comparison sees it: ``inputs`` (execution input, job arguments, overrides: a
    dict) and ``definition`` (name -> value: revision, memory, image, environment keys, ...)."""

    run_id: str
    started: datetime | None = None
    stopped: datetime | None = None
    inputs: Any = None
    definition: dict[str, Any] = field(default_factory=dict)
    revision: str = ""  # "etl-job:42", "version 3": how the definition is named in a sentence

    @property
    def seconds(self) -> float | None:
        if self.started and self.stopped and self.stopped >= self.started:
            return (self.stopped - self.started).total_seconds()
        return None


@dataclass
class Series:
    """A measure of recent runs (oldest first, the failed run last) next to its limit, shown as a
    sparkline like the duration trend: ``aspect`` is the facts' aspect (``trend`` for a duration,
    ``memory_trend``, ``scan_trend``, ...), ``unit`` how values read (``s``, ``MB``, ``bytes``, ``score``,
    ``count``)."""

    subject: str
    values: list[float]
    limit: float | None = None
    limit_label: str = "limit"
    aspect: str = "trend"
    unit: str = "s"
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass
class Baseline:
    """The last good run next to the failed one, and what the adapter read about the runs between."""

    subject: str  # what ran: "state machine orders-nightly-load", "job sales-etl"
    good: RunFacts
    failed: RunFacts
    source: str  # the call that found it: "states:ListExecutions"
    definition_label: str = "definition"  # "task definition etl-job", "job run settings"
    durations: list[float] = field(default_factory=list)  # seconds of recent runs, oldest first, failed last
    trend_subject: str = ""  # "duration of orders-nightly-load"
    limit_seconds: float | None = None
    limit_label: str = "limit"
    memory_units: str = "MiB"
    # Differences only the adapter can word (a Lambda function changed after the baseline): (source, text, facts).
    extra: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    series: list[Series] = field(default_factory=list)  # trends beside the duration's (memory, scan, a step)
    label: str = "Last good run"  # how the report names the run compared with


# -- the generic differences --------------------------------------------------------------------------
def _elide(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    text = redact(text)
    return text if len(text) <= _VALUE_CHARS else text[: _VALUE_CHARS - 1] + "…"


def _flatten(value: Any, prefix: str = "", depth: int = 0) -> dict[str, Any]:
    if isinstance(value, dict) and value and depth < 4:
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k), depth + 1))
        return out
    if isinstance(value, list) and value and len(value) <= 50 and depth < 4 and prefix:
        # Positional arguments (a step's Args, a command): each position is a key.
        return {f"{prefix}[{i}]": v for i, v in enumerate(value)}
    return {prefix or "(input)": value}


def _as_doc(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


_EMPTY: tuple[Any, ...] = (None, "", [], {})

# A line that says a file, key or path is not there, and the paths it (or a changed input value) names.
_NOT_THERE = re.compile(r"(?i)path does not exist|NoSuchKey|specified key does not exist|FileNotFound|No such file|"
                        r"does not exist|not found")
_PATH = re.compile(r"""(?:\b[a-z][a-z0-9+.-]*://|(?<![\w.])/)[^\s"',;()\[\]{}<>|]+""")
_MISSING_KINDS = {"log", "job", "step", "history", "query", "task", "error"}


def _missing_paths(items: list[Any]) -> list[str]:
    """The paths named on the lines of the evidence that say something is not there."""
    out: list[str] = []
    for ev in items:
        if ev.kind not in _MISSING_KINDS or ev.facts.get("given"):
            continue
        for line in ev.text.splitlines():
            if _NOT_THERE.search(line):
                out += [m.group(0).rstrip(".:…/*") for m in _PATH.finditer(line)]
    return [p for p in out if len(p) > 1]


def _names_missing(new_values: list[Any], missing: list[str]) -> bool:
    """Does a changed or added input value name what the run found missing? A short value inside a missing path
    (the date of ``dt=2024-06-02``), or the last part of a path the value holds at the end of a missing path."""
    for value in new_values:
        text = value if isinstance(value, str) else json.dumps(value, default=str)
        shorts = [text] if len(text) >= 4 and not _PATH.fullmatch(text) and len(text) <= 120 else []
        tails = [m.group(0).rstrip("/*").rsplit("/", 1)[-1] for m in _PATH.finditer(text)]
        for path in missing:
            if any(s in path for s in shorts) or any(len(t) >= 3 and t in path for t in tails):
                return True
    return False


def diff_inputs(before: Any, after: Any) -> tuple[list[str], list[str], list[str], list[str]]:
    """(sentences, added keys, removed keys, changed keys) of the input's structural diff, redacted."""
    # An empty value is no value: ECS's events name an override list the good run's record left out
    # ("inferenceAcceleratorOverrides": []), and a run passes an empty argument another one omits.
    old = {k: v for k, v in _flatten(redact_obj(_as_doc(before), parse_json=True)).items() if v not in _EMPTY}
    new = {k: v for k, v in _flatten(redact_obj(_as_doc(after), parse_json=True)).items() if v not in _EMPTY}
    added = sorted(set(new) - set(old))
    removed = sorted(set(old) - set(new))
    changed = sorted(k for k in set(old) & set(new) if old[k] != new[k])
    parts = []
    for key in changed[:_MAX_KEYS_SHOWN]:
        parts.append(f"{key}: {_elide(old[key])} → {_elide(new[key])}")
    for key in added[:_MAX_KEYS_SHOWN]:
        parts.append(f"added {key} = {_elide(new[key])}")
    for key in removed[:_MAX_KEYS_SHOWN]:
        parts.append(f"removed {key} (was {_elide(old[key])})")
    hidden = max(0, len(changed) - _MAX_KEYS_SHOWN) + max(0, len(added) - _MAX_KEYS_SHOWN) + max(
        0, len(removed) - _MAX_KEYS_SHOWN)
    if hidden:
        parts.append(f"and {hidden} more")
    return parts, added, removed, changed


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def diff_definition(before: dict[str, Any], after: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """The (field, before, after) that differ, for fields both runs know (lists as sets of keys)."""
    out = []
    for key in after:
        if key not in before or before[key] in (None, "") or after[key] in (None, ""):
            continue
        b, a = before[key], after[key]
        if isinstance(b, list) and isinstance(a, list):
            if sorted(map(str, b)) != sorted(map(str, a)):
                out.append((key, b, a))
        elif b != a and not (_number(b) is not None and _number(b) == _number(a)):
            out.append((key, b, a))
    return out


def _field_text(key: str, b: Any, a: Any) -> str:
    if isinstance(b, list) and isinstance(a, list):
        plus = sorted(set(map(str, a)) - set(map(str, b)))
        minus = sorted(set(map(str, b)) - set(map(str, a)))
        bits = ([f"added {', '.join(plus)}"] if plus else []) + ([f"removed {', '.join(minus)}"] if minus else [])
        return f"{key} {'; '.join(bits)}"
    return f"{key} {_elide_pair(b, a)}"


def _elide_pair(b: Any, a: Any) -> str:
    """``before → after``; two long texts that share a beginning show where they differ."""
    if isinstance(b, str) and isinstance(a, str) and max(len(a), len(b)) > _VALUE_CHARS:
        same = len(_common_prefix(b, a))
        if same > 12:
            cut = max(0, same - 12)
            return f"{_elide('…' + b[cut:])} → {_elide('…' + a[cut:])}"
    return f"{_elide(b)} → {_elide(a)}"


def sparkline(values: list[float]) -> str:
    """One block character per value, scaled between the smallest and the largest."""
    if not values:
        return ""
    lo, hi = min(values), max(values)
    if hi - lo <= 0:
        return _BARS[0] * len(values)
    return "".join(_BARS[min(len(_BARS) - 1, int((v - lo) / (hi - lo) * len(_BARS)))] for v in values)


def _minutes(seconds: float) -> str:
    if seconds >= 120:
        return f"{seconds / 60:.0f} min"
    return fmt_duration(seconds)


def fmt_bytes(n: float) -> str:
    """Bytes in decimal units, as S3 and Athena's console show them (``41.2 GB``)."""
    return _size(n)


def _unit(unit: str) -> Callable[[float], str]:
    if unit == "MB":
        return lambda v: f"{v:.0f} MB"
    if unit == "bytes":
        return fmt_bytes
    if unit == "score":
        return lambda v: f"{v:.2f}"
    if unit == "count":
        return lambda v: f"{v:.0f}"
    return _minutes


def trend(subject: str, durations: list[float], limit: float | None,
          limit_label: str = "limit", unit: str = "s") -> tuple[str, dict[str, Any]] | None:
    """The sentence and facts of a trend ("duration of X over 14 runs ▁▂▄█, 12 → 58 min, limit 60 min";
    ``unit`` is how the values read: seconds, MB, bytes); None with fewer than 3 runs."""
    fmt = _unit(unit)
    values = [d for d in durations if d is not None and d >= 0][-TREND_RUNS:]
    if len(values) < 3:
        return None
    first, last = values[0], values[-1]
    text = f"{subject} over {len(values)} runs {sparkline(values)}, {fmt(first)} → {fmt(last)}"
    rises = sum(1 for x, y in pairwise(values) if y > x)
    rising = last > first * 1.3 and rises >= (len(values) - 1) * 0.6
    facts: dict[str, Any] = {"aspect": "trend", "rising": rising, "first_seconds": first, "last_seconds": last,
                             "runs": len(values)}
    if limit:
        text += f", {limit_label} {fmt(limit)}"
        share = max(values[-2:]) / limit
        facts.update(limit_seconds=limit, share_of_limit=round(share, 2), near_limit=share >= 0.8)
    else:
        facts["near_limit"] = False
    return text, facts


# -- S3 sizes -------------------------------------------------------------------------------------------
def s3_paths(value: Any) -> list[str]:
    """The S3 URIs named anywhere in an input (execution input, arguments), in order, once each."""
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return list(dict.fromkeys(f"s3://{m.group(1)}/{m.group(2)}" for m in _S3.finditer(text)))


def _split(uri: str) -> tuple[str, str]:
    bucket, _, key = uri[5:].partition("/")
    return bucket, key


def _pair(now: list[str], before: list[str]) -> tuple[str, str] | None:
    """The first S3 path of the failed run and the baseline's path in the same place of the input."""
    for i, uri in enumerate(now):
        if i < len(before) and _split(before[i])[0] == _split(uri)[0]:
            return uri, before[i]
    return None


def _common_prefix(a: str, b: str) -> str:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return a[:n]


def _size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"


def s3_sizes(r: Reader, now_paths: list[str], good_paths: list[str], good_stopped: datetime | None
             ) -> tuple[str, dict[str, Any]] | None:
    """Objects and bytes under the failed run's input prefix now vs the baseline's (one bounded
    ListObjectsV2 of their common prefix; the same prefix: the objects there by the baseline's end)."""
    pair = _pair(now_paths, good_paths)
    if pair is None:
        return None
    now_uri, good_uri = pair
    bucket, now_key = _split(now_uri)
    good_key = _split(good_uri)[1]
    common = _common_prefix(now_key, good_key)
    out = r.read(f"ListObjectsV2 s3://{bucket}/{common}", r.c.client("s3").list_objects_v2, Bucket=bucket,
                 Prefix=common, MaxKeys=S3_LIST_BOUND)
    if out is None:
        return None
    objects = out.get("Contents") or []
    bounded = bool(out.get("IsTruncated"))

    def tally(prefix: str, until: datetime | None = None) -> tuple[int, int]:
        chosen = [o for o in objects if str(o.get("Key", "")).startswith(prefix)
                  and (until is None or (parse_time(o.get("LastModified")) or until) <= until)]
        return len(chosen), sum(int(o.get("Size") or 0) for o in chosen)

    now_n, now_b = tally(now_key)
    good_n, good_b = tally(good_key, good_stopped if now_key == good_key else None)
    where = (f"s3://{bucket}/{now_key}" if now_key == good_key
             else f"s3://{bucket}/{now_key} (last good run: s3://{bucket}/{good_key})")
    text = (f"Input data under {where}: {now_n} objects, {_size(now_b)} now vs {good_n} objects, "
            f"{_size(good_b)} at the last good run")
    growth = now_b / good_b if good_b else (float("inf") if now_b else 1.0)
    if good_b and growth != 1.0:
        text += f" (×{growth:.1f} bytes)"
    if bounded:
        text += f"; the listing stopped at {S3_LIST_BOUND} keys, so the counts are lower bounds"
    facts = {"aspect": "data_size", "grew": growth >= 1.5, "growth": round(growth, 2) if good_b else None,
             "objects_now": now_n, "objects_before": good_n, "bytes_now": now_b, "bytes_before": good_b,
             "bounded": bounded}
    return text, facts


# -- the step -------------------------------------------------------------------------------------------
def collect_changes(c: Collector, src: Adapter) -> None:
    """Find the baseline with the adapter and add what changed as evidence (never raises: a failure here
    is a gap line, the report goes on)."""
    r = Reader(c)
    try:
        base = src.baseline(c, r)
    except Exception as exc:
        logger.warning("baseline lookup failed", extra={"error": f"{type(exc).__name__}: {exc}"})
        c.book.gap(f"what changed: the last good run could not be looked up ({type(exc).__name__})")
        return
    if base is None:
        how = f" ({r.searched})" if r.searched else ""
        c.book.gap(f"what changed: no earlier successful run of {c.incident.resource.name} to compare with{how}")
        return
    record(c, base, r)


def record(c: Collector, base: Baseline, r: Reader) -> None:
    """The baseline and its differences as ``change`` evidence, and the sentences signatures quote."""
    good, failed = base.good, base.failed
    when = f" ended {good.stopped:%Y-%m-%d %H:%M} UTC" if good.stopped else ""
    took = f" after {fmt_duration(good.seconds)}" if good.seconds else ""
    label = f"{good.run_id} of {base.subject}"
    c.add(KIND, base.source, f"{base.label}: {label}{when}{took} (the differences below are against it)",
          good.stopped, aspect="baseline", baseline=good.run_id)
    c.context["baseline_run"] = good.run_id
    if good.inputs is not None and failed.inputs is not None:
        parts, added, removed, changed = diff_inputs(good.inputs, failed.inputs)
        if parts:
            sentence = "; ".join(parts)
            new = _flatten(redact_obj(_as_doc(failed.inputs), parse_json=True))
            names = _names_missing([new[k] for k in changed + added if k in new], _missing_paths(c.book.items))
            c.add(KIND, base.source, f"Input vs the last good run: {sentence}", None, aspect="input",
                  added=added, removed=removed, changed=changed, names_missing=names)
            c.context["input_change"] = sentence
    fields = diff_definition(good.definition, failed.definition)
    if fields:
        rev = f" {good.revision} → {failed.revision}" if good.revision and failed.revision != good.revision else ""
        sentence = "; ".join(_field_text(k, b, a) for k, b, a in fields)
        facts: dict[str, Any] = {"aspect": "definition", "fields": [k for k, _, _ in fields]}
        memory = next(((b, a) for k, b, a in fields if k.startswith("memory")), None)
        if memory and _number(memory[0]) is not None and _number(memory[1]) is not None:
            b, a = _number(memory[0]), _number(memory[1])
            facts.update(memory_before=b, memory_after=a, memory_lowered=bool(a is not None and b is not None
                                                                               and a < b))
        c.add(KIND, base.source, f"{base.definition_label}{rev}: {sentence}", None, **facts)
        named = f"{base.definition_label}{rev}".strip()
        if memory and facts.get("memory_lowered"):
            change = (f"{named} lowered memory from {_elide(memory[0])} to {_elide(memory[1])} "
                      f"{base.memory_units}")
        else:
            change = f"{named} changed {sentence}"
        c.context["definition_change"] = change
    elif good.revision and failed.revision and good.revision != failed.revision:
        if good.definition and failed.definition:
            c.add(KIND, base.source, f"{base.definition_label} {good.revision} → {failed.revision} "
                  "(no difference in the fields compared)", None, aspect="definition", fields=[])
        else:
            # One side could not be read (a gap says why): what changed is not known, so it is no story of a
            # change, only a fact beside the others.
            c.add(KIND, base.source, f"{base.definition_label} {good.revision} → {failed.revision} (not compared: "
                  f"{good.revision if not good.definition else failed.revision} could not be read)", None,
                  aspect="revision")
        c.context["definition_change"] = f"{base.definition_label} {good.revision} → {failed.revision}"
    for source, text, extra in base.extra:
        c.add(KIND, source, text, None, **extra)
        if extra.get("aspect") == "data_size":
            c.context["data_growth"] = text
        elif extra.get("aspect") == "code" and extra.get("changed_after_baseline"):
            c.context.setdefault("definition_change", text)
    shown = trend(base.trend_subject or f"duration of {base.subject}", base.durations, base.limit_seconds,
                  base.limit_label)
    if shown:
        c.add(KIND, base.source, shown[0][:1].upper() + shown[0][1:], None, **shown[1])
        c.context["duration_trend"] = shown[0]
    for series in base.series:
        _series(c, base, series)
    if r.skipped:
        c.book.gap(f"what changed: not read within the budget of {r.limit} calls: {', '.join(r.skipped)}")


def _series(c: Collector, base: Baseline, series: Series) -> None:
    """One more trend as ``change`` evidence: a duration (the failed step's own: it is the one
    {duration_trend} quotes), memory used ({memory_trend}) or data scanned."""
    shown = trend(series.subject, series.values, series.limit, series.limit_label, series.unit)
    if not shown:
        return
    text, facts = shown
    facts = {**facts, **series.facts, "aspect": series.aspect}
    c.add(KIND, base.source, text[:1].upper() + text[1:], None, **facts)
    if series.aspect == "trend":
        c.context["duration_trend"] = text
    elif series.aspect == "memory_trend":
        c.context["memory_trend"] = text


def since(moment: Any, baseline: RunFacts) -> bool:
    """Whether ``moment`` (a time as AWS returns it) is after the baseline run started."""
    when, start = parse_time(moment), baseline.started
    return bool(when and start and when > start)


# -- runs the responder keeps itself (sources with no API to find a good run again) --------------------
GOOD_RUN_PREFIX = "lastgood#"


def remember_good_run(run: dict[str, Any], aws: Any, cfg: Any) -> None:
    """Keep a run that ended well in the incidents table (one item per ``run["key"]``, with its recent
    durations and the incidents' TTL), for the baseline of a later failure. Never raises."""
    import time

    from ..aws import describe_error
    from ..store import to_value

    key = str(run.get("key") or "")
    if not key:
        return
    kept = {k: v for k, v in run.items() if k not in {"key", "seconds"} and v not in (None, "")}
    names = {f"#{k}": k for k in kept}
    values = {f":{k}": to_value(v) for k, v in kept.items()}
    sets = [f"#{k} = :{k}" for k in kept]
    sets.append("expires_at = :ttl")
    values[":ttl"] = to_value(int(time.time()) + int(cfg.incident_ttl_days) * 86400)
    if isinstance(run.get("seconds"), (int, float)):
        sets.append("durations = list_append(if_not_exists(durations, :empty), :d)")
        values[":empty"] = {"L": []}
        values[":d"] = {"L": [to_value(str(round(float(run["seconds"]), 1)))]}
    try:
        with counted_as(CHANGES_TAG):
            kwargs: dict[str, Any] = {"TableName": cfg.incidents_table,
                                      "Key": {"incident_id": {"S": GOOD_RUN_PREFIX + key}},
                                      "UpdateExpression": "SET " + ", ".join(sets),
                                      "ExpressionAttributeValues": values}
            if names:
                kwargs["ExpressionAttributeNames"] = names
            db = aws.client("dynamodb")
            out = db.update_item(**kwargs, ReturnValues="UPDATED_NEW")
            kept_durations = ((out.get("Attributes") or {}).get("durations") or {}).get("L") or []
            if len(kept_durations) > 2 * TREND_RUNS:  # keep the newest: the item stays small
                drop = ", ".join(f"durations[{i}]" for i in range(len(kept_durations) - TREND_RUNS))
                db.update_item(TableName=cfg.incidents_table, Key=kwargs["Key"], UpdateExpression=f"REMOVE {drop}")
    except Exception as exc:
        text = describe_error(exc)
        logger.warning("last good run not recorded", extra={"key": key, "error": text})


def last_good_run(r: Reader, key: str) -> dict[str, Any] | None:
    """The run :func:`remember_good_run` kept under ``key`` (one GetItem), or None."""
    from ..store import from_item

    cfg = r.c.settings
    db: Any = r.c.home.client("dynamodb")
    out = r.read("the last good run the responder recorded", db.get_item,
                 TableName=cfg.incidents_table, Key={"incident_id": {"S": GOOD_RUN_PREFIX + key}},
                 ConsistentRead=False)
    item = (out or {}).get("Item")
    return from_item(item) if item else None
