"""The ``incident-responder`` command: replay scenarios, run the demo, evaluate the agent (``eval``), invoke
a function of template.yaml like ``sam local invoke``, run the local stack as servers (``local up``), and build
the term model of known failures' wording from the labelled corpus (``knowledge``).

One function per subcommand (``_cmd_<name>``, with its arguments in ``_add_<name>``). A bad input
(a missing file, bad JSON or YAML, an unknown function) is one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .inputs import UsageError

__all__ = ["main"]

# One report per source (the eleven of them; Step Functions' is the one of what changed since the last good run),
# one of a member account with questions answered through its read role, a thread of questions, a redrive
# approved and run, and the agent.
DEMO_SCENARIOS = ["02_ecs_oom_exit137", "03_emr_step_spark_failure", "glue_module_not_found",
                  "batch_oom", "emrserverless_driver_oom_s3_logs", "emrcontainers_driver_stderr_path_not_found_s3_logs",
                  "athena_table_not_found",
                  "gluecrawler_schema_change_in_log", "gluedq_completeness_and_uniqueness_failed", "lambda_timeout",
                  "accounts_member_thread_reads_through_role", "sfn_lambda_timeout_thread", "changes_sfn_grown_input",
                  "redrive_sfn_demo", "agent_report_unknown_rules", "agent_thread_question"]
PROG = "incident-responder"


def _repo_root() -> Path:
    return Path(__file__).resolve().parents[2]


def _err(message: str) -> None:
    print(f"{PROG}: {message}", file=sys.stderr, flush=True)


# -- replay ----------------------------------------------------------------------------------------
def _scenario_paths(paths: list[str]) -> list[Path]:
    from .replay import discover

    for p in paths:
        if not Path(p).exists():
            raise UsageError(f"no scenario folder {p}")
    wanted: list[str | Path] = [*paths]
    try:
        return discover(wanted)
    except FileNotFoundError as exc:
        raise UsageError(str(exc)) from exc


def _results(paths: list[Path]) -> Iterator[tuple[Path, dict[str, Any] | None, str | None]]:
    """Each scenario's replay result as soon as it is done: (path, result, None), or (path, None, why)
    when the scenario cannot be read or fails to run."""
    from .inputs import scenario_problem
    from .replay import run_scenario
    from .runtime import BOT_TOKEN
    from .slack_emulator import SlackEmulator

    with SlackEmulator(bot_token=BOT_TOKEN) as slack:
        for path in paths:
            problem = scenario_problem(path)
            if problem is not None:
                yield path, None, problem
                continue
            try:
                yield path, run_scenario(path, slack), None
            except Exception as exc:  # one broken scenario does not stop the others
                yield path, None, f"{type(exc).__name__}: {exc}"


def _add_replay(sub: Any) -> None:
    p = sub.add_parser("replay", help="replay scenarios against a fresh local world and local Slack")
    p.add_argument("paths", nargs="+", help="scenario folders, or folders holding them")
    p.add_argument("--json", action="store_true", help="one JSON line per scenario")
    p.add_argument("--check", action="store_true", help="exit 1 if any scenario's expectations fail")
    p.set_defaults(fn=_cmd_replay)


def _cmd_replay(args: argparse.Namespace) -> int:
    paths = _scenario_paths(args.paths)
    if not paths:
        message = f"no scenarios (folders with an event.json) under {' '.join(args.paths)}"
        if args.check:
            raise UsageError(message)
        _err(message)
        return 0
    passed = failed = 0
    for index, (path, r, problem) in enumerate(_results(paths), 1):
        ok = r is not None and r["check"]["passed"]
        passed, failed = passed + ok, failed + (not ok)
        if args.json:
            out = ({k: r.get(k) for k in ("scenario", "report", "slack", "api_calls", "duration_ms", "check",
                                          "model_requests")}
                   if r is not None else {"scenario": path.name, "error": problem,
                                          "check": {"passed": False, "failures": [problem]}})
            print(json.dumps(out, default=str), flush=True)
            continue
        progress = f"[{index}/{len(paths)}]"
        if r is None:
            print(f"{progress} FAIL {path.name}: {problem}", flush=True)
            continue
        mark = "PASS" if ok else "FAIL"
        cat = (r["report"] or {}).get("probable_cause", {}).get("category")
        print(f"{progress} {mark} {r['scenario']}: {r['outcome']} {cat or ''} ({r['duration_ms']:.0f} ms, "
              f"{sum(r['api_calls'].values())} AWS calls)", flush=True)
        for f in r["check"]["failures"]:
            print(f"     {f}", flush=True)
        for w in r["check"].get("warnings") or []:
            print(f"     warning: {w}", flush=True)
    if not args.json:
        print(f"{passed} passed, {failed} failed")
    return 1 if (args.check and failed) else 0


# -- demo ------------------------------------------------------------------------------------------
def _add_demo(sub: Any) -> None:
    p = sub.add_parser("demo", help="run scenarios and show the Slack reports in the terminal")
    p.add_argument("paths", nargs="*", help="scenario folders (default: one per source, a thread, a redrive)")
    p.set_defaults(fn=_cmd_demo)


def _cmd_demo(args: argparse.Namespace) -> int:
    if args.paths:
        paths = _scenario_paths(args.paths)
    else:
        paths = [p for name in DEMO_SCENARIOS for p in [_repo_root() / "tests" / "scenarios" / name] if p.is_dir()]
    if not paths:
        raise UsageError("no demo scenarios found; pass scenario folders")
    summary: list[str] = []
    for index, (path, r, problem) in enumerate(_results(paths), 1):
        if r is None:
            print(f"\n▶ [{index}/{len(paths)}] scenario {path.name} could not run: {problem}", flush=True)
            summary.append(f"  [{index}] {path.name}: could not run")
            continue
        _show_demo_result(r, f"[{index}/{len(paths)}]")
        summary.append(f"  [{index}] {report_line(r)}")
    print(f"\n■ {len(paths)} scenarios, {sum(1 for line in summary if '→' in line)} reports posted:")
    print("\n".join(summary), flush=True)
    return 0


def report_line(r: dict[str, Any]) -> str:
    """One line for a replayed scenario: the source, the account (and alias) when it is a member's, the
    cause and the report's title; or what happened instead of a report."""
    report = r.get("report")
    if not report:
        return f"{r['scenario']}: no report ({r.get('outcome') or 'nothing posted'})"
    cause = report.get("probable_cause") or {}
    member = next((e["text"].split(",")[0] for e in report.get("evidence") or []
                   if e.get("kind") == "account" and "member account" in e.get("text", "")), "")
    where = f" · member {member[0].lower()}{member[1:]}" if member else ""
    return (f"{report.get('source')}{where} → {cause.get('category', '?')} ({cause.get('confidence', '?')}): "
            f"{report.get('title', '')}")


def _show_demo_result(r: dict[str, Any], progress: str) -> None:
    from .terminal import format_message

    print(f"\n▶ {progress} scenario {r['scenario']}: the event went through the analyze function "
          f"({r['duration_ms']:.0f} ms, {sum(r['api_calls'].values())} AWS calls)")
    print(f"  {report_line(r)}\n  Slack now shows:\n")
    model = r.get("model_requests") or {}
    if model.get("count"):
        print(f"  (Claude's words below are SCRIPTED responses from {r['scenario']}/model.yaml, served by a "
              f"local stand-in for Amazon Bedrock to the real anthropic client: {model['count']} model "
              f"call(s), tool calls {', '.join(model['tool_calls']) or 'none'}; no model was called. "
              f"`incident-responder eval` runs the real one.)\n")
    in_thread = {ts for step in r.get("thread") or []
                 for ts in [step.get("message_ts"), *(x["ts"] for x in step.get("replies", []))] if ts}
    for m in r["slack"]:
        if m["ts"] in in_thread:
            continue  # shown below, question by question
        print(f"  #{m['channel']} ts={m['ts']}")
        print("\n".join("  " + line for line in format_message(m).splitlines()))
        print()
    if r.get("thread"):
        print("  Then, in the report's thread (each reply a signed Slack request through the ingress "
              "and the follow-up worker):\n")
    for step in r.get("thread") or []:
        for line in step.get("transcript", []):
            print("  " + line)
        print()
    if not r["check"]["passed"]:
        print(f"  (expectations not met: {r['check']['failures']})")
    sys.stdout.flush()


# -- eval ------------------------------------------------------------------------------------------
def _add_eval(sub: Any) -> None:
    p = sub.add_parser("eval", help="run scenarios through Claude on Bedrock and score its diagnoses (JSON lines)")
    p.add_argument("paths", nargs="+", help="scenario folders (each expect.yaml's category is the answer)")
    p.add_argument("--model", required=True, help="Bedrock model id or inference profile id")
    p.add_argument("--region", help="Bedrock region (default: BEDROCK_REGION, else the scenario's region)")
    p.add_argument("--mode", default="agent", choices=["agent", "auto"], help="DIAGNOSIS_MODE (default agent)")
    p.add_argument("--scripted", action="store_true",
                   help="serve each scenario's model.yaml instead of calling Bedrock (no credentials needed)")
    p.set_defaults(fn=_cmd_eval)


def _aws_credentials() -> Any:
    """The caller's AWS credentials (frozen), or None."""
    import boto3

    try:
        creds = boto3.Session().get_credentials()
    except Exception:
        return None
    return creds.get_frozen_credentials() if creds is not None else None


def _real_bedrock(creds: Any, region: str | None) -> Any:
    """An agent client factory for the real Bedrock runtime, with the caller's credentials (the local
    stack replaces the environment's with fake ones for local AWS)."""
    def make(cfg: Any, incident_region: str | None) -> Any:
        from anthropic import AnthropicBedrock

        return AnthropicBedrock(aws_access_key=creds.access_key, aws_secret_key=creds.secret_key,
                                aws_session_token=creds.token,
                                aws_region=region or cfg.bedrock_region or incident_region or "us-east-1",
                                max_retries=1, timeout=float(cfg.llm_timeout))
    return make


def eval_line(r: dict[str, Any], model: str) -> dict[str, Any]:
    """One scenario's evaluation: the category against expect.yaml's, the citation check, tokens, cost,
    latency."""
    diagnosis = r.get("diagnosis") or {}
    agent = diagnosis.get("agent") or {}
    expected = (r.get("expect") or {}).get("category")
    got = ((r.get("report") or {}).get("probable_cause") or {}).get("category")
    rejected = [x for x in diagnosis.get("rejected") or [] if x.startswith("agent:")]
    if not agent:
        citations = "not run"
    elif rejected:
        citations = "rejected: " + rejected[0].split(":", 1)[1].strip()
    elif agent.get("status") == "ok":
        citations = "ok"
    else:
        citations = "no answer"
    return {
        "scenario": r["scenario"], "model": model, "scripted": bool(r.get("scripted")),
        "expected_category": expected, "agent_category": agent.get("category"), "shown_category": got,
        "diagnoser": diagnosis.get("diagnoser"),
        "correct": (agent.get("category") == expected) if expected is not None and agent else None,
        "citations": citations, "agent_status": agent.get("status"), "reason": agent.get("reason") or None,
        "tool_calls": agent.get("tool_calls", []), "input_tokens": agent.get("input_tokens", 0),
        "output_tokens": agent.get("output_tokens", 0), "cache_read_tokens": agent.get("cache_read_tokens", 0),
        "cache_write_tokens": agent.get("cache_write_tokens", 0), "cost_usd": agent.get("cost_usd", 0.0),
        "latency_s": agent.get("seconds", 0.0), "model_latency_s": agent.get("model_seconds", 0.0),
    }


def _cmd_eval(args: argparse.Namespace) -> int:
    from .replay import run_scenario
    from .runtime import BOT_TOKEN
    from .slack_emulator import SlackEmulator

    bedrock = None
    if not args.scripted:
        creds = _aws_credentials()
        if creds is None or not creds.access_key:
            print("incident-responder eval: no AWS credentials found (set AWS_PROFILE or AWS_ACCESS_KEY_ID, or "
                  "pass --scripted to use the scenarios' model.yaml)", file=sys.stderr)
            return 2
        bedrock = _real_bedrock(creds, args.region)
    paths = _scenario_paths(args.paths)
    if not paths:
        raise UsageError(f"no scenarios (folders with an event.json) under {' '.join(args.paths)}")
    env = {"DIAGNOSIS_MODE": args.mode, "LLM_ENABLED": "true", "BEDROCK_MODEL_ID": args.model}
    if args.region:
        env["BEDROCK_REGION"] = args.region
    lines = []
    with SlackEmulator(bot_token=BOT_TOKEN) as slack:
        for path in paths:
            r = run_scenario(path, slack, bedrock=bedrock, env=env)
            line = eval_line(r, args.model)
            lines.append(line)
            print(json.dumps(line, default=str), flush=True)
    scored = [x for x in lines if x["correct"] is not None]
    summary = {"summary": True, "scenarios": len(lines), "scored": len(scored),
               "correct": sum(1 for x in scored if x["correct"]),
               "citations_ok": sum(1 for x in lines if x["citations"] == "ok"),
               "cost_usd": round(sum(x["cost_usd"] for x in lines), 6),
               "latency_s": round(sum(x["latency_s"] for x in lines), 3)}
    print(json.dumps(summary))
    return 0


# -- invoke ----------------------------------------------------------------------------------------
def _add_invoke(sub: Any) -> None:
    p = sub.add_parser("invoke", help="run a function of template.yaml against the local stack, like sam local "
                                      "invoke", description="Run a function of template.yaml once against a "
                                      "fresh local stack (moto + the Slack emulator) and print its answer.")
    p.add_argument("function", help="the function's logical id in template.yaml, e.g. AnalyzeFunction")
    p.add_argument("-e", "--event", help="JSON event file ('-': standard input; default: {})")
    p.add_argument("-n", "--env-vars", help="env file as sam local invoke reads it (Parameters, then the "
                                            "function's own section), e.g. sam/env.json")
    p.add_argument("--world", help="a scenario folder (or its world.yaml) to load into local AWS first")
    p.add_argument("--runtime", choices=["inprocess", "rie"], default="inprocess",
                   help="inprocess (default, fast): the handler called in this process; rie: the sam build "
                        "output under the Lambda runtime interface emulator and awslambdaric, against local "
                        "AWS and Slack servers")
    p.add_argument("--build-dir", default=".aws-sam/build",
                   help="sam build output, for --runtime rie (default: .aws-sam/build)")
    p.set_defaults(fn=_cmd_invoke)


def _read_world(arg: str | None, event: Any, label: str = "--world") -> Any:
    """The world of ``--world``; its account and region follow the event's when it names none."""
    from .inputs import read_yaml
    from .world import World

    if arg is None:
        world = World.read(None)
    else:
        path = Path(arg)
        if not path.exists():
            raise UsageError(f"{label} {arg} does not exist (a scenario folder, or its world.yaml)")
        if path.is_dir():
            folder, file = path, path / "world.yaml"
            if not file.is_file() and not (path / "event.json").is_file():
                raise UsageError(f"{label} {arg} is neither a scenario folder nor holds a world.yaml")
        else:
            folder, file = path.parent, path
        if file.is_file():
            data = read_yaml(file, "world file")
            if data is not None and not isinstance(data, dict):
                raise UsageError(f"{file}: a world is a mapping of services, not a {type(data).__name__}")
        world = World.read(file if file.is_file() else None, base=folder)
    if isinstance(event, dict):
        if "region" not in world.data and isinstance(event.get("region"), str) and event["region"]:
            world.region = event["region"]
        if "account" not in world.data and isinstance(event.get("account"), str) and event["account"]:
            world.account = event["account"]
    return world


def _function_overrides(path: str | None, spec: Any) -> dict[str, str]:
    """The env file's values for the function, as sam local invoke applies them: only variables the
    function declares in template.yaml; names and endpoints of the stack are the local stack's own."""
    from .inputs import read_env_vars

    if not path:
        return {}
    from .runtime import template_functions

    values = read_env_vars(path, spec.logical_id)
    declared = {name for other in template_functions().values() for name in other.variables}
    unknown = sorted(k for k in values if k not in declared)
    if unknown:
        _err(f"note: {', '.join(unknown)} in {path}: no function declares it in template.yaml, so it is "
             "ignored (as sam local invoke ignores it)")
    return {k: v for k, v in values.items() if k in spec.variables and not _replaced_locally(k)}


def _replaced_locally(key: str) -> bool:
    # Names and URLs of resources and endpoints: the local stack's own win.
    return key in {"INCIDENTS_TABLE", "CATALOG_TABLE", "AUDIT_TABLE", "SLACK_TOKEN_SECRET", "AWS_ENDPOINT_URL",
                   "SLACK_SIGNING_SECRET_NAME", "FOLLOWUP_QUEUE_URL", "SLACK_API_URL", "REDRIVE_QUEUE_URL",
                   "NOTIFY_TOPIC_ARN"}


def _cmd_invoke(args: argparse.Namespace) -> int:
    from .inputs import read_json
    from .runtime import function_spec

    spec = function_spec(args.function)
    event = read_json(args.event, "event file") if args.event else {}
    env = _function_overrides(args.env_vars, spec)
    world = _read_world(args.world, event)
    if args.function == "SlackIngressFunction":
        event = _resigned(event)
    try:
        if args.runtime == "rie":
            return _invoke_rie(args, spec, event, env, world)
        return _invoke_inprocess(spec, event, env, world)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        # Function errors are answers (above); what escapes is the local stack's set-up from the world.
        raise UsageError(f"the local stack could not be set up from {args.world or 'an empty world'}: "
                         f"{type(exc).__name__}: {exc}") from exc


def _invoke_inprocess(spec: Any, event: Any, env: dict[str, str], world: Any) -> int:
    from .runtime import BOT_TOKEN, LocalStack, deploy_function_stubs, template_functions
    from .slack_emulator import SlackEmulator
    from .terminal import format_message

    with SlackEmulator(bot_token=BOT_TOKEN) as slack, LocalStack(world, slack=slack, env=env) as stack:
        deploy_function_stubs(stack.session, world.region, sorted(template_functions()))
        try:
            result, output = stack.invoke(spec.logical_id, event)
        except Exception as exc:  # the function failed: Lambda's error answer, as sam local invoke shows it
            output = stack.last_output
            result = _function_error(exc)
        sys.stderr.write(output)
        print(json.dumps(result, indent=2, default=str))
        for m in slack.messages():
            print(format_message(m), file=sys.stderr)
    return 1 if isinstance(result, dict) and "errorType" in result else 0


def _function_error(exc: BaseException) -> dict[str, Any]:
    import traceback

    return {"errorMessage": str(exc), "errorType": type(exc).__name__,
            "stackTrace": [line.rstrip("\n") for line in traceback.format_tb(exc.__traceback__)]}


def _invoke_rie(args: argparse.Namespace, spec: Any, event: Any, env: dict[str, str], world: Any) -> int:
    from .rie import RuntimeInterfaceEmulator
    from .server import LocalServers
    from .terminal import format_message

    artifact = Path(args.build_dir) / spec.logical_id
    if not artifact.is_dir():
        raise UsageError(f"{artifact} not found: build first (sam build --config-file sam/samconfig.toml), "
                         "or point --build-dir at the build output")
    with LocalServers(world) as servers:
        # As sam local invoke: the template's values, the local stack's names and endpoints, the env file's.
        function_env = {**dict(spec.defaults), **servers.function_env(), **env}
        with RuntimeInterfaceEmulator(artifact, spec.handler, function_env, function_name=spec.logical_id,
                                      timeout=spec.timeout, memory=spec.memory) as rie:
            result = rie.invoke(event)
        print(json.dumps(result, indent=2, default=str))
        for m in servers.slack.messages():
            print(format_message(m), file=sys.stderr)
    return 1 if isinstance(result, dict) and "errorType" in result else 0


def _resigned(event: Any) -> Any:
    """A signed Slack request signed again with the local signing secret at the current time.

    Sample events carry a signature made at a fixed time, which the ingress rightly refuses as a
    replay after 5 minutes; an event without a signature is left as it is (and refused).
    """
    from .runtime import SIGNING_SECRET
    from .slack_requests import resign

    headers = {str(k).lower() for k in (event.get("headers") or {})} if isinstance(event, dict) else set()
    if "x-slack-signature" not in headers:
        return event
    _err("note: the Slack request is signed again with the local signing secret at the current time")
    return resign(event, SIGNING_SECRET)


# -- local up --------------------------------------------------------------------------------------
def _add_local(sub: Any) -> None:
    p = sub.add_parser("local", help="the local stack as servers, for sam local invoke and other tools")
    local = p.add_subparsers(dest="local_command", required=True)
    up = local.add_parser("up", help="serve local AWS (moto) and the Slack Web API emulator until Ctrl-C",
                          description="Start local AWS (moto in server mode, with the stack's tables, queues "
                                      "and secrets and a scenario's world) and the Slack Web API emulator on "
                                      "loopback, write a sam local invoke env file for them, and serve until "
                                      "Ctrl-C or SIGTERM.")
    up.add_argument("scenario", nargs="?", help="a scenario folder whose world.yaml to load")
    up.add_argument("--aws-port", type=int, default=None, help="local AWS port (default 4566; 0: any free)")
    up.add_argument("--slack-port", type=int, default=None, help="Slack emulator port (default 4567; 0: any free)")
    up.add_argument("--env-file", default=".aws-sam/env.local.json",
                    help="where to write the env file (default .aws-sam/env.local.json)")
    up.set_defaults(fn=_cmd_local_up)


def _cmd_local_up(args: argparse.Namespace) -> int:
    from .server import DEFAULT_AWS_PORT, DEFAULT_SLACK_PORT, LocalServers, env_file, local_env_sections, write_env_file

    world = _read_world(args.scenario, None, label="scenario")
    aws_port = DEFAULT_AWS_PORT if args.aws_port is None else args.aws_port
    slack_port = DEFAULT_SLACK_PORT if args.slack_port is None else args.slack_port
    stop = threading.Event()

    def _stop(*_: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    with LocalServers(world, aws_port=aws_port, slack_port=slack_port) as servers:
        path = Path(args.env_file)
        write_env_file(path, env_file(servers, extra=local_env_sections()))
        print(f"local AWS (moto)  {servers.aws_url}   account {world.account}, region {world.region}")
        print(f"local Slack API   {servers.slack_url}")
        print(f"env file          {path}  (sam local invoke <Function> -e sam/events/<event>.json "
              f"--env-vars {path})")
        print("Ctrl-C to stop", flush=True)
        while not stop.wait(0.5):
            pass
    print("stopped", flush=True)
    return 0


# -- knowledge -------------------------------------------------------------------------------------
def _add_knowledge(sub: Any) -> None:
    p = sub.add_parser("knowledge", help="build rules/knowledge/terms.json from the labelled corpus "
                                         "(tests/fixtures/error_catalog, the held-out batch left out)")
    p.add_argument("--check", action="store_true", help="only check that the file is up to date (exit 1 if not)")
    p.set_defaults(fn=_cmd_knowledge)


def _cmd_knowledge(args: Any) -> int:
    from .knowledge import model_path, render, tuning_files, tuning_rows

    try:
        rows = tuning_rows()
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    text = render(rows)
    path = model_path()
    current = path.read_text(encoding="utf-8") if path.exists() else None
    if args.check:
        if current != text:
            _err(f"{path} is not the build of the corpus; run: {PROG} knowledge")
            return 1
        print(f"{path}: up to date ({len(rows)} messages)")
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(f"{path}: {len(rows)} messages from {len(tuning_files())} files"
          + ("" if current != text else " (unchanged)"))
    return 0


# -- main ------------------------------------------------------------------------------------------
def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0] if __doc__ else None)
    sub = parser.add_subparsers(dest="command", required=True)
    for add in (_add_replay, _add_demo, _add_eval, _add_invoke, _add_local, _add_knowledge):
        add(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    from .rie import RieError
    from .runtime import UnknownFunctionError
    from .server import PortInUseError, ServerUnavailableError
    from .stack import TemplateNotFoundError

    args: Any = _parser().parse_args(argv)
    try:
        return int(args.fn(args))
    except (UsageError, UnknownFunctionError, RieError, PortInUseError, ServerUnavailableError,
            TemplateNotFoundError) as exc:
        _err(f"error: {exc}")
        return 2
    except KeyboardInterrupt:
        _err("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
