"""Hostile endpoint data: a clear permanent failure for that endpoint, the others delivered and
reported, nothing reaching SES headers that could split them, no address in the logs."""

from __future__ import annotations

import logging

import pytest
from channel_fakes import FakeContext, Metrics, batch, endpoint, make_channel

from engagement.channel.handle import handle_batch
from engagement.channel.outcome import DeliveryStatus
from engagement.delivery.email import EmailMessage, EmailSender, header_text, list_unsubscribe_value
from engagement.delivery.errors import PermanentDeliveryError


class Writer:
    def __init__(self) -> None:
        self.records: list[dict] = []

    def put(self, records) -> None:
        import json

        for record in records:
            if len(json.dumps(record)) > 1024 * 1024:
                raise ValueError("Kinesis refuses a record over 1 MiB")
        self.records.extend(records)


def run(raw, channel=None):
    channel = channel or make_channel()[0]
    metrics, writer = Metrics(), Writer()
    response = handle_batch(channel, raw, FakeContext(), writer=writer, metrics=metrics)
    statuses = {
        k: (v["EventAttributes"]["delivery_status"], v["EventAttributes"].get("reason"))
        for k, v in response.items()
    }
    return statuses, writer.records, metrics.values


def deep(levels: int):
    value: object = "x"
    for _ in range(levels):
        value = {"a": value}
    return value


def test_a_deeply_nested_attribute_fails_its_endpoint_and_the_rest_are_delivered_and_recorded():
    raw = batch(
        {
            "deep": endpoint("EMAIL", "a@example.com", Attributes={"Deep": [deep(5000)]}),
            "ok": endpoint("EMAIL", "b@example.com"),
        }
    )
    statuses, records, metrics = run(raw)
    assert statuses == {"deep": ("PERMANENT_FAILURE", "invalid_endpoint"), "ok": ("SUCCESSFUL", None)}
    assert len(records) == 2 and metrics["EventRecordsNotWritten"] == 0


def test_an_empty_endpoint_id_is_a_permanent_failure_not_a_registry_problem():
    statuses, _, _ = run(
        batch({"": endpoint("EMAIL", "a@example.com"), " ": endpoint("SMS", "+12065550100")})
    )
    assert set(statuses.values()) == {("PERMANENT_FAILURE", "invalid_endpoint_id")}


@pytest.mark.parametrize("evil", ["Hi\r\nBcc: victim@example.com", "Hi\x00there", "Hi\u2028Bcc: x", "\n\r\t"])
def test_control_characters_never_reach_the_subject_header(evil):
    channel, fakes = make_channel()
    raw = batch(
        {
            "e1": endpoint(
                "EMAIL", "a@example.com", User={"UserId": "u", "UserAttributes": {"FirstName": [evil]}}
            )
        }
    )
    statuses, _, _ = run(raw, channel)
    assert statuses["e1"][0] == "SUCCESSFUL"
    subject = fakes["ses"].calls[0]["Content"]["Simple"]["Subject"]["Data"]
    assert not any(ch in subject for ch in "\r\n\x00\u2028")


def test_header_text_joins_lines_with_single_spaces():
    assert header_text("a\r\n\r\nb\x00c") == "a b c"


def test_list_unsubscribe_is_printable_ascii_and_bounded():
    value = list_unsubscribe_value("https://example.com/u?e=Zoë&n=a b\r\nX: y")
    assert value == "<https://example.com/u?e=Zo%C3%AB&n=a%20b%20X:%20y>"
    assert value.isascii() and value.isprintable()
    with pytest.raises(PermanentDeliveryError, match="invalid_unsubscribe_url"):
        list_unsubscribe_value("https://example.com/u?e=" + "x" * 1000)


def test_an_overlong_unsubscribe_url_fails_that_endpoint_permanently():
    channel, fakes = make_channel(unsubscribe_url=lambda context: "https://example.com/u?" + "x" * 2000)
    statuses, _, _ = run(batch({"e1": endpoint("EMAIL", "a@example.com")}), channel)
    assert statuses["e1"] == ("PERMANENT_FAILURE", "invalid_unsubscribe_url") and fakes["ses"].calls == []


def test_email_request_never_carries_a_raw_newline_in_headers():
    request = EmailSender(object(), "noreply@example.com").request(
        EmailMessage("a@example.com", "S\r\nX-Evil: 1", "<p>x</p>", None, {}, "https://e.com/\nx")
    )
    simple = request["Content"]["Simple"]
    assert "\n" not in simple["Subject"]["Data"]
    assert all("\n" not in header["Value"] for header in simple["Headers"])


def test_an_oversized_endpoint_is_recorded_without_its_attributes_and_the_batch_is_written():
    big = {f"A{i}": ["x" * 100] * 50 for i in range(250)}  # ~1.3 MB of attributes
    raw = batch({"big": endpoint("CUSTOM", "d1", Attributes=big), "small": endpoint("CUSTOM", "d2")})
    statuses, records, metrics = run(raw)
    assert {s for s, _ in statuses.values()} == {"SUCCESSFUL"}
    assert len(records) == 2 and metrics["EventRecordsNotWritten"] == 0
    trimmed = next(r for r in records if r["client"]["client_id"] == "big")
    assert "Attributes" not in trimmed["client_context"]["custom"]["endpoint"]


def test_a_partly_failed_stream_write_counts_only_what_was_not_written():
    class PartlyFailing:
        def put(self, records):
            error = RuntimeError("1 record(s) not written")
            error.failures = [{"record": records[0]}]
            raise error

    channel, _ = make_channel()
    metrics = Metrics()
    raw = batch({"e1": endpoint("CUSTOM", "d1"), "e2": endpoint("CUSTOM", "d2")})
    handle_batch(channel, raw, FakeContext(), writer=PartlyFailing(), metrics=metrics)
    assert metrics.values["EventRecordsNotWritten"] == 1


def test_invalid_payload_log_lines_mask_addresses(caplog):
    raw = batch({"mary@example.com": endpoint("EMAIL", "mary@example.com"), "+12065550123": {"Address": 5}})
    raw["Data"] = {"template": ""}
    with caplog.at_level(logging.ERROR):
        statuses, _, _ = run(raw)
    logged = " ".join(str(r.__dict__) for r in caplog.records)
    assert "mary@example.com" not in logged and "2065550123" not in logged
    assert all(status == "PERMANENT_FAILURE" for status, _ in statuses.values())
    assert not any("mary@example.com" in (reason or "") for _, reason in statuses.values())


def test_outcome_statuses_cover_unknown_failure():
    assert DeliveryStatus("UNKNOWN_FAILURE") is DeliveryStatus.UNKNOWN_FAILURE


def test_a_hung_event_stream_does_not_hold_the_response_past_the_deadline(monkeypatch):
    import threading

    monkeypatch.setattr("engagement.channel.handle.RESPONSE_MARGIN_S", 13.9)  # 0.1 s left to write
    release = threading.Event()

    class Hung:
        def put(self, records):
            release.wait(10)

    channel, _ = make_channel()
    metrics = Metrics()
    raw = batch({"e1": endpoint("CUSTOM", "d1")})
    response = handle_batch(channel, raw, FakeContext(), writer=Hung(), metrics=metrics)
    release.set()
    assert response["e1"]["EventAttributes"]["delivery_status"] == "SUCCESSFUL"
    assert metrics.values["EventRecordsNotWritten"] == 1


def test_endpoint_ids_that_are_addresses_are_masked_in_outcome_logs(caplog):
    raw = batch(
        {
            "mary@example.com": endpoint("EMAIL", "mary@example.com"),
            "+12065550123": endpoint("SMS", "+12065550123"),
        }
    )
    with caplog.at_level(logging.INFO):
        statuses, _, _ = run(raw)
    logged = " ".join(str(r.__dict__) for r in caplog.records)
    assert {s for s, _ in statuses.values()} == {"SUCCESSFUL"}
    assert "mary@example.com" not in logged and "2065550123" not in logged
    assert "m***@example.com" in logged
