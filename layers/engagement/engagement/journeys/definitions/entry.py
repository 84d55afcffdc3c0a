"""Participants enter a journey: by event (``EventStartCondition``) or by segment
(``SegmentStartCondition``, re-read every ``RefreshFrequency``; only new members enter).

Entry checks the journey's state and schedule (``LocalTime``: in the endpoint's zone), the re-entry
cap and interval and the gate segment, then starts one execution per participant, named from
(journey, run, endpoint) so a repeated event or refresh cannot start a second one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from engagement.journeys.definitions.conditions import event_matches
from engagement.journeys.definitions.durations import parse_duration, parse_time
from engagement.journeys.definitions.rules import default_window, schedule_allows, within_default_window
from engagement.localtime import endpoint_zone

ENTERING_STATES = ("ACTIVE",)


class JourneyEntry:
    def __init__(
        self,
        *,
        table: Any,
        sfn: Any,
        registry: Any,
        segments: Any = None,
        segment_store: Any = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        members: Callable[[str, str, datetime], Iterable[Mapping[str, Any]]] | None = None,
    ) -> None:
        self.table, self.sfn, self.registry = table, sfn, registry
        self.segments, self.segment_store, self.clock = segments, segment_store, clock
        self.members = members or self._members

    # -- one participant -----------------------------------------------------------------------
    def enter(self, journey: Mapping[str, Any], arn: str, endpoint: Mapping[str, Any], run_id: str) -> str:
        """Start the participant's execution; returns ``ENDPOINT_ENTERED`` or why it did not enter."""
        app, journey_id, endpoint_id = journey["ApplicationId"], journey["Id"], endpoint["Id"]
        now = self.clock()
        reason = self._refusal(journey, endpoint, now)
        if reason is None:
            name = _execution_name(journey_id, run_id, endpoint_id)
            body = {"ApplicationId": app, "JourneyId": journey_id, "RunId": run_id, "EndpointId": endpoint_id}
            try:
                self.sfn.start_execution(stateMachineArn=arn, name=name, input=json.dumps(body))
            except self.sfn.exceptions.ExecutionAlreadyExists:
                return "DUPLICATE"
            self.table.record_entry(app, journey_id, endpoint_id, run_id, now)
            self.table.run_moved(app, journey_id, run_id, "entered", now)
            reason = "ENDPOINT_ENTERED"
        self.table.count(app, journey_id, reason)
        return reason

    def _refusal(self, journey: Mapping[str, Any], endpoint: Mapping[str, Any], now: datetime) -> str | None:
        if journey.get("State") not in ENTERING_STATES:
            return "JOURNEY_NOT_ACTIVE"
        if endpoint.get("EndpointStatus", "ACTIVE") != "ACTIVE":
            return "ENDPOINT_INACTIVE"
        estimate = journey.get("TimezoneEstimationMethods") or ()
        zone = endpoint_zone(endpoint, estimate) if journey.get("LocalTime") else None
        if journey.get("LocalTime") and zone is None and journey.get("Schedule"):
            return "ENDPOINT_MISSING_TIMEZONE"
        if not (
            schedule_allows(now, journey.get("Schedule"), local_zone=zone)
            and within_default_window(now, journey)
        ):
            return "OUTSIDE_SCHEDULE"
        limits = journey.get("Limits") or {}
        entries = self.table.entries(journey["ApplicationId"], journey["Id"], endpoint["Id"])
        cap = int(limits.get("EndpointReentryCap") or 0)  # 0 = unlimited
        if cap and len(entries) >= cap:  # "the maximum number of times a participant can enter"
            return "REENTRY_CAP_EXCEEDED"
        interval = limits.get("EndpointReentryInterval")
        if entries and interval and now - parse_time(entries[-1]) < parse_duration(interval):
            return "REENTRY_CAP_EXCEEDED"
        return None

    # -- events ----------------------------------------------------------------------------------
    def put_events(self, ApplicationId: str, EventsRequest: Mapping[str, Any]) -> dict[str, Any]:  # noqa: N803
        """boto3's ``put_events``: each event may start every ACTIVE journey whose ``EventFilter`` matches."""
        journeys = [
            (journey, arn)
            for journey, arn in self._journeys(ApplicationId)
            if (journey.get("StartCondition") or {}).get("EventStartCondition")
        ]
        results: dict[str, Any] = {}
        for endpoint_id, item in (EventsRequest.get("BatchItem") or {}).items():
            endpoint = self._endpoint(ApplicationId, endpoint_id) if journeys else None
            for event_id, event in (item.get("Events") or {}).items():
                for journey, arn in journeys:
                    if endpoint is not None and self._starts(journey, event, endpoint):
                        self.enter(journey, arn, endpoint, run_id=f"event-{event_id}")
            results[endpoint_id] = {
                "EndpointItemResponse": {"StatusCode": 202, "Message": "Accepted"},
                "EventsItemResponse": {
                    event_id: {"StatusCode": 202, "Message": "Accepted"}
                    for event_id in item.get("Events") or {}
                },
            }
        return {"EventsResponse": {"Results": results}}

    def _starts(
        self, journey: Mapping[str, Any], event: Mapping[str, Any], endpoint: Mapping[str, Any]
    ) -> bool:
        condition = journey["StartCondition"]["EventStartCondition"]
        dimensions = (condition.get("EventFilter") or {}).get("Dimensions") or {}
        recorded = {
            "event_type": event.get("EventType", ""),
            "attributes": event.get("Attributes"),
            "metrics": event.get("Metrics"),
        }
        if not event_matches(dimensions, recorded):
            return False
        gate = condition.get("SegmentId")
        return not gate or self.segments.is_member(journey["ApplicationId"], gate, endpoint, self.clock())

    # -- segments --------------------------------------------------------------------------------
    def refresh(self, application_id: str, *, force: bool = False) -> dict[str, int]:
        """Enter the new members of every due segment-started journey; journey id → entered."""
        entered: dict[str, int] = {}
        now = self.clock()
        for journey, arn in self._journeys(application_id):
            segment_id = ((journey.get("StartCondition") or {}).get("SegmentStartCondition") or {}).get(
                "SegmentId"
            )
            if not segment_id or journey.get("State") != "ACTIVE":
                continue
            opens = default_window(journey)[0]
            if opens and now < opens:
                continue  # not started (no StartTime: 5 minutes after publishing): read the segment then
            version = self._segment_version(application_id, segment_id, journey)
            if not (force or self._due(journey, now, version)):
                continue
            members = self.members(application_id, segment_id, now)
            entered[journey["Id"]] = self.enter_members(journey, arn, members)
            self.table.put_refresh(application_id, journey["Id"], now, version)
        return entered

    def enter_members(
        self, journey: Mapping[str, Any], arn: str, members: Iterable[Mapping[str, Any]]
    ) -> int:
        app, journey_id = journey["ApplicationId"], journey["Id"]
        already = self.table.entered_members(app, journey_id)
        run_id = f"refresh-{self.clock().strftime('%Y%m%dT%H%M%S')}"
        count = 0
        for endpoint in members:
            if endpoint["Id"] in already:
                continue  # only new members enter on a refresh
            if self.enter(journey, arn, endpoint, run_id) == "ENDPOINT_ENTERED":
                count += 1
            self.table.record_member(app, journey_id, endpoint["Id"])
        return count

    def _due(self, journey: Mapping[str, Any], now: datetime, segment_version: str) -> bool:
        """First read; ``RefreshFrequency`` passed; or (``RefreshOnSegmentUpdate``) a new segment version."""
        last = self.table.last_refresh(journey["ApplicationId"], journey["Id"])
        if last is None:
            return True
        if not journey.get("RefreshFrequency"):
            return False  # no refresh interval: the segment is read once
        if journey.get("RefreshOnSegmentUpdate") and segment_version != last[1]:
            return True
        return now - parse_time(last[0]) >= parse_duration(journey["RefreshFrequency"])

    def _segment_version(self, application_id: str, segment_id: str, journey: Mapping[str, Any]) -> str:
        if not journey.get("RefreshOnSegmentUpdate") or self.segment_store is None:
            return ""
        segment = self.segment_store.get_segment(ApplicationId=application_id, SegmentId=segment_id)
        return str(segment["SegmentResponse"].get("Version", ""))

    def _members(self, application_id: str, segment_id: str, now: datetime) -> Iterable[Mapping[str, Any]]:
        """The segment's members now: ``engagement.segments.iter_members`` (a parallel registry scan)."""
        from engagement.segments import iter_members

        return iter_members(
            segments=self.segment_store,
            registry=self.registry,
            application_id=application_id,
            segment_id=segment_id,
            now=now,
        )

    def _journeys(self, application_id: str) -> list[tuple[dict[str, Any], str]]:
        """The application's deployed journeys (with a state machine) and their ARNs."""
        return [found for found in self.table.list_journeys_and_arns(application_id) if found[1]]

    def _endpoint(self, app: str, endpoint_id: str) -> dict[str, Any] | None:
        from engagement.models.errors import NotFoundException

        try:
            return self.registry.get_endpoint(ApplicationId=app, EndpointId=endpoint_id)["EndpointResponse"]
        except NotFoundException:
            return None


def _execution_name(journey_id: str, run_id: str, endpoint_id: str) -> str:
    """≤ 80 characters, the same for the same (journey, run, endpoint)."""
    digest = hashlib.sha256(f"{journey_id}:{run_id}:{endpoint_id}".encode()).hexdigest()[:24]
    return f"{journey_id[:40]}-{digest}"
