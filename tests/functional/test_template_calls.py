"""The IAM rights of both templates, against the AWS calls the code makes.

The calls are read from the source (each boto3 method name of the evidence services, in the module that
makes the client, or unambiguous across them), so a collector that starts making a new call fails here until
the central functions and the member account's roles may make it:

- every read of the collectors, live status, the agent's tools and the redrive preview: the analyzer, the
  follow-up worker and the member read role (for all eleven sources), read-only;
- the opt-in tag reads of the redrive preview (``redrive_resources``): the worker (a member account's opt-in
  is decided by its redrive role);
- every redrive call (the plans' actions) and the reads of the failed run the redrive function makes again
  (``read_original``): the redrive function and the member redrive role.
"""

from __future__ import annotations

import ast
from fnmatch import fnmatchcase
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from tests.functional.test_template import _granted, _statements, template, transformed  # noqa: F401 (fixtures)
from tests.stack import load_template

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "functions" / "incident_responder"
# The code that reads the failed work (analyzer, follow-up answers, the agent's tools, the redrive preview).
READERS = ("sources", "evidence", "followup", "diagnosis")
# boto3 client name -> IAM service prefix, for the services the evidence comes from.
IAM_PREFIX = {"stepfunctions": "states", "emr": "elasticmapreduce", "emr-serverless": "emr-serverless",
              "emr-containers": "emr-containers",
              "logs": "logs", "ecs": "ecs", "glue": "glue", "batch": "batch", "athena": "athena", "lambda": "lambda",
              "s3": "s3"}
# API operations whose IAM action has another name (Service Authorization Reference).
ACTION_OF = {"s3:ListObjectsV2": "s3:ListBucket", "s3:HeadObject": "s3:GetObject",
             "glue:BatchGetDataQualityResult": "glue:GetDataQualityResult"}
READ_VERBS = ("Get", "List", "Describe", "Filter", "BatchGet")
SOURCES = {"stepfunctions", "ecs", "emr", "glue", "batch", "emrserverless", "emrcontainers", "athena", "gluecrawler",
           "gluedq", "lambda"}


@cache
def _operations() -> dict[str, list[tuple[str, str]]]:
    """boto3 method name -> [(client name, API operation)] over the evidence services."""
    import botocore.session
    from botocore import xform_name

    session = botocore.session.get_session()
    out: dict[str, list[tuple[str, str]]] = {}
    for client in IAM_PREFIX:
        for operation in session.get_service_model(client).operation_names:
            out.setdefault(xform_name(operation), []).append((client, operation))
    return out


def _action(client: str, operation: str) -> str:
    name = f"{IAM_PREFIX[client]}:{operation}"
    return ACTION_OF.get(name, name)


def _calls(path: Path) -> list[tuple[str, str]]:
    """(enclosing function, IAM action) of every AWS call in ``path``: a method of a client the module
    makes (``.client("glue")``), or of the one evidence service that has a method of that name."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    made = {n.args[0].value for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
            and n.func.attr == "client" and n.args and isinstance(n.args[0], ast.Constant)}
    found: list[tuple[str, str]] = []

    def visit(node: ast.AST, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            inside = child.name if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else function
            name = None
            if isinstance(child, ast.Attribute):
                name = child.attr
            elif isinstance(child, ast.Call) and isinstance(child.func, ast.Attribute) and \
                    child.func.attr == "get_paginator" and child.args and isinstance(child.args[0], ast.Constant):
                name = str(child.args[0].value)
            candidates = _operations().get(name or "", [])
            here = [c for c in candidates if c[0] in made]
            chosen = here or (candidates if len(candidates) == 1 else [])
            found.extend((inside, _action(client, operation)) for client, operation in chosen)
            visit(child, inside)

    visit(tree, "")
    return found


@cache
def _code_calls() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(evidence reads, the preview's opt-in tag reads, the reads of the failed run again) in the code."""
    reads: set[str] = set()
    opt_in: set[str] = set()
    original: set[str] = set()
    for folder in READERS:
        for path in (PACKAGE / folder).rglob("*.py"):
            for function, action in _calls(path):
                (opt_in if function == "redrive_resources" else reads).add(action)
                if function == "read_original":
                    original.add(action)
    return frozenset(reads), frozenset(opt_in), frozenset(original)


def _redrive_actions() -> set[str]:
    """Every call a redrive plan makes: the table of plans.py, which every adapter's plan names its call from
    (``call_fields``), so that each call's parameters are checked against the API's input shape."""
    from incident_responder.redrive.plans import _CALLS

    for path in (PACKAGE / "sources").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Plan":
                literal = [k.arg for k in node.keywords if k.arg in {"action", "operation"}
                           and isinstance(k.value, ast.Constant) and k.value.value]
                assert not literal, f"{path.name}:{node.lineno} names its call outside plans._CALLS"
    return set(_CALLS)


def _member_statements(role: str) -> list[dict[str, Any]]:
    resource = load_template(ROOT / "sam" / "member-account.yaml")["Resources"][role]
    return [s for p in resource["Properties"]["Policies"] for s in p["PolicyDocument"]["Statement"]]


def test_the_code_calls_are_found_for_every_source() -> None:
    reads, opt_in, original = _code_calls()
    # One read each source's collector is known to make: the scan sees all eleven, and nothing that writes.
    assert {"states:GetExecutionHistory", "ecs:DescribeTasks", "elasticmapreduce:DescribeStep", "glue:GetJobRun",
            "batch:DescribeJobs", "emr-serverless:GetJobRun", "emr-containers:DescribeJobRun",
            "athena:GetQueryExecution", "glue:GetCrawler",
            "glue:GetDataQualityResult", "lambda:GetFunctionConfiguration", "logs:FilterLogEvents"} <= reads
    assert all(a.split(":")[1].startswith((*READ_VERBS, "Head")) for a in reads | opt_in | original), reads
    assert {"batch:DescribeJobQueues", "glue:GetTags"} <= opt_in
    assert {"athena:GetQueryExecution", "glue:GetCrawler", "states:DescribeExecution"} <= original
    # Glue Data Quality has no redrive (a result, not a run); Step Functions redrives or starts again.
    assert _redrive_actions() == {
        "states:RedriveExecution", "states:StartExecution", "ecs:RunTask", "elasticmapreduce:AddJobFlowSteps",
        "glue:StartJobRun", "batch:SubmitJob", "glue:StartCrawler", "athena:StartQueryExecution",
        "emr-serverless:StartJobRun", "emr-containers:StartJobRun", "lambda:InvokeFunction"}


@pytest.mark.parametrize("function_id", ["AnalyzeFunction", "FollowupWorkerFunction"])
def test_the_readers_may_make_every_read_the_code_makes(transformed: dict[str, Any], function_id: str) -> None:  # noqa: F811
    reads, opt_in, _ = _code_calls()
    wanted = reads | (opt_in if function_id == "FollowupWorkerFunction" else frozenset())
    statements = _statements(transformed, function_id)
    assert _granted(statements, set(wanted)) == wanted, wanted - _granted(statements, set(wanted))


@pytest.mark.parametrize("function_id", ["AnalyzeFunction", "FollowupWorkerFunction"])
def test_the_readers_change_nothing_in_the_sources(transformed: dict[str, Any], function_id: str) -> None:  # noqa: F811
    prefixes = set(IAM_PREFIX.values())
    for s in _statements(transformed, function_id):
        actions = s["Action"] if isinstance(s["Action"], list) else [s["Action"]]
        for action in actions:
            if action.split(":")[0] not in prefixes:
                continue
            if action == "lambda:InvokeFunction":  # the worker starts the redrive function, nothing else
                assert function_id == "FollowupWorkerFunction" and "RedriveFunction" in str(s["Resource"]), s
                continue
            assert action.split(":")[1].startswith(READ_VERBS), (function_id, action)
            assert "*" not in action, (function_id, action)


def test_the_redrive_function_may_make_every_redrive_call_and_read_the_failed_run(
        transformed: dict[str, Any]) -> None:  # noqa: F811
    _, _, original = _code_calls()
    wanted = _redrive_actions() | original
    statements = _statements(transformed, "RedriveFunction")
    assert _granted(statements, wanted) == wanted, wanted - _granted(statements, wanted)


def test_the_member_read_role_grants_every_read_of_every_source() -> None:
    reads, _, _ = _code_calls()
    statements = _member_statements("ReadRole")
    assert _granted(statements, set(reads)) == reads, reads - _granted(statements, set(reads))
    granted = {a for s in statements for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])}
    assert all(a.split(":")[1].startswith(READ_VERBS) for a in granted), granted


def test_the_member_redrive_role_grants_every_redrive_call_and_the_reads_of_the_failed_run() -> None:
    _, _, original = _code_calls()
    wanted = _redrive_actions() | original
    statements = _member_statements("RedriveRole")
    assert _granted(statements, wanted) == wanted, wanted - _granted(statements, wanted)
    assert not _granted(_member_statements("ReadRole"), _redrive_actions())


def test_the_member_redrive_role_can_run_an_athena_query() -> None:
    """StartQueryExecution alone does not run a query: Athena reads the catalog and the data, and writes the
    results, with the caller's rights, which the role allows only through Athena."""
    statements = _member_statements("RedriveRole")
    via_athena = [s for s in statements
                  if s.get("Condition") == {"ForAnyValue:StringEquals": {"aws:CalledVia": "athena.amazonaws.com"}}]
    needed = {"glue:GetTable", "glue:GetDatabase", "glue:GetPartitions", "s3:GetObject", "s3:ListBucket",
              "s3:PutObject", "s3:GetBucketLocation"}
    assert _granted(via_athena, needed) == needed
    assert not _granted([s for s in statements if s not in via_athena], {"s3:PutObject", "s3:GetObject"})


def test_every_source_is_scanned() -> None:
    from incident_responder.sources import ADAPTER_MODULES

    assert set(ADAPTER_MODULES) == SOURCES
    scanned = {p.parent.name for p in (PACKAGE / "sources").glob("*/__init__.py")}
    assert scanned == SOURCES
    assert all(fnmatchcase(name, "[a-z]*") for name in scanned)
