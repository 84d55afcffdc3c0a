"""When a participant may receive a message: open hours, closed days, the schedule (quiet time,
zones and ``HH:MM`` are ``engagement.localtime``'s, shared with campaigns).

Each hold function answers "how many seconds to hold" (0 = send now). Times are the endpoint's
local time (``Demographic.Timezone``); like Pinpoint's quiet time, a rule is applied only when that
zone is valid, otherwise the message goes out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, tzinfo
from typing import Any

from engagement.journeys.definitions.durations import parse_time
from engagement.localtime import parse_hhmm, parse_zone

DAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")


def open_hours_hold(
    now: datetime, week: Mapping[str, Sequence[Mapping[str, str]]] | None, zone: tzinfo | None
) -> int:
    """Seconds until the channel's next open range (``OpenHours.<channel>``); 0 when open now.

    A channel with open hours but no range on some day is closed that day.
    """
    if not week or zone is None:
        return 0
    local = now.astimezone(zone)
    for day_offset in range(8):
        day = (local + timedelta(days=day_offset)).date()
        for window in week.get(DAYS[day.weekday()]) or []:
            start = datetime.combine(day, parse_hhmm(window["StartTime"]), zone)
            end = datetime.combine(day, parse_hhmm(window["EndTime"]), zone)
            if start <= local < end:
                return 0
            if local < start:
                return int((start - local).total_seconds())
    return 0  # no open range in a week: nothing would ever send, so do not hold forever


def closed_days_hold(now: datetime, rules: Sequence[Mapping[str, str]] | None, zone: tzinfo | None) -> int:
    """Seconds until the closed-day rule covering ``now`` ends (``ClosedDays.<channel>``); 0 otherwise."""
    for rule in rules or []:
        start, end = _local_time(rule.get("StartDateTime"), zone), _local_time(rule.get("EndDateTime"), zone)
        if start and end and start <= now < end:
            return int((end - now).total_seconds())
    return 0


def _local_time(value: str | None, zone: Any) -> datetime | None:
    """A rule's date-time; without an offset it is the endpoint's local time (UTC without a zone)."""
    if not value:
        return None
    has_offset = value.endswith("Z") or "+" in value[10:] or "-" in value[10:]
    parsed = parse_time(value)
    return parsed.replace(tzinfo=zone) if zone and not has_offset else parsed


def schedule_allows(
    now: datetime, schedule: Mapping[str, Any] | None, *, local_zone: tzinfo | None = None
) -> bool:
    """Inside ``Schedule.StartTime`` .. ``EndTime`` (either may be absent).

    A time without an offset is read in ``Schedule.Timezone`` (``UTC+05:30``; UTC when absent).
    With ``LocalTime`` the journey passes the endpoint's zone: the times are then wall-clock times
    in that zone (09:00 means 09:00 where the endpoint is), as Pinpoint's local-time schedules do.
    """
    if not schedule:
        return True
    offset = parse_zone(schedule.get("Timezone"))
    bounds = []
    for field in ("StartTime", "EndTime"):
        value = schedule.get(field)
        if not value:
            bounds.append(None)
        elif local_zone is not None:
            bounds.append(parse_time(value).replace(tzinfo=None))
        else:
            bounds.append(_local_time(value, offset))
    moment = now.astimezone(local_zone).replace(tzinfo=None) if local_zone else now
    start, end = bounds
    return not ((start and moment < start) or (end and moment >= end))


PUBLISHED = "_published"  # stored with the journey: when it first became ACTIVE (not in responses)
ENTRY_DELAY = timedelta(minutes=5)  # no Schedule.StartTime: entry opens 5 minutes after publishing
DEFAULT_LIFETIME = timedelta(days=540)  # no Schedule.EndTime: entry closes 540 days after the start


def default_window(journey: Mapping[str, Any]) -> tuple[datetime | None, datetime | None]:
    """Pinpoint's defaults for the bounds a journey's ``Schedule`` leaves out, as instants.

    No ``StartTime``: entry opens :data:`ENTRY_DELAY` after the journey is published (first
    ``ACTIVE``); no ``EndTime``: it ends :data:`DEFAULT_LIFETIME` after the start (an explicit
    ``StartTime`` read in ``Schedule.Timezone``, also under ``LocalTime``). ``None`` for a bound the
    ``Schedule`` gives (:func:`schedule_allows` reads it) and for a journey never published.
    """
    published = journey.get(PUBLISHED)
    if not published:
        return None, None
    schedule = journey.get("Schedule") or {}
    start = None if schedule.get("StartTime") else parse_time(published) + ENTRY_DELAY
    if schedule.get("EndTime"):
        return start, None
    begins = start or _local_time(schedule["StartTime"], parse_zone(schedule.get("Timezone")))
    return start, begins + DEFAULT_LIFETIME  # type: ignore[operator]


def within_default_window(now: datetime, journey: Mapping[str, Any]) -> bool:
    start, end = default_window(journey)
    return not ((start and now < start) or (end and now >= end))
