"""Quotes for an explanation: the decisive part of a line, cut at word and field boundaries.

A log line can be long (a Glue error with an S3 path in the middle, a JSON record, a stack frame).
The quote keeps the matched text whole, keeps the fields that follow it on the same line when they
fit (``Column: [amount], Expected: double, Found: INT64``), shortens very long tokens (paths, ARNs)
in their middle, never cuts a word in two and drops JSON debris (a trailing ``"}``) around it.
"""

from __future__ import annotations

import re

from ..formats import shorten_token

__all__ = ["QUOTE_CHARS", "REPEATS", "quote", "shorten_token"]

QUOTE_CHARS = 240  # the longest quote
_LEAD = 80  # at most this much context before the match
_FIELD_BREAK = re.compile(r"(?<=[.;])\s+|\s+-\s+|\s+\|\s+|\t")
_JUNK_TAIL = re.compile(r"""[\s"'`,;:{}\[\]\\]+$""")
_JSON_KEY = re.compile(r'"\s*:\s*"')
_SDK_TRAILER = re.compile(r"\s*\((?:Service|Status Code): [^()]*\)")
_JUNK_HEAD = re.compile(r"""^[\s"'`,;:{}\[\]\\]+""")
# The count the evidence puts after a repeated line (a multiplication sign, the count, the last time): the
# report's, not the log's words.
REPEATS = re.compile(r"\s+\(×\d+(?:, last [^)]*)?\)$", re.MULTILINE)  # at the end of any line
_TRAILING_REPEATS = re.compile(REPEATS.pattern)  # at the end of the text


def _squash(text: str) -> str:
    return " ".join(shorten_token(t) for t in text.split())


def _clean(text: str) -> str:
    tail = _JUNK_TAIL.search(text)
    if tail:
        kept = text[:tail.start()]
        # A quote that closes one the text opened ("No module named 'jsonschema'") stays.
        closing = next((q for q in tail.group(0) if q in "'\"`"), "")
        # (an apostrophe inside a word, "Can't", opens nothing)
        opened = len(re.findall(rf"(?<![A-Za-z]){re.escape(closing)}|{re.escape(closing)}(?![A-Za-z])", kept)) \
            if closing == "'" else kept.count(closing)
        text = kept + closing if closing and opened % 2 == 1 else kept
    head = _JUNK_HEAD.match(text)
    if head:
        text = text[head.end():]
        # ... and a bracket that opens a tag the text closes ("[bam_sort_core] truncated file").
        if head.group(0).endswith("[") and text.count("]") > text.count("["):
            text = "[" + text
    if tail:
        # ... and so does a bracket that closes one the text opened ("Failed connecting to Hive metastore:
        # [localhost:9083]").
        for opening, close in (("[", "]"), ("{", "}")):
            if close in tail.group(0) and text.count(opening) > text.count(close):
                text += close
    # A quote that opens a JSON string or bracket it never closes reads better without it.
    if text.count('"') % 2 == 1:
        text = text.replace('"', "", 1) if text.startswith('"') else text
    return text


def quote(line: str, start: int, end: int, limit: int = QUOTE_CHARS) -> str:
    """The text around ``line[start:end]`` (the match), at most ``limit`` characters, cut cleanly."""
    repeats = _TRAILING_REPEATS.search(line)
    if repeats and start < repeats.start():  # a match that runs into the count ends where the log's words do
        line = line[:repeats.start()]
    start = max(0, min(start, len(line)))
    end = max(start, min(end, len(line)))
    # A match in an AWS SDK's trailer ("(Service: AWSGlue; Status Code: 400; Error Code: ValidationException;
    # ...)"): the message before the trailer says what was refused; quote its end, up to the trailer.
    sdk = next((m for m in _SDK_TRAILER.finditer(line) if m.start() <= start < m.end()), None)
    if sdk is not None and sdk.start() > 0:
        end = sdk.start()
        start = max(0, end - (limit - 10))
        start = line.find(" ", start, end) + 1 if start > 0 else 0
    # Inside a JSON record, begin at the value that holds the match, not at the keys before it.
    keys = [m.end() for m in _JSON_KEY.finditer(line, 0, start)]
    if keys:
        line, start, end = line[keys[-1]:], start - keys[-1], end - keys[-1]
    whole = _clean(_squash(line))
    if len(whole) <= limit:
        return whole
    # Begin at a field boundary shortly before the match (or the line start), at a word boundary.
    lo = max(0, start - _LEAD)
    breaks = [m.end() for m in _FIELD_BREAK.finditer(line, lo, start)]
    if breaks:
        lo = breaks[-1]
    elif lo > 0:
        space = line.find(" ", lo, start)
        lo = space + 1 if space != -1 else lo
    head = _squash(line[lo:start])
    matched = _squash(line[start:end])
    out = (head + " " if head and line[start - 1:start].isspace() else head) + matched
    for m in re.finditer(r"(\s*)(\S+)", line[end:]):
        piece = ((" " if m.group(1) else "") + shorten_token(m.group(2)))
        if len(out) + len(piece) > limit - 1:
            break
        out += piece
    truncated_tail = len(_squash(line[lo:])) > len(out)
    out = _clean(out)
    # (a quote that begins or ends at the evidence's own mark of a cut, "head … tail", marks it once)
    lead = "…" if lo > 0 and not out.startswith("…") else ""
    return lead + out + ("…" if truncated_tail and not out.endswith("…") else "")
