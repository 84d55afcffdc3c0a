"""First pass over a Kinesis batch: decide per record, cheaply, what it asks for.

The hot path is ``base64`` + ``json.loads`` + dict lookups: most records (sends, deliveries,
opens, custom events) are only counted. Only records the policy acts on are validated with the
pydantic models, so a malformed bounce is quarantined with a precise reason while a 10,000-record
batch of opens costs a few microseconds per record (benchmarks/bench_event_stream.py).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from engagement.suppression.policy import HARD_BOUNCE, SOFT_BOUNCE, SuppressionPolicy, channel_of

IGNORE = "ignore"
SUPPRESS = "suppress"
SOFTBOUNCE = "softbounce"
QUARANTINE = "quarantine"


@dataclass(slots=True)
class Classified:
    """The decision for one Kinesis record (``event_id`` is Lambda's ``shardId:sequenceNumber``)."""

    event_id: str
    sequence_number: str
    kind: str
    event_type: str = ""
    reason: str = ""  # policy reason (hardbounce ...) or why the record is quarantined
    application_id: str = ""
    endpoint_id: str = ""
    channel: str = ""
    addresses: tuple[str, ...] = ()
    timestamp_ms: int = 0
    dedupe_key: str = ""  # soft bounces: counted once per key
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


def classify(record: Mapping[str, Any], policy: SuppressionPolicy) -> Classified:
    """Classify one Lambda Kinesis record (``{"eventID", "kinesis": {"data", "sequenceNumber"}}``)."""
    kinesis = record.get("kinesis") or {}
    result = Classified(
        event_id=str(record.get("eventID") or kinesis.get("sequenceNumber") or ""),
        sequence_number=str(kinesis.get("sequenceNumber") or ""),
        kind=QUARANTINE,
        raw=record,
    )
    try:
        payload = json.loads(base64.b64decode(kinesis.get("data") or "", validate=True))
    except (binascii.Error, ValueError, TypeError, RecursionError) as exc:
        # RecursionError: JSON nested thousands deep; as unparseable as any other bad record.
        result.reason = f"not a base64 JSON record: {type(exc).__name__}"
        return result
    if not isinstance(payload, dict):
        result.reason = f"record is a JSON {type(payload).__name__}, not an object"
        return result
    event_type = payload.get("event_type")
    application = payload.get("application")
    app_id = application.get("app_id") if isinstance(application, dict) else None
    if not isinstance(event_type, str) or not event_type or not isinstance(app_id, str) or not app_id:
        result.reason = "missing event_type or application.app_id"
        return result
    result.event_type = event_type
    result.application_id = app_id
    reason = policy.rules.get(event_type)
    if reason is None and event_type != SOFT_BOUNCE:
        result.kind = IGNORE
        return result
    return _actionable(result, payload, reason, policy)


def _actionable(
    result: Classified, payload: dict[str, Any], reason: str | None, policy: SuppressionPolicy
) -> Classified:
    """Validate a record the policy acts on and pull out who it is about."""
    from pydantic import ValidationError

    from engagement.events.models import PinpointEventRecord

    try:
        event = PinpointEventRecord.model_validate(payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        result.reason = f"invalid {result.event_type} record: {where}: {first['msg']}"
        return result
    except RecursionError:
        result.reason = f"invalid {result.event_type} record: nested too deeply"
        return result
    mail_event = event.mail_event
    bounce = mail_event.bounce if mail_event else None
    if event.event_type == HARD_BOUNCE and bounce and bounce.bounce_type not in (None, "Permanent"):
        reason = None  # a "hard" bounce SES calls Transient/Undetermined counts as a soft bounce
    result.kind = SUPPRESS if reason else SOFTBOUNCE
    result.reason = reason or "softbounce"
    result.channel = channel_of(event.event_type) or ""
    result.endpoint_id = event.client.client_id or ""
    result.timestamp_ms = event.event_timestamp
    result.addresses = _addresses(event, result.channel)
    feedback_id = bounce.feedback_id if bounce else None
    result.dedupe_key = feedback_id or result.event_id
    if not result.channel or not (result.endpoint_id or result.addresses):
        result.kind = QUARANTINE
        result.reason = f"{result.event_type} record names no endpoint (client.client_id) and no address"
    return result


def _addresses(event: Any, channel: str) -> tuple[str, ...]:
    """The addresses an event is about: recipients in the facets, else the attributes or endpoint."""
    found: list[str] = []
    mail_event = event.mail_event
    if channel == "EMAIL" and mail_event:
        if mail_event.bounce:
            found += [r.email_address for r in mail_event.bounce.bounced_recipients if r.email_address]
        if mail_event.complaint:
            found += [r.email_address for r in mail_event.complaint.complained_recipients if r.email_address]
        if not found and mail_event.mail:
            found += [address for address in mail_event.mail.destination if address]
    if channel == "SMS":
        phone = event.attributes.get("destination_phone_number")
        if isinstance(phone, str) and phone:
            found.append(phone)
    if not found:
        found += _endpoint_address(event, channel)
    return tuple(dict.fromkeys(address.strip() for address in found if address.strip()))


def _endpoint_address(event: Any, channel: str) -> list[str]:
    """``client_context.custom.endpoint`` is the endpoint as a JSON string (campaign/journey events)."""
    custom = event.client_context.custom if event.client_context else {}
    text = custom.get("endpoint")
    try:
        endpoint = json.loads(text) if isinstance(text, str) else None
    except (ValueError, RecursionError):
        return []
    if isinstance(endpoint, dict) and endpoint.get("ChannelType") == channel:
        address = endpoint.get("Address")
        return [address] if isinstance(address, str) else []
    return []
