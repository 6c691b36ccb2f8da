"""Secret redaction for any text that leaves the process (Slack, the LLM, DynamoDB).

:func:`redact` replaces each secret with a ``[REDACTED:<kind>]`` marker and keeps the text around
it, so the evidence still reads naturally: ``postgres://etl:[REDACTED:url_password]@db:5432/x``.
:func:`redact_obj` does the same through nested dicts and lists (execution input, job arguments),
and also blanks values whose key names a secret (``{"password": ...}``), the value of a name/value
pair that names one (an environment variable ``DB_PASSWORD``) and the argument after a flag that
names one (``--db-password ...``). :func:`gate` is the one function every outgoing payload goes
through: the Slack client calls it on every text and block it sends, the stores on every item they
write, and anything that prompts an LLM must call it on the prompt.

What it must not touch: ARNs, request ids, UUIDs, execution names, timestamps, exit codes and the
wording of real error messages. Every rule therefore needs either a distinctive token shape
(``AKIA``, ``xoxb-``, ``glpat-``, ``eyJ..``) or a key that names a secret, and generic key rules skip
values that are ARNs, placeholders or plain words.

The token shapes are ported from two maintained detector rule sets, so the list follows what
secret scanners know rather than a private guess: gitleaks' default rules (``config/gitleaks.toml``,
MIT licence, https://github.com/gitleaks/gitleaks) and detect-secrets' plugins (Apache-2.0,
https://github.com/Yelp/detect-secrets); each rule below names the one it follows. detect-secrets is
not a runtime dependency: it reports lines, not spans, loads its plugins by scanning modules at
start-up, and brings requests with it; the analyze function's import must stay cheap.

Speed: every rule carries the keywords one of which its match must contain; the text is lower-cased
once, each keyword is looked up with a plain substring test, and only the rules whose keyword is in the
text run (none at all for most log lines), so a large log costs these scans plus the rules it triggers.
The generic ``key=value`` rule does
not use a leading ``[\\w]{0,40}`` pattern (quadratic on long words): it finds the secret word, then
widens to the key by hand. Patterns have bounded repeats and no nested quantifiers.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["REDACTED", "gate", "is_secret_key", "redact", "redact_obj"]

REDACTED = "[REDACTED:{kind}]"


def _marker(kind: str) -> str:
    return REDACTED.format(kind=kind)


# Key words that name a secret (used by the key=value, JSON and redact_obj rules). ``pass`` alone
# counts only as a whole word part (``DB_PASS``, ``dbPass``, ``"pass":``), not in ``bypass``/``passenger``.
_SECRET_WORD = (
    r"(?:password|passwd|passphrase|pwd|(?:(?<![a-z])|(?<=db)|(?<=database))pass(?![a-z])|secret|token"
    r"|api[_-]?key|apikey|access[_-]?key|private[_-]?key|account[_-]?key|client[_-]?secret|credentials?"
    r"|cookie|auth(?![a-z]))"
)
_SECRET_KEY_RE = re.compile(_SECRET_WORD, re.IGNORECASE)
# A key that merely refers to a secret (its name, id, ARN, type...) is not itself secret.
_NOT_SECRET_KEY_RE = re.compile(
    r"(?:arn|arns|id|ids|name|names|type|count|length|size|expir\w*|ttl|version|status|url|uri|endpoint"
    r"|path|file|policy|manager|provider|method|mode|enabled|required|source|location|header|field"
    r"|format|rotation\w*|date|time|timeout|kind|prefix|suffix|limit|limits|usage|budget|max|min|bucket"
    r"|region|store)$",
    re.IGNORECASE,
)
_PASSWORD_KEY_RE = re.compile(r"pass(?:word|wd|phrase)?$|pwd$", re.IGNORECASE)
# Values that are placeholders, ARNs or already redacted are left alone.
_PLACEHOLDER_RE = re.compile(
    r"^(?:|null|none|nil|true|false|yes|no|undefined|\*+|x+|\.\.\.|<[^>]*>|\$\{[^}]*\}|\{\{[^}]*\}\}|\$[A-Z_][A-Z0-9_]*"
    r"|arn:.*|\[REDACTED.*)$",
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
    if "cookie" in lowered:
        return "cookie"
    if "key" in lowered:
        return "api_key"
    return "secret"


def _looks_secret_value(value: str) -> bool:
    """A bare value after ``key:`` is redacted only when it looks like a credential, not a word."""
    if len(value) >= 20:
        return True
    return len(value) >= 8 and any(c.isdigit() for c in value) and any(c.isalpha() for c in value)


def _strong_password_key(key: str) -> bool:
    """A key that certainly names a password (``DB_PASSWORD``, ``pwd``); a bare ``pass`` may be prose."""
    return bool(_PASSWORD_KEY_RE.search(key)) and key.lower().strip("-_") != "pass"


Repl = Callable[[re.Match[str]], str]


class _Rule:
    """A compiled pattern, its replacement, and the keywords one of which its match contains.

    A keyword in lower case is looked for in the lower-cased text; one with capitals (``SK``) as it is.
    """

    __slots__ = ("_compiled", "_flags", "_source", "keywords", "name", "repl")

    def __init__(self, name: str, keywords: Iterable[str], pattern: str, repl: Repl, flags: int = 0) -> None:
        self.name = name
        self.keywords = tuple(keywords)
        self._source, self._flags = pattern, flags
        self._compiled: re.Pattern[str] | None = None
        self.repl = repl

    @property
    def pattern(self) -> re.Pattern[str]:
        """Compiled when a text first holds one of the rule's keywords: most rules never run in a report,
        and a cold start does not compile a hundred expressions it may not need."""
        if self._compiled is None:
            self._compiled = re.compile(self._source, self._flags)
        return self._compiled



def _sub_group(kind: str, group: str | int = "s") -> Repl:
    """Replace one group of the match with a marker, keep everything else."""
    marker = _marker(kind)

    def repl(m: re.Match[str]) -> str:
        start, end = m.span(group)
        if start < 0:
            return m.group(0)
        base = m.start()
        text = m.group(0)
        return text[: start - base] + marker + text[end - base :]

    return repl


def _whole(kind: str) -> Repl:
    marker = _marker(kind)
    return lambda m: marker


_B64 = r"A-Za-z0-9/+="
# Where a token ends (gitleaks' trailing boundary: a quote, space, ``;``, an escaped newline, the end).
_END = r"(?![\w-])"


def _token(name: str, keywords: Iterable[str], pattern: str, kind: str = "api_key", flags: int = 0) -> _Rule:
    """A whole-token rule: the match is the secret."""
    return _Rule(name, keywords, r"(?:" + pattern + r")" + _END, _whole(kind), flags)


def _authorization(m: re.Match[str]) -> str:
    # "may require authorization: server message: ..." is prose; a header value has a scheme or looks random.
    scheme = (m.group("scheme") or "").strip()
    known = scheme.lower() in _AUTH_SCHEMES
    value = m.group("value")
    if not known and not _looks_secret_value(value) and not (scheme and _looks_secret_value(scheme + value)):
        return m.group(0)
    return m.group("head") + (scheme + " " if known else "") + _marker("authorization")


_AUTH_SCHEMES = {"bearer", "basic", "token", "digest", "negotiate", "aws4-hmac-sha256", "ssws", "apikey",
                 "api-key", "key", "hmac", "ntlm", "oauth", "sharedkey", "sharedaccesssignature"}


def _basic(m: re.Match[str]) -> str:
    """``Basic <base64 of user:password>`` anywhere (under any key): redact when it decodes to ``x:y``."""
    value = m.group("s")
    try:
        decoded = base64.b64decode(value + "=" * (-len(value) % 4), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return m.group(0)
    if ":" not in decoded or not decoded.isprintable():
        return m.group(0)
    return m.group("head") + _marker("basic_auth")


def _url_password(m: re.Match[str]) -> str:
    password = m.group("s")
    if "/" in password and password.split("/", 1)[0].isdigit():  # host:8080/path/a@b: a port, not a password
        return m.group(0)
    if _PLACEHOLDER_RE.match(password):
        return m.group(0)
    return m.group("head") + _marker("url_password")


def _json_pair(m: re.Match[str]) -> str:
    key, value = m.group("key"), m.group("value")
    if not is_secret_key(key) or _PLACEHOLDER_RE.match(value):
        return m.group(0)
    if value.isdigit() and len(value) < 8 and not _strong_password_key(key):
        return m.group(0)
    return f'{m.group("head")}"{_marker(_kind_for_key(key))}"'


def _flag_pair(m: re.Match[str]) -> str:
    """``["--db-password", "x"]`` as text (a logged argument list): the value after a secret flag."""
    key, value = m.group("key"), m.group("value")
    if not is_secret_key(key) or _PLACEHOLDER_RE.match(value) or value.startswith("-"):
        return m.group(0)
    if value.isdigit() and len(value) < 8 and not _strong_password_key(key):
        return m.group(0)
    return m.group("head") + m.group("q2") + _marker(_kind_for_key(key)) + m.group("q2")


def _keyed(kind: str) -> Repl:
    """Replace group ``s`` unless it is a placeholder."""
    marker = _marker(kind)

    def repl(m: re.Match[str]) -> str:
        start, end = m.span("s")
        if _PLACEHOLDER_RE.match(m.group("s")):
            return m.group(0)
        base = m.start()
        return m.group(0)[: start - base] + marker + m.group(0)[end - base :]

    return repl


# Order matters: multi-line and URL shapes first, then whole tokens, then keyed rules.
_RULES: list[_Rule] = [
    # gitleaks private-key; detect-secrets PrivateKeyDetector
    _Rule("private-key", ["private key"],
          r"-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----"
          r"(?:.*?-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----|.*\Z)",
          _whole("private_key"), re.DOTALL),
    # gitleaks slack-webhook-url; detect-secrets SlackDetector
    _Rule("slack-webhook", ["hooks.slack.com"],
          r"https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9/_-]+",
          lambda m: "https://hooks.slack.com/" + _marker("slack_webhook")),
    # gitleaks discord / microsoft-teams-webhook
    _Rule("discord-webhook", ["/api/webhooks/"],
          r"(?P<head>https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/)\d{5,30}/[\w-]{20,100}",
          lambda m: m.group("head") + _marker("webhook")),
    _Rule("teams-webhook", ["webhook.office.com"],
          r"(?P<head>https://[\w-]+\.webhook\.office\.com/)webhookb2/[^\s\"'<>|]{20,400}",
          lambda m: m.group("head") + _marker("webhook")),
    # scheme://user:password@host (detect-secrets BasicAuthDetector): the password may hold '@' and '/', so
    # the last '@' of the token ends it (a leak is worse than a host redacted with it).
    _Rule("url-password", ["://"],
          r"(?P<head>://[^\s:/@\"'<>|\[\]]{0,128}:)(?P<s>[^\s\"'<>]{1,128})"
          r"(?=@[^\s@\"'<>/|]{1,255}(?:[/\s\"'<>?#|]|\Z))",
          _url_password),
    # A DSN whose user part is the key (Sentry: https://<32 hex>@o1.ingest.sentry.io/2)
    _Rule("dsn-key", ["://"], r"(?P<head>://)(?P<s>[0-9a-f]{32})(?=@)", _sub_group("dsn_key")),
    # jdbc:oracle:thin:user/password@host (Oracle JDBC docs)
    _Rule("jdbc-oracle", ["jdbc:oracle"],
          r"(?i:jdbc:oracle:(?:thin|oci8?|kprb)):[^/\s@\"':]{1,64}/(?P<s>[^@\s\"']{1,128})(?=@)",
          _keyed("password")),
    # Tokens with a vendor prefix (gitleaks rule ids, and detect-secrets plugins where they have one).
    _token("slack-token", ["xox"], r"xox[abposre]-[A-Za-z0-9-]{8,}|xoxe\.xox[bp]-[A-Za-z0-9-]{8,}", "slack_token"),
    _token("slack-app-token", ["xapp-"], r"xapp-\d-[A-Za-z0-9-]{8,}", "slack_token"),
    _token("github-token", ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"],
           r"gh[pousr]_[A-Za-z0-9]{30,255}|github_pat_\w{22,255}", "github_token"),
    _token("gitlab-token", ["glpat-", "gldt-", "glft-", "glsoat-", "glrt-", "glcbt-", "glimt-", "glptt-",
                            "glagent-", "gloas-", "glffct-", "gr1348941"],
           r"gl(?:pat|dt|ft|soat|rt|cbt|imt|ptt|agent|oas|ffct)-[\w.-]{20,300}|GR1348941[\w-]{20,50}",
           "gitlab_token"),
    _token("stripe", ["sk_live", "sk_test", "sk_prod", "rk_live", "rk_test", "rk_prod"],
           r"[sr]k_(?:live|test|prod)_[A-Za-z0-9]{10,247}"),
    _token("gcp-api-key", ["aiza"], r"AIza[\w-]{35}"),
    _token("google-oauth", ["ya29.", "gocspx-"], r"ya29\.[\w-]{20,2048}|GOCSPX-[\w-]{28}", "token"),
    _token("anthropic", ["sk-ant-"], r"sk-ant-[\w-]{20,300}"),
    _token("openai", ["sk-"],
           r"sk-(?:proj|svcacct|admin|None)-[\w-]{20,300}|sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}"),
    _token("sendgrid", ["sg."], r"SG\.[\w-]{16,32}\.[\w-]{16,64}"),
    _token("npm", ["npm_"], r"npm_[A-Za-z0-9]{36}"),
    _token("pypi", ["pypi-ag"], r"pypi-AgEIcHlwaS5vcmc[\w-]{50,1000}|pypi-AgENdGVzdC5weXBpLm9yZw[\w-]{50,1000}"),
    _token("vault", ["hvs.", "hvb.", "hvr."], r"hv[sbr]\.[\w-]{24,300}", "token"),
    _token("twilio", ["SK"], r"SK[0-9a-fA-F]{32}"),
    _token("mailgun", ["key-"], r"key-[0-9a-f]{32}"),
    _token("mailchimp", ["-us"], r"[0-9a-f]{32}-us\d{1,2}"),
    _token("shopify", ["shpat_", "shpca_", "shppa_", "shpss_"], r"shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}"),
    _token("digitalocean", ["_v1_"], r"do[opr]_v1_[a-f0-9]{64}", "token"),
    _token("databricks", ["dapi"], r"dapi[a-f0-9]{32}(?:-\d)?", "token"),
    _token("huggingface", ["hf_", "api_org_"], r"hf_[A-Za-z]{34}|api_org_[A-Za-z]{34}", "token"),
    _token("newrelic", ["nrak-", "nrii-", "nrjs-"], r"NRAK-[A-Z0-9]{27}|NRII-[\w-]{32}|NRJS-[a-f0-9]{19}"),
    _token("postman", ["pmak-"], r"PMAK-[a-fA-F0-9]{24}-[a-fA-F0-9]{34}"),
    _token("linear", ["lin_api_"], r"lin_api_[A-Za-z0-9]{40}"),
    _token("doppler", ["dp.pt."], r"dp\.pt\.[A-Za-z0-9]{43}", "token"),
    _token("pulumi", ["pul-"], r"pul-[a-f0-9]{40}", "token"),
    _token("docker-pat", ["dckr_pat_"], r"dckr_pat_[\w-]{20,60}", "token"),
    _token("grafana", ["glsa_", "glc_", "eyjrijoi"],
           r"glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|glc_[A-Za-z0-9+/]{32,400}={0,3}|eyJrIjoi[A-Za-z0-9]{70,400}={0,3}",
           "token"),
    _token("square", ["sq0atp-", "sq0csp-"], r"sq0(?:atp|csp)-[\w-]{22,60}", "token"),
    _token("atlassian", ["atatt3"], r"ATATT3[\w=-]{150,300}", "token"),
    _token("alibaba", ["ltai"], r"LTAI[A-Za-z0-9]{20}", "aws_access_key_id"),
    _token("dynatrace", ["dt0c01."], r"dt0c01\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{64}", "token"),
    _token("planetscale", ["pscale_"], r"pscale_(?:tkn|oauth|pw)_[\w=.-]{32,64}", "token"),
    _token("terraform", ["atlasv1"], r"[A-Za-z0-9]{14}\.atlasv1\.[\w=-]{60,70}", "token"),
    _token("age", ["age-secret-key-1"], r"AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}", "private_key"),
    _token("azure-ad-client-secret", ["q~"], r"[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34}", "secret"),
    _token("sentry", ["sntrys_", "sntryu_"], r"sntrys_[A-Za-z0-9+/=_]{50,400}|sntryu_[a-f0-9]{64}", "token"),
    _token("telegram", [":aa"], r"\d{8,10}:AA[\w-]{33}", "token"),
    _token("artifactory", ["akcp"], r"AKCp[A-Za-z0-9]{69}"),
    _token("rubygems", ["rubygems_"], r"rubygems_[a-f0-9]{48}"),
    _token("heroku", ["hrku-"], r"HRKU-AA[\w-]{58}"),
    _token("1password", ["ops_ey"], r"ops_eyJ[A-Za-z0-9+/]{100,}={0,3}", "token"),
    # gitleaks jwt; detect-secrets JwtTokenDetector
    _Rule("jwt", ["eyj"], r"\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*", _whole("jwt")),
    # Authorization headers (gitleaks curl-auth-header): any scheme, or a value that looks random.
    _Rule("authorization", ["authorization"],
          r"(?P<head>\b(?:Proxy-)?Authorization[\"']?\s*[:=]\s*[\"']?)"
          r"(?P<scheme>[A-Za-z][A-Za-z0-9-]{1,20}\s+)?"
          r"(?P<value>[^\s\"',;]+(?:,\s*SignedHeaders=[^\s\"',]+)?(?:,\s*Signature=[0-9a-f]+)?)",
          _authorization, re.IGNORECASE),
    _Rule("bearer", ["bearer"], r"(?P<head>\bBearer\s+)(?P<s>[A-Za-z0-9\-._~+/]{8,}=*)", _sub_group("bearer_token"),
          re.IGNORECASE),
    # "Basic dXNlcjpwYXNz" under any key (not only Authorization): when it decodes to user:password.
    _Rule("basic", ["basic"], r"(?P<head>\bBasic\s+)(?P<s>[A-Za-z0-9+/]{8,1024}={0,2})(?![A-Za-z0-9+/=])", _basic,
          re.IGNORECASE),
    # Cookie headers: every name=value pair in them may be a session.
    _Rule("cookie", ["cookie"],
          r"(?P<head>\b(?:Set-)?Cookie[\"']?\s*[:=]\s*[\"']?)"
          r"(?P<s>[^\s;\"'=]{1,256}=[^\s;\"']{0,4096}(?:;[ \t]*[^\s;\"'=]{1,256}=[^\s;\"']{0,4096}){0,64}"
          r"|[^\s;\"']{8,4096})",
          _keyed("cookie"), re.IGNORECASE),
    # gitleaks aws-access-token; detect-secrets AWSKeyDetector
    _Rule("aws-access-key-id", ["AKIA", "ASIA", "ABIA", "ACCA", "A3T"],
          r"\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b", _whole("aws_access_key_id")),
    _Rule("aws-secret-access-key", ["secretaccess", "secret_access"],
          rf"(?P<head>\b(?:aws_?)?secret_?access_?key[\"']?\s*[:=]\s*[\"']?)(?P<s>[{_B64}]{{40}})(?![{_B64}])",
          _sub_group("aws_secret_access_key"), re.IGNORECASE),
    _Rule("aws-session-token", ["session_token", "sessiontoken", "security_token", "securitytoken"],
          rf"(?P<head>\b(?:aws_?)?(?:session_?token|security_?token)[\"']?\s*[:=]\s*[\"']?)(?P<s>[{_B64}%]{{16,}})",
          _sub_group("aws_session_token"), re.IGNORECASE),
    # `aws configure set aws_secret_access_key X` (AWS CLI docs): the value follows a space.
    _Rule("aws-configure-set", ["configure"],
          r"\baws\s+configure\s+set\s+(?:--profile\s+\S+\s+)?(?:[\w-]+\.)?"
          r"(?:aws_secret_access_key|aws_session_token|aws_access_key_id)(?:\s+--profile\s+\S+)?\s+(?P<s>[^\s\"']+)",
          _keyed("aws_secret_access_key")),
    # STS session tokens have a recognizable base64 prefix even without a key.
    _Rule("aws-sts-token", ["iqojb3jpz2lu", "fwogzxivyxdz", "fqogzxivyxdz"],
          rf"\b(?:IQoJb3JpZ2lu|FwoGZXIvYXdzE|FQoGZXIvYXdzE)[{_B64}]{{20,}}", _whole("aws_session_token")),
    _Rule("aws-presigned", ["x-amz-"],
          r"(?P<head>X-Amz-(?:Security-Token|Signature|Credential)=)(?P<s>[^&\s\"'<>]+)",
          _sub_group("aws_signature"), re.IGNORECASE),
    # Azure (detect-secrets AzureStorageKeyDetector; Azure docs: connection strings and SAS tokens).
    _Rule("azure-account-key", ["accountkey", "sharedaccesskey"],
          r"(?P<head>\b(?:AccountKey|SharedAccessKey)\s*=\s*)(?P<s>[^;\s\"'<>]{8,})", _keyed("api_key"),
          re.IGNORECASE),
    _Rule("azure-sas-sig", ["sig="], r"(?P<head>[?&;]sig=)(?P<s>[^&\s\"'<>]{8,})", _keyed("sas_signature")),
    # Command lines: mysql -pPASSWORD, sshpass -p, redis-cli -a, curl -u user:password (gitleaks curl-auth-user).
    _Rule("mysql-p", ["mysql"], r"\bmysql\w{0,10}\b[^\n]{0,300}?\s-p(?P<s>[^\s\"'-][^\s\"']*)", _keyed("password")),
    _Rule("sshpass", ["sshpass"], r"\bsshpass\s+-p\s*[\"']?(?P<s>[^\s\"']+)", _keyed("password")),
    _Rule("redis-cli-a", ["redis-cli"], r"\bredis-cli\b[^\n]{0,300}?\s(?:-a|--pass)\s+[\"']?(?P<s>[^\s\"']+)",
          _keyed("password")),
    _Rule("curl-user", ["curl"],
          r"\bcurl\b[^\n]{0,300}?\s(?:-u|--user)[\s=]*[\"']?[^\s:\"']{1,128}:(?P<s>[^\s\"']+)", _keyed("password")),
    # .netrc (`machine h login u password p`, one line or one per line)
    _Rule("netrc", ["machine"],
          r"\bmachine\s+\S+\s+(?:login\s+\S+\s+)?password[ \t]+(?P<s>[^\s\"']+)", _keyed("password")),
    _Rule("netrc-line", ["password"], r"(?m:^)[ \t]*password[ \t]+(?P<s>[^\s\"']+)[ \t]*(?m:$)", _keyed("password")),
    # "password": "...", "client_secret": "..." in JSON (escaped quotes inside the value are allowed)
    _Rule("json-pair", ['":'],
          r'(?P<head>"(?P<key>[A-Za-z0-9_.-]{0,40})"\s*:\s*)"(?P<value>(?:[^"\\]|\\.){0,4096})"', _json_pair),
    # ["--db-password", "x"] as logged text (JSON or Python list of arguments)
    _Rule("flag-list", ['"-', "'-"],
          r"(?P<head>(?P<q>[\"'])-{1,2}(?P<key>[A-Za-z][\w.-]{0,60})(?P=q)\s*,\s*)"
          r"(?P<q2>[\"'])(?P<value>[^\"'\n]{1,1024})(?P=q2)",
          _flag_pair),
]

# The generic key=value rule: found by its secret word, widened to the whole key by hand.
_WORD_RE = re.compile(
    r"password|passwd|passphrase|pwd|pass|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key"
    r"|account[_-]?key|credential|auth"
)
_KEY_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-")
_SEP_RE = re.compile(r"\\?[\"']?\s*(?::=|=>|[:=])\s*")
_FLAG_SEP_RE = re.compile(r"[ \t]+")
_VALUE_RE = re.compile(
    r"\$\{[^}\s]{0,200}\}|\\\"[^\"\\]{0,4096}\\\"|\"[^\"]{0,4096}\"|'[^']{0,4096}'|[^\s,;&\"'<>)\]}]{1,4096}"
)


def _key_value_rule(text: str) -> str:
    out: list[str] = []
    pos = 0  # text before pos is done
    lowered = text.lower()
    if len(lowered) != len(text):  # a character whose lower case is longer: positions would not match
        lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    for m in _WORD_RE.finditer(lowered):
        if m.start() < pos:
            continue
        start = m.start()
        while start > 0 and m.start() - start < 40 and text[start - 1] in _KEY_CHARS:
            start -= 1
        end = m.end()
        while end < len(text) and end - m.end() < 40 and text[end] in _KEY_CHARS:
            end += 1
        before = text[start - 1] if start > 0 else ""
        key = text[start:end]
        # Inside a URL path, an ARN or a word: not a key (":_authToken" of an .npmrc line is one).
        if (before and (before.isalnum() or before in "/.[-\\")) or (before == ":" and not key.startswith("_")):
            continue
        if key.startswith("-"):  # --db-password VALUE: a flag, its value after a space or '='
            sep = _SEP_RE.match(text, end) or _FLAG_SEP_RE.match(text, end)
        else:
            sep = _SEP_RE.match(text, end)
        if sep is None:
            continue
        value = _VALUE_RE.match(text, sep.end())
        if value is None:
            continue
        replaced = _key_value(key.lstrip("-"), sep.group(0), value.group(0))
        if replaced is None:
            continue
        out.append(text[pos:start])
        out.append(key + sep.group(0) + replaced)
        pos = value.end()
    if not out:
        return text
    out.append(text[pos:])
    return "".join(out)


def _key_value(key: str, sep: str, value: str) -> str | None:
    """The redacted value of ``key<sep>value``, or None when it stays."""
    bare = value.strip("\\\"'")
    if not is_secret_key(key) or _PLACEHOLDER_RE.match(bare):
        return None
    password = _strong_password_key(key)
    if key.upper() == "PWD" and bare.startswith("/"):  # the shell's working directory, not a password
        return None
    if not password and bare.isdigit() and len(bare) < 8:  # max_tokens=2000, token_ttl=60
        return None
    # "ExpiredToken: The security token ..." is prose, not a credential: ':' or a space needs a secret-looking value.
    if ("=" not in sep or key.lower().strip("_") == "pass") and not password and not _looks_secret_value(bare):
        return None
    if value.startswith('\\"'):
        quote = '\\"'
    elif value[:1] in "\"'" and value[-1:] == value[:1] and len(value) > 1:
        quote = value[0]
    else:
        quote = ""
    return f"{quote}{_marker(_kind_for_key(key))}{quote}"


_WORD_KEYWORDS = ("pass", "pwd", "secret", "token", "key", "credential", "auth")
_KEY_VALUE = len(_RULES)  # the generic key=value rule runs last


def _keyword_index() -> tuple[tuple[tuple[str, tuple[int, ...]], ...], tuple[tuple[str, tuple[int, ...]], ...]]:
    """(keyword, the rules it wants) for the lower-cased text, and for the text as it is."""
    by_keyword: dict[str, list[int]] = {}
    for i, rule in enumerate(_RULES):
        for keyword in rule.keywords:
            by_keyword.setdefault(keyword, []).append(i)
    for keyword in _WORD_KEYWORDS:
        by_keyword.setdefault(keyword, []).append(_KEY_VALUE)
    folded = tuple((k, tuple(v)) for k, v in by_keyword.items() if k == k.lower())
    exact = tuple((k, tuple(v)) for k, v in by_keyword.items() if k != k.lower())
    return folded, exact


_FOLDED_KEYWORDS, _EXACT_KEYWORDS = _keyword_index()


def redact(text: str) -> str:
    """Return ``text`` with every recognized secret replaced by ``[REDACTED:<kind>]``.

    Kinds: ``aws_access_key_id``, ``aws_secret_access_key``, ``aws_session_token``, ``aws_signature``,
    ``authorization``, ``bearer_token``, ``basic_auth``, ``cookie``, ``jwt``, ``url_password``, ``dsn_key``,
    ``password``, ``secret``, ``token``, ``api_key``, ``slack_token``, ``slack_webhook``, ``webhook``,
    ``private_key``, ``github_token``, ``gitlab_token``, ``sas_signature``.
    Idempotent: redacting twice gives the same text.
    """
    if not text:
        return text
    lowered = text.lower()
    wanted: set[int] = set()
    for keyword, rules in _FOLDED_KEYWORDS:
        if keyword in lowered:
            wanted.update(rules)
    for keyword, rules in _EXACT_KEYWORDS:
        if keyword in text:
            wanted.update(rules)
    if not wanted:
        return text
    for i in sorted(wanted):
        text = _key_value_rule(text) if i == _KEY_VALUE else _RULES[i].pattern.sub(_RULES[i].repl, text)
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


# Keys of Slack Block Kit whose values are identifiers or enums, never shown text.
_STRUCTURAL_KEYS = frozenset({"type", "action_id", "block_id", "style", "emoji", "verbatim", "callback_id"})


def _gate(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: v if k in _STRUCTURAL_KEYS else _gate(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        items = [_gate(v) for v in value]
        return items if isinstance(value, list) else tuple(items)
    return value


def gate(value: Any) -> Any:
    """The redaction gate: ``value`` as it may leave the process (Slack, DynamoDB, an LLM).

    A string goes through :func:`redact`; a dict or list (Slack blocks, a store item, LLM messages) is
    walked and every string in it redacted, whatever its key, except Block Kit's structural keys
    (``type``, ``action_id``, ``block_id``...). Idempotent, and a no-op on text already redacted, so
    the early redaction of evidence and this gate can both run. Returns a new value; the input is not
    modified.
    """
    return _gate(value)
