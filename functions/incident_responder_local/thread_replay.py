"""Replay a scenario's ``thread.yaml``: each step as a signed Slack request through the ingress, then
the worker, in-process (README, "The command line").

A text step is recorded in the local Slack as the person's threaded reply (so conversations.replies
shows it), sent to ``SlackIngressFunction`` as the ``event_callback`` Slack would send, signed with
the local signing secret at the current time; a ``click`` step finds the newest button with that
text in the thread and sends the ``block_actions`` form body. The queued messages are then received
from the local FIFO queue and given to ``FollowupWorkerFunction`` as Lambda's SQS event source
would; the ones it did not report as failed are deleted. ``expect_reply_contains`` is checked
against the replies that appeared in the thread (and notes only that person sees).
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Any

from .runtime import SIGNING_SECRET
from .slack_requests import block_actions_body, function_url_event, message_event_body
from .terminal import format_message

if TYPE_CHECKING:
    from .replay import Scenario
    from .runtime import LocalStack

__all__ = ["run_thread"]


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _text_of(message: dict[str, Any]) -> str:
    parts = [message.get("text") or ""]
    for block in message.get("blocks") or []:
        text = block.get("text")
        if isinstance(text, dict):
            parts.append(str(text.get("text", "")))
        for element in block.get("elements") or []:
            if isinstance(element, dict) and isinstance(element.get("text"), (str, dict)):
                inner = element["text"]
                parts.append(inner if isinstance(inner, str) else str(inner.get("text", "")))
    return "\n".join(parts)


def _button(slack: Any, channel: str, root: str, label: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The newest message in the thread with a button labelled ``label``, and that button."""
    for message in reversed(slack.thread(channel, root)):
        for block in message.get("blocks") or []:
            if block.get("type") != "actions":
                continue
            for element in block.get("elements") or []:
                if element.get("type") == "button" and (element.get("text") or {}).get("text") == label:
                    return message, {**element, "block_id": block.get("block_id", "")}
    return None


def _as_api_message(message: dict[str, Any]) -> dict[str, Any]:
    """A recorded message in the shape Slack puts in a block_actions payload's ``message``."""
    out = {
        "type": "message",
        "user": message.get("user"),
        "ts": message["ts"],
        "text": message.get("text") or "",
        "blocks": message.get("blocks") or [],
    }
    if message.get("bot_id"):
        out["bot_id"] = message["bot_id"]
    if message.get("thread_ts") and message.get("thread_ts") != message["ts"]:
        out["thread_ts"] = message["thread_ts"]
    return out


def _sqs_event(stack: LocalStack, queue_url: str, messages: list[dict[str, Any]]) -> dict[str, Any]:
    arn = stack.session.client("sqs").get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": {k: str(v) for k, v in (m.get("Attributes") or {}).items()},
                "messageAttributes": {},
                "md5OfBody": m.get("MD5OfBody") or hashlib.md5(m["Body"].encode()).hexdigest(),
                "eventSource": "aws:sqs",
                "eventSourceARN": arn,
                "awsRegion": stack.world.region,
            }
            for m in messages
        ]
    }


def _drain(stack: LocalStack, queue_url: str, logs: list[str] | None = None
           ) -> tuple[list[dict[str, Any]], list[str]]:
    """Deliver everything queued to the worker, as Lambda's SQS event source does (batches of 5); the
    worker's log output is appended to ``logs``."""
    sqs = stack.session.client("sqs")
    results: list[dict[str, Any]] = []
    failures: list[str] = []
    for _ in range(20):
        got = sqs.receive_message(
            QueueUrl=queue_url,
            MaxNumberOfMessages=5,
            WaitTimeSeconds=0,
            AttributeNames=["All"],
            MessageSystemAttributeNames=["All"],
        )
        messages = got.get("Messages") or []
        if not messages:
            break
        result, output = stack.invoke("FollowupWorkerFunction", _sqs_event(stack, queue_url, messages))
        results.append(result)
        if logs is not None:
            logs.append(output)
        failed = {f.get("itemIdentifier") for f in (result or {}).get("batchItemFailures", [])}
        for m in messages:
            if m["MessageId"] in failed:
                failures.append(f"the worker failed on message {m['MessageId']}")
                # Back on the queue at once, as after the visibility timeout; the group waits for it.
                sqs.change_message_visibility(
                    QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0
                )
            else:
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])
        if failed:
            break
    return results, failures


def run_thread(stack: LocalStack, scenario: Scenario, analyze_result: Any) -> list[dict[str, Any]]:
    """Run the scenario's thread steps after its analysis; one result dict per step:
    ``{"step", "user", "text"|"click", "replies", "failures", "transcript"}``."""
    slack = stack.slack
    result = analyze_result if isinstance(analyze_result, dict) else {}
    channel, root = result.get("channel"), result.get("thread_ts") or result.get("ts")
    if slack is None or not channel or not root:
        return [
            {
                "step": i + 1,
                "user": s.get("user"),
                "replies": [],
                "transcript": [],
                "failures": ["no report was posted, so there is no thread to reply in"],
            }
            for i, s in enumerate(scenario.thread)
        ]
    queue_url = stack.env.get("FOLLOWUP_QUEUE_URL") or ""
    out: list[dict[str, Any]] = []
    for i, step in enumerate(scenario.thread):
        user = str(step.get("user") or "U0LOCAL01")
        record: dict[str, Any] = {
            "step": i + 1,
            "user": user,
            "replies": [],
            "failures": [],
            "transcript": [],
        }
        before = {m["ts"] for m in slack.thread(channel, root)}
        ephemerals_before = len(slack.ephemerals())
        if "click" in step:
            record["click"] = label = str(step["click"])
            found = _button(slack, channel, root, label)
            if found is None:
                record["failures"].append(f"no button {label!r} in the thread")
                out.append(record)
                continue
            message, button = found
            body = block_actions_body(
                channel=channel, user=user, message=_as_api_message(message), action=button
            )
            event = function_url_event(
                body, secret=SIGNING_SECRET, content_type="application/x-www-form-urlencoded"
            )
            record["transcript"].append(f"    │ 👤 {user} clicks [ {label} ]")
        else:
            record["text"] = text = str(step.get("text") or "")
            ts = slack.post_as_user(channel, user, text, thread_ts=root)
            before.add(ts)
            record["message_ts"] = ts
            event = function_url_event(
                message_event_body(channel=channel, user=user, text=text, ts=ts, thread_ts=root),
                secret=SIGNING_SECRET,
            )
            record["transcript"].append(f"    │ 👤 {user}: {text}")
        answer, _ = stack.invoke("SlackIngressFunction", event)
        status = (answer or {}).get("statusCode")
        if status != 200:
            record["failures"].append(f"the ingress answered {status}: {(answer or {}).get('body')}")
        worker_logs: list[str] = []
        _, failures = _drain(stack, queue_url, worker_logs)
        record["failures"].extend(failures)
        record["worker_log"] = "".join(worker_logs)
        replies = [m for m in slack.thread(channel, root) if m["ts"] not in before]
        notes = [e for e in slack.ephemerals()[ephemerals_before:] if e.get("user") == user]
        record["replies"] = [{"ts": m["ts"], "user": m.get("user"), "text": _text_of(m)} for m in replies]
        record["replies"] += [
            {"ts": e["ts"], "user": None, "ephemeral_to": user, "text": e.get("text") or ""} for e in notes
        ]
        for m in replies:
            if m.get("bot_id"):
                record["transcript"].append("    │ 🤖 incident-responder:")
            record["transcript"].extend(format_message(m).splitlines())
        for e in notes:
            record["transcript"].append(f"    │ (only {user} sees) {e.get('text')}")
        if "message_ts" in record:
            reactions = [r["name"] for r in slack.reactions(channel, record["message_ts"])]
            if reactions:
                glyphs = {"eyes": "👀 received", "white_check_mark": "✔ done"}
                record["transcript"].append(
                    f"    │ (reactions on the question: "
                    f"{', '.join(glyphs.get(r, f':{r}:') for r in reactions)})"
                )
        texts = [_norm(r["text"]) for r in record["replies"]]
        for needle in step.get("expect_reply_contains") or []:
            if not any(_norm(str(needle)) in t for t in texts):
                record["failures"].append(f"expect_reply_contains: {needle!r} is in no reply")
        out.append(record)
    return out
