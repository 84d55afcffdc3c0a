"""One endpoint's result, and the journey-split response Pinpoint reads from it (reference §1.4)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

MAX_ATTRIBUTES = 5
MAX_ATTRIBUTE_CHARS = 128


class DeliveryStatus(StrEnum):
    SUCCESSFUL = "SUCCESSFUL"
    PERMANENT_FAILURE = "PERMANENT_FAILURE"
    TEMPORARY_FAILURE = "TEMPORARY_FAILURE"
    OPTED_OUT = "OPTED_OUT"
    INACTIVE = "INACTIVE"
    DUPLICATE = "DUPLICATE"
    # Pinpoint's own name for "the provider may or may not have it": a lost answer, never resent.
    UNKNOWN_FAILURE = "UNKNOWN_FAILURE"


@dataclass(frozen=True)
class Outcome:
    """What happened to one endpoint. ``details`` feed the event record only (never returned)."""

    status: DeliveryStatus
    channel: str = ""
    message_id: str = ""
    reason: str = ""
    details: Mapping[str, str] = field(default_factory=dict, compare=False)

    @property
    def fresh(self) -> bool:
        """A duplicate was reported when it was first sent; it gets no second event record."""
        return self.status is not DeliveryStatus.DUPLICATE

    def event_attributes(self) -> dict[str, str]:
        """≤ 5 attributes of ≤ 128 characters, the shape journey splits read."""
        attributes = {
            "delivery_status": self.status.value,
            "channel": self.channel,
            "message_id": self.message_id,
            "reason": self.reason,
        }
        kept = {k: v[:MAX_ATTRIBUTE_CHARS] for k, v in attributes.items() if v}
        return dict(list(kept.items())[:MAX_ATTRIBUTES])

    def to_record(self) -> dict[str, str]:
        """What the idempotency store keeps for a send (no addresses)."""
        return {"status": self.status.value, "channel": self.channel, "message_id": self.message_id}

    @classmethod
    def replayed(cls, record: Mapping[str, Any]) -> Outcome:
        """A send found in the idempotency store: reported as DUPLICATE with the original id."""
        unconfirmed = record.get("status") == DeliveryStatus.UNKNOWN_FAILURE.value
        return cls(
            DeliveryStatus.DUPLICATE,
            channel=str(record.get("channel", "")),
            message_id=str(record.get("message_id", "")),
            reason="already_attempted_unconfirmed" if unconfirmed else "already_sent",
        )


def to_response(outcomes: Mapping[str, Outcome]) -> dict[str, dict[str, dict[str, str]]]:
    """``{endpointId: {"EventAttributes": {...}}}``: Pinpoint's custom-channel response."""
    return {endpoint_id: {"EventAttributes": o.event_attributes()} for endpoint_id, o in outcomes.items()}
