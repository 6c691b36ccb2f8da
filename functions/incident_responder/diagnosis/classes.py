"""Class rules: general mappings from exception classes, error codes and phrases to a cause category.

Where a signature describes one known failure, a class rule describes a family of them: every
``*AccessDenied*`` exception or error code is a permission problem, every ``UnknownHostException`` a
dependency that cannot be reached. They are read from the ``classes:`` list of any file in the
signature directory::

    classes:
      - id: missing-input-classes
        category: missing_input
        family: general          # the corpus family the entry was written from (general: none)
        confidence: high         # high only when a match is decisive on its own
        exceptions: ['FileNotFoundException', 'NoSuch\\w*Key\\w*']   # regexes, full match on the class name
        codes: ['NoSuchKey', 'ENOENT']                                # regexes, full match on an error code
        text: ['(?i)path does not exist']                             # regexes, searched in a message or line
        unless: ['(?i)too many open files']   # regexes: the rule stands aside when the message says this
        naming: ['Error: scala\\.']  # regexes: a class matches only when "<Type>: <message>" says this

and the category texts under ``categories:`` (``explanation`` and ``next_steps`` with ``{match}``,
``{chain}`` and the incident context as placeholders).

:func:`classify` reads one text: it parses the exception chain and tries the links from the root cause
outwards, so the deepest cause a rule knows wins over the wrappers around it; then the error codes;
then the text line by line, where a later line outranks an earlier one and warnings or retried
errors rank below a fatal line. What only a medium rule knows is kept aside while the rest is read:
an umbrella class or code (``InvalidInputException``) gives way to any phrase, a broad phrase on a
link ("timed out") to a specific phrase of a high rule anywhere.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from ..evidence.compaction import RETRIED, ROUTINE_LEVELS, glog_level, log_level
from ..formats import load_yaml
from ..model import Category, Confidence
from .chains import Link, error_codes, parse_chain
from .quotes import REPEATS, quote

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["ClassHit", "ClassRule", "ClassTable", "classify", "is_weak_line", "load_class_table"]

logger = logging.getLogger(__name__)

# A line that reports an error being retried or passed over: RETRIED (evidence.compaction, which reads the same
# words in a program's note after the failure) ... or only a warning, or an error said to be retryable, or a
# service failed over, or one the program says it skips: with a retry, a red herring unless nothing else is found.
# Python's warnings: "mag_l1d_data.py:412: RuntimeWarning: invalid value ...".
# A "warning" that is a payload's quoted key or value ({'ok': False, 'error': 'ratelimited', 'warning': ...}, Slack's
# answer) is no level. NCCL writes its errors as "NCCL WARN" (it has no other level for them): the line the
# "unhandled system error (run with NCCL_DEBUG=INFO for details)" above it sends the reader to. A feature named
# "retryable" is no error said to be so (DocumentDB's "Retryable writes are not supported"), nor is one whose fields
# say it is not (the AWS SDK for JavaScript's "retryable: false", or "retryable: f…" or "retryable:…" where a long
# line is cut: the value is not known).
_WARNED = re.compile(r"(?i)(?<!['\"])(?<!NCCL )\bWARN(?:ING)?\b(?!['\"])"
                     r"|\bretr[iy]able\b(?! writes\b)(?!['\"]?\s*[:=]\s*(?:f|0\b|…|$))"
                     # ... not Node's UnhandledPromiseRejectionWarning, which carries an error nothing caught
                     # ("UnhandledPromiseRejectionWarning: ConfigError: Missing region in config", aws/aws-cdk#10952).
                     r"|\bfail(?:ing|ed) over to\b|\b(?!UnhandledPromiseRejectionWarning)[A-Z]\w*Warning:")
# A telemetry agent's own delivery (a Lambda extension that failed to flush the logs it forwards,
# axiomhq/axiom-lambda-extension#48; "[metrics_manager.cc:136] Metrics upload failed. | Code: 403", the Kinesis
# Producer Library's CloudWatch metrics, awslabs/amazon-kinesis-producer#252): the work goes on without it.
_TELEMETRY_LOST = (r"\bfailed to (?:flush|send|ship|export|forward|deliver|push) (?:the )?(?:logs?|telemetry|traces?|"
                   r"spans?|metrics)\b|\b(?:metrics|telemetry|traces|spans) (?:upload|export|delivery|flush) failed\b")
# ... or one the program says it passes over, whether or not its retries were over: it went on without it ("found
# no extra config, skip it, err: ...", "(reached max retries: 4): Request limit exceeded. -- will retry Ec2Image on
# next pass"), or something not found that it does without ("Unable to do partial parsing because saved manifest
# not found. Starting full parse.", "Repo card metadata block was not found. Setting CardData to empty."): a notice
# of the slower path it took, not the failure.
# (Debezium's binlog position, "..., pos=86097934, skipping 0 events plus 0 rows", counts what it will skip on
# resuming: a place, not a notice.)
_PASSED_OVER = re.compile(r"(?i)\bskip(?:ping)? it\b|,\s*(?:skipping|ignoring)\b(?! \d+ (?:events?|rows?)\b)"
                          r"|\bwill (?:re)?try\b.{0,80}\b(?:on|in) (?:the )?next (?:pass|run|cycle|invocation|poll)\b"
                          r"|\b(?:not found|does not exist|missing)[.,;:]?\s+(?:Starting|Falling back|Using|Defaulting|"
                          r"Creating|Will (?:create|use)|Proceeding|Continuing|Setting \w+ to)\b|" + _TELEMETRY_LOST)
_TELEMETRY = re.compile("(?i)" + _TELEMETRY_LOST)
# "attempt 2 of 6" is retried after; "Attempt 3 of 3" is the last one, the failure itself ("request failed (try 3/3):
# ... ENOTFOUND", under "giving up after 3 tries", noops-challenge/hexbot#24).
_ATTEMPT = re.compile(r"(?i)\b(?:attempt|try) (\d+) ?(?:of|/) ?(\d+)\b")
# ... unless the retries are over: then it is the failure itself.
# Google's API clients retry until a deadline, then raise what the last attempt got ("Deadline of 600.0s exceeded
# while calling target function, last exception: 500 Error encountered during execution", dbt-labs/dbt-bigquery#971).
_FINAL_RETRY = re.compile(r"(?i)max(?:imum)? retries|retries (?:exhausted|exceeded)|has been retried \d+ time|"
                          r"giving up|gave up|after \d+ (?:retries|attempts)|failed \d+ times|"
                          r"\bDeadline of \S+ exceeded while calling\b")
_FRAME = re.compile(r"^\s*(?:at\s|\.\.\.\s*\d+\s+more|File\s\"|\d+:\s+0x)")
_WORD = re.compile(r"[A-Za-z0-9]+")
_KINDS_RANK = {"exception": 3, "code": 3, "text": 2, "umbrella": 1}


def retries_over(line: str) -> bool:
    """Whether a line says the retries are over ("Task 5 in stage 14.0 failed 4 times", "giving up", the last of
    its attempts: "try 3/3")."""
    return bool(_FINAL_RETRY.search(line)) or any(int(m[1]) >= int(m[2]) > 1 for m in _ATTEMPT.finditer(line))


def telemetry_lost(line: str) -> bool:
    """Whether a line says a telemetry agent or library could not deliver what it collects (logs, metrics,
    traces): the work went on without it."""
    return bool(_TELEMETRY.search(line))


def was_retried(line: str) -> bool:
    """Whether a line says its error is being retried or was got past ("... retrying in 0.4s", "attempt 1 of 3"),
    not only that it is a warning, and its retries are not over."""
    retried = bool(RETRIED.search(line)) or any(int(m[1]) < int(m[2]) for m in _ATTEMPT.finditer(line))
    return retried and not retries_over(line)


def is_weak_line(line: str, levels: bool = True) -> bool:
    """Whether a line is a warning, reports a retried error, or was logged at a routine level (INFO, DEBUG:
    "Partition rdd_42_39 not found, computing it"); it weighs less than a fatal line. With ``levels`` false,
    the level is not looked at (a daemon that logs what it did at INFO)."""
    # YARN's client logs an application's report at INFO; its "diagnostics:" are YARN's verdict on the failed
    # application (an AM container killed for memory), not a routine line.
    if "diagnostics: " in line:
        line = line.split("diagnostics: ", 1)[1]
    warned = bool(_WARNED.search(line)) or glog_level(line) == "WARNING"
    return (was_retried(line) or (warned and not retries_over(line))
            or bool(_PASSED_OVER.search(line)) or (levels and log_level(line) in ROUTINE_LEVELS))


@dataclass
class ClassRule:
    id: str
    category: Category
    family: str
    confidence: Confidence
    exceptions: list[re.Pattern[str]] = field(default_factory=list)
    codes: list[re.Pattern[str]] = field(default_factory=list)
    text: list[re.Pattern[str]] = field(default_factory=list)
    # The rule stands aside when its message also says this (OutOfMemoryError "unable to create native
    # thread" is a thread limit, not memory).
    unless: list[re.Pattern[str]] = field(default_factory=list)
    # With exceptions: the class matches only when its message says one of these (a NoSuchMethodError that
    # names a library's class, not the job's own).
    naming: list[re.Pattern[str]] = field(default_factory=list)
    # The class explains the causes chained under it (Spark's SparkUpgradeException over the
    # DateTimeParseException its new parser raised): a link it matches outranks every deeper link.
    over_cause: bool = False

    def match_name(self, name: str) -> bool:
        return any(p.fullmatch(name) for p in self.exceptions)

    def match_link(self, name: str, type_: str, message: str) -> bool:
        """Whether an exception of this class (full name or short type) with this message is the rule's."""
        if not (self.match_name(name) or self.match_name(type_)):
            return False
        return not self.naming or any(p.search(f"{type_}: {message}") for p in self.naming)

    def excluded(self, text: str) -> bool:
        return any(p.search(text) for p in self.unless)

    def match_code(self, code: str) -> bool:
        return any(p.fullmatch(code) for p in self.codes)

    def search(self, text: str) -> re.Match[str] | None:
        for p in self.text:
            m = p.search(text)
            if m:
                # What the rule stands aside for is read only on a line it matched: most lines match no rule.
                return None if self.unless and self.excluded(text) else m
        return None


@dataclass
class ClassHit:
    """What :func:`classify` found: the category, how decisive the match is, and what to quote."""

    rule: ClassRule
    kind: str  # exception|code|text
    quote: str
    chain: list[Link]
    depth: int  # position of the matched link in the chain (-1: not on a link)
    line: int  # index of the matched line in the text (for ordering)
    weak: bool
    span: int = 0  # words, then characters, of the matched text: a longer phrase is the more specific one (a
    # wrapper's class name, "ResourceInitializationError", is one word however long)

    @property
    def category(self) -> Category:
        return self.rule.category

    @property
    def decisive(self) -> bool:
        # An umbrella (a medium rule's exception class: Glue's InvalidInputException) decides nothing by itself.
        if self.rule.confidence == Confidence.HIGH:
            return True
        return self.kind == "code"

    def rank(self) -> tuple[int, int, int, int, int]:
        # An exception class of a medium rule names a family of failures, not a cause (Java's
        # FileNotFoundException for "(Too many open files)", Glue's InvalidInputException for "Request size
        # limit exceeded"): any phrase in its message is more specific and outranks it.
        kind = _KINDS_RANK[self.kind]
        if self.kind == "exception" and self.rule.confidence != Confidence.HIGH:
            kind = _KINDS_RANK["umbrella"]
        return (0 if self.weak else 1, kind, self.depth, self.line, self.span)


@dataclass
class ClassTable:
    rules: list[ClassRule] = field(default_factory=list)
    texts: dict[Category, dict[str, Any]] = field(default_factory=dict)

    def without_family(self, family: str) -> ClassTable:
        """The table without the rules written from one corpus family (for cross-validation)."""
        return ClassTable([r for r in self.rules if r.family != family], self.texts)


def _patterns(raw: Any, where: str) -> list[re.Pattern[str]]:
    from .signatures import SignatureError

    out = []
    for p in raw or []:
        try:
            out.append(re.compile(str(p)))
        except re.error as exc:
            raise SignatureError(f"{where}: bad regex {p!r}: {exc}") from exc
    return out


def rule_documents(directory: str | Path) -> list[tuple[Path, dict[str, Any]]]:
    """Every ``*.yaml`` of a rules directory with its content. The signatures and the class rules read the same
    files; each content is parsed once per process. A file that is not valid YAML fails loudly with its name."""
    from .signatures import SignatureError

    out = []
    for file in sorted(Path(directory).glob("*.y*ml")):
        try:
            doc = _parsed(file.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise SignatureError(f"{file}: not valid YAML: {exc}") from exc
        if not isinstance(doc, dict):
            raise SignatureError(f"{file}: a rules file holds a mapping (signatures:, classes:, categories:)")
        out.append((file, doc))
    return out


@cache
def _parsed(text: str) -> Any:
    return load_yaml(text) or {}


def load_class_table(*dirs: str | Path) -> ClassTable:
    """Read ``classes:`` and ``categories:`` from every ``*.yaml`` of the given directories."""
    from .signatures import SignatureError

    table = ClassTable()
    for d in dirs:
        if not d or not Path(d).is_dir():
            continue
        for file, doc in rule_documents(d):
            for raw in doc.get("classes") or []:
                where = f"{file.name}: class rule {raw.get('id', '?') if isinstance(raw, dict) else raw!r}"
                if not isinstance(raw, dict) or "id" not in raw:
                    raise SignatureError(f"{where}: every class rule needs an id")
                try:
                    category = Category(raw["category"])
                    confidence = Confidence(raw.get("confidence", "medium"))
                except (KeyError, ValueError) as exc:
                    raise SignatureError(f"{where}: bad or missing category/confidence ({exc})") from exc
                rule = ClassRule(id=str(raw["id"]), category=category, family=str(raw.get("family", "general")),
                                 confidence=confidence, exceptions=_patterns(raw.get("exceptions"), where),
                                 codes=_patterns(raw.get("codes"), where), text=_patterns(raw.get("text"), where),
                                 unless=_patterns(raw.get("unless"), where), naming=_patterns(raw.get("naming"), where),
                                 over_cause=bool(raw.get("over_cause", False)))
                if not (rule.exceptions or rule.codes or rule.text):
                    raise SignatureError(f"{where}: needs exceptions, codes or text")
                if rule.naming and not rule.exceptions:
                    raise SignatureError(f"{where}: naming needs exceptions")
                table.rules.append(rule)
            for name, texts in (doc.get("categories") or {}).items():
                try:
                    table.texts[Category(name)] = dict(texts or {})
                except ValueError as exc:
                    raise SignatureError(f"{file.name}: unknown category {name!r}") from exc
    return table


def _words(text: str) -> int:
    """How specific a matched phrase is: its words, then its length."""
    return len(_WORD.findall(text)) * 1000 + len(text)


def _best(hits: Iterable[ClassHit]) -> ClassHit | None:
    best: ClassHit | None = None
    for h in hits:
        if best is None or h.rank() > best.rank():
            best = h
    return best


def classify(text: str, table: ClassTable) -> ClassHit | None:
    """The most decisive class-rule match in ``text`` (see the module docstring), or None."""
    if not text or not table.rules:
        return None
    text = REPEATS.sub("", text)  # the report's count of a repeated line is not the log's words
    chain = parse_chain(text)
    lines = text.splitlines() or [text]

    def line_of(fragment: str) -> tuple[int, bool]:
        probe = fragment[:60]
        for i in range(len(lines) - 1, -1, -1):
            if probe and probe in lines[i]:
                return i, is_weak_line(lines[i])
        return len(lines) - 1, False

    # 1. The chain, from the root cause outwards: the first link a rule knows decides. An umbrella class
    # (a medium rule's exception: InvalidInputException, ProgrammingError) is kept aside: a phrase found
    # anywhere in the text is more specific.
    # A phrase of a medium (broad) rule on a link ("timed out") is kept aside too: a specific phrase of
    # a high rule on an outer link ("Timeout expired. The timeout period elapsed") names the cause.
    umbrella: ClassHit | None = None
    broad: ClassHit | None = None
    # A link whose class explains what is chained under it: the links under it are not read.
    floor = next((i for i in range(len(chain) - 1, -1, -1)
                  if any(r.over_cause and r.match_link(chain[i].name, chain[i].type, chain[i].message)
                         for r in table.rules)), len(chain) - 1)
    for depth in range(floor, -1, -1):
        link = chain[depth]
        hits = []
        for rule in table.rules:
            # A link without a message of its own ("... TaskSubmitFailed: Glue.ConcurrentRunsExceededException —
            # cause: Concurrent runs exceeded for <job>"): what the text says around it is its message.
            # A medium rule's class whose message also says the rule's own words (PdfReadError's "EOF marker not
            # found") is read by the phrase, which a broader phrase of another rule ("not found") does not outrank.
            linked = rule.match_link(link.name, link.type, link.message) and not rule.excluded(link.message or text)
            m = rule.search(link.message)
            if linked and (m is None or rule.confidence == Confidence.HIGH):
                ln, weak = line_of(link.message or link.type)
                hits.append(ClassHit(rule, "exception", link.render(200), chain, depth, ln, weak))
            elif m:
                ln, weak = line_of(link.message)
                offset = len(link.name) + 2
                hits.append(ClassHit(rule, "text", quote(f"{link.name}: {link.message}", m.start() + offset,
                                                         m.end() + offset), chain, depth, ln, weak,
                                     _words(m.group(0))))
        high = _best(h for h in hits if h.rule.confidence == Confidence.HIGH)
        if high is not None and high.rank()[1] > _KINDS_RANK["umbrella"]:
            return high
        best = _best(hits)
        if best is None:
            continue
        if best.rank()[1] <= _KINDS_RANK["umbrella"]:
            umbrella = umbrella or best
        else:
            broad = broad or best
    # 2. Error codes (AccessDenied, SlowDown, ECONNREFUSED, 503...). The code of a medium rule names a
    # family (InvalidInputException, ResourceNotFoundException): a phrase in the text outranks it. It is
    # still more precise than an umbrella exception class around it (a SQLSTATE in a ProgrammingError).
    codes = error_codes(text)
    coded = False
    for rule in table.rules:
        for code in codes:
            if rule.match_code(code) and not rule.excluded(text):
                idx = text.find(code)
                ln, weak = line_of(text[idx:idx + 60]) if idx >= 0 else (len(lines) - 1, False)
                hit = ClassHit(rule, "code", quote(lines[ln], *_span(lines[ln], code)), chain, -1, ln, weak)
                if rule.confidence == Confidence.HIGH:
                    return hit
                if not coded and (umbrella is None or umbrella.kind == "exception"):
                    umbrella, coded = hit, True
    # 3. Phrases, line by line: a later line and a fatal one outrank an earlier one and a warning.
    hits = []
    for i, line in enumerate(lines):
        if not line.strip() or _FRAME.match(line):
            continue
        for rule in table.rules:
            m = rule.search(line)
            if m:
                hits.append(ClassHit(rule, "text", quote(line, m.start(), m.end()), chain, -1, i,
                                     is_weak_line(line), _words(m.group(0))))
    # A phrase of a high rule outranks a medium rule's phrase, even a longer or later one ("503 Slow Down":
    # the rate limit, not the 5xx).
    high = _best(h for h in hits if not h.weak and h.rule.confidence == Confidence.HIGH)
    if high is not None:
        return high
    best = _best(hits)
    if broad is not None:
        return broad
    if umbrella is not None and (best is None or best.weak):
        return umbrella
    return best


def _span(line: str, needle: str) -> tuple[int, int]:
    i = line.find(needle)
    return (i, i + len(needle)) if i >= 0 else (0, min(len(line), 1))
