"""A small, Java-free ``java.text.SimpleDateFormat`` for the US English locale.

Formats every pattern letter (``G y Y M L w W D d F E u a H k K h m s S z Z X``)
with ``'quoted'`` literals, and parses the numeric, name and zone fields that
``inputFormat=`` needs. Weeks follow the US rules: weeks start on Sunday and
week 1 is the week holding January 1. Parsing is strict (Java's is lenient:
``02/30/2020`` is an error here, March 1 there).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from ._common import HelperArgumentError

__all__ = ["format_date", "parse_date", "parse_zone", "tokenize"]

LETTERS = frozenset("GyYMLwWDdFEuaHkKhmsSzZX")
NUMERIC = frozenset("yYwWDdFuHkKhmsS") | {"M", "L"}
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
# Java's English names for the zone abbreviations tzdata gives (``zzzz``).
ZONE_NAMES = {
    "UTC": "Coordinated Universal Time",
    "GMT": "Greenwich Mean Time",
    "EST": "Eastern Standard Time",
    "EDT": "Eastern Daylight Time",
    "CST": "Central Standard Time",
    "CDT": "Central Daylight Time",
    "MST": "Mountain Standard Time",
    "MDT": "Mountain Daylight Time",
    "PST": "Pacific Standard Time",
    "PDT": "Pacific Daylight Time",
    "AKST": "Alaska Standard Time",
    "AKDT": "Alaska Daylight Time",
    "HST": "Hawaii Standard Time",
    "BST": "British Summer Time",
    "WET": "Western European Time",
    "WEST": "Western European Summer Time",
    "CET": "Central European Time",
    "CEST": "Central European Summer Time",
    "EET": "Eastern European Time",
    "EEST": "Eastern European Summer Time",
    "JST": "Japan Standard Time",
    "KST": "Korea Standard Time",
}
# Offsets (hours) of the abbreviations accepted when parsing ``z``.
ZONE_OFFSETS = {"UTC": 0, "GMT": 0, "UT": 0, "Z": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5}
ZONE_OFFSETS |= {"MST": -7, "MDT": -6, "PST": -8, "PDT": -7, "AKST": -9, "AKDT": -8, "HST": -10}

Token = tuple[str, int] | str  # (letter, count) or literal text


@lru_cache(maxsize=64)
def tokenize(pattern: str) -> tuple[Token, ...]:
    """Split a pattern into ``(letter, count)`` fields and literal strings."""
    out: list[Token] = []
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "'":
            literal, i = _quoted(pattern, i)
            out.append(literal)
        elif ("a" <= ch <= "z") or ("A" <= ch <= "Z"):
            if ch not in LETTERS:
                raise HelperArgumentError(
                    f"illegal pattern letter {ch!r} in {pattern!r}; quote literal text: 'at'"
                )
            j = i
            while j < n and pattern[j] == ch:
                j += 1
            if ch == "X" and j - i > 3:
                raise HelperArgumentError(f"pattern {pattern!r}: X can repeat at most 3 times")
            out.append((ch, j - i))
            i = j
        else:
            out.append(ch)
            i += 1
    return tuple(out)


def _quoted(pattern: str, i: int) -> tuple[str, int]:
    """Read ``'...'`` starting at ``i`` (``''`` is a quote); return (text, next index)."""
    if pattern.startswith("''", i):
        return "'", i + 2
    buf, j = [], i + 1
    while j < len(pattern):
        if pattern[j] == "'":
            if not pattern.startswith("''", j):
                return "".join(buf), j + 1
            buf.append("'")
            j += 2
        else:
            buf.append(pattern[j])
            j += 1
    raise HelperArgumentError(f"unterminated quote in pattern {pattern!r}")


def week_fields(day: dt.date) -> tuple[int, int]:
    """(week year, week of year) with US rules: Sunday-first weeks, week 1 holds January 1."""
    sunday = day - dt.timedelta(days=(day.weekday() + 1) % 7)
    if (sunday + dt.timedelta(days=6)).year > day.year:
        return day.year + 1, 1
    jan1 = dt.date(day.year, 1, 1)
    first_sunday = jan1 - dt.timedelta(days=(jan1.weekday() + 1) % 7)
    return day.year, (day - first_sunday).days // 7 + 1


def _offset(moment: dt.datetime, count: int, iso: bool) -> str:
    delta = moment.utcoffset() or dt.timedelta(0)
    if iso and not delta:
        return "Z"
    minutes = int(delta.total_seconds() / 60)  # toward zero, as Java (LMT has seconds)
    sign, minutes = ("-" if minutes < 0 else "+"), abs(minutes)
    hours, mins = divmod(minutes, 60)
    if iso and count == 1:
        return f"{sign}{hours:02d}"
    return f"{sign}{hours:02d}{':' if iso and count == 3 else ''}{mins:02d}"


def _zone_name(moment: dt.datetime, count: int) -> str:
    """``z``: tzdata's abbreviation (``PST``), ``zzzz``: its English name; else ``GMT-08:00``."""
    abbrev = moment.tzname() or "UTC"
    if abbrev.isalpha() and (count < 4 or abbrev in ZONE_NAMES):
        return ZONE_NAMES[abbrev] if count >= 4 else abbrev
    text = _offset(moment, 3, iso=True)
    return "GMT" if text == "Z" else "GMT" + text


def _field(moment: dt.datetime, letter: str, count: int) -> str:
    if letter in "ML" and count >= 3:
        name = MONTHS[moment.month - 1]
        return name if count >= 4 else name[:3]
    if letter == "E":
        name = DAYS[moment.weekday()]
        return name if count >= 4 else name[:3]
    if letter in "yY":
        year = moment.year if letter == "y" else week_fields(moment.date())[0]
        return f"{year % 100:02d}" if count == 2 else f"{year:0{count}d}"
    if letter in "zZX":
        return _zone_name(moment, count) if letter == "z" else _offset(moment, count, letter == "X")
    if letter == "G":
        return "AD"
    if letter == "a":
        return "AM" if moment.hour < 12 else "PM"
    return f"{_number(moment, letter):0{count}d}"


def _number(moment: dt.datetime, letter: str) -> int:
    hour = moment.hour
    values = {
        "M": moment.month,
        "L": moment.month,
        "d": moment.day,
        "D": moment.timetuple().tm_yday,
        "F": (moment.day - 1) // 7 + 1,
        "u": moment.isoweekday(),
        "H": hour,
        "k": hour or 24,
        "K": hour % 12,
        "h": hour % 12 or 12,
        "m": moment.minute,
        "s": moment.second,
        "S": moment.microsecond // 1000,
    }
    if letter in values:
        return values[letter]
    first = moment.date().replace(day=1)
    if letter == "W":
        return (moment.day - 1 + (first.weekday() + 1) % 7) // 7 + 1
    return week_fields(moment.date())[1]  # "w"


def format_date(moment: dt.datetime, pattern: str) -> str:
    """Format an aware datetime like ``new SimpleDateFormat(pattern, Locale.US)``."""
    return "".join(tok if isinstance(tok, str) else _field(moment, *tok) for tok in tokenize(pattern))


@lru_cache(maxsize=64)
def _regex(pattern: str) -> Any:
    """A regex with one group per field; abutting numeric fields take exactly ``count`` digits."""
    import re

    tokens = tokenize(pattern)
    parts = []
    for index, tok in enumerate(tokens):
        if isinstance(tok, str):
            parts.append(re.escape(tok))
            continue
        letter, count = tok
        after = tokens[index + 1] if index + 1 < len(tokens) else None
        abutting = isinstance(after, tuple) and after[0] in NUMERIC and not _is_name(*after)
        if _is_name(letter, count):
            names = MONTHS if letter in "ML" else DAYS
            extra = ["Sept"] if letter in "ML" else []
            alternatives = sorted([*names, *(n[:3] for n in names), *extra], key=len, reverse=True)
            parts.append("(" + "|".join(alternatives) + ")")
        elif letter in NUMERIC:
            parts.append(rf"(\d{{{count}}})" if abutting else r"(\d+)")
        elif letter == "a":
            parts.append("(AM|PM|A\\.M\\.|P\\.M\\.)")
        elif letter == "G":
            parts.append("(AD|BC)")
        else:  # z Z X
            parts.append(r"(Z|[+-]\d{2}(?::?\d{2})?|(?:GMT|UTC)(?:[+-]\d{1,2}(?::?\d{2})?)?|[A-Z]{2,4})")
    return re.compile("".join(parts), re.IGNORECASE)


def _is_name(letter: str, count: int) -> bool:
    return letter == "E" or (letter in "ML" and count >= 3)


def parse_date(value: str, pattern: str, *, now_year: int) -> tuple[dt.datetime, dt.tzinfo | None]:
    """Parse ``value`` with a SimpleDateFormat pattern; returns (naive datetime, zone or None)."""
    match = _regex(pattern).fullmatch(value.strip())
    if match is None:
        raise HelperArgumentError(f"date {value!r} does not match inputFormat {pattern!r}")
    fields: dict[str, Any] = {}
    fields_tokens = [tok for tok in tokenize(pattern) if isinstance(tok, tuple)]
    for (letter, count), raw in zip(fields_tokens, match.groups(), strict=True):
        fields[letter] = _parsed(letter, count, raw, now_year)
    try:
        zone = next((fields[letter] for letter in "zZX" if letter in fields), None)
        return _assemble(fields), zone
    except ValueError as exc:
        raise HelperArgumentError(f"date {value!r} is not a real date ({exc})") from None


def _parsed(letter: str, count: int, raw: str, now_year: int) -> Any:
    if _is_name(letter, count):
        key = raw[:3].title()
        return raw if letter == "E" else [m[:3] for m in MONTHS].index(key) + 1
    if letter in "zZX":
        return parse_zone(raw)
    if letter in "aG":
        return raw.upper()
    number = int(raw)
    if letter in "yY" and count <= 2 and len(raw) == 2:
        base = now_year - 80  # Java: within 80 years before and 20 after now
        number += base - base % 100
        number += 100 if number < base else 0
    return number


def parse_zone(raw: str) -> dt.tzinfo:
    text = raw.upper()
    if text in ZONE_OFFSETS:
        return dt.timezone(dt.timedelta(hours=ZONE_OFFSETS[text]))
    digits = text.removeprefix("GMT").removeprefix("UTC")
    if not digits or digits[0] not in "+-":
        raise HelperArgumentError(f"unknown time zone {raw!r} in date")
    sign = -1 if digits[0] == "-" else 1
    body = digits[1:].replace(":", "")
    hours, minutes = (int(body[:-2]), int(body[-2:])) if len(body) > 2 else (int(body), 0)
    return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))


def _assemble(fields: dict[str, Any]) -> dt.datetime:
    year = fields.get("y", fields.get("Y", 1970))
    if fields.get("G") == "BC":
        raise ValueError("years before Christ are not supported")
    hour = fields.get("H", 0)
    if "k" in fields:
        hour = fields["k"] % 24
    elif "h" in fields or "K" in fields:
        clock, low = (fields["h"], 1) if "h" in fields else (fields["K"], 0)
        if not low <= clock <= low + 11:
            raise ValueError(f"hour {clock} is out of range for a 12-hour clock")
        hour = clock % 12 + (12 if fields.get("a", "AM").startswith("P") else 0)
    time = dt.time(hour, fields.get("m", 0), fields.get("s", 0), fields.get("S", 0) * 1000)
    if "D" in fields and "M" not in fields and "L" not in fields:
        day = dt.date(year, 1, 1) + dt.timedelta(days=fields["D"] - 1)
    else:
        day = dt.date(year, fields.get("M", fields.get("L", 1)), fields.get("d", 1))
    return dt.datetime.combine(day, time)
