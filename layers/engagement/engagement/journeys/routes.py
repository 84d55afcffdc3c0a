"""The route table: which EventBridge events start which journey, declared once in ``routes.json``.

A route says: the event pattern (identical to the EventBridge rule of the same name on
``JourneyTriggerFunction`` in template.yaml; ``consistency.check_routes`` keeps them in step),
how to find the endpoints (JMESPath into ``detail``), whether to upsert the endpoint first, what
to pass on as event attributes and metrics, and the target: Pinpoint ``PutEvents`` or a Step
Functions journey. JSON rather than YAML: the Lambda runtime has no YAML parser.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from engagement.journeys import patterns
from engagement.journeys.errors import AmbiguousRouteError, NoRouteError

ROUTES_PATH = Path(__file__).with_name("routes.json")
ChannelType = Literal["EMAIL", "SMS", "VOICE", "PUSH", "GCM", "APNS", "CUSTOM", "IN_APP"]
JMESPath = Annotated[
    str, Field(min_length=1, description="JMESPath expression evaluated on the event's detail")
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class EndpointSelector(_Model):
    """How the event names its endpoint(s): by endpoint id, by user id, or by channel + address."""

    by: Literal["endpoint_id", "user_id", "address"]
    path: JMESPath
    channel: ChannelType | None = None  # required with by="address"

    @model_validator(mode="after")
    def _channel_with_address(self) -> EndpointSelector:
        if (self.by == "address") != (self.channel is not None):
            raise ValueError("channel is required with by='address' and only allowed there")
        return self


class Upsert(_Model):
    """Write these values (JMESPath into ``detail``) to the endpoint before the journey starts."""

    attributes: dict[str, JMESPath] = Field(default_factory=dict)
    user_attributes: dict[str, JMESPath] = Field(default_factory=dict)
    metrics: dict[str, JMESPath] = Field(default_factory=dict)
    user_id: JMESPath | None = None  # for a new endpoint found by address
    create_missing: bool = False  # by="address"/"endpoint_id": create the endpoint if absent


class PinpointTarget(_Model):
    type: Literal["pinpoint"]
    event_type: str = Field(min_length=1, max_length=50)


class StepFunctionsTarget(_Model):
    type: Literal["stepfunctions"]
    state_machine: str = Field(pattern=r"^[A-Za-z0-9]+$", description="logical id in template.yaml")
    data: dict[str, Any] = Field(default_factory=dict, description="custom-channel Data for the journey")


class Route(_Model):
    id: str = Field(pattern=r"^[A-Za-z0-9]{1,64}$", description="also the SAM event name of the rule")
    description: str = ""
    pattern: dict[str, Any]
    endpoints: EndpointSelector
    upsert: Upsert | None = None
    attributes: dict[str, JMESPath] = Field(default_factory=dict)
    metrics: dict[str, JMESPath] = Field(default_factory=dict)
    target: Annotated[PinpointTarget | StepFunctionsTarget, Field(discriminator="type")]

    @field_validator("pattern")
    @classmethod
    def _supported_pattern(cls, pattern: dict[str, Any]) -> dict[str, Any]:
        patterns.check_pattern(pattern)
        return pattern

    @model_validator(mode="after")
    def _upsert_fits_selector(self) -> Route:
        if self.upsert and self.upsert.create_missing and self.endpoints.by == "user_id":
            raise ValueError("create_missing needs an endpoint id or an address, not a user id")
        return self

    def matches(self, event: Mapping[str, Any]) -> bool:
        return patterns.matches(self.pattern, event)


class RouteTable(_Model):
    routes: tuple[Route, ...] = Field(min_length=1)

    @field_validator("routes")
    @classmethod
    def _unique_ids(cls, routes: tuple[Route, ...]) -> tuple[Route, ...]:
        ids = [route.id for route in routes]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate route ids: {duplicates}")
        return routes

    @cached_property
    def by_id(self) -> dict[str, Route]:
        return {route.id: route for route in self.routes}

    def match(self, event: Mapping[str, Any]) -> Route:
        """The one route whose pattern matches; none or several is a permanent error."""
        found = [route for route in self.routes if route.matches(event)]
        if not found:
            raise NoRouteError(
                f"no journey route matches source={event.get('source')!r} "
                f"detail-type={event.get('detail-type')!r}"
            )
        if len(found) > 1:
            raise AmbiguousRouteError(f"several journey routes match: {[r.id for r in found]}")
        return found[0]


def load_routes(path: Path | str | None = None) -> RouteTable:
    """Load and validate the route table (the shipped ``routes.json`` by default)."""
    source = Path(path) if path else ROUTES_PATH
    return RouteTable.model_validate(json.loads(source.read_text()))
