"""Signature engine: failure signatures (YAML) matched against evidence -> probable cause.

A signature file holds ``signatures:``, a list of::

    - id: lambda-task-timed-out          # unique
      category: timeout                  # taxonomy value
      confidence: high                   # high|medium|low
      priority: 90                       # higher wins when several match (default 50)
      sources: [stepfunctions]           # optional: only for these event sources
      match:
        any:  [<condition>, ...]         # at least one holds (default: no requirement)
        all:  [<condition>, ...]         # each holds on some evidence
        none: [<condition>, ...]         # none holds
      explanation: "The function {function_name} ran past its timeout: {match}"
      next_steps: ["Raise the timeout of {resource_name} ...", ...]

A condition holds on one evidence item when every key in it does: ``text`` is a regex searched in
the evidence text, ``kind`` equals the evidence kind, and any other key is looked up in the
evidence's structured facts (``error``, ``cause``, ``exit_code``, ``stop_code``, ``status``, ...):
a string value is a regex searched in the fact, a number or boolean must be equal, a list means
any of its values. Regexes are case-sensitive unless they start with ``(?i)``.

A signature marked ``generic: true`` only says that something failed (a traceback, exit code 1, "job
aborted", a task failed): it loses to any specific signature or class rule (``classes.py``) that matched
anywhere in the evidence, and on its own it gives at most medium confidence. A signature whose every
match is on a warning or a retried error (an earlier attempt of a state its Retry got past counts as one) gives
at most medium confidence and loses to a specific cause found on a fatal line; so does one
marked ``recoverable: true``, whose events the engine retries on its own (Spark re-runs the tasks of an
executor lost with its node): the cause only when nothing else explains the failure. One marked
``info_level: true`` matches a daemon's record, which is logged at INFO as a rule: the level does not make
its lines weak; one marked ``warned: true`` a framework's warning that it goes on degraded (PyTorch on the CPU
for want of a usable GPU): being a warning does not make its lines weak either. A signature marked
``symptom:`` says where a run stopped, not why (``true``: a time limit, a state's heartbeat or a Batch
attempt's timeout; or the sentence to say, with ``{match}``: a cluster's bootstrap failure): it gives way
to a specific cause of another category found on a fatal line (a worker killed for memory, then a hang
until the limit; a 403 in the node's provisioning log), given with at most medium confidence. One marked
``time_limit: true`` (a time limit and nothing of why) is itself reported at most medium. When nothing
specific matched, the class rules (exception classes, error codes, phrases) name the category from the
root cause of the deepest exception chain in the evidence; :attr:`Diagnosis.chain` shows that chain. A
class rule gives high confidence only when the wording of the evidence reads the same way (``corroborated``).
A trace's root cause kept as a log line of its own outranks the wrapper logged with it, and an error of a
Spark task other than the one that ended the job is a red herring. A permission cause read only from S3's
bare 403 to a read is at most medium: S3 answers so for a key that does not exist, too.
When none of these matched, the wording of the evidence is read against the words of known failures
(``terms.py``): a category it points at clearly is given with low confidence, with the words it went by;
otherwise the cause is ``unknown``.

``{placeholders}`` in explanation and next steps come from the incident context (``resource_name``,
``run_id``, ``region``, ``account``, ``pipeline``, console links...), the facts of the matched evidence,
and ``match`` (the first matched text, shortened). An unknown placeholder renders as ``?``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from ..evidence.compaction import ERROR_LEVELS, MR_FATAL_TASK, log_level
from ..model import Category, Confidence, ProbableCause, parse_time
from .chains import parse_chain, render_chain
from .classes import (
    ClassHit,
    ClassTable,
    classify,
    is_weak_line,
    load_class_table,
    retries_over,
    rule_documents,
    telemetry_lost,
    was_retried,
)
from .quotes import REPEATS, quote
from .terms import Reading, TermModel, load_term_model

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from ..model import Evidence

__all__ = ["Diagnosis", "Signature", "SignatureError", "SignatureSet", "load_signatures"]

logger = logging.getLogger(__name__)

_CONF_RANK = {Confidence.HIGH: 3, Confidence.MEDIUM: 2, Confidence.LOW: 1}
# Facts that carry an error text worth reading for a cause (besides the evidence text itself).
_TEXT_FACTS = ("error", "error_type", "cause", "reason", "status_reason", "stopped_reason", "state_change_message",
               "state_details", "error_message", "message")


class SignatureError(ValueError):
    """A signature file is malformed; the message names the file and the signature."""


@dataclass(frozen=True)
class Condition:
    text: re.Pattern[str] | None
    kind: str | None
    facts: tuple[tuple[str, Any], ...]

    def holds(self, ev: Evidence) -> str | None:
        """Return the matched snippet (or the evidence text) when the condition holds."""
        found = self.hit(ev)
        return found[0] if found else None

    def hit(self, ev: Evidence) -> tuple[str, str] | None:
        """(the matched snippet, the whole line it is on) when the condition holds; the snippet is cut for
        quoting, the line is what says whether it was a warning or a retried error."""
        if self.kind is not None and ev.kind != self.kind:
            return None
        if self.kind is None and self.text is not None and (ev.facts.get("given") or ev.facts.get("handler")):
            # The data the work was given, which may quote another system's error, or a failure handler's own
            # failure (a Catch's notifier that choked on the error it was handed): no finding of the failure.
            return None
        snippet: str | None = None
        line = ev.text
        if self.text is not None:
            m = self.text.search(ev.text)
            if not m:
                return None
            snippet = _line_around(ev.text, m.start(), m.end())
            start = ev.text.rfind("\n", 0, m.start()) + 1
            end = ev.text.find("\n", m.end())
            line = ev.text[start:end if end != -1 else len(ev.text)]
        for key, want in self.facts:
            got = ev.facts.get(key)
            if got is None:
                return None
            hit = _fact_matches(got, want)
            if hit is None:
                return None
            # A flag ("at_memory_limit: true") says nothing to quote: the line it was read from does.
            snippet = snippet or (None if isinstance(got, bool) else hit)
        return snippet or ev.text, line


def _fact_matches(got: Any, want: Any) -> str | None:
    if isinstance(want, list):
        for w in want:
            hit = _fact_matches(got, w)
            if hit is not None:
                return hit
        return None
    if isinstance(want, re.Pattern):
        m = want.search(str(got))
        return _line_around(str(got), m.start(), m.end()) if m else None
    if isinstance(want, bool) or isinstance(got, bool):
        return str(got) if bool(got) == bool(want) and type(got) is type(want) else None
    try:
        return str(got) if float(got) == float(want) else None
    except (TypeError, ValueError):
        return str(got) if str(got) == str(want) else None


def _line_around(text: str, start: int, end: int) -> str:
    """The matched text with its line around it, cut at word and field boundaries, for quoting."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = line_end if line_end != -1 else len(text)
    return quote(text[line_start:line_end], start - line_start, min(end, line_end) - line_start)


@dataclass
class Signature:
    id: str
    category: Category
    confidence: Confidence
    explanation: str
    next_steps: list[str]
    priority: int = 50
    sources: frozenset[str] = frozenset()
    any_of: list[Condition] = field(default_factory=list)
    all_of: list[Condition] = field(default_factory=list)
    none_of: list[Condition] = field(default_factory=list)
    origin: str = ""
    generic: bool = False
    # Its events are retried by the engine (a lost executor): it weighs like a warning.
    recoverable: bool = False
    # Its lines are a daemon's record, logged at INFO as a rule (the instance controller's "terminate requested,
    # reason TERMINATED_BY_SPOT_DUE_TO_NO_CAPACITY"): their level does not make them weak.
    info_level: bool = False
    # Its cause is told in a warning, after which the work went on degraded (PyTorch on the CPU when the GPU's
    # driver is too old, until a time limit): the warning is not a red herring.
    warned: bool = False
    # Where a run stopped, not why (a time limit that ended a run which may already have failed, a cluster's
    # bootstrap failure): a specific cause of another category found on a fatal line speaks first. The
    # sentence that says so, with {match} (empty: not a symptom).
    symptom: str = ""
    # A time limit and nothing of why the run took so long: it ranks as written among the signatures, and is
    # reported at most medium (of the time limits read at high at their first replay, blind writers found another
    # cause behind most: a deadlock, an event loop kept open, a VPC without a route to the service).
    time_limit: bool = False

    def applies_to(self, source: str) -> bool:
        """Whether the signature reads a report of ``source`` as a whole (unscoped, or scoped to it)."""
        return not self.sources or source in self.sources

    def child_scoped(self, ev: Evidence) -> bool:
        """Whether ``ev`` is a child run's evidence of one of the signature's sources."""
        return bool(self.sources and ev.facts.get("child") is True and ev.facts.get("child_source") in self.sources)

    def match(self, evidence: Iterable[Evidence], source: str) -> tuple[list[str], str, dict[str, Any]] | None:
        m = self.match_detail(evidence, source)
        return None if m is None else (m[0], m[1], m[2])

    def match_detail(self, evidence: Iterable[Evidence], source: str, fatal: set[tuple[str, str]] | None = None
                     ) -> tuple[list[str], str, dict[str, Any], bool] | None:
        """Like :meth:`match` (evidence ids, first matched text, merged facts, or None), plus whether
        every matched line is weak (a warning or a retried error).

        A signature scoped to other sources than the report's own matches only the evidence of a child
        run of one of its sources (a Glue run a Step Functions task started: its facts carry
        ``child_source``), never the parent's own evidence.
        """
        items = list(evidence)
        fatal = _fatal_spark_tasks(items) if fatal is None else fatal
        if not self.applies_to(source):
            items = [ev for ev in items if self.child_scoped(ev)]
            if not items:
                return None
        ids: list[str] = []
        facts: dict[str, Any] = {}
        first = ""

        def hits(cond: Condition) -> list[tuple[Evidence, str, str]]:
            out = []
            for ev in items:
                found = cond.hit(ev)
                if found is not None:
                    out.append((ev, *found))
            return out

        for cond in self.none_of:
            if hits(cond):
                return None
        groups: list[list[tuple[Evidence, str, str]]] = []
        for cond in self.all_of:
            found = hits(cond)
            if not found:
                return None
            groups.append(found)
        if self.any_of:
            found_any = [h for cond in self.any_of for h in hits(cond)]
            if not found_any:
                return None
            groups.insert(0, found_any)
        if not groups:
            return None
        weak = True
        for group in groups:
            for ev, snippet, line in group:
                if ev.id not in ids:
                    ids.append(ev.id)
                    for k, v in ev.facts.items():
                        facts.setdefault(k, v)
                first = first or snippet
                # A recoverable event on the line that gave up on it ("failed 4 times, most recent failure:
                # ... lost node") is what the retries could not get past: not weak.
                recovered = self.recoverable and not retries_over(ev.text)
                # A warning about an attempt of the Spark task that ended the job ("WARN TaskSetManager: Lost task
                # 12.1 in stage 31.0 ...") is one of the attempts that ran out: the failure, not a red herring.
                warned = (was_retried(line) if self.warned else is_weak_line(line, levels=not self.info_level)) \
                    and not _of_fatal_task(line, fatal)
                weak = weak and (_earlier_attempt(ev) or ((recovered or warned) and ev.kind == "log"))
        return ids, first, facts, weak


# A cluster node as Spark and YARN name it: EC2's private DNS name (ip-10-60-3-41[.<region>.compute.internal]).
_NODE_NAME = re.compile(r"\bip-(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,3})\b")


def _node_names(lines: list[str]) -> re.Pattern[str] | None:
    """A pattern for the nodes ``lines`` name, by DNS name or by address; None when they name none."""
    nodes = {m.groups() for line in lines for m in _NODE_NAME.finditer(line)}
    if not nodes:
        return None
    names = [f"ip-{'-'.join(n)}" for n in nodes] + [rf"(?<![\d.]){re.escape('.'.join(n))}(?!\d)" for n in nodes]
    return re.compile("|".join(names))


_LOCATION = re.compile(r"\b(?:s3a?|gs|hdfs|https?)://[^\s'\"()]{8,}")


def _retried_later(ev: Evidence, retrying: list[Evidence]) -> bool:
    """Whether another line of the same log (``retrying``: the log lines that say they retry) says the transfer
    ``ev`` failed is being retried, naming the same location ("download failed: s3://ngi-igenomes/.../STARIndex/
    Genome ... Connection reset by peer", then "Attempt 1 to stage s3://ngi-igenomes/.../STARIndex/Genome failed,
    retrying in 10s"): a red herring the retry got past, when something else ended the work."""
    if ev.kind != "log":
        return False
    places = set(_LOCATION.findall(ev.text))
    # ... not a retry logged before the failure, which that failure ended ("Initial get request failed for s3://.../
    # 01788-....metadata.json, retrying", then Iceberg's "NotFoundException: Location does not exist" for the same file,
    # apache/iceberg#9618).
    return bool(places) and any(other is not ev and other.source == ev.source and not _logged_before(other, ev)
                                and any(place in other.text for place in places) for other in retrying)


def _logged_before(a: Evidence, b: Evidence) -> bool:
    """Whether ``a`` was logged before ``b`` in the same log: by their lines' order when both were read line by
    line, else by their times when both have one."""
    pa, pb = a.facts.get("position"), b.facts.get("position")
    if pa is not None and pb is not None:
        return int(pa) < int(pb)
    gap = _seconds_after(a, b)
    return gap is not None and gap > 0


def _earlier_attempt(ev: Evidence) -> bool:
    """Whether ``ev`` is what an earlier attempt of the failed work ended with (a retried state's first try, a
    Spark task attempt whose retry finished), what an error handler ended with after the failure it handled
    (a Step Functions Catch's notifier that failed on the empty Cause it was given), or what a container logged as
    ECS stopped it after another essential container had failed (a ``bystander``)."""
    facts = ev.facts
    return (facts.get("attempt") == "earlier" or facts.get("recovered") is True or facts.get("handler") is True
            or facts.get("bystander") is True)


def _in_own_words(ids: list[str], by_id: Mapping[str, Evidence]) -> bool:
    """Whether any of the evidence ``ids`` is the work's own output (a log line, the error it returned), not only the
    orchestrator's or the service's account of it."""
    return any(i in by_id and by_id[i].kind in ("log", "error") for i in ids)


@dataclass
class Diagnosis:
    cause: ProbableCause
    next_steps: list[str]
    signature: Signature | None
    # The exception chain the cause was read from, outermost first and the root cause last, each link
    # as "Type: message" (empty when the evidence holds no chain).
    chain: list[str] = field(default_factory=list)
    # Which rule named the cause: a signature id, "class:<rule id>", or "" for unknown.
    rule: str = ""


class _Safe(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return "?"


def _render(template: str, values: Mapping[str, Any]) -> str:
    if str(values.get("match") or "").endswith((".", "…", "!", "?")):
        template = template.replace("{match}.", "{match}")  # a quote that ends a sentence ends it once
    try:
        return template.format_map(_Safe(values))
    except (ValueError, IndexError, AttributeError) as exc:
        logger.warning("signature template could not be rendered", extra={"template": template,
                                                                          "error": str(exc)})
        return template


def _compile(value: Any, where: str) -> Any:
    if isinstance(value, list):
        return [_compile(v, where) for v in value]
    if isinstance(value, str):
        try:
            return re.compile(value)
        except re.error as exc:
            raise SignatureError(f"{where}: bad regex {value!r}: {exc}") from exc
    return value


def _condition(raw: Any, where: str) -> Condition:
    if not isinstance(raw, dict) or not raw:
        raise SignatureError(f"{where}: a condition must be a non-empty mapping, got {raw!r}")
    text = raw.get("text")
    facts = tuple((str(k), _compile(v, where)) for k, v in raw.items() if k not in {"text", "kind"})
    return Condition(text=_compile(text, where) if text is not None else None,
                     kind=raw.get("kind"), facts=facts)


_SIGNATURE_KEYS = {"id", "category", "confidence", "priority", "sources", "match", "explanation", "next_steps",
                   "generic", "recoverable", "symptom", "info_level", "warned", "time_limit"}


def _signature(raw: Any, origin: str) -> Signature:
    if not isinstance(raw, dict) or "id" not in raw:
        raise SignatureError(f"{origin}: every signature needs an id, got {raw!r}")
    where = f"{origin}: signature {raw['id']}"
    unknown = set(raw) - _SIGNATURE_KEYS
    if unknown:  # a key out of place ("none" beside "match" rather than in it) would be ignored silently
        raise SignatureError(f"{where}: unknown keys {sorted(unknown)}")
    match_unknown = set(raw.get("match") or {}) - {"any", "all", "none"}
    if match_unknown:
        raise SignatureError(f"{where}: unknown keys under match {sorted(match_unknown)}")
    try:
        category = Category(raw["category"])
        confidence = Confidence(raw.get("confidence", "medium"))
    except (KeyError, ValueError) as exc:
        raise SignatureError(f"{where}: bad or missing category/confidence ({exc})") from exc
    match = raw.get("match") or {}
    if not isinstance(match, dict) or not (match.get("any") or match.get("all")):
        raise SignatureError(f"{where}: match needs 'any' or 'all'")
    if not raw.get("explanation"):
        raise SignatureError(f"{where}: explanation is required")
    return Signature(
        id=str(raw["id"]), category=category, confidence=confidence,
        explanation=str(raw["explanation"]).strip(),
        next_steps=[str(s).strip() for s in raw.get("next_steps") or []],
        priority=int(raw.get("priority", 50)),
        sources=frozenset(raw.get("sources") or []),
        any_of=[_condition(c, where) for c in match.get("any") or []],
        all_of=[_condition(c, where) for c in match.get("all") or []],
        none_of=[_condition(c, where) for c in match.get("none") or []],
        origin=origin,
        generic=bool(raw.get("generic", False)),
        recoverable=bool(raw.get("recoverable", False)),
        info_level=bool(raw.get("info_level", False)),
        warned=bool(raw.get("warned", False)),
        symptom=_symptom(raw.get("symptom")),
        time_limit=bool(raw.get("time_limit", False)),
    )


_TIME_LIMIT = 'The run then went on until a time limit stopped it ("{match}"): a symptom.'


def _symptom(value: Any) -> str:
    """``symptom: true`` (a time limit, said the default way) or the sentence itself."""
    if value is True:
        return _TIME_LIMIT
    return str(value).strip() if value else ""


def load_signatures(*dirs: str | Path) -> list[Signature]:
    """Load every ``*.yaml`` in the given directories, in order; a later directory's id replaces an earlier
    one's (a user's own signature over the bundled one). Within one directory an id is defined once: a second
    definition would silently replace the first."""
    by_id: dict[str, Signature] = {}
    for d in dirs:
        if not d:
            continue
        path = Path(d)
        if not path.is_dir():
            raise SignatureError(f"signature directory {path} does not exist")
        here: dict[str, str] = {}  # id -> the file of this directory that defines it
        for file, doc in rule_documents(path):
            for raw in doc.get("signatures") or []:
                sig = _signature(raw, file.name)
                if sig.id in here:
                    raise SignatureError(f"{file.name}: signature {sig.id} is defined twice in {path} "
                                         f"(also in {here[sig.id]})")
                here[sig.id] = file.name
                by_id[sig.id] = sig
    return list(by_id.values())


# S3 answers a read of a key that does not exist with 403, not 404, when the caller may not list the bucket
# (s3:ListBucket): boto3's "(AccessDenied) when calling the GetObject operation: Access Denied" or "(403) when
# calling the HeadObject operation: Forbidden". With no denied action named anywhere in the evidence, that is
# a missing permission or a missing object, and the answer is not certain.
_S3_READ_403 = re.compile(r"\((?:AccessDenied|403)\) when calling the (?:GetObject|HeadObject) operation")
_ACTION_NAMED = re.compile(r"(?i)not authorized to perform|explicit deny|identity-based policy|resource-based "
                           r"policy|\bkms\b|\bs3:[A-Z]\w+|ciphertext refers to a customer master key")
_S3_READ_403_NOTE = ("S3 gives the same answer to a read of a key that does not exist when the caller may not list "
                     "the bucket (s3:ListBucket): check that the object is there before changing a policy.")
# ... and a refusal of s3:ListBucket itself, answered to a read or copy of one key (CopyObject from a source key that
# is not there, aws/aws-sdk-js-v3#6523): no list was asked for, so the key may simply be missing.
_LIST_REFUSED = re.compile(r"not authorized to perform: s3:ListBucket\b")
_ONE_KEY_READ = re.compile(r"(?i)\b(?:GetObject|HeadObject|CopyObject)\b")


def _s3_read_denied(d: Diagnosis, evidence: list[Evidence]) -> Diagnosis:
    """A permission cause read only from S3's bare 403 to a read, or from its refusal of s3:ListBucket to a read of one
    key, at most medium (see ``_S3_READ_403``)."""
    if d.cause.category != Category.PERMISSION_DENIED or d.cause.confidence != Confidence.HIGH:
        return d
    cited = [e.text for e in evidence if e.id in d.cause.evidence_ids]
    list_on_read = any(_LIST_REFUSED.search(t) and _ONE_KEY_READ.search(t) for t in cited)
    if not list_on_read and (not any(_S3_READ_403.search(t) for t in cited)
                             or any(_ACTION_NAMED.search(e.text) for e in evidence)):
        return d
    d.cause.confidence = Confidence.MEDIUM
    d.cause.explanation += " " + _S3_READ_403_NOTE
    return d


# A value a parser refused ('For input string: "999999999999999"', "invalid literal for int() with base 10:
# 'abc'", "could not convert string to float: '1,5'"), quoted by the failing line.
_REFUSED_VALUE = re.compile(r'For input string: "([^"]{3,120})"'
                            r"|invalid literal for \w+\(\) with base \d+: '([^']{3,120})'"
                            r"|could not convert string to \w+: '([^']{3,120})'")


def _value_from_settings(d: Diagnosis, evidence: list[Evidence]) -> Diagnosis:
    """Bad data read from a value the run's own settings hold (a step's ``-D record.length=999999999999999``, a
    job argument, an execution input): the setting is wrong, not the data (configuration, at most medium)."""
    if d.cause.category != Category.BAD_DATA:
        return d
    cited = " ".join(e.text for e in evidence if e.id in d.cause.evidence_ids)
    refused = {next(v for v in m.groups() if v): m.group(0) for m in _REFUSED_VALUE.finditer(cited)}
    settings = [e for e in evidence if e.kind == "config"]
    where, said = next(((e, refused[v]) for v in sorted(refused) for e in settings
                        if re.search(rf"(?<![\w.-]){re.escape(v)}(?![\w.-])", e.text)), (None, ""))
    if where is None:
        return d
    d.cause.category = Category.CONFIGURATION
    d.cause.confidence = min(d.cause.confidence, Confidence.MEDIUM, key=_CONF_RANK.__getitem__)
    d.cause.explanation = (f'A value the run\'s own settings give ({where.id}) could not be parsed: "{said}". The '
                           "setting is wrong, not the data.")
    d.cause.evidence_ids.append(where.id)
    d.next_steps = [f"Correct the setting that holds the refused value ({where.id}: the run's arguments or "
                    "configuration), then redrive."]
    return d


_CAUSED_BY_LINE = re.compile(r"\s*Caused by:")
# A Python error on a name that was never assigned: often the consequence of a failure the script caught, printed
# and went on from (the assignment was in the step that failed). So is a call on a None that a library returned
# after logging why it had nothing to give (TensorRT's "[E] ... Version tag does not match", then "'NoneType' object
# has no attribute 'create_execution_context'", NVIDIA/TensorRT#2105). An environment's own interpreter missing
# ("/bin/sh: 1: metaflow_CleanFlow_linux-64_.../bin/python: not found") is that of an environment whose build failed.
_CONSEQUENCE = re.compile(r"\bNameError: name '\w+' is not defined|\bUnboundLocalError\b"
                          r"|'NoneType' object (?:has no attribute '\w+'|is not (?:subscriptable|iterable))"
                          r"|\bcannot access local variable '\w+'|\blocal variable '\w+' referenced before assignment"
                          r"|/bin/python[\d.]*: (?:not found|No such file or directory)"
                          # the shell's report of a program that called abort() after saying why ("F tensorflow/...
                          # CUDA_ERROR_ECC_UNCORRECTABLE", then "line 31:    17 Aborted  (core dumped) python ...")
                          # (in a French locale's words too: "Abandon (core dumped)" after V8's "FATAL ERROR: ...
                          # Allocation failed - process out of memory", evansiroky/gtfs-sequelize#5)
                          r"|\b(?:Aborted|Abandon)\s+\(core dumped\)"
                          # requests' raise_for_status() summary of an answer whose body the work logged before it
                          # ('{"message":"Missing Authentication Token"}', then "HTTPError: 403 Client Error:
                          # Forbidden for url: ...", aws/chalice#734): the body says why
                          r"|\bHTTPError: \d{3} (?:Client|Server) Error: [\w ]{1,60} for url: "
                          # FFmpeg's summary of a muxer that could not start, after the muxer said why ("[mp4] muxer
                          # does not support non-seekable output", then "Could not write header for output file #0
                          # (incorrect codec parameters ?): Invalid argument")
                          r"|\bCould not write header for output file\b"
                          # Julia's summary of a package it could not precompile, after why ("Cannot open cache file
                          # ... for writing.", then "LoadError: Failed to precompile Compat to ...")
                          r"|\bFailed to precompile \S+ to \S"
                          # a wrapper's check that the tool it ran wrote its output ("[run_fastqc] expected report
                          # /data/out/x_fastqc.html not found", after FastQC died on "No fonts found")
                          r"|(?i:\bexpected (?:report|output|result)s?(?: files?)? \S+ (?:not found|is missing"
                          r"|was not (?:written|created|produced)))")
# A connection that failed, said without why ("Cannot connect to db on startup, exiting", "Unable to connect to the
# database"): the summary of the attempts before it. An earlier line of the same log that says why the server
# refused them ("no pg_hba.conf entry for host ..., SSL off", "This RDS Proxy requires TLS connections") is the cause.
_BARE_CONNECT = re.compile(r"(?i)\b(?:can ?not|could ?n[o']t|unable to|failed to) (?:re)?connect(?: to)?\b"
                           # Elixir's DBConnection: no connection in its pool to hand out, because none could be opened
                           r"|\bconnection not available and request was dropped from queue\b")
_CONNECT_REASON = re.compile(r"(?i)refused|timed? ?out|reset|unreachable|no route|unknown host|not known|resolv|"
                             r"closed|EOF|denied|handshake|certificate|ssl|tls")
# A server on the same host the work could not reach ("ConnectException: Failed to connect to localhost/127.0.0.1:8889",
# the Presto CLI of an EMR step): one that is not up, whose own log (another source: the node's server log) says why
# it did not start ("Configuration property 'optimizer.join_distribution_type' was not used", trinodb/trino#13144).
_LOCAL_PEER = re.compile(r"(?i)(?<![\w.-])(?:localhost|127\.0\.0\.1|\[::1\])(?![\w.-])")
# A bystander's error logged next to the failure: a Spark listener that threw ("ERROR AsyncEventQueue: Listener
# EventLoggingListener threw an exception", then "java.util.ConcurrentModificationException" on its own line).
# Spark logs and drops a listener's exception; the job goes on, so the trace under it (its lines logged at the same
# instant) is no cause.
_BYSTANDER = re.compile(r"\bListener \w+ threw an exception\b")
# A failure notice the work could not send (a workflow's failure-mail action: "Mail failure - ERROR: Problem while
# sending message: jakarta.mail.MessagingException: Could not connect to SMTP host", apache/hop#3814).
_NOTICE_NOT_SENT = re.compile(
    r"(?i)\b(?:problem|error|failure) (?:while |when )?sending (?:the )?(?:message|mail|e-?mail|notification|alert)\b"
    r"|\b(?:could not|unable to|failed to) (?:connect to SMTP host|send (?:the )?(?:failure |error )?(?:mail|e-?mail|"
    r"notification|alert)s?\b)")
_TRACE_HEAD = re.compile(r"\s*(?:Caused by:\s*)?(?:[a-z][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error)\b")
# A transfer that failed ("download failed: s3://... to ./ref.fasta (Connection reset by peer)", "Failed to fetch
# ..."): a file the same log later says does not exist was never fetched, and the transfer's reason is the cause.
_FETCH_FAILED = re.compile(r"(?i)\b(?:download(?:ing)? failed|failed to (?:download|fetch|copy|stage)|"
                           r"error (?:downloading|fetching)|could not (?:download|fetch))\b")
_FETCH_REASONS = frozenset({Category.DEPENDENCY_UNAVAILABLE, Category.THROTTLING, Category.PERMISSION_DENIED,
                            Category.DISK_FULL, Category.TIMEOUT})
# A line that ends with a traceback's header says nothing of the failure ("ERROR ProcessLauncher: Error from
# Python:Traceback (most recent call last):"); the exception line that ends the traceback does
# ("pyspark.sql.utils.AnalysisException: 'Detected implicit cartesian product ...").
_ENDS_WITH_HEADER = re.compile(r"Traceback \(most recent call last\):?\s*$")
# An exception raised with no message, alone on its line ("StopIteration", a bare "AssertionError").
_BARE_EXCEPTION = re.compile(r"^(?:[a-z_]\w*\.)*[A-Z]\w*(?:Error|Exception|Iteration|Exit|Interrupt)\s*$")
# ... and where compaction joined the header to the exception (" | "), or the runtime printed it after the
# message, the quote is the exception alone (a line that is the header and nothing else stays as it is).
_HEADER_BEFORE = re.compile(r"^.*?Traceback \(most recent call last\):?\s*\|\s*(?=\S)")
_HEADER_AFTER = re.compile(r"(?<=\S)\s*Traceback \(most recent call last\):?\s*$")


# The responder's own words before a Glue run's ErrorMessage ("Run FAILED after 35 min: "): the quote is the message.
_RUN_PREFIX = re.compile(r"^Run (?:FAILED|TIMEOUT|ERROR|STOPPED) after [^:]{1,40}: (?=\S)")


def _without_header(text: str) -> str:
    return _HEADER_AFTER.sub("", _HEADER_BEFORE.sub("", _RUN_PREFIX.sub("", text, count=1), count=1))


def _opens_with_exception(text: str) -> bool:
    """Whether a line starts with an exception (its class, then its message), as the chain parser reads it."""
    links = parse_chain(text)
    return bool(links) and text.startswith(links[0].type)


def _notices_after_failure(evidence: list[Evidence]) -> list[Evidence]:
    """``evidence`` with each failure notice the work could not send after an error of the same log marked as a
    failure handler's own failure (fact ``handler``): it followed the failure, it did not cause it. A notice that
    failed with nothing failed before it in its log stays as it is."""
    notices = {ev.id for ev in evidence if ev.kind == "log" and _NOTICE_NOT_SENT.search(ev.text) is not None}
    if not notices:
        return evidence
    failed: dict[str, datetime] = {}  # per log, the time of its first error line that is no notice
    for ev in evidence:
        at = parse_time(ev.time) if ev.kind == "log" and ev.id not in notices else None
        if at is not None and log_level(ev.text) in ERROR_LEVELS:
            failed[ev.source] = min(failed.get(ev.source, at), at)

    def after_failure(ev: Evidence) -> bool:
        at, first = parse_time(ev.time), failed.get(ev.source)
        return at is not None and first is not None and first < at

    return [replace(ev, facts={**ev.facts, "handler": True}) if ev.id in notices and after_failure(ev) else ev
            for ev in evidence]


def _in_log_order(evidence: list[Evidence]) -> list[tuple[int, Evidence]]:
    """``(position, evidence)``, the position being the evidence's place in time. Log lines without a time
    (an S3 log read line by line: an EMR step's or a bootstrap action's stderr) are listed most telling first;
    within each run of them from one log, their positions follow the log's own line order instead."""
    out = list(enumerate(evidence))
    i = 0
    while i < len(evidence):
        ev = evidence[i]
        j = i + 1
        if ev.kind == "log" and ev.time is None and ev.facts.get("position"):
            while (j < len(evidence) and evidence[j].kind == "log" and evidence[j].time is None
                   and evidence[j].source == ev.source and evidence[j].facts.get("position")):
                j += 1
            run = sorted(evidence[i:j], key=lambda e: int(e.facts["position"]))
            out[i:j] = [(i + k, e) for k, e in enumerate(run)]
        i = j
    return out


TRACE_SECONDS = 2.0  # the lines of one stack trace are written within this time of each other
RETRIED_CONNECTS = 5  # a connection that could not be opened, retried this many times on one line: a broken path
_CONNECT = re.compile(r"(?i)connect(?:ion)? time(?:d)? ?out|connect timeout|could not connect to the endpoint|"
                      r"connection refused|name or service not known|temporary failure in name resolution|"
                      r"no route to host|network is unreachable")


# A line that says a step succeeded (read with error_weight: one that also names an error is not this).
_REPORTS_SUCCESS = re.compile(r"(?i)\bsuccess(?:ful(?:ly)?)?\b|\bsucceeded\b")
# A connection the other side closed (reset, closed by the server, a broken pipe), not one that could not be opened.
_PEER_CLOSED = re.compile(r"(?i)\breset by peer\b|\bbroken pipe\b|\bserver closed the connection\b"
                          r"|\bconnection (?:was )?closed by (?:the )?(?:remote|peer|server|foreign)")


def _seconds_after(a: Evidence, b: Evidence) -> float | None:
    """How many seconds after ``a`` ``b`` was logged; None when either time is unknown."""
    ta, tb = parse_time(a.time), parse_time(b.time)
    return None if ta is None or tb is None else (tb - ta).total_seconds()


def _just_before(a: Evidence, b: Evidence) -> bool:
    """Whether ``a`` was logged at most TRACE_SECONDS before ``b`` (both times known)."""
    gap = _seconds_after(a, b)
    return gap is not None and 0 <= gap <= TRACE_SECONDS


def _one_trace(a: Evidence, b: Evidence) -> bool:
    """Whether two log lines can be of one stack trace: logged together (when both times are known)."""
    gap = _seconds_after(a, b)
    return gap is None or abs(gap) <= TRACE_SECONDS


# Spark names the task that ended the job ("Task 5 in stage 3.0 failed 4 times; aborting job"). An error of
# another task ("Exception in task 2.0 in stage 1.0": a connection reset whose retry succeeded) is a red
# herring beside it, however it was logged.
_SPARK_FATAL_TASK = re.compile(r"\bTask (\d+) in stage (\d+(?:\.\d+)?) failed \d+ times")
_SPARK_TASK = re.compile(r"(?i)\btask (\d+)\.\d+ in stage (\d+(?:\.\d+)?)")


# MapReduce's job client names the task the job failed for ("Job job_… failed with state FAILED due to: Task failed
# task_1504697735424_23539_m_000004"); what its attempts died of ("AttemptID:attempt_…_m_000004_3 Timed out after
# 600 secs") is the failure, and an exception the client throws afterwards (a NullPointerException in its
# clean-up) is what the failure led to.
def _fatal_mapreduce_attempts(evidence: list[Evidence]) -> frozenset[str]:
    """The attempt id prefixes (``attempt_<job>_<task>_``) of the MapReduce tasks a job failed for."""
    return frozenset(f"attempt_{m[1]}_{m[2]}_" for ev in evidence for m in MR_FATAL_TASK.finditer(ev.text))


def _fatal_spark_tasks(evidence: list[Evidence]) -> set[tuple[str, str]]:
    return {(m[1], m[2]) for ev in evidence for m in _SPARK_FATAL_TASK.finditer(ev.text)}


def _of_fatal_task(text: str, fatal: set[tuple[str, str]]) -> bool:
    """Whether ``text`` is about an attempt of a Spark task that ended the job (see ``_SPARK_FATAL_TASK``)."""
    return bool(fatal) and bool({(m[1], m[2]) for m in _SPARK_TASK.finditer(text)} & fatal)


def _another_task(text: str, fatal: set[tuple[str, str]]) -> bool:
    """Whether ``text`` is about Spark tasks other than the ones that ended the job (see ``_SPARK_FATAL_TASK``)."""
    if not fatal:
        return False
    tasks = {(m[1], m[2]) for m in _SPARK_TASK.finditer(text)}
    return bool(tasks) and not tasks & fatal and not _SPARK_FATAL_TASK.search(text)


def _context_of(sig: Signature, facts: Mapping[str, Any], context: Mapping[str, Any], source: str
                ) -> Mapping[str, Any]:
    """The placeholder values of a match: the report's context, or for a signature that matched a child
    run's evidence (scoped to the child's source, not the report's), the child's own context with the
    parent's values of the names every source shares (pipeline, owner, runbook, ...) where the child has
    none. A name only the parent's source has never renders from the parent."""
    child = facts.get("child_context")
    if sig.applies_to(source) or not isinstance(child, dict):
        return context
    from ..sources.base import SourceContext

    shared = SourceContext.placeholder_names()
    return {**{k: v for k, v in context.items() if k in shared}, **child}


# Evidence that describes the setting rather than the failure: not read for its wording; nor are the
# analyzer's own notes on where a text came from.
_CONTEXT_KINDS = frozenset({"catalog", "config", "account", "change", "rule"})
_OWN_NOTE = re.compile(r"\(from the event; [^)]*\)")
_JAVA_FRAME = re.compile(r"\bat [\w$.<>]+\([\w$. ]*(?::\d+)?\)")


def _telling_line(text: str, telling: tuple[str, ...]) -> str:
    """The line of ``text`` that holds most of the telling words (the first such line), quoted."""
    lines = [ln for ln in text.splitlines() if ln.strip()] or [text]
    lowered = [ln.lower() for ln in lines]
    best = max(range(len(lines)), key=lambda i: (sum(w in lowered[i] for w in telling), -i))
    line = lines[best]
    hits = [lowered[best].find(w) for w in telling if w in lowered[best]]
    start = min(hits) if hits else 0
    return quote(line, start, start)


# pip's progress lines ("Collecting deltalake==0.9.0", "Downloading ....whl (21.4 MB)", "Successfully installed
# ..."), every line of an event: a Glue job's --additional-python-modules install before its script runs.
_PIP_PROGRESS = re.compile(
    r"(?:\s*(?:Collecting|Downloading|Using cached|Requirement already satisfied|Installing collected packages|"
    r"Successfully (?:installed|uninstalled|built)|Building wheels? for|Created wheel for|Stored in directory|"
    r"Preparing metadata|Attempting uninstall|Found existing installation|Uninstalling|Processing|Obtaining)\b"
    r"[^\n]*(?:\n|$))+")
_PIP_MARK = re.compile(r"\.whl\b|\.tar\.gz\b|Successfully installed|Installing collected packages|Requirement already")
# Lines that say what a program did, not how it failed, whatever words they hold: a shell's trace of the command it
# runs ("+ aws s3 sync s3://example-archive-raw/folder1/ ..."), the AWS CLI's account of a transfer ("upload:
# logs/dbt.log to s3://..."). One line each: a text that goes on after it ("Exited with code 137") is read. (Not
# Lambda's REPORT line: "Memory Size: 128 MB Max Memory Used: 129 MB" is how an invocation out of memory reads.)
_NOT_A_FAILURE = re.compile(r"^\s*(?:\++ \S[^\n]*|(?:upload|download|copy|move): \S+ to \S+\s*)$")


def _worded_texts(ev: Evidence) -> list[str]:
    """What the word model reads of ``ev``: its texts without the analyzer's own notes."""
    return [_OWN_NOTE.sub(" ", text) for text in _evidence_texts(ev)]


def _reported_texts(ev: Evidence) -> list[str]:
    """What the word model reads of ``ev`` to find a cause no rule names: the words somebody else wrote. A log
    line is the program's own; of the other evidence, only its raw error facts (the service's reason, the
    error message): the rest of its text is the analyzer's own wording ("Launch type FARGATE; started by
    ..."), which says nothing of the cause."""
    from ..evidence.redaction import redact

    if ev.kind == "log":
        # ... not where it was thrown: a frame a headline keeps for an exception without a message names code.
        return [_JAVA_FRAME.sub(" ", _OWN_NOTE.sub(" ", ev.text))]
    values = [v.strip() for v in (ev.facts.get(key) for key in _TEXT_FACTS) if isinstance(v, str) and v.strip()]
    # One reading of them all, a line each ("Runtime.ImportModuleError" with its message).
    return ["\n".join(_OWN_NOTE.sub(" ", redact(v)) for v in dict.fromkeys(values))] if values else []


def _evidence_texts(ev: Evidence) -> list[str]:
    """The evidence text and its error facts, redacted: a fact (the raw error message) has not been through
    redaction as the text has, and what is read here may be quoted in the explanation."""
    from ..evidence.redaction import redact

    texts = [ev.text]
    for key in _TEXT_FACTS:
        value = ev.facts.get(key)
        if isinstance(value, str) and value and value not in ev.text:
            texts.append(redact(value))
    return texts


class Worded(NamedTuple):
    """A clear reading of the evidence by its wording: the reading, the evidence item, the line quoted, and
    whether that line is a warning or a retried error (it then speaks only when nothing else does)."""

    reading: Reading
    evidence: Evidence
    line: str
    weak: bool


_CLASSIFIED_KEPT = 2048  # texts whose class-rule reading a SignatureSet keeps


class SignatureSet:
    """The loaded signatures and class rules, and the diagnosis over an incident's evidence."""

    def __init__(self, signatures: list[Signature], classes: ClassTable | None = None,
                 terms: TermModel | bool | None = True) -> None:
        """``terms``: the model of known failures' wording; True (default) reads the bundled one when it
        is first needed, False or None does without."""
        self.signatures = signatures
        if classes is None:
            from ..resources import rules_dir

            try:
                classes = load_class_table(rules_dir() / "signatures")
            except FileNotFoundError:
                classes = ClassTable()
        self.classes = classes
        self._terms: TermModel | bool | None = terms
        # The class rules' reading of a text, which a diagnosis asks for again (once per candidate it weighs): kept
        # for a bounded number of texts (a warm container reads many logs).
        self._hits: dict[str, ClassHit | None] = {}

    @property
    def terms(self) -> TermModel | None:
        if self._terms is True:
            from ..resources import rules_dir

            self._terms = load_term_model(rules_dir() / "knowledge" / "terms.json")
        return self._terms or None

    def corroborated(self, category: Category, ev: Evidence) -> bool:
        """Whether the wording of ``ev`` points at ``category`` too. A class rule maps a whole family of
        exceptions or phrases to one cause, and on failures it was not written from it is wrong about one
        time in three; when the words of known failures read the same evidence the same way, it was right
        three times in four, and when they did not, less than half the time. The texts read are the class
        rules' own (the evidence text and its error facts)."""
        model = self.terms
        if model is None:
            return False
        readings = (model.read(text) for text in _worded_texts(ev))
        return any(r is not None and r.clear and r.category == category for r in readings)

    def read_terms(self, evidence: list[Evidence], exclude: frozenset[Category] = frozenset()
                   ) -> Worded | None:
        """The clearest reading of the evidence by its wording: per evidence item (context such as the
        catalog or the configuration aside, and routine log lines; of the rest, the words the program or the
        service wrote, see ``_reported_texts``), the one whose words point most clearly at one category, a
        fatal line before a warning or a retried error, the later item on a tie; with the line that holds
        most of the telling words, and whether that line is a warning or a retried error. None when no item
        reads clearly."""
        from ..evidence.compaction import error_weight, is_routine

        model = self.terms
        if model is None:
            return None
        best: tuple[tuple[int, float, int], Reading, Evidence, str] | None = None
        for pos, ev in enumerate(evidence):
            if ev.kind in _CONTEXT_KINDS or (ev.kind == "log" and is_routine(ev.text)):
                continue
            if ev.kind == "log" and _PIP_PROGRESS.fullmatch(ev.text) and _PIP_MARK.search(ev.text):
                continue  # pip's account of what it installed: the packages' names, not a cause
            if ev.kind == "log" and _REPORTS_SUCCESS.search(ev.text) and not error_weight(ev.text):
                continue  # a step the program says went well ("Created Manifest ... Successfully"): no failure's words
            if ev.kind == "log" and _NOT_A_FAILURE.match(ev.text):
                continue  # what the program did ("+ aws s3 sync ...", "upload: a to s3://b")
            weak = _earlier_attempt(ev) or (ev.kind == "log" and is_weak_line(ev.text))
            for text in _reported_texts(ev):
                reading = model.read(text)
                if reading is None or not reading.clear or reading.category in exclude:
                    continue
                rank = (0 if weak else 1, round(reading.probability, 3), pos)
                if best is None or rank > best[0]:
                    best = (rank, reading, ev, text)
        if best is None:
            return None
        rank, reading, ev, text = best
        return Worded(reading, ev, _telling_line(text, reading.telling), weak=rank[0] == 0)

    def matches(self, evidence: list[Evidence], source: str, exclude: frozenset[Category] = frozenset()
                ) -> list[tuple[Signature, list[str], str, dict]]:
        return [(sig, ids, first, facts) for sig, ids, first, facts, _ in self._matches(evidence, source, exclude)]

    def _matches(self, evidence: list[Evidence], source: str, exclude: frozenset[Category]
                 ) -> list[tuple[Signature, list[str], str, dict, bool]]:
        found = []
        fatal = _fatal_spark_tasks(evidence)
        for sig in self.signatures:
            if sig.category in exclude:
                continue
            m = sig.match_detail(evidence, source, fatal)
            if m is not None:
                found.append((sig, *m))
        # Specific before generic, a fatal line before a warning or retried error, then priority.
        found.sort(key=lambda f: (f[0].generic, f[4], -f[0].priority, -_CONF_RANK[f[0].confidence], -len(f[1])))
        return found

    def _classified(self, text: str) -> ClassHit | None:
        if text in self._hits:
            return self._hits[text]
        if len(self._hits) >= _CLASSIFIED_KEPT:
            self._hits.clear()
        hit = self._hits[text] = classify(text, self.classes)
        return hit

    def classify(self, evidence: list[Evidence], exclude: frozenset[Category] = frozenset()
                 ) -> tuple[ClassHit, Evidence] | None:
        """The best class-rule match over the evidence: a fatal line before a warning, a decisive match
        (exception class, error code) before a phrase, the root of a chain before its wrappers, and the
        evidence nearest the failure (later, in the log's own order for lines without a time) before earlier
        evidence."""
        best: tuple[tuple[int, ...], ClassHit, Evidence] | None = None
        # The root cause of a trace kept as a line of its own, per log (a "Caused by:" line, the first exception
        # of a chained Python traceback): the wrapper above it in the same log ("CommunicationsException:
        # Communications link failure") gives way to it ("SSLHandshakeException: No appropriate protocol"),
        # however the two are ordered as evidence.
        roots: dict[str, tuple[tuple[int, ...], ClassHit, Evidence]] = {}
        fetches: dict[str, tuple[tuple[int, ...], ClassHit, Evidence]] = {}  # the first failed transfer, per log
        # Per log, the first class that explains the causes chained under it (ClassRule.over_cause), when the chain's
        # links were kept as lines of their own.
        overs: dict[str, tuple[tuple[int, ...], ClassHit, Evidence]] = {}
        fatal_hits: list[tuple[tuple[int, ...], ClassHit, Evidence]] = []  # not weak, in logs
        weak_hits: list[tuple[tuple[int, ...], ClassHit, Evidence]] = []  # the rest, in logs
        fatal = _fatal_spark_tasks(evidence)
        fatal_attempts = _fatal_mapreduce_attempts(evidence)
        bystander: dict[str, Evidence] = {}  # per log, the last line that says a bystander threw
        retrying = [ev for ev in evidence if ev.kind == "log" and was_retried(ev.text)]
        for pos, ev in _in_log_order(evidence):
            if ev.facts.get("given") or ev.facts.get("handler"):
                # A request payload or an execution's input: what the work was given, not how it failed; a failure
                # handler's own error: what followed the failure it was handling.
                continue
            # The trace under a bystander's line, logged with it: the bystander's, not the failure's.
            under = bystander.get(ev.source)
            of_bystander = (ev.kind == "log" and under is not None and under.time is not None
                            and parse_time(under.time) == parse_time(ev.time) and bool(_TRACE_HEAD.match(ev.text)))
            if ev.kind == "log":
                if _BYSTANDER.search(ev.text):
                    bystander[ev.source] = ev
                elif not of_bystander:
                    bystander.pop(ev.source, None)
            for text in _evidence_texts(ev):
                hit = self._classified(text)
                if hit is None or hit.category in exclude:
                    continue
                # A setting or the state of what the work ran on (a cluster "TERMINATED: USER_REQUEST" after its step
                # failed, the orchestrator's clean-up): the context of the failure, not a line of it.
                if not hit.weak and (ev.kind in _CONTEXT_KINDS or _earlier_attempt(ev) or _another_task(text, fatal)
                                     or of_bystander or _retried_later(ev, retrying)):
                    hit = replace(hit, weak=True)
                elif hit.weak and not _earlier_attempt(ev) and _of_fatal_task(text, fatal):
                    hit = replace(hit, weak=False)  # an attempt of the task that ended the job
                of_fatal_attempt = any(a in text for a in fatal_attempts)
                rank = (0 if hit.weak else 1, int(of_fatal_attempt), int(hit.decisive), 1 if hit.depth >= 0 else 0,
                        pos, hit.line)
                if best is None or rank > best[0]:
                    best = (rank, hit, ev)
                if ev.kind == "log":
                    (weak_hits if hit.weak else fatal_hits).append((rank, hit, ev))
                if ev.kind == "log" and (ev.facts.get("root") or _CAUSED_BY_LINE.match(text)):
                    roots[ev.source] = (rank, hit, ev)
                if ev.kind == "log" and hit.rule.over_cause and not hit.weak:
                    overs.setdefault(ev.source, (rank, hit, ev))
                if (ev.kind == "log" and hit.category in _FETCH_REASONS and not hit.weak
                        and _FETCH_FAILED.search(text)):
                    fetches.setdefault(ev.source, (rank, hit, ev))
        if best is None:
            return None
        # (an exception class's quote is its name: its line says the rest)
        said = best[1].quote if best[1].kind == "text" else best[2].text
        dependency = best[1].category == Category.DEPENDENCY_UNAVAILABLE
        bare_connect = dependency and _BARE_CONNECT.search(said) is not None and _CONNECT_REASON.search(said) is None
        local = dependency and _LOCAL_PEER.search(said) is not None
        consequence = _CONSEQUENCE.search(best[1].quote) is not None
        # A connection the peer closed, just after the work logged what the peer refused ("Maximum Payload Violation on
        # connection [12]", then "could not publish message: Connection reset by peer"): the refusal is why.
        peer_closed = (dependency and not (bare_connect or local or consequence)
                       and _PEER_CLOSED.search(said) is not None)
        if bare_connect or local or consequence or peer_closed:
            # A name never assigned because the step that assigns it failed earlier in the same log, and the
            # script went on ("Database connection failed due to ... root certificate file does not exist", then
            # "NameError: name 'query_results' is not defined"): the earlier failure is the cause.
            # A connection said to have failed without why gives way to the line that says why, logged before or
            # after it (another process of the same program may log the server's refusal later).
            # A server on the same host that is not up: why, in any log of the report.
            # Among lines as weak as it when it is weak itself (a program that logs everything at INFO).
            pool = weak_hits if best[1].weak else fatal_hits
            why = [c for c in pool if (local or c[2].source == best[2].source)
                   and (bare_connect or local or c[0][4] < best[0][4]) and c[1].category != best[1].category
                   and (not peer_closed or _just_before(c[2], best[2]))]
            if why:
                best = max(why, key=lambda c: c[0])
        fetch = fetches.get(best[2].source)
        if best[1].category == Category.MISSING_INPUT and fetch is not None and fetch[0][4] < best[0][4]:
            return fetch[1], fetch[2]
        root = roots.get(best[2].source)
        # A "Caused by:" named by its class or an error code: its phrase is weighed against the wrapper's, as in
        # one event ("Failed to find data source: kinesis" over "ClassNotFoundException: kinesis.DefaultSource").
        # What a Python exception led to (a KeyError in the error handling) is no wrapper: its root decides.
        if (root is not None and root[0][:3] >= best[0][:3] and _one_trace(root[2], best[2])
                and (root[1].kind in ("exception", "code") or not _CAUSED_BY_LINE.match(root[2].text))):
            best = root
        # A deeper cause kept as a line of its own ("Caused by: java.time.format.DateTimeParseException: Text
        # '3/10/14:1:01' could not be parsed") under a class that explains it, on a line above it in the same trace
        # ("Caused by: ... SparkUpgradeException: You may get a different result due to the upgrading of Spark 3.0"):
        # the class above it is the reading, as when the two are links of one line.
        over = overs.get(best[2].source)
        if over is not None and over[2] is not best[2] and over[0][4] < best[0][4] and _one_trace(over[2], best[2]):
            best = over
        return best[1], best[2]

    def diagnose(self, evidence: list[Evidence], source: str, context: Mapping[str, Any],
                 exclude: frozenset[Category] = frozenset()) -> Diagnosis:
        """Pick the cause: a specific signature, else a class rule on the root cause, else a generic
        signature (at most medium confidence); nothing matched gives ``unknown`` with low confidence."""
        return _value_from_settings(_s3_read_denied(self._pick(evidence, source, context, exclude), evidence),
                                    evidence)

    def _pick(self, evidence: list[Evidence], source: str, context: Mapping[str, Any],
              exclude: frozenset[Category]) -> Diagnosis:
        evidence = _notices_after_failure(evidence)
        found = self._matches(evidence, source, exclude)
        specific = [f for f in found if not f[0].generic]
        generic = [f for f in found if f[0].generic]
        cls = self.classify(evidence, exclude)
        by_id = {ev.id: ev for ev in evidence}
        # The nodes the engine said it lost (a recoverable signature's lines), and the lines that name them.
        lost_sig = next((f for f in specific if f[0].recoverable), None)
        lost_nodes = _node_names([by_id[i].text for i in lost_sig[1] if i in by_id]) if lost_sig else None
        if lost_sig is not None and lost_nodes is not None and lost_sig is not specific[0] and \
                specific[0][0].category == Category.DEPENDENCY_UNAVAILABLE and \
                any(lost_nodes.search(by_id[i].text) for i in specific[0][1] if i in by_id):
            # A connection that failed to that very node (a shuffle fetch from a reclaimed Spot node's executors):
            # the loss explains the failure, so it is read first.
            specific = [lost_sig, *(f for f in specific if f is not lost_sig)]
        if specific:
            sig, ids, first, facts, weak = specific[0]
            if (sig.category == Category.DEPENDENCY_UNAVAILABLE and cls is not None and not cls[0].weak
                    and cls[0].category != sig.category and ids
                    and all(i in by_id and _LOCAL_PEER.search(by_id[i].text) for i in ids)):
                # A server on the work's own host that it could not reach ("curl: (7) Failed to connect to localhost
                # port 9200"), and another cause on a fatal line: that server did not start, and the line says why
                # (Elasticsearch's failed bootstrap checks), as in classify.
                return self._from_class(cls[0], cls[1], context)
            if sig.symptom:
                ahead = self._before_the_limit(specific, cls, sig, ids, first, context, evidence, source)
                if ahead is not None:
                    return ahead
            # A specific cause seen only on a warning gives way to a decisive class rule (an exception
            # class, an error code) on a fatal line, or to an exception class of a broad rule there (a library's
            # IllegalArgumentException under a node it failed over from), not to a broad phrase such as
            # "internal error". Seen only on attempts that were retried and got past it (a state's earlier
            # attempt, a Spark task attempt whose retry finished), it gives way to any class rule on a fatal line.
            # So it is when each of its lines is a call the client said it was retrying or backing off from ("adding
            # delay of 10 ms") and its retries were not over: a fatal line of another class after it is what ended
            # the run (awslabs/aws-athena-query-federation#1089: a throttle backed off, then a ValidationException).
            # ... or when it was a telemetry agent's own delivery (a producer's CloudWatch metrics it could not upload).
            got_past = weak and all(_earlier_attempt(by_id[i]) or was_retried(by_id[i].text)
                                    or telemetry_lost(by_id[i].text) for i in ids if i in by_id)
            # Nor, seen only on calls the client said it was retrying, does it stand against the unhandled error
            # of another category that ended the run on a fatal line (a DescribeAddon call throttled and retried,
            # then a ValueError in the script's own loop): the retries got past it. A warning that is not a retry
            # ("Found 3 malformed records") may still be the cause under a generic wrapper.
            # So too when it was seen only on earlier attempts of the state, and the last one failed otherwise in the
            # work's own words (a throttled invoke retried, then the function's own OSError): not when all that is
            # known of the last one is the orchestrator's wrapper.
            retried = all(i in by_id and was_retried(by_id[i].text) for i in ids)
            earlier = all(i in by_id and _earlier_attempt(by_id[i]) for i in ids)
            ended = weak and (retried or earlier) and any(
                not g[4] and g[0].category != sig.category and (retried or _in_own_words(g[1], by_id)) for g in generic)
            # A node the engine lost, and then a connection to that same node that failed (Spark's shuffle fetch
            # from the executors of a reclaimed Spot node, "connection timed out: ip-10-60-3-41...:7337"): the lost
            # node explains the connection failure, not the other way round.
            lost = (weak and specific[0] is lost_sig and lost_nodes is not None and cls is not None
                    and lost_nodes.search(cls[1].text) is not None)
            # A recoverable event seen only on warnings (an executor lost with its node, whose tasks the engine
            # re-ran) is the cause only when nothing else explains the failure: any class rule of another category on
            # a fatal line does (a Kryo buffer overflow after a Spot node went).
            if not ended and (lost or not (weak and cls is not None and not cls[0].weak
                    and (cls[0].decisive or cls[0].kind == "exception" or got_past or sig.recoverable)
                    and cls[0].category != sig.category)):
                # Another cause on another fatal line (a specific signature or a decisive class rule of
                # another category, on evidence this signature did not match): the evidence is not
                # one-sided, so not high. On the same line, the signature is the more specific reading.
                # Seen only on a warning or on an error that was retried (an earlier attempt of the
                # state; a throttled call the client retried), it is not what ended the run: not high.
                rival = weak or self._elsewhere(specific, evidence, sig.category, ids, symptoms=True) is not None
                d = self._from_signature(sig, ids, first, facts, context, evidence,
                                         cap=Confidence.MEDIUM if rival else None, source=source)
                if (weak and not lost and cls is not None and not cls[0].weak and cls[0].decisive
                        and cls[1].id not in ids):
                    # The warning and the line that gave up agree (a mirror that timed out, then "Cannot find a
                    # valid baseurl for repo"): the failure is quoted and cited first, the signature's steps stay.
                    return self._class_first(cls, d, context)
                return d
        if cls is not None and generic and generic[0][0].category == cls[0].category:
            # The class rule agrees with a generic one ("a traceback", "exit code 1"): the generic
            # signature's service-specific text and next steps stand, at its capped confidence, with the
            # class rule's chain.
            sig, ids, first, facts, _ = generic[0]
            if cls[1].id in ids and not cls[0].weak:
                # The class rule read one of the lines the generic signature matched: its reading of that line
                # is the quote ("AttributeError: 'DataFrame' object has no attribute 'append'", not "Traceback
                # (most recent call last)"), cited first.
                first, ids = cls[0].quote, [cls[1].id] + [i for i in ids if i != cls[1].id]
            d = self._from_signature(sig, ids, first, facts, context, evidence,
                                    cap=Confidence.MEDIUM, source=source)
            if not d.chain and len(cls[0].chain) > 1:
                d.chain = [lk.render() for lk in cls[0].chain]
            if cls[1].id not in d.cause.evidence_ids and not cls[0].weak:
                # The class rule read another line than the symptom: the particular failure under it ("No module
                # named pyspark" under "Job aborted due to stage failure"), said and cited first.
                return self._class_first(cls, d, context)
            return d
        if cls is not None and not cls[0].weak:
            return self._from_class(cls[0], cls[1], context)
        # What is left says little of the cause: a generic signature names the symptom ("exit code 1", "the
        # job aborted"), a class rule on a warning or a retried error names a red herring as often as not.
        # The wording of a failing line that reads clearly as another cause speaks before either.
        read = self.read_terms(evidence, exclude)
        if read is not None and not read.weak and not (cls is not None and cls[0].category == read.reading.category):
            if not generic:
                herring: tuple[str, list[str]] | None = None if cls is None else (
                    f'a class rule matched a warning or a retried error ("{cls[0].quote}"), which the failing line '
                    "outweighs", [])
                return self._from_terms(read, context, passed_over=herring)
            sig, ids, first, facts, _ = generic[0]
            if sig.category == read.reading.category:
                return self._from_signature(sig, ids, first, facts, context, evidence,
                                            cap=Confidence.MEDIUM, source=source)
            shown = _without_header(next((e.text for e in evidence if e.id in ids), first))
            return self._from_terms(read, context, passed_over=(
                f'only a generic signature matched ("{quote(shown, 0, len(shown), limit=90)}": the symptom, not '
                "its cause)", ids))
        # A class rule read only on what the run got past (an earlier attempt of the state, which then failed
        # otherwise; a call the client was retrying) gives way to the generic signature of the failure that ended it.
        got_past = cls is not None and (_earlier_attempt(cls[1]) or was_retried(cls[1].text))
        if cls is not None and not (got_past and generic and not generic[0][4] and _in_own_words(generic[0][1], by_id)):
            return self._from_class(cls[0], cls[1], context)
        if generic:
            sig, ids, first, facts, _ = generic[0]
            return self._from_signature(sig, ids, first, facts, context, evidence,
                                    cap=Confidence.MEDIUM, source=source)
        if read is not None:
            return self._from_terms(read, context)
        return Diagnosis(
            cause=ProbableCause(
                category=Category.UNKNOWN, confidence=Confidence.LOW,
                explanation=("No known failure signature matched the evidence. The facts below are "
                             "what could be read; the cause has to be found by a person."),
                evidence_ids=[e.id for e in evidence[:3]],
            ),
            next_steps=[], signature=None,
        )

    def _class_first(self, cls: tuple[ClassHit, Evidence], d: Diagnosis, context: Mapping[str, Any]) -> Diagnosis:
        """The class rule's reading of its line, said and cited first, with the signature's diagnosis ``d`` of the
        same cause: the higher of the two confidences, its evidence after, its next steps kept."""
        c = self._from_class(cls[0], cls[1], context)
        c.cause.confidence = max(c.cause.confidence, d.cause.confidence, key=_CONF_RANK.__getitem__)
        c.cause.evidence_ids += [i for i in d.cause.evidence_ids if i not in c.cause.evidence_ids]
        c.next_steps += [step for step in d.next_steps if step not in c.next_steps]
        return c

    def _elsewhere(self, specific: list[tuple[Signature, list[str], str, dict, bool]], evidence: list[Evidence],
                   category: Category, ids: list[str], symptoms: bool = False,
                   best: tuple[ClassHit, Evidence] | None = None,
                   ) -> tuple[Signature, list[str], str, dict, bool] | tuple[ClassHit, Evidence] | None:
        """A cause of another category than ``category`` on a fatal line that ``ids`` do not cover: the first
        specific signature (not a warning, not a retried error; a symptom one only if ``symptoms``), else a
        decisive class rule (an exception class, an error code, a high rule's phrase): ``best``, the evidence's
        best class hit, when given (a time limit gives way only to what reads as the failure's cause), else any
        such hit. None when there is none."""
        # What an earlier attempt died of, before the retry that ran into the limit, is no red herring there;
        # unless it is infrastructure the retry got away from (a Spot host reclaimed under attempt 1, attempt 2
        # then training for its whole 12 h): that does not follow the work from one attempt to the next.
        earlier = {e.id for e in evidence if e.facts.get("attempt") == "earlier"} if best is not None else set()
        other = next((f for f in specific if not f[0].generic and (not f[4] or set(f[1]) <= earlier)
                      and f[0].category != category and (symptoms or not f[0].symptom) and set(f[1]) - set(ids)
                      and not (f[0].category == Category.CAPACITY and set(f[1]) - set(ids) <= earlier)),
                     None)
        if other is not None:
            return other
        if best is None:
            cls = self.classify([e for e in evidence if e.id not in ids], exclude=frozenset({category}))
        elif best[1].id in ids:
            # The best reading being the limit's own line (an attempt's "Task timed out" in the log) says nothing
            # of what else the run met: the work's own lines are read without it (Chromium's "FATAL:memory.cc
            # Out of memory" before the timeout).
            cls = self.classify([e for e in evidence if e.id not in ids and e.kind == "log"],
                                exclude=frozenset({category}))
        else:
            cls = best if best[0].category != category else None
        return cls if cls is not None and not cls[0].weak and cls[0].decisive else None

    def _kept_retrying(self, evidence: list[Evidence], category: Category) -> tuple[ClassHit, Evidence] | None:
        """A connection the run could not open, retried again and again until the limit (a private subnet with
        no route to an AWS endpoint: "Connect timeout on endpoint URL ... retrying" seven times): the limit only ended
        the wait. Warnings, so no class rule reads them as the failure; repeated ``RETRIED_CONNECTS`` times at
        least on one log line, they are what the run spent its time on."""
        for ev in evidence:
            if ev.kind != "log" or int(ev.facts.get("count") or 1) < RETRIED_CONNECTS or not _CONNECT.search(ev.text):
                continue
            hit = self.classify([ev], exclude=frozenset({category}))
            if hit is not None and hit[0].category == Category.DEPENDENCY_UNAVAILABLE:
                return replace(hit[0], weak=False), ev
        return None

    def _before_the_limit(self, specific: list[tuple[Signature, list[str], str, dict, bool]],
                          cls: tuple[ClassHit, Evidence] | None, limit: Signature, limit_ids: list[str],
                          limit_match: str, context: Mapping[str, Any], evidence: list[Evidence],
                          source: str) -> Diagnosis | None:
        """The failure a time limit only ended: a specific signature of another category on a fatal line
        (not a warning, not a retried error), else a decisive class rule on one; at most medium confidence,
        since the limit may still be the cause. None when there is none."""
        # On the limit's own line, another cause is the limit's doing (Lambda kills the runtime it timed out:
        # "Task timed out after 30.27 seconds ... Runtime exited with error: signal: killed"), not its cause.
        other = self._elsewhere(specific, evidence, limit.category, limit_ids, best=cls) or \
            self._kept_retrying(evidence, limit.category)
        if other is None:
            return None
        d = self._from_class(other[0], other[1], context) if isinstance(other[0], ClassHit) else \
            self._from_signature(*other[:4], context, evidence, cap=Confidence.MEDIUM, source=source)
        shown = quote(limit_match, 0, len(limit_match), limit=90)
        d.cause.explanation += " " + _render(limit.symptom, {"match": shown})
        d.cause.evidence_ids += [i for i in limit_ids if i not in d.cause.evidence_ids]
        return d

    def _from_signature(self, sig: Signature, ids: list[str], first: str, facts: dict[str, Any],
                        context: Mapping[str, Any], evidence: list[Evidence], cap: Confidence | None,
                        source: str = "") -> Diagnosis:
        # What the matched evidence says of itself wins (``placeholders``: the container whose log the line is).
        if sig.generic and _ENDS_WITH_HEADER.search(first):
            exc = next((ev for ev in evidence if ev.kind == "log"
                        and (_opens_with_exception(ev.text) or _BARE_EXCEPTION.match(REPEATS.sub("", ev.text)))
                        and not is_weak_line(ev.text)), None)
            if exc is not None:
                first, ids = quote(exc.text, 0, len(exc.text)), [exc.id] + [i for i in ids if i != exc.id]
        first = _without_header(first)
        values = {**facts, **_context_of(sig, facts, context, source), **(facts.get("placeholders") or {}),
                  "match": first}
        explanation = _render(sig.explanation, values)
        confidence = sig.confidence
        if sig.time_limit and (cap is None or _CONF_RANK[cap] > _CONF_RANK[Confidence.MEDIUM]):
            cap = Confidence.MEDIUM
        if cap is not None and _CONF_RANK[confidence] > _CONF_RANK[cap]:
            confidence = cap
        chain: list[str] = []
        for ev in evidence:
            if ev.id in ids:
                links = parse_chain(ev.text)
                if len(links) > 1:
                    chain = [lk.render() for lk in links]
                    break
        return Diagnosis(
            cause=ProbableCause(category=sig.category, confidence=confidence, explanation=explanation,
                                evidence_ids=ids, signature=sig.id),
            next_steps=[_render(s, values) for s in sig.next_steps],
            signature=sig, chain=chain, rule=sig.id,
        )

    def _from_terms(self, worded: Worded, context: Mapping[str, Any],
                    passed_over: tuple[str, list[str]] | None = None) -> Diagnosis:
        """The wording's reading; ``passed_over``: what else matched and was outweighed (said first), and the
        evidence it cites too (a generic signature's symptom)."""
        reading, ev, line = worded.reading, worded.evidence, worded.line
        texts = self.classes.texts.get(reading.category, {})
        label = reading.category.value.replace("_", " ")
        words = ", ".join(f'"{w}"' for w in reading.telling) or "its words"
        lead = f"No specific signature matched; {passed_over[0]}. " if passed_over else \
            "No signature or class rule matched. "
        cited = [ev.id] + [i for i in (passed_over[1] if passed_over else []) if i != ev.id]
        explanation = (f'{lead}The failure reads "{line}"; its wording ({words}) is '
                       f"that of known {label} failures, so that is the likely cause, to be confirmed by a person "
                       f"(read from the words alone, {reading.probability:.0%} of the weight).")
        values = {**ev.facts, **context, "match": line, "chain": ""}
        steps = [f"Confirm the cause in {ev.id} first: this reading comes from the wording, not from a known failure."]
        steps += [_render(str(s), values) for s in texts.get("next_steps") or []]
        return Diagnosis(
            cause=ProbableCause(category=reading.category, confidence=Confidence.LOW, explanation=explanation,
                                evidence_ids=cited, signature=f"terms:{reading.category.value}"),
            next_steps=steps, signature=None, rule=f"terms:{reading.category.value}",
        )

    def _from_class(self, hit: ClassHit, ev: Evidence, context: Mapping[str, Any]) -> Diagnosis:
        texts = self.classes.texts.get(hit.category, {})
        chain = [lk.render() for lk in hit.chain] if len(hit.chain) > 1 else []
        values = {**ev.facts, **context, "match": hit.quote,
                  "chain": f" Cause chain: {render_chain(hit.chain)}." if chain else ""}
        explanation = _render(str(texts.get("explanation") or 'The failure reads: "{match}".{chain}'), values)
        # A class rule maps a whole family of exceptions or phrases to one cause: never high (that takes a
        # specific signature on decisive evidence); medium when the wording of known failures reads the same
        # evidence the same way, else low. On failures the rules had never seen (heldout_r10 to r12 at their
        # first score), its answers were right 44 times in 58 when the two readings agreed, 12 in 28 when not.
        confidence = Confidence.LOW
        if not hit.weak and self.corroborated(hit.category, ev):
            confidence = min(hit.rule.confidence, Confidence.MEDIUM, key=_CONF_RANK.__getitem__)
        return Diagnosis(
            cause=ProbableCause(category=hit.category, confidence=confidence, explanation=explanation.strip(),
                                evidence_ids=[ev.id], signature=f"class:{hit.rule.id}"),
            next_steps=[_render(str(s), values) for s in texts.get("next_steps") or []],
            signature=None, chain=chain, rule=f"class:{hit.rule.id}",
        )
