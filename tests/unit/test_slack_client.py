"""Slack client helpers that need no server: retry waits, error translation, the bot token."""

from __future__ import annotations

import json
from typing import Any
from urllib.error import URLError

import boto3
import pytest
from botocore.stub import Stubber
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import HttpRequest, HttpResponse, RetryState
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, ServerErrorRetryHandler
from slack_sdk.web import SlackResponse

from incident_responder.slack.client import (
    BoundedBackoffIntervalCalculator,
    BoundedRateLimitRetryHandler,
    SlackConfigurationError,
    SlackPostError,
    SlackRateLimitedError,
    SlackUnavailableError,
    get_bot_token,
    make_client,
    post_message,
    retry_after_seconds,
)


class FixedInterval(BoundedBackoffIntervalCalculator):
    def calculate_sleep_duration(self, current_attempt: int) -> float:
        return 0.5


def _rate_limited(headers: dict[str, Any]) -> HttpResponse:
    return HttpResponse(status_code=429, headers=headers, data=b'{"ok": false, "error": "ratelimited"}')


def _wait_for(headers: dict[str, Any], max_wait: float = 30.0) -> float:
    waits: list[float] = []
    handler = BoundedRateLimitRetryHandler(3, FixedInterval(), max_wait=max_wait, sleep=waits.append)
    state = RetryState()
    handler.prepare_for_next_attempt(
        state=state,
        request=HttpRequest(method="POST", url="http://x/api/chat.postMessage", headers={}),
        response=_rate_limited(headers),
    )
    assert state.next_attempt_requested and state.current_attempt == 1
    return waits[0]


def test_rate_limit_wait_is_what_retry_after_asks() -> None:
    assert _wait_for({"Retry-After": "3"}) == 3.0
    assert _wait_for({"retry-after": ["2"]}) == 2.0


def test_rate_limit_wait_is_capped() -> None:
    assert _wait_for({"Retry-After": "120"}, max_wait=5.0) == 5.0


def test_rate_limit_wait_without_header_uses_the_interval_calculator() -> None:
    assert _wait_for({}) == 0.5


def test_backoff_grows_but_stays_under_its_cap() -> None:
    calculator = BoundedBackoffIntervalCalculator(base=0.25, cap=2.0)

    waits = [calculator.calculate_sleep_duration(attempt) for attempt in range(8)]

    assert all(0 < w <= 2.0 for w in waits)
    assert waits[0] <= 0.25 and waits[-1] >= 1.0


def test_retry_after_seconds_reads_any_case_or_nothing() -> None:
    assert retry_after_seconds({"RETRY-AFTER": "4"}) == 4.0
    assert retry_after_seconds({"Content-Type": "application/json"}) is None
    assert retry_after_seconds({"Retry-After": "soon"}) is None


def test_make_client_attaches_every_retry_handler_and_normalises_the_url() -> None:
    client = make_client("xoxb-t", "http://127.0.0.1:9/api", max_retries=5, timeout=3)

    rate, server, connection = client.retry_handlers
    assert isinstance(rate, BoundedRateLimitRetryHandler)
    assert isinstance(server, ServerErrorRetryHandler) and isinstance(connection, ConnectionErrorRetryHandler)
    assert [h.max_retry_count for h in client.retry_handlers] == [5, 5, 5]
    assert client.base_url == "http://127.0.0.1:9/api/" and client.timeout == 3


def test_make_client_reads_the_api_url_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9/api/")

    assert make_client("xoxb-t").base_url == "http://127.0.0.1:9/api/"


class FailingClient:
    """A stand-in WebClient whose chat_postMessage raises what slack-sdk would."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def chat_postMessage(self, **kwargs: Any) -> None:  # slack-sdk's name
        raise self.error


def _api_error(status: int, data: dict[str, Any], headers: dict[str, str] | None = None) -> SlackApiError:
    response = SlackResponse(
        client=None, http_verb="POST", api_url="http://x/api/chat.postMessage", req_args={},
        data=data, headers=headers or {}, status_code=status,
    )
    return SlackApiError("failed", response)


def _post_error(error: Exception) -> SlackPostError:
    with pytest.raises(SlackPostError) as caught:
        post_message(FailingClient(error), "#c", "t")  # type: ignore[arg-type]
    assert caught.value.__cause__ is error
    return caught.value


def test_rate_limit_becomes_a_retryable_error_with_the_advice() -> None:
    error = _post_error(_api_error(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "9"}))

    assert isinstance(error, SlackRateLimitedError)
    assert (error.error, error.retry_after, error.retryable, error.method) == (
        "ratelimited", 9.0, True, "chat.postMessage"
    )


def test_server_error_without_a_json_body_is_unavailable() -> None:
    note = "Received a response in a non-JSON format: <html>"  # what slack-sdk puts in for an HTML body

    error = _post_error(_api_error(502, {"ok": False, "error": note}))

    assert isinstance(error, SlackUnavailableError)
    assert (error.error, error.status) == ("http_502", 502)


def test_request_errors_keep_the_slack_code_and_details() -> None:
    detail = "must be less than 51 items [json-pointer:/blocks]"
    data = {"ok": False, "error": "invalid_blocks", "errors": [detail]}

    error = _post_error(_api_error(200, data))

    assert type(error) is SlackPostError and error.retryable is False
    assert error.details == [detail]
    assert "invalid_blocks" in str(error) and "51 items" in str(error)


def test_connection_failure_is_unavailable() -> None:
    error = _post_error(URLError(ConnectionRefusedError(111, "Connection refused")))

    assert isinstance(error, SlackUnavailableError) and error.error == "connection_error"


@pytest.fixture
def no_token_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SLACK_TOKEN_SECRET", raising=False)
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)


def _secrets_client() -> Any:
    return boto3.client(
        "secretsmanager", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x"
    )


def _secrets(*values: str) -> tuple[Any, Stubber]:
    client = _secrets_client()
    stubber = Stubber(client)
    for value in values:
        stubber.add_response(
            "get_secret_value", {"Name": "slack/bot", "SecretString": value}, {"SecretId": "slack/bot"}
        )
    stubber.activate()
    return client, stubber


def test_token_from_the_environment_without_a_secret(
    no_token_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-from-env")

    assert get_bot_token(None, None) == "xoxb-from-env"
    assert get_bot_token(None, "xoxb-explicit") == "xoxb-explicit"


def test_secret_wins_and_is_cached(no_token_env: None) -> None:
    client, stubber = _secrets("xoxb-from-secret\n")

    first = get_bot_token("slack/bot", "xoxb-plain", secrets_client=client)
    second = get_bot_token("slack/bot", "xoxb-plain", secrets_client=client)  # a second fetch would fail

    assert first == second == "xoxb-from-secret"
    stubber.assert_no_pending_responses()


def test_json_secret_yields_its_token_key(no_token_env: None) -> None:
    client, _ = _secrets(json.dumps({"bot_token": "xoxb-json", "signing_secret": "s"}))

    assert get_bot_token("slack/bot", None, secrets_client=client) == "xoxb-json"


def test_json_secret_without_a_token_key_is_a_configuration_error(no_token_env: None) -> None:
    client, _ = _secrets(json.dumps({"signing_secret": "s"}))

    with pytest.raises(SlackConfigurationError, match="none of the keys"):
        get_bot_token("slack/bot", None, secrets_client=client)


def test_unreadable_secret_is_a_configuration_error(no_token_env: None) -> None:
    client = _secrets_client()
    stubber = Stubber(client)
    stubber.add_client_error("get_secret_value", "ResourceNotFoundException", "no such secret")
    stubber.activate()

    with pytest.raises(SlackConfigurationError, match="slack/missing") as caught:
        get_bot_token("slack/missing", "xoxb-plain", secrets_client=client)
    assert caught.value.__cause__ is not None


def test_no_token_at_all_is_a_configuration_error(no_token_env: None) -> None:
    with pytest.raises(SlackConfigurationError, match="SLACK_TOKEN_SECRET"):
        get_bot_token(None, None)
