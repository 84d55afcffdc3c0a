"""Payload parsing, the journey-split response, event records and metrics of a whole batch."""

from __future__ import annotations

import pytest
from channel_fakes import FakeContext, Metrics, batch, endpoint, make_channel
from hypothesis import given
from hypothesis import strategies as st

from engagement.channel.handle import InvalidPayloadError, handle_batch
from engagement.channel.outcome import DeliveryStatus, Outcome
from engagement.models.custom_channel import CustomChannelEvent


class Writer:
    def __init__(self, fail: bool = False) -> None:
        self.records: list[dict] = []
        self.fail = fail

    def put(self, records) -> None:
        if self.fail:
            raise RuntimeError("stream down")
        self.records.extend(records)


def run(raw, writer=None, channel=None):
    channel = channel or make_channel()[0]
    metrics = Metrics()
    response = handle_batch(channel, raw, FakeContext(), writer=writer or Writer(), metrics=metrics)
    return response, metrics.values


@pytest.mark.parametrize(
    ("data", "template", "channel"),
    [
        ("welcome", "welcome", None),
        ('{"template": "welcome", "channel": "sms"}', "welcome", "SMS"),
        ({"template": "welcome", "channel": "WEBHOOK"}, "welcome", "WEBHOOK"),
    ],
)
def test_data_is_a_template_name_or_a_json_object(data, template, channel):
    event = CustomChannelEvent.model_validate(batch({}, data=data))
    assert (event.Data.template, event.Data.channel) == (template, channel)


def test_journey_payload_keys_are_read_defensively():
    raw = batch({}, JourneyId="j1", JourneyActivityId="a1")
    raw["TreatmentId"] = 0
    event = CustomChannelEvent.model_validate(raw)
    assert event.is_journey and event.ActivityId == "a1"
    assert event.context_ids() == {
        "application_id": raw["ApplicationId"],
        "journey_id": "j1",
        "activity_id": "a1",
        "treatment_id": "0",
    }


def test_a_batch_over_50_endpoints_fails_each_endpoint_with_the_reason():
    raw = batch({f"e{i}": endpoint("EMAIL", f"u{i}@example.com") for i in range(51)})
    response, metrics = run(raw)
    assert len(response) == 51
    attributes = response["e0"]["EventAttributes"]
    assert attributes["delivery_status"] == "PERMANENT_FAILURE" and "invalid_payload" in attributes["reason"]
    assert metrics["Failed"] == 51


def test_data_that_is_not_json_fails_the_endpoints_not_the_call():
    response, _ = run(batch({"e1": endpoint("EMAIL", "a@example.com")}, data="{not json"))
    assert response["e1"]["EventAttributes"]["reason"].startswith("invalid_payload")


@pytest.mark.parametrize("raw", [None, [], {"Data": "x"}, {"Endpoints": []}])
def test_nothing_to_answer_for_raises(raw):
    with pytest.raises(InvalidPayloadError):
        run(raw)


def test_campaign_batch_writes_one_pinpoint_record_per_outcome_and_counts_metrics():
    writer = Writer()
    raw = batch(
        {"sent": endpoint("EMAIL", "a@example.com"), "out": endpoint("EMAIL", "b@example.com", OptOut="ALL")}
    )
    response, metrics = run(raw, writer)
    by_endpoint = {r["client"]["client_id"]: r for r in writer.records}
    sent, out = by_endpoint["sent"], by_endpoint["out"]
    assert sent["event_type"] == "_email.send"
    assert (
        sent["attributes"]["campaign_id"] == "camp1" and sent["attributes"]["campaign_activity_id"] == "act1"
    )
    assert (
        sent["facets"]["email_channel"]["mail_event"]["mail"]["message_id"]
        == response["sent"]["EventAttributes"]["message_id"]
    )
    assert "Address" not in sent["client_context"]["custom"]["endpoint"]
    assert out["event_type"] == "_campaign.send" and out["attributes"]["campaign_send_status"] == "OPTED_OUT"
    assert (metrics["Sent"], metrics["Skipped"], metrics["EventRecordsNotWritten"]) == (1, 1, 0)


def test_duplicates_get_no_second_record_and_a_stream_outage_does_not_fail_the_call():
    channel, _ = make_channel()
    raw = batch({"e1": endpoint("SMS", "+12065550111")})
    first = Writer()
    run(raw, first, channel)
    assert [r["event_type"] for r in first.records] == ["_SMS.BUFFERED"]
    response, metrics = run(raw, Writer(fail=True), channel)
    assert response["e1"]["EventAttributes"]["delivery_status"] == "DUPLICATE"
    assert metrics["Duplicate"] == 1 and metrics["EventRecordsNotWritten"] == 0
    response, metrics = run(batch({"e2": endpoint("SMS", "+12065550112")}), Writer(fail=True), channel)
    assert response["e2"]["EventAttributes"]["delivery_status"] == "SUCCESSFUL"
    assert metrics["EventRecordsNotWritten"] == 1


@given(reason=st.text(max_size=400), message_id=st.text(max_size=400))
def test_event_attributes_stay_within_pinpoint_limits(reason, message_id):
    attributes = Outcome(DeliveryStatus.PERMANENT_FAILURE, "EMAIL", message_id, reason).event_attributes()
    assert len(attributes) <= 5
    assert all(len(k) <= 128 and len(v) <= 128 for k, v in attributes.items())
    assert attributes["delivery_status"] == "PERMANENT_FAILURE"


def test_the_sms_record_names_the_message_type_as_pinpoint_does():
    writer = Writer()
    run(batch({"e1": endpoint("SMS", "+12065550111")}), writer)
    [record] = writer.records
    assert record["event_type"] == "_SMS.BUFFERED"
    assert record["attributes"]["message_type"] == "Transactional"  # reference §2: not TRANSACTIONAL
