"""ISO timestamps as campaigns read and write them (zones and quiet time: ``engagement.localtime``)."""

from __future__ import annotations

import datetime as dt


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
