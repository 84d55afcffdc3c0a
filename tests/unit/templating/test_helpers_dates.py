"""dateFormat and now: SimpleDateFormat patterns, US date styles, inputs and time zones."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engagement.templating.helpers import dates
from tests.unit.templating.test_helpers_support import call

LA = "America/Los_Angeles"


def fmt(value, pattern, **hash_):
    return call("dateFormat", value, pattern, **hash_)


# -- Pinpoint's documented example and the date-only styles --------------------------------


def test_doc_example_input_format_full_style_in_los_angeles():
    # Pinpoint's page says "Tuesday, September 19, 2020"; that day was a Saturday.
    out = call("dateFormat", ["09/19/2020"], inputFormat="MM/dd/yyyy", outputFormat="full", tz=LA)
    assert out == "Saturday, September 19, 2020"


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        ("full", "Wednesday, January 15, 2025"),
        ("long", "January 15, 2025"),
        ("medium", "Jan 15, 2025"),
        ("short", "1/15/25"),
    ],
)
def test_styles_are_java_us_date_only(style, expected):
    assert fmt("2025-01-15T23:59:00Z", style) == expected
    assert call("dateFormat", "2025-01-15T23:59:00Z", outputFormat=style) == expected
    assert call("dateFormat", "2025-01-15T23:59:00Z", format=style) == expected


def test_medium_is_the_default():
    assert call("dateFormat", "2025-01-15") == "Jan 15, 2025"


def test_positional_pattern_wins_over_output_format():
    assert call("dateFormat", "2025-01-15", "yyyy", outputFormat="short") == "2025"


# -- pattern letters ---------------------------------------------------------------------

MOMENT = "2024-03-01T10:00:00.123Z"  # a Friday in a leap year


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("EEE, d MMM yyyy HH:mm:ss Z", "Fri, 1 Mar 2024 02:00:00 -0800"),
        ("EEEE MMMM", "Friday March"),
        ("G y yy yyy yyyyy", "AD 2024 24 2024 02024"),
        ("M MM MMM MMMM L LL", "3 03 Mar March 3 03"),
        ("D DDD d dd F u", "61 061 1 01 1 5"),
        ("h hh K k H a", "2 02 2 2 2 AM"),
        ("m mm s ss S SSS SSSS", "0 00 0 00 123 123 0123"),
        ("z zzzz", "PST Pacific Standard Time"),
        ("X XX XXX", "-08 -0800 -08:00"),
        ("'at' h 'o''clock'", "at 2 o'clock"),
        ("''yy''", "'24'"),
        ("yyyy.MM.dd G 'at' HH:mm:ss z", "2024.03.01 AD at 02:00:00 PST"),
    ],
)
def test_pattern_letters_in_los_angeles(pattern, expected):
    assert fmt(MOMENT, pattern, tz=LA) == expected


def test_summer_time_names_and_offsets():
    assert fmt("2024-07-01T12:00:00Z", "z zzzz XXX Z", tz=LA) == "PDT Pacific Daylight Time -07:00 -0700"


def test_utc_zone_fields():
    assert fmt("2024-03-01T00:00:00Z", "z zzzz X XX XXX Z") == "UTC Coordinated Universal Time Z Z Z +0000"


def test_zone_without_a_letter_abbreviation_prints_gmt_offset():
    assert fmt("2024-03-01T00:00:00Z", "zzzz XXX X", tz="Asia/Kolkata") == "GMT+05:30 +05:30 +05"
    assert fmt("2024-03-01T00:00:00Z", "z", tz="America/Sao_Paulo") == "GMT-03:00"


@pytest.mark.parametrize(
    ("iso", "expected"),
    [
        ("2024-03-01T00:00:00Z", "12 0 24 AM"),  # midnight: h=12, K=0, k=24
        ("2024-03-01T12:00:00Z", "12 0 12 PM"),
        ("2024-03-01T23:00:00Z", "11 11 23 PM"),
    ],
)
def test_twelve_and_twenty_four_hour_fields(iso, expected):
    assert fmt(iso, "h K k a") == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2024-01-01", "1 2024 1"),  # Monday: week 1 holds January 1
        ("2024-12-28", "52 2024 4"),
        ("2024-12-29", "1 2025 5"),  # the week holding 2025-01-01 is week 1 of 2025
        ("2023-01-01", "1 2023 1"),  # a Sunday
        ("2022-12-31", "53 2022 5"),
        ("2024-03-03", "10 2024 2"),  # Sunday starts the second week of March
    ],
)
def test_us_week_fields(day, expected):
    assert fmt(day, "w YYYY W") == expected


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [("yyyy-bb", "illegal pattern letter 'b'"), ("'open", "unterminated quote"), ("XXXX", "at most 3")],
)
def test_bad_patterns(pattern, problem):
    with pytest.raises(ValueError, match=f"^dateFormat: .*{problem}"):
        fmt("2024-03-01", pattern)


# -- inputs -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-01T10:00:00Z", "2024-03-01 02:00 -08:00"),
        ("2024-03-01T10:00:00.000+02:00", "2024-03-01 00:00 -08:00"),
        ("2024-03-01", "2024-03-01 00:00 -08:00"),  # no offset: wall-clock time in tz
        ("2024-03-01T10:00:00", "2024-03-01 10:00 -08:00"),
        (1700000000000, "2023-11-14 14:13 -08:00"),  # epoch milliseconds
        ("1700000000000", "2023-11-14 14:13 -08:00"),
        (1700000000000.0, "2023-11-14 14:13 -08:00"),
        (dt.date(2024, 3, 1), "2024-03-01 00:00 -08:00"),
        (dt.datetime(2024, 3, 1, 10, tzinfo=dt.UTC), "2024-03-01 02:00 -08:00"),
    ],
)
def test_input_kinds(value, expected):
    assert fmt(value, "yyyy-MM-dd HH:mm XXX", tz=LA) == expected


def test_offset_in_the_date_is_converted_to_tz():
    assert fmt("2024-03-01T05:00:00Z", "medium", tz=LA) == "Feb 29, 2024"
    assert fmt("2024-03-01T05:00:00Z", "medium") == "Mar 1, 2024"  # tz defaults to UTC


@pytest.mark.parametrize(
    ("value", "pattern", "expected"),
    [
        ("09/19/2020", "MM/dd/yyyy", "2020-09-19T00:00"),
        ("9/5/2020", "M/d/yyyy", "2020-09-05T00:00"),
        ("20200919", "yyyyMMdd", "2020-09-19T00:00"),  # abutting fields take their width
        ("202009191530", "yyyyMMddHHmm", "2020-09-19T15:30"),
        ("19 Sep 2020", "dd MMM yyyy", "2020-09-19T00:00"),
        ("19 Sept 2020", "dd MMM yyyy", "2020-09-19T00:00"),
        ("September 19, 2020 3:07 PM", "MMMM d, yyyy h:mm a", "2020-09-19T15:07"),
        ("12:30 am 01/02/2020", "hh:mm a MM/dd/yyyy", "2020-01-02T00:30"),
        ("0:30 PM 01/02/2020", "K:mm a MM/dd/yyyy", "2020-01-02T12:30"),
        ("11:30 PM 01/02/2020", "K:mm a MM/dd/yyyy", "2020-01-02T23:30"),
        ("Sat, 19 Sep 2020 24:00", "EEE, dd MMM yyyy kk:mm", "2020-09-19T00:00"),
        ("2020-263", "yyyy-DDD", "2020-09-19T00:00"),
        ("2020.09.19 AD 10:11:12.345", "yyyy.MM.dd G HH:mm:ss.SSS", "2020-09-19T10:11:12.345"),
    ],
)
def test_input_format_parsing(value, pattern, expected):
    out = call("dateFormat", value, inputFormat=pattern, outputFormat="yyyy-MM-dd'T'HH:mm:ss.SSS")
    assert out.startswith(expected)


@pytest.mark.parametrize(
    ("value", "pattern", "printed"),
    [
        ("2020-09-19T10:00:00-0700", "yyyy-MM-dd'T'HH:mm:ssZ", "10:00"),
        ("2020-09-19T17:00:00Z", "yyyy-MM-dd'T'HH:mm:ssXXX", "10:00"),
        ("2020-09-19 10:00 PDT", "yyyy-MM-dd HH:mm z", "10:00"),
        ("2020-09-19 17:00 GMT", "yyyy-MM-dd HH:mm z", "10:00"),
    ],
)
def test_input_format_with_a_zone_is_converted(value, pattern, printed):
    assert call("dateFormat", value, inputFormat=pattern, outputFormat="HH:mm", tz=LA) == printed


def test_two_digit_years_follow_javas_window():
    year = dt.datetime.now(dt.UTC).year
    out = int(call("dateFormat", "01/01/00", inputFormat="MM/dd/yy", outputFormat="yyyy"))
    assert year - 80 <= out < year + 20


@pytest.mark.parametrize(
    ("value", "pattern", "problem"),
    [
        ("2020-09-19", "MM/dd/yyyy", "does not match inputFormat"),
        ("02/30/2020", "MM/dd/yyyy", "is not a real date"),  # Java is lenient (March 1)
        ("13:00 PM", "hh:mm a", "is not a real date"),
        ("12:00 PM", "KK:mm a", "is not a real date"),
        ("2020 EST5", "yyyy z", "does not match"),
    ],
)
def test_input_format_errors(value, pattern, problem):
    with pytest.raises(ValueError, match=f"^dateFormat: .*{problem}"):
        call("dateFormat", value, inputFormat=pattern)


@pytest.mark.parametrize("value", ["next tuesday", "19/09/2020", "2020-13-01"])
def test_unparseable_dates_explain_the_accepted_forms(value):
    with pytest.raises(ValueError, match=r"^dateFormat: date .* is not ISO 8601"):
        call("dateFormat", value)


def test_wrong_kinds_and_missing_values():
    assert call("dateFormat", None) == ""
    assert call("dateFormat", [], "full") == ""
    with pytest.raises(TypeError, match=r"^dateFormat: date must be a string or epoch milliseconds"):
        call("dateFormat", {"y": 2020})
    with pytest.raises(ValueError, match=r"^dateFormat: epoch milliseconds .* out of range"):
        call("dateFormat", 10**20)


# -- time zones -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tz", "expected"),
    [
        ("UTC", "12:00 Z"),
        ("GMT", "12:00 Z"),
        ("GMT-08:00", "04:00 -08:00"),
        ("UTC+0530", "17:30 +05:30"),
        ("Europe/Paris", "13:00 +01:00"),
        (["Asia/Tokyo"], "21:00 +09:00"),
    ],
)
def test_time_zone_forms(tz, expected):
    assert fmt("2024-01-15T12:00:00Z", "HH:mm XXX", tz=tz) == expected


def test_unknown_time_zone_is_an_error():
    with pytest.raises(ValueError, match=r"^dateFormat: unknown time zone 'Mars/Olympus'"):
        fmt("2024-01-15", "full", tz="Mars/Olympus")
    with pytest.raises(ValueError, match=r"^now: unknown time zone"):
        call("now", tz="../etc/passwd")


# -- now ----------------------------------------------------------------------------------


@pytest.fixture
def frozen(monkeypatch):
    instant = dt.datetime(2020, 9, 19, 3, 30, tzinfo=dt.UTC)
    monkeypatch.setattr(dates, "current_time", lambda: instant)
    return instant


def test_now_defaults_to_medium_in_utc(frozen):
    assert call("now") == "Sep 19, 2020"


def test_now_doc_example(frozen):
    # {{now "medium" tz=America/Los_Angeles}}: 03:30 UTC is the evening before in Los Angeles.
    assert call("now", "medium", tz=LA) == "Sep 18, 2020"


def test_now_patterns_and_hash_format(frozen):
    assert call("now", "yyyy-MM-dd HH:mm z", tz=LA) == "2020-09-18 20:30 PDT"
    assert call("now", format="full") == "Saturday, September 19, 2020"
    with pytest.raises(TypeError, match="now: expects 0 to 1 arguments, got 2"):
        call("now", "full", "x")


def test_now_really_is_now():
    assert call("now", "yyyy-MM-dd") == dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")


# -- properties -------------------------------------------------------------------------

moments = st.datetimes(min_value=dt.datetime(1000, 1, 1), max_value=dt.datetime(9999, 12, 1))
modern = st.datetimes(min_value=dt.datetime(1970, 1, 1), max_value=dt.datetime(2200, 1, 1))


@given(moments)
def test_format_then_parse_round_trips(moment):
    moment = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    pattern = "yyyy-MM-dd HH:mm:ss.SSS"
    text = fmt(moment, pattern)
    again = call("dateFormat", text, inputFormat=pattern, outputFormat="yyyy-MM-dd'T'HH:mm:ss.SSS")
    assert dt.datetime.fromisoformat(again) == moment


@given(moments)
def test_week_of_year_matches_strftime_outside_the_last_week(moment):
    day = moment.date()
    if (day + dt.timedelta(days=6 - (day.weekday() + 1) % 7)).year != day.year:
        return  # the week holding next January 1 is week 1 of next year
    jan1_is_sunday = dt.date(day.year, 1, 1).weekday() == 6
    assert int(fmt(day, "w")) == int(day.strftime("%U")) + (0 if jan1_is_sunday else 1)


@given(modern, st.sampled_from(["UTC", LA, "Asia/Kolkata", "Australia/Lord_Howe"]))
def test_iso_offsets_describe_the_same_instant(moment, tz):
    aware = moment.replace(tzinfo=dt.UTC)
    printed = fmt(aware, "yyyy-MM-dd'T'HH:mm:ss.SSSXXX", tz=tz)
    assert dt.datetime.fromisoformat(printed) == aware.replace(microsecond=aware.microsecond // 1000 * 1000)
