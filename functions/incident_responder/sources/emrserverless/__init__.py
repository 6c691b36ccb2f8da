"""EMR Serverless: "EMR Serverless Job Run State Change" FAILED and CANCELLED.

Parsing and evidence: :mod:`.evidence`. This module is the adapter: run outcomes, tags, console links,
live status, and the redrive (``StartJobRun`` on the same application with the same execution role,
job driver and configuration overrides). The redrive spec uses StartJobRun's own names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...redrive.plans import Plan, account_of, call_fields, present
from ..base import Adapter, NewRun, RunOutcome, RunState, SourceContext, extra_read, given
from . import changes
from .evidence import EmrServerlessEvidence, job_run_url
from .spec import EmrServerlessSpec

if TYPE_CHECKING:
    from datetime import datetime

    from ...aws import AwsContext
    from ...evidence.changes import Baseline, Reader
    from ..base import Collector

__all__ = ["ADAPTER", "EmrServerlessAdapter", "EmrServerlessContext"]


@dataclass
class EmrServerlessContext(SourceContext):
    application_id: Any = None
    application_name: Any = None
    job_run_id: Any = None
    job_name: Any = None
    state_details: Any = None
    entry_point: Any = None
    execution_role: Any = None
    timeout_minutes: Any = None
    release_label: Any = None
    max_capacity: Any = None
    job_ask: Any = None
    driver_log: Any = None


def run_key(application_id: str, run_id: str) -> str:
    return f"{application_id}#{run_id}"


class EmrServerlessAdapter(EmrServerlessEvidence, Adapter):
    name = "emrserverless"
    event_source = "aws.emr-serverless"
    detail_types = ("EMR Serverless Job Run State Change",)
    label = "EMR Serverless"
    noun = "EMR Serverless job run"
    arn_service = "emr-serverless"
    original_read = "GetJobRun"
    context_type = EmrServerlessContext
    spec_type = EmrServerlessSpec
    detail_schema = {"applicationId": str, "jobRunId": str, "state": str}

    def run_outcome(self, event: dict[str, Any]) -> RunOutcome | None:
        detail = event.get("detail") or {}
        app, run_id = detail.get("applicationId"), detail.get("jobRunId")
        if not isinstance(app, str) or not isinstance(run_id, str) or not app or not run_id:
            return None
        return RunOutcome.of(run_key(app, run_id), detail.get("state"), "SUCCESS", {"FAILED", "CANCELLED"})

    def console_url(self, region: str, run_id: str, extra: dict[str, Any] | None = None) -> str:
        app = str((extra or {}).get("application_id") or "")
        return job_run_url(region, app, run_id) if run_id and app else ""

    def tags(self, c: Collector, arn: str) -> dict[str, str]:
        out = c.call("ListTagsForResource", c.client("emr-serverless").list_tags_for_resource, resourceArn=arn)
        return dict((out or {}).get("tags", {}))

    def live_status(self, aws: AwsContext, resource: dict[str, Any], latest: bool) -> RunState:
        from ...formats import fmt_time
        from ...templates import escape_mrkdwn as esc
        from ..sparkjobs import latest_runs_text

        client: Any = aws.client("emr-serverless")
        app = resource["name"]
        run = client.get_job_run(applicationId=app, jobRunId=resource["run_id"])["jobRun"]
        status = run.get("state")
        lines = [f"Job run `{esc(resource['run_id'])}` on application {esc(app)} is *{esc(status)}*"
                 f" (updated {fmt_time(run.get('updatedAt'))})"]
        if run.get("stateDetails") and status != "SUCCESS":
            lines.append(f"Details: {esc(run['stateDetails'])}")
        if latest:
            runs = extra_read(lines, f"the latest job runs of {app}", lambda: client.list_job_runs(
                applicationId=app, maxResults=3).get("jobRuns", []))
            if runs:
                lines.append(latest_runs_text(runs))
        return RunState(status=status, lines=lines, input=run.get("jobDriver"))

    # -- redrive ----------------------------------------------------------------------------------------
    def original_ids(self, spec: EmrServerlessSpec) -> dict[str, Any]:
        return {"application_id": given(spec.applicationId) or "", "run_id": given(spec.jobRunId) or ""}

    def plan(self, spec: EmrServerlessSpec, facts: dict[str, Any], *, attempt: int, now: datetime, region: str,
             token: str, resource_arn: str) -> Plan:
        app = str(given(spec.applicationId) or "")
        params: dict[str, Any] = {"applicationId": app, "clientToken": token[:64]}
        params.update(present(spec, "executionRoleArn", "jobDriver", "configurationOverrides",
                              "executionTimeoutMinutes"))
        params["name"] = f"{spec.name or 'job'}-redrive-{attempt}"[:256]
        return Plan(
            **call_fields(self.name, "emr-serverless:StartJobRun"), region=region, target=app,
            where=f"EMR Serverless application `{app or '?'}` ({region})", params=params,
            what=(f"Start a new job run on `{app or '?'}` with the failed run's execution role, job driver and "
                  "configuration overrides."),
            input_label="Job driver", input=params.get("jobDriver") or {},
            original_url=self.console_url(region, str(spec.jobRunId or ""), {"application_id": app}),
            expect={"application_id": app, "run_id": spec.jobRunId},
        )

    def read_original(self, ids: dict[str, Any], aws: AwsContext, notes: list[str]) -> dict[str, Any] | None:
        if not (ids.get("application_id") and ids.get("run_id")):
            notes.append(f"{self.original_read}: the failed run's id is not known")
            return None
        client: Any = aws.client("emr-serverless")
        return client.get_job_run(applicationId=ids["application_id"], jobRunId=ids["run_id"])["jobRun"]  # type: ignore[no-any-return]

    def real_values(self, original: dict[str, Any]) -> dict[str, Any]:
        return {"jobDriver": original.get("jobDriver") or {},
                "configurationOverrides": original.get("configurationOverrides") or {}}

    def baseline(self, c: Collector, r: Reader) -> Baseline | None:
        return changes.baseline(c, r)

    def redrive_resources(self, plan: Plan, aws: AwsContext, resource_arn: str) -> list[tuple[str, dict[str, str]]]:
        from ...redrive.optin import tags_of

        app = str(plan.params.get("applicationId") or "")
        arn = f"arn:aws:emr-serverless:{plan.region}:{account_of(resource_arn)}:/applications/{app}"
        client: Any = aws.client("emr-serverless")
        return [(arn, tags_of(client.list_tags_for_resource(resourceArn=arn).get("tags")))]

    def new_run(self, plan: Plan, out: dict[str, Any]) -> NewRun:
        app, run_id = out.get("applicationId") or plan.params["applicationId"], out["jobRunId"]
        return NewRun(run_id, run_key(app, run_id), self.console_url(plan.region, run_id, {"application_id": app}))


ADAPTER = EmrServerlessAdapter()
