"""Email through Amazon SES v2 ``SendEmail``.

Every message carries SES message tags naming where it came from (application, campaign or
journey, activity, treatment, endpoint), so SES events published by the configuration set can
be mapped back to the endpoint. With an unsubscribe URL the message also carries RFC 8058
one-click unsubscribe headers, which large mailbox providers require for bulk mail.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from engagement.delivery.errors import PermanentDeliveryError, classify_client_error

# SendEmail errors worth another attempt later; everything else is permanent for this message.
TEMPORARY_ERRORS = frozenset(
    {"TooManyRequestsException", "LimitExceededException", "SendingPausedException", "Throttling"}
)
_TAG_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
MAX_TAG_CHARS = 256
# CR, LF, NUL and the other C0/C1 controls would split or end a header line.
_HEADER_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
# SES refuses a header value over 995 characters or with characters outside printable ASCII.
MAX_HEADER_VALUE_CHARS = 995
_URL_SAFE = "!#$%&'()*+,/:;=?@[]~-._"


def header_text(value: str) -> str:
    """One header line: every run of control characters becomes a single space."""
    return _HEADER_UNSAFE.sub(" ", value or "").strip()


def list_unsubscribe_value(url: str) -> str:
    """``<url>`` as SES accepts it: printable ASCII (anything else percent-encoded), <= 995 chars."""
    from urllib.parse import quote

    value = f"<{quote(header_text(url), safe=_URL_SAFE)}>"
    if len(value) > MAX_HEADER_VALUE_CHARS:
        raise PermanentDeliveryError(
            "invalid_unsubscribe_url", f"List-Unsubscribe would be {len(value)} characters; SES allows 995"
        )
    return value


def ses_tag_value(value: str) -> str:
    """SES tag names and values allow only ASCII letters, digits, ``_`` and ``-`` (≤ 256 chars)."""
    return _TAG_UNSAFE.sub("_", str(value))[:MAX_TAG_CHARS]


def ses_tags(tags: Mapping[str, str]) -> list[dict[str, str]]:
    return [
        {"Name": ses_tag_value(name), "Value": ses_tag_value(value)} for name, value in tags.items() if value
    ]


@dataclass(frozen=True)
class EmailMessage:
    """A rendered email for one recipient."""

    to: str
    subject: str
    html: str | None = None
    text: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    unsubscribe_url: str | None = None
    # Per-message sender settings (Pinpoint's EmailMessage.FromAddress, ReplyToAddresses,
    # FeedbackForwardingAddress); unset = the sender's configured From address.
    sender: str | None = None
    reply_to: tuple[str, ...] = ()
    feedback_to: str | None = None
    raw: bytes | None = None  # a whole MIME message (Pinpoint's RawEmail), sent as it is


class EmailSender:
    """Send one rendered email; return the SES message id."""

    def __init__(self, client: Any, from_address: str, configuration_set: str | None = None):
        self._client = client
        self.from_address = from_address
        self.configuration_set = configuration_set

    def request(self, message: EmailMessage) -> dict[str, Any]:
        """The ``SendEmail`` arguments for ``message`` (separate so tests can read them)."""
        request: dict[str, Any] = {
            "FromEmailAddress": self.sender(message),
            "Destination": {"ToAddresses": [message.to]},
            "Content": {"Raw": {"Data": message.raw}} if message.raw else {"Simple": _simple(message)},
            "EmailTags": ses_tags(message.tags),
        }
        if message.reply_to:
            request["ReplyToAddresses"] = [_address_field("ReplyToAddresses", a) for a in message.reply_to]
        if message.feedback_to:
            request["FeedbackForwardingEmailAddress"] = _address_field(
                "FeedbackForwardingAddress", message.feedback_to
            )
        if self.configuration_set:
            request["ConfigurationSetName"] = self.configuration_set
        return request

    def sender(self, message: EmailMessage) -> str:
        """The From address ``message`` is sent with (its own, else the configured one)."""
        return _address_field("FromAddress", message.sender) if message.sender else self.from_address

    def send(self, message: EmailMessage) -> str:
        request = self.request(message)
        try:
            return self._client.send_email(**request)["MessageId"]
        except Exception as error:  # botocore errors are classified, anything else propagates
            raise classify_client_error(error, TEMPORARY_ERRORS) from error


def _simple(message: EmailMessage) -> dict[str, Any]:
    """SES's ``Content.Simple`` for a rendered message (subject, bodies, unsubscribe headers)."""
    if not (message.html or message.text):
        raise PermanentDeliveryError("empty_message", "the template rendered neither HTML nor text")
    body: dict[str, Any] = {}
    if message.html:
        body["Html"] = {"Data": message.html, "Charset": "UTF-8"}
    if message.text:
        body["Text"] = {"Data": message.text, "Charset": "UTF-8"}
    simple: dict[str, Any] = {
        "Subject": {"Data": header_text(message.subject), "Charset": "UTF-8"},
        "Body": body,
    }
    if message.unsubscribe_url:
        simple["Headers"] = [
            {"Name": "List-Unsubscribe", "Value": list_unsubscribe_value(message.unsubscribe_url)},
            {"Name": "List-Unsubscribe-Post", "Value": "List-Unsubscribe=One-Click"},
        ]
    return simple


def _address_field(name: str, value: str) -> str:
    """An address given per message: one line (a CR/LF would forge headers), else permanent."""
    if not value.strip() or any(c in value for c in "\r\n\0"):
        raise PermanentDeliveryError("invalid_sender", f"{name} must be one non-empty line")
    return value
