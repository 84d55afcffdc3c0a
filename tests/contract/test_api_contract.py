"""Contract suite: a STOCK boto3 Pinpoint client against the HTTP API served on loopback over the
local stack (``local/serve.py``: SigV4 checked for ``execute-api``, the API function in-process,
DynamoDB/S3/SES/Kinesis in moto, SMS through a ``Stubber``-validated End User Messaging client).

Every call goes through ``engagement.client.pinpoint(url)`` - boto3's own serializer, signer and
parser - so what passes here is what existing Pinpoint code sees.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from engagement.analytics.exporter import write_partitions
from engagement.analytics.synthetic import generate
from engagement.client import idempotency_key, pinpoint
from local.demo_api import stream_records
from local.demo_channel import sms_stub
from local.seed import seed
from local.serve import ApiServer

pytestmark = pytest.mark.integration

EMAIL = {
    "EmailMessage": {
        "SimpleEmail": {"Subject": {"Data": "Hi {{Name}}"}, "TextPart": {"Data": "Hello {{Name}}"}}
    }
}


@pytest.fixture(scope="module")
def served(local_stack: Any) -> Iterator[Any]:
    seed(local_stack)
    with sms_stub() as sms, ApiServer(local_stack) as api:
        api.sms = sms
        yield api


@pytest.fixture(scope="module")
def client(served: Any) -> Any:
    return pinpoint(served.url)


@pytest.fixture
def app() -> str:
    return uuid.uuid4().hex


def sent_emails() -> int:
    return int(boto3.client("ses").get_send_quota()["SentLast24Hours"])


def code(error: pytest.ExceptionInfo) -> str:
    return error.value.response["Error"]["Code"]


def register(client: Any, app: str, endpoint_id: str, address: str, user: str, **fields: Any) -> None:
    request = {"ChannelType": "SMS" if address.startswith("+") else "EMAIL", "Address": address, **fields}
    client.update_endpoint(
        ApplicationId=app, EndpointId=endpoint_id, EndpointRequest={**request, "User": {"UserId": user}}
    )


# -- endpoints and users ------------------------------------------------------------------
def test_endpoints_and_users_round_trip(client, app):
    accepted = client.update_endpoint(
        ApplicationId=app,
        EndpointId="e1",
        EndpointRequest={"ChannelType": "EMAIL", "Address": "e1@example.com", "User": {"UserId": "u1"}},
    )
    assert accepted["MessageBody"]["Message"] and accepted["ResponseMetadata"]["HTTPStatusCode"] == 202
    client.update_endpoints_batch(
        ApplicationId=app,
        EndpointBatchRequest={
            "Item": [{"Id": "e2", "ChannelType": "SMS", "Address": "+12065550142", "User": {"UserId": "u1"}}]
        },
    )
    endpoint = client.get_endpoint(ApplicationId=app, EndpointId="e1")["EndpointResponse"]
    assert (
        endpoint["Address"] == "e1@example.com"
        and endpoint["EndpointStatus"] == "ACTIVE"
        and endpoint["ApplicationId"] == app
    )
    users = client.get_user_endpoints(ApplicationId=app, UserId="u1")["EndpointsResponse"]["Item"]
    assert sorted(e["Id"] for e in users) == ["e1", "e2"]
    assert client.delete_endpoint(ApplicationId=app, EndpointId="e2")["EndpointResponse"]["Id"] == "e2"
    deleted = client.delete_user_endpoints(ApplicationId=app, UserId="u1")["EndpointsResponse"]["Item"]
    assert [e["Id"] for e in deleted] == ["e1"]
    with pytest.raises(client.exceptions.NotFoundException):
        client.get_endpoint(ApplicationId=app, EndpointId="e1")


# -- sends ---------------------------------------------------------------------------------
def test_send_messages_answers_every_address_and_endpoint(client, app, local_stack):
    register(client, app, "known", "known@example.com", "u1")
    before = sent_emails()
    trace = f"trace-{uuid.uuid4().hex[:8]}"
    response = client.send_messages(
        ApplicationId=app,
        MessageRequest={
            "Addresses": {"a@example.com": {"ChannelType": "EMAIL", "Substitutions": {"Name": ["Ada"]}}},
            "Endpoints": {"known": {}, "ghost": {}},
            "MessageConfiguration": EMAIL,
            "Context": {"order": "o-1"},
            "TraceId": trace,
        },
    )["MessageResponse"]
    assert response["ApplicationId"] == app
    assert response["Result"]["a@example.com"]["DeliveryStatus"] == "SUCCESSFUL"
    assert response["EndpointResult"]["known"]["DeliveryStatus"] == "SUCCESSFUL"
    assert response["EndpointResult"]["ghost"]["StatusCode"] == 404
    assert sent_emails() == before + 2
    records = [r for r in stream_records(local_stack, app) if r["attributes"].get("trace_id") == trace]
    assert sorted(r["event_type"] for r in records) == ["_email.send", "_email.send"]
    for record in records:
        assert record["attributes"]["customer_context"] == '{"order":"o-1"}'
        assert "campaign_id" not in record["attributes"] and "journey_id" not in record["attributes"]


def test_send_users_messages_reaches_all_endpoints_and_skips_opted_out(client, app, served):
    register(client, app, "mail", "mail@example.com", "u1")
    register(client, app, "phone", "+12065550143", "u1")
    register(client, app, "muted", "muted@example.com", "u1", OptOut="ALL")
    before, texts = sent_emails(), len(served.sms.sent)
    result = client.send_users_messages(
        ApplicationId=app,
        SendUsersMessageRequest={
            "Users": {"u1": {"Substitutions": {"Name": ["Kim"]}}},
            "MessageConfiguration": {**EMAIL, "SMSMessage": {"Body": "Hi {{Name}}"}},
        },
    )["SendUsersMessageResponse"]["Result"]["u1"]
    assert {k: v["DeliveryStatus"] for k, v in result.items()} == {
        "mail": "SUCCESSFUL",
        "phone": "SUCCESSFUL",
        "muted": "OPT_OUT",
    }
    assert sent_emails() == before + 1
    assert served.sms.sent[texts:][0]["MessageBody"] == "Hi Kim"


def test_a_retry_with_the_same_idempotency_key_sends_nothing_twice(client, app):
    request = {"Addresses": {"once@example.com": {"ChannelType": "EMAIL"}}, "MessageConfiguration": EMAIL}
    before = sent_emails()
    with idempotency_key(f"order-{app}"):
        first = client.send_messages(ApplicationId=app, MessageRequest=request)["MessageResponse"]
        again = client.send_messages(ApplicationId=app, MessageRequest=request)["MessageResponse"]
    assert first == again
    assert sent_emails() == before + 1


# -- templates -----------------------------------------------------------------------------
def test_templates_are_managed_the_pinpoint_way_and_used_by_sends(client, app):
    name = f"api_{app[:12]}"
    created = client.create_email_template(
        TemplateName=name, EmailTemplateRequest={"Subject": "v1 {{Id}}", "TextPart": "one"}
    )
    assert created["CreateTemplateMessageBody"]["Arn"].endswith(f"/{name}/EMAIL")
    client.update_email_template(
        TemplateName=name,
        CreateNewVersion=True,
        EmailTemplateRequest={"Subject": "v2 {{Id}}", "TextPart": "two"},
    )
    assert client.get_email_template(TemplateName=name)["EmailTemplateResponse"]["Version"] == "2"
    assert (
        client.get_email_template(TemplateName=name, Version="1")["EmailTemplateResponse"]["TextPart"]
        == "one"
    )
    client.create_sms_template(TemplateName=name, SMSTemplateRequest={"Body": "code {{Id}}"})
    assert client.get_sms_template(TemplateName=name)["SMSTemplateResponse"]["Body"] == "code {{Id}}"

    register(client, app, "t1", "t1@example.com", "u1")
    result = client.send_messages(
        ApplicationId=app,
        MessageRequest={
            "Endpoints": {"t1": {}},
            "MessageConfiguration": {},
            "TemplateConfiguration": {"EmailTemplate": {"Name": name, "Version": "1"}},
        },
    )["MessageResponse"]["EndpointResult"]["t1"]
    assert result["DeliveryStatus"] == "SUCCESSFUL"

    client.delete_email_template(TemplateName=name)
    with pytest.raises(client.exceptions.NotFoundException):
        client.get_email_template(TemplateName=name)
    with pytest.raises(client.exceptions.NotFoundException):
        client.send_messages(
            ApplicationId=app,
            MessageRequest={
                "Endpoints": {"t1": {}},
                "MessageConfiguration": {},
                "TemplateConfiguration": {"EmailTemplate": {"Name": name}},
            },
        )


# -- events --------------------------------------------------------------------------------
def test_put_events_lands_on_the_event_stream(client, app, local_stack):
    event = {"EventType": "signup", "Timestamp": "2026-11-30T10:00:00Z", "Attributes": {"plan": "pro"}}
    results = client.put_events(
        ApplicationId=app,
        EventsRequest={
            "BatchItem": {
                "e9": {
                    "Endpoint": {"ChannelType": "EMAIL", "Address": "e9@example.com"},
                    "Events": {"ev1": event},
                }
            }
        },
    )["EventsResponse"]["Results"]
    assert results["e9"]["EventsItemResponse"]["ev1"]["StatusCode"] == 202
    assert (
        client.get_endpoint(ApplicationId=app, EndpointId="e9")["EndpointResponse"]["Address"]
        == "e9@example.com"
    )
    (record,) = [r for r in stream_records(local_stack, app) if r["event_type"] == "signup"]
    assert record["client"]["client_id"] == "e9" and record["attributes"] == {"plan": "pro"}


# -- errors --------------------------------------------------------------------------------
def test_bad_input_gets_pinpoints_400_naming_the_field(served, app):
    unchecked = pinpoint(served.url, config=Config(parameter_validation=False))  # what another SDK might send
    with pytest.raises(ClientError) as missing:
        unchecked.send_messages(ApplicationId=app, MessageRequest={"Addresses": {}})
    assert code(missing) == "BadRequestException" and "MessageConfiguration" in str(missing.value)
    assert missing.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_limits_are_refused_clearly_and_nothing_is_sent(client, app):
    before = sent_emails()
    many = {f"u{n}@example.com": {"ChannelType": "EMAIL"} for n in range(101)}
    with pytest.raises(client.exceptions.BadRequestException, match="at most 100"):
        client.send_messages(
            ApplicationId=app, MessageRequest={"Addresses": many, "MessageConfiguration": EMAIL}
        )
    big = {"a@example.com": {"ChannelType": "EMAIL"}}
    with pytest.raises(client.exceptions.PayloadTooLargeException, match="Context"):
        client.send_messages(
            ApplicationId=app,
            MessageRequest={"Addresses": big, "MessageConfiguration": EMAIL, "Context": {"x": "y" * 6000}},
        )
    assert sent_emails() == before


def test_a_client_not_signing_for_execute_api_is_refused_like_api_gateway(served, app):
    plain = boto3.client("pinpoint", endpoint_url=served.url)  # signs for "mobiletargeting"
    with pytest.raises(ClientError) as refused:
        plain.get_endpoint(ApplicationId=app, EndpointId="e1")
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_operations_no_service_serves_are_not_found(client, app):
    with pytest.raises(client.exceptions.NotFoundException, match="GetApnsChannel is not served"):
        client.get_apns_channel(ApplicationId=app)


def test_segments_are_served_the_pinpoint_way(client, app):
    body = {
        "Name": "android",
        "Dimensions": {"Demographic": {"Platform": {"DimensionType": "INCLUSIVE", "Values": ["android"]}}},
    }
    created = client.create_segment(ApplicationId=app, WriteSegmentRequest=body)["SegmentResponse"]
    assert created["SegmentType"] == "DIMENSIONAL"
    segment_id = created["Id"]
    body["Name"] = "android_v2"
    client.update_segment(ApplicationId=app, SegmentId=segment_id, WriteSegmentRequest=body)
    fetched = client.get_segment(ApplicationId=app, SegmentId=segment_id)["SegmentResponse"]
    assert (fetched["Name"], fetched["Version"]) == ("android_v2", 2)
    listed = client.get_segments(ApplicationId=app)["SegmentsResponse"]["Item"]
    assert [s["Id"] for s in listed] == [segment_id]
    with pytest.raises(client.exceptions.BadRequestException, match="Values"):
        client.create_segment(
            ApplicationId=app,
            WriteSegmentRequest={"Name": "bad", "Dimensions": {"Attributes": {"plan": {"Values": []}}}},
        )
    client.delete_segment(ApplicationId=app, SegmentId=segment_id)
    with pytest.raises(client.exceptions.NotFoundException):
        client.get_segment(ApplicationId=app, SegmentId=segment_id)


def test_kpis_are_served_in_pinpoints_shape(local_stack, tmp_path):
    records = list(generate(300, application_id="kpi-app"))
    write_partitions((("shard-0", json.dumps(r).encode()) for r in records), tmp_path)
    transactional_sends = sum(
        1
        for r in records
        if r["event_type"] == "_email.send"
        and not {"campaign_id", "journey_id"} & set(r.get("attributes", {}))
    )
    with ApiServer(local_stack, env={"KPI_SOURCE": f"duckdb://{tmp_path}"}) as api:
        response = pinpoint(api.url).get_application_date_range_kpi(
            ApplicationId="kpi-app",
            KpiName="txn-emails-sent",
            StartTime=datetime(2026, 11, 13, tzinfo=UTC),
            EndTime=datetime(2026, 11, 19, 23, 59, 59, tzinfo=UTC),
        )["ApplicationDateRangeKpiResponse"]
    assert response["KpiName"] == "txn-emails-sent"
    [row] = response["KpiResult"]["Rows"]
    [value] = row["Values"]
    assert float(value["Value"]) == transactional_sends > 0


def test_a_raw_mime_email_is_sent_as_it_is_from_its_own_from_address(client, app, local_stack):
    """EmailMessage.RawEmail.Data (a blob: base64 on the wire) goes to SES as Content.Raw, not
    rendered; FromAddress is the message's own; the record shows the MIME Subject."""
    raw = (
        b"From: Orders <noreply@example.com>\r\nTo: raw@example.com\r\nSubject: Your {{order}}\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nSent as it is.\r\n"
    )
    trace = f"trace-{uuid.uuid4().hex[:8]}"
    before = sent_emails()
    response = client.send_messages(
        ApplicationId=app,
        MessageRequest={
            "Addresses": {"raw@example.com": {"ChannelType": "EMAIL"}},
            "MessageConfiguration": {
                "EmailMessage": {"RawEmail": {"Data": raw}, "FromAddress": "Orders <noreply@example.com>"}
            },
            "TraceId": trace,
        },
    )["MessageResponse"]
    assert response["Result"]["raw@example.com"]["DeliveryStatus"] == "SUCCESSFUL"
    assert sent_emails() > before  # moto counts the raw message's To header and Destination apart
    [record] = [r for r in stream_records(local_stack, app) if r["attributes"].get("trace_id") == trace]
    mail = record["facets"]["email_channel"]["mail_event"]["mail"]
    assert mail["common_headers"]["subject"] == "Your {{order}}"  # nothing rendered
    assert mail["from_address"] == "Orders <noreply@example.com>"


def test_phone_number_validate_answers_pinpoints_shape(client):
    response = client.phone_number_validate(NumberValidateRequest={"PhoneNumber": "+4915123456789"})
    body = response["NumberValidateResponse"]
    assert (body["CountryCodeIso2"], body["PhoneType"], body["PhoneTypeCode"]) == ("DE", "MOBILE", 0)
    invalid = client.phone_number_validate(NumberValidateRequest={"PhoneNumber": "12"})[
        "NumberValidateResponse"
    ]
    assert invalid["PhoneType"] == "INVALID"


def test_templates_are_listed_with_their_versions_from_the_s3_store(client):
    name = f"list-{uuid.uuid4().hex[:8]}"
    client.create_sms_template(TemplateName=name, SMSTemplateRequest={"Body": "v1"})
    client.update_sms_template(TemplateName=name, SMSTemplateRequest={"Body": "v2"}, CreateNewVersion=True)
    client.create_email_template(TemplateName=name, EmailTemplateRequest={"Subject": "s", "TextPart": "t"})
    listed = client.list_templates(Prefix=name)["TemplatesResponse"]["Item"]
    assert [(t["TemplateName"], t["TemplateType"], t["Version"]) for t in listed] == [
        (name, "EMAIL", "1"),
        (name, "SMS", "2"),
    ]
    versions = client.list_template_versions(TemplateName=name, TemplateType="SMS")[
        "TemplateVersionsResponse"
    ]
    assert [v["Version"] for v in versions["Item"]] == ["2", "1"]
    client.update_template_active_version(
        TemplateName=name, TemplateType="SMS", TemplateActiveVersionRequest={"Version": "1"}
    )
    assert client.get_sms_template(TemplateName=name)["SMSTemplateResponse"]["Body"] == "v1"


def test_one_time_passwords_send_then_verify_once(client, app, served):
    """SendOTPMessage texts a code (stored only hashed, in OtpTable); VerifyOTPMessage accepts it once."""
    phone, reference = "+12065550177", f"login-{uuid.uuid4().hex[:8]}"
    response = client.send_otp_message(
        ApplicationId=app,
        SendOTPMessageRequestParameters={
            "BrandName": "ExampleCorp", "Channel": "SMS", "DestinationIdentity": phone,
            "OriginationIdentity": "+12065550000", "ReferenceId": reference,
        },
    )["MessageResponse"]  # fmt: skip
    assert response["Result"][phone]["DeliveryStatus"] == "SUCCESSFUL"
    [text] = [s for s in served.sms.sent if s["DestinationPhoneNumber"] == phone]
    code = text["MessageBody"].split(": ")[1].split(" ")[0]
    assert len(code) == 6 and text["MessageBody"].endswith("from ExampleCorp")

    def verify(otp: str) -> bool:
        params = {"DestinationIdentity": phone, "Otp": otp, "ReferenceId": reference}
        answer = client.verify_otp_message(ApplicationId=app, VerifyOTPMessageRequestParameters=params)
        return answer["VerificationResponse"]["Valid"]

    assert verify(code) is True
    assert verify(code) is False  # single use
    with pytest.raises(client.exceptions.BadRequestException, match="CodeLength"):
        client.send_otp_message(
            ApplicationId=app,
            SendOTPMessageRequestParameters={
                "BrandName": "ExampleCorp", "Channel": "SMS", "DestinationIdentity": phone,
                "OriginationIdentity": "+12065550000", "ReferenceId": reference, "CodeLength": 12,
            },
        )  # fmt: skip
