"""Lambda's Kinesis event shape, and reading records back from the stream by sequence number.

The redrive re-reads failed batches from Kinesis (the on-failure queue holds only shard id and
sequence-number range) and hands them to the same consumer in the shape Lambda would have.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any


def lambda_record(
    data: bytes | str | Mapping,
    *,
    sequence_number: str,
    shard_id: str = "shardId-000000000000",
    partition_key: str = "",
    stream_arn: str = "",
    arrival_s: float = 0.0,
) -> dict[str, Any]:
    """One record as Lambda delivers it (``kinesis.data`` base64-encoded)."""
    if isinstance(data, Mapping):
        data = json.dumps(data, separators=(",", ":"))
    raw = data.encode() if isinstance(data, str) else data
    return {
        "eventID": f"{shard_id}:{sequence_number}",
        "eventName": "aws:kinesis:record",
        "eventSource": "aws:kinesis",
        "eventSourceARN": stream_arn,
        "eventVersion": "1.0",
        "awsRegion": stream_arn.split(":")[3] if stream_arn.count(":") >= 5 else "us-east-1",
        "invokeIdentityArn": "arn:aws:iam::123456789012:role/lambda-role",
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": partition_key,
            "sequenceNumber": sequence_number,
            "data": base64.b64encode(raw).decode(),
            "approximateArrivalTimestamp": arrival_s,
        },
    }


def lambda_event(
    records: Sequence[Mapping | bytes | str],
    *,
    shard_id: str = "shardId-000000000000",
    first_sequence: int = 1,
    stream_arn: str = "",
) -> dict[str, Any]:
    """A Lambda Kinesis event holding ``records`` with consecutive sequence numbers."""
    return {
        "Records": [
            lambda_record(
                record,
                sequence_number=f"{first_sequence + index:056d}",
                shard_id=shard_id,
                partition_key=_partition_key(record),
                stream_arn=stream_arn,
            )
            for index, record in enumerate(records)
        ]
    }


def _partition_key(record: Mapping | bytes | str) -> str:
    if isinstance(record, Mapping):
        client = record.get("client")
        if isinstance(client, Mapping) and client.get("client_id"):
            return str(client["client_id"])
    return "unknown"


def read_range(
    client: Any, stream_arn: str, shard_id: str, start_sequence: str, end_sequence: str
) -> Iterator[dict[str, Any]]:
    """Records ``start..end`` (inclusive) of one shard, as Lambda Kinesis records.

    ``GetShardIterator AT_SEQUENCE_NUMBER`` then ``GetRecords`` until past ``end``. Raises
    botocore's ``ClientError`` if the records left the stream's retention window.
    """
    iterator = client.get_shard_iterator(
        StreamARN=stream_arn,
        ShardId=shard_id,
        ShardIteratorType="AT_SEQUENCE_NUMBER",
        StartingSequenceNumber=start_sequence,
    )["ShardIterator"]
    end = int(end_sequence)
    while iterator:
        page = client.get_records(ShardIterator=iterator, StreamARN=stream_arn, Limit=1000)
        for record in page["Records"]:
            if int(record["SequenceNumber"]) > end:
                return
            yield lambda_record(
                record["Data"],
                sequence_number=record["SequenceNumber"],
                shard_id=shard_id,
                partition_key=record.get("PartitionKey", ""),
                stream_arn=stream_arn,
                arrival_s=_seconds(record.get("ApproximateArrivalTimestamp")),
            )
        if not page["Records"] and not page.get("MillisBehindLatest"):
            return
        iterator = page.get("NextShardIterator")


def _seconds(value: Any) -> float:
    return value.timestamp() if hasattr(value, "timestamp") else float(value or 0)
