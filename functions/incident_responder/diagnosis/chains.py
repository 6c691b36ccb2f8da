"""Exception chains: from a log text to the links of its cause chain, outermost first, root cause last.

Runtimes print chained failures differently:

* Java/Scala: ``Exception in thread "main" a.B: msg`` then ``Caused by: c.D: msg`` lines (the last is the
  root); a wrapper's message is often the cause's ``toString()`` (``a.B: c.D: msg``).
* Python: one traceback per exception, joined by "The above exception was the direct cause of the
  following exception:" or "During handling of the above exception, another exception occurred:"; the
  first traceback is the root. AWS Lambda's JSON error (``"errorType"``/``"errorMessage"``) is one link.
* .NET: ``A: msg ---> B: msg ---> C: msg`` (inner exceptions to the right; the innermost is the root).
* Node: ``Error: msg`` with ``at`` frames, ``[cause]: Error: ...`` for the cause, ``code: 'ECONNREFUSED'``.
* Go: ``panic: ...`` / ``fatal error: ...``; wrapped errors ``op: dial tcp ...: connect: connection refused``.

Besides the links, :func:`error_codes` reads the service error codes a text names (``(AccessDenied) when
calling``, ``Error Code: SlowDown``, ``"errorType": "X"``, ``code: 'ECONNREFUSED'``, ``Status Code: 503``,
Athena's ``HIVE_CURSOR_ERROR: ...``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..evidence.compaction import JOINED

__all__ = ["Link", "error_codes", "parse_chain", "render_chain", "simple_name"]

_JAVA_TYPE = r"(?:[a-zA-Z_$][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error|Throwable|Failure|Fault)"
# Exceptions whose message is the name of a class (the class that could not be loaded or linked), never a nested
# exception, even when that class's own name ends in "Exception".
_NAMES_A_CLASS = frozenset({"ClassNotFoundException", "NoClassDefFoundError", "NoSuchMethodError",
                            "NoSuchMethodException", "NoSuchFieldError", "AbstractMethodError",
                            "IncompatibleClassChangeError", "LinkageError"})
_JAVA_LINK = re.compile(rf"(?<![\w$.])(?P<type>{_JAVA_TYPE})(?:(?:\s?:\s?|\s+\()(?P<msg>.*))?")
_PY_TYPE = (r"[A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Warning|Timeout|Fault|Failure|Refused"
            r"|NotFound|Denied|Exceeded|Throttled|Invalid)|Runtime\.\w+|[A-Z]\w+(?:\.\w+)+")
_PY_LINK = re.compile(rf"^(?:\[ERROR\]\s+)?(?P<type>{_PY_TYPE})(?::\s?(?P<msg>.*))?$")
# A Python exception without arguments, printed as its class's qualified name alone at a traceback's end
# ("twisted.internet.error.ReactorNotRestartable"), whatever the class is called.
_PY_BARE = re.compile(r"^(?:[a-z_][a-z0-9_]*\.){2,}(?P<type>[A-Z][A-Za-z0-9]+)$")
_PY_CHAINED = re.compile(r"^(The above exception was the direct cause of the following exception:|"
                         r"During handling of the above exception, another exception occurred:)\s*$", re.M)
_NODE_LINK = re.compile(r"^\s*(?:\[cause\]:\s*|\{\s*|err\s*\{?\s*)?(?P<type>[A-Z]\w*Error|Error)"
                        r"(?:\s\[(?P<code>[A-Z_]+)\])?:\s?(?P<msg>.+)$")
_GO_LINK = re.compile(r"^(?P<type>panic|fatal error):\s*(?P<msg>.+)$")
_HRESULT = re.compile(r"\s*\(0x[0-9A-Fa-f]{8}\)(?=:)")  # .NET prints "Type (0x80004005): message"
_DOTNET_INNER = " ---> "
# urllib3/requests wrap the cause in a repr: "... (Caused by SSLError(SSLCertVerificationError(1, '...')))"
_PY_REPR_CAUSE = re.compile(r"\(Caused by (?P<type>[A-Z]\w*(?:Error|Exception))\((?P<msg>.*)\)\)")
_LAMBDA_JSON = re.compile(r'"errorType"\s*:\s*"(?P<type>[^"]+)"')
_LAMBDA_MSG = re.compile(r'"errorMessage"\s*:\s*"(?P<msg>(?:[^"\\]|\\.)*)"')
_FRAME = re.compile(r"^\s*(?:at\s|\.\.\.\s*\d+\s+more|File\s\"|\^+\s*$|~+)")
_LOG_PREFIX = re.compile(
    r"^\s*(?:\[[^\]]{1,80}\]\s*)*"
    r"(?:\d{2,4}[-/]\d{2}[-/]\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?\s+)?"
    r"(?:(?:FATAL|ERROR|WARN|WARNING|INFO|DEBUG|E|W|I)\s+)?(?:[\w.$\[\]-]+:\s+)?")

_CODE_PATTERNS = [
    re.compile(r"\((?P<c>[A-Za-z][\w.]{2,60})\) when calling the \w+ operation"),
    re.compile(r"Error Code:\s*(?P<c>[A-Za-z][\w.]{2,60})"),
    re.compile(r'"(?:errorType|errorCode|ErrorCode|error|Error|Code|code|__type)"\s*:\s*"(?:[\w.]+#)?(?P<c>[A-Za-z][\w.]{2,60})"'),
    re.compile(r"'(?:errorType|errorCode|ErrorCode|error|Error|Code|code)'\s*:\s*'(?P<c>[A-Za-z][\w.]{2,60})'"),
    re.compile(r"\bcode:\s*'(?P<c>[A-Za-z][\w.]{2,60})'"),
    re.compile(r"\b[1-5]\d\d \((?P<c>[A-Z][A-Za-z]{3,60})\)"),
    re.compile(r"\b(?P<c>E(?:CONNREFUSED|CONNRESET|TIMEDOUT|NOTFOUND|AI_AGAIN|HOSTUNREACH|NETUNREACH|PIPE"
               r"|NOSPC|ACCES|PERM|NOENT|MFILE|NOMEM|DQUOT))\b"),
    re.compile(r"\b(?P<c>States\.[A-Za-z.]+|Lambda\.[A-Za-z]+|Runtime\.[A-Za-z]+|Sandbox\.[A-Za-z]+)\b"),
    # Athena/Trino error names: "HIVE_CURSOR_ERROR: ...", "GENERIC_INTERNAL_ERROR: ..."
    re.compile(r"(?<![\w.])(?P<c>[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)(?=:\s)"),
    # SQLSTATE codes, as the drivers print them: "SQLSTATE[23505]", "(SQLSTATE 42501)", "sqlState=22001",
    # "SQLState: 42S02", Snowflake's "100038 (22018): ...", psycopg's and redshift_connector's {'C': '42501'}
    re.compile(r"(?i:\bsql ?state)\s*[\[(:=]?\s*(?P<c>[0-9A-Z]{2}[0-9A-Z]{3})\b"),
    re.compile(r"\b\d{6} \((?P<c>[0-9A-Z]{5})\):"),
    re.compile(r"'C': '(?P<c>[0-9A-Z]{5})'"),
]
_STATUS = re.compile(r"(?:Status Code|status code|StatusCode|HTTP(?:/\d\.\d)?)\s*[:=]?\s*(?P<s>[1-5]\d\d)\b"
                     # ... or as the clients OpenAPI Generator makes open their exception's message: "ApiException:
                     # (429)", then "Reason: Too Many Requests" (HubSpot/hubspot-api-python#117, the Kubernetes client).
                     # (and Sentry's JavaScript transport: "SentryError: HTTP Error (429)", sentry-javascript#4582)
                     r"|(?:Exception|Error):?\s*\((?P<p>[45]\d\d)\)")


@dataclass(frozen=True)
class Link:
    """One exception of a chain: its type (class name or error code) and message, as written."""

    type: str
    message: str
    runtime: str  # java|python|dotnet|node|go|lambda

    @property
    def name(self) -> str:
        return simple_name(self.type)

    def render(self, limit: int = 120) -> str:
        msg = " ".join(self.message.split())
        text = f"{self.name}: {msg}" if msg else self.name
        return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def simple_name(type_name: str) -> str:
    """``java.io.FileNotFoundException`` -> ``FileNotFoundException``; ``Runtime.ExitError`` stays."""
    if re.match(r"^(States|Lambda|Runtime|Sandbox)\.", type_name):
        return type_name
    return type_name.rsplit(".", 1)[-1].rsplit("$", 1)[-1]


def _java_links(line: str) -> list[Link]:
    """Every ``a.b.C: msg`` on a line; nested toString() wrappers become successive links."""
    out: list[Link] = []
    rest = line
    while True:
        m = _JAVA_LINK.search(rest)
        if not m:
            return out
        msg = (m.group("msg") or "").strip()
        inner = _JAVA_LINK.search(msg)
        if inner and inner.start() == 0 and m.group("type").rsplit(".", 1)[-1] in _NAMES_A_CLASS:
            inner = None  # "ClassNotFoundException: com.x.LockNotGrantedException": the class it could not load
        out.append(Link(m.group("type"), msg[: inner.start()].rstrip(" :;(") if inner else msg, "java"))
        if not inner:
            return out
        rest = msg


def _segment_links(text: str) -> list[Link]:
    links: list[Link] = []
    # A log line that compaction joined with the lines it carried (" | "): each of them a line of its own
    # ("Error from Python:Traceback ... | : java.lang.ExceptionInInitializerError | Caused by: ...").
    for raw in (part for line in text.splitlines() for part in line.split(JOINED)):
        if not raw.strip() or _FRAME.match(raw):
            continue
        line = _HRESULT.sub("", raw.rstrip())
        if _DOTNET_INNER in line:
            for part in line.split(_DOTNET_INNER):
                found = _java_links(part.strip()) or _py_link(part.strip())
                links += [Link(lk.type, lk.message, "dotnet") for lk in found]
            continue
        stripped = line.strip()
        body = stripped[len("Caused by:"):].strip() if stripped.startswith("Caused by:") else stripped
        if body.startswith(": "):  # py4j prints the Java exception after ": "
            body = body[2:]
        go = _GO_LINK.match(body)
        if go:
            links.append(Link(go.group("type"), go.group("msg").strip(), "go"))
            continue
        repr_cause = _PY_REPR_CAUSE.search(body)
        if repr_cause:
            head = body[: repr_cause.start()].strip().lstrip("- ").strip()
            links += _java_links(head) or _py_link(_LOG_PREFIX.sub("", head, count=1))
            links.append(Link(repr_cause.group("type"), repr_cause.group("msg").strip(), "python"))
            continue
        java = _java_links(body)
        if java:
            links += java
            continue
        node = _NODE_LINK.match(body)
        if node and (not raw.startswith((" ", "\t")) or "[cause]" in raw):
            links.append(Link(node.group("code") or node.group("type"), node.group("msg").strip(), "node"))
            continue
        if not raw.startswith((" ", "\t")):
            py = _py_link(_LOG_PREFIX.sub("", body, count=1) if not _PY_LINK.match(body) else body)
            links += py
    return links


def _py_link(line: str) -> list[Link]:
    m = _PY_LINK.match(line)
    if not m:
        return [Link(line, "", "python")] if _PY_BARE.match(line) else []
    return [Link(m.group("type"), (m.group("msg") or "").strip(), "python")]


def parse_chain(text: str) -> list[Link]:
    """The links of the exception chain(s) in ``text``, outermost first and the root cause last."""
    if not text:
        return []
    # Python prints the root cause's traceback first; later tracebacks wrap the earlier ones.
    segments = _PY_CHAINED.split(text)
    parts = [s for s in segments if not _PY_CHAINED.match(s)]
    links: list[Link] = []
    for part in reversed(parts):
        found = _segment_links(part)
        if "Traceback (most recent call last)" in part:
            found = [Link(lk.type, lk.message, "python") for lk in found]
        links += found
    m = _LAMBDA_JSON.search(text)
    if m:
        msg = _LAMBDA_MSG.search(text)
        lk = Link(m.group("type"), msg.group("msg") if msg else "", "lambda")
        if not any(x.type == lk.type and x.message == lk.message for x in links):
            links.insert(0, lk)
    return _dedupe(links)


def _dedupe(links: list[Link]) -> list[Link]:
    out: list[Link] = []
    for lk in links:
        if out and out[-1].name == lk.name and (out[-1].message == lk.message or not lk.message):
            continue
        out.append(lk)
    return out


def error_codes(text: str) -> list[str]:
    """Service error codes and HTTP statuses named in ``text`` (``AccessDenied``, ``SlowDown``, ``503``...)."""
    codes: list[str] = []
    for pat in _CODE_PATTERNS:
        for m in pat.finditer(text):
            c = m.group("c")
            if c not in codes:
                codes.append(c)
    for m in _STATUS.finditer(text):
        status = m.group("s") or m.group("p")
        if status not in codes:
            codes.append(status)
    return codes


def render_chain(links: list[Link], limit: int = 4) -> str:
    """``A: msg → B: msg → C: msg``, keeping the outermost and the innermost when there are many."""
    if not links:
        return ""
    shown = links if len(links) <= limit else [links[0], *links[-(limit - 1):]]
    parts = [lk.render(90 if i < len(shown) - 1 else 160) for i, lk in enumerate(shown)]
    if len(links) > limit:
        parts.insert(1, "…")
    return " → ".join(parts)
