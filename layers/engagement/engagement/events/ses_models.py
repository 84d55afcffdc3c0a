"""pydantic model of SES event publishing as EventBridge delivers it (``source: aws.ses``).

The normaliser validates every event against this model before it builds a record, so a
malformed event is refused at the edge with the field that is wrong (``InvalidSesEvent``)
instead of crashing on it, or worse, turning into a record the stream consumer would have to
quarantine. Only what the normaliser reads is constrained; everything else SES may add is kept
(``extra="allow"``) and passed on in the facets. Field names are SES's own (camelCase).
Every field the stream consumer's record model (``events.models``) types is typed the same way
here, so a record we write always passes the consumer's validation.
Reference: SES Developer Guide, "Contents of event data that Amazon SES publishes".
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

# Pinpoint records carry epoch milliseconds; the stream consumer refuses anything outside these.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
Text = str  # a JSON string: SES never sends numbers or objects where it sends text


class InvalidSesEvent(ValueError):  # noqa: N818 - reads as a sentence at the raise site
    """Permanent: the event is not SES event publishing as SES sends it; retrying cannot help."""

    reason = "invalid_ses_event"


class NotAnSesEvent(InvalidSesEvent):
    """The EventBridge event has no SES ``detail.mail`` / known ``eventType`` at all."""


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True, defer_build=True)


class Timestamped(_Open):
    timestamp: str | None = None

    @field_validator("timestamp")
    @classmethod
    def _iso_in_range(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as error:
            raise ValueError("not an ISO 8601 time") from error
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        if not EARLIEST <= moment <= LATEST:
            raise ValueError("outside 1970-9999")
        return value


class Header(_Open):
    name: Text
    value: Text


class CommonHeaders(_Open):
    from_: list[Text] | Text | None = Field(default=None, alias="from")
    to: list[Text] = []
    subject: Text | None = None


class Mail(Timestamped):
    messageId: Text = Field(min_length=1, max_length=1000)  # noqa: N815 - SES's field names
    source: Text | None = None
    sendingAccountId: Text | None = None  # noqa: N815
    destination: list[Text] = []
    headersTruncated: bool | None = None  # noqa: N815
    headers: list[Header] = []
    commonHeaders: CommonHeaders = CommonHeaders()  # noqa: N815
    tags: dict[Text, list[Text]] = {}


class BouncedRecipient(_Open):
    emailAddress: Text = Field(min_length=1, max_length=1000)  # noqa: N815
    action: Text | None = None
    status: Text | None = None
    diagnosticCode: Text | None = None  # noqa: N815


class Bounce(Timestamped):
    bounceType: Literal["Permanent", "Transient", "Undetermined"]  # noqa: N815
    bounceSubType: Text | None = None  # noqa: N815
    bouncedRecipients: list[BouncedRecipient] = []  # noqa: N815
    feedbackId: Text | None = None  # noqa: N815
    reportingMTA: Text | None = None  # noqa: N815


class ComplainedRecipient(_Open):
    emailAddress: Text = Field(min_length=1, max_length=1000)  # noqa: N815


class Complaint(Timestamped):
    complainedRecipients: list[ComplainedRecipient] = []  # noqa: N815
    feedbackId: Text | None = None  # noqa: N815
    userAgent: Text | None = None  # noqa: N815
    complaintFeedbackType: Text | None = None  # noqa: N815


class Click(Timestamped):
    link: Text | None = None
    linkTags: dict[Text, list[Text]] | None = None  # noqa: N815
    ipAddress: Text | None = None  # noqa: N815
    userAgent: Text | None = None  # noqa: N815


class TopicPreferences(_Open):
    unsubscribeAll: bool | None = None  # noqa: N815


class Subscription(Timestamped):
    newTopicPreferences: TopicPreferences | None = None  # noqa: N815


EventType = Literal[
    "Send",
    "Delivery",
    "Reject",
    "Open",
    "Complaint",
    "Rendering Failure",
    "DeliveryDelay",
    "Bounce",
    "Click",
    "Subscription",
]
EVENT_TYPES = frozenset(EventType.__args__)


class Detail(_Open):
    eventType: EventType  # noqa: N815
    mail: Mail
    bounce: Bounce | None = None
    complaint: Complaint | None = None
    click: Click | None = None
    subscription: Subscription | None = None
    send: dict[str, Any] | None = None
    delivery: dict[str, Any] | None = None
    reject: dict[str, Any] | None = None
    open: dict[str, Any] | None = None
    failure: dict[str, Any] | None = None
    deliveryDelay: dict[str, Any] | None = None  # noqa: N815


class SesEvent(_Open):
    """The EventBridge envelope around an SES event (only ``detail`` is read)."""

    id: Text | None = None
    account: Text | None = None
    detail: Detail


def validate_ses_event(event: Any) -> SesEvent:
    """The event as a model, or :class:`InvalidSesEvent` naming the first field that is wrong.

    ``notificationType`` (SNS-style notifications) is accepted as ``eventType``.
    """
    if not isinstance(event, dict) or not isinstance(event.get("detail"), dict):
        raise NotAnSesEvent("EventBridge event has no SES detail")
    detail = event["detail"]
    if "eventType" not in detail and "notificationType" in detail:
        event = {**event, "detail": {**detail, "eventType": detail["notificationType"]}}
    if not isinstance(detail.get("mail"), dict):
        raise NotAnSesEvent("EventBridge event has no SES detail.mail")
    kind = event["detail"].get("eventType")
    if not isinstance(kind, str) or kind not in EVENT_TYPES:
        raise NotAnSesEvent(f"detail.eventType is not an SES event type ({type(kind).__name__})")
    try:
        return SesEvent.model_validate(event)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise InvalidSesEvent(f"invalid SES event: {where}: {first['msg']}") from None
    except RecursionError:
        raise InvalidSesEvent("invalid SES event: nested too deeply") from None
