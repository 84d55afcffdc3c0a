"""The API function itself, cold-started from template.yaml on the local stack, given the REST
proxy events API Gateway sends (the HTTP path is covered by tests/contract/test_api_contract.py)."""

from __future__ import annotations

import json
import uuid

import pytest

from local.serve import proxy_event

pytestmark = pytest.mark.integration


def test_the_template_environment_serves_endpoint_calls(invoke_function):
    app = uuid.uuid4().hex
    body = json.dumps({"ChannelType": "EMAIL", "Address": "fn@example.com"}).encode()
    put = invoke_function("api", proxy_event("PUT", f"/v1/apps/{app}/endpoints/ep%201", {}, body))
    assert put["statusCode"] == 202
    got = invoke_function("api", proxy_event("GET", f"/v1/apps/{app}/endpoints/ep%201", {}, b""))
    assert got["statusCode"] == 200
    assert json.loads(got["body"])["Id"] == "ep 1"  # the path label arrives decoded, as API Gateway sends it


def test_errors_are_pinpoints_body_with_the_error_type_header(invoke_function):
    missing = invoke_function(
        "api", proxy_event("GET", f"/v1/apps/{uuid.uuid4().hex}/endpoints/nope", {}, b"")
    )
    assert missing["statusCode"] == 404
    assert set(json.loads(missing["body"])) == {"Message", "RequestID"}
    assert missing["multiValueHeaders"]["x-amzn-ErrorType"] == ["NotFoundException"]
