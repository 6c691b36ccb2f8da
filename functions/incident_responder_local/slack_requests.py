"""Slack requests as Slack sends them, signed, wrapped in a Lambda Function URL event (local use).

Thread replay, ``incident-responder invoke``, the tests and the ingress benchmark build their
requests here: an ``event_callback`` for a person's threaded reply, a ``block_actions`` form body for
a button click, signed with slack-sdk's ``SignatureVerifier.generate_signature`` over the exact
body, the way Slack signs them (``v0=HMAC-SHA256(secret, "v0:<timestamp>:<body>")``).
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any
from urllib.parse import quote_plus

from slack_sdk.signature import SignatureVerifier

from .slack_emulator import _APP_ID, BOT_USER_ID, TEAM_ID

__all__ = ["block_actions_body", "function_url_event", "message_event_body", "resign", "sign"]

_HOST = "abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws"


def sign(secret: str, body: str, timestamp: int | str) -> str:
    """The ``X-Slack-Signature`` of ``body`` at ``timestamp``."""
    signature = SignatureVerifier(secret).generate_signature(timestamp=str(timestamp), body=body)
    assert signature is not None
    return signature


def function_url_event(
    body: str,
    *,
    secret: str | None,
    timestamp: int | None = None,
    content_type: str = "application/json",
    retry_num: int | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A Lambda Function URL (payload 2.0) event of a POST from Slack; signed unless ``secret`` is None."""
    stamp = int(time.time()) if timestamp is None else timestamp
    h = {
        "content-type": content_type,
        "host": _HOST,
        "user-agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        "accept": "*/*",
        "accept-encoding": "gzip,deflate",
        "x-forwarded-proto": "https",
        "content-length": str(len(body.encode("utf-8"))),
    }
    if secret is not None:
        h["x-slack-request-timestamp"] = str(stamp)
        h["x-slack-signature"] = sign(secret, body, stamp)
    if retry_num:
        h["x-slack-retry-num"] = str(retry_num)
        h["x-slack-retry-reason"] = "http_timeout"
    h.update(headers or {})
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": "/",
        "rawQueryString": "",
        "headers": h,
        "requestContext": {
            "accountId": "anonymous",
            "apiId": _HOST.split(".")[0],
            "domainName": _HOST,
            "domainPrefix": _HOST.split(".")[0],
            "requestId": str(uuid.uuid4()),
            "routeKey": "$default",
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(stamp)),
            "timeEpoch": stamp * 1000,
            "http": {
                "method": "POST",
                "path": "/",
                "protocol": "HTTP/1.1",
                "sourceIp": "3.80.10.20",
                "userAgent": h["user-agent"],
            },
        },
        "body": body,
        "isBase64Encoded": False,
    }


def resign(event: dict[str, Any], secret: str, timestamp: int | None = None) -> dict[str, Any]:
    """The same Function URL event signed again with ``secret`` at ``timestamp`` (default: now)."""
    import base64

    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        body = base64.b64decode(body).decode("utf-8")
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    stamp = int(time.time()) if timestamp is None else timestamp
    headers["x-slack-request-timestamp"] = str(stamp)
    headers["x-slack-signature"] = sign(secret, body, stamp)
    return {**event, "headers": headers, "body": body, "isBase64Encoded": False}


def message_event_body(
    *,
    channel: str,
    user: str,
    text: str,
    ts: str,
    thread_ts: str | None,
    event_id: str | None = None,
    event_type: str = "message",
    bot_user_id: str = BOT_USER_ID,
) -> str:
    """The ``event_callback`` body Slack sends for a person's message (a reply when ``thread_ts`` is set)."""
    event: dict[str, Any] = {
        "type": event_type,
        "user": user,
        "text": text,
        "ts": ts,
        "team": TEAM_ID,
        "channel": channel,
        "event_ts": ts,
        "channel_type": "channel",
    }
    if event_type == "message":
        event["client_msg_id"] = str(uuid.uuid4())
    if thread_ts:
        event.update(thread_ts=thread_ts, parent_user_id=bot_user_id)
    payload = {
        "token": "local-verification-token",
        "team_id": TEAM_ID,
        "api_app_id": _APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
        "event_time": int(float(ts)),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": TEAM_ID,
                "user_id": bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-local-{channel}",
    }
    return json.dumps(payload, separators=(",", ":"))


def block_actions_body(
    *, channel: str, user: str, message: dict[str, Any], action: dict[str, Any], action_ts: str | None = None
) -> str:
    """The form body (``payload=<json>``) Slack sends when ``user`` clicks ``action`` (a button element)
    of ``message`` (as conversations.replies returns it) in ``channel``."""
    stamp = action_ts or f"{time.time():.6f}"
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM_ID},
        "api_app_id": _APP_ID,
        "token": "local-verification-token",
        "container": {
            "type": "message",
            "message_ts": message["ts"],
            "channel_id": channel,
            "is_ephemeral": False,
            **({"thread_ts": message["thread_ts"]} if message.get("thread_ts") else {}),
        },
        "trigger_id": f"{int(float(stamp))}.{uuid.uuid4().int % 10**12}.{uuid.uuid4().hex}",
        "team": {"id": TEAM_ID, "domain": "local-workspace"},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel, "name": channel.lower()},
        "message": message,
        "state": {"values": {}},
        "response_url": f"https://hooks.slack.com/actions/{TEAM_ID}/0/{uuid.uuid4().hex}",
        "actions": [
            {
                "action_id": action.get("action_id"),
                "block_id": action.get("block_id", ""),
                "text": action.get("text"),
                "value": action.get("value", ""),
                "style": action.get("style"),
                "type": action.get("type", "button"),
                "action_ts": stamp,
            }
        ],
    }
    return "payload=" + quote_plus(json.dumps(payload, separators=(",", ":")))
