"""One contract, two backends: the DynamoDB registry and boto3's Pinpoint client behave alike.

Tests without a marker run on both backends (names, arguments, response shapes, error codes).
``ours_only`` tests check Pinpoint's semantics that the DynamoDB backend enforces itself.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

ISO_MS_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
ACCEPTED = {"MessageBody": {"Message": "Accepted", "RequestID": "f1e2d3c4-0000-4000-8000-000000000001"}}

MARY = {
    "ChannelType": "EMAIL",
    "Address": "mary.major@example.com",
    "Attributes": {"Plan": ["gold"], "Interests": ["hiking", "jazz"]},
    "Metrics": {"score": 0.1, "visits": 3.0},
    "Location": {"City": "Seattle", "Country": "USA", "Latitude": 47.6062, "Longitude": -122.3321},
    "Demographic": {"Platform": "android", "Make": "OnePlus"},
    "User": {"UserId": "user-mary", "UserAttributes": {"FirstName": ["Mary"]}},
}


def pinpoint_response(
    harness: Any, endpoint_id: str, request: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    """An EndpointResponse as Pinpoint returns it for ``request``."""
    return {
        **request,
        "Id": endpoint_id,
        "ApplicationId": harness.application_id,
        "CohortId": "42",
        "CreationDate": "2026-11-28T10:00:00.000Z",
        "EffectiveDate": "2026-11-28T10:00:00.000Z",
        "EndpointStatus": "ACTIVE",
        "OptOut": "NONE",
        **extra,
    }


def update(harness: Any, endpoint_id: str, request: dict[str, Any]) -> dict[str, Any]:
    params = {"ApplicationId": harness.application_id, "EndpointId": endpoint_id, "EndpointRequest": request}
    harness.expect("update_endpoint", params, ACCEPTED)
    return harness.registry.update_endpoint(**params)


def get(harness: Any, endpoint_id: str, response: dict[str, Any] | None = None) -> dict[str, Any]:
    params = {"ApplicationId": harness.application_id, "EndpointId": endpoint_id}
    harness.expect("get_endpoint", params, {"EndpointResponse": response or {}})
    return harness.registry.get_endpoint(**params)["EndpointResponse"]


def error_code(call: Any) -> tuple[str, int]:
    with pytest.raises(ClientError) as caught:
        call()
    response = caught.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


# ---------------------------------------------------------------- contract: both backends
def test_update_endpoint_answers_accepted_with_a_request_id(backend: Any) -> None:
    answer = update(backend, "ep-mary", MARY)

    assert answer["MessageBody"]["Message"] == "Accepted"
    assert isinstance(answer["MessageBody"]["RequestID"], str) and answer["MessageBody"]["RequestID"]


def test_get_endpoint_returns_the_endpoint_response_shape(backend: Any) -> None:
    update(backend, "ep-mary", MARY)

    endpoint = get(backend, "ep-mary", pinpoint_response(backend, "ep-mary", MARY))

    assert {key: endpoint[key] for key in MARY} == MARY
    assert endpoint["Id"] == "ep-mary"
    assert endpoint["ApplicationId"] == backend.application_id
    assert 0 <= int(endpoint["CohortId"]) <= 99
    assert ISO_MS_Z.match(endpoint["CreationDate"]) and ISO_MS_Z.match(endpoint["EffectiveDate"])
    assert (endpoint["EndpointStatus"], endpoint["OptOut"]) == ("ACTIVE", "NONE")


def test_unknown_endpoint_is_not_found(backend: Any) -> None:
    params = {"ApplicationId": backend.application_id, "EndpointId": "nobody"}
    backend.expect_error("get_endpoint", "NotFoundException", 404, params)

    assert error_code(lambda: backend.registry.get_endpoint(**params)) == ("NotFoundException", 404)


def test_batch_update_then_user_endpoints_lists_them(backend: Any) -> None:
    items = [
        {"Id": f"ep-{n}", "ChannelType": "SMS", "Address": f"+1206555010{n}", "User": {"UserId": "user-sam"}}
        for n in range(3)
    ]
    params = {"ApplicationId": backend.application_id, "EndpointBatchRequest": {"Item": items}}
    backend.expect("update_endpoints_batch", params, ACCEPTED)
    user_params = {"ApplicationId": backend.application_id, "UserId": "user-sam"}
    stubbed = [
        pinpoint_response(backend, item["Id"], {k: v for k, v in item.items() if k != "Id"}) for item in items
    ]
    backend.expect("get_user_endpoints", user_params, {"EndpointsResponse": {"Item": stubbed}})

    assert backend.registry.update_endpoints_batch(**params)["MessageBody"]["Message"] == "Accepted"
    listed = backend.registry.get_user_endpoints(**user_params)["EndpointsResponse"]["Item"]

    assert sorted(endpoint["Id"] for endpoint in listed) == ["ep-0", "ep-1", "ep-2"]
    assert {endpoint["User"]["UserId"] for endpoint in listed} == {"user-sam"}


def test_unknown_user_is_not_found(backend: Any) -> None:
    params = {"ApplicationId": backend.application_id, "UserId": "nobody"}
    backend.expect_error("get_user_endpoints", "NotFoundException", 404, params)

    assert error_code(lambda: backend.registry.get_user_endpoints(**params)) == ("NotFoundException", 404)


def test_delete_endpoint_returns_it_and_it_is_gone(backend: Any) -> None:
    update(backend, "ep-mary", MARY)
    params = {"ApplicationId": backend.application_id, "EndpointId": "ep-mary"}
    backend.expect(
        "delete_endpoint", params, {"EndpointResponse": pinpoint_response(backend, "ep-mary", MARY)}
    )
    backend.expect_error("get_endpoint", "NotFoundException", 404, params)

    deleted = backend.registry.delete_endpoint(**params)["EndpointResponse"]

    assert (deleted["Id"], deleted["Address"]) == ("ep-mary", MARY["Address"])
    assert error_code(lambda: backend.registry.get_endpoint(**params)) == ("NotFoundException", 404)


def test_delete_user_endpoints_returns_them_and_the_user_is_gone(backend: Any) -> None:
    update(backend, "ep-mary", MARY)
    params = {"ApplicationId": backend.application_id, "UserId": "user-mary"}
    stubbed = {"EndpointsResponse": {"Item": [pinpoint_response(backend, "ep-mary", MARY)]}}
    backend.expect("delete_user_endpoints", params, stubbed)
    backend.expect_error("get_user_endpoints", "NotFoundException", 404, params)

    deleted = backend.registry.delete_user_endpoints(**params)["EndpointsResponse"]["Item"]

    assert [endpoint["Id"] for endpoint in deleted] == ["ep-mary"]
    assert error_code(lambda: backend.registry.get_user_endpoints(**params)) == ("NotFoundException", 404)


@pytest.mark.parametrize(
    "request_body",
    [
        {"ChannelType": "FAX", "Address": "+12065550100"},
        {"ChannelType": "EMAIL", "Address": "mary.major@example.com", "OptOut": "SOMETIMES"},
        {"ChannelType": "EMAIL", "Address": "not-an-email"},
        {"ChannelType": "SMS", "Address": "555-0100"},
        {"Attributes": {"Plan": ["x" * 101]}},
    ],
    ids=["channel-type", "opt-out", "email", "e164", "value-length"],
)
def test_bad_update_is_a_bad_request(backend: Any, request_body: dict[str, Any]) -> None:
    params = {
        "ApplicationId": backend.application_id,
        "EndpointId": "ep-bad",
        "EndpointRequest": request_body,
    }
    backend.expect_error("update_endpoint", "BadRequestException", 400, params)

    assert error_code(lambda: backend.registry.update_endpoint(**params)) == ("BadRequestException", 400)


def test_batch_of_more_than_100_items_is_a_bad_request(backend: Any) -> None:
    items = [{"Id": f"ep-{n}", "ChannelType": "CUSTOM", "Address": f"device-{n}"} for n in range(101)]
    params = {"ApplicationId": backend.application_id, "EndpointBatchRequest": {"Item": items}}
    backend.expect_error("update_endpoints_batch", "BadRequestException", 400, params)

    assert error_code(lambda: backend.registry.update_endpoints_batch(**params)) == (
        "BadRequestException",
        400,
    )
