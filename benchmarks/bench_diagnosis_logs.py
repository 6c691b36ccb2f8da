"""Diagnosis of real failures inside real-looking incidents: what the logs' noise costs.

``bench_diagnosis.py`` reads each labelled corpus message alone, as the one log line of an incident. On call,
the failing line sits in a log among hundreds of routine lines, warnings and errors that were retried and
recovered, under a generic symptom (exit code 1, "Job aborted"). Here each message of the log families (Spark,
JVM, Python, Node, Go, .NET, database clients) is placed in a whole incident and replayed through the analyzer
as a scenario is (local AWS, local Slack):

- a Glue run whose ErrorMessage is either the message's first line or Glue's generic "Job aborted" wrapper,
  the message in the run's error stream;
- an EMR step with no failure details, the message at the end of its ``stderr.gz``;
- a Batch job and an ECS task that exited 1, the message in the container's log stream;

and each message of the services' own families where the service puts it: a Glue run's ErrorMessage, an ECS
task's stop reason, a Batch job's status reason, an Athena query's state change reason, an EMR cluster's state
change reason (on one line).

The logs around it: Loghub's Spark lines (``tests/fixtures/loghub``, INFO) with two of Hadoop's WARN and ERROR
lines, or an application's INFO lines; in half of the incidents, a recovered red herring before the failure
(a throttled call that succeeded on its retry, a connection reset that was retried, a lost Spark task that was
re-run). The incidents are built from scenarios of ``tests/scenarios``.

Printed, as JSON lines: the category accuracy of the whole incidents, of the same messages read alone, the
share where the two agree, wrong answers with high confidence, and the accuracy per kind of incident. The
rows are a seeded sample (``--limit``, default 300) of the tuning files, or ``--batch FILE``.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from _common import ROOT, emit
from incident_responder.diagnosis import SignatureSet, load_signatures
from incident_responder.resources import rules_dir
from incident_responder_local.knowledge import TUNING, corpus_rows, diagnose_row
from incident_responder_local.replay import run_scenario
from incident_responder_local.runtime import BOT_TOKEN
from incident_responder_local.slack_emulator import SlackEmulator

SCENARIOS = ROOT / "tests" / "scenarios"
LOGHUB = ROOT / "tests" / "fixtures" / "loghub"
LOG_FAMILIES = ("spark", "jvm", "python", "node", "go", "dotnet", "db")
FIELD_FAMILIES = ("aws-glue", "aws-ecs", "aws-batch", "athena", "aws-emr")
GLUE_WRAPPER = "An error occurred while calling o121.pyWriteDynamicFrame. Job aborted."
APP_LINES = ("INFO main: starting the run for 2024-05-05", "INFO reader: 212 objects listed under s3://acme-raw/dt=2024-05-05/",
             "INFO reader: schema v3 loaded", "INFO writer: staging to s3://acme-stage/tmp/run-7/",
             "INFO main: 1,184,213 rows read", "DEBUG pool: 4 connections open")
HERRINGS = ("WARN retry: attempt 1 of 5 failed (Connection reset by peer); retrying in 2 s",
            "WARNING botocore.retryhandler: Throttling on ListObjectsV2, retry 1; succeeded on retry 2",
            "WARN TaskSetManager: Lost task 2.0 in stage 5.0 (TID 41): retrying")


class Noise:
    """Routine lines, warnings and red herrings to put around a failing line."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.spark = [ln for ln in (LOGHUB / "Spark_2k.log").read_text().splitlines() if ln.strip()]
        self.hadoop = [ln for ln in (LOGHUB / "Hadoop_2k.log").read_text().splitlines()
                       if " WARN " in ln or " ERROR " in ln]

    def lines(self, kind: str, n: int = 25) -> list[str]:
        if kind == "spark":
            i = self.rng.randrange(len(self.spark) - n)
            j = self.rng.randrange(len(self.hadoop) - 2)
            out = self.spark[i:i + n] + self.hadoop[j:j + 2]
        else:
            out = [self.rng.choice(APP_LINES) for _ in range(n // 3)]
        if self.rng.random() < 0.5:
            out.insert(len(out) // 2, self.rng.choice(HERRINGS))
        return out


def _events(lines: list[str], start: str) -> list[dict[str, str]]:
    t0 = datetime.strptime(start, "%Y-%m-%dT%H:%M:%S.%fZ")
    out = []
    for i, line in enumerate(lines):
        t = t0 + timedelta(milliseconds=7 * i)
        out.append({"timestamp": f"{t:%Y-%m-%dT%H:%M:%S}.{t.microsecond // 1000:03d}Z", "message": line})
    return out


def _load(name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    path = SCENARIOS / name
    return (yaml.safe_load((path / "world.yaml").read_text()), json.loads((path / "event.json").read_text()))


def _message_lines(message: str) -> list[str]:
    return [ln for ln in message.splitlines() if ln.strip()] or [message]


def glue(row: dict[str, Any], noise: Noise, wrapped: bool) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    world, event = _load("stream_glue_executor")
    run = world["glue"]["job_runs"][0]
    run["ErrorMessage"] = GLUE_WRAPPER if wrapped else _message_lines(row["message"])[0][:900]
    event["detail"]["message"] = (f"JobName:{run['JobName']} and JobRunId:{run['Id']} failed to execute with "
                                  f"exception {run['ErrorMessage']}")
    body = noise.lines("spark") + _message_lines(row["message"])
    world["logs"] = [{"group": "/aws-glue/jobs/error", "stream": run["Id"],
                      "events": _events(body, "2024-05-06T04:22:00.000Z")}]
    return world, event, {}


def emr(row: dict[str, Any], noise: Noise, _: bool) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    world, event = _load("emr_step_empty_details_stderr_disk_full")
    body = noise.lines("spark") + _message_lines(row["message"])
    return world, event, {"stderr.log": "\n".join(body) + "\n"}


def batch(row: dict[str, Any], noise: Noise, _: bool) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    world, event = _load("batch_exit1_access_denied")
    body = noise.lines("app") + _message_lines(row["message"])
    world["logs"][0]["events"] = _events(body, "2024-04-22T04:05:20.000Z")  # the job ran 04:05:12 to 04:05:58
    return world, event, {}


def ecs(row: dict[str, Any], noise: Noise, _: bool) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    world, event = _load("ecs_exit1_python_traceback")
    body = noise.lines("app") + _message_lines(row["message"])
    world["logs"][0]["events"] = _events(body, "2024-04-02T03:12:00.000Z")
    return world, event, {}


def _first_line(row: dict[str, Any]) -> str:
    """The message as a service's reason field holds it: one line, at most 1,000 characters."""
    return " ".join(ln.strip() for ln in _message_lines(row["message"]))[:1000]


def glue_error(row: dict[str, Any], *_: Any) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    world, event = _load("glue_dpu_limit_read_by_wording")
    run = world["glue"]["job_runs"][0]
    run["ErrorMessage"] = _first_line(row)
    event["detail"]["message"] = (f"JobName:{run['JobName']} and JobRunId:{run['Id']} failed to execute with "
                                  f"exception {run['ErrorMessage']}")
    return world, event, {}


def ecs_stop(row: dict[str, Any], *_: Any) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    world, event = _load("ecs_cannot_pull_image_missing")
    for task in (world["ecs"]["tasks"][0], event["detail"]):
        task["stoppedReason"] = _first_line(row)
        for container in task.get("containers") or []:
            container["reason"] = _first_line(row)
    return world, event, {}


def batch_reason(row: dict[str, Any], *_: Any) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    world, event = _load("batch_capacity_canceled")
    for job in (world["batch"]["jobs"][0], event["detail"]):
        job["statusReason"] = _first_line(row)
    return world, event, {}


def athena_reason(row: dict[str, Any], *_: Any) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    world, event = _load("athena_table_not_found")
    status = world["athena"]["query_executions"][0]["Status"]
    status["StateChangeReason"] = status["AthenaError"]["ErrorMessage"] = _first_line(row)
    event["detail"]["athenaError"]["errorMessage"] = _first_line(row)
    return world, event, {}


def emr_cluster(row: dict[str, Any], *_: Any) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    world, event = _load("emr_cluster_bootstrap_failure")
    # The reason's code would decide by itself (BOOTSTRAP_FAILURE in the scenario): the message is read alone.
    world["emr"]["clusters"][0]["Status"]["StateChangeReason"] = {"Message": _first_line(row)}
    event["detail"]["stateChangeReason"] = json.dumps({"message": _first_line(row)})
    return world, event, {}


KINDS = {"spark": ("glue", "emr"), "jvm": ("glue", "emr"), "python": ("glue", "batch", "ecs"),
         "db": ("glue", "batch", "ecs"), "aws-glue": ("glue_error",), "aws-ecs": ("ecs_stop",),
         "aws-batch": ("batch_reason",), "athena": ("athena_reason",), "aws-emr": ("emr_cluster",)}
BUILDERS = {"glue": glue, "emr": emr, "batch": batch, "ecs": ecs, "glue_error": glue_error, "ecs_stop": ecs_stop,
            "batch_reason": batch_reason, "athena_reason": athena_reason, "emr_cluster": emr_cluster}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=300, help="rows to replay (a seeded sample)")
    parser.add_argument("--batch", metavar="FILE", help="one corpus file instead of the tuning files")
    parser.add_argument("--families", help="comma-separated corpus families to take (default: all placed ones)")
    parser.add_argument("--disagreements", action="store_true",
                        help="also print each incident whose category is not the message's alone (tuning data only)")
    args = parser.parse_args()

    families = tuple(args.families.split(",")) if args.families else LOG_FAMILIES + FIELD_FAMILIES
    rows = [r for name in ([args.batch] if args.batch else TUNING) for r in corpus_rows(name)
            if r["family"] in families]
    rng = random.Random(7)
    rng.shuffle(rows)
    rows = rows[:args.limit]
    noise = Noise(rng)
    sigs = SignatureSet(load_signatures(rules_dir() / "signatures"))  # with the class rules and the word model
    right: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    alone_right = agree = wrong_high = 0
    with SlackEmulator(bot_token=BOT_TOKEN) as slack, tempfile.TemporaryDirectory() as tmp:
        for i, row in enumerate(rows):
            kinds = KINDS.get(row["family"], ("batch", "ecs"))
            kind = kinds[i % len(kinds)]
            world, event, files = BUILDERS[kind](row, noise, i % 2 == 0)
            path = Path(tmp) / f"{i:04d}_{kind}"
            path.mkdir()
            (path / "world.yaml").write_text(yaml.safe_dump(world, sort_keys=False))
            (path / "event.json").write_text(json.dumps(event))
            (path / "expect.yaml").write_text(yaml.safe_dump({"category": row["category"]}))
            for name, text in files.items():
                (path / name).write_text(text)
            cause = (run_scenario(path, slack)["report"] or {}).get("probable_cause") or {}
            alone = diagnose_row(sigs, row).cause.category
            if args.disagreements and alone.value != cause.get("category"):
                print(json.dumps({"kind": kind, "label": row["category"], "incident": cause.get("category"),
                                  "rule": cause.get("signature"), "alone": alone.value,
                                  "message": row["message"][:160]}), flush=True)
            seen[kind] += 1
            right[kind] += cause.get("category") == row["category"]
            alone_right += alone.value == row["category"]
            agree += alone.value == cause.get("category")
            wrong_high += cause.get("category") != row["category"] and cause.get("confidence") == "high"
    n = len(rows)
    emit("diagnosis_in_logs_accuracy", round(sum(right.values()) / n, 3), "ratio", round(alone_right / n, 3), 0.9,
         n=n, per_kind={k: f"{right[k]}/{seen[k]}" for k in sorted(seen)},
         note="each message in a whole incident's logs, among noise and a recovered red herring; baseline: the "
              "same messages read alone")
    emit("diagnosis_in_logs_agreement", round(agree / n, 3), "ratio", None, None, n=n,
         note="share of incidents whose category is the one the message alone gives")
    emit("diagnosis_in_logs_wrong_high_confidence", wrong_high, "count", None, f"<= {n // 30}", n=n)


if __name__ == "__main__":
    main()
