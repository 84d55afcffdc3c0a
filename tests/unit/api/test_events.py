"""put_events: per-item statuses, app-event records, endpoint upserts, whole-call failures."""

from __future__ import annotations

import pytest
from api_fakes import APP, FakeRegistry, RecordingWriter

from engagement.api.events import EventsService
from engagement.models.errors import BadRequestException, InternalServerErrorException

EVENT = {
    "EventType": "purchase",
    "Timestamp": "2026-11-30T10:00:00Z",
    "Attributes": {"sku": "A-1"},
    "Metrics": {"price": 9.5},
    "Session": {"Id": "s-1", "StartTimestamp": "2026-11-30T09:59:00Z"},
    "AppPackageName": "com.example",
}


def put(service, batch):
    return service.put_events(ApplicationId=APP, EventsRequest={"BatchItem": batch})["EventsResponse"][
        "Results"
    ]


def test_each_event_and_endpoint_has_its_own_status_and_bad_events_do_not_sink_good_ones():
    registry, writer = FakeRegistry(), RecordingWriter()
    service = EventsService(registry=registry, writer=writer)
    results = put(
        service,
        {
            "e1": {
                "Endpoint": {"ChannelType": "EMAIL", "Address": "a@example.com"},
                "Events": {
                    "ok": EVENT,
                    "long": {**EVENT, "Attributes": {"k": "v" * 201}},
                    "when": {**EVENT, "Timestamp": "yesterday"},
                },
            }
        },
    )
    item = results["e1"]
    assert item["EndpointItemResponse"] == {"StatusCode": 202, "Message": "Accepted"}
    assert item["EventsItemResponse"]["ok"]["StatusCode"] == 202
    assert (
        item["EventsItemResponse"]["long"]["StatusCode"] == 400
        and "200" in item["EventsItemResponse"]["long"]["Message"]
    )
    assert item["EventsItemResponse"]["when"]["StatusCode"] == 400
    assert registry.updates[0]["EndpointRequest"]["Address"] == "a@example.com"
    (record,) = writer.records
    assert record["event_type"] == "purchase" and record["client"]["client_id"] == "e1"
    assert record["event_timestamp"] == 1796032800000
    assert record["session"] == {"session_id": "s-1", "start_timestamp": 1796032740000}
    assert record["application"]["package_name"] == "com.example"
    assert record["metrics"] == {"price": 9.5} and record["attributes"] == {"sku": "A-1"}


def test_an_empty_endpoint_is_not_written():
    registry = FakeRegistry()
    put(
        EventsService(registry=registry, writer=RecordingWriter()),
        {"e1": {"Endpoint": {}, "Events": {"a": EVENT}}},
    )
    assert registry.updates == []


def test_more_than_100_events_is_refused_whole():
    writer = RecordingWriter()
    events = {f"ev{n}": EVENT for n in range(101)}
    with pytest.raises(BadRequestException, match="101 events"):
        put(EventsService(registry=FakeRegistry(), writer=writer), {"e1": {"Endpoint": {}, "Events": events}})
    assert writer.records == []


def test_a_stream_outage_fails_the_call_so_the_caller_retries():
    service = EventsService(registry=FakeRegistry(), writer=RecordingWriter(fail=True))
    with pytest.raises(InternalServerErrorException):
        put(service, {"e1": {"Endpoint": {}, "Events": {"a": EVENT}}})


class RecordingJourneys:
    """Stands in for ``JourneyEntry``: what it was asked to admit, or a failure."""

    def __init__(self, fail: bool = False) -> None:
        self.requests: list[dict] = []
        self.fail = fail

    def put_events(self, *, ApplicationId, EventsRequest):  # noqa: N803
        if self.fail:
            raise RuntimeError("throttled")
        self.requests.append({"ApplicationId": ApplicationId, "EventsRequest": EventsRequest})


def test_event_journeys_get_the_accepted_events_only():
    journeys, writer = RecordingJourneys(), RecordingWriter()
    service = EventsService(registry=FakeRegistry(), writer=writer, journeys=journeys)
    put(service, {"e1": {"Endpoint": {}, "Events": {"ok": EVENT, "bad": {**EVENT, "Timestamp": "x"}}}})
    assert journeys.requests == [
        {"ApplicationId": APP, "EventsRequest": {"BatchItem": {"e1": {"Events": {"ok": EVENT}}}}}
    ]
    assert len(writer.records) == 1


def test_a_journey_entry_failure_fails_the_call_before_anything_reaches_the_stream():
    writer = RecordingWriter()
    service = EventsService(registry=FakeRegistry(), writer=writer, journeys=RecordingJourneys(fail=True))
    with pytest.raises(InternalServerErrorException, match="journeys not entered"):
        put(service, {"e1": {"Endpoint": {}, "Events": {"a": EVENT}}})
    assert writer.records == []  # the retry writes them once


def test_event_campaigns_match_the_record_put_events_streams():
    """EVENT campaigns read the stream: the record carries what their trigger reads."""
    from engagement.campaigns.triggers import compile_event_filter, records_from_events_request

    writer = RecordingWriter()
    put(
        EventsService(registry=FakeRegistry(), writer=writer),
        {"e1": {"Endpoint": {}, "Events": {"a": EVENT}}},
    )
    (record,) = writer.records
    dimensions = {
        "EventType": {"DimensionType": "INCLUSIVE", "Values": ["purchase"]},
        "Attributes": {"sku": {"AttributeType": "INCLUSIVE", "Values": ["A-1"]}},
        "Metrics": {"price": {"ComparisonOperator": "GREATER_THAN", "Value": 9.0}},
    }
    assert compile_event_filter({"Dimensions": dimensions})(record)
    assert not compile_event_filter({"Dimensions": {**dimensions, "EventType": {"Values": ["signup"]}}})(
        record
    )
    (expected,) = records_from_events_request(APP, {"BatchItem": {"e1": {"Events": {"a": EVENT}}}})
    for key, value in expected.items():
        if isinstance(value, dict):
            assert {k: record[key][k] for k in value} == value, key
        else:
            assert record[key] == value, key
