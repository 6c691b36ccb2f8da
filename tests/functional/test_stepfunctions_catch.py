"""A Catch's handler against a flow that went on: Step Functions histories where an earlier failure was caught.

A state entered from a Catch that failed in turn (a notifier) is the handler of the failure it was given; a state
that failed later, after the flow went on past the caught error and other work succeeded, failed on its own, even
when the caught error still rides in its input (a Catch ResultPath that keeps it beside the data). The world is the
kept scenario sfn_put_subscription_filter_lambda_permission (YumaInaura/YumaInaura#3460): CreateLogGroup's
ResourceAlreadyExistsException caught, PutRetentionPolicy succeeded, PutSubscriptionFilter refused."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml
from tests.conftest import SCENARIOS

from incident_responder_local.replay import replay

NAME = "sfn_put_subscription_filter_lambda_permission"


def _history_items(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in result["report"]["evidence"] if e["kind"] == "history"]


def test_a_failure_after_the_flow_went_on_is_its_own_not_a_handlers() -> None:
    (result,) = replay([SCENARIOS / NAME])
    cause = result["report"]["probable_cause"]
    assert cause["category"] == "permission_denied"
    first = _history_items(result)[0]["text"]
    assert first.startswith("State 'PutSubscriptionFilter'"), first
    assert not any("The Catch of state" in e["text"] for e in _history_items(result))


def test_a_state_the_catch_entered_that_failed_too_is_the_handler(tmp_path: Path) -> None:
    # The same run without the state that succeeded between: the Catch led straight to the failing state.
    folder = tmp_path / NAME
    shutil.copytree(SCENARIOS / NAME, folder)
    world = yaml.safe_load((folder / "world.yaml").read_text(encoding="utf-8"))
    execution = world["stepfunctions"]["executions"][0]
    kept = [e for e in execution["history"] if not 7 <= e["id"] <= 11]
    for e in kept:
        if e["id"] == 12:
            e["previousEventId"] = 6
    execution["history"] = kept
    (folder / "world.yaml").write_text(yaml.safe_dump(world, sort_keys=False), encoding="utf-8")
    (result,) = replay([folder])
    texts = [e["text"] for e in _history_items(result)]
    assert texts[0].startswith("State 'CreateLogGroup'"), texts
    handler = "The Catch of state 'CreateLogGroup' then ran state 'PutSubscriptionFilter'"
    assert any(t.startswith(handler) for t in texts), texts
