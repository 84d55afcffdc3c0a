"""send_messages / send_users_messages semantics, over in-memory fakes."""

from __future__ import annotations

import json

import pytest
from api_fakes import APP, FakeRegistry, endpoint, messaging
from botocore.exceptions import ClientError

from engagement.api.idempotency import _current
from engagement.models.errors import BadRequestException, NotFoundException, PayloadTooLargeException

INLINE_EMAIL = {
    "EmailMessage": {
        "SimpleEmail": {
            "Subject": {"Data": "Order {{OrderId}}"},
            "HtmlPart": {"Data": "<p>Hi {{Name}}</p>"},
            "TextPart": {"Data": "Hi {{Name}}"},
        },
        "Substitutions": {"Name": ["channel"], "OrderId": ["from-channel"]},
    },
    "DefaultMessage": {"Body": "default", "Substitutions": {"Name": ["default"], "OrderId": ["o-0"]}},
}


def send(service, **request):
    return service.send_messages(ApplicationId=APP, MessageRequest=request)["MessageResponse"]


def test_address_send_renders_inline_content_with_substitutions_at_every_level():
    service, fakes = messaging()
    response = send(
        service,
        Addresses={"a@example.com": {"ChannelType": "EMAIL", "Substitutions": {"Name": ["Ada"]}}},
        MessageConfiguration=INLINE_EMAIL,
    )
    result = response["Result"]["a@example.com"]
    assert result["DeliveryStatus"] == "SUCCESSFUL" and result["StatusCode"] == 200
    sent = fakes.ses.calls[0]
    assert sent["Destination"] == {"ToAddresses": ["a@example.com"]}
    simple = sent["Content"]["Simple"]
    assert simple["Subject"]["Data"] == "Order from-channel"  # channel message over DefaultMessage
    assert simple["Body"]["Text"]["Data"] == "Hi Ada"  # the address's own over both
    assert result["MessageId"] == "ses-1" and "EndpointResult" not in response


def test_endpoint_send_uses_the_stored_template_with_the_endpoint_as_context():
    registry = FakeRegistry(endpoint("e1", User={"UserId": "u1", "UserAttributes": {"FirstName": ["Lin"]}}))
    service, fakes = messaging(registry)
    response = send(
        service,
        Endpoints={"e1": {}},
        MessageConfiguration={},
        TemplateConfiguration={"EmailTemplate": {"Name": "channel_welcome"}},
    )
    assert response["EndpointResult"]["e1"]["DeliveryStatus"] == "SUCCESSFUL"
    assert response["EndpointResult"]["e1"]["Address"] == "e1@example.com"
    assert fakes.ses.calls[0]["Content"]["Simple"]["Subject"]["Data"] == "Welcome, Lin!"


def test_opted_out_inactive_and_unknown_endpoints_are_answered_and_never_sent():
    registry = FakeRegistry(endpoint("out", OptOut="ALL"), endpoint("idle", EndpointStatus="INACTIVE"))
    service, fakes = messaging(registry)
    response = send(
        service, Endpoints={"out": {}, "idle": {}, "ghost": {}}, MessageConfiguration=INLINE_EMAIL
    )
    results = response["EndpointResult"]
    assert results["out"]["DeliveryStatus"] == "OPT_OUT"
    assert (
        results["idle"]["DeliveryStatus"] == "PERMANENT_FAILURE"
        and "inactive" in results["idle"]["StatusMessage"]
    )
    assert results["ghost"] == {
        "DeliveryStatus": "PERMANENT_FAILURE",
        "StatusCode": 404,
        "StatusMessage": "Endpoint not found",
    }
    assert fakes.ses.calls == [] and fakes.writer.records == []


def test_with_the_address_check_an_address_whose_registered_endpoint_opted_out_is_not_sent():
    registry = FakeRegistry(endpoint("e1", address="gone@example.com", OptOut="ALL"))
    request = {
        "Addresses": {"gone@example.com": {"ChannelType": "EMAIL"}},
        "MessageConfiguration": INLINE_EMAIL,
    }
    service, fakes = messaging(registry, address_check=True)
    assert send(service, **request)["Result"]["gone@example.com"]["DeliveryStatus"] == "OPT_OUT"
    assert fakes.ses.calls == []
    service, fakes = messaging(registry)  # Pinpoint's default: OptOut belongs to endpoints
    assert send(service, **request)["Result"]["gone@example.com"]["DeliveryStatus"] == "SUCCESSFUL"


def test_users_reach_every_endpoint_of_the_user_and_unknown_users_get_an_empty_result():
    registry = FakeRegistry(
        endpoint("mail", User={"UserId": "u1"}),
        endpoint("phone", channel="SMS", User={"UserId": "u1"}),
        endpoint("muted", User={"UserId": "u1"}, OptOut="ALL"),
    )
    service, fakes = messaging(registry)
    response = service.send_users_messages(
        ApplicationId=APP,
        SendUsersMessageRequest={
            "Users": {"u1": {"Substitutions": {"Name": ["Kim"]}}, "nobody": {}},
            "MessageConfiguration": {**INLINE_EMAIL, "SMSMessage": {"Body": "Hi {{Name}}"}},
        },
    )["SendUsersMessageResponse"]
    assert {k: v["DeliveryStatus"] for k, v in response["Result"]["u1"].items()} == {
        "mail": "SUCCESSFUL",
        "phone": "SUCCESSFUL",
        "muted": "OPT_OUT",
    }
    assert response["Result"]["nobody"] == {}
    assert fakes.sms.calls[0]["MessageBody"] == "Hi Kim"
    assert fakes.ses.calls[0]["Content"]["Simple"]["Body"]["Text"]["Data"] == "Hi Kim"


def test_transactional_records_carry_context_and_trace_id_and_no_campaign_or_journey():
    registry = FakeRegistry(endpoint("e1"))
    service, fakes = messaging(registry)
    send(
        service,
        Addresses={"+12065550123": {"ChannelType": "SMS", "Context": {"order": "o-9"}}},
        Endpoints={"e1": {}},
        MessageConfiguration={**INLINE_EMAIL, "SMSMessage": {"Body": "code 1", "MessageType": "PROMOTIONAL"}},
        Context={"source": "checkout"},
        TraceId="trace-7",
    )
    by_type = {r["event_type"]: r for r in fakes.writer.records}
    assert set(by_type) == {"_email.send", "_SMS.BUFFERED"}
    sms = by_type["_SMS.BUFFERED"]
    assert json.loads(sms["attributes"]["customer_context"]) == {"order": "o-9", "source": "checkout"}
    assert sms["attributes"]["trace_id"] == "trace-7" and sms["attributes"]["message_type"] == "Promotional"
    assert fakes.sms.calls[0]["MessageType"] == "PROMOTIONAL"
    assert by_type["_email.send"]["client"]["client_id"] == "e1"
    assert len(sms["client"]["client_id"]) == 36  # a UUID for an address send, as Pinpoint
    for record in fakes.writer.records:
        assert not {"campaign_id", "journey_id", "treatment_id"} & set(record["attributes"])


def test_overrides_replace_body_and_subject():
    service, fakes = messaging()
    send(
        service,
        Addresses={
            "a@example.com": {"ChannelType": "EMAIL", "BodyOverride": "plain", "TitleOverride": "Subject!"}
        },
        MessageConfiguration=INLINE_EMAIL,
    )
    simple = fakes.ses.calls[0]["Content"]["Simple"]
    assert simple["Subject"]["Data"] == "Subject!" and simple["Body"] == {
        "Text": {"Data": "plain", "Charset": "UTF-8"}
    }


def test_failures_stay_with_their_recipient_with_pinpoints_statuses():
    service, fakes = messaging()
    throttled = ClientError(
        {"Error": {"Code": "TooManyRequestsException"}, "ResponseMetadata": {"HTTPStatusCode": 429}},
        "SendEmail",
    )
    fakes.ses.errors.append(throttled)
    response = send(
        service,
        Addresses={
            "a@example.com": {"ChannelType": "EMAIL"},
            "not-an-email": {"ChannelType": "EMAIL"},
            "device-token": {"ChannelType": "GCM"},
            "x@example.com": {},
        },
        MessageConfiguration=INLINE_EMAIL,
    )["Result"]
    assert (
        response["a@example.com"]["DeliveryStatus"] == "THROTTLED"
        and response["a@example.com"]["StatusCode"] == 429
    )
    assert response["not-an-email"]["DeliveryStatus"] == "PERMANENT_FAILURE"
    assert "invalid_address" in response["not-an-email"]["StatusMessage"]
    assert "unsupported_channel" in response["device-token"]["StatusMessage"]
    assert response["x@example.com"]["StatusMessage"] == "ChannelType is required"


def test_a_missing_template_refuses_the_whole_request_before_anything_is_sent():
    service, fakes = messaging()
    with pytest.raises(NotFoundException):
        send(
            service,
            Addresses={"a@example.com": {"ChannelType": "EMAIL"}},
            MessageConfiguration={},
            TemplateConfiguration={"EmailTemplate": {"Name": "no_such_template"}},
        )
    assert fakes.ses.calls == []


def test_a_broken_inline_template_is_a_per_recipient_rendering_failure_with_its_record():
    service, fakes = messaging()
    response = send(
        service,
        Addresses={"a@example.com": {"ChannelType": "EMAIL"}},
        MessageConfiguration={
            "EmailMessage": {"SimpleEmail": {"Subject": {"Data": "{{#if}}"}, "TextPart": {"Data": "x"}}}
        },
    )
    assert response["Result"]["a@example.com"]["DeliveryStatus"] == "PERMANENT_FAILURE"
    assert [r["event_type"] for r in fakes.writer.records] == ["_email.rendering_failure"]


def test_limits_refuse_the_whole_request_naming_the_field():
    service, fakes = messaging()
    too_many = {f"u{n}@example.com": {"ChannelType": "EMAIL"} for n in range(101)}
    with pytest.raises(BadRequestException, match=r"Addresses \(101\)"):
        send(service, Addresses=too_many, MessageConfiguration=INLINE_EMAIL)
    big = {"a@example.com": {"ChannelType": "EMAIL", "Context": {"blob": "x" * 6000}}}
    with pytest.raises(PayloadTooLargeException, match=r"Addresses\.a@example\.com\.Context"):
        send(service, Addresses=big, MessageConfiguration=INLINE_EMAIL)
    assert fakes.ses.calls == []


def test_with_an_idempotency_key_each_recipient_is_sent_once():
    service, fakes = messaging(once=True)
    request = {"Addresses": {"a@example.com": {"ChannelType": "EMAIL"}}, "MessageConfiguration": INLINE_EMAIL}
    token = _current.set("key-1")
    try:
        first = send(service, **request)["Result"]["a@example.com"]
        again = send(service, **request)["Result"]["a@example.com"]
    finally:
        _current.reset(token)
    assert first["DeliveryStatus"] == "SUCCESSFUL"
    assert again["DeliveryStatus"] == "DUPLICATE" and again["MessageId"] == first["MessageId"]
    assert len(fakes.ses.calls) == 1 and len(fakes.writer.records) == 1
    third = send(service, **request)["Result"]["a@example.com"]  # no key: not deduplicated
    assert third["DeliveryStatus"] == "SUCCESSFUL" and len(fakes.ses.calls) == 2


def test_a_stream_outage_does_not_turn_sent_messages_into_an_error():
    service, fakes = messaging()
    fakes.writer.fail = True
    response = send(
        service, Addresses={"a@example.com": {"ChannelType": "EMAIL"}}, MessageConfiguration=INLINE_EMAIL
    )
    assert response["Result"]["a@example.com"]["DeliveryStatus"] == "SUCCESSFUL"


def test_near_the_deadline_no_send_starts_and_the_recipient_is_told_to_retry():
    class Clock:
        def get_remaining_time_in_millis(self) -> int:
            return 4000  # under the 5 s margin

    service, fakes = messaging()
    service.register_context(Clock())
    result = send(
        service, Addresses={"a@example.com": {"ChannelType": "EMAIL"}}, MessageConfiguration=INLINE_EMAIL
    )
    assert result["Result"]["a@example.com"]["DeliveryStatus"] == "TEMPORARY_FAILURE"
    assert "deadline" in result["Result"]["a@example.com"]["StatusMessage"]
    assert fakes.ses.calls == []
