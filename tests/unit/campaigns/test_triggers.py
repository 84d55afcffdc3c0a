"""EVENT campaigns: EventFilter matching, the segment check, the five-minute rule, one run per event."""

from __future__ import annotations

import datetime as dt

import pytest
from botocore.exceptions import ClientError
from campaign_fakes import APP, NOW, Harness, campaign_body, endpoint
from moto import mock_aws

from engagement.campaigns.triggers import EventCampaigns, compile_event_filter

FILTER = {
    "FilterType": "ENDPOINT",
    "Dimensions": {
        "EventType": {"DimensionType": "INCLUSIVE", "Values": ["Purchase"]},
        "Attributes": {"plan": {"AttributeType": "INCLUSIVE", "Values": ["pro"]}},
        "Metrics": {"amount": {"ComparisonOperator": "GREATER_THAN_OR_EQUAL", "Value": 10}},
    },
}


def record(endpoint_id="e1", event_type="Purchase", age_s=0, **fields):
    stamp = NOW - dt.timedelta(seconds=age_s)
    return {
        "event_type": event_type,
        "event_timestamp": int(stamp.timestamp() * 1000),
        "application": {"app_id": APP},
        "client": {"client_id": endpoint_id},
        "attributes": {"plan": "pro"},
        "metrics": {"amount": 12.0},
        **fields,
    }


@pytest.mark.parametrize(
    ("change", "matches"),
    [
        ({}, True),
        ({"event_type": "purchase"}, False),  # event types compare case-sensitively
        ({"attributes": {"plan": "free"}}, False),
        ({"metrics": {"amount": 9.5}}, False),
        ({"metrics": {}}, False),
    ],
)
def test_event_filter_dimensions(change, matches):
    assert compile_event_filter(FILTER)({**record(), **change}) is matches


class Registry:
    def __init__(self, endpoints):
        self.endpoints = endpoints

    def get_endpoint(self, *, ApplicationId, EndpointId):  # noqa: N803
        if EndpointId not in self.endpoints:
            raise ClientError({"Error": {"Code": "NotFoundException", "Message": "x"}}, "GetEndpoint")
        return {"EndpointResponse": self.endpoints[EndpointId]}


class Segments:
    """A dynamic segment of EMAIL endpoints."""

    definition = {
        "Dimensions": {"Demographic": {"Channel": {"DimensionType": "INCLUSIVE", "Values": ["EMAIL"]}}}
    }

    def get_segment_version(self, **_):
        return {"SegmentResponse": self.definition}

    def resolve(self, application_id, segment_id, version=None):  # SegmentStore.resolve
        return self.definition, {}


@pytest.fixture
def harness(tmp_path):
    with mock_aws():
        h = Harness([], tmp_path=tmp_path)
        h.services.registry = Registry({"e1": endpoint("e1"), "phone": endpoint("phone", "SMS")})
        yield h


def event_campaign(h, **overrides):
    schedule = {"StartTime": "2026-12-01T11:00:00Z", "Frequency": "EVENT", "EventFilter": FILTER}
    h.now = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)  # created before it starts
    created = h.create(campaign_body(Schedule=schedule, **overrides))
    h.now = NOW
    return created


def test_a_matching_event_runs_the_campaign_for_its_endpoint_once(harness):
    campaign = event_campaign(harness)
    triggers = EventCampaigns(harness.services, segments=Segments())
    counters = triggers.handle([record(), record(event_type="_email.send"), record(event_type="Browse")])
    assert counters == {"MATCHED": 1, "SENT": 1}
    assert [m.to for _, m in harness.email.sent] == ["e1@example.com"]
    again = triggers.handle([record()])  # the same event delivered twice: the same run
    assert again == {"MATCHED": 1, "COMPLETED": 1} and len(harness.email.sent) == 1
    activities = harness.store.get_campaign_activities(ApplicationId=APP, CampaignId=campaign["Id"])
    assert len(activities["ActivitiesResponse"]["Item"]) == 1


def test_old_events_unknown_endpoints_and_non_members_do_not_send(harness):
    event_campaign(harness)
    triggers = EventCampaigns(harness.services, segments=Segments())
    counters = triggers.handle([record(age_s=301), record("ghost"), record("phone")])
    assert counters == {"MATCHED": 3, "EXPIRED": 1, "ENDPOINT_NOT_FOUND": 1, "FILTERED_OUT_BY_SEGMENT": 1}
    assert not harness.email.sent


class SegmentOnABase(Segments):
    """A dynamic segment built on an imported base segment whose only member is ``phone``."""

    definition = {
        "SegmentGroups": {
            "Include": "ALL",
            "Groups": [{"SourceSegments": [{"Id": "imported-base"}], "SourceType": "ANY", "Type": "ALL"}],
        }
    }

    def resolve(self, application_id, segment_id, version=None):
        return self.definition, {"imported-base": {"phone"}}


def test_membership_includes_the_segments_base_segments(harness):
    event_campaign(harness)
    triggers = EventCampaigns(harness.services, segments=SegmentOnABase())
    assert triggers.handle([record()]) == {"MATCHED": 1, "FILTERED_OUT_BY_SEGMENT": 1}
    assert not harness.email.sent


def test_paused_event_campaigns_are_not_considered(harness):
    event_campaign(harness, IsPaused=True)
    assert EventCampaigns(harness.services).handle([record()]) == {}


def test_put_events_requests_are_read_as_stream_records(harness):
    from engagement.campaigns.triggers import records_from_events_request

    event_campaign(harness)
    request = {
        "BatchItem": {
            "e1": {
                "Endpoint": {},
                "Events": {
                    "evt-1": {
                        "EventType": "Purchase",
                        "Timestamp": "2026-12-01T11:59:00Z",
                        "Attributes": {"plan": "pro"},
                        "Metrics": {"amount": 50},
                    }
                },
            }
        }
    }
    records = records_from_events_request(APP, request)
    assert records[0]["client"]["client_id"] == "e1" and records[0]["metrics"] == {"amount": 50}
    assert EventCampaigns(harness.services).handle(records) == {"MATCHED": 1, "SENT": 1}
