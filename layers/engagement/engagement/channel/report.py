"""After a batch: event-stream records, EMF metrics and the response Pinpoint reads."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import MetricUnit

from engagement.channel.logs import log_id
from engagement.channel.outcome import DeliveryStatus, Outcome
from engagement.channel.records import outcome_record
from engagement.models.custom_channel import CustomChannelEvent

logger = Logger(child=True)
MAX_RECORD_BYTES = 1024 * 1024 - 1024  # Kinesis: 1 MiB of data and partition key per record
# Time kept after the stream write to return the response (handle.handle_batch).
RESPONSE_MARGIN_S = 0.3
_WRITES = ThreadPoolExecutor(max_workers=2, thread_name_prefix="records")

METRIC_OF_STATUS = {
    DeliveryStatus.SUCCESSFUL: "Sent",
    DeliveryStatus.PERMANENT_FAILURE: "Failed",
    DeliveryStatus.TEMPORARY_FAILURE: "Failed",
    DeliveryStatus.OPTED_OUT: "Skipped",
    DeliveryStatus.INACTIVE: "Skipped",
    DeliveryStatus.DUPLICATE: "Duplicate",
    DeliveryStatus.UNKNOWN_FAILURE: "Unconfirmed",
}


def write_records(writer: Any, event: CustomChannelEvent, outcomes: Mapping[str, Outcome]) -> int:
    """Write one record per fresh outcome and return how many could NOT be written.

    A duplicate gets no record: its record was written when it was sent. A record too large
    for Kinesis is written without the endpoint's attributes; one that still does not fit, or
    cannot be built, is left out and counted, and the rest are written anyway.

    A stream failure is logged and counted, not raised: the messages are already out, and a
    retried invocation would only report duplicates.
    """
    if writer is None:
        return 0
    records: list[dict[str, Any]] = []
    unwritable = 0
    for endpoint_id, outcome in outcomes.items():
        if not outcome.fresh:
            continue
        record = fitting_record(event, endpoint_id, outcome)
        if record is None:
            unwritable += 1
            logger.error("event record does not fit the stream", extra={"endpoint_id": log_id(endpoint_id)})
        else:
            records.append(record)
    if not records:
        return unwritable
    try:
        writer.put(records)
    except Exception as error:
        failed = len(getattr(error, "failures", None) or records)
        logger.error("event records not written", extra={"records": failed, "error": str(error)[:300]})
        return unwritable + failed
    return unwritable


def write_records_within(
    writer: Any, event: CustomChannelEvent, outcomes: Mapping[str, Outcome], seconds: float
) -> int:
    """``write_records``, but answer after ``seconds`` at most: a hung stream must not let
    Lambda kill the invocation before Pinpoint gets its response. Records still being written
    then are counted as not written (they may yet arrive)."""
    from concurrent.futures import TimeoutError as FutureTimeout

    if writer is None:
        return 0
    future = _WRITES.submit(write_records, writer, event, outcomes)
    try:
        return future.result(timeout=max(0.05, seconds))
    except FutureTimeout:
        pending = sum(1 for outcome in outcomes.values() if outcome.fresh)
        logger.error("event records not written before the deadline", extra={"records": pending})
        return pending


def fitting_record(event: CustomChannelEvent, endpoint_id: str, outcome: Outcome) -> dict[str, Any] | None:
    """The outcome's record within Kinesis' 1 MiB, trimmed if need be, or None."""
    endpoint = event.Endpoints[endpoint_id]
    raw = {
        **(endpoint.model_extra or {}),
        **endpoint.model_dump(exclude_none=True, exclude=set(endpoint.model_extra or {})),
    }
    for essential_only in (False, True):
        try:
            record = outcome_record(event, endpoint_id, raw, outcome, essential_only=essential_only)
            size = len(json.dumps(record, separators=(",", ":"), default=str).encode())
        except (RecursionError, ValueError, TypeError):
            continue
        if size + len(endpoint_id.encode()) <= MAX_RECORD_BYTES:
            return record
    return None


def add_metrics(metrics: Any, outcomes: Mapping[str, Outcome], records_missing: int = 0) -> None:
    counts = Counter(METRIC_OF_STATUS[o.status] for o in outcomes.values())
    for name in ("Sent", "Failed", "Skipped", "Duplicate", "Unconfirmed"):
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=counts.get(name, 0))
    metrics.add_metric(name="EventRecordsNotWritten", unit=MetricUnit.Count, value=records_missing)
