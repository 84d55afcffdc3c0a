"""Time zones, quiet time and ISO timestamps as campaigns read them.

Pinpoint names a campaign's zone as a UTC offset (``"UTC"``, ``"UTC-05"``, ``"UTC+05:30"``) and an
endpoint's as an IANA name in ``Demographic.Timezone`` (``"America/New_York"``); both are read here.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
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


def parse_time(value: str, field: str = "time") -> dt.datetime:
    """An ISO 8601 timestamp as an aware UTC datetime (naive values are read as UTC)."""
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (AttributeError, ValueError) as error:
        raise ValueError(f"{field} is not an ISO 8601 timestamp: {value!r}") from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def iso(moment: dt.datetime) -> str:
    """``2026-12-01T05:00:00.000Z``: the form Pinpoint's responses use."""
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_hhmm(value: str, field: str) -> dt.time:
    try:
        hours, minutes = value.split(":")
        return dt.time(int(hours), int(minutes))
    except (AttributeError, ValueError) as error:
        raise ValueError(f"{field} must be HH:MM, got {value!r}") from error


def in_quiet_time(local: dt.datetime, start: dt.time, end: dt.time) -> bool:
    """Quiet from ``start`` (inclusive) to ``end`` (exclusive); ``22:00``-``07:00`` spans midnight."""
    now = local.time().replace(second=0, microsecond=0, tzinfo=None)
    if start == end:
        return False
    if start < end:
        return start <= now < end
    return now >= start or now < end


def endpoint_zone(endpoint: dict, fallback: dt.tzinfo | None) -> tuple[dt.tzinfo, bool]:
    """The endpoint's zone and whether it had one of its own (else ``fallback``, else UTC)."""
    demographic = endpoint.get("Demographic") or {}
    zone = parse_zone(demographic.get("Timezone")) if isinstance(demographic, dict) else None
    if zone is not None:
        return zone, True
    return (fallback or dt.UTC), False
