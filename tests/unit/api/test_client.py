"""engagement.client.pinpoint: a stock boto3 client, signed for execute-api, with idempotency keys."""

from __future__ import annotations

import boto3
import pytest

from engagement.client import idempotency_key, pinpoint, sign_for_api_gateway


class SentError(Exception):
    pass


def capture(client) -> dict:
    seen: dict = {}

    def on_send(request, **_):
        seen.update(
            auth=request.headers.get("Authorization", b"").decode(),
            key=(request.headers.get("Idempotency-Key") or b"").decode(),
            url=request.url,
        )
        raise SentError

    client.meta.events.register("before-send.pinpoint", on_send)
    return seen


def call(client, method: str, **kwargs) -> None:
    with pytest.raises(SentError):
        getattr(client, method)(**kwargs)


def test_requests_are_signed_for_execute_api_in_the_urls_region():
    client = pinpoint("https://abc123.execute-api.eu-west-1.amazonaws.com/prod")
    seen = capture(client)
    call(client, "get_endpoint", ApplicationId="a", EndpointId="e")
    assert "/eu-west-1/execute-api/aws4_request" in seen["auth"]
    assert seen["url"] == "https://abc123.execute-api.eu-west-1.amazonaws.com/prod/v1/apps/a/endpoints/e"
    assert seen["key"] == ""  # reads carry no idempotency key


def test_sends_get_a_fresh_key_per_call_or_the_callers_own():
    client = pinpoint("http://127.0.0.1:9")
    seen = capture(client)
    request = {"ApplicationId": "a", "MessageRequest": {"MessageConfiguration": {}}}
    call(client, "send_messages", **request)
    first = seen["key"]
    call(client, "send_messages", **request)
    assert first and seen["key"] and seen["key"] != first
    with idempotency_key("order-42"):
        call(client, "send_messages", **request)
    assert seen["key"] == "order-42"


def test_existing_clients_opt_in_with_the_documented_hook():
    client = boto3.client("pinpoint", endpoint_url="http://127.0.0.1:9", region_name="us-east-1")
    seen = capture(client)
    call(client, "get_endpoint", ApplicationId="a", EndpointId="e")
    assert "/mobiletargeting/aws4_request" in seen["auth"]  # what API Gateway refuses
    client.meta.events.register("before-call.pinpoint", sign_for_api_gateway)
    call(client, "get_endpoint", ApplicationId="a", EndpointId="e")
    assert "/execute-api/aws4_request" in seen["auth"]
