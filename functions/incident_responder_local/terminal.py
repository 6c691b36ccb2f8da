"""Slack messages as a person reads them, for the terminal (``incident-responder demo``)."""

from __future__ import annotations

import re
from typing import Any

__all__ = ["format_message"]

_LINK = re.compile(r"<([^|>]+)\|([^>]+)>")
_EMOJI = {":red_circle:": "●", ":large_orange_circle:": "●", ":large_yellow_circle:": "●",
          ":white_circle:": "○", ":warning:": "⚠", ":repeat:": "↻", ":white_check_mark:": "✔", ":eyes:": "👀",
          ":mag:": "🔍", ":page_facing_up:": "📄", ":bust_in_silhouette:": "👤", ":inbox_tray:": "📥",
          ":card_index_dividers:": "🗂", ":clipboard:": "📋", ":no_entry:": "⛔", ":construction:": "🚧"}


def _plain(text: str) -> str:
    text = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", text)
    for code, glyph in _EMOJI.items():
        text = text.replace(code, glyph)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def format_message(message: dict[str, Any], width: int = 100) -> str:
    """One posted message (with its blocks) as terminal text."""
    indent = "    │ " if message.get("thread_ts") and message.get("thread_ts") != message.get("ts") else ""
    lines: list[str] = []
    for block in message.get("blocks") or []:
        kind = block.get("type")
        if kind == "header":
            title = _plain(block["text"]["text"])
            lines += [title, "═" * min(len(title), width)]
        elif kind == "section":
            lines.append(_plain(block.get("text", {}).get("text", "")))
        elif kind == "context":
            lines.append(" ".join(_plain(e.get("text", "")) for e in block.get("elements", [])))
        elif kind == "divider":
            lines.append("─" * min(width, 60))
        elif kind == "actions":
            buttons = [f"[ {e.get('text', {}).get('text', '?')} ]" for e in block.get("elements", [])]
            lines.append("  ".join(buttons))
    if not lines:
        lines.append(_plain(message.get("text") or ""))
    return "\n".join(indent + line for text in lines for line in text.splitlines())
