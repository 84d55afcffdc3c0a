"""An independent, pure-Python reading of every KPI definition (docs/analytics.md), for the tests.

Written from the documented formulas over plain record dicts, sharing no code with the SQL in
``engagement.analytics.kpis``: when both agree on a generated event set, the SQL says what the
docs say.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

PUSH = {"GCM", "APNS", "APNS_SANDBOX", "APNS_VOIP", "APNS_VOIP_SANDBOX", "ADM", "BAIDU"}
SMS = {"_SMS.BUFFERED", "_SMS.SEND", "_SMS.SUCCESS", "_SMS.FAILURE"}


def day(record: dict) -> str:
    return datetime.fromtimestamp(record["event_timestamp"] / 1000, UTC).date().isoformat()


def message_id(record: dict) -> str:
    mail = (((record.get("facets") or {}).get("email_channel") or {}).get("mail_event") or {}).get(
        "mail"
    ) or {}
    return (
        mail.get("message_id")
        or record["attributes"].get("message_id")
        or f"{record['client']['client_id']}@{record['event_timestamp']}"
    )


def status(record: dict) -> str | None:
    a = record["attributes"]
    return a.get("campaign_send_status") or a.get("journey_send_status")


def n(records: list, *types: str) -> int:
    return sum(1 for r in records if r["event_type"] in types)


def campaign_sent(rs: list) -> int:
    """One per message: the channel's own send record, or for push (no such record) its
    `_campaign.send` SUCCESS; an email campaign's `_campaign.send` is the same message again."""
    return n(rs, "_email.send", "_SMS.BUFFERED", "_SMS.SEND", "_custom.send") + push_delivered(rs)


def push_delivered(rs: list) -> int:
    return sum(
        1
        for r in rs
        if r["event_type"] == "_campaign.send"
        and status(r) == "SUCCESS"
        and r["attributes"].get("delivery_type") in PUSH
    )


def unique_deliveries(rs: list) -> int:
    delivered = {"_email.delivered", "_SMS.SUCCESS", "_custom.send"}
    return len(
        {
            r["client"]["client_id"]
            for r in rs
            if r["event_type"] in delivered
            or (
                r["event_type"] == "_campaign.send"
                and status(r) == "SUCCESS"
                and r["attributes"].get("delivery_type") in PUSH
            )
        }
    )


def div(a: float, b: float) -> float | None:
    return a / b if b else None


def opened(rs: list) -> int:
    return len({message_id(r) for r in rs if r["event_type"] == "_email.open"})


def emails_delivered(rs: list) -> int:
    sent = n(rs, "_email.send")
    return max(sent - n(rs, "_email.hardbounce") - n(rs, "_email.softbounce") - n(rs, "_email.rejected"), 0)


def campaign_delivered(rs: list) -> int:
    return max(campaign_sent(rs) - n(rs, "_email.hardbounce", "_SMS.FAILURE"), 0)


def campaign_emails_delivered(rs: list) -> int:
    return max(n(rs, "_email.send") - n(rs, "_email.hardbounce"), 0)


EMAIL_MEASURES: dict[str, Callable[[list], float | None]] = {
    "sent": lambda rs: n(rs, "_email.send"),
    "delivered": emails_delivered,
    "delivery-rate": lambda rs: div(emails_delivered(rs), n(rs, "_email.send")),
    "opened": opened,
    "unique-opens": lambda rs: len(
        {r["client"]["client_id"] for r in rs if r["event_type"] == "_email.open"}
    ),
    "clicked": lambda rs: n(rs, "_email.click"),
    "unique-clicks": lambda rs: len(
        {r["client"]["client_id"] for r in rs if r["event_type"] == "_email.click"}
    ),
    "hard-bounced": lambda rs: n(rs, "_email.hardbounce"),
    "soft-bounced": lambda rs: n(rs, "_email.softbounce"),
    "with-complaints": lambda rs: n(rs, "_email.complaint"),
    "complaint-rate": lambda rs: div(n(rs, "_email.complaint"), n(rs, "_email.send")),
}
JOURNEY_WORDS = {
    "sent": "sent",
    "delivered": "delivered",
    "opened": "opened",
    "clicked": "clicked",
    "hardbounced": "hard-bounced",
    "softbounced": "soft-bounced",
    "complained": "with-complaints",
    "rejected": None,
    "unsubscribed": None,
}
CAMPAIGN_MEASURES: dict[str, Callable[[list], float | None]] = {
    "successful-delivery-rate": lambda rs: div(campaign_delivered(rs), campaign_sent(rs)),
    "email-open-rate": lambda rs: div(opened(rs), campaign_emails_delivered(rs)),
    "push-open-rate": lambda rs: div(n(rs, "_campaign.opened_notification"), push_delivered(rs)),
    "unique-deliveries": unique_deliveries,
    "successful-deliveries": campaign_delivered,
    "hard-bounce-rate": lambda rs: div(n(rs, "_email.hardbounce"), n(rs, "_email.send")),
    "direct-email-opens": opened,
    "clicks": lambda rs: n(rs, "_email.click"),
    "attempted-deliveries": campaign_sent,
    "direct-push-opens": lambda rs: n(rs, "_campaign.opened_notification"),
}


def sms_messages(rs: list) -> list[dict[str, Any]]:
    by_id: dict[str, list] = defaultdict(list)
    for r in rs:
        if r["event_type"] in SMS:
            by_id[message_id(r)].append(r)
    messages = []
    for events in by_id.values():
        parts = [
            float(e["attributes"]["number_of_message_parts"])
            for e in events
            if "number_of_message_parts" in e["attributes"]
        ]
        prices = [
            e["metrics"]["price_in_millicents_usd"]
            for e in events
            if "price_in_millicents_usd" in e["metrics"]
        ]
        countries = [
            e["attributes"]["iso_country_code"] for e in events if e["attributes"].get("iso_country_code")
        ]
        messages.append(
            {
                "dt": min(day(e) for e in events),
                "country": max(countries) if countries else "UNKNOWN",
                "parts": max(parts) if parts else 1.0,
                "price": max(prices) if prices else 0.0,
                "delivered": any(e["event_type"] == "_SMS.SUCCESS" for e in events),
            }
        )
    return messages


SMS_MEASURES: dict[str, Callable[[list], float | None]] = {
    "sent": len,
    "delivered": lambda ms: sum(1 for m in ms if m["delivered"]),
    "delivery-rate": lambda ms: div(sum(1 for m in ms if m["delivered"]), len(ms)),
    "sent-by-parts": lambda ms: sum(m["parts"] for m in ms) if ms else None,
    "delivered-by-parts": lambda ms: sum(m["parts"] for m in ms if m["delivered"]) if ms else None,
    "average-price": lambda ms: div(sum(m["price"] for m in ms) / 100000, len(ms)),
    "average-price-by-parts": lambda ms: div(
        sum(m["price"] for m in ms) / 100000, sum(m["parts"] for m in ms)
    ),
    "total-price": lambda ms: sum(m["price"] for m in ms) / 100000 if ms else None,
}

GROUP_FIELDS: dict[str, Callable[[dict], Any]] = {
    "date": day,
    "campaign": lambda r: r["attributes"].get("campaign_id"),
    "campaign-activity": lambda r: r["attributes"].get("campaign_activity_id"),
    "journey-activity": lambda r: r["attributes"].get("journey_activity_id"),
}


def split_name(name: str) -> tuple[str, str | None]:
    if "-grouped-by-" in name:
        base, group = name.split("-grouped-by-")
        return base, group
    return name, None


def rows(measure: Callable[[list], Any], records: list, group: str | None) -> dict[str | None, float]:
    """{group value (None when ungrouped): value}, NULL values left out (as Pinpoint does)."""
    if group is None:
        value = measure(records)
        return {} if value is None else {None: float(value)}
    groups: dict[Any, list] = defaultdict(list)
    for r in records:
        groups[GROUP_FIELDS[group](r)].append(r)
    result = {}
    for key, members in groups.items():
        value = measure(members)
        if value is not None:
            result[key] = float(value)
    return result


def sms_rows(measure: Callable[[list], Any], records: list, group: str | None) -> dict[str | None, float]:
    messages = sms_messages(records)
    if group is None:
        value = measure(messages)
        return {} if value is None else {None: float(value)}
    field = {"country": "country", "date": "dt"}[group]
    groups: dict[Any, list] = defaultdict(list)
    for m in messages:
        groups[m[field]].append(m)
    return {k: float(v) for k, ms in groups.items() if (v := measure(ms)) is not None}


def expected(scope: str, name: str, records: Iterable[dict], scope_id: str | None) -> dict[str | None, float]:
    """What ``name`` must return over ``records`` (already filtered to the app and the window)."""
    records = list(records)
    attrs = lambda r: r["attributes"]  # noqa: E731
    base, group = split_name(name)
    if scope == "journey":
        rs = [r for r in records if attrs(r).get("journey_id") == scope_id]
        word = base.removeprefix("journey-emails-").removeprefix("emails-")
        key = JOURNEY_WORDS[word]
        if key is None:
            event = {"rejected": "_email.rejected", "unsubscribed": "_email.unsubscribe"}[word]
            return rows(lambda rs: n(rs, event), rs, group)
        return rows(EMAIL_MEASURES[key], rs, group)
    if scope == "campaign":
        rs = [r for r in records if attrs(r).get("campaign_id") == scope_id]
        return rows(CAMPAIGN_MEASURES[base], rs, group)
    if base.startswith("txn-"):
        rs = [r for r in records if not attrs(r).get("campaign_id") and not attrs(r).get("journey_id")]
        if base == "txn-sms-error-distribution":
            failures = [r for r in rs if r["event_type"] == "_SMS.FAILURE"]
            counts: dict[str | None, float] = defaultdict(float)
            for r in failures:
                counts[attrs(r).get("record_status") or "UNKNOWN"] += 1
            return dict(counts)
        if base.startswith("txn-sms-"):
            return sms_rows(SMS_MEASURES[base.removeprefix("txn-sms-")], rs, group)
        return rows(EMAIL_MEASURES[base.removeprefix("txn-emails-")], rs, group)
    rs = [r for r in records if attrs(r).get("campaign_id")]
    return rows(CAMPAIGN_MEASURES[base], rs, group)
