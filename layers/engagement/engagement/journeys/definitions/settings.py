"""Settings of the journey-definition functions, read once at cold start (``engagement.config``)."""

from __future__ import annotations

from pydantic import Field

from engagement.config import EnvSettings


class JourneyDefinitionSettings(EnvSettings):
    journeys_table: str = Field(alias="JOURNEYS_TABLE", min_length=1)
    endpoint_store: str = Field(default="", alias="ENDPOINT_STORE")
    segment_store: str = Field(default="", alias="SEGMENT_STORE")
    activity_function_arn: str = Field(default="", alias="JOURNEY_ACTIVITY_FUNCTION_ARN")
    state_machine_role_arn: str = Field(default="", alias="JOURNEY_STATE_MACHINE_ROLE_ARN")
    custom_channel_arn: str = Field(default="", alias="CUSTOM_CHANNEL_FUNCTION_ARN")
    event_stream_name: str = Field(default="", alias="EVENT_STREAM_NAME")
    application_ids: str = Field(
        default="", alias="JOURNEY_APPLICATION_IDS"
    )  # comma-separated, for refreshes
    # PUSH activities go out through the custom channel's signed webhook (your push gateway).
    push_via_webhook: bool = Field(default=False, alias="JOURNEY_PUSH_VIA_WEBHOOK")
