"""Deliver one custom-channel batch: each endpoint concurrently, once, inside the deadline.

Per endpoint: skip opted-out or inactive endpoints (as the payload says, and as the registry
says now), choose the channel, check the address, then - once per idempotency key - render the
template with the endpoint as context and send. Every failure stays with its endpoint.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools import Logger

from engagement.channel.deadline import Deadline
from engagement.channel.once import SendOnce, idempotency_key
from engagement.channel.outcome import DeliveryStatus, Outcome
from engagement.channel.routing import check_address, choose_channel, template_kind
from engagement.delivery.email import EmailMessage, EmailSender
from engagement.delivery.errors import DeliveryError, PermanentDeliveryError, RecipientOptedOutError
from engagement.delivery.sms import SmsSender, TextMessage
from engagement.delivery.webhook import WebhookSender
from engagement.masking import mask_address
from engagement.models.custom_channel import ChannelEndpoint, CustomChannelEvent

logger = Logger(child=True)


@dataclass
class ChannelServices:
    """Everything a batch needs, built once per cold start (``factory.build_channel``)."""

    renderer: Any  # engagement.templating.messages.MessageRenderer
    once: SendOnce
    registry: Any = None  # endpoint registry; None skips the "opted out since" check
    email: EmailSender | None = None
    sms: SmsSender | None = None
    webhook: WebhookSender | None = None
    unsubscribe_url: Callable[[Mapping[str, Any]], str] | None = None
    max_workers: int = 25
    deadline_margin_ms: int = 2500


class CustomChannel:
    """``deliver(event, remaining_ms)`` -> ``{endpointId: Outcome}``."""

    def __init__(self, services: ChannelServices):
        self.services = services
        self._pool = ThreadPoolExecutor(max_workers=services.max_workers, thread_name_prefix="send")

    def deliver(self, event: CustomChannelEvent, remaining_ms: Callable[[], int]) -> dict[str, Outcome]:
        deadline = Deadline(remaining_ms, self.services.deadline_margin_ms)
        futures = {
            endpoint_id: self._pool.submit(self._one, event, endpoint_id, endpoint, deadline)
            for endpoint_id, endpoint in event.Endpoints.items()
        }
        return {endpoint_id: future.result() for endpoint_id, future in futures.items()}

    # -- one endpoint ------------------------------------------------------------------------
    def _one(
        self, event: CustomChannelEvent, endpoint_id: str, endpoint: ChannelEndpoint, deadline: Deadline
    ):
        channel = ""
        try:
            if not deadline.may_start():
                return self._log(
                    endpoint_id, endpoint, Outcome(DeliveryStatus.TEMPORARY_FAILURE, reason="deadline")
                )
            skipped = _skip_reason(endpoint) or self._registry_skip(event, endpoint_id)
            if skipped:
                return self._log(endpoint_id, endpoint, skipped)
            channel = choose_channel(event.Data, endpoint)
            address = check_address(channel, endpoint.Address)
            if not deadline.may_start():
                outcome = Outcome(DeliveryStatus.TEMPORARY_FAILURE, channel=channel, reason="deadline")
                return self._log(endpoint_id, endpoint, outcome)
            key = {
                **event.context_ids(),
                "scheduled_time": event.ScheduledTime or "",
                "endpoint_id": endpoint_id,
            }
            outcome = self.services.once.run(
                key,
                lambda: self._send(event, endpoint_id, endpoint, channel, address, key, deadline),
                channel,
            )
        except DeliveryError as error:
            outcome = _failure(channel, error)
        except Exception:  # a bug or an unexpected provider answer: this endpoint only
            logger.exception("unexpected error delivering to endpoint", extra={"endpoint_id": endpoint_id})
            outcome = Outcome(DeliveryStatus.TEMPORARY_FAILURE, channel=channel, reason="internal_error")
        return self._log(endpoint_id, endpoint, outcome)

    def _registry_skip(self, event: CustomChannelEvent, endpoint_id: str) -> Outcome | None:
        """The payload may predate an opt-out: ask the registry for the endpoint as it is now."""
        if self.services.registry is None:
            return None
        try:
            current = self.services.registry.get_endpoint(
                ApplicationId=event.ApplicationId, EndpointId=endpoint_id
            )
        except Exception as error:
            if getattr(error, "response", {}).get("Error", {}).get("Code") == "NotFoundException":
                return None  # not registered here: the payload is all we know
            logger.warning(
                "endpoint registry unavailable", extra={"endpoint_id": endpoint_id, "error": str(error)}
            )
            return Outcome(DeliveryStatus.TEMPORARY_FAILURE, reason="registry_unavailable")
        skipped = _skip_reason(ChannelEndpoint.model_validate(current.get("EndpointResponse", {})))
        return Outcome(skipped.status, reason=f"{skipped.reason}_in_registry") if skipped else None

    def _send(self, event, endpoint_id, endpoint, channel, address, key, deadline) -> Outcome:
        """Render and send; raises DeliveryError so nothing is recorded as sent when it was not."""
        context = {
            **endpoint.model_dump(exclude_none=True),
            "Id": endpoint_id,
            "ApplicationId": event.ApplicationId,
        }
        message = self._render(event, endpoint, channel, context)
        tags = {**event.context_ids(), "endpoint_id": endpoint_id}
        services = self.services
        if channel == "EMAIL":
            sender = _required(services.email, "email")
            unsubscribe = self._unsubscribe(context)
            subject = message.subject or ""
            email = EmailMessage(address, subject, message.html, message.text, tags, unsubscribe)
            details = {"address": address, "from": sender.from_address, "subject": subject}
            return Outcome(DeliveryStatus.SUCCESSFUL, channel, sender.send(email), details=details)
        if channel == "SMS":
            sender = _required(services.sms, "sms")
            if not message.body:
                raise PermanentDeliveryError("empty_message", "the SMS template rendered no body")
            message_id = sender.send(TextMessage(address, message.body, tags))
            details = {"address": address, "origination": sender.origination_identity or ""}
            return Outcome(DeliveryStatus.SUCCESSFUL, channel, message_id, details=details)
        webhook = _required(services.webhook, "webhook")
        payload = {
            **tags,
            "scheduled_time": event.ScheduledTime,
            "address": address,
            "channel_type": endpoint.ChannelType,
            "template": event.Data.template,
            "message": _message_parts(message),
        }
        message_id = webhook.send(
            payload, idempotency_key=idempotency_key(key), time_left_s=deadline.time_left_s
        )
        return Outcome(DeliveryStatus.SUCCESSFUL, channel, message_id)

    def _render(
        self, event: CustomChannelEvent, endpoint: ChannelEndpoint, channel: str, context: dict
    ) -> Any:
        from engagement.templating.errors import TemplateError, TemplateNotFoundError

        kind = template_kind(channel, event.Data, endpoint)
        try:
            return self.services.renderer.render(
                event.Data.template,
                kind,
                context,
                version=event.Data.template_version,
                substitutions=event.Data.substitutions,
            )
        except TemplateError as error:
            reason = "template_not_found" if isinstance(error, TemplateNotFoundError) else "rendering_failure"
            raise PermanentDeliveryError(reason, str(error)[:200]) from error

    def _unsubscribe(self, context: Mapping[str, Any]) -> str | None:
        from engagement.templating.errors import TemplateError

        if self.services.unsubscribe_url is None:
            return None
        try:
            return self.services.unsubscribe_url(context) or None
        except TemplateError as error:
            raise PermanentDeliveryError("rendering_failure", f"unsubscribe URL: {error}"[:200]) from error

    def _log(self, endpoint_id: str, endpoint: ChannelEndpoint, outcome: Outcome) -> Outcome:
        fields = {
            "endpoint_id": endpoint_id,
            "address": mask_address(endpoint.Address or ""),
            **outcome.event_attributes(),
        }
        failed = outcome.status in (DeliveryStatus.PERMANENT_FAILURE, DeliveryStatus.TEMPORARY_FAILURE)
        (logger.warning if failed else logger.info)("endpoint outcome", extra=fields)
        return outcome


def _skip_reason(endpoint: ChannelEndpoint) -> Outcome | None:
    if (endpoint.OptOut or "").upper() == "ALL":
        return Outcome(DeliveryStatus.OPTED_OUT, reason="opted_out")
    if (endpoint.EndpointStatus or "").upper() == "INACTIVE":
        return Outcome(DeliveryStatus.INACTIVE, reason="inactive")
    return None


def _failure(channel: str, error: DeliveryError) -> Outcome:
    if isinstance(error, RecipientOptedOutError):
        return Outcome(DeliveryStatus.OPTED_OUT, channel=channel, reason=error.reason)
    status = DeliveryStatus.TEMPORARY_FAILURE if error.temporary else DeliveryStatus.PERMANENT_FAILURE
    return Outcome(status, channel=channel, reason=error.reason, details={"detail": error.detail})


def _message_parts(message: Any) -> dict[str, str]:
    parts = ("subject", "html", "text", "body", "title")
    return {name: value for name in parts if (value := getattr(message, name, None)) is not None}


def _required(sender: Any, name: str) -> Any:
    if sender is None:
        raise PermanentDeliveryError("channel_not_configured", f"no {name} sender configured")
    return sender
