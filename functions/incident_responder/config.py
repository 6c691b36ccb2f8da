"""Settings, resolved when a call runs: explicit argument, then environment variable, then default.

Every environment variable the functions read is named here and only here.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field

__all__ = ["ENV", "Settings", "settings"]

logger = logging.getLogger(__name__)

# name -> (default, description). The README's configuration reference is generated from this.
ENV: dict[str, tuple[str, str]] = {
    "INCIDENTS_TABLE": ("incident-responder-incidents", "DynamoDB table of incidents (and their Slack ts)."),
    "CATALOG_TABLE": ("incident-responder-catalog", "DynamoDB table of the pipeline catalog."),
    "CATALOG_CACHE_SECONDS": ("60", "How long a warm function reuses the catalog it read (0: every event)."),
    "AUDIT_TABLE": ("incident-responder-audit", "DynamoDB table of redrive requests, approvals and runs."),
    "SLACK_TOKEN_SECRET": ("", "Secrets Manager secret name or ARN holding the Slack bot token."),
    "SLACK_SIGNING_SECRET_NAME": ("", "Secrets Manager secret name or ARN holding the Slack signing secret."),
    "SLACK_BOT_TOKEN": ("", "The bot token itself (local use; the secret wins when both are set)."),
    "SLACK_API_URL": ("https://slack.com/api/", "Slack Web API base URL (the local emulator in the embedded default)."),
    "DEFAULT_SLACK_CHANNEL": ("#data-incidents", "Channel for pipelines with no channel of their own."),
    "EXTRA_SIGNATURES_DIR": ("", "Directory of your own signature YAML files, loaded after rules/signatures."),
    "RULES_DIR": ("", "Override of the bundled rules/ directory."),
    "PROMPTS_DIR": ("", "Override of the bundled prompts/ directory."),
    "LOG_WINDOW_BEFORE_SECONDS": ("300", "How far before a task's start logs are read."),
    "LOG_WINDOW_AFTER_SECONDS": ("60", "How far after a failure logs are read."),
    "LOG_MAX_BYTES": ("5000000", "Bound on the bytes of log text read for one report."),
    "LOG_TOKEN_BUDGET": ("2000", "Token budget for compacted log evidence in one report."),
    "NESTED_EXECUTION_DEPTH": ("3", "How deep failed nested Step Functions executions are followed."),
    "HISTORY_MAX_EVENTS": ("1000", "Bound on execution history events read (newest first)."),
    "GROUP_WINDOW_MINUTES": ("60", "Repeats of the same failure within this window thread under the first report."),
    "INCIDENT_TTL_DAYS": ("90", "Incidents expire from DynamoDB after this many days."),
    "REPORT_GLUE_STOPPED": ("false", "Report Glue runs a person STOPPED (as manual_stop)."),
    "ALLOWED_SLACK_USERS": ("", "Comma-separated Slack user IDs allowed to talk to the agent "
                                "(`*`: everyone; none set: nobody)."),
    "ALLOWED_SLACK_USERGROUP": ("", "Slack user group ID whose members are allowed too."),
    "REDRIVE_APPROVERS": ("", "Comma-separated Slack user IDs allowed to approve redrives."),
    "REDRIVE_REQUIRE_SECOND_PERSON": ("false", "An approver must differ from the requester."),
    "REDRIVE_APPROVAL_TTL_SECONDS": ("3600", "How long a redrive preview can be approved."),
    "FOLLOWUP_QUEUE_URL": ("", "SQS FIFO queue the Slack ingress enqueues to."),
    "REDRIVE_FUNCTION_NAME": ("", "The redrive function the follow-up worker invokes (only it may change "
                                  "AWS); empty is a configuration error, except in the local stack."),
    "INGRESS_FUNCTION_NAME": ("", "The Slack ingress function the failsafe shuts off (reserved concurrency 0)."),
    "NOTIFY_TOPIC_ARN": ("", "SNS topic the failsafe notifies."),
    "LLM_ENABLED": ("false", "Write up reports and answer threads with Claude on Bedrock."),
    "BEDROCK_MODEL_ID": ("us.anthropic.claude-sonnet-4-5-20250929-v1:0",
                         "Bedrock inference profile id (or model id) of the Claude model the agent calls."),
    "BEDROCK_REGION": ("", "Region of the Bedrock runtime endpoint (empty: the function's own region)."),
    "LLM_TIMEOUT_SECONDS": ("20", "Timeout of one LLM call."),
    "LLM_MAX_STEPS": ("6", "Bound on agent tool-calling steps in a thread."),
    "DIAGNOSIS_MODE": ("rules", "`rules`: signatures only, no LLM; `auto`: the agent runs when the rules give "
                                "unknown or less than high confidence; `agent`: always (the rules' answer as a "
                                "hint). Needs `LLM_ENABLED=true` for anything but `rules`."),
    "AGENT_MAX_TOOL_CALLS": ("6", "Bound on the tool calls of one agent diagnosis or answer."),
    "AGENT_TOKEN_BUDGET": ("40000", "Bound on the tokens (in + out) of one agent diagnosis or answer."),
    "AGENT_DEADLINE_SECONDS": ("45", "Bound on the wall time of one agent run (also kept well inside the "
                                     "invocation's remaining time)."),
    "AGENT_MAX_COST_PER_INCIDENT_USD": ("0.10", "Estimated-cost cap of one agent run, in US dollars."),
    "AGENT_MAX_COST_PER_DAY_USD": ("5.00", "Estimated-cost cap of all agent runs in a UTC day, in US dollars "
                                           "(an atomic counter in the incidents table)."),
    "MEMBER_READ_ROLE_NAME": ("incident-responder-read", "Role the analyzer and the follow-up worker assume in a "
                              "member account (an event whose account is not the responder's own) to read its "
                              "evidence."),
    "MEMBER_REDRIVE_ROLE_NAME": ("incident-responder-redrive", "Role the redrive function alone assumes in a member "
                                 "account to re-run its failed work."),
    "MEMBER_EXTERNAL_ID": ("", "External id sent with AssumeRole to the member roles (their trust policy requires it); "
                           "empty sends none."),
    "MEMBER_SESSION_SECONDS": ("3600", "Lifetime of a member role's credentials; they are cached per account and "
                               "refreshed before they expire."),
    "ACCOUNT_ALIASES": ("", "Comma-separated `account=alias` pairs a report shows beside a member account's id."),
    "POWERTOOLS_SERVICE_NAME": ("incident-responder", "Powertools service name (logs, metrics, traces)."),
    "POWERTOOLS_METRICS_NAMESPACE": ("IncidentResponder", "CloudWatch metrics namespace."),
    "POWERTOOLS_TRACE_DISABLED": ("false", "Turn X-Ray tracing off (the X-Ray SDK is then never imported)."),
}


def env(name: str, override: str | None = None) -> str:
    """Resolve one setting: explicit value, then the environment, then the default."""
    if override is not None:
        return override
    default = ENV[name][0] if name in ENV else ""
    return os.environ.get(name, default)


def _int(name: str) -> int:
    try:
        return int(env(name))
    except ValueError:
        return int(ENV[name][0])


def _float(name: str) -> float:
    try:
        return float(env(name))
    except ValueError:
        logger.warning("setting is not a number; using the default", extra={"setting": name})
        return float(ENV[name][0])


def _choice(name: str, allowed: set[str]) -> str:
    value = env(name).strip().lower()
    if value not in allowed:
        logger.warning("setting has an unknown value; using the default",
                       extra={"setting": name, "value": value, "allowed": sorted(allowed)})
        return ENV[name][0]
    return value


def _bool(name: str) -> bool:
    return env(name).strip().lower() in {"1", "true", "yes", "on"}


def _list(name: str) -> list[str]:
    return [v.strip() for v in env(name).split(",") if v.strip()]


def _pairs(name: str) -> dict[str, str]:
    """``a=b,c=d`` as a dict; an item without ``=`` is logged and skipped."""
    out: dict[str, str] = {}
    for item in _list(name):
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            logger.warning("setting item ignored: not key=value", extra={"setting": name, "item": item})
            continue
        out[key.strip()] = value.strip()
    return out


@dataclass
class Settings:
    """A snapshot of the settings for one invocation."""

    incidents_table: str = field(default_factory=lambda: env("INCIDENTS_TABLE"))
    catalog_table: str = field(default_factory=lambda: env("CATALOG_TABLE"))
    catalog_cache_seconds: int = field(default_factory=lambda: _int("CATALOG_CACHE_SECONDS"))
    audit_table: str = field(default_factory=lambda: env("AUDIT_TABLE"))
    slack_token_secret: str = field(default_factory=lambda: env("SLACK_TOKEN_SECRET"))
    slack_signing_secret_name: str = field(default_factory=lambda: env("SLACK_SIGNING_SECRET_NAME"))
    slack_bot_token: str = field(default_factory=lambda: env("SLACK_BOT_TOKEN"))
    slack_api_url: str = field(default_factory=lambda: env("SLACK_API_URL"))
    default_channel: str = field(default_factory=lambda: env("DEFAULT_SLACK_CHANNEL"))
    extra_signatures_dir: str = field(default_factory=lambda: env("EXTRA_SIGNATURES_DIR"))
    rules_dir: str = field(default_factory=lambda: env("RULES_DIR"))
    prompts_dir: str = field(default_factory=lambda: env("PROMPTS_DIR"))
    log_window_before: int = field(default_factory=lambda: _int("LOG_WINDOW_BEFORE_SECONDS"))
    log_window_after: int = field(default_factory=lambda: _int("LOG_WINDOW_AFTER_SECONDS"))
    log_max_bytes: int = field(default_factory=lambda: _int("LOG_MAX_BYTES"))
    log_token_budget: int = field(default_factory=lambda: _int("LOG_TOKEN_BUDGET"))
    nested_depth: int = field(default_factory=lambda: _int("NESTED_EXECUTION_DEPTH"))
    history_max_events: int = field(default_factory=lambda: _int("HISTORY_MAX_EVENTS"))
    group_window_minutes: int = field(default_factory=lambda: _int("GROUP_WINDOW_MINUTES"))
    incident_ttl_days: int = field(default_factory=lambda: _int("INCIDENT_TTL_DAYS"))
    report_glue_stopped: bool = field(default_factory=lambda: _bool("REPORT_GLUE_STOPPED"))
    allowed_users: list[str] = field(default_factory=lambda: _list("ALLOWED_SLACK_USERS"))
    allowed_usergroup: str = field(default_factory=lambda: env("ALLOWED_SLACK_USERGROUP"))
    redrive_approvers: list[str] = field(default_factory=lambda: _list("REDRIVE_APPROVERS"))
    redrive_second_person: bool = field(default_factory=lambda: _bool("REDRIVE_REQUIRE_SECOND_PERSON"))
    redrive_ttl_seconds: int = field(default_factory=lambda: _int("REDRIVE_APPROVAL_TTL_SECONDS"))
    redrive_function_name: str = field(default_factory=lambda: env("REDRIVE_FUNCTION_NAME"))
    followup_queue_url: str = field(default_factory=lambda: env("FOLLOWUP_QUEUE_URL"))
    ingress_function_name: str = field(default_factory=lambda: env("INGRESS_FUNCTION_NAME"))
    notify_topic_arn: str = field(default_factory=lambda: env("NOTIFY_TOPIC_ARN"))
    llm_enabled: bool = field(default_factory=lambda: _bool("LLM_ENABLED"))
    bedrock_model_id: str = field(default_factory=lambda: env("BEDROCK_MODEL_ID"))
    llm_timeout: int = field(default_factory=lambda: _int("LLM_TIMEOUT_SECONDS"))
    llm_max_steps: int = field(default_factory=lambda: _int("LLM_MAX_STEPS"))
    bedrock_region: str = field(default_factory=lambda: env("BEDROCK_REGION"))
    diagnosis_mode: str = field(default_factory=lambda: _choice("DIAGNOSIS_MODE", {"rules", "auto", "agent"}))
    agent_max_tool_calls: int = field(default_factory=lambda: _int("AGENT_MAX_TOOL_CALLS"))
    agent_token_budget: int = field(default_factory=lambda: _int("AGENT_TOKEN_BUDGET"))
    agent_deadline_seconds: float = field(default_factory=lambda: _float("AGENT_DEADLINE_SECONDS"))
    agent_max_cost_incident: float = field(default_factory=lambda: _float("AGENT_MAX_COST_PER_INCIDENT_USD"))
    agent_max_cost_day: float = field(default_factory=lambda: _float("AGENT_MAX_COST_PER_DAY_USD"))
    member_read_role: str = field(default_factory=lambda: env("MEMBER_READ_ROLE_NAME"))
    member_redrive_role: str = field(default_factory=lambda: env("MEMBER_REDRIVE_ROLE_NAME"))
    member_external_id: str = field(default_factory=lambda: env("MEMBER_EXTERNAL_ID"))
    member_session_seconds: int = field(default_factory=lambda: _int("MEMBER_SESSION_SECONDS"))
    account_aliases: dict[str, str] = field(default_factory=lambda: _pairs("ACCOUNT_ALIASES"))


def settings() -> Settings:
    """Read the settings from the environment now (not at import)."""
    return Settings()
