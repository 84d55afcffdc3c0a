"""Planning one batch: each filter and counter, cohorts, local time, quiet time, limits."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from campaign_fakes import APP, endpoint

from engagement.campaigns.allocation import Allocator, campaign_offset, endpoint_cohort
from engagement.campaigns.definition import compile_campaign
from engagement.campaigns.ledger import MemoryLedger, RunKey
from engagement.campaigns.planner import Planner

NOON = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


def campaign(**overrides):
    body = {
        "Id": "camp-1",
        "ApplicationId": APP,
        "SegmentId": "seg-1",
        "TemplateConfiguration": {"EmailTemplate": {"Name": "channel_welcome"}},
        "Schedule": {"StartTime": "2026-12-01T12:00:00Z", "Frequency": "ONCE"},
        **overrides,
    }
    return compile_campaign(body)


class Registry:
    def __init__(self, users):
        self.users = users

    def get_user_endpoints(self, *, ApplicationId, UserId):  # noqa: N803
        return {"EndpointsResponse": {"Item": self.users.get(UserId, [])}}


def planner(c=None, *, ledger=None, now=NOON, wave=None, registry=None, activity="run-1"):
    c = c or campaign()
    return Planner(
        c,
        RunKey(APP, c.id, activity),
        NOON,
        ledger or MemoryLedger(),
        registry=registry,
        wave=wave,
        clock=lambda: now,
    )


def test_each_filter_has_its_counter_in_pinpoints_order():
    entries = [
        endpoint("ok"),
        endpoint("ok"),  # DUPLICATE_ENDPOINT
        endpoint("opted", OptOut="ALL"),
        endpoint("inactive", EndpointStatus="INACTIVE"),
        {**endpoint("nochannel"), "ChannelType": None},
        {**endpoint("noaddress"), "Address": ""},
        endpoint("sms", "SMS"),  # the campaign sends email only
        {"Id": "", "ChannelType": "EMAIL", "Address": "a@b.c"},
    ]
    plan = planner().plan("00001", entries)
    assert plan.counters == Counter(
        ENDPOINT_PRODUCED=8,
        PLANNED=1,
        TREATMENT_0=1,
        DUPLICATE_ENDPOINT=2,
        ENDPOINT_OPT_OUT=1,
        ENDPOINT_INACTIVE=1,
        ENDPOINT_MISSING_CHANNEL=1,
        ENDPOINT_MISSING_ADDRESS=1,
        ENDPOINT_CHANNEL_MISMATCH=1,
    )
    assert [s.endpoint_id for s in plan.sends] == ["ok"]


def test_user_only_entries_expand_to_the_users_endpoints():
    registry = Registry({"u1": [endpoint("u1-mail"), endpoint("u1-phone", "SMS")], "u2": []})
    entries = [{"User": {"UserId": "u1"}}, {"User": {"UserId": "u2"}}, endpoint("u1-mail")]
    plan = planner(registry=registry).plan("00001", entries)
    assert plan.counters["ENDPOINTS_FROM_USER"] == 2
    assert plan.counters["USER_WITHOUT_ENDPOINTS"] == 1
    assert plan.counters["DUPLICATE_ENDPOINT"] == 1  # u1-mail came from the user and on its own
    assert plan.counters["ENDPOINT_CHANNEL_MISMATCH"] == 1
    assert [s.endpoint_id for s in plan.sends] == ["u1-mail"]


def test_a_channel_only_one_treatment_serves_is_a_mismatch_for_the_others():
    c = campaign(
        AdditionalTreatments=[
            {"SizePercent": 50, "TemplateConfiguration": {"SMSTemplate": {"Name": "channel_welcome"}}}
        ]
    )
    plan = planner(c).plan("00001", [endpoint(f"p{i}", "SMS") for i in range(200)])
    mismatched, planned = plan.counters["ENDPOINT_CHANNEL_MISMATCH"], plan.counters["PLANNED"]
    assert mismatched + planned == 200 and mismatched > 50 and planned > 50
    assert {s.treatment.id for s in plan.sends} == {"1"}


def test_allocation_is_holdout_first_then_treatments_by_shifted_cohort():
    c = campaign(HoldoutPercent=10, AdditionalTreatments=[{"SizePercent": 30, "TreatmentName": "b"}])
    allocator = Allocator(c.id, c.holdout_percent, c.treatments)
    offset = campaign_offset(c.id)
    by_cohort = {cohort: allocator.allocate("any", str(cohort)) for cohort in range(100)}
    shifted = {(cohort + offset) % 100: t for cohort, t in by_cohort.items()}
    assert all(shifted[s] is None for s in range(10))
    assert all(shifted[s].id == "0" for s in range(10, 70))
    assert all(shifted[s].id == "1" for s in range(70, 100))


def test_allocation_is_stable_per_campaign_and_differs_between_campaigns():
    assert campaign_offset("camp-1") == campaign_offset("camp-1")
    assert len({campaign_offset(f"c{i}") for i in range(20)}) > 1
    assert endpoint_cohort("ep", "7") == 7
    assert endpoint_cohort("ep", None) == endpoint_cohort("EP", "bogus")  # the registry's own hash


def test_holdout_endpoints_are_counted_not_sent():
    c = campaign(HoldoutPercent=100)
    plan = planner(c).plan("00001", [endpoint(f"e{i}") for i in range(30)])
    assert plan.counters["TREATMENT_HOLDOUT"] == 30 and not plan.sends


@pytest.mark.parametrize(
    ("zone", "quiet"),
    [
        ("Europe/Paris", False),  # 13:00 there
        ("America/Los_Angeles", True),  # 04:00 there
        (None, False),  # campaign zone UTC+03: 15:00
    ],
)
def test_quiet_time_is_read_in_the_recipients_zone_and_drops(zone, quiet):
    c = campaign(
        Schedule={
            "StartTime": "2026-12-01T12:00:00Z",
            "Timezone": "UTC+03",
            "QuietTime": {"Start": "22:00", "End": "07:00"},
        }
    )
    extra = {"Demographic": {"Timezone": zone}} if zone else {}
    plan = planner(c).plan("00001", [endpoint("e", **extra)])
    assert plan.counters["QUIET_TIME"] == int(quiet)
    assert [d[3] for d in plan.dropped] == (["QUIET_TIME"] if quiet else [])


def test_quiet_time_with_start_equal_to_end_drops_nothing():
    """Pinpoint's docs are silent; here (as in journeys) ``Start == End`` is no quiet time."""
    c = campaign(
        Schedule={"StartTime": "2026-12-01T12:00:00Z", "QuietTime": {"Start": "12:00", "End": "12:00"}}
    )
    plan = planner(c).plan("00001", [endpoint("e", Demographic={"Timezone": "UTC"})])
    assert plan.counters["QUIET_TIME"] == 0 and len(plan.sends) == 1


def test_past_maximum_duration_endpoints_expire():
    c = campaign(Limits={"MaximumDuration": 60})
    plan = planner(c, now=NOON + dt.timedelta(seconds=61)).plan("00001", [endpoint("e")])
    assert plan.counters["EXPIRED"] == 1 and not plan.sends


def test_daily_and_total_limits_count_across_runs():
    ledger = MemoryLedger()
    c = campaign(Limits={"Daily": 1, "Total": 2})
    first = planner(c, ledger=ledger, activity="r1").plan("1", [endpoint("e")])
    same_day = planner(c, ledger=ledger, activity="r2").plan("1", [endpoint("e")])
    next_day = planner(c, ledger=ledger, activity="r3", now=NOON + dt.timedelta(days=1)).plan(
        "1", [endpoint("e")]
    )
    third_day = planner(c, ledger=ledger, activity="r4", now=NOON + dt.timedelta(days=2)).plan(
        "1", [endpoint("e")]
    )
    assert first.counters["PLANNED"] == 1
    assert same_day.counters["DAILY_CAP"] == 1
    assert next_day.counters["PLANNED"] == 1
    assert third_day.counters["TOTAL_CAP"] == 1


def test_a_resumed_batch_plans_again_without_counting_limits_twice():
    ledger = MemoryLedger()
    c = campaign(Limits={"Daily": 1})
    planner(c, ledger=ledger).plan("00001", [endpoint("e")])
    again = planner(c, ledger=ledger).plan("00007", [endpoint("e")])  # another batch on resume
    assert again.counters["ENDPOINT_RESUMED"] == 1 and again.counters["PLANNED"] == 1
    assert again.counters["DAILY_CAP"] == 0


def test_local_time_waves_reach_only_recipients_whose_clock_reads_the_campaign_time():
    c = campaign(
        Schedule={
            "StartTime": "2026-12-02T09:00:00Z",
            "Frequency": "ONCE",
            "IsLocalTime": True,
            "Timezone": "UTC",
        }
    )
    wave = dt.datetime(2026, 12, 2, 8, 0, tzinfo=dt.UTC)  # 09:00 in Paris (UTC+1)
    entries = [
        endpoint("paris", Demographic={"Timezone": "Europe/Paris"}),
        endpoint("london", Demographic={"Timezone": "Europe/London"}),
        endpoint("nozone"),
    ]
    plan = planner(c, wave=wave).plan("00001", entries)
    assert [s.endpoint_id for s in plan.sends] == ["paris"]
    assert plan.counters["ENDPOINT_TIMEZONE_MISMATCH"] == 2
    assert plan.counters["ENDPOINT_MISSING_TIMEZONE"] == 1
