"""Which diagnoser's cause is shown (DIAGNOSIS_MODE) and the one citation rule applied to both."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from tests.agent_support import CONTEXT, client_for, evidence, fake_aws_env, settings, submit

from incident_responder.analyze import signature_set
from incident_responder.diagnosis.diagnoser import (
    AgentDiagnoser,
    Candidate,
    DiagnosisRequest,
    RulesDiagnoser,
    diagnose,
    enforce_citations,
)
from incident_responder.diagnosis.scripted import ScriptedBedrock
from incident_responder.diagnosis.tools import ToolContext
from incident_responder.model import Category, Confidence

__all__ = ["fake_aws_env"]

pytestmark = pytest.mark.usefixtures("fake_aws_env")

# The signatures know this one (high confidence) ...
DENIED = evidence("Execution failed in state Load: States.TaskFailed",
                  "An error occurred (AccessDenied) when calling the GetObject operation: User: arn:aws:sts::"
                  "123456789012:assumed-role/etl-load/job is not authorized to perform: s3:GetObject on resource: "
                  "arn:aws:s3:::acme-raw/2026-12-01/orders.csv")
# ... this one by its signature, at medium (a time limit says where the run stopped, not why) ...
TIMEOUT = evidence("Execution failed in state Load: States.Timeout",
                   "Task timed out after 30.00 seconds")
# ... this one only by its wording (low confidence) ...
ODD = evidence("Execution failed in state Load: States.TaskFailed",
               "Loader rejected: checksum mismatch for batch 2026-12-01 <part-0003.parquet> & friends")
# ... and this one not at all.
OPAQUE = evidence("Execution failed in state Load: States.TaskFailed", "Loader gave up on batch 2026-12-01 (LD-4411)")


def request(ev: list[Any]) -> DiagnosisRequest:
    return DiagnosisRequest(evidence=ev, source="stepfunctions", context=dict(CONTEXT))


def agent_for(script: ScriptedBedrock, ev: list[Any], **cfg: Any) -> AgentDiagnoser:
    return AgentDiagnoser(ToolContext(evidence=ev), cfg=settings(**cfg), client=client_for(script))


def rules() -> RulesDiagnoser:
    return RulesDiagnoser(signature_set(settings()))


def cand(ids: list[str], quotes: list[tuple[str, str]] | None = None) -> Candidate:
    return Candidate(category=Category.BAD_DATA, confidence=Confidence.MEDIUM, explanation="x", evidence_ids=ids,
                     next_steps=[], diagnoser="agent", quotes=quotes or [])


def test_citation_rule() -> None:
    assert enforce_citations(cand([]), ODD) == "it cites no evidence"
    assert "does not exist (E9)" in (enforce_citations(cand(["E9"]), ODD) or "")
    assert "quote is not in E2" in (enforce_citations(cand(["E2"], [("E2", "checksum matched")]), ODD) or "")
    assert "quote is not in E1" in (enforce_citations(cand(["E1"], [("E1", "checksum mismatch")]), ODD) or "")
    assert enforce_citations(cand(["E2"], [("E2", "ab")]), ODD) is not None  # too short to be a quote
    # Verbatim, whitespace aside, or as the prompt showed it (escaped), or with an ellipsis between parts.
    assert enforce_citations(cand(["E2"], [("E2", "Loader rejected:  checksum mismatch")]), ODD) is None
    assert enforce_citations(cand(["E2"], [("E2", "&lt;part-0003.parquet&gt; &amp; friends")]), ODD) is None
    assert enforce_citations(cand(["E2"], [("E2", "Loader rejected: … part-0003.parquet")]), ODD) is None


def test_rules_mode_never_loads_the_llm_sdk() -> None:
    code = (
        "import sys\n"
        "from incident_responder.analyze import signature_set\n"
        "from incident_responder.config import Settings\n"
        "from incident_responder.diagnosis.diagnoser import DiagnosisRequest, RulesDiagnoser, diagnose\n"
        "from incident_responder.model import EvidenceBook\n"
        "b = EvidenceBook(); b.add('log', 'g', 'Task timed out after 3.00 seconds')\n"
        "cfg = Settings()\n"
        "r = diagnose(DiagnosisRequest(b.items, 'stepfunctions', {}), rules=RulesDiagnoser(signature_set(cfg)),"
        " cfg=cfg)\n"
        "print(r.diagnoser, r.cause.category.value, 'anthropic' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["rules", "timeout", "False"]


def test_rules_mode_does_not_call_the_agent() -> None:
    script = ScriptedBedrock([])
    result = diagnose(request(ODD), rules=rules(), cfg=settings(diagnosis_mode="rules"), agent=agent_for(script, ODD))
    # No signature knows the failure; the rules' low-confidence reading of its wording stands.
    assert result.diagnoser == "rules" and result.cause.category == Category.BAD_DATA
    assert result.cause.confidence == Confidence.LOW
    assert script.count == 0 and result.footer is None and result.note is None


def test_auto_mode_keeps_a_confident_rules_answer() -> None:
    script = ScriptedBedrock([])
    result = diagnose(request(DENIED), rules=rules(), cfg=settings(diagnosis_mode="auto"),
                      agent=agent_for(script, DENIED))
    assert result.diagnoser == "rules" and result.cause.category == Category.PERMISSION_DENIED
    assert result.cause.confidence == Confidence.HIGH and script.count == 0


def test_auto_mode_asks_the_agent_without_a_hint_when_the_rules_do_not_know() -> None:
    script = ScriptedBedrock([submit(category="bad_data", confidence="low", explanation="The loader gave up.",
                                     quotes=[("E2", "Loader gave up on batch 2026-12-01")])])
    result = diagnose(request(OPAQUE), rules=rules(), cfg=settings(diagnosis_mode="auto"),
                      agent=agent_for(script, OPAQUE))
    assert result.diagnoser == "agent" and result.cause.evidence_ids == ["E2"]
    assert "No failure signature matched." in script.requests[0].body["messages"][0]["content"][0]["text"]


def test_auto_mode_asks_the_agent_when_the_rules_are_not_sure() -> None:
    script = ScriptedBedrock([submit(category="bad_data", confidence="medium",
                                     explanation="A Parquet part failed its checksum.",
                                     quotes=[("E2", "checksum mismatch for batch 2026-12-01")])])
    result = diagnose(request(ODD), rules=rules(), cfg=settings(diagnosis_mode="auto"), agent=agent_for(script, ODD))
    assert result.diagnoser == "agent" and result.cause.category == Category.BAD_DATA
    assert result.cause.evidence_ids == ["E2"] and result.quotes == [("E2", "checksum mismatch for batch 2026-12-01")]
    assert result.footer is not None and "1 tool call" not in result.footer and "est. $" in result.footer
    # The rules' reading of the wording went along as a hint, with its low confidence.
    prompt = script.requests[0].body["messages"][0]["content"][0]["text"]
    hint = "The failure signatures' answer (a hint, possibly wrong or incomplete): bad_data with low confidence"
    assert hint in prompt


def test_agent_mode_gets_the_rules_hint_and_a_bad_quote_falls_back_to_the_rules() -> None:
    script = ScriptedBedrock([submit(category="out_of_memory", quotes=[("E2", "Java heap space")])])
    result = diagnose(request(TIMEOUT), rules=rules(), cfg=settings(diagnosis_mode="agent"),
                      agent=agent_for(script, TIMEOUT))
    assert "hint" in script.requests[0].body["messages"][0]["content"][0]["text"]
    assert result.diagnoser == "rules" and result.cause.category == Category.TIMEOUT
    assert result.note is not None and "quote is not in E2" in result.note
    assert result.footer is not None  # the agent ran: its cost is still shown


def test_agent_failure_keeps_the_rules_with_a_note() -> None:
    script = ScriptedBedrock([{"error": {"status": 403, "type": "AccessDeniedException", "message": "no"}}])
    result = diagnose(request(TIMEOUT), rules=rules(), cfg=settings(diagnosis_mode="agent"),
                      agent=agent_for(script, TIMEOUT))
    assert result.diagnoser == "rules" and result.cause.category == Category.TIMEOUT
    assert result.note is not None and "denied access" in result.note


def test_llm_disabled_means_rules_whatever_the_mode() -> None:
    script = ScriptedBedrock([])
    result = diagnose(request(ODD), rules=rules(), cfg=settings(diagnosis_mode="agent", llm_enabled=False),
                      agent=agent_for(script, ODD))
    assert result.diagnoser == "rules" and script.count == 0


def test_a_rules_cause_citing_missing_evidence_is_not_shown() -> None:
    class Broken:
        name = "rules"

        def propose(self, req: DiagnosisRequest) -> Candidate:
            return Candidate(category=Category.TIMEOUT, confidence=Confidence.HIGH, explanation="?",
                             evidence_ids=["E7"], next_steps=[], diagnoser="rules")

    result = diagnose(request(ODD), rules=Broken(), cfg=settings(diagnosis_mode="rules"))
    assert result.cause.category == Category.UNKNOWN and result.diagnoser == "none"
    assert result.rejected == ["rules: it cites evidence that does not exist (E7)"]


def test_bad_diagnosis_mode_setting_falls_back_to_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    from incident_responder.config import Settings

    monkeypatch.setenv("DIAGNOSIS_MODE", "yolo")
    assert Settings().diagnosis_mode == "rules"
    monkeypatch.setenv("DIAGNOSIS_MODE", "Auto")
    assert Settings().diagnosis_mode == "auto"
