"""Secret redaction for any text that leaves the process (Slack, the LLM, DynamoDB).

:func:`redact` replaces each secret with a ``[REDACTED:<kind>]`` marker and keeps the text around
it, so the evidence still reads naturally: ``postgres://etl:[REDACTED:url_password]@db:5432/x``.
:func:`redact_obj` does the same through nested dicts and lists (execution input, job arguments),
and also blanks values whose key names a secret (``{"password": ...}``), the value of a name/value
pair that names one (an environment variable ``DB_PASSWORD``) and the argument after a flag that
names one (``--db-password ...``).

What it must not touch: ARNs, request ids, UUIDs, execution names, timestamps, exit codes and the
wording of real error messages. Every rule therefore needs either a distinctive token shape
(``AKIA``, ``xoxb-``, ``eyJ..``) or a key that names a secret, and generic key rules skip values
that are ARNs or plain words.

All patterns are compiled at import. A cheap case-insensitive pre-check skips the rule chain for
the large majority of lines that mention nothing secret-like.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

__all__ = ["REDACTED", "is_secret_key", "redact", "redact_obj"]

REDACTED = "[REDACTED:{kind}]"


def _marker(kind: str) -> str:
    return REDACTED.format(kind=kind)


# Words whose presence means a line may hold a secret; a line with none of them is returned as is.
# Matched against the lower-cased text: a case-sensitive alternation is several times faster than re.I.
_PRECHECK = re.compile(
    r"akia|asia|secret|token|passw|pwd|bearer|auth|eyj|://|xox|xapp|private key|gh[pousr]_|github_pat"
    r"|api[_-]?key|apikey|credential|x-amz-|sk-ant-|sk_live_|iqojb3jpz2lu|fwogzxivyxdz|fqogzxivyxdz"
)

# Key words that name a secret (used by the key=value, JSON and redact_obj rules).
_SECRET_WORD = (
    r"(?:password|passwd|passphrase|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key"
    r"|client[_-]?secret|credentials?|auth(?![a-z]))"
)
_SECRET_KEY_RE = re.compile(rf"{_SECRET_WORD}", re.IGNORECASE)
# A key that merely refers to a secret (its name, id, ARN, type...) is not itself secret.
_NOT_SECRET_KEY_RE = re.compile(
    r"(?:arn|arns|id|ids|name|names|type|count|length|size|expir\w*|ttl|version|status|url|uri|endpoint"
    r"|path|file|policy|manager|provider|method|mode|enabled|required|source|location|header|field"
    r"|format|rotation\w*|date|time|timeout|kind|prefix|suffix)$",
    re.IGNORECASE,
)
_PASSWORD_KEY_RE = re.compile(r"pass(?:word|wd|phrase)?$|pwd$", re.IGNORECASE)
# Values that are placeholders, ARNs or already redacted are left alone.
_PLACEHOLDER_RE = re.compile(
    r"^(?:|null|none|nil|true|false|undefined|\*+|x+|\.\.\.|<[^>]*>|\$\{[^}]*\}|\{\{[^}]*\}\}|arn:.*"
    r"|\[REDACTED.*)$",
    re.IGNORECASE,
)


def is_secret_key(key: str) -> bool:
    """True when a mapping key names a secret value (``password``, ``apiKey``, ``client_secret``...).

    Keys that only refer to a secret (``SecretArn``, ``secret_name``, ``tokenType``) are not secret.
    """
    if not key or not _SECRET_KEY_RE.search(key):
        return False
    return not _NOT_SECRET_KEY_RE.search(key)


def _kind_for_key(key: str) -> str:
    lowered = key.lower()
    if _PASSWORD_KEY_RE.search(lowered) or "password" in lowered:
        return "password"
    if "session" in lowered and "token" in lowered:
        return "aws_session_token"
    if "secret_access_key" in lowered or "secretaccesskey" in lowered:
        return "aws_secret_access_key"
    if "token" in lowered:
        return "token"
    if "key" in lowered:
        return "api_key"
    return "secret"


def _looks_secret_value(value: str) -> bool:
    """A bare value after ``key:`` is redacted only when it looks like a credential, not a word."""
    if len(value) >= 20:
        return True
    return len(value) >= 8 and any(c.isdigit() for c in value) and any(c.isalpha() for c in value)


_Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]


def _sub_value(kind: str, group: int = 2) -> Callable[[re.Match[str]], str]:
    """Replace one group of the match with a marker, keep everything else."""

    def repl(m: re.Match[str]) -> str:
        start, end = m.span(group)
        base = m.start()
        text = m.group(0)
        return text[: start - base] + _marker(kind) + text[end - base :]

    return repl


def _whole(kind: str) -> Callable[[re.Match[str]], str]:
    marker = _marker(kind)
    return lambda m: marker


def _key_value(m: re.Match[str]) -> str:
    key, sep, value = m.group("key"), m.group("sep"), m.group("value")
    bare = value.strip("\"'")
    if not is_secret_key(key) or _PLACEHOLDER_RE.match(bare):
        return m.group(0)
    password = bool(_PASSWORD_KEY_RE.search(key))
    if key.upper() == "PWD" and bare.startswith("/"):  # the shell's working directory, not a password
        return m.group(0)
    if not password and bare.isdigit() and len(bare) < 8:  # max_tokens=2000, token_ttl=60
        return m.group(0)
    # "ExpiredToken: The security token ..." is prose, not a credential: ':' needs a secret-looking value.
    if ":" in sep and not password and not _looks_secret_value(bare):
        return m.group(0)
    quote = value[0] if value[:1] in "\"'" and value[-1:] == value[:1] and len(value) > 1 else ""
    return f"{key}{sep}{quote}{_marker(_kind_for_key(key))}{quote}"


def _json_pair(m: re.Match[str]) -> str:
    key, value = m.group("key"), m.group("value")
    if not is_secret_key(key) or _PLACEHOLDER_RE.match(value):
        return m.group(0)
    return f'{m.group("head")}"{_marker(_kind_for_key(key))}"'


def _authorization(m: re.Match[str]) -> str:
    # "may require authorization: server message: ..." is prose; a header value has a scheme or looks random.
    if not m.group("scheme") and not _looks_secret_value(m.group("value")):
        return m.group(0)
    return m.group("head") + _marker("authorization")


_B64 = r"A-Za-z0-9/+="

# Order matters: whole-token shapes first (a PEM block, a JWT inside a Bearer header), then keyed rules.
_RULES: list[_Rule] = [
    (
        re.compile(
            r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
            r"(?:.*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|.*\Z)",
            re.DOTALL,
        ),
        _whole("private_key"),
    ),
    (re.compile(r"https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9/_-]+"),
     lambda m: "https://hooks.slack.com/" + _marker("slack_webhook")),
    (re.compile(r"\bxox[abposre]-[A-Za-z0-9-]{8,}|\bxapp-\d-[A-Za-z0-9-]{8,}"), _whole("slack_token")),
    (re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{30,255}|github_pat_[A-Za-z0-9_]{22,255})\b"),
     _whole("github_token")),
    (re.compile(r"\bsk-ant-[A-Za-z0-9_-]{20,}|\bsk_live_[A-Za-z0-9]{16,}"), _whole("api_key")),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"), _whole("jwt")),
    (
        re.compile(
            r"(?P<head>\b(?:Proxy-)?Authorization[\"']?\s*[:=]\s*[\"']?"
            r"(?P<scheme>(?:Bearer|Basic|Token|Digest|Negotiate|AWS4-HMAC-SHA256)\s+)?)"
            r"(?P<value>[^\s\"',;]+(?:,\s*SignedHeaders=[^\s\"',;]+)?(?:,\s*Signature=[0-9a-f]+)?)",
            re.IGNORECASE,
        ),
        _authorization,
    ),
    (re.compile(r"(\bBearer\s+)([A-Za-z0-9\-._~+/]{8,}=*)", re.IGNORECASE), _sub_value("bearer_token")),
    (re.compile(r"\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b"), _whole("aws_access_key_id")),
    (
        re.compile(rf"(\b(?:aws_?)?secret_?access_?key[\"']?\s*[:=]\s*[\"']?)([{_B64}]{{40}})(?![{_B64}])",
                   re.IGNORECASE),
        _sub_value("aws_secret_access_key"),
    ),
    (
        re.compile(rf"(\b(?:aws_?)?(?:session_?token|security_?token)[\"']?\s*[:=]\s*[\"']?)([{_B64}%]{{16,}})",
                   re.IGNORECASE),
        _sub_value("aws_session_token"),
    ),
    # STS session tokens have a recognizable base64 prefix even without a key.
    (re.compile(rf"\b(?:IQoJb3JpZ2lu|FwoGZXIvYXdzE|FQoGZXIvYXdzE)[{_B64}]{{20,}}"),
     _whole("aws_session_token")),
    (re.compile(r"(X-Amz-(?:Security-Token|Signature|Credential)=)([^&\s\"']+)", re.IGNORECASE),
     _sub_value("aws_signature")),
    # scheme://user:password@host  -> keep user and host
    (re.compile(r"(\b[A-Za-z][A-Za-z0-9+.-]{1,20}://[^\s:/@\"']+:)([^\s@/\"']+)(@)"),
     _sub_value("url_password")),
    # "password": "...", "client_secret": "..." in JSON (escaped quotes inside the value are allowed)
    (
        re.compile(r'(?P<head>"(?P<key>[A-Za-z0-9_.-]{0,40})"\s*:\s*)"(?P<value>(?:[^"\\]|\\.)*)"'),
        _json_pair,
    ),
    # password=...; PGPASSWORD=...; api_key=...; token: ...; secret='...'
    (
        re.compile(
            r"(?<![\w:/.\[-])(?P<key>[A-Za-z0-9_.-]{0,40}" + _SECRET_WORD + r"[A-Za-z0-9_.-]{0,40})"
            r"(?P<sep>[\"']?\s*[:=]\s*)"
            r"(?P<value>\"[^\"]*\"|'[^']*'|[^\s,;&\"'<>)\]}]+)",
            re.IGNORECASE,
        ),
        _key_value,
    ),
    (re.compile(r"(--?(?:password|passwd|pwd)[\s=]+)([^\s\"']+)", re.IGNORECASE), _sub_value("password")),
]


def redact(text: str) -> str:
    """Return ``text`` with every recognized secret replaced by ``[REDACTED:<kind>]``.

    Kinds: ``aws_access_key_id``, ``aws_secret_access_key``, ``aws_session_token``, ``aws_signature``,
    ``authorization``, ``bearer_token``, ``jwt``, ``url_password``, ``password``, ``secret``,
    ``token``, ``api_key``, ``slack_token``, ``slack_webhook``, ``private_key``, ``github_token``.
    Idempotent: redacting twice gives the same text.
    """
    if not text or not _PRECHECK.search(text.lower()):
        return text
    for pattern, repl in _RULES:
        text = pattern.sub(repl, text)
    return text


def _secret_item(key: Any, value: Any) -> bool:
    """A mapping item whose key names a secret and whose value is a scalar that could be one."""
    if not isinstance(key, str) or not is_secret_key(key) or isinstance(value, bool):
        return False
    if isinstance(value, str):
        return not _PLACEHOLDER_RE.match(value)
    return isinstance(value, (int, float))


# Name/value pairs, as AWS lists environment variables, properties and parameters.
_PAIRS = (("name", "value"), ("key", "value"), ("parameterkey", "parametervalue"))
# A command-line flag whose name names a secret: the next argument is its value.
_FLAG_RE = re.compile(r"^--?(?P<key>[A-Za-z][A-Za-z0-9_.-]*)$")


def _short_number(key: str, value: Any) -> bool:
    """``MAX_TOKENS=2000``, ``--token-ttl 60``: a short number under a non-password key is a setting."""
    if _PASSWORD_KEY_RE.search(key) or isinstance(value, bool):
        return False
    text = str(value) if isinstance(value, (int, str)) else ""
    return text.isdigit() and len(text) < 8


def _secret_pair(obj: dict[Any, Any]) -> tuple[Any, str] | None:
    """(value key, name) of a name/value pair naming a secret (``{"name": "DB_PASSWORD", "value": ...}``)."""
    lowered = {k.lower(): k for k in obj if isinstance(k, str)}
    for name_key, value_key in _PAIRS:
        if name_key in lowered and value_key in lowered:
            name, value = obj[lowered[name_key]], obj[lowered[value_key]]
            if _secret_item(name, value) and not _short_number(name, value):
                return lowered[value_key], name
    return None


def _secret_flag(arg: Any, value: Any) -> str | None:
    """The flag's key when ``arg`` is a flag naming a secret (``--db-password``) and ``value`` could be one."""
    m = _FLAG_RE.match(arg) if isinstance(arg, str) else None
    if m is None or not isinstance(value, str) or value.startswith("-") or _PLACEHOLDER_RE.match(value):
        return None
    key = m.group("key")
    return key if is_secret_key(key) and not _short_number(key, value) else None


def _json_text(text: str) -> Any:
    """The JSON object or array a string holds, or None."""
    if text.lstrip()[:1] not in ("{", "["):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, (dict, list)) else None


def redact_obj(obj: Any, *, parse_json: bool = False) -> Any:
    """Redact a JSON-like structure: strings through :func:`redact`, secret-named keys blanked.

    Also blanked: the value of a name/value pair whose name names a secret (``{"name": "DB_PASSWORD",
    "value": ...}``, ``{"Key": ..., "Value": ...}``) and, in a list, the argument after a flag that
    names one (``["--db-password", "..."]``). With ``parse_json``, a string holding a JSON object or
    array (an execution input, a job argument) is parsed and redacted inside, so a secret is found
    whatever its value's type; when something was redacted it is written back as compact JSON.

    Returns a new structure; the input is not modified. Non-string scalars are returned unchanged.
    """
    if isinstance(obj, str):
        parsed = _json_text(obj) if parse_json else None
        if parsed is not None:
            redacted = redact_obj(parsed, parse_json=True)
            if redacted != parsed:
                return json.dumps(redacted, ensure_ascii=False, separators=(",", ":"))
        return redact(obj)
    if isinstance(obj, dict):
        pair = _secret_pair(obj)
        out: dict[Any, Any] = {}
        for key, value in obj.items():
            if pair is not None and key == pair[0]:
                out[key] = _marker(_kind_for_key(pair[1]))
            elif _secret_item(key, value):
                out[key] = _marker(_kind_for_key(key))
            else:
                out[key] = redact_obj(value, parse_json=parse_json)
        return out
    if isinstance(obj, (list, tuple)):
        items = [redact_obj(v, parse_json=parse_json) for v in obj]
        for i in range(1, len(obj)):
            key = _secret_flag(obj[i - 1], obj[i])
            if key is not None:
                items[i] = _marker(_kind_for_key(key))
        return items if isinstance(obj, list) else tuple(items)
    return obj
