"""The API function's settings, read once from its environment (template.yaml)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field, model_validator

from engagement.campaigns.settings import CampaignSettings
from engagement.config import EnvSettings
from engagement.journeys.definitions.settings import JourneyDefinitionSettings

# A feature served by the API: its settings field here, the variable that switches it on.
FEATURE_SWITCHES = {"campaigns": "CAMPAIGNS_TABLE", "journeys": "JOURNEYS_TABLE"}


class ApiSettings(EnvSettings):
    """Every knob of the HTTP API; names are the environment variables."""

    endpoint_store: str = Field(alias="ENDPOINT_STORE")
    template_store: str = Field(alias="TEMPLATE_STORE")
    idempotency_table: str | None = Field(default=None, alias="IDEMPOTENCY_TABLE")
    event_stream_name: str | None = Field(default=None, alias="EVENT_STREAM_NAME")
    # Other features served by the same API, each switched on by its own store setting.
    segment_store: str | None = Field(default=None, alias="SEGMENT_STORE")
    kpi_source: str | None = Field(default=None, alias="KPI_SOURCE")
    otp_table: str | None = Field(default=None, alias="OTP_TABLE")  # one-time passwords (docs/otp.md)
    # Features with their own settings class, read from the same environment when their table is set
    # (CAMPAIGNS_TABLE, CAMPAIGN_SCHEDULE_GROUP, ... / JOURNEYS_TABLE, JOURNEY_ACTIVITY_FUNCTION_ARN, ...).
    campaigns: CampaignSettings | None = None
    journeys: JourneyDefinitionSettings | None = None

    sender_email: str | None = Field(default=None, alias="SENDER_EMAIL")
    ses_configuration_set: str | None = Field(default=None, alias="SES_CONFIGURATION_SET")
    sms_origination_identity: str | None = Field(default=None, alias="SMS_ORIGINATION_IDENTITY")
    sms_configuration_set: str | None = Field(default=None, alias="SMS_CONFIGURATION_SET")

    # Pinpoint checks OptOut on endpoints only. With this on, an address send is also refused when an
    # endpoint registered with that address opted out (+1 registry query per address).
    address_opt_out_check: bool = Field(default=False, alias="ADDRESS_OPT_OUT_CHECK")
    # 100 concurrent sends: a full 100-recipient request goes out in one wave (bench_api.py: 50
    # workers took 2.9x a single send, 100 workers 2.2x).
    max_workers: int = Field(default=100, ge=1, le=100, alias="MAX_WORKERS")
    # How long a finished request is replayed for the same Idempotency-Key (and each send kept).
    idempotency_ttl_s: int = Field(default=86400, ge=60, alias="IDEMPOTENCY_TTL_SECONDS")

    @model_validator(mode="before")
    @classmethod
    def _feature_settings(cls, data: Any) -> Any:
        """Each switched-on feature's own settings class validates the same environment."""
        if not isinstance(data, Mapping):
            return data
        environ = dict(data)
        return {
            **environ,
            **{name: environ for name, switch in FEATURE_SWITCHES.items() if environ.get(switch)},
        }
