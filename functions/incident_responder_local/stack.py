"""The stack's state (tables, queues, topics, secrets) created from template.yaml, for local use.

Tests, the CLI and the local runtime create their DynamoDB tables, SQS queues, SNS topics and
Secrets Manager secrets from the definitions in template.yaml, so the local world and the deployed
stack cannot drift. Functions, roles and rules are not created: they run in-process locally.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    import boto3

__all__ = ["DEFAULT_STACK_NAME", "TemplateNotFoundError", "create_stack_resources", "load_template"]

DEFAULT_STACK_NAME = "incident-responder"
DEFAULT_ACCOUNT = "123456789012"

# Secret logical id -> which keyword argument of create_stack_resources holds its value.
_SECRET_VALUES = {"SlackBotTokenSecret": "bot_token", "SlackSigningSecret": "signing_secret"}

_TABLE = "AWS::DynamoDB::Table"
_QUEUE = "AWS::SQS::Queue"
_TOPIC = "AWS::SNS::Topic"
_SECRET = "AWS::SecretsManager::Secret"
_FUNCTION = "AWS::Serverless::Function"


class TemplateNotFoundError(FileNotFoundError):
    """template.yaml is not where the repository layout puts it."""


class _UnresolvedError(Exception):
    """An intrinsic refers to something that does not exist locally (a function, a role)."""


class _CfnLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """A YAML loader that reads CloudFormation short-form tags (!Ref, !GetAtt, !Sub, ...) as the
    long-form dicts ({"Ref": ...}, {"Fn::GetAtt": [...]}, ...)."""


def _construct_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "Condition":
        return {"Condition": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


_CfnLoader.add_multi_constructor("!", _construct_tag)


def _repo_root() -> Path:
    # functions/incident_responder/local/stack.py -> the repository root
    return Path(__file__).resolve().parents[2]


def load_template(path: str | Path | None = None) -> dict[str, Any]:
    """Load template.yaml (the repository's, unless ``path`` is given) as a plain dict.

    CloudFormation short-form tags become their long form, e.g. ``!Ref X`` -> ``{"Ref": "X"}``.
    """
    template_path = Path(path) if path is not None else _repo_root() / "template.yaml"
    if not template_path.is_file():
        raise TemplateNotFoundError(
            f"{template_path} not found: the local stack is built from the repository's template.yaml "
            "(run from a checkout of the repository, or pass its path)"
        )
    key = (str(template_path.resolve()), template_path.stat().st_mtime_ns)
    data = _templates.get(key)
    if data is None:
        with template_path.open(encoding="utf-8") as fh:
            data = yaml.load(fh, Loader=_CfnLoader)  # a SafeLoader: no arbitrary objects
        if not isinstance(data, dict) or "Resources" not in data:
            raise ValueError(f"{template_path} is not a CloudFormation template")
        _templates[key] = data
    return copy.deepcopy(data)  # each caller may change its own copy


# Parsed templates by (path, modification time): every local stack of a test session reads the same one.
_templates: dict[tuple[str, int], dict[str, Any]] = {}


def _kebab(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "-", name).lower()


class _Resolver:
    """Evaluates the intrinsics the stack's state and environment use, with parameter defaults."""

    def __init__(self, template: dict[str, Any], stack_name: str, region: str, account: str) -> None:
        self.template = template
        self.pseudo = {
            "AWS::StackName": stack_name,
            "AWS::Region": region,
            "AWS::AccountId": account,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
        }
        self.params = {k: v.get("Default", "") for k, v in (template.get("Parameters") or {}).items()}
        self.refs: dict[str, str] = {}  # logical id -> Ref value of resources created locally
        self.attrs: dict[tuple[str, str], str] = {}  # (logical id, attribute) -> value

    def condition(self, name: str) -> bool:
        return bool(self.value(self.template.get("Conditions", {})[name]))

    def value(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self.value(v) for v in node]
        if not isinstance(node, dict):
            return node
        if len(node) != 1:
            return {k: self.value(v) for k, v in node.items()}
        (key, arg), = node.items()
        if key == "Ref":
            return self._ref(arg)
        if key == "Fn::GetAtt":
            attr = (arg[0], arg[1])
            if attr not in self.attrs:
                raise _UnresolvedError(".".join(attr))
            return self.attrs[attr]
        if key == "Fn::If":
            return self.value(arg[1] if self.condition(arg[0]) else arg[2])
        if key == "Fn::Equals":
            left, right = self.value(arg)
            return str(left) == str(right)
        if key == "Fn::Not":
            return not self.value(arg[0])
        if key == "Fn::And":
            return all(self.value(a) for a in arg)
        if key == "Fn::Or":
            return any(self.value(a) for a in arg)
        if key == "Condition":
            return self.condition(arg)
        if key == "Fn::Sub":
            return self._sub(arg)
        if key == "Fn::Join":
            return str(arg[0]).join(str(v) for v in self.value(arg[1]))
        if key == "Fn::FindInMap":
            name, top, second = self.value(arg)
            return self.template["Mappings"][name][top][second]
        if key.startswith("Fn::"):
            raise _UnresolvedError(key)
        return {key: self.value(arg)}

    def _ref(self, name: str) -> Any:
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.params:
            return self.params[name]
        if name in self.refs:
            return self.refs[name]
        raise _UnresolvedError(name)

    def _sub(self, arg: Any) -> str:
        text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], self.value(arg[1]))

        def one(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return str(variables[name])
            if "." in name:
                logical_id, attr = name.split(".", 1)
                return str(self.value({"Fn::GetAtt": [logical_id, attr]}))
            return str(self._ref(name))

        return re.sub(r"\$\{([^}!]+)\}", one, text)


def _included(resource: dict[str, Any], resolver: _Resolver) -> bool:
    # Secrets the stack would not create (an existing ARN was passed) are still created locally.
    return resource.get("Type") == _SECRET or "Condition" not in resource or resolver.condition(
        resource["Condition"])


def _name(resolver: _Resolver, props: dict[str, Any], key: str, default: str) -> str:
    return str(resolver.value(props[key])) if key in props else default


def _create_table(ddb: Any, logical_id: str, props: dict[str, Any], resolver: _Resolver, stack: str) -> None:
    name = _name(resolver, props, "TableName", f"{stack}-{_kebab(logical_id.removesuffix('Table'))}")
    on_demand = props.get("BillingMode", "PROVISIONED") == "PAY_PER_REQUEST"
    args: dict[str, Any] = {
        "TableName": name,
        "AttributeDefinitions": resolver.value(props["AttributeDefinitions"]),
        "KeySchema": resolver.value(props["KeySchema"]),
    }
    if on_demand:
        args["BillingMode"] = "PAY_PER_REQUEST"
    else:
        args["ProvisionedThroughput"] = resolver.value(props["ProvisionedThroughput"])
    if props.get("GlobalSecondaryIndexes"):
        indexes = resolver.value(props["GlobalSecondaryIndexes"])
        if on_demand:
            indexes = [{k: v for k, v in gsi.items() if k != "ProvisionedThroughput"} for gsi in indexes]
        args["GlobalSecondaryIndexes"] = indexes
    if props.get("LocalSecondaryIndexes"):
        args["LocalSecondaryIndexes"] = resolver.value(props["LocalSecondaryIndexes"])
    try:
        arn = ddb.create_table(**args)["TableDescription"]["TableArn"]
    except ddb.exceptions.ResourceInUseException:  # already created in this (shared) local account
        arn = ddb.describe_table(TableName=name)["Table"]["TableArn"]
    ttl = resolver.value(props.get("TimeToLiveSpecification"))
    if ttl and ttl.get("Enabled"):
        ddb.update_time_to_live(
            TableName=name, TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True})
    resolver.refs[logical_id] = name
    resolver.attrs[(logical_id, "Arn")] = arn


_QUEUE_ATTRIBUTES = (
    "DelaySeconds", "MaximumMessageSize", "MessageRetentionPeriod", "ReceiveMessageWaitTimeSeconds",
    "VisibilityTimeout", "FifoQueue", "ContentBasedDeduplication", "DeduplicationScope",
    "FifoThroughputLimit", "SqsManagedSseEnabled",
)


def _attr_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value)


def _create_queue(sqs: Any, logical_id: str, props: dict[str, Any], resolver: _Resolver, stack: str) -> None:
    fifo = str(resolver.value(props.get("FifoQueue", False))).lower() == "true"
    default = f"{stack}-{_kebab(logical_id)}" + (".fifo" if fifo else "")
    name = _name(resolver, props, "QueueName", default)
    attributes = {k: _attr_text(resolver.value(props[k])) for k in _QUEUE_ATTRIBUTES if k in props}
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    # The queue's ARN from its URL (https://sqs.<region>.amazonaws.com/<account>/<name>), as SQS builds both.
    arn = f"arn:{sqs.meta.partition}:sqs:{sqs.meta.region_name}:{url.rstrip('/').split('/')[-2]}:{name}"
    resolver.refs[logical_id] = url
    resolver.attrs[(logical_id, "Arn")] = arn
    resolver.attrs[(logical_id, "QueueName")] = name
    resolver.attrs[(logical_id, "QueueUrl")] = url


def _create_topic(sns: Any, logical_id: str, props: dict[str, Any], resolver: _Resolver, stack: str) -> None:
    fifo = str(resolver.value(props.get("FifoTopic", False))).lower() == "true"
    default = f"{stack}-{_kebab(logical_id)}" + (".fifo" if fifo else "")
    name = _name(resolver, props, "TopicName", default)
    attributes = {"FifoTopic": "true"} if fifo else {}
    arn = sns.create_topic(Name=name, Attributes=attributes)["TopicArn"]
    resolver.refs[logical_id] = arn
    resolver.attrs[(logical_id, "TopicArn")] = arn
    resolver.attrs[(logical_id, "TopicName")] = name


def _create_secret(sm: Any, logical_id: str, props: dict[str, Any], resolver: _Resolver, stack: str,
                   value: str) -> None:
    name = _name(resolver, props, "Name", f"{stack}/{_kebab(logical_id.removesuffix('Secret'))}")
    try:
        arn = sm.create_secret(Name=name, SecretString=value)["ARN"]
    except sm.exceptions.ResourceExistsException:
        arn = sm.put_secret_value(SecretId=name, SecretString=value)["ARN"]
    resolver.refs[logical_id] = arn
    resolver.attrs[(logical_id, "Id")] = arn


def _function_environment(template: dict[str, Any], resolver: _Resolver) -> dict[str, str]:
    """Every function variable whose value resolves locally and names a created resource."""
    env: dict[str, str] = {}
    created = set(resolver.refs.values()) | set(resolver.attrs.values())
    for resource in template["Resources"].values():
        if resource.get("Type") != _FUNCTION:
            continue
        variables = (resource.get("Properties", {}).get("Environment") or {}).get("Variables") or {}
        for name, node in variables.items():
            if isinstance(node, str):
                continue
            try:
                value = resolver.value(node)
            except _UnresolvedError:
                continue  # e.g. a function name: functions run in-process locally
            if isinstance(value, str) and value in created:
                env[name] = value
    return env


def create_stack_resources(
    session: boto3.Session,
    *,
    bot_token: str,
    signing_secret: str,
    region: str,
    stack_name: str = DEFAULT_STACK_NAME,
    template: dict[str, Any] | None = None,
) -> dict[str, str]:
    """Create the stack's tables, queues, topics and secrets with ``session`` (moto, locally).

    Tables get the template's keys, indexes and TTL; queues their FIFO, visibility and redrive
    settings; the two Slack secrets hold ``bot_token`` and ``signing_secret``. Names are derived from
    ``stack_name`` and the logical id (IncidentsTable -> ``incident-responder-incidents``), unless the
    template names the resource. Safe to call again on the same account.

    Returns the environment variables the functions read to find them, taken from the functions'
    ``Environment`` in the template, e.g. INCIDENTS_TABLE, CATALOG_TABLE, AUDIT_TABLE,
    SLACK_TOKEN_SECRET, SLACK_SIGNING_SECRET_NAME, FOLLOWUP_QUEUE_URL, NOTIFY_TOPIC_ARN.
    """
    template = template if template is not None else load_template()
    # ARNs come from the API responses; the account only fills ${AWS::AccountId} in names.
    resolver = _Resolver(template, stack_name, region, DEFAULT_ACCOUNT)
    values = {"bot_token": bot_token, "signing_secret": signing_secret}
    resources = {lid: r for lid, r in template["Resources"].items() if _included(r, resolver)}

    ddb = session.client("dynamodb", region_name=region)
    sqs = session.client("sqs", region_name=region)
    sns = session.client("sns", region_name=region)
    sm = session.client("secretsmanager", region_name=region)

    def of_type(kind: str) -> list[tuple[str, dict[str, Any]]]:
        return [(lid, r.get("Properties") or {}) for lid, r in resources.items() if r["Type"] == kind]

    for logical_id, props in of_type(_TABLE):
        _create_table(ddb, logical_id, props, resolver, stack_name)
    for logical_id, props in of_type(_TOPIC):
        _create_topic(sns, logical_id, props, resolver, stack_name)
    for logical_id, props in of_type(_SECRET):
        if logical_id not in _SECRET_VALUES:
            raise ValueError(f"no local value for the secret {logical_id}; known: {sorted(_SECRET_VALUES)}")
        _create_secret(sm, logical_id, props, resolver, stack_name, values[_SECRET_VALUES[logical_id]])
    queues = of_type(_QUEUE)
    for logical_id, props in queues:  # first all queues, then redrive policies that point at them
        _create_queue(sqs, logical_id, props, resolver, stack_name)
    for logical_id, props in queues:
        if "RedrivePolicy" in props:
            policy = resolver.value(props["RedrivePolicy"])
            sqs.set_queue_attributes(QueueUrl=resolver.refs[logical_id],
                                     Attributes={"RedrivePolicy": json.dumps(policy)})
    return _function_environment(template, resolver)
