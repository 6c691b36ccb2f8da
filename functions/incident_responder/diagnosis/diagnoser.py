"""Who diagnoses an incident: the failure signatures (rules), Claude on Bedrock (agent), or both.

:class:`Diagnoser` is what the analyzer calls; :class:`RulesDiagnoser` wraps
:meth:`SignatureSet.diagnose`, :class:`AgentDiagnoser` runs the bounded agent loop. Each proposes a
:class:`Candidate`; :func:`enforce_citations` is the one place where the citation rule is applied to
both: a cause that cites no evidence id, cites an id that does not exist, or quotes text that is not
in the evidence it cites is not shown. :func:`diagnose` picks by ``DIAGNOSIS_MODE``:

* ``rules`` (default): the signatures only; no LLM, ``anthropic`` never imported;
* ``auto``: the agent runs when the signatures give ``unknown`` or less than high confidence;
* ``agent``: the agent always runs, with the signatures' answer as a hint.

When the agent's answer cannot be used (a limit, a Bedrock error, a rejected citation) the rules'
answer stands (or ``unknown`` if it fails the rule too) and :attr:`DiagnosisResult.note` says why in
one short sentence. :attr:`DiagnosisResult.diagnoser` names who produced the cause shown.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from ..model import Category, Confidence, ProbableCause

if TYPE_CHECKING:
    from ..config import Settings
    from ..model import Evidence
    from .agent import AgentLimits, AgentOutcome
    from .cost import CostStore
    from .signatures import SignatureSet
    from .tools import ToolContext

__all__ = [
    "AgentDiagnoser",
    "Candidate",
    "Diagnoser",
    "DiagnosisRequest",
    "DiagnosisResult",
    "RulesDiagnoser",
    "diagnose",
    "enforce_citations",
]

logger = logging.getLogger(__name__)

MIN_QUOTE_CHARS = 4
UNKNOWN_EXPLANATION = ("No cause could be shown that cites the evidence. The facts below are what could be read; "
                       "the cause has to be found by a person.")


@dataclass
class DiagnosisRequest:
    """What a diagnoser gets: the evidence, the event source, the signature context (``resource_name``,
    ``run_id``, ``region``, ``status``, ...), the gaps, and the rules' candidate as a hint (agent only)."""

    evidence: list[Evidence]
    source: str
    context: Mapping[str, Any]
    gaps: list[str] = field(default_factory=list)
    hint: Candidate | None = None


@dataclass
class Candidate:
    """A proposed cause, before the citation rule. ``quotes``: evidence id -> verbatim quote."""

    category: Category
    confidence: Confidence
    explanation: str
    evidence_ids: list[str]
    next_steps: list[str]
    diagnoser: str
    quotes: list[tuple[str, str]] = field(default_factory=list)
    signature: str | None = None
    outcome: AgentOutcome | None = None

    def cause(self) -> ProbableCause:
        return ProbableCause(category=self.category, explanation=self.explanation, confidence=self.confidence,
                             evidence_ids=list(self.evidence_ids), signature=self.signature)


@dataclass
class DiagnosisResult:
    """The cause to show, who produced it, and what the agent did (if it ran)."""

    cause: ProbableCause
    next_steps: list[str]
    diagnoser: str  # rules | agent | none (nothing passed the citation rule)
    quotes: list[tuple[str, str]] = field(default_factory=list)
    note: str | None = None  # one short sentence when the agent ran but its answer is not shown
    agent: AgentOutcome | None = None
    rejected: list[str] = field(default_factory=list)  # why candidates were not shown

    @property
    def footer(self) -> str | None:
        """The agent's transparency line (model, tool calls, tokens, cache, cost) when it ran."""
        return self.agent.footer() if self.agent is not None and self.agent.usage.calls else None


class Diagnoser(Protocol):
    name: str

    def propose(self, request: DiagnosisRequest) -> Candidate | None:
        """A candidate cause, or None when this diagnoser has nothing (the agent failed)."""
        ...


class RulesDiagnoser:
    """The failure signatures (``rules/signatures/*.yaml`` and ``EXTRA_SIGNATURES_DIR``)."""

    name = "rules"

    def __init__(self, signatures: SignatureSet) -> None:
        self.signatures = signatures

    def propose(self, request: DiagnosisRequest) -> Candidate:
        d = self.signatures.diagnose(request.evidence, request.source, request.context)
        return Candidate(category=d.cause.category, confidence=d.cause.confidence, explanation=d.cause.explanation,
                         evidence_ids=list(d.cause.evidence_ids), next_steps=list(d.next_steps), diagnoser=self.name,
                         signature=d.cause.signature)


class AgentDiagnoser:
    """Claude on Bedrock through the bounded loop of :mod:`.agent`.

    ``tools`` is the incident's :class:`ToolContext` (its evidence must be the request's). ``client`` is an
    ``AnthropicBedrock`` (None: made from the settings); ``remaining_seconds`` is the invocation's time left.
    """

    name = "agent"

    def __init__(self, tools: ToolContext, *, cfg: Settings, client: Any = None, cost_store: CostStore | None = None,
                 remaining_seconds: float | None = None, limits: AgentLimits | None = None) -> None:
        self.tools, self.cfg, self.client = tools, cfg, client
        self.cost_store, self.remaining_seconds, self.limits = cost_store, remaining_seconds, limits
        self.outcome: AgentOutcome | None = None

    def propose(self, request: DiagnosisRequest) -> Candidate | None:
        from .agent import run_diagnosis

        ctx = request.context
        incident = {"source": request.source, "resource_name": ctx.get("resource_name", ""),
                    "run_id": ctx.get("run_id", ""), "status": ctx.get("status", ""), "region": ctx.get("region", "")}
        hint = request.hint.cause().to_dict() if request.hint is not None else None
        self.outcome = outcome = run_diagnosis(
            incident, self.tools, cfg=self.cfg, hint=hint, gaps=request.gaps, client=self.client,
            cost_store=self.cost_store, remaining_seconds=self.remaining_seconds, limits=self.limits)
        if not outcome.ok or outcome.submission is None:
            return None
        sub = outcome.submission
        quotes = [(c["evidence_id"], c["quote"]) for c in sub["citations"]]
        ids = list(dict.fromkeys(i for i, _ in quotes))
        return Candidate(category=Category(sub["category"]), confidence=Confidence(sub["confidence"]),
                         explanation=sub["explanation"], evidence_ids=ids, next_steps=list(sub["next_steps"]),
                         diagnoser=self.name, quotes=quotes, outcome=outcome)


def _norm(text: str) -> str:
    return " ".join(html.unescape(text).replace("…", " ").split())


def _quote_found(quote: str, text: str) -> bool:
    """The quote is verbatim in the text (whitespace and the prompt's ``&lt;`` escaping aside; an
    ellipsis may join verbatim parts)."""
    from ..evidence.redaction import redact

    haystacks = {_norm(text), _norm(redact(text))}
    parts = [p for p in (_norm(x) for x in quote.replace("...", "…").split("…")) if p]
    if not parts or sum(len(p) for p in parts) < MIN_QUOTE_CHARS:
        return False
    return any(all(p in h for p in parts) for h in haystacks)


def enforce_citations(candidate: Candidate | None, evidence: list[Evidence]) -> str | None:
    """The citation rule, for every diagnoser: None when the candidate may be shown, else why not."""
    if candidate is None:
        return "no candidate"
    if candidate.category == Category.UNKNOWN:
        return None  # "unknown" is always honest
    by_id = {e.id: e for e in evidence}
    if not candidate.evidence_ids:
        return "it cites no evidence"
    missing = [i for i in candidate.evidence_ids if i not in by_id]
    if missing:
        return f"it cites evidence that does not exist ({', '.join(missing[:5])})"
    for evidence_id, quote in candidate.quotes:
        ev = by_id.get(evidence_id)
        if ev is None:
            return f"it quotes evidence that does not exist ({evidence_id})"
        if not _quote_found(quote, ev.text):
            return f"its quote is not in {evidence_id}"
    return None


def _unknown(evidence: list[Evidence]) -> Candidate:
    return Candidate(category=Category.UNKNOWN, confidence=Confidence.LOW, explanation=UNKNOWN_EXPLANATION,
                     evidence_ids=[e.id for e in evidence[:3]], next_steps=[], diagnoser="none")


def _result(candidate: Candidate, agent: AgentOutcome | None, note: str | None, rejected: list[str]
            ) -> DiagnosisResult:
    return DiagnosisResult(cause=candidate.cause(), next_steps=list(candidate.next_steps),
                           diagnoser=candidate.diagnoser, quotes=list(candidate.quotes), note=note, agent=agent,
                           rejected=rejected)


def effective_mode(cfg: Settings) -> str:
    """``DIAGNOSIS_MODE``, or ``rules`` when the LLM is not enabled for the stack."""
    mode = cfg.diagnosis_mode
    if mode != "rules" and not cfg.llm_enabled:
        logger.warning("DIAGNOSIS_MODE needs LLM_ENABLED=true; using the signatures only", extra={"mode": mode})
        return "rules"
    return mode


def diagnose(request: DiagnosisRequest, *, rules: Diagnoser, cfg: Settings, agent: Diagnoser | None = None
             ) -> DiagnosisResult:
    """Diagnose by ``DIAGNOSIS_MODE`` and apply the citation rule once. Never raises for the agent's sake.

    ``agent`` is only consulted in ``auto`` and ``agent`` modes; in ``rules`` mode nothing of the agent
    path is imported or called.
    """
    rejected: list[str] = []
    rules_candidate = rules.propose(request)
    assert rules_candidate is not None
    why = enforce_citations(rules_candidate, request.evidence)
    if why:
        rejected.append(f"rules: {why}")
        logger.info("rules cause not shown", extra={"reason": why})
        fallback = _unknown(request.evidence)
    else:
        fallback = rules_candidate
    mode = effective_mode(cfg)
    run_agent = agent is not None and (
        mode == "agent" or (mode == "auto" and (fallback.category == Category.UNKNOWN
                                                or fallback.confidence != Confidence.HIGH)))
    if not run_agent or agent is None:
        return _result(fallback, None, None, rejected)
    request.hint = fallback if fallback.category != Category.UNKNOWN else None
    try:
        candidate = agent.propose(request)
    except Exception as exc:  # a diagnoser that breaks its contract still cannot break the report
        logger.exception("agent diagnoser raised")
        candidate = None
        outcome = None
        note = f"The Claude diagnosis was not used ({type(exc).__name__}); this is the signature diagnosis."
        return _result(fallback, outcome, note, rejected)
    outcome = getattr(agent, "outcome", None)
    if candidate is None:
        note = outcome.note() if outcome is not None else "The Claude diagnosis was not used."
        return _result(fallback, outcome, note, rejected)
    why = enforce_citations(candidate, request.evidence)
    if why:
        rejected.append(f"agent: {why}")
        logger.warning("agent cause not shown", extra={"reason": why})
        note = f"The Claude diagnosis was not used ({why}); this is the signature diagnosis."
        return _result(fallback, outcome, note, rejected)
    return _result(candidate, outcome, None, rejected)
