"""Fault injection on the journey trigger: 20 % of its DynamoDB calls (the real registry on the local
stack), Step Functions, PutEvents and SQS calls fail before or after taking effect; EventBridge
redelivers some events and Lambda retries asynchronously (1 + 2 attempts, then the on-failure
destination). Every event ends started or dead-lettered (0 lost) and no journey execution starts
twice (Step Functions refuses a reused execution name, as AWS does).
"""

from __future__ import annotations

import json
import random

import pytest
from botocore.exceptions import ClientError

from engagement.journeys.dead_letters import DeadLetterQueue
from engagement.journeys.put_events import PutEventsTarget
from engagement.journeys.resolve import EndpointResolver
from engagement.journeys.routes import load_routes
from engagement.journeys.start_execution import StartExecutionTarget
from engagement.journeys.trigger import JourneyTrigger
from local.stack import REPO_ROOT
from tests.stream_fakes import RATE, Faults, Validating, journey_registry

pytestmark = pytest.mark.integration
SAMPLES = {
    name: json.loads((REPO_ROOT / "events" / f"eventbridge_{name}.json").read_text())
    for name in ("order_placed", "cart_abandoned", "trial_ending")
}


class Sqs:
    def __init__(self) -> None:
        self.bodies: list[dict] = []

    def send_message(self, *, QueueUrl, MessageBody, MessageAttributes):  # noqa: N803
        self.bodies.append(json.loads(MessageBody))
        return {"MessageId": str(len(self.bodies))}


def dynamodb_faults(client, rng: random.Random) -> dict[str, int]:
    """Fail ``RATE`` of the registry's DynamoDB calls: half before sending, half after the response."""
    injected = {"before": 0, "after": 0}

    def fail(when: str, **_):
        if rng.random() < RATE / 2:
            injected[when] += 1
            raise ClientError({"Error": {"Code": "InternalServerError", "Message": when}}, "DynamoDB")

    client.meta.events.register("before-send.dynamodb", lambda **kw: fail("before", **kw))
    client.meta.events.register("after-call.dynamodb", lambda **kw: fail("after", **kw))
    return injected


def events_for(app_suffix: str) -> tuple[list[dict], list[dict]]:
    """(valid events, events that can never start a journey)."""
    valid, invalid = [], []
    for i in range(8):
        order = json.loads(json.dumps(SAMPLES["order_placed"]))
        order["id"] = f"order-{app_suffix}-{i}"
        valid.append(order)
        cart = json.loads(json.dumps(SAMPLES["cart_abandoned"]))
        cart["id"] = f"cart-{app_suffix}-{i}"
        valid.append(cart)
        trial = json.loads(json.dumps(SAMPLES["trial_ending"]))
        trial["id"] = f"trial-{app_suffix}-{i}"
        trial["detail"]["email"] = f"trial{i}@example.com"
        valid.append(trial)
    for i in range(4):
        nobody = json.loads(json.dumps(SAMPLES["order_placed"]))
        nobody["id"] = f"nobody-{app_suffix}-{i}"
        nobody["detail"]["customer"]["userId"] = f"ghost{i}@example.com"
        invalid.append(nobody)
        typed = json.loads(json.dumps(SAMPLES["order_placed"]))
        typed["id"] = f"typed-{app_suffix}-{i}"
        typed["detail"]["items"] = 5  # length(items) on a number
        invalid.append(typed)
    return valid, invalid


@pytest.mark.parametrize("seed", range(2))
def test_journey_trigger_loses_nothing_and_starts_nothing_twice_under_faults(local_stack, seed):
    rng = random.Random(seed)
    registry, app = journey_registry(local_stack, "faults")
    injected = dynamodb_faults(registry._client, rng)
    pinpoint, sfn, sqs = Validating("pinpoint"), Validating("stepfunctions"), Sqs()
    targets = [Faults(pinpoint, {"put_events"}, rng), Faults(sfn, {"start_execution"}, rng)]
    trigger = JourneyTrigger(
        routes=load_routes(),
        resolver=EndpointResolver(registry, app),
        targets={
            "pinpoint": PutEventsTarget(targets[0], "pinpoint-app"),
            "stepfunctions": StartExecutionTarget(
                targets[1], {"OrderConfirmationJourney": "arn:aws:states:::sm"}
            ),
        },
        dead_letters=DeadLetterQueue(Faults(sqs, {"send_message"}, rng), "dlq"),
    )
    valid, invalid = events_for(app)
    deliveries = valid + invalid + rng.sample(valid + invalid, 10)  # EventBridge: at least once
    completed: dict[str, dict] = {}  # Powertools Idempotency: the first result per event id
    on_failure: list[dict] = []
    for event in deliveries:
        if event["id"] in completed:
            continue
        for _ in range(1 + 2):  # Lambda asynchronous invoke: 2 retries, then the on-failure destination
            try:
                completed[event["id"]] = trigger.handle(event)
                break
            except ClientError:
                continue
        else:
            on_failure.append(event)

    assert sum(injected.values()) > 0  # the faults happened
    failed = {e["id"] for e in on_failure}
    dead = {body["event"]["id"] for body in sqs.bodies}
    started_names = [c["name"] for c in sfn.calls]
    assert len(started_names) == len(set(started_names))  # no execution started twice
    put_event_ids = {event_id for c in pinpoint.calls for item in c["EventsRequest"]["BatchItem"].values()
                     for event_id in item["Events"]}  # fmt: skip
    for event in valid:
        result = completed.get(event["id"], {})
        started = result.get("status") in {"started", "duplicate"}
        reached = any(event["id"] in name for name in started_names) or event["id"] in put_event_ids
        assert event["id"] in failed or (started and reached), (event["id"], result)  # 0 lost
    for event in invalid:
        result = completed.get(event["id"], {})
        assert event["id"] in failed or (result.get("status") == "rejected" and event["id"] in dead)
        assert "ghost" not in result.get("error", "")  # the user id was an address: masked (g***@...)
