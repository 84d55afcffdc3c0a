"""A generated event set (with the cases the generator lacks) and its window, for the KPI tests."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from engagement.analytics.exporter import write_partitions
from engagement.analytics.synthetic import generate
from engagement.events.records import build_event_record

APP = "app-1"
NOW = datetime(2026, 11, 25, tzinfo=UTC)
START = datetime(2026, 11, 14, tzinfo=UTC)
END = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)  # half a day: the window is exact to the millisecond
IN_WINDOW_MS = int(datetime(2026, 11, 15, 9, tzinfo=UTC).timestamp() * 1000)


def extra_records() -> list[dict[str, Any]]:
    """Cases the generator does not make: push, custom channel, skips, another app, outside the window."""

    def record(event_type: str, endpoint: str, attributes: dict, at: int = IN_WINDOW_MS, app: str = APP):
        return build_event_record(
            event_type=event_type,
            application_id=app,
            endpoint_id=endpoint,
            attributes=attributes,
            timestamp_ms=at,
        )

    push = {"campaign_id": "campaign-1", "campaign_activity_id": "run-1-0", "treatment_id": "0"}
    journey = {"journey_id": "journey-1", "journey_activity_id": "activity-0"}
    return [
        record(
            "_campaign.send", "push-1", {**push, "campaign_send_status": "SUCCESS", "delivery_type": "GCM"}
        ),
        record(
            "_campaign.send", "push-2", {**push, "campaign_send_status": "SUCCESS", "delivery_type": "APNS"}
        ),
        record("_campaign.opened_notification", "push-1", push),
        # An email campaign's run writes `_campaign.send` beside the channel's `_email.send`.
        record("_email.send", "mail-1", {**push, "message_id": "m-camp-1"}),
        record(
            "_campaign.send", "mail-1", {**push, "campaign_send_status": "SUCCESS", "delivery_type": "EMAIL"}
        ),
        record("_custom.send", "hook-1", {**push, "delivery_status": "SUCCESSFUL"}),
        record(
            "_campaign.send",
            "skip-1",
            {**push, "campaign_send_status": "OPTED_OUT", "delivery_type": "CUSTOM"},
        ),
        record("_journey.send", "skip-2", {**journey, "journey_send_status": "OPTED_OUT"}),
        record("_journey.send", "skip-3", {**journey, "journey_send_status": "INACTIVE"}),
        record("_journey.send", "skip-3", {**journey, "journey_send_status": "REENTRY_CAP_EXCEEDED"}),
        record("_SMS.FAILURE", "sms-x", {"message_id": "no-status"}),
        record("_email.send", "other-app", {"campaign_id": "campaign-1"}, app="app-2"),
        record("_email.send", "too-late", {"campaign_id": "campaign-1"}, at=int(END.timestamp() * 1000) + 1),
        record(
            "_email.send", "too-early", {"campaign_id": "campaign-1"}, at=int(START.timestamp() * 1000) - 1
        ),
    ]


def event_set() -> list[dict[str, Any]]:
    return [*generate(1500, application_id=APP, seed=11), *extra_records()]


def write(records: list[dict[str, Any]], root: Path, file_format: str = "jsonl") -> Path:
    lines = [("shardId-000000000000", json.dumps(record).encode()) for record in records]
    write_partitions(lines, root, file_format=file_format)
    return root


def in_window(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    start, end = int(START.timestamp() * 1000), int(END.timestamp() * 1000)
    return [r for r in records if r["application"]["app_id"] == APP and start <= r["event_timestamp"] <= end]
