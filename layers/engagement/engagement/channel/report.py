"""After a batch: event-stream records, EMF metrics and the response Pinpoint reads."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import MetricUnit

from engagement.channel.outcome import DeliveryStatus, Outcome
from engagement.channel.records import outcome_record
from engagement.models.custom_channel import CustomChannelEvent

logger = Logger(child=True)

METRIC_OF_STATUS = {
    DeliveryStatus.SUCCESSFUL: "Sent",
    DeliveryStatus.PERMANENT_FAILURE: "Failed",
    DeliveryStatus.TEMPORARY_FAILURE: "Failed",
    DeliveryStatus.OPTED_OUT: "Skipped",
    DeliveryStatus.INACTIVE: "Skipped",
    DeliveryStatus.DUPLICATE: "Duplicate",
}


def write_records(writer: Any, event: CustomChannelEvent, outcomes: Mapping[str, Outcome]) -> int:
    """Write one record per fresh outcome and return how many could NOT be written.

    A duplicate gets no record: its record was written when it was sent.

    A stream failure is logged and counted, not raised: the messages are already out, and a
    retried invocation would only report duplicates.
    """
    if writer is None:
        return 0
    records = [
        outcome_record(
            event, endpoint_id, event.Endpoints[endpoint_id].model_dump(exclude_none=True), outcome
        )
        for endpoint_id, outcome in outcomes.items()
        if outcome.fresh
    ]
    if not records:
        return 0
    try:
        writer.put(records)
    except Exception as error:
        logger.error("event records not written", extra={"records": len(records), "error": str(error)})
        return len(records)
    return 0


def add_metrics(metrics: Any, outcomes: Mapping[str, Outcome], records_missing: int = 0) -> None:
    counts = Counter(METRIC_OF_STATUS[o.status] for o in outcomes.values())
    for name in ("Sent", "Failed", "Skipped", "Duplicate"):
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=counts.get(name, 0))
    metrics.add_metric(name="EventRecordsNotWritten", unit=MetricUnit.Count, value=records_missing)
