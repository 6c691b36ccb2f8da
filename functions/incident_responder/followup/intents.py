"""What a person asks in a report's thread, without an LLM: a few keywords, a quoted pattern, a window.

``parse_intent("logs 'Timeout' 10m")`` -> ``Intent("logs", pattern="Timeout", window_seconds=600)``.
Intents: ``help``, ``redrive``, ``logs``, ``changes``, ``input``, ``similar``, ``owner``, ``evidence``, ``status``,
and ``unknown`` for anything else. The first matching rule in that order wins, so "run it again"
is a redrive and "show the input logs" is logs.

With the agent on (``LLM_ENABLED=true``, ``parse_intent(text, agent=True)``) the keywords stay the fast
path for commands: a message of at most :data:`COMMAND_WORDS` words, or one that starts with a command
word (``status``, ``logs 'Timeout' 10m``, ``redrive``, ``who owns this``: four words). Any other sentence ("why did
the load step time out when yesterday's run took two minutes?") is ``unknown``, free text the agent
answers, even when it contains a keyword.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["COMMAND_WORDS", "INTENTS", "Intent", "parse_intent"]

INTENTS = ("help", "redrive", "logs", "changes", "input", "similar", "owner", "evidence", "status")
COMMAND_WORDS = 4
_COMMAND_START = re.compile(
    r"^\s*(?:help|status|logs?|grep|more|next|input|payload|similar|owner|runbook|evidence|redrive|re-?run"
    r"|retry|restart)\b", re.I)

_MENTION = re.compile(r"<[@!#][^>]*>")
# Straight, typographic (Slack clients type them) and back quotes.
_Q = "\"'`\u201c\u201d\u2018\u2019"
_QUOTED = re.compile(f"[{_Q}]([^{_Q}]{{1,200}})[{_Q}]")
_UNQUOTED = re.compile(rf"\b(?:matching|containing|grep|search(?:\s+for)?|with)\s+([^\s{_Q}]{{2,100}})", re.I)
_WINDOW = re.compile(
    r"\b(?:(last|past|recent|previous)\s+)?(\d{1,4})\s*(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?)\b",
    re.I,
)
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_MAX_WINDOW = 7 * 86400

_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("help", re.compile(r"^\s*(?:help|\?+|commands|usage|help me)\s*[?!.]*\s*$|\bwhat can you do\b")),
    ("redrive", re.compile(r"\b(?:redrive|re-?run|retry|restart|run (?:it |this )?again)\b")),
    ("logs", re.compile(r"\b(?:logs?|log lines|grep)\b|^\s*(?:more|next|next page)\s*[?!.]*\s*$")),
    ("changes", re.compile(r"\b(?:changes?|changed|diff|what(?:'s| is| has)? different|last good run|baseline"
                           r"|trend)\b")),
    ("input", re.compile(r"\b(?:input|payload|parameters|arguments|args)\b")),
    (
        "similar",
        re.compile(
            r"\b(?:similar|happened before|seen (?:this|it) before|history|previous(?:ly)?"
            r"|past incidents?|recurring|how often|last time)\b"
        ),
    ),
    ("owner", re.compile(r"\b(?:owner|owns|owned|runbook|contact|on-?call|who)\b")),
    ("evidence", re.compile(r"\b(?:evidence|facts)\b")),
    (
        "status",
        re.compile(
            r"\b(?:status|state|now|still|current(?:ly)?|running|succeeded|fixed|recovered"
            r"|progress)\b"
        ),
    ),
]


@dataclass
class Intent:
    """One question: its ``name``, and for ``logs`` an optional filter ``pattern`` and a window.

    ``window_seconds`` is a window length the person gave; ``recent`` means it ends now ("last 10m"),
    otherwise it ends at the failure.
    """

    name: str
    text: str = ""
    pattern: str | None = None
    window_seconds: int | None = None
    recent: bool = False


def _clean(text: str) -> str:
    # Slack escapes &, < and > in message text; mentions and channel links are not words.
    text = _MENTION.sub(" ", text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").strip()


def is_command(clean: str) -> bool:
    """A short message, or one that starts with a command word: the keywords answer it."""
    return len(clean.split()) <= COMMAND_WORDS or bool(_COMMAND_START.match(clean))


def parse_intent(text: str, agent: bool = False) -> Intent:
    """The intent of a message's text (mentions and Slack escaping removed). With ``agent``, a sentence
    that is not a command is ``unknown`` (the agent answers it)."""
    clean = _clean(text)
    lowered = clean.lower()
    if agent and not is_command(clean):
        return Intent(name="unknown", text=clean)
    name = next((n for n, rule in _RULES if rule.search(lowered)), "unknown")
    intent = Intent(name=name, text=clean)
    if name == "logs":
        quoted = _QUOTED.search(clean) or _UNQUOTED.search(clean)
        if quoted:
            intent.pattern = quoted.group(1).strip() or None
        rest = _QUOTED.sub(" ", clean)
        window = _WINDOW.search(rest)
        if window:
            seconds = int(window.group(2)) * _UNIT[window.group(3)[0].lower()]
            intent.window_seconds = max(1, min(seconds, _MAX_WINDOW))
            intent.recent = bool(window.group(1))
    return intent
