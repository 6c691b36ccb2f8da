"""boto3 clients for the responder: adaptive retries, short timeouts, and a count of API calls.

Every AWS call the responder makes goes through a client built here, so replay and benchmarks can
report how many calls a report cost (``api_calls``), and throttling is absorbed by botocore's
adaptive retry mode rather than failing the report.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import os
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, cast

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

if TYPE_CHECKING:
    from botocore.client import BaseClient

__all__ = ["AccountAccess", "AssumeRoleFailed", "AwsContext", "account_access", "api_calls", "clear_shared_contexts",
           "counted_as", "describe_error", "error_code", "failing_context", "member_context", "own_account",
           "reset_api_calls", "role_arn", "shared_context", "use_sessions"]

logger = logging.getLogger(__name__)

_RETRY_CONFIG = Config(
    retries={"mode": "adaptive", "max_attempts": 6},
    connect_timeout=5,
    read_timeout=20,
    user_agent_extra="incident-responder",
)

_lock = threading.Lock()
_calls: Counter[str] = Counter()
_tagged: dict[str, Counter[str]] = {}
_tag: contextvars.ContextVar[str] = contextvars.ContextVar("aws_call_tag", default="")


# The counter is registered once per client, however many contexts take it (the local runtime's sessions
# keep their clients).
_COUNTER_ID = "incident-responder-api-calls"


def _count(model: Any = None, **_: Any) -> None:
    if model is None:
        return
    name = f"{model.service_model.endpoint_prefix}.{model.name}"
    tag = _tag.get()
    with _lock:
        (_tagged.setdefault(tag, Counter()) if tag else _calls)[name] += 1


@contextlib.contextmanager
def counted_as(tag: str) -> Iterator[None]:
    """Count the calls made inside the block under ``tag`` (``api_calls(tag)``), apart from the report's
    own calls: an optional step (the changes since the last good run) has a budget of its own."""
    token = _tag.set(tag)
    try:
        yield
    finally:
        _tag.reset(token)


def api_calls(tag: str = "") -> dict[str, int]:
    """API calls made through responder clients since the last :func:`reset_api_calls`: the untagged
    ones, or those counted under ``tag``."""
    with _lock:
        return dict(sorted((_tagged.get(tag, Counter()) if tag else _calls).items()))


def reset_api_calls() -> None:
    with _lock:
        _calls.clear()
        _tagged.clear()


def error_code(exc: BaseException) -> str:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", "ClientError"))
    return type(exc).__name__


def describe_error(exc: BaseException) -> str:
    """A short human sentence for an AWS error (for the report's "could not read" list)."""
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        return f"{err.get('Code', 'ClientError')}: {err.get('Message', '')}".strip().rstrip(":")
    if isinstance(exc, BotoCoreError):
        return f"{type(exc).__name__}: {exc}"
    return f"{type(exc).__name__}: {exc}"


def _new_session(region: str | None) -> boto3.Session:
    return boto3.Session(region_name=region)


_make_session: Callable[[str | None], boto3.Session] = _new_session


def use_sessions(factory: Callable[[str | None], boto3.Session] | None) -> None:
    """How a context without a session of its own gets one (None: a new default session, as a Lambda
    container makes). The local runtime, which plays many containers in one process, passes sessions
    that keep their clients from one container to the next."""
    global _make_session
    _make_session = factory or _new_session


class AwsContext:
    """Builds and caches the clients one invocation uses, for one region.

    ``session`` may be given (tests pass a moto-backed one); otherwise a default session is made.
    """

    def __init__(self, region: str | None = None, session: boto3.Session | None = None) -> None:
        self.session = session or _make_session(region)
        self.region = region or self.session.region_name or "us-east-1"
        self._clients: dict[str, BaseClient] = {}
        self._lock = threading.Lock()

    def client(self, service: str) -> BaseClient:
        with self._lock:
            cached = self._clients.get(service)
            if cached is None:
                cached = cast(Any, self.session).client(service, region_name=self.region, config=_RETRY_CONFIG)
                # Counted at parameter build, which every call emits in full: a before-call handler that
                # answers a call (a stub, the local world) stops the handlers after it.
                cached.meta.events.register("before-parameter-build", _count, unique_id=_COUNTER_ID)
                self._clients[service] = cached
            return cached


_shared: dict[str | None, AwsContext] = {}


def shared_context(region: str | None = None) -> AwsContext:
    """The context warm invocations reuse for a region: its clients (and the Powertools secret
    cache, which is kept per client) survive between events instead of being rebuilt each time.

    No region is the function's own (Lambda's AWS_REGION): one context, not a second session and a second
    set of clients for the same region when an event names it."""
    region = region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or None
    with _lock:
        ctx = _shared.get(region)
        if ctx is None:
            ctx = _shared[region] = AwsContext(region=region)
        return ctx


def clear_shared_contexts() -> None:
    """Forget the shared contexts, the member sessions and the own account (the local runtime does this
    between scenarios)."""
    with _lock:
        _shared.clear()
        _members.clear()
        _own.clear()


# -- many accounts ---------------------------------------------------------------------------------------
# A member account's evidence is read, and its work redriven, through a role in that account
# (sam/member-account.yaml): the analyzer and the follow-up worker assume its read role, the redrive
# function alone its redrive role. Credentials are cached per (account, role) in a boto3 Session backed
# by botocore's RefreshableCredentials, which calls AssumeRole again before they expire (15 minutes
# before: botocore's advisory refresh).
_members: dict[tuple[str, str], boto3.Session] = {}
_own: dict[int, str] = {}
_RETRY_AFTER_FAILURE = timedelta(seconds=60)


class AssumeRoleFailed(Exception):
    """A member role could not be assumed (the account has no such role, or it does not trust us)."""

    def __init__(self, arn: str, cause: BaseException) -> None:
        super().__init__(f"could not assume {arn}: {describe_error(cause)}")
        self.arn = arn
        self.cause = cause


def role_arn(account: str, role_name: str, partition: str = "aws") -> str:
    return f"arn:{partition}:iam::{account}:role/{role_name}"


def own_account(aws: AwsContext) -> str:
    """The account the context's credentials belong to (STS GetCallerIdentity, once per session)."""
    key = id(aws.session)
    with _lock:
        found = _own.get(key)
    if found is None:
        sts: Any = cast(Any, aws.session).client("sts", region_name=aws.region, config=_RETRY_CONFIG)
        found = str(sts.get_caller_identity()["Account"])
        with _lock:
            _own[key] = found
    return found


def _assumed_session(base: boto3.Session, arn: str, *, external_id: str, seconds: int, region: str,
                     session_name: str) -> boto3.Session:
    from botocore.credentials import RefreshableCredentials
    from botocore.session import get_session

    sts: Any = cast(Any, base).client("sts", region_name=region, config=_RETRY_CONFIG)
    failed: dict[str, Any] = {}

    def fetch() -> dict[str, str]:
        now = datetime.now(timezone.utc)
        last = failed.get("at")
        if last is not None and now - last < _RETRY_AFTER_FAILURE:
            raise failed["error"]  # the same answer for a minute: one STS call, not one per evidence read
        kwargs: dict[str, Any] = {"RoleArn": arn, "RoleSessionName": session_name, "DurationSeconds": seconds}
        if external_id:
            kwargs["ExternalId"] = external_id
        try:
            creds = sts.assume_role(**kwargs)["Credentials"]
        except (ClientError, BotoCoreError) as exc:
            failed.update(at=now, error=exc)
            raise
        failed.clear()
        expiry = creds["Expiration"]
        expiry = expiry if isinstance(expiry, datetime) else datetime.fromisoformat(str(expiry))
        return {"access_key": creds["AccessKeyId"], "secret_key": creds["SecretAccessKey"],
                "token": creds["SessionToken"], "expiry_time": expiry.isoformat()}

    credentials = RefreshableCredentials.create_from_metadata(
        metadata=fetch(), refresh_using=fetch, method="sts-assume-role")
    core = get_session()
    cast(Any, core)._credentials = credentials  # how a botocore session is given refreshable credentials
    return boto3.Session(botocore_session=core, region_name=region)


def member_context(account: str, region: str, role_name: str, *, base: AwsContext, external_id: str = "",
                   seconds: int = 3600, purpose: str = "read") -> AwsContext:
    """An AwsContext in ``account`` through its role ``role_name`` (assumed with ``base``'s credentials).

    The session is cached per (account, role) and refreshes its credentials before they expire; a new
    context shares it. Raises :class:`AssumeRoleFailed` when the role cannot be assumed.
    """
    arn = role_arn(account, role_name)
    key = (account, role_name)
    with _lock:
        session = _members.get(key)
    if session is None:
        try:
            session = _assumed_session(base.session, arn, external_id=external_id, seconds=seconds, region=region,
                                       session_name=f"incident-responder-{purpose}")
        except (ClientError, BotoCoreError) as exc:
            raise AssumeRoleFailed(arn, exc) from exc
        with _lock:
            _members[key] = session
    return AwsContext(region=region, session=session)


def failing_context(region: str, error: BaseException) -> AwsContext:
    """A context whose every call fails with ``error`` before any request leaves the process (a member
    account whose role could not be assumed): each read is then a "could not read" line naming it, and
    a redrive call a failed run with AWS's own reason."""
    from botocore.credentials import RefreshableCredentials
    from botocore.session import get_session

    def refuse() -> dict[str, str]:
        raise error

    expired = datetime(2000, 1, 1, tzinfo=timezone.utc).isoformat()
    credentials = RefreshableCredentials.create_from_metadata(
        metadata={"access_key": "unavailable", "secret_key": "unavailable", "token": "", "expiry_time": expired},
        refresh_using=refuse, method="sts-assume-role")
    core = get_session()
    cast(Any, core)._credentials = credentials  # how a botocore session is given refreshable credentials
    return AwsContext(region=region, session=boto3.Session(botocore_session=core, region_name=region))


@dataclass(frozen=True)
class AccountAccess:
    """Where the resources of one account and region are read.

    ``aws`` is the responder's own context (in that region) for its own account, else the member account's
    context through its role. ``member`` says which; ``error`` is set when the member's role could not be
    assumed: ``aws`` then refuses every call with AWS's answer, and ``error`` says what could not be read.
    """

    aws: AwsContext
    account: str = ""
    member: bool = False
    error: str = ""


def account_access(account: str, region: str, *, base: AwsContext, role_name: str, external_id: str = "",
                   seconds: int = 3600, purpose: str = "read", alias: str = "") -> AccountAccess:
    """The context that reads (or, with the redrive role, acts) in ``account`` and ``region``.

    The responder's own account (or an unknown one) is read with ``base``'s credentials; a member account
    through its role ``role_name``, the credentials cached per account (:func:`member_context`). A role that
    cannot be assumed is a log line and an :class:`AccountAccess` whose ``error`` names the account, the role
    and AWS's refusal; nothing raises.
    """
    region = region or base.region
    here = base if region == base.region else AwsContext(region=region, session=base.session)
    try:
        own = own_account(base)
    except (ClientError, BotoCoreError) as exc:
        logger.warning("own account unknown: read with the function's own role", extra={"error": describe_error(exc)})
        own = account
    if not account or account == own:
        return AccountAccess(here, account)
    try:
        return AccountAccess(member_context(account, region, role_name, base=base, external_id=external_id,
                                            seconds=seconds, purpose=purpose), account, member=True)
    except AssumeRoleFailed as exc:
        logger.warning("member role not assumed", extra={"account": account, "role": exc.arn, "purpose": purpose,
                                                         "error": describe_error(exc.cause)})
        named = f"{account} ({alias})" if alias else account
        error = (f"nothing of account {named} could be read: {exc}; deploy sam/member-account.yaml in that account, "
                 "or check its trust policy and MEMBER_EXTERNAL_ID")
        return AccountAccess(failing_context(region, exc.cause), account, member=True, error=error)
