"""One-time passwords on moto's in-process DynamoDB, texted through a ``Stubber``-validated End User
Messaging client (every SendTextMessage request is checked against botocore's
pinpoint-sms-voice-v2 model)."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from engagement.delivery.sms import SmsSender
from engagement.models.errors import BadRequestException
from engagement.otp import OtpService, OtpStore
from engagement.otp.store import record_key

APP = "app0otp0unit"
PHONE = "+12065550123"


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


class StubbedSms:
    """A real ``pinpoint-sms-voice-v2`` client under ``Stubber``: the model validates every request."""

    def __init__(self) -> None:
        self.client = boto3.client("pinpoint-sms-voice-v2", region_name="us-east-1")
        self.stubber = Stubber(self.client)
        self.stubber.activate()
        self.sent: list[dict[str, Any]] = []
        self.failures: list[tuple[str, int]] = []

    def send_text_message(self, **request: Any) -> dict[str, Any]:
        if self.failures:
            code, status = self.failures.pop(0)
            self.stubber.add_client_error("send_text_message", code, code, status, expected_params=request)
        else:
            self.stubber.add_response(
                "send_text_message", {"MessageId": f"sms-{len(self.sent) + 1}"}, request
            )
        self.sent.append(request)
        return self.client.send_text_message(**request)

    def code(self) -> str:
        return re.findall(r"\d+", self.sent[-1]["MessageBody"])[-1]


@pytest.fixture(scope="module")
def dynamodb() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("dynamodb", region_name="us-east-1")


@pytest.fixture
def otp(dynamodb: Any) -> Any:
    table = f"Otp-{uuid.uuid4().hex[:12]}"
    dynamodb.create_table(
        TableName=table,
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    sms = StubbedSms()
    clock = Clock()
    service = OtpService(OtpStore(table, dynamodb), SmsSender(sms, "+12065550000"), clock=clock)
    service.sms_client, service.clock_fake, service.table = sms, clock, table  # type: ignore[attr-defined]
    return service


def send(service: Any, **params: Any) -> dict[str, Any]:
    request = {"BrandName": "ExampleCorp", "Channel": "SMS", "DestinationIdentity": PHONE,
               "OriginationIdentity": "+12065550000", "ReferenceId": "login-1", **params}  # fmt: skip
    return service.send_otp_message(ApplicationId=APP, SendOTPMessageRequestParameters=request)[
        "MessageResponse"
    ]


def verify(service: Any, code: str, reference: str = "login-1", destination: str = PHONE) -> bool:
    params = {"DestinationIdentity": destination, "Otp": code, "ReferenceId": reference}
    response = service.verify_otp_message(ApplicationId=APP, VerifyOTPMessageRequestParameters=params)
    return response["VerificationResponse"]["Valid"]


def wrong(code: str) -> str:
    return str((int(code) + 1) % 10 ** len(code)).zfill(len(code))


def test_send_texts_pinpoints_body_with_a_six_digit_code_by_default(otp):
    response = send(otp)
    request = otp.sms_client.sent[-1]
    assert re.fullmatch(r"This is your One Time Password: \d{6} from ExampleCorp", request["MessageBody"])
    assert request["DestinationPhoneNumber"] == PHONE and request["OriginationIdentity"] == "+12065550000"
    assert request["MessageType"] == "TRANSACTIONAL"
    assert response["ApplicationId"] == APP and response["RequestId"]
    assert response["Result"][PHONE] == {
        "DeliveryStatus": "SUCCESSFUL", "StatusCode": 200,
        "MessageId": "sms-1", "StatusMessage": "MessageId: sms-1",
    }  # fmt: skip


def test_code_length_is_honoured_and_india_dlt_ids_reach_end_user_messaging(otp):
    send(otp, CodeLength=8, EntityId="E-1", TemplateId="T-1")
    assert len(otp.sms_client.code()) == 8
    assert otp.sms_client.sent[-1]["DestinationCountryParameters"] == {
        "IN_ENTITY_ID": "E-1",
        "IN_TEMPLATE_ID": "T-1",
    }


def test_the_table_holds_neither_the_code_nor_the_phone_number(otp, dynamodb):
    send(otp)
    items = dynamodb.scan(TableName=otp.table)["Items"]
    assert len(items) == 1
    stored = repr(items)
    assert otp.sms_client.code() not in stored and "2065550123" not in stored
    assert items[0]["id"]["S"] == record_key(APP, "login-1", PHONE)


def test_code_is_valid_for_fifteen_minutes_by_default(otp):
    send(otp)
    code = otp.sms_client.code()
    otp.clock_fake.now += 15 * 60 - 1
    assert verify(otp, code)
    send(otp)
    otp.clock_fake.now += 15 * 60
    assert not verify(otp, otp.sms_client.code())


def test_validity_period_is_honoured(otp):
    send(otp, ValidityPeriod=5)
    otp.clock_fake.now += 5 * 60
    assert not verify(otp, otp.sms_client.code())


def test_three_attempts_by_default_then_even_the_right_code_fails(otp):
    send(otp)
    code = otp.sms_client.code()
    assert not verify(otp, wrong(code))
    assert not verify(otp, wrong(code))
    assert verify(otp, code)  # the third attempt
    send(otp)
    code = otp.sms_client.code()
    for _ in range(3):
        assert not verify(otp, wrong(code))
    assert not verify(otp, code)


def test_allowed_attempts_is_honoured(otp):
    send(otp, AllowedAttempts=1)
    code = otp.sms_client.code()
    assert not verify(otp, wrong(code))
    assert not verify(otp, code)


def test_a_code_is_single_use(otp):
    send(otp)
    code = otp.sms_client.code()
    assert verify(otp, code)
    assert not verify(otp, code)


def test_resend_replaces_the_previous_code_and_its_attempts(otp):
    send(otp, AllowedAttempts=2)
    first = otp.sms_client.code()
    assert not verify(otp, wrong(first))
    send(otp, AllowedAttempts=2)
    second = otp.sms_client.code()
    if first != second:
        assert not verify(otp, first)  # the old code no longer works...
    assert verify(otp, second)  # ...and the new one got its own attempts


def test_the_code_is_bound_to_reference_id_and_destination(otp):
    send(otp)
    code = otp.sms_client.code()
    assert not verify(otp, code, reference="login-2")
    assert not verify(otp, code, destination="+12065550124")
    assert not verify(otp, code, destination="not a phone")
    assert verify(otp, code)  # wrong keys used none of its attempts


@pytest.mark.parametrize(
    ("field", "value"),
    [("CodeLength", 4), ("CodeLength", 9), ("ValidityPeriod", 4), ("ValidityPeriod", 61),
     ("AllowedAttempts", 0), ("AllowedAttempts", 6), ("BrandName", "x" * 21), ("BrandName", " "),
     ("DestinationIdentity", "12345")],
)  # fmt: skip
def test_out_of_range_input_is_a_400_naming_the_field_and_nothing_is_sent(otp, field, value):
    with pytest.raises(BadRequestException, match=field):
        send(otp, **{field: value})
    assert otp.sms_client.sent == []


def test_unsupported_channel_is_a_permanent_failure_for_that_destination(otp, dynamodb):
    result = send(otp, Channel="VOICE")["Result"][PHONE]
    assert (result["DeliveryStatus"], result["StatusCode"]) == ("PERMANENT_FAILURE", 400)
    assert "VOICE" in result["StatusMessage"]
    assert otp.sms_client.sent == [] and dynamodb.scan(TableName=otp.table)["Items"] == []


@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [("ValidationException", 400, ("PERMANENT_FAILURE", 400)),
     ("ThrottlingException", 400, ("TEMPORARY_FAILURE", 500))],
)  # fmt: skip
def test_a_failed_send_is_classified_and_leaves_no_code_behind(otp, dynamodb, code, status, expected):
    otp.sms_client.failures.append((code, status))
    result = send(otp)["Result"][PHONE]
    assert (result["DeliveryStatus"], result["StatusCode"]) == expected
    assert code in result["StatusMessage"] and "MessageId" not in result
    assert dynamodb.scan(TableName=otp.table)["Items"] == []


def test_logs_hold_neither_the_code_nor_the_phone_number(otp, caplog):
    with caplog.at_level(logging.INFO):
        send(otp)
        code = otp.sms_client.code()
        verify(otp, wrong(code))
        verify(otp, code)
    logged = " ".join(str(record.__dict__) for record in caplog.records)
    assert "OTP sent" in logged and "OTP verified" in logged  # the lines exist...
    assert code not in logged and "2065550123" not in logged  # ...without the secrets


def test_the_api_role_may_make_exactly_the_calls_otp_makes(otp, dynamodb):
    """Least privilege both ways: template.yaml grants ApiFunctionRole on OtpTable what a send,
    a failed and a successful verify call, and nothing more (moto does not enforce IAM)."""
    from local.iam import allowed_actions, translated_template

    calls: set[str] = set()

    def record(model: Any, **_: Any) -> None:
        calls.add(f"dynamodb:{model.name}".lower())

    dynamodb.meta.events.register("before-parameter-build.dynamodb", record)
    try:
        send(otp)
        code = otp.sms_client.code()
        verify(otp, wrong(code))
        verify(otp, code)
        otp.sms_client.failures.append(("ValidationException", 400))
        send(otp)
    finally:
        dynamodb.meta.events.unregister("before-parameter-build.dynamodb", record)
    assert calls == allowed_actions(translated_template(), "ApiFunctionRole", "OtpTable")
