"""Campaign schedules on EventBridge Scheduler, and which recipients a local-time firing reaches.

Expressions are in UTC: a campaign's ``Timezone`` is a fixed UTC offset and its ``StartTime`` an
absolute instant, so UTC loses nothing.

====================  ==============================================================
``ONCE``              ``at(2026-12-01T15:00:00)``
``HOURLY``            ``cron(M * * * ? *)`` from ``StartTime`` (minute of ``StartTime``)
``DAILY``             ``cron(M H * * ? *)``
``WEEKLY``            ``cron(M H ? * D *)`` on ``StartTime``'s weekday
``MONTHLY``           ``cron(M H d * ? *)``; days 29-31 become ``L``, the month's last day
``IsLocalTime``       ``cron(0/15 * * * ? *)`` from 14 h before to 12 h after the start:
                      each firing is one wave, the recipients whose own wall clock now
                      reads the campaign's time (to the quarter hour) on a day it runs
``IMMEDIATE``         no schedule: the store starts one run when the campaign is created
``EVENT``             no schedule: events matching ``EventFilter`` start runs
====================  ==============================================================
"""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import json
from typing import Any

from engagement.campaigns.definition import Schedule

WAVE_MINUTES = 15  # UTC+05:45 and UTC+05:30 zones fall on quarter hours
SCHEDULER_DAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
PERIODS = {"HOURLY": dt.timedelta(hours=1), "DAILY": dt.timedelta(days=1), "WEEKLY": dt.timedelta(days=7)}


def schedule_expression(schedule: Schedule) -> tuple[str, dict[str, dt.datetime]] | None:
    """(expression, ``StartDate``/``EndDate``) for EventBridge Scheduler; ``None``: no schedule."""
    start = schedule.start
    if start is None or schedule.frequency == "EVENT":
        return None
    window: dict[str, dt.datetime] = {}
    if schedule.is_local_time and schedule.frequency != "HOURLY":
        wall = wall_clock(schedule).replace(tzinfo=dt.UTC)
        window["StartDate"] = wall - dt.timedelta(hours=14)
        last = wall if schedule.frequency == "ONCE" else (schedule.end or None)
        if last is not None:
            window["EndDate"] = last + dt.timedelta(hours=12, minutes=1)
        return f"cron(0/{WAVE_MINUTES} * * * ? *)", window
    if schedule.frequency == "ONCE":
        return f"at({start.strftime('%Y-%m-%dT%H:%M:%S')})", window
    window["StartDate"] = start
    if schedule.end is not None:
        window["EndDate"] = schedule.end
    minute, hour = start.minute, start.hour
    if schedule.frequency == "HOURLY":
        return f"cron({minute} * * * ? *)", window
    if schedule.frequency == "DAILY":
        return f"cron({minute} {hour} * * ? *)", window
    if schedule.frequency == "WEEKLY":
        return f"cron({minute} {hour} ? * {SCHEDULER_DAYS[start.weekday()]} *)", window
    day = "L" if start.day > 28 else str(start.day)
    return f"cron({minute} {hour} {day} * ? *)", window


def wall_clock(schedule: Schedule) -> dt.datetime:
    """``StartTime`` as a naive wall-clock time in the campaign's ``Timezone`` (UTC if none)."""
    assert schedule.start is not None
    return schedule.start.astimezone(schedule.zone or dt.UTC).replace(tzinfo=None)


def _slot(moment: dt.datetime | dt.time) -> int:
    return (moment.hour * 60 + moment.minute) // WAVE_MINUTES


def local_due(schedule: Schedule, zone: dt.tzinfo, wave: dt.datetime) -> bool:
    """Does the firing at ``wave`` (UTC) reach a recipient living in ``zone``?"""
    wall = wall_clock(schedule)
    local = wave.astimezone(zone).replace(tzinfo=None)
    if _slot(local) != _slot(wall) or local.date() < wall.date():
        return False
    frequency = schedule.frequency
    if frequency == "ONCE":
        return local.date() == wall.date()
    if frequency == "WEEKLY":
        return local.weekday() == wall.weekday()
    if frequency == "MONTHLY":
        last = calendar.monthrange(local.year, local.month)[1]
        return local.day == min(wall.day, last)
    return True  # DAILY


def has_later_run(schedule: Schedule, after: dt.datetime) -> bool:
    """Will the schedule fire again after ``after``? (PENDING_NEXT_RUN rather than COMPLETED)."""
    if schedule.start is None or schedule.frequency == "EVENT":
        return schedule.frequency == "EVENT" and (schedule.end is None or schedule.end > after)
    if schedule.is_local_time and schedule.frequency != "HOURLY":
        last_wave = wall_clock(schedule).replace(tzinfo=dt.UTC) + dt.timedelta(hours=12)
        if schedule.frequency == "ONCE":
            return after + dt.timedelta(minutes=WAVE_MINUTES) <= last_wave
        return schedule.end is None or after + dt.timedelta(minutes=WAVE_MINUTES) < schedule.end
    if schedule.frequency == "ONCE":
        return after < schedule.start
    period = PERIODS.get(schedule.frequency, dt.timedelta(days=28))
    return schedule.end is None or after + period <= schedule.end


class CampaignScheduler:
    """One EventBridge Scheduler schedule per campaign, in the stack's one schedule group.

    Each schedule starts the run state machine with ``{"ApplicationId", "CampaignId",
    "ScheduledTime": <aws.scheduler.scheduled-time>}``; a paused campaign's schedule is DISABLED.
    """

    def __init__(self, client: Any, *, group: str, target_arn: str, role_arn: str) -> None:
        self.client = client
        self.group = group
        self.target_arn = target_arn
        self.role_arn = role_arn

    @staticmethod
    def name(campaign_id: str) -> str:
        return f"campaign-{campaign_id}"[:64]

    def put(self, application_id: str, campaign_id: str, schedule: Schedule, *, paused: bool) -> str | None:
        """Create or replace the campaign's schedule; the expression, or ``None`` if it has none."""
        found = schedule_expression(schedule)
        self.delete(campaign_id)
        if found is None:
            return None
        expression, window = found
        self.client.create_schedule(
            Name=self.name(campaign_id),
            GroupName=self.group,
            ScheduleExpression=expression,
            ScheduleExpressionTimezone="UTC",
            FlexibleTimeWindow={"Mode": "OFF"},
            State="DISABLED" if paused else "ENABLED",
            Target={
                "Arn": self.target_arn,
                "RoleArn": self.role_arn,
                "Input": json.dumps(
                    {
                        "ApplicationId": application_id,
                        "CampaignId": campaign_id,
                        "ScheduledTime": "<aws.scheduler.scheduled-time>",
                    }
                ),
                "RetryPolicy": {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 3600},
            },
            **window,
        )
        return expression

    def delete(self, campaign_id: str) -> None:
        with contextlib.suppress(self.client.exceptions.ResourceNotFoundException):
            self.client.delete_schedule(Name=self.name(campaign_id), GroupName=self.group)
