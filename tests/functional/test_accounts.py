"""Many accounts, end to end in local AWS: events of member accounts are read through the member's read
role (credentials cached per account), redriven through its redrive role by the redrive function alone,
and an account without the role still gets its report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from incident_responder.aws import (
    AssumeRoleFailed,
    AwsContext,
    clear_shared_contexts,
    failing_context,
    member_context,
    own_account,
)
from incident_responder_local.replay import Scenario
from incident_responder_local.runtime import LocalStack
from incident_responder_local.thread_replay import run_thread

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
REGION = "eu-west-1"


@pytest.fixture
def central(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.delenv("MOTO_ACCOUNT_ID", raising=False)
    clear_shared_contexts()
    with mock_aws():
        session = boto3.Session(region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")
        yield AwsContext(region=REGION, session=session)
    clear_shared_contexts()


def test_member_credentials_are_cached_per_account_and_act_there(central: AwsContext) -> None:
    assert own_account(central) == "123456789012"
    first = member_context("222222222222", REGION, "incident-responder-read", base=central, external_id="ext-1")
    again = member_context("222222222222", REGION, "incident-responder-read", base=central, external_id="ext-1")
    other = member_context("333333333333", REGION, "incident-responder-read", base=central, external_id="ext-1")
    assert first.session is again.session  # one AssumeRole per account while the credentials last
    assert first.session is not other.session
    identity: Any = first.client("sts")
    assert identity.get_caller_identity()["Account"] == "222222222222"
    assert other.client("sts").get_caller_identity()["Account"] == "333333333333"
    first.client("glue").create_database(DatabaseInput={"Name": "only_in_222"})
    assert [d["Name"] for d in central.client("glue").get_databases()["DatabaseList"]] == []


def test_a_refused_role_is_an_error_that_names_it_and_a_context_that_refuses_every_call(central: AwsContext) -> None:
    from botocore.exceptions import ClientError

    refusal = ClientError({"Error": {"Code": "AccessDenied", "Message": "not authorized to perform: sts:AssumeRole"}},
                          "AssumeRole")
    context = failing_context(REGION, refusal)
    with pytest.raises(ClientError, match="AccessDenied"):
        context.client("glue").get_crawler(Name="anything")
    failed = AssumeRoleFailed("arn:aws:iam::444444444444:role/incident-responder-read", refusal)
    assert "could not assume arn:aws:iam::444444444444:role/incident-responder-read: AccessDenied" in str(failed)


def test_a_member_redrive_runs_in_the_member_account_through_its_redrive_role(slack_emulator: Any) -> None:
    scenario = Scenario.load(SCENARIOS / "redrive_member_crawler")
    slack_emulator.reset()
    with LocalStack(scenario.world, slack=slack_emulator) as stack:
        result, _ = stack.invoke("AnalyzeFunction", scenario.event)
        assert result["status"] == "posted"
        replies = run_thread(stack, scenario, result)
        assert all(r.get("ok", True) for r in replies), replies
        from moto.glue.models import glue_backends
        from moto.sts.models import sts_backends

        member = glue_backends["222222222222"][REGION].crawlers["orders-landing"]
        home = glue_backends["123456789012"][REGION].crawlers["orders-landing"]
        assert member.as_dict()["State"] == "RUNNING"  # the crawl was started in the member account...
        assert home.as_dict()["State"] == "READY"  # ...not by the central account's crawler of the same name
        assumed = [(r.arn, r.external_id) for account in ("222222222222",)
                   for r in sts_backends[account]["aws"].assumed_roles]
        roles = {arn.split("/")[1] for arn, _ in assumed}
        assert {"incident-responder-read", "incident-responder-redrive"} <= roles
        assert all(ext == "ext-central-0001" for arn, ext in assumed if "incident-responder" in arn)
