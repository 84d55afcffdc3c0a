"""SMS through AWS End User Messaging (``pinpoint-sms-voice-v2`` ``SendTextMessage``).

The ``Context`` map (≤ 5 entries) is copied into every delivery event of the configuration
set, which is how an SMS event is traced back to its endpoint and campaign or journey.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from engagement.delivery.errors import RecipientOptedOutError, classify_client_error

TEMPORARY_ERRORS = frozenset(
    {"ThrottlingException", "InternalServerException", "ServiceQuotaExceededException"}
)
OPTED_OUT_REASON = "DESTINATION_PHONE_NUMBER_OPTED_OUT"
MAX_CONTEXT_ENTRIES = 5


@dataclass(frozen=True)
class TextMessage:
    """A rendered SMS for one phone number (E.164)."""

    to: str
    body: str
    context: Mapping[str, str] = field(default_factory=dict)
    message_type: str = "TRANSACTIONAL"
    # Per-message settings (Pinpoint's SMSMessage.OriginationNumber / SenderId, Keyword, and
    # India's EntityId / TemplateId); unset = the sender's configured origination identity.
    origination_identity: str | None = None
    keyword: str | None = None
    country_parameters: Mapping[str, str] = field(default_factory=dict)


class SmsSender:
    """Send one text message; return the End User Messaging message id."""

    def __init__(
        self, client: Any, origination_identity: str | None = None, configuration_set: str | None = None
    ):
        self._client = client
        self.origination_identity = origination_identity
        self.configuration_set = configuration_set

    def request(self, message: TextMessage) -> dict[str, Any]:
        request: dict[str, Any] = {
            "DestinationPhoneNumber": message.to,
            "MessageBody": message.body,
            "MessageType": message.message_type,
            "Context": {k: v for k, v in list(message.context.items())[:MAX_CONTEXT_ENTRIES] if v},
        }
        origination = self.origination(message)
        if origination:
            request["OriginationIdentity"] = origination
        if message.keyword:
            request["Keyword"] = message.keyword
        if message.country_parameters:
            request["DestinationCountryParameters"] = dict(message.country_parameters)
        if self.configuration_set:
            request["ConfigurationSetName"] = self.configuration_set
        return request

    def origination(self, message: TextMessage) -> str | None:
        """The origination identity ``message`` is sent from (its own, else the configured one)."""
        return message.origination_identity or self.origination_identity

    def send(self, message: TextMessage) -> str:
        request = self.request(message)
        try:
            return self._client.send_text_message(**request)["MessageId"]
        except Exception as error:
            response = getattr(error, "response", {}) or {}
            if response.get("Reason") == OPTED_OUT_REASON or OPTED_OUT_REASON in str(error):
                raise RecipientOptedOutError("opted_out_at_provider") from error
            raise classify_client_error(error, TEMPORARY_ERRORS) from error
