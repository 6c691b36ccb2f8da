"""Is the missing column really missing? A near-spelling of it in the data's own header.

A job that fails on a column it cannot find ("KeyError: 'Name'", Spark's "cannot resolve 'Name' given input
columns: [ Name, Species]", "Column 'name' not found") reads like a bug in the code. Often the code is right and
the header changed under it: a stray space (" Name"), another case ("name"), a byte-order mark ("\\ufeffName").
When the evidence itself shows the header with such a spelling of the column (the same error line's column list,
or a line naming three columns at least that the job logged about what it read), the data changed, not the
code: one evidence item of kind ``columns`` with the fact ``column_variant`` says so, and a signature
(``rules/signatures/common.yaml``) reads it.

A query that cannot resolve a column its table's Glue Data Catalog definition has ("Column 'crop_ids' cannot be
resolved" on a table that defines crop_ids as set<bigint>) is not a query naming a wrong column either: the engine
did not read the table as the catalog defines it (a column type a connector cannot map, so it fell back to
inferring a schema without it; a view over an older definition). The fact ``column_in_catalog`` says so, read
by its own signature. Only a query's own error counts: a Spark job's frame is read from its files, not its
table's definition. No AWS call: the catalog facts are those the collector read.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..model import Evidence
    from ..sources.base import Collector

__all__ = ["KIND", "check_catalog_columns", "check_columns", "column_in_catalog", "column_variant"]

KIND = "columns"
_NAME = r"[^'\"`\[\]\n]{1,64}"
# The column the job looked for and did not find.
_MISSING = [
    re.compile(rf"\bKeyError: ['\"](?P<name>{_NAME})['\"]"),
    re.compile(rf"\bKeyError: \"\[['\"](?P<name>{_NAME})['\"]\] not in index"),
    re.compile(rf"(?i)cannot resolve ['\"`]+(?P<name>{_NAME})['\"`]+ given input columns"),
    re.compile(rf"(?i)column or function parameter with name [`'\"](?P<name>{_NAME})[`'\"] cannot be resolved"),
    re.compile(rf"(?i)\bcolumn ['\"`](?P<name>{_NAME})['\"`] (?:not found|does not exist|cannot be resolved)"),
    re.compile(rf"(?i)\bno (?:such )?column(?: named)?:? ['\"`](?P<name>{_NAME})['\"`]"),
]
# A spelling of a column in the evidence: a quoted name, or an entry of Spark's bracketed column list.
_QUOTED = re.compile(r"['\"`]([^'\"`\n]{1,66})['\"`]")
_LISTED = re.compile(r"(?i)(?:given input columns|did you mean one of the following\?):? \[([^\]\n]{1,2000})\]")
# A byte-order mark, as such and as its UTF-8 bytes read as Latin-1.
_BOMS = ("\ufeff", "ï»¿")


def _plain(name: str) -> str:
    for bom in _BOMS:
        name = name.replace(bom, "")
    return name.strip().lower()


def _spellings(text: str) -> list[str]:
    found = [m.group(1) for m in _QUOTED.finditer(text)]
    for listed in _LISTED.finditer(text):
        # "[ Name, Species]": each entry after the first loses the one space that follows its comma, no more.
        parts = listed.group(1).split(",")
        found += [part[1:] if i and part.startswith(" ") else part for i, part in enumerate(parts)]
    return found


def column_variant(evidence: list[Evidence]) -> tuple[Evidence, str, str] | None:
    """The first missing column with a differently spelled twin in the evidence: (its item, the name the job
    wanted, the spelling the data has)."""
    for ev in evidence:
        for pattern in _MISSING:
            m = pattern.search(ev.text)
            if not m:
                continue
            wanted = m.group("name")
            plain = _plain(wanted)
            if not plain:
                continue
            for other in evidence:
                text = other.text
                if other is ev:  # the error's own line: its column list, not the name it quotes
                    start, end = m.span("name")
                    text = text[:start - 1] + "<>" + text[end + 1:]
                names = _spellings(text)
                if len(names) < 3 and not _LISTED.search(text):
                    continue  # not a header: a list of columns names three at least
                for spelled in names:
                    if spelled != wanted and _plain(spelled) == plain:
                        return ev, wanted, spelled
    return None


def column_in_catalog(evidence: list[Evidence]) -> tuple[Evidence, str, Evidence, str] | None:
    """The first column a query could not resolve that a catalog table of the evidence defines: (the query's
    error, the column, the table's catalog item, the type the table gives it)."""
    tables = [ev for ev in evidence if ev.kind == "catalog" and ev.facts.get("columns")]
    if not tables:
        return None
    for ev in evidence:
        if ev.kind != "query":
            continue
        for pattern in _MISSING:
            m = pattern.search(ev.text)
            if not m:
                continue
            wanted = m.group("name")
            for table in tables:
                kind = table.facts["columns"].get(_plain(wanted))
                if kind is not None:
                    return ev, wanted, table, kind
    return None


def _describe(wanted: str, spelled: str) -> str:
    if any(bom in spelled for bom in _BOMS):
        return "with a byte-order mark before it"
    if spelled.strip() != spelled:
        return "with a space around it"
    return "in another case"


def check_columns(c: Collector) -> Evidence | None:
    """Add what the data calls a column the job could not find, when the evidence shows it (module docstring)."""
    found = column_variant(c.book.items)
    if found is None:
        return None
    _, wanted, spelled = found
    return c.add(KIND, "evidence", f"The job looks for the column {wanted!r}; the data's header has it as {spelled!r} "
                 f"({_describe(wanted, spelled)})", column_variant=True, column_wanted=wanted,
                 column_spelled=spelled)


def check_catalog_columns(c: Collector) -> Evidence | None:
    """Add that a column a query could not resolve is one its table's catalog definition has (module docstring);
    run once the tables' catalog facts are read."""
    if any(e.kind == KIND for e in c.book.items):
        return None  # the header's spelling already explains the column
    found = column_in_catalog(c.book.items)
    if found is None:
        return None
    _, wanted, table, kind = found
    typed = f" as {kind[:120]}" if kind else ""  # a struct's type can be long; its head names it
    return c.add(KIND, "evidence", f"The query cannot resolve the column {wanted!r}, which the Glue table "
                 f"{table.facts.get('dataset', '')} defines{typed}", column_in_catalog=True, column_wanted=wanted)
