"""The journey trigger on the local stack: routes, endpoint resolution, targets, duplicates, dead letters."""

from __future__ import annotations

import copy
import json
import uuid

import boto3
import pytest
from botocore.stub import ANY, Stubber

from local.stack import REPO_ROOT

pytestmark = pytest.mark.integration
ORDER_EVENT = json.loads((REPO_ROOT / "events" / "eventbridge_order_placed.json").read_text())


@pytest.fixture
def app_id() -> str:
    return f"journeys-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def registry(local_stack):
    from engagement.endpoints import build_registry

    return build_registry(f"dynamodb://{local_stack.physical_id('EndpointsTable')}")


@pytest.fixture
def customers(registry, app_id):
    """Mary: email + SMS + an older email endpoint for the same address (made INACTIVE by the newer)."""
    items = [
        {
            "Id": "mary-old-email",
            "ChannelType": "EMAIL",
            "Address": "mary@example.com",
            "User": {"UserId": "user-mary"},
        },
        {
            "Id": "mary-email",
            "ChannelType": "EMAIL",
            "Address": "mary@example.com",
            "User": {"UserId": "user-mary"},
        },
        {"Id": "mary-sms", "ChannelType": "SMS", "Address": "+12065550100", "User": {"UserId": "user-mary"}},
        {
            "Id": "john-email",
            "ChannelType": "EMAIL",
            "Address": "john@example.com",
            "User": {"UserId": "user-john"},
        },
    ]
    for item in items:  # one by one, so the later mary-email deactivates mary-old-email
        registry.update_endpoints_batch(ApplicationId=app_id, EndpointBatchRequest={"Item": [item]})
    return items


@pytest.fixture
def trigger(invoke_function, app_id):
    def _invoke(event):
        return invoke_function("journey_trigger", event, env={"JOURNEY_APPLICATION_ID": app_id})

    return _invoke


def _order_event(**detail_changes):
    event = copy.deepcopy(ORDER_EVENT)
    event["id"] = str(uuid.uuid4())
    event["detail"].update(detail_changes)
    return event


def _executions(stack, name):
    sfn = boto3.client("stepfunctions")
    executions = sfn.list_executions(stateMachineArn=stack.physical_id("OrderConfirmationJourney"))[
        "executions"
    ]
    return [e for e in executions if e["name"] == name]


def _dead_letters(stack, event_id):
    sqs = boto3.client("sqs")
    url = stack.physical_id("JourneyDeadLetterQueue")
    found = []
    for _ in range(5):
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get(
            "Messages", []
        )
        if not messages:
            break
        for message in messages:
            body = json.loads(message["Body"])
            if body.get("event", {}).get("id") == event_id:
                found.append(body)
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return found


def test_order_placed_starts_the_journey_for_the_users_active_endpoints(
    local_stack, trigger, customers, registry, app_id
):
    event = _order_event()
    result = trigger(event)

    assert result["status"] == "started"
    [execution] = _executions(local_stack, result["executionName"])
    journey = json.loads(
        boto3.client("stepfunctions").describe_execution(executionArn=execution["executionArn"])["input"]
    )
    assert set(journey["Endpoints"]) == {"mary-email", "mary-sms"}  # mary-old-email is INACTIVE
    assert journey["Endpoints"]["mary-sms"]["Address"] == "+12065550100"
    assert journey["ApplicationId"] == app_id and journey["JourneyId"] == "OrderPlaced"
    assert journey["Event"]["Attributes"] == {"orderId": "ORD-100234", "currency": "USD"}
    assert journey["Event"]["Metrics"] == {"total": 84.5, "itemCount": 2.0}
    # upserted before the journey started: the template can say "your order ORD-100234"
    user = registry.get_endpoint(ApplicationId=app_id, EndpointId="mary-sms")["EndpointResponse"]["User"]
    assert user["UserAttributes"]["LastOrderId"] == ["ORD-100234"]
    assert journey["Endpoints"]["mary-email"]["User"]["UserAttributes"]["LastOrderTotal"] == ["84.5"]


def test_a_redelivered_event_starts_nothing_twice(local_stack, trigger, customers):
    event = _order_event()
    first = trigger(event)
    second = trigger(event)

    assert second["duplicate"] is True and second["executionName"] == first["executionName"]
    assert len(_executions(local_stack, first["executionName"])) == 1
    other = trigger(_order_event())
    assert other["status"] == "started" and other["executionName"] != first["executionName"]


@pytest.mark.parametrize(
    ("event_changes", "reason", "message"),
    [
        ({"customer": {"userId": "user-nobody"}}, "endpoint_not_found", "user-nobody"),
        ({"customer": {"userId": ""}}, "missing_value", "customer.userId"),
        ({"currency": "x" * 201}, "limit_exceeded", "200"),
    ],
    ids=["unknown-user", "empty-user-id", "attribute-too-long"],
)
def test_events_that_cannot_start_a_journey_land_in_the_dead_letter_queue(
    local_stack, trigger, customers, event_changes, reason, message
):
    event = _order_event(**event_changes)
    result = trigger(event)

    assert result["status"] == "rejected" and result["reason"] == reason
    [letter] = _dead_letters(local_stack, event["id"])
    assert letter["reason"] == reason and message in letter["error"]
    assert letter["event"] == event and letter["routeId"] == "OrderPlaced"
    assert _executions(local_stack, f"OrderPlaced-{event['id']}") == []


def test_an_event_no_route_matches_is_dead_lettered(local_stack, trigger):
    event = _order_event()
    event["detail-type"] = "Order Shipped"
    result = trigger(event)

    assert result["reason"] == "no_route"
    [letter] = _dead_letters(local_stack, event["id"])
    assert "Order Shipped" in letter["error"] and letter["routeId"] is None


def test_a_pinpoint_route_with_neither_pinpoint_nor_journey_definitions_is_dead_lettered_not_dropped(
    local_stack, invoke_function, app_id, customers
):
    event = json.loads((REPO_ROOT / "events" / "eventbridge_cart_abandoned.json").read_text())
    event["id"] = str(uuid.uuid4())
    env = {"JOURNEY_APPLICATION_ID": app_id, "JOURNEYS_TABLE": ""}  # no JourneysTable: nothing to start
    result = invoke_function("journey_trigger", event, env=env)

    assert result["reason"] == "target_not_configured"
    assert _dead_letters(local_stack, event["id"])[0]["routeId"] == "CartAbandoned"


def _library_trigger(local_stack, registry, app_id, pinpoint_client):
    from engagement.journeys.dead_letters import DeadLetterQueue
    from engagement.journeys.put_events import PutEventsTarget
    from engagement.journeys.resolve import EndpointResolver
    from engagement.journeys.routes import load_routes
    from engagement.journeys.trigger import JourneyTrigger

    return JourneyTrigger(
        routes=load_routes(),
        resolver=EndpointResolver(registry, app_id),
        targets={"pinpoint": PutEventsTarget(pinpoint_client, app_id)},
        dead_letters=DeadLetterQueue(boto3.client("sqs"), local_stack.physical_id("JourneyDeadLetterQueue")),
    )


def _accepted(endpoint_id, event_id):
    return {
        "EventsResponse": {
            "Results": {
                endpoint_id: {
                    "EndpointItemResponse": {"StatusCode": 202, "Message": "Accepted"},
                    "EventsItemResponse": {event_id: {"StatusCode": 202, "Message": "Accepted"}},
                }
            }
        }
    }


def test_pinpoint_target_by_endpoint_id(local_stack, registry, app_id, customers):
    event = json.loads((REPO_ROOT / "events" / "eventbridge_cart_abandoned.json").read_text())
    pinpoint = boto3.client("pinpoint", endpoint_url="https://pinpoint.us-east-1.amazonaws.com")
    with Stubber(pinpoint) as stubber:
        stubber.add_response(
            "put_events",
            _accepted("john-email", event["id"]),
            {
                "ApplicationId": app_id,
                "EventsRequest": {
                    "BatchItem": {
                        "john-email": {
                            "Endpoint": {},
                            "Events": {
                                event["id"]: {
                                    "EventType": "cart.abandoned",
                                    "Timestamp": "2026-05-04T18:05:41Z",
                                    "Attributes": {"cartId": "CART-5521"},
                                    "Metrics": {"itemCount": 3.0, "cartValue": 129.99},
                                }
                            },
                        }
                    }
                },
            },
        )
        result = _library_trigger(local_stack, registry, app_id, pinpoint).handle(event)
    assert result["status"] == "started" and result["endpoints"] == ["john-email"]


def test_unknown_endpoint_id_is_dead_lettered_before_pinpoint_is_called(
    local_stack, registry, app_id, customers
):
    event = json.loads((REPO_ROOT / "events" / "eventbridge_cart_abandoned.json").read_text())
    event["id"] = str(uuid.uuid4())
    event["detail"]["endpointId"] = "no-such-endpoint"
    pinpoint = boto3.client("pinpoint", endpoint_url="https://pinpoint.us-east-1.amazonaws.com")
    with Stubber(pinpoint):  # no response queued: a PutEvents call would fail the test
        result = _library_trigger(local_stack, registry, app_id, pinpoint).handle(event)
    assert result["reason"] == "endpoint_not_found"
    assert "no-such-endpoint" in _dead_letters(local_stack, event["id"])[0]["error"]


def test_by_address_upserts_a_new_endpoint_then_puts_the_event(local_stack, registry, app_id):
    from engagement.journeys.resolve import endpoint_id_for_address

    event = json.loads((REPO_ROOT / "events" / "eventbridge_trial_ending.json").read_text())
    new_id = endpoint_id_for_address("EMAIL", event["detail"]["email"])
    pinpoint = boto3.client("pinpoint", endpoint_url="https://pinpoint.us-east-1.amazonaws.com")
    with Stubber(pinpoint) as stubber:
        stubber.add_response(
            "put_events", _accepted(new_id, event["id"]), {"ApplicationId": app_id, "EventsRequest": ANY}
        )
        result = _library_trigger(local_stack, registry, app_id, pinpoint).handle(event)
    assert result["endpoints"] == [new_id]
    created = registry.get_endpoint(ApplicationId=app_id, EndpointId=new_id)["EndpointResponse"]
    assert created["Address"] == "ana.silva@example.com" and created["ChannelType"] == "EMAIL"
    assert created["Attributes"]["Plan"] == ["pro-trial"] and created["User"]["UserId"] == "user-ana"
    # the same address again finds the endpoint instead of creating another
    assert registry.find_endpoints_by_address(app_id, "EMAIL", "ana.silva@example.com")[0]["Id"] == new_id
