"""How a send failed, classified for the caller: retry later, or never."""

from __future__ import annotations


class DeliveryError(Exception):
    """A send did not happen. ``reason`` is short and safe to log and return (no addresses)."""

    temporary = False

    def __init__(self, reason: str, detail: str = ""):
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}" if detail else reason)


class PermanentDeliveryError(DeliveryError):
    """The provider refused this message; sending it again gives the same answer."""


class TemporaryDeliveryError(DeliveryError):
    """Throttling, a timeout or a provider fault: the same message may succeed later."""

    temporary = True


class RecipientOptedOutError(PermanentDeliveryError):
    """The provider's own opt-out list holds the address (e.g. the phone number replied STOP)."""


def classify_client_error(error: Exception, temporary_codes: frozenset[str]) -> DeliveryError:
    """Map a botocore ``ClientError`` or connection error to a delivery error."""
    from botocore.exceptions import BotoCoreError, ClientError

    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "Unknown")
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        message = error.response.get("Error", {}).get("Message", "")[:200]
        if code in temporary_codes or status >= 500 or status == 429:
            return TemporaryDeliveryError(code, message)
        return PermanentDeliveryError(code, message)
    if isinstance(error, BotoCoreError):  # connection reset, read timeout, endpoint unreachable
        return TemporaryDeliveryError(type(error).__name__, str(error)[:200])
    raise error
