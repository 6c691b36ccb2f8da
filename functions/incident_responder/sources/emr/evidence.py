"""EMR: "EMR Step Status Change" FAILED (and CANCELLED) and "EMR Cluster State Change" TERMINATED_WITH_ERRORS.

A failed step: DescribeStep (FailureDetails Reason, Message, LogFile), the step's ``stderr.gz`` read
from S3 with a byte bound (from LogFile, or the cluster's LogUri + ``<cluster>/steps/<step>/``: an
empty FailureDetails is not the end), its ``syslog.gz`` when stderr shows no error-like line, and
DescribeCluster (state, StateChangeReason, release, instances, tags), and the YARN container logs
under the cluster's LogUri (``<cluster>/containers/application_*/container_*/stderr.gz``; in cluster
deploy mode the driver's traceback is only there): the application the step's logs name, else the
newest, at most ``YARN_LIST_LIMIT`` keys listed and ``YARN_CONTAINERS`` containers read, the
application master's (``container_..._000001``) first.

A cluster TERMINATED_WITH_ERRORS: DescribeCluster and its StateChangeReason code (STEP_FAILURE,
BOOTSTRAP_FAILURE, INSTANCE_FAILURE, VALIDATION_ERROR, INTERNAL_ERROR...). After a step failure,
ListSteps finds the failed step; its evidence is gathered as for a step, marked ``child``, behind an
item with ``upstream_step_failed`` so the report says upstream_failure and shows the step's own
cause. After a bootstrap failure, the bootstrap action's stderr named by the reason is read.

A CANCELLED step is reported (as a manual stop) when a person cancelled it: the work did not finish. It is
not when EMR cancelled it behind a failed step (ActionOnFailure CANCEL_AND_WAIT or TERMINATE_CLUSTER: ListSteps
shows that step, which gets its own report) or because the cluster ended (DescribeCluster). Not reported
either: other step states and cluster states. A cluster TERMINATED by user request or after all steps
completed is not a failure.

EMR copies step logs to S3 about every five minutes, so a log object may not exist yet when the
event arrives; the report says so rather than failing.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote

from ...errors import MalformedEvent
from ...formats import fmt_duration
from ...model import Incident, Link, Resource, Skip, iso
from ..base import parse_time, region_and_account, shorten
from .spec import EmrSpec

if TYPE_CHECKING:
    from ...model import Evidence
    from ..base import Collector

__all__ = ["EmrEvidence", "cluster_console_url", "cluster_tags", "failed_attempts"]

logger = logging.getLogger(__name__)

STEP = "EMR Step Status Change"
CLUSTER = "EMR Cluster State Change"
_CLUSTER_NAME = re.compile(
    r"Amazon EMR [Cc]luster j-[0-9A-Za-z]+ \((?P<name>.+?)\) (?:failed|has|was|is|completed|started)")
_ERROR_LIKE = re.compile(r"\b(?:ERROR|FATAL|Exception|Error:|Caused by|Traceback|Killed|killed)\b")
# What names a cause rather than only a level: an exception class, "Error:", a traceback, a kill. A step's stderr
# with no more than an ERROR line of the program's own ("Reindex of byEmail did not complete") says that it
# failed, not why: the job client's syslog does.
_CAUSE_LIKE = re.compile(r"\w(?:Exception|Error)\b|\b(?:Exception in|Error:|Caused by|Traceback|[Kk]illed|FATAL)\b")
# "On the master instance (i-0c4e19a7b25d83f61), application provisioning failed": the node, no action.
_NODE_INSTANCE = re.compile(r"\((?P<instance>i-[0-9a-f]+)\)")
# The node provisioner's logs, and a service it could not start ("Systemd start for emrsecretagent failed!").
_PROVISION_LOG = re.compile(r"/provision-node/(?:.*/)?(?:stderr|puppet\.log)(?:\.gz)?$")
_SERVICE_FAILED = re.compile(r"Systemd start for ([\w.-]+) failed")
_DAEMON_LOG = re.compile(r"/daemons/([\w.-]+)/[^/]+\.log(?:\.gz)?$")
# "On the master instance (i-0c4e...), bootstrap action 1 ...", "On 3 slave instances (including i-0b7e...), ...".
_BOOTSTRAP = re.compile(r"\((?:including )?(?P<instance>i-[0-9a-f]+)\).*?bootstrap action (?P<n>\d+)", re.IGNORECASE)
_ACCEPTS_STEPS = {"STARTING", "BOOTSTRAPPING", "RUNNING", "WAITING"}
_TERMINATING = {"TERMINATE_CLUSTER", "TERMINATE_JOB_FLOW"}
# A step that fails with these cancels the steps queued behind it.
_CANCELS_OTHERS = {"CANCEL_AND_WAIT", *_TERMINATING}
_CANCEL_SLACK = timedelta(minutes=2)
# A FAILED step; a CANCELLED one unless it was cancelled behind a failed step or by the cluster's end.
REPORTED_STEP_STATES = {"FAILED", "CANCELLED"}
_LOG_ITEMS = 8
_SYSLOG_ITEMS = 6
_YARN_ITEMS = 6
YARN_LIST_LIMIT = 200  # keys listed under the cluster's containers/ folder
YARN_CONTAINERS = 3  # containers read
CONTAINER_NAMED_LOGS = 2  # logs a container names itself ("dask.scheduler.log") read, when the others show no error
# A library or command missing at run time: on EMR these are installed by bootstrap actions, whose stderr
# says why an install failed (an index out of reach, a pin that does not exist) while the action returned 0.
_MISSING_MODULE = re.compile(r"\b(?:ImportError|ModuleNotFoundError|No module named|cannot import name|"
                             r"ClassNotFoundException|NoClassDefFoundError|command not found)\b")
NODE_LIST_LIMIT = 1000  # keys listed under the cluster's node/ folder
NODE_LOG_READS = 2  # node log objects read (bootstrap stderr, a query engine's server log, a DataNode's log)
_BOOTSTRAP_DOWNLOAD = re.compile(r"(?i)failed attempting to download bootstrap action")
_BOOTSTRAP_STDERR = re.compile(r"/node/i-[0-9a-f]+/bootstrap-actions/\d+/stderr(?:\.gz)?$")
# A step that runs a query engine's client (the server runs on the nodes, and logs the cause there): Trino's or
# Presto's server.log, Hive's hive.log (a Hive CLI or Beeline step; its Tez tasks' own errors reach it).
_ENGINE_CLIENT = re.compile(r"(?i)\b(?:trino|presto|hive-script|hive|beeline)(?:-cli)?\b")
# Trino's and Presto's other logs beside server.log (a plugin's, an autoscaler's) are read too, not their request
# logs (every HTTP request, one line each).
_ENGINE_LOG = re.compile(r"/node/i-[0-9a-f]+/applications/(?:(?:trino|presto|presto-server)/(?!http-request)[\w.-]+|"
                         r"hive/(?:user/\w+/)?hive(?:-server2)?)\.log(?:\.gz)?$")
# HDFS could not place a block ("could only be written to 0 of the 1 minReplication nodes"): the DataNodes' logs.
_HDFS_NO_TARGET = re.compile(r"could only be (?:written|replicated) to 0 ")
_DATANODE_LOG = re.compile(r"/node/i-[0-9a-f]+/applications/hadoop-hdfs/hadoop-hdfs-datanode-[^/]*\.log(?:\.gz)?$")
# An HBase client that gave up on a region server (a bulk load's "Encountered unrecoverable error from region
# server", the RPC caller's retries naming "hostname=<host>,16020,..."): the region server's own log says what it
# refused (HDFS permissions on the files to adopt, a region in transition). The host it names is read first.
_HBASE_CLIENT = re.compile(r"(?i)\bfrom region server\b|\bRpcRetryingCaller\b|\bLoadIncrementalHFiles\b|"
                           r"\bRetriesExhaustedException\b")
_REGIONSERVER_LOG = re.compile(r"/node/i-[0-9a-f]+/applications/hbase/hbase-hbase-regionserver-[^/]*\.log(?:\.gz)?$")
# A container YARN killed or lost, and the NodeManager's log on a node (named after its host).
_CONTAINER_LOST = re.compile(r"(?i)\bTaskManager with id \S+ is no longer reachable|Container killed on request|"
                             r"\bExit (?:code|status):? ?-10[34]\b|Container marked as failed: \S+ on host|"
                             r"\bLost executor \d+ on ip-")
_NODE_HOST = re.compile(r"\b(ip-\d{1,3}-\d{1,3}-\d{1,3}-\d{1,3})\b")
_NODEMANAGER_LOG = re.compile(r"/node/i-[0-9a-f]+/applications/hadoop-yarn/(?:hadoop|yarn)-yarn-nodemanager-[^/]*\.log"
                              r"(?:\.gz)?$")
# The ResourceManager's word on a node it took out ("Node ip-10-20-3-41.ec2.internal:8041 reported UNHEALTHY with
# details: 1/1 local-dirs are bad"): that node's NodeManager log says what its health check measured ("used space
# above threshold of 90.0%"), and is read next instead of the instance controller's.
_UNHEALTHY_NODE = re.compile(r"\bNode ([\w-]+)(?:\.[\w.-]+)?:\d+ reported UNHEALTHY\b")
_REGION_HOST = re.compile(r"\bhostname=([\w.-]+),\d+,")
# A container or executor lost with its node ("Container released on a *lost* node", exit status -100): the
# instance controller's log says why the node went (a Spot termination notice, "terminate requested, reason
# TERMINATED_BY_SPOT_DUE_TO_NO_CAPACITY"). Every node writes one; the primary node's, which polls them all, is
# the largest.
_LOST_NODE = re.compile(r"(?i)released on a \*?lost\*? node|\bSlave lost\b|\bexit(?:Code| status):? -100\b")
_INSTANCE_CONTROLLER_LOG = re.compile(r"/node/i-[0-9a-f]+/daemons/instance-controller[\w/.-]*\.log[\w.-]*$")
# ... or YARN took the node out as UNHEALTHY, its disks past 90% full ("Node ip-...:8041 reported UNHEALTHY with
# details: 1/1 local-dirs are bad: /mnt/yarn"; the EMR guide's "Deny-listed nodes"): the ResourceManager's log, on
# the primary node, says so for every node it lost. It is read first; then the NodeManager log of each node it
# reported UNHEALTHY (_UNHEALTHY_NODE), or else the largest instance controller log.
_RESOURCEMANAGER_LOG = re.compile(r"/node/i-[0-9a-f]+/applications/hadoop-yarn/(?:hadoop|yarn)-yarn-resourcemanager-"
                                  r"[^/]*\.log(?:\.gz)?$")
_LOST_NODE_LOG = re.compile(f"{_INSTANCE_CONTROLLER_LOG.pattern}|{_RESOURCEMANAGER_LOG.pattern}")
# A cluster that ended because it lost its core or task nodes (EMR's INSTANCE_FAILURE, "All slaves in the job flow
# were terminated").
_NODES_GONE = re.compile(r"(?i)\ball (?:slaves|core nodes|instances) in the (?:job flow|cluster) "
                         r"(?:were|have been) terminated")
# An application YARN never started: its client reported it ACCEPTED and never RUNNING until the step was cancelled
# or timed out. YARN had nothing to start its ApplicationMaster on (every node UNHEALTHY with full local disks, a
# queue at its AM share); the ResourceManager's log says which, and the NodeManager logs of the nodes it took out.
_ACCEPTED = re.compile(r"\(state: ACCEPTED\)")
_STARTED = re.compile(r"\(state: (?:RUNNING|FINISHED|FAILED|KILLED)\)")
_APPLICATION = re.compile(r"\bapplication_\d+_\d+\b")
# A MapReduce job named in a step's stderr: its id, or the old JobClient's "java.io.IOException: Job failed!".
# A driver's own wrapper over the MapReduce job it ran ("IllegalStateException: Error executing MapReduce for :
# "Export variants ..."", opencb/opencga#2092) names no more than that: the job's task failures are in the syslog.
_HADOOP_JOB = re.compile(r"\bjob_\d{10,}_\d+\b|\bIOException: Job failed!"
                         r"|(?i:\b(?:error|failure|failed) (?:while |when )?(?:executing|running) (?:the )?MapReduce\b)"
                         r"|(?i:\bMapReduce job (?:\S+ )?failed\b)"
                         # S3DistCp's own ("RuntimeException: Error running job"): its syslog says what it copied.
                         r"|\bRuntimeException: Error running job\b")
# A Hadoop 1 job (a JobTracker's id: its start as yyyymmddHHMM), and its history file's task attempts that failed or
# were killed, with their fields (KEY="value", the value's quotes, dots and commas escaped with a backslash).
_HADOOP1_JOB = re.compile(r"\bjob_\d{12}_\d{4}\b")
_HISTORY_RECORD = re.compile(r"\n(?=(?:Meta|Job|Task|MapAttempt|ReduceAttempt) [A-Z_]+=)")
_HISTORY_FAILED = re.compile(r'^(?:Map|Reduce)?(?:Attempt|Task) .*?\bTASK_STATUS="(?:FAILED|KILLED)"', re.S)
_HISTORY_FIELD = re.compile(r'\b([A-Z_]+)="((?:[^"\\]|\\.)*)"')
_HISTORY_ESCAPE = re.compile(r"\\(.)")
# An ERROR value ends at the next field or the record's end (its quotes are not always escaped: 'program "bash"').
_HISTORY_ERROR = re.compile(r'\bERROR="(.*?)"(?=\s+[A-Z_]+="|\s*\.?\s*$)', re.S)
_HISTORY_FRAME = re.compile(r"\s*(?:at |\.\.\. \d+ more)")
# A container's stderr, stdout and syslog; a Tez task writes its syslog per attempt (syslog_attempt_<id>). An
# application that names its own logs writes "<name>.log" beside them (Skein's services: "dask.scheduler.log",
# "application.master.log"; Flink's "jobmanager.log", "taskmanager.log"): read as its syslog would be.
_CONTAINER_KEY = re.compile(
    r"/containers/(application_\d+_\d+)/(container_[0-9a-z_]+)/"
    r"(stderr|stdout|syslog|[\w-]+(?:\.[\w-]+)*\.log)(?:_attempt_[0-9_]+)?(?:\.gz)?$")


def failed_attempts(history: str) -> list[tuple[str, str | None]]:
    """The failed and killed task attempts of a Hadoop 1 job history file, each as a line ("attempt_..._r_000012_3
    FAILED on ip-10-0-22-64.ec2.internal: Task ... failed to report status for 602 seconds. Killing!") and the
    time it finished. A record runs to the next one: an ERROR value holds the attempt's whole stack trace over
    many lines, of which the wrapper, the exception and its causes are kept, not the frames."""
    found: list[tuple[str, str | None]] = []
    for record in _HISTORY_RECORD.split(history):
        if _HISTORY_FAILED.search(record) is None:
            continue
        fields = {k: _HISTORY_ESCAPE.sub(r"\1", v) for k, v in _HISTORY_FIELD.findall(record)}
        m = _HISTORY_ERROR.search(record)
        said = [x.strip() for x in _HISTORY_ESCAPE.sub(r"\1", m.group(1) if m else "").strip().splitlines()
                if x.strip() and not _HISTORY_FRAME.match(x)]
        error = " ".join(said[:4])
        if not error:
            continue
        finished = fields.get("FINISH_TIME", "")
        when = iso(datetime.fromtimestamp(int(finished) / 1000, timezone.utc)) if finished.isdigit() else None
        who = fields.get("TASK_ATTEMPT_ID") or fields.get("TASKID") or "a task"
        host = fields.get("HOSTNAME", "").rsplit("/", 1)[-1]
        found.append((f"{who} {fields.get('TASK_STATUS', 'FAILED')}" + (f" on {host}" if host else "") + f": {error}",
                      when))
    return found


def cluster_console_url(region: str, cluster_id: str) -> str:
    return f"https://{region}.console.aws.amazon.com/emr/home?region={region}#/clusterDetails/{cluster_id}"


def _s3_console(region: str, uri: str) -> str:
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    if key and not key.endswith("/"):
        return f"https://s3.console.aws.amazon.com/s3/object/{bucket}?region={region}&prefix={quote(key)}"
    return f"https://s3.console.aws.amazon.com/s3/buckets/{bucket}?region={region}&prefix={quote(key)}"


def s3_uri(value: str) -> str:
    """``s3://bucket/key`` from an EMR LogUri or LogFile (``s3n://`` and ``s3a://`` too)."""
    return re.sub(r"^s3[an]?://", "s3://", value.strip())


def _minutes(start: datetime | None, end: datetime | None) -> str:
    if not start or not end or end < start:
        return ""
    return fmt_duration((end - start).total_seconds())


def _reason(detail: dict[str, Any]) -> dict[str, Any]:
    raw = detail.get("stateChangeReason")
    if isinstance(raw, dict):
        return raw
    try:
        parsed = json.loads(raw) if isinstance(raw, str) and raw else {}
    except ValueError:
        return {"message": str(raw)}
    return parsed if isinstance(parsed, dict) else {}


def cluster_tags(tags: Any) -> dict[str, str]:
    """A cluster's tags, DescribeCluster's list of {Key, Value}, as a mapping."""
    return {str(t.get("Key")): str(t.get("Value")) for t in tags or [] if isinstance(t, dict)}


class EmrEvidence:
    """Parsing of the service's events and collection of its evidence (the adapter's first half)."""

    name: ClassVar[str]  # the adapter's

    def parse(self, event: dict[str, Any]) -> Incident | Skip:
        detail = event.get("detail") or {}
        cluster_id, state = detail.get("clusterId"), detail.get("state")
        if not cluster_id or not state:
            raise MalformedEvent("EMR event without detail.clusterId or detail.state")
        region, account = region_and_account(event, "EMR")
        arn = f"arn:aws:elasticmapreduce:{region}:{account}:cluster/{cluster_id}"
        if event.get("detail-type") == STEP:
            step_id = detail.get("stepId")
            if not step_id:
                raise MalformedEvent("EMR step event without detail.stepId")
            if state not in REPORTED_STEP_STATES:
                return Skip(f"step state {state} is not a failure")
            m = _CLUSTER_NAME.search(str(detail.get("message") or ""))
            cluster = m.group("name") if m else cluster_id
            resource = Resource(arn=arn, name=f"{cluster}/{detail.get('name') or step_id}", run_id=step_id)
        else:
            if state != "TERMINATED_WITH_ERRORS":
                code = _reason(detail).get("code") or ""
                return Skip(f"cluster state {state}{f' ({code})' if code else ''} is not a failure")
            resource = Resource(arn=arn, name=str(detail.get("name") or cluster_id), run_id=cluster_id)
        return Incident(source=self.name, event_id=str(event.get("id", "")), detail_type=event["detail-type"],
                        region=region, account=account, resource=resource, status=state,
                        event_time=event.get("time"), catalog_arns=[arn], detail=detail)

    # -- evidence ---------------------------------------------------------------------------------
    def collect(self, c: Collector) -> None:
        inc = c.incident
        cluster_id = inc.detail["clusterId"]
        c.context.update(cluster_id=cluster_id, cluster=cluster_id,
                         cluster_console_url=cluster_console_url(inc.region, cluster_id))
        c.links.append(Link(f"Cluster {cluster_id} in the EMR console",
                            cluster_console_url(inc.region, cluster_id)))
        if inc.detail_type == STEP:
            self._step_event(c, cluster_id)
        else:
            self._cluster_event(c, cluster_id)

    def _step_event(self, c: Collector, cluster_id: str) -> None:
        inc = c.incident
        step_id = inc.resource.run_id or ""
        out = c.call(f"DescribeStep {step_id}", c.client("emr").describe_step, ClusterId=cluster_id,
                     StepId=step_id)
        step = (out or {}).get("Step")
        cluster = self._describe_cluster(c, cluster_id)
        name = (step or {}).get("Name") or inc.detail.get("name") or step_id
        cluster_name = c.context.get("cluster_name", cluster_id)
        cancelled = inc.status == "CANCELLED"
        c.context.update(what=f"EMR step {name} ({step_id}) on cluster {cluster_name}",
                         status_phrase="was cancelled" if cancelled else "failed")
        if cancelled:
            c.not_reported = self._cancelled_for(c, cluster_id, step or {"Id": step_id})
            if c.not_reported:
                return
        if step is None:
            c.add("step", "events:EMR Step Status Change",
                  f"{inc.detail.get('message') or f'Step {step_id} failed'} (from the event; the step itself "
                  "could not be read)", inc.event_time, status="FAILED",
                  action_on_failure=inc.detail.get("actionOnFailure", ""))
            step = {"Id": step_id, "Name": name, "ActionOnFailure": inc.detail.get("actionOnFailure"),
                    "Status": {"State": inc.status}}
            self._step(c, cluster_id, step, child=False, source="", described=False)
        else:
            self._step(c, cluster_id, step, child=False, source="elasticmapreduce:DescribeStep")
        if cluster is not None:
            self._cluster_evidence(c, cluster, kind="config")

    def _cluster_event(self, c: Collector, cluster_id: str) -> None:
        inc = c.incident
        cluster = self._describe_cluster(c, cluster_id)
        cluster_name = c.context.get("cluster_name", inc.resource.name)
        c.context.update(what=f"EMR cluster {cluster_name} ({cluster_id})",
                         status_phrase="terminated with errors")
        if cluster is not None:
            reason = (cluster.get("Status") or {}).get("StateChangeReason") or {}
            code, message = reason.get("Code", ""), reason.get("Message", "")
            end = parse_time(((cluster.get("Status") or {}).get("Timeline") or {}).get("EndDateTime"))
            self._cluster_evidence(c, cluster, kind="job")
        else:
            reason = _reason(inc.detail)
            code, message = reason.get("code", ""), reason.get("message", "")
            end = None
            c.add("job", "events:EMR Cluster State Change",
                  f"Cluster {inc.resource.name} ({cluster_id}) {inc.status}"
                  + (f": {code}" if code else "") + (f" — {message}" if message else "")
                  + " (from the event; the cluster itself could not be read)",
                  inc.event_time, cluster_state=inc.status, state_change_code=code,
                  state_change_message=message)
        c.context.update(state_change_code=code or "?", state_change_message=message or "")
        end = end or parse_time(inc.event_time)
        inc.stopped_at = inc.stopped_at or iso(end)
        if code == "STEP_FAILURE" or re.search(r"(?i)step(?:s)? failed", message or ""):
            self._failed_step(c, cluster_id, code or message)
        elif code == "BOOTSTRAP_FAILURE" or (code.startswith("INTERNAL_ERROR")
                                             and _NODE_INSTANCE.search(message or "")):
            # (an internal error on a node EMR names, "On the master instance (i-...), Certificate installation
            # failed due to internal error": that node's logs say what its set-up failed on)
            self._node_setup_logs(c, cluster_id, message, end)
        elif code == "INSTANCE_FAILURE" or _NODES_GONE.search(message or ""):
            # The cluster lost its core nodes ("All slaves in the job flow were terminated", the EMR guide's
            # NO_SLAVE_LEFT): YARN took them out as UNHEALTHY (disks past 90%) or they were lost; the
            # ResourceManager's log, then the NodeManager logs of the nodes it reported, say which.
            c.context.setdefault("step_name", "its steps")
            self._node_logs(c, cluster_id, _LOST_NODE_LOG, "log of why nodes went (YARN, the instance controller)",
                            end, False, before=_RESOURCEMANAGER_LOG, unhealthy=True)
        c.context.setdefault("redrive", EmrSpec.from_dict({
            "service": "emr", "cluster_id": cluster_id,
            "cluster_state": c.context.get("cluster_state", inc.status), "cluster_accepts_steps": False,
            "note": "the cluster is terminated: a re-run needs a new cluster"}, strict=True))

    # -- DescribeCluster --------------------------------------------------------------------------
    def _describe_cluster(self, c: Collector, cluster_id: str) -> dict[str, Any] | None:
        out = c.call(f"DescribeCluster {cluster_id}", c.client("emr").describe_cluster, ClusterId=cluster_id)
        cluster = (out or {}).get("Cluster")
        if not cluster:
            return None
        status = cluster.get("Status") or {}
        attrs = cluster.get("Ec2InstanceAttributes") or {}
        name = cluster.get("Name")
        c.context.update(cluster_name=name or cluster_id,
                         cluster=f"{name} ({cluster_id})" if name else cluster_id,
                         cluster_state=status.get("State", "?"),
                         release_label=cluster.get("ReleaseLabel") or cluster.get("RunningAmiVersion") or "?",
                         instance_profile=attrs.get("IamInstanceProfile") or "?",
                         service_role=cluster.get("ServiceRole") or "?",
                         emr_cluster_tags=cluster.get("Tags") or [])
        if cluster.get("LogUri"):
            c.context["log_uri"] = s3_uri(cluster["LogUri"])
        return cluster

    def _cluster_evidence(self, c: Collector, cluster: dict[str, Any], kind: str) -> Evidence:
        status = cluster.get("Status") or {}
        reason = status.get("StateChangeReason") or {}
        code, message = reason.get("Code", ""), reason.get("Message", "")
        attrs = cluster.get("Ec2InstanceAttributes") or {}
        profile = attrs.get("IamInstanceProfile")
        text = f"Cluster {cluster.get('Name', '?')} ({cluster.get('Id', '?')}) is {status.get('State', '?')}"
        text += f": {code}" if code else ""
        text += f" — {message.rstrip('.')}" if message else ""
        apps = ", ".join(f"{a.get('Name')} {a.get('Version', '')}".strip()
                         for a in cluster.get("Applications") or [])
        collection = (cluster.get("InstanceCollectionType") or "").lower().replace("_", " ")
        details = [f"release {cluster['ReleaseLabel']}" if cluster.get("ReleaseLabel") else "",
                   f"applications {apps}" if apps else "",
                   f"{collection}s" if collection else "",
                   f"subnet {attrs['Ec2SubnetId']}" if attrs.get("Ec2SubnetId") else "",
                   f"zone {attrs['Ec2AvailabilityZone']}" if attrs.get("Ec2AvailabilityZone") else "",
                   f"instance profile {profile}" if profile else "",
                   f"log URI {cluster['LogUri']}" if cluster.get("LogUri")
                   else "no log URI (logs are not archived to S3)"]
        text += ". " + "; ".join(d for d in details if d)
        timeline = status.get("Timeline") or {}
        when = (timeline.get("EndDateTime") or timeline.get("ReadyDateTime")
                or timeline.get("CreationDateTime"))
        state = status.get("State", "")
        added = c.add(kind, "elasticmapreduce:DescribeCluster", text, when, cluster_state=state,
                      state_change_code=code, state_change_message=message)
        tags = cluster_tags(cluster.get("Tags"))
        if code == "INSTANCE_FAILURE" and any(k.startswith("__mrjob_") for k in tags):
            # mrjob's clusters shut their own master down once idle (its terminate_idle_cluster.sh bootstrap
            # action), which EMR reports as "The master node was terminated" (Yelp/mrjob#1725).
            pool = tags.get("__mrjob_pool_name")
            c.add("config", "elasticmapreduce:DescribeCluster",
                  "Cluster tags: a cluster mrjob launched" + (f" (pool {pool})" if pool else "") + "; mrjob's "
                  "terminate_idle_cluster.sh bootstrap action shuts the master node down once the cluster has been "
                  "idle for its max idle time", when, self_terminating="mrjob")
        # EMR's finer error codes (INTERNAL_ERROR_SPOT_NO_CAPACITY_PRIMARY, BOOTSTRAP_FAILURE_INSUFFICIENT_DISK_
        # SPACE_WORKER, VALIDATION_ERROR_INVALID_SSH_KEY_NAME...) name the cause the state change reason does not.
        for detail in (status.get("ErrorDetails") or [])[:3]:
            error = str(detail.get("ErrorCode") or "")
            if not error:
                continue
            data = "; ".join(f"{k} {v}" for item in detail.get("ErrorData") or [] for k, v in item.items()
                             if k != "public-doc")
            c.add(kind, "elasticmapreduce:DescribeCluster",
                  f"EMR error {error}: {detail.get('ErrorMessage') or 'no message'}" + (f" ({data})" if data else ""),
                  when, emr_error_code=error)
        return added

    # -- a step's evidence ------------------------------------------------------------------------
    def _step(self, c: Collector, cluster_id: str, step: dict[str, Any], *, child: bool, source: str,
              described: bool = True) -> None:
        """Evidence of one step (``child``: the failed step of a terminated cluster); ``described`` is False
        when the step could not be read and only the event's facts are known."""
        status = step.get("Status") or {}
        details = status.get("FailureDetails") or {}
        timeline = status.get("Timeline") or {}
        start, end = parse_time(timeline.get("StartDateTime")), parse_time(timeline.get("EndDateTime"))
        step_id, name = step.get("Id", "?"), step.get("Name") or step.get("Id", "?")
        state, aof = status.get("State", "FAILED"), step.get("ActionOnFailure") or "?"
        reason, message = details.get("Reason", ""), details.get("Message", "")
        log_file = details.get("LogFile", "")
        if described:
            text = f"{'Failed step: ' if child else ''}Step '{name}' ({step_id}) {state}"
            text += f" after {_minutes(start, end)}" if _minutes(start, end) else ""
            text += f" (ActionOnFailure {aof})"
            if reason or message:
                text += f": {reason}" if reason else ""
                text += f" — {shorten(message, 900)}" if message else ""
            elif state == "CANCELLED":
                text += "; no step failed before it and the cluster runs on: it was cancelled with CancelSteps"
            else:
                text += "; EMR gave no failure details, the cause is in the step's logs"
            text += f". Log file: {log_file}" if log_file else ""
            c.add("step", source, text, end, status=state, reason=reason, message=message, log_file=log_file,
                  action_on_failure=aof, child=child)
        config = step.get("Config") or {}
        command = " ".join(str(p) for p in [config.get("Jar", ""), config.get("MainClass") or "",
                                            *(config.get("Args") or [])] if p)
        if command:
            props = config.get("Properties") or {}
            text = f"{'Failed step' if child else 'Step'} command: {shorten(command, 700)}"
            text += f"; properties {json.dumps(props, sort_keys=True)}" if props else ""
            c.add("config", source, text, child=child)
        values = dict(step_id=step_id, step_name=name, step_state=state, action_on_failure=aof,
                      step_command=shorten(command, 300) if command else "?",
                      failure_reason=reason or "?", failure_message=shorten(message, 300) if message else "?")
        for key, value in values.items():
            c.context.setdefault(key, value)
        if not child:
            c.incident.started_at = c.incident.started_at or iso(start)
            c.incident.stopped_at = c.incident.stopped_at or iso(end)
        if described or child:
            c.context.setdefault("redrive", EmrSpec.from_dict(self._redrive(c, cluster_id, step), strict=True))
        self._step_logs(c, cluster_id, step_id, log_file, end or parse_time(c.incident.event_time), child,
                        command)

    def _redrive(self, c: Collector, cluster_id: str, step: dict[str, Any]) -> dict[str, Any]:
        config = step.get("Config") or {}
        jar: dict[str, Any] = {"Jar": config.get("Jar", ""), "Args": list(config.get("Args") or [])}
        if config.get("Properties"):
            jar["Properties"] = [{"Key": k, "Value": v} for k, v in config["Properties"].items()]
        if config.get("MainClass"):
            jar["MainClass"] = config["MainClass"]
        state = c.context.get("cluster_state", "?")
        return {"service": "emr", "cluster_id": cluster_id, "cluster_state": state,
                "cluster_accepts_steps": state in _ACCEPTS_STEPS, "failed_step_id": step.get("Id"),
                "step": {"Name": step.get("Name"), "ActionOnFailure": step.get("ActionOnFailure"),
                         "HadoopJarStep": jar}}

    def _cancelled_for(self, c: Collector, cluster_id: str, step: dict[str, Any]) -> str:
        """Why a cancelled step is not reported ("" when it is: a person cancelled it). EMR cancels the steps
        queued behind a failed one whose ActionOnFailure is CANCEL_AND_WAIT or TERMINATE_CLUSTER, and every
        pending step of a cluster that ends: that failure, or the cluster's end, is reported on its own (a
        cluster terminated on request is no failure). One ListSteps call."""
        state = str(c.context.get("cluster_state") or "")
        if state.startswith("TERMINAT"):
            return (f"step {step.get('Id')} was cancelled because cluster {cluster_id} is {state}: the cluster's "
                    "end is what to report (a cluster that terminated with errors is reported on its own)")
        out = c.call(f"ListSteps {cluster_id}", c.client("emr").list_steps, ClusterId=cluster_id)
        if out is None:
            return ""
        mine = ((step.get("Status") or {}).get("Timeline") or {})
        until = parse_time(mine.get("EndDateTime")) or parse_time(c.incident.event_time)
        for other in out.get("Steps") or []:  # newest first
            status = other.get("Status") or {}
            ended = parse_time((status.get("Timeline") or {}).get("EndDateTime"))
            if (status.get("State") == "FAILED" and other.get("ActionOnFailure") in _CANCELS_OTHERS
                    and (until is None or ended is None or ended <= until + _CANCEL_SLACK)):
                return (f"step {step.get('Id')} was cancelled because step '{other.get('Name') or other.get('Id')}' "
                        f"({other.get('Id')}) failed before it (ActionOnFailure {other.get('ActionOnFailure')}); "
                        "that failure is reported on its own")
        return ""

    def _failed_step(self, c: Collector, cluster_id: str, why: str) -> None:
        out = c.call(f"ListSteps {cluster_id}", c.client("emr").list_steps, ClusterId=cluster_id)
        steps = (out or {}).get("Steps") or []  # newest first
        failed_steps = [s for s in steps if (s.get("Status") or {}).get("State") == "FAILED"]
        failed = next((s for s in failed_steps if s.get("ActionOnFailure") in _TERMINATING), None) or (
            failed_steps[0] if failed_steps else None)
        if failed is None:
            c.add("job", "elasticmapreduce:DescribeCluster",
                  f"The cluster shut down because a step failed ({why}); "
                  + ("ListSteps shows no FAILED step" if out else "the steps could not be listed"),
                  upstream_step_failed=True)
            return
        cancelled = [s for s in steps if (s.get("Status") or {}).get("State") == "CANCELLED"]
        name = failed.get("Name") or failed.get("Id")
        text = (f"The cluster shut down because step '{name}' ({failed.get('Id')}) failed "
                f"(ActionOnFailure {failed.get('ActionOnFailure', '?')})")
        text += f"; {len(cancelled)} other step(s) were cancelled" if cancelled else ""
        end = ((failed.get("Status") or {}).get("Timeline") or {}).get("EndDateTime")
        c.add("step", "elasticmapreduce:ListSteps", text, end, upstream_step_failed=True,
              failed_step_id=failed.get("Id", ""), failed_step_name=name)
        c.context.update(failed_step_id=failed.get("Id", "?"), failed_step_name=name,
                         failed_step_action=failed.get("ActionOnFailure", "?"))
        self._step(c, cluster_id, failed, child=True, source="elasticmapreduce:ListSteps")

    # -- logs in S3 -------------------------------------------------------------------------------
    def _step_logs(self, c: Collector, cluster_id: str, step_id: str, log_file: str,
                   failure_time: datetime | None, child: bool, command: str = "") -> None:
        if log_file:
            stderr = s3_uri(log_file)
            folder = stderr.rsplit("/", 1)[0] + "/"
            if stderr.endswith("/"):  # the step's log folder rather than the file in it
                stderr = folder + "stderr.gz"
        elif c.context.get("log_uri"):
            folder = f"{c.context['log_uri'].rstrip('/')}/{cluster_id}/steps/{step_id}/"
            stderr = folder + "stderr.gz"
        else:
            why = ("the cluster has no LogUri" if "cluster_name" in c.context
                   else "the cluster could not be read")
            c.book.gap(f"logs of step {step_id}: no LogFile in its failure details and {why}")
            return
        c.context.setdefault("step_log_folder", folder)
        c.links.append(Link(f"Logs of step {step_id} in S3", _s3_console(c.incident.region, folder)))
        syslog = folder + "syslog.gz"
        named: list[Any] = []
        name = stderr.rsplit("/", 1)[1]
        if name.split(".")[0] in ("syslog", "controller"):
            # A Hadoop step's failure details name its syslog (the job client's "Task Id : …, Status : FAILED"
            # lines); what the task attempts died of is in its stderr, read after it.
            named = self._read(c, stderr, f"{name} of step {step_id}") or []
            if named:
                self._add_log(c, named, stderr, failure_time, _SYSLOG_ITEMS, child)
            if stderr == syslog:
                syslog = ""
            stderr = folder + "stderr.gz"
        lines = self._read(c, stderr, f"stderr of step {step_id}")
        if lines:
            self._add_log(c, lines, stderr, failure_time, _LOG_ITEMS, child)
        # The syslog when stderr names no cause, or names a MapReduce job that failed ("dataset import job
        # job_1494839388120_0002 failed", "Job failed!"): the job client logs its tasks' failures there.
        said = "\n".join(_text(line) for line in lines or [])
        if syslog and (not _CAUSE_LIKE.search(said) or _HADOOP_JOB.search(said)):
            more = self._read(c, syslog, f"syslog of step {step_id}")
            if more:
                self._add_log(c, more, syslog, failure_time, _SYSLOG_ITEMS, child)
            lines = [*(lines or []), *(more or [])]
        said = "\n".join(_text(line) for line in lines or [])
        never_started = _ACCEPTED.search(said) is not None and _STARTED.search(said) is None
        if not never_started and not _CAUSE_LIKE.search(said):
            # A program the command runner started that logs to standard output (a CLI that submits its own
            # MapReduce jobs and prints their task failures, a Python script's logging): its stdout, when stderr and
            # syslog name no cause. A step need not have one.
            out = self._read(c, folder + "stdout.gz", f"stdout of step {step_id}", optional=True)
            if out:
                self._add_log(c, out, folder + "stdout.gz", failure_time, _SYSLOG_ITEMS, child)
                lines = [*(lines or []), *out]
        lines = [*named, *(lines or [])]
        read = "\n".join(_text(line) for line in lines)  # what the step's logs said, for the reads they lead to
        if not never_started:  # (an application YARN never started ran no container: no container logs to list)
            self._yarn_logs(c, cluster_id, step_id, lines, failure_time, child)
        hadoop1 = [] if _APPLICATION.search(read) else _HADOOP1_JOB.findall(read)
        if hadoop1:
            self._job_history(c, cluster_id, hadoop1[-1], failure_time, child)
        if _MISSING_MODULE.search(read):
            # A bootstrap script that does not stop on a failed install returns 0: only its stderr says so.
            self._node_logs(c, cluster_id, _BOOTSTRAP_STDERR, "stderr of a bootstrap action", failure_time, child)
        elif _HDFS_NO_TARGET.search(read):
            # The NameNode found no DataNode to write to: the DataNodes' own logs say why (out of space, as a rule).
            self._node_logs(c, cluster_id, _DATANODE_LOG, "HDFS DataNode log", failure_time, child)
        elif _LOST_NODE.search(read):
            self._node_logs(c, cluster_id, _LOST_NODE_LOG, "log of why nodes went (YARN, the instance controller)",
                            failure_time, child, before=_RESOURCEMANAGER_LOG, unhealthy=True)
        elif never_started:
            self._node_logs(c, cluster_id, _RESOURCEMANAGER_LOG, "YARN ResourceManager log", failure_time, child,
                            unhealthy=True)
        elif _HBASE_CLIENT.search(read):
            hosts = tuple(dict.fromkeys(m.group(1) for m in _REGION_HOST.finditer(read)))
            self._node_logs(c, cluster_id, _REGIONSERVER_LOG, "HBase region server log", failure_time, child,
                            first=hosts)
        elif _CONTAINER_LOST.search(read):
            # A container YARN killed or lost (a Flink TaskManager "no longer reachable", an executor lost): the
            # NodeManager on its host says why ("is running beyond virtual memory limits ... Killing container").
            hosts = tuple(dict.fromkeys(m.group(1) for line in read.splitlines() if _CONTAINER_LOST.search(line)
                                        for m in _NODE_HOST.finditer(line)))
            self._node_logs(c, cluster_id, _NODEMANAGER_LOG, "YARN NodeManager log", failure_time, child, first=hosts)
        elif _ENGINE_CLIENT.search(command):
            # A query engine's client prints "Query ... failed: Internal error": the cause is in the server's log.
            self._node_logs(c, cluster_id, _ENGINE_LOG, "query engine server log", failure_time, child)

    def _job_history(self, c: Collector, cluster_id: str, job_id: str, failure_time: datetime | None,
                     child: bool) -> None:
        """A Hadoop 1 job's history file under ``<LogUri>/<cluster>/jobs/`` (EMR's AMI 2 and 3 clusters, before
        YARN): the errors of its failed and killed task attempts ("Task attempt_..._r_000012_3 failed to report
        status for 602 seconds. Killing!", "java.io.IOException: error=12, Cannot allocate memory"), which the
        step's own logs sum up as "# of failed Reduce Tasks exceeded allowed limit". One listing, one read."""
        from ...evidence.compaction import LogLine

        listed = self._listing(c, cluster_id, "jobs/", YARN_LIST_LIMIT)
        if listed is None:
            return
        bucket, _, out = listed
        keys = [str(o.get("Key")) for o in out.get("Contents") or []
                if job_id in str(o.get("Key")) and not str(o.get("Key")).endswith(".xml")]
        if not keys:
            return
        uri = f"s3://{bucket}/{keys[0]}"
        lines = self._read(c, uri, f"history of Hadoop job {job_id}")
        text = "\n".join(_text(line) for line in lines or [])
        failed = [LogLine(message, when, uri) for message, when in failed_attempts(text)]
        if failed:
            c.links.append(Link(f"History of Hadoop job {job_id} in S3", _s3_console(c.incident.region, uri)))
            self._add_log(c, failed, uri, failure_time, _YARN_ITEMS, child)

    @staticmethod
    def _listing(c: Collector, cluster_id: str, folder: str, limit: int
                 ) -> tuple[str, str, dict[str, Any]] | None:
        """One ListObjectsV2 of ``<LogUri>/<cluster>/<folder>`` (a folder, or the start of its keys): the bucket, the
        cluster's own prefix in it and the answer; None when the cluster has no LogUri or the listing failed (a gap,
        said by ``c.call``)."""
        from ...evidence.logs import parse_s3_uri

        log_uri = c.context.get("log_uri")
        parsed = parse_s3_uri(f"{str(log_uri).rstrip('/')}/{cluster_id}/") if log_uri else None
        if parsed is None:
            return None
        bucket, base = parsed
        out = c.call(f"ListObjectsV2 s3://{bucket}/{base}{folder}", c.client("s3").list_objects_v2, Bucket=bucket,
                     Prefix=base + folder, MaxKeys=limit)
        return None if out is None else (bucket, base, out)

    def _node_logs(self, c: Collector, cluster_id: str, key: re.Pattern[str], what: str,
                   failure_time: datetime | None, child: bool, first: tuple[str, ...] = (),
                   before: re.Pattern[str] | None = None, unhealthy: bool = False) -> None:
        """Logs the nodes wrote under ``<LogUri>/<cluster>/node/`` whose keys match ``key`` (one listing; the
        largest ``NODE_LOG_READS`` read: a log with an error in it is the longer one), those whose key matches
        ``before``, then those whose key names one of the hosts ``first``, before the others. With ``unhealthy``,
        the nodes the first log read reports UNHEALTHY (``_UNHEALTHY_NODE``) have their NodeManager logs read
        next, in place of the rest."""
        listed = self._listing(c, cluster_id, "node/", NODE_LIST_LIMIT)
        if listed is None:
            return
        bucket, _, out = listed
        found = [o for o in out.get("Contents") or [] if key.search(str(o.get("Key", "")))]
        def order(o: dict[str, Any]) -> tuple[bool, bool, int, str]:
            named = any(host.split(".")[0] in str(o["Key"]) for host in first)
            preferred = before is not None and bool(before.search(str(o["Key"])))
            return not preferred, not named, -(o.get("Size") or 0), str(o["Key"])

        queue = sorted(found, key=order)[:NODE_LOG_READS]
        at = 0
        while at < min(len(queue), NODE_LOG_READS):
            obj = queue[at]
            instance = re.search(r"/node/(i-[0-9a-f]+)/", str(obj["Key"]))
            uri = f"s3://{bucket}/{obj['Key']}"
            lines = self._read(c, uri, f"{what} on {instance.group(1) if instance else 'a node'}")
            if lines:
                self._add_log(c, lines, uri, failure_time, _LOG_ITEMS, child)
                if at == 0 and unhealthy:
                    hosts = dict.fromkeys(m.group(1) for line in lines for m in _UNHEALTHY_NODE.finditer(_text(line)))
                    managers = [o for o in out.get("Contents") or [] if _NODEMANAGER_LOG.search(str(o.get("Key", "")))
                                and any(f"nodemanager-{host}." in str(o["Key"]) for host in hosts)]
                    if managers:
                        queue[1:] = sorted(managers, key=lambda o: -(o.get("Size") or 0))
            at += 1

    def _yarn_logs(self, c: Collector, cluster_id: str, step_id: str, step_lines: list[Any],
                   failure_time: datetime | None, child: bool) -> None:
        """The stderr of the step's YARN containers under ``<LogUri>/<cluster>/containers/`` (bounded), and the
        stdout of the application master (the driver in cluster mode: a PySpark traceback is printed there) or
        of a container whose stderr shows no error."""
        apps = list(dict.fromkeys(m.group(0) for line in step_lines for m in _APPLICATION.finditer(_text(line))))
        listed = self._listing(c, cluster_id, f"containers/{apps[-1]}/" if apps else "containers/application_",
                               YARN_LIST_LIMIT)
        if listed is None:
            return
        bucket, base, out = listed
        # container -> {"stderr"|"stdout"|"syslog": object}, per application
        logs: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
        for obj in out.get("Contents") or []:
            m = _CONTAINER_KEY.search("/" + str(obj.get("Key", "")))
            if m:
                kind = m.group(3) if m.group(3) in ("stderr", "stdout", "syslog") else "log:" + m.group(3)
                logs.setdefault((m.group(1), m.group(2)), {})[kind] = obj  # a Tez task's last attempt's syslog
        found = [(app, cont, objs) for (app, cont), objs in logs.items() if set(objs) - {"stdout"}]
        if not found:
            return
        if out.get("IsTruncated"):
            c.book.gap(f"YARN container logs of {cluster_id}: only the first {YARN_LIST_LIMIT} keys were listed")
        newest = max(found, key=lambda f: (max(str(o.get("LastModified") or "") for o in f[2].values()), f[0]))[0]
        # The step's application (named in its logs), else the newest application written.
        app = apps[-1] if apps and any(f[0] == apps[-1] for f in found) else newest
        mine = sorted((f for f in found if f[0] == app), key=lambda f: f[1])
        # The application masters (container ..._000001 of each attempt: the driver in cluster mode) first, then
        # the newest containers: a failed task's last attempts run in the last containers launched.
        masters = [f for f in mine if f[1].endswith("_000001")][:YARN_CONTAINERS - 1]
        rest = [f for f in mine if not f[1].endswith("_000001")]
        chosen = sorted(masters + rest[max(0, len(rest) - (YARN_CONTAINERS - len(masters))):], key=lambda f: f[1])
        c.links.append(Link(f"YARN container logs of {app} in S3",
                            _s3_console(c.incident.region, f"s3://{bucket}/{base}containers/{app}/")))
        for _, container, objs in chosen:
            self._container(c, bucket, container, objs, failure_time, child)
        if len(mine) > len(chosen):
            c.book.gap(f"{len(mine) - len(chosen)} more YARN containers of {app} were not read")

    def _container(self, c: Collector, bucket: str, container: str, objs: dict[str, dict[str, Any]],
                   failure_time: datetime | None, child: bool) -> None:
        """One YARN container's logs: its stderr; its syslog, then the logs it names itself ("<name>.log", at
        most ``CONTAINER_NAMED_LOGS``), while those read show no error (a MapReduce task logs its exception in its
        syslog, a Skein service in its own log); the stdout of the application master (the driver in cluster mode
        prints a PySpark traceback there) or of a container whose logs show no error."""
        lines: list[Any] = []
        # A container of the application master's second or later attempt (container_<cluster>_<app>_02_...): YARN
        # ran the application again after the first attempt failed, so what it found left by the first (its
        # output directory, already there) follows that failure.
        parts = container.split("_")
        reattempt = len(parts) >= 5 and parts[-2].isdigit() and int(parts[-2]) > 1
        named = sorted(k for k in objs if k.startswith("log:"))[:CONTAINER_NAMED_LOGS]
        for kind in ("stderr", "syslog", *named):
            if kind in objs and not any(_ERROR_LIKE.search(_text(line)) for line in lines):
                uri = f"s3://{bucket}/{objs[kind]['Key']}"
                more = self._read(c, uri, f"{kind.removeprefix('log:')} of YARN container {container}") or []
                if more:
                    self._add_log(c, more, uri, failure_time, _YARN_ITEMS, child, reattempt)
                lines += more
        driver = container.endswith("_000001")
        if "stdout" in objs and (driver or not any(_ERROR_LIKE.search(_text(line)) for line in lines)):
            uri = f"s3://{bucket}/{objs['stdout']['Key']}"
            out = self._read(c, uri, f"stdout of YARN container {container}")
            if out:
                self._add_log(c, out, uri, failure_time, _YARN_ITEMS, child, reattempt)

    def _add_log(self, c: Collector, lines: list[Any], uri: str, failure_time: datetime | None,
                 max_items: int, child: bool, reattempt: bool = False) -> None:
        self._mark(c.add_compacted(lines, uri, failure_time, max_items=max_items), child, reattempt)

    def _node_setup_logs(self, c: Collector, cluster_id: str, message: str,
                         failure_time: datetime | None) -> None:
        """A node's set-up that failed (a bootstrap action the message names, else the node it names): its logs."""
        m = _BOOTSTRAP.search(message or "")
        if not m:
            node = _NODE_INSTANCE.search(message or "")
            if node:
                self._provisioning_logs(c, cluster_id, node.group("instance"), failure_time)
            return
        c.context.update(bootstrap_instance=m.group("instance"), bootstrap_action=m.group("n"))
        if not c.context.get("log_uri"):
            c.book.gap("bootstrap action logs: the cluster's LogUri is unknown")
            return
        actions = f"{c.context['log_uri'].rstrip('/')}/{cluster_id}/node/{m.group('instance')}/bootstrap-actions/"
        folder = f"{actions}{m.group('n')}/"
        c.context["bootstrap_log"] = folder + "stderr.gz"
        c.links.append(Link(f"Bootstrap action {m.group('n')} logs in S3",
                            _s3_console(c.incident.region, folder)))
        # A script that could not be downloaded never ran: it has no stderr, and the bootstrap runner's own log
        # on the node (bootstrap-actions/master.log) says why ("The bucket is in this region: us-east-1").
        fetch = _BOOTSTRAP_DOWNLOAD.search(message or "") is not None
        lines = self._read(c, folder + "stderr.gz", f"stderr of bootstrap action {m.group('n')}", optional=fetch)
        if lines:
            c.add_compacted(lines, folder + "stderr.gz", failure_time, max_items=_LOG_ITEMS)
        if fetch or not lines:
            runner = actions + "master.log.gz"
            ran = self._read(c, runner, f"bootstrap runner log of {m.group('instance')}", optional=not fetch)
            if ran:
                c.add_compacted(ran, runner, failure_time, max_items=_LOG_ITEMS)
        # What the script printed: yum says "No package python27 available." on stdout, and only "Error: Nothing
        # to do" on stderr.
        out = self._read(c, folder + "stdout.gz", f"stdout of bootstrap action {m.group('n')}", optional=True)
        if out:
            c.add_compacted(out, folder + "stdout.gz", failure_time, max_items=_LOG_ITEMS)

    def _provisioning_logs(self, c: Collector, cluster_id: str, instance: str,
                           failure_time: datetime | None) -> None:
        """A node whose provisioning failed before any bootstrap action ("On the master instance (i-...),
        application provisioning failed"): the logs EMR's node provisioner wrote under
        ``<LogUri>/<cluster>/node/<instance>/provision-node/`` (its stderr, and the Puppet log of the
        applications phase; the newest two read), then the log of a daemon they say did not start ("Systemd
        start for emrsecretagent failed!": ``daemons/secretagent/``), where its own error is. One listing."""
        from ...evidence.logs import parse_s3_uri

        log_uri = c.context.get("log_uri")
        node = f"{str(log_uri).rstrip('/')}/{cluster_id}/node/{instance}/" if log_uri else ""
        if not node or parse_s3_uri(node) is None:
            c.book.gap("node provisioning logs: the cluster's LogUri is unknown")
            return
        c.context.update(bootstrap_instance=instance)
        c.links.append(Link(f"Provisioning logs of {instance} in S3",
                            _s3_console(c.incident.region, node + "provision-node/")))
        listed = self._listing(c, cluster_id, f"node/{instance}/", NODE_LIST_LIMIT)
        if listed is None:
            return
        bucket, _, out = listed
        objects = out.get("Contents") or []
        provisioning = sorted((o for o in objects if _PROVISION_LOG.search(str(o.get("Key", "")))),
                              key=lambda o: o.get("LastModified") or "", reverse=True)
        if not provisioning:
            c.book.gap(f"node provisioning logs of {instance}: no stderr or puppet.log under {node}provision-node/")
            # A step of the node's set-up that the instance controller runs itself ("Certificate installation
            # failed due to internal error": the in-transit encryption's certificate provider): its own log says why.
            self._largest(c, bucket, [o for o in objects if _INSTANCE_CONTROLLER_LOG.search(str(o.get("Key", "")))],
                          f"instance controller log of {instance}", failure_time)
            return
        failed: list[str] = []
        for obj in provisioning[:2]:
            uri = f"s3://{bucket}/{obj['Key']}"
            lines = self._read(c, uri, f"provisioning log of {instance}")
            if lines:
                c.add_compacted(lines, uri, failure_time, max_items=_LOG_ITEMS)
                failed += [m.group(1) for line in lines for m in _SERVICE_FAILED.finditer(_text(line))]
        if not failed:
            return
        # The first service that failed (the others depend on it, as a rule): its daemon's largest log.
        service = failed[0]
        daemon = [o for o in objects if (d := _DAEMON_LOG.search(str(o.get("Key", "")))) and d.group(1) in service]
        self._largest(c, bucket, daemon, f"log of {service} on {instance}", failure_time)

    def _largest(self, c: Collector, bucket: str, objects: list[dict[str, Any]], what: str,
                 failure_time: datetime | None) -> None:
        """Read the largest of ``objects`` (a log with an error in it is the longer one) into the evidence."""
        if not objects:
            return
        obj = max(objects, key=lambda o: o.get("Size") or 0)
        uri = f"s3://{bucket}/{obj['Key']}"
        lines = self._read(c, uri, what)
        if lines:
            c.add_compacted(lines, uri, failure_time, max_items=_LOG_ITEMS)

    def _read(self, c: Collector, uri: str, what: str, optional: bool = False) -> list[Any] | None:
        """The object's lines (gzip or not, the newest ``log_max_bytes``); None, with a gap, if unreadable.
        An ``optional`` object that is not there or is empty is no gap (a script that printed nothing)."""
        from ...evidence.logs import read_s3_log

        if not c.spend(what):
            return None
        fetched = read_s3_log(c.client("s3"), s3_uri(uri), max_bytes=c.settings.log_max_bytes)
        if optional and not fetched.lines and (not fetched.error or "not found" in fetched.error):
            return None
        if fetched.error:
            c.failed_reads += 1
            note = f"{what}: {fetched.error}"
            if not fetched.lines and "not found" in fetched.error:
                note += " (EMR copies logs to S3 about every 5 minutes: it may not be there yet)"
            c.book.gap(note)
        if not fetched.lines:
            if not fetched.error:
                c.book.gap(f"{what}: log object {uri} is empty")
            return None
        if fetched.truncated:
            c.context.setdefault("log_note",
                                 f"only the newest {c.settings.log_max_bytes} bytes of {uri} were read")
        return fetched.lines

    @staticmethod
    def _mark(items: list[Evidence], child: bool, reattempt: bool = False) -> None:
        for ev in items:
            if child:
                ev.facts["child"] = True
            if reattempt:
                ev.facts["reattempt"] = True


def _text(line: Any) -> str:
    return line if isinstance(line, str) else str(getattr(line, "message", ""))
