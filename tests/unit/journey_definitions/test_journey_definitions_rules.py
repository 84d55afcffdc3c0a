"""Limits, quiet time, open hours, closed days, schedule and states, through executed state machines.

The lab's clock starts on Tuesday 2026-11-03 10:00 UTC (11:00 in Berlin).
"""

from __future__ import annotations

from datetime import timedelta

from engagement.journeys.definitions.simulate import APPLICATION_ID
from tests.unit.journey_definitions._helpers import add_endpoint, email, journey, sends, wait


def _two_emails(**fields) -> dict:
    return journey({"one": email("one", "two"), "two": email("two")}, "one", **fields)


def test_daily_cap_skips_a_second_message_within_24_hours(lab):
    who = add_endpoint(lab)
    deployed = lab.deploy(_two_emails(Limits={"DailyCap": 1}))
    assert lab.run(deployed, [who]) == {who: ["one", "two", "SUCCEEDED"]}
    assert [item["ActivityId"] for item in sends(lab, deployed)] == ["one"]
    assert lab.metrics(deployed)["two#DAILY_CAP_EXCEEDED"] == 1


def test_daily_cap_allows_the_message_after_a_day(lab):
    who = add_endpoint(lab)
    body = journey(
        {"one": email("one", "pause"), "pause": wait("P1D", "two"), "two": email("two")},
        "one",
        Limits={"DailyCap": 1},
    )
    deployed = lab.deploy(body)
    lab.run(deployed, [who])
    assert [item["ActivityId"] for item in sends(lab, deployed)] == ["one", "two"]


def test_total_cap_counts_every_run_of_the_journey(lab):
    who = add_endpoint(lab)
    deployed = lab.deploy(_two_emails(Limits={"TotalCap": 3}))
    lab.run(deployed, [who], run_id="first")
    lab.clock.advance(3600)
    lab.start(deployed, [who], run_id="second")
    lab.paths(deployed)
    assert len(sends(lab, deployed)) == 3
    assert lab.metrics(deployed)["two#TOTAL_CAP_EXCEEDED"] == 1


def test_timeframe_cap_counts_messages_from_every_journey_to_the_endpoint(lab):
    who = add_endpoint(lab)
    first = lab.deploy(journey({"one": email("one")}, "one"))
    lab.run(first, [who])
    second = lab.deploy(_two_emails(Limits={"TimeframeCap": {"Cap": 2, "Days": 7}}))
    lab.run(second, [who])
    assert [item["ActivityId"] for item in sends(lab, second)] == ["one"]  # 1 + 1 = the cap of 2
    assert lab.metrics(second)["two#TIMEFRAME_CAP_EXCEEDED"] == 1


def test_messages_per_second_spreads_sends_over_seconds(lab):
    people = [add_endpoint(lab) for _ in range(3)]
    deployed = lab.deploy(journey({"one": email("one")}, "one", Limits={"MessagesPerSecond": 1}))
    lab.run(deployed, people)
    times = sorted(item["at"] for item in sends(lab, deployed))
    base = lab.clock.base
    assert times == [base, base + timedelta(seconds=1), base + timedelta(seconds=2)]


def test_quiet_time_holds_the_message_until_it_ends_when_waiting(lab):
    who = add_endpoint(lab, zone="Asia/Tokyo")  # 19:00 in Tokyo
    deployed = lab.deploy(
        journey(
            {"one": email("one")}, "one", QuietTime={"Start": "18:00", "End": "08:30"}, WaitForQuietTime=True
        )
    )
    lab.run(deployed, [who])
    (sent,) = sends(lab, deployed)
    assert sent["at"] == lab.clock.base + timedelta(hours=13, minutes=30)  # 08:30 in Tokyo


def test_quiet_time_with_start_equal_to_end_sends_at_once(lab):
    who = add_endpoint(lab, zone="Asia/Tokyo")  # 19:00 in Tokyo
    quiet = {"Start": "19:00", "End": "19:00"}  # no quiet time (docs/journey-definitions.md)
    deployed = lab.deploy(journey({"one": email("one")}, "one", QuietTime=quiet, WaitForQuietTime=True))
    lab.run(deployed, [who])
    (sent,) = sends(lab, deployed)
    assert sent["at"] == lab.clock.base


def test_quiet_time_drops_the_message_without_wait_and_the_participant_moves_on(lab):
    who = add_endpoint(lab, zone="Asia/Tokyo")
    deployed = lab.deploy(
        journey(
            {"one": email("one", "pause"), "pause": wait("PT14H", "two"), "two": email("two")},
            "one",
            QuietTime={"Start": "18:00", "End": "08:30"},
            WaitForQuietTime=False,
        )
    )
    assert lab.run(deployed, [who]) == {who: ["one", "pause", "two", "SUCCEEDED"]}
    assert [item["ActivityId"] for item in sends(lab, deployed)] == ["two"]  # 09:00 in Tokyo
    assert lab.metrics(deployed)["one#QUIET_TIME_DROPPED"] == 1


def test_quiet_time_does_not_apply_without_a_valid_time_zone(lab):
    unknown, invalid = add_endpoint(lab, zone=None), add_endpoint(lab, zone="Mars/Olympus")
    deployed = lab.deploy(
        journey(
            {"one": email("one")}, "one", QuietTime={"Start": "00:00", "End": "23:59"}, WaitForQuietTime=False
        )
    )
    lab.run(deployed, [unknown, invalid])
    assert len(sends(lab, deployed)) == 2


def test_open_hours_hold_email_until_the_next_open_range(lab):
    who = add_endpoint(lab)  # Tuesday 11:00 in Berlin
    deployed = lab.deploy(
        journey(
            {"one": email("one")},
            "one",
            SendingSchedule=True,
            OpenHours={
                "EMAIL": {"TUESDAY": [{"StartTime": "14:00", "EndTime": "16:00"}]},
                "SMS": {"TUESDAY": [{"StartTime": "08:00", "EndTime": "09:00"}]},
            },
        )
    )
    lab.run(deployed, [who])
    assert sends(lab, deployed)[0]["at"] == lab.clock.base + timedelta(hours=3)


def test_closed_days_hold_the_channel_until_the_closed_day_ends(lab):
    who = add_endpoint(lab)
    closed = {
        "EMAIL": [
            {"Name": "holiday", "StartDateTime": "2026-11-03T00:00:00", "EndDateTime": "2026-11-04T00:00:00"}
        ]
    }
    deployed = lab.deploy(journey({"one": email("one")}, "one", SendingSchedule=True, ClosedDays=closed))
    lab.run(deployed, [who])
    assert sends(lab, deployed)[0]["at"] == lab.clock.base + timedelta(hours=13)  # midnight in Berlin


def test_schedule_limits_entry_to_its_window_and_local_time_needs_a_time_zone(lab):
    who, no_zone = add_endpoint(lab), add_endpoint(lab, zone=None)
    window = {"StartTime": "2026-11-03T11:30:00", "EndTime": "2026-12-01T00:00:00", "Timezone": "UTC"}
    local = lab.deploy(journey({"one": email("one")}, "one", Schedule=window, LocalTime=True))
    utc = lab.deploy(journey({"one": email("one")}, "one", Schedule=window))
    # 10:00 UTC is before the start in UTC, but 11:00 in Berlin is not yet 11:30 local either
    assert lab.start(utc, [who]) == {who: "OUTSIDE_SCHEDULE"}
    assert lab.start(local, [who, no_zone]) == {who: "OUTSIDE_SCHEDULE", no_zone: "ENDPOINT_MISSING_TIMEZONE"}
    lab.clock.advance(3600)  # 11:00 UTC, 12:00 in Berlin
    assert lab.start(local, [who], run_id="later") == {who: "ENDPOINT_ENTERED"}
    assert lab.start(utc, [who], run_id="later") == {who: "OUTSIDE_SCHEDULE"}
    lab.paths(local)


def test_reentry_cap_and_interval_limit_how_often_an_endpoint_enters(lab, tmp_path):
    who = add_endpoint(lab)
    limits = {"EndpointReentryCap": 2, "EndpointReentryInterval": "PT12H"}
    deployed = lab.deploy(journey({"one": email("one")}, "one", Limits=limits))
    assert lab.start(deployed, [who], run_id="a") == {who: "ENDPOINT_ENTERED"}
    assert lab.start(deployed, [who], run_id="b") == {who: "REENTRY_CAP_EXCEEDED"}  # within 12 h
    lab.clock.advance(13 * 3600)
    assert lab.start(deployed, [who], run_id="c") == {who: "ENDPOINT_ENTERED"}
    lab.clock.advance(13 * 3600)
    assert lab.start(deployed, [who], run_id="d") == {who: "REENTRY_CAP_EXCEEDED"}  # at most 2 entries
    lab.paths(deployed)
    assert lab.metrics(deployed)["REENTRY_CAP_EXCEEDED"] == 2
    # GetJourneyExecutionMetrics: a refused entry writes no stream record; the KPI service reads the
    # journeys table's count (the API wires JourneyTable.metrics in when both are deployed).
    from engagement.analytics.engines import DuckDbEngine
    from engagement.analytics.service import KpiService
    from tests.unit.analytics.eventset import event_set, write

    kpis = KpiService(DuckDbEngine(write(event_set(), tmp_path)), journey_counters=lab.table.metrics)
    body = kpis.get_journey_execution_metrics(ApplicationId=APPLICATION_ID, JourneyId=deployed["Id"])
    assert body["JourneyExecutionMetricsResponse"]["Metrics"]["REENTRY_CAP_EXCEEDED"] == "2"


def test_a_paused_journey_holds_its_participants_until_resumed(lab):
    import threading

    who = add_endpoint(lab)
    body = journey({"one": email("one")}, "one", RefreshFrequency="PT1H")
    deployed = lab.deploy(body)
    app = deployed["ApplicationId"]
    lab.store.update_journey_state(
        ApplicationId=app, JourneyId=deployed["Id"], JourneyStateRequest={"State": "PAUSED"}
    )
    journey_now, arn = lab.table.get_journey(app, deployed["Id"])
    lab.entry.enter(
        {**journey_now, "State": "ACTIVE"}, arn, lab.registry.endpoints[who], "run-1"
    )  # entered before the pause
    resume = threading.Timer(
        0.3,
        lambda: lab.store.update_journey_state(
            ApplicationId=app, JourneyId=deployed["Id"], JourneyStateRequest={"State": "ACTIVE"}
        ),
    )
    resume.start()
    paths = lab.paths(deployed)
    resume.join()
    assert paths[who][0] == "one" and paths[who][-1] == "SUCCEEDED" and paths[who].count("one") > 1
    assert sends(lab, deployed)[0]["at"] >= lab.clock.base + timedelta(minutes=5)  # held in 5-minute steps


def test_a_cancelled_journey_admits_nobody_new(lab):
    who = add_endpoint(lab)
    deployed = lab.deploy(journey({"one": email("one")}, "one"))
    lab.store.update_journey_state(
        ApplicationId=deployed["ApplicationId"],
        JourneyId=deployed["Id"],
        JourneyStateRequest={"State": "CANCELLED"},
    )
    assert lab.start(deployed, [who]) == {who: "JOURNEY_NOT_ACTIVE"}


def test_phone_number_estimation_gives_a_zone_to_sms_endpoints_without_one(lab):
    """TimezoneEstimationMethods PHONE_NUMBER: an SMS endpoint with no Demographic.Timezone gets its
    number's zone when the number maps to exactly one (+1 206: Los Angeles; +1 800: none)."""
    seattle = add_endpoint(lab, zone=None, ChannelType="SMS", Address="+12065550100")
    toll_free = add_endpoint(lab, zone=None, ChannelType="SMS", Address="+18005550100")
    window = {"StartTime": "2026-11-03T01:00:00", "EndTime": "2026-12-01T00:00:00", "Timezone": "UTC"}
    sms = {"SMS": {"TemplateName": "nudge_sms"}}
    plain = lab.deploy(journey({"one": sms}, "one", Schedule=window, LocalTime=True))
    estimated = lab.deploy(
        journey(
            {"one": sms},
            "one",
            Schedule=window,
            LocalTime=True,
            TimezoneEstimationMethods=["PHONE_NUMBER", "POSTAL_CODE"],
        )
    )
    assert lab.start(plain, [seattle]) == {seattle: "ENDPOINT_MISSING_TIMEZONE"}
    # 10:00 UTC is 02:00 in Los Angeles: after the 01:00 local start
    assert lab.start(estimated, [seattle, toll_free]) == {
        seattle: "ENDPOINT_ENTERED",
        toll_free: "ENDPOINT_MISSING_TIMEZONE",
    }
    lab.paths(estimated)


def test_an_estimated_zone_is_the_one_quiet_time_is_kept_in(lab):
    seattle = add_endpoint(lab, zone=None, ChannelType="SMS", Address="+12065550100")
    body = journey(
        {"one": {"SMS": {"TemplateName": "nudge_sms"}}},
        "one",
        QuietTime={"Start": "00:00", "End": "08:00"},
        WaitForQuietTime=True,
        TimezoneEstimationMethods=["PHONE_NUMBER"],
    )
    deployed = lab.deploy(body)
    lab.run(deployed, [seattle])
    # 10:00 UTC is 02:00 in Los Angeles: held until 08:00 there, 16:00 UTC
    assert sends(lab, deployed)[0]["at"] == lab.clock.base + timedelta(hours=6)
