"""Validation against botocore's Pinpoint model names the field; errors carry Pinpoint's codes."""

from __future__ import annotations

import pytest

from engagement.models.errors import BadRequestException, NotFoundException, PinpointError
from engagement.models.service import operation_model, validate_request, validate_shape


def test_a_valid_segment_request_passes() -> None:
    validate_request(
        "CreateSegment",
        {
            "ApplicationId": "app",
            "WriteSegmentRequest": {
                "Name": "android",
                "Dimensions": {
                    "Demographic": {"Platform": {"DimensionType": "INCLUSIVE", "Values": ["android"]}}
                },
            },
        },
    )


def test_a_wrong_type_names_the_field_path() -> None:
    body = {
        "Name": "x",
        "Dimensions": {"Attributes": {"plan": {"AttributeType": "INCLUSIVE", "Values": "free"}}},
    }
    with pytest.raises(BadRequestException) as raised:
        validate_shape("WriteSegmentRequest", body)
    assert "WriteSegmentRequest.Dimensions.Attributes.plan.Values" in raised.value.message
    assert raised.value.response["Error"]["Code"] == "BadRequestException"
    assert raised.value.status == 400


def test_a_missing_required_member_and_an_unknown_one_are_both_reported() -> None:
    with pytest.raises(BadRequestException) as raised:
        validate_request("SendMessages", {"ApplicationId": "app", "MessageRequest": {"Bogus": 1}})
    message = raised.value.message
    assert 'Missing required parameter in MessageRequest: "MessageConfiguration"' in message
    assert 'Unknown parameter in MessageRequest: "Bogus"' in message


def test_operation_model_exposes_the_rest_binding() -> None:
    op = operation_model("GetSegment")
    assert op.http["method"] == "GET"
    assert op.http["requestUri"] == "/v1/apps/{application-id}/segments/{segment-id}"


def test_errors_are_client_errors_with_pinpoint_codes() -> None:
    error = NotFoundException("no such segment", "GetSegment")
    assert isinstance(error, PinpointError)
    assert error.response["Error"] == {"Code": "NotFoundException", "Message": "no such segment"}
    assert error.status == 404


def test_the_pinpoint_model_is_parsed_once_for_validation_and_a_pinpoint_client(monkeypatch) -> None:
    """service_model() and a Pinpoint client of the shared session share the loader's parse."""
    from pathlib import Path

    import botocore.loaders

    from engagement.aws import shared_session
    from engagement.models import service

    parsed: list[str] = []
    load_file = botocore.loaders.JSONFileLoader.load_file

    def counting(self, file_path):
        path = Path(file_path)
        if path.name == "service-2" and "pinpoint" in path.parts:
            parsed.append(file_path)
        return load_file(self, file_path)

    monkeypatch.setattr(botocore.loaders.JSONFileLoader, "load_file", counting)
    monkeypatch.setattr("engagement.aws._session", None)  # a fresh process: nothing loaded yet
    service.service_model.cache_clear()
    try:
        validate_request("GetApp", {"ApplicationId": "app"})
        client = shared_session().client("pinpoint", region_name="us-east-1")
        assert client.meta.service_model.operation_model("GetApp").name == "GetApp"
    finally:
        service.service_model.cache_clear()
    assert len(parsed) == 1
