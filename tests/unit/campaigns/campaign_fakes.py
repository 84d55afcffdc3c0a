"""Fakes for campaign unit tests: a segment store, recording senders and a whole in-process run
over moto's DynamoDB (store) with the real custom channel (in-memory idempotency)."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
import time
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError

from engagement.campaigns.delivery import ChannelDelivery
from engagement.campaigns.ledger import MemoryLedger
from engagement.campaigns.run import RunServices
from engagement.campaigns.store import CampaignStore, file_template_publisher
from engagement.channel.memory import InMemoryPersistenceLayer
from engagement.channel.once import SendOnce
from engagement.channel.pipeline import ChannelServices, CustomChannel
from engagement.templating.messages import MessageRenderer
from engagement.templating.stores import build_template_store
from tests.unit.api.api_fakes import endpoint as api_endpoint

APP = "app0campaigns0unit"
TABLE = "campaigns-unit"
NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
START = "2026-12-01T13:00:00Z"  # the default campaign's StartTime, an hour after NOW
TEMPLATES = Path(__file__).resolve().parents[2] / "fixtures" / "templates"


def not_found(operation: str) -> ClientError:
    return ClientError({"Error": {"Code": "NotFoundException", "Message": "not found"}}, operation)


class FakeSegments:
    """``get_segment`` / ``get_segment_version`` for the segments named at construction."""

    def __init__(self, *segment_ids: str, version: int = 1) -> None:
        self.ids = set(segment_ids)
        self.version = version

    def get_segment(self, *, ApplicationId: str, SegmentId: str) -> dict:  # noqa: N803
        if SegmentId not in self.ids:
            raise not_found("GetSegment")
        return {"SegmentResponse": {"Id": SegmentId, "Version": self.version}}

    def get_segment_version(self, *, ApplicationId: str, SegmentId: str, Version: str) -> dict:  # noqa: N803
        if SegmentId not in self.ids or int(Version) > self.version:
            raise not_found("GetSegmentVersion")
        return {"SegmentResponse": {"Id": SegmentId, "Version": int(Version)}}


class Sink:
    """A sender (email, SMS or webhook shape) that records each send, optionally slowly or failing."""

    from_address = "noreply@example.com"
    origination_identity = "+12065550000"

    def __init__(self, delay_s: float = 0.0) -> None:
        self.sent: list[tuple[float, Any]] = []
        self.delay_s = delay_s
        self.fail_next = 0
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def send(self, message: Any, **_: Any) -> str:
        from engagement.delivery.errors import DeliveryError

        with self._lock:
            if self.fail_next:
                self.fail_next -= 1
                raise DeliveryError("Throttling", "try later", temporary=True)
            self.sent.append((time.monotonic(), message))
            number = next(self._ids)
        if self.delay_s:
            time.sleep(self.delay_s)
        return f"msg-{number}"

    def recipients(self) -> list[str]:
        found = []
        for _, message in self.sent:
            found.append(
                getattr(message, "to", None) or getattr(message, "destination", None) or str(message)
            )
        return found


def make_table(client: Any, name: str = TABLE) -> None:
    client.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    )


def make_channel(email: Sink, sms: Sink, webhook: Sink | None = None) -> CustomChannel:
    once = SendOnce(InMemoryPersistenceLayer())
    services = ChannelServices(
        renderer=MessageRenderer(build_template_store(f"file://{TEMPLATES}")),
        once=once,
        email=email,  # type: ignore[arg-type]
        sms=sms,  # type: ignore[arg-type]
        webhook=webhook,  # type: ignore[arg-type]
        max_workers=25,
    )
    return CustomChannel(services)


def endpoint(endpoint_id: str, channel: str = "EMAIL", **extra: Any) -> dict[str, Any]:
    """The API tests' endpoint, with a user of its own (campaigns expand user-only entries)."""
    return api_endpoint(endpoint_id, channel, **{"User": {"UserId": f"user-{endpoint_id}"}, **extra})


class Harness:
    """A store on moto's DynamoDB, a memory ledger and the real channel with recording sinks."""

    def __init__(
        self, members: list[dict], *, tmp_path: Path, clock_at: dt.datetime = NOW, sink_delay_s: float = 0.0
    ):
        self.client = boto3.client("dynamodb", region_name="us-east-1")
        make_table(self.client)
        self.now = clock_at
        self.members = members
        self.email, self.sms, self.webhook = Sink(sink_delay_s), Sink(sink_delay_s), Sink(sink_delay_s)
        self.channel = make_channel(self.email, self.sms, self.webhook)
        self.records: list[dict] = []
        self.store = CampaignStore(
            TABLE,
            self.client,
            segments=FakeSegments("seg-1"),
            templates=build_template_store(f"file://{TEMPLATES}"),
            publish_template=file_template_publisher(str(tmp_path)),
            clock=self.clock,
        )
        self.ledger = MemoryLedger()
        self.delivery = ChannelDelivery(self.channel, writer=self)
        self.services = RunServices(
            store=self.store,
            ledger=self.ledger,
            delivery=self.delivery,
            members=lambda campaign, now: list(self.members),
            writer=self,
            clock=self.clock,
            retry_delay_s=0.0,
        )

    def clock(self) -> dt.datetime:
        return self.now

    def put(self, records: list[dict]) -> None:  # the event-stream writer
        self.records.extend(records)

    def create(self, body: dict) -> dict:
        return self.store.create_campaign(ApplicationId=APP, WriteCampaignRequest=body)["CampaignResponse"]


def campaign_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Name": "weekly",
        "SegmentId": "seg-1",
        "TemplateConfiguration": {"EmailTemplate": {"Name": "channel_welcome"}},
        "Schedule": {"StartTime": START, "Frequency": "ONCE"},
    }
    body.update(overrides)
    return body
