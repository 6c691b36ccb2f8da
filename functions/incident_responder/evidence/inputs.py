"""Is the missing input really missing? One look at the S3 location a "not found" line names.

A job that says its input is absent ("Input Pattern s3://.../part-* matches 0 files", "Path does not exist:
s3://...") is usually right, and sometimes the input is there under other names: a file pattern that does not
fit how the producer names its files, a partition written as ``date=`` where the job reads ``dt=``. An on-call
engineer lists the folder before believing the message; so does the responder, once per report:

- a pattern (``*``, ``?``, ``[``, ``{``): the folder before its first wildcard is listed, and the objects
  there are matched against the pattern;
- a path: the path is listed as a prefix; when nothing is under it, its parent folder's entries are shown.

The result is one evidence item of kind ``input`` with the fact ``input_check``: ``absent`` (nothing there:
the message holds), ``present`` (objects are there now: they may have arrived after the run) or ``unmatched``
(objects are there, none matching the pattern: the pattern, not the data) or ``nested`` (Spark could not infer a
schema for a path that holds only folders that are not ``key=value`` partitions: ``2024/03/17/`` rather than
``year=2024/``: the path the job reads, not the data). Signatures match on it
(``rules/signatures/common.yaml``). At most :data:`MAX_CALLS` ListObjectsV2 calls; a refused or failed
listing is a gap, and says nothing about the input.
"""

from __future__ import annotations

import fnmatch
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..model import Evidence
    from ..sources.base import Collector

__all__ = ["KIND", "MAX_CALLS", "check_inputs", "missing_input_uri"]

KIND = "input"
MAX_CALLS = 2  # ListObjectsV2 calls per report: a pattern's folder, or a path and then its parent
LIST_KEYS = 50  # keys (or folders) one listing returns
_SHOWN = 4  # names quoted in the evidence
# A line that says an input is not there, naming it by an S3 URI.
_MISSING = re.compile(r"(?i)matches 0 files|(?:input )?path does not exist|no such file or directory|"
                      r"the specified key does not exist|NoSuchKey|unable to infer schema|no files? found")
_BUCKET_KEY = r"""s3[an]?://([a-z0-9][a-z0-9.\-]{1,61}[a-z0-9])/([^\s"',;()\]]*)"""  # groups: bucket, key
_S3_URI = re.compile(rf"\b{_BUCKET_KEY}")
_WILDCARD = re.compile(r"[*?\[{]")
_NO_SCHEMA = re.compile(r"(?i)unable to infer schema")
# An input named as such: a job argument ("--source_path": "s3://…"), a log line ("source=s3://…", "reading from s3://…").
_INPUT_URI = re.compile(r"""(?i)\b(?:source|input|src|in|read(?:ing)?(?: from)?)[\w-]*["']?\s*[:=]?\s*["']?"""
                        + _BUCKET_KEY)


def missing_input_uri(evidence: list[Evidence]) -> tuple[Evidence, str, str] | None:
    """The first evidence item that says an S3 input is missing, with the bucket and key (or pattern) it names.
    Spark's "Unable to infer schema" names no path: the run's input argument (``--source_path s3://…``) or a
    log line naming its source stands in for it."""
    pathless: Evidence | None = None
    for ev in evidence:
        if ev.kind not in {"log", "job", "step", "history", "query", "task", "error"}:
            continue
        m = _MISSING.search(ev.text)
        if not m:
            continue
        # The URI nearest the "not found" words, on the same line.
        uris = list(_S3_URI.finditer(ev.text))
        if not uris:
            if pathless is None and _NO_SCHEMA.search(ev.text):
                pathless = ev
            continue
        uri = min(uris, key=lambda u: abs(u.start() - m.start()))
        key = uri.group(2).rstrip(".:…")
        if "…" in key:  # shortened for the report: the real key is not known
            continue
        return ev, uri.group(1), key
    if pathless is not None:
        for ev in evidence:
            for named in _INPUT_URI.finditer(ev.text):
                if "…" not in named.group(2):
                    return pathless, named.group(1), named.group(2)
    return None


def check_inputs(c: Collector) -> Evidence | None:
    """List the S3 location a missing-input line names, and add what is there (see the module docstring)."""
    found = missing_input_uri(c.book.items)
    if found is None:
        return None
    _, bucket, key = found
    s3 = c.client("s3")
    wild = _WILDCARD.search(key)
    if wild:
        folder = key[:wild.start()].rsplit("/", 1)[0] + "/" if "/" in key[:wild.start()] else ""
        names = _list(c, s3, bucket, folder)
        if names is None:
            return None
        pattern = key[len(folder):]
        matching = [n for n in names if fnmatch.fnmatchcase(n, pattern) or fnmatch.fnmatchcase(n.rstrip("/"), pattern)]
        where = f"s3://{bucket}/{folder}"
        if not names:
            return _add(c, where, f"{where} is empty: nothing is under it, so the pattern {pattern} cannot match",
                        "absent")
        if not matching and all(_bookkeeping(n) for n in names):
            return _add(c, where, f"{where} holds no data, only bookkeeping ({_some(names)}): nothing the pattern "
                        f"{pattern} could match was written", "absent")
        if matching:
            return _add(c, where, f"{where} holds {_count(names)} now, {len(matching)} matching {pattern} "
                        f"({_some(matching)}): they may have arrived after the run", "present")
        return _add(c, where, f"None of the {_count(names)} in {where} matches the pattern {pattern}: the input "
                    f"is there under other names ({_some(names)})", "unmatched", pattern=pattern)
    prefix = key.rstrip("/")
    names = _list(c, s3, bucket, prefix + "/" if prefix else "")
    if names is None:
        return None
    where = f"s3://{bucket}/{prefix}"
    data = [n for n in names if not _bookkeeping(n)]
    if _NO_SCHEMA.search(found[0].text) and data and all(n.endswith("/") and "=" not in n for n in data):
        # Spark reads the files directly under a path and descends only into key=value partition folders.
        return _add(c, where, f"{where}/ holds no data files directly, only folders that are not key=value "
                    f"partitions ({_some(names)})", "nested")
    if names:
        return _add(c, where, f"{where}/ holds {_count(names)} now ({_some(names)}): they may have arrived "
                    "after the run, or the job looked elsewhere", "present")
    parent = prefix.rsplit("/", 1)[0] + "/" if "/" in prefix else ""
    siblings = _list(c, s3, bucket, parent) if parent or prefix else None
    text = f"Nothing is under {where}/"
    if siblings:
        text += f"; s3://{bucket}/{parent} holds {_count(siblings)} ({_some(siblings)})"
    elif siblings is not None:
        text += f", and s3://{bucket}/{parent} is empty too"
    return _add(c, where, text, "absent")


def _bookkeeping(name: str) -> bool:
    """A writer's marker or metadata beside the data (``_SUCCESS``, ``_temporary/``, ``.cda/``, ``.crc`` files)."""
    return name.startswith(("_", ".")) or name == "…"


def _list(c: Collector, s3: Any, bucket: str, prefix: str) -> list[str] | None:
    """The names (relative to ``prefix``) of the objects and folders directly under it; None when unreadable."""
    out = c.call(f"ListObjectsV2 s3://{bucket}/{prefix}", s3.list_objects_v2, Bucket=bucket, Prefix=prefix,
                 Delimiter="/", MaxKeys=LIST_KEYS)
    if out is None:
        return None
    folders = [str(p.get("Prefix", ""))[len(prefix):] for p in out.get("CommonPrefixes") or []]
    objects = [str(o.get("Key", ""))[len(prefix):] for o in out.get("Contents") or []]
    names = [n for n in [*folders, *objects] if n]
    if out.get("IsTruncated"):
        names.append("…")
    return names


def _count(names: list[str]) -> str:
    more = names[-1:] == ["…"]
    n = len(names) - more
    return f"{'more than ' if more else ''}{n} entr{'y' if n == 1 else 'ies'}"


def _some(names: list[str]) -> str:
    shown = [n for n in names if n != "…"][:_SHOWN]
    return ", ".join(shown) + (", …" if len(names) > len(shown) else "")


def _add(c: Collector, where: str, text: str, check: str, **facts: Any) -> Evidence:
    return c.add(KIND, "s3:ListObjectsV2", text, input_check=check, input_location=where, **facts)
