"""Athena: "Athena Query State Change" FAILED.

Evidence: the event's ``athenaError``; GetQueryExecution (``Status.AthenaError``: ErrorCategory,
ErrorType, Retryable, ErrorMessage; ``StateChangeReason``; the query text, redacted and shortened;
the database and catalog; the output location; the data scanned and engine time); GetWorkGroup (its
state, engine version, enforced output location and the bytes-scanned cutoff per query).

A federated query runs in a connector, a Lambda function: the query's own reason is often only its wrapper
("Query timeout", "GENERIC_USER_ERROR: Encountered an exception[...] from your LambdaFunction[...]"), and the
cause is in the connector's log (the CloudWatch Logs API throttling the connector, a spill bucket it cannot
reach). The connector is the function the reason names, the catalog's ``lambda:<function>`` prefix, or the
function of the query's data catalog (GetDataCatalog: a LAMBDA catalog's ``function`` or its ``metadata-function``
and ``record-function``); its log group is read in the query's window, at most two functions.

SUCCEEDED, CANCELLED (a person or a client cancelled it) and the running states are not reported.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from ...errors import MalformedEvent
from ...evidence.redaction import redact
from ...model import Incident, Link, Resource, Skip, iso
from ..base import parse_time, region_and_account, shorten
from .spec import AthenaSpec

if TYPE_CHECKING:
    from ..base import Collector

__all__ = ["AthenaEvidence", "query_url"]

REPORTED = {"FAILED"}
# AthenaError.ErrorCategory: https://docs.aws.amazon.com/athena/latest/APIReference/API_AthenaError.html
CATEGORIES = {1: "system", 2: "user", 3: "other"}
# A Lambda function an error names ("from your LambdaFunction[arn:aws:lambda:us-east-1:123456789012:function:x]").
_FUNCTION_ARN = re.compile(r"arn:aws[\w-]*:lambda:[\w-]+:\d{12}:function:([\w-]{1,64})")
# A catalog named in the query as a function ("lambda:dynamo"."db"."t").
_LAMBDA_CATALOG = re.compile(r'"lambda:([\w-]{1,64})"')
MAX_CONNECTORS = 2


def query_url(region: str, query_id: str) -> str:
    return (f"https://{region}.console.aws.amazon.com/athena/home?region={region}"
            f"#/query-editor/history/{query_id}")


def workgroup_arn(region: str, account: str, workgroup: str) -> str:
    return f"arn:aws:athena:{region}:{account}:workgroup/{workgroup}"


# A name an error quotes ('iotmulti', "orders", `users`), and a name in a query (an identifier, quoted or not).
_QUOTED_NAME = re.compile(r"['\"`]([A-Za-z_][\w$-]{0,127})['\"`]")
_IDENTIFIER = re.compile(r"[A-Za-z_][\w$-]{0,127}")


def lowered_name(query: str, message: str) -> tuple[str, str] | None:
    """(the query's name, the error's) when the error quotes in lower case a name the query wrote with capitals
    ("IoTMulti" asked, "The table 'iotmulti' does not exist"): Athena lower-cases names before a connector or
    the catalog sees them. None when the error quotes every name as the query wrote it."""
    written: dict[str, str] = {}
    for token in _IDENTIFIER.findall(query):
        if token != token.lower():
            written.setdefault(token.lower(), token)
    for name in _QUOTED_NAME.findall(message):
        if name == name.lower() and name in written:
            return written[name], name
    return None


def _int(value: Any) -> int | None:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def _size(n: Any) -> str:
    value = _int(n)
    if value is None:
        return "?"
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if value < 1024 or unit == "TB":
            return f"{value} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024  # type: ignore[assignment]
    return "?"


class AthenaEvidence:
    """Parsing of the service's events and collection of its evidence (the adapter's first half)."""

    name: ClassVar[str]

    def parse(self, event: dict[str, Any]) -> Incident | Skip:
        detail = event.get("detail") or {}
        query_id, state = detail.get("queryExecutionId"), detail.get("currentState")
        if not query_id or not state:
            raise MalformedEvent("Athena event without detail.queryExecutionId or detail.currentState")
        region, account = region_and_account(event, "Athena")
        if state not in REPORTED:
            why = "a cancelled query is someone's decision" if state == "CANCELLED" else "not a failure"
            return Skip(f"query state {state}: {why}")
        workgroup = str(detail.get("workgroupName") or "primary")
        arn = workgroup_arn(region, account, workgroup)
        return Incident(source=self.name, event_id=str(event.get("id", "")), detail_type=event["detail-type"],
                        region=region, account=account, resource=Resource(arn=arn, name=workgroup, run_id=query_id),
                        status=state, event_time=event.get("time"), stopped_at=iso(event.get("time")),
                        catalog_arns=[arn], detail=detail)

    def collect(self, c: Collector) -> None:
        inc = c.incident
        workgroup, query_id = inc.resource.name, str(inc.resource.run_id)
        athena = c.client("athena")
        c.context.update(workgroup=workgroup, query_execution_id=query_id,
                         what=f"Athena query {query_id} in workgroup {workgroup}", status_phrase="failed")
        c.links.append(Link("Query in the Athena console", query_url(inc.region, query_id)))
        execution = (c.call(f"GetQueryExecution {query_id}", athena.get_query_execution,
                            QueryExecutionId=query_id) or {}).get("QueryExecution")
        if execution:
            self._execution(c, execution)
            self._connectors(c, execution)
        else:
            self._event_error(c)
        group = (c.call(f"GetWorkGroup {workgroup}", athena.get_work_group, WorkGroup=workgroup) or {}).get(
            "WorkGroup")
        if group:
            self._workgroup(c, group)
        if execution and execution.get("Query"):
            context = execution.get("QueryExecutionContext") or {}
            enforced = bool(((group or {}).get("Configuration") or {}).get("EnforceWorkGroupConfiguration"))
            c.context["redrive"] = AthenaSpec(
                service="athena", QueryString=str(execution["Query"]), QueryExecutionContext=dict(context),
                WorkGroup=workgroup, QueryExecutionId=query_id, state=inc.status,
                ResultConfiguration={} if enforced else {
                    k: v for k, v in (execution.get("ResultConfiguration") or {}).items() if k == "OutputLocation"})

    def _event_error(self, c: Collector) -> None:
        inc = c.incident
        err = inc.detail.get("athenaError") or {}
        message = str(err.get("errorMessage") or "")
        category = CATEGORIES.get(_int(err.get("errorCategory")) or 0, "?")
        text = f"Query {inc.status} (from the event; the query itself could not be read)"
        if message:
            text += f": {message}"
        c.add("query", "events:Athena Query State Change", text, inc.event_time, state=inc.status,
              error_message=message, error_category=category, error_type=_int(err.get("errorType")) or 0,
              retryable=bool(err.get("retryable")))
        c.context.update(error_message=shorten(message, 300) if message else "?", error_category=category,
                         retryable="yes" if err.get("retryable") else "no")

    def _execution(self, c: Collector, execution: dict[str, Any]) -> None:
        inc = c.incident
        status = execution.get("Status") or {}
        err = status.get("AthenaError") or {}
        reason = str(status.get("StateChangeReason") or "")
        message = str(err.get("ErrorMessage") or reason)
        category = CATEGORIES.get(_int(err.get("ErrorCategory")) or 0, "?")
        submitted = parse_time(status.get("SubmissionDateTime"))
        completed = parse_time(status.get("CompletionDateTime"))
        inc.started_at = iso(submitted) or inc.started_at
        inc.stopped_at = iso(completed) or inc.stopped_at
        why = shorten(reason or message, 1200) or "no StateChangeReason"
        text = f"Query {status.get('State') or inc.status}: {why}"
        c.add("query", "athena:GetQueryExecution", text, completed, state=status.get("State") or inc.status,
              error_message=message, error_category=category, error_type=_int(err.get("ErrorType")) or 0,
              retryable=bool(err.get("Retryable")))
        if err:
            c.add("query", "athena:GetQueryExecution",
                  f"AthenaError: category {_int(err.get('ErrorCategory'))} ({category}), type "
                  f"{_int(err.get('ErrorType'))}, retryable {bool(err.get('Retryable'))}"
                  + (f": {shorten(str(err.get('ErrorMessage')), 600)}" if err.get("ErrorMessage") and
                     str(err.get("ErrorMessage")) != reason else ""),
                  completed, error_category=category, error_type=_int(err.get("ErrorType")) or 0,
                  retryable=bool(err.get("Retryable")))
        context = execution.get("QueryExecutionContext") or {}
        query = " ".join(str(execution.get("Query") or "").split())
        if query:
            c.add("config", "athena:GetQueryExecution",
                  f"Query ({execution.get('StatementType') or '?'}) in {context.get('Catalog') or 'AwsDataCatalog'}."
                  f"{context.get('Database') or '?'}: {shorten(redact(query), 500)}",
                  statement_type=execution.get("StatementType") or "")
            lowered = lowered_name(query, message)
            if lowered is not None:
                c.add("config", "athena:GetQueryExecution",
                      f'The query names "{lowered[0]}"; the error names it "{lowered[1]}": Athena lower-cases table, '
                      f"schema and column names, so a source whose names are case-sensitive (a connector's "
                      f"DynamoDB, Timestream or JDBC table) is asked for another name", name_lowered=True)
        output = (execution.get("ResultConfiguration") or {}).get("OutputLocation")
        stats = execution.get("Statistics") or {}
        parts = [f"output {output or 'not set'}"]
        if stats.get("DataScannedInBytes") is not None:
            parts.append(f"scanned {_size(stats['DataScannedInBytes'])}")
        if stats.get("EngineExecutionTimeInMillis") is not None:
            parts.append(f"engine time {int(stats['EngineExecutionTimeInMillis']) / 1000:.1f} s")
        engine = (execution.get("EngineVersion") or {}).get("EffectiveEngineVersion")
        if engine:
            parts.append(engine)
        c.add("config", "athena:GetQueryExecution", "Execution: " + ", ".join(parts), output_location=output or "")
        c.context.update(error_message=shorten(message, 300) if message else "?", error_category=category,
                         retryable="yes" if err.get("Retryable") else "no", database=context.get("Database") or "?",
                         output_location=output or "?", statement_type=execution.get("StatementType") or "?")

    def _connectors(self, c: Collector, execution: dict[str, Any]) -> None:
        """The log of the Lambda connector(s) a federated query ran in, in the query's window."""
        status = execution.get("Status") or {}
        err = status.get("AthenaError") or {}
        catalog = str((execution.get("QueryExecutionContext") or {}).get("Catalog") or "")
        names = (_FUNCTION_ARN.findall(f"{status.get('StateChangeReason') or ''} {err.get('ErrorMessage') or ''}")
                 or _LAMBDA_CATALOG.findall(str(execution.get("Query") or ""))
                 or ([catalog.split(":", 1)[1]] if catalog.lower().startswith("lambda:") else [])
                 or self._catalog_functions(c, catalog))
        if not names:
            return
        submitted = parse_time(status.get("SubmissionDateTime"))
        completed = parse_time(status.get("CompletionDateTime")) or parse_time(c.incident.event_time)
        start = submitted - timedelta(seconds=60) if submitted else None
        end = completed + timedelta(seconds=c.settings.log_window_after) if completed else None
        for name in list(dict.fromkeys(names))[:MAX_CONNECTORS]:
            c.logs(f"/aws/lambda/{name}", start, end, failure_time=completed)

    @staticmethod
    def _catalog_functions(c: Collector, catalog: str) -> list[str]:
        """The functions of a LAMBDA data catalog (GetDataCatalog); none for Glue's own catalog."""
        if not catalog or catalog.lower() == "awsdatacatalog":
            return []
        found = (c.call(f"GetDataCatalog {catalog}", c.client("athena").get_data_catalog, Name=catalog)
                 or {}).get("DataCatalog") or {}
        if str(found.get("Type") or "").upper() != "LAMBDA":
            return []
        params = found.get("Parameters") or {}
        arns = " ".join(str(params.get(k) or "") for k in ("function", "metadata-function", "record-function"))
        return _FUNCTION_ARN.findall(arns)

    def _workgroup(self, c: Collector, group: dict[str, Any]) -> None:
        config = group.get("Configuration") or {}
        cutoff = config.get("BytesScannedCutoffPerQuery")
        output = (config.get("ResultConfiguration") or {}).get("OutputLocation")
        engine = (config.get("EngineVersion") or {}).get("EffectiveEngineVersion") or (
            config.get("EngineVersion") or {}).get("SelectedEngineVersion")
        parts = [f"state {group.get('State') or '?'}",
                 f"bytes scanned cutoff per query {_size(cutoff) if cutoff else 'none'}",
                 f"output location {output or 'not set'}"
                 + (" (enforced)" if config.get("EnforceWorkGroupConfiguration") else "")]
        if engine:
            parts.append(engine)
        c.add("config", "athena:GetWorkGroup", f"Workgroup {group.get('Name')}: " + ", ".join(parts),
              workgroup_state=group.get("State") or "", scan_cutoff_bytes=_int(cutoff) or 0)
        c.context.update(scan_cutoff=_size(cutoff) if cutoff else "none", workgroup_state=group.get("State") or "?")
        if c.context.get("output_location") in (None, "?") and output:
            c.context["output_location"] = output
