"""A recipient's local time, as campaigns and journeys both read it: time zones, ``HH:MM``, quiet time.

Pinpoint names a campaign's or journey's zone as a UTC offset (``"UTC"``, ``"UTC-05"``,
``"UTC+05:30"``) and an endpoint's as an IANA name in ``Demographic.Timezone``
(``"America/New_York"``); :func:`parse_zone` reads both. ``QuietTime{Start, End}`` is ``HH:MM`` in
the endpoint's zone, from ``Start`` (inclusive) to ``End`` (exclusive), crossing midnight when
``End`` is earlier (``22:00``-``07:00``). Pinpoint's docs say nothing of ``Start == End``: here it
is **no quiet time** (not a whole day of it), for campaigns and journeys alike
(docs/campaigns.md, docs/journey-definitions.md).

Standard library only, so ``engagement.campaigns`` and ``engagement.journeys`` import it freely.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_OFFSET = re.compile(r"(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?")


@cache
def parse_zone(name: str | None) -> dt.tzinfo | None:
    """``"UTC-05"`` / ``"UTC+05:30"`` / ``"America/New_York"`` -> tzinfo; ``None`` if unknown or empty."""
    text = (name or "").strip()
    if not text:
        return None
    if text.upper() in ("UTC", "GMT", "Z"):
        return dt.UTC
    match = _OFFSET.fullmatch(text.upper())
    if match:
        sign, hours, minutes = match.groups()
        offset = dt.timedelta(hours=int(hours), minutes=int(minutes or 0))
        if offset > dt.timedelta(hours=14):
            return None
        return dt.timezone(-offset if sign == "-" else offset)
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def endpoint_zone(endpoint: Mapping[str, Any], estimate: Iterable[str] = ()) -> dt.tzinfo | None:
    """The zone of the endpoint's own ``Demographic.Timezone``; else, when ``estimate`` (a journey's
    ``TimezoneEstimationMethods``) has ``PHONE_NUMBER``, its phone number's; else ``None``."""
    demographic = endpoint.get("Demographic") or {}
    own = parse_zone(demographic.get("Timezone")) if isinstance(demographic, Mapping) else None
    if own is None and "PHONE_NUMBER" in estimate:
        return phone_zone(endpoint)
    return own


def phone_zone(endpoint: Mapping[str, Any]) -> dt.tzinfo | None:
    """The zone of an SMS or VOICE endpoint's number, when its country and area code map to exactly
    one zone (libphonenumber's data: ``+1 206`` -> America/Los_Angeles; ``+1 800`` -> none)."""
    if str(endpoint.get("ChannelType") or "").upper() not in ("SMS", "VOICE"):
        return None
    import phonenumbers  # imported here: only journeys that estimate zones load its data

    try:
        parsed = phonenumbers.parse(str(endpoint.get("Address") or ""))
    except phonenumbers.NumberParseException:
        return None
    return parse_zone(number_zone(parsed))


def number_zone(parsed: Any) -> str | None:
    """The zone name of a parsed phone number (``phonenumbers.PhoneNumber``) when libphonenumber
    maps it to exactly one; ``None`` when to several or to none."""
    from phonenumbers import timezone

    zones = [zone for zone in timezone.time_zones_for_number(parsed) if zone != timezone.UNKNOWN_TIMEZONE]
    return zones[0] if len(zones) == 1 else None


def parse_hhmm(value: str, field: str = "time") -> dt.time:
    """``"22:00"`` -> ``time(22, 0)``; raises ``ValueError`` naming ``field``."""
    try:
        hours, minutes = value.split(":")
        return dt.time(int(hours), int(minutes))
    except (AttributeError, ValueError) as error:
        raise ValueError(f"{field} must be HH:MM, got {value!r}") from error


def in_quiet_time(local: dt.datetime, start: dt.time, end: dt.time) -> bool:
    """``local`` (a time in the recipient's zone) falls in quiet time ``start``..``end``.

    From ``start`` (inclusive) to ``end`` (exclusive); ``22:00``-``07:00`` spans midnight;
    ``start == end`` is no quiet time.
    """
    now = local.time().replace(second=0, microsecond=0, tzinfo=None)
    if start == end:
        return False
    if start < end:
        return start <= now < end
    return now >= start or now < end


def quiet_time_hold(now: dt.datetime, quiet: Mapping[str, str] | None, zone: dt.tzinfo | None) -> int:
    """Seconds from ``now`` until ``QuietTime`` ends in ``zone``; 0 outside it, without a zone or
    without both ends."""
    if not quiet or not quiet.get("Start") or not quiet.get("End") or zone is None:
        return 0
    local = now.astimezone(zone)
    end = parse_hhmm(quiet["End"], "QuietTime.End")
    if not in_quiet_time(local, parse_hhmm(quiet["Start"], "QuietTime.Start"), end):
        return 0
    end_at = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if end_at <= local:
        end_at += dt.timedelta(days=1)
    return int((end_at - local).total_seconds())
