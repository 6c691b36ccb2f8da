"""The Slack ingress: verify, route, filter, dedupe, enqueue, and answer Slack within 3 seconds.

Order of work for one request (a Lambda Function URL request from the Events API or interactivity):

1. **Verify** the raw body with slack-sdk's ``SignatureVerifier`` (HMAC of ``v0:<timestamp>:<body>``
   with the signing secret, timestamp within 5 minutes) before anything is parsed. Failure: 401,
   whatever the request holds (a body that is not UTF-8, odd headers): never an exception.
2. **Parse** the verified body into a typed payload (:mod:`.payloads`): a body over
   ``MAX_BODY_BYTES`` is 413; one that is not a JSON object, or has a field of the wrong type or
   shape (``user`` a string where Slack sends an object, ``actions`` an object, ``event`` a list), 400.
3. **Route**: ``url_verification`` answers the challenge; ``event_callback`` with a ``message`` or
   ``app_mention`` that is a person's reply in a thread goes on; ``block_actions`` (a form body with
   ``payload=<json>``) for the redrive buttons goes on; everything else is acknowledged and ignored
   (bots, our own messages, edits, deletions and other subtypes, top-level messages).
4. **Thread check**: only threads whose root is an incident report (``IncidentStore.by_thread``).
5. **Dedupe** with a DynamoDB conditional write keyed on the message (``<channel>:<ts>``), or the
   click (``<action_ts>:<user>``): Slack's retries (``X-Slack-Retry-Num``), a repeated ``event_id``,
   and the ``message`` + ``app_mention`` pair Slack sends for one mention are all one delivery.
6. **Enqueue** on the SQS FIFO queue, one message group per thread (replies stay in order), the
   dedupe key as the deduplication id; then 200. An enqueue failure releases the claim and answers
   500, so Slack's retry can deliver it.

Nothing here calls Slack, reads evidence or calls an LLM: that is the follow-up worker's job.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from botocore.exceptions import BotoCoreError, ClientError
from slack_sdk.signature import Clock, SignatureVerifier

from ..errors import StoreError
from .payloads import BlockActions, EventCallback, PayloadError, UrlVerification, parse_payload

if TYPE_CHECKING:
    from ..store import IncidentStore

__all__ = [
    "ACCEPTED_ACTION_PREFIX",
    "DEDUPE_TTL_SECONDS",
    "REPLAY_WINDOW_SECONDS",
    "Delivery",
    "IngressResult",
    "SlackRequest",
    "get_signing_secret",
    "handle_request",
    "rejection_reason",
]

REPLAY_WINDOW_SECONDS = 300  # Slack's documented window for X-Slack-Request-Timestamp
DEDUPE_TTL_SECONDS = 86400  # Slack retries for about 5 minutes; a day is ample
ACCEPTED_EVENTS = frozenset({"message", "app_mention"})
# A reply also sent to the channel is still a person's reply in the thread; every other subtype
# (bot_message, message_changed, message_deleted, message_replied, channel_join, ...) is ignored.
ACCEPTED_SUBTYPES = frozenset({"thread_broadcast"})
ACCEPTED_ACTION_PREFIX = "redrive_"
# Slack's requests are a few kilobytes; a message's text is at most 40,000 characters.
MAX_BODY_BYTES = 512 * 1024
# A question's text as enqueued: SQS takes 256 KiB, and JSON escapes make a character up to 12 bytes.
MAX_TEXT_CHARS = 16_000


class _BadRequest(Exception):
    """A verified request whose body is not one Slack sends."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class SlackRequest:
    """A request as it arrived: the raw body (bytes, exactly as signed) and lower-cased headers."""

    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_function_url(cls, event: Any) -> SlackRequest:
        """From a Lambda Function URL (payload 2.0) event; a base64 body is decoded first.

        Never raises: whatever arrives becomes bytes and text headers, and verification rejects what
        Slack would not send (a body that is not base64 when flagged so is empty; a text body with a
        lone surrogate keeps it as invalid UTF-8, which no signature matches).
        """
        event = event if isinstance(event, dict) else {}
        raw = event.get("body")
        text = raw if isinstance(raw, str) else ""
        if event.get("isBase64Encoded") is True:
            try:
                body = base64.b64decode(text, validate=False)
            except (binascii.Error, ValueError):
                body = b""
        else:
            body = text.encode("utf-8", "surrogatepass")
        given = event.get("headers")
        headers = {str(k).lower(): str(v) for k, v in given.items()} if isinstance(given, dict) else {}
        return cls(body=body, headers=headers)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass
class Delivery:
    """One person's message or click in an incident thread: what the ingress enqueues for the worker."""

    key: str  # the dedupe key: "msg:<channel>:<ts>" or "action:<action_ts>:<user>"
    kind: str  # message | action
    channel: str
    thread_ts: str
    message_ts: str
    user: str
    text: str = ""
    action_id: str = ""
    value: str = ""
    event_id: str = ""
    event_type: str = ""
    team_id: str = ""
    incident_id: str = ""
    retry_num: int = 0

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Delivery:
        """Parse an enqueued delivery; raises ValueError (or TypeError) for anything else."""
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("a delivery is a JSON object")
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        delivery = cls(**known)
        if delivery.kind not in {"message", "action"} or not (delivery.channel and delivery.thread_ts):
            raise ValueError("a delivery needs a kind, a channel and a thread_ts")
        return delivery


@dataclass
class IngressResult:
    """The HTTP answer and what happened: ``rejected``, ``bad_request``, ``challenge``, ``ignored``,
    ``duplicate``, ``enqueued`` or ``error``."""

    status: int
    outcome: str
    reason: str = ""
    body: str = ""
    content_type: str = "text/plain"
    delivery: Delivery | None = None

    def to_function_url(self) -> dict[str, Any]:
        """The Lambda Function URL response."""
        return {"statusCode": self.status, "headers": {"content-type": self.content_type}, "body": self.body}


def get_signing_secret(secret_id: str, *, secrets_client: Any = None, max_age: int = 300) -> str:
    """The signing secret from Secrets Manager (Powertools Parameters, cached ``max_age`` seconds).

    The secret is the plain value, or JSON with a ``signing_secret`` (or ``SLACK_SIGNING_SECRET``) key.
    Raises :class:`~incident_responder.slack.client.SlackConfigurationError` when it cannot be read.
    """
    from aws_lambda_powertools.utilities.parameters.exceptions import (
        GetParameterError,
        TransformParameterError,
    )

    from .client import SlackConfigurationError, _read_secret

    if not secret_id:
        raise SlackConfigurationError("SLACK_SIGNING_SECRET_NAME is not set")
    try:
        value = _read_secret(secret_id, secrets_client, max_age)
    except (GetParameterError, TransformParameterError) as exc:
        raise SlackConfigurationError(f"cannot read the Slack signing secret {secret_id!r}: {exc}") from exc
    text = (value.decode("utf-8") if isinstance(value, bytes) else str(value)).strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SlackConfigurationError(f"secret {secret_id!r} is not valid JSON") from exc
        text = str(data.get("signing_secret") or data.get("SLACK_SIGNING_SECRET") or "").strip()
    if not text:
        raise SlackConfigurationError(f"secret {secret_id!r} holds no signing secret")
    return text


def rejection_reason(request: SlackRequest, verifier: SignatureVerifier) -> str | None:
    """Why the request's Slack signature is not acceptable, or None when it is.

    Total: any headers and body give a reason or None, never an exception (slack-sdk's verifier
    raises on a body that is not UTF-8 and on a signature with non-ASCII characters, so those are
    turned away here first).
    """
    timestamp = request.header("x-slack-request-timestamp")
    signature = request.header("x-slack-signature")
    if not timestamp or not signature:
        return "missing signature headers"
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        return "malformed timestamp"
    if abs(verifier.clock.now() - int(timestamp)) > REPLAY_WINDOW_SECONDS:
        return "timestamp outside the 5-minute window"
    if not (signature.isascii() and signature.startswith("v0=") and len(signature) <= 128):
        return "malformed signature"
    try:
        body = request.body.decode("utf-8")
    except UnicodeDecodeError:
        return "body is not UTF-8"
    if not verifier.is_valid(body, timestamp, signature):
        return "signature mismatch"
    return None


def _payload(request: SlackRequest) -> dict[str, Any]:
    if len(request.body) > MAX_BODY_BYTES:
        raise _BadRequest(f"body is larger than {MAX_BODY_BYTES} bytes", status=413)
    text = request.body.decode("utf-8", "replace")  # verified bodies are UTF-8: the check decoded it
    content_type = (request.header("content-type") or "").lower()
    try:
        if "application/x-www-form-urlencoded" in content_type or text.startswith("payload="):
            form = parse_qs(text, keep_blank_values=True, max_num_fields=100)
            if "payload" not in form:
                raise _BadRequest("form body without a payload field")
            data = json.loads(form["payload"][0])
        else:
            data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _BadRequest(f"body is not JSON: {exc.msg}") from exc
    except RecursionError as exc:
        raise _BadRequest("body is JSON nested too deeply") from exc
    except ValueError as exc:  # an integer too long to convert, too many form fields
        raise _BadRequest(f"body cannot be read: {str(exc)[:120]}") from exc
    if not isinstance(data, dict):
        raise _BadRequest("body is not a JSON object")
    return data


def _retry_num(request: SlackRequest) -> int:
    raw = request.header("x-slack-retry-num") or ""
    return min(int(raw), 100) if raw.isascii() and raw.isdigit() and len(raw) <= 3 else 0


def _message_delivery(payload: EventCallback, retry_num: int) -> Delivery | str:
    """The delivery of an ``event_callback``, or why it is ignored."""
    event = payload.event
    if event.type not in ACCEPTED_EVENTS:
        return f"event type {event.type!r} is not handled"
    if event.subtype and event.subtype not in ACCEPTED_SUBTYPES:
        return f"message subtype {event.subtype!r} is ignored"
    if event.from_bot:
        return "a bot's message"
    if not event.user:
        return "a message without a user"
    if event.user in payload.bot_user_ids:
        return "our own message"
    if not event.channel or not event.ts:
        return "a message without channel or ts"
    if not event.thread_ts or event.thread_ts == event.ts:
        return "not a reply in a thread"
    text = event.text
    if len(text) > MAX_TEXT_CHARS:
        text = text[:MAX_TEXT_CHARS] + " [truncated]"
    return Delivery(
        key=f"msg:{event.channel}:{event.ts}",
        kind="message",
        channel=event.channel,
        thread_ts=event.thread_ts,
        message_ts=event.ts,
        user=event.user,
        text=text,
        event_id=payload.event_id or "",
        event_type=event.type or "",
        team_id=payload.team_id or "",
        retry_num=retry_num,
    )


def _action_delivery(payload: BlockActions) -> Delivery | str:
    """The delivery of a ``block_actions`` click, or why it is ignored."""
    action = payload.actions[0] if payload.actions else None
    action_id = (action.action_id if action else None) or ""
    if action is None or not action_id.startswith(ACCEPTED_ACTION_PREFIX):
        return f"action {action_id[:80]!r} is not ours"
    user, channel, message_ts = payload.user_id, payload.channel_id, payload.message_ts
    if not user or not channel or not message_ts:
        return "a click without user, channel or message"
    action_ts = action.action_ts or payload.trigger_id or ""
    return Delivery(
        key=f"action:{action_ts}:{user}",
        kind="action",
        channel=channel,
        thread_ts=payload.thread_ts or message_ts,
        message_ts=message_ts,
        user=user,
        action_id=action_id[:255],
        value=(action.value or "")[:2000],
        event_type="block_actions",
        team_id=payload.team_id or "",
    )


def _dedupe_id(key: str) -> str:
    # SQS allows 128 characters of alphanumerics and punctuation; keys are short, but be safe.
    return key if len(key) <= 128 else hashlib.sha256(key.encode()).hexdigest()


def handle_request(
    request: SlackRequest,
    *,
    signing_secret: str,
    store: IncidentStore,
    sqs: Any,
    queue_url: str,
    clock: Clock | None = None,
) -> IngressResult:
    """Verify, route, dedupe and enqueue one Slack request; see the module docstring.

    ``store`` finds the incident of a thread and holds the dedupe claims; ``sqs`` is a boto3 SQS
    client; ``clock`` (slack-sdk's ``Clock``) is injected in tests.
    """
    verifier = SignatureVerifier(signing_secret, clock=clock or Clock())
    reason = rejection_reason(request, verifier)
    if reason:
        return IngressResult(401, "rejected", reason, body="invalid request signature")
    try:
        payload = parse_payload(_payload(request), ACCEPTED_EVENTS, ACCEPTED_SUBTYPES)
    except _BadRequest as exc:
        return IngressResult(exc.status, "bad_request", str(exc), body="bad request")
    except PayloadError as exc:
        return IngressResult(400, "bad_request", str(exc), body="bad request")
    if isinstance(payload, UrlVerification):
        body = json.dumps({"challenge": payload.challenge})
        return IngressResult(200, "challenge", body=body, content_type="application/json")
    found: Delivery | str
    if isinstance(payload, EventCallback):
        found = _message_delivery(payload, _retry_num(request))
    elif isinstance(payload, BlockActions):
        found = _action_delivery(payload)
    else:
        found = f"payload type {(payload.type or '')[:80]!r} is not handled"
    if isinstance(found, str):
        return IngressResult(200, "ignored", found)
    return _enqueue(found, store, sqs, queue_url)


def _enqueue(delivery: Delivery, store: IncidentStore, sqs: Any, queue_url: str) -> IngressResult:
    try:
        incident = store.by_thread(delivery.channel, delivery.thread_ts)
        if incident is None:
            return IngressResult(200, "ignored", "not an incident thread", delivery=delivery)
        delivery.incident_id = str(incident.get("incident_id") or "")
        if not store.claim_delivery(delivery.key, event_id=delivery.event_id, ttl_seconds=DEDUPE_TTL_SECONDS):
            return IngressResult(200, "duplicate", f"{delivery.key} was already received", delivery=delivery)
    except StoreError as exc:
        return IngressResult(500, "error", str(exc), body="try again", delivery=delivery)
    try:
        sqs.send_message(
            QueueUrl=queue_url,
            MessageBody=delivery.to_json(),
            MessageGroupId=f"{delivery.channel}:{delivery.thread_ts}",
            MessageDeduplicationId=_dedupe_id(delivery.key),
        )
    except (ClientError, BotoCoreError) as exc:
        store.release_delivery(delivery.key)
        return IngressResult(500, "error", f"enqueue failed: {exc}", body="try again", delivery=delivery)
    return IngressResult(200, "enqueued", delivery=delivery)
