"""A campaign's or journey's per-message sender settings, as the custom channel's ``Data`` carries
them (``models.custom_channel.SendInstruction``). Standard library only: the journey and campaign
handlers import it at cold start.
"""

from __future__ import annotations

from typing import Any


def sender_settings(channel: str, message: Any) -> dict[str, Any]:
    """``Data``'s sender fields from a campaign's or journey's Pinpoint message for ``channel``:
    EMAIL ``FromAddress``; SMS ``OriginationNumber`` (else ``SenderId``), ``MessageType`` and
    India's ``EntityId`` / ``TemplateId`` (End User Messaging's ``IN_ENTITY_ID`` / ``IN_TEMPLATE_ID``)."""
    message = message if isinstance(message, dict) else {}
    found = {}
    if channel == "EMAIL":
        found["from_address"] = message.get("FromAddress")
    elif channel == "SMS":
        found["origination_identity"] = message.get("OriginationNumber") or message.get("SenderId")
        found["message_type"] = message.get("MessageType")
        found["country_parameters"] = india_dlt(message)
    return {key: value for key, value in found.items() if value}


def india_dlt(message: Any) -> dict[str, str]:
    """Pinpoint's ``EntityId`` / ``TemplateId`` as End User Messaging's destination country parameters."""
    found = {"IN_ENTITY_ID": message.get("EntityId"), "IN_TEMPLATE_ID": message.get("TemplateId")}
    return {key: value for key, value in found.items() if value}
