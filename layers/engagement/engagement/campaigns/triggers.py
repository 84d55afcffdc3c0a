"""``EVENT`` campaigns: an event matching ``Schedule.EventFilter`` starts a run for the endpoint
that reported it.

Events are read as Pinpoint's event-stream records (what ``put_events`` and the EventBridge routes
produce on the stream): ``event_type``, ``attributes``, ``metrics``, ``client.client_id`` (the
endpoint), ``application.app_id``, ``event_timestamp``. ``EventFilter.Dimensions`` is evaluated
with the segment evaluator's own dimension predicates (``EventType`` a set dimension, compared
case-sensitively; ``Attributes``; ``Metrics``).

Per matching event, as Pinpoint did: the endpoint must belong to the campaign's (dynamic) segment
(``FILTERED_OUT_BY_SEGMENT`` otherwise); an event older than five minutes is dropped (Pinpoint
"can't deliver ... within five minutes, it drops the message": ``EXPIRED``); then the run is the
ordinary one over that single endpoint - one activity per event (named by campaign and event
time), the planner's filters, cohorts, quiet time and limits, delivery through the channel.
Message events (``_email.*``, ``_SMS.*``, ``_campaign.*``, ``_journey.*``, ``_custom.*``) never
start campaigns.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from aws_lambda_powertools import Logger

from engagement.campaigns.clock import iso
from engagement.campaigns.definition import Campaign, compile_campaign
from engagement.campaigns.run import RunServices, finish_run, run_batch, start_run

logger = Logger(child=True)

MAX_EVENT_AGE = dt.timedelta(minutes=5)
MESSAGE_EVENT_PREFIXES = ("_email.", "_SMS.", "_campaign.", "_journey.", "_custom.", "_push.", "_inapp.")
CAMPAIGN_CACHE_S = 60.0


def compile_event_filter(event_filter: Mapping[str, Any]) -> Callable[[Mapping[str, Any]], bool]:
    """``EventFilter`` -> ``matches(record)``."""
    from engagement.segments.dimensions import all_of, attribute, endpoint_attribute, metric, set_dimension

    dimensions = event_filter.get("Dimensions") or {}
    predicates = []
    if dimensions.get("EventType"):
        predicates.append(
            set_dimension(lambda event: event.get("EventType"), dimensions["EventType"], case_sensitive=True)
        )
    for name, dimension in (dimensions.get("Attributes") or {}).items():
        predicates.append(attribute(endpoint_attribute(name), dimension))
    for name, dimension in (dimensions.get("Metrics") or {}).items():
        predicates.append(metric(name, dimension))
    combined = all_of(predicates)

    def matches(record: Mapping[str, Any]) -> bool:
        event = {
            "EventType": record.get("event_type"),
            "Attributes": {k: [str(v)] for k, v in (record.get("attributes") or {}).items()},
            "Metrics": dict(record.get("metrics") or {}),
        }
        return combined(event, time.time())

    return matches


def records_from_events_request(
    application_id: str, events_request: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """A ``put_events`` ``EventsRequest`` as the stream records ``handle`` reads (one per event)."""
    from engagement.campaigns.clock import parse_time

    records = []
    for endpoint_id, item in (events_request.get("BatchItem") or {}).items():
        for event in (item.get("Events") or {}).values():
            stamp = parse_time(event["Timestamp"]) if event.get("Timestamp") else dt.datetime.now(dt.UTC)
            records.append(
                {
                    "event_type": event.get("EventType"),
                    "event_timestamp": int(stamp.timestamp() * 1000),
                    "application": {"app_id": application_id},
                    "client": {"client_id": endpoint_id},
                    "attributes": dict(event.get("Attributes") or {}),
                    "metrics": dict(event.get("Metrics") or {}),
                }
            )
    return records


class EventCampaigns:
    """``handle(records)`` -> counters; runs every matching EVENT campaign for each record."""

    def __init__(self, services: RunServices, *, segments: Any = None) -> None:
        self.services = services
        self.segments = segments
        self._cache: dict[str, tuple[float, list[tuple[Campaign, Callable]]]] = {}
        # Pinned segment versions are immutable: read and compiled once per handler instance.
        self._versions: dict[tuple[str, str, int | None], Any] = {}

    def handle(self, records: Iterable[Mapping[str, Any]]) -> Counter[str]:
        counters: Counter[str] = Counter()
        now = self.services.clock()
        for record in records:
            event_type = str(record.get("event_type") or "")
            if not event_type or event_type.startswith(MESSAGE_EVENT_PREFIXES):
                continue
            application_id = str((record.get("application") or {}).get("app_id") or "")
            endpoint_id = str((record.get("client") or {}).get("client_id") or "")
            if not application_id or not endpoint_id:
                continue
            for campaign, matches in self._campaigns(application_id):
                if not matches(record):
                    continue
                counters["MATCHED"] += 1
                counters[self._run(campaign, endpoint_id, record, now)] += 1
        return counters

    def _campaigns(self, application_id: str) -> list[tuple[Campaign, Callable]]:
        cached = self._cache.get(application_id)
        if cached and time.monotonic() - cached[0] < CAMPAIGN_CACHE_S:
            return cached[1]
        found, token = [], None
        while True:
            page = self.services.store.get_campaigns(ApplicationId=application_id, Token=token)[
                "CampaignsResponse"
            ]
            for response in page["Item"]:
                schedule = response.get("Schedule") or {}
                if schedule.get("Frequency") == "EVENT" and not response.get("IsPaused"):
                    found.append(
                        (compile_campaign(response), compile_event_filter(schedule.get("EventFilter") or {}))
                    )
            token = page.get("NextToken")
            if not token:
                break
        self._cache[application_id] = (time.monotonic(), found)
        return found

    def _run(self, campaign: Campaign, endpoint_id: str, record: Mapping[str, Any], now: dt.datetime) -> str:
        occurred = dt.datetime.fromtimestamp(int(record.get("event_timestamp") or 0) / 1000, dt.UTC)
        if now - occurred > MAX_EVENT_AGE:
            return "EXPIRED"
        if campaign.schedule.start is not None and occurred < campaign.schedule.start:
            return "BEFORE_START"
        endpoint = self._endpoint(campaign.application_id, endpoint_id)
        if endpoint is None:
            return "ENDPOINT_NOT_FOUND"
        if not self._in_segment(campaign, endpoint, now):
            return "FILTERED_OUT_BY_SEGMENT"
        run = start_run(
            self.services,
            ApplicationId=campaign.application_id,
            CampaignId=campaign.id,
            ScheduledTime=iso(occurred),
        )
        if run.get("Skip"):
            return str(run["Reason"])
        counters = run_batch(self.services, run, "event", [endpoint])
        finish_run(self.services, run)
        return "SENT" if counters.get("DELIVERED") or counters.get("ALREADY_SENT") else "NOT_SENT"

    def _endpoint(self, application_id: str, endpoint_id: str) -> dict[str, Any] | None:
        from botocore.exceptions import ClientError

        try:
            found = self.services.registry.get_endpoint(ApplicationId=application_id, EndpointId=endpoint_id)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "NotFoundException":
                return None
            raise
        return {"Id": endpoint_id, **found["EndpointResponse"]}

    def _in_segment(self, campaign: Campaign, endpoint: Mapping[str, Any], now: dt.datetime) -> bool:
        if self.segments is None:
            return True
        from engagement.segments.scan import compile_stored

        version = campaign.segment_version
        key = (campaign.application_id, campaign.segment_id, version)
        compiled = self._versions.get(key) if version else None
        if compiled is None:  # with its base segments, dynamic and imported
            _, compiled = compile_stored(self.segments, campaign.application_id, campaign.segment_id, version)
            if version:
                self._versions[key] = compiled
        return compiled.matches(dict(endpoint), now)
