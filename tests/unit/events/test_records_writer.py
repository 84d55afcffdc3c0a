"""The record builder's envelope and the Kinesis writer's chunking and partial-failure retries."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.stub import ANY, Stubber

from engagement.events.records import build_event_record
from engagement.events.writer import EventStreamWriteError, EventStreamWriter


def test_record_has_pinpoint_envelope():
    record = build_event_record(
        event_type="_email.send",
        application_id="app1",
        endpoint_id="ep1",
        attributes={"campaign_id": "c1", "treatment_id": 0},
        metrics={"price_in_millicents_usd": 1},
        endpoint={"ChannelType": "EMAIL", "Address": "a@example.com"},
        facets={"email_channel": {"mail_event": {"send": {}}}},
        timestamp_ms=1564618621380,
        aws_account_id="123456789012",
    )
    assert record["event_type"] == "_email.send"
    assert record["event_version"] == "3.1"
    assert record["event_timestamp"] == 1564618621380
    assert record["arrival_timestamp"] >= record["event_timestamp"]
    assert record["application"] == {"app_id": "app1", "sdk": {}}
    assert record["client"] == {"client_id": "ep1"}
    assert record["device"] == {"platform": {}} and record["session"] == {}
    assert record["attributes"] == {"campaign_id": "c1", "treatment_id": "0"}
    assert record["metrics"] == {"price_in_millicents_usd": 1.0}
    endpoint = record["client_context"]["custom"]["endpoint"]
    assert isinstance(endpoint, str) and json.loads(endpoint)["ChannelType"] == "EMAIL"
    assert record["facets"]["email_channel"]["mail_event"] == {"send": {}}
    assert record["awsAccountId"] == "123456789012"
    json.dumps(record)


def test_record_without_endpoint_or_facets_omits_them():
    record = build_event_record(event_type="custom", application_id="a", endpoint_id="e")
    assert "client_context" not in record and "facets" not in record


def _client():
    return boto3.client("kinesis", region_name="us-east-1")


def _ok(n):
    return {"Records": [{"SequenceNumber": "1", "ShardId": "s"}] * n}


def test_writer_chunks_at_500_and_uses_client_id_as_partition_key():
    client = _client()
    records = [
        build_event_record(event_type="x", application_id="a", endpoint_id=f"e{i}") for i in range(501)
    ]
    with Stubber(client) as stub:
        stub.add_response("put_records", _ok(500), {"StreamName": "s", "Records": ANY})
        stub.add_response("put_records", _ok(1), {"StreamName": "s", "Records": ANY})
        calls = []
        client.meta.events.register(
            "before-parameter-build.kinesis.PutRecords", lambda params, **_: calls.append(params)
        )
        EventStreamWriter("s", client=client).put(records)
        stub.assert_no_pending_responses()
    assert [len(c["Records"]) for c in calls] == [500, 1]
    assert calls[1]["Records"][0]["PartitionKey"] == "e500"
    assert json.loads(calls[1]["Records"][0]["Data"])["client"]["client_id"] == "e500"


def test_writer_splits_by_5mb():
    client = _client()
    big = "x" * 900_000
    records = [
        build_event_record(event_type="x", application_id="a", endpoint_id=f"e{i}", attributes={"b": big})
        for i in range(7)
    ]
    calls = []
    client.meta.events.register(
        "before-parameter-build.kinesis.PutRecords", lambda params, **_: calls.append(params)
    )
    with Stubber(client) as stub:
        stub.add_response("put_records", _ok(5))
        stub.add_response("put_records", _ok(2))
        EventStreamWriter("s", client=client).put(records)
    assert [len(c["Records"]) for c in calls] == [5, 2]


def test_writer_retries_only_failed_entries():
    client = _client()
    records = [build_event_record(event_type="x", application_id="a", endpoint_id=f"e{i}") for i in range(3)]
    calls = []
    client.meta.events.register(
        "before-parameter-build.kinesis.PutRecords", lambda params, **_: calls.append(params)
    )
    failed = {"ErrorCode": "ProvisionedThroughputExceededException", "ErrorMessage": "slow down"}
    with Stubber(client) as stub:
        stub.add_response(
            "put_records",
            {
                "FailedRecordCount": 1,
                "Records": [
                    {"SequenceNumber": "1", "ShardId": "s"},
                    failed,
                    {"SequenceNumber": "2", "ShardId": "s"},
                ],
            },
        )
        stub.add_response("put_records", _ok(1))
        EventStreamWriter("s", client=client, sleep=lambda _: None).put(records)
    assert [r["PartitionKey"] for r in calls[1]["Records"]] == ["e1"]


def test_writer_raises_when_entries_still_fail():
    client = _client()
    records = [build_event_record(event_type="x", application_id="a", endpoint_id="e0")]
    failed = {"FailedRecordCount": 1, "Records": [{"ErrorCode": "InternalFailure", "ErrorMessage": "boom"}]}
    with Stubber(client) as stub:
        for _ in range(3):
            stub.add_response("put_records", failed)
        with pytest.raises(
            EventStreamWriteError, match=r"1 record\(s\) not written.*InternalFailure"
        ) as info:
            EventStreamWriter("s", client=client, max_attempts=3, sleep=lambda _: None).put(records)
    assert info.value.failures[0]["record"]["client"]["client_id"] == "e0"
