"""Fault injection on the stream side: 20 % of DynamoDB, Kinesis and SQS calls fail, before or after
they take effect, and Lambda's retry behaviour runs; nothing is lost, nothing counted twice.

* ``event_stream`` (Kinesis event source): a batch is retried from its lowest failed sequence
  number (a whole-batch failure is retried whole) up to ``MaximumRetryAttempts`` 5; what is left
  goes to the S3 on-failure destination *with its records*, and ``Redrive`` replays it while the
  faults go on. Registry, soft-bounce counter, quarantine queue and quarantine markers all fail.
* ``ses_events`` (EventBridge, asynchronous invoke): 1 + 2 attempts, then the dead-letter queue;
  Kinesis ``PutRecords`` and the dead-letter queue itself fail.

A fault "after" means the call took effect and the caller still saw an error (a lost response).
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from botocore.exceptions import ClientError

from engagement.events.kinesis import lambda_event
from engagement.events.normaliser import SesNormaliser
from engagement.events.quarantine import QuarantineMarkers, SqsQuarantine
from engagement.events.writer import EventStreamWriter
from engagement.suppression.apply import Suppressor
from engagement.suppression.consumer import StreamConsumer
from engagement.suppression.policy import SuppressionPolicy
from engagement.suppression.redrive import Redrive, RedriveReport
from local.demo_stream import DAY_MS, SENT_MS, bounce, complaint, delivered, ses_bounce, ses_event, sms
from tests.stream_fakes import Faults

MAX_RETRIES = 5  # the event source mapping's MaximumRetryAttempts


# ------------------------------------------------------------------------------ in-memory services
class Registry:
    finds_by_address = True

    def __init__(self) -> None:
        self.endpoints: dict[str, dict[str, Any]] = {}
        self.writes: dict[str, int] = {}

    def add(self, endpoint_id: str, channel: str, address: str) -> None:
        self.endpoints[endpoint_id] = {
            "Id": endpoint_id,
            "ChannelType": channel,
            "Address": address,
            "OptOut": "NONE",
        }

    def find_endpoints_by_address(self, app, channel, address, *, user_attributes=True):
        return [
            dict(e) for e in self.endpoints.values() if (e["ChannelType"], e["Address"]) == (channel, address)
        ]

    def get_endpoint(self, *, ApplicationId, EndpointId):  # noqa: N803
        if EndpointId not in self.endpoints:
            raise ClientError({"Error": {"Code": "NotFoundException", "Message": "x"}}, "GetEndpoint")
        return {"EndpointResponse": dict(self.endpoints[EndpointId])}

    def update_endpoints_batch(self, *, ApplicationId, EndpointBatchRequest):  # noqa: N803
        for item in EndpointBatchRequest["Item"]:
            self.endpoints[item["Id"]].update(OptOut=item["OptOut"], Attributes=item["Attributes"])
            self.writes[item["Id"]] = self.writes.get(item["Id"], 0) + 1


class Counter:
    """DynamoDB ``ADD`` to a string set: adding a member twice changes nothing."""

    def __init__(self) -> None:
        self.members: dict[str, set[str]] = {}

    def add(self, key, bounces):
        self.members.setdefault(key, set()).update(f"{ts}|{dedupe}" for ts, dedupe in bounces)
        return len(self.members[key])


class Sqs:
    def __init__(self) -> None:
        self.bodies: list[str] = []

    def send_message_batch(self, *, QueueUrl, Entries):  # noqa: N803
        self.bodies += [entry["MessageBody"] for entry in Entries]
        return {"Successful": [{"Id": e["Id"]} for e in Entries], "Failed": []}

    def send_message(self, *, QueueUrl, MessageBody, MessageAttributes):  # noqa: N803
        self.bodies.append(MessageBody)
        return {"MessageId": str(len(self.bodies))}


class Table:
    """``batch_get_item`` / ``put_item`` on a dict, for the quarantine markers."""

    def __init__(self) -> None:
        self.items: dict[str, dict] = {}

    def batch_get_item(self, *, RequestItems):  # noqa: N803
        [(table, request)] = RequestItems.items()
        found = [self.items[k["id"]["S"]] for k in request["Keys"] if k["id"]["S"] in self.items]
        return {"Responses": {table: found}}

    def put_item(self, *, TableName, Item):  # noqa: N803
        self.items[Item["id"]["S"]] = Item
        return {}


# ------------------------------------------------------------------------------ event_stream
def kinesis_delivery(consumer: StreamConsumer, records: list[dict]) -> list[dict]:
    """Lambda's Kinesis retries; returns the records it would send to the on-failure destination."""
    pending = records
    for _ in range(1 + MAX_RETRIES):
        try:
            failed = [f["itemIdentifier"] for f in consumer.handle({"Records": pending})["batchItemFailures"]]
        except BatchProcessingError:  # every record failed: the whole batch again
            continue
        if not failed:
            return []
        lowest = min(int(sequence) for sequence in failed)
        pending = [r for r in pending if int(r["kinesis"]["sequenceNumber"]) >= lowest]
    return pending


@pytest.mark.parametrize("seed", range(10))
def test_event_stream_loses_nothing_and_counts_nothing_twice_under_faults(seed):
    rng = random.Random(seed)
    registry = Registry()
    hard = [f"hard{i}" for i in range(10)]
    soft3, soft2, quiet = [f"s3-{i}" for i in range(4)], [f"s2-{i}" for i in range(4)], ["quiet"]
    for endpoint_id in hard + soft3 + soft2 + quiet:
        registry.add(endpoint_id, "EMAIL", f"{endpoint_id}@example.com")
    registry.add("phone", "SMS", "+12065550100")
    records: list[Any] = [bounce("app", e, f"{e}@example.com") for e in hard]
    records += [complaint("app", e, f"{e}@example.com") for e in hard[:5]]
    for endpoints, count in ((soft3, 3), (soft2, 2)):
        records += [
            bounce("app", e, f"{e}@example.com", permanent=False, at_ms=SENT_MS + i * DAY_MS)
            for e in endpoints
            for i in range(count)
        ]
    records += [sms("app", "phone", "+12065550100"), delivered("app", "quiet", "quiet@example.com")]
    bad = [b"not json %d" % i for i in range(6)] + [b"[" * 5000 + b"]" * 5000]
    records += bad
    rng.shuffle(records)

    sqs, table = Sqs(), Table()
    faults = [
        Faults(registry, {"find_endpoints_by_address", "get_endpoint", "update_endpoints_batch"}, rng),
        Faults(Counter(), {"add"}, rng),
        Faults(sqs, {"send_message_batch"}, rng),
        Faults(table, {"batch_get_item", "put_item"}, rng),
    ]
    quarantine = SqsQuarantine("q", client=faults[2], markers=QuarantineMarkers("t", client=faults[3]))
    consumer = StreamConsumer(
        SuppressionPolicy(), Suppressor(faults[0]), faults[1], quarantine, max_workers=4
    )
    event = lambda_event(records, first_sequence=100)
    on_failure = kinesis_delivery(consumer, event["Records"])

    redrive = Redrive(consumer)
    for _ in range(20):  # `engagement stream redrive` runs on the S3 object, which keeps what still fails
        if not on_failure:
            break
        on_failure = redrive.replay({"payload": {"Records": on_failure}}, RedriveReport("failure"))
    assert on_failure == []

    assert sum(f.injected["before"] + f.injected["after"] for f in faults) > 5  # the faults happened
    for endpoint_id in hard + soft3 + ["phone"]:
        assert registry.endpoints[endpoint_id]["OptOut"] == "ALL", endpoint_id  # 0 lost
    for endpoint_id in soft2 + quiet:
        assert registry.endpoints[endpoint_id]["OptOut"] == "NONE", endpoint_id  # 0 counted twice
    reasons = {registry.endpoints[e]["Attributes"]["OptOutReason"][0] for e in hard}
    assert reasons <= {"hardbounce", "complaint"}
    for raw in bad:  # every bad record quarantined, with its data
        import base64

        assert any(base64.b64encode(raw).decode() in body for body in sqs.bodies)


# ------------------------------------------------------------------------------ ses_events
class Kinesis:
    def __init__(self) -> None:
        self.data: list[bytes] = []

    def put_records(self, *, StreamName, Records):  # noqa: N803
        self.data += [r["Data"] for r in Records]
        return {"FailedRecordCount": 0, "Records": [{"SequenceNumber": "1"} for _ in Records]}


@pytest.mark.parametrize("seed", range(6))
def test_ses_events_loses_nothing_under_faults(seed):
    rng = random.Random(seed)
    kinesis, dlq = Kinesis(), Sqs()
    events = [
        ses_bounce(f"b{i}@example.com", {"application_id": "app", "endpoint_id": f"e{i}"}) for i in range(20)
    ]
    events += [
        ses_event(
            "Delivery",
            {"recipients": [f"d{i}@example.com"]},
            address=f"d{i}@example.com",
            tags={},
            detail_type="Email Delivered",
        )
        for i in range(10)
    ]
    invalid = [
        {**ses_bounce("x@example.com", {}), "detail": {"eventType": "Bounce", "mail": {"destination": "x"}}}
    ]
    events += invalid * 5
    from engagement.events.dead_letters import DeadLetterQueue

    writer = EventStreamWriter("s", client=Faults(kinesis, {"put_records"}, rng), sleep=lambda _: None)
    letters = DeadLetterQueue(Faults(dlq, {"send_message"}, rng), "dlq", source="ses_events")
    normaliser = SesNormaliser(writer, letters)
    async_dead_letters = []
    for event in events:
        for _ in range(1 + 2):  # Lambda's asynchronous invoke: 2 retries, then the function's DLQ
            try:
                normaliser.handle(event)
                break
            except ClientError:
                continue
        else:
            async_dead_letters.append(event)
    written = b"".join(kinesis.data).decode()
    for event in events:
        kept = event in async_dead_letters
        if event in invalid:
            assert kept or any('"reason": "invalid_ses_event"' in body for body in dlq.bodies)
        else:
            assert kept or event["detail"]["mail"]["messageId"] in written  # 0 lost
