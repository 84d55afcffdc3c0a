"""Recording fakes for the pipeline's outbound clients (no network in unit tests)."""

from __future__ import annotations

import itertools
import threading
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from engagement.channel.memory import InMemoryPersistenceLayer
from engagement.channel.once import SendOnce
from engagement.channel.pipeline import ChannelServices, CustomChannel
from engagement.delivery.email import EmailSender
from engagement.delivery.sms import SmsSender
from engagement.templating.messages import MessageRenderer
from engagement.templating.stores import build_template_store

TEMPLATES = Path(__file__).resolve().parents[2] / "fixtures" / "templates"
APP = "app0channel0unit"


class RecordingClient:
    """Answers ``send_email`` / ``send_text_message`` with fresh ids, or a queued error."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.errors: list[ClientError] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def _answer(self, operation: str, kwargs: dict[str, Any]) -> dict[str, str]:
        with self._lock:
            if self.errors:
                raise self.errors.pop(0)
            self.calls.append(kwargs)
            return {"MessageId": f"{operation}-{next(self._ids)}"}

    def send_email(self, **kwargs: Any) -> dict[str, str]:
        return self._answer("ses", kwargs)

    def send_text_message(self, **kwargs: Any) -> dict[str, str]:
        return self._answer("sms", kwargs)


class RecordingWebhook:
    def __init__(self) -> None:
        self.payloads: list[dict[str, Any]] = []

    def send(self, payload, *, idempotency_key="", time_left_s=None) -> str:
        self.payloads.append({**payload, "idempotency_key": idempotency_key})
        return f"hook-{len(self.payloads)}"


class FakeRegistry:
    def __init__(self, endpoints: dict[str, dict] | None = None, fail: bool = False) -> None:
        self.endpoints = endpoints or {}
        self.fail = fail

    def get_endpoint(self, *, ApplicationId: str, EndpointId: str) -> dict:  # noqa: N803
        if self.fail:
            raise ClientError({"Error": {"Code": "ProvisionedThroughputExceededException"}}, "GetItem")
        if EndpointId not in self.endpoints:
            raise ClientError({"Error": {"Code": "NotFoundException", "Message": "nope"}}, "GetEndpoint")
        return {"EndpointResponse": self.endpoints[EndpointId]}


class Metrics:
    """Records EMF metrics by name."""

    def __init__(self) -> None:
        self.values: dict[str, float] = {}

    def add_metric(self, *, name, unit, value) -> None:
        self.values[name] = value


class FakeContext:
    def __init__(self, remaining_ms: int = 14_000) -> None:
        self.remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


def client_error(code: str, status: int = 400, **fields: Any) -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": code}, "ResponseMetadata": {"HTTPStatusCode": status}, **fields},
        "Send",
    )


def make_channel(**overrides: Any) -> tuple[CustomChannel, dict[str, Any]]:
    ses, sms, hook = RecordingClient(), RecordingClient(), RecordingWebhook()
    once = SendOnce(InMemoryPersistenceLayer())
    once.register_context(FakeContext())
    services = ChannelServices(
        renderer=MessageRenderer(build_template_store(f"file://{TEMPLATES}")),
        once=once,
        registry=FakeRegistry(),
        email=EmailSender(ses, "noreply@example.com", "engagement"),
        sms=SmsSender(sms, "+12065550000", "engagement"),
        webhook=hook,
        max_workers=8,
        deadline_margin_ms=2500,
    )
    for name, value in overrides.items():
        setattr(services, name, value)
    return CustomChannel(services), {"ses": ses, "sms": sms, "hook": hook}


def endpoint(channel_type: str, address: str | None, **extra: Any) -> dict[str, Any]:
    body = {"ChannelType": channel_type, "EndpointStatus": "ACTIVE", "OptOut": "NONE", **extra}
    if address is not None:
        body["Address"] = address
    body.setdefault("User", {"UserId": "u1", "UserAttributes": {"FirstName": ["Ana"]}})
    return body


def batch(endpoints: dict[str, dict], data: Any = '{"template": "channel_welcome"}', **ids: Any) -> dict:
    context = ids or {"CampaignId": "camp1", "TreatmentId": "0", "ActivityId": "act1"}
    return {
        "ApplicationId": APP,
        **context,
        "ScheduledTime": "2026-11-01T10:00:00.000Z",
        "Data": data,
        "Endpoints": endpoints,
        "Message": {},
    }
