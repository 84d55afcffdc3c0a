"""The suppression policy: which event types set ``OptOut=ALL``, and the soft-bounce rule.

Defaults follow the issue: hard bounce, complaint, unsubscribe and SMS opt-out suppress at
once; soft bounces suppress after ``softbounce_threshold`` within ``softbounce_window_days``.
Every other event type is counted and ignored.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

HARD_BOUNCE = "_email.hardbounce"
SOFT_BOUNCE = "_email.softbounce"

DEFAULT_RULES: dict[str, str] = {
    HARD_BOUNCE: "hardbounce",
    "_email.complaint": "complaint",
    "_email.unsubscribe": "unsubscribe",
    "_SMS.OPTOUT": "sms_optout",
}

# Event type prefix -> the endpoint ChannelType the event is about.
CHANNEL_BY_PREFIX = {"_email.": "EMAIL", "_SMS.": "SMS"}

# Reasons the SES account-level suppression list accepts (sesv2 PutSuppressedDestination).
SES_REASONS = {"hardbounce": "BOUNCE", "softbounce": "BOUNCE", "complaint": "COMPLAINT"}


class SuppressionPolicy(BaseModel):
    """What to suppress; ``rules`` maps event type -> reason recorded on the endpoint."""

    model_config = ConfigDict(frozen=True)

    rules: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_RULES))
    softbounce_threshold: int = Field(default=3, ge=1)
    softbounce_window_days: float = Field(default=7, gt=0)
    ses_account_suppression: bool = False
    default_application_id: str = ""

    @property
    def softbounce_window_ms(self) -> int:
        return int(self.softbounce_window_days * 86_400_000)


def channel_of(event_type: str) -> str | None:
    for prefix, channel in CHANNEL_BY_PREFIX.items():
        if event_type.startswith(prefix):
            return channel
    return None
