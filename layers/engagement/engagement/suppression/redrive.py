"""Redrive: re-process what sits in the quarantine queue and the on-failure bucket, idempotently.

* On-failure bucket (the Kinesis event source's S3 on-failure destination): each object is
  Lambda's invocation record *with the payload*, the batch exactly as the function received it,
  so records are redriven from the object itself, even after they left the stream (168 h).
  An object or SQS message without a payload (``KinesisBatchInfo`` only: stream ARN, shard,
  first and last sequence number; what an SQS/SNS destination gets) is read back from Kinesis
  (``GetShardIterator AT_SEQUENCE_NUMBER``) while the stream still has it. Records that turn out
  to be unparseable go to the quarantine queue, like in Lambda.
* Quarantine queue: each message holds one record as received; it is re-parsed (after someone
  fixed the cause). A record still bad stays in the queue, untouched, with its first reason.

A message or object is deleted only when all its records succeeded (or, from the failure
destination, were quarantined); otherwise it is kept for a later run. Re-processing is harmless: opted-out
endpoints are skipped and soft bounces count once per record.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from engagement.aws import aws_client
from engagement.events.kinesis import read_range
from engagement.events.quarantine import CollectingQuarantine, record_from_body

QUARANTINE = "quarantine"
FAILURE = "failure"
VISIBILITY_S = 300


@dataclass
class RedriveReport:
    queue: str
    messages: int = 0
    records: int = 0
    processed: int = 0
    quarantined: int = 0  # newly quarantined (failure queue) or still bad (quarantine queue)
    failed: int = 0
    deleted: int = 0
    errors: list[str] = field(default_factory=list)


class Redrive:
    def __init__(self, consumer: Any, *, sqs: Any = None, kinesis: Any = None, s3: Any = None):
        self.consumer = consumer
        # clients are created on first use (``aws_client``)
        self.sqs = sqs or aws_client("sqs")
        self.kinesis = kinesis or aws_client("kinesis")
        self.s3 = s3 or aws_client("s3")

    def run(self, queue_url: str, kind: str, *, dry_run: bool = False) -> RedriveReport:
        report = RedriveReport(queue=kind)
        kept: list[str] = []
        for message in self._messages(queue_url):
            report.messages += 1
            body = json.loads(message["Body"])
            if dry_run:
                report.records += self._count(body, kind)
                kept.append(message["ReceiptHandle"])
                continue
            done = self._quarantined(body, report) if kind == QUARANTINE else self.replay(body, report) == []
            if done:
                self.sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
                report.deleted += 1
            else:
                kept.append(message["ReceiptHandle"])
        for handle in kept:  # visible again for the next run
            self.sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=handle, VisibilityTimeout=0)
        return report

    def _messages(self, queue_url: str) -> Iterator[dict[str, Any]]:
        """Every message once: received ones stay invisible until the run releases them."""
        while True:
            messages = self.sqs.receive_message(
                QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=VISIBILITY_S, WaitTimeSeconds=0
            ).get("Messages", [])
            if not messages:
                return
            yield from messages

    def run_bucket(self, bucket: str, *, prefix: str = "", dry_run: bool = False) -> RedriveReport:
        """Redrive every failed batch Lambda wrote to the on-failure bucket."""
        report = RedriveReport(queue=FAILURE)
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                report.messages += 1
                body = json.loads(self.s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read())
                if dry_run:
                    report.records += self._count(body, FAILURE)
                    continue
                left = self.replay(body, report)
                if left == []:
                    self.s3.delete_object(Bucket=bucket, Key=item["Key"])
                    report.deleted += 1
                elif left is not None and len(left) < self._count(body, FAILURE):
                    # keep only what still fails, so the next run starts where this one stopped
                    body["payload"] = {"Records": left}
                    self.s3.put_object(Bucket=bucket, Key=item["Key"], Body=json.dumps(body).encode())
        return report

    @staticmethod
    def _count(body: dict[str, Any], kind: str) -> int:
        if kind == QUARANTINE:
            return 1
        payload = _payload_records(body)
        if payload is not None:
            return len(payload)
        return int((body.get("KinesisBatchInfo") or {}).get("batchSize") or 0)

    def _quarantined(self, body: dict[str, Any], report: RedriveReport) -> bool:
        record = record_from_body(body)
        sink, self.consumer.quarantine = self.consumer.quarantine, CollectingQuarantine()
        try:
            outcome = self.consumer.process([record])
        finally:
            self.consumer.quarantine = sink
        report.records += 1
        if outcome.failed:
            report.failed += 1
            return False
        if outcome.quarantined:
            report.quarantined += 1
            return False
        report.processed += 1
        return True

    def replay(self, body: dict[str, Any], report: RedriveReport) -> list[dict[str, Any]] | None:
        """Process one failed batch; returns the records that failed again (None: unreadable)."""
        records = _payload_records(body)
        if records is None:
            records = self._read_back(body, report)
        if records is None:
            return None
        outcome = self.consumer.process(records)
        report.records += len(records)
        report.failed += len(outcome.failed)
        report.quarantined += len(outcome.quarantined)
        report.processed += len(records) - len(outcome.failed) - len(outcome.quarantined)
        return [record for record in records if record.get("eventID") in outcome.failed]

    def _read_back(self, body: dict[str, Any], report: RedriveReport) -> list[dict[str, Any]] | None:
        info = body.get("KinesisBatchInfo") or {}
        try:
            return list(
                read_range(
                    self.kinesis,
                    info["streamArn"],
                    info["shardId"],
                    info["startSequenceNumber"],
                    info["endSequenceNumber"],
                )
            )
        except Exception as exc:  # records past retention, stream gone: keep the message, say why
            report.errors.append(f"{info.get('shardId')} {info.get('startSequenceNumber')}: {exc}")
            return None


def _payload_records(body: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The Lambda Kinesis records an S3 on-failure object carries (``payload``: object or JSON text)."""
    payload = body.get("payload")
    if isinstance(payload, str):
        payload = json.loads(payload)
    if isinstance(payload, dict) and isinstance(payload.get("Records"), list):
        return payload["Records"]
    return None
