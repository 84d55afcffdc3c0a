"""Turning template values into aware datetimes, and ``tz=`` into a zone (for ``dates``).

Loaded on the first date helper call, so ``datetime``/``zoneinfo`` stay out of
the package import.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ._common import HelperArgumentError, HelperTypeError, kind, scalar, text
from ._simpledate import parse_date, parse_zone

__all__ = ["instant", "zone"]


def zone(name: Any) -> dt.tzinfo:
    """``tz=``: an IANA name, ``UTC``/``GMT``, or a fixed offset such as ``GMT-08:00``.

    Unknown names are an error (Java's ``TimeZone.getTimeZone`` silently uses GMT).
    """
    if name is None:
        return dt.UTC
    label = text(name, "tz").strip()
    upper = label.upper()
    if upper in ("UTC", "GMT", "UT", "Z"):
        return dt.UTC
    if upper[:3] in ("GMT", "UTC") and upper[3:4] in ("+", "-"):
        try:
            return parse_zone(upper)
        except ValueError:
            pass
    return _iana(label)


def _iana(label: str) -> dt.tzinfo:
    import zoneinfo

    try:
        return zoneinfo.ZoneInfo(label)
    except (KeyError, ValueError, OSError):
        hint = "an IANA name such as America/Los_Angeles"
        if not zoneinfo.TZPATH and _no_tzdata():
            hint += "; no time zone data found: install the tzdata package"
        raise HelperArgumentError(f"unknown time zone {label!r}: use {hint}") from None


def _no_tzdata() -> bool:
    import importlib.util

    return importlib.util.find_spec("tzdata") is None


def instant(value: Any, input_format: Any, tzinfo: dt.tzinfo, now_year: int) -> dt.datetime:
    """The aware datetime a template value stands for; wall-clock values are in ``tzinfo``."""
    value = scalar(value)
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=tzinfo)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(), tzinfo)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _epoch_millis(value)
    if not isinstance(value, str):
        raise HelperTypeError(f"date must be a string or epoch milliseconds, got {kind(value)}")
    if input_format is not None:
        naive, parsed_zone = parse_date(value, text(input_format, "inputFormat"), now_year=now_year)
        return naive.replace(tzinfo=parsed_zone or tzinfo)
    stripped = value.strip()
    digits = stripped.removeprefix("-")
    if digits.isdigit() and len(digits) > 8:  # longer than any yyyyMMdd: epoch milliseconds
        return _epoch_millis(int(stripped))
    try:
        moment = dt.datetime.fromisoformat(stripped)
    except ValueError:
        raise HelperArgumentError(
            f"date {value!r} is not ISO 8601 (2024-03-01 or 2024-03-01T10:00:00Z) nor epoch "
            'milliseconds; give inputFormat="MM/dd/yyyy" for other layouts'
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=tzinfo)


def _epoch_millis(millis: float) -> dt.datetime:
    try:
        return dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(milliseconds=millis)
    except (OverflowError, ValueError):
        raise HelperArgumentError(f"epoch milliseconds {millis!r} are out of range") from None


def localize(moment: dt.datetime, tzinfo: dt.tzinfo) -> dt.datetime:
    """``moment`` as wall-clock time in ``tzinfo``."""
    try:
        return moment.astimezone(tzinfo)
    except (OverflowError, ValueError):
        raise HelperArgumentError(f"date {moment.isoformat()} is out of range in {tzinfo}") from None
