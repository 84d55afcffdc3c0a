"""Pinpoint target: ``PutEvents`` so the event enters a Pinpoint event-triggered journey.

PutEvents answers 202 even when items are rejected: every endpoint item and every event item
has its own status code (202 accepted, 400 invalid). Each one is checked; any rejection is a
permanent :class:`TargetRejectedError` naming the endpoint and Pinpoint's message.
"""

from __future__ import annotations

from typing import Any

from engagement.journeys import values
from engagement.journeys.errors import TargetNotConfiguredError, TargetRejectedError
from engagement.journeys.request import JourneyRequest

ACCEPTED = 202
MAX_ENDPOINTS_PER_CALL = 100  # Pinpoint: ≤ 100 events per PutEvents request


def events_request(request: JourneyRequest, event_type: str) -> dict[str, Any]:
    """The ``EventsRequest``: one event per endpoint, keyed by the EventBridge event id.

    ``Endpoint`` is ``{}``: the endpoint already exists (or was upserted), and PutEvents would
    otherwise overwrite its fields.
    """
    values.check_event_keys(request.attributes, request.metrics)
    event: dict[str, Any] = {"EventType": event_type, "Timestamp": request.time}
    if request.attributes:
        event["Attributes"] = dict(request.attributes)
    if request.metrics:
        event["Metrics"] = dict(request.metrics)
    batch = {
        endpoint_id: {"Endpoint": {}, "Events": {request.event_id: event}}
        for endpoint_id in request.endpoints
    }
    return {"BatchItem": batch}


def rejections(response: dict[str, Any]) -> list[str]:
    """Every item of an ``EventsResponse`` whose status is not 202, as readable lines."""
    problems = []
    for endpoint_id, item in response.get("EventsResponse", {}).get("Results", {}).items():
        endpoint_item = item.get("EndpointItemResponse") or {}
        if endpoint_item and endpoint_item.get("StatusCode") != ACCEPTED:
            problems.append(
                f"endpoint {endpoint_id}: {endpoint_item.get('StatusCode')} {endpoint_item.get('Message')}"
            )
        for event_id, event_item in (item.get("EventsItemResponse") or {}).items():
            if event_item.get("StatusCode") != ACCEPTED:
                problems.append(
                    f"event {event_id} for endpoint {endpoint_id}: "
                    f"{event_item.get('StatusCode')} {event_item.get('Message')}"
                )
    return problems


class PutEventsTarget:
    """Record the event in Pinpoint, where an event-triggered journey picks it up."""

    def __init__(self, client: Any | None, application_id: str | None):
        self.client = client
        self.application_id = application_id

    def start(self, request: JourneyRequest) -> dict[str, Any]:
        from botocore.exceptions import ClientError

        if self.client is None or not self.application_id:
            raise TargetNotConfiguredError(
                f"route {request.route.id} targets Pinpoint, but no Pinpoint application is configured "
                "(template parameter PinpointApplicationId)"
            )
        if len(request.endpoints) > MAX_ENDPOINTS_PER_CALL:
            raise TargetRejectedError(
                f"{len(request.endpoints)} endpoints; PutEvents takes {MAX_ENDPOINTS_PER_CALL}"
            )
        event_type = request.route.target.event_type  # type: ignore[union-attr]
        body = events_request(request, event_type)
        try:
            response = self.client.put_events(ApplicationId=self.application_id, EventsRequest=body)
        except ClientError as error:
            if error.response["Error"]["Code"] in {"BadRequestException", "NotFoundException"}:
                raise TargetRejectedError(f"Pinpoint PutEvents rejected the request: {error}") from error
            raise  # throttling, 5xx: transient, retried
        problems = rejections(response)
        if problems:
            raise TargetRejectedError("Pinpoint PutEvents rejected: " + "; ".join(problems))
        return {"target": "pinpoint", "eventType": event_type, "endpoints": sorted(request.endpoints)}
