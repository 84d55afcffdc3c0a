"""Quiet time, open hours, closed days and schedules as pure functions (executed tests cover the wiring)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from engagement.journeys.definitions.compiler import compile_journey
from engagement.journeys.definitions.rules import closed_days_hold, open_hours_hold, schedule_allows
from engagement.localtime import endpoint_zone, quiet_time_hold

BERLIN = ZoneInfo("Europe/Berlin")
TUESDAY_10_UTC = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)  # 11:00 in Berlin


def test_quiet_time_across_midnight_holds_until_its_end():
    quiet = {"Start": "21:00", "End": "08:00"}
    late = datetime(2026, 11, 3, 22, 30, tzinfo=UTC)  # 23:30 in Berlin
    assert quiet_time_hold(late, quiet, BERLIN) == 8.5 * 3600
    assert quiet_time_hold(TUESDAY_10_UTC, quiet, BERLIN) == 0
    early = datetime(2026, 11, 3, 5, 0, tzinfo=UTC)  # 06:00 in Berlin
    assert quiet_time_hold(early, quiet, BERLIN) == 2 * 3600


def test_quiet_time_needs_a_valid_zone():
    assert endpoint_zone({"Demographic": {"Timezone": "Not/AZone"}}) is None
    assert quiet_time_hold(TUESDAY_10_UTC, {"Start": "00:00", "End": "23:59"}, None) == 0


def test_open_hours_hold_to_the_next_range_and_a_day_without_ranges_is_closed():
    week = {
        "TUESDAY": [{"StartTime": "09:00", "EndTime": "10:00"}],
        "THURSDAY": [{"StartTime": "09:00", "EndTime": "17:00"}],
    }
    assert open_hours_hold(TUESDAY_10_UTC, week, BERLIN) == (24 + 22) * 3600  # Thursday 09:00 Berlin
    assert (
        open_hours_hold(TUESDAY_10_UTC, {"TUESDAY": [{"StartTime": "11:00", "EndTime": "12:00"}]}, BERLIN)
        == 0
    )
    assert open_hours_hold(TUESDAY_10_UTC, None, BERLIN) == 0
    assert open_hours_hold(TUESDAY_10_UTC, week, None) == 0  # no valid zone: not applied


def test_closed_days_use_the_endpoints_local_time_unless_the_rule_has_an_offset():
    local = [{"Name": "x", "StartDateTime": "2026-11-03T00:00:00", "EndDateTime": "2026-11-03T12:00:00"}]
    assert closed_days_hold(TUESDAY_10_UTC, local, BERLIN) == 3600
    utc = [{"Name": "x", "StartDateTime": "2026-11-03T00:00:00Z", "EndDateTime": "2026-11-03T12:00:00Z"}]
    assert closed_days_hold(TUESDAY_10_UTC, utc, BERLIN) == 2 * 3600


def test_schedule_times_without_offset_are_in_the_schedule_timezone():
    schedule = {"StartTime": "2026-11-03T15:00:00", "Timezone": "UTC+05:30"}  # 09:30 UTC
    assert schedule_allows(TUESDAY_10_UTC, schedule)
    assert not schedule_allows(TUESDAY_10_UTC, {**schedule, "Timezone": "UTC-02"})
    assert not schedule_allows(TUESDAY_10_UTC, {"EndTime": "2026-11-03T10:00:00Z"})


def test_waits_compile_to_native_wait_states():
    journey = {
        "Id": "j",
        "StartActivity": "a",
        "Activities": {
            "a": {"Wait": {"WaitTime": {"WaitFor": "P1DT2H"}, "NextActivity": "b"}},
            "b": {"Wait": {"WaitTime": {"WaitUntil": "2026-12-24T18:00:00+01:00"}}},
        },
    }
    states = compile_journey(journey, activity_function_arn="arn:fn")["States"]
    assert states["a"] == {"Type": "Wait", "Seconds": 93600, "Next": "b"}
    assert states["b"] == {"Type": "Wait", "Timestamp": "2026-12-24T17:00:00Z", "Next": "journey-exit"}


def test_quiet_time_with_start_equal_to_end_is_no_quiet_time():
    """Pinpoint's docs are silent; here (as in campaigns) ``Start == End`` holds nothing."""
    eleven_in_berlin = {"Start": "11:00", "End": "11:00"}
    assert quiet_time_hold(TUESDAY_10_UTC, eleven_in_berlin, BERLIN) == 0
    assert quiet_time_hold(TUESDAY_10_UTC, {"Start": "03:00", "End": "03:00"}, BERLIN) == 0


def test_event_metrics_compare_like_segment_metrics():
    """Journeys' event conditions and segments share one ComparisonOperator table."""
    from engagement.journeys.definitions.conditions import event_matches
    from engagement.segments.dimensions import COMPARISON_OPERATORS, metric

    event = {"event_type": "buy", "metrics": {"price": 10}}
    for operator in COMPARISON_OPERATORS:
        for value in (9, 10, 11):
            dimension = {"ComparisonOperator": operator, "Value": value}
            expected = metric("price", dimension)({"Metrics": {"price": 10}}, 0.0)
            assert event_matches({"Metrics": {"price": dimension}}, event) is expected, (operator, value)
    assert not event_matches(
        {"Metrics": {"price": {"ComparisonOperator": "EQUAL", "Value": 10}}}, {"metrics": {}}
    )
