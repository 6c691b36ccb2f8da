"""Shared pieces of the agent tests: an incident's evidence, settings and the scripted Bedrock client."""

from __future__ import annotations

from typing import Any

import pytest

from incident_responder.config import Settings
from incident_responder.diagnosis.scripted import ScriptedBedrock, bedrock_client, message, tool_use
from incident_responder.model import Evidence, EvidenceBook

MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
INCIDENT = {"source": "stepfunctions", "resource_name": "customer-etl", "run_id": "run-42", "status": "FAILED",
            "region": "us-east-1"}
CONTEXT = {"resource_name": "customer-etl", "run_id": "run-42", "region": "us-east-1", "status": "FAILED"}


@pytest.fixture
def fake_aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials: the real client signs every request with SigV4, as in Lambda."""
    for name, value in {"AWS_ACCESS_KEY_ID": "AKIDEXAMPLETESTONLY", "AWS_SECRET_ACCESS_KEY": "test-secret-only",
                        "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_BEARER_TOKEN_BEDROCK", raising=False)


def evidence(*texts: str) -> list[Evidence]:
    book = EvidenceBook()
    for i, text in enumerate(texts):
        book.add("log" if i else "history", "/aws/lambda/customer-etl-load" if i else "execution history", text,
                 time="2026-12-01T10:00:00Z")
    return book.items


def settings(**overrides: Any) -> Settings:
    cfg = Settings()
    cfg.bedrock_model_id = MODEL
    cfg.llm_enabled = True
    cfg.diagnosis_mode = "agent"
    for k, v in overrides.items():
        setattr(cfg, k, v)
    return cfg


def client_for(script: ScriptedBedrock, **kwargs: Any) -> Any:
    kwargs.setdefault("max_retries", 0)
    return bedrock_client(script, **kwargs)


def submit(category: str = "timeout", quotes: list[tuple[str, str]] | None = None, confidence: str = "high",
           explanation: str = "The Lambda function ran past its timeout.") -> dict[str, Any]:
    citations = [{"evidence_id": i, "quote": q} for i, q in (quotes or [])]
    return message(tool_use("submit_diagnosis", {"category": category, "confidence": confidence,
                                                 "explanation": explanation, "citations": citations,
                                                 "next_steps": ["Raise the function's timeout."]}))
