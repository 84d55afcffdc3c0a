"""Pinpoint's 83 KPI names, each one SQL query over ``kpi_events`` (docs/analytics.md).

A KPI is (scope, name): ``application``, ``campaign`` or ``journey`` - the same name can exist in
two scopes (``successful-delivery-rate`` for all campaigns of a project, or for one campaign).
Every query is written once in the SQL both engines run (Athena's Trino and DuckDB): plain
``CASE``/``count``/``NULLIF``/``GREATEST``, ``?`` parameters in a fixed order
(application id, first day, last day, start ms, end ms, then the campaign or journey id).
Measures follow Pinpoint's documented formulas (developer guide, analytics-standard-metrics);
where it is silent the choice is written in docs/analytics.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from engagement.analytics.schema import VIEW

Scope = Literal["application", "campaign", "journey"]

EMAIL_SEND = "'_email.send'"
PUSH_TYPES = "'GCM', 'APNS', 'APNS_SANDBOX', 'APNS_VOIP', 'APNS_VOIP_SANDBOX', 'ADM', 'BAIDU'"
SMS_TYPES = "'_SMS.BUFFERED', '_SMS.SEND', '_SMS.SUCCESS', '_SMS.FAILURE'"


def count(condition: str) -> str:
    return f"count(CASE WHEN {condition} THEN 1 END)"


def distinct(column: str, condition: str) -> str:
    return f"count(DISTINCT CASE WHEN {condition} THEN {column} END)"


def typed(*event_types: str) -> str:
    if len(event_types) == 1:
        return f"event_type = '{event_types[0]}'"
    return "event_type IN (" + ", ".join(f"'{t}'" for t in event_types) + ")"


def ratio(numerator: str, denominator: str) -> str:
    return f"CAST({numerator} AS double) / NULLIF({denominator}, 0)"


def at_least_zero(expression: str) -> str:
    return f"GREATEST({expression}, 0)"


# ---- measures (aggregate expressions over kpi_events rows) --------------------------------
EMAILS_SENT = count(typed("_email.send"))
EMAILS_OPENED = distinct("message_id", typed("_email.open"))  # messages opened, not open events
UNIQUE_OPENS = distinct("endpoint_id", typed("_email.open"))
CLICKS = count(typed("_email.click"))  # every click counts
UNIQUE_CLICKS = distinct("endpoint_id", typed("_email.click"))
HARD_BOUNCES = count(typed("_email.hardbounce"))
SOFT_BOUNCES = count(typed("_email.softbounce"))
COMPLAINTS = count(typed("_email.complaint"))
REJECTIONS = count(typed("_email.rejected"))
UNSUBSCRIBES = count(typed("_email.unsubscribe"))
# Transactional and journey email: "sent, minus soft or hard bounces or rejections".
EMAILS_DELIVERED = at_least_zero(f"{EMAILS_SENT} - {HARD_BOUNCES} - {SOFT_BOUNCES} - {REJECTIONS}")

# Campaign messages on any channel. A send is the channel's own record (email send, SMS accepted,
# custom-channel webhook accepted) or, for push (which has no channel record), a `_campaign.send`
# whose status is SUCCESS. An email or SMS campaign send also writes `_campaign.send`: not counted
# again.
CAMPAIGN_SENT = count(
    f"{typed('_email.send', '_SMS.BUFFERED', '_SMS.SEND', '_custom.send')} "
    f"OR (event_type = '_campaign.send' AND send_status = 'SUCCESS' AND delivery_type IN ({PUSH_TYPES}))"
)
# "sent minus ... hard bounce"; an SMS permanent failure is SMS's hard bounce.
CAMPAIGN_HARD_FAILURES = count(typed("_email.hardbounce", "_SMS.FAILURE"))
CAMPAIGN_DELIVERED = at_least_zero(f"{CAMPAIGN_SENT} - {CAMPAIGN_HARD_FAILURES}")
CAMPAIGN_EMAILS_DELIVERED = at_least_zero(f"{EMAILS_SENT} - {HARD_BOUNCES}")
UNIQUE_DELIVERIES = distinct(
    "endpoint_id",
    f"{typed('_email.delivered', '_SMS.SUCCESS', '_custom.send')} "
    f"OR (event_type = '_campaign.send' AND send_status = 'SUCCESS' AND delivery_type IN ({PUSH_TYPES}))",
)
PUSH_DELIVERED = count(
    f"event_type = '_campaign.send' AND send_status = 'SUCCESS' AND delivery_type IN ({PUSH_TYPES})"
)
PUSH_OPENS = count(typed("_campaign.opened_notification"))

# Transactional SMS: measured per message (message_id), from a per-message CTE (SMS_MESSAGES).
SMS_SENT = "count(*)"
SMS_DELIVERED = "count(CASE WHEN delivered = 1 THEN 1 END)"
SMS_PARTS_SENT = "sum(parts)"
SMS_PARTS_DELIVERED = "sum(CASE WHEN delivered = 1 THEN parts ELSE 0 END)"
SMS_TOTAL_PRICE_USD = "sum(price) / 100000.0"  # price_in_millicents_usd -> US dollars

# ---- scopes and groupings -------------------------------------------------------------------
SCOPE_FILTERS = {
    "campaigns": "campaign_id IS NOT NULL",
    "transactional": "campaign_id IS NULL AND journey_id IS NULL",
    "campaign": "campaign_id = ?",
    "journey": "journey_id = ?",
}
GROUPS = {  # suffix -> (column, GroupedBys key)
    "": (None, None),
    "-grouped-by-date": ("dt", "Date"),
    "-grouped-by-campaign": ("campaign_id", "CampaignId"),
    "-grouped-by-campaign-activity": ("campaign_activity_id", "CampaignActivityId"),
    "-grouped-by-journey-activity": ("journey_activity_id", "JourneyActivityId"),
    "-grouped-by-country": ("country", "Country"),
}
COMMON_FILTER = "application_id = ? AND dt BETWEEN ? AND ? AND event_timestamp BETWEEN ? AND ?"


@dataclass(frozen=True)
class Kpi:
    scope: Scope
    name: str
    value_key: str  # Values[].Key, e.g. "UniqueDeliveries"
    measure: str  # aggregate SQL expression
    subset: str  # key of SCOPE_FILTERS
    group_column: str | None = None
    group_key: str | None = None  # GroupedBys[].Key
    source: Literal["events", "sms_messages"] = "events"
    only: str = ""  # an extra row filter (SQL condition)

    @property
    def sql(self) -> str:
        """The query; result columns ``grouping`` (if grouped) and ``value``."""
        where = f"{COMMON_FILTER} AND {SCOPE_FILTERS[self.subset]}"
        if self.only:
            where += f" AND {self.only}"
        select = f"{self.measure} AS value"
        group = ""
        if self.group_column:
            select = f"{self.group_column} AS grouping, {select}"
            group = f"\nGROUP BY {self.group_column}\nORDER BY grouping"
        if self.source == "sms_messages":
            return (
                f"WITH sms_messages AS (\n{sms_messages_sql(where)}\n)\n"
                f"SELECT {select}\nFROM sms_messages{group}"
            )
        return f"SELECT {select}\nFROM {VIEW}\nWHERE {where}{group}"

    @property
    def parameter_count(self) -> int:
        return self.sql.count("?")


def sms_messages_sql(where: str) -> str:
    """One row per SMS message: its first day, country, parts, price and whether it arrived."""
    return (
        "  SELECT message_id, min(dt) AS dt, COALESCE(max(iso_country_code), 'UNKNOWN') AS country,\n"
        "    COALESCE(max(message_parts), 1) AS parts, COALESCE(max(price_millicents), 0) AS price,\n"
        f"    max(CASE WHEN {typed('_SMS.SUCCESS')} THEN 1 ELSE 0 END) AS delivered\n"
        f"  FROM {VIEW}\n  WHERE {where} AND event_type IN ({SMS_TYPES})\n  GROUP BY message_id"
    )


def pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-"))


KPIS: dict[tuple[Scope, str], Kpi] = {}


def _add(scope: Scope, base: str, suffixes: tuple[str, ...], measure: str, subset: str, **extra: str) -> None:
    value_key = extra.pop("value_key", pascal(base))
    for suffix in suffixes:
        column, key = GROUPS[suffix]
        name = base + suffix
        KPIS[(scope, name)] = Kpi(scope, name, value_key, measure, subset, column, key, **extra)  # type: ignore[arg-type]


# Application metrics for campaigns (10).
_add(
    "application",
    "successful-delivery-rate",
    ("", "-grouped-by-date"),
    ratio(CAMPAIGN_DELIVERED, CAMPAIGN_SENT),
    "campaigns",
)
_add(
    "application",
    "email-open-rate",
    ("", "-grouped-by-campaign"),
    ratio(EMAILS_OPENED, CAMPAIGN_EMAILS_DELIVERED),
    "campaigns",
)
_add(
    "application",
    "push-open-rate",
    ("", "-grouped-by-campaign"),
    ratio(PUSH_OPENS, PUSH_DELIVERED),
    "campaigns",
)
_add(
    "application",
    "unique-deliveries",
    ("", "-grouped-by-campaign", "-grouped-by-date"),
    UNIQUE_DELIVERIES,
    "campaigns",
)
_add("application", "successful-deliveries", ("-grouped-by-campaign",), CAMPAIGN_DELIVERED, "campaigns")

# Application metrics for transactional email (22).
for _base, _measure in {
    "txn-emails-sent": EMAILS_SENT,
    "txn-emails-delivered": EMAILS_DELIVERED,
    "txn-emails-delivery-rate": ratio(EMAILS_DELIVERED, EMAILS_SENT),
    "txn-emails-opened": EMAILS_OPENED,
    "txn-emails-unique-opens": UNIQUE_OPENS,
    "txn-emails-clicked": CLICKS,
    "txn-emails-unique-clicks": UNIQUE_CLICKS,
    "txn-emails-hard-bounced": HARD_BOUNCES,
    "txn-emails-soft-bounced": SOFT_BOUNCES,
    "txn-emails-with-complaints": COMPLAINTS,
    "txn-emails-complaint-rate": ratio(COMPLAINTS, EMAILS_SENT),
}.items():
    _add("application", _base, ("", "-grouped-by-date"), _measure, "transactional")

# Application metrics for transactional SMS (16).
_SMS = {"source": "sms_messages"}
_add(
    "application",
    "txn-sms-sent",
    ("", "-grouped-by-country", "-grouped-by-date"),
    SMS_SENT,
    "transactional",
    **_SMS,
)
_add(
    "application",
    "txn-sms-delivered",
    ("", "-grouped-by-country", "-grouped-by-date"),
    SMS_DELIVERED,
    "transactional",
    **_SMS,
)
_add(
    "application",
    "txn-sms-delivery-rate",
    ("", "-grouped-by-date"),
    ratio(SMS_DELIVERED, SMS_SENT),
    "transactional",
    **_SMS,
)
_add(
    "application",
    "txn-sms-sent-by-parts",
    ("", "-grouped-by-country"),
    SMS_PARTS_SENT,
    "transactional",
    **_SMS,
)
_add(
    "application",
    "txn-sms-delivered-by-parts",
    ("", "-grouped-by-country"),
    SMS_PARTS_DELIVERED,
    "transactional",
    **_SMS,
)
_add(
    "application",
    "txn-sms-average-price",
    ("-grouped-by-country",),
    f"{SMS_TOTAL_PRICE_USD} / NULLIF(count(*), 0)",
    "transactional",
    **_SMS,
)
_add(
    "application",
    "txn-sms-average-price-by-parts",
    ("-grouped-by-country",),
    f"{SMS_TOTAL_PRICE_USD} / NULLIF(sum(parts), 0)",
    "transactional",
    **_SMS,
)
_add(
    "application",
    "txn-sms-total-price",
    ("-grouped-by-country",),
    SMS_TOTAL_PRICE_USD,
    "transactional",
    **_SMS,
)
KPIS[("application", "txn-sms-error-distribution")] = Kpi(
    "application",
    "txn-sms-error-distribution",
    "TxnSmsErrorDistribution",
    "count(*)",
    "transactional",
    "COALESCE(record_status, 'UNKNOWN')",
    "ErrorCode",
    only=typed("_SMS.FAILURE"),
)

# Campaign metrics (17).
_RUN = "-grouped-by-campaign-activity"
_add("campaign", "hard-bounce-rate", ("", _RUN), ratio(HARD_BOUNCES, EMAILS_SENT), "campaign")
_add(
    "campaign",
    "successful-delivery-rate",
    ("", _RUN, "-grouped-by-date"),
    ratio(CAMPAIGN_DELIVERED, CAMPAIGN_SENT),
    "campaign",
)
_add("campaign", "email-open-rate", ("", _RUN), ratio(EMAILS_OPENED, CAMPAIGN_EMAILS_DELIVERED), "campaign")
_add("campaign", "unique-deliveries", ("", _RUN, "-grouped-by-date"), UNIQUE_DELIVERIES, "campaign")
_add("campaign", "push-open-rate", ("", _RUN), ratio(PUSH_OPENS, PUSH_DELIVERED), "campaign")
_add("campaign", "direct-email-opens", (_RUN,), EMAILS_OPENED, "campaign")
_add("campaign", "clicks", (_RUN,), CLICKS, "campaign")
_add("campaign", "successful-deliveries", (_RUN,), CAMPAIGN_DELIVERED, "campaign")
_add("campaign", "attempted-deliveries", (_RUN,), CAMPAIGN_SENT, "campaign")
_add("campaign", "direct-push-opens", (_RUN,), PUSH_OPENS, "campaign")

# Journey engagement metrics (18).
for _word, _measure in {
    "sent": EMAILS_SENT,
    "delivered": EMAILS_DELIVERED,
    "opened": EMAILS_OPENED,
    "clicked": CLICKS,
    "hardbounced": HARD_BOUNCES,
    "softbounced": SOFT_BOUNCES,
    "complained": COMPLAINTS,
    "rejected": REJECTIONS,
    "unsubscribed": UNSUBSCRIBES,
}.items():
    _add("journey", f"journey-emails-{_word}", ("",), _measure, "journey")
    _add("journey", f"emails-{_word}", ("-grouped-by-journey-activity",), _measure, "journey")

RATE_KEYS = frozenset(k.value_key for k in KPIS.values() if "Rate" in k.value_key or "Price" in k.value_key)


def kpi(scope: Scope, name: str) -> Kpi | None:
    return KPIS.get((scope, name))


def names(scope: Scope) -> list[str]:
    return sorted(name for kpi_scope, name in KPIS if kpi_scope == scope)


# ---- what each measure means (docs/analytics.md is generated from this and the SQL) ------------
_SENT_CAMPAIGN = (
    "messages sent: `_email.send`, `_SMS.BUFFERED`/`_SMS.SEND`, `_custom.send`, and `_campaign.send` "
    "with `campaign_send_status` SUCCESS (push)"
)
MEANINGS = {
    "successful-delivery-rate": f"(sent - hard failures) / sent, where sent = {_SENT_CAMPAIGN}; "
    "hard failures = `_email.hardbounce` + `_SMS.FAILURE` (Pinpoint: delivered = sent minus hard bounces)",
    "email-open-rate": "emails opened (distinct message ids of `_email.open`) / emails delivered "
    "(`_email.send` - `_email.hardbounce`)",
    "push-open-rate": "`_campaign.opened_notification` / push deliveries (`_campaign.send` SUCCESS with a "
    "push `delivery_type`)",
    "unique-deliveries": "distinct endpoints with a delivery: `_email.delivered`, `_SMS.SUCCESS`, "
    "`_custom.send`, push `_campaign.send` SUCCESS",
    "successful-deliveries": f"sent - hard failures ({_SENT_CAMPAIGN})",
    "hard-bounce-rate": "`_email.hardbounce` / `_email.send`",
    "direct-email-opens": "emails opened (distinct message ids of `_email.open`)",
    "clicks": "every `_email.click`",
    "attempted-deliveries": _SENT_CAMPAIGN,
    "direct-push-opens": "every `_campaign.opened_notification`",
    "txn-emails-sent": "`_email.send`",
    "txn-emails-delivered": "`_email.send` - `_email.hardbounce` - `_email.softbounce` - `_email.rejected` "
    "(at least 0; Pinpoint's formula)",
    "txn-emails-delivery-rate": "delivered (as txn-emails-delivered) / `_email.send`",
    "txn-emails-opened": "messages opened: distinct message ids of `_email.open`",
    "txn-emails-unique-opens": "distinct endpoints with an `_email.open`",
    "txn-emails-clicked": "every `_email.click`",
    "txn-emails-unique-clicks": "distinct endpoints with an `_email.click`",
    "txn-emails-hard-bounced": "`_email.hardbounce`",
    "txn-emails-soft-bounced": "`_email.softbounce`",
    "txn-emails-with-complaints": "`_email.complaint`",
    "txn-emails-complaint-rate": "`_email.complaint` / `_email.send`",
    "txn-sms-sent": "SMS messages (distinct message ids over `_SMS.BUFFERED/SEND/SUCCESS/FAILURE`)",
    "txn-sms-delivered": "SMS messages with an `_SMS.SUCCESS`",
    "txn-sms-delivery-rate": "SMS messages delivered / SMS messages sent",
    "txn-sms-sent-by-parts": "sum of `number_of_message_parts` (1 when absent) over messages sent",
    "txn-sms-delivered-by-parts": "sum of parts over delivered messages",
    "txn-sms-average-price": "total price (USD) / messages; a message's price is its largest "
    "`price_in_millicents_usd` / 100,000",
    "txn-sms-average-price-by-parts": "total price (USD) / parts",
    "txn-sms-total-price": "sum of message prices (USD)",
    "txn-sms-error-distribution": "`_SMS.FAILURE` records by `record_status` (UNKNOWN when absent)",
}
for _word, _event in {
    "sent": "`_email.send`",
    "delivered": "`_email.send` - hard - soft bounces - rejections (at least 0; Pinpoint's formula)",
    "opened": "messages opened (distinct message ids of `_email.open`)",
    "clicked": "every `_email.click`",
    "hardbounced": "`_email.hardbounce`",
    "softbounced": "`_email.softbounce`",
    "complained": "`_email.complaint`",
    "rejected": "`_email.rejected`",
    "unsubscribed": "every `_email.unsubscribe` (unsubscribe-link click or SES list unsubscribe)",
}.items():
    MEANINGS[f"journey-emails-{_word}"] = MEANINGS[f"emails-{_word}"] = _event
SUBSETS = {
    "campaigns": "all campaign records of the application (`campaign_id` set)",
    "transactional": "transactional records (neither `campaign_id` nor `journey_id`)",
    "campaign": "records of the campaign (`campaign_id` = CampaignId)",
    "journey": "records of the journey (`journey_id` = JourneyId)",
}


def meaning(definition: Kpi) -> str:
    base = definition.name
    for suffix in GROUPS:
        if suffix and base.endswith(suffix):
            base = base.removesuffix(suffix)
    return MEANINGS[base]


def markdown() -> str:
    """The KPI catalogue of docs/analytics.md (between its KPI markers)."""
    out = []
    for scope in ("application", "campaign", "journey"):
        out.append(f"### {scope.capitalize()} KPIs ({len(names(scope))})\n")
        for name in names(scope):
            definition = KPIS[(scope, name)]
            grouped = f", grouped by `{definition.group_key}`" if definition.group_key else ""
            out.append(
                f"#### `{name}` ({scope})\n\n{meaning(definition)}; over {SUBSETS[definition.subset]}"
                f"{grouped}. Value key `{definition.value_key}`.\n\n```sql\n{definition.sql}\n```\n"
            )
    return "\n".join(out)
