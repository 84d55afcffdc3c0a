"""Deliver one custom-channel batch: each endpoint concurrently, once, inside the deadline.

Per endpoint: skip opted-out or inactive endpoints as the payload says, choose the channel,
check the address, claim the send lock (a sent endpoint answers DUPLICATE here, whatever the
registry does), check the registry's current view (read once for the batch, concurrently with
the claims), then render and send with every provider call bounded by the time left. After the
batch, every send is recorded complete in one write; nothing sent releases its lock. Every
failure stays with its endpoint.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools import Logger

from engagement.channel.current import error_code, read_current
from engagement.channel.deadline import Deadline
from engagement.channel.logs import log_id
from engagement.channel.once import Claim, SendOnce, idempotency_key, unconfirmed
from engagement.channel.outcome import DeliveryStatus, Outcome
from engagement.channel.records import MAX_DEPTH, too_deep
from engagement.channel.routing import check_address, choose_channel, template_kind
from engagement.delivery.email import EmailMessage, EmailSender
from engagement.delivery.errors import (
    DeliveryError,
    MaybeSentDeliveryError,
    PermanentDeliveryError,
    RecipientOptedOutError,
)
from engagement.delivery.sms import SmsSender, TextMessage
from engagement.delivery.webhook import WebhookSender
from engagement.endpoints.rules import endpoint_id_problems
from engagement.masking import mask_address
from engagement.models.custom_channel import ChannelEndpoint, CustomChannelEvent

logger = Logger(child=True)
PROVIDER_RETRY_S = 0.1
# One attempt of a sending client (factory.PROVIDER): 2 s to connect + 5 s to read.
PROVIDER_WORST_CASE_S = 7.5


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
    max_workers: int = 50
    deadline_margin_ms: int = 2500


@dataclass
class Prepared:
    """An endpoint the payload allows sending to: its channel, address and send key."""

    channel: str
    address: str
    key: dict[str, str]
    claim: Claim | None = None


class CustomChannel:
    """``deliver(event, remaining_ms)`` -> ``{endpointId: Outcome}``."""

    def __init__(self, services: ChannelServices):
        self.services = services
        self._pool = ThreadPoolExecutor(max_workers=services.max_workers, thread_name_prefix="send")
        # Provider calls run here so a hung SES/SMS call cannot hold the invocation past its deadline.
        self._calls = ThreadPoolExecutor(max_workers=services.max_workers, thread_name_prefix="provider")
        self._lookups = ThreadPoolExecutor(max_workers=1, thread_name_prefix="registry")

    def deliver(self, event: CustomChannelEvent, remaining_ms: Callable[[], int]) -> dict[str, Outcome]:
        deadline = Deadline(remaining_ms, self.services.deadline_margin_ms)
        valid = [e for e in event.Endpoints if not endpoint_id_problems(e)]
        current = (
            self._lookups.submit(read_current, self.services.registry, event, valid)
            if (self.services.registry is not None and valid)
            else None
        )
        prepared = {
            endpoint_id: self._prepare(event, endpoint_id, endpoint, deadline)
            for endpoint_id, endpoint in event.Endpoints.items()
        }
        # Claimed before the registry answers: an endpoint already sent is a DUPLICATE whatever
        # the registry does. One transaction for the batch while the registry read runs.
        to_claim = [endpoint_id for endpoint_id, p in prepared.items() if isinstance(p, Prepared)]
        claims = self.services.once.claim_many([prepared[e].key for e in to_claim], deadline.time_left_s)
        for endpoint_id, claim in zip(to_claim, claims, strict=True):
            prepared[endpoint_id].claim = claim
        futures = {
            endpoint_id: self._pool.submit(
                self._one, event, endpoint_id, endpoint, prepared[endpoint_id], deadline, current
            )
            for endpoint_id, endpoint in event.Endpoints.items()
        }
        results = {endpoint_id: future.result() for endpoint_id, future in futures.items()}
        sent = [(claim, outcome) for outcome, claim in results.values() if claim is not None]
        unrecorded = self.services.once.complete(sent, deadline.write_time_left_s)
        if unrecorded:
            logger.error(
                "sends not recorded as complete; their locks stay, so they are not sent again",
                extra={"unrecorded": unrecorded},
            )
        return {endpoint_id: outcome for endpoint_id, (outcome, _) in results.items()}

    # -- one endpoint ------------------------------------------------------------------------
    def _prepare(
        self, event: CustomChannelEvent, endpoint_id: str, endpoint: ChannelEndpoint, deadline: Deadline
    ) -> Outcome | Prepared:
        """What can be decided from the payload alone, or what the send needs."""
        channel = ""
        try:
            if endpoint_id_problems(endpoint_id):
                raise PermanentDeliveryError(
                    "invalid_endpoint_id", "an endpoint id must be a non-empty string"
                )
            if too_deep(endpoint.model_extra or {}, MAX_DEPTH):
                raise PermanentDeliveryError("invalid_endpoint", f"nested deeper than {MAX_DEPTH} levels")
            if not deadline.may_start():
                return _deadline_outcome("")
            skipped = _skip_reason(endpoint)
            if skipped:
                return skipped
            channel = choose_channel(event.Data, endpoint)
            address = check_address(channel, endpoint.Address)
        except DeliveryError as error:
            return _failure(channel, error)
        except Exception:  # a bug: this endpoint only
            logger.exception(
                "unexpected error preparing endpoint", extra={"endpoint_id": log_id(endpoint_id)}
            )
            return Outcome(DeliveryStatus.TEMPORARY_FAILURE, channel=channel, reason="internal_error")
        key = {**event.context_ids(), "scheduled_time": event.ScheduledTime or "", "endpoint_id": endpoint_id}
        return Prepared(channel, address, key)

    def _one(
        self,
        event: CustomChannelEvent,
        endpoint_id: str,
        endpoint: ChannelEndpoint,
        prepared: Outcome | Prepared,
        deadline: Deadline,
        current: Future | None,
    ) -> tuple[Outcome, Claim | None]:
        """The outcome, and the claim to record as complete (None: nothing may have been sent)."""
        if isinstance(prepared, Outcome):
            return self._log(endpoint_id, endpoint, prepared), None
        channel, claim = prepared.channel, prepared.claim
        if claim is None or not claim.owned:
            reason = claim.reason if claim else "idempotency_unavailable"
            outcome = (claim and claim.replay) or Outcome(
                DeliveryStatus.TEMPORARY_FAILURE, channel, reason=reason
            )
            return self._log(endpoint_id, endpoint, outcome), None
        try:
            outcome = self._registry_skip(endpoint_id, current, deadline) or (
                _deadline_outcome(channel) if not deadline.may_start() else None
            )
            if outcome is None:
                outcome = self._send(
                    event, endpoint_id, endpoint, channel, prepared.address, prepared.key, deadline
                )
                return self._log(endpoint_id, endpoint, outcome), claim
        except DeliveryError as error:
            outcome = _failure(channel, error)
            if error.maybe_sent:
                return self._log(endpoint_id, endpoint, unconfirmed(channel, error)), claim
        except Exception:  # a bug or an unexpected provider answer: this endpoint only
            logger.exception(
                "unexpected error delivering to endpoint", extra={"endpoint_id": log_id(endpoint_id)}
            )
            outcome = Outcome(DeliveryStatus.TEMPORARY_FAILURE, channel=channel, reason="internal_error")
        self.services.once.release(claim, deadline.write_time_left_s)
        return self._log(endpoint_id, endpoint, outcome), None

    def _registry_skip(self, endpoint_id: str, current: Future | None, deadline: Deadline) -> Outcome | None:
        """The payload may predate an opt-out: the registry's endpoint as it is now decides."""
        if current is None:
            return None
        try:
            known = current.result(timeout=deadline.time_left_s())
        except Exception as error:
            logger.warning(
                "endpoint registry unavailable",
                extra={
                    "endpoint_id": log_id(endpoint_id),
                    "error": error_code(error) or type(error).__name__,
                },
            )
            return Outcome(DeliveryStatus.TEMPORARY_FAILURE, reason="registry_unavailable")
        found = known.get(endpoint_id.lower())
        if found is None:
            return None  # not registered here: the payload is all we know
        skipped = _skip_reason(ChannelEndpoint.model_validate(found))
        return Outcome(skipped.status, reason=f"{skipped.reason}_in_registry") if skipped else None

    def _provider(self, call: Callable[[], str], deadline: Deadline) -> str:
        """``call()`` bounded by the time left; "not sent" errors are retried inside it.

        A call still running at the deadline is abandoned (it finishes in the background) and
        reported as maybe sent: its answer is lost, not its effect."""
        attempt = 0
        while True:
            try:
                if deadline.time_left_s() > PROVIDER_WORST_CASE_S:
                    return call()  # its own timeouts end it in time: no thread hop needed
                future = self._calls.submit(call)
                try:
                    return future.result(timeout=max(0.0, deadline.time_left_s()))
                except FutureTimeout:
                    raise MaybeSentDeliveryError(
                        "deadline_during_send", "no answer before the deadline"
                    ) from None
            except DeliveryError as error:
                delay = PROVIDER_RETRY_S * 2**attempt
                if not error.temporary or error.maybe_sent or attempt >= 2:
                    raise
                if deadline.time_left_s() < delay + 1.0:
                    raise
                time.sleep(delay)
                attempt += 1

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
            email = EmailMessage(
                address,
                subject,
                message.html,
                message.text,
                tags,
                unsubscribe,
                sender=event.Data.from_address,
            )
            details = {"address": address, "from": email.sender or sender.from_address, "subject": subject}
            message_id = self._provider(lambda: sender.send(email), deadline)
            return Outcome(DeliveryStatus.SUCCESSFUL, channel, message_id, details=details)
        if channel == "SMS":
            sender = _required(services.sms, "sms")
            if not message.body:
                raise PermanentDeliveryError("empty_message", "the SMS template rendered no body")
            text = TextMessage(
                address,
                message.body,
                tags,
                message_type=event.Data.message_type or "TRANSACTIONAL",
                origination_identity=event.Data.origination_identity,
                country_parameters=event.Data.country_parameters or {},
            )
            message_id = self._provider(lambda: sender.send(text), deadline)
            details = {
                "address": address,
                "origination": text.origination_identity or sender.origination_identity or "",
                "message_type": text.message_type,
            }
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
            "endpoint_id": log_id(endpoint_id),
            "address": mask_address(endpoint.Address or ""),
            **outcome.event_attributes(),
        }
        failed = outcome.status in (DeliveryStatus.PERMANENT_FAILURE, DeliveryStatus.TEMPORARY_FAILURE)
        (logger.warning if failed else logger.info)("endpoint outcome", extra=fields)
        return outcome


def _deadline_outcome(channel: str) -> Outcome:
    return Outcome(DeliveryStatus.TEMPORARY_FAILURE, channel=channel, reason="deadline")


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
