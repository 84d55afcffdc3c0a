"""Per-message sender settings of SendMessages: EmailMessage.FromAddress / ReplyToAddresses /
FeedbackForwardingAddress and SMSMessage.OriginationNumber / SenderId / Keyword / EntityId /
TemplateId reach SES and End User Messaging (docs/api.md, "Sender settings")."""

from __future__ import annotations

import boto3
import pytest
from api_fakes import APP, messaging
from botocore.validate import ParamValidator

EMAIL = {"SimpleEmail": {"Subject": {"Data": "Hi"}, "TextPart": {"Data": "Hello"}}}


def send(service, address: str, channel: str, message: dict) -> dict:
    response = service.send_messages(
        ApplicationId=APP,
        MessageRequest={"Addresses": {address: {"ChannelType": channel}}, "MessageConfiguration": message},
    )
    return response["MessageResponse"]["Result"][address]


def valid_for(service: str, operation: str, request: dict) -> None:
    """The request as the service's botocore model accepts it (the deployed clients skip this)."""
    model = boto3.client(service, region_name="us-east-1").meta.service_model.operation_model(operation)
    report = ParamValidator().validate(request, model.input_shape)
    assert not report.has_errors(), report.generate_report()


def test_an_email_is_sent_from_the_messages_own_from_address_with_reply_to_and_feedback_addresses():
    service, fakes = messaging()
    message = {
        "EmailMessage": {
            **EMAIL,
            "FromAddress": "Orders <orders@example.com>",
            "ReplyToAddresses": ["help@example.com", "desk@example.com"],
            "FeedbackForwardingAddress": "bounces@example.com",
        }
    }
    assert send(service, "a@example.com", "EMAIL", message)["DeliveryStatus"] == "SUCCESSFUL"
    sent = fakes.ses.calls[0]
    assert sent["FromEmailAddress"] == "Orders <orders@example.com>"
    assert sent["ReplyToAddresses"] == ["help@example.com", "desk@example.com"]
    assert sent["FeedbackForwardingEmailAddress"] == "bounces@example.com"
    valid_for("sesv2", "SendEmail", sent)
    mail = fakes.writer.records[0]["facets"]["email_channel"]["mail_event"]["mail"]
    assert mail["from_address"] == mail["common_headers"]["from"] == "Orders <orders@example.com>"


def test_without_sender_settings_the_configured_from_address_is_used():
    service, fakes = messaging()
    send(service, "a@example.com", "EMAIL", {"EmailMessage": EMAIL})
    sent = fakes.ses.calls[0]
    assert sent["FromEmailAddress"] == "noreply@example.com"
    assert "ReplyToAddresses" not in sent and "FeedbackForwardingEmailAddress" not in sent


@pytest.mark.parametrize("field", ["FromAddress", "FeedbackForwardingAddress"])
def test_a_sender_address_spanning_lines_is_refused_and_nothing_is_sent(field):
    service, fakes = messaging()
    message = {"EmailMessage": {**EMAIL, field: "orders@example.com\r\nBcc: all@example.com"}}
    result = send(service, "a@example.com", "EMAIL", message)
    assert result["DeliveryStatus"] == "PERMANENT_FAILURE" and field in result["StatusMessage"]
    assert fakes.ses.calls == []


def test_an_sms_is_sent_from_its_origination_number_with_keyword_and_india_dlt_ids():
    service, fakes = messaging()
    message = {
        "SMSMessage": {
            "Body": "Code 1234",
            "OriginationNumber": "+12065550199",
            "SenderId": "ACME",
            "Keyword": "JOIN",
            "MessageType": "PROMOTIONAL",
            "EntityId": "1101",
            "TemplateId": "2202",
        }
    }
    assert send(service, "+12065550100", "SMS", message)["DeliveryStatus"] == "SUCCESSFUL"
    sent = fakes.sms.calls[0]
    assert sent["OriginationIdentity"] == "+12065550199"  # the number wins over the sender id
    assert sent["Keyword"] == "JOIN" and sent["MessageType"] == "PROMOTIONAL"
    assert sent["DestinationCountryParameters"] == {"IN_ENTITY_ID": "1101", "IN_TEMPLATE_ID": "2202"}
    valid_for("pinpoint-sms-voice-v2", "SendTextMessage", sent)
    assert fakes.writer.records[0]["attributes"]["origination_phone_number"] == "+12065550199"


def test_a_sender_id_alone_is_the_origination_identity_else_the_configured_one():
    service, fakes = messaging()
    send(service, "+12065550100", "SMS", {"SMSMessage": {"Body": "x", "SenderId": "ACME"}})
    send(service, "+12065550100", "SMS", {"SMSMessage": {"Body": "y"}})
    assert [c["OriginationIdentity"] for c in fakes.sms.calls] == ["ACME", "+12065550000"]
    assert "Keyword" not in fakes.sms.calls[1] and "DestinationCountryParameters" not in fakes.sms.calls[1]


def test_email_content_is_not_custom_data_so_a_large_html_body_is_sent():
    """Pinpoint's 5 KB custom-data limit covers Context, Substitutions, RawContent and the push
    messages' Data map, not SimpleEmail's parts (their member is also named Data)."""
    service, fakes = messaging()
    html = "<p>" + "x" * 20_000 + "</p>"
    message = {"EmailMessage": {"SimpleEmail": {"Subject": {"Data": "Hi"}, "HtmlPart": {"Data": html}}}}
    assert send(service, "a@example.com", "EMAIL", message)["DeliveryStatus"] == "SUCCESSFUL"
    assert fakes.ses.calls[0]["Content"]["Simple"]["Body"]["Html"]["Data"] == html


def test_a_raw_email_is_sent_unrendered_and_an_empty_one_is_refused():
    service, fakes = messaging()
    raw = b"Subject: Hi {{Name}}\r\nTo: a@example.com\r\n\r\nBody {{Name}}\r\n"
    message = {"EmailMessage": {"RawEmail": {"Data": raw}, "Substitutions": {"Name": ["Ada"]}}}
    assert send(service, "a@example.com", "EMAIL", message)["DeliveryStatus"] == "SUCCESSFUL"
    assert fakes.ses.calls[0]["Content"] == {"Raw": {"Data": raw}}
    valid_for("sesv2", "SendEmail", fakes.ses.calls[0])
    empty = send(service, "b@example.com", "EMAIL", {"EmailMessage": {"RawEmail": {"Data": b""}}})
    assert empty["DeliveryStatus"] == "PERMANENT_FAILURE" and len(fakes.ses.calls) == 1
