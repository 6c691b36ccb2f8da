"""An alert storm: a bad deploy fails hundreds of runs at once.

1,000 failure events from 20 pipelines (50 per failure fingerprint, plus 10% duplicate deliveries,
shuffled) reach the analyzer of one local stack from 16 concurrent workers (as 16 Lambda containers
would), against the local Slack emulator enforcing chat.postMessage's limit (about 1 a second per
channel, short bursts, 429 with Retry-After beyond). A delivery that raises is retried as Lambda retries
an asynchronous event (twice; the 1 and 2 minute delays scaled down to seconds).

Prints JSON lines: ``storm_events``, ``storm_top_level_posts`` (target: one per fingerprint),
``storm_slack_calls``, ``storm_lost`` (target 0: every event ends posted, grouped, duplicate or skipped,
and every incident is saved), with the outcome counts. STORM_EVENTS overrides the number of events.
"""

from __future__ import annotations

import copy
import json
import logging
import os
import queue
import random
import threading
import time
from collections import Counter
from typing import Any

from _common import ROOT, emit
from incident_responder.analyze import analyze
from incident_responder_local.runtime import BOT_TOKEN, LocalStack
from incident_responder_local.slack_emulator import SlackEmulator
from incident_responder_local.world import World

PIPELINES = 20
WORKERS = 16
RETRY_DELAYS = (2.0, 4.0)  # Lambda's 1 and 2 minutes, scaled down
TEMPLATE = json.loads((ROOT / "tests" / "fixtures" / "eventbridge" / "glue_job_state_change_FAILED.json").read_text())


def _events(total: int, rng: random.Random) -> list[dict[str, Any]]:
    per = max(1, total // PIPELINES)
    events = []
    for p in range(PIPELINES):
        for n in range(per):
            event = copy.deepcopy(TEMPLATE)
            event["id"] = f"storm-{p:02d}-{n:03d}"
            event["region"] = "eu-west-1"
            event["time"] = "2026-12-01T10:00:00Z"
            run = f"jr_{p:02d}{n:03d}" + "0" * 58
            event["detail"].update(jobName=f"etl-{p:02d}", jobRunId=run,
                                   message=f"JobName:etl-{p:02d} and JobRunId:{run} failed to execute with exception "
                                           "Role arn:aws:iam::123456789012:role/Glue_Role should be given assume role "
                                           "permissions for Glue Service.")
            events.append(event)
    duplicates = [copy.deepcopy(e) for e in rng.sample(events, len(events) // 10)]
    everything = events + duplicates
    rng.shuffle(everything)
    return everything


def _world() -> World:
    catalog = [{"pipeline": f"etl-{p:02d}", "owner": "data-eng", "slack_channel": f"#etl-{p:02d}-alerts",
                "resources": [f"arn:aws:glue:eu-west-1:123456789012:job/etl-{p:02d}"]} for p in range(PIPELINES)]
    return World(data={"catalog": catalog}, base=ROOT, region="eu-west-1", account="123456789012",
                 env={"AWS_REGION": "eu-west-1", "GROUP_WINDOW_MINUTES": "60"})


def main() -> None:
    logging.disable(logging.WARNING)  # a thousand "evidence read failed" lines say nothing here
    total = int(os.environ.get("STORM_EVENTS", "1000"))
    rng = random.Random(7)
    deliveries = _events(total, rng)
    outcomes: Counter[str] = Counter()
    pending: queue.Queue[tuple[float, int, dict[str, Any]]] = queue.Queue()
    for event in deliveries:
        pending.put((0.0, 0, event))
    done = threading.Semaphore(0)
    lock = threading.Lock()

    with SlackEmulator(bot_token=BOT_TOKEN) as slack, LocalStack(_world(), slack=slack) as stack:
        slack.limit_posts(per_second=1.0, burst=5)
        started = time.monotonic()

        def worker() -> None:
            while True:
                try:
                    not_before, attempt, event = pending.get(timeout=0.2)
                except queue.Empty:
                    return
                wait = not_before - time.monotonic()
                if wait > 0:
                    time.sleep(min(wait, 0.5))
                    if not_before - time.monotonic() > 0:
                        pending.put((not_before, attempt, event))
                        continue
                try:
                    status = analyze(event, lease_seconds=130).status
                except Exception as exc:
                    if attempt < len(RETRY_DELAYS):
                        pending.put((time.monotonic() + RETRY_DELAYS[attempt], attempt + 1, event))
                        with lock:
                            outcomes[f"retried_{type(exc).__name__}"] += 1
                        continue
                    status = "failed"
                with lock:
                    outcomes[status] += 1
                done.release()

        threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        seconds = time.monotonic() - started
        messages = slack.messages()
        top = [m for m in messages if not m.get("thread_ts") or m["thread_ts"] == m["ts"]]
        table = stack.session.resource("dynamodb").Table(stack.env["INCIDENTS_TABLE"])
        items, page = [], table.scan(ProjectionExpression="incident_id, #s", ExpressionAttributeNames={"#s": "status"})
        while True:
            items += [i for i in page["Items"] if not str(i["incident_id"]).startswith(("group#", "slack#"))]
            if "LastEvaluatedKey" not in page:
                break
            page = table.scan(ProjectionExpression="incident_id, #s", ExpressionAttributeNames={"#s": "status"},
                              ExclusiveStartKey=page["LastEvaluatedKey"])
        saved = sum(1 for i in items if i.get("status") in {"posted", "grouped"})
        calls = len(slack.calls)
        limited = slack.rate_limited

    unique = len({e["detail"]["jobRunId"] for e in deliveries})
    ended = sum(outcomes[k] for k in ("posted", "grouped", "duplicate", "skipped"))
    lost = (len(deliveries) - ended) + (unique - saved)
    emit("storm_events", len(deliveries), "events", None, None, unique_failures=unique, fingerprints=PIPELINES,
         outcomes=dict(outcomes), seconds=round(seconds, 1))
    emit("storm_top_level_posts", len(top), "messages", None, PIPELINES, thread_replies=len(messages) - len(top))
    emit("storm_slack_calls", calls, "calls", len(deliveries), None, rate_limited_429=limited)
    emit("storm_lost", lost, "events", None, 0, incidents_saved=saved, incidents=unique)


if __name__ == "__main__":
    main()
