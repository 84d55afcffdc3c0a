"""The quarantine queue: records that can never succeed as they are, kept with the reason.

A record that is not JSON or has the wrong shape would fail every retry and block its shard for
the stream's retention. It goes here instead (raw base64 data exactly as received, reason,
sequence number, stream) and the batch moves on. After a fix, ``engagement stream redrive
--queue quarantine`` re-parses the records; those still bad stay in the queue.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

SQS_BATCH = 10
MAX_ATTRIBUTE_CHARS = 256


@dataclass(frozen=True)
class QuarantineEntry:
    record: Mapping[str, Any]  # the Lambda Kinesis record as received
    reason: str

    @property
    def event_id(self) -> str:
        return str(self.record.get("eventID") or self.record.get("kinesis", {}).get("sequenceNumber", ""))

    def body(self) -> dict[str, Any]:
        kinesis = self.record.get("kinesis") or {}
        return {
            "reason": self.reason,
            "data": kinesis.get("data"),
            "sequenceNumber": kinesis.get("sequenceNumber"),
            "partitionKey": kinesis.get("partitionKey"),
            "approximateArrivalTimestamp": kinesis.get("approximateArrivalTimestamp"),
            "eventID": self.record.get("eventID"),
            "eventSourceARN": self.record.get("eventSourceARN"),
            "quarantinedAt": datetime.now(UTC).isoformat(timespec="seconds"),
        }


def record_from_body(body: Mapping[str, Any]) -> dict[str, Any]:
    """Rebuild the Lambda Kinesis record a quarantine message was made from."""
    return {
        "eventID": body.get("eventID") or body.get("sequenceNumber") or "",
        "eventSource": "aws:kinesis",
        "eventSourceARN": body.get("eventSourceARN") or "",
        "kinesis": {
            "data": body.get("data") or "",
            "sequenceNumber": body.get("sequenceNumber") or "",
            "partitionKey": body.get("partitionKey") or "",
            "approximateArrivalTimestamp": body.get("approximateArrivalTimestamp"),
        },
    }


class SqsQuarantine:
    """Quarantine on SQS; ``put`` returns the event ids it could not enqueue (retry those)."""

    def __init__(self, queue_url: str, *, client: Any = None):
        self.queue_url = queue_url
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            from engagement.aws import aws_client

            self._client = aws_client("sqs")
        return self._client

    def put(self, entries: Sequence[QuarantineEntry]) -> set[str]:
        from botocore.exceptions import BotoCoreError, ClientError

        failed: set[str] = set()
        for start in range(0, len(entries), SQS_BATCH):
            chunk = entries[start : start + SQS_BATCH]
            messages = [
                {
                    "Id": str(index),
                    "MessageBody": json.dumps(entry.body()),
                    "MessageAttributes": {
                        "reason": {"DataType": "String", "StringValue": entry.reason[:MAX_ATTRIBUTE_CHARS]}
                    },
                }
                for index, entry in enumerate(chunk)
            ]
            try:
                response = self.client.send_message_batch(QueueUrl=self.queue_url, Entries=messages)
            except (BotoCoreError, ClientError):
                failed.update(entry.event_id for entry in chunk)
                continue
            failed.update(chunk[int(item["Id"])].event_id for item in response.get("Failed", []))
        return failed


class CollectingQuarantine:
    """Keeps entries in memory: redrive uses it so a still-bad record is not quarantined twice."""

    def __init__(self) -> None:
        self.entries: list[QuarantineEntry] = []

    def put(self, entries: Sequence[QuarantineEntry]) -> set[str]:
        self.entries.extend(entries)
        return set()
