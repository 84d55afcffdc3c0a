"""In-memory stand-ins for the registry, the soft-bounce table and the quarantine queue.

They implement the behaviour the consumer relies on (merge of OptOut/Attributes/EndpointStatus,
string-set union) so unit tests check what the consumer *does*; the real DynamoDB registry and
queues are exercised in tests/integration/test_event_stream.py.
"""

from __future__ import annotations

import copy
from collections import Counter
from typing import Any

import pytest
from botocore.exceptions import ClientError

from engagement.endpoints.rules import normalise_address
from engagement.events.quarantine import CollectingQuarantine
from engagement.suppression.apply import Suppressor
from engagement.suppression.consumer import StreamConsumer
from engagement.suppression.policy import SuppressionPolicy


def not_found() -> ClientError:
    return ClientError({"Error": {"Code": "NotFoundException", "Message": "no such endpoint"}}, "GetEndpoint")


class FakeRegistry:
    finds_by_address = True

    def __init__(self) -> None:
        self.endpoints: dict[tuple[str, str], dict[str, Any]] = {}
        self.calls: Counter = Counter()
        self.asked_user_attributes: list[bool] = []  # find_endpoints_by_address(user_attributes=...)
        self.written: Counter = Counter()  # endpoint id -> successful writes

    def add(self, app: str, endpoint_id: str, channel: str, address: str, status: str = "ACTIVE", **extra):
        self.endpoints[(app, endpoint_id.lower())] = {
            "Id": endpoint_id,
            "ApplicationId": app,
            "ChannelType": channel,
            "Address": address,
            "EndpointStatus": status,
            "OptOut": "NONE",
            **extra,
        }

    def endpoint(self, app: str, endpoint_id: str) -> dict[str, Any]:
        return self.endpoints[(app, endpoint_id.lower())]

    def get_endpoint(self, *, ApplicationId, EndpointId):  # noqa: N803
        self.calls["get_endpoint"] += 1
        found = self.endpoints.get((ApplicationId, EndpointId.lower()))
        if found is None:
            raise not_found()
        return {"EndpointResponse": copy.deepcopy(found)}

    def find_endpoints_by_address(self, application_id, channel_type, address, *, user_attributes=True):
        self.calls["find_endpoints_by_address"] += 1
        self.asked_user_attributes.append(user_attributes)
        return [
            copy.deepcopy(e)
            for (app, _), e in self.endpoints.items()
            if app == application_id
            and e["ChannelType"] == channel_type
            and normalise_address(channel_type, e["Address"]) == normalise_address(channel_type, address)
        ]

    def update_endpoints_batch(self, *, ApplicationId, EndpointBatchRequest):  # noqa: N803
        self.calls["update_endpoints_batch"] += 1
        for item in EndpointBatchRequest["Item"]:
            request = dict(item)
            self._merge(ApplicationId, request.pop("Id"), request)
        return {"MessageBody": {"Message": "Accepted"}}

    def update_endpoint(self, *, ApplicationId, EndpointId, EndpointRequest):  # noqa: N803
        self.calls["update_endpoint"] += 1
        self._merge(ApplicationId, EndpointId, EndpointRequest)
        return {"MessageBody": {"Message": "Accepted"}}

    def _merge(self, app: str, endpoint_id: str, request: dict[str, Any]) -> None:
        endpoint = self.endpoints[(app, endpoint_id.lower())]
        attributes = {**endpoint.get("Attributes", {}), **request.pop("Attributes", {})}
        endpoint.update(request, Attributes=attributes)
        endpoint.setdefault("EndpointStatus", "ACTIVE")
        self.written[endpoint_id] += 1


class FakeCounter:
    """String-set union per key, like DynamoDB ``ADD``; window counted back from the newest."""

    def __init__(self, window_ms: int) -> None:
        self.window_ms = window_ms
        self.members: dict[str, set[str]] = {}

    def add(self, key: str, bounces) -> int:
        members = self.members.setdefault(key, set())
        members.update(f"{ts}|{dedupe}" for ts, dedupe in bounces)
        times = [int(m.split("|")[0]) for m in members]
        return sum(1 for t in times if t > max(times) - self.window_ms)


@pytest.fixture
def registry() -> FakeRegistry:
    return FakeRegistry()


@pytest.fixture
def make_consumer(registry):
    def _make(policy: SuppressionPolicy | None = None, reg: Any = None) -> StreamConsumer:
        policy = policy or SuppressionPolicy()
        return StreamConsumer(
            policy,
            Suppressor(reg or registry),
            FakeCounter(policy.softbounce_window_ms),
            CollectingQuarantine(),
        )

    return _make
