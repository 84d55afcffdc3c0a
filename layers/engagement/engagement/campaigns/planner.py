"""Plan one batch of a run: which endpoints get which treatment's message, and why the rest don't.

Per snapshot entry, in this order (each refusal counted under Pinpoint's run counter name):

1. user expansion: an entry with ``User.UserId`` and no endpoint ``Id`` becomes that user's
   endpoints (``ENDPOINTS_FROM_USER``); every endpoint then counts ``ENDPOINT_PRODUCED``;
2. ``DUPLICATE_ENDPOINT`` (seen earlier in this run), ``ENDPOINT_OPT_OUT`` (``OptOut`` ALL),
   ``ENDPOINT_INACTIVE``, ``ENDPOINT_MISSING_CHANNEL``, ``ENDPOINT_MISSING_ADDRESS``,
   ``ENDPOINT_CHANNEL_MISMATCH`` (no treatment delivers to its ``ChannelType``);
3. local time: ``ENDPOINT_TIMEZONE_MISMATCH`` when this wave is not the recipient's hour
   (``ENDPOINT_MISSING_TIMEZONE`` counts recipients read in the campaign's zone instead);
4. cohort allocation (``allocation.py``): ``TREATMENT_HOLDOUT``;
5. ``QUIET_TIME`` in the recipient's zone: dropped, not held (Pinpoint's campaign rule; journeys
   may hold), and ``EXPIRED`` past ``MaximumDuration`` after the scheduled start;
6. ``ledger.reserve``: the exactly-once plan record and the ``DAILY_CAP`` / ``TOTAL_CAP`` counters
   (``ENDPOINT_RESUMED``: planned before in this run, delivered again under the same key).

Everything left is ``PLANNED`` (Pinpoint's ``TotalEndpointCount``) and goes to delivery.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from engagement.campaigns.allocation import Allocator
from engagement.campaigns.definition import Campaign, Delivery, Treatment
from engagement.campaigns.ledger import Reservation, RunKey
from engagement.campaigns.schedule import local_due
from engagement.localtime import endpoint_zone, in_quiet_time

MAX_BATCH = 50  # endpoints per batch, as Pinpoint invokes a custom channel
# Statuses of planned-then-dropped endpoints, written as ``_campaign.send`` records.
DROPPED = ("QUIET_TIME", "EXPIRED", "DAILY_CAP", "TOTAL_CAP")


@dataclass(frozen=True)
class PlannedSend:
    treatment: Treatment
    delivery: Delivery
    endpoint_id: str
    endpoint: Mapping[str, Any]


@dataclass
class BatchPlan:
    counters: Counter[str] = field(default_factory=Counter)
    sends: list[PlannedSend] = field(default_factory=list)
    dropped: list[tuple[str, Mapping[str, Any], str, str]] = field(
        default_factory=list
    )  # id, ep, treatment, status


@dataclass
class Planner:
    """Compiled once per run; ``plan(batch_key, entries)`` per batch."""

    campaign: Campaign
    key: RunKey
    scheduled_time: dt.datetime
    ledger: Any
    registry: Any = None
    wave: dt.datetime | None = None  # local-time firing (UTC); None: every zone now
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)

    def __post_init__(self) -> None:
        campaign = self.campaign
        self.allocator = Allocator(campaign.id, campaign.holdout_percent, campaign.treatments)
        self.channel_types = campaign.channel_types
        schedule = campaign.schedule
        self.local_time = schedule.is_local_time and schedule.frequency != "HOURLY" and self.wave is not None
        self.deadline = (
            self.scheduled_time + dt.timedelta(seconds=campaign.limits.maximum_duration_s)
            if campaign.limits.maximum_duration_s
            else None
        )

    def plan(self, batch_key: str, entries: Iterable[Mapping[str, Any]]) -> BatchPlan:
        result = BatchPlan()
        counters = result.counters
        now = self.clock()
        day = now.strftime("%Y-%m-%d")
        seen: set[str] = set()
        schedule, limits = self.campaign.schedule, self.campaign.limits
        for endpoint in self._expand(entries, counters):
            counters["ENDPOINT_PRODUCED"] += 1
            endpoint_id = str(endpoint.get("Id") or "")
            reason = self._filter(endpoint, endpoint_id, seen)
            if reason:
                counters[reason] += 1
                continue
            seen.add(endpoint_id)
            own_zone = endpoint_zone(endpoint)
            zone = own_zone if own_zone is not None else (schedule.zone or dt.UTC)
            if self.local_time:
                if own_zone is None:
                    counters["ENDPOINT_MISSING_TIMEZONE"] += 1
                if not local_due(schedule, zone, self.wave):  # type: ignore[arg-type]
                    counters["ENDPOINT_TIMEZONE_MISMATCH"] += 1
                    continue
            treatment = self.allocator.allocate(endpoint_id, endpoint.get("CohortId"))
            if treatment is None:
                counters["TREATMENT_HOLDOUT"] += 1
                continue
            delivery = treatment.delivery_for(str(endpoint.get("ChannelType")).upper())
            if delivery is None:
                counters["ENDPOINT_CHANNEL_MISMATCH"] += 1
                continue
            status = None
            if schedule.has_quiet_time and in_quiet_time(
                now.astimezone(zone), schedule.quiet_start, schedule.quiet_end
            ):  # type: ignore[arg-type]
                status = "QUIET_TIME"
            elif self.deadline is not None and now > self.deadline:
                status = "EXPIRED"
            else:
                reservation = self.ledger.reserve(
                    self.key,
                    batch_key,
                    endpoint_id,
                    treatment.id,
                    day=day,
                    daily=limits.daily,
                    total=limits.total,
                )
                if reservation in (Reservation.DAILY_CAP, Reservation.TOTAL_CAP):
                    status = reservation.value
                elif reservation is Reservation.RESUMED:
                    counters["ENDPOINT_RESUMED"] += 1
            if status:
                counters[status] += 1
                result.dropped.append((endpoint_id, endpoint, treatment.id, status))
                continue
            counters["PLANNED"] += 1
            counters[f"TREATMENT_{treatment.id}"] += 1
            result.sends.append(PlannedSend(treatment, delivery, endpoint_id, endpoint))
        return result

    def _filter(self, endpoint: Mapping[str, Any], endpoint_id: str, seen: set[str]) -> str | None:
        if not endpoint_id or endpoint_id in seen:
            return "DUPLICATE_ENDPOINT"
        if str(endpoint.get("OptOut") or "").upper() == "ALL":
            return "ENDPOINT_OPT_OUT"
        if str(endpoint.get("EndpointStatus") or "").upper() == "INACTIVE":
            return "ENDPOINT_INACTIVE"
        channel_type = str(endpoint.get("ChannelType") or "").upper()
        if not channel_type:
            return "ENDPOINT_MISSING_CHANNEL"
        if not endpoint.get("Address") and channel_type != "CUSTOM":
            return "ENDPOINT_MISSING_ADDRESS"
        if channel_type not in self.channel_types:
            return "ENDPOINT_CHANNEL_MISMATCH"
        return None

    def _expand(
        self, entries: Iterable[Mapping[str, Any]], counters: Counter[str]
    ) -> Iterable[Mapping[str, Any]]:
        """Endpoints as they are; a user-only entry becomes its user's endpoints (registry)."""
        for entry in entries:
            user_id = (entry.get("User") or {}).get("UserId")
            if entry.get("Id") or not user_id:
                yield entry
                continue
            found = self._user_endpoints(str(user_id))
            counters["ENDPOINTS_FROM_USER"] += len(found)
            if not found:
                counters["USER_WITHOUT_ENDPOINTS"] += 1
            yield from found

    def _user_endpoints(self, user_id: str) -> list[Mapping[str, Any]]:
        if self.registry is None:
            return []
        from botocore.exceptions import ClientError

        try:
            response = self.registry.get_user_endpoints(ApplicationId=self.key.application_id, UserId=user_id)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "NotFoundException":
                return []
            raise
        return list(response.get("EndpointsResponse", {}).get("Item", []))
