"""The ``incident-responder`` command: replay scenarios, run the demo, evaluate the agent, invoke a function
locally."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

__all__ = ["main"]

DEMO_SCENARIOS = ["sfn_lambda_timeout", "sfn_lambda_oom", "sfn_lambda_timeout_thread", "changes_sfn_grown_input",
                  "redrive_sfn_demo", "agent_report_unknown_rules", "agent_thread_question"]


def _repo_root() -> Path:
    return Path(__file__).resolve().parents[2]


def _cmd_replay(args: argparse.Namespace) -> int:
    from .replay import replay

    results = replay(args.paths)
    failed = 0
    for r in results:
        if not r["check"]["passed"]:
            failed += 1
        if args.json:
            out = {k: r[k] for k in ("scenario", "report", "slack", "api_calls", "duration_ms", "check",
                                     "model_requests")}
            print(json.dumps(out, default=str))
        else:
            mark = "PASS" if r["check"]["passed"] else "FAIL"
            cat = (r["report"] or {}).get("probable_cause", {}).get("category")
            print(f"{mark} {r['scenario']}: {r['outcome']} {cat or ''} ({r['duration_ms']} ms, "
                  f"{sum(r['api_calls'].values())} AWS calls)")
            for f in r["check"]["failures"]:
                print(f"     {f}")
    if not args.json:
        print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if (args.check and failed) else 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from .replay import replay
    from .terminal import format_message

    paths = args.paths or [p for name in DEMO_SCENARIOS
                           for p in [_repo_root() / "tests" / "scenarios" / name] if p.is_dir()]
    if not paths:
        print("no demo scenarios found; pass scenario folders", file=sys.stderr)
        return 2
    for r in replay(paths):
        print(f"\n▶ scenario {r['scenario']}: the event went through the analyze function "
              f"({r['duration_ms']:.0f} ms, {sum(r['api_calls'].values())} AWS calls); Slack now shows:\n")
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
    return 0


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
    from .replay import discover, run_scenario
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
    try:
        paths = discover(args.paths)
    except FileNotFoundError as exc:
        print(f"incident-responder eval: {exc}", file=sys.stderr)
        return 2
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


def _cmd_invoke(args: argparse.Namespace) -> int:
    from .runtime import BOT_TOKEN, LocalStack
    from .slack_emulator import SlackEmulator
    from .world import World

    event = json.loads(Path(args.event).read_text(encoding="utf-8"))
    if args.function == "SlackIngressFunction":
        event = _resigned(event)
    env: dict[str, str] = {}
    if args.env_vars:
        raw = json.loads(Path(args.env_vars).read_text(encoding="utf-8"))
        env = {k: str(v) for k, v in (raw.get(args.function) or raw.get("Parameters") or {}).items()}
        env = {k: v for k, v in env.items() if not _is_deployed_only(k)}
    world = World.read(Path(args.world) / "world.yaml", base=Path(args.world)) if args.world else World.read(None)
    with SlackEmulator(bot_token=BOT_TOKEN) as slack, LocalStack(world, slack=slack, env=env) as stack:
        result, output = stack.invoke(args.function, event)
        sys.stderr.write(output)
        print(json.dumps(result, indent=2, default=str))
        for m in slack.messages():
            from .terminal import format_message

            print(format_message(m), file=sys.stderr)
    return 0


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
    print("(re-signed with the local signing secret at the current time)", file=sys.stderr)
    return resign(event, SIGNING_SECRET)


def _is_deployed_only(key: str) -> bool:
    # Names and URLs of the deployed stack are replaced by the local stack's own.
    return key in {"INCIDENTS_TABLE", "CATALOG_TABLE", "AUDIT_TABLE", "SLACK_TOKEN_SECRET",
                   "SLACK_SIGNING_SECRET_NAME", "FOLLOWUP_QUEUE_URL", "SLACK_API_URL", "REDRIVE_QUEUE_URL",
                   "REDRIVE_FUNCTION_NAME"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="incident-responder", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("replay", help="replay scenarios against a fresh local world and local Slack")
    p.add_argument("paths", nargs="+")
    p.add_argument("--json", action="store_true", help="one JSON line per scenario")
    p.add_argument("--check", action="store_true", help="exit 1 if any scenario's expectations fail")
    p.set_defaults(fn=_cmd_replay)
    p = sub.add_parser("demo", help="run scenarios and show the Slack reports in the terminal")
    p.add_argument("paths", nargs="*")
    p.set_defaults(fn=_cmd_demo)
    p = sub.add_parser("eval", help="run scenarios through Claude on Bedrock and score its diagnoses (JSON lines)")
    p.add_argument("paths", nargs="+", help="scenario folders (each expect.yaml's category is the answer)")
    p.add_argument("--model", required=True, help="Bedrock model id or inference profile id")
    p.add_argument("--region", help="Bedrock region (default: BEDROCK_REGION, else the scenario's region)")
    p.add_argument("--mode", default="agent", choices=["agent", "auto"], help="DIAGNOSIS_MODE (default agent)")
    p.add_argument("--scripted", action="store_true",
                   help="serve each scenario's model.yaml instead of calling Bedrock (no credentials needed)")
    p.set_defaults(fn=_cmd_eval)
    p = sub.add_parser("invoke", help="run a function of template.yaml in-process, like sam local invoke")
    p.add_argument("function", help="logical id, e.g. AnalyzeFunction")
    p.add_argument("--event", required=True)
    p.add_argument("--env-vars", help="sam local invoke env file (sam/env.json)")
    p.add_argument("--world", help="a scenario folder whose world.yaml to load")
    p.set_defaults(fn=_cmd_invoke)
    args: Any = parser.parse_args(argv)
    return int(args.fn(args))


if __name__ == "__main__":
    sys.exit(main())
