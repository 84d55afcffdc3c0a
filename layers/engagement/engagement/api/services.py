"""The one registration point: which objects serve which Pinpoint operations.

The HTTP API dispatches an operation (``GetSegment``) to the FIRST registered object that has
boto3's method for it (``get_segment``), called with boto3's keyword arguments; the object
answers boto3's response dict and raises ``engagement.models.errors.*``. Any feature that
exposes such an object is served by adding ONE line to :func:`build_services`::

    services.register(build_segment_store(settings.segment_store))   # SegmentStore
    services.register(build_kpi_service(settings.kpi_source))        # KpiService
    services.register(build_store(settings.campaigns))               # CampaignStore

(with the feature's setting added to :class:`engagement.api.settings.ApiSettings` and its
table/permissions to the API function in template.yaml). Nothing else in ``engagement.api``
changes: routes, parsing, validation and serialization all come from botocore's model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from engagement.api.settings import ApiSettings


@dataclass
class ApiServices:
    """Service objects, in dispatch order, plus what the router needs for idempotent calls."""

    objects: list[Any] = field(default_factory=list)
    idempotency: Any = None  # engagement.api.idempotency.RequestIdempotency
    on_invoke: list[Callable[[Any], None]] = field(default_factory=list)  # given the Lambda context

    def register(self, service: Any) -> Any:
        """Serve every boto3-named public method of ``service`` (first registration wins)."""
        self.objects.append(service)
        return service

    def find(self, method_name: str) -> Callable[..., Any] | None:
        """The bound method serving ``method_name`` (boto3's snake_case name), or ``None``."""
        for service in self.objects:
            method = getattr(service, method_name, None)
            if callable(method) and not method_name.startswith("_"):
                return method
        return None


def build_services(settings: ApiSettings, *, session: Any = None) -> ApiServices:
    """Every service the deployed API serves, built once per cold start."""
    from engagement.api.events import EventsService
    from engagement.api.templates import TemplateService
    from engagement.channel.factory import build_session
    from engagement.endpoints import build_registry
    from engagement.phones import PhoneNumberValidator
    from engagement.templating.messages import MessageRenderer
    from engagement.templating.stores import build_template_store

    session = session or build_session(settings.max_workers + 4)
    registry = build_registry(settings.endpoint_store, session=session)
    store = build_template_store(settings.template_store, s3_client=_client(session, "s3"))
    renderer = MessageRenderer(store)
    writer = _writer(settings, session)
    services = ApiServices()
    once = _idempotency(settings, session, services)

    services.register(registry)  # endpoints and users: Get/Update/Delete, UpdateEndpointsBatch
    messaging = services.register(_messaging(settings, session, registry, renderer, writer, once))
    services.on_invoke.append(messaging.register_context)
    journey_store, journey_entry = _journeys(settings, session)
    # put_events: onto the stream (EVENT campaigns read it) and into event-started journeys.
    services.register(EventsService(registry=registry, writer=writer, journeys=journey_entry))
    services.register(TemplateService(store, renderer))  # Create/Update/Delete{Email,Sms}Template
    services.register(store)  # Get{Email,Sms,Push,InApp}Template
    services.register(PhoneNumberValidator())  # PhoneNumberValidate (libphonenumber's data)
    if settings.segment_store:
        from engagement.segments import build_segment_store

        services.register(build_segment_store(settings.segment_store, session=session))
    if settings.kpi_source:
        from engagement.analytics import build_kpi_service

        counters = journey_store.table.metrics if journey_store is not None else None
        services.register(build_kpi_service(settings.kpi_source, journey_counters=counters))
    if settings.campaigns:
        from engagement.campaigns.factory import build_store

        services.register(build_store(settings.campaigns))  # CampaignStore
    if journey_store is not None:
        services.register(journey_store)
    if settings.otp_table:  # Send/VerifyOTPMessage (docs/otp.md)
        from engagement.otp import OtpService, OtpStore

        otp_store = OtpStore(settings.otp_table, _client(session, "dynamodb"))
        services.register(OtpService(otp_store, messaging.sms))
    return services


def _journeys(settings: ApiSettings, session: Any) -> tuple[Any, Any]:
    """``JourneyStore`` and the ``JourneyEntry`` that admits endpoints to event-started journeys."""
    if not settings.journeys:
        return None, None
    from engagement.journeys.definitions.factory import build_entry, build_store

    return build_store(settings.journeys, session), build_entry(settings.journeys, session)


def _messaging(
    settings: ApiSettings, session: Any, registry: Any, renderer: Any, writer: Any, once: Any
) -> Any:
    from engagement.api.messaging import MessagingService
    from engagement.delivery.email import EmailSender
    from engagement.delivery.sms import SmsSender

    email = (
        EmailSender(_client(session, "sesv2"), settings.sender_email, settings.ses_configuration_set)
        if settings.sender_email
        else None
    )
    sms = SmsSender(
        _client(session, "pinpoint-sms-voice-v2"),
        settings.sms_origination_identity,
        settings.sms_configuration_set,
    )
    return MessagingService(
        registry=registry, renderer=renderer, email=email, sms=sms, writer=writer, once=once,
        max_workers=settings.max_workers, address_opt_out_check=settings.address_opt_out_check,
    )  # fmt: skip


def _idempotency(settings: ApiSettings, session: Any, services: ApiServices) -> Any:
    """Call-level records on ``services``; the per-recipient ``SendOnce`` is returned."""
    if not settings.idempotency_table:
        return None
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    from engagement.api.idempotency import RequestIdempotency
    from engagement.channel.once import SendOnce

    def layer() -> Any:
        return DynamoDBPersistenceLayer(
            table_name=settings.idempotency_table, boto3_client=_client(session, "dynamodb")
        )

    services.idempotency = RequestIdempotency(layer(), settings.idempotency_ttl_s)
    once = SendOnce(layer(), settings.idempotency_ttl_s)
    services.on_invoke += [services.idempotency.register_context, once.register_context]
    return once


def _writer(settings: ApiSettings, session: Any) -> Any:
    if not settings.event_stream_name:
        return None
    from engagement.events.writer import EventStreamWriter

    return EventStreamWriter(settings.event_stream_name, client=_client(session, "kinesis"))


def _client(session: Any, service: str) -> Any:
    from engagement.channel.factory import client

    return client(session, service)
