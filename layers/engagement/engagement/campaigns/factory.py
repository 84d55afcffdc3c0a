"""Build the campaign store and run services from settings, once per process."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from engagement.campaigns.definition import Campaign
from engagement.campaigns.settings import CampaignSettings


def segment_members(
    segments: Any, registry: Any
) -> Callable[[Campaign, dt.datetime], Iterable[Mapping[str, Any]]]:
    """The segment's members at the campaign's pinned version (``engagement.segments.iter_members``)."""

    def members(campaign: Campaign, now: dt.datetime) -> Iterable[Mapping[str, Any]]:
        from engagement.segments import iter_members

        return iter_members(
            segments=segments,
            registry=registry,
            application_id=campaign.application_id,
            segment_id=campaign.segment_id,
            version=campaign.segment_version,
            now=now,
        )

    return members


def build_segments(uri: str | None) -> Any:
    if not uri:
        return None
    from engagement.segments import build_segment_store

    return build_segment_store(uri)


def template_publisher(uri: str, s3_client: Any = None) -> Any:
    from engagement.campaigns.store import file_template_publisher, s3_template_publisher

    if uri.startswith("file://"):
        return file_template_publisher(uri[len("file://") :])
    if uri.startswith("s3://"):
        from engagement.aws import aws_client

        bucket, _, prefix = uri[len("s3://") :].partition("/")
        return s3_template_publisher(s3_client or aws_client("s3"), bucket, prefix)
    return None


def build_store(
    settings: CampaignSettings, *, segments: Any = None, launch: Any = None, dynamodb: Any = None
) -> Any:
    from engagement.aws import aws_client
    from engagement.campaigns.schedule import CampaignScheduler
    from engagement.campaigns.store import CampaignStore
    from engagement.templating.stores import build_template_store

    scheduler = None
    if settings.schedule_group and settings.state_machine_arn and settings.scheduler_role_arn:
        scheduler = CampaignScheduler(
            aws_client("scheduler"),
            group=settings.schedule_group,
            target_arn=settings.state_machine_arn,
            role_arn=settings.scheduler_role_arn,
        )
    if launch is None and settings.state_machine_arn:
        launch = _state_machine_launcher(settings.state_machine_arn)
    return CampaignStore(
        settings.campaigns_table,
        dynamodb if dynamodb is not None else aws_client("dynamodb"),
        segments=segments if segments is not None else build_segments(settings.segment_store),
        templates=build_template_store(settings.template_store),
        scheduler=scheduler,
        publish_template=template_publisher(settings.template_store),
        launch=launch,
    )


def _state_machine_launcher(state_machine_arn: str) -> Callable[[str, str], Any]:
    """``IMMEDIATE``: start the run now, as the schedule would."""
    import json

    from engagement.aws import aws_client
    from engagement.campaigns.clock import iso

    def launch(application_id: str, campaign_id: str) -> Any:
        scheduled = iso(dt.datetime.now(dt.UTC))
        return aws_client("stepfunctions").start_execution(
            stateMachineArn=state_machine_arn,
            name=f"{campaign_id}-immediate"[:80],
            input=json.dumps(
                {"ApplicationId": application_id, "CampaignId": campaign_id, "ScheduledTime": scheduled}
            ),
        )

    return launch


def build_run_services(
    settings: CampaignSettings,
    *,
    channel: Any = None,
    store: Any = None,
    members: Any = None,
    metrics: Any = None,
    in_process_ledger: bool = False,
) -> Any:
    """Everything a run needs. ``channel`` defaults to the custom channel built from its own
    settings (``CustomChannelSettings.from_env()``), exactly as its Lambda builds it."""
    from engagement.aws import aws_client
    from engagement.campaigns.delivery import ChannelDelivery
    from engagement.campaigns.ledger import DynamoDBLedger, MemoryLedger
    from engagement.campaigns.run import RunServices

    registry = None
    if settings.endpoint_store:
        from engagement.endpoints import build_registry

        registry = build_registry(settings.endpoint_store)
    segments = build_segments(settings.segment_store)
    build_channel = None
    if channel is None:
        from functools import partial

        from engagement.channel.settings import CustomChannelSettings

        # Its settings are read now (a wrong one fails the cold start); the channel itself is built
        # on the first in-process send (ChannelDelivery).
        build_channel = partial(_build_channel, CustomChannelSettings.from_env())
    writer = None
    if settings.event_stream_name:
        from engagement.events.writer import EventStreamWriter

        writer = EventStreamWriter(settings.event_stream_name, client=aws_client("kinesis"))
    dynamodb = aws_client("dynamodb")  # one client for the campaigns table: store and ledger
    store = store or build_store(settings, segments=segments, dynamodb=dynamodb)
    ledger = MemoryLedger() if in_process_ledger else DynamoDBLedger(settings.campaigns_table, dynamodb)
    return RunServices(
        store=store,
        ledger=ledger,
        delivery=ChannelDelivery(
            channel,
            writer=writer,
            metrics=metrics,
            lambda_client=aws_client("lambda"),
            own_function_arns=[settings.custom_channel_function_arn or ""],
            build_channel=build_channel,
        ),
        members=members or segment_members(segments, registry),
        registry=registry,
        writer=writer,
        batches_in_flight=settings.batches_in_flight,
    )


def _build_channel(settings: Any) -> Any:
    from engagement.channel.factory import build_channel

    return build_channel(settings)
