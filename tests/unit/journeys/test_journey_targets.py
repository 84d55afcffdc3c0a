"""PutEvents and StartExecution targets, checked against the real service models with Stubber."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import ANY, Stubber

from engagement.journeys.errors import LimitExceededError, TargetNotConfiguredError, TargetRejectedError
from engagement.journeys.put_events import PutEventsTarget
from engagement.journeys.request import JourneyRequest
from engagement.journeys.routes import load_routes
from engagement.journeys.start_execution import (
    MAX_EXECUTION_NAME,
    StartExecutionTarget,
    execution_name,
    journey_input,
)

APP = "journeys-unit-app"
ROUTES = load_routes()
EVENT_ID = "0d2a6f5e-5a43-4c57-9a3e-1f6c2b8e9d70"
ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:order-confirmation"


def _request(route_id: str, endpoints=("ep-1",), attributes=None, metrics=None) -> JourneyRequest:
    return JourneyRequest(
        route=ROUTES.by_id[route_id],
        application_id=APP,
        event_id=EVENT_ID,
        source="com.example.carts",
        detail_type="Cart Abandoned",
        time="2026-05-04T18:05:41Z",
        endpoints={e: {"ChannelType": "EMAIL", "Address": f"{e}@example.com"} for e in endpoints},
        attributes={"cartId": "CART-1"} if attributes is None else attributes,
        metrics={"itemCount": 3.0} if metrics is None else metrics,
    )


def _accepted(endpoint_ids, status=202, endpoint_status=202, message="Accepted"):
    return {
        "EventsResponse": {
            "Results": {
                e: {
                    "EndpointItemResponse": {"StatusCode": endpoint_status, "Message": message},
                    "EventsItemResponse": {EVENT_ID: {"StatusCode": status, "Message": message}},
                }
                for e in endpoint_ids
            }
        }
    }


@pytest.fixture
def pinpoint():
    client = boto3.client("pinpoint", region_name="us-east-1")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


@pytest.fixture
def sfn():
    client = boto3.client("stepfunctions", region_name="us-east-1")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


# -- Pinpoint PutEvents ---------------------------------------------------------------------------
def test_put_events_sends_one_event_per_endpoint_in_pinpoints_shape(pinpoint):
    client, stubber = pinpoint
    expected = {
        "ApplicationId": "pinpoint-app",
        "EventsRequest": {
            "BatchItem": {
                endpoint: {
                    "Endpoint": {},
                    "Events": {
                        EVENT_ID: {
                            "EventType": "cart.abandoned",
                            "Timestamp": "2026-05-04T18:05:41Z",
                            "Attributes": {"cartId": "CART-1"},
                            "Metrics": {"itemCount": 3.0},
                        }
                    },
                }
                for endpoint in ("ep-1", "ep-2")
            }
        },
    }
    stubber.add_response("put_events", _accepted(["ep-1", "ep-2"]), expected)
    result = PutEventsTarget(client, "pinpoint-app").start(_request("CartAbandoned", ("ep-1", "ep-2")))
    assert result["endpoints"] == ["ep-1", "ep-2"]


def test_a_rejected_event_item_fails_loudly_naming_the_endpoint(pinpoint):
    client, stubber = pinpoint
    response = _accepted(["ep-1"])
    response["EventsResponse"]["Results"]["ep-2"] = {
        "EndpointItemResponse": {"StatusCode": 202, "Message": "Accepted"},
        "EventsItemResponse": {EVENT_ID: {"StatusCode": 400, "Message": "Event timestamp is invalid"}},
    }
    stubber.add_response("put_events", response, {"ApplicationId": "pinpoint-app", "EventsRequest": ANY})
    with pytest.raises(TargetRejectedError, match=r"ep-2: 400 Event timestamp is invalid"):
        PutEventsTarget(client, "pinpoint-app").start(_request("CartAbandoned", ("ep-1", "ep-2")))


def test_a_rejected_endpoint_item_fails_too(pinpoint):
    client, stubber = pinpoint
    stubber.add_response(
        "put_events", _accepted(["ep-1"], endpoint_status=400, message="Endpoint invalid"), None
    )
    with pytest.raises(TargetRejectedError, match="endpoint ep-1: 400"):
        PutEventsTarget(client, "pinpoint-app").start(_request("CartAbandoned"))


def test_a_bad_request_is_permanent_and_throttling_is_transient(pinpoint):
    client, stubber = pinpoint
    stubber.add_client_error("put_events", "BadRequestException", "bad", 400)
    stubber.add_client_error("put_events", "TooManyRequestsException", "slow down", 429)
    target = PutEventsTarget(client, "pinpoint-app")
    with pytest.raises(TargetRejectedError):
        target.start(_request("CartAbandoned"))
    with pytest.raises(ClientError, match="TooManyRequests"):
        target.start(_request("CartAbandoned"))


def test_more_than_40_attribute_and_metric_keys_are_refused_before_any_call(pinpoint):
    client, _ = pinpoint  # no stubbed response: any call would fail the test
    with pytest.raises(LimitExceededError, match="41 event attributes"):
        PutEventsTarget(client, "pinpoint-app").start(
            _request("CartAbandoned", attributes={f"a{i}": "x" for i in range(40)}, metrics={"m": 1.0})
        )


def test_attribute_over_200_characters_is_refused_before_pinpoint_would_drop_it():
    from engagement.journeys.values import event_attributes

    assert event_attributes({"note": "note"}, {"note": "x" * 200}) == {"note": "x" * 200}
    with pytest.raises(LimitExceededError, match="201 characters"):
        event_attributes({"note": "note"}, {"note": "x" * 201})


def test_pinpoint_route_without_a_pinpoint_project_is_a_configuration_error():
    with pytest.raises(TargetNotConfiguredError, match="PinpointApplicationId"):
        PutEventsTarget(None, None).start(_request("CartAbandoned"))


# -- Step Functions StartExecution ---------------------------------------------------------------
def test_start_execution_names_the_execution_after_the_event_and_sends_the_custom_channel_shape(sfn):
    client, stubber = sfn
    name = execution_name("OrderPlaced", EVENT_ID)
    stubber.add_response(
        "start_execution",
        {"executionArn": f"{ARN}:{name}", "startDate": "2026-05-04T18:05:42Z"},
        {"stateMachineArn": ARN, "name": name, "input": ANY},
    )
    target = StartExecutionTarget(client, {"OrderConfirmationJourney": ARN})
    result = target.start(_request("OrderPlaced", ("mary-email", "mary-sms")))
    assert result["duplicate"] is False and result["executionName"] == f"OrderPlaced-{EVENT_ID}"


def test_execution_already_exists_means_duplicate_not_failure(sfn):
    client, stubber = sfn
    stubber.add_client_error("start_execution", "ExecutionAlreadyExists", "Execution Already Exists", 400)
    result = StartExecutionTarget(client, {"OrderConfirmationJourney": ARN}).start(_request("OrderPlaced"))
    assert result["duplicate"] is True


def test_missing_state_machine_is_permanent_throttling_is_transient(sfn):
    client, stubber = sfn
    stubber.add_client_error("start_execution", "StateMachineDoesNotExist", "gone", 400)
    stubber.add_client_error("start_execution", "ThrottlingException", "slow down", 400)
    target = StartExecutionTarget(client, {"OrderConfirmationJourney": ARN})
    with pytest.raises(TargetRejectedError):
        target.start(_request("OrderPlaced"))
    with pytest.raises(ClientError, match="Throttling"):
        target.start(_request("OrderPlaced"))


def test_unknown_state_machine_is_a_configuration_error(sfn):
    client, _ = sfn
    with pytest.raises(TargetNotConfiguredError, match="JOURNEY_STATE_MACHINES"):
        StartExecutionTarget(client, {}).start(_request("OrderPlaced"))


@pytest.mark.parametrize(
    ("route_id", "event_id"),
    [("OrderPlaced", EVENT_ID), ("R", "id with spaces/and:colons"), ("LongRoute" * 7, "x" * 200)],
)
def test_execution_names_are_valid_stable_and_distinct(route_id, event_id):
    name = execution_name(route_id, event_id)
    assert len(name) <= MAX_EXECUTION_NAME
    assert all(c.isalnum() or c in "-_" for c in name)
    assert execution_name(route_id, event_id) == name
    assert execution_name(route_id, event_id + "2") != name


def test_journey_input_is_the_custom_channel_payload():
    payload = journey_input(_request("OrderPlaced", ("mary-email", "mary-sms")))
    assert set(payload["Endpoints"]) == {"mary-email", "mary-sms"}
    assert payload["Endpoints"]["mary-sms"]["Address"] == "mary-sms@example.com"
    assert (payload["ApplicationId"], payload["JourneyId"]) == (APP, "OrderPlaced")
    assert payload["Event"]["Id"] == EVENT_ID and payload["Event"]["Attributes"] == {"cartId": "CART-1"}
    json.dumps(payload)  # Step Functions input must be JSON


def test_a_value_dynamodb_refuses_is_a_rejection_not_a_crash():
    """A user id from the event over DynamoDB's 1,024-byte key limit: permanent, dead-lettered."""
    from engagement.journeys.errors import JourneyValidationError
    from engagement.journeys.resolve import EndpointResolver

    class Registry:
        def find_endpoints_by_address(self, application_id, channel, address):
            return []

        def update_endpoint(self, **_):
            error = {
                "Code": "ValidationException",
                "Message": "Aggregated size of all range keys has exceeded",
            }
            raise ClientError({"Error": error}, "TransactWriteItems")

    detail = {"email": "a@example.com", "userId": "0" * 2000, "plan": "pro"}
    with pytest.raises(JourneyValidationError, match="upsert rejected"):
        EndpointResolver(Registry(), APP).resolve(ROUTES.by_id["TrialEnding"], detail)
