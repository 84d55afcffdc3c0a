"""Fakes shared by the stream-side fuzz and fault-injection suites (tests/**/test_stream_*.py)."""

from __future__ import annotations

import json
import random
from typing import Any

import boto3
from botocore.exceptions import ClientError
from botocore.validate import ParamValidator

RATE = 0.2


class Faults:
    """Wraps ``target``: each call of ``methods`` fails with probability ``rate``, half before, half after."""

    def __init__(self, target: Any, methods: set[str], rng: random.Random, rate: float = RATE):
        self._target, self._methods, self._rng, self._rate = target, methods, rng, rate
        self.injected = {"before": 0, "after": 0}

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._target, name)
        if name not in self._methods:
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            roll = self._rng.random()
            if roll < self._rate / 2:
                self.injected["before"] += 1
                raise ClientError({"Error": {"Code": "InternalServerError", "Message": "before"}}, name)
            result = attribute(*args, **kwargs)
            if roll < self._rate:
                self.injected["after"] += 1
                raise ClientError({"Error": {"Code": "InternalServerError", "Message": "after"}}, name)
            return result

        return call


class Letters:
    def __init__(self) -> None:
        self.sent: list[tuple[Any, BaseException, dict]] = []

    def send(self, event, error, **context):
        self.sent.append((event, error, context))
        return str(len(self.sent))


class Validating:
    """A service client that checks every request against the real model, then answers success."""

    def __init__(self, service: str) -> None:
        self.model = boto3.client(service).meta.service_model
        self.names: set[str] = set()
        self.calls: list[dict] = []

    def _check(self, operation: str, params: dict) -> None:
        report = ParamValidator().validate(params, self.model.operation_model(operation).input_shape)
        assert not report.has_errors(), report.generate_report()
        self.calls.append(params)

    def put_events(self, **params):
        self._check("PutEvents", params)
        batch = params["EventsRequest"]["BatchItem"]
        ok = {"StatusCode": 202, "Message": "Accepted"}
        results = {e: {"EndpointItemResponse": ok, "EventsItemResponse": {k: ok for k in v["Events"]}}
                   for e, v in batch.items()}  # fmt: skip
        return {"EventsResponse": {"Results": results}}

    def start_execution(self, **params):
        self._check("StartExecution", params)
        assert len(json.dumps(params["input"])) < 256 * 1024
        if params["name"] in self.names:  # as AWS: a name is used once
            raise ClientError({"Error": {"Code": "ExecutionAlreadyExists", "Message": "x"}}, "StartExecution")
        self.names.add(params["name"])
        return {"executionArn": f"{params['stateMachineArn']}:{params['name']}", "startDate": "2026-01-01"}


def journey_registry(local_stack: Any, prefix: str) -> tuple[Any, str]:
    """The local stack's registry and a fresh application with the sample events' endpoints."""
    import uuid

    from engagement.endpoints import build_registry

    registry = build_registry(f"dynamodb://{local_stack.physical_id('EndpointsTable')}")
    app = f"{prefix}-{uuid.uuid4().hex[:8]}"
    for endpoint_id, channel, address, user in (
        ("mary-email", "EMAIL", "mary@example.com", "user-mary"),
        ("mary-sms", "SMS", "+12065550100", "user-mary"),
        ("john-email", "EMAIL", "john@example.com", "user-john"),
    ):
        request = {"ChannelType": channel, "Address": address, "User": {"UserId": user}}
        registry.update_endpoint(ApplicationId=app, EndpointId=endpoint_id, EndpointRequest=request)
    return registry, app
