"""sam/member-account.yaml: valid, forwards exactly the failures the central rules match, and its two
roles are least-privilege and trust only the central account's functions (with the external id)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from tests.stack import load_template

ROOT = Path(__file__).resolve().parents[2]
MEMBER = ROOT / "sam" / "member-account.yaml"
REGION = "eu-west-1"
WRITE_VERBS = ("Start", "Run", "Submit", "Redrive", "Add", "Put", "Create", "Delete", "Update", "Invoke",
               "Stop", "Cancel", "Pass", "Tag", "Untag", "Send")
REDRIVE_ACTIONS = {"states:RedriveExecution", "states:StartExecution", "ecs:RunTask",
                   "elasticmapreduce:AddJobFlowSteps", "glue:StartJobRun", "batch:SubmitJob", "glue:StartCrawler",
                   "athena:StartQueryExecution", "emr-serverless:StartJobRun", "emr-containers:StartJobRun",
                   "lambda:InvokeFunction"}


@pytest.fixture(scope="module")
def member() -> dict[str, Any]:
    return load_template(MEMBER)


def _statements(role: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for p in role["Properties"]["Policies"] for s in p["PolicyDocument"]["Statement"]]


def _actions(statements: list[dict[str, Any]]) -> set[str]:
    out: set[str] = set()
    for s in statements:
        if "Fn::If" in s:  # a statement that exists under a condition (e.g. when log buckets are named)
            s = s["Fn::If"][1]
            if not isinstance(s, dict) or "Action" not in s:
                continue
        action = s["Action"]
        out |= {action} if isinstance(action, str) else set(action)
    return out


def test_sam_validate_lint() -> None:
    beside = Path(sys.executable).with_name("sam")
    sam = str(beside) if beside.exists() else shutil.which("sam")
    if sam is None:
        pytest.skip("the sam CLI is not installed (pip install aws-sam-cli)")
    env = {**os.environ, "SAM_CLI_TELEMETRY": "0", "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION}
    proc = subprocess.run([sam, "validate", "--lint", "--template", str(MEMBER)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_forwarding_rules_are_the_central_patterns(member: dict[str, Any]) -> None:
    central = sorted(json.dumps(json.loads(p.read_text()), sort_keys=True)
                     for p in (ROOT / "rules" / "events").glob("*.json"))
    rules = [r["Properties"] for r in member["Resources"].values() if r["Type"] == "AWS::Events::Rule"]
    assert sorted(json.dumps(r["EventPattern"], sort_keys=True) for r in rules) == central
    for rule in rules:
        assert rule["EventBusName"] == "default"
        assert rule["Targets"] == [{"Id": "central-bus", "Arn": {"Ref": "CentralEventBusArn"},
                                    "RoleArn": {"Fn::GetAtt": ["ForwardRole", "Arn"]}}]
    forward = _statements(member["Resources"]["ForwardRole"])
    assert forward == [{"Effect": "Allow", "Action": "events:PutEvents", "Resource": {"Ref": "CentralEventBusArn"}}]


def test_read_role_trusts_the_readers_only_and_cannot_change_anything(member: dict[str, Any]) -> None:
    role = member["Resources"]["ReadRole"]
    trust = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust == [{"Effect": "Allow", "Principal": {"AWS": [{"Ref": "AnalyzeRoleArn"}, {"Ref": "WorkerRoleArn"}]},
                      "Action": "sts:AssumeRole",
                      "Condition": {"StringEquals": {"sts:ExternalId": {"Ref": "ExternalId"}}}}]
    actions = _actions(_statements(role))
    writes = {a for a in actions if a.split(":")[1].startswith(WRITE_VERBS)}
    assert writes == set()
    assert not any(fnmatchcase(a, "*:*\\**") for a in actions), "no wildcard actions"


def test_read_role_reads_what_the_central_function_reads() -> None:
    central = load_template(ROOT / "template.yaml")["Resources"]["EvidenceReadPolicy"]["Properties"]
    wanted = _actions(central["PolicyDocument"]["Statement"])
    granted = _actions(_statements(load_template(MEMBER)["Resources"]["ReadRole"]))
    assert wanted <= granted, wanted - granted


def test_redrive_role_trusts_the_redrive_function_only(member: dict[str, Any]) -> None:
    role = member["Resources"]["RedriveRole"]
    trust = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust == [{"Effect": "Allow", "Principal": {"AWS": {"Ref": "RedriveRoleArn"}}, "Action": "sts:AssumeRole",
                      "Condition": {"StringEquals": {"sts:ExternalId": {"Ref": "ExternalId"}}}}]
    statements = _statements(role)
    assert _actions(statements) >= REDRIVE_ACTIONS
    for s in statements:
        if "iam:PassRole" in _actions([s]):
            assert set(s["Condition"]["StringEquals"]["iam:PassedToService"]) == {
                "ecs-tasks.amazonaws.com", "emr-serverless.amazonaws.com"}
        assert s["Resource"] != "*" or _actions([s]) == {"batch:DescribeJobs"}, s


def test_member_stack_deploys_and_its_roles_act_in_the_member_account(monkeypatch: pytest.MonkeyPatch) -> None:
    """CloudFormation (moto) creates the stack in a member account; the central function's credentials
    assume the read role and then act in that account."""
    monkeypatch.delenv("MOTO_ACCOUNT_ID", raising=False)  # it would pin every call to one account
    with mock_aws():
        session = boto3.Session(region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")
        creds = session.client("sts").assume_role(
            RoleArn="arn:aws:iam::222222222222:role/OrganizationAccountAccessRole", RoleSessionName="stackset",
        )["Credentials"]
        member = boto3.Session(region_name=REGION, aws_access_key_id=creds["AccessKeyId"],
                               aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"])
        cfn = member.client("cloudformation")
        cfn.create_stack(StackName="incident-responder-member", TemplateBody=MEMBER.read_text(), Capabilities=[
            "CAPABILITY_NAMED_IAM"], Parameters=[
            {"ParameterKey": "CentralEventBusArn",
             "ParameterValue": "arn:aws:events:eu-west-1:123456789012:event-bus/central"},
            {"ParameterKey": "AnalyzeRoleArn", "ParameterValue": "arn:aws:iam::123456789012:role/analyze"},
            {"ParameterKey": "WorkerRoleArn", "ParameterValue": "arn:aws:iam::123456789012:role/worker"},
            {"ParameterKey": "RedriveRoleArn", "ParameterValue": "arn:aws:iam::123456789012:role/redrive"},
            {"ParameterKey": "ExternalId", "ParameterValue": "ext-0123"},
            {"ParameterKey": "AccountAlias", "ParameterValue": "sales-prod"}])
        outputs = {o["OutputKey"]: o["OutputValue"]
                   for o in cfn.describe_stacks(StackName="incident-responder-member")["Stacks"][0]["Outputs"]}
        assert outputs["ReadRoleArn"] == "arn:aws:iam::222222222222:role/incident-responder-read"
        assert outputs["AccountAlias"] == "sales-prod"
        rules = member.client("events").list_rules()["Rules"]
        assert len(rules) == len(list((ROOT / "rules" / "events").glob("*.json")))
        read = session.client("sts").assume_role(
            RoleArn=outputs["ReadRoleArn"], RoleSessionName="incident-responder-read", ExternalId="ext-0123",
        )["Credentials"]
        as_member = boto3.Session(region_name=REGION, aws_access_key_id=read["AccessKeyId"],
                                  aws_secret_access_key=read["SecretAccessKey"], aws_session_token=read["SessionToken"])
        assert as_member.client("sts").get_caller_identity()["Account"] == "222222222222"
