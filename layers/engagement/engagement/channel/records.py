"""One Pinpoint-format event-stream record per endpoint outcome (reference §2).

Successful sends get the channel's own record (``_email.send``, ``_SMS.BUFFERED``,
``_custom.send``), failures of the channel theirs (``_email.rendering_failure``,
``_email.rejected``, ``_SMS.FAILURE``); everything else (skips, deadline, unsupported channel)
is a ``_campaign.send`` / ``_journey.send`` record whose send status says what happened.
Campaign and journey attributes are named as Pinpoint names them.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from engagement.channel.outcome import DeliveryStatus, Outcome
from engagement.events.records import build_event_record
from engagement.models.custom_channel import CustomChannelEvent

RENDERING_REASONS = frozenset({"rendering_failure", "template_not_found", "empty_message"})
# Pinpoint endpoints are a few levels deep; anything deeper is hostile and is not copied.
MAX_DEPTH = 16
# RFC 5322 keeps a header line under 998 characters; a longer rendered subject is cut in records.
MAX_SUBJECT_CHARS = 998
# Endpoint fields kept when a record is too large with the whole endpoint (report.fitting_record).
ESSENTIAL_ENDPOINT_FIELDS = ("ChannelType", "EndpointStatus", "OptOut")


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """True if ``value`` nests dicts/lists deeper than ``limit`` (iterative: no RecursionError)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, Mapping):
            children: Any = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def record_endpoint(endpoint: Mapping[str, Any], *, essential_only: bool = False) -> dict[str, Any]:
    """The endpoint as the record carries it: no address, nothing nested too deep."""
    keep = ESSENTIAL_ENDPOINT_FIELDS if essential_only else None
    return {
        k: v
        for k, v in endpoint.items()
        if k != "Address" and (keep is None or k in keep) and not too_deep(v, MAX_DEPTH - 1)
    }


def context_attributes(event: CustomChannelEvent) -> dict[str, str]:
    """campaign_id / campaign_activity_id / treatment_id, or journey_id / journey_activity_id."""
    if event.is_journey:
        attributes = {"journey_id": event.JourneyId or "", "journey_activity_id": event.ActivityId or ""}
    else:
        attributes = {
            "campaign_id": event.CampaignId or "",
            "campaign_activity_id": event.ActivityId or "",
            "treatment_id": event.TreatmentId or "",
        }
    return {k: v for k, v in attributes.items() if v}


def outcome_record(
    event: CustomChannelEvent,
    endpoint_id: str,
    endpoint: Mapping[str, Any],
    outcome: Outcome,
    *,
    essential_only: bool = False,
) -> dict[str, Any]:
    event_type, attributes, facets = _shape(event, outcome)
    base = {**context_attributes(event), "delivery_status": outcome.status.value, "channel": outcome.channel}
    if outcome.message_id:
        base["message_id"] = outcome.message_id
    if outcome.reason:
        base["reason"] = outcome.reason
    return build_event_record(
        event_type=event_type,
        application_id=event.ApplicationId,
        endpoint_id=endpoint_id,
        attributes={**base, **attributes},
        endpoint=record_endpoint(endpoint, essential_only=essential_only),
        facets=facets,
    )


def message_record(outcome: Outcome) -> tuple[str, dict[str, str], dict | None] | None:
    """The email or SMS channel's own record for ``outcome``: ``(event_type, attributes, facets)``.

    ``_email.send`` / ``_email.rendering_failure`` / ``_email.rejected`` and ``_SMS.BUFFERED`` /
    ``_SMS.FAILURE`` as Pinpoint wrote them, or ``None`` when the outcome has no such record (a
    skip, a deadline, another channel). The custom channel and the API's SendMessages both write
    these; everything else is theirs to shape.
    """
    status, channel, details = outcome.status, outcome.channel, outcome.details
    if channel == "EMAIL" and status is DeliveryStatus.SUCCESSFUL:
        return "_email.send", {"feedback": "received"}, _mail_facets(outcome, {"send": {}})
    if channel == "EMAIL" and outcome.reason in RENDERING_REASONS:
        return "_email.rendering_failure", {}, None
    if channel == "EMAIL" and outcome.reason == "MessageRejected":
        return "_email.rejected", {}, _mail_facets(outcome, {"reject": {"reason": details.get("detail", "")}})
    if channel == "SMS" and status in (DeliveryStatus.SUCCESSFUL, DeliveryStatus.PERMANENT_FAILURE):
        successful = status is DeliveryStatus.SUCCESSFUL
        attributes = {
            "record_status": "PENDING" if successful else outcome.reason.upper(),
            # Pinpoint writes "Transactional" / "Promotional" (reference §2).
            "message_type": details.get("message_type", "TRANSACTIONAL").capitalize(),
            "destination_phone_number": details.get("address", ""),
            "origination_phone_number": details.get("origination", ""),
        }
        return ("_SMS.BUFFERED" if successful else "_SMS.FAILURE"), attributes, None
    return None


def _shape(event: CustomChannelEvent, outcome: Outcome) -> tuple[str, dict[str, str], dict | None]:
    if (own := message_record(outcome)) is not None:
        return own
    status = outcome.status
    if outcome.channel == "WEBHOOK" and status is DeliveryStatus.SUCCESSFUL:
        return "_custom.send", {}, None
    if event.is_journey:
        return (
            "_journey.send",
            {
                "journey_send_status": status.value,
                "journey_activity_type": "CUSTOM",
                "journey_send_status_message": outcome.reason,
            },
            None,
        )
    return "_campaign.send", {"campaign_send_status": status.value, "delivery_type": "CUSTOM"}, None


def _mail_facets(outcome: Outcome, event_part: dict) -> dict:
    details = outcome.details
    address = details.get("address", "")
    sender = details.get("from", "")
    mail = {
        "message_id": outcome.message_id,
        "message_send_timestamp": int(time.time() * 1000),
        "from_address": sender,
        "destination": [address] if address else [],
        "headers_truncated": False,
        "common_headers": {
            "from": sender,
            "to": [address] if address else [],
            "subject": details.get("subject", "")[:MAX_SUBJECT_CHARS],
        },
    }
    return {"email_channel": {"mail_event": {"mail": mail, **event_part}}}
