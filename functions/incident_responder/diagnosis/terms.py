"""The wording of known failures: a reading for evidence that no signature or class rule matched.

The labelled corpus of real, public error messages (``tests/fixtures/error_catalog/``) teaches which
words go with which cause: "insufficient", "disk" and "space" with a full disk, "subnet" and
"invalid" with a configuration error, ``AccessDeniedException`` with a missing permission. The
counts are kept in ``rules/knowledge/terms.json`` (built by ``incident-responder knowledge``, checked
against the corpus by the tests), and :class:`TermModel` reads a text with them as a naive Bayes
classifier over the words present.

This is the last reading, after the signatures, the class rules and the generic signatures: it only
speaks when they all say nothing, it never gives ``high`` confidence, and it shows the words it went
by, so the reader can judge. A text with too few known words, or whose words do not point clearly at
one cause, stays ``unknown``.

The words of a text (:func:`terms`): every word of three letters or more, lower-cased, with
``CamelCase``, ``snake_case`` and dotted names split into their parts (``BOOTSTRAP_FAILURE_INSUFFICIENT_
DISK_SPACE`` gives ``bootstrap``, ``failure``, ``insufficient``, ``disk``, ``space``), plus each
compound name whole (``#accessdeniedexception``), since an exception class or an error code says more
than its parts. Numbers, identifiers, a few function words and the words of any failure report ("failed", "exit code",
"task", "container") carry nothing about the cause and are dropped.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..model import Category

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["MODEL_VERSION", "Reading", "TermModel", "build_counts", "load_term_model", "terms"]

logger = logging.getLogger(__name__)

MODEL_VERSION = 1
ALPHA = 0.3  # additive smoothing of the word counts
MIN_PROBABILITY = 0.5  # below this the words do not point clearly at one cause: unknown
MIN_TERMS = 2  # a text with fewer known words than this is not read
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_.$]*[A-Za-z0-9]")
_PART = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+")
_SPLIT = re.compile(r"[._$]+")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_STOP = _words(
    "the and for not with from this that are has have had can could was were will would you your its into "
    "than then there their when which while been being does did "
    # the calendar of a log line's time ("Jun 11, 2024 3:15:41 AM"): when, never why
    "jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july august "
    "september october november december mon tue wed thu fri sat sun monday tuesday wednesday thursday friday "
    "saturday sunday")
# The words of any failure report, whatever its cause ("Command failed with exit code 1", "Task failed",
# "Essential container in task exited", "States.TaskFailed"): they say that something failed, not why, and
# are not read.
_WRAPPERS = _words(
    "error errors err failed failure failures fail fails exception exceptions exit exited code status task tasks "
    "job jobs step steps state states taskfailed command container containers essential run runs running "
    "execution executions caused aborted abort stopped stop reason message returned unknown unexpected "
    "occurred while during java lang org com amazonaws amazon aws software utc gmt "
    # the services' names and the fields their wrappers are made of ("JobName:x and JobRunId:y failed to execute")
    "emr glue ecs batch athena lambda sfn stepfunctions serverless crawler query function cluster "
    "jobname jobrunid runid name execute executing "
    # the JVM's and Spark's wrappers ("Exception in thread \"main\"", "ApplicationMaster: User class threw exception")
    "main threw applicationmaster "
    # Glue's and py4j's ("An error occurred while calling o98.getDynamicFrame", "py4j.protocol.Py4JJavaError")
    "calling getdynamicframe pywritedynamicframe dynamic frame py4j "
    # Spark's account of a task attempt ("Lost task 3184.3 in stage 0.0 (TID 3207, <host>, executor 4)"): which
    # attempt, not why it failed
    "tid stage")
_HEX = re.compile(r"[0-9a-f]{8,}")
# A host name ("ip-172-31-9-142.us-west-2.compute.internal", "ec2-3-8-1-2.compute-1.amazonaws.com") says where.
_HOST = re.compile(r"\b[\w-]+(?:\.[\w-]+)*\.(?:internal|amazonaws\.com|local)\b")
# The AWS SDK's trailer on every service exception ("(Service: null; Status Code: 0; Error Code: null; Request ID:
# null; Proxy: null)"): its field names are in messages of every cause. Their values (AccessDenied, 503) stay.
_SDK_FIELDS = re.compile(r"\b(?:Service|Status Code|Error Code|(?:S3 )?(?:Extended )?Request ID|Proxy):\s*(?:null\b)?")


def terms(text: str) -> list[str]:
    """The distinct words of ``text`` the model reads, in order of first appearance."""
    out: dict[str, None] = {}
    for word in _WORD.findall(_HOST.sub(" ", _SDK_FIELDS.sub(" ", text))):
        if _HEX.fullmatch(word.lower()):
            continue
        segments = [s for s in _SPLIT.split(word) if s]
        parts = [p for seg in segments for p in _PART.findall(seg)]
        whole = segments[-1].lower()
        if len(parts) > 1 and (word[0].isupper() or "." in word) and len(whole) <= 60 and whole not in _WRAPPERS:
            out.setdefault("#" + whole)
        for p in parts:
            low = p.lower()
            if len(low) > 2 and low not in _STOP and low not in _WRAPPERS:
                out.setdefault(low)
    return list(out)


def build_counts(rows: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The model file's content from labelled rows (``message`` and ``category``): per category, the
    number of messages and of words, and per word the number of messages of each category it is in.
    Rows labelled ``unknown`` teach nothing about a cause and are left out."""
    docs: Counter[str] = Counter()
    words: Counter[str] = Counter()
    counts: dict[str, Counter[str]] = {}
    for row in rows:
        category = Category(row["category"]).value
        if category == Category.UNKNOWN.value:
            continue
        found = terms(str(row["message"]))
        docs[category] += 1
        words[category] += len(found)
        for t in found:
            counts.setdefault(t, Counter())[category] += 1
    return {
        "version": MODEL_VERSION,
        "alpha": ALPHA,
        "docs": dict(sorted(docs.items())),
        "words": dict(sorted(words.items())),
        "counts": {t: dict(sorted(c.items())) for t, c in sorted(counts.items())},
    }


@dataclass(frozen=True)
class Reading:
    """What the words of a text point at: the category, its probability among the categories, the known
    words of the text, and the few that point at this category most (to show)."""

    category: Category
    probability: float
    known: int
    telling: tuple[str, ...]

    @property
    def clear(self) -> bool:
        return self.probability >= MIN_PROBABILITY and self.known >= MIN_TERMS


class TermModel:
    """Naive Bayes over the words present (each word counted once per message)."""

    def __init__(self, data: dict[str, Any]) -> None:
        if data.get("version") != MODEL_VERSION:
            raise ValueError(f"term model version {data.get('version')!r}, expected {MODEL_VERSION}")
        alpha = float(data["alpha"])
        docs: dict[str, int] = data["docs"]
        words: dict[str, int] = data["words"]
        counts: dict[str, dict[str, int]] = data["counts"]
        self.categories = [Category(c) for c in docs]
        total = sum(docs.values())
        vocab = len(counts)
        self._prior = {c: math.log(docs[c.value] / total) for c in self.categories}
        self._denominator = {c: math.log(words[c.value] + alpha * vocab) for c in self.categories}
        self._alpha = alpha
        self._counts = counts

    def _weight(self, word: str, category: Category) -> float:
        return math.log(self._counts[word].get(category.value, 0) + self._alpha) - self._denominator[category]

    def read(self, text: str) -> Reading | None:
        """The reading of ``text``, or None when none of its words is known."""
        known = [t for t in terms(text) if t in self._counts]
        if not known:
            return None
        scores = {c: self._prior[c] + sum(self._weight(t, c) for t in known) for c in self.categories}
        best = max(scores, key=lambda c: scores[c])
        top = scores[best]
        probability = 1.0 / sum(math.exp(s - top) for s in scores.values())
        return Reading(category=best, probability=probability, known=len(known),
                       telling=self.telling(known, best))

    def telling(self, words: list[str], category: Category, limit: int = 4) -> tuple[str, ...]:
        """The words that point at ``category`` most against the others (log-odds), strongest first."""
        others = [c for c in self.categories if c != category]

        def lift(word: str) -> float:
            mine = self._weight(word, category)
            rest = math.log(sum(math.exp(self._weight(word, c)) for c in others) / max(1, len(others)))
            return mine - rest

        ranked = sorted(((lift(w), w) for w in words), reverse=True)
        shown = dict.fromkeys(w.lstrip("#") for lift_, w in ranked if lift_ > 0.5)  # "#conf" and "conf" once
        return tuple(shown)[:limit]


def load_term_model(path: str | Path) -> TermModel | None:
    """The model at ``path``; None (and a log line) when it is missing or unreadable: the diagnosis then
    does without it."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return TermModel(data)
    except FileNotFoundError:
        logger.info("no term model", extra={"path": str(path)})
    except (OSError, ValueError, KeyError, TypeError) as exc:
        logger.warning("term model not usable", extra={"path": str(path), "error": str(exc)})
    return None
