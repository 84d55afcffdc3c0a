"""Every schedule type as an EventBridge Scheduler expression; local-time waves; later runs."""

from __future__ import annotations

import datetime as dt
import json

import boto3
import pytest
from moto import mock_aws

from engagement.campaigns.definition import compile_campaign
from engagement.campaigns.schedule import CampaignScheduler, has_later_run, local_due, schedule_expression

UTC = dt.UTC


def schedule(**fields):
    body = {
        "Id": "c",
        "ApplicationId": "a",
        "SegmentId": "s",
        "Schedule": {"StartTime": "2026-12-03T15:30:00Z", **fields},
    }
    return compile_campaign(body).schedule


@pytest.mark.parametrize(
    ("frequency", "expression"),
    [
        ("ONCE", "at(2026-12-03T15:30:00)"),
        ("HOURLY", "cron(30 * * * ? *)"),
        ("DAILY", "cron(30 15 * * ? *)"),
        ("WEEKLY", "cron(30 15 ? * THU *)"),  # 2026-12-03 is a Thursday
        ("MONTHLY", "cron(30 15 3 * ? *)"),
    ],
)
def test_each_frequency_has_its_expression(frequency, expression):
    found, window = schedule_expression(schedule(Frequency=frequency))
    assert found == expression
    if frequency != "ONCE":
        assert window["StartDate"] == dt.datetime(2026, 12, 3, 15, 30, tzinfo=UTC)


def test_monthly_on_the_31st_runs_on_each_months_last_day():
    found, _ = schedule_expression(
        compile_campaign(
            {
                "Id": "c",
                "ApplicationId": "a",
                "SegmentId": "s",
                "Schedule": {"StartTime": "2026-12-31T08:00:00Z", "Frequency": "MONTHLY"},
            }
        ).schedule
    )
    assert found == "cron(0 8 L * ? *)"


def test_end_time_bounds_the_schedule_and_immediate_and_event_have_none():
    _, window = schedule_expression(schedule(Frequency="DAILY", EndTime="2027-01-01T00:00:00Z"))
    assert window["EndDate"] == dt.datetime(2027, 1, 1, tzinfo=UTC)
    immediate = compile_campaign(
        {"Id": "c", "ApplicationId": "a", "SegmentId": "s", "Schedule": {"StartTime": "IMMEDIATE"}}
    )
    assert schedule_expression(immediate.schedule) is None
    assert schedule_expression(schedule(Frequency="EVENT", EventFilter={"Dimensions": {}})) is None


def test_local_time_fires_every_quarter_hour_across_every_zone():
    found, window = schedule_expression(schedule(Frequency="ONCE", IsLocalTime=True, Timezone="UTC-05"))
    assert found == "cron(0/15 * * * ? *)"
    wall = dt.datetime(2026, 12, 3, 10, 30, tzinfo=UTC)  # 15:30Z read in UTC-05
    assert window["StartDate"] == wall - dt.timedelta(hours=14)
    assert window["EndDate"] == wall + dt.timedelta(hours=12, minutes=1)


@pytest.mark.parametrize(
    ("frequency", "wave", "zone", "due"),
    [
        ("ONCE", "2026-12-03T09:30:00Z", "Europe/Paris", True),  # 10:30 in Paris on the day
        ("ONCE", "2026-12-03T15:30:00Z", "America/New_York", True),  # UTC-05 itself
        ("ONCE", "2026-12-04T09:30:00Z", "Europe/Paris", False),  # next day: ONCE is done
        ("DAILY", "2026-12-04T09:30:00Z", "Europe/Paris", True),
        ("DAILY", "2026-12-02T09:30:00Z", "Europe/Paris", False),  # before the start date
        ("WEEKLY", "2026-12-10T09:30:00Z", "Europe/Paris", True),
        ("WEEKLY", "2026-12-09T09:30:00Z", "Europe/Paris", False),
        ("MONTHLY", "2027-01-03T09:30:00Z", "Europe/Paris", True),
        ("ONCE", "2026-12-03T05:00:00Z", "Asia/Kolkata", True),  # 10:30 at UTC+05:30
        ("ONCE", "2026-12-03T09:45:00Z", "Europe/Paris", False),  # another quarter hour
    ],
)
def test_local_due(frequency, wave, zone, due):
    from zoneinfo import ZoneInfo

    s = schedule(Frequency=frequency, IsLocalTime=True, Timezone="UTC-05")
    moment = dt.datetime.fromisoformat(wave.replace("Z", "+00:00"))
    assert local_due(s, ZoneInfo(zone), moment) is due


def test_has_later_run():
    once = schedule(Frequency="ONCE")
    assert not has_later_run(once, dt.datetime(2026, 12, 3, 15, 30, tzinfo=UTC))
    daily = schedule(Frequency="DAILY", EndTime="2026-12-05T00:00:00Z")
    assert has_later_run(daily, dt.datetime(2026, 12, 3, 15, 30, tzinfo=UTC))
    assert not has_later_run(daily, dt.datetime(2026, 12, 4, 15, 30, tzinfo=UTC))
    assert has_later_run(schedule(Frequency="WEEKLY"), dt.datetime(2030, 1, 1, tzinfo=UTC))
    local_once = schedule(Frequency="ONCE", IsLocalTime=True)
    assert has_later_run(local_once, dt.datetime(2026, 12, 3, 15, 30, tzinfo=UTC))
    assert not has_later_run(local_once, dt.datetime(2026, 12, 4, 4, 0, tzinfo=UTC))


def test_the_scheduler_puts_one_schedule_per_campaign_in_the_group_and_disables_paused_ones():
    with mock_aws():
        client = boto3.client("scheduler", region_name="us-east-1")
        client.create_schedule_group(Name="engagement-campaigns-test")
        scheduler = CampaignScheduler(
            client,
            group="engagement-campaigns-test",
            target_arn="arn:aws:states:::sm",
            role_arn="arn:aws:iam::1:role/r",
        )
        assert (
            scheduler.put("app", "camp", schedule(Frequency="DAILY"), paused=False) == "cron(30 15 * * ? *)"
        )
        scheduler.put("app", "camp", schedule(Frequency="WEEKLY"), paused=True)  # replaced
        found = client.get_schedule(Name="campaign-camp", GroupName="engagement-campaigns-test")
        assert found["ScheduleExpression"] == "cron(30 15 ? * THU *)" and found["State"] == "DISABLED"
        assert json.loads(found["Target"]["Input"])["ScheduledTime"] == "<aws.scheduler.scheduled-time>"
        scheduler.delete("camp")
        scheduler.delete("camp")  # already gone: fine
        assert client.list_schedules(GroupName="engagement-campaigns-test")["Schedules"] == []
