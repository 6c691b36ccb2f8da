"""One of each small format the responder needs: ARNs, JSON-or-text values, durations and times.

Kept free of AWS and Slack imports so every layer (sources, follow-ups, redrive, rendering) can use it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from .model import parse_time

__all__ = ["TOKEN_CHARS", "Arn", "decoded_byte_lists", "fmt_duration", "fmt_time", "json_or_none", "json_or_text",
           "load_yaml", "parse_arn", "shorten_token"]


@dataclass(frozen=True)
class Arn:
    """The parts of an ARN (``arn:partition:service:region:account:resource``)."""

    partition: str
    service: str
    region: str
    account: str
    resource: str

    @property
    def name(self) -> str:
        """The resource's last name part (after the last ``:`` or ``/``)."""
        return self.resource.replace("/", ":").rsplit(":", 1)[-1]


def parse_arn(value: Any) -> Arn | None:
    """The parts of an ARN, or None when ``value`` is not one."""
    if not isinstance(value, str) or not value.startswith("arn:"):
        return None
    parts = value.split(":", 5)
    if len(parts) < 6 or not parts[2]:
        return None
    return Arn(partition=parts[1], service=parts[2], region=parts[3], account=parts[4], resource=parts[5])


def json_or_text(value: Any) -> Any:
    """``value`` parsed as JSON when it is a JSON string; the string itself otherwise; non-strings as given."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def json_or_none(value: Any) -> Any:
    """Like :func:`json_or_text`, but None for a string that is not JSON."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return None


# Text printed as its bytes: a Node.js Buffer or Uint8Array joined with commas, or a list of byte values, in an
# error's message ("Invocation error (running in series): 123,34,101,114,114,111,114,84,...": the invoked
# function's error payload, alexcasalboni/aws-lambda-power-tuning#242). At least 16 values, each 0-255.
_BYTE_LIST = re.compile(r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d), ?){15,}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\d.])")


def decoded_byte_lists(text: str) -> str:
    """``text`` with each list of byte values in it (``_BYTE_LIST``) that decodes as printable UTF-8 replaced by
    what it decodes to; other lists (numbers that are not text) as they are."""
    # Cheap guards, for every log line: text nearly always has a byte of 100 and above (a lower-case letter from "d"
    # on), and 16 values need 15 commas.
    if (",1" not in text and ", 1" not in text) or text.count(",") < 15:
        return text

    def decoded(m: re.Match[str]) -> str:
        try:
            out = bytes(int(v) for v in m.group(0).replace(" ", "").split(",")).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return m.group(0)
        printable = sum(ch.isprintable() or ch in "\n\t" for ch in out)
        return out if printable == len(out) and any(ch.isalpha() for ch in out) else m.group(0)

    return _BYTE_LIST.sub(decoded, text)


def fmt_duration(seconds: float) -> str:
    """A duration as people say it: ``42 s``, ``12.5 s``, ``18 min``, ``3.2 h``."""
    if seconds < 120:
        return f"{seconds:.0f} s" if float(seconds).is_integer() else f"{seconds:.1f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 3 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def fmt_time(value: Any) -> str:
    """A datetime, epoch milliseconds or ISO string as ``YYYY-MM-DD HH:MM:SS UTC`` ('' when unknown)."""
    if value is None or value == "":
        return ""
    parsed = parse_time(value)
    if parsed is None:
        return str(value)
    return f"{parsed.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"


TOKEN_CHARS = 72  # a token (an S3 path, an ARN, an id) longer than this is shortened in its middle
# The simple name at the end of a Java class name, kept whole when the token is shortened.
_QUALIFIED_NAME = re.compile(r"\.([A-Z]\w*(?:Exception|Error|Failure)\W{0,2})$")


def shorten_token(token: str, limit: int = TOKEN_CHARS) -> str:
    """``s3://bucket/a/very/long/…/part-0003.parquet``: head and tail of a token kept, the middle elided."""
    if len(token) <= limit:
        return token
    head = limit * 3 // 5
    tail = limit - head - 1
    # A Java class name keeps its simple name whole ("com.amazon.ws.emr…model.ProvisionedThroughputExceededException:").
    m = _QUALIFIED_NAME.search(token)
    if m and len(m.group(1)) < limit - 12:
        tail = max(tail, len(m.group(1)) + 1)
        head = limit - tail - 1
    # ... and a path or URL its file's name ("https://files.pythonhosted.org/packages/28/…/awswrangler-2.4.0-py3-none-
    # any.whl"): which file it is, whole.
    slash = token.rfind("/", 0, len(token) - 1)
    if slash > 0 and len(token) - slash < limit // 2:
        tail = max(tail, len(token) - slash)
        head = limit - tail - 1
    return token[:head] + "…" + token[-tail:]


def load_yaml(text: str) -> Any:
    """YAML as ``yaml.safe_load`` reads it, with libyaml's parser when PyYAML was built with it (the wheels for
    Linux are): the rules, a scenario's world and its expectations are read several times faster."""
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
