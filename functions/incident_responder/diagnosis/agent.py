"""The bounded tool-using loop that asks Claude on Amazon Bedrock for a diagnosis or a thread answer.

One run: the system prompt and the tool definitions (both cached with ``cache_control`` blocks), a
first user message rendered from ``prompts/agent_report.j2`` or ``agent_thread.j2`` with every value
redacted and the evidence, thread and question inside ``<untrusted_data>``, then up to
``AGENT_MAX_TOOL_CALLS`` read-only tool calls, ending with ``submit_diagnosis`` (report) or a text
answer (thread).

Bounds: tool calls, tokens in + out, a wall-clock deadline kept well inside the invocation's
remaining time, a per-run and a per-day estimated-cost cap. The last step offers no investigation
tool (``tool_choice`` forces ``submit_diagnosis`` in a report, ``none`` in a thread; the tool list
stays the same so the cached prefix is reused). A repeated identical tool call is refused, a tool
result larger than the bound is cut with a note, an unknown tool gets an error result. An invalid
submission gets its validation error back once; a second one ends the run.

Nothing raises into the caller: a limit, a Bedrock error (throttling, AccessDenied, a model not
enabled, a timeout, a response that is not a message) or a bug comes back as an :class:`AgentOutcome`
whose ``status`` and ``reason`` say so, and the caller keeps the rules report with a short note.

``anthropic`` is imported only here, inside the functions that call Bedrock: the rules path never
loads it.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..evidence.redaction import redact, redact_obj
from ..model import Category, Confidence
from .cost import CostStore, MemoryCostStore, Usage, price_for
from .tools import FINAL_TOOL, REDRIVE_ASK, REDRIVE_TOOL, ToolContext, ToolRegistry, ToolResult, build_registry

if TYPE_CHECKING:
    from ..config import Settings
    from ..model import Evidence

__all__ = ["AgentLimits", "AgentOutcome", "answer_question", "make_client", "neutralize", "publish_metrics",
           "run_diagnosis", "use_client_factory", "validate_submission"]

logger = logging.getLogger(__name__)

BEDROCK_ANTHROPIC_VERSION = "bedrock-2023-05-31"
MAX_OUTPUT_TOKENS = 1024
EVIDENCE_CHARS = 1500  # per evidence item in the first message; get_evidence returns the whole text
RESERVE_SECONDS = 10.0  # left to the caller after the agent's deadline (render, post the report)
MIN_SECONDS = 5.0


@dataclass
class AgentLimits:
    max_tool_calls: int = 6
    token_budget: int = 40000
    deadline_seconds: float = 45.0
    call_timeout: float = 20.0
    max_cost_incident: float = 0.10
    max_cost_day: float = 5.00

    @classmethod
    def from_settings(cls, cfg: Settings, remaining_seconds: float | None = None, thread: bool = False
                      ) -> AgentLimits:
        """The settings' bounds; the deadline also keeps 20% and 10 s of the invocation's remaining time
        for the caller; a thread answer is also bound by ``LLM_MAX_STEPS``."""
        deadline = cfg.agent_deadline_seconds
        if remaining_seconds is not None:
            deadline = min(deadline, (remaining_seconds - RESERVE_SECONDS) * 0.8)
        tool_calls = min(cfg.agent_max_tool_calls, cfg.llm_max_steps) if thread else cfg.agent_max_tool_calls
        return cls(max_tool_calls=tool_calls, token_budget=cfg.agent_token_budget,
                   deadline_seconds=deadline, call_timeout=float(cfg.llm_timeout),
                   max_cost_incident=cfg.agent_max_cost_incident, max_cost_day=cfg.agent_max_cost_day)


@dataclass
class AgentOutcome:
    """What one agent run gave. ``status``: ``ok`` | ``limit`` | ``error`` | ``invalid`` | ``skipped``."""

    status: str
    reason: str = ""
    model: str = ""
    submission: dict[str, Any] | None = None
    answer: str | None = None
    intents: list[dict[str, Any]] = field(default_factory=list)
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    cost_usd: float = 0.0
    seconds: float = 0.0
    model_seconds: float = 0.0
    request_chars: int = 0

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def footer(self) -> str:
        """One line for the report: model, tool calls, tokens, cache, estimated cost."""
        u = self.usage
        return (f"Claude ({self.model}) · {len(self.tool_calls)} tool call{'s' if len(self.tool_calls) != 1 else ''}"
                f" · {u.input_tokens:,} in / {u.output_tokens:,} out tokens · cache {u.cache_read_tokens:,} read"
                f" / {u.cache_write_tokens:,} written · est. ${self.cost_usd:.4f}")

    def note(self) -> str:
        """A short note for the rules report when the agent's answer is not used."""
        return f"The Claude diagnosis was not used ({self.reason}); this is the signature diagnosis."

    def metrics(self) -> dict[str, float]:
        u = self.usage
        return {"AgentCalls": u.calls, "AgentToolCalls": len(self.tool_calls), "AgentInputTokens": u.input_tokens,
                "AgentOutputTokens": u.output_tokens, "AgentCacheReadTokens": u.cache_read_tokens,
                "AgentCacheWriteTokens": u.cache_write_tokens, "AgentCostUSD": round(self.cost_usd, 6),
                "AgentSeconds": round(self.seconds, 3), "AgentOk": 1 if self.ok else 0}


_EVIDENCE_ID = re.compile(r"\bE\d{1,4}\b")
_MENTION = re.compile(r"(?i)<\s*[!@#][^>]*>|@(channel|here|everyone)\b")


def neutralize(text: str) -> str:
    """Model output made unable to notify anyone: ``<!channel>`` and ``<@U123>`` lose their brackets,
    ``@here`` gets a zero-width space after the ``@`` (Slack escaping in the templates does the rest)."""
    def repl(m: re.Match[str]) -> str:
        word = m.group(1)
        return f"@\u200b{word}" if word else m.group(0)[1:-1].strip().replace("@", "@\u200b")

    return _MENTION.sub(repl, text)


ClientFactory = Callable[["Settings", "str | None"], Any]
_client_factory: ClientFactory | None = None


def use_client_factory(factory: ClientFactory | None) -> None:
    """Make :func:`make_client` return ``factory(cfg, region)`` (None: the default client again).

    The local stack sets this so the agent's ``AnthropicBedrock`` client talks to a scripted Bedrock
    runtime, or to the real one with the credentials the caller had before local AWS replaced them
    (``incident-responder replay`` and ``eval``). In a deployed stack nothing calls this.
    """
    global _client_factory
    _client_factory = factory


def make_client(cfg: Settings, region: str | None = None, http_client: Any = None) -> Any:
    """The ``AnthropicBedrock`` client (credentials from the Lambda role, as boto3 finds them)."""
    if _client_factory is not None and http_client is None:
        return _client_factory(cfg, region)
    from anthropic import AnthropicBedrock

    kwargs: dict[str, Any] = {"aws_region": cfg.bedrock_region or region, "max_retries": 1,
                              "timeout": float(cfg.llm_timeout)}
    if http_client is not None:
        kwargs["http_client"] = http_client
    return AnthropicBedrock(**kwargs)


# --- validation of the final submission ---------------------------------------------------------------

def validate_submission(args: Any, evidence_ids: set[str]) -> tuple[dict[str, Any] | None, str | None]:
    """Check a ``submit_diagnosis`` input's shape; (clean submission, None) or (None, the error).

    Whether each quote is verbatim in its evidence is checked once for every diagnoser, by
    :func:`incident_responder.diagnosis.diagnoser.enforce_citations`; here unknown ids are already refused
    so the model can correct them.
    """
    if not isinstance(args, dict):
        return None, "the input must be a JSON object"
    errors = []
    try:
        category = Category(args.get("category"))
    except ValueError:
        errors.append(f"category must be one of {', '.join(c.value for c in Category)}")
        category = Category.UNKNOWN
    try:
        confidence = Confidence(args.get("confidence"))
    except ValueError:
        errors.append("confidence must be high, medium or low")
        confidence = Confidence.LOW
    explanation = args.get("explanation")
    if not isinstance(explanation, str) or not explanation.strip():
        errors.append("explanation must be a non-empty string")
    citations = args.get("citations")
    clean_citations = []
    if not isinstance(citations, list) or not citations:
        errors.append("citations must list at least one {evidence_id, quote}")
    else:
        for c in citations:
            if not isinstance(c, dict) or not isinstance(c.get("evidence_id"), str) or \
                    not isinstance(c.get("quote"), str) or not c["quote"].strip():
                errors.append("each citation needs an evidence_id and a non-empty quote")
                continue
            if c["evidence_id"] not in evidence_ids:
                errors.append(f"{c['evidence_id']} is not an evidence id of this incident")
                continue
            clean_citations.append({"evidence_id": c["evidence_id"], "quote": c["quote"]})
    steps = args.get("next_steps", [])
    if not isinstance(steps, list) or not all(isinstance(s, str) for s in steps):
        errors.append("next_steps must be a list of strings")
        steps = []
    if errors:
        return None, "; ".join(errors)
    return {"category": category.value, "confidence": confidence.value,
            "explanation": neutralize(str(explanation).strip()), "citations": clean_citations,
            "next_steps": [neutralize(s.strip()) for s in steps if s.strip()][:5]}, None


# --- the loop ----------------------------------------------------------------------------------------

def _bedrock_reason(exc: Exception) -> str:
    """A short, safe description of a Bedrock or SDK failure."""
    try:
        import anthropic
    except ImportError:
        return f"the agent failed: {type(exc).__name__}"

    if isinstance(exc, anthropic.APITimeoutError):
        return "Bedrock timed out"
    if isinstance(exc, anthropic.APIConnectionError):
        return "Bedrock could not be reached"
    if isinstance(exc, anthropic.APIStatusError):
        kind = (exc.response.headers.get("x-amzn-errortype") or "").split(":", 1)[0]
        status = exc.status_code
        label = {429: "Bedrock throttled the request", 403: "Bedrock denied access (is the model enabled and "
                 "the role allowed bedrock:InvokeModel?)", 404: "the Bedrock model was not found",
                 400: "Bedrock rejected the request (model not enabled or not on-demand?)"}.get(
            status, "Bedrock is unavailable" if status >= 500 else "Bedrock returned an error")
        return f"{label}: {kind or status}"
    if isinstance(exc, RuntimeError) and "credentials" in str(exc).lower():
        return "no AWS credentials were found for Bedrock"
    if isinstance(exc, anthropic.APIResponseValidationError | ValueError | KeyError | TypeError):
        return "Bedrock's response was not a valid message"
    return f"the agent failed: {type(exc).__name__}"


def _block_dict(block: Any) -> dict[str, Any]:
    if isinstance(block, dict):
        return block
    if block.type == "text":
        return {"type": "text", "text": block.text}
    if block.type == "tool_use":
        return {"type": "tool_use", "id": block.id, "name": block.name, "input": block.input}
    return {"type": "text", "text": ""}


class _Run:
    """State of one loop run."""

    def __init__(self, client: Any, model: str, limits: AgentLimits, registry: ToolRegistry, system: str,
                 first_message: str, *, final_tool: str | None, evidence_ids: set[str],
                 cost_store: CostStore, clock: Callable[[], float],
                 intents: list[dict[str, Any]] | None = None) -> None:
        self.intents = intents if intents is not None else []
        self.client, self.model, self.limits, self.registry = client, model, limits, registry
        self.final_tool = final_tool
        self.evidence_ids = evidence_ids
        self.cost_store = cost_store
        self.clock = clock
        self.price = price_for(model)
        self.start = clock()
        self.outcome = AgentOutcome(status="error", model=model)
        tools = registry.definitions()
        if tools:
            tools[-1] = {**tools[-1], "cache_control": {"type": "ephemeral"}}
        self.tools = tools
        self.system = [{"type": "text", "text": system, "cache_control": {"type": "ephemeral"}}]
        self.messages: list[dict[str, Any]] = [
            {"role": "user", "content": [{"type": "text", "text": first_message,
                                          "cache_control": {"type": "ephemeral"}}]}
        ]
        self.seen_calls: set[str] = set()
        self.invalid_submissions = 0

    def elapsed(self) -> float:
        return self.clock() - self.start

    def _estimate_next(self) -> tuple[int, float]:
        chars = len(json.dumps(self.tools)) + len(self.system[0]["text"]) + len(json.dumps(self.messages))
        tokens = chars // 4 + MAX_OUTPUT_TOKENS
        # Upper bound of the next call's cost: the whole prompt uncached, the full output.
        cost = (chars // 4) * self.price.input / 1e6 + MAX_OUTPUT_TOKENS * self.price.output / 1e6
        return tokens, cost

    def _stop(self, status: str, reason: str) -> AgentOutcome:
        self.outcome.status, self.outcome.reason = status, reason
        return self.outcome

    def _call(self, last: bool) -> Any:
        tool_choice: dict[str, Any]
        if last:
            tool_choice = {"type": "tool", "name": self.final_tool} if self.final_tool else {"type": "none"}
        else:
            tool_choice = {"type": "auto"}
        remaining = self.limits.deadline_seconds - self.elapsed()
        kwargs: dict[str, Any] = {
            "model": self.model, "max_tokens": MAX_OUTPUT_TOKENS, "system": self.system,
            "messages": self.messages, "timeout": max(1.0, min(self.limits.call_timeout, remaining)),
            "extra_body": {"anthropic_version": BEDROCK_ANTHROPIC_VERSION},
        }
        if self.tools:
            kwargs["tools"] = self.tools
            kwargs["tool_choice"] = tool_choice
        self.outcome.request_chars += len(json.dumps(self.messages)) + len(json.dumps(self.tools)) + \
            len(self.system[0]["text"])
        t0 = self.clock()
        try:
            return self.client.messages.create(**kwargs)
        finally:
            self.outcome.model_seconds += self.clock() - t0

    def _record_usage(self, response: Any) -> None:
        call = Usage()
        call.add(response.usage)
        self.outcome.usage.add(response.usage)
        self.outcome.cost_usd = self.outcome.usage.cost(self.price)
        logger.info("agent model call", extra={"model": self.model, "stop_reason": response.stop_reason,
                                               **call.to_dict(), "cost_usd": round(call.cost(self.price), 6)})

    def _tool(self, name: str, args: Any) -> ToolResult:
        key = json.dumps([name, args], sort_keys=True, default=str)
        if key in self.seen_calls:
            return ToolResult.fail("refused: the same call with the same input was already made; its result is above")
        self.seen_calls.add(key)
        if len(self.outcome.tool_calls) >= self.limits.max_tool_calls:
            return ToolResult.fail("refused: the tool-call limit is reached; answer now")
        result = self.registry.call(name, args)
        self.outcome.tool_calls.append({"name": str(name)[:80], "status": result.status})
        return result

    def run(self) -> AgentOutcome:
        try:
            return self._run()
        except Exception as exc:  # Bedrock errors and anything unexpected: the caller keeps the rules report.
            reason = _bedrock_reason(exc)
            logger.warning("agent run failed", extra={"reason": reason, "error": str(exc)[:300]})
            return self._stop("error", reason)
        finally:
            self.outcome.seconds = self.elapsed()
            self.outcome.cost_usd = self.outcome.usage.cost(self.price)
            if self.outcome.usage.calls:
                try:
                    self.cost_store.add(self.outcome.cost_usd)
                except Exception as exc:  # an injected store that breaks must not break the report
                    logger.warning("agent cost could not be counted", extra={"error": str(exc)[:300]})

    def _run(self) -> AgentOutcome:
        lim = self.limits
        if lim.deadline_seconds < MIN_SECONDS:
            return self._stop("skipped", "not enough time left in this invocation")
        if self.cost_store.spent_today() >= lim.max_cost_day:
            return self._stop("skipped", "the daily cost cap is reached")
        max_steps = lim.max_tool_calls + 2
        for step in range(max_steps):
            if self.elapsed() >= lim.deadline_seconds:
                return self._stop("limit", "the deadline was reached")
            est_tokens, est_cost = self._estimate_next()
            used = self.outcome.usage.total_tokens
            if used + est_tokens > lim.token_budget and step > 0:
                return self._stop("limit", "the token budget was reached")
            if self.outcome.cost_usd + est_cost > lim.max_cost_incident:
                return self._stop("limit", "the per-incident cost cap was reached")
            last = (step == max_steps - 1 or len(self.outcome.tool_calls) >= lim.max_tool_calls
                    or used + 2 * est_tokens > lim.token_budget
                    or self.elapsed() + lim.call_timeout >= lim.deadline_seconds)
            response = self._call(last)
            self._record_usage(response)
            if not isinstance(response.content, list):
                raise ValueError("content is not a list")
            blocks = [_block_dict(b) for b in response.content]
            self.messages.append({"role": "assistant", "content": blocks})
            uses = [b for b in blocks if b.get("type") == "tool_use"]
            if not uses:
                if response.stop_reason == "max_tokens":
                    return self._stop("invalid", "the answer was cut at the output limit")
                answer = "\n".join(b.get("text", "") for b in blocks if b.get("type") == "text").strip()
                if self.final_tool is None:
                    if not answer:
                        return self._stop("invalid", "the answer was empty")
                    made_up = sorted(set(_EVIDENCE_ID.findall(answer)) - self.evidence_ids)
                    if made_up:
                        return self._stop("invalid", f"the answer cites evidence that does not exist "
                                                     f"({', '.join(made_up[:5])})")
                    self.outcome.answer = neutralize(answer)
                    return self._stop("ok", "")
                self.invalid_submissions += 1
                if self.invalid_submissions > 1 or last:
                    return self._stop("invalid", "no diagnosis was submitted")
                self.messages.append({"role": "user", "content": [
                    {"type": "text", "text": f"Call {self.final_tool} now with your diagnosis."}]})
                continue
            results: list[dict[str, Any]] = []
            for use in uses:
                name, args = str(use.get("name", "")), use.get("input")
                if self.final_tool and name == self.final_tool:
                    submission, error = validate_submission(args, self.evidence_ids)
                    if submission is not None:
                        self.outcome.submission = submission
                        return self._stop("ok", "")
                    self.invalid_submissions += 1
                    logger.info("agent submission invalid", extra={"error": error})
                    if self.invalid_submissions > 1:
                        return self._stop("invalid", f"the diagnosis was invalid twice ({error})")
                    result = ToolResult.fail(f"invalid submission: {error}. Fix it and call {self.final_tool} again.")
                elif last:
                    result = ToolResult.fail("refused: no more tool calls; answer now")
                else:
                    result = self._tool(name, args)
                    if name == REDRIVE_TOOL and result.status == "ok":
                        self.outcome.intents = list(self.intents)
                results.append({"type": "tool_result", "tool_use_id": use.get("id"),
                                "content": self.registry.render(result), "is_error": result.status != "ok"})
            self.messages.append({"role": "user", "content": results})
        return self._stop("limit", "the tool-call limit was reached before an answer")


def _limits(cfg: Settings, remaining_seconds: float | None, limits: AgentLimits | None, thread: bool = False
            ) -> AgentLimits:
    return limits or AgentLimits.from_settings(cfg, remaining_seconds, thread=thread)


def _evidence_view(evidence: list[Evidence]) -> list[dict[str, Any]]:
    out = []
    for e in evidence:
        body = redact(e.text)
        if len(body) > EVIDENCE_CHARS:
            body = body[:EVIDENCE_CHARS] + f"… [cut at {EVIDENCE_CHARS} characters; get_evidence({e.id}) has all]"
        out.append({"id": e.id, "kind": e.kind, "source": redact(e.source), "time": e.time, "text": body,
                    "raised_at": redact(e.raised_at) if e.raised_at else None})
    return out


def _system() -> str:
    from ..templates import render

    return render("agent_system.j2", categories=[c.value for c in Category])


def _start(client: Any, cfg: Settings, region: str | None) -> tuple[Any, AgentOutcome | None]:
    if client is not None:
        return client, None
    try:
        return make_client(cfg, region), None
    except Exception as exc:
        reason = f"the Bedrock client could not be created: {type(exc).__name__}"
        logger.warning("agent client failed", extra={"error": str(exc)[:300]})
        return None, AgentOutcome(status="error", reason=reason, model=cfg.bedrock_model_id)


def run_diagnosis(incident: dict[str, Any], ctx: ToolContext, *, cfg: Settings, hint: dict[str, Any] | None = None,
                  gaps: list[str] | None = None, client: Any = None, cost_store: CostStore | None = None,
                  remaining_seconds: float | None = None, limits: AgentLimits | None = None,
                  clock: Callable[[], float] = time.monotonic) -> AgentOutcome:
    """Ask the agent for a diagnosis of one incident. Never raises.

    ``incident``: ``source``, ``resource_name``, ``run_id``, ``status``, ``region``. ``hint``: the rules'
    cause as ``ProbableCause.to_dict()`` (or None).
    """
    try:
        from ..templates import render

        registry = build_registry(ctx, thread=False, final=True)
        message = render("agent_report.j2", **_incident_values(incident), hint=redact_obj(hint) if hint else None,
                         evidence=_evidence_view(ctx.evidence), log_groups=ctx.log_groups,
                         buckets=sorted(ctx.allowed_buckets()), gaps=[redact(g) for g in gaps or []])
        system = _system()
    except Exception as exc:
        logger.exception("agent prompt could not be built")
        return AgentOutcome(status="error", reason=f"the prompt could not be built: {type(exc).__name__}",
                            model=cfg.bedrock_model_id)
    client, failed = _start(client, cfg, incident.get("region"))
    if failed:
        return failed
    run = _Run(client, cfg.bedrock_model_id, _limits(cfg, remaining_seconds, limits), registry, system, message,
               final_tool=FINAL_TOOL, evidence_ids={e.id for e in ctx.evidence},
               cost_store=cost_store or MemoryCostStore(), clock=clock)
    outcome = run.run()
    _log(outcome, "diagnosis")
    return outcome


def answer_question(incident: dict[str, Any], ctx: ToolContext, question: str, *, cfg: Settings,
                    question_user: str = "someone", thread: list[dict[str, str]] | None = None,
                    cause: dict[str, Any] | None = None, client: Any = None, cost_store: CostStore | None = None,
                    remaining_seconds: float | None = None, limits: AgentLimits | None = None,
                    clock: Callable[[], float] = time.monotonic) -> AgentOutcome:
    """Answer a free-text question in an incident's thread. Never raises.

    ``thread``: the earlier messages as ``{"user", "text"}``. ``cause``: the report's probable cause
    (``ProbableCause.to_dict()``). A redrive the person asks for comes back as an intent in
    ``outcome.intents`` (the caller posts the usual preview); the answer text is ``outcome.answer``.
    """
    intents: list[dict[str, Any]] = []
    ctx.redrive_requested = bool(REDRIVE_ASK.search(question or ""))
    try:
        from ..templates import render

        registry = build_registry(ctx, thread=True, final=False, intents=intents)
        cause = cause or {"category": "unknown", "confidence": "low", "explanation": ""}
        message = render("agent_thread.j2", **_incident_values(incident), cause=redact_obj(cause),
                         evidence=_evidence_view(ctx.evidence), log_groups=ctx.log_groups,
                         buckets=sorted(ctx.allowed_buckets()), redrive_available=ctx.redrive_available,
                         thread=[{"user": redact(str(m.get("user", "?"))), "text": redact(str(m.get("text", "")))}
                                 for m in (thread or [])][-10:],
                         question=redact(question), question_user=redact(question_user))
        system = _system()
    except Exception as exc:
        logger.exception("agent prompt could not be built")
        return AgentOutcome(status="error", reason=f"the prompt could not be built: {type(exc).__name__}",
                            model=cfg.bedrock_model_id)
    client, failed = _start(client, cfg, incident.get("region"))
    if failed:
        return failed
    run = _Run(client, cfg.bedrock_model_id, _limits(cfg, remaining_seconds, limits, thread=True), registry, system,
               message, final_tool=None, evidence_ids={e.id for e in ctx.evidence},
               cost_store=cost_store or MemoryCostStore(), clock=clock, intents=intents)
    outcome = run.run()
    outcome.intents = list(intents)
    _log(outcome, "thread")
    return outcome


def publish_metrics(outcome: AgentOutcome, metrics: Any) -> None:
    """Add one run's figures to a Powertools ``Metrics`` object (the handler flushes them)."""
    from aws_lambda_powertools.metrics import MetricUnit

    units = {"AgentCostUSD": MetricUnit.NoUnit, "AgentSeconds": MetricUnit.Seconds}
    for name, value in outcome.metrics().items():
        metrics.add_metric(name=name, unit=units.get(name, MetricUnit.Count), value=value)


def _incident_values(incident: dict[str, Any]) -> dict[str, Any]:
    return {k: redact(str(incident.get(k) or "")) for k in ("source", "resource_name", "run_id", "status", "region")}


def _log(outcome: AgentOutcome, mode: str) -> None:
    logger.info("agent run", extra={"mode": mode, "status": outcome.status, "reason": outcome.reason,
                                    "model": outcome.model, "tools": [t["name"] for t in outcome.tool_calls],
                                    **outcome.metrics()})
