"""The local world: a scenario's ``world.yaml`` loaded into moto (in-process ``mock_aws``).

Each top-level key of world.yaml has the shape boto3 returns, so real API responses can be pasted in.
Where moto has no way to reach a failure state through the API (a FAILED execution with its real
history, ECS containers' exit codes, EMR step failure details, Glue FAILED runs, old log events),
this module — and only this module — sets moto's backend objects directly; the code under test then
makes its ordinary boto3 calls.
"""

from __future__ import annotations

import gzip
import importlib
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from incident_responder.formats import load_yaml
from incident_responder.model import parse_time

if TYPE_CHECKING:
    from collections.abc import Callable, Collection

    import boto3

__all__ = ["World", "convert_times", "load_world", "to_datetime", "to_moto_datetime"]

logger = logging.getLogger(__name__)

DEFAULT_REGION = "eu-west-1"
DEFAULT_ACCOUNT = "123456789012"


def to_datetime(value: Any) -> datetime | None:
    """:func:`parse_time`, but a world time it cannot read is an error, not a missing time."""
    parsed = parse_time(value)
    if parsed is None and value not in (None, ""):
        raise ValueError(f"world time {value!r} is not ISO-8601 or epoch milliseconds")
    return parsed


def to_moto_datetime(value: Any) -> datetime | None:
    """A world time as moto keeps its own times: naive UTC. Moto sorts and compares them with its
    ``utcnow()`` (ListExecutions, ListSteps), so an aware one fails beside a run made after loading."""
    dt = to_datetime(value)
    return dt.astimezone(timezone.utc).replace(tzinfo=None) if dt else None


def convert_times(value: Any, keys: Collection[str], convert: Callable[[Any], Any], key: str = "") -> Any:
    """``value`` (a world's dicts and lists) with ``convert`` applied to every value under one of ``keys``.

    ``key`` is the key ``value`` itself stands under; list items stand under none.
    """
    if isinstance(value, dict):
        return {k: convert_times(v, keys, convert, k) for k, v in value.items()}
    if isinstance(value, list):
        return [convert_times(v, keys, convert) for v in value]
    if key in keys:
        return convert(value)
    return value


def _ms(value: Any) -> int:
    dt = to_datetime(value)
    assert dt is not None
    return int(dt.timestamp() * 1000)


@dataclass
class World:
    """A parsed world.yaml and the folder it came from (for ``file:`` references)."""

    data: dict[str, Any]
    base: Path
    region: str = DEFAULT_REGION
    account: str = DEFAULT_ACCOUNT
    env: dict[str, str] = field(default_factory=dict)
    # Member accounts (``accounts:``): account id -> that account's own world (the same keys, and
    # ``alias``, ``region``, ``roles``); see world_accounts.py.
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path | None, base: Path | None = None) -> World:
        data: dict[str, Any] = {}
        if path is not None and path.exists():
            data = load_yaml(path.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict):
            raise ValueError(f"{path}: a world is a mapping of keys (region, logs, stepfunctions, ...)")
        data = _canonical_keys(data)
        base = base or (path.parent if path else Path.cwd())
        env = {str(k): str(v) for k, v in (data.get("env") or {}).items()}
        accounts = _accounts(data.get("accounts"), path)
        account = str(data.get("account") or DEFAULT_ACCOUNT)
        if accounts and account != DEFAULT_ACCOUNT:
            # With member accounts moto must tell accounts apart by their credentials, so the
            # responder's own account is moto's default one (MOTO_ACCOUNT_ID would pin every call).
            raise ValueError(f"{path}: a world with accounts: must have account {DEFAULT_ACCOUNT}, not {account}")
        aliases = ",".join(f"{a}={spec['alias']}" for a, spec in accounts.items() if spec.get("alias"))
        if aliases:
            env.setdefault("ACCOUNT_ALIASES", aliases)
        return cls(data=data, base=base, region=str(data.get("region") or DEFAULT_REGION), account=account,
                   env=env, accounts=accounts)

    def file(self, rel: str) -> Path:
        path = (self.base / rel).resolve()
        if not path.is_file():
            raise FileNotFoundError(f"world file {rel} not found under {self.base}")
        return path


# The top-level keys of a world (each also of a member account's world, with alias, region and roles).
WORLD_KEYS = frozenset({"region", "account", "accounts", "env", "catalog", "tags", "logs", "s3", "stepfunctions", "ecs",
                        "emr", "emrserverless", "emrcontainers", "glue", "batch", "athena", "lambda"})


def _canonical_keys(data: dict[str, Any]) -> dict[str, Any]:
    """``emr_serverless``, ``emr-containers``, ``step-functions`` and ``StepFunctions`` are the ``emrserverless``,
    ``emrcontainers`` and ``stepfunctions`` keys: a world written by hand spells them several ways."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        folded = re.sub(r"[_\-\s]", "", str(key)).lower()
        out[folded if folded in WORLD_KEYS and str(key) not in WORLD_KEYS else key] = value
    return out


def unknown_world_keys(world: World) -> list[str]:
    """Top-level keys of ``world`` (and of its member accounts) that nothing loads."""
    keys = [str(k) for k in world.data if k not in WORLD_KEYS]
    for account, spec in world.accounts.items():
        keys += [f"accounts.{account}.{k}" for k in spec if k not in WORLD_KEYS | {"alias", "roles"}]
    return keys


def _accounts(raw: Any, path: Path | None) -> dict[str, dict[str, Any]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not all(isinstance(v, dict) for v in raw.values()):
        raise ValueError(f"{path}: accounts: must map account ids to their worlds")
    out = {str(k): _canonical_keys(v) for k, v in raw.items()}  # a member's world is spelled like the main one
    bad = [k for k in out if not (k.isdigit() and len(k) == 12)]
    if bad:
        raise ValueError(f"{path}: accounts: {bad} are not 12-digit account ids")
    return out


def load_world(world: World, session: boto3.Session, *, catalog_table: str) -> None:
    """Create everything the world describes in moto. ``mock_aws`` must be active, with
    MOTO_ACCOUNT_ID set to the world's account (unset for a world with member ``accounts``)."""
    _catalog(session, world, catalog_table)
    load_resources(session, world)
    if world.accounts:
        from .world_accounts import load_members

        load_members(session, world)


def load_resources(session: boto3.Session, world: World) -> None:
    """Everything of one account's world but the catalog (which is the responder's own)."""
    _logs(session, world)
    _s3(session, world)
    if world.data.get("glue"):
        _glue(session, world)
    for name in [*SOURCE_LOADERS.values(), *_SHARED_LOADERS]:
        importlib.import_module(f"{__package__}.{name}").load(session, world)
    _tags(session, world)


# -- catalog, logs, S3 ---------------------------------------------------------------------------
def _catalog(session: boto3.Session, world: World, table: str) -> None:
    entries = world.data.get("catalog") or []
    if not entries:
        return
    tbl = session.resource("dynamodb", region_name=world.region).Table(table)
    for entry in entries:
        tbl.put_item(Item={k: v for k, v in entry.items() if v is not None})


def _logs(session: boto3.Session, world: World) -> None:
    from moto.logs.models import logs_backends

    specs = world.data.get("logs") or []
    if not specs:
        return
    client = session.client("logs", region_name=world.region)
    backend = logs_backends[world.account][world.region]
    for spec in specs:
        group, stream = spec["group"], spec["stream"]
        if group not in backend.groups:
            client.create_log_group(logGroupName=group)
        if stream not in backend.groups[group].streams:
            client.create_log_stream(logGroupName=group, logStreamName=stream)
        events: list[dict[str, Any]] = [{"timestamp": _ms(e["timestamp"]), "message": str(e["message"])}
                                        for e in spec.get("events") or []]
        if spec.get("file"):
            events.extend(_file_events(world.file(spec["file"])))
        events.sort(key=lambda e: e["timestamp"])
        # LogStream.put_log_events skips PutLogEvents' "older than 14 days" rule: scenarios are old.
        backend.groups[group].streams[stream].put_log_events(events)


def _file_events(path: Path) -> list[dict[str, Any]]:
    out = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.strip():
            continue
        stamp, _, message = line.partition(" ")
        out.append({"timestamp": _ms(stamp), "message": message})
    return out


def _s3(session: boto3.Session, world: World) -> None:
    objects = world.data.get("s3") or []
    if not objects:
        return
    s3 = session.client("s3", region_name=world.region)
    made: set[str] = set()
    for obj in objects:
        bucket = obj["bucket"]
        if bucket not in made:
            kwargs: dict[str, Any] = {"Bucket": bucket}
            if world.region != "us-east-1":
                kwargs["CreateBucketConfiguration"] = {"LocationConstraint": world.region}
            s3.create_bucket(**kwargs)
            made.add(bucket)
        body = world.file(obj["file"]).read_bytes() if obj.get("file") else str(obj.get("body", "")).encode()
        if obj.get("gzip"):
            body = gzip.compress(body)
        s3.put_object(Bucket=bucket, Key=obj["key"], Body=body)


# -- Step Functions -------------------------------------------------------------------------------
# -- Glue Data Catalog --------------------------------------------------------------------------
def _glue(session: boto3.Session, world: World) -> None:
    glue = session.client("glue", region_name=world.region)
    dbs: set[str] = set()
    for table in world.data["glue"].get("tables") or []:
        db = table["DatabaseName"]
        if db not in dbs:
            try:
                glue.create_database(DatabaseInput={"Name": db})
            except glue.exceptions.AlreadyExistsException:
                pass
            dbs.add(db)
        allowed = {"Name", "Description", "Owner", "StorageDescriptor", "PartitionKeys", "TableType",
                   "Parameters", "Retention"}
        glue.create_table(DatabaseName=db, TableInput={k: v for k, v in table.items() if k in allowed})
        _set_glue_table_time(world, db, table)


def _set_glue_table_time(world: World, db: str, table: dict[str, Any]) -> None:
    from moto.glue.models import glue_backends

    updated = to_datetime(table.get("UpdateTime"))
    if updated is None:
        return
    fake = glue_backends[world.account][world.region].databases[db].tables[table["Name"]]
    for version in getattr(fake, "versions", {}).values():
        if isinstance(version, dict):
            version["UpdateTime"] = updated
    fake.updated_time = updated


# -- tags -----------------------------------------------------------------------------------------
def _tags(session: boto3.Session, world: World) -> None:
    for arn, tags in (world.data.get("tags") or {}).items():
        service = arn.split(":")[2]
        if service == "states":
            session.client("stepfunctions", region_name=world.region).tag_resource(
                resourceArn=arn, tags=[{"key": k, "value": str(v)} for k, v in tags.items()])
        elif service == "ecs":
            session.client("ecs", region_name=world.region).tag_resource(
                resourceArn=arn, tags=[{"key": k, "value": str(v)} for k, v in tags.items()])
        elif service == "glue":
            session.client("glue", region_name=world.region).tag_resource(
                ResourceArn=arn, TagsToAdd={k: str(v) for k, v in tags.items()})
        elif service == "batch":
            session.client("batch", region_name=world.region).tag_resource(
                resourceArn=arn, tags={k: str(v) for k, v in tags.items()})
        else:
            logger.warning("tags for this service are not loaded by the local world", extra={"arn": arn})


# The backend setters of the other sources live beside this module, one per service, each with
# ``load(session, world)``; they are the only other places that touch moto's backends.
# One loader module per source adapter (``load(session, world)``); a test checks every adapter has one.
SOURCE_LOADERS = {
    "stepfunctions": "world_stepfunctions",
    "ecs": "world_ecs",
    "emr": "world_emr",
    "glue": "world_glue",
    "batch": "world_batch",
    "emrserverless": "world_emrserverless",
    "emrcontainers": "world_emrcontainers",
    "athena": "world_athena",
    "gluecrawler": "world_gluecrawler",
    "gluedq": "world_gluedq",
    "lambda": "world_lambda",
}
# Not a source: the local RedriveExecution that moto lacks.
_SHARED_LOADERS = ("world_redrive",)
