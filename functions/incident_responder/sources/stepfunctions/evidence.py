"""Step Functions: "Step Functions Execution Status Change" FAILED, TIMED_OUT and ABORTED.

Evidence: DescribeExecution, the execution history (newest first, bounded), the failed state with
its error and cause, the task type, the Lambda function's log lines within that task's own window,
the child run of a Batch, ECS, Glue, EMR, Athena, EMR Serverless, EMR on EKS or Lambda task (named by its
TaskSubmitted output or its cause) read with that service's own collector, a bounded number of calls, its
facts marked as the child's, failed
nested executions (followed to a bounded depth), and the execution input (redacted, truncated). A cause
that is JSON is parsed: the fields that carry the reason are kept whole, the rest shortened.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any, ClassVar

from ...errors import MalformedEvent
from ...formats import decoded_byte_lists, fmt_duration, json_or_none
from ...model import Incident, Resource, Skip, iso
from ..base import ChildCollector, Collector, parse_time, shorten
from ..ecs.evidence import PARENT_FAILED, exit_code_meaning
from ..emrserverless.evidence import JOB_RUN_FROM_CAUSE
from .spec import StepFunctionsSpec

__all__ = ["StepFunctionsEvidence", "execution_url"]

logger = logging.getLogger(__name__)

REPORTED = {"FAILED", "TIMED_OUT", "ABORTED"}
MAP_RUN_LISTED = 20  # child executions of a failed map run listed, per status
_FAIL_SUFFIXES = ("Failed", "TimedOut", "StartFailed", "SubmitFailed", "ScheduleFailed")
# The events of a task that completed (a Lambda, an activity, a service integration).
_TASK_SUCCEEDED = frozenset({"TaskSucceeded", "LambdaFunctionSucceeded", "ActivitySucceeded"})
_EXECUTION_END = {"ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted"}
_CATCH_DEPTH = 8  # Parallel and Map states a caught failure's handler may be nested in
# A task under way: scheduled, started or submitted (its child's id), and not ended yet.
_SCHEDULED = {"TaskScheduled", "LambdaFunctionScheduled", "ActivityScheduled"}
_TASK_UNDER_WAY = {*_SCHEDULED, "TaskStarted", "TaskSubmitted", "LambdaFunctionStarted", "ActivityStarted"}
_SUCCEEDED = {"TaskSucceeded", "LambdaFunctionSucceeded", "ActivitySucceeded"}
# What a Retry's next attempt of a failed task goes through before it succeeds: under way again, or failed again.
_RETRY_STEPS = _TASK_UNDER_WAY | {"TaskFailed", "TaskTimedOut", "LambdaFunctionFailed", "LambdaFunctionTimedOut",
                                  "ActivityFailed", "ActivityTimedOut"}
POLL_LOOP_RUNS = 3  # a task state entered this many times in one execution is a loop (a status check)
_PAGE = 100
# A run-time error names the state it happened in by the event that entered it ("(entered at the event id #7)").
_ENTERED_AT = re.compile(r"\(entered at the event id #(\d+)\)")
# A state named for failure handling (a Catch's target and what follows it).
_HANDLING_STATE = re.compile(r"(?i)fail|error|catch|clean_?up|notif|alert|handl|rollback|abort|cancel|except")
# A cause's text in the report: the fields that carry the reason whole, up to this many characters.
CAUSE_BUDGET = 4000
# Keys of a cause JSON that carry the reason (compared lower-case), wherever they are nested.
DECISIVE_KEYS = ("statechangereason", "athenaerror", "statusreason", "failuredetails", "errormessage",
                 "errortype", "stacktrace", "reason", "stoppedreason", "message", "failurereason")
# The child run a task's resource type starts, by adapter name, and its EventBridge detail-type.
_CHILD_ADAPTERS = {"batch": ("batch", "Batch Job State Change"), "ecs": ("ecs", "ECS Task State Change"),
                   "glue": ("glue", "Glue Job State Change"),
                   "elasticmapreduce": ("emr", "EMR Step Status Change"),
                   "athena": ("athena", "Athena Query State Change"),
                   "emr-serverless": ("emrserverless", "EMR Serverless Job Run State Change"),
                   "emr-containers": ("emrcontainers", "EMR Job Run State Change"),
                   "lambda": ("lambda", "Lambda Function Invocation Result - Failure")}
# A SageMaker job a task ran (createTrainingJob, createProcessingJob, createTransformJob, .sync or not): the field of
# its request (and of DescribeXJob's answer, a .sync task's cause) that names it, its log group, and its noun. Its
# log streams are named from the job: "<job>/algo-1-<epoch>", a transform's "<job>/<instance>-<epoch>[/data-log]".
_SAGEMAKER_JOBS = {"createTrainingJob": ("TrainingJobName", "/aws/sagemaker/TrainingJobs", "training job"),
                   "createProcessingJob": ("ProcessingJobName", "/aws/sagemaker/ProcessingJobs", "processing job"),
                   "createTransformJob": ("TransformJobName", "/aws/sagemaker/TransformJobs", "transform job")}
# A job run's child of EMR Serverless or EMR on EKS: the parameter (and cause field) naming what it ran on, its field
# in the run's own event, the fields naming the run (in TaskSubmitted's output, then in the cause), and its field.
_JOB_RUN_CHILDREN = {"emr-serverless": ("ApplicationId", "applicationId", ("JobRunId",), "jobRunId"),
                     "emr-containers": ("VirtualClusterId", "virtualClusterId", ("Id", "JobRunId"), "id")}
_CHILD_NOUNS = {"batch": "Batch job", "ecs": "ECS task", "glue": "Glue job run", "elasticmapreduce": "EMR step",
                "athena": "Athena query", "emr-serverless": "EMR Serverless job run",
                "emr-containers": "EMR on EKS job run", "lambda": "Lambda invocation"}
# The invocation's request id in a Lambda error a task's cause quotes: "RequestId: <id> Error: Runtime
# exited ..." and "<time>Z <id> Task timed out after ..." (a Lambda API error's "Request ID: ..." is the
# API call's, not an invocation's).
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_CLUSTER_ID = re.compile(r"\bj-[0-9A-Z]{8,14}\b")
_REQUEST_ID = re.compile(rf"RequestId: ({_UUID})\b|\dZ\s+({_UUID})\s+Task timed out")


def _decisive(doc: Any, depth: int = 0) -> list[tuple[str, str]]:
    """(key, text) of every field of a parsed cause that carries the reason, in document order."""
    found: list[tuple[str, str]] = []
    if depth > 5:
        return found
    if isinstance(doc, dict):
        for key, value in doc.items():
            if str(key).lower() in DECISIVE_KEYS and value not in (None, "", [], {}):
                if isinstance(value, list) and all(isinstance(v, str) for v in value):
                    text = "\n".join(value)
                elif isinstance(value, (dict, list)):
                    text = json.dumps(value, sort_keys=True, default=str)
                else:
                    text = str(value)
                found.append((str(key), decoded_byte_lists(text)))
            elif isinstance(value, (dict, list)):
                found.extend(_decisive(value, depth + 1))
    elif isinstance(doc, list):
        for value in doc[:20]:
            found.extend(_decisive(value, depth + 1))
    return found


def cause_text(cause: Any, budget: int = CAUSE_BUDGET) -> str:
    """A task's cause as the report shows it: a JSON cause parsed, the fields that say why (StatusReason,
    FailureDetails, ErrorMessage, errorType/errorMessage/stackTrace, Reason...) whole, then the rest of
    the document shortened to what the budget leaves; a plain cause shortened to the budget."""
    text = str(cause)
    doc = json_or_none(cause) if isinstance(cause, str) else cause
    if not isinstance(doc, (dict, list)):
        return shorten(text, budget)
    parts = list(dict.fromkeys(f"{k}: {v}" for k, v in _decisive(doc)))
    head = "; ".join(parts)
    if not head:
        return shorten(text, budget)
    if len(head) >= budget:
        return shorten(head, budget)
    rest = budget - len(head) - 20
    # The cause as the service wrote it (its own key order and spacing, as a person searching for it would
    # paste it), on one line.
    whole = " ".join(text.split()) if isinstance(cause, str) else json.dumps(doc, default=str)
    whole = decoded_byte_lists(whole)
    return head + (f" — full cause: {shorten(whole, rest)}" if rest > 80 else "")


def _lower_keys(doc: Any, depth: int = 0) -> Any:
    """A Step Functions cause (the service's describe output, keys capitalised) in the service's own
    API casing: ``JobId`` -> ``jobId``, ``Containers[].ExitCode`` -> ``containers[].exitCode``."""
    if depth > 6:
        return doc
    if isinstance(doc, dict):
        return {(k[:1].lower() + k[1:] if isinstance(k, str) else k): _lower_keys(v, depth + 1)
                for k, v in doc.items()}
    if isinstance(doc, list):
        return [_lower_keys(v, depth + 1) for v in doc]
    return doc


def _details(event: dict[str, Any]) -> dict[str, Any]:
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, dict):
            return value
    return {}


_END_STATUS = {"ExecutionFailed": "FAILED", "ExecutionTimedOut": "TIMED_OUT", "ExecutionAborted": "ABORTED",
               "ExecutionSucceeded": "SUCCEEDED"}


def _describe_from_history(events: list[dict[str, Any]], arn: str) -> dict[str, Any] | None:
    """DescribeExecution's facts from a complete history, or None when the history is partial."""
    if not events or events[0].get("type") != "ExecutionStarted":
        return None
    started = events[0]
    end = next((e for e in reversed(events) if e.get("type") in _END_STATUS), None)
    parts = arn.split(":")
    out: dict[str, Any] = {
        "executionArn": arn, "name": execution_names(arn)[1], "startDate": started.get("timestamp"),
        "input": _details(started).get("input"),
        "status": _END_STATUS[end["type"]] if end else "RUNNING",
        "stateMachineArn": ":".join([*parts[:5], "stateMachine", parts[6]]) if len(parts) > 7 else None,
    }
    if end is not None:
        out["stopDate"] = end.get("timestamp")
        out.update({k: v for k, v in _details(end).items() if k in ("error", "cause")})
    return out


def _event_id(event: dict[str, Any]) -> int:
    value = event.get("id")
    return value if isinstance(value, int) else int(str(value)) if str(value).isdigit() else 0


def _caught_error(doc: Any, depth: int = 0) -> dict[str, Any] | None:
    """The error a Catch put in a state's input: a dict with "Error" and "Cause" (at the top or under the Catch's
    ResultPath), searched a few levels deep."""
    if not isinstance(doc, dict) or depth > 3:
        return None
    if isinstance(doc.get("Error"), str) and "Cause" in doc:
        return doc
    for value in doc.values():
        found = _caught_error(value, depth + 1)
        if found:
            return found
    return None


def execution_url(region: str, execution_arn: str) -> str:
    return (f"https://{region}.console.aws.amazon.com/states/home?region={region}"
            f"#/v2/executions/details/{execution_arn}")


def _sagemaker_job(task_type: str) -> tuple[str, str, str] | None:
    """The SageMaker job a task type runs (its name field, log group and noun), or None."""
    service, _, action = task_type.partition(":")
    return _SAGEMAKER_JOBS.get(action.split(".")[0]) if service == "sagemaker" else None


def _find(doc: Any, key: str, depth: int = 0) -> Any:
    """The first value of ``key`` (either casing of its first letter) in a cause or an output, however
    nested: a .sync task's cause wraps the service's describe answer (``{"QueryExecution": {...}}``)."""
    if depth > 4:
        return None
    if isinstance(doc, dict):
        for name in (key, key[:1].lower() + key[1:]):
            if doc.get(name) not in (None, "", [], {}):
                return doc[name]
        for value in doc.values():
            found = _find(value, key, depth + 1) if isinstance(value, (dict, list)) else None
            if found is not None:
                return found
    elif isinstance(doc, list):
        for value in doc[:10]:
            found = _find(value, key, depth + 1)
            if found is not None:
                return found
    return None


# A Batch job that has not started: Batch says why while it waits ("CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY ...",
# "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT ...").
_NOT_STARTED = frozenset({"SUBMITTED", "PENDING", "RUNNABLE"})


def _polled_job(c: Collector, job_id: str) -> None:
    """The Batch job a polling loop waited on until its execution timed out, as Batch describes it now (one
    DescribeJobs): a status reason says why it has not started, read as the job's own (a child's) evidence."""
    out = c.call(f"DescribeJobs {job_id}", c.client("batch").describe_jobs, jobs=[job_id])
    jobs = [j for j in (out or {}).get("jobs") or [] if isinstance(j, dict)]
    if not jobs:
        if out is not None:
            c.book.gap(f"the Batch job the execution polled ({job_id}): DescribeJobs knows no such job")
        return
    from ..batch.evidence import definition_parts, job_resources

    job = jobs[0]
    reason = str(job.get("statusReason") or "")
    name = job.get("jobName") or job_id
    queue = str(job.get("jobQueue") or "").rsplit("/", 1)[-1]
    asks = job_resources(job.get("container") or {})
    c.add("job", "batch:DescribeJobs",
          f"The Batch job the execution polled, {name} ({job_id}), is {job.get('status') or 'in an unknown state'}"
          + (f": {reason}" if reason else " (Batch gives no status reason)") + f" — queue {queue or '?'}",
          None, child=True, child_source="batch", status_reason=reason, job_name=name, job_queue=queue,
          job_definition_name=definition_parts(str(job.get("jobDefinition") or "?"))[0],
          vcpus=asks.get("VCPU", "?"), memory=asks.get("MEMORY", "?"))


def _function_arn(value: str, region: str, account: str) -> str | None:
    """A function's (possibly qualified) ARN from a task's FunctionName: a name, ``name:alias``, a partial
    ARN (``<account>:function:<name>``) or an ARN."""
    if value.startswith("arn:"):
        return value if ":function:" in value else None
    if ":function:" in value:
        return f"arn:aws:lambda:{region}:{value}"
    return f"arn:aws:lambda:{region}:{account}:function:{value}" if value else None


def _lambda_error(doc: dict[str, Any], cause: str) -> dict[str, Any]:
    """The error a function returned, as a task's cause carries it: the payload itself, or the payload
    quoted after "Returned payload:" when Lambda gave no error type."""
    if not doc and "Returned payload:" in cause:
        quoted = json_or_none(cause.split("Returned payload:", 1)[1].strip())
        doc = quoted if isinstance(quoted, dict) else {"errorMessage": cause}
    keys = ("errorType", "errorMessage", "stackTrace", "trace", "requestId")
    out = {k: doc[k] for k in keys if doc.get(k) not in (None, "", [])}
    if "trace" in out and "stackTrace" not in out:
        out["stackTrace"] = out.pop("trace")  # Node.js names it trace
    out.pop("trace", None)
    return out


def _function_name(value: str) -> str:
    """Lambda function name from a name, a partial or full ARN, with or without a qualifier."""
    if value.startswith("arn:"):
        parts = value.split(":")
        return parts[6] if len(parts) > 6 else value
    return value.split(":")[0]


class StepFunctionsEvidence:
    """Parsing of the service's events and collection of its evidence (the adapter's first half)."""

    name: ClassVar[str]  # the adapter's

    def parse(self, event: dict[str, Any]) -> Incident | Skip:
        detail = event.get("detail") or {}
        arn = detail.get("executionArn")
        status = detail.get("status")
        if not arn or not status:
            raise MalformedEvent("Step Functions event without detail.executionArn or detail.status")
        if status not in REPORTED:
            return Skip(f"execution status {status} is not a failure")
        parts = arn.split(":")
        sm_arn = detail.get("stateMachineArn") or (
            ":".join([*parts[:5], "stateMachine", parts[6]]) if len(parts) > 7 else "")
        return Incident(
            source=self.name, event_id=str(event.get("id", "")), detail_type=event["detail-type"],
            region=event.get("region") or parts[3], account=event.get("account") or parts[4],
            resource=Resource(arn=arn, name=sm_arn.split(":")[-1] if sm_arn else arn,
                              run_id=detail.get("name") or parts[-1]),
            status=status, event_time=event.get("time"),
            started_at=iso(detail.get("startDate")), stopped_at=iso(detail.get("stopDate")),
            catalog_arns=[a for a in (sm_arn, arn) if a], detail=detail,
        )

    # -- evidence ---------------------------------------------------------------------------------
    def collect(self, c: Collector, depth: int = 0, execution_arn: str | None = None) -> None:
        inc = c.incident
        arn = execution_arn or inc.resource.arn
        sfn = c.client("stepfunctions")
        region = arn.split(":")[3] if arn.count(":") > 3 else inc.region
        if depth == 0:
            c.context.update(execution_arn=arn, execution_name=inc.resource.run_id,
                             state_machine=inc.resource.name, console_url=execution_url(region, arn))
            c.links.append(_link("Execution in the Step Functions console", execution_url(region, arn)))
        events = self._history(c, arn)
        # A complete history (it starts with ExecutionStarted) already says what DescribeExecution
        # would: status, input, times. Only a partial one needs the extra call.
        describe = _describe_from_history(events, arn)
        input_source = "states:GetExecutionHistory"
        if describe is None:
            input_source = "states:DescribeExecution"
            describe = c.call(f"DescribeExecution {arn.split(':')[-1]}", sfn.describe_execution, executionArn=arn)
        status = (describe or {}).get("status") or (inc.status if depth == 0 else "FAILED")
        if depth == 0 and describe is not None:
            status = inc.status  # the event's own status is the one being reported
        if describe is None and not events:
            if depth == 0:
                c.add("history", "states:DescribeExecution",
                      f"Execution {inc.resource.run_id} of {inc.resource.name} ended {status} "
                      f"(from the event; the execution itself could not be read)",
                      inc.stopped_at or inc.event_time, status=status)
            return
        mark = len(c.book.items)
        self._analyze_history(c, arn, status, describe or {}, events, depth)
        if depth:
            # All a nested execution's reads are the child's: its states' own logs (a CodeBuild build's stream, a
            # Lambda task's group) beside its history, so the child's own cause is read from them too.
            for ev in c.book.items[mark:]:
                ev.facts.setdefault("child", True)
        if depth == 0:
            raw_input = (describe or {}).get("input", inc.detail.get("input"))
            if raw_input not in (None, "", "{}"):
                c.add_json("config", input_source, "Execution input", raw_input, limit=500, given=True)
            c.context["execution_input"] = raw_input
            sm_arn = inc.detail.get("stateMachineArn") or (describe or {}).get("stateMachineArn")
            if sm_arn:
                c.context["redrive"] = StepFunctionsSpec(
                    service="stepfunctions", execution_arn=arn, state_machine_arn=sm_arn,
                    name=inc.resource.run_id or "", input=raw_input, status=status,
                    stop_date=(describe or {}).get("stopDate") or inc.stopped_at,
                    redrive_count=(describe or {}).get("redriveCount", 0))

    def _history(self, c: Collector, arn: str) -> list[dict[str, Any]]:
        sfn = c.client("stepfunctions")
        events: list[dict[str, Any]] = []
        token = None
        while len(events) < c.settings.history_max_events:
            kwargs: dict[str, Any] = {"executionArn": arn, "reverseOrder": True,
                                      "maxResults": min(_PAGE, c.settings.history_max_events - len(events))}
            if token:
                kwargs["nextToken"] = token
            page = c.call(f"GetExecutionHistory {arn.split(':')[-1]}", sfn.get_execution_history, **kwargs)
            if page is None:
                break
            events.extend(page.get("events", []))
            token = page.get("nextToken")
            if not token:
                break
        if token:
            c.book.gap(f"execution history longer than {len(events)} events: only the newest were read")
        by_id = {e.get("id", i): e for i, e in enumerate(events)}
        return sorted(by_id.values(), key=lambda e: e.get("id", 0))

    def _analyze_history(self, c: Collector, arn: str, status: str, describe: dict[str, Any],
                         events: list[dict[str, Any]], depth: int) -> None:
        by_id = {e.get("id"): e for e in events}
        prefix = "Nested execution: " if depth else ""
        child = depth > 0
        end_event = next((e for e in reversed(events) if e.get("type") in _EXECUTION_END), None)
        failures = [e for e in events if e.get("type", "").endswith(_FAIL_SUFFIXES)
                    and e.get("type") not in _EXECUTION_END]
        # A task its Retry ran again until it succeeded (a throttled describe call) recovered: its failure is no
        # cause. The newest failure that says why: a Map or Parallel state's own failure event (MapStateFailed)
        # carries no error; the task failure inside it that came before does.
        standing = self._not_recovered(failures, events)
        failed = next((e for e in reversed(standing) if _details(e).get("error")), standing[-1] if standing else None)
        # A state its Catch ran (a notifier, a cleanup) that failed in turn: the failure it was handling is the
        # cause, and the handler's own error (a JSONDecodeError on the empty Cause it was given) its consequence.
        handler = failed
        failed = self._caught(failed, failures, by_id) if failed else None
        if failed is None:
            failed, handler = handler, None
        state = self._state_of(failed, by_id) if failed else None
        scheduled = self._scheduled_of(failed, by_id) if failed else None
        # A run-time error in a later state, after a failure its Catch handled (and the handler's own, caught in turn):
        # the flow went past them, so the end is that state's own failure (a path its input lacks), and what the
        # Catch handled is a red herring (a caught Bedrock throttle before "The JSONPath '$.document' ... could not
        # be found in the input").
        past = self._went_past(end_event, failed, handler, by_id) if failed else False
        book_start = len(c.book.items)
        if failed:
            d = _details(failed)
            error, cause = d.get("error", ""), d.get("cause", "")
            task_type = self._task_type(failed, scheduled)
            attempts = sum(1 for e in failures if e.get("type") == failed.get("type")
                           and self._state_of(e, by_id) == state)
            text = f"{prefix}State '{state or '?'}' ({task_type or failed['type']}) failed with {failed['type']}"
            text += f": {error}" if error else ""
            if attempts > 1:
                text += f" after {attempts} attempts"
            if cause:
                text += f" — cause: {cause_text(cause)}"
            c.add("history", "states:GetExecutionHistory", text, failed.get("timestamp"),
                  error=error, cause=str(cause), state=state or "", task_type=task_type or "",
                  event_type=failed["type"], child=child, status=status)
            self._earlier_attempts(c, failures, failed, state, by_id, prefix, child)
            if handler is not None:
                hd = _details(handler)
                given = _caught_error(json_or_none(_details(self._entered_of(handler, by_id) or {}).get("input"))) or {}
                text = (f"{prefix}The Catch of state '{state or '?'}' then ran state "
                        f"'{self._state_of(handler, by_id) or '?'}' with "
                        f"{shorten(json.dumps(given, separators=(',', ':')), 300)}, which failed too with "
                        f"{handler.get('type')}" + (f": {hd.get('error')}" if hd.get("error") else "")
                        + (f" — cause: {cause_text(hd.get('cause'))}" if hd.get("cause") else ""))
                c.add("history", "states:GetExecutionHistory", text, handler.get("timestamp"),
                      error=hd.get("error", ""), cause=str(hd.get("cause", "")), event_type=handler.get("type", ""),
                      child=child, handler=True)
            if depth == 0 and not past:
                c.context.update(state=state or "?", error=error or failed["type"], task_type=task_type or "?")
            self._task_specific(c, failed, scheduled, task_type, cause, depth, by_id)
            if past:
                for ev in c.book.items[book_start:]:  # caught, and the handler's own failure caught in turn
                    ev.facts.pop("handler", None)
                    ev.facts["recovered"] = True
                failed = handler = None  # the end below is the failure
        if failed is None and end_event is not None and depth == 0:
            # No task failed (States.Runtime, an execution timeout, an abort): the state it was in.
            c.context.setdefault("state", self._state_of(end_event, by_id) or "?")
        if failed is None and end_event is not None and end_event.get("type") == "ExecutionFailed":
            # A Fail state after a Distributed Map that tolerated its failures ("3 file(s) failed"): the map run's
            # failed children say why.
            self._map_run(c, end_event, by_id, depth, quiet=True)
            self._reported_failure(c, end_event, by_id, prefix)
        if end_event is not None:
            d = _details(end_event)
            error, cause = d.get("error", ""), d.get("cause", "")
            same = any(e is not None and error == _details(e).get("error") and cause == _details(e).get("cause")
                       for e in (failed, handler))
            if end_event["type"] == "ExecutionAborted":
                text = f"{prefix}Execution was aborted (StopExecution)"
                text += self._aborted_in(end_event, by_id)
                text += f" with error {error}" if error else ", with no error given"
                text += f": {cause_text(cause, 1200)}" if cause else ""
                c.add("history", "states:GetExecutionHistory", text, end_event.get("timestamp"),
                      error=error, cause=str(cause), status="ABORTED", event_type=end_event["type"], child=child)
            elif not same:
                text = f"{prefix}Execution ended with {end_event['type']}"
                text += f": {error}" if error else ""
                text += f" — cause: {cause_text(cause)}" if cause else ""
                # After a failure handler that failed too, the end is the handler's doing: what it says (a path
                # into the error it was handed) follows the caught failure, which is the cause.
                c.add("history", "states:GetExecutionHistory", text, end_event.get("timestamp"),
                      error=error, cause=str(cause), status=status, event_type=end_event["type"], child=child,
                      **({"handler": True} if handler is not None else {}))
                self._entered_input(c, str(cause), by_id, prefix)
                if failed is None and end_event["type"] == "ExecutionTimedOut":
                    self._poll_loop(c, events, prefix, child)
                    self._in_flight(c, events, end_event, by_id, prefix, depth)
        elif failed is None and depth == 0:
            error, cause = describe.get("error", ""), describe.get("cause", "")
            text = f"Execution {describe.get('name', arn)} is {status}"
            text += f": {error}" if error else ""
            text += f" — cause: {cause_text(cause)}" if cause else ""
            c.add("history", "states:DescribeExecution", text, describe.get("stopDate"),
                  error=error, cause=cause, status=status)

    def _in_flight(self, c: Collector, events: list[dict[str, Any]], end_event: dict[str, Any],
                   by_id: dict[Any, dict[str, Any]], prefix: str, depth: int) -> None:
        """An execution that timed out while a task was still running (an EMR step, a Batch job, a Glue run it
        waited on with .sync, a Lambda invocation): the timeout ended the wait, and the task's own evidence (the
        step's stderr: "Initial job has not accepted any resources") says why it did not finish."""
        # scheduled event id -> (the scheduled event, the task's latest event)
        pending: dict[Any, tuple[dict[str, Any], dict[str, Any]]] = {}
        for e in events:
            kind = e.get("type", "")
            if kind in _TASK_UNDER_WAY:
                scheduled = e if kind in _SCHEDULED else self._scheduled_of(e, by_id)
                if scheduled is not None:
                    pending[scheduled.get("id")] = (scheduled, e)
            elif kind.startswith(("Task", "LambdaFunction", "Activity")) and not kind.endswith("StateEntered"):
                scheduled = self._scheduled_of(e, by_id)
                if scheduled is not None:
                    pending.pop(scheduled.get("id"), None)
        if not pending:
            return
        scheduled, latest = max(pending.values(), key=lambda under_way: _event_id(under_way[0]))
        task_type = self._task_type(latest, scheduled)
        state = self._state_of(latest, by_id)
        c.add("history", "states:GetExecutionHistory",
              f"{prefix}The execution timed out while state '{state or '?'}' ({task_type or latest['type']}) was "
              "still running its task", latest.get("timestamp"), state=state or "", task_type=task_type or "",
              event_type="InFlightTask", child=depth > 0)
        if (task_type.split(":")[0] in _CHILD_ADAPTERS or task_type.startswith("elasticmapreduce:createCluster")
                or _sagemaker_job(task_type) is not None):
            # The task as the timeout ended it: the execution's end, right after the task's last event (its
            # TaskSubmitted names the child).
            ended = {"id": end_event.get("id"), "type": "ExecutionTimedOut", "previousEventId": latest.get("id"),
                     "timestamp": end_event.get("timestamp")}
            self._task_specific(c, ended, scheduled, task_type, "", depth, by_id)

    @staticmethod
    def _poll_loop(c: Collector, events: list[dict[str, Any]], prefix: str, child: bool) -> None:
        """An execution that ran out of time in a loop (submit, wait, check the job's status, again): the task state
        it ran most, ``POLL_LOOP_RUNS`` times at least, and what it returned the last time ("RUNNABLE": the job it
        polled never started). The timeout only ended the wait; what was awaited is the question."""
        runs: dict[str, int] = {}
        last: dict[str, str] = {}
        for e in events:
            name = str(_details(e).get("name") or "")
            if e.get("type") == "TaskStateEntered" and name:
                runs[name] = runs.get(name, 0) + 1
            elif e.get("type") == "TaskStateExited" and name:
                last[name] = str(_details(e).get("output") or "")
        looped = [(n, k) for n, k in runs.items() if k >= POLL_LOOP_RUNS and n in last]
        if not looped:
            return
        name, count = max(looped, key=lambda item: item[1])
        c.add_json("history", "states:GetExecutionHistory",
                   f"{prefix}The execution was polling when it ran out of time: state '{name}' ran {count} times; "
                   "its last output", last[name], limit=400, event_type="PollLoop", child=child)
        output = json_or_none(last[name])
        job_id = _find(output, "JobId")
        if isinstance(job_id, str) and str(_find(output, "Status") or "").upper() in _NOT_STARTED:
            _polled_job(c, job_id)

    @classmethod
    def _entered_input(cls, c: Collector, cause: str, by_id: dict[Any, dict[str, Any]], prefix: str) -> None:
        """The input of the state a run-time error names ("An error occurred while executing the state 'Buy or
        Sell?' (entered at the event id #7). Invalid path '$.stock_price' ..."), and the state that produced it:
        the data the path failed on ("{}" from a Lambda whose response serialized to nothing)."""
        m = _ENTERED_AT.search(cause)
        entered = by_id.get(int(m.group(1))) if m else None
        if not entered or not entered.get("type", "").endswith("StateEntered"):
            return
        d = _details(entered)
        if d.get("input") is None:
            return
        before = next((e for e in cls._back(by_id.get(entered.get("previousEventId")), by_id)
                       if e.get("type", "").endswith("StateExited")), None)
        label = f"{prefix}State '{d.get('name', '?')}' was entered with input"
        if before is not None and _details(before).get("name"):
            label += f" (the output of state '{_details(before)['name']}')"
        c.add_json("history", "states:GetExecutionHistory", label, d["input"], limit=500,
                   time=entered.get("timestamp"))

    def _reported_failure(self, c: Collector, end_event: dict[str, Any], by_id: dict[Any, dict[str, Any]],
                          prefix: str) -> None:
        """A Fail state reached after a Lambda task that succeeded: the function caught its own failure and
        returned it ("rows were not written"), and a Choice sent the execution to the Fail state. That invocation's
        output and its log lines (the error it caught and logged) say why."""
        entered = by_id.get(end_event.get("previousEventId"))
        if entered is None or entered.get("type") != "FailStateEntered":
            return  # States.Runtime in a Choice, a Map's tolerated failures: not a Fail state the function chose
        done = next((e for e in self._back(entered, by_id)
                     if e.get("type") in ("TaskSucceeded", "LambdaFunctionSucceeded")), None)
        scheduled = self._scheduled_of(done, by_id) if done is not None else None
        if done is None or scheduled is None:
            return
        task_type = self._task_type(done, scheduled)
        label = (f"{prefix}Before the Fail state, state '{self._state_of(done, by_id) or '?'}' ({task_type}) "
                 "succeeded with output")
        output = json_or_none(_details(done).get("output"))
        payload = output.get("Payload", output) if isinstance(output, dict) else output
        lambda_task = task_type.startswith("lambda")
        # A service call a poll loop made (a DescribeFeatureGroup, a GetJobRun) whose answer the Choice read as
        # failed: shown when the answer gives a reason of its own ("FailureReason": ...).
        if not lambda_task and not _decisive(payload):
            return
        c.add_json("history", "states:GetExecutionHistory", label, payload, limit=500, time=done.get("timestamp"))
        if lambda_task:
            self._lambda_logs(c, done, scheduled)

    @staticmethod
    def _back(event: dict[str, Any] | None, by_id: dict[Any, dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """``event`` and the events before it, following previousEventId (bounded)."""
        for _ in range(10_000):
            if event is None:
                return
            yield event
            event = by_id.get(event.get("previousEventId"))

    @classmethod
    def _aborted_in(cls, end_event: dict[str, Any], by_id: dict[Any, dict[str, Any]]) -> str:
        """`` while in state 'Run loader' (for 31.0 d)``: where a stopped execution was, and for how long."""
        for cur in cls._back(by_id.get(end_event.get("previousEventId")), by_id):
            if cur.get("type", "").endswith("StateExited"):
                return ""
            if cur.get("type", "").endswith("StateEntered"):
                name = _details(cur).get("name")
                entered, ended = parse_time(cur.get("timestamp")), parse_time(end_event.get("timestamp"))
                if not name:
                    return ""
                if entered is None or ended is None:
                    return f" while in state '{name}'"
                return f" while in state '{name}' (for {fmt_duration((ended - entered).total_seconds())})"
        return ""

    @staticmethod
    def _not_recovered(failures: list[dict[str, Any]], events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """``failures`` but those a Retry ran again until the task succeeded: the events that follow one
        (previousEventId) are its next attempts (scheduled, started, failed again) up to a success. A Map
        iteration's or a Catch's next step ends the walk: that failure stood."""
        if not failures or not any(e.get("type") in _SUCCEEDED for e in events):
            return failures
        after: dict[Any, dict[str, Any]] = {}
        for e in events:
            after.setdefault(e.get("previousEventId"), e)

        def recovered(failure: dict[str, Any]) -> bool:
            cur = after.get(failure.get("id"))
            for _ in range(64):
                if cur is None:
                    return False
                kind = cur.get("type", "")
                if kind in _SUCCEEDED:
                    return True
                if kind not in _RETRY_STEPS:
                    return False
                cur = after.get(cur.get("id"))
            return False

        return [f for f in failures if not recovered(f)]

    @classmethod
    def _entered_of(cls, event: dict[str, Any], by_id: dict[Any, dict[str, Any]]) -> dict[str, Any] | None:
        """The StateEntered event of the state ``event`` happened in."""
        return next((e for e in cls._back(event, by_id) if e.get("type", "").endswith("StateEntered")), None)

    @classmethod
    def _state_of(cls, event: dict[str, Any], by_id: dict[Any, dict[str, Any]]) -> str | None:
        entered = cls._entered_of(event, by_id)
        return _details(entered).get("name") if entered else None

    @classmethod
    def _scheduled_of(cls, event: dict[str, Any], by_id: dict[Any, dict[str, Any]]) -> dict[str, Any] | None:
        for cur in cls._back(event, by_id):
            if cur.get("type", "").endswith("StateEntered"):
                return None
            if cur.get("type") in {"TaskScheduled", "LambdaFunctionScheduled", "ActivityScheduled"}:
                return cur
        return None

    @staticmethod
    def _task_type(failed: dict[str, Any], scheduled: dict[str, Any] | None) -> str:
        d = _details(scheduled or failed)
        if (scheduled or failed).get("type", "").startswith("LambdaFunction"):
            return "lambda:invoke"
        rtype, res = d.get("resourceType"), d.get("resource")
        return f"{rtype}:{res}" if rtype and res else (rtype or "")

    def _task_specific(self, c: Collector, failed: dict[str, Any], scheduled: dict[str, Any] | None,
                       task_type: str, cause: Any, depth: int, by_id: dict[Any, dict[str, Any]]) -> None:
        if failed.get("type") == "MapRunFailed":
            self._map_run(c, failed, by_id, depth)
            return
        cause_doc = json_or_none(cause)
        if task_type.startswith("lambda") and scheduled is not None:
            # The invocation the cause names is the child (its function's configuration and its own log
            # lines); a cause that names none leaves the function's log in the task's window.
            self._lambda_names(c, scheduled)
            if not self._child(c, failed, scheduled, "lambda:invoke", cause_doc, depth, by_id, cause=str(cause)):
                self._lambda_logs(c, failed, scheduled)
            return
        if task_type.startswith("states:startExecution"):
            self._nested(c, cause_doc, scheduled, depth)
            return
        if task_type.startswith("elasticmapreduce:createCluster"):
            self._created_cluster(c, failed, cause_doc, str(cause), by_id)
            return
        if task_type.split(":")[0] in _CHILD_ADAPTERS and self._child(c, failed, scheduled, task_type,
                                                                      cause_doc, depth, by_id):
            return
        job = _sagemaker_job(task_type)
        if job is not None:
            self._sagemaker_logs(c, job, cause_doc, failed, scheduled)
            return
        if task_type.split(":")[0] not in _CHILD_ADAPTERS:
            self._log_stream_of_cause(c, cause_doc, failed, scheduled)
        # The child could not be followed: what its cause says.
        if task_type.startswith("ecs:runTask") and isinstance(cause_doc, dict):
            self._ecs_cause(c, cause_doc, failed)
        elif task_type.startswith("batch:submitJob") and isinstance(cause_doc, dict):
            reason = cause_doc.get("StatusReason") or cause_doc.get("statusReason")
            attempts = cause_doc.get("Attempts") or []
            for a in attempts[-3:]:
                cont = a.get("Container") or {}
                why = cont.get("Reason") or a.get("StatusReason") or ""
                code = cont.get("ExitCode", "?")
                meaning = exit_code_meaning(code)
                c.add("job", "batch (from the task's cause)",
                      f"Batch attempt exited {code}" + (f" ({meaning})" if meaning else "") + f": {why}",
                      a.get("StoppedAt"), exit_code=cont.get("ExitCode"), reason=cont.get("Reason") or "")
            # A Batch on EKS job's attempts are its pods: the pod's container (or init container) that failed.
            from ..batch.eks import attempt_text

            eks_attempts = [a for a in cause_doc.get("EksAttempts") or [] if isinstance(a, dict)]
            for n, a in enumerate(eks_attempts[-3:], start=max(len(eks_attempts) - 3, 0) + 1):
                text, facts = attempt_text(a, n, len(eks_attempts))
                c.add("job", "batch (from the task's cause)", text, a.get("StoppedAt"), **facts)
            if reason:
                c.add("job", "batch (from the task's cause)", f"Batch job status reason: {reason}",
                      failed.get("timestamp"), reason=reason)
        elif task_type.startswith("glue:startJobRun") and isinstance(cause_doc, dict):
            msg = cause_doc.get("ErrorMessage")
            if msg:
                c.add("job", "glue (from the task's cause)",
                      f"Glue job {cause_doc.get('JobName', '?')} run {cause_doc.get('Id', '')} "
                      f"{cause_doc.get('JobRunState', 'FAILED')}: {msg}", failed.get("timestamp"), error_message=msg)

    @staticmethod
    def _log_stream_of_cause(c: Collector, cause_doc: Any, failed: dict[str, Any],
                             scheduled: dict[str, Any] | None) -> None:
        """The log of a run the cause describes with its own log stream (a CodeBuild build's ``Logs``:
        ``GroupName`` and ``StreamName``), whose error is only in that log: that stream in the task's window."""
        logs = _find(cause_doc, "Logs")
        group = logs.get("GroupName") if isinstance(logs, dict) else None
        stream = logs.get("StreamName") if isinstance(logs, dict) else None
        end = parse_time(failed.get("timestamp"))
        if not isinstance(group, str) or not isinstance(stream, str) or not group or not stream or end is None:
            return
        start = parse_time((scheduled or {}).get("timestamp"))
        end += timedelta(seconds=2)
        c.logs(group, start - timedelta(seconds=2) if start else None, end, stream_names=[stream], failure_time=end)

    @staticmethod
    def _sagemaker_logs(c: Collector, job: tuple[str, str, str], cause_doc: Any, failed: dict[str, Any],
                        scheduled: dict[str, Any] | None) -> None:
        """A SageMaker job's own log: its FailureReason ("AlgorithmError: , exit code: 1") is in the task's cause, and
        what the job's container printed is in its log group, in the streams named from the job (every instance's,
        one FilterLogEvents), in the task's window."""
        field, group, noun = job
        params = json_or_none(_details(scheduled or {}).get("parameters"))
        name = _find(cause_doc, field) or (params.get(field) if isinstance(params, dict) else None)
        end = parse_time(failed.get("timestamp"))
        if not isinstance(name, str) or not name or end is None:
            return
        start = parse_time((scheduled or {}).get("timestamp"))
        start, end = (start - timedelta(seconds=2) if start else None), end + timedelta(seconds=2)
        c.context.setdefault("log_group", group)
        if start is not None:
            from ..base import console_log_url

            c.links.append(_link(f"Logs of SageMaker {noun} {name} in CloudWatch",
                                 console_log_url(c.incident.region, group, start, end)))
        c.logs(group, start, end, stream_prefix=f"{name}/", failure_time=end)

    def _earlier_attempts(self, c: Collector, failures: list[dict[str, Any]], failed: dict[str, Any],
                          state: str | None, by_id: dict[Any, dict[str, Any]], prefix: str, child: bool) -> None:
        """Earlier attempts of the failed state (its Retry) that failed otherwise than the last one: a runtime
        killed at its memory size before a retry that ran out of time says why (the last two such)."""
        last = _details(failed)
        seen = {(last.get("error", ""), last.get("cause", ""))}
        shown = 0
        for e in reversed(failures):
            if e is failed or shown >= 2 or self._state_of(e, by_id) != state:
                continue
            d = _details(e)
            key = (d.get("error", ""), d.get("cause", ""))
            if key in seen or not any(key):
                continue
            seen.add(key)
            shown += 1
            text = f"{prefix}An earlier attempt of state '{state or '?'}' failed with {e.get('type')}"
            text += f": {key[0]}" if key[0] else ""
            text += f" — cause: {cause_text(key[1])}" if key[1] else ""
            c.add("history", "states:GetExecutionHistory", text, e.get("timestamp"), error=key[0],
                  cause=str(key[1]), state=state or "", event_type=e.get("type", ""), child=child, attempt="earlier")

    @classmethod
    def _went_past(cls, end: dict[str, Any] | None, failed: dict[str, Any], handler: dict[str, Any] | None,
                   by_id: dict[Any, dict[str, Any]]) -> bool:
        """Whether the execution ended with a run-time error (States.Runtime) in a state other than the failed
        one and its Catch handler's, the handler's own failure caught in turn: the flow went on past both."""
        # (Only after a handler that failed and was caught in turn: a path that failed in the handler a Catch
        # started, on the error it was handed, follows that error, which is the cause; ASFHyP3/hyp3#911.)
        if end is None or handler is None or end.get("type") != "ExecutionFailed" \
                or _details(end).get("error") != "States.Runtime":
            return False
        m = _ENTERED_AT.search(str(_details(end).get("cause") or ""))
        entered = by_id.get(int(m.group(1))) if m else cls._entered_of(end, by_id)
        if entered is None or _event_id(entered) <= _event_id(handler):
            return False
        name = str(_details(entered).get("name") or "")
        # ... a state of the work's own flow, not one more step of the failure handling ("JOB_FAILED", "NotifyError",
        # "Cleanup": HyP3's JOB_FAILED after its UPLOAD_LOG choked on the caught Batch 500 follows that error).
        return bool(name) and not _HANDLING_STATE.search(name) \
            and name not in {cls._state_of(e, by_id) for e in (failed, handler)}

    @classmethod
    def _caught(cls, failed: dict[str, Any], failures: list[dict[str, Any]], by_id: dict[Any, dict[str, Any]]
                ) -> dict[str, Any] | None:
        """The earlier failure whose Catch entered the state that ``failed`` is in: that state's input holds the
        caught error ({"Error": "States.Timeout", "Cause": ""}, at the Catch's ResultPath), and a failure before
        it has that error. None when the state was not entered from a Catch."""
        entered = cls._entered_of(failed, by_id)
        if entered is None:
            return None
        caught = _caught_error(json_or_none(_details(entered).get("input")))
        if not caught:
            # A Catch whose ResultPath discarded the error (CloudSnorkel/cdk-rds-sanitized-snapshots#110: a Parallel
            # state's failure caught into a cleanup Parallel with the original input): the state, or the Parallel or
            # Map state whose branch it is in, was entered straight from a failure, which no Retry does; the last
            # failure that says why, up to it, is the one caught.
            prev = by_id.get(entered.get("previousEventId"))
            for _ in range(_CATCH_DEPTH):
                if prev is None or prev.get("type") not in ("ParallelStateStarted", "MapStateStarted"):
                    break
                outer = by_id.get(prev.get("previousEventId"))  # the Parallel or Map state's own entry
                prev = by_id.get(outer.get("previousEventId")) if outer is not None else None
            if prev is not None and prev.get("type", "").endswith("StateExited"):
                prev = by_id.get(prev.get("previousEventId"))
            if prev is None or not prev.get("type", "").endswith(_FAIL_SUFFIXES) or prev.get("type") in _EXECUTION_END:
                return None
            # Any failure that names an error, up to and with the one the state was entered from.
            until, error = _event_id(prev) + 1, None
        else:
            # The failure before the state was entered that has the caught error.
            until, error = _event_id(entered), caught["Error"]
        before = [e for e in failures if e is not failed and _event_id(e) < until
                  and (_details(e).get("error") == error if error is not None else _details(e).get("error"))]
        if not before:
            return None
        # A caught error the data only carried on (a Catch whose ResultPath kept "The specified log group already
        # exists" beside the input, then work that went on and succeeded, then a later state that failed on its
        # own): the flow got past it, so the later failure is no handler's; a task that succeeded in between says so.
        went_on = any(e.get("type") in _TASK_SUCCEEDED and _event_id(before[-1]) < _event_id(e) < until
                      for e in by_id.values())
        return None if went_on else before[-1]

    @staticmethod
    def _submitted_output(failed: dict[str, Any], by_id: dict[Any, dict[str, Any]]) -> dict[str, Any]:
        """The TaskSubmitted output of the failed task (the child's id), or {}."""
        cur: dict[str, Any] | None = failed
        for _ in range(10_000):
            if cur is None or cur.get("type", "").endswith("StateEntered") or cur.get("type") == "TaskScheduled":
                return {}
            if cur.get("type") == "TaskSubmitted":
                out = json_or_none(_details(cur).get("output"))
                return out if isinstance(out, dict) else {}
            cur = by_id.get(cur.get("previousEventId"))
        return {}

    def _child_event(self, c: Collector, rtype: str, doc: dict[str, Any], sub: dict[str, Any],
                     params: dict[str, Any], failed: dict[str, Any], scheduled: dict[str, Any] | None = None,
                     cause: str = "") -> dict[str, Any] | None:
        """The EventBridge event the child run's own failure would have sent, from the task's cause,
        its TaskSubmitted output and its parameters; None when they do not name the child."""
        detail: dict[str, Any]
        if rtype in ("athena", "lambda", *_JOB_RUN_CHILDREN):
            found = self._service_child(c, rtype, doc, sub, params, failed, scheduled, cause)
            if found is None:
                return None
            detail = found
        elif rtype == "batch":
            job_id = doc.get("JobId") or sub.get("JobId")
            if not job_id:
                return None
            detail = {**_lower_keys(doc), "jobId": job_id, "status": "FAILED"}
            detail.setdefault("jobName", sub.get("JobName") or params.get("JobName"))
            detail.setdefault("jobDefinition", params.get("JobDefinition"))
            detail.setdefault("jobQueue", params.get("JobQueue"))
        elif rtype == "ecs":
            tasks = sub.get("Tasks") or []
            task_arn = doc.get("TaskArn") or (tasks[0].get("TaskArn") if tasks and isinstance(tasks[0], dict)
                                              else None)
            if not task_arn:
                return None
            detail = {**_lower_keys(doc), "taskArn": task_arn, "lastStatus": "STOPPED",
                      PARENT_FAILED: f"its state failed with {failed.get('type', 'a failure')}"}
            detail.setdefault("clusterArn", params.get("Cluster"))
            detail.setdefault("taskDefinitionArn", params.get("TaskDefinition"))
        elif rtype == "glue":
            run_id = doc.get("Id") or sub.get("JobRunId")
            job = doc.get("JobName") or params.get("JobName")
            if not run_id or not job:
                return None
            state = doc.get("JobRunState")
            detail = {"jobName": job, "jobRunId": run_id,
                      "state": state if state in ("FAILED", "TIMEOUT", "ERROR") else "FAILED",
                      "message": doc.get("ErrorMessage") or ""}
        else:  # elasticmapreduce
            # The cause is the step as DescribeStep gives it, bare or under "Step"; TaskSubmitted's output is
            # AddJobFlowSteps' answer ({"StepIds": [...]}) or the step id alone.
            inner = doc.get("Step")
            described: dict[str, Any] = inner if isinstance(inner, dict) else doc
            submitted = sub.get("StepIds") if isinstance(sub.get("StepIds"), list) else []
            step_id = (sub.get("StepId") or (submitted[0] if submitted else None) or described.get("StepId")
                       or described.get("Id"))
            cluster_id = params.get("ClusterId") or doc.get("ClusterId") or sub.get("ClusterId")
            if not step_id or not cluster_id:
                return None
            raw_step = params.get("Step")
            step: dict[str, Any] = raw_step if isinstance(raw_step, dict) else {}
            detail = {"clusterId": cluster_id, "stepId": step_id, "state": "FAILED",
                      "name": described.get("Name") or step.get("Name") or step_id,
                      "actionOnFailure": described.get("ActionOnFailure") or step.get("ActionOnFailure") or ""}
        _, detail_type = _CHILD_ADAPTERS[rtype]
        return {"version": "0", "id": f"{c.incident.event_id}:child", "detail-type": detail_type,
                "account": c.incident.account, "region": c.incident.region,
                "time": iso(failed.get("timestamp")) or c.incident.event_time, "resources": [],
                "detail": {k: v for k, v in detail.items() if v is not None}}

    @staticmethod
    def _service_child(c: Collector, rtype: str, doc: dict[str, Any], sub: dict[str, Any], params: dict[str, Any],
                       failed: dict[str, Any], scheduled: dict[str, Any] | None, cause: str) -> dict[str, Any] | None:
        """The detail of an Athena query's, an EMR Serverless or EMR on EKS job run's or a Lambda invocation's own
        event."""
        if rtype == "athena":
            # TaskSubmitted's output is StartQueryExecution's answer; a .sync cause is GetQueryExecution's.
            query_id = _find(doc, "QueryExecutionId") or _find(sub, "QueryExecutionId")
            if not query_id:
                return None
            error = _find(doc, "AthenaError")
            detail: dict[str, Any] = {
                "queryExecutionId": query_id, "currentState": "FAILED",
                "workgroupName": _find(doc, "WorkGroup") or params.get("WorkGroup") or "primary"}
            if isinstance(error, dict):
                detail["athenaError"] = {k[:1].lower() + k[1:]: v for k, v in error.items()}
            return detail
        if rtype in _JOB_RUN_CHILDREN:
            # TaskSubmitted's output is StartJobRun's answer; a .sync task's cause is GetJobRun's (EMR Serverless) or
            # DescribeJobRun's (EMR on EKS) answer, its keys capitalised.
            group_key, group_field, id_keys, id_field = _JOB_RUN_CHILDREN[rtype]
            group = params.get(group_key) or _find(doc, group_key) or _find(sub, group_key)
            run_id = next((found for d in (sub, doc) for k in id_keys if (found := _find(d, k))), None)
            if not group or not run_id:
                return None
            state = _find(doc, "State")
            child = {group_field: group, id_field: run_id,
                     "state": state if state in ("FAILED", "CANCELLED") else "FAILED"}
            run = _lower_keys(_find(doc, "JobRun") or doc)
            if isinstance(run, dict) and run.get(id_field) == run_id and run.get("state"):
                child[JOB_RUN_FROM_CAUSE] = run
            return child
        # lambda: the invocation the cause names, with its error as the function returned it.
        fn = params.get("FunctionName") or _details(scheduled or {}).get("resource")
        region = _details(scheduled or {}).get("region") or c.incident.region
        arn = _function_arn(fn, str(region), c.incident.account) if isinstance(fn, str) else None
        payload = _lambda_error(doc, cause)
        request_id = payload.pop("requestId", None) or next(
            (a or b for a, b in _REQUEST_ID.findall(cause)), None)
        if not arn or not request_id:
            return None
        return {"requestContext": {"functionArn": arn, "requestId": str(request_id)}, "responsePayload": payload,
                "timestamp": iso(failed.get("timestamp"))}

    def _child(self, c: Collector, failed: dict[str, Any], scheduled: dict[str, Any] | None, task_type: str,
               cause_doc: Any, depth: int, by_id: dict[Any, dict[str, Any]], cause: str = "") -> bool:
        """Collect the child run of a Batch, ECS, Glue, EMR, Athena, EMR Serverless, EMR on EKS or Lambda task with its
        own adapter's collector, into this report (its facts marked as the child's). False when the child
        cannot be named or parsed."""
        from .. import adapter

        rtype = task_type.split(":")[0]
        params = json_or_none(_details(scheduled or {}).get("parameters"))
        doc = cause_doc if isinstance(cause_doc, dict) else {}
        event = self._child_event(c, rtype, doc, self._submitted_output(failed, by_id),
                                  params if isinstance(params, dict) else {}, failed, scheduled, cause)
        if event is None:
            return False
        name, _ = _CHILD_ADAPTERS[rtype]
        child_adapter = adapter(name)
        event["source"] = child_adapter.event_source
        try:
            parsed = child_adapter.parse(event)
        except Exception as exc:  # a cause we cannot read is a gap, not a lost report
            logger.warning("child run not parsed", extra={"task_type": task_type, "error": str(exc)})
            return False
        if not isinstance(parsed, Incident):
            return False
        if depth + 1 > c.settings.nested_depth:
            c.book.gap(f"the {_CHILD_NOUNS[rtype]} of state {self._state_of(failed, by_id) or '?'} was not "
                       f"followed (deeper than {c.settings.nested_depth})")
            return False
        if rtype == "lambda" and scheduled is not None:
            parsed.started_at = iso(scheduled.get("timestamp"))  # a synchronous invocation: the task's window
        run = parsed.resource.run_id or parsed.resource.name
        if parsed.resource.name not in str(run):
            run = f"{run} ({parsed.resource.name})"
        c.add("history", "states:GetExecutionHistory",
              f"The task ran {_CHILD_NOUNS[rtype]} {run}: its own evidence follows (marked as the child's)",
              failed.get("timestamp"), child_run=str(run), child_source=name)
        ChildCollector.follow(c, child_adapter, parsed, f"{_CHILD_NOUNS[rtype]} {run}")
        return True

    def _created_cluster(self, c: Collector, failed: dict[str, Any], cause_doc: Any, cause: str,
                         by_id: dict[Any, dict[str, Any]]) -> None:
        """The EMR cluster a createCluster task started, as EMR describes it now (one DescribeCluster): a task that
        timed out while its cluster was still STARTING or BOOTSTRAPPING waited for instances EMR could not get
        ("... unable to fulfil the Spot request ..."), and the cluster's state change reason says so. A cluster that
        terminated with errors is the child and is followed as its own event would be."""
        doc = cause_doc if isinstance(cause_doc, dict) else {}
        found = _find(self._submitted_output(failed, by_id), "ClusterId") or _find(doc, "ClusterId")
        if not isinstance(found, str):
            m = _CLUSTER_ID.search(cause)
            found = m.group(0) if m else None
        if not found:
            return
        cluster_id: str = found
        if failed.get("type") == "TaskFailed":
            # A .sync task fails when its cluster ended with errors: the cluster is the child, followed as its own
            # event would be (its collector describes it).
            self._follow_cluster(c, failed, cluster_id, str(_find(doc, "Name") or cluster_id))
            return
        out = c.call(f"DescribeCluster {cluster_id}", c.client("emr").describe_cluster, ClusterId=cluster_id)
        cluster = (out or {}).get("Cluster")
        if not isinstance(cluster, dict):
            return
        status = cluster.get("Status") or {}
        state = str(status.get("State") or "?")
        if state == "TERMINATED_WITH_ERRORS":
            self._follow_cluster(c, failed, cluster_id, str(cluster.get("Name") or cluster_id))
            return
        reason = status.get("StateChangeReason") or {}
        code, message = str(reason.get("Code") or ""), str(reason.get("Message") or "")
        c.context.setdefault("cluster", f"{cluster.get('Name')} ({cluster_id})" if cluster.get("Name") else cluster_id)
        ended = "timed out" if failed.get("type") in ("TaskTimedOut", "ExecutionTimedOut") else "failed"
        c.add("job", "elasticmapreduce:DescribeCluster",
              f"The EMR cluster the task created, {cluster.get('Name') or '?'} ({cluster_id}), was still {state} "
              f"when the task {ended}" + (f": {code}" if code else "") + (f" — {message}" if message else
                                                                             " (EMR gives no state change reason)"),
              failed.get("timestamp"), child=True, child_source="emr", cluster_state=state,
              state_change_code=code, state_change_message=message)
        for detail in (status.get("ErrorDetails") or [])[:3]:
            if detail.get("ErrorCode"):
                c.add("job", "elasticmapreduce:DescribeCluster",
                      f"EMR error {detail['ErrorCode']}: {detail.get('ErrorMessage') or 'no message'}",
                      failed.get("timestamp"), child=True, child_source="emr", emr_error_code=str(detail["ErrorCode"]))

    @staticmethod
    def _follow_cluster(c: Collector, failed: dict[str, Any], cluster_id: str, name: str) -> None:
        from .. import adapter

        emr = adapter("emr")
        event: dict[str, Any] = {
            "version": "0", "id": f"{c.incident.event_id}:child", "detail-type": "EMR Cluster State Change",
            "source": emr.event_source, "account": c.incident.account, "region": c.incident.region,
            "time": iso(failed.get("timestamp")) or c.incident.event_time, "resources": [],
            "detail": {"clusterId": cluster_id, "state": "TERMINATED_WITH_ERRORS", "name": name}}
        parsed = emr.parse(event)
        if isinstance(parsed, Incident):
            c.add("history", "states:GetExecutionHistory",
                  f"The task created EMR cluster {cluster_id}: its own evidence follows (marked as the child's)",
                  failed.get("timestamp"), child_run=cluster_id, child_source="emr")
            ChildCollector.follow(c, emr, parsed, f"EMR cluster {cluster_id}")

    @staticmethod
    def _lambda_names(c: Collector, scheduled: dict[str, Any]) -> str | None:
        """The function a Lambda task invoked (name and default log group, in the context); None if unnamed."""
        d = _details(scheduled)
        params = json_or_none(d.get("parameters")) or {}
        fn = params.get("FunctionName") if isinstance(params, dict) else None
        fn = fn or d.get("resource")
        if not fn or not isinstance(fn, str):
            return None
        name = _function_name(fn)
        c.context.setdefault("function_name", name)
        c.context.setdefault("log_group", f"/aws/lambda/{name}")
        return name

    def _lambda_logs(self, c: Collector, failed: dict[str, Any], scheduled: dict[str, Any]) -> None:
        name = self._lambda_names(c, scheduled)
        if name is None:
            return
        group = f"/aws/lambda/{name}"
        start = parse_time(scheduled.get("timestamp"))
        end = parse_time(failed.get("timestamp"))
        if start is None or end is None:
            return
        start, end = start - timedelta(seconds=2), end + timedelta(seconds=2)
        from ..base import console_log_url

        c.links.append(_link(f"Logs of {name} in CloudWatch", console_log_url(c.incident.region, group, start, end)))
        c.logs(group, start, end, failure_time=end)

    def _ecs_cause(self, c: Collector, doc: dict[str, Any], failed: dict[str, Any]) -> None:
        reason = doc.get("StoppedReason") or doc.get("stoppedReason")
        code = doc.get("StopCode") or doc.get("stopCode")
        if reason:
            c.add("task", "ecs (from the task's cause)", f"ECS task stopped: {reason}"
                  + (f" (stop code {code})" if code else ""), failed.get("timestamp"),
                  reason=reason, stop_code=code or "")
        for cont in doc.get("Containers") or doc.get("containers") or []:
            exit_code = cont.get("ExitCode", cont.get("exitCode"))
            why = cont.get("Reason") or cont.get("reason") or ""
            shown = exit_code if exit_code is not None else "none"
            c.add("task", "ecs (from the task's cause)",
                  f"Container {cont.get('Name') or cont.get('name')} exit code {shown}" + (f": {why}" if why else ""),
                  failed.get("timestamp"), exit_code=exit_code, reason=why)

    def _map_run(self, c: Collector, failed: dict[str, Any], by_id: dict[Any, dict[str, Any]], depth: int,
                 quiet: bool = False) -> None:
        """A Distributed Map fails when more of its child executions failed than it tolerates; their own
        histories hold the cause. ListExecutions of the map run (FAILED, then TIMED_OUT) names them;
        the first to stop is followed as a nested execution. ``quiet``: the map run itself succeeded (its failures
        were tolerated), so none failing is no gap."""
        started = next((e for e in self._back(failed, by_id) if e.get("type") == "MapRunStarted"), None)
        map_run = (started or {}).get("mapRunStartedEventDetails", {}).get("mapRunArn")
        error = _details(failed).get("error", "")
        if not map_run or (not quiet and error and error != "States.ExceedToleratedFailureThreshold"):
            return  # the map run itself failed (States.Runtime: it could not start its children), not its items
        sfn = c.client("stepfunctions")
        children: list[dict[str, Any]] = []
        for status in ("FAILED", "TIMED_OUT"):
            out = c.call(f"ListExecutions {map_run.split(':')[-1]} {status}", sfn.list_executions,
                         mapRunArn=map_run, statusFilter=status, maxResults=MAP_RUN_LISTED)
            if out is None:
                return
            children = out.get("executions") or []
            if children:
                break
        label = map_run.split(":")[-2].rsplit("/", 1)[-1] if map_run.count(":") > 6 else map_run.split(":")[-1]
        if not children:
            if not quiet:
                c.book.gap(f"map run {label}: no FAILED or TIMED_OUT child execution listed (Step Functions keeps "
                           "a map run's child executions for 90 days)")
            return
        first = min(children, key=lambda e: (str(e.get("stopDate") or e.get("startDate") or ""),
                                             str(e.get("executionArn"))))
        child_arn = str(first["executionArn"])
        more = "" if len(children) < MAP_RUN_LISTED else " or more"
        c.add("history", "states:ListExecutions",
              f"Map run {label}: {len(children)}{more} child execution(s) {first.get('status', 'FAILED')}; the first "
              f"to stop, {child_arn.split(':')[-1]}, follows as the map run's child", first.get("stopDate"),
              nested_failed=True, child_arn=child_arn, status=first.get("status", "FAILED"))
        self._follow_execution(c, child_arn, depth, "Map run child execution")

    def _nested(self, c: Collector, cause_doc: Any, scheduled: dict[str, Any] | None, depth: int) -> None:
        child_arn = cause_doc.get("ExecutionArn") if isinstance(cause_doc, dict) else None
        if not child_arn:
            return
        child_status = cause_doc.get("Status", "FAILED")
        machine, name = execution_names(child_arn)
        c.add("history", "states:GetExecutionHistory",
              f"Nested execution {name} of {machine} ended {child_status}",
              cause_doc.get("StopDate"), nested_failed=True, child_arn=child_arn, status=child_status)
        self._follow_execution(c, child_arn, depth, "Child execution")

    def _follow_execution(self, c: Collector, child_arn: str, depth: int, label: str) -> None:
        """Collect a child execution (nested, or a map run's) into this report, within the nesting depth."""
        machine, name = execution_names(child_arn)
        url = execution_url(child_arn.split(":")[3], child_arn)
        c.context.setdefault("child_execution", name)
        c.context.setdefault("child_state_machine", machine)
        c.context.setdefault("child_console_url", url)
        if depth + 1 > c.settings.nested_depth:
            c.book.gap(f"nested executions deeper than {c.settings.nested_depth} were not followed")
            return
        c.links.append(_link(f"{label} {name}", url))
        self.collect(c, depth=depth + 1, execution_arn=child_arn)


def execution_names(arn: str) -> tuple[str, str]:
    """(state machine, execution) of an execution's ARN: "arn:aws:states:<region>:<account>:execution:<machine>:<name>",
    or an Express execution's, which adds an id after the name ("...:express:<machine>:<name>:<id>"). A map run's
    child names its machine "<machine>/<map run>"."""
    parts = arn.split(":")
    if len(parts) >= 8 and parts[5] in ("execution", "express"):
        return parts[6], parts[7]
    return (parts[-2] if len(parts) > 1 else "?"), parts[-1]


def _link(label: str, url: str) -> Any:
    from ...model import Link

    return Link(label=label, url=url)

