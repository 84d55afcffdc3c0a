"""Settings of the SES normaliser, read once at cold start (``SesEventsSettings.from_env()``)."""

from __future__ import annotations

from pydantic import Field

from engagement.config import EnvSettings


class SesEventsSettings(EnvSettings):
    event_stream_name: str = Field(alias="EVENT_STREAM_NAME")
    idempotency_table: str = Field(alias="IDEMPOTENCY_TABLE")
    default_application_id: str = Field(default="", alias="DEFAULT_APPLICATION_ID")
    # Invalid events go here at once, with the reason (empty: raise, and Lambda's retries + DLQ)
    dead_letter_queue_url: str = Field(default="", alias="DEAD_LETTER_QUEUE_URL")
