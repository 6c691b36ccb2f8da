"""The local world's member accounts: ``world.yaml`` ``accounts: {<id>: {...}}``.

Each member account holds a world of its own (the same keys: ``logs``, ``s3``, ``glue``, ``athena``,
``lambda``, ...), and optionally ``alias`` (listed in ACCOUNT_ALIASES), ``region`` (default: the world's)
and ``roles`` (default true: the read and redrive roles of sam/member-account.yaml exist, named by
MEMBER_READ_ROLE_NAME / MEMBER_REDRIVE_ROLE_NAME, trusting the responder's account with
MEMBER_EXTERNAL_ID when set; false: the account has none).

How the accounts stay apart: moto's STS AssumeRole makes the calls made with the returned credentials
act in the role's account (MOTO_ACCOUNT_ID is not set for such a world, so it does not pin every call to
one account). The loader assumes a role in each member account, makes the member roles there through
IAM, and loads the account's world with that session. The code under test assumes the member roles as
in AWS.

Moto lets anyone assume any role, even one that does not exist. AWS does not: a before-call handler on
``sts.AssumeRole`` (active only under the mock, for the member accounts of the loaded world, which
are marked on their IAM backend) refuses a
role the account does not have, or an ExternalId its trust policy does not require, with AWS's
AccessDenied, so "an account without the role" can be replayed.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from .world import World, load_resources
from .world_answers import _http, _install, mocked

if TYPE_CHECKING:
    import boto3

__all__ = ["load_members", "member_session"]

LOADER_ROLE = "world-loader"
# Set on the IAM backend of each member account of the loaded world: moto makes fresh backends when a
# mock starts, so a later mock (another scenario or test) is not guarded by an earlier world.
_MARK = "incident_responder_world_member"


def member_session(session: boto3.Session, account: str, region: str, role: str = LOADER_ROLE) -> boto3.Session:
    """A session acting in ``account`` (moto's STS: the role's account is the session's)."""
    import boto3

    creds = session.client("sts", region_name=region).assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/{role}", RoleSessionName="world-loader")["Credentials"]
    return boto3.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                         aws_session_token=creds["SessionToken"], region_name=region)


def load_members(session: boto3.Session, world: World) -> None:
    from incident_responder.config import settings

    cfg = settings()
    from moto.iam.models import iam_backends

    _install("before-call.sts.AssumeRole", _refuse_missing_role)
    for account, spec in world.accounts.items():
        region = str(spec.get("region") or world.region)
        member = member_session(session, account, region)
        if spec.get("roles", True):
            _roles(member, world.account, cfg.member_external_id, [cfg.member_read_role, cfg.member_redrive_role])
        load_resources(member, World(data=spec, base=world.base, region=region, account=account))
        setattr(iam_backends[account]["aws"], _MARK, True)


def _roles(member: boto3.Session, central: str, external_id: str, names: list[str]) -> None:
    iam = member.client("iam")
    condition = {"StringEquals": {"sts:ExternalId": external_id}} if external_id else {}
    statement: dict[str, Any] = {"Effect": "Allow", "Action": "sts:AssumeRole",
                                 "Principal": {"AWS": f"arn:aws:iam::{central}:root"}}
    if condition:
        statement["Condition"] = condition
    for name in names:
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [statement]}))


def _refuse_missing_role(model: Any, params: dict[str, Any], **_: Any) -> Any:
    """before-call.sts.AssumeRole: AWS's AccessDenied for a role a member account does not have."""
    if not mocked():
        return None
    body = params.get("body") or {}
    if isinstance(body, (bytes, str)):
        body = {k: v[0] for k, v in parse_qs(body.decode() if isinstance(body, bytes) else body).items()}
    arn, external = str(body.get("RoleArn") or ""), body.get("ExternalId")
    parts = arn.split(":")
    if len(parts) < 6 or not parts[4].isdigit():
        return None
    account, name = parts[4], parts[5].split("/")[-1]
    from moto.iam.models import iam_backends

    if account not in iam_backends or not getattr(iam_backends[account]["aws"], _MARK, False):
        return None
    try:
        role = iam_backends[account]["aws"].get_role(name)
    except Exception:  # moto's NoSuchEntity, whatever its class
        role = None
    wanted = _external_id(role.assume_role_policy_document) if role is not None else None
    if role is None or (wanted is not None and wanted != external):
        message = f"User: arn:aws:sts::123456789012:assumed-role/incident-responder is not authorized to perform: " \
                  f"sts:AssumeRole on resource: {arn}"
        return _http(model, 403, {"Error": {"Code": "AccessDenied", "Message": message, "Type": "Sender"}})
    return None


def _external_id(document: Any) -> str | None:
    try:
        policy = json.loads(document) if isinstance(document, str) else document
        for statement in policy.get("Statement") or []:
            found = ((statement.get("Condition") or {}).get("StringEquals") or {}).get("sts:ExternalId")
            if found:
                return str(found)
    except (ValueError, AttributeError):
        return None
    return None
