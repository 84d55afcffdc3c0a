"""pydantic models of Pinpoint event-stream records (reference §2.2-2.5).

Every model accepts unknown fields (``extra="allow"``): Pinpoint added fields over the years and
customers' own events carry anything, and a record we can act on must never be rejected for a
field we did not expect. The suppression consumer validates only the records it acts on with
these models; the hot path classifies with plain dict lookups (see ``classify``).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

Scalar = str | int | float | bool | None
MAX_TIMESTAMP_MS = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True)


class Application(_Open):
    app_id: str = Field(min_length=1)
    sdk: dict[str, Any] = {}


class Client(_Open):
    client_id: str | None = None
    cognito_id: str | None = None


class BouncedRecipient(_Open):
    email_address: str | None = None
    action: str | None = None
    status: str | None = None
    diagnostic_code: str | None = None


class Bounce(_Open):
    bounce_type: str | None = None  # Permanent | Transient | Undetermined
    bounce_sub_type: str | None = None
    bounced_recipients: list[BouncedRecipient] = []
    feedback_id: str | None = None
    reporting_mta: str | None = None


class ComplainedRecipient(_Open):
    email_address: str | None = None


class Complaint(_Open):
    complained_recipients: list[ComplainedRecipient] = []
    feedback_id: str | None = None
    user_agent: str | None = None
    complaint_feedback_type: str | None = None


class Click(_Open):
    ip_address: str | None = None
    user_agent: str | None = None
    link: str | None = None
    link_tags: dict[str, list[str]] | None = None


class Mail(_Open):
    message_id: str | None = None
    message_send_timestamp: int | None = None
    from_address: str | None = None
    destination: list[str] = []
    headers_truncated: bool | None = None
    headers: list[dict[str, Any]] = []
    common_headers: dict[str, Any] = {}


class MailEvent(_Open):
    mail: Mail | None = None
    send: dict[str, Any] | None = None
    delivery: dict[str, Any] | None = None
    bounce: Bounce | None = None
    complaint: Complaint | None = None
    open_: dict[str, Any] | None = Field(default=None, alias="open")
    click: Click | None = None
    reject: dict[str, Any] | None = None


class EmailChannel(_Open):
    mail_event: MailEvent | None = None


class Facets(_Open):
    email_channel: EmailChannel | None = None


class ClientContext(_Open):
    custom: dict[str, Any] = {}


class PinpointEventRecord(_Open):
    """One event-stream record: the common envelope plus the email facets."""

    event_type: str = Field(min_length=1)
    event_timestamp: int = Field(ge=0, le=MAX_TIMESTAMP_MS)  # epoch ms; beyond year 9999 is corrupt
    arrival_timestamp: int | None = None
    event_version: str | None = None
    application: Application
    client: Client = Client()
    device: dict[str, Any] = {}
    session: dict[str, Any] = {}
    attributes: dict[str, Scalar] = {}
    metrics: dict[str, float | None] = {}
    client_context: ClientContext | None = None
    facets: Facets | None = None
    awsAccountId: str | None = None  # noqa: N815 - Pinpoint's field name

    @property
    def mail_event(self) -> MailEvent | None:
        channel = self.facets.email_channel if self.facets else None
        return channel.mail_event if channel else None
