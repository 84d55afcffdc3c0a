"""Which channel an endpoint goes through, which template kind it renders, and whether its
address can work there. Every refusal is a permanent, endpoint-level failure with a reason."""

from __future__ import annotations

from engagement.delivery.errors import PermanentDeliveryError
from engagement.endpoints.rules import address_problems, normalise_address
from engagement.models.custom_channel import ChannelEndpoint, SendInstruction

# Default channel by the endpoint's ChannelType when Data names none.
_DEFAULT_CHANNEL = {"EMAIL": "EMAIL", "SMS": "SMS", "CUSTOM": "WEBHOOK"}
_INVALID = {"EMAIL": "not an email address", "SMS": "not an E.164 phone number"}


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
    """Return the address to use, or refuse a missing or malformed one.

    The registry's own rules decide validity, so an address the registry accepted is one the
    channel can send to; phone numbers are sent in the registry's normalised E.164 form.
    """
    address = (address or "").strip()
    if not address:
        if channel == "WEBHOOK":
            return ""
        raise PermanentDeliveryError("missing_address")
    if channel in _INVALID and address_problems(channel, address):
        raise PermanentDeliveryError("invalid_address", _INVALID[channel])
    return normalise_address(channel, address) if channel == "SMS" else address
