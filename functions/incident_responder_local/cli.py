"""The ``incident-responder`` command: replay scenarios, run the demo, invoke a function locally."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

__all__ = ["main"]

DEMO_SCENARIOS = ["sfn_lambda_timeout", "sfn_lambda_oom", "sfn_lambda_timeout_thread", "changes_sfn_grown_input", "redrive_sfn_demo"]  # noqa: E501


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
            out = {k: r[k] for k in ("scenario", "report", "slack", "api_calls", "duration_ms", "check")}
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
