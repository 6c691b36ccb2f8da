"""The one Jinja2 environment for prompts and Slack text (``prompts/*.j2``), created on first use.

Every ``{{ value }}`` is escaped for Slack mrkdwn by default (``&``, ``<``, ``>``), so log text and
error messages can never become links, mentions (``<!channel>``) or formatting; pieces built on
purpose (links) are marked safe with :func:`slack_link`. A backtick in a value becomes U+02CB (the
modifier letter grave accent, which looks like it): Slack has no escape for backticks, and three of them in a
log line or an input would otherwise end the code block the template put the value in.
"""

from __future__ import annotations

from functools import cache
from typing import Any

__all__ = ["BACKTICK_LOOKALIKE", "SafeText", "escape_mrkdwn", "render", "slack_link"]


class SafeText(str):
    """Text already in Slack markup: not escaped again."""


# Slack mrkdwn has no escape for a backtick: a look-alike keeps the text readable and the code block closed.
BACKTICK_LOOKALIKE = "\u02cb"


def escape_mrkdwn(value: Any) -> str:
    """``value`` as literal text in Slack mrkdwn: ``&<>`` escaped, backticks neutralised (see above)."""
    text = "" if value is None else str(value)
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("`", BACKTICK_LOOKALIKE))


def slack_link(url: str, label: str) -> SafeText:
    label = escape_mrkdwn(label).replace("|", "¦")
    return SafeText(f"<{url.replace('>', '%3E').replace('|', '%7C')}|{label}>")


def _finalize(value: Any) -> Any:
    if isinstance(value, SafeText):
        return value
    return escape_mrkdwn(value) if isinstance(value, str) else value


def _quote(value: Any) -> SafeText:
    """A mrkdwn block quote of every line (escaped): multi-line log text stays inside the quote."""
    lines = str(value).splitlines() or [""]
    return SafeText("\n".join(">" + escape_mrkdwn(line) for line in lines))


@cache
def _env(prompts: str, plain: bool) -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(prompts), undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False, autoescape=False,
        finalize=None if plain else _finalize,
    )
    env.filters["link"] = lambda url, label: slack_link(url, label)
    env.filters["raw"] = lambda v: SafeText("" if v is None else str(v))
    env.filters["quote"] = _quote
    env.filters["truncate_chars"] = lambda v, n: (v if len(v) <= n else v[: n - 1] + "…")
    return env


def render(name: str, **values: Any) -> str:
    """Render ``prompts/<name>`` with the given values (a missing value is an error).

    ``*.txt.j2`` templates are plain text (LLM prompts, the report's JSON summary); the others are
    Slack mrkdwn, with every value escaped.
    """
    from .resources import prompts_dir

    env = _env(str(prompts_dir()), name.endswith(".txt.j2"))
    return env.get_template(name).render(**values).strip()
