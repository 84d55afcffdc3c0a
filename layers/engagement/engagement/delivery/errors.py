"""How a send failed, classified for the caller: retry later, never, or not knowable.

Three kinds, because exactly-once depends on the difference:

* permanent: the provider refused; nothing was sent and sending again gives the same answer;
* temporary: nothing was sent (throttled, connection refused, connect timeout) and a later
  attempt may succeed;
* maybe sent (``MaybeSentDeliveryError``, a temporary error with ``maybe_sent = True``): the
  request reached the provider and the answer was lost or was a 5xx. The provider may have
  accepted the message, so the caller must not send it again.
"""

from __future__ import annotations


class DeliveryError(Exception):
    """A send did not happen. ``reason`` is short and safe to log and return (no addresses)."""

    temporary = False
    maybe_sent = False

    def __init__(self, reason: str, detail: str = ""):
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}" if detail else reason)


class PermanentDeliveryError(DeliveryError):
    """The provider refused this message; sending it again gives the same answer."""


class TemporaryDeliveryError(DeliveryError):
    """Throttling or a refused connection: nothing was sent and the message may succeed later."""

    temporary = True


class MaybeSentDeliveryError(TemporaryDeliveryError):
    """A 5xx, a read timeout or a dropped connection after the request was sent: unknown outcome."""

    maybe_sent = True


class RecipientOptedOutError(PermanentDeliveryError):
    """The provider's own opt-out list holds the address (e.g. the phone number replied STOP)."""


# Connection errors raised before a byte of the request left: the provider cannot have seen it.
NOT_SENT_CONNECTION_ERRORS = frozenset(
    {"EndpointConnectionError", "ConnectTimeoutError", "ProxyConnectionError", "SSLError"}
)


def classify_client_error(error: Exception, temporary_codes: frozenset[str]) -> DeliveryError:
    """Map a botocore ``ClientError`` or connection error to a delivery error."""
    from botocore.exceptions import BotoCoreError, ClientError

    if isinstance(error, ClientError):
        response = getattr(error, "response", None) or {}
        code = response.get("Error", {}).get("Code", "Unknown")
        status = response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        message = str(response.get("Error", {}).get("Message", ""))[:200]
        if status >= 500:
            return MaybeSentDeliveryError(code, message)
        if code in temporary_codes or status == 429:
            return TemporaryDeliveryError(code, message)
        return PermanentDeliveryError(code, message)
    if isinstance(error, BotoCoreError):
        name = type(error).__name__
        if name in NOT_SENT_CONNECTION_ERRORS:
            return TemporaryDeliveryError(name, str(error)[:200])
        return MaybeSentDeliveryError(name, str(error)[:200])  # read timeout, connection closed
    raise error
