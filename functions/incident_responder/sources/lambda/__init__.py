"""Lambda: "Lambda Function Invocation Result - Failure" (an asynchronous invocation's on-failure
destination is an EventBridge bus; the record's source is ``lambda``).

Parsing and evidence: :mod:`.evidence`. This module is the adapter: run outcomes, tags, console links,
live status, and the redrive (``Invoke`` asynchronously, ``InvocationType=Event``, with the original
payload and the version that ran). Lambda keeps no copy of an asynchronous request: when the stored
payload had secrets redacted, the real ones cannot be read again and the redrive is not offered to run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...redrive.plans import Plan, account_of, call_fields
from ..base import Adapter, NewRun, NoRun, RunOutcome, RunState, SourceContext, given
from . import changes
from .evidence import LambdaEvidence, function_url, split_arn
from .spec import LambdaSpec

if TYPE_CHECKING:
    from datetime import datetime

    from ...aws import AwsContext
    from ...evidence.changes import Baseline, Reader
    from ..base import Collector

__all__ = ["ADAPTER", "LambdaAdapter", "LambdaContext"]


@dataclass
class LambdaContext(SourceContext):
    function_name: Any = None
    request_id: Any = None
    qualifier: Any = None
    error_type: Any = None
    error_message: Any = None
    condition: Any = None
    invoke_count: Any = None
    memory_mb: Any = None
    max_memory_used_mb: Any = None
    duration_ms: Any = None
    timeout_seconds: Any = None
    runtime: Any = None
    handler: Any = None
    role: Any = None
    log_group: Any = None
    layer: Any = None  # a layer whose name says it was built for another version of the runtime's language
    layer_built_for: Any = None  # that version ("Python 3.8")


def run_key(function: str, request_id: str) -> str:
    return f"{function}#{request_id}"


class LambdaAdapter(LambdaEvidence, Adapter):
    name = "lambda"
    event_source = "lambda"
    detail_types = ("Lambda Function Invocation Result - Failure",)
    label = "Lambda"
    noun = "Lambda asynchronous invocation"
    arn_service = "lambda"
    original_read = "the invocation record"
    context_type = LambdaContext
    spec_type = LambdaSpec
    detail_schema = {"requestContext": dict, "responseContext": dict}

    def run_outcome(self, event: dict[str, Any]) -> RunOutcome | None:
        context = (event.get("detail") or {}).get("requestContext") or {}
        arn, request_id = context.get("functionArn"), context.get("requestId")
        if not isinstance(arn, str) or not isinstance(request_id, str) or not request_id:
            return None
        try:
            _, name, _ = split_arn(arn)
        except ValueError:
            return None
        failed = event.get("detail-type") == "Lambda Function Invocation Result - Failure"
        return RunOutcome(run_key(name, request_id), "failed" if failed else "succeeded")

    def console_url(self, region: str, run_id: str, extra: dict[str, Any] | None = None) -> str:
        name = str((extra or {}).get("function_name") or "")
        return function_url(region, name) if name else ""

    def tags(self, c: Collector, arn: str) -> dict[str, str]:
        out = c.call("ListTags", c.client("lambda").list_tags, Resource=arn)
        return dict((out or {}).get("Tags", {}))

    def live_status(self, aws: AwsContext, resource: dict[str, Any], latest: bool) -> RunState:
        from ...templates import escape_mrkdwn as esc

        client: Any = aws.client("lambda")
        config = client.get_function_configuration(FunctionName=resource["name"])
        lines = [f"Function {esc(resource['name'])} is *{esc(config.get('State') or '?')}* "
                 f"({esc(config.get('MemorySize'))} MB, timeout {esc(config.get('Timeout'))} s, last update "
                 f"{esc(config.get('LastUpdateStatus') or '?')}). An asynchronous request has no status of its own "
                 "once its record was sent."]
        return RunState(status=config.get("State"), lines=lines, supported=True)

    # -- redrive ----------------------------------------------------------------------------------------
    def original_ids(self, spec: LambdaSpec) -> dict[str, Any]:
        return {"function_name": given(spec.FunctionName) or "", "request_id": given(spec.requestId) or ""}

    def plan(self, spec: LambdaSpec, facts: dict[str, Any], *, attempt: int, now: datetime, region: str,
             token: str, resource_arn: str) -> Plan:
        name = str(given(spec.FunctionName) or "")
        payload = spec.Payload if spec.Payload is not None else {}
        text = payload if isinstance(payload, str) else json.dumps(payload, sort_keys=True)
        params: dict[str, Any] = {"FunctionName": name, "InvocationType": "Event", "Payload": text}
        if given(spec.Qualifier) and spec.Qualifier != "$LATEST":
            params["Qualifier"] = spec.Qualifier
        return Plan(
            **call_fields(self.name, "lambda:InvokeFunction"),
            region=region, target=name, where=f"Lambda function `{name or '?'}` ({region})", params=params,
            what=(f"Invoke `{name or '?'}` asynchronously again with the original request payload"
                  + (f" (version {spec.Qualifier})" if params.get("Qualifier") else "") + "."),
            input_label="Payload", input=payload,
            original_url=self.console_url(region, str(spec.requestId or ""), {"function_name": name}),
            expect={"function_name": name, "request_id": spec.requestId},
        )

    def read_original(self, ids: dict[str, Any], aws: AwsContext, notes: list[str]) -> dict[str, Any] | None:
        notes.append("Lambda keeps no copy of an asynchronous request's payload: only the invocation record had it")
        return None

    def real_values(self, original: dict[str, Any]) -> dict[str, Any]:
        return {}

    def baseline(self, c: Collector, r: Reader) -> Baseline | None:
        return changes.baseline(c, r)

    def redrive_resources(self, plan: Plan, aws: AwsContext, resource_arn: str) -> list[tuple[str, dict[str, str]]]:
        from ...redrive.optin import tags_of

        name = str(plan.params.get("FunctionName") or "")
        arn = name if name.startswith("arn:") else (
            f"arn:aws:lambda:{plan.region}:{account_of(resource_arn)}:function:{name}")
        client: Any = aws.client("lambda")
        return [(arn, tags_of(client.list_tags(Resource=arn).get("Tags")))]

    def new_run(self, plan: Plan, out: dict[str, Any]) -> NewRun:
        if int(out.get("StatusCode") or 0) != 202:
            raise NoRun("NotAccepted", f"Lambda answered {out.get('StatusCode')} to the asynchronous invoke")
        request_id = str((out.get("ResponseMetadata") or {}).get("RequestId") or "")
        name = plan.params["FunctionName"]
        return NewRun(request_id, run_key(name, request_id),
                      self.console_url(plan.region, request_id, {"function_name": name}))


ADAPTER = LambdaAdapter()
