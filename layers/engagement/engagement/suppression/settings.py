"""Settings of the event-stream consumer, read once at cold start (``StreamSettings.from_env()``)."""

from __future__ import annotations

import json

from pydantic import Field, field_validator

from engagement.config import EnvSettings
from engagement.suppression.policy import DEFAULT_RULES, SuppressionPolicy


class StreamSettings(EnvSettings):
    endpoint_store: str = Field(alias="ENDPOINT_STORE")
    idempotency_table: str = Field(alias="IDEMPOTENCY_TABLE")
    quarantine_queue_url: str = Field(alias="QUARANTINE_QUEUE_URL")
    failure_bucket: str = Field(default="", alias="FAILURE_BUCKET")  # the on-failure destination
    failure_queue_url: str = Field(default="", alias="FAILURE_QUEUE_URL")  # an SQS destination, if used
    event_stream_name: str = Field(default="", alias="EVENT_STREAM_NAME")
    rules: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_RULES), alias="SUPPRESSION_RULES")
    softbounce_threshold: int = Field(default=3, ge=1, alias="SOFTBOUNCE_THRESHOLD")
    softbounce_window_days: float = Field(default=7, gt=0, alias="SOFTBOUNCE_WINDOW_DAYS")
    ses_account_suppression: bool = Field(default=False, alias="SES_ACCOUNT_SUPPRESSION")
    default_application_id: str = Field(default="", alias="DEFAULT_APPLICATION_ID")
    # Addresses handled at once (DynamoDB calls in flight); 1 = one address after the other.
    max_workers: int = Field(default=16, ge=1, le=64, alias="STREAM_MAX_WORKERS")

    @field_validator("rules", mode="before")
    @classmethod
    def _json_rules(cls, value: object) -> object:
        """``SUPPRESSION_RULES`` is JSON: ``{"_email.hardbounce": "hardbounce", ...}``."""
        return json.loads(value) if isinstance(value, str) else value

    def policy(self) -> SuppressionPolicy:
        return SuppressionPolicy(
            rules=self.rules,
            softbounce_threshold=self.softbounce_threshold,
            softbounce_window_days=self.softbounce_window_days,
            ses_account_suppression=self.ses_account_suppression,
            default_application_id=self.default_application_id,
        )
