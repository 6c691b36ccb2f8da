"""Slack ingress: the time to acknowledge a reply, against Slack's 3-second budget, as a ratio.

Each request is a person's reply in an incident's thread, signed as Slack signs it, through the real
ingress handler in this process: signature verified, the thread's incident looked up, the delivery
claimed in DynamoDB and enqueued on the FIFO queue (moto), the 200 built. Value: the median handler
time over N warm requests divided by 3 s. Target 0.1 (300 ms): in AWS each of the three calls is a
network round trip and a cold start adds about a second, so the in-process path should leave most of
the budget to them. Baseline: the same ratio for a bare SQS SendMessage to the same local queue, the
floor of any enqueue. The first (cold) request, which also builds the clients and reads the signing
secret, is reported on its own.
"""

from __future__ import annotations

import json
import statistics
import time

from _common import emit
from incident_responder.store import IncidentStore
from incident_responder_local.runtime import SIGNING_SECRET, LocalStack
from incident_responder_local.slack_requests import function_url_event, message_event_body
from incident_responder_local.world import World

N = 200
BUDGET_SECONDS = 3.0
CHANNEL, ROOT = "C0BENCH001", "1700000000.000100"


def _request(i: int) -> dict:
    ts = f"{1700000100 + i}.000200"
    body = message_event_body(channel=CHANNEL, user="U0ALICE01", text="status?", ts=ts, thread_ts=ROOT)
    return function_url_event(body, secret=SIGNING_SECRET)


def main() -> None:
    with LocalStack(World(data={}, base=".")) as stack:  # type: ignore[arg-type]
        store = IncidentStore(stack.session.client("dynamodb"), stack.env["INCIDENTS_TABLE"])
        store.claim("bench-incident", "fp", "ev")
        store.save_report("bench-incident", {"incident_id": "bench-incident"}, channel=CHANNEL, ts=ROOT,
                          thread_ts=None)
        started = time.perf_counter()
        first, _ = stack.invoke("SlackIngressFunction", _request(0))
        cold = time.perf_counter() - started
        sqs = stack.session.client("sqs")
        queue = stack.env["FOLLOWUP_QUEUE_URL"]
        times, bare = [], []
        for i in range(1, N + 1):  # interleaved, so both see the same machine and the same queue
            event = _request(i)
            started = time.perf_counter()
            answer, _ = stack.invoke("SlackIngressFunction", event)
            times.append(time.perf_counter() - started)
            assert answer["statusCode"] == 200, answer
            started = time.perf_counter()
            sqs.send_message(QueueUrl=queue, MessageBody=json.dumps({"i": i}), MessageGroupId="bare",
                             MessageDeduplicationId=f"bare-{i}")
            bare.append(time.perf_counter() - started)
        attrs = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessages"])
        queued = int(attrs["Attributes"]["ApproximateNumberOfMessages"]) - N
    assert first["statusCode"] == 200 and queued == N + 1, (first, queued)
    median = statistics.median(times)
    emit("slack_ingress_ack_ratio_of_3s_budget", round(median / BUDGET_SECONDS, 4), "ratio",
         round(statistics.median(bare) / BUDGET_SECONDS, 4), 0.1, median_ms=round(median * 1000, 2),
         p90_ms=round(sorted(times)[int(N * 0.9) - 1] * 1000, 2), cold_first_request_ms=round(cold * 1000, 1),
         requests=N, enqueued=queued)


if __name__ == "__main__":
    main()
