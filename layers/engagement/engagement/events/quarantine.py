"""The quarantine queue: records that can never succeed as they are, kept with the reason.

A record that is not JSON or has the wrong shape would fail every retry and block its shard for
the stream's retention. It goes here instead (raw base64 data exactly as received, reason,
sequence number, stream) and the batch moves on. After a fix, ``engagement stream redrive
--queue quarantine`` re-parses the records; those still bad stay in the queue.

Once per record: Kinesis re-delivers a batch from its lowest failed record, so the bad records
after it come again on every retry. :class:`QuarantineMarkers` remembers (in the idempotency
table, 8 days: longer than the stream keeps records) the event ids already quarantined; a
re-delivered record is then counted as quarantined without a second message. The markers are
best effort: if the table cannot be read the record is sent again (a duplicate message, never a
lost one), and redriving a duplicate is harmless.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from engagement.aws import aws_client

SQS_BATCH = 10
MAX_ATTRIBUTE_CHARS = 256
MARKER_PREFIX = "quarantined#"
MARKER_TTL_S = 8 * 86_400  # the stream keeps records 7 days
BATCH_GET_KEYS = 100


@dataclass(frozen=True)
class QuarantineEntry:
    record: Mapping[str, Any]  # the Lambda Kinesis record as received
    reason: str

    @property
    def event_id(self) -> str:
        return str(self.record.get("eventID") or self.record.get("kinesis", {}).get("sequenceNumber", ""))

    @property
    def marker_key(self) -> str:
        """The record's identity across retries: stream ARN + Lambda's ``shardId:sequenceNumber``."""
        source = f"{self.record.get('eventSourceARN') or ''}|{self.event_id}"
        return MARKER_PREFIX + hashlib.sha256(source.encode()).hexdigest()

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


class QuarantineMarkers:
    """Which records were quarantined already (items ``quarantined#<sha256>`` with a TTL)."""

    def __init__(self, table_name: str, *, client: Any = None, clock=time.time):
        self.table_name = table_name
        self.client = client if client is not None else aws_client("dynamodb")  # created on first use
        self._clock = clock

    def seen(self, keys: Iterable[str]) -> set[str]:
        """The keys already marked; a failed read answers "none" (send again rather than lose)."""
        from botocore.exceptions import BotoCoreError, ClientError

        keys = sorted(set(keys))
        found: set[str] = set()
        for start in range(0, len(keys), BATCH_GET_KEYS):
            request = {
                self.table_name: {
                    "Keys": [{"id": {"S": key}} for key in keys[start : start + BATCH_GET_KEYS]],
                    "ProjectionExpression": "id",
                }
            }
            try:
                response = self.client.batch_get_item(RequestItems=request)
            except (BotoCoreError, ClientError):
                continue
            found.update(item["id"]["S"] for item in response.get("Responses", {}).get(self.table_name, []))
        return found

    def mark(self, keys: Iterable[str]) -> None:
        """Best effort: an unmarked record is at worst quarantined twice.

        ``PutItem`` per key (bad records are rare), which the functions' idempotency-table policy
        already allows, rather than ``BatchWriteItem``.
        """
        from botocore.exceptions import BotoCoreError, ClientError

        expiration = str(int(self._clock()) + MARKER_TTL_S)
        for key in sorted(set(keys)):
            try:
                self.client.put_item(
                    TableName=self.table_name, Item={"id": {"S": key}, "expiration": {"N": expiration}}
                )
            except (BotoCoreError, ClientError):
                continue


class SqsQuarantine:
    """Quarantine on SQS; ``put`` returns the event ids it could not enqueue (retry those)."""

    def __init__(self, queue_url: str, *, client: Any = None, markers: QuarantineMarkers | None = None):
        self.queue_url = queue_url
        self.client = client if client is not None else aws_client("sqs")  # created on first use
        self.markers = markers

    def put(self, entries: Sequence[QuarantineEntry]) -> set[str]:
        if self.markers is None:
            return self._send(entries)
        seen = self.markers.seen(entry.marker_key for entry in entries)
        entries = [entry for entry in entries if entry.marker_key not in seen]
        failed = self._send(entries)
        self.markers.mark(entry.marker_key for entry in entries if entry.event_id not in failed)
        return failed

    def _send(self, entries: Sequence[QuarantineEntry]) -> set[str]:
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
