"""``send_messages`` and ``send_users_messages``: Pinpoint's transactional sends, boto3-shaped.

One request: check the limits (nothing is sent when the request is refused), resolve the
recipients (addresses as given, endpoint ids and user ids through the endpoint registry), then
deliver to every recipient concurrently and answer each one with Pinpoint's ``MessageResult`` /
``EndpointMessageResult``. Opted-out and inactive endpoints are answered ``OPT_OUT`` /
``PERMANENT_FAILURE`` and never sent; with ``ADDRESS_OPT_OUT_CHECK`` so are addresses whose
registered endpoint opted out (Pinpoint itself checks endpoints only). Every send
(and every failed render or provider refusal) gets a transactional event-stream record
(:mod:`engagement.api.records`). With an idempotency key each recipient is sent at most once
(:class:`engagement.channel.once.SendOnce`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from aws_lambda_powertools import Logger

from engagement.api.content import SUPPORTED_CHANNELS, MessagePlan, email_options, sms_options
from engagement.api.idempotency import current_key
from engagement.api.limits import check_custom_data, check_recipients
from engagement.api.records import send_record
from engagement.channel.outcome import DeliveryStatus, Outcome
from engagement.delivery.errors import DeliveryError, PermanentDeliveryError, RecipientOptedOutError
from engagement.masking import mask_address
from engagement.suppression.errors import error_code
from engagement.templating.messages import RenderedMessage

logger = Logger(child=True)

THROTTLING_REASONS = frozenset({"TooManyRequestsException", "ThrottlingException", "Throttling"})
_NOT_FOUND = "NotFoundException"


@dataclass
class Recipient:
    """One address or endpoint to send to, with its own ``*SendConfiguration``."""

    key: str  # the address, or the endpoint id
    channel: str
    address: str
    config: Mapping[str, Any]
    endpoint: Mapping[str, Any] | None = None  # EndpointResponse for endpoint and user sends
    outcome: Outcome | None = None  # decided before sending (not found, opted out...)
    status_code: int = 0
    # Pinpoint: client_id "for Transactional sending [to an address], it is a UUID".
    client_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def endpoint_id(self) -> str:
        return self.key if self.endpoint is not None else ""

    @property
    def stream_client_id(self) -> str:
        """``client.client_id`` of its records and the ``endpoint_id`` tag of its email."""
        return self.endpoint_id or self.client_id


@dataclass
class Request:
    """One call: its ids and what every recipient shares."""

    operation: str
    application_id: str
    body: Mapping[str, Any]
    plan: MessagePlan
    idempotency_key: str = ""
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def context(self, recipient: Mapping[str, Any]) -> dict[str, str]:
        return {**(self.body.get("Context") or {}), **(recipient.get("Context") or {})}


@dataclass
class MessagingService:
    """The two send operations of boto3's ``pinpoint`` client."""

    registry: Any
    renderer: Any  # MessageRenderer over the template store
    email: Any = None  # EmailSender
    sms: Any = None  # SmsSender
    writer: Any = None  # EventStreamWriter
    once: Any = None  # SendOnce: each recipient once per Idempotency-Key
    max_workers: int = 50
    address_opt_out_check: bool = False  # also honour registry opt-outs for address sends
    # No send starts with less than this left of the invocation: the answer (those recipients
    # TEMPORARY_FAILURE, "deadline") reaches the caller before API Gateway's 29 s timeout.
    deadline_margin_ms: int = 5000

    def __post_init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=self.max_workers, thread_name_prefix="api-send")
        self._remaining_ms: Callable[[], int] | None = None

    def register_context(self, lambda_context: Any) -> None:
        """The current invocation's clock (``get_remaining_time_in_millis``)."""
        self._remaining_ms = getattr(lambda_context, "get_remaining_time_in_millis", None)

    def _out_of_time(self) -> bool:
        return self._remaining_ms is not None and self._remaining_ms() <= self.deadline_margin_ms

    # -- boto3 methods ---------------------------------------------------------------------
    def send_messages(self, *, ApplicationId: str, MessageRequest: dict[str, Any]) -> dict[str, Any]:  # noqa: N803
        body = MessageRequest
        addresses, endpoints = body.get("Addresses") or {}, body.get("Endpoints") or {}
        check_recipients("SendMessages", {"Addresses": len(addresses), "Endpoints": len(endpoints)})
        request = self._request("SendMessages", ApplicationId, body)
        by_address = [self._address(a, config) for a, config in addresses.items()]
        by_endpoint = self._map(lambda item: self._endpoint(request, *item), list(endpoints.items()))
        self._deliver(request, by_address + by_endpoint)
        response: dict[str, Any] = {"ApplicationId": ApplicationId, "RequestId": request.request_id}
        if by_address:
            response["Result"] = {r.key: _message_result(r) for r in by_address}
        if endpoints:
            response["EndpointResult"] = {r.key: _endpoint_result(r) for r in by_endpoint}
        return {"MessageResponse": response}

    def send_users_messages(
        self,
        *,
        ApplicationId: str,  # noqa: N803
        SendUsersMessageRequest: dict[str, Any],  # noqa: N803
    ) -> dict[str, Any]:
        body = SendUsersMessageRequest
        users = body.get("Users") or {}
        check_recipients("SendUsersMessages", {"Users": len(users)})
        request = self._request("SendUsersMessages", ApplicationId, body)
        per_user = self._map(lambda item: self._user(request, *item), list(users.items()))
        self._deliver(request, [r for recipients in per_user for r in recipients])
        result = {
            user_id: {r.key: _endpoint_result(r) for r in recipients}
            for (user_id, _), recipients in zip(users.items(), per_user, strict=True)
        }
        request_id = body.get("RequestId") or request.request_id
        return {
            "SendUsersMessageResponse": {
                "ApplicationId": ApplicationId,
                "RequestId": request_id,
                "Result": result,
            }
        }

    # -- resolving recipients --------------------------------------------------------------
    def _request(self, operation: str, application_id: str, body: Mapping[str, Any]) -> Request:
        check_custom_data(
            operation, "MessageRequest" if operation == "SendMessages" else "SendUsersMessageRequest", body
        )
        plan = MessagePlan.build(body, self.renderer)
        try:
            plan.check_templates()
        except Exception as error:
            _raise_template_error(error, operation)
        return Request(operation, application_id, body, plan, current_key())

    def _address(self, address: str, config: Mapping[str, Any]) -> Recipient:
        channel = str(config.get("ChannelType") or "").upper()
        recipient = Recipient(address, channel, address, config)
        if not channel:
            recipient.outcome = Outcome(DeliveryStatus.PERMANENT_FAILURE, reason="ChannelType is required")
        return recipient

    def _endpoint(self, request: Request, endpoint_id: str, config: Mapping[str, Any]) -> Recipient:
        try:
            found = self.registry.get_endpoint(ApplicationId=request.application_id, EndpointId=endpoint_id)
        except Exception as error:
            return _unresolved(endpoint_id, config, error)
        return _from_endpoint(found["EndpointResponse"], config)

    def _user(self, request: Request, user_id: str, config: Mapping[str, Any]) -> list[Recipient]:
        try:
            found = self.registry.get_user_endpoints(ApplicationId=request.application_id, UserId=user_id)
        except Exception as error:
            if error_code(error) == _NOT_FOUND:
                return []  # an unknown user has no endpoints: an empty result, like Pinpoint
            return [_unresolved(f"user:{user_id}", config, error)]
        return [_from_endpoint(endpoint, config) for endpoint in found["EndpointsResponse"].get("Item", [])]

    # -- delivering ------------------------------------------------------------------------
    def _deliver(self, request: Request, recipients: list[Recipient]) -> None:
        records = [r for r in self._map(lambda r: self._one(request, r), recipients) if r is not None]
        if records and self.writer is not None:
            try:
                self.writer.put(records)
            except Exception:  # sent is sent: report, never fail the answer for the stream
                logger.exception("event-stream records not written", extra={"records": len(records)})

    def _one(self, request: Request, recipient: Recipient) -> dict[str, Any] | None:
        """Decide and (maybe) send; return the stream record, if this recipient gets one."""
        if recipient.outcome is None and self._out_of_time():
            recipient.outcome = Outcome(DeliveryStatus.TEMPORARY_FAILURE, reason="deadline")
        if recipient.outcome is None:
            recipient.outcome = self._skip(request, recipient) or self._send_once(request, recipient)
        outcome = recipient.outcome
        logger.info(
            "recipient outcome",
            extra={
                "endpoint_id": recipient.endpoint_id,
                "address": mask_address(recipient.address),
                **outcome.event_attributes(),
            },
        )
        if outcome.status is DeliveryStatus.DUPLICATE or not outcome.channel:
            return None
        return send_record(request, recipient, outcome)

    def _skip(self, request: Request, recipient: Recipient) -> Outcome | None:
        endpoint = recipient.endpoint
        if endpoint is None:
            endpoint = self._registered_opt_out(request, recipient)
        if endpoint is None:
            return None
        if str(endpoint.get("OptOut") or "").upper() == "ALL":
            return Outcome(DeliveryStatus.OPTED_OUT, reason="opted_out")
        if str(endpoint.get("EndpointStatus") or "").upper() == "INACTIVE" and recipient.endpoint is not None:
            return Outcome(DeliveryStatus.INACTIVE, reason="inactive")
        return None

    def _registered_opt_out(self, request: Request, recipient: Recipient) -> Mapping[str, Any] | None:
        """An address send honours an opt-out of any endpoint registered with that address."""
        find = getattr(self.registry, "find_endpoints_by_address", None)
        if not self.address_opt_out_check or find is None or recipient.channel not in SUPPORTED_CHANNELS:
            return None
        try:
            found = find(request.application_id, recipient.channel, recipient.address)
        except Exception:  # Pinpoint mode cannot look addresses up: the request is all we know
            return None
        return next((e for e in found if str(e.get("OptOut") or "").upper() == "ALL"), None)

    def _send_once(self, request: Request, recipient: Recipient) -> Outcome:
        if self.once is None or not request.idempotency_key:
            return self._send(request, recipient)
        key = {
            "operation": request.operation,
            "application_id": request.application_id,
            "idempotency_key": request.idempotency_key,
            "recipient": f"{'endpoint' if recipient.endpoint is not None else 'address'}:{recipient.key}",
        }
        return self.once.run(key, lambda: self._send(request, recipient), recipient.channel)

    def _send(self, request: Request, recipient: Recipient) -> Outcome:
        from engagement.channel.routing import check_address
        from engagement.templating.errors import TemplateError

        channel = recipient.channel
        try:
            if channel not in SUPPORTED_CHANNELS:
                raise PermanentDeliveryError(
                    "unsupported_channel", f"{channel} is not served by this backend"
                )
            address = check_address(channel, recipient.address)
            tags = {"application_id": request.application_id, "endpoint_id": recipient.stream_client_id}
            raw = request.plan.raw_email(channel)
            if raw is not None:
                options = {**email_options(request.plan.message), "raw": raw}
                return self._email(address, _raw_subject(raw), tags, options)
            context = _render_context(request, recipient)
            try:
                message = request.plan.render(channel, context, recipient.config)
            except TemplateError as error:
                raise PermanentDeliveryError("rendering_failure", str(error)[:200]) from error
            if channel == "EMAIL":
                return self._email(address, message, tags, email_options(request.plan.message))
            return self._sms(address, message, tags, sms_options(request.plan.message))
        except RecipientOptedOutError as error:
            return Outcome(DeliveryStatus.OPTED_OUT, channel=channel, reason=error.reason)
        except DeliveryError as error:
            status = DeliveryStatus.TEMPORARY_FAILURE if error.temporary else DeliveryStatus.PERMANENT_FAILURE
            return Outcome(
                status,
                channel=channel,
                reason=error.reason,
                details={"detail": error.detail, "address": recipient.address},
            )

    def _email(self, address: str, message: Any, tags: dict[str, str], options: dict[str, Any]) -> Outcome:
        from engagement.delivery.email import EmailMessage

        if self.email is None:
            raise PermanentDeliveryError("channel_not_configured", "no email sender configured")
        subject = message.subject or ""
        email = EmailMessage(address, subject, message.html, message.text, tags, **options)
        message_id = self.email.send(email)
        details = {"address": address, "from": email.sender or self.email.from_address, "subject": subject}
        return Outcome(DeliveryStatus.SUCCESSFUL, "EMAIL", message_id, details=details)

    def _sms(self, address: str, message: Any, tags: dict[str, str], options: dict[str, Any]) -> Outcome:
        from engagement.delivery.sms import TextMessage

        if self.sms is None:
            raise PermanentDeliveryError("channel_not_configured", "no SMS sender configured")
        if not message.body:
            raise PermanentDeliveryError("empty_message", "the SMS rendered no body")
        text = TextMessage(address, message.body, tags, **options)
        message_id = self.sms.send(text)
        details = {
            "address": address,
            "origination": text.origination_identity or self.sms.origination_identity or "",
            "message_type": text.message_type,
        }
        return Outcome(DeliveryStatus.SUCCESSFUL, "SMS", message_id, details=details)

    def _map(self, function: Callable[[Any], Any], items: list[Any]) -> list[Any]:
        if len(items) <= 1:
            return [function(item) for item in items]
        return list(self._pool.map(function, items))


def _raw_subject(raw: bytes) -> RenderedMessage:
    """What the event record shows of a raw MIME message: its Subject (nothing is rendered)."""
    from email.parser import BytesHeaderParser

    if not raw:
        raise PermanentDeliveryError("empty_message", "RawEmail.Data is empty")
    return RenderedMessage("EMAIL", subject=str(BytesHeaderParser().parsebytes(raw).get("Subject") or ""))


# -- results ------------------------------------------------------------------------------
# Pinpoint's DeliveryStatus and StatusCode for each outcome (docs/api.md: where Pinpoint is silent).
_STATUS = {
    DeliveryStatus.SUCCESSFUL: ("SUCCESSFUL", 200),
    DeliveryStatus.DUPLICATE: ("DUPLICATE", 200),
    DeliveryStatus.OPTED_OUT: ("OPT_OUT", 400),
    DeliveryStatus.INACTIVE: ("PERMANENT_FAILURE", 400),
    DeliveryStatus.PERMANENT_FAILURE: ("PERMANENT_FAILURE", 400),
    DeliveryStatus.TEMPORARY_FAILURE: ("TEMPORARY_FAILURE", 500),
}
_MESSAGES = {
    "opted_out": "Endpoint is opted out (OptOut=ALL); not sent",
    "opted_out_at_provider": "The address is on the provider's opt-out list; not sent",
    "inactive": "Endpoint is inactive (EndpointStatus=INACTIVE); not sent",
    "already_sent": "Already sent with this idempotency key; not sent again",
    "deadline": "Not attempted before the request's deadline; retry (with the same Idempotency-Key)",
}


def _message_result(recipient: Recipient) -> dict[str, Any]:
    outcome = recipient.outcome or Outcome(DeliveryStatus.TEMPORARY_FAILURE, reason="not_attempted")
    status, code = _STATUS[outcome.status]
    if outcome.reason in THROTTLING_REASONS:
        status, code = "THROTTLED", 429
    result: dict[str, Any] = {"DeliveryStatus": status, "StatusCode": recipient.status_code or code}
    if outcome.message_id:
        result["MessageId"] = outcome.message_id
    detail = outcome.details.get("detail", "") if outcome.details else ""
    message = _MESSAGES.get(outcome.reason) or (
        f"MessageId: {outcome.message_id}" if outcome.message_id else ""
    )
    if not message:
        message = f"{outcome.reason}: {detail}" if detail else outcome.reason
    result["StatusMessage"] = message
    return result


def _endpoint_result(recipient: Recipient) -> dict[str, Any]:
    result = _message_result(recipient)
    if recipient.address:
        result["Address"] = recipient.address
    return result


def _from_endpoint(endpoint: Mapping[str, Any], config: Mapping[str, Any]) -> Recipient:
    return Recipient(
        str(endpoint.get("Id")),
        str(endpoint.get("ChannelType") or "").upper(),
        str(endpoint.get("Address") or ""),
        config,
        endpoint,
    )


def _unresolved(key: str, config: Mapping[str, Any], error: Exception) -> Recipient:
    recipient = Recipient(key, "", "", config)
    if error_code(error) == _NOT_FOUND:
        recipient.outcome = Outcome(DeliveryStatus.PERMANENT_FAILURE, reason="Endpoint not found")
        recipient.status_code = 404
    else:
        logger.warning("endpoint registry unavailable", extra={"error": type(error).__name__})
        recipient.outcome = Outcome(DeliveryStatus.TEMPORARY_FAILURE, reason="registry_unavailable")
    return recipient


def _render_context(request: Request, recipient: Recipient) -> dict[str, Any]:
    if recipient.endpoint is not None:
        return {**recipient.endpoint, "ApplicationId": request.application_id}
    return {
        "Address": recipient.address,
        "ChannelType": recipient.channel,
        "ApplicationId": request.application_id,
    }


def _raise_template_error(error: Exception, operation: str) -> None:
    from engagement.models.errors import BadRequestException, NotFoundException
    from engagement.templating.errors import TemplateError, TemplateNotFoundError

    if isinstance(error, TemplateNotFoundError):
        raise NotFoundException(str(error), operation) from error
    if isinstance(error, TemplateError):
        raise BadRequestException(str(error), operation) from error
    raise error
