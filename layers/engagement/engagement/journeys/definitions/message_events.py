"""Per-participant message events: the event stream joined back to (journey, activity, endpoint).

Pinpoint-format records carry ``attributes.journey_id`` / ``journey_activity_id`` (written by the
custom channel and kept by the SES normaliser) and ``client.client_id`` (the endpoint id). Each
such record becomes one TTL'd item that ``EventCondition`` splits read; the run is joined through
the execution's own send record (an event counts only if it came after that participant's send).

    recorder = MessageEventRecorder(JourneyTable(table))
    recorder.record(records)          # decoded stream records (dicts)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from engagement.journeys.definitions.durations import iso


def message_event(record: Mapping[str, Any]) -> dict[str, Any] | None:
    """The item to record for one stream record, or ``None`` when it is not a journey message event."""
    attributes = record.get("attributes") or {}
    journey_id, activity_id = attributes.get("journey_id"), attributes.get("journey_activity_id")
    endpoint_id = (record.get("client") or {}).get("client_id")
    app = (record.get("application") or {}).get("app_id")
    event_type = record.get("event_type") or ""
    if not (journey_id and activity_id and endpoint_id and app) or event_type == "_journey.send":
        return None
    at = datetime.fromtimestamp(int(record.get("event_timestamp") or 0) / 1000, UTC)
    return {
        "application_id": app,
        "journey_id": journey_id,
        "activity_id": activity_id,
        "endpoint_id": endpoint_id,
        "run_id": attributes.get("journey_run_id"),
        "event_type": event_type,
        "at": iso(at),
        "attributes": {key: value for key, value in attributes.items() if not key.startswith("journey_")},
        "metrics": dict(record.get("metrics") or {}),
    }


class MessageEventRecorder:
    def __init__(self, table: Any, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.table, self.clock = table, clock

    def record(self, records: Iterable[Mapping[str, Any]]) -> int:
        """Record every journey message event among ``records``; returns how many were recorded."""
        count = 0
        for record in records:
            event = message_event(record)
            if event is not None:
                self.table.record_message_event(event, self.clock())
                count += 1
        return count
