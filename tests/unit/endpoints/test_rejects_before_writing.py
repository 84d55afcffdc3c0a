"""A rejected update makes no DynamoDB write: botocore's Stubber fails on any unexpected call."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import ANY, Stubber

from engagement.endpoints.dynamodb import DynamoDBEndpointRegistry

TABLE = "Endpoints"


@pytest.fixture
def stubbed() -> Iterator[tuple[DynamoDBEndpointRegistry, Stubber]]:
    client = boto3.session.Session(region_name="us-east-1").client("dynamodb")
    with Stubber(client) as stubber:
        yield DynamoDBEndpointRegistry(client, TABLE), stubber
        stubber.assert_no_pending_responses()


def rejected(call: Any) -> str:
    with pytest.raises(ClientError) as caught:
        call()
    assert caught.value.response["Error"]["Code"] == "BadRequestException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return caught.value.response["Error"]["Message"]


@pytest.mark.parametrize(
    ("request_body", "field"),
    [
        ({"ChannelType": "PIGEON"}, "ChannelType"),
        ({"ChannelType": "EMAIL", "Address": "ana@"}, "Address"),
        ({"ChannelType": "SMS", "Address": "+1"}, "Address"),
        ({"Attributes": {"x" * 51: ["v"]}}, "Attributes.xxx"),
        ({"Attributes": {"Plan": ["v" * 101]}}, "Attributes.Plan"),
        ({"Attributes": {"Plan": ["v"] * 51}}, "Attributes.Plan"),
        ({"OptOut": "MAYBE"}, "OptOut"),
    ],
)
def test_invalid_update_makes_no_call(stubbed: Any, request_body: dict[str, Any], field: str) -> None:
    registry, _ = stubbed

    message = rejected(
        lambda: registry.update_endpoint(ApplicationId="a", EndpointId="e", EndpointRequest=request_body)
    )

    assert message.startswith(field)


def test_batch_over_100_items_makes_no_call(stubbed: Any) -> None:
    registry, _ = stubbed
    items = [{"Id": f"e{n}"} for n in range(101)]

    message = rejected(
        lambda: registry.update_endpoints_batch(ApplicationId="a", EndpointBatchRequest={"Item": items})
    )

    assert message.startswith("EndpointBatchRequest.Item")


def test_sixteenth_endpoint_of_a_user_reads_but_never_writes(stubbed: Any) -> None:
    registry, stubber = stubbed
    user = {"UserAttributes": {}, "EndpointIds": [f"e{n}" for n in range(15)]}
    item = {"pk": {"S": "APP#a"}, "sk": {"S": "USER#u"}, "doc": {"S": json.dumps(user)}, "ver": {"N": "3"}}
    stubber.add_response("batch_get_item", {"Responses": {TABLE: [item]}}, {"RequestItems": ANY})
    request = {"ChannelType": "CUSTOM", "Address": "d", "User": {"UserId": "u"}}

    message = rejected(
        lambda: registry.update_endpoint(ApplicationId="a", EndpointId="e15", EndpointRequest=request)
    )

    assert message == "User.UserId: the user already has 15 endpoints"
