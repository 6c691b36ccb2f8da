"""An empty REDRIVE_FUNCTION_NAME in a deployed stack is a configuration error, not a silent fallback."""

from __future__ import annotations

from typing import Any

import pytest

from incident_responder.redrive import invoker
from incident_responder.redrive.invoker import RedriveInvoker, use_in_process


class NoLambda:
    session = None
    region = "eu-west-1"

    def client(self, name: str) -> Any:
        raise AssertionError(f"no {name} call expected")


def test_without_a_function_name_nothing_runs_and_the_answer_says_why(caplog: pytest.LogCaptureFixture) -> None:
    use_in_process(None)
    answer = RedriveInvoker(NoLambda(), "").invoke({"incident_id": "i", "request_id": "r"})  # type: ignore[arg-type]
    assert answer == {"status": "failed",
                      "error": "the responder is misconfigured: REDRIVE_FUNCTION_NAME is not set"}
    assert "REDRIVE_FUNCTION_NAME is not set" in caplog.text


def test_the_local_stack_runs_the_redrive_handler_in_process() -> None:
    calls: list[dict[str, Any]] = []
    use_in_process(lambda payload: calls.append(payload) or {"status": "started"})  # type: ignore[func-returns-value]
    try:
        assert RedriveInvoker(NoLambda(), "").invoke({"incident_id": "i"}) == {"status": "started"}  # type: ignore[arg-type]
    finally:
        use_in_process(None)
    assert calls == [{"incident_id": "i"}] and invoker._in_process is None
