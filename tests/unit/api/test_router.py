"""The router: dispatch by boto3 method name, validation, errors, call-level idempotency."""

from __future__ import annotations

import json

from botocore.exceptions import ClientError

from engagement.api.idempotency import RequestIdempotency
from engagement.api.router import ApiRouter
from engagement.api.services import ApiServices
from engagement.channel.memory import InMemoryPersistenceLayer
from engagement.models.errors import NotFoundException
from local.serve import proxy_event

SEND = {
    "Addresses": {"a@example.com": {"ChannelType": "EMAIL"}},
    "MessageConfiguration": {"DefaultMessage": {"Body": "x"}},
}


class Context:
    aws_request_id = "req"
    function_name = "api"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:api"

    def get_remaining_time_in_millis(self) -> int:
        return 20_000


class Recorder:
    def __init__(self) -> None:
        self.calls: list[dict] = []

    def send_messages(self, **kwargs):
        self.calls.append(kwargs)
        return {
            "MessageResponse": {"ApplicationId": kwargs["ApplicationId"], "RequestId": f"r{len(self.calls)}"}
        }

    def get_endpoint(self, **kwargs):
        raise NotFoundException("Resource not found: endpoint", "GetEndpoint")

    def delete_endpoint(self, **kwargs):
        raise ClientError({"Error": {"Code": "ProvisionedThroughputExceededException"}}, "DeleteItem")

    def get_user_endpoints(self, **kwargs):
        raise RuntimeError("bug")


def call(router, method, path, body=None, headers=None):
    raw = json.dumps(body).encode() if body is not None else b""
    response = router.handle(proxy_event(method, path, headers or {}, raw), Context())
    return response["statusCode"], json.loads(response["body"]), response.get("multiValueHeaders") or {}


def router_with(recorder, idempotency=None):
    services = ApiServices(idempotency=idempotency)
    services.register(recorder)
    if idempotency is not None:
        services.on_invoke.append(idempotency.register_context)
    return ApiRouter(services)


def test_dispatch_by_boto3_name_with_the_operations_status_code():
    recorder = Recorder()
    status, body, _ = call(router_with(recorder), "POST", "/v1/apps/app-1/messages", SEND)
    assert status == 200 and body == {"ApplicationId": "app-1", "RequestId": "r1"}
    assert recorder.calls == [{"ApplicationId": "app-1", "MessageRequest": SEND}]


def test_pinpoint_errors_answer_their_status_and_body():
    status, body, headers = call(router_with(Recorder()), "GET", "/v1/apps/a/endpoints/e1")
    assert status == 404 and body["Message"] == "Resource not found: endpoint" and "RequestID" in body
    assert headers["x-amzn-ErrorType"] == ["NotFoundException"]


def test_the_request_is_validated_against_the_model_naming_the_field():
    status, body, _ = call(router_with(Recorder()), "POST", "/v1/apps/a/messages", {"Addresses": {}})
    assert status == 400 and "MessageConfiguration" in body["Message"]


def test_unserved_operations_and_unknown_paths_are_404():
    assert call(router_with(Recorder()), "GET", "/v1/apps/a/campaigns")[1]["Message"].startswith(
        "GetCampaigns is not served"
    )
    assert call(router_with(Recorder()), "GET", "/v2/nothing")[0] == 404


def test_downstream_and_unexpected_errors_are_500s_without_internals():
    status, body, _ = call(router_with(Recorder()), "DELETE", "/v1/apps/a/endpoints/e1")
    assert status == 500 and "ProvisionedThroughputExceededException" in body["Message"]
    status, body, _ = call(router_with(Recorder()), "GET", "/v1/apps/a/users/u1")
    assert status == 500 and "bug" not in body["Message"]


def test_a_repeated_idempotency_key_replays_the_first_answer_without_calling_again():
    recorder = Recorder()
    router = router_with(recorder, RequestIdempotency(InMemoryPersistenceLayer()))
    headers = {"Idempotency-Key": "k-1"}
    first = call(router, "POST", "/v1/apps/a/messages", SEND, headers)
    again = call(router, "POST", "/v1/apps/a/messages", SEND, headers)
    assert first[1] == again[1] == {"ApplicationId": "a", "RequestId": "r1"} and len(recorder.calls) == 1
    other = call(router, "POST", "/v1/apps/a/messages", {**SEND, "TraceId": "t"}, headers)
    assert other[0] == 400 and "different request" in other[1]["Message"]
    call(router, "POST", "/v1/apps/a/messages", SEND, {"Idempotency-Key": "k-2"})
    assert len(recorder.calls) == 2
