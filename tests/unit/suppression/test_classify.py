"""The first pass: what each record asks for, and why a record is quarantined."""

from __future__ import annotations

import json

import pytest

from engagement.events.kinesis import lambda_record
from engagement.events.records import build_event_record
from engagement.suppression.classify import IGNORE, QUARANTINE, SOFTBOUNCE, SUPPRESS, classify
from engagement.suppression.policy import SuppressionPolicy
from local.demo_stream import bounce, complaint, delivered, sms, unsubscribe

POLICY = SuppressionPolicy()


def classified(data):
    return classify(lambda_record(data, sequence_number="1"), POLICY)


@pytest.mark.parametrize(
    ("record", "kind", "reason", "channel", "address"),
    [
        (bounce("app", "ep", "a@example.com"), SUPPRESS, "hardbounce", "EMAIL", "a@example.com"),
        (complaint("app", "ep", "c@example.com"), SUPPRESS, "complaint", "EMAIL", "c@example.com"),
        (unsubscribe("app", "ep", "u@example.com"), SUPPRESS, "unsubscribe", "EMAIL", "u@example.com"),
        (sms("app", "ep", "+12065550100"), SUPPRESS, "sms_optout", "SMS", "+12065550100"),
        (
            bounce("app", "ep", "s@example.com", permanent=False),
            SOFTBOUNCE,
            "softbounce",
            "EMAIL",
            "s@example.com",
        ),
    ],
)
def test_policy_rows(record, kind, reason, channel, address):
    result = classified(record)
    assert (result.kind, result.reason, result.channel, result.addresses) == (
        kind,
        reason,
        channel,
        (address,),
    )
    assert result.endpoint_id == "ep" and result.application_id == "app"


@pytest.mark.parametrize(
    "record",
    [
        delivered("app", "ep", "a@example.com"),
        sms("app", "ep", "+12065550100", event_type="_SMS.SUCCESS"),
        build_event_record(event_type="_campaign.send", application_id="app", endpoint_id="ep"),
        build_event_record(event_type="_journey.send", application_id="app", endpoint_id="ep"),
        build_event_record(event_type="registered_for_webinar", application_id="app", endpoint_id="ep"),
    ],
)
def test_other_event_types_are_ignored(record):
    assert classified(record).kind == IGNORE


def test_hardbounce_that_ses_calls_transient_counts_as_soft_bounce():
    record = bounce("app", "ep", "a@example.com")
    record["facets"]["email_channel"]["mail_event"]["bounce"]["bounce_type"] = "Transient"
    assert classified(record).kind == SOFTBOUNCE


def test_policy_is_configurable():
    policy = SuppressionPolicy(rules={"_email.complaint": "complaint"})
    record = lambda_record(bounce("app", "ep", "a@example.com"), sequence_number="1")
    assert classify(record, policy).kind == IGNORE


def test_address_from_endpoint_json_when_facets_are_missing():
    record = build_event_record(
        event_type="_email.unsubscribe",
        application_id="app",
        endpoint_id="ep",
        endpoint={"ChannelType": "EMAIL", "Address": "e@example.com"},
    )
    assert classified(record).addresses == ("e@example.com",)


def test_endpoint_only_record_is_actionable():
    result = classified(build_event_record(event_type="_SMS.OPTOUT", application_id="app", endpoint_id="ep"))
    assert result.kind == SUPPRESS and result.addresses == () and result.endpoint_id == "ep"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\x00\x01 not json", "not a base64 JSON record"),
        (b"[1, 2]", "JSON list"),
        (json.dumps({"event_type": "_email.hardbounce"}), "missing event_type or application.app_id"),
        (
            json.dumps(
                {"event_type": "_email.hardbounce", "application": {"app_id": "a"}, "event_timestamp": "x"}
            ),
            "invalid _email.hardbounce record: event_timestamp",
        ),
        (
            json.dumps({"event_type": "_SMS.OPTOUT", "application": {"app_id": "a"}, "event_timestamp": 1}),
            "names no endpoint",
        ),
    ],
)
def test_unusable_records_are_quarantined_with_a_reason(data, reason):
    result = classified(data)
    assert result.kind == QUARANTINE and reason in result.reason


def test_data_that_is_not_base64_is_quarantined():
    record = lambda_record(b"{}", sequence_number="1")
    record["kinesis"]["data"] = "@@not base64@@"
    assert classify(record, POLICY).kind == QUARANTINE


def test_unknown_fields_are_accepted():
    record = bounce("app", "ep", "a@example.com")
    record["brand_new_field"] = {"x": 1}
    record["facets"]["email_channel"]["mail_event"]["bounce"]["new_detail"] = [1, 2]
    assert classified(record).kind == SUPPRESS


@pytest.mark.parametrize("timestamp", [10**16, -1])
def test_impossible_event_timestamp_is_quarantined_not_retried(timestamp):
    """Found by the fuzz test: a year-10000 timestamp used to fail the write forever."""
    record = bounce("app", "ep", "a@example.com", at_ms=timestamp)
    result = classified(record)
    assert result.kind == QUARANTINE and "event_timestamp" in result.reason
