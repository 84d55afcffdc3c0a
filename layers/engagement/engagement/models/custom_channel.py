"""Pinpoint's custom-channel invocation payload (reference §1.2-1.3) and our ``Data`` contract.

Models are tolerant of unknown fields: Pinpoint adds keys over time and the journey payload is
not fully documented, so anything we do not use is kept, never rejected.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator

MAX_ENDPOINTS = 50
Channel = Literal["EMAIL", "SMS", "WEBHOOK"]
TemplateKind = Literal["EMAIL", "SMS", "PUSH"]


class ChannelEndpoint(BaseModel):
    """One endpoint of the batch, in Pinpoint's endpoint shape."""

    model_config = ConfigDict(extra="allow", defer_build=True)

    ChannelType: str | None = None
    Address: str | None = None
    EndpointStatus: str | None = None
    OptOut: str | None = None


class SendInstruction(BaseModel):
    """What ``Data`` asks for: ``{"template": "welcome", "channel": "EMAIL"}`` or just ``"welcome"``."""

    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)

    template: str = Field(min_length=1, max_length=128)
    channel: Channel | None = None
    template_version: str | None = None
    template_type: TemplateKind | None = None  # which template a webhook send renders
    substitutions: dict[str, list[str]] | None = None
    # Sender settings of the campaign's or journey's message (EMAIL FromAddress; SMS
    # OriginationNumber or SenderId, MessageType); unset = the function's configured ones.
    from_address: str | None = Field(default=None, min_length=1, max_length=320)
    origination_identity: str | None = Field(default=None, min_length=1, max_length=256)
    message_type: Literal["TRANSACTIONAL", "PROMOTIONAL"] | None = None
    country_parameters: dict[Literal["IN_ENTITY_ID", "IN_TEMPLATE_ID"], str] | None = None

    @field_validator("channel", "template_type", "message_type", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value


class CustomChannelEvent(BaseModel):
    """The whole invocation: context ids, ``Data`` and up to 50 endpoints."""

    model_config = ConfigDict(extra="allow", defer_build=True)

    ApplicationId: str = Field(min_length=1)
    CampaignId: str | None = None
    JourneyId: str | None = None
    TreatmentId: str | None = None
    ActivityId: str | None = Field(
        default=None, validation_alias=AliasChoices("ActivityId", "JourneyActivityId")
    )
    ScheduledTime: str | None = None
    Data: SendInstruction
    Endpoints: dict[str, ChannelEndpoint] = Field(max_length=MAX_ENDPOINTS)

    @field_validator("Data", mode="before")
    @classmethod
    def _parse_data(cls, value: Any) -> Any:
        """``Data`` is a string in Pinpoint: a JSON object, or a bare template name."""
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("{"):
                return json.loads(text)
            return {"template": text}
        return value

    @field_validator("TreatmentId", mode="before")
    @classmethod
    def _treatment_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value

    @property
    def is_journey(self) -> bool:
        return bool(self.JourneyId) and not self.CampaignId

    def context_ids(self) -> dict[str, str]:
        """The ids that say where a send came from (SES tags, SMS context, webhook body)."""
        ids = {"application_id": self.ApplicationId}
        if self.is_journey:
            ids["journey_id"] = self.JourneyId or ""
        elif self.CampaignId:
            ids["campaign_id"] = self.CampaignId
        if self.ActivityId:
            ids["activity_id"] = self.ActivityId
        if self.TreatmentId is not None:
            ids["treatment_id"] = self.TreatmentId
        return ids
