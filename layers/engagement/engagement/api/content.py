"""What one recipient is sent: Pinpoint's ``MessageConfiguration`` or ``TemplateConfiguration``,
rendered with Handlebars for that recipient.

- A stored template (``TemplateConfiguration.EmailTemplate`` / ``SMSTemplate``, optional
  ``Version``) renders with the endpoint as context, like a campaign would.
- Inline content (``EmailMessage.SimpleEmail``, ``EmailMessage.Body``, ``SMSMessage.Body``,
  falling back to ``DefaultMessage.Body``) is a Handlebars template too, so ``{{FirstName}}``
  with ``Substitutions`` works as in Pinpoint.
- ``BodyOverride`` / ``TitleOverride`` of the address, endpoint or user replace the body and
  the email subject.
- ``Substitutions``, highest precedence first: the recipient's (address, endpoint, user), the
  channel message's (``EmailMessage``/``SMSMessage``), ``DefaultMessage``'s.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engagement.delivery.senders import sender_settings
from engagement.templating.messages import MessageRenderer, RenderedMessage

SUPPORTED_CHANNELS = ("EMAIL", "SMS")
_CHANNEL_MESSAGE = {"EMAIL": "EmailMessage", "SMS": "SMSMessage"}
_CHANNEL_TEMPLATE = {"EMAIL": "EmailTemplate", "SMS": "SMSTemplate"}


class _InlineStore:
    """The request's inline content, answered like a template store (one per request)."""

    def __init__(self, email: Mapping[str, Any] | None, sms: Mapping[str, Any] | None) -> None:
        self._docs = {"EMAIL": email, "SMS": sms}

    def _get(self, kind: str, wrapper: str) -> dict[str, Any]:
        from engagement.templating.stores import client_error

        document = self._docs[kind]
        if document is None:
            raise client_error("NotFoundException", f"no inline {kind} content", "SendMessages", 404)
        return {wrapper: dict(document)}

    def get_email_template(self, *, TemplateName: str, Version: str | None = None) -> dict[str, Any]:  # noqa: N803
        return self._get("EMAIL", "EmailTemplateResponse")

    def get_sms_template(self, *, TemplateName: str, Version: str | None = None) -> dict[str, Any]:  # noqa: N803
        return self._get("SMS", "SMSTemplateResponse")


@dataclass
class MessagePlan:
    """How every recipient of one request gets its content."""

    message: Mapping[str, Any]  # MessageConfiguration
    templates: Mapping[str, Any]  # TemplateConfiguration
    stored: MessageRenderer  # the shared renderer over the template store
    inline: MessageRenderer  # this request's inline content

    @classmethod
    def build(cls, request: Mapping[str, Any], stored: MessageRenderer) -> MessagePlan:
        message = request.get("MessageConfiguration") or {}
        inline = MessageRenderer(_InlineStore(_inline_email(message), _inline_sms(message)))
        return cls(message, request.get("TemplateConfiguration") or {}, stored, inline)

    def template_for(self, channel: str) -> tuple[str, str | None] | None:
        template = self.templates.get(_CHANNEL_TEMPLATE.get(channel, ""), None) or {}
        name = template.get("Name")
        return (name, template.get("Version")) if name else None

    def check_templates(self) -> None:
        """Fetch every named template once, up front: a missing one refuses the whole request."""
        for channel in SUPPORTED_CHANNELS:
            named = self.template_for(channel)
            if named:
                self.stored.fetch(channel, named[0], named[1])

    def raw_email(self, channel: str) -> bytes | None:
        """``EmailMessage.RawEmail.Data``: a whole MIME message, sent as it is (no template named)."""
        if channel != "EMAIL" or self.template_for(channel):
            return None
        raw = ((self.message.get("EmailMessage") or {}).get("RawEmail") or {}).get("Data")
        return raw.encode() if isinstance(raw, str) else raw

    def substitutions(self, channel: str, recipient: Mapping[str, Any]) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for source in (
            self.message.get("DefaultMessage") or {},
            self.message.get(_CHANNEL_MESSAGE.get(channel, "")) or {},
            recipient,
        ):
            merged.update(source.get("Substitutions") or {})
        return merged

    def render(
        self, channel: str, context: Mapping[str, Any], recipient: Mapping[str, Any]
    ) -> RenderedMessage:
        """The rendered message; ``TemplateError`` (permanent) when it cannot be rendered."""
        substitutions = self.substitutions(channel, recipient)
        named = self.template_for(channel)
        if named:
            rendered = self.stored.render(
                named[0], channel, context, version=named[1], substitutions=substitutions
            )
        else:
            rendered = self.inline.render(
                _inline_name(self.message), channel, context, substitutions=substitutions
            )
        return _override(rendered, recipient)


def email_options(message: Mapping[str, Any]) -> dict[str, Any]:
    """``EmailMessage``'s sender settings as ``delivery.email.EmailMessage`` fields."""
    email = message.get("EmailMessage") or {}
    return {
        "sender": email.get("FromAddress") or None,
        "reply_to": tuple(email.get("ReplyToAddresses") or ()),
        "feedback_to": email.get("FeedbackForwardingAddress") or None,
    }


def sms_options(message: Mapping[str, Any]) -> dict[str, Any]:
    """``SMSMessage``'s sender settings as ``delivery.sms.TextMessage`` fields.

    End User Messaging has one ``OriginationIdentity``: ``OriginationNumber`` when given, else
    ``SenderId``; India's ``EntityId`` / ``TemplateId`` travel as its DLT country parameters."""
    sms = message.get("SMSMessage") or {}
    return {
        **sender_settings("SMS", sms),  # the same mapping as campaigns' and journeys' messages
        "message_type": message_type(message),
        "keyword": sms.get("Keyword") or None,
    }


def message_type(message: Mapping[str, Any]) -> str:
    """``TRANSACTIONAL`` unless ``SMSMessage.MessageType`` says ``PROMOTIONAL``."""
    value = str((message.get("SMSMessage") or {}).get("MessageType") or "TRANSACTIONAL").upper()
    return "PROMOTIONAL" if value == "PROMOTIONAL" else "TRANSACTIONAL"


def _inline_email(message: Mapping[str, Any]) -> dict[str, Any] | None:
    email = message.get("EmailMessage") or {}
    simple = email.get("SimpleEmail") or {}
    default_body = (message.get("DefaultMessage") or {}).get("Body")
    document = {
        "Subject": (simple.get("Subject") or {}).get("Data"),
        "HtmlPart": (simple.get("HtmlPart") or {}).get("Data"),
        "TextPart": (simple.get("TextPart") or {}).get("Data") or email.get("Body") or default_body,
    }
    document = {k: v for k, v in document.items() if v is not None}
    return document or None


def _inline_sms(message: Mapping[str, Any]) -> dict[str, Any] | None:
    body = (message.get("SMSMessage") or {}).get("Body") or (message.get("DefaultMessage") or {}).get("Body")
    return {"Body": body} if body is not None else None


def _inline_name(message: Mapping[str, Any]) -> str:
    digest = hashlib.sha256(json.dumps(message, sort_keys=True, default=str).encode()).hexdigest()
    return f"inline-{digest[:16]}"


def _override(rendered: RenderedMessage, recipient: Mapping[str, Any]) -> RenderedMessage:
    body, title = recipient.get("BodyOverride"), recipient.get("TitleOverride")
    if body is None and title is None:
        return rendered
    from dataclasses import replace

    changes: dict[str, Any] = {}
    if body is not None:
        changes.update(body=body, text=body if rendered.channel == "EMAIL" else rendered.text)
        if rendered.channel == "EMAIL":
            changes["html"] = None
    if title is not None:
        changes.update(subject=title, title=title)
    return replace(rendered, **changes)
