"""Transactional event-stream records, as Pinpoint wrote them for SendMessages (reference §2).

No ``campaign_id`` or ``journey_id``: a transactional send belongs to neither. ``client_id`` is
the endpoint id for endpoint and user sends and a UUID for address sends (Pinpoint: "for
Transactional sending, it is a UUID"). The request's ``Context`` travels as
``attributes.customer_context`` (a JSON string, as Pinpoint put it) and ``TraceId`` as
``attributes.trace_id``. Sends get ``_email.send`` / ``_SMS.BUFFERED`` (the carrier's final
``_SMS.SUCCESS``/``_SMS.FAILURE`` arrive later through the SMS events); a failed render
``_email.rendering_failure``; a provider refusal ``_email.rejected`` / ``_SMS.FAILURE``.
Recipients that were never attempted (opted out, inactive, unknown) get no record.
"""

from __future__ import annotations

import json
from typing import Any

from engagement.channel.outcome import Outcome
from engagement.channel.records import message_record
from engagement.events.records import build_event_record


def send_record(request: Any, recipient: Any, outcome: Outcome) -> dict[str, Any] | None:
    """The record for one recipient's outcome, or ``None`` when nothing was attempted."""
    shaped = message_record(outcome)  # the custom channel's shaping: one for both
    if shaped is None:
        return None
    event_type, attributes, facets = shaped
    base: dict[str, str] = {}
    if outcome.message_id:
        base["message_id"] = outcome.message_id
    context = request.context(recipient.config)
    if context:
        base["customer_context"] = json.dumps(context, separators=(",", ":"), sort_keys=True)
    if request.body.get("TraceId"):
        base["trace_id"] = str(request.body["TraceId"])
    endpoint = recipient.endpoint
    return build_event_record(
        event_type=event_type,
        application_id=request.application_id,
        endpoint_id=recipient.stream_client_id,
        attributes={**base, **attributes},
        endpoint={k: v for k, v in endpoint.items() if k != "Address"} if endpoint is not None else None,
        facets=facets,
    )
