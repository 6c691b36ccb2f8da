"""The local Slack emulator, driven through the real slack_sdk WebClient and our client helpers."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import FixedValueRetryIntervalCalculator, RetryIntervalCalculator

from incident_responder.slack.client import (
    SlackPostError,
    SlackRateLimitedError,
    SlackUnavailableError,
    add_reaction,
    make_client,
    post_message,
    thread_replies,
    update_message,
)
from incident_responder_local.slack_emulator import BOT_ID, BOT_USER_ID, SlackEmulator

TOKEN = "xoxb-local-test"
NO_WAIT = FixedValueRetryIntervalCalculator(0.0)


class CountingInterval(RetryIntervalCalculator):
    """No wait between retries, but counts how many retries the client scheduled."""

    def __init__(self) -> None:
        self.retries = 0

    def calculate_sleep_duration(self, current_attempt: int) -> float:
        self.retries += 1
        return 0.0


@pytest.fixture
def slack() -> Iterator[SlackEmulator]:
    with SlackEmulator(bot_token=TOKEN) as emulator:
        yield emulator


@pytest.fixture
def client(slack: SlackEmulator) -> WebClient:
    return make_client(TOKEN, slack.base_url, interval_calculator=NO_WAIT, max_retry_after=0.05)


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def test_post_by_channel_name_answers_with_the_channel_id(slack: SlackEmulator, client: WebClient) -> None:
    first = post_message(client, "#data-incidents", "first", blocks=[section("*Summary*")])
    second = post_message(client, "data-incidents", "second")

    assert re.fullmatch(r"C[A-Z0-9]{10}", first["channel"])
    assert first["channel"] == second["channel"] == slack.channel_id("#data-incidents")
    assert float(second["ts"]) > float(first["ts"])
    posted = slack.messages("#data-incidents")
    assert [m["text"] for m in posted] == ["first", "second"]
    assert posted[0]["blocks"] == [section("*Summary*")]
    assert posted[0]["channel_name"] == "data-incidents"
    assert (posted[0]["user"], posted[0]["bot_id"], posted[0]["thread_ts"]) == (BOT_USER_ID, BOT_ID, None)


def test_post_by_channel_id_keeps_the_id(slack: SlackEmulator, client: WebClient) -> None:
    channel = slack.add_channel("customer-etl", "C0PIPELINE1")

    answer = post_message(client, "C0PIPELINE1", "report")

    assert answer["channel"] == channel == "C0PIPELINE1"
    assert slack.messages("#customer-etl")[0]["text"] == "report"


def test_thread_replies_come_oldest_first_across_pages(slack: SlackEmulator, client: WebClient) -> None:
    parent = post_message(client, "#data-incidents", "report")
    post_message(client, parent["channel"], "bot reply 1", thread_ts=parent["ts"])
    human = slack.post_as_user("#data-incidents", "U0ALICE01", "why did it fail?", thread_ts=parent["ts"])
    post_message(client, parent["channel"], "bot reply 2", thread_ts=parent["ts"])
    post_message(client, parent["channel"], "unrelated top-level")

    thread = thread_replies(client, parent["channel"], parent["ts"], page_size=2)

    assert [m["text"] for m in thread] == ["report", "bot reply 1", "why did it fail?", "bot reply 2"]
    assert thread[0]["reply_count"] == 3
    assert thread[2]["ts"] == human and thread[2]["user"] == "U0ALICE01" and "bot_id" not in thread[2]
    assert slack.call_count("conversations.replies") == 2
    assert [m["text"] for m in slack.thread("#data-incidents", parent["ts"])] == [m["text"] for m in thread]


def test_conversations_replies_pages_carry_a_next_cursor(client: WebClient) -> None:
    parent = post_message(client, "#data-incidents", "report")
    for i in range(3):
        post_message(client, parent["channel"], f"reply {i}", thread_ts=parent["ts"])

    page = client.conversations_replies(channel=parent["channel"], ts=parent["ts"], limit=3)
    rest = client.conversations_replies(
        channel=parent["channel"], ts=parent["ts"], limit=3, cursor=page["response_metadata"]["next_cursor"]
    )

    assert page["has_more"] is True and len(page["messages"]) == 3
    assert [m["text"] for m in rest["messages"]] == ["reply 2"]
    assert rest["has_more"] is False and rest["response_metadata"]["next_cursor"] == ""


def test_thread_replies_respects_its_limit(client: WebClient) -> None:
    parent = post_message(client, "#data-incidents", "report")
    for i in range(5):
        post_message(client, parent["channel"], f"reply {i}", thread_ts=parent["ts"])

    assert len(thread_replies(client, parent["channel"], parent["ts"], limit=3, page_size=2)) == 3


def test_history_lists_top_level_messages_newest_first(client: WebClient) -> None:
    parent = post_message(client, "#data-incidents", "older")
    post_message(client, parent["channel"], "a reply", thread_ts=parent["ts"])
    post_message(client, parent["channel"], "newer")

    history = client.conversations_history(channel=parent["channel"])

    assert [m["text"] for m in history["messages"]] == ["newer", "older"]


def test_reply_with_an_unknown_thread_ts_is_accepted_but_has_no_thread(client: WebClient) -> None:
    answer = post_message(client, "#data-incidents", "orphan", thread_ts="1600000000.000100")

    assert answer["ts"]
    with pytest.raises(SlackPostError) as caught:
        thread_replies(client, answer["channel"], "1600000000.000100")
    assert caught.value.error == "thread_not_found"


def test_form_encoded_blocks_arrive_as_a_list(slack: SlackEmulator, client: WebClient) -> None:
    blocks = [section("from a form body")]

    client.api_call("chat.postMessage", data={"channel": "#forms", "text": "t", "blocks": json.dumps(blocks)})

    assert slack.messages("#forms")[0]["blocks"] == blocks


def test_update_replaces_the_text_and_keeps_the_history(slack: SlackEmulator, client: WebClient) -> None:
    posted = post_message(client, "#data-incidents", "v1", blocks=[section("v1")])

    answer = update_message(client, posted["channel"], posted["ts"], "v2", blocks=[section("v2")])

    assert answer == posted
    (message,) = slack.messages()
    assert (message["text"], message["blocks"]) == ("v2", [section("v2")])
    assert message["edited"]["user"] == BOT_USER_ID
    assert message["history"] == [{"text": "v1", "blocks": [section("v1")]}]


def test_update_of_an_unknown_message_fails(client: WebClient) -> None:
    posted = post_message(client, "#data-incidents", "v1")

    with pytest.raises(SlackPostError) as caught:
        update_message(client, posted["channel"], "1699999999.000100", "v2")
    assert caught.value.error == "message_not_found"


def test_update_of_a_persons_message_is_refused(slack: SlackEmulator, client: WebClient) -> None:
    ts = slack.post_as_user("#data-incidents", "U0ALICE01", "hello")

    with pytest.raises(SlackPostError) as caught:
        update_message(client, "#data-incidents", ts, "edited by the bot")
    assert caught.value.error == "cant_update_message"


def test_reactions_add_once_and_remove_once(slack: SlackEmulator, client: WebClient) -> None:
    posted = post_message(client, "#data-incidents", "report")

    assert add_reaction(client, posted["channel"], posted["ts"], ":eyes:") is True
    assert add_reaction(client, posted["channel"], posted["ts"], "eyes") is False  # already_reacted ignored
    assert slack.reactions("#data-incidents", posted["ts"]) == [
        {"name": "eyes", "users": [BOT_USER_ID], "count": 1}
    ]
    client.reactions_remove(channel=posted["channel"], timestamp=posted["ts"], name="eyes")
    with pytest.raises(SlackApiError) as caught:
        client.reactions_remove(channel=posted["channel"], timestamp=posted["ts"], name="eyes")
    assert caught.value.response["error"] == "no_reaction"
    assert slack.reactions("#data-incidents", posted["ts"]) == []


def test_invalid_token_is_refused_without_retries(slack: SlackEmulator) -> None:
    client = make_client("xoxb-wrong", slack.base_url, interval_calculator=NO_WAIT)

    with pytest.raises(SlackPostError) as caught:
        post_message(client, "#data-incidents", "report")

    assert caught.value.error == "invalid_auth"
    assert caught.value.retryable is False
    assert slack.call_count() == 1 and slack.messages() == []


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing:UserWarning")
@pytest.mark.parametrize(
    ("blocks", "text", "error"),
    [
        ([section("x")] * 51, "t", "invalid_blocks"),
        ([section("x" * 3001)], "t", "invalid_blocks"),
        (None, "x" * 40001, "msg_too_long"),
        (None, "", "no_text"),
    ],
    ids=["51-blocks", "3001-char-section", "40001-char-text", "no-text"],
)
def test_slack_limits_are_enforced(
    slack: SlackEmulator, client: WebClient, blocks: list | None, text: str, error: str
) -> None:
    with pytest.raises(SlackPostError) as caught:
        post_message(client, "#data-incidents", text, blocks=blocks)

    assert caught.value.error == error
    assert slack.messages() == []


def test_invalid_blocks_say_which_block(client: WebClient) -> None:
    with pytest.raises(SlackPostError) as caught:
        post_message(client, "#data-incidents", "t", blocks=[section("ok"), section("x" * 3001)])

    assert caught.value.details == ["must be less than 3001 characters [json-pointer:/blocks/1/text/text]"]


def test_limits_themselves_are_allowed(slack: SlackEmulator, client: WebClient) -> None:
    post_message(client, "#data-incidents", "x" * 40000, blocks=[section("x" * 3000)] + [section("x")] * 49)

    assert len(slack.messages()[0]["blocks"]) == 50


def test_rate_limited_twice_then_delivered_with_retries(slack: SlackEmulator, client: WebClient) -> None:
    slack.fail_next("chat.postMessage", count=2, status=429, retry_after=1)

    started = time.monotonic()
    posted = post_message(client, "#data-incidents", "report")

    assert time.monotonic() - started < 1  # Retry-After: 1 was capped by max_retry_after
    assert slack.call_count("chat.postMessage") == 3
    assert [m["ts"] for m in slack.messages()] == [posted["ts"]]


def test_rate_limited_without_retries_raises_ratelimited(slack: SlackEmulator) -> None:
    client = make_client(TOKEN, slack.base_url, max_retries=0)
    slack.fail_next("chat.postMessage", status=429, retry_after=7)

    with pytest.raises(SlackRateLimitedError) as caught:
        post_message(client, "#data-incidents", "report")

    assert isinstance(caught.value, SlackPostError)
    assert (caught.value.error, caught.value.status, caught.value.retry_after) == ("ratelimited", 429, 7.0)
    assert caught.value.retryable is True
    assert slack.call_count("chat.postMessage") == 1 and slack.messages() == []


def test_server_error_then_delivered(slack: SlackEmulator, client: WebClient) -> None:
    slack.fail_next("chat.postMessage", status=500)

    post_message(client, "#data-incidents", "report")

    assert slack.call_count("chat.postMessage") == 2
    assert len(slack.messages()) == 1


def test_error_answers_are_not_retried(slack: SlackEmulator, client: WebClient) -> None:
    slack.fail_next("chat.postMessage", error="channel_not_found")

    with pytest.raises(SlackPostError) as caught:
        post_message(client, "#data-incidents", "report")

    assert caught.value.error == "channel_not_found" and caught.value.retryable is False
    assert slack.call_count("chat.postMessage") == 1


def test_slack_down_fails_after_bounded_retries_then_recovers(slack: SlackEmulator) -> None:
    interval = CountingInterval()
    client = make_client(TOKEN, slack.base_url, max_retries=2, interval_calculator=interval)
    slack.down()

    started = time.monotonic()
    with pytest.raises(SlackUnavailableError) as caught:
        post_message(client, "#data-incidents", "report")

    assert time.monotonic() - started < 2
    assert interval.retries == 2
    assert caught.value.error == "connection_error" and caught.value.retryable is True
    slack.up()
    assert post_message(client, "#data-incidents", "report")["ts"]
    assert len(slack.messages()) == 1


def test_slack_answering_503_fails_after_bounded_retries(slack: SlackEmulator) -> None:
    client = make_client(TOKEN, slack.base_url, max_retries=2, interval_calculator=NO_WAIT)
    slack.down(mode="503")

    with pytest.raises(SlackUnavailableError) as caught:
        post_message(client, "#data-incidents", "report")

    assert (caught.value.status, slack.call_count("chat.postMessage")) == (503, 3)
    slack.up()
    post_message(client, "#data-incidents", "report")
    assert len(slack.messages()) == 1


def test_users_and_usergroups(slack: SlackEmulator, client: WebClient) -> None:
    slack.add_user("U0ALICE01", "alice", real_name="Alice Example")
    slack.add_usergroup("S0ONCALL1", ["U0ALICE01"])

    alice = client.users_info(user="U0ALICE01")["user"]
    bot = client.users_info(user=BOT_USER_ID)["user"]

    assert (alice["real_name"], alice["is_bot"], bot["is_bot"]) == ("Alice Example", False, True)
    assert client.usergroups_users_list(usergroup="S0ONCALL1")["users"] == ["U0ALICE01"]
    with pytest.raises(SlackApiError) as caught:
        client.users_info(user="U0NOBODY1")
    assert caught.value.response["error"] == "user_not_found"


def test_auth_test_and_unknown_method(client: WebClient) -> None:
    assert client.auth_test()["user_id"] == BOT_USER_ID

    with pytest.raises(SlackApiError) as caught:
        client.api_call("chat.teleport")
    assert caught.value.response["error"] == "unknown_method"


def test_ephemeral_messages_stay_out_of_the_channel(slack: SlackEmulator, client: WebClient) -> None:
    answer = client.chat_postEphemeral(channel="#data-incidents", user="U0ALICE01", text="only you")

    assert slack.messages() == []
    assert slack.ephemerals("#data-incidents")[0]["ts"] == answer["message_ts"]


def test_reset_forgets_messages_and_calls(slack: SlackEmulator, client: WebClient) -> None:
    post_message(client, "#data-incidents", "report")
    slack.fail_next("chat.postMessage", error="channel_not_found")

    slack.reset()

    assert slack.messages() == [] and slack.calls == []
    assert post_message(client, "#data-incidents", "again")["ts"] == "1700000000.000100"
