"""What a target receives: the matched route, the event, and the resolved endpoints."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engagement.journeys.routes import Route


@dataclass(frozen=True)
class JourneyRequest:
    route: Route
    application_id: str
    event_id: str
    source: str
    detail_type: str
    time: str  # ISO 8601, from the EventBridge envelope
    endpoints: dict[str, dict[str, Any]]  # endpoint id -> endpoint (custom-channel payload shape)
    attributes: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
