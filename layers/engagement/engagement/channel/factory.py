"""Build the custom channel from its settings, once per cold start.

Clients share one botocore session whose connection pools match the worker pool, with
standard retries and short timeouts (Pinpoint waits 15 s at most).

``CLIENT_FACTORIES`` is the one seam for services the local stack cannot serve: moto has no
End User Messaging SMS (``pinpoint-sms-voice-v2``), so the demo and integration tests register
a factory returning a botocore ``Stubber``-backed client before the handler's cold start.
Production never touches it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engagement.aws import LazyClient
from engagement.channel.once import SendOnce
from engagement.channel.pipeline import ChannelServices, CustomChannel
from engagement.channel.settings import CustomChannelSettings

CLIENT_FACTORIES: dict[str, Callable[[], Any]] = {}


def build_session(max_pool_connections: int) -> Any:
    from botocore.config import Config

    from engagement.aws import botocore_session, shared_session

    core = botocore_session()  # the process's one session: endpoints.json and models parsed once
    core.set_default_client_config(
        Config(
            retries={"mode": "standard", "max_attempts": 3},
            max_pool_connections=max_pool_connections,
            connect_timeout=2,
            read_timeout=5,
        )
    )
    return shared_session()


# A client for requests this package builds itself (send locks, event records): botocore's
# parameter validation re-checks our own shapes and costs ~20 ms of CPU for a 50-item
# transaction, so it is off; the unit tests validate the shapes against the service models.
TRUSTED = {"parameter_validation": False}

# A sending client that never retries by itself: botocore would resend a message whose first
# answer was a 5xx or a read timeout although the provider may have accepted it. The channel
# retries only errors that prove nothing was sent (``pipeline.CustomChannel._provider``).
# One attempt of at most 2 + 5 s: pipeline.PROVIDER_WORST_CASE_S relies on these numbers.
PROVIDER = {
    "retries": {"mode": "standard", "total_max_attempts": 1},
    "connect_timeout": 2,
    "read_timeout": 5,
    "parameter_validation": False,  # EmailSender/SmsSender shapes are checked by the unit tests
}


def client(session: Any, service: str, config: dict[str, Any] | None = None) -> Any:
    """A client for ``service``, created on first use, with botocore ``Config`` arguments
    ``config`` (default: standard retries); a registered ``CLIENT_FACTORIES`` entry wins."""
    factory = CLIENT_FACTORIES.get(service)
    return factory() if factory else LazyClient(service, session, config=config)


def build_channel(settings: CustomChannelSettings) -> CustomChannel:
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    from engagement.delivery.email import EmailSender
    from engagement.delivery.sms import SmsSender
    from engagement.templating.messages import MessageRenderer
    from engagement.templating.stores import build_template_store

    session = build_session(settings.max_workers + 2)
    persistence = DynamoDBPersistenceLayer(
        table_name=settings.idempotency_table, boto3_client=client(session, "dynamodb", TRUSTED)
    )
    services = ChannelServices(
        renderer=MessageRenderer(build_template_store(settings.template_store)),
        once=SendOnce(persistence, settings.idempotency_ttl_s),
        registry=_registry(settings, session),
        email=EmailSender(
            client(session, "sesv2", PROVIDER), settings.sender_email, settings.ses_configuration_set
        )
        if settings.sender_email
        else None,
        sms=SmsSender(
            client(session, "pinpoint-sms-voice-v2", PROVIDER),
            settings.sms_origination_identity,
            settings.sms_configuration_set,
        ),
        webhook=_webhook(settings),
        unsubscribe_url=_unsubscribe(settings.unsubscribe_url_template),
        max_workers=settings.max_workers,
        deadline_margin_ms=settings.deadline_margin_ms,
    )
    return CustomChannel(services)


def build_writer(settings: CustomChannelSettings, session: Any = None) -> Any:
    if not settings.event_stream_name:
        return None
    from engagement.events.writer import EventStreamWriter

    return EventStreamWriter(
        settings.event_stream_name, client=client(session or build_session(4), "kinesis", TRUSTED)
    )


def _registry(settings: CustomChannelSettings, session: Any) -> Any:
    if not settings.endpoint_store:
        return None
    from engagement.endpoints import build_registry

    return build_registry(settings.endpoint_store, session=session)


def _webhook(settings: CustomChannelSettings) -> Any:
    if not settings.webhook_url:
        return None
    import urllib3

    from engagement.delivery.webhook import WebhookSender, validate_webhook_url

    # At cold start, with DNS: a name resolving to a refused address fails the deployment loudly.
    validate_webhook_url(settings.webhook_url, allow_private=settings.webhook_allow_private, resolve=True)
    secret_id = settings.webhook_secret_id
    if not secret_id:
        raise ValueError("WEBHOOK_URL needs WEBHOOK_SECRET_ID: webhook requests are always signed")

    def secret() -> str:
        from aws_lambda_powertools.utilities.parameters import get_secret

        return str(get_secret(secret_id, max_age=300))

    return WebhookSender(
        settings.webhook_url,
        secret,
        allow_private=settings.webhook_allow_private,
        pool=urllib3.PoolManager(maxsize=settings.max_workers, retries=False),
        timeout_s=settings.webhook_timeout_s,
        max_attempts=settings.webhook_max_attempts,
    )


def _unsubscribe(template: str | None) -> Callable[[dict], str] | None:
    if not template:
        return None
    from engagement.templating import render

    return lambda context: render(template, context)
