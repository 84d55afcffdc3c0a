"""Bad input is refused with a clear error naming the field, before anything is stored."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from campaign_fakes import APP, NOW, TEMPLATES, FakeSegments, campaign_body

from engagement.campaigns.definition import compile_campaign, inline_templates, validate_campaign
from engagement.models.errors import BadRequestException
from engagement.templating.stores import build_template_store


def check(body, **kwargs):
    validate_campaign(
        body,
        application_id=APP,
        segments=FakeSegments("seg-1"),
        templates=build_template_store(f"file://{TEMPLATES}"),
        now=NOW,
        **kwargs,
    )


def message_of(body) -> str:
    with pytest.raises(BadRequestException) as caught:
        check(body)
    return caught.value.message


def test_a_valid_campaign_passes():
    check(campaign_body(HoldoutPercent=10, AdditionalTreatments=[{"SizePercent": 45, "TreatmentName": "b"}]))


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"HoldoutPercent": "ten"}, "WriteCampaignRequest.HoldoutPercent"),  # botocore's model
        ({"SegmentId": "nope"}, "SegmentId: segment 'nope' not found"),
        ({"SegmentVersion": 7}, "version 7 of segment 'seg-1' not found"),
        (
            {"HoldoutPercent": 60, "AdditionalTreatments": [{"SizePercent": 45}]},
            "HoldoutPercent (60) + AdditionalTreatments SizePercent (45) = 105 is over 100",
        ),
        ({"AdditionalTreatments": [{"SizePercent": 10}] * 5}, "at most 4"),
        (
            {"Schedule": {"StartTime": "2026-11-30T00:00:00Z"}},
            "StartTime 2026-11-30T00:00:00Z is in the past",
        ),
        ({"Schedule": {"StartTime": "tomorrow"}}, "not an ISO 8601 timestamp"),
        ({"Schedule": {"StartTime": "IMMEDIATE", "Frequency": "DAILY"}}, "IMMEDIATE needs Frequency ONCE"),
        (
            {"Schedule": {"StartTime": "2026-12-02T00:00:00Z", "EndTime": "2026-12-01T13:00:00Z"}},
            "EndTime 2026-12-01T13:00:00Z is not after the start",
        ),
        ({"Schedule": {"StartTime": "2026-12-02T00:00:00Z", "Timezone": "Mars/Olympus"}}, "Timezone"),
        ({"Schedule": {"StartTime": "2026-12-02T00:00:00Z", "Frequency": "IN_APP_EVENT"}}, "not supported"),
        ({"Schedule": {"StartTime": "2026-12-02T00:00:00Z", "Frequency": "EVENT"}}, "EventFilter"),
        (
            {"Schedule": {"StartTime": "2026-12-02T00:00:00Z", "QuietTime": {"Start": "22:00"}}},
            "QuietTime needs both",
        ),
        ({"Limits": {"Daily": 101}}, "Limits.Daily must be 0-100"),
        ({"Limits": {"MaximumDuration": 30}}, "Limits.MaximumDuration must be >= 60"),
        (
            {"TemplateConfiguration": {"EmailTemplate": {"Name": "missing"}}},
            "EMAIL template 'missing' not found",
        ),
        ({"TemplateConfiguration": {}}, "no message"),
        (
            {"CustomDeliveryConfiguration": {"DeliveryUri": "arn:aws:lambda:us-east-1:1:function:x"}},
            "CustomMessage.Data is required",
        ),
        ({"TemplateConfiguration": {"PushTemplate": {"Name": "p"}}}, "PushTemplate cannot be delivered"),
        ({"Hook": {"LambdaFunctionName": "f", "Mode": "FILTER"}}, "Hook is not supported"),
        (
            {
                "CustomDeliveryConfiguration": {"DeliveryUri": "https://example.com/hook"},
                "MessageConfiguration": {"CustomMessage": {"Data": "x"}},
            },
            "DeliveryUri must be a Lambda function ARN",
        ),
    ],
)
def test_each_bad_request_names_its_field(change, expected):
    assert expected in message_of(campaign_body(**change))


def test_invalid_json_types_are_botocore_errors():
    message = message_of(campaign_body(Limits={"Daily": "1"}))
    assert "Invalid type for parameter WriteCampaignRequest.Limits.Daily" in message


def test_an_update_without_a_schedule_does_not_recheck_its_start():
    past = campaign_body(Schedule={"StartTime": "2026-11-30T00:00:00Z"})
    check(past, check_start=False)


def test_treatments_compile_in_allocation_order_and_inherit_what_they_leave_unset():
    response = {
        **campaign_body(
            HoldoutPercent=10,
            AdditionalTreatments=[{"SizePercent": 45, "TreatmentName": "b"}],
            CustomDeliveryConfiguration={"DeliveryUri": "arn:fn", "EndpointTypes": ["CUSTOM"]},
            MessageConfiguration={"CustomMessage": {"Data": "digest"}},
        ),
        "Id": "c1",
        "ApplicationId": APP,
        "Version": 2,
    }
    campaign = compile_campaign(response)
    assert [(t.id, t.name, t.size_percent) for t in campaign.treatments] == [
        ("0", "default", 45),
        ("1", "b", 45),
    ]
    assert campaign.treatments[1].deliveries == campaign.treatments[0].deliveries  # inherited
    assert campaign.treatments[0].deliveries[0].data == "digest"


def test_inline_message_bodies_become_versioned_templates():
    response = {
        **campaign_body(
            TemplateConfiguration=None,
            MessageConfiguration={
                "EmailMessage": {"Title": "Hi {{User.UserId}}", "HtmlBody": "<p>x</p>"},
                "SMSMessage": {"Body": "hi"},
            },
        ),
        "Id": "c1",
        "ApplicationId": APP,
        "Version": 3,
    }
    published = inline_templates(response)
    assert published == {
        "campaign-c1-v3-t0": {
            "EMAIL": {"Subject": "Hi {{User.UserId}}", "HtmlPart": "<p>x</p>"},
            "SMS": {"Body": "hi"},
        }
    }
    deliveries = compile_campaign(response).treatments[0].deliveries
    assert {json.loads(d.data)["template"] for d in deliveries} == {"campaign-c1-v3-t0"}


def test_campaign_timezone_and_quiet_time_are_parsed():
    response = {
        **campaign_body(
            Schedule={
                "StartTime": "2026-12-02T15:00:00Z",
                "Timezone": "UTC+05:30",
                "QuietTime": {"Start": "22:00", "End": "07:00"},
            }
        ),
        "Id": "c1",
        "ApplicationId": APP,
    }
    schedule = compile_campaign(response).schedule
    assert schedule.zone.utcoffset(None) == dt.timedelta(hours=5, minutes=30)
    assert (schedule.quiet_start, schedule.quiet_end) == (dt.time(22), dt.time(7))


def test_a_campaigns_sender_settings_travel_in_the_channels_data():
    """EmailMessage.FromAddress and SMSMessage.OriginationNumber (else SenderId) / MessageType reach
    the custom channel's Data, with a stored template as with inline content."""
    response = {
        **campaign_body(
            TemplateConfiguration={"EmailTemplate": {"Name": "welcome"}},
            MessageConfiguration={
                "EmailMessage": {"FromAddress": "News <news@example.com>"},
                "SMSMessage": {
                    "Body": "hi",
                    "SenderId": "ACME",
                    "MessageType": "PROMOTIONAL",
                    "EntityId": "11",
                },
            },
        ),
        "Id": "c1",
        "ApplicationId": APP,
        "Version": 1,
    }
    data = {d.channel_types: json.loads(d.data) for d in compile_campaign(response).treatments[0].deliveries}
    assert data[frozenset({"EMAIL"})] == {
        "template": "welcome",
        "channel": "EMAIL",
        "from_address": "News <news@example.com>",
    }
    assert data[frozenset({"SMS"})] == {
        "template": "campaign-c1-v1-t0",
        "channel": "SMS",
        "origination_identity": "ACME",
        "message_type": "PROMOTIONAL",
        "country_parameters": {"IN_ENTITY_ID": "11"},
    }
