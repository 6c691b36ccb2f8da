"""The Slack side end to end: signed requests through the ingress handler, the FIFO queue, the follow-up
worker handler, the local Slack; and the failsafe.

Every test starts from a real report: the scenario sfn_lambda_timeout_thread's failure goes through the
analyze handler in a fresh local account, so the thread, the incident and its evidence are the real ones.
Requests are built from Slack's own payloads (tests/fixtures/slack, see each .source.txt), put into that
thread and signed with the local signing secret, as Slack would send them.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import re
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import pytest
from tests.conftest import FIXTURES, SCENARIOS, scenario_event

from incident_responder.store import IncidentStore
from incident_responder_local.runtime import SIGNING_SECRET, LocalStack
from incident_responder_local.slack_emulator import BOT_USER_ID
from incident_responder_local.slack_requests import function_url_event
from incident_responder_local.world import World

SCENARIO = SCENARIOS / "sfn_lambda_timeout_thread"
ALICE, BOB, MALLORY = (
    "U0ALICE01",
    "U0BOB0001",
    "U0MALLORY1",
)  # ALLOWED_SLACK_USERS of the scenario: Alice, Bob
ROOT = Path(__file__).resolve().parents[2]


def slack_payloads(name: str) -> list[dict[str, Any]]:
    """The JSON objects of a Slack fixture. Slack's doc examples (.jsonc) carry comments, trailing commas
    and sometimes several objects in one file; the wire format is plain JSON, as sent below."""
    text = (FIXTURES / "slack" / name).read_text(encoding="utf-8")
    text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))
    text = re.sub(r",(\s*[}\]])", r"\1", text)
    decoder, out, i = json.JSONDecoder(), [], 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        obj, i = decoder.raw_decode(text, i)
        out.append(obj)
    return out


class Thread:
    """The report's thread in a local stack, and what people and Slack do in it."""

    def __init__(self, stack: LocalStack, slack: Any, report: dict[str, Any]) -> None:
        self.stack, self.slack = stack, slack
        self.channel, self.root = report["channel"], report["ts"]
        self.queue = stack.env["FOLLOWUP_QUEUE_URL"]
        self.sqs = stack.session.client("sqs")
        self.store = IncidentStore(stack.session.client("dynamodb"), stack.env["INCIDENTS_TABLE"])
        self.received: list[str] = []
        self.start()

    def start(self) -> None:
        """Begin a test: an empty queue, and only what happens from now on counts."""
        for receipt in self.received:  # in flight, they would hold back the thread's message group
            self.sqs.delete_message(QueueUrl=self.queue, ReceiptHandle=receipt)
        while messages := self.queued():
            for m in messages:
                self.sqs.delete_message(QueueUrl=self.queue, ReceiptHandle=m["ReceiptHandle"])
        self.received = []
        self.since = max(float(m["ts"]) for m in self.slack.thread(self.channel, self.root))
        self.notes_seen = len(self.slack.ephemerals())

    def ephemerals(self) -> list[dict[str, Any]]:
        return self.slack.ephemerals()[self.notes_seen :]

    # -- Slack -> ingress
    def post(
        self,
        body: dict[str, Any] | str,
        content_type: str = "application/json",
        retry_num: int | None = None,
        secret: str | None = SIGNING_SECRET,
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """Send a request to the ingress handler; its answer and its structured log lines."""
        raw = body if isinstance(body, str) else json.dumps(body)
        event = function_url_event(raw, secret=secret, content_type=content_type, retry_num=retry_num)
        answer, output = self.stack.invoke("SlackIngressFunction", event)
        logs = [json.loads(line) for line in output.splitlines() if line.startswith('{"level"')]
        return answer, logs

    def reply_payload(
        self,
        text: str,
        user: str = ALICE,
        fixture: str = "message_threaded_reply_in_channel_bolt_fixture.json",
        **event: Any,
    ) -> dict[str, Any]:
        """Slack's threaded-reply payload (bolt fixture) for a person's reply recorded in this thread."""
        payload = copy.deepcopy(slack_payloads(fixture)[0])
        ts = self.slack.post_as_user(self.channel, user, text, thread_ts=self.root)
        payload["event"].update(
            user=user,
            text=text,
            ts=ts,
            event_ts=ts,
            channel=self.channel,
            thread_ts=self.root,
            parent_user_id=BOT_USER_ID,
            **event,
        )
        payload["event_id"] = f"Ev{ts.replace('.', '')}"
        payload["authorizations"][0]["user_id"] = BOT_USER_ID
        return payload

    def ask(self, text: str, user: str = ALICE) -> list[dict[str, Any]]:
        """A person asks; the ingress enqueues, the worker answers. The new messages of the thread."""
        before = {m["ts"] for m in self.slack.thread(self.channel, self.root)}
        payload = self.reply_payload(text, user)
        answer, _ = self.post(payload)
        assert answer["statusCode"] == 200
        self.drain()
        return [
            m
            for m in self.slack.thread(self.channel, self.root)
            if m["ts"] not in before and m["ts"] != payload["event"]["ts"]
        ]

    # -- queue -> worker
    def queued(self) -> list[dict[str, Any]]:
        got = self.sqs.receive_message(
            QueueUrl=self.queue,
            MaxNumberOfMessages=10,
            AttributeNames=["All"],
            MessageSystemAttributeNames=["All"],
        )
        self.received += [m["ReceiptHandle"] for m in got.get("Messages", [])]
        return got.get("Messages", [])

    def sqs_event(self, messages: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "Records": [
                {
                    "messageId": m["MessageId"],
                    "receiptHandle": m["ReceiptHandle"],
                    "body": m["Body"],
                    "attributes": m.get("Attributes", {}),
                    "messageAttributes": {},
                    "md5OfBody": "",
                    "eventSource": "aws:sqs",
                    "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:q.fifo",
                    "awsRegion": "us-east-1",
                }
                for m in messages
            ]
        }

    def work(self, messages: list[dict[str, Any]]) -> tuple[dict[str, Any], str]:
        return self.stack.invoke("FollowupWorkerFunction", self.sqs_event(messages))

    def drain(self) -> list[dict[str, Any]]:
        results = []
        while messages := self.queued():
            result, _ = self.work(messages)
            assert result == {"batchItemFailures": []}
            for m in messages:
                self.sqs.delete_message(QueueUrl=self.queue, ReceiptHandle=m["ReceiptHandle"])
            results.append(result)
        return results

    def bot_replies(self) -> list[dict[str, Any]]:
        """The responder's replies in the thread since the test began."""
        return [
            m
            for m in self.slack.thread(self.channel, self.root)
            if m["bot_id"] and float(m["ts"]) > self.since
        ]


@pytest.fixture(scope="module")
def shared(slack_emulator: Any) -> Iterator[Thread]:
    """One report and its thread for the module (a fresh local account and an analysis take a second)."""
    slack_emulator.reset()
    with _stack(slack_emulator) as thread:
        yield thread


@pytest.fixture
def thread(shared: Thread) -> Thread:
    shared.start()
    return shared


@contextlib.contextmanager
def _stack(slack: Any) -> Iterator[Thread]:
    world = World.read(SCENARIO / "world.yaml", base=SCENARIO)
    with LocalStack(world, slack=slack) as stack:
        result, _ = stack.invoke("AnalyzeFunction", scenario_event(SCENARIO.name))
        assert result["status"] == "posted", result
        yield Thread(stack, slack, result)


def _outcomes(logs: list[dict[str, Any]]) -> list[str]:
    return [line.get("outcome") for line in logs if line.get("message") == "slack request"]


# ---------------------------------------------------------------- ingress: real payloads


def test_threaded_reply_is_queued_in_its_threads_group(thread: Thread) -> None:
    payload = thread.reply_payload("status?")

    answer, logs = thread.post(payload)

    assert answer == {"statusCode": 200, "headers": {"content-type": "text/plain"}, "body": ""}
    assert _outcomes(logs) == ["enqueued"]
    (message,) = thread.queued()
    assert message["Attributes"]["MessageGroupId"] == f"{thread.channel}:{thread.root}"
    assert message["Attributes"]["MessageDeduplicationId"] == f"msg:{thread.channel}:{payload['event']['ts']}"
    assert json.loads(message["Body"])["user"] == ALICE


def test_url_verification_answers_the_challenge(thread: Thread) -> None:
    (payload,) = slack_payloads("url_verification_request.json")

    answer, _ = thread.post(payload)

    assert answer["statusCode"] == 200
    assert json.loads(answer["body"]) == {"challenge": payload["challenge"]}


def _in_thread(thread: Thread, payload: dict[str, Any], reply: bool) -> dict[str, Any]:
    """The payload moved to the report's channel, and into its thread when ``reply``: so what ignores it
    is the filter under test, not the thread check."""
    event = payload.get("event") or {}
    if "channel" in event:
        event["channel"] = thread.channel
    if reply and event.get("type") == "message":
        event["thread_ts"] = thread.root
    return payload


def _wrapped(event: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "event_callback",
        "team_id": "T0LOCAL01",
        "event_id": "Ev0WRAPPED",
        "event": event,
        "authorizations": [{"user_id": BOT_USER_ID, "is_bot": True}],
    }


# fixture -> (why it is ignored, whether it is put in the report's thread first)
IGNORED = {
    "message_classic_bot_message_subtype_bolt_fixture.json": ("a bot's message (subtype bot_message)", True),
    "message_from_gbp_bot_bot_id_bot_profile_bolt_fixture.json": (
        "an app's message (bot_id, bot_profile)",
        True,
    ),
    "message_bot_message_subtype_doc_example.jsonc": ("bot_message, Slack's doc example", True),
    "message_changed_in_thread_bolt_fixture.json": ("an edit (message_changed)", True),
    "message_replied_thread_doc_example.jsonc": ("a thread-replied notice (message_replied)", True),
    "event_callback_reaction_added_doc_example.json": ("a reaction", True),
    "app_rate_limited_event_doc_example.json": ("Slack's rate-limit notice", True),
    "message_from_user_bolt_fixture.json": ("a top-level message (not a reply)", False),
    "message_event_callback_doc_example.jsonc": ("a top-level message, Slack's doc example", False),
    "app_mention_event_callback_doc_example.jsonc": ("a mention outside any thread", False),
    "block_actions_button_click_payload.json": ("a click on a button that is not ours", True),
}


@pytest.mark.parametrize("fixture", sorted(IGNORED), ids=lambda f: f.split(".")[0])
def test_real_payloads_that_are_not_questions_are_acknowledged_and_ignored(
    thread: Thread, fixture: str
) -> None:
    why, reply = IGNORED[fixture]
    payload = _in_thread(thread, slack_payloads(fixture)[0], reply)
    if payload.get("type") == "block_actions":
        payload["channel"]["id"] = payload["container"]["channel_id"] = thread.channel
        payload["container"]["message_ts"] = payload["message"]["ts"] = thread.root
        body, ctype = "payload=" + quote_plus(json.dumps(payload)), "application/x-www-form-urlencoded"
    else:
        body, ctype = json.dumps(payload), "application/json"

    answer, logs = thread.post(body, content_type=ctype)

    assert answer["statusCode"] == 200, why
    assert _outcomes(logs) == ["ignored"], why
    assert thread.queued() == []


@pytest.mark.parametrize(
    "event", slack_payloads("message_subtypes_hidden_and_join_doc_examples.jsonc"), ids=lambda e: e["subtype"]
)
def test_deletions_and_joins_are_ignored(thread: Thread, event: dict[str, Any]) -> None:
    event = {**event, "channel": thread.channel, "thread_ts": thread.root}

    answer, logs = thread.post(_wrapped(event))

    assert (answer["statusCode"], _outcomes(logs)) == (200, ["ignored"])
    assert thread.queued() == []


def test_own_messages_are_ignored(thread: Thread) -> None:
    payload = thread.reply_payload("an answer of ours, seen without its bot_id", user=BOT_USER_ID)

    _, logs = thread.post(payload)

    assert _outcomes(logs) == ["ignored"] and thread.queued() == []


def test_reply_outside_an_incident_thread_is_ignored(thread: Thread) -> None:
    other = thread.slack.post_as_user(thread.channel, BOB, "lunch?")
    payload = thread.reply_payload("status?")
    payload["event"]["thread_ts"] = other

    _, logs = thread.post(payload)

    assert _outcomes(logs) == ["ignored"] and thread.queued() == []


def test_forged_request_is_rejected_with_the_line_the_failsafe_counts(thread: Thread) -> None:
    answer, logs = thread.post(thread.reply_payload("status?"), secret="not-the-signing-secret")

    assert answer["statusCode"] == 401
    assert thread.queued() == []
    (line,) = [entry for entry in logs if entry["level"] == "WARNING"]
    # The template's metric filter counts exactly these lines.
    template = (ROOT / "template.yaml").read_text(encoding="utf-8")
    wanted = re.search(r'FilterPattern: \'\{ \$\.message = "([^"]+)" \}\'', template)
    assert wanted and line["message"] == wanted.group(1) == "slack signature rejected"
    assert line["reason"] == "signature mismatch"


def test_unsigned_request_is_rejected(thread: Thread) -> None:
    answer, _ = thread.post(thread.reply_payload("status?"), secret=None)

    assert answer["statusCode"] == 401 and thread.queued() == []


# ---------------------------------------------------------------- exactly once


def test_retries_and_duplicate_event_ids_are_answered_once(thread: Thread) -> None:
    payload = thread.reply_payload("status?")
    mention = copy.deepcopy(payload)
    mention["event"]["type"] = "app_mention"  # Slack sends both for a mention, with different event ids
    mention["event_id"] = payload["event_id"] + "M"

    outcomes = []
    for body, retry in [(payload, None), (payload, 1), (payload, 2), (payload, None), (mention, None)]:
        answer, logs = thread.post(body, retry_num=retry)
        assert answer["statusCode"] == 200
        outcomes += _outcomes(logs)
    messages = thread.queued()
    result, _ = thread.work(messages)
    again, _ = thread.work(messages)  # SQS delivers at least once: the same message a second time

    assert outcomes == ["enqueued", "duplicate", "duplicate", "duplicate", "duplicate"]
    assert len(messages) == 1
    assert result == again == {"batchItemFailures": []}
    assert len(thread.bot_replies()) == 1


def test_questions_in_one_thread_are_answered_in_order(thread: Thread) -> None:
    for text in ("who owns this?", "status", "help"):
        thread.post(thread.reply_payload(text))
    thread.drain()

    replies = [m["text"] for m in thread.bot_replies()]

    assert len(replies) == 3
    assert "Owner:" in replies[0] and "Status now" in replies[1] and "Here is what I can answer" in replies[2]


def test_reactions_show_received_and_done(thread: Thread) -> None:
    payload = thread.reply_payload("status")
    thread.post(payload)
    thread.drain()

    names = [r["name"] for r in thread.slack.reactions(thread.channel, payload["event"]["ts"])]

    assert names == ["eyes", "white_check_mark"]


# ---------------------------------------------------------------- authorization


def test_unauthorized_user_gets_a_note_and_nothing_else(thread: Thread) -> None:
    incident = thread.store.by_thread(thread.channel, thread.root)
    payload = thread.reply_payload("logs", user=MALLORY)
    thread.post(payload)
    thread.drain()

    (note,) = thread.ephemerals()
    assert note["user"] == MALLORY and note["thread_ts"] == thread.root
    assert "not authorized" in note["text"] and MALLORY in note["text"]
    assert thread.bot_replies() == []
    assert thread.slack.reactions(thread.channel, payload["event"]["ts"]) == []
    assert thread.store.by_thread(thread.channel, thread.root) == incident  # the logs page did not move


def test_nobody_is_answered_when_no_one_is_allowed(thread: Thread, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLOWED_SLACK_USERS", "")  # and no user group: deny by default

    thread.ask("status", user=ALICE)

    assert thread.bot_replies() == []
    assert [e["user"] for e in thread.ephemerals()] == [ALICE]


def test_members_of_the_allowed_user_group_are_answered(
    thread: Thread, monkeypatch: pytest.MonkeyPatch
) -> None:
    thread.slack.add_usergroup("S0ONCALL01", ["U0CAROL001"])
    monkeypatch.setenv("ALLOWED_SLACK_USERS", "")
    monkeypatch.setenv("ALLOWED_SLACK_USERGROUP", "S0ONCALL01")
    calls = thread.slack.call_count("usergroups.users.list")

    carol = thread.ask("status", user="U0CAROL001")
    dave = thread.ask("status", user="U0DAVE0001")

    assert len(carol) == 1 and "Status now" in carol[0]["text"]
    assert dave == [] and [e["user"] for e in thread.ephemerals()] == ["U0DAVE0001"]
    assert thread.slack.call_count("usergroups.users.list") - calls == 2  # once per worker invocation


# ---------------------------------------------------------------- answers


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        (
            "status?",
            [
                "Status now",
                "Execution `sync-2020-11-10T05-46` is *FAILED*",
                "Latest runs of device-state-sync",
            ],
        ),
        ("logs 'Task timed out' 10m", ["matching “Task timed out”", "Task timed out after 3.07 seconds"]),
        ("logs", ["No more log lines in /aws/lambda/device-state-reporter"]),
        (
            "what was the input?",
            ["Input of device-state-sync", "fresh from AWS", '"endpointId": "switch-01"'],
        ),
        ("has this happened before?", ["this is the first"]),
        (
            "who owns this?",
            ["Devices team (devices@example.com)", "https://wiki.example.com/devices/state-sync"],
        ),
        # Lambda's START/END/REPORT bookkeeping lines are not evidence (evidence/compaction.py); the
        # invocation is the task's child (its marker and its error from the cause are items), and its log's
        # "Task timed out" line, written after its REPORT, is the request's own.
        ("more evidence", ["All 6 evidence items", "*E1*", "Task timed out after 3.07 seconds"]),
        ("help", ["Here is what I can answer", "`logs 'Timeout' 10m`"]),
        ("what is the airspeed of an unladen swallow?", ["I did not understand", "`similar`"]),
        ("please redrive it", ["Redrive preview"]),
    ],
)
def test_each_question_is_answered(thread: Thread, question: str, expected: list[str]) -> None:
    (reply,) = thread.ask(question)

    for needle in expected:
        assert needle in reply["text"], reply["text"]


def test_redrive_without_the_redrive_flow_says_it_is_not_available(
    thread: Thread, monkeypatch: pytest.MonkeyPatch
) -> None:
    from incident_responder.followup import answers

    monkeypatch.setattr(answers, "_REDRIVE_MODULE", "incident_responder.redrive_flow_not_deployed")

    (reply,) = thread.ask("redrive")

    assert "Redrive is not available yet in this deployment" in reply["text"]


def test_similar_lists_past_incidents_and_how_they_ended(thread: Thread) -> None:
    incident = thread.store.by_thread(thread.channel, thread.root)
    assert incident is not None
    report = json.loads(incident["report"])
    ddb = thread.stack.session.client("dynamodb")

    def past(incident_id: str, days: float, **extra: str) -> None:
        old = {**report, "resource": {**report["resource"], "run_id": f"run-{incident_id}"}}
        item = {
            "incident_id": incident_id,
            "fingerprint": incident["fingerprint"],
            "status": "posted",
            "created_at": (datetime.now(UTC) - timedelta(days=days)).isoformat(),
            "report": json.dumps(old),
            **extra,
        }
        ddb.put_item(TableName=thread.store.table, Item={k: {"S": v} for k, v in item.items()})

    past("old-1", 3)
    past("old-2", 10, resolution="fixed by raising the timeout to 10 s")
    past("too-old", 45)

    (reply,) = thread.ask("any similar incidents?")

    text = reply["text"]
    assert "run-old-1" in text and "its run is now FAILED" in text
    assert "run-old-2" in text and "fixed by raising the timeout to 10 s" in text
    assert "too-old" not in text and "sync-2020-11-10T05-46" not in text


def test_redrive_button_click_reaches_the_redrive_flow(thread: Thread) -> None:
    payload = slack_payloads("block_actions_button_click_payload.json")[0]
    report = thread.slack.thread(thread.channel, thread.root)[0]
    button = next(e for b in report["blocks"] if b["type"] == "actions" for e in b["elements"])
    payload["channel"]["id"] = payload["container"]["channel_id"] = thread.channel
    payload["container"]["message_ts"] = thread.root
    payload["message"] = {
        "type": "message",
        "ts": thread.root,
        "text": report["text"],
        "bot_id": report["bot_id"],
    }
    payload["user"]["id"] = ALICE
    payload["actions"][0].update(action_id=button["action_id"], value=button["value"], text=button["text"])

    answer, logs = thread.post(
        "payload=" + quote_plus(json.dumps(payload)), content_type="application/x-www-form-urlencoded"
    )
    thread.drain()

    assert answer["statusCode"] == 200 and _outcomes(logs) == ["enqueued"]
    (reply,) = thread.bot_replies()
    # The flow's answer: a preview, or (the module shares its thread) the preview already waiting.
    assert "redrive preview" in reply["text"].lower()


# ---------------------------------------------------------------- worker: partial batch failures


def test_poison_message_is_reported_as_a_partial_batch_failure(thread: Thread) -> None:
    thread.post(thread.reply_payload("status"))
    (good,) = thread.queued()
    poison = {
        **good,
        "MessageId": "poison-1",
        "ReceiptHandle": "poison-1",
        "Body": "{not json",
        "Attributes": {**good["Attributes"], "MessageGroupId": "C0OTHER:1.1"},
    }

    result, output = thread.work([poison, good])

    assert result == {"batchItemFailures": [{"itemIdentifier": "poison-1"}]}
    assert len(thread.bot_replies()) == 1  # the good message, in another thread's group, was answered
    assert "follow-up failed" in output


def test_slack_down_fails_the_message_so_it_is_retried(thread: Thread) -> None:
    thread.post(thread.reply_payload("status"))
    messages = thread.queued()
    thread.slack.down(mode="503")
    try:
        result, _ = thread.work(messages)
    finally:
        thread.slack.up()

    assert result == {"batchItemFailures": [{"itemIdentifier": messages[0]["MessageId"]}]}
    assert thread.bot_replies() == []


# ---------------------------------------------------------------- failsafe


def _ingress_function(stack: LocalStack, name: str) -> str:
    """A deployed ingress function in the local account (code is never run: only its concurrency matters)."""
    iam, lam = stack.session.client("iam"), stack.session.client("lambda")
    role = iam.create_role(RoleName=f"{name}-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as z:
        z.writestr("h.py", "def handler(event, context):\n    return {}\n")
    lam.create_function(
        FunctionName=name,
        Runtime="python3.13",
        Role=role,
        Handler="h.handler",
        Code={"ZipFile": code.getvalue()},
    )
    return name


def test_failsafe_shuts_the_ingress_off_and_notifies(thread: Thread, monkeypatch: pytest.MonkeyPatch) -> None:
    stack = thread.stack
    name = _ingress_function(stack, "incident-responder-SlackIngress-1")
    monkeypatch.setenv("INGRESS_FUNCTION_NAME", name)
    sqs = stack.session.client("sqs")
    inbox = sqs.create_queue(QueueName="notify-inbox")["QueueUrl"]
    inbox_arn = sqs.get_queue_attributes(QueueUrl=inbox, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    stack.session.client("sns").subscribe(
        TopicArn=stack.env["NOTIFY_TOPIC_ARN"], Protocol="sqs", Endpoint=inbox_arn
    )
    alarm = json.loads((ROOT / "sam" / "events" / "failsafe_alarm.json").read_text(encoding="utf-8"))

    result, _ = stack.invoke("FailsafeFunction", alarm)

    assert result == {"actions": ["throttled"]}
    concurrency = stack.session.client("lambda").get_function_concurrency(FunctionName=name)
    assert concurrency["ReservedConcurrentExecutions"] == 0
    (notice,) = sqs.receive_message(QueueUrl=inbox, MaxNumberOfMessages=10)["Messages"]
    message = json.loads(notice["Body"])["Message"]
    assert f"{name} was shut off" in message and "delete-function-concurrency" in message


def test_failsafe_does_nothing_when_the_alarm_clears(thread: Thread, monkeypatch: pytest.MonkeyPatch) -> None:
    stack = thread.stack
    name = _ingress_function(stack, "incident-responder-SlackIngress-2")
    monkeypatch.setenv("INGRESS_FUNCTION_NAME", name)
    event = json.loads((ROOT / "sam" / "events" / "failsafe_alarm.json").read_text(encoding="utf-8"))
    sns = event["Records"][0]["Sns"]
    sns["Message"] = json.dumps(
        {**json.loads(sns["Message"]), "NewStateValue": "OK", "OldStateValue": "ALARM"}
    )

    result, _ = stack.invoke("FailsafeFunction", event)

    assert result == {"actions": ["none"]}
    assert "ReservedConcurrentExecutions" not in stack.session.client("lambda").get_function_concurrency(
        FunctionName=name
    )


def test_an_answer_posted_before_the_worker_failed_is_not_posted_again(
        thread: Thread, monkeypatch: pytest.MonkeyPatch) -> None:
    """The answer reached Slack, then recording it failed (DynamoDB throttled): SQS delivers the
    message again, and the worker finds its answer in the thread instead of answering twice."""
    from incident_responder.errors import StoreError
    from incident_responder.store import IncidentStore

    thread.post(thread.reply_payload("status"))
    messages = thread.queued()
    original = IncidentStore.mark_delivery
    failures = {"left": 1}

    def throttled(self: IncidentStore, key: str, status: str, ttl_seconds: int = 86400) -> None:
        if status == "answered" and failures["left"]:
            failures["left"] -= 1
            raise StoreError("mark delivery: ProvisionedThroughputExceededException")
        original(self, key, status, ttl_seconds)

    monkeypatch.setattr(IncidentStore, "mark_delivery", throttled)
    first, _ = thread.work(messages)
    assert first == {"batchItemFailures": [{"itemIdentifier": messages[0]["MessageId"]}]}
    assert len(thread.bot_replies()) == 1
    again, _ = thread.work(messages)  # the redelivery
    assert again == {"batchItemFailures": []}
    assert len(thread.bot_replies()) == 1
