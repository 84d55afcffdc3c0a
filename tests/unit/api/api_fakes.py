"""Fakes for the API's unit tests: a registry, senders' clients and a stream writer, in memory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from engagement.api.messaging import MessagingService
from engagement.channel.memory import InMemoryPersistenceLayer
from engagement.channel.once import SendOnce
from engagement.delivery.email import EmailSender
from engagement.delivery.sms import SmsSender
from engagement.templating.messages import MessageRenderer
from engagement.templating.stores import FileTemplateStore
from tests.unit.channel.channel_fakes import RecordingClient  # shared send_email / send_text_message recorder

TEMPLATES = Path(__file__).resolve().parents[2] / "fixtures" / "templates"
APP = "app0api0unit"


class FakeRegistry:
    """Endpoints by id; users and addresses looked up from them."""

    def __init__(self, *endpoints: dict[str, Any]) -> None:
        self.endpoints = {e["Id"]: e for e in endpoints}
        self.updates: list[dict[str, Any]] = []

    def get_endpoint(self, *, ApplicationId: str, EndpointId: str) -> dict:  # noqa: N803
        if EndpointId not in self.endpoints:
            raise ClientError({"Error": {"Code": "NotFoundException", "Message": "nope"}}, "GetEndpoint")
        return {"EndpointResponse": self.endpoints[EndpointId]}

    def get_user_endpoints(self, *, ApplicationId: str, UserId: str) -> dict:  # noqa: N803
        found = [e for e in self.endpoints.values() if (e.get("User") or {}).get("UserId") == UserId]
        if not found:
            raise ClientError({"Error": {"Code": "NotFoundException", "Message": "nope"}}, "GetUserEndpoints")
        return {"EndpointsResponse": {"Item": found}}

    def find_endpoints_by_address(self, application_id: str, channel: str, address: str) -> list[dict]:
        return [e for e in self.endpoints.values() if e["ChannelType"] == channel and e["Address"] == address]

    def update_endpoint(self, **kwargs: Any) -> dict:
        self.updates.append(kwargs)
        return {"MessageBody": {"Message": "Accepted"}}


class RecordingWriter:
    def __init__(self, fail: bool = False) -> None:
        self.records: list[dict[str, Any]] = []
        self.fail = fail

    def put(self, records: list[dict[str, Any]]) -> None:
        if self.fail:
            raise RuntimeError("stream unavailable")
        self.records.extend(records)


def endpoint(endpoint_id: str, channel: str = "EMAIL", address: str = "", **fields: Any) -> dict[str, Any]:
    address = address or (f"{endpoint_id}@example.com" if channel == "EMAIL" else "+12065550100")
    return {
        "Id": endpoint_id,
        "ChannelType": channel,
        "Address": address,
        "EndpointStatus": "ACTIVE",
        "OptOut": "NONE",
        **fields,
    }


def messaging(
    registry: FakeRegistry | None = None, *, once: bool = False, address_check: bool = False
) -> tuple[MessagingService, Any]:
    """A service over fakes; returns it and a namespace of the fakes for assertions."""
    ses, sms, writer = RecordingClient(), RecordingClient(), RecordingWriter()
    service = MessagingService(
        registry=registry or FakeRegistry(),
        renderer=MessageRenderer(FileTemplateStore(TEMPLATES)),
        email=EmailSender(ses, "noreply@example.com"),
        sms=SmsSender(sms, "+12065550000"),
        writer=writer,
        once=SendOnce(InMemoryPersistenceLayer()) if once else None,
        max_workers=8,
        address_opt_out_check=address_check,
    )

    class Fakes:
        pass

    fakes = Fakes()
    fakes.ses, fakes.sms, fakes.writer = ses, sms, writer  # type: ignore[attr-defined]
    return service, fakes
