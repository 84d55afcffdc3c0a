"""The event-stream consumer on the local stack: real registry table, counter table, queues, stream."""

from __future__ import annotations

import json
import random
import uuid

import boto3
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from botocore.exceptions import ClientError

from engagement.cli import main as cli
from engagement.endpoints import build_registry
from engagement.events.kinesis import lambda_event
from engagement.suppression.consumer import build_consumer
from engagement.suppression.settings import StreamSettings
from local.demo_stream import DAY_MS, SENT_MS, bounce, complaint, delivered, sms, unsubscribe

pytestmark = pytest.mark.integration


@pytest.fixture
def app() -> str:
    return uuid.uuid4().hex


@pytest.fixture
def registry(local_stack):
    return build_registry(f"dynamodb://{local_stack.physical_id('EndpointsTable')}")


@pytest.fixture
def queue(local_stack):
    """A queue of this test's own (the stack's queues are shared by the whole session)."""
    return boto3.client("sqs").create_queue(QueueName=f"t-{uuid.uuid4().hex}")["QueueUrl"]


@pytest.fixture
def settings(local_stack, queue) -> StreamSettings:
    env = local_stack.function_environment("EventStreamFunction")
    return StreamSettings.model_validate({**env, "QUARANTINE_QUEUE_URL": queue, "FAILURE_QUEUE_URL": queue})


def seed(registry, app, *rows):
    """rows: (id, channel, address[, status])"""
    for endpoint_id, channel, address, *status in rows:
        request = {"ChannelType": channel, "Address": address}
        if status:
            request["EndpointStatus"] = status[0]
        registry.update_endpoint(ApplicationId=app, EndpointId=endpoint_id, EndpointRequest=request)


def state(registry, app, endpoint_id):
    endpoint = registry.get_endpoint(ApplicationId=app, EndpointId=endpoint_id)["EndpointResponse"]
    return endpoint["OptOut"], endpoint["EndpointStatus"], endpoint.get("Attributes", {}).get("OptOutReason")


def messages(queue_url):
    found = []
    sqs = boto3.client("sqs")
    while batch := sqs.receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=30, MessageAttributeNames=["All"]
    ).get("Messages"):
        found += batch
    return found


@pytest.mark.parametrize(
    ("make", "channel", "address", "reason"),
    [
        (bounce, "EMAIL", "hb@example.com", "hardbounce"),
        (complaint, "EMAIL", "co@example.com", "complaint"),
        (unsubscribe, "EMAIL", "un@example.com", "unsubscribe"),
        (sms, "SMS", "+12065550111", "sms_optout"),
    ],
)
def test_policy_rows_through_the_handler(invoke_function, registry, app, make, channel, address, reason):
    seed(registry, app, ("ep1", channel, address))
    response = invoke_function("event_stream", lambda_event([make(app, "ep1", address)]))
    assert response == {"batchItemFailures": []}
    assert state(registry, app, "ep1") == ("ALL", "ACTIVE", [reason])


def test_other_events_change_nothing(invoke_function, registry, app):
    seed(registry, app, ("ep1", "EMAIL", "d@example.com"), ("ep2", "SMS", "+12065550112"))
    event = lambda_event(
        [delivered(app, "ep1", "d@example.com"), sms(app, "ep2", "+12065550112", "_SMS.SUCCESS")]
    )
    assert invoke_function("event_stream", event) == {"batchItemFailures": []}
    assert state(registry, app, "ep1")[0] == state(registry, app, "ep2")[0] == "NONE"


def test_fan_out_keeps_statuses(invoke_function, registry, app):
    seed(
        registry,
        app,
        ("old", "EMAIL", "Shared@Example.com"),
        ("new", "EMAIL", "shared@example.com"),
        ("sms", "SMS", "+12065550113"),
        ("else", "EMAIL", "else@example.com"),
    )
    assert state(registry, app, "old")[1] == "INACTIVE"  # the registry's same-address rule
    invoke_function("event_stream", lambda_event([complaint(app, "new", "shared@example.com")]))
    assert state(registry, app, "old") == ("ALL", "INACTIVE", ["complaint"])
    assert state(registry, app, "new") == ("ALL", "ACTIVE", ["complaint"])
    assert state(registry, app, "sms")[0] == state(registry, app, "else")[0] == "NONE"


def test_quarantine_keeps_the_raw_record_and_the_batch_goes_on(invoke_function, registry, app, queue):
    seed(registry, app, ("ep1", "EMAIL", "q@example.com"))
    event = lambda_event([b"\xffnot json", b"[]", bounce(app, "ep1", "q@example.com")], first_sequence=500)
    response = invoke_function("event_stream", event, env={"QUARANTINE_QUEUE_URL": queue})
    assert response == {"batchItemFailures": []}
    assert state(registry, app, "ep1")[0] == "ALL"
    found = sorted(messages(queue), key=lambda m: json.loads(m["Body"])["sequenceNumber"])
    bodies = [json.loads(m["Body"]) for m in found]
    assert [b["sequenceNumber"] for b in bodies] == [
        r["kinesis"]["sequenceNumber"] for r in event["Records"][:2]
    ]
    assert bodies[0]["data"] == event["Records"][0]["kinesis"]["data"]  # as received, base64
    assert "not a base64 JSON record" in bodies[0]["reason"] and "JSON list" in bodies[1]["reason"]
    assert found[1]["MessageAttributes"]["reason"]["StringValue"] == bodies[1]["reason"]


def test_redelivered_soft_bounces_count_once_in_the_counter_table(settings, registry, app):
    seed(registry, app, ("ep1", "EMAIL", "soft@example.com"))
    consumer = build_consumer(settings)
    two = lambda_event(
        [bounce(app, "ep1", "soft@example.com", permanent=False, at_ms=SENT_MS + i) for i in range(2)]
    )
    for _ in range(3):
        assert consumer.handle(two) == {"batchItemFailures": []}
    assert state(registry, app, "ep1")[0] == "NONE"
    third = bounce(app, "ep1", "soft@example.com", permanent=False, at_ms=SENT_MS + DAY_MS)
    consumer.handle(lambda_event([third], first_sequence=99))
    assert state(registry, app, "ep1") == ("ALL", "ACTIVE", ["softbounce"])


def _put_on_stream(local_stack, records):
    kinesis = boto3.client("kinesis")
    stream = local_stack.physical_id("EventStream")
    response = kinesis.put_records(
        StreamName=stream,
        Records=[
            {"Data": r if isinstance(r, bytes) else json.dumps(r).encode(), "PartitionKey": "p"}
            for r in records
        ],
    )
    arn = kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["StreamARN"]
    shards = {r["ShardId"] for r in response["Records"]}
    assert len(shards) == 1
    sequences = [r["SequenceNumber"] for r in response["Records"]]
    return arn, shards.pop(), sequences


def _failure_record(arn, shard, sequences):
    """What Lambda sends to the on-failure destination of a Kinesis event source mapping."""
    return {
        "requestContext": {
            "requestId": str(uuid.uuid4()),
            "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:f",
            "condition": "RetryAttemptsExhausted",
            "approximateInvokeCount": 6,
        },
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
        "version": "1.0",
        "timestamp": "2026-11-28T12:00:00.000Z",
        "KinesisBatchInfo": {
            "shardId": shard,
            "startSequenceNumber": sequences[0],
            "endSequenceNumber": sequences[-1],
            "approximateArrivalOfFirstRecord": "2026-11-28T11:59:58.000Z",
            "approximateArrivalOfLastRecord": "2026-11-28T11:59:59.000Z",
            "batchSize": len(sequences),
            "streamArn": arn,
        },
    }


def _redrive_args(settings, *extra):
    return [
        "stream",
        "redrive",
        *extra,
        "--endpoint-store",
        settings.endpoint_store,
        "--idempotency-table",
        settings.idempotency_table,
        "--quarantine-queue-url",
        settings.quarantine_queue_url,
        "--failure-queue-url",
        settings.failure_queue_url,
    ]


def test_redrive_reads_failed_batches_back_from_kinesis(local_stack, settings, registry, app, capsys):
    seed(registry, app, ("ep1", "EMAIL", "r1@example.com"), ("ep2", "SMS", "+12065550114"))
    failure_queue = boto3.client("sqs").create_queue(QueueName=f"f-{uuid.uuid4().hex}")["QueueUrl"]
    settings = settings.model_copy(update={"failure_queue_url": failure_queue})
    arn, shard, sequences = _put_on_stream(
        local_stack, [bounce(app, "ep1", "r1@example.com"), b"garbage", sms(app, "ep2", "+12065550114")]
    )
    boto3.client("sqs").send_message(
        QueueUrl=failure_queue, MessageBody=json.dumps(_failure_record(arn, shard, sequences))
    )

    assert cli(_redrive_args(settings, "--queue", "failure", "--dry-run")) == 0
    assert "dry run: queue=failure messages=1 records=3" in capsys.readouterr().out
    assert state(registry, app, "ep1")[0] == "NONE"

    assert cli(_redrive_args(settings, "--queue", "failure")) == 0
    assert "processed=2 quarantined=1 failed=0 deleted=1" in capsys.readouterr().out
    assert state(registry, app, "ep1")[0] == state(registry, app, "ep2")[0] == "ALL"
    assert messages(failure_queue) == []
    [quarantined] = messages(settings.quarantine_queue_url)
    assert json.loads(quarantined["Body"])["sequenceNumber"] == sequences[1]

    assert cli(_redrive_args(settings, "--queue", "failure")) == 0  # idempotent: nothing left
    assert "messages=0" in capsys.readouterr().out


def test_redrive_of_quarantine_reprocesses_fixed_records_and_keeps_bad_ones(settings, registry, app, capsys):
    seed(registry, app, ("ep1", "EMAIL", "fixed@example.com"))
    sqs = boto3.client("sqs")
    good, bad = lambda_event([bounce(app, "ep1", "fixed@example.com"), b"still bad"], first_sequence=700)[
        "Records"
    ]
    for record, reason in ((good, "invalid record: fixed since"), (bad, "not a base64 JSON record")):
        body = {
            "reason": reason,
            "data": record["kinesis"]["data"],
            "sequenceNumber": record["kinesis"]["sequenceNumber"],
            "eventID": record["eventID"],
            "eventSourceARN": "arn:aws:kinesis:us-east-1:123456789012:stream/s",
        }
        sqs.send_message(QueueUrl=settings.quarantine_queue_url, MessageBody=json.dumps(body))

    assert cli(_redrive_args(settings, "--queue", "quarantine")) == 0
    assert "processed=1 quarantined=1 failed=0 deleted=1" in capsys.readouterr().out
    assert state(registry, app, "ep1") == ("ALL", "ACTIVE", ["hardbounce"])
    [left] = messages(settings.quarantine_queue_url)
    assert json.loads(left["Body"])["sequenceNumber"] == bad["kinesis"]["sequenceNumber"]


class FlakyRegistry:
    """The real registry, but ``rate`` of its writes fail with ThrottlingException (seeded)."""

    def __init__(self, inner, rate: float, seed: int):
        self.inner, self.rate, self.random = inner, rate, random.Random(seed)
        self.writes: dict[str, int] = {}
        self.failures = 0

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def update_endpoints_batch(self, *, ApplicationId, EndpointBatchRequest):  # noqa: N803
        if self.random.random() < self.rate:
            self.failures += 1
            raise ClientError(
                {"Error": {"Code": "ThrottlingException", "Message": "injected"}}, "UpdateEndpointsBatch"
            )
        result = self.inner.update_endpoints_batch(
            ApplicationId=ApplicationId, EndpointBatchRequest=EndpointBatchRequest
        )
        for item in EndpointBatchRequest["Item"]:
            self.writes[item["Id"]] = self.writes.get(item["Id"], 0) + 1
        return result


def test_fault_injection_every_event_takes_effect_exactly_once(settings, registry, app):
    """20 % of registry writes fail; Kinesis re-sends from the lowest failed sequence number."""
    hard = [f"hard{i}" for i in range(12)]
    soft3, soft2 = [f"softa{i}" for i in range(4)], [f"softb{i}" for i in range(4)]
    seed(registry, app, *((e, "EMAIL", f"{e}@example.com") for e in hard + soft3 + soft2))
    records = [bounce(app, e, f"{e}@example.com") for e in hard]
    records += [complaint(app, e, f"{e}@example.com") for e in hard[:6]]  # same addresses again
    for endpoints, count in ((soft3, 3), (soft2, 2)):
        records += [
            bounce(app, e, f"{e}@example.com", permanent=False, at_ms=SENT_MS + i * DAY_MS)
            for e in endpoints
            for i in range(count)
        ]
    records += [delivered(app, hard[0], "hard0@example.com"), b"not json"]
    random.Random(7).shuffle(records)
    flaky = FlakyRegistry(registry, rate=0.2, seed=1)
    consumer = build_consumer(settings, registry=flaky)
    event = lambda_event(records, first_sequence=10_000)
    all_ids = {r["eventID"] for r in event["Records"]}
    pending, done, quarantined, deliveries = event["Records"], set(), set(), 0
    for _ in range(1 + 5):  # MaximumRetryAttempts: 5
        deliveries += 1
        try:
            response = consumer.handle({"Records": pending})
            failed = [f["itemIdentifier"] for f in response["batchItemFailures"]]
        except BatchProcessingError:
            failed = [r["kinesis"]["sequenceNumber"] for r in pending]
        quarantined |= set(consumer.last_outcome.quarantined)
        if not failed:
            done |= {r["eventID"] for r in pending}
            pending = []
            break
        lowest = min(int(s) for s in failed)
        done |= {r["eventID"] for r in pending if int(r["kinesis"]["sequenceNumber"]) < lowest}
        pending = [r for r in pending if int(r["kinesis"]["sequenceNumber"]) >= lowest]
    failure_queue = {r["eventID"] for r in pending}  # what Lambda would send to the on-failure queue
    assert flaky.failures > 0 and deliveries > 1  # the faults really happened
    assert done | failure_queue == all_ids and not done & failure_queue  # nothing unaccounted
    assert len(quarantined) == 1
    for _ in range(10):  # redrive what is left, as `engagement stream redrive` would (still flaky)
        if not pending:
            break
        failed = consumer.process(pending).failed
        pending = [r for r in pending if r["eventID"] in failed]
    assert not pending
    for endpoint_id in hard + soft3:
        assert state(registry, app, endpoint_id)[0] == "ALL", endpoint_id
        assert flaky.writes[endpoint_id] == 1, endpoint_id  # exactly once
    for endpoint_id in soft2:
        assert state(registry, app, endpoint_id)[0] == "NONE", endpoint_id  # no double-counted soft bounce
    reasons = {state(registry, app, e)[2][0] for e in hard}
    assert reasons <= {"hardbounce", "complaint"}


def test_redrive_from_the_failure_bucket_needs_no_stream(local_stack, settings, registry, app, capsys):
    """The S3 on-failure object carries the records: a redrive after the stream's retention works."""
    seed(registry, app, ("ep1", "EMAIL", "late@example.com"))
    s3 = boto3.client("s3")
    bucket = f"failed-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)
    # never written to Kinesis: only the S3 object knows these records
    batch = lambda_event([bounce(app, "ep1", "late@example.com"), b"\x00bad"], first_sequence=9_000)
    record = {
        **_failure_record("arn:aws:kinesis:us-east-1:123456789012:stream/gone", "shardId-9", ["9", "10"])
    }
    record["payload"] = json.dumps(batch)  # what Lambda puts in an S3 on-failure object
    s3.put_object(Bucket=bucket, Key="aws/lambda/esm/shardId-9/2026/11/28/a", Body=json.dumps(record))
    args = _redrive_args(settings.model_copy(update={"failure_queue_url": ""}), "--queue", "failure")
    args += ["--failure-bucket", bucket]

    assert cli([*args, "--dry-run"]) == 0
    assert "dry run: queue=failure messages=1 records=2" in capsys.readouterr().out
    assert cli(args) == 0
    assert "processed=1 quarantined=1 failed=0 deleted=1" in capsys.readouterr().out
    assert state(registry, app, "ep1") == ("ALL", "ACTIVE", ["hardbounce"])
    assert s3.list_objects_v2(Bucket=bucket).get("KeyCount") == 0


def test_kinesis_retries_do_not_quarantine_a_record_twice(settings, registry, app, queue):
    seed(registry, app, ("ep1", "EMAIL", "q@example.com"))
    bad = [b"not json %d" % i for i in range(5)]
    event = lambda_event(
        [*bad, bounce(app, "ep1", "q@example.com")], first_sequence=int(uuid.uuid4().int % 10**12)
    )
    consumer = build_consumer(settings, registry=registry)
    for _ in range(4):  # the first delivery and three Kinesis retries of the same records
        consumer.process(event["Records"])
        assert len(consumer.process(event["Records"]).quarantined) == 5
    assert len(messages(queue)) == 5
