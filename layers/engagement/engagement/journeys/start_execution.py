"""Step Functions target (standalone): start the route's journey state machine.

The execution name is derived from the route and the EventBridge event id, and Step Functions
refuses a second execution with the same name (``ExecutionAlreadyExists``) for 90 days: a
redelivered event starts nothing twice. The input is the custom-channel payload the journey's
activities pass to ``CustomChannelFunction`` (plus the triggering ``Event``).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

from engagement.journeys.errors import TargetNotConfiguredError, TargetRejectedError
from engagement.journeys.request import JourneyRequest

MAX_EXECUTION_NAME = 80
_NOT_ALLOWED = re.compile(r"[^A-Za-z0-9_-]")
_PERMANENT = frozenset(
    {"InvalidArn", "InvalidExecutionInput", "InvalidName", "StateMachineDoesNotExist", "StateMachineDeleting"}
)


def execution_name(route_id: str, event_id: str) -> str:
    """``<route>-<event id>``, restricted to Step Functions' characters, ≤ 80, stable for an event."""
    name = _NOT_ALLOWED.sub("_", f"{route_id}-{event_id}")
    if len(name) <= MAX_EXECUTION_NAME:
        return name
    digest = hashlib.sha256(f"{route_id}\0{event_id}".encode()).hexdigest()[:32]
    return f"{name[: MAX_EXECUTION_NAME - len(digest) - 1]}-{digest}"


def journey_input(request: JourneyRequest) -> dict[str, Any]:
    """Custom-channel payload shape: what each journey activity sends to the custom channel."""
    data = request.route.target.data  # type: ignore[union-attr]
    return {
        "ApplicationId": request.application_id,
        "JourneyId": request.route.id,
        "ScheduledTime": request.time,
        "Data": json.dumps(data, separators=(",", ":")) if data else "",
        "Endpoints": request.endpoints,
        "Event": {
            "Id": request.event_id,
            "Source": request.source,
            "DetailType": request.detail_type,
            "Attributes": request.attributes,
            "Metrics": request.metrics,
        },
    }


class StartExecutionTarget:
    """Start one execution of the route's state machine per event."""

    def __init__(self, client: Any, state_machines: Mapping[str, str]):
        self.client = client
        self.state_machines = dict(state_machines)  # logical id -> ARN

    def start(self, request: JourneyRequest) -> dict[str, Any]:
        from botocore.exceptions import ClientError

        logical_id = request.route.target.state_machine  # type: ignore[union-attr]
        arn = self.state_machines.get(logical_id)
        if not arn:
            raise TargetNotConfiguredError(
                f"route {request.route.id}: state machine {logical_id} is not in JOURNEY_STATE_MACHINES"
            )
        name = execution_name(request.route.id, request.event_id)
        try:
            response = self.client.start_execution(
                stateMachineArn=arn, name=name, input=json.dumps(journey_input(request))
            )
        except ClientError as error:
            code = error.response["Error"]["Code"]
            if code == "ExecutionAlreadyExists":
                return {"target": "stepfunctions", "executionName": name, "duplicate": True}
            if code in _PERMANENT:
                raise TargetRejectedError(f"StartExecution of {logical_id} failed: {error}") from error
            raise  # throttling, service errors: transient, retried
        return {
            "target": "stepfunctions",
            "executionName": name,
            "executionArn": response["executionArn"],
            "duplicate": False,
            "endpoints": sorted(request.endpoints),
        }
