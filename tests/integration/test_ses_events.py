"""SES events through EventBridge: normaliser -> Kinesis -> the same consumer and policy."""

from __future__ import annotations

import base64
import json
import uuid

import boto3
import pytest

from engagement.endpoints import build_registry
from engagement.events.kinesis import lambda_record
from local.demo_stream import ses_bounce, ses_event

pytestmark = pytest.mark.integration


def _latest_iterators(stream):
    kinesis = boto3.client("kinesis")
    return {
        shard["ShardId"]: kinesis.get_shard_iterator(
            StreamName=stream, ShardId=shard["ShardId"], ShardIteratorType="LATEST"
        )["ShardIterator"]
        for shard in kinesis.list_shards(StreamName=stream)["Shards"]
    }


def _new_records(iterators):
    kinesis = boto3.client("kinesis")
    found = []
    for shard, iterator in iterators.items():
        page = kinesis.get_records(ShardIterator=iterator)
        found += [
            lambda_record(r["Data"], sequence_number=r["SequenceNumber"], shard_id=shard)
            for r in page["Records"]
        ]
    return found


def test_ses_bounce_reaches_the_stream_once_and_opts_the_endpoint_out(local_stack, invoke_function):
    app = uuid.uuid4().hex
    registry = build_registry(f"dynamodb://{local_stack.physical_id('EndpointsTable')}")
    registry.update_endpoint(
        ApplicationId=app,
        EndpointId="ep1",
        EndpointRequest={"ChannelType": "EMAIL", "Address": "ses@example.com"},
    )
    event = ses_bounce("ses@example.com", {"application_id": app, "endpoint_id": "ep1", "campaign_id": "c1"})
    iterators = _latest_iterators(local_stack.physical_id("EventStream"))

    first = invoke_function("ses_events", event)
    again = invoke_function("ses_events", event)  # EventBridge delivers at least once
    assert first == again == {"written": 1, "event_types": ["_email.hardbounce"]}

    records = [r for r in _new_records(iterators) if app in base64.b64decode(r["kinesis"]["data"]).decode()]
    assert len(records) == 1  # idempotent per EventBridge event id
    assert invoke_function("event_stream", {"Records": records}) == {"batchItemFailures": []}
    endpoint = registry.get_endpoint(ApplicationId=app, EndpointId="ep1")["EndpointResponse"]
    assert endpoint["OptOut"] == "ALL" and endpoint["Attributes"]["OptOutReason"] == ["hardbounce"]


def test_ses_subscription_unsubscribe_all_opts_out(local_stack, invoke_function):
    app = uuid.uuid4().hex
    registry = build_registry(f"dynamodb://{local_stack.physical_id('EndpointsTable')}")
    registry.update_endpoint(
        ApplicationId=app,
        EndpointId="ep1",
        EndpointRequest={"ChannelType": "EMAIL", "Address": "sub@example.com"},
    )
    event = ses_event(
        "Subscription",
        {"contactList": "news", "newTopicPreferences": {"unsubscribeAll": True}},
        address="sub@example.com",
        tags={"application_id": app, "endpoint_id": "ep1"},
        detail_type="Email Subscribed",
    )
    iterators = _latest_iterators(local_stack.physical_id("EventStream"))
    invoke_function("ses_events", event)
    records = _new_records(iterators)
    invoke_function("event_stream", {"Records": records})
    endpoint = registry.get_endpoint(ApplicationId=app, EndpointId="ep1")["EndpointResponse"]
    assert endpoint["OptOut"] == "ALL" and endpoint["Attributes"]["OptOutReason"] == ["unsubscribe"]


def test_invalid_ses_events_go_to_the_dead_letter_queue_with_the_field(local_stack, invoke_function):
    queue = local_stack.function_environment("SesEventsFunction")["DEAD_LETTER_QUEUE_URL"]
    not_ses = {"id": str(uuid.uuid4()), "source": "aws.ses", "detail": {}}
    split = ses_bounce("chars@example.com", {})
    split["id"] = str(uuid.uuid4())
    split["detail"]["mail"]["destination"] = "chars@example.com"  # a string, not a list
    results = [invoke_function("ses_events", event) for event in (not_ses, split)]
    assert [r["status"] for r in results] == ["rejected", "rejected"]
    assert "no SES detail" in results[0]["error"]
    assert results[1]["error"] == "invalid SES event: detail.mail.destination: Input should be a valid list"
    sqs = boto3.client("sqs")
    bodies = {}
    while batch := sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages"):
        for message in batch:
            body = json.loads(message["Body"])
            bodies[body["event"].get("id")] = body
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
    assert bodies[split["id"]]["reason"] == "invalid_ses_event"
    assert bodies[split["id"]]["event"] == split  # the event as received, for a redrive
    assert not_ses["id"] in bodies
