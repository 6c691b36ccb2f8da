"""Token usage, estimated cost and the daily cost cap of the Bedrock agent.

Prices are Amazon Bedrock on-demand prices in US dollars per million tokens. Sources:
https://aws.amazon.com/bedrock/pricing/ (Anthropic models; the prices match Anthropic's own list,
https://platform.claude.com/docs/en/about-claude/pricing, for *global* cross-Region inference profiles)
with, from the Claude 4.5 generation on, a 10% premium for geographic (``us.``, ``eu.``, ``apac.``, ...)
and in-Region endpoints. A 5-minute cache write costs 1.25x the input price, a cache read 0.1x.

The figures are estimates written in the report footer and metrics; the bill is AWS's.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol

__all__ = [
    "PRICES",
    "CostStore",
    "DynamoCostStore",
    "MemoryCostStore",
    "Price",
    "Usage",
    "price_for",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Price:
    """US dollars per million tokens."""

    name: str
    input: float
    output: float
    cache_write: float
    cache_read: float

    def scaled(self, factor: float) -> Price:
        return Price(self.name, self.input * factor, self.output * factor, self.cache_write * factor,
                     self.cache_read * factor)


# Global inference profile prices (per 1M tokens), Amazon Bedrock on-demand, as published in 2026.
PRICES: dict[str, Price] = {
    "claude-sonnet-4-5": Price("Claude Sonnet 4.5", 3.00, 15.00, 3.75, 0.30),
    "claude-sonnet-4-6": Price("Claude Sonnet 4.6", 3.00, 15.00, 3.75, 0.30),
    "claude-sonnet-4": Price("Claude Sonnet 4", 3.00, 15.00, 3.75, 0.30),
    "claude-haiku-4-5": Price("Claude Haiku 4.5", 1.00, 5.00, 1.25, 0.10),
    "claude-opus-4-5": Price("Claude Opus 4.5", 5.00, 25.00, 6.25, 0.50),
    "claude-opus-4-6": Price("Claude Opus 4.6", 5.00, 25.00, 6.25, 0.50),
    "claude-3-5-haiku": Price("Claude 3.5 Haiku", 0.80, 4.00, 1.00, 0.08),
}
# Unknown models are priced like the most expensive Sonnet, so a cap is never under-counted.
_FALLBACK = PRICES["claude-sonnet-4-5"]
_GEO_PREMIUM = 1.10
_PREMIUM_FROM = ("4-5", "4-6")


def price_for(model_id: str) -> Price:
    """The price of a Bedrock model or inference profile id (``us.anthropic.claude-haiku-4-5-...``)."""
    m = re.search(r"claude-[a-z0-9-]+?(?=-\d{8}|-v\d|:|$)", model_id)
    key = m.group(0) if m else ""
    base = next((p for k, p in sorted(PRICES.items(), key=lambda kv: -len(kv[0])) if key.startswith(k)), None)
    if base is None:
        logger.warning("no price for the model; estimating with Sonnet's", extra={"model": model_id})
        base = _FALLBACK
    is_global = model_id.startswith("global.")
    if not is_global and any(key.endswith(v) for v in _PREMIUM_FROM):
        return base.scaled(_GEO_PREMIUM)
    return base


@dataclass
class Usage:
    """Tokens of one or more model calls, as the Messages API reports them."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    calls: int = 0

    def add(self, usage: Any) -> None:
        """Add a response's ``usage`` (SDK object or dict)."""
        def get(name: str) -> int:
            value = usage.get(name) if isinstance(usage, dict) else getattr(usage, name, None)
            return int(value or 0)

        self.input_tokens += get("input_tokens")
        self.output_tokens += get("output_tokens")
        self.cache_read_tokens += get("cache_read_input_tokens")
        self.cache_write_tokens += get("cache_creation_input_tokens")
        self.calls += 1

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens + self.cache_read_tokens + self.cache_write_tokens

    def cost(self, price: Price) -> float:
        return (self.input_tokens * price.input + self.output_tokens * price.output
                + self.cache_write_tokens * price.cache_write + self.cache_read_tokens * price.cache_read) / 1e6

    def to_dict(self) -> dict[str, int]:
        return {"input_tokens": self.input_tokens, "output_tokens": self.output_tokens,
                "cache_read_tokens": self.cache_read_tokens, "cache_write_tokens": self.cache_write_tokens,
                "calls": self.calls}


class CostStore(Protocol):
    """The per-day spend counter (estimated US dollars)."""

    def spent_today(self) -> float: ...

    def add(self, usd: float) -> float:
        """Add to today's spend and return the new total."""
        ...


def _today() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d")


@dataclass
class MemoryCostStore:
    """In-process counter (tests, the local stack)."""

    totals: dict[str, float] = field(default_factory=dict)

    def spent_today(self) -> float:
        return self.totals.get(_today(), 0.0)

    def add(self, usd: float) -> float:
        day = _today()
        self.totals[day] = self.totals.get(day, 0.0) + usd
        return self.totals[day]


class DynamoCostStore:
    """An atomic counter item per UTC day in the incidents table (pk ``incident_id``).

    The item ``agent-cost#<day>`` holds ``spent_micro_usd`` (an integer, so ``ADD`` is exact) and
    expires with the table's TTL attribute after a few days. ``dynamodb`` is a boto3 DynamoDB client.
    A read or write that fails counts as over the cap (fail closed: no spend that is not counted).
    """

    def __init__(self, dynamodb: Any, table: str, ttl_days: int = 3) -> None:
        self.db = dynamodb
        self.table = table
        self.ttl_days = ttl_days

    def _key(self) -> dict[str, Any]:
        return {"incident_id": {"S": f"agent-cost#{_today()}"}}

    def spent_today(self) -> float:
        try:
            item = self.db.get_item(TableName=self.table, Key=self._key(), ConsistentRead=True).get("Item") or {}
        except Exception as exc:
            logger.warning("agent cost counter could not be read", extra={"error": str(exc)})
            return float("inf")
        return int(item.get("spent_micro_usd", {}).get("N", "0")) / 1e6

    def add(self, usd: float) -> float:
        expires = int((datetime.now(timezone.utc) + timedelta(days=self.ttl_days)).timestamp())
        try:
            out = self.db.update_item(
                TableName=self.table, Key=self._key(),
                UpdateExpression="ADD spent_micro_usd :d SET expires_at = :e, kind = :k",
                ExpressionAttributeValues={":d": {"N": str(max(0, round(usd * 1e6)))}, ":e": {"N": str(expires)},
                                           ":k": {"S": "agent_cost"}},
                ReturnValues="UPDATED_NEW",
            )
        except Exception as exc:
            logger.warning("agent cost counter could not be updated", extra={"error": str(exc), "usd": usd})
            return float("inf")
        return int(out["Attributes"]["spent_micro_usd"]["N"]) / 1e6
