"""SES, End User Messaging and webhook senders: request shapes (validated by botocore's Stubber
against the real service models) and how failures are classified."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.stub import Stubber

from engagement.delivery.email import EmailMessage, EmailSender, ses_tag_value
from engagement.delivery.errors import PermanentDeliveryError, RecipientOptedOutError, TemporaryDeliveryError
from engagement.delivery.sms import SmsSender, TextMessage
from engagement.delivery.webhook import WebhookSender, sign, validate_webhook_url
from local.demo_channel import WebhookReceiver

TAGS = {"application_id": "app1", "journey_id": "j.1/x", "endpoint_id": "mary@home"}


def stubbed(service: str):
    client = boto3.client(service, region_name="us-east-1")
    return client, Stubber(client)


def test_email_request_has_tags_and_one_click_unsubscribe_headers():
    client, stub = stubbed("sesv2")
    sender = EmailSender(client, "noreply@example.com", "engagement")
    message = EmailMessage("ana@example.com", "Hi", "<p>Hi</p>", "Hi", TAGS, "https://example.com/u?e=1")
    expected = sender.request(message)
    stub.add_response("send_email", {"MessageId": "ses-1"}, expected)
    with stub:
        assert sender.send(message) == "ses-1"
    headers = {h["Name"]: h["Value"] for h in expected["Content"]["Simple"]["Headers"]}
    assert headers == {
        "List-Unsubscribe": "<https://example.com/u?e=1>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    assert {t["Name"]: t["Value"] for t in expected["EmailTags"]} == {
        "application_id": "app1",
        "journey_id": "j_1_x",
        "endpoint_id": "mary_home",
    }
    assert expected["ConfigurationSetName"] == "engagement"


def test_email_without_unsubscribe_url_has_no_list_headers():
    sender = EmailSender(None, "noreply@example.com")
    request = sender.request(EmailMessage("a@example.com", "s", None, "text"))
    assert "Headers" not in request["Content"]["Simple"]
    assert "Html" not in request["Content"]["Simple"]["Body"]


def test_ses_tag_values_keep_only_what_ses_allows():
    assert ses_tag_value("a.b@c d-é_1") == "a_b_c_d-__1"
    assert len(ses_tag_value("x" * 300)) == 256


@pytest.mark.parametrize(
    ("code", "status", "kind"),
    [
        ("TooManyRequestsException", 429, TemporaryDeliveryError),
        ("SendingPausedException", 400, TemporaryDeliveryError),
        ("MessageRejected", 400, PermanentDeliveryError),
        ("BadRequestException", 400, PermanentDeliveryError),
    ],
)
def test_email_failures_are_classified(code, status, kind):
    client, stub = stubbed("sesv2")
    stub.add_client_error("send_email", service_error_code=code, http_status_code=status)
    with stub, pytest.raises(kind) as raised:
        EmailSender(client, "noreply@example.com").send(EmailMessage("a@example.com", "s", text="t"))
    assert raised.value.reason == code


def test_empty_email_is_refused_before_calling_ses():
    with pytest.raises(PermanentDeliveryError, match="empty_message"):
        EmailSender(None, "noreply@example.com").send(EmailMessage("a@example.com", "s"))


def test_sms_request_carries_identity_configuration_set_and_context():
    client, stub = stubbed("pinpoint-sms-voice-v2")
    sender = SmsSender(client, "+12065550000", "engagement-sms")
    message = TextMessage(
        "+12065550100", "Hello", {**TAGS, "activity_id": "a", "treatment_id": "0", "x": "y"}
    )
    expected = sender.request(message)
    stub.add_response("send_text_message", {"MessageId": "sms-1"}, expected)
    with stub:
        assert sender.send(message) == "sms-1"
    assert expected["OriginationIdentity"] == "+12065550000"
    assert expected["ConfigurationSetName"] == "engagement-sms"
    assert len(expected["Context"]) == 5  # the API's limit


def test_sms_to_an_opted_out_number_is_reported_as_opted_out():
    client, stub = stubbed("pinpoint-sms-voice-v2")
    stub.add_client_error(
        "send_text_message",
        service_error_code="ConflictException",
        http_status_code=409,
        modeled_fields={"Message": "opted out", "Reason": "DESTINATION_PHONE_NUMBER_OPTED_OUT"},
    )
    with stub, pytest.raises(RecipientOptedOutError):
        SmsSender(client, "+12065550000").send(TextMessage("+12065550100", "Hi"))


@pytest.mark.parametrize(
    ("code", "status", "kind"),
    [
        ("ThrottlingException", 400, TemporaryDeliveryError),
        ("InternalServerException", 500, TemporaryDeliveryError),
        ("ValidationException", 400, PermanentDeliveryError),
        ("AccessDeniedException", 403, PermanentDeliveryError),
    ],
)
def test_sms_failures_are_classified(code, status, kind):
    client, stub = stubbed("pinpoint-sms-voice-v2")
    stub.add_client_error("send_text_message", service_error_code=code, http_status_code=status)
    with stub, pytest.raises(kind):
        SmsSender(client).send(TextMessage("+12065550100", "Hi"))


# -- webhook -----------------------------------------------------------------------------
def sender(url: str, **kwargs) -> WebhookSender:
    return WebhookSender(url, lambda: "s3cret", base_delay_s=0.001, allow_private=True, **kwargs)


def test_webhook_posts_a_signed_body_the_receiver_can_verify():
    with WebhookReceiver("s3cret") as receiver:
        message_id = sender(receiver.url).send({"endpoint_id": "e1"}, idempotency_key="k1")
    (request,) = receiver.requests
    assert request["verified"]
    assert request["body"] == {"endpoint_id": "e1", "message_id": message_id}
    assert request["headers"]["Idempotency-Key"] == "k1"


def test_a_wrong_secret_does_not_verify():
    with WebhookReceiver("another-secret", statuses=[401]) as receiver, pytest.raises(PermanentDeliveryError):
        sender(receiver.url).send({"endpoint_id": "e1"})
    assert receiver.requests[0]["verified"] is False


def test_webhook_retries_429_and_5xx_then_succeeds():
    with WebhookReceiver("s3cret", statuses=[503, 429, 200]) as receiver:
        sender(receiver.url).send({"endpoint_id": "e1"})
    assert [r["status"] for r in receiver.requests] == [503, 429, 200]


def test_webhook_does_not_retry_other_4xx():
    with (
        WebhookReceiver("s3cret", statuses=[400, 200]) as receiver,
        pytest.raises(PermanentDeliveryError) as err,
    ):
        sender(receiver.url).send({"endpoint_id": "e1"})
    assert err.value.reason == "http_400" and len(receiver.requests) == 1


def test_webhook_gives_up_as_temporary_after_its_attempts():
    with (
        WebhookReceiver("s3cret", statuses=[500, 500, 500]) as receiver,
        pytest.raises(TemporaryDeliveryError),
    ):
        sender(receiver.url, max_attempts=3).send({"endpoint_id": "e1"})
    assert len(receiver.requests) == 3


def test_a_timeout_is_temporary():
    with WebhookReceiver("s3cret", delay_s=0.5) as receiver, pytest.raises(TemporaryDeliveryError):
        sender(receiver.url, timeout_s=0.1, max_attempts=1).send({"endpoint_id": "e1"})


def test_no_retry_starts_when_the_deadline_is_near():
    with WebhookReceiver("s3cret", statuses=[503, 200]) as receiver, pytest.raises(TemporaryDeliveryError):
        sender(receiver.url).send({"endpoint_id": "e1"}, time_left_s=lambda: 0.4)
    assert len(receiver.requests) == 1


@pytest.mark.parametrize(
    ("url", "allow_private", "refusal"),
    [
        ("https://hooks.example.com/x", False, None),
        ("https://8.8.8.8/x", False, None),
        ("http://127.0.0.1:8080/x", True, None),
        ("http://localhost/x", True, None),
        ("https://10.0.0.5/x", True, None),
        ("http://127.0.0.1:8080/x", False, "loopback"),
        ("https://localhost/x", False, "loopback"),
        ("https://[::1]/x", False, "loopback"),
        ("https://10.0.0.5/x", False, "private"),
        ("https://192.168.1.1/x", False, "private"),
        ("https://169.254.169.254/latest/meta-data/", True, "metadata"),
        ("https://169.254.10.1/x", True, "link-local"),
        ("https://[fe80::1]/x", True, "link-local"),
        ("https://[fd00:ec2::254]/x", True, "metadata"),
        ("https://[::ffff:169.254.169.254]/x", True, "metadata"),
        ("https://metadata.google.internal/x", True, "metadata"),
        ("https://0.0.0.0/x", True, "unicast"),
        ("http://hooks.example.com/x", True, "https"),
        ("http://10.0.0.5/x", True, "https"),
        ("ftp://127.0.0.1/x", True, "https"),
        ("https:///nohost", False, "https"),
    ],
)
def test_webhook_url_refuses_metadata_always_and_private_unless_allowed(url, allow_private, refusal):
    if refusal is None:
        assert validate_webhook_url(url, allow_private=allow_private) == url
    else:
        with pytest.raises(ValueError, match=refusal):
            validate_webhook_url(url, allow_private=allow_private)


def test_a_name_resolving_to_a_refused_address_is_refused_when_resolved():
    with pytest.raises(ValueError, match="loopback"):
        validate_webhook_url("https://localhost.localdomain./x", resolve=True)
    assert validate_webhook_url("https://does-not-resolve.invalid/x", resolve=True)


def test_signature_covers_timestamp_idempotency_key_and_body():
    import hashlib
    import hmac

    body = json.dumps({"a": 1}).encode()
    expected = hmac.new(b"k", b"1700000000.key-1." + body, hashlib.sha256).hexdigest()
    assert sign("k", 1700000000, body, "key-1") == f"t=1700000000,v2={expected}"
    assert sign("k", 1700000000, body, "key-2") != sign("k", 1700000000, body, "key-1")


def test_a_changed_idempotency_key_does_not_verify():
    with WebhookReceiver("s3cret") as receiver:
        sender(receiver.url).send({"endpoint_id": "e1"}, idempotency_key="k1")
    (request,) = receiver.requests
    header = request["headers"]["X-Engagement-Signature"]
    raw = json.dumps(request["body"], separators=(",", ":")).encode()
    assert receiver.verify(header, raw, "k1") and not receiver.verify(header, raw, "k2")
