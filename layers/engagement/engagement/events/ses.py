"""Normalise SES event publishing (via EventBridge) into Pinpoint event-stream records.

With Pinpoint gone, SES publishes the email events. Writing them into the same Kinesis stream
in Pinpoint's format means one consumer, one suppression policy and one analytics schema serve
both worlds. The custom channel tags every email (``application_id``, ``campaign_id`` or
``journey_id``, ``activity_id``, ``treatment_id``, ``endpoint_id``); those tags map the event
back to the project and endpoint. Mail sent outside our channel has no such tags: it is recorded
under ``default_application_id`` (or ``unattributed``) with ``client_id`` = the SES message id,
so it still reaches analytics, and a bounce still suppresses the address in that application.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from engagement.events.records import build_event_record
from engagement.events.ses_models import InvalidSesEvent, NotAnSesEvent, validate_ses_event

__all__ = ["InvalidSesEvent", "NotAnSesEvent", "normalise_ses_event"]

UNATTRIBUTED_APPLICATION_ID = "unattributed"
UNSUBSCRIBE_LINK_TAG = "unsubscribeLinkTag"

# SES eventType -> (Pinpoint event type, attributes.feedback, facet key)
SIMPLE_TYPES = {
    "Send": ("_email.send", "received", "send"),
    "Delivery": ("_email.delivered", "delivered", "delivery"),
    "Reject": ("_email.rejected", "rejected", "reject"),
    "Open": ("_email.open", "opened", "open"),
    "Complaint": ("_email.complaint", "complaint", "complaint"),
    "Rendering Failure": ("_email.rendering_failure", "rendering_failure", "failure"),
    "DeliveryDelay": ("_email.delivery_delay", "delayed", "deliveryDelay"),
}
_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])")
_OPAQUE_KEYS = {"linkTags", "tags"}  # user-defined names inside: keep them as SES sent them


def snake(value: Any) -> Any:
    """camelCase keys to snake_case, recursively (``reportingMTA`` -> ``reporting_mta``)."""
    if isinstance(value, Mapping):
        return {
            _CAMEL.sub(r"_\1", key).lower(): (item if key in _OPAQUE_KEYS else snake(item))
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [snake(item) for item in value]
    return value


def epoch_ms(value: Any) -> int | None:
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, str) and value:
        try:
            return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1000)
        except ValueError:
            return None
    return None


def _tag(tags: Mapping[str, Any], name: str) -> str:
    values = tags.get(name)
    if isinstance(values, list) and values:
        return str(values[0])
    return str(values) if isinstance(values, str) else ""


def attribution(tags: Mapping[str, Any]) -> dict[str, str]:
    """The custom channel's tags as Pinpoint event attributes (campaign or journey)."""
    activity = _tag(tags, "activity_id")
    attributes: dict[str, str] = {}
    if campaign := _tag(tags, "campaign_id"):
        attributes.update(campaign_id=campaign, campaign_activity_id=activity)
        attributes["treatment_id"] = _tag(tags, "treatment_id") or "0"
    elif journey := _tag(tags, "journey_id"):
        attributes.update(journey_id=journey, journey_activity_id=activity)
    return {key: value for key, value in attributes.items() if value}


def mail_facet(mail: Mapping[str, Any]) -> dict[str, Any]:
    common = mail.get("commonHeaders") or {}
    sender = common.get("from")
    return {
        "message_id": mail.get("messageId"),
        "message_send_timestamp": epoch_ms(mail.get("timestamp")),
        "from_address": mail.get("source"),
        "destination": list(mail.get("destination") or []),
        "headers_truncated": mail.get("headersTruncated"),
        "headers": list(mail.get("headers") or []),
        "common_headers": {
            "from": sender[0] if isinstance(sender, list) and sender else sender,
            "to": list(common.get("to") or []),
            "subject": common.get("subject"),
        },
    }


def _event_types(detail: Mapping[str, Any]) -> list[tuple[str, str, str, Any]]:
    """[(Pinpoint event type, feedback, facet key, facet body)] for one SES event."""
    kind = detail.get("eventType") or detail.get("notificationType")
    if kind == "Bounce":
        bounce = detail.get("bounce") or {}
        hard = bounce.get("bounceType") == "Permanent"
        return [("_email.hardbounce" if hard else "_email.softbounce", "bounced", "bounce", bounce)]
    if kind == "Click":
        click = detail.get("click") or {}
        found = [("_email.click", str(click.get("link") or ""), "click", click)]
        if UNSUBSCRIBE_LINK_TAG in (click.get("linkTags") or {}):
            found.append(("_email.unsubscribe", "unsubscribed", "click", click))
        return found
    if kind == "Subscription":
        subscription = detail.get("subscription") or {}
        unsubscribed = (subscription.get("newTopicPreferences") or {}).get("unsubscribeAll") is True
        if unsubscribed:
            return [("_email.unsubscribe", "unsubscribed", "subscription", subscription)]
        return [("_email.subscription", "subscription", "subscription", subscription)]
    if kind in SIMPLE_TYPES:
        event_type, feedback, facet = SIMPLE_TYPES[kind]
        return [(event_type, feedback, _facet_name(facet), detail.get(facet) or {})]
    raise NotAnSesEvent(f"unknown SES eventType {kind!r}")


def _facet_name(ses_key: str) -> str:
    return _CAMEL.sub(r"_\1", ses_key).lower()


def normalise_ses_event(
    event: Mapping[str, Any], *, default_application_id: str = ""
) -> list[dict[str, Any]]:
    """Pinpoint-format records for one EventBridge event from ``aws.ses`` (usually one).

    Raises :class:`InvalidSesEvent` (permanent) naming the field when the event is not SES
    event publishing as SES sends it (``ses_models``); nothing half-built reaches the stream.
    """
    validate_ses_event(event)
    try:
        return _records(event, default_application_id)
    except RecursionError:
        raise InvalidSesEvent("invalid SES event: nested too deeply") from None


def _records(event: Mapping[str, Any], default_application_id: str) -> list[dict[str, Any]]:
    detail = event["detail"]
    mail = detail["mail"]
    tags = mail.get("tags") or {}
    application_id = _tag(tags, "application_id") or default_application_id or UNATTRIBUTED_APPLICATION_ID
    endpoint_id = _tag(tags, "endpoint_id") or str(mail.get("messageId") or "")
    sent_ms = epoch_ms(mail.get("timestamp"))
    records = []
    for event_type, feedback, facet, body in _event_types(detail):
        mail_event = {"mail": mail_facet(mail), facet: snake(body)}
        record = build_event_record(
            event_type=event_type,
            application_id=application_id,
            endpoint_id=endpoint_id,
            attributes={**attribution(tags), "feedback": feedback},
            facets={"email_channel": {"mail_event": mail_event}},
            timestamp_ms=sent_ms,
            aws_account_id=str(mail.get("sendingAccountId") or event.get("account") or ""),
        )
        record["client_context"] = {"custom": {"legacy_identifier": application_id}}
        records.append(record)
    return records
