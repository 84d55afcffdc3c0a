"""Which channel an endpoint goes through, which template kind it renders, and whether its
address can work there. Every refusal is a permanent, endpoint-level failure with a reason."""

from __future__ import annotations

import re

from engagement.delivery.errors import PermanentDeliveryError
from engagement.models.custom_channel import ChannelEndpoint, SendInstruction

# Default channel by the endpoint's ChannelType when Data names none.
_DEFAULT_CHANNEL = {"EMAIL": "EMAIL", "SMS": "SMS", "CUSTOM": "WEBHOOK"}
_EMAIL = re.compile(r"^[^@\s<>,;\"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$")
_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")


def choose_channel(instruction: SendInstruction, endpoint: ChannelEndpoint) -> str:
    """EMAIL, SMS or WEBHOOK; an explicit EMAIL/SMS must match the endpoint's ChannelType."""
    channel_type = (endpoint.ChannelType or "").upper()
    if instruction.channel == "WEBHOOK":
        return "WEBHOOK"
    if instruction.channel:
        if channel_type != instruction.channel:
            raise PermanentDeliveryError(
                "channel_mismatch", f"{channel_type or 'no'} endpoint on {instruction.channel}"
            )
        return instruction.channel
    try:
        return _DEFAULT_CHANNEL[channel_type]
    except KeyError:
        raise PermanentDeliveryError("unsupported_channel", channel_type or "no ChannelType") from None


def template_kind(channel: str, instruction: SendInstruction, endpoint: ChannelEndpoint) -> str:
    """EMAIL and SMS render their own kind; a webhook renders ``template_type``, else the
    endpoint's own ChannelType (CUSTOM and the rest: the SMS body, or the email if no SMS)."""
    if channel != "WEBHOOK":
        return channel
    if instruction.template_type:
        return instruction.template_type
    return (endpoint.ChannelType or "CUSTOM").upper()


def check_address(channel: str, address: str | None) -> str:
    """Return the address to use, or refuse a missing or malformed one."""
    address = (address or "").strip()
    if not address:
        if channel == "WEBHOOK":
            return ""
        raise PermanentDeliveryError("missing_address")
    if channel == "EMAIL" and not _EMAIL.match(address):
        raise PermanentDeliveryError("invalid_address", "not an email address")
    if channel == "SMS" and not _E164.match(address):
        raise PermanentDeliveryError("invalid_address", "not an E.164 phone number")
    return address
