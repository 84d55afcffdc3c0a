"""Fault injection on the custom channel: 0 endpoints lost, 0 sent twice.

The real handler path (``build_channel`` + ``handle_batch``: Powertools' DynamoDB persistence,
the DynamoDB registry, SES v2, the Kinesis writer) runs against moto in-process. A botocore
``before-send`` handler placed ahead of moto's fails 20 % of the calls to DynamoDB, SES and
Kinesis, half of them BEFORE the call takes effect (moto never sees it) and half AFTER (moto
applied it, the client gets an error):

* DynamoDB and Kinesis: HTTP 500 either way; botocore's standard retries apply (backoff
  disabled here to keep the suite fast; the retries themselves are real);
* SES before the effect: throttling (HTTP 429) or a refused connection, the errors that prove
  nothing was sent; after the effect: HTTP 500 or a read timeout. The sending client never
  retries by itself, so an answer lost after the effect is reported ``UNKNOWN_FAILURE`` and
  recorded, never resent.

Pinpoint's behaviour is modelled as it is documented (reference §1.5): an invocation that
raises, or that answers TEMPORARY_FAILURE for any endpoint, is invoked again with the same
batch, here up to 8 times. Each invocation gets 15 s of (real) remaining time.
"""

from __future__ import annotations

import json
import random
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

TEMPLATES = Path(__file__).resolve().parents[1] / "fixtures" / "templates"
APP = "app0faults"
SENDER = "noreply@example.com"
BATCHES, BATCH_SIZE = 6, 50
FAULT_RATE = 0.20
MAX_INVOCATIONS = 8
NAMES: dict[str, str] = {}  # this test's table and stream names (fixture ``world``)
# moto in-process shares its backends with the local stack's moto server (session fixture):
# no reset, another account, names of our own, and never the local stack's endpoint URL.
ACCOUNT = "210987654321"


class Faults:
    """The ``before-send`` handler: decides per call, records what took effect at SES."""

    def __init__(self, rate: float, seed: int) -> None:
        from moto.core.models import botocore_stubber

        self.rate = rate
        self._moto = botocore_stubber
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self.sent: Counter[str] = Counter()  # recipient -> emails SES accepted
        self.calls: Counter[str] = Counter()  # service -> calls (attempts included)
        self.injected: Counter[str] = Counter()
        self.refuse: tuple[str, ...] = ()  # operations failing every time (before the effect)

    def __call__(self, event_name: str, request: Any, **kwargs: Any) -> Any:
        service, operation = event_name.split(".")[1:3]
        with self._lock:
            self.calls[service] += 1
            roll, coin = self._random.random(), self._random.random()
            when = "before" if roll < self.rate / 2 else "after" if roll < self.rate else ""
            if service == "kinesis" and self.rate:  # one call per invocation: fail by turns
                when = ("before", "after", "")[self.calls[service] % 3]
        if operation in self.refuse:
            return _response(500, "InternalServerError")
        if service not in ("dynamodb", "sesv2", "kinesis"):
            return None
        if when == "before":
            self.injected[f"{service}.before"] += 1
            return _before_effect(service, coin)
        response = self._moto(event_name=event_name, request=request, **kwargs)
        if (
            service == "sesv2"
            and operation == "SendEmail"
            and response is not None
            and response.status_code == 200
        ):
            with self._lock:
                for address in json.loads(request.body)["Destination"]["ToAddresses"]:
                    self.sent[address] += 1
        if when == "after":
            self.injected[f"{service}.after"] += 1
            return _after_effect(service, request, coin)
        return response


def _response(status: int, code: str) -> Any:
    from botocore.awsrequest import AWSResponse

    class Raw:
        def stream(self, **_: Any):
            yield json.dumps({"__type": code, "message": code}).encode()

    body = json.dumps({"__type": code, "message": code}).encode()
    response = AWSResponse("https://fault.invalid", status, {"x-amzn-ErrorType": code}, Raw())
    response._content = body
    return response


def _before_effect(service: str, coin: float) -> Any:
    if service == "sesv2":
        if coin < 0.5:
            from botocore.exceptions import EndpointConnectionError

            raise EndpointConnectionError(endpoint_url="https://email.us-east-1.amazonaws.com")
        return _response(429, "TooManyRequestsException")
    return _response(500, "InternalServerError")


def _after_effect(service: str, request: Any, coin: float) -> Any:
    if service == "sesv2" and coin < 0.5:
        from botocore.exceptions import ReadTimeoutError

        raise ReadTimeoutError(endpoint_url=request.url)
    return _response(500, "InternalFailure" if service == "sesv2" else "InternalServerError")


class Context:
    def __init__(self, budget_ms: int = 15_000) -> None:
        self._end = time.monotonic() + budget_ms / 1000

    def get_remaining_time_in_millis(self) -> int:
        return int((self._end - time.monotonic()) * 1000)


class Metrics:
    def __init__(self) -> None:
        self.values: Counter[str] = Counter()

    def add_metric(self, *, name: str, unit: Any, value: float) -> None:
        self.values[name] += value


@pytest.fixture
def world(monkeypatch):
    """moto in-process with the tables, stream and identity the channel uses; faults off."""
    import boto3
    import botocore.handlers
    import botocore.retries.standard
    from moto import mock_aws

    monkeypatch.setattr(botocore.retries.standard.ExponentialBackoff, "delay_amount", lambda self, ctx: 0)
    suffix = uuid.uuid4().hex[:8]
    NAMES.update(
        idempotency=f"Idempotency-{suffix}", endpoints=f"Endpoints-{suffix}", stream=f"Events-{suffix}"
    )
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("MOTO_ACCOUNT_ID", ACCOUNT)
    mock = mock_aws()
    mock.start(reset=False)
    try:
        faults = Faults(0.0, seed=7)
        # Faults takes moto's place: botocore calls every before-send handler, so moto's own
        # would apply a request this one fails "before the effect".
        others = [h for h in botocore.handlers.BUILTIN_HANDLERS if h[1] is not faults._moto]
        monkeypatch.setattr(botocore.handlers, "BUILTIN_HANDLERS", [("before-send", faults), *others])
        # A fresh process-wide session (engagement.aws): its clients must get the handlers above.
        monkeypatch.setattr("engagement.aws._session", None)
        dynamodb = boto3.client("dynamodb")
        dynamodb.create_table(
            TableName=NAMES["idempotency"],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )
        keys = ["pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk"]
        dynamodb.create_table(
            TableName=NAMES["endpoints"],
            AttributeDefinitions=[{"AttributeName": k, "AttributeType": "S"} for k in keys],
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": name,
                    "KeySchema": [
                        {"AttributeName": h, "KeyType": "HASH"},
                        {"AttributeName": r, "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
                for name, h, r in (("ByUser", "gsi1pk", "gsi1sk"), ("ByAddress", "gsi2pk", "gsi2sk"))
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        boto3.client("kinesis").create_stream(StreamName=NAMES["stream"], ShardCount=1)
        boto3.client("sesv2").create_email_identity(EmailIdentity=SENDER)
        yield faults
    finally:
        mock.stop(remove_data=False)


def build(world: Faults) -> tuple[Any, Any]:
    from engagement.channel.factory import build_channel, build_writer
    from engagement.channel.settings import CustomChannelSettings

    settings = CustomChannelSettings.from_env(
        {
            "IDEMPOTENCY_TABLE": NAMES["idempotency"],
            "TEMPLATE_STORE": f"file://{TEMPLATES}",
            "ENDPOINT_STORE": f"dynamodb://{NAMES['endpoints']}",
            "EVENT_STREAM_NAME": NAMES["stream"],
            "SENDER_EMAIL": SENDER,
        }
    )
    return build_channel(settings), build_writer(settings)


def register(endpoints: dict[str, dict]) -> None:
    from engagement.endpoints.factory import build_registry

    registry = build_registry(f"dynamodb://{NAMES['endpoints']}")
    items = [
        {"Id": k, **{f: v for f, v in e.items() if f != "User"}, "User": e["User"]}
        for k, e in endpoints.items()
    ]
    for start in range(0, len(items), 100):
        registry.update_endpoints_batch(
            ApplicationId=APP, EndpointBatchRequest={"Item": items[start : start + 100]}
        )


def batch_of(number: int) -> dict[str, Any]:
    return {
        "ApplicationId": APP,
        "CampaignId": "camp1",
        "TreatmentId": "0",
        "ActivityId": f"act{number}",
        "ScheduledTime": "2026-11-01T10:00:00.000Z",
        "Data": '{"template": "channel_welcome"}',
        "Endpoints": {
            f"b{number}-e{i}": {
                "ChannelType": "EMAIL",
                "Address": f"user{number}-{i}@example.com",
                "EndpointStatus": "ACTIVE",
                "OptOut": "NONE",
                "User": {"UserId": f"u{number}-{i % 10}", "UserAttributes": {"FirstName": ["Ana"]}},
            }
            for i in range(BATCH_SIZE)
        },
    }


def invoke_like_pinpoint(channel: Any, writer: Any, raw: dict, metrics: Metrics) -> tuple[dict, int]:
    """Invoke until no endpoint answers TEMPORARY_FAILURE (or the attempts run out)."""
    from engagement.channel.handle import handle_batch

    final: dict[str, dict] = {}
    for attempt in range(1, MAX_INVOCATIONS + 1):
        try:
            response = handle_batch(channel, raw, Context(), writer=writer, metrics=metrics)
        except Exception:
            continue
        for endpoint_id, answer in response.items():
            if endpoint_id not in final or answer["EventAttributes"]["delivery_status"] != "DUPLICATE":
                final[endpoint_id] = answer["EventAttributes"]
        if all(a["EventAttributes"]["delivery_status"] != "TEMPORARY_FAILURE" for a in response.values()):
            return final, attempt
    return final, MAX_INVOCATIONS


def test_twenty_percent_faults_lose_nothing_and_send_nothing_twice(world):
    batches = [batch_of(n) for n in range(BATCHES)]
    register({k: v for raw in batches for k, v in raw["Endpoints"].items()})
    channel, writer = build(world)
    world.rate = FAULT_RATE
    metrics, answers, attempts = Metrics(), {}, []
    for raw in batches:
        final, used = invoke_like_pinpoint(channel, writer, raw, metrics)
        answers.update(final)
        attempts.append(used)
    world.rate = 0.0

    addresses = [e["Address"] for raw in batches for e in raw["Endpoints"].values()]
    lost = [a for a in addresses if world.sent[a] == 0]
    twice = {a: n for a, n in world.sent.items() if n > 1}
    print(f"\ninjected faults: {dict(world.injected)}; invocations per batch: {attempts}")
    print(f"lost: {len(lost)}; sent twice: {twice}")
    print(f"final statuses: {Counter((a['delivery_status'], a.get('reason')) for a in answers.values())}")
    assert all(
        world.injected[f"{s}.{w}"] for s in ("dynamodb", "sesv2", "kinesis") for w in ("before", "after")
    )
    assert lost == [] and twice == {}
    assert len(answers) == BATCHES * BATCH_SIZE
    # what each endpoint was told matches what happened: nothing open, nothing sent reported as failed
    assert {a["delivery_status"] for a in answers.values()} <= {"SUCCESSFUL", "DUPLICATE", "UNKNOWN_FAILURE"}
    assert metrics.values["EventRecordsNotWritten"] == 0
    on_stream = Counter(record["client"]["client_id"] for record in stream_records())
    assert set(on_stream) == set(answers)  # every endpoint's record is on the stream (some twice)


def stream_records() -> list[dict[str, Any]]:
    import boto3

    kinesis = boto3.client("kinesis")
    shard = kinesis.list_shards(StreamName=NAMES["stream"])["Shards"][0]["ShardId"]
    iterator = kinesis.get_shard_iterator(
        StreamName=NAMES["stream"], ShardId=shard, ShardIteratorType="TRIM_HORIZON"
    )
    page = kinesis.get_records(ShardIterator=iterator["ShardIterator"], Limit=10_000)
    return [json.loads(item["Data"]) for item in page["Records"]]


def test_one_failed_completion_write_no_longer_means_two_emails(world):
    """The issue's reproduction: the completion write fails after botocore's retries while
    another endpoint is a temporary failure, so Pinpoint re-invokes the batch."""
    raw = batch_of(99)
    channel, writer = build(world)
    first_two = list(raw["Endpoints"])[:2]
    raw["Endpoints"] = {k: raw["Endpoints"][k] for k in first_two}
    from engagement.channel.handle import handle_batch

    world.refuse = ("BatchWriteItem", "UpdateItem")
    first = handle_batch(channel, raw, Context(), writer=writer, metrics=Metrics())
    world.refuse = ()
    second = handle_batch(channel, raw, Context(), writer=writer, metrics=Metrics())
    assert {a["EventAttributes"]["delivery_status"] for a in first.values()} == {"SUCCESSFUL"}
    assert {a["EventAttributes"]["reason"] for a in second.values()} == {"send_in_progress"}
    assert sorted(world.sent.values()) == [1, 1]


def test_at_most_two_dynamodb_calls_per_endpoint(world):
    raw = batch_of(7)
    register(raw["Endpoints"])
    channel, writer = build(world)
    before = world.calls["dynamodb"]
    from engagement.channel.handle import handle_batch

    response = handle_batch(channel, raw, Context(), writer=writer, metrics=Metrics())
    calls = world.calls["dynamodb"] - before
    assert {a["EventAttributes"]["delivery_status"] for a in response.values()} == {"SUCCESSFUL"}
    print(f"\nDynamoDB calls for {BATCH_SIZE} endpoints: {calls} ({calls / BATCH_SIZE:.2f} per endpoint)")
    assert calls <= 2 * BATCH_SIZE
