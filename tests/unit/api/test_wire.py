"""The wire format comes from botocore's model: what botocore's own serializer writes, we parse back
to the same arguments, and what we answer, botocore's own parser reads back to the same dict."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from botocore.parsers import create_parser
from botocore.serialize import create_serializer

from engagement.api import wire
from engagement.models.errors import BadRequestException
from engagement.models.service import operation_model, service_model

REQUESTS = {
    "SendMessages": {
        "ApplicationId": "app-1",
        "MessageRequest": {
            "Addresses": {"a@example.com": {"ChannelType": "EMAIL", "Substitutions": {"N": ["1"]}}},
            "MessageConfiguration": {"DefaultMessage": {"Body": "hi"}},
            "TraceId": "t-1",
        },
    },
    "UpdateEndpoint": {
        "ApplicationId": "app-1",
        "EndpointId": "user@example.com ep+1",  # characters botocore percent-encodes in the path
        "EndpointRequest": {"ChannelType": "EMAIL", "Address": "a@example.com", "Metrics": {"m": 1.5}},
    },
    "GetUserEndpoints": {"ApplicationId": "app-1", "UserId": "u-1"},
    "UpdateEmailTemplate": {
        "TemplateName": "welcome",
        "CreateNewVersion": True,
        "Version": "3",
        "EmailTemplateRequest": {"Subject": "Hi {{Id}}"},
    },
    "DeleteSmsTemplate": {"TemplateName": "welcome", "Version": "2"},
    "GetSegments": {"ApplicationId": "app-1", "PageSize": "5", "Token": "t"},
}


def _route_for(operation: str) -> wire.Route:
    return next(r for r in wire.routes() if r.operation == operation)


def _match(method: str, path: str) -> tuple[str, dict[str, str]]:
    """Which route a request reaches, first match wins (the order Powertools tries them)."""
    for route in wire.routes():
        pattern = re.sub(r"<(\w+)>", r"(?P<\1>[^/]+)", route.rule)
        found = re.fullmatch(pattern, path)
        if found and route.method == method:
            return route.operation, {route.labels[k]: v for k, v in found.groupdict().items()}
    raise AssertionError(f"no route for {method} {path}")


@pytest.mark.parametrize("operation", sorted(REQUESTS))
def test_botocore_serialized_requests_parse_back_to_the_same_arguments(operation):
    params = REQUESTS[operation]
    request = create_serializer("rest-json").serialize_to_request(params, operation_model(operation))
    split = urlsplit(request["url_path"])
    path = unquote(split.path)  # API Gateway hands the Lambda a decoded path
    query = {k: v if isinstance(v, list) else [v] for k, v in request["query_string"].items()}
    query.update(parse_qs(split.query))

    matched, labels = _match(request["method"], path)
    parsed = wire.parse_request(matched, labels, query, request["headers"], request["body"])

    assert matched == operation
    assert parsed == json.loads(json.dumps(params))


def test_every_operation_of_the_model_has_exactly_one_route():
    names = [route.operation for route in wire.routes()]
    assert sorted(names) == sorted(service_model().operation_names)
    assert len({(r.method, r.rule) for r in wire.routes()}) == len(names)


def test_literal_routes_win_over_placeholders():
    assert _match("GET", "/v1/templates/welcome/email")[0] == "GetEmailTemplate"
    assert _match("GET", "/v1/templates/welcome/SMS/versions")[0] == "ListTemplateVersions"
    assert _match("PUT", "/v1/apps/a/endpoints")[0] == "UpdateEndpointsBatch"
    assert _match("POST", "/v1/apps/a/users-messages")[0] == "SendUsersMessages"


def test_route_labels_use_powertools_names_mapped_back_to_uri_labels():
    route = _route_for("UpdateEndpoint")
    assert route.rule == "/v1/apps/<application_id>/endpoints/<endpoint_id>"
    assert route.labels == {"application_id": "application-id", "endpoint_id": "endpoint-id"}


def test_a_malformed_query_value_is_a_400_naming_the_member():
    with pytest.raises(BadRequestException, match="CreateNewVersion"):
        wire.parse_request(
            "UpdateEmailTemplate", {"template-name": "t"}, {"create-new-version": ["maybe"]}, {}, "{}"
        )


def test_a_body_that_is_not_json_is_a_400():
    with pytest.raises(BadRequestException, match="not valid JSON"):
        wire.parse_request("SendMessages", {"application-id": "a"}, {}, {}, b"{nope")


@pytest.mark.parametrize(
    ("operation", "result"),
    [
        ("UpdateEndpoint", {"MessageBody": {"Message": "Accepted", "RequestID": "r"}}),
        ("GetUserEndpoints", {"EndpointsResponse": {"Item": [{"Id": "e", "Metrics": {"m": 2.5}}]}}),
        ("CreateEmailTemplate", {"CreateTemplateMessageBody": {"Arn": "a", "Message": "Created"}}),
    ],
)
def test_responses_read_back_by_botocores_parser(operation, result):
    status, headers, body = wire.serialize_response(operation, result)
    parsed = create_parser("rest-json").parse(
        {"status_code": status, "headers": headers, "body": body.encode()},
        operation_model(operation).output_shape,
    )
    parsed.pop("ResponseMetadata", None)
    assert parsed == result
    assert status == int(operation_model(operation).http["responseCode"])


def test_errors_carry_the_code_botocore_reads_and_pinpoints_body():
    headers, body = wire.error_body("NotFoundException", "no such endpoint", "req-1")
    lowered = {k.lower(): v for k, v in headers.items()}  # HTTP headers are case-insensitive
    parsed = create_parser("rest-json").parse(
        {"status_code": 404, "headers": lowered, "body": body.encode()},
        operation_model("GetEndpoint").output_shape,
    )
    assert parsed["Error"]["Code"] == "NotFoundException"
    assert parsed["Error"]["Message"] == "no such endpoint"
    assert json.loads(body) == {"Message": "no such endpoint", "RequestID": "req-1"}


def test_snake_case_is_boto3s_method_name():
    assert wire.snake_case("SendUsersMessages") == "send_users_messages"
    assert wire.snake_case("GetApplicationDateRangeKpi") == "get_application_date_range_kpi"


def test_pinpoints_modelled_errors_have_their_statuses():
    assert wire.error_status("NotFoundException") == 404
    assert wire.error_status("PayloadTooLargeException") == 413
    assert wire.error_status("ProvisionedThroughputExceededException") is None
