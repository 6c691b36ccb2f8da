"""template.yaml: valid SAM, rules that match the real events they should, least-privilege IAM, and
a local stack (moto) built from the same definitions."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from tests.stack import create_stack_resources, load_template

from incident_responder.config import ENV

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
EVENTBRIDGE_FIXTURES = ROOT / "tests" / "fixtures" / "eventbridge"
REGION = "eu-west-1"

# EventBridgeRule event name on AnalyzeFunction -> rules/events/<file>.json and sam/events/<file>.json
RULE_FILES = {
    "StepFunctions": "stepfunctions",
    "Ecs": "ecs",
    "EmrStep": "emr_step",
    "EmrCluster": "emr_cluster",
    "Glue": "glue",
    "Batch": "batch",
    "EmrServerless": "emrserverless",
    "EmrContainers": "emrcontainers",
    "Athena": "athena",
    "GlueCrawler": "gluecrawler",
    "GlueDataQuality": "gluedq",
    "LambdaFailure": "lambda",
}

EXPECTED_HANDLERS = {
    "AnalyzeFunction": "incident_responder.handlers.analyze.handler",
    "SlackIngressFunction": "incident_responder.handlers.slack_ingress.handler",
    "FollowupWorkerFunction": "incident_responder.handlers.followup.handler",
    "RedriveFunction": "incident_responder.handlers.redrive.handler",
    "FailsafeFunction": "incident_responder.handlers.failsafe.handler",
}

# The calls the redrive plans make (each adapter's Plan.action; test_template_calls derives them from the code).
REDRIVE_ACTIONS = {
    "states:RedriveExecution",
    "states:StartExecution",
    "ecs:RunTask",
    "elasticmapreduce:AddJobFlowSteps",
    "glue:StartJobRun",
    "batch:SubmitJob",
    "glue:StartCrawler",
    "athena:StartQueryExecution",
    "emr-serverless:StartJobRun",
    "emr-containers:StartJobRun",
    "lambda:InvokeFunction",
}
# The services a redrive passes a run's role to (ECS tasks, EMR Serverless job runs), one statement each.
PASSED_TO = {"ecs-tasks.amazonaws.com", "emr-serverless.amazonaws.com"}

# Environment variables the template sets that incident_responder.config does not define (yet), and
# the ones Powertools reads itself.
NOT_IN_CONFIG = {"POWERTOOLS_LOG_LEVEL", "AWS_ENDPOINT_URL"}  # AWS_ENDPOINT_URL: read by boto3 itself

AWS_MANAGED_POLICIES = {
    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
    "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole",
}

# Real samples (tests/fixtures/eventbridge, copied from AWS documentation; see each .source.txt)
# -> the rules they must reach. An empty set: no rule may match.
EXPECTED_ROUTES = {
    "sfn_execution_status_change_failed.json": {"StepFunctions"},
    "sfn_execution_status_change_timed_out.json": {"StepFunctions"},
    "sfn_execution_status_change_aborted.json": {"StepFunctions"},
    "sfn_execution_status_change_succeeded.json": set(),
    "sfn_execution_status_change_running.json": set(),
    "glue_job_state_change_FAILED.json": {"Glue"},
    "glue_job_state_change_TIMEOUT.json": {"Glue"},
    "glue_job_state_change_STOPPED.json": {"Glue"},
    "glue_job_state_change_SUCCEEDED.json": set(),
    "ecs_task_state_change_running_fargate.json": set(),
    "ecs_task_state_change_container_stopped_exit0_2019doc.json": set(),
    "emr_cluster_state_change_WAITING.json": set(),
    "emr_cluster_state_change_TERMINATED_user_request.json": set(),
    "emr_step_status_change_FAILED.json": {"EmrStep"},
    "batch_job_state_change_RUNNABLE.json": set(),
    "batch_job_state_change_FAILED.json": {"Batch"},
    "emr_serverless_job_run_state_change_RUNNING.json": set(),
    "emr_serverless_job_run_state_change_FAILED.json": {"EmrServerless"},
    "athena_query_state_change_SUCCEEDED.json": set(),
    "athena_query_state_change_FAILED.json": {"Athena"},
    "glue_crawler_state_change_Succeeded.json": set(),
    "glue_crawler_state_change_Failed.json": {"GlueCrawler"},
    "glue_dq_evaluation_results_all_passed.json": set(),
    "glue_dq_evaluation_results_rules_failed.json": {"GlueDataQuality"},
    "lambda_invocation_result_failure.json": {"LambdaFailure"},
    "lambda_invocation_result_success.json": set(),
}


def _sam() -> str | None:
    beside = Path(sys.executable).with_name("sam")
    return str(beside) if beside.exists() else shutil.which("sam")


def _session() -> boto3.Session:
    return boto3.Session(region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")


def _sam_env() -> dict[str, str]:
    return {**os.environ, "SAM_CLI_TELEMETRY": "0", "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION}


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template(TEMPLATE)


@pytest.fixture(scope="module")
def functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {lid: r for lid, r in template["Resources"].items() if r["Type"] == "AWS::Serverless::Function"}


@pytest.fixture(scope="module")
def rules(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    events = template["Resources"]["AnalyzeFunction"]["Properties"]["Events"]
    return {name: ev["Properties"] for name, ev in events.items() if ev["Type"] == "EventBridgeRule"}


@pytest.fixture(scope="module")
def transformed(template: dict[str, Any]) -> dict[str, Any]:
    """template.yaml through the real SAM translator (offline), as CloudFormation will see it."""
    translator = pytest.importorskip("samtranslator.translator.translator")
    from samtranslator.parser.parser import Parser

    sam = json.loads(json.dumps(template))
    for resource in sam["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = "s3://bucket/code.zip"  # the translator wants S3
    pseudo = {"AWS::Region": REGION, "AWS::AccountId": "123456789012", "AWS::Partition": "aws",
              "AWS::StackName": "incident-responder"}
    return translator.Translator(  # type: ignore[no-any-return]
        managed_policy_map={}, sam_parser=Parser(), boto_session=boto3.Session(region_name=REGION)
    ).translate(sam_template=sam, parameter_values=pseudo)


# ---------------------------------------------------------------- (a) the template is valid


def test_sam_validate_lint() -> None:
    sam = _sam()
    if sam is None:
        pytest.skip("the sam CLI is not installed (pip install aws-sam-cli)")
    proc = subprocess.run([sam, "validate", "--lint", "--template", str(TEMPLATE)], cwd=ROOT, env=_sam_env(),
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_transformed_template_lints_clean(transformed: dict[str, Any]) -> None:
    # `sam validate --lint` checks the SAM form only; this lints what SAM generates, so references to
    # generated resources (rule ARNs in the DLQ policy, the function URL) are checked too.
    api = pytest.importorskip("cfnlint.api")
    matches = api.lint(json.dumps(transformed), regions=[REGION, "us-east-1"])
    assert not matches, "\n".join(str(m) for m in matches)


def test_globals(template: dict[str, Any]) -> None:
    fn = template["Globals"]["Function"]
    assert fn["Runtime"] == "python3.13"
    assert fn["Architectures"] == ["arm64"]
    assert fn["Tracing"] == "Active"
    variables = fn["Environment"]["Variables"]
    powertools = {"POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE", "POWERTOOLS_LOG_LEVEL"}
    assert powertools <= set(variables)
    assert variables["POWERTOOLS_LOG_LEVEL"] == {"Ref": "LogLevel"}


# ---------------------------------------------------------------- (e) functions, handlers, build


def test_handlers_are_the_expected_set(functions: dict[str, dict[str, Any]]) -> None:
    handlers = {lid: fn["Properties"]["Handler"] for lid, fn in functions.items()}
    assert handlers == EXPECTED_HANDLERS
    for handler in handlers.values():
        module, _, func = handler.rpartition(".")
        assert func == "handler"
        path = "functions/" + module.replace(".", "/") + ".py"
        assert path.startswith("functions/incident_responder/handlers/"), path


def test_every_function_builds_from_functions_dir(functions: dict[str, dict[str, Any]]) -> None:
    makefile = (ROOT / "functions" / "Makefile").read_text(encoding="utf-8")
    listed = re.search(r"^FUNCTIONS\s*:?=\s*(.+)$", makefile, re.MULTILINE)
    assert listed, "functions/Makefile has no FUNCTIONS list"
    for lid, fn in functions.items():
        assert fn["Properties"]["CodeUri"] == "functions/", lid
        assert fn.get("Metadata", {}).get("BuildMethod") == "makefile", lid
        assert lid in listed.group(1).split(), f"functions/Makefile has no build-{lid} target"


def test_environment_names_are_the_configured_ones(template: dict[str, Any],
                                                   functions: dict[str, dict[str, Any]]) -> None:
    names = set(template["Globals"]["Function"]["Environment"]["Variables"])
    for fn in functions.values():
        names |= set(fn["Properties"].get("Environment", {}).get("Variables", {}))
    unknown = names - set(ENV) - NOT_IN_CONFIG
    assert not unknown, f"not in incident_responder.config.ENV: {sorted(unknown)}"


# ---------------------------------------------------------------- (c) rules/events == template


def test_rule_files_are_the_template_patterns(rules: dict[str, dict[str, Any]]) -> None:
    files = {p.stem for p in (ROOT / "rules" / "events").glob("*.json")}
    assert files == set(RULE_FILES.values())
    assert set(rules) == set(RULE_FILES)
    for name, props in rules.items():
        path = ROOT / "rules" / "events" / f"{RULE_FILES[name]}.json"
        on_disk = json.loads(path.read_text(encoding="utf-8"))
        assert on_disk == props["Pattern"], name


def test_rules_retry_and_dead_letter(template: dict[str, Any], rules: dict[str, dict[str, Any]]) -> None:
    dlq = {"Fn::GetAtt": ["AnalyzeDLQ", "Arn"]}
    for name, props in rules.items():
        assert props["DeadLetterConfig"] == {"Arn": dlq}, name
        assert {"MaximumRetryAttempts", "MaximumEventAgeInSeconds"} <= set(props["RetryPolicy"]), name
    invoke = template["Resources"]["AnalyzeFunction"]["Properties"]["EventInvokeConfig"]
    assert "MaximumRetryAttempts" in invoke
    assert invoke["DestinationConfig"]["OnFailure"] == {"Type": "SQS", "Destination": dlq}
    # EventBridge may only write to the DLQ for rules its policy names: every rule must be there.
    statement = template["Resources"]["AnalyzeDLQPolicy"]["Properties"]["PolicyDocument"]["Statement"][0]
    allowed = statement["Condition"]["ArnEquals"]["aws:SourceArn"]
    assert allowed == [{"Fn::GetAtt": [f"AnalyzeFunction{name}", "Arn"]} for name in rules]


# ---------------------------------------------------------------- (d) patterns against real events


def _samples() -> dict[str, Path]:
    samples = {name: EVENTBRIDGE_FIXTURES / name for name in EXPECTED_ROUTES}
    for file in RULE_FILES.values():
        samples[f"sam/events/{file}.json"] = ROOT / "sam" / "events" / f"{file}.json"
    return samples


@pytest.fixture(scope="module")
def routes(rules: dict[str, dict[str, Any]]) -> dict[str, set[str]]:
    """Every sample put on a moto event bus that has one rule per template pattern, each rule
    delivering to its own SQS queue: sample -> the set of rules whose queue received it."""
    reached: dict[str, set[str]] = {}
    with mock_aws():
        session = _session()
        events, sqs = session.client("events"), session.client("sqs")
        events.create_event_bus(Name="pipelines")
        queues = {}
        for name, props in rules.items():
            url = sqs.create_queue(QueueName=f"rule-{name}")["QueueUrl"]
            attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
            arn = attributes["QueueArn"]
            events.put_rule(Name=name, EventBusName="pipelines", EventPattern=json.dumps(props["Pattern"]))
            events.put_targets(Rule=name, EventBusName="pipelines", Targets=[{"Id": "queue", "Arn": arn}])
            queues[name] = url
        for sample, path in _samples().items():
            if not path.is_file():
                continue
            event = json.loads(path.read_text(encoding="utf-8"))
            result = events.put_events(Entries=[{
                "EventBusName": "pipelines", "Source": event["source"], "DetailType": event["detail-type"],
                "Detail": json.dumps(event["detail"]), "Resources": event.get("resources", []),
            }])
            assert result["FailedEntryCount"] == 0, result
            reached[sample] = set()
            for name, url in queues.items():
                for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
                    assert json.loads(message["Body"])["detail"] == event["detail"]
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                    reached[sample].add(name)
    return reached


@pytest.mark.parametrize("sample", sorted(EXPECTED_ROUTES))
def test_real_events_reach_the_right_rules(routes: dict[str, set[str]], sample: str) -> None:
    assert (EVENTBRIDGE_FIXTURES / sample).is_file()
    assert (EVENTBRIDGE_FIXTURES / f"{sample}.source.txt").is_file(), "every sample says where it comes from"
    assert routes[sample] == EXPECTED_ROUTES[sample]


@pytest.mark.parametrize("rule", sorted(RULE_FILES))
def test_sam_sample_events_reach_their_rule(routes: dict[str, set[str]], rule: str) -> None:
    sample = f"sam/events/{RULE_FILES[rule]}.json"
    assert (ROOT / sample).is_file()
    assert routes[sample] == {rule}


# ---------------------------------------------------------------- (e) least-privilege IAM


def _branches(node: Any) -> list[Any]:
    """Both branches of Fn::If (minus AWS::NoValue), so a conditional grant is still seen."""
    if isinstance(node, dict) and set(node) == {"Fn::If"}:
        return [x for branch in node["Fn::If"][1:] for x in _branches(branch)]
    if node == {"Ref": "AWS::NoValue"}:
        return []
    return [node]


def _statements(cfn: dict[str, Any], function_id: str) -> list[dict[str, Any]]:
    """Every Allow statement that reaches the function's role, inline or through a managed policy."""
    resources = cfn["Resources"]
    role_id = resources[function_id]["Properties"]["Role"]["Fn::GetAtt"][0]
    role = resources[role_id]["Properties"]
    documents = [p["PolicyDocument"] for item in role.get("Policies", []) for p in _branches(item)]
    for arn in role.get("ManagedPolicyArns", []):
        if isinstance(arn, dict) and "Ref" in arn:
            documents.append(resources[arn["Ref"]]["Properties"]["PolicyDocument"])
        else:
            assert arn in AWS_MANAGED_POLICIES, f"{function_id}: unexpected managed policy {arn}"
    for resource in resources.values():  # policies attached from the policy's side
        attached = {"Ref": role_id} in resource.get("Properties", {}).get("Roles", [])
        if resource["Type"] in {"AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"} and attached:
            documents.append(resource["Properties"]["PolicyDocument"])
    statements = [s for doc in documents for item in doc["Statement"] for s in _branches(item)]
    return [s for s in statements if s.get("Effect", "Allow") == "Allow"]


def _actions(statement: dict[str, Any]) -> list[str]:
    action = statement.get("Action", [])
    return [action] if isinstance(action, str) else list(action)


def _granted(statements: list[dict[str, Any]], wanted: set[str]) -> set[str]:
    """The actions of ``wanted`` that some statement allows, wildcards included."""
    patterns = [a.lower() for s in statements for a in _actions(s)]
    return {w for w in wanted if any(fnmatchcase(w.lower(), p) for p in patterns)}


def _invokes_only_the_redrive_function(statement: dict[str, Any]) -> bool:
    """The worker's right to start the redrive function (lambda:InvokeFunction on it alone), which is not a
    redrive: the redrive function re-checks the approval before anything runs."""
    return _actions(statement) == ["lambda:InvokeFunction"] and \
        json.dumps(statement["Resource"]).count('"Ref": "RedriveFunction"') == 1


def test_only_redrive_function_can_redrive(transformed: dict[str, Any]) -> None:
    for function_id in EXPECTED_HANDLERS:
        statements = [s for s in _statements(transformed, function_id) if not _invokes_only_the_redrive_function(s)]
        granted = _granted(statements, REDRIVE_ACTIONS)
        expected = REDRIVE_ACTIONS if function_id == "RedriveFunction" else set()
        assert granted == expected, function_id


def test_pass_role_only_to_the_services_a_redrive_starts_runs_of(transformed: dict[str, Any]) -> None:
    for function_id in EXPECTED_HANDLERS:
        statements = [s for s in _statements(transformed, function_id) if _granted([s], {"iam:PassRole"})]
        if function_id != "RedriveFunction":
            assert not statements, function_id
            continue
        passed_to = []
        for s in statements:
            assert _actions(s) == ["iam:PassRole"], s
            assert s["Resource"] == {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/*"}, s
            (service,) = [s["Condition"]["StringEquals"]["iam:PassedToService"]]
            assert isinstance(service, str), s  # one service per statement, never a list or a wildcard
            passed_to.append(service)
        assert sorted(passed_to) == sorted(PASSED_TO)


def test_what_athena_needs_to_run_a_query_is_allowed_only_through_athena(transformed: dict[str, Any]) -> None:
    via_athena = VIA_ATHENA
    needed = {"glue:GetTable", "glue:GetDatabase", "glue:GetPartitions", "s3:GetObject", "s3:ListBucket",
              "s3:PutObject", "s3:GetBucketLocation"}
    redrive = _statements(transformed, "RedriveFunction")
    through = [s for s in redrive if s.get("Condition") == via_athena]
    assert _granted(through, needed) == needed
    for s in through:  # reads of the catalog and data, and the result writes: nothing else
        assert all(a.split(":")[1].startswith(("Get", "List", "BatchGet", "PutObject", "AbortMultipartUpload"))
                   for a in _actions(s)), s
    writes = {"s3:PutObject", "s3:AbortMultipartUpload"}
    assert not _granted([s for s in redrive if s.get("Condition") != via_athena], writes)
    for function_id in set(EXPECTED_HANDLERS) - {"RedriveFunction"}:
        assert not _granted(_statements(transformed, function_id), writes), function_id


def test_worker_invokes_only_the_redrive_function(transformed: dict[str, Any]) -> None:
    for function_id in EXPECTED_HANDLERS:
        statements = _statements(transformed, function_id)
        invoking = [s for s in statements if _granted([s], {"lambda:InvokeFunction"})]
        if function_id == "RedriveFunction":  # a Lambda redrive: only functions that opted in
            assert invoking and all(s.get("Condition") == OPT_IN for s in invoking), invoking
            continue
        if function_id != "FollowupWorkerFunction":
            assert not invoking, function_id
            continue
        assert invoking
        for s in invoking:
            assert json.dumps(s["Resource"]).count('"Ref": "RedriveFunction"') == 1, s


def test_failsafe_can_only_throttle_ingress_and_notify(transformed: dict[str, Any]) -> None:
    statements = [s for s in _statements(transformed, "FailsafeFunction")
                  if not _granted([s], {"logs:PutLogEvents", "xray:PutTraceSegments"})]
    assert {a for s in statements for a in _actions(s)} == {
        "lambda:PutFunctionConcurrency", "sns:Publish", "kms:Decrypt", "kms:GenerateDataKey*", "sqs:SendMessage"}
    for s in statements:
        actions = _actions(s)
        if "lambda:PutFunctionConcurrency" in actions:
            assert s["Resource"] == {"Fn::GetAtt": ["SlackIngressFunction", "Arn"]}
        elif "sns:Publish" in actions:
            assert "NotifyTopic" in json.dumps(s["Resource"])
        elif "sqs:SendMessage" in actions:  # its own dead-letter queue
            assert s["Resource"] == {"Fn::GetAtt": ["FailsafeDLQ", "Arn"]}
        else:  # the notify topic is encrypted with the topic key
            assert s["Resource"] == {"Fn::GetAtt": ["TopicKey", "Arn"]}
    others = set(EXPECTED_HANDLERS) - {"FailsafeFunction"}
    for function_id in others:
        granted = _granted(_statements(transformed, function_id), {"lambda:PutFunctionConcurrency"})
        assert not granted, function_id


OPT_IN = {"StringEquals": {"aws:ResourceTag/incident-responder:redrive": "allowed"}}


def test_redrive_rights_need_the_opt_in_tag(transformed: dict[str, Any]) -> None:
    statements = [s for s in _statements(transformed, "RedriveFunction") if _granted([s], REDRIVE_ACTIONS)]
    assert {a for s in statements for a in _actions(s)} == REDRIVE_ACTIONS
    scoped: dict[str, list[str]] = {}
    for s in statements:
        assert s.get("Condition") == OPT_IN, s
        assert len(_actions(s)) == 1 and s["Resource"] != "*", s
        resource = s["Resource"]["Fn::Sub"]
        assert resource.startswith("arn:${AWS::Partition}:"), resource
        assert "${AWS::Region}:${AWS::AccountId}:" in resource, resource
        scoped.setdefault(_actions(s)[0], []).append(resource.rsplit("${AWS::AccountId}:", 1)[-1])
    assert scoped == {
        "states:RedriveExecution": ["execution:*"],
        "states:StartExecution": ["stateMachine:*"],
        "ecs:RunTask": ["task-definition/*"],
        "elasticmapreduce:AddJobFlowSteps": ["cluster/*"],
        "glue:StartJobRun": ["job/*"],
        # both resources SubmitJob is authorized on must opt in; the definition with its revision
        "batch:SubmitJob": ["job-queue/*", "job-definition/*:*"],
        "glue:StartCrawler": ["crawler/*"],
        "athena:StartQueryExecution": ["workgroup/*"],
        "emr-serverless:StartJobRun": ["/applications/*"],
        "emr-containers:StartJobRun": ["/virtualclusters/*"],
        "lambda:InvokeFunction": ["function:*"],
    }


def test_no_hard_coded_partition(template: dict[str, Any]) -> None:
    assert "arn:aws:" not in TEMPLATE.read_text()
    assert "arn:aws:" not in json.dumps(template)


VIA_ATHENA = {"ForAnyValue:StringEquals": {"aws:CalledVia": "athena.amazonaws.com"}}


def _bucket_resources(cfn: dict[str, Any], function_id: str) -> list[Any]:
    """The objects a function may read itself (not those Athena reads to run a redriven query)."""
    return [s["Resource"] for s in _statements(cfn, function_id)
            if _granted([s], {"s3:GetObject"}) and s.get("Condition") != VIA_ATHENA]


def test_log_reads_only_in_the_buckets_named_at_deploy_time(template: dict[str, Any],
                                                           transformed: dict[str, Any]) -> None:
    parameter = template["Parameters"]["LogBucketNames"]
    assert parameter["Type"] == "CommaDelimitedList" and parameter["Default"] == ""
    for function_id in ("AnalyzeFunction", "FollowupWorkerFunction", "RedriveFunction"):
        (resources,) = _bucket_resources(transformed, function_id)
        text = json.dumps(resources)
        assert "*/*" not in text.replace("${Bucket}/*", "") and '"*"' not in text, text
        assert text.count("arn:${AWS::Partition}:s3:::${Bucket}/*") == 5, text
    # Deployed with two buckets, the policy names exactly those two; with none, there is no S3
    # statement at all (CloudFormation's functions evaluated as CloudFormation does).
    policy = template["Resources"]["EvidenceReadPolicy"]["Properties"]["PolicyDocument"]
    for names, expected in (("logs-a,logs-b", ["arn:aws-cn:s3:::logs-a/*", "arn:aws-cn:s3:::logs-b/*"]),
                            ("", None)):
        params = {"LogBucketNames": names.split(","), "AWS::Partition": "aws-cn", "AWS::Region": "cn-north-1",
                  "AWS::AccountId": "123456789012"}
        statements = _evaluate(policy["Statement"], params, template["Conditions"])
        found = [st["Resource"] for st in statements if st.get("Sid") == "LogBuckets"]
        assert (found[0] if found else None) == expected, names


_NO_VALUE = object()


def _evaluate(node: Any, params: dict[str, Any], conditions: dict[str, Any]) -> Any:
    """The few CloudFormation functions the bucket statement uses, with ``params`` for its Refs."""
    def ev(n: Any) -> Any:
        return _evaluate(n, params, conditions)

    if isinstance(node, list):
        return [v for v in (ev(x) for x in node) if v is not _NO_VALUE]
    if not isinstance(node, dict):
        return node
    if len(node) == 1:
        (key, arg), = node.items()
        if key == "Ref":
            return _NO_VALUE if arg == "AWS::NoValue" else params[arg]
        if key == "Fn::If":
            return ev(arg[1] if ev(conditions[arg[0]]) else arg[2])
        if key == "Fn::Not":
            return not ev(arg[0])
        if key == "Fn::Equals":
            return ev(arg[0]) == ev(arg[1])
        if key == "Fn::Join":
            return arg[0].join(ev(arg[1]))
        if key == "Fn::Split":
            return ev(arg[1]).split(arg[0])
        if key == "Fn::Select":
            return ev(arg[1])[int(arg[0])]
        if key == "Fn::Sub":
            text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], ev(arg[1]))
            return re.sub(r"\$\{([^}]+)\}", lambda m: str({**params, **variables}[m.group(1)]), text)
    return {k: v for k, v in ((k, ev(v)) for k, v in node.items()) if v is not _NO_VALUE}


def test_the_internet_facing_ingress_has_only_the_calls_it_makes(transformed: dict[str, Any]) -> None:
    statements = [s for s in _statements(transformed, "SlackIngressFunction")
                  if any(a.startswith("dynamodb:") for a in _actions(s))]
    actions = {a for s in statements for a in _actions(s)}
    assert actions == {"dynamodb:Query", "dynamodb:PutItem", "dynamodb:DeleteItem"}
    for s in statements:
        if "dynamodb:Query" in _actions(s):
            assert s["Resource"] == {"Fn::Sub": "${IncidentsTable.Arn}/index/by_thread"}
        else:  # it writes delivery claims only, never an incident
            assert s["Resource"] == {"Fn::GetAtt": ["IncidentsTable", "Arn"]}
            assert s["Condition"] == {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["slack#*"]}}


def test_the_analyze_function_has_a_reserved_concurrency_parameter(template: dict[str, Any]) -> None:
    parameter = template["Parameters"]["AnalyzeReservedConcurrency"]
    assert parameter["Type"] == "Number" and parameter["Default"] > 0
    props = template["Resources"]["AnalyzeFunction"]["Properties"]
    assert props["ReservedConcurrentExecutions"] == {
        "Fn::If": ["ReserveAnalyzeConcurrency", {"Ref": "AnalyzeReservedConcurrency"}, {"Ref": "AWS::NoValue"}]}


def test_every_function_alarms_on_errors_and_throttles(template: dict[str, Any]) -> None:
    alarms = [r["Properties"] for r in template["Resources"].values() if r["Type"] == "AWS::CloudWatch::Alarm"]
    for function_id in EXPECTED_HANDLERS:
        for metric in ("Errors", "Throttles"):
            found = [a for a in alarms if a.get("Namespace") == "AWS/Lambda" and a["MetricName"] == metric
                     and a["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": function_id}}]]
            assert len(found) == 1, (function_id, metric)
            assert found[0]["AlarmActions"] == [{"Ref": "NotifyTopic"}]
            assert found[0]["Threshold"] == 0 and found[0]["ComparisonOperator"] == "GreaterThanThreshold"


def test_topics_are_encrypted_with_a_key_cloudwatch_alarms_can_use(template: dict[str, Any]) -> None:
    resources = template["Resources"]
    topics = {lid: r.get("Properties") or {} for lid, r in resources.items() if r["Type"] == "AWS::SNS::Topic"}
    assert set(topics) == {"FailsafeAlarmTopic", "NotifyTopic"}
    for lid, props in topics.items():
        assert props.get("KmsMasterKeyId") == {"Ref": "TopicKey"}, lid
    key = resources["TopicKey"]["Properties"]
    assert key["EnableKeyRotation"] is True
    (cloudwatch,) = [s for s in key["KeyPolicy"]["Statement"]
                     if s["Principal"] == {"Service": "cloudwatch.amazonaws.com"}]
    assert set(cloudwatch["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey*"}
    assert cloudwatch["Condition"] == {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}


def test_the_failsafe_function_has_a_dead_letter_queue(template: dict[str, Any]) -> None:
    resources = template["Resources"]
    dlq = resources["FailsafeFunction"]["Properties"]["DeadLetterQueue"]
    assert dlq == {"Type": "SQS", "TargetArn": {"Fn::GetAtt": ["FailsafeDLQ", "Arn"]}}
    alarm = resources["FailsafeDLQAlarm"]["Properties"]
    assert alarm["Dimensions"] == [{"Name": "QueueName", "Value": {"Fn::GetAtt": ["FailsafeDLQ", "QueueName"]}}]
    assert alarm["AlarmActions"] == [{"Ref": "NotifyTopic"}]


def test_the_worker_can_read_the_opt_in_tags_the_preview_shows(transformed: dict[str, Any]) -> None:
    reads = {"states:ListTagsForResource", "ecs:DescribeTaskDefinition", "elasticmapreduce:DescribeCluster",
             "glue:GetTags", "batch:DescribeJobQueues", "batch:DescribeJobDefinitions"}
    assert _granted(_statements(transformed, "FollowupWorkerFunction"), reads) == reads


def test_secrets_are_scoped(transformed: dict[str, Any]) -> None:
    def secrets(function_id: str) -> str:
        return json.dumps([s["Resource"] for s in _statements(transformed, function_id)
                           if _granted([s], {"secretsmanager:GetSecretValue"})])

    ingress = secrets("SlackIngressFunction")
    assert "SlackSigningSecret" in ingress and "SlackBotTokenSecret" not in ingress
    for function_id in ("AnalyzeFunction", "FollowupWorkerFunction"):
        text = secrets(function_id)
        assert "SlackBotTokenSecret" in text and "SlackSigningSecret" not in text, function_id
    for function_id in ("RedriveFunction", "FailsafeFunction"):
        assert secrets(function_id) == "[]", function_id


def test_ingress_reads_no_evidence(transformed: dict[str, Any]) -> None:
    reads = {"states:DescribeExecution", "logs:FilterLogEvents", "ecs:DescribeTasks", "glue:GetJobRun",
             "elasticmapreduce:DescribeStep", "batch:DescribeJobs", "s3:GetObject"}
    assert not _granted(_statements(transformed, "SlackIngressFunction"), reads)
    for function_id in ("AnalyzeFunction", "FollowupWorkerFunction"):
        assert _granted(_statements(transformed, function_id), reads) == reads, function_id


def test_redrive_can_read_again_the_real_values_it_never_stores(transformed: dict[str, Any]) -> None:
    # The worker (plan, preview) and the redrive function (the call) read them from the failed run.
    reads = {"states:DescribeExecution", "glue:GetJobRun", "ecs:DescribeTasks", "elasticmapreduce:DescribeStep",
             "batch:DescribeJobs"}
    for function_id in ("FollowupWorkerFunction", "RedriveFunction"):
        assert _granted(_statements(transformed, function_id), reads) == reads, function_id


def test_bedrock_only_when_llm_enabled(template: dict[str, Any]) -> None:
    for function_id in ("AnalyzeFunction", "FollowupWorkerFunction"):
        policies = template["Resources"][function_id]["Properties"]["Policies"]
        bedrock = [p for p in policies if "bedrock:" in json.dumps(p)]
        assert len(bedrock) == 1 and bedrock[0]["Fn::If"][0] == "LlmOn", function_id
        assert bedrock[0]["Fn::If"][2] == {"Ref": "AWS::NoValue"}


# ---------------------------------------------------------------- failsafe wiring


def test_signature_failsafe_wiring(template: dict[str, Any]) -> None:
    resources = template["Resources"]
    metric_filter = resources["SignatureRejectedMetricFilter"]["Properties"]
    assert metric_filter["FilterPattern"] == '{ $.message = "slack signature rejected" }'
    ingress = resources["SlackIngressFunction"]["Properties"]
    assert metric_filter["LogGroupName"] == ingress["LoggingConfig"]["LogGroup"]
    assert ingress["FunctionUrlConfig"]["AuthType"] == "NONE"
    transform = metric_filter["MetricTransformations"][0]
    alarm = resources["SignatureRejectedAlarm"]["Properties"]
    assert alarm["Namespace"] == transform["MetricNamespace"]
    assert alarm["MetricName"] == transform["MetricName"]
    assert alarm["Threshold"] == {"Ref": "SignatureFailureAlarmThreshold"}
    assert alarm["Period"] == 3600 and alarm["ComparisonOperator"] == "GreaterThanThreshold"
    assert template["Parameters"]["SignatureFailureAlarmThreshold"]["Default"] == 100
    subscribed = resources["FailsafeFunction"]["Properties"]["Events"]["Alarm"]
    assert subscribed["Type"] == "SNS"
    assert alarm["AlarmActions"] == [subscribed["Properties"]["Topic"]]


# ---------------------------------------------------------------- the local stack (moto)

TABLE_ENV = {
    "IncidentsTable": "INCIDENTS_TABLE",
    "CatalogTable": "CATALOG_TABLE",
    "AuditTable": "AUDIT_TABLE",
}


@pytest.fixture
def local_stack() -> Any:
    with mock_aws():
        session = _session()
        env = create_stack_resources(session, bot_token="xoxb-test", signing_secret="signing-test",
                                     region=REGION)
        yield session, env


def test_local_tables_follow_the_template(template: dict[str, Any], local_stack: Any) -> None:
    session, env = local_stack
    ddb = session.client("dynamodb")
    for logical_id, env_name in TABLE_ENV.items():
        props = template["Resources"][logical_id]["Properties"]
        table = ddb.describe_table(TableName=env[env_name])["Table"]
        assert table["KeySchema"] == props["KeySchema"], logical_id
        attributes = sorted(props["AttributeDefinitions"], key=str)
        assert sorted(table["AttributeDefinitions"], key=str) == attributes, logical_id
        assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
        indexes = {g["IndexName"]: g["KeySchema"] for g in table.get("GlobalSecondaryIndexes", [])}
        assert indexes == {g["IndexName"]: g["KeySchema"] for g in props.get("GlobalSecondaryIndexes", [])}
        ttl = ddb.describe_time_to_live(TableName=env[env_name])["TimeToLiveDescription"]
        if "TimeToLiveSpecification" in props:
            assert ttl["AttributeName"] == props["TimeToLiveSpecification"]["AttributeName"]
            assert ttl["TimeToLiveStatus"] == "ENABLED"
    assert env["INCIDENTS_TABLE"] == ENV["INCIDENTS_TABLE"][0]  # local names are the config defaults


def test_local_queues_and_secrets(local_stack: Any) -> None:
    session, env = local_stack
    sqs = session.client("sqs")
    attrs = sqs.get_queue_attributes(QueueUrl=env["FOLLOWUP_QUEUE_URL"], AttributeNames=["All"])["Attributes"]
    assert attrs["FifoQueue"] == "true" and attrs["ContentBasedDeduplication"] == "false"
    redrive = json.loads(attrs["RedrivePolicy"])
    assert redrive["deadLetterTargetArn"].endswith(".fifo") and int(redrive["maxReceiveCount"]) == 3
    sm = session.client("secretsmanager")
    assert sm.get_secret_value(SecretId=env["SLACK_TOKEN_SECRET"])["SecretString"] == "xoxb-test"
    assert sm.get_secret_value(SecretId=env["SLACK_SIGNING_SECRET_NAME"])["SecretString"] == "signing-test"
    session.client("sns").publish(TopicArn=env["NOTIFY_TOPIC_ARN"], Message="ok")


def test_local_stack_is_idempotent_and_named_as_configured(local_stack: Any) -> None:
    session, env = local_stack
    again = create_stack_resources(session, bot_token="xoxb-rotated", signing_secret="signing-test",
                                   region=REGION)
    assert again == env
    secret = session.client("secretsmanager").get_secret_value(SecretId=env["SLACK_TOKEN_SECRET"])
    assert secret["SecretString"] == "xoxb-rotated"
    assert set(env) >= {"INCIDENTS_TABLE", "CATALOG_TABLE", "AUDIT_TABLE", "SLACK_TOKEN_SECRET",
                        "SLACK_SIGNING_SECRET_NAME", "FOLLOWUP_QUEUE_URL"}
    assert set(env) <= set(ENV) | NOT_IN_CONFIG


def test_sam_env_json_matches_template_and_local_stack(template: dict[str, Any],
                                                       functions: dict[str, dict[str, Any]],
                                                       local_stack: Any) -> None:
    _, env = local_stack
    env_json = json.loads((ROOT / "sam" / "env.json").read_text(encoding="utf-8"))
    global_vars = set(template["Globals"]["Function"]["Environment"]["Variables"])
    assert set(env_json) - {"Parameters"} == set(functions)
    assert set(env_json.get("Parameters", {})) <= global_vars
    for function_id, variables in env_json.items():
        if function_id == "Parameters":
            continue
        declared = global_vars | set(functions[function_id]["Properties"]["Environment"]["Variables"])
        # `sam local` silently drops a variable the template does not declare for the function.
        assert set(variables) <= declared, function_id
        for name, value in variables.items():
            if name not in env:
                continue
            if name in {"SLACK_TOKEN_SECRET", "SLACK_SIGNING_SECRET_NAME"}:
                assert f":secret:{value}-" in env[name], (function_id, name)  # a name, not the ARN
            else:
                assert value == env[name], (function_id, name)
