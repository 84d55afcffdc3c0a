"""SES event publishing (EventBridge) -> Pinpoint event-stream records."""

from __future__ import annotations

import pytest

from engagement.events.kinesis import lambda_event
from engagement.events.ses import UNATTRIBUTED_APPLICATION_ID, NotAnSesEvent, normalise_ses_event
from engagement.suppression.classify import IGNORE, SOFTBOUNCE, SUPPRESS, classify
from engagement.suppression.policy import SuppressionPolicy
from local.demo_stream import ses_bounce, ses_event

TAGS = {
    "application_id": "app1",
    "endpoint_id": "ep1",
    "campaign_id": "c1",
    "activity_id": "a1",
    "treatment_id": "0",
}


def test_permanent_bounce_becomes_a_pinpoint_hardbounce():
    [record] = normalise_ses_event(ses_bounce("b@example.com", TAGS))
    assert record["event_type"] == "_email.hardbounce"
    assert record["application"]["app_id"] == "app1" and record["client"]["client_id"] == "ep1"
    assert record["attributes"] == {
        "campaign_id": "c1",
        "campaign_activity_id": "a1",
        "treatment_id": "0",
        "feedback": "bounced",
    }
    mail_event = record["facets"]["email_channel"]["mail_event"]
    assert mail_event["bounce"]["bounce_type"] == "Permanent"
    assert mail_event["bounce"]["bounced_recipients"][0]["email_address"] == "b@example.com"
    assert mail_event["bounce"]["reporting_mta"].startswith("dsn;")
    assert mail_event["mail"]["destination"] == ["b@example.com"]
    assert mail_event["mail"]["common_headers"]["from"] == "noreply@example.com"
    assert record["event_timestamp"] == mail_event["mail"]["message_send_timestamp"] == 1795867200000
    assert record["awsAccountId"] == "123456789012"


@pytest.mark.parametrize("bounce_type", ["Transient", "Undetermined"])
def test_other_bounces_are_soft(bounce_type):
    [record] = normalise_ses_event(ses_bounce("b@example.com", TAGS, bounce_type=bounce_type))
    assert record["event_type"] == "_email.softbounce"


@pytest.mark.parametrize(
    ("ses_type", "detail_type", "body", "expected"),
    [
        (
            "Complaint",
            "Email Complaint Received",
            {"complainedRecipients": [{"emailAddress": "b@example.com"}], "complaintFeedbackType": "abuse"},
            ["_email.complaint"],
        ),
        (
            "Delivery",
            "Email Delivered",
            {"smtpResponse": "250 ok", "recipients": ["b@example.com"]},
            ["_email.delivered"],
        ),
        ("Send", "Email Sent", {}, ["_email.send"]),
        ("Reject", "Email Rejected", {"reason": "Bad content"}, ["_email.rejected"]),
        ("Open", "Email Opened", {"ipAddress": "192.0.2.1", "userAgent": "x"}, ["_email.open"]),
        (
            "Click",
            "Email Clicked",
            {"link": "https://example.com/", "linkTags": {"campaign": ["x"]}},
            ["_email.click"],
        ),
        (
            "Click",
            "Email Clicked",
            {"link": "https://example.com/u", "linkTags": {"unsubscribeLinkTag": ["1"]}},
            ["_email.click", "_email.unsubscribe"],
        ),
        (
            "Subscription",
            "Email Subscribed",
            {"contactList": "news", "newTopicPreferences": {"unsubscribeAll": True}},
            ["_email.unsubscribe"],
        ),
        (
            "Subscription",
            "Email Subscribed",
            {"contactList": "news", "newTopicPreferences": {"unsubscribeAll": False}},
            ["_email.subscription"],
        ),
    ],
)
def test_event_type_mapping(ses_type, detail_type, body, expected):
    records = normalise_ses_event(
        ses_event(ses_type, body, address="b@example.com", tags=TAGS, detail_type=detail_type)
    )
    assert [r["event_type"] for r in records] == expected


def test_complaint_facets_are_snake_case_and_suppress_the_recipient():
    event = ses_event(
        "Complaint",
        {"complainedRecipients": [{"emailAddress": "b@example.com"}]},
        address="b@example.com",
        tags=TAGS,
        detail_type="Email Complaint Received",
    )
    [record] = normalise_ses_event(event)
    result = classify(lambda_event([record])["Records"][0], SuppressionPolicy())
    assert (result.kind, result.addresses, result.endpoint_id) == (SUPPRESS, ("b@example.com",), "ep1")


def test_link_tags_keep_their_names_and_clicks_are_ignored_by_the_policy():
    event = ses_event(
        "Click",
        {"linkTags": {"myTag": ["v"]}, "link": "https://e.com"},
        address="b@example.com",
        tags=TAGS,
        detail_type="Email Clicked",
    )
    [record] = normalise_ses_event(event)
    assert record["facets"]["email_channel"]["mail_event"]["click"]["link_tags"] == {"myTag": ["v"]}
    assert record["attributes"]["feedback"] == "https://e.com"
    assert classify(lambda_event([record])["Records"][0], SuppressionPolicy()).kind == IGNORE


def test_journey_tags_map_to_journey_attributes():
    tags = {"application_id": "app1", "endpoint_id": "ep1", "journey_id": "j1", "activity_id": "act"}
    [record] = normalise_ses_event(ses_bounce("b@example.com", tags, bounce_type="Transient"))
    assert record["attributes"] == {"journey_id": "j1", "journey_activity_id": "act", "feedback": "bounced"}
    assert classify(lambda_event([record])["Records"][0], SuppressionPolicy()).kind == SOFTBOUNCE


def test_mail_sent_outside_our_channel_is_recorded_under_the_default_application():
    event = ses_bounce("b@example.com", {})
    [record] = normalise_ses_event(event)
    assert record["application"]["app_id"] == UNATTRIBUTED_APPLICATION_ID
    assert record["client"]["client_id"] == event["detail"]["mail"]["messageId"]
    [record] = normalise_ses_event(event, default_application_id="default-app")
    assert record["application"]["app_id"] == "default-app"


@pytest.mark.parametrize("event", [{}, {"detail": {}}, {"detail": {"eventType": "Nope", "mail": {}}}])
def test_events_that_are_not_ses_event_publishing_are_rejected(event):
    with pytest.raises(NotAnSesEvent):
        normalise_ses_event(event)
