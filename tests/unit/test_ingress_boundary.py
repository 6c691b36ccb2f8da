"""Requests Slack would never send, each answered 4xx with a reason, never an exception.

Unsigned oddities (a base64 body that is not UTF-8, a lone surrogate, a non-ASCII signature, a
Function URL event of the wrong shape) are signature rejections: the failsafe counts those. Signed
payloads with fields of the wrong type or shape are 400 (or 413 when too large), naming the field;
nothing is claimed or enqueued, and no Python repr reaches a delivery.
"""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import parse_qs, quote_plus

import pytest
from tests.unit.test_slack_verification import CHANNEL, NOW, ROOT, SECRET, TS, _send, _signed

from incident_responder.slack.ingress import MAX_BODY_BYTES, MAX_TEXT_CHARS, SlackRequest
from incident_responder_local.slack_requests import block_actions_body, message_event_body, sign


def _reply(**event: Any) -> dict[str, Any]:
    body = json.loads(message_event_body(channel=CHANNEL, user="U0ALICE01", text="status?", ts=TS, thread_ts=ROOT,
                                         event_id="Ev0UNIT0001"))
    body["event"].update(event)
    return body


def _click(**payload: Any) -> str:
    message = {"type": "message", "ts": ROOT, "text": "report"}
    body = block_actions_body(channel=CHANNEL, user="U0ALICE01", message=message,
                              action={"action_id": "redrive_request", "value": "inc-1"},
                              action_ts="1699999950.000100")
    data = json.loads(parse_qs(body)["payload"][0])
    data.update(payload)
    return "payload=" + quote_plus(json.dumps(data))


def _signed_form(body: str) -> SlackRequest:
    request = _signed(body)
    request.headers["content-type"] = "application/x-www-form-urlencoded"
    return request


# ---------------------------------------------------------------- unsigned: rejected, never raised


def _function_url(body: Any, base64_flag: Any, headers: Any) -> dict[str, Any]:
    return {"version": "2.0", "headers": headers, "body": body, "isBase64Encoded": base64_flag}


GOOD_STAMP = {"x-slack-request-timestamp": str(NOW), "x-slack-signature": "v0=" + "0" * 64}


@pytest.mark.parametrize(
    "event",
    [
        _function_url(base64.b64encode(b"\xff\xfe{not utf-8").decode(), True, GOOD_STAMP),
        _function_url('{"type": "event_callback", "x": "\ud800"}', False, GOOD_STAMP),
        _function_url("{}", False, {**GOOD_STAMP, "x-slack-signature": "v0=é" + "0" * 63}),
        _function_url("{}", False, {**GOOD_STAMP, "x-slack-request-timestamp": "١٧٠٠٠٠٠٠٠٠"}),
        _function_url(12345, "yes", ["x-slack-signature"]),
        _function_url({"json": "object"}, False, {"X-Slack-Signature": None, 7: 8}),
        ["not", "an", "event"],
    ],
    ids=["base64-not-utf8", "lone-surrogate", "non-ascii-signature", "arabic-digit-timestamp",
         "wrong-types", "object-body", "event-is-a-list"],
)
def test_unsigned_oddities_are_signature_rejections(event: Any) -> None:
    result, store, sqs = _send(SlackRequest.from_function_url(event))

    assert (result.status, result.outcome) == (401, "rejected")
    assert result.reason
    assert sqs.sent == [] and store.calls == []


def test_a_signed_body_that_is_not_utf8_is_still_only_rejected() -> None:
    # Signed by someone holding the secret, over bytes Slack never sends: not a Slack request.
    request = SlackRequest(body=b"\xff\xfe", headers={"x-slack-request-timestamp": str(NOW),
                                                      "x-slack-signature": sign(SECRET, "\ufffd", NOW)})

    result, _, sqs = _send(request)

    assert (result.status, result.reason) == (401, "body is not UTF-8") and sqs.sent == []


# ---------------------------------------------------------------- signed, wrong types: 400 naming the field


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (json.dumps({**_reply(), "event": ["message"]}), "event must be an object"),
        (json.dumps(_reply(type=["message"])), "event.type must be a string"),
        (json.dumps(_reply(user={"id": "U0ALICE01"})), "event.user must be a string"),
        (json.dumps(_reply(channel={"id": CHANNEL})), "event.channel must be a string"),
        (json.dumps(_reply(ts=1699999900.0002)), "event.ts must be a string"),
        (json.dumps(_reply(text=["status?"])), "event.text must be a string"),
        (json.dumps(_reply(thread_ts="yesterday")), "event.thread_ts is not a Slack id or timestamp"),
        (json.dumps(_reply(channel="C0" + "X" * 3000)), "event.channel is not a Slack id"),
        (json.dumps({**_reply(), "authorizations": {"user_id": "U0BOT0001"}}), "authorizations must be a list"),
        (json.dumps({"type": "url_verification", "challenge": {"a": 1}}), "payload.challenge must be a string"),
        (json.dumps({"type": ["event_callback"]}), "payload.type must be a string"),
    ],
    ids=["event-list", "type-list", "user-object", "channel-object", "ts-number", "text-list", "thread-ts-word",
         "channel-3000", "authorizations-object", "challenge-object", "type-list-top"],
)
def test_signed_events_with_wrong_types_are_bad_requests(body: str, field: str) -> None:
    result, store, sqs = _send(_signed(body))

    assert (result.status, result.outcome) == (400, "bad_request")
    assert field in result.reason
    assert sqs.sent == [] and store.calls == []


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"user": "U0ALICE01"}, "user must be an object"),
        ({"actions": {"action_id": "redrive_request"}}, "payload.actions must be a list"),
        ({"actions": ["redrive_request"]}, "actions[0] must be an object"),
        ({"actions": [{"action_id": ["redrive_request"]}]}, "actions[0].action_id must be a string"),
        ({"channel": "C0INCIDENT1"}, "channel must be an object"),
        ({"message": "the report"}, "message must be an object"),
        ({"container": [ROOT]}, "container must be an object"),
        ({"team": "T0LOCAL01"}, "team must be an object"),
    ],
    ids=["user-string", "actions-object", "action-string", "action-id-list", "channel-string", "message-string",
         "container-list", "team-string"],
)
def test_signed_clicks_with_wrong_types_are_bad_requests(payload: dict[str, Any], field: str) -> None:
    result, store, sqs = _send(_signed_form(_click(**payload)))

    assert (result.status, result.outcome) == (400, "bad_request")
    assert field in result.reason
    assert sqs.sent == [] and store.calls == []


def test_a_well_formed_click_is_still_enqueued() -> None:
    result, _, sqs = _send(_signed_form(_click()))

    assert result.outcome == "enqueued", result.reason
    (sent,) = sqs.sent
    assert json.loads(sent["MessageBody"])["user"] == "U0ALICE01"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"type": "event_callback", "n": ' + "9" * 5000 + "}", "body cannot be read"),
        ("[1, 2, 3]", "not a JSON object"),
    ],
    ids=["deep-nesting", "5000-digit-number", "json-list"],
)
def test_signed_bodies_that_cannot_be_read_are_bad_requests(body: str, reason: str) -> None:
    result, store, sqs = _send(_signed(body))

    assert (result.status, result.outcome) == (400, "bad_request")
    assert reason in result.reason
    assert sqs.sent == [] and store.calls == []


def test_a_huge_signed_body_is_too_large() -> None:
    body = json.dumps(_reply(text="x" * MAX_BODY_BYTES))

    result, store, sqs = _send(_signed(body))

    assert (result.status, result.outcome) == (413, "bad_request")
    assert sqs.sent == [] and store.calls == []


def test_missing_fields_are_acknowledged_and_ignored() -> None:
    for event in ({}, {"type": "message"}, {"type": "message", "user": "U0ALICE01"}):
        result, _, sqs = _send(_signed(json.dumps({**_reply(), "event": event})))
        assert (result.status, result.outcome) == (200, "ignored") and sqs.sent == []
    result, _, sqs = _send(_signed_form(_click(user=None, actions=None)))
    assert (result.status, result.outcome) == (200, "ignored") and sqs.sent == []


def test_a_long_question_is_enqueued_shortened_to_fit_a_queue_message() -> None:
    result, _, sqs = _send(_signed(json.dumps(_reply(text="\U0001f525" * 40_000))))

    assert result.outcome == "enqueued"
    (sent,) = sqs.sent
    assert len(sent["MessageBody"].encode()) < 256 * 1024
    text = json.loads(sent["MessageBody"])["text"]
    assert text.startswith("\U0001f525" * MAX_TEXT_CHARS) and text.endswith("[truncated]")
