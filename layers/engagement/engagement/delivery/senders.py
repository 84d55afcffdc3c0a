"""A campaign's or journey's per-message sender settings, as the custom channel's ``Data`` carries
them (``models.custom_channel.SendInstruction``). Standard library only: the journey and campaign
handlers import it at cold start.
"""

from __future__ import annotations

from typing import Any


def sender_settings(channel: str, message: Any) -> dict[str, str]:
    """``Data``'s sender fields from a campaign's or journey's Pinpoint message for ``channel``:
    EMAIL ``FromAddress``; SMS ``OriginationNumber`` (else ``SenderId``) and ``MessageType``."""
    message = message if isinstance(message, dict) else {}
    found = {}
    if channel == "EMAIL":
        found["from_address"] = message.get("FromAddress")
    elif channel == "SMS":
        found["origination_identity"] = message.get("OriginationNumber") or message.get("SenderId")
        found["message_type"] = message.get("MessageType")
    return {key: value for key, value in found.items() if value}
