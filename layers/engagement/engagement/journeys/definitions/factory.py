"""Build the journey-definition services from settings (once, at cold start) or from parts (tests)."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Mapping
from typing import Any

from engagement.journeys.definitions.data import JourneyTable
from engagement.journeys.definitions.settings import JourneyDefinitionSettings

WEBHOOK_TIMEOUT_SECONDS = 15  # Pinpoint waits at most 15 s for a custom channel


class JourneyTransientError(RuntimeError):
    """A delivery failed in a way a retry can fix; the state machine retries the activity."""


class DeliverySender:
    """Delivers a custom-channel payload to a Lambda (ARN or name) or an https ``DeliveryUri``."""

    def __init__(self, lambda_client: Any) -> None:
        self.lambda_client = lambda_client

    def send(self, delivery_uri: str, payload: Mapping[str, Any]) -> Mapping[str, Any]:
        body = json.dumps(dict(payload)).encode()
        if delivery_uri.startswith("https://"):
            request = urllib.request.Request(  # noqa: S310 - https only, checked above
                delivery_uri, data=body, headers={"Content-Type": "application/json"}, method="POST"
            )
            with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:  # noqa: S310
                text = response.read().decode() or "{}"
            return json.loads(text)
        response = self.lambda_client.invoke(FunctionName=delivery_uri, Payload=body)
        text = response["Payload"].read().decode() or "{}"
        if response.get("FunctionError"):
            raise JourneyTransientError(f"{delivery_uri} failed: {text[:300]}")
        return json.loads(text)


def journey_table(settings: JourneyDefinitionSettings, session: Any = None) -> JourneyTable:
    from engagement.aws import LazyTable

    return JourneyTable(LazyTable(settings.journeys_table, session))  # created on first use


def build_runtime(settings: JourneyDefinitionSettings, session: Any = None) -> Any:
    from engagement.aws import aws_client
    from engagement.endpoints.factory import build_registry
    from engagement.journeys.definitions.runtime import JourneyRuntime, RuntimeSettings

    writer = None
    if settings.event_stream_name:
        from engagement.events.writer import EventStreamWriter

        writer = EventStreamWriter(settings.event_stream_name, client=aws_client("kinesis", session=session))
    return JourneyRuntime(
        table=journey_table(settings, session),
        registry=build_registry(settings.endpoint_store, session=session),
        segments=_segments(settings),
        sender=DeliverySender(aws_client("lambda", session=session)),
        settings=RuntimeSettings(settings.custom_channel_arn, push_via_webhook=settings.push_via_webhook),
        writer=writer,
    )


def build_store(settings: JourneyDefinitionSettings, session: Any = None) -> Any:
    from engagement.aws import aws_client
    from engagement.journeys.definitions.store import JourneyStore, StoreSettings

    supported = frozenset({"PUSH"}) if settings.push_via_webhook else frozenset()
    store_settings = StoreSettings(
        settings.activity_function_arn, settings.state_machine_role_arn, supported_activities=supported
    )
    return JourneyStore(
        table=journey_table(settings, session),
        sfn=aws_client("stepfunctions", session=session),
        settings=store_settings,
        segments=_segment_store(settings),
    )


def build_entry(settings: JourneyDefinitionSettings, session: Any = None) -> Any:
    from engagement.aws import aws_client
    from engagement.endpoints.factory import build_registry
    from engagement.journeys.definitions.conditions import SegmentMembership
    from engagement.journeys.definitions.entry import JourneyEntry

    segment_store = _segment_store(settings)  # one store (one DynamoDB client) for both uses
    return JourneyEntry(
        table=journey_table(settings, session),
        sfn=aws_client("stepfunctions", session=session),
        registry=build_registry(settings.endpoint_store, session=session),
        segments=SegmentMembership(segment_store),
        segment_store=segment_store,
    )


def _segment_store(settings: JourneyDefinitionSettings) -> Any:
    if not settings.segment_store:
        return None
    from engagement.segments import build_segment_store

    return build_segment_store(settings.segment_store)


def _segments(settings: JourneyDefinitionSettings) -> Any:
    from engagement.journeys.definitions.conditions import SegmentMembership

    return SegmentMembership(_segment_store(settings))
