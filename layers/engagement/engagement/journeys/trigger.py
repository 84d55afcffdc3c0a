"""The journey trigger: one EventBridge event in, one journey started (or one dead letter out).

    match a route  →  resolve (and upsert) endpoints  →  PutEvents | StartExecution

Permanent failures (:class:`JourneyValidationError`) go to the dead-letter queue with the
reason and the call returns ``{"status": "rejected"}``: retrying cannot help, and a retry
after partial success would duplicate. Anything else raises, so Lambda retries the event.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from engagement.journeys import values
from engagement.journeys.dead_letters import DeadLetterQueue
from engagement.journeys.errors import JourneyValidationError
from engagement.journeys.request import JourneyRequest
from engagement.journeys.resolve import EndpointResolver
from engagement.journeys.routes import Route, RouteTable
from engagement.masking import mask_text as masked


class Target(Protocol):
    def start(self, request: JourneyRequest) -> dict[str, Any]: ...


@dataclass
class JourneyTrigger:
    routes: RouteTable
    resolver: EndpointResolver
    targets: Mapping[str, Target]  # "pinpoint" / "stepfunctions"
    dead_letters: DeadLetterQueue
    logger: Any = None

    def handle(self, event: Mapping[str, Any]) -> dict[str, Any]:
        route: Route | None = None
        try:
            try:
                envelope = _envelope(event)
                route = self.routes.match(event)
                request = self.build_request(route, envelope)
                result = self.targets[route.target.type].start(request)
            except RecursionError as error:  # an event nested thousands deep
                raise JourneyValidationError("event nested too deeply") from error
        except JourneyValidationError as error:
            text = masked(str(error))  # error texts quote event values: no raw addresses in logs
            message_id = self.dead_letters.send(event, error, route.id if route else None, message=text)
            if self.logger:
                self.logger.error(
                    "journey event rejected",
                    extra={"reason": error.reason, "error": text, "route": route and route.id},
                )
            return {"status": "rejected", "reason": error.reason, "error": text, "deadLetterId": message_id}
        status = "duplicate" if result.get("duplicate") else "started"
        return {"status": status, "route": route.id, **result}

    def build_request(self, route: Route, envelope: EventEnvelope) -> JourneyRequest:
        detail = envelope.detail
        attributes = values.event_attributes(route.attributes, detail)
        metric_values = values.metrics(route.metrics, detail)
        values.check_event_keys(attributes, metric_values)  # fail before any endpoint is written
        endpoints = self.resolver.resolve(route, detail)
        return JourneyRequest(
            route=route,
            application_id=self.resolver.application_id,
            event_id=envelope.id,
            source=envelope.source,
            detail_type=envelope.detail_type,
            time=envelope.time.isoformat().replace("+00:00", "Z"),
            endpoints=endpoints,
            attributes=attributes,
            metrics=metric_values,
        )


class EventEnvelope(BaseModel):
    """The parts of an EventBridge event the trigger relies on (others are passed through as is)."""

    model_config = ConfigDict(populate_by_name=True, defer_build=True)

    id: str = Field(min_length=1)
    source: str = Field(min_length=1)
    detail_type: str = Field(alias="detail-type", min_length=1)
    time: datetime
    detail: dict[str, Any]


def _envelope(event: Mapping[str, Any]) -> EventEnvelope:
    """A malformed envelope is a permanent error."""
    try:
        return EventEnvelope.model_validate(event)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise JourneyValidationError(f"not an EventBridge event: {problems}") from error
