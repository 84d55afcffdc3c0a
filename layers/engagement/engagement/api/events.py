"""``put_events``: app and custom events onto the event stream, endpoints into the registry.

Like Pinpoint, the call itself answers 202 and every endpoint and every event carries its own
status (202 accepted, 400 refused with the reason): a bad event never sinks its neighbours.
Accepted events are written to the Kinesis event stream in Pinpoint's app-event shape
(``event_type`` exactly as sent, ``session``, ``attributes``, ``metrics``): ``EVENT`` campaigns
read them there. With journeys served, accepted events first go to ``JourneyEntry.put_events``,
which admits their endpoints to matching event-started journeys. If either step fails the whole
call fails with a 500, so the caller's retry loses nothing: endpoint updates are idempotent,
journey executions are named by (journey, event, endpoint) so a retry admits nobody twice, and
the stream is written last, so a failed call leaves no records to duplicate.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engagement.api.limits import MAX_EVENTS
from engagement.campaigns.clock import parse_time
from engagement.events.records import build_event_record
from engagement.models.errors import BadRequestException, InternalServerErrorException

MAX_KEYS = 40  # attributes + metrics per event
MAX_KEY_CHARS = 50
MAX_VALUE_CHARS = 200
ACCEPTED = {"StatusCode": 202, "Message": "Accepted"}


class EventsService:
    """boto3's ``put_events`` over the endpoint registry and the event-stream writer."""

    def __init__(self, *, registry: Any, writer: Any, journeys: Any = None) -> None:
        self.registry = registry
        self.writer = writer
        self.journeys = journeys  # JourneyEntry (boto3's put_events), or None

    def put_events(self, *, ApplicationId: str, EventsRequest: dict[str, Any]) -> dict[str, Any]:  # noqa: N803
        batch = EventsRequest.get("BatchItem") or {}
        total = sum(len(item.get("Events") or {}) for item in batch.values())
        if total > MAX_EVENTS:
            raise BadRequestException(
                f"EventsRequest.BatchItem holds {total} events; a request may carry at most {MAX_EVENTS}",
                "PutEvents",
            )
        results: dict[str, Any] = {}
        records: list[dict[str, Any]] = []
        accepted: dict[str, Any] = {}  # BatchItem of the accepted events only
        for endpoint_id, item in batch.items():
            endpoint_result = self._endpoint(ApplicationId, endpoint_id, item.get("Endpoint") or {})
            events_result = {}
            for event_id, event in (item.get("Events") or {}).items():
                problem = _problem(event)
                if problem:
                    events_result[event_id] = {"StatusCode": 400, "Message": problem}
                    continue
                records.append(app_event_record(ApplicationId, endpoint_id, event_id, event))
                accepted.setdefault(endpoint_id, {"Events": {}})["Events"][event_id] = event
                events_result[event_id] = dict(ACCEPTED)
            results[endpoint_id] = {
                "EndpointItemResponse": endpoint_result,
                "EventsItemResponse": events_result,
            }
        if accepted and self.journeys is not None:
            try:
                self.journeys.put_events(ApplicationId=ApplicationId, EventsRequest={"BatchItem": accepted})
            except Exception as error:
                raise InternalServerErrorException(
                    f"journeys not entered, retry: {error}", "PutEvents"
                ) from error
        if records and self.writer is not None:
            try:
                self.writer.put(records)
            except Exception as error:
                raise InternalServerErrorException(
                    f"events not recorded, retry: {error}", "PutEvents"
                ) from error
        return {"EventsResponse": {"Results": results}}

    def _endpoint(self, application_id: str, endpoint_id: str, endpoint: Mapping[str, Any]) -> dict[str, Any]:
        if not endpoint:
            return dict(ACCEPTED)
        try:
            self.registry.update_endpoint(
                ApplicationId=application_id, EndpointId=endpoint_id, EndpointRequest=dict(endpoint)
            )
        except Exception as error:
            status = int(
                getattr(error, "response", {}).get("ResponseMetadata", {}).get("HTTPStatusCode") or 500
            )
            return {"StatusCode": status, "Message": str(getattr(error, "message", error))}
        return dict(ACCEPTED)


def app_event_record(
    application_id: str, endpoint_id: str, event_id: str, event: Mapping[str, Any]
) -> dict[str, Any]:
    """One PutEvents event as Pinpoint streamed app events (reference §2.5)."""
    record = build_event_record(
        event_type=str(event["EventType"]),
        application_id=application_id,
        endpoint_id=endpoint_id,
        attributes={**(event.get("Attributes") or {})},
        metrics=event.get("Metrics") or {},
        timestamp_ms=_epoch_ms(event["Timestamp"]),
    )
    record["event_id"] = event_id
    application = record["application"]
    for key, field in (
        ("package_name", "AppPackageName"),
        ("title", "AppTitle"),
        ("version_code", "AppVersionCode"),
    ):
        if event.get(field):
            application[key] = event[field]
    if event.get("SdkName") or event.get("ClientSdkVersion"):
        application["sdk"] = {"name": event.get("SdkName", ""), "version": event.get("ClientSdkVersion", "")}
    session = event.get("Session") or {}
    if session:
        record["session"] = {
            "session_id": session.get("Id", ""),
            "start_timestamp": _epoch_ms(session.get("StartTimestamp")),
            **(
                {"stop_timestamp": _epoch_ms(session["StopTimestamp"])}
                if session.get("StopTimestamp")
                else {}
            ),
        }
    return record


def _problem(event: Mapping[str, Any]) -> str:
    """Pinpoint's event limits (reference §4): the reason an event is refused, or ``""``."""
    attributes, metrics = event.get("Attributes") or {}, event.get("Metrics") or {}
    if len(attributes) + len(metrics) > MAX_KEYS:
        return f"An event may carry at most {MAX_KEYS} attributes and metrics"
    for key in (*attributes, *metrics):
        if len(key) > MAX_KEY_CHARS:
            return f"Attribute or metric name {key[:60]!r} is longer than {MAX_KEY_CHARS} characters"
    for key, value in attributes.items():
        if len(str(value)) > MAX_VALUE_CHARS:
            return f"Attribute {key!r} is longer than {MAX_VALUE_CHARS} characters"
    if _epoch_ms(event.get("Timestamp")) is None:
        return f"Timestamp {event.get('Timestamp')!r} is not an ISO 8601 date-time"
    return ""


def _epoch_ms(value: Any) -> int | None:
    """Epoch milliseconds of an ISO 8601 date-time (naive read as UTC), or ``None``."""
    if not value:
        return None
    try:
        return int(parse_time(str(value)).timestamp() * 1000)
    except ValueError:
        return None
