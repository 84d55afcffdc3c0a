"""Benchmark: the event-stream consumer on a 10,000-record Kinesis batch (Kinesis's maximum).

Goals (issue 4):
  1. parsing + classification <= 50 us CPU per record;
  2. at most one registry write per distinct (application, channel, address) in the batch.
References measured in the same run: the floor (base64 + json.loads only) and the naive way
(a full pydantic model per record; one registry write per suppressible record).
The registry and counter are in-memory here: this measures our CPU, not DynamoDB latency.
Run: python benchmarks/bench_event_stream.py
"""

from __future__ import annotations

import base64
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "layers" / "engagement"), str(ROOT)]

from engagement.events.kinesis import lambda_event  # noqa: E402
from engagement.events.models import PinpointEventRecord  # noqa: E402
from engagement.events.quarantine import CollectingQuarantine  # noqa: E402
from engagement.suppression.apply import Suppressor  # noqa: E402
from engagement.suppression.classify import SOFTBOUNCE, SUPPRESS, classify  # noqa: E402
from engagement.suppression.consumer import StreamConsumer  # noqa: E402
from engagement.suppression.policy import SuppressionPolicy  # noqa: E402
from local.demo_stream import DAY_MS, SENT_MS, bounce, complaint, delivered, sms, unsubscribe  # noqa: E402

BATCH = 10_000
ADDRESSES = 300
CPU_GOAL_US = 50.0


class CountingRegistry:
    """Enough of the registry for the consumer: endpoints by address, counted writes."""

    def __init__(self) -> None:
        self.endpoints: dict[tuple[str, str, str], list[dict]] = {}
        self.writes = 0

    def add(self, app, endpoint_id, channel, address):
        self.endpoints.setdefault((app, channel, address.lower()), []).append(
            {
                "Id": endpoint_id,
                "ChannelType": channel,
                "Address": address,
                "OptOut": "NONE",
                "EndpointStatus": "ACTIVE",
            }
        )

    def find_endpoints_by_address(self, app, channel, address):
        return [dict(e) for e in self.endpoints.get((app, channel, address.lower()), [])]

    def get_endpoint(self, *, ApplicationId, EndpointId):  # noqa: N803
        for (app, _, _), endpoints in self.endpoints.items():
            for endpoint in endpoints:
                if app == ApplicationId and endpoint["Id"] == EndpointId:
                    return {"EndpointResponse": dict(endpoint)}
        raise KeyError(EndpointId)

    def update_endpoints_batch(self, *, ApplicationId, EndpointBatchRequest):  # noqa: N803
        self.writes += 1


class SetCounter:
    def __init__(self) -> None:
        self.members: dict[str, set] = {}

    def add(self, key, bounces):
        members = self.members.setdefault(key, set())
        members.update(bounces)
        return len(members)


def build_batch(seed: int = 1):
    rng = random.Random(seed)
    registry = CountingRegistry()
    people = []
    for i in range(ADDRESSES):
        app = f"app{i % 2}"
        email, phone = f"user{i}@example.com", f"+1206555{i:04d}"
        registry.add(app, f"e{i}", "EMAIL", email)
        registry.add(app, f"e{i}-twin", "EMAIL", email.upper())
        registry.add(app, f"s{i}", "SMS", phone)
        people.append((app, i, email, phone))
    records = []
    for n in range(BATCH):
        app, i, email, phone = rng.choice(people)
        roll = rng.random()
        if roll < 0.4:
            records.append(delivered(app, f"e{i}", email))
        elif roll < 0.6:
            records.append(bounce(app, f"e{i}", email))
        elif roll < 0.7:
            records.append(complaint(app, f"e{i}", email))
        elif roll < 0.8:
            records.append(unsubscribe(app, f"e{i}", email))
        elif roll < 0.9:
            records.append(sms(app, f"s{i}", phone))
        else:
            records.append(bounce(app, f"e{i}", email, permanent=False, at_ms=SENT_MS + (n % 5) * DAY_MS))
    return registry, lambda_event(records)


def cpu_per_record(fn, records, repeats: int = 5) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.process_time()
        for record in records:
            fn(record)
        best = min(best, time.process_time() - started)
    return best / len(records) * 1e6


def main() -> int:
    policy = SuppressionPolicy()
    registry, event = build_batch()
    records = event["Records"]

    floor_us = cpu_per_record(lambda r: json.loads(base64.b64decode(r["kinesis"]["data"])), records)
    naive_us = cpu_per_record(
        lambda r: PinpointEventRecord.model_validate(json.loads(base64.b64decode(r["kinesis"]["data"]))),
        records,
    )
    ours_us = cpu_per_record(lambda r: classify(r, policy), records)

    kinds = Counter(classify(r, policy).kind for r in records)
    distinct = set()
    for record in records:
        result = classify(record, policy)
        if result.kind in (SUPPRESS, SOFTBOUNCE):
            distinct |= {(result.application_id, result.channel, a.lower()) for a in result.addresses}
    consumer = StreamConsumer(policy, Suppressor(registry), SetCounter(), CollectingQuarantine())
    started_wall, started_cpu = time.perf_counter(), time.process_time()
    response = consumer.handle(event)
    wall, cpu = time.perf_counter() - started_wall, time.process_time() - started_cpu
    naive_writes = kinds[SUPPRESS]

    print(
        f"batch: {len(records)} records, {len(distinct)} distinct (application, channel, address), "
        f"kinds {dict(kinds)}"
    )
    print(
        f"parse+classify CPU/record: ours {ours_us:.1f} us | floor (b64+json) {floor_us:.1f} us "
        f"| full pydantic per record {naive_us:.1f} us  -> ours/floor {ours_us / floor_us:.2f}x, "
        f"ours/pydantic {ours_us / naive_us:.2f}x"
    )
    print(
        f"whole batch (classify, coalesce, BatchProcessor; in-memory registry): {wall * 1000:.0f} ms wall, "
        f"{cpu * 1000:.0f} ms CPU -> {len(records) / wall:,.0f} records/s"
    )
    print(
        f"registry writes per batch: {registry.writes} (distinct addresses {len(distinct)}; "
        f"per-record writes: {naive_writes}, {naive_writes / max(registry.writes, 1):.0f}x)"
    )
    goals = [
        (f"parse+classify <= {CPU_GOAL_US:.0f} us CPU/record", ours_us <= CPU_GOAL_US),
        (
            "<= 1 registry write per distinct (application, channel, address)",
            registry.writes <= len(distinct),
        ),
        ("no batch item failures", response == {"batchItemFailures": []}),
    ]
    for name, ok in goals:
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    return 0 if all(ok for _, ok in goals) else 1


if __name__ == "__main__":
    raise SystemExit(main())
