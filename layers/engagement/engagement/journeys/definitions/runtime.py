"""What one activity does for one participant: the journey activity Lambda's logic.

The compiled state machine calls :meth:`JourneyRuntime.step` with the activity id and the
participant; the answer ``{"Next": <activity id> | "__exit__" | "HOLD", "WaitSeconds": n}`` drives
its Choice state. Message activities pass the journey's rules first (pause, quiet time, open
hours, closed days, caps, pacing), then send through the custom channel (``EMAIL``/``SMS``) or the
activity's ``DeliveryUri`` (``CUSTOM``), and write a ``_journey.send`` event.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from engagement.delivery.senders import sender_settings
from engagement.journeys.definitions.compiler import EXIT, HOLD
from engagement.journeys.definitions.conditions import Participant, Segments, condition_holds
from engagement.journeys.definitions.rules import closed_days_hold, open_hours_hold
from engagement.journeys.definitions.validate import activity_type
from engagement.localtime import endpoint_zone, quiet_time_hold

PAUSE_POLL_SECONDS = (
    3600  # paused participants re-check hourly: a 30-day pause stays far below 25,000 history events
)
RATE_HOLD_SECONDS = 1
CHANNEL_OF = {"EMAIL": "EMAIL", "SMS": "SMS", "PUSH": "PUSH", "CUSTOM": "CUSTOM"}


class Sender(Protocol):
    """Delivers one custom-channel payload; returns ``{endpointId: {"EventAttributes": {...}}}``."""

    def send(self, delivery_uri: str, payload: Mapping[str, Any]) -> Mapping[str, Any]: ...


@dataclass(frozen=True)
class RuntimeSettings:
    custom_channel_arn: str
    push_via_webhook: bool = False


class JourneyRuntime:
    def __init__(
        self,
        *,
        table: Any,
        registry: Any,
        segments: Segments,
        sender: Sender,
        settings: RuntimeSettings,
        writer: Any = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.table, self.registry, self.segments, self.sender = table, registry, segments, sender
        self.settings, self.writer, self.clock = settings, writer, clock
        self._versions: dict[tuple[str, str, int], dict[str, Any]] = {}

    def step(self, request: Mapping[str, Any]) -> dict[str, Any]:
        app, journey_id = request["ApplicationId"], request["JourneyId"]
        journey = self._version(app, journey_id, int(request.get("JourneyVersion") or 0))
        if journey is None:
            return _go(EXIT)
        if request["Action"] == "exit":
            self.table.count(app, journey_id, "ENDPOINT_LEFT")
            if request.get("RunId"):
                self.table.run_moved(app, journey_id, request["RunId"], "left", self.clock())
            return _go(EXIT)
        latest = self.table.get_journey(app, journey_id)
        if latest and latest[0].get("State") == "PAUSED":
            return _hold(PAUSE_POLL_SECONDS)  # Pinpoint freezes a paused journey's participants
        endpoint = self._endpoint(app, request["EndpointId"])
        if endpoint is None:
            return _go(EXIT)
        activity_id = request["ActivityId"]
        kind, config = activity_type(journey["Activities"][activity_id])
        who = Participant(
            app, journey_id, request["EndpointId"], endpoint, request["ExecutionId"], self.clock()
        )
        if request["Action"] == "send":
            return self._send(journey, activity_id, kind, config, who, request)
        return self._evaluate(journey, activity_id, kind, config, who)

    def _version(self, app: str, journey_id: str, version: int) -> dict[str, Any] | None:
        """A deployed version never changes: read it once per container."""
        key = (app, journey_id, version)
        if key not in self._versions:
            found = self.table.get_journey(app, journey_id, version or None)
            if found is None:
                return None
            self._versions[key] = found[0]
        return self._versions[key]

    # -- splits --------------------------------------------------------------------------------
    def _evaluate(
        self, journey: Mapping, activity_id: str, kind: str, config: Mapping, who: Participant
    ) -> dict:
        def holds(condition: Mapping[str, Any]) -> bool:
            return condition_holds(condition, who, segments=self.segments, table=self.table)

        if kind == "ConditionalSplit":
            condition = config.get("Condition") or {}
            results = [holds(item) for item in condition.get("Conditions") or []]
            passed = all(results) if condition.get("Operator", "ALL") == "ALL" else any(results)
            branch, target = (
                ("True", config.get("TrueActivity")) if passed else ("False", config.get("FalseActivity"))
            )
        elif kind == "MultiCondition":
            branch, target = "Else", config.get("DefaultActivity")
            for index, item in enumerate(config.get("Branches") or []):  # first match in Pinpoint's order
                if holds(item.get("Condition") or {}):
                    branch, target = f"Branch_{index + 1}", item.get("NextActivity")
                    break
        elif kind == "RandomSplit":
            bucket, cumulative = _bucket(who.execution_id, activity_id), 0
            branch, target = "Else", None
            for index, item in enumerate(config.get("Branches") or []):
                cumulative += item.get("Percentage", 0)
                if bucket < cumulative:
                    branch, target = f"Branch_{index + 1}", item.get("NextActivity")
                    break
        else:  # Holdout: held-out participants leave the journey
            held = _bucket(who.execution_id, activity_id) < config.get("Percentage", 0)
            branch, target = ("HOLDOUT", None) if held else ("Continue", config.get("NextActivity"))
        self.table.count(who.application_id, who.journey_id, branch, activity_id)
        return _go(target or EXIT)

    # -- message activities --------------------------------------------------------------------
    def _send(
        self,
        journey: Mapping,
        activity_id: str,
        kind: str,
        config: Mapping,
        who: Participant,
        request: Mapping,
    ) -> dict:
        next_activity = config.get("NextActivity") or EXIT
        app, journey_id = who.application_id, who.journey_id

        def skip(reason: str) -> dict:
            self.table.count(app, journey_id, reason, activity_id)
            return _go(next_activity)

        if config.get("EndpointTypes") and who.endpoint.get("ChannelType") not in config["EndpointTypes"]:
            return skip("ENDPOINT_TYPE_EXCLUDED")
        zone = endpoint_zone(who.endpoint, journey.get("TimezoneEstimationMethods") or ())
        quiet = quiet_time_hold(who.now, journey.get("QuietTime"), zone)
        if quiet:
            if journey.get("WaitForQuietTime"):
                return _hold(quiet)
            return skip("QUIET_TIME_DROPPED")
        if journey.get("SendingSchedule"):
            channel = CHANNEL_OF[kind]
            closed = closed_days_hold(who.now, (journey.get("ClosedDays") or {}).get(channel), zone)
            opening = open_hours_hold(who.now, (journey.get("OpenHours") or {}).get(channel), zone)
            if closed or opening:
                return _hold(max(closed, opening))
        cap = self._capped(journey, who)
        if cap:
            return skip(cap)
        per_second = (journey.get("Limits") or {}).get("MessagesPerSecond")
        if per_second and not self.table.take_rate_slot(
            journey_id, int(who.now.timestamp()), int(per_second)
        ):
            return _hold(RATE_HOLD_SECONDS)
        if not self.table.record_send(
            app, journey_id, who.endpoint_id, activity_id, who.execution_id, who.now
        ):
            return _go(next_activity)  # a retried invocation: this execution already sent it
        response = self._deliver(journey, activity_id, kind, config, who, request)
        attributes = dict(((response or {}).get(who.endpoint_id) or {}).get("EventAttributes") or {})
        self._after_send(activity_id, kind, who, request, attributes)
        return _go(next_activity)

    def _capped(self, journey: Mapping, who: Participant) -> str | None:
        limits = journey.get("Limits") or {}
        app, journey_id, endpoint_id = who.application_id, who.journey_id, who.endpoint_id
        if (
            limits.get("TotalCap")
            and len(self.table.sends(app, journey_id, endpoint_id)) >= limits["TotalCap"]
        ):
            return "TOTAL_CAP_EXCEEDED"
        if limits.get("DailyCap"):
            day = self.table.sends(app, journey_id, endpoint_id, since=who.now - timedelta(days=1))
            if len(day) >= limits["DailyCap"]:
                return "DAILY_CAP_EXCEEDED"
        timeframe = limits.get("TimeframeCap") or {}
        if timeframe.get("Cap") and timeframe.get("Days"):
            since = who.now - timedelta(days=int(timeframe["Days"]))
            if self.table.sends_to_endpoint(app, endpoint_id, since) >= timeframe["Cap"]:
                return "TIMEFRAME_CAP_EXCEEDED"
        return None

    def _deliver(
        self,
        journey: Mapping,
        activity_id: str,
        kind: str,
        config: Mapping,
        who: Participant,
        request: Mapping,
    ) -> Mapping:
        if kind == "CUSTOM":
            uri, data = config["DeliveryUri"], (config.get("MessageConfig") or {}).get("Data", "")
        else:
            channel = "WEBHOOK" if kind == "PUSH" else kind
            spec = {"template": config.get("TemplateName"), "channel": channel}
            spec.update(sender_settings(kind, config.get("MessageConfig")))
            if config.get("TemplateVersion"):
                spec["template_version"] = config["TemplateVersion"]
            uri, data = self.settings.custom_channel_arn, json.dumps(spec, separators=(",", ":"))
        payload = {
            "Message": {},
            "ApplicationId": who.application_id,
            "JourneyId": who.journey_id,
            "ActivityId": activity_id,
            "ScheduledTime": request.get("ExecutionStartTime") or who.now.isoformat(),
            "Data": data,
            "Endpoints": {who.endpoint_id: dict(who.endpoint)},
        }
        return self.sender.send(uri, payload)

    def _after_send(
        self, activity_id: str, kind: str, who: Participant, request: Mapping, attributes: dict
    ) -> None:
        app, journey_id = who.application_id, who.journey_id
        self.table.count(app, journey_id, "SENT", activity_id)
        if kind == "CUSTOM":  # the custom channel's journey-split response, for later EventConditions
            event = {"event_type": "_custom.response", "attributes": attributes}
            self.table.record_message_event(_message_event(who, activity_id, request, event), who.now)
        if self.writer is not None:
            from engagement.events.records import build_event_record

            tags = {
                "journey_id": journey_id,
                "journey_activity_id": activity_id,
                "journey_run_id": request["RunId"],
            }
            tags.update(
                {
                    key: str(value)
                    for key, value in attributes.items()
                    if key in ("delivery_status", "message_id")
                }
            )
            record = build_event_record(
                event_type="_journey.send", application_id=app, endpoint_id=who.endpoint_id, attributes=tags
            )
            self.writer.put([record])

    def _endpoint(self, app: str, endpoint_id: str) -> dict[str, Any] | None:
        from engagement.models.errors import NotFoundException

        try:
            return self.registry.get_endpoint(ApplicationId=app, EndpointId=endpoint_id)["EndpointResponse"]
        except NotFoundException:
            return None


def _message_event(who: Participant, activity_id: str, request: Mapping, event: Mapping) -> dict[str, Any]:
    from engagement.journeys.definitions.durations import iso

    return {
        "application_id": who.application_id,
        "journey_id": who.journey_id,
        "endpoint_id": who.endpoint_id,
        "activity_id": activity_id,
        "run_id": request.get("RunId"),
        "at": iso(who.now),
        **event,
    }


def _bucket(execution_id: str, activity_id: str) -> int:
    """0-99, stable for one participant's execution and activity (a retried step splits the same way)."""
    return int(hashlib.sha256(f"{execution_id}:{activity_id}".encode()).hexdigest(), 16) % 100


def _go(target: str) -> dict[str, Any]:
    return {"Next": target, "WaitSeconds": 0}


def _hold(seconds: int) -> dict[str, Any]:
    return {"Next": HOLD, "WaitSeconds": max(1, int(seconds))}
