"""Custom-channel settings, read once from the function's environment (template.yaml)."""

from __future__ import annotations

from pydantic import Field

from engagement.config import EnvSettings


class CustomChannelSettings(EnvSettings):
    """Every knob of the custom channel; names are the environment variables."""

    idempotency_table: str = Field(alias="IDEMPOTENCY_TABLE")
    template_store: str = Field(alias="TEMPLATE_STORE")
    endpoint_store: str | None = Field(default=None, alias="ENDPOINT_STORE")
    event_stream_name: str | None = Field(default=None, alias="EVENT_STREAM_NAME")

    sender_email: str | None = Field(default=None, alias="SENDER_EMAIL")
    ses_configuration_set: str | None = Field(default=None, alias="SES_CONFIGURATION_SET")
    unsubscribe_url_template: str | None = Field(default=None, alias="UNSUBSCRIBE_URL_TEMPLATE")

    sms_origination_identity: str | None = Field(default=None, alias="SMS_ORIGINATION_IDENTITY")
    sms_configuration_set: str | None = Field(default=None, alias="SMS_CONFIGURATION_SET")

    webhook_url: str | None = Field(default=None, alias="WEBHOOK_URL")
    # Loopback and private webhook hosts only for local runs; link-local/metadata never.
    webhook_allow_private: bool = Field(default=False, alias="WEBHOOK_ALLOW_PRIVATE")
    webhook_secret_id: str | None = Field(default=None, alias="WEBHOOK_SECRET_ID")
    webhook_timeout_s: float = Field(default=3.0, gt=0, le=10, alias="WEBHOOK_TIMEOUT_S")
    webhook_max_attempts: int = Field(default=3, ge=1, le=5, alias="WEBHOOK_MAX_ATTEMPTS")

    # 50 workers send a full 50-endpoint batch in one wave (the API sends 100 in one); pools match.
    max_workers: int = Field(default=50, ge=1, le=50, alias="MAX_WORKERS")
    deadline_margin_ms: int = Field(default=2500, ge=0, alias="DEADLINE_MARGIN_MS")
    # The send lock outlives the invocation (docs/custom-channel.md, "Exactly once").
    idempotency_ttl_s: int = Field(default=86400, ge=60, alias="IDEMPOTENCY_TTL_SECONDS")
