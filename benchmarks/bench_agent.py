"""Agent figures: estimated Bedrock cost per incident, and the time the agent path adds.

Every scenario in tests/scenarios is replayed through the real analyze handler against local AWS
(``incident_responder_local.replay``); the evidence of each posted report is then diagnosed again in
this process, by the signatures alone and by the agent loop with the real ``AnthropicBedrock`` client
over the scripted Bedrock runtime (``incident_responder.diagnosis.scripted``). A scenario folder with a
``model.yaml`` is served that script; the others a typical three-step one (read an evidence item, read
another, submit a diagnosis quoting the evidence).

Cost: tokens are estimated from the requests the agent actually built (about four characters a token,
prompt caching modelled from the request's ``cache_control`` breakpoints and the model's minimum
cacheable prefix) and priced with ``incident_responder.diagnosis.cost.PRICES`` (Amazon Bedrock
on-demand prices; see that module for the source). Baseline: the same requests with no caching.
Target: a median of at most $0.02 per incident with caching, for the default model.

Time: the wall time of the agent path (prompt rendering, redaction, tools, the SDK building and signing
requests, the scripted transport) with no model latency, as a ratio of the signatures-only diagnosis of
the same evidence in the same process.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from _common import ROOT, emit
from incident_responder.config import Settings
from incident_responder.diagnosis.agent import run_diagnosis
from incident_responder.diagnosis.cost import Usage, price_for
from incident_responder.diagnosis.diagnoser import DiagnosisRequest, RulesDiagnoser
from incident_responder.diagnosis.scripted import ScriptedBedrock, bedrock_client, message, text, tool_use
from incident_responder.diagnosis.tools import ToolContext
from incident_responder.model import Evidence

SCENARIOS = ROOT / "tests" / "scenarios"
DEFAULT_MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
# Smallest cacheable prefix on Bedrock: 1,024 tokens for Sonnet 4.5, 4,096 for Haiku 4.5 (model cards).
MODELS = {DEFAULT_MODEL: 1024, "us.anthropic.claude-haiku-4-5-20251001-v1:0": 4096}
EXPLANATION = ("The task's container ran out of its memory limit while writing the final partition, and the "
               "kernel killed it; the log shows the allocation failure right before the stop, and the exit "
               "code matches an out-of-memory kill. Raise the memory of the task definition or split the input.")


def _quote(ev: Evidence) -> str:
    line = next((ln for ln in ev.text.splitlines() if ln.strip()), ev.text)
    return " ".join(line.split())[:80] or ev.text[:80]


def _script(evidence: list[Evidence], folder: Path) -> ScriptedBedrock | list[dict[str, Any]]:
    if (folder / "model.yaml").is_file():
        return ScriptedBedrock.from_yaml(folder / "model.yaml").responses
    first, last = evidence[0], evidence[-1]
    return [
        message(text("The history names the failed state; the log may say why."), tool_use("get_evidence",
                                                                                              {"id": last.id})),
        message(text("Checking the first fact in full."), tool_use("get_evidence", {"id": first.id})),
        message(tool_use("submit_diagnosis", {
            "category": "out_of_memory", "confidence": "medium", "explanation": EXPLANATION,
            "citations": [{"evidence_id": last.id, "quote": _quote(last)},
                          {"evidence_id": first.id, "quote": _quote(first)}],
            "next_steps": ["Raise the task definition's memory to the next size.",
                           "Split the input of the final partition write.",
                           "Redrive the run once the change is deployed."]})),
    ]


def _price(model: str) -> dict[str, Any]:
    p = price_for(model)
    rates = {"input": p.input, "output": p.output, "cache_write": p.cache_write, "cache_read": p.cache_read}
    return {"name": p.name, "usd_per_mtok": {k: round(v, 4) for k, v in rates.items()}}


def _evidence(report: dict[str, Any]) -> list[Evidence]:
    return [Evidence(kind=e["kind"], source=e["source"], text=e["text"], time=e.get("time"), id=e["id"])
            for e in report["evidence"]]


def main() -> None:
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "AKIDEXAMPLEBENCHONLY")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench-secret-only")
    from incident_responder.analyze import signature_set
    from incident_responder_local.replay import replay

    names = sys.argv[1:]
    folders = [SCENARIOS / n for n in names] if names else [SCENARIOS]
    results = [r for r in replay(folders) if r.get("report") and r["report"].get("evidence")]
    cfg = Settings()
    rules = RulesDiagnoser(signature_set(cfg))
    costs: dict[str, list[float]] = {m: [] for m in MODELS}
    uncached: list[float] = []
    auto_costs: list[float] = []
    overhead: list[float] = []
    rules_time: list[float] = []
    calls: list[int] = []
    chars: list[int] = []
    for r in results:
        report = r["report"]
        evidence = _evidence(report)
        folder = SCENARIOS / str(r.get("scenario", ""))
        context = {"resource_name": report["resource"]["name"], "run_id": report["resource"].get("run_id") or "",
                   "status": report.get("status", ""), "region": "us-east-1"}
        req = DiagnosisRequest(evidence=evidence, source=report["source"], context=context)
        t0 = time.perf_counter()
        for _ in range(5):
            hint = rules.propose(req)
        rules_time.append((time.perf_counter() - t0) / 5)
        incident = {"source": report["source"], **context}
        for model, min_cache in MODELS.items():
            cfg.bedrock_model_id = model
            script = ScriptedBedrock(list(_script(evidence, folder)), min_cache_tokens=min_cache)
            client = bedrock_client(script, max_retries=0)
            t0 = time.perf_counter()
            out = run_diagnosis(incident, ToolContext(evidence=evidence), cfg=cfg,
                                hint=hint.cause().to_dict(), client=client)
            elapsed = time.perf_counter() - t0
            if not out.ok:
                print(f"# {report['incident_id']}: {out.status} {out.reason}", file=sys.stderr)
            costs[model].append(out.cost_usd)
            if model == DEFAULT_MODEL:
                overhead.append(elapsed)
                calls.append(script.count)
                chars.append(script.total_chars)
                u = out.usage
                flat = Usage(input_tokens=u.input_tokens + u.cache_read_tokens + u.cache_write_tokens,
                             output_tokens=u.output_tokens)
                uncached.append(flat.cost(price_for(model)))
                if hint.category.value == "unknown" or hint.confidence.value != "high":
                    auto_costs.append(out.cost_usd)
    if not results:
        print("no reports to diagnose", file=sys.stderr)
        return
    default = costs[DEFAULT_MODEL]
    p90 = sorted(default)[max(0, int(len(default) * 0.9) - 1)]
    emit("agent_cost_per_incident_usd", round(statistics.median(default), 5), "USD",
         round(statistics.median(uncached), 5), 0.02, model=DEFAULT_MODEL, price=_price(DEFAULT_MODEL),
         p90=round(p90, 5), incidents=len(default), baseline_is="same requests without prompt caching")
    for model, values in costs.items():
        if model != DEFAULT_MODEL:
            emit("agent_cost_per_incident_usd_alt_model", round(statistics.median(values), 5), "USD", None, 0.02,
                 model=model, price=_price(model), incidents=len(values))
    emit("agent_auto_mode_share", round(len(auto_costs) / len(default), 3), "ratio", None, None,
         note="share of incidents where DIAGNOSIS_MODE=auto runs the agent (signatures unknown or not high)",
         median_cost_usd=round(statistics.median(auto_costs), 5) if auto_costs else None)
    emit("agent_requests_per_incident", statistics.median(calls), "requests", None, None,
         request_chars_median=int(statistics.median(chars)))
    ratio = statistics.median(overhead) / statistics.median(rules_time)
    emit("agent_path_time_vs_rules", round(ratio, 1), "ratio", 1.0, None,
         agent_ms=round(statistics.median(overhead) * 1000, 2),
         rules_ms=round(statistics.median(rules_time) * 1000, 3),
         note="agent path in-process time with no model latency, against the signatures alone")


if __name__ == "__main__":
    main()
