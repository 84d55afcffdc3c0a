"""Benchmark: the event-stream consumer on a 10,000-record Kinesis batch (Kinesis's maximum).

Goals:
  1. parsing + classification <= 50 us CPU per record;
  2. at most one registry write per distinct (application, channel, address) in the batch;
  3. <= 2 DynamoDB calls per written address on average, on the real DynamoDB registry;
  4. >= 8x faster than main's sequential path (one address after the other, its own query with
     the users joined, its own write) with 8 ms injected per DynamoDB call.
References measured in the same run: the floor (base64 + json.loads only), the naive way (a full
pydantic model per record; one registry write per suppressible record) and main's sequential path.
Goals 1-2 use an in-memory registry (our CPU). Goals 3-4 use the real DynamoDBEndpointRegistry and
SoftBounceCounter on a real botocore client whose requests a latency-injecting stub answers
(``StubDynamoDB``: botocore's before-send event, 8 ms sleep, in-memory table), not moto's server.
Run: python benchmarks/bench_event_stream.py
"""

from __future__ import annotations

import base64
import json
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "layers" / "engagement"), str(ROOT)]

from engagement.events.kinesis import lambda_event  # noqa: E402
from engagement.events.models import PinpointEventRecord  # noqa: E402
from engagement.events.quarantine import CollectingQuarantine  # noqa: E402
from engagement.suppression.apply import Applied, Suppressor  # noqa: E402
from engagement.suppression.classify import SOFTBOUNCE, SUPPRESS, classify  # noqa: E402
from engagement.suppression.consumer import StreamConsumer  # noqa: E402
from engagement.suppression.policy import SuppressionPolicy  # noqa: E402
from local.demo_stream import DAY_MS, SENT_MS, bounce, complaint, delivered, sms, unsubscribe  # noqa: E402

BATCH = 10_000
ADDRESSES = 300
CPU_GOAL_US = 50.0
LATENCY_S = 0.008
CALLS_GOAL = 2.0
SPEEDUP_GOAL = 8.0
WORKERS = 16


class CountingRegistry:
    """Enough of the registry for the consumer: endpoints by address, counted writes."""

    finds_by_address = True

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

    def find_endpoints_by_address(self, app, channel, address, *, user_attributes=True):
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


def batch_records(people, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
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
    return records


def build_batch(seed: int = 1):
    registry = CountingRegistry()
    people = []
    for i in range(ADDRESSES):
        app = f"app{i % 2}"
        email, phone = f"user{i}@example.com", f"+1206555{i:04d}"
        registry.add(app, f"e{i}", "EMAIL", email)
        registry.add(app, f"e{i}-twin", "EMAIL", email.upper())
        registry.add(app, f"s{i}", "SMS", phone)
        people.append((app, i, email, phone))
    return registry, lambda_event(batch_records(people, seed))


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
        *compare_dynamodb(),
    ]
    for name, ok in goals:
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    return 0 if all(ok for _, ok in goals) else 1


# ------------------------------------------------------------------ DynamoDB calls and concurrency
class StubDynamoDB:
    """A latency-injecting DynamoDB stub behind a real botocore client.

    botocore's ``before-send`` event answers each request from an in-memory table after sleeping
    ``latency_s`` (the time DynamoDB takes), so request serialisation, response parsing, retries
    and the registry's own logic are the real ones; only the network and DynamoDB are replaced.
    (moto would spend 3-5 ms of CPU per call under the GIL, which measures moto, not us.)
    Implements what the consumer's path uses: Query on the ByAddress index, BatchGetItem,
    BatchWriteItem, TransactWriteItems (with the registry's ``ver`` conditions) and the
    soft-bounce UpdateItem (``ADD``/``DELETE`` on a string set).
    """

    def __init__(self) -> None:
        import threading
        from collections import Counter as Calls

        self.items: dict[tuple[str, str, str], dict] = {}
        self.by_address: dict[str, set[tuple[str, str, str]]] = {}
        self.lock = threading.Lock()
        self.calls = Calls()
        self.latency_s = 0.0

    def client(self):
        import boto3
        from botocore.config import Config

        session = boto3.session.Session(
            aws_access_key_id="bench", aws_secret_access_key="bench", region_name="us-east-1"
        )
        client = session.client(
            "dynamodb", config=Config(retries={"mode": "standard"}, max_pool_connections=64)
        )
        client.meta.events.register("before-send.dynamodb", self._answer)
        return client

    @staticmethod
    def _key(table: str, item: dict) -> tuple[str, str, str]:
        if "id" in item:
            return (table, item["id"]["S"], "")
        return (table, item["pk"]["S"], item["sk"]["S"])

    def _answer(self, request, **_):
        from botocore.awsrequest import AWSResponse

        operation = request.headers["X-Amz-Target"].decode().split(".")[-1]
        body = json.loads(request.body)
        if self.latency_s:
            time.sleep(self.latency_s)
        with self.lock:
            self.calls[operation] += 1
            status, answer = getattr(self, operation)(body)
        return AWSResponse(request.url, status, {}, _Raw(json.dumps(answer).encode()))

    def _put(self, table: str, item: dict) -> None:
        key = self._key(table, item)
        old = self.items.get(key)
        if old and "gsi2pk" in old:
            self.by_address[old["gsi2pk"]["S"]].discard(key)
        self.items[key] = item
        if "gsi2pk" in item:
            self.by_address.setdefault(item["gsi2pk"]["S"], set()).add(key)

    def Query(self, body):  # noqa: N802 - DynamoDB's operation names
        value = body["ExpressionAttributeValues"][":address"]["S"]
        found = [self.items[k] for k in sorted(self.by_address.get(value, ()))]
        return 200, {"Items": found, "Count": len(found), "ScannedCount": len(found)}

    def BatchGetItem(self, body):  # noqa: N802
        responses = {}
        for table, request in body["RequestItems"].items():
            keys = [self._key(table, key) for key in request["Keys"]]
            responses[table] = [self.items[k] for k in keys if k in self.items]
        return 200, {"Responses": responses, "UnprocessedKeys": {}}

    def BatchWriteItem(self, body):  # noqa: N802
        for table, requests in body["RequestItems"].items():
            for request in requests:
                self._put(table, request["PutRequest"]["Item"])
        return 200, {"UnprocessedItems": {}}

    def TransactWriteItems(self, body):  # noqa: N802
        reasons, actions = [], []
        for action in body["TransactItems"]:
            ((kind, spec),) = action.items()
            key = self._key(spec["TableName"], spec.get("Item") or spec["Key"])
            current = self.items.get(key)
            condition = spec.get("ConditionExpression", "")
            if condition.startswith("attribute_not_exists"):
                ok = current is None
            else:
                expected = spec["ExpressionAttributeValues"][":ver"]["N"]
                ok = current is not None and current["ver"]["N"] == expected
            reasons.append({"Code": "None" if ok else "ConditionalCheckFailed"})
            actions.append((kind, spec, key))
        if any(r["Code"] != "None" for r in reasons):
            return 400, {
                "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
                "message": "Transaction cancelled",
                "CancellationReasons": reasons,
            }
        for kind, spec, key in actions:
            if kind == "Put":
                self._put(spec["TableName"], spec["Item"])
            else:
                self.items.pop(key, None)
        return 200, {}

    def UpdateItem(self, body):  # noqa: N802 - the soft-bounce counter's two expressions
        key = self._key(body["TableName"], body["Key"])
        item = self.items.setdefault(key, dict(body["Key"]))
        values = body["ExpressionAttributeValues"]
        members = set(item.get("bounces", {}).get("SS", []))
        if body["UpdateExpression"].startswith("ADD"):
            members |= set(values[":members"]["SS"])
            item["expiration"] = values[":expires"]
        else:
            members -= set(values[":stale"]["SS"])
        item["bounces"] = {"SS": sorted(members)}
        return 200, {"Attributes": item} if body.get("ReturnValues") == "ALL_NEW" else {}


class _Raw:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_):
        yield self.data


class TodaysSuppressor(Suppressor):
    """main before this change, call for call: one address after the other, its own
    ``find_endpoints_by_address`` (with the users' attributes joined) and its own write."""

    def apply_all(self, targets, mapper=map):
        results = []
        for target in targets:
            found = {e["Id"].lower(): e for e in self.registry.find_endpoints_by_address(
                target.application_id, target.channel, target.address)}  # fmt: skip
            pending = sorted(
                (e for e in found.values() if e.get("OptOut") != "ALL"),
                key=lambda e: e.get("EndpointStatus") != "INACTIVE",
            )
            attributes = {"OptOutReason": [target.reason], "OptOutAt": ["2026-11-28T12:00:00.000Z"]}
            items = [self._item(e, attributes) for e in pending]
            try:
                if items:
                    self.registry.update_endpoints_batch(
                        ApplicationId=target.application_id, EndpointBatchRequest={"Item": items}
                    )
                results.append(Applied(written=[i["Id"] for i in items], found=len(found)))
            except Exception as exc:
                results.append(exc)
        return results


@dataclass
class Run:
    wall_s: float
    cpu_s: float
    calls: dict[str, int]
    written: int  # addresses with at least one endpoint written
    opted_out: int  # endpoints OptOut=ALL afterwards

    @property
    def per_address(self) -> float:
        return sum(self.calls.values()) / max(self.written, 1)


def dynamodb_run(max_workers: int, suppressor_class, latency_s: float) -> Run:
    """A fresh table, the same 10,000-record batch, the real registry and soft-bounce counter."""
    from engagement.endpoints.dynamodb import DynamoDBEndpointRegistry
    from engagement.suppression.softbounce import SoftBounceCounter

    stub = StubDynamoDB()
    client = stub.client()
    registry = DynamoDBEndpointRegistry(client, "Endpoints")
    event = lambda_event(batch_records(seed_people(registry)))
    stub.calls.clear()
    stub.latency_s = latency_s
    counter = SoftBounceCounter("Idempotency", client=client, window_ms=7 * 86_400_000)
    suppressor = suppressor_class(registry)
    consumer = StreamConsumer(
        SuppressionPolicy(), suppressor, counter, CollectingQuarantine(), max_workers=max_workers
    )
    started, cpu = time.perf_counter(), time.process_time()
    response = consumer.handle(event)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert response == {"batchItemFailures": []}, response
    docs = [item["doc"]["S"] for key, item in stub.items.items() if key[2].startswith("EP#")]
    opted = sum('"OptOut":"ALL"' in doc for doc in docs)
    return Run(wall, cpu, dict(stub.calls), consumer.last_outcome.registry_writes, opted)


def compare_dynamodb() -> list[tuple[str, bool]]:
    """main's sequential path vs ours, each at 8 ms and at 0 ms per call.

    This machine is shared (load ~9 on 2 cores), so CPU work takes several times its CPU time in
    wall time while injected latency does not. Besides the raw wall-clock ratio we print the ratio
    on a dedicated core (a Lambda of >= 1,769 MB has one): CPU time plus the wall time the latency
    added (wall at 8 ms - wall at 0 ms), both measured here.
    """
    runs = {
        (name, latency): dynamodb_run(workers, cls, latency)
        for name, workers, cls in (("main", 1, TodaysSuppressor), ("ours", WORKERS, Suppressor))
        for latency in (LATENCY_S, 0.0)
    }
    dedicated = {}
    for name in ("main", "ours"):
        slow, fast = runs[(name, LATENCY_S)], runs[(name, 0.0)]
        dedicated[name] = slow.cpu_s + max(0.0, slow.wall_s - fast.wall_s)
        calls = ", ".join(f"{op} {n}" for op, n in sorted(slow.calls.items()))
        print(
            f"{name}: {slow.wall_s:.2f} s wall at {LATENCY_S * 1000:.0f} ms/call "
            f"({fast.wall_s:.2f} s at 0 ms), {slow.cpu_s:.2f} s CPU, {sum(slow.calls.values())} DynamoDB "
            f"calls for {slow.written} written addresses = {slow.per_address:.2f}/address ({calls}); "
            f"on a dedicated core ~{dedicated[name]:.2f} s"
        )
    main, ours = runs[("main", LATENCY_S)], runs[("ours", LATENCY_S)]
    wall_ratio, core_ratio = main.wall_s / ours.wall_s, dedicated["main"] / dedicated["ours"]
    print(
        f"speed-up at {LATENCY_S * 1000:.0f} ms/call: {wall_ratio:.1f}x wall here, "
        f"{core_ratio:.1f}x on a dedicated core"
    )
    return [
        (f"<= {CALLS_GOAL:.0f} DynamoDB calls per written address", ours.per_address <= CALLS_GOAL),
        (
            f">= {SPEEDUP_GOAL:.0f}x faster than main's sequential path (dedicated core)",
            core_ratio >= SPEEDUP_GOAL,
        ),
        ("same endpoints opted out both ways", main.opted_out == ours.opted_out > 0),
    ]


def seed_people(registry) -> list[tuple[str, int, str, str]]:
    people = []
    for i in range(ADDRESSES):
        app = f"app{i % 2}"
        email, phone = f"user{i}@example.com", f"+1206555{i:04d}"
        user = {"UserId": f"user-{i}"}
        items = [
            {"Id": f"e{i}-twin", "ChannelType": "EMAIL", "Address": email.upper(), "User": user},
            {"Id": f"e{i}", "ChannelType": "EMAIL", "Address": email, "User": user},
            {"Id": f"s{i}", "ChannelType": "SMS", "Address": phone, "User": user},
        ]
        for item in items:  # one by one: the twin ends INACTIVE, as in a real registry
            registry.update_endpoints_batch(ApplicationId=app, EndpointBatchRequest={"Item": [item]})
        people.append((app, i, email, phone))
    return people


if __name__ == "__main__":
    raise SystemExit(main())
