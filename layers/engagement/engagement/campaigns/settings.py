"""Campaign settings, read once from the environment (template.yaml names them)."""

from __future__ import annotations

from pydantic import Field

from engagement.config import EnvSettings


class CampaignSettings(EnvSettings):
    campaigns_table: str = Field(alias="CAMPAIGNS_TABLE")
    template_store: str = Field(default="file://local/templates", alias="TEMPLATE_STORE")
    segment_store: str | None = Field(default=None, alias="SEGMENT_STORE")
    endpoint_store: str | None = Field(default=None, alias="ENDPOINT_STORE")
    event_stream_name: str | None = Field(default=None, alias="EVENT_STREAM_NAME")
    runs_bucket: str | None = Field(default=None, alias="CAMPAIGN_RUNS_BUCKET")
    schedule_group: str | None = Field(default=None, alias="CAMPAIGN_SCHEDULE_GROUP")
    state_machine_arn: str | None = Field(default=None, alias="CAMPAIGN_STATE_MACHINE_ARN")
    scheduler_role_arn: str | None = Field(default=None, alias="CAMPAIGN_SCHEDULER_ROLE_ARN")
    custom_channel_function_arn: str | None = Field(default=None, alias="CUSTOM_CHANNEL_FUNCTION_ARN")
    # Batches in flight in the Distributed Map; the pace is shared between them.
    max_concurrency: int = Field(default=20, ge=1, le=1000, alias="CAMPAIGN_MAX_CONCURRENCY")
    # In-process runs (``engagement campaigns run``): batches planned and sent at once.
    batches_in_flight: int = Field(default=4, ge=1, le=32, alias="CAMPAIGN_BATCHES_IN_FLIGHT")
