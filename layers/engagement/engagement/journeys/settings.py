"""Settings of the journey trigger, read once at cold start (see ``engagement.config``)."""

from __future__ import annotations

import json

from pydantic import Field, field_validator

from engagement.config import EnvSettings


class JourneySettings(EnvSettings):
    endpoint_store: str = Field(alias="ENDPOINT_STORE")
    application_id: str = Field(alias="JOURNEY_APPLICATION_ID", min_length=1)
    idempotency_table: str = Field(alias="IDEMPOTENCY_TABLE")
    dead_letter_queue_url: str = Field(alias="JOURNEY_DEAD_LETTER_QUEUE_URL")
    # {"OrderConfirmationJourney": "arn:aws:states:..."}: the route's logical id -> ARN
    state_machines: dict[str, str] = Field(default_factory=dict, alias="JOURNEY_STATE_MACHINES")
    pinpoint_application_id: str | None = Field(default=None, alias="PINPOINT_APPLICATION_ID")
    # Standalone: routes with the "pinpoint" target admit endpoints to the event-started journey
    # definitions of this table (engagement.journeys.definitions) instead of calling Pinpoint.
    journeys_table: str | None = Field(default=None, alias="JOURNEYS_TABLE")

    @field_validator("state_machines", mode="before")
    @classmethod
    def _json_object(cls, value: object) -> object:
        return json.loads(value) if isinstance(value, str) else value
