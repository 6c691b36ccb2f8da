"""The ingress verifies every request with slack-sdk's SignatureVerifier before anything else.

Slack's own test vector (tests/fixtures/slack/signing_test_vector.json, from "Verifying requests from
Slack"), checked with an injected clock; then each way a request can be wrong: forged, stale, tampered,
headers missing. A rejected request is answered 401 and nothing is read, claimed or enqueued.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from slack_sdk.signature import Clock, SignatureVerifier
from tests.conftest import load_json

from incident_responder.slack.ingress import SlackRequest, handle_request, rejection_reason
from incident_responder_local.slack_requests import function_url_event, message_event_body, sign

VECTOR = load_json("slack/signing_test_vector.json")
SECRET = "unit-test-signing-secret"
NOW = 1_700_000_000
CHANNEL, ROOT, TS = "C0INCIDENT1", "1699999000.000100", "1699999900.000200"


class FixedClock(Clock):
    def __init__(self, now: float) -> None:
        self.at = now

    def now(self) -> float:
        return self.at


class RecordingStore:
    """The IncidentStore calls the ingress makes, recorded; ROOT in CHANNEL is an incident's thread."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.claimed: set[str] = set()

    def by_thread(self, channel: str, ts: str) -> dict[str, Any] | None:
        self.calls.append(("by_thread", (channel, ts)))
        return {"incident_id": "inc-1"} if (channel, ts) == (CHANNEL, ROOT) else None

    def claim_delivery(self, key: str, **_: Any) -> bool:
        self.calls.append(("claim_delivery", key))
        if key in self.claimed:
            return False
        self.claimed.add(key)
        return True

    def release_delivery(self, key: str) -> None:
        self.calls.append(("release_delivery", key))
        self.claimed.discard(key)


class RecordingSqs:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def send_message(self, **kwargs: Any) -> dict[str, Any]:
        self.sent.append(kwargs)
        return {"MessageId": str(len(self.sent))}


def _reply_body(text: str = "status?") -> str:
    return message_event_body(
        channel=CHANNEL, user="U0ALICE01", text=text, ts=TS, thread_ts=ROOT, event_id="Ev0UNIT0001"
    )


def _send(request: SlackRequest, now: float = NOW) -> tuple[Any, RecordingStore, RecordingSqs]:
    store, sqs = RecordingStore(), RecordingSqs()
    result = handle_request(
        request,
        signing_secret=SECRET,
        store=store,
        sqs=sqs,  # type: ignore[arg-type]
        queue_url="https://sqs.local/q.fifo",
        clock=FixedClock(now),
    )
    return result, store, sqs


def _signed(body: str, timestamp: int = NOW, secret: str = SECRET) -> SlackRequest:
    return SlackRequest(
        body=body.encode(),
        headers={
            "x-slack-request-timestamp": str(timestamp),
            "x-slack-signature": sign(secret, body, timestamp),
            "content-type": "application/json",
        },
    )


# ---------------------------------------------------------------- Slack's official test vector


def test_official_vector_signature_is_reproduced() -> None:
    stamp = VECTOR["x_slack_request_timestamp"]
    verifier = SignatureVerifier(VECTOR["signing_secret"], clock=FixedClock(int(stamp)))

    assert (
        verifier.generate_signature(timestamp=stamp, body=VECTOR["raw_body"])
        == VECTOR["expected_x_slack_signature"]
    )
    request = SlackRequest(
        body=VECTOR["raw_body"].encode(),
        headers={
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": VECTOR["expected_x_slack_signature"],
        },
    )
    request.headers = {k.lower(): v for k, v in request.headers.items()}
    assert rejection_reason(request, verifier) is None


@pytest.mark.parametrize(
    ("offset", "accepted"),
    [(0, True), (300, True), (-300, True), (301, False), (-301, False), (86400, False)],
)
def test_official_vector_within_the_replay_window_only(offset: int, accepted: bool) -> None:
    stamp = int(VECTOR["x_slack_request_timestamp"])
    request = SlackRequest(
        body=VECTOR["raw_body"].encode(),
        headers={
            "x-slack-request-timestamp": str(stamp),
            "x-slack-signature": VECTOR["expected_x_slack_signature"],
            "content-type": "application/x-www-form-urlencoded",
        },
    )
    store, sqs = RecordingStore(), RecordingSqs()

    result = handle_request(
        request,
        signing_secret=VECTOR["signing_secret"],
        store=store,  # type: ignore[arg-type]
        sqs=sqs,
        queue_url="q",
        clock=FixedClock(stamp + offset),
    )

    if accepted:
        # Verified, then parsed: a slash command is not something the responder handles.
        assert (result.status, result.outcome) == (400, "bad_request")
    else:
        assert (result.status, result.outcome) == (401, "rejected")
        assert "5-minute" in result.reason
    assert sqs.sent == [] and store.calls == []


# ---------------------------------------------------------------- wrong requests


def test_a_correctly_signed_reply_is_enqueued() -> None:
    result, store, sqs = _send(_signed(_reply_body()))

    assert (result.status, result.outcome) == (200, "enqueued")
    (sent,) = sqs.sent
    assert sent["MessageGroupId"] == f"{CHANNEL}:{ROOT}"
    assert sent["MessageDeduplicationId"] == f"msg:{CHANNEL}:{TS}"
    assert json.loads(sent["MessageBody"])["text"] == "status?"
    assert [name for name, _ in store.calls] == ["by_thread", "claim_delivery"]


def test_forged_signature_is_rejected() -> None:
    result, store, sqs = _send(_signed(_reply_body(), secret="someone-elses-secret"))

    assert (result.status, result.outcome, result.reason) == (401, "rejected", "signature mismatch")
    assert result.to_function_url()["statusCode"] == 401
    assert sqs.sent == [] and store.calls == []


@pytest.mark.parametrize("age", [301, 3600, -301])
def test_stale_or_future_timestamp_is_rejected(age: int) -> None:
    # Correctly signed, but at a time outside the 5-minute window: a replayed request.
    result, store, sqs = _send(_signed(_reply_body(), timestamp=NOW - age))

    assert (result.status, result.outcome) == (401, "rejected")
    assert sqs.sent == [] and store.calls == []


def test_timestamp_just_inside_the_window_is_accepted() -> None:
    result, _, sqs = _send(_signed(_reply_body(), timestamp=NOW - 299))

    assert result.outcome == "enqueued" and len(sqs.sent) == 1


def test_tampered_body_is_rejected() -> None:
    original = _signed(_reply_body("status?"))
    tampered = SlackRequest(body=_reply_body("redrive").encode(), headers=original.headers)

    result, store, sqs = _send(tampered)

    assert (result.status, result.reason) == (401, "signature mismatch")
    assert sqs.sent == [] and store.calls == []


def test_signature_bound_to_its_timestamp() -> None:
    request = _signed(_reply_body())
    request.headers["x-slack-request-timestamp"] = str(NOW - 10)  # signature made for NOW

    result, _, sqs = _send(request)

    assert result.status == 401 and sqs.sent == []


@pytest.mark.parametrize(
    "missing",
    [
        ["x-slack-signature"],
        ["x-slack-request-timestamp"],
        ["x-slack-signature", "x-slack-request-timestamp"],
    ],
)
def test_missing_headers_are_rejected(missing: list[str]) -> None:
    request = _signed(_reply_body())
    for name in missing:
        del request.headers[name]

    result, store, sqs = _send(request)

    assert (result.status, result.reason) == (401, "missing signature headers")
    assert sqs.sent == [] and store.calls == []


@pytest.mark.parametrize(
    ("timestamp", "signature"), [("yesterday", None), (str(NOW), "v1=00"), (str(NOW), "")]
)
def test_malformed_headers_are_rejected(timestamp: str, signature: str | None) -> None:
    body = _reply_body()
    request = SlackRequest(
        body=body.encode(),
        headers={
            "x-slack-request-timestamp": timestamp,
            "x-slack-signature": sign(SECRET, body, NOW) if signature is None else signature,
        },
    )

    result, _, sqs = _send(request)

    assert result.status == 401 and sqs.sent == []


def test_no_headers_at_all_from_a_function_url_event() -> None:
    event = function_url_event(_reply_body(), secret=None)
    event["headers"] = None

    result, _, sqs = _send(SlackRequest.from_function_url(event))

    assert result.status == 401 and sqs.sent == []


def test_base64_function_url_body_is_decoded_before_verification() -> None:
    event = function_url_event(_reply_body(), secret=SECRET, timestamp=NOW)
    event["body"] = base64.b64encode(event["body"].encode()).decode()
    event["isBase64Encoded"] = True

    result, _, sqs = _send(SlackRequest.from_function_url(event))

    assert result.outcome == "enqueued" and len(sqs.sent) == 1


def test_signed_url_verification_answers_the_challenge() -> None:
    body = json.dumps(load_json("slack/url_verification_request.json"))

    result, store, sqs = _send(_signed(body))

    assert (result.status, result.content_type) == (200, "application/json")
    assert json.loads(result.body) == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}
    assert sqs.sent == [] and store.calls == []


def test_unsigned_url_verification_is_rejected() -> None:
    body = json.dumps(load_json("slack/url_verification_request.json"))

    result, _, _ = _send(SlackRequest(body=body.encode(), headers={"content-type": "application/json"}))

    assert result.status == 401 and "challenge" not in result.body


def test_enqueue_failure_releases_the_claim_so_slacks_retry_gets_through() -> None:
    from botocore.exceptions import EndpointConnectionError

    class DownSqs(RecordingSqs):
        def send_message(self, **kwargs: Any) -> dict[str, Any]:
            raise EndpointConnectionError(endpoint_url="https://sqs.local")

    store = RecordingStore()
    first = handle_request(
        _signed(_reply_body()),
        signing_secret=SECRET,
        store=store,  # type: ignore[arg-type]
        sqs=DownSqs(),
        queue_url="q",
        clock=FixedClock(NOW),
    )
    retry = handle_request(
        _signed(_reply_body()),
        signing_secret=SECRET,
        store=store,  # type: ignore[arg-type]
        sqs=(sqs := RecordingSqs()),
        queue_url="q",
        clock=FixedClock(NOW + 60),
    )

    assert (first.status, first.outcome) == (500, "error")
    assert (retry.status, retry.outcome) == (200, "enqueued") and len(sqs.sent) == 1
