"""Synthetic event-stream records for tests, benchmarks and the demo (deterministic per seed).

Each message gets the records Pinpoint would stream for it: email send, then delivered or a
bounce, sometimes opens, clicks, a complaint or an unsubscribe; SMS buffered then success or
failure with parts and price. Messages belong to campaigns (with runs), journeys (with
activities) or are transactional.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Iterator
from typing import Any

from engagement.events.records import build_event_record

DAY_MS = 86_400_000
COUNTRIES = ("US", "GB", "DE", "BR")
SMS_ERRORS = ("UNREACHABLE", "CARRIER_UNREACHABLE", "BLOCKED", "TTL_EXPIRED")


def _email(kind: str, body: dict | None = None, message_id: str = "") -> dict[str, Any]:
    mail_event: dict[str, Any] = {"mail": {"message_id": message_id, "destination": ["someone@example.com"]}}
    if body is not None:
        mail_event[kind] = body
    return {"email_channel": {"mail_event": mail_event}}


def _add(
    records: list,
    application_id: str,
    endpoint: str,
    context: dict,
    at: int,
    event_type: str,
    offset: int = 0,
    **kw: Any,
) -> None:
    records.append(
        build_event_record(
            event_type=event_type,
            application_id=application_id,
            endpoint_id=endpoint,
            attributes={**context, **kw.pop("attributes", {})},
            timestamp_ms=at + offset,
            **kw,
        )
    )


def generate(
    count: int,
    *,
    application_id: str = "app-1",
    start_ms: int = 1_794_528_000_000,  # 2026-11-13T00:00:00Z
    days: int = 7,
    seed: int = 7,
    campaigns: int = 3,
    journeys: int = 2,
) -> Iterator[dict[str, Any]]:
    """Records for ``count`` messages (each message yields 1-6 records)."""
    rng = random.Random(seed)
    for n in range(count):
        at = start_ms + rng.randrange(days * DAY_MS)
        endpoint = f"ep-{rng.randrange(max(count // 3, 1))}"
        context: dict[str, str] = {}
        owner = rng.random()
        if owner < 0.5:
            campaign = rng.randrange(campaigns)
            context = {
                "campaign_id": f"campaign-{campaign}",
                "campaign_activity_id": f"run-{campaign}-{rng.randrange(2)}",
                "treatment_id": "0",
            }
        elif owner < 0.8:
            journey = rng.randrange(journeys)
            context = {
                "journey_id": f"journey-{journey}",
                "journey_activity_id": f"activity-{rng.randrange(3)}",
            }
        message = f"msg-{n}"
        records: list[dict[str, Any]] = []
        add = functools.partial(_add, records, application_id, endpoint, context, at)

        if rng.random() < 0.75:  # email
            add("_email.send", facets=_email("send", {}, message))
            fate = rng.random()
            if fate < 0.05:
                add("_email.hardbounce", 1000, facets=_email("bounce", {"bounce_type": "Permanent"}, message))
            elif fate < 0.08:
                add("_email.softbounce", 1000, facets=_email("bounce", {"bounce_type": "Transient"}, message))
            elif fate < 0.09:
                add("_email.rejected", 1000, facets=_email("reject", {"reason": "Bad content"}, message))
            else:
                add("_email.delivered", 1000, facets=_email("delivery", {}, message))
                for _ in range(rng.choice((0, 0, 1, 1, 2))):
                    add("_email.open", 60_000, facets=_email("open", {}, message))
                for _ in range(rng.choice((0, 0, 0, 1, 2))):
                    add("_email.click", 90_000, facets=_email("click", {"link": "https://x"}, message))
                if rng.random() < 0.002:
                    add("_email.complaint", 120_000, facets=_email("complaint", {}, message))
                if rng.random() < 0.01:
                    add("_email.unsubscribe", 120_000, facets=_email("click", {}, message))
        else:  # SMS
            country = rng.choice(COUNTRIES)
            parts = str(rng.choice((1, 1, 2, 3)))
            base = {"message_id": message, "iso_country_code": country, "number_of_message_parts": parts}
            add("_SMS.BUFFERED", attributes={**base, "record_status": "PENDING"})
            price = {"price_in_millicents_usd": 645.0 * int(parts)}
            if rng.random() < 0.9:
                add("_SMS.SUCCESS", 5000, attributes={**base, "record_status": "DELIVERED"}, metrics=price)
            else:
                status = rng.choice(SMS_ERRORS)
                add("_SMS.FAILURE", 5000, attributes={**base, "record_status": status}, metrics=price)
        yield from records
