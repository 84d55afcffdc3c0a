"""The consumer's batch behaviour: coalescing, fan-out, soft bounces, failures, Pinpoint mode."""

from __future__ import annotations

import boto3
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from engagement.endpoints import PinpointEndpointRegistry
from engagement.events.kinesis import lambda_event
from engagement.suppression.apply import Suppressor
from engagement.suppression.policy import SuppressionPolicy
from local.demo_stream import DAY_MS, SENT_MS, bounce, complaint, delivered, sms, unsubscribe


def throttled(operation: str = "UpdateEndpointsBatch") -> ClientError:
    return ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, operation)


def test_many_events_for_one_address_make_one_registry_write(registry, make_consumer):
    registry.add("app", "ep1", "EMAIL", "a@example.com")
    records = [bounce("app", "ep1", "a@example.com") for _ in range(50)]
    records += [complaint("app", "ep1", "A@Example.com") for _ in range(50)]
    outcome = make_consumer().process(lambda_event(records)["Records"])
    assert registry.calls["update_endpoints_batch"] == 1
    assert outcome.registry_writes == 1 and not outcome.failed
    assert registry.endpoint("app", "ep1")["OptOut"] == "ALL"


def test_the_address_lookup_asks_the_registry_to_leave_out_user_attributes(registry, make_consumer):
    """Opting out needs ids, status and OptOut only: one DynamoDB call fewer per address."""
    registry.add("app", "ep1", "EMAIL", "a@example.com")
    make_consumer().process(lambda_event([bounce("app", "ep1", "a@example.com")])["Records"])
    assert registry.asked_user_attributes == [False]


def test_fan_out_to_every_endpoint_with_the_same_channel_and_address(registry, make_consumer):
    registry.add("app", "ep1", "EMAIL", "shared@example.com")
    registry.add("app", "ep2", "EMAIL", "SHARED@example.com", status="INACTIVE")
    registry.add("app", "other", "EMAIL", "other@example.com")
    registry.add("app", "sms", "SMS", "+12065550100")
    registry.add("app2", "ep1", "EMAIL", "shared@example.com")
    make_consumer().process(lambda_event([unsubscribe("app", "ep1", "shared@example.com")])["Records"])
    assert registry.endpoint("app", "ep1")["OptOut"] == "ALL"
    assert registry.endpoint("app", "ep2")["OptOut"] == "ALL"
    assert registry.endpoint("app", "ep2")["EndpointStatus"] == "INACTIVE"  # not reactivated
    assert registry.endpoint("app", "ep1")["Attributes"]["OptOutReason"] == ["unsubscribe"]
    assert registry.endpoint("app", "ep1")["Attributes"]["OptOutAt"][0].startswith("2026-")
    assert [
        registry.endpoint(a, e)["OptOut"] for a, e in [("app", "other"), ("app", "sms"), ("app2", "ep1")]
    ] == ["NONE", "NONE", "NONE"]


def test_endpoint_only_event_fans_out_through_the_endpoints_address(registry, make_consumer):
    registry.add("app", "ep1", "SMS", "+12065550100")
    registry.add("app", "ep2", "SMS", "+1 206 555 0100")
    record = sms("app", "ep1", "+12065550100")
    del record["attributes"]["destination_phone_number"]
    make_consumer().process(lambda_event([record])["Records"])
    assert registry.endpoint("app", "ep2")["OptOut"] == "ALL"


def test_already_opted_out_endpoints_are_not_rewritten(registry, make_consumer):
    registry.add("app", "ep1", "EMAIL", "a@example.com")
    consumer = make_consumer()
    consumer.process(lambda_event([complaint("app", "ep1", "a@example.com")])["Records"])
    consumer.process(lambda_event([bounce("app", "ep1", "a@example.com")])["Records"])  # later, other reason
    assert registry.written["ep1"] == 1
    assert registry.endpoint("app", "ep1")["Attributes"]["OptOutReason"] == ["complaint"]  # the first "why"


def test_soft_bounces_suppress_at_the_threshold_within_the_window(registry, make_consumer):
    registry.add("app", "ep1", "EMAIL", "s@example.com")
    consumer = make_consumer()
    first_two = [
        bounce("app", "ep1", "s@example.com", permanent=False, at_ms=SENT_MS + i * DAY_MS) for i in range(2)
    ]
    consumer.process(lambda_event(first_two)["Records"])
    assert registry.endpoint("app", "ep1")["OptOut"] == "NONE"
    third = bounce("app", "ep1", "s@example.com", permanent=False, at_ms=SENT_MS + 2 * DAY_MS)
    consumer.process(lambda_event([third], first_sequence=10)["Records"])
    assert registry.endpoint("app", "ep1")["OptOut"] == "ALL"
    assert registry.endpoint("app", "ep1")["Attributes"]["OptOutReason"] == ["softbounce"]


def test_redelivered_soft_bounces_are_counted_once(registry, make_consumer):
    registry.add("app", "ep1", "EMAIL", "s@example.com")
    consumer = make_consumer()
    event = lambda_event(
        [bounce("app", "ep1", "s@example.com", permanent=False, at_ms=SENT_MS + i) for i in range(2)]
    )
    for _ in range(3):  # Kinesis re-sends the same records
        consumer.process(event["Records"])
    assert registry.endpoint("app", "ep1")["OptOut"] == "NONE"


def test_soft_bounces_outside_the_window_do_not_add_up(registry, make_consumer):
    registry.add("app", "ep1", "EMAIL", "s@example.com")
    spread = [
        bounce("app", "ep1", "s@example.com", permanent=False, at_ms=SENT_MS + i * 8 * DAY_MS)
        for i in range(3)
    ]
    make_consumer().process(lambda_event(spread)["Records"])
    assert registry.endpoint("app", "ep1")["OptOut"] == "NONE"


def test_threshold_and_window_are_settings(registry, make_consumer):
    registry.add("app", "ep1", "EMAIL", "s@example.com")
    policy = SuppressionPolicy(softbounce_threshold=1)
    make_consumer(policy).process(
        lambda_event([bounce("app", "ep1", "s@example.com", permanent=False)])["Records"]
    )
    assert registry.endpoint("app", "ep1")["OptOut"] == "ALL"


class FailingFor:
    """Raise ``error`` on writes for the given address; everything else goes through."""

    finds_by_address = True

    def __init__(self, inner, address: str, error: Exception):
        self.inner, self.address, self.error = inner, address, error

    def find_endpoints_by_address(self, app, channel, address, **options):
        return self.inner.find_endpoints_by_address(app, channel, address, **options)

    def get_endpoint(self, **kwargs):
        return self.inner.get_endpoint(**kwargs)

    def update_endpoints_batch(self, *, ApplicationId, EndpointBatchRequest):  # noqa: N803
        ids = {item["Id"] for item in EndpointBatchRequest["Item"]}
        if any(self.inner.endpoint(ApplicationId, i)["Address"] == self.address for i in ids):
            raise self.error
        return self.inner.update_endpoints_batch(
            ApplicationId=ApplicationId, EndpointBatchRequest=EndpointBatchRequest
        )


def test_transient_failure_reports_only_the_records_of_the_failed_write(registry, make_consumer):
    registry.add("app", "ok", "EMAIL", "ok@example.com")
    registry.add("app", "bad", "EMAIL", "bad@example.com")
    consumer = make_consumer(reg=FailingFor(registry, "bad@example.com", throttled()))
    event = lambda_event(
        [
            bounce("app", "ok", "ok@example.com"),
            bounce("app", "bad", "bad@example.com"),
            complaint("app", "bad", "bad@example.com"),
            delivered("app", "ok", "ok@example.com"),
        ]
    )
    response = consumer.handle(event)
    sequence = [r["kinesis"]["sequenceNumber"] for r in event["Records"]]
    assert response == {
        "batchItemFailures": [{"itemIdentifier": sequence[1]}, {"itemIdentifier": sequence[2]}]
    }
    assert registry.endpoint("app", "ok")["OptOut"] == "ALL"


def test_whole_batch_failing_raises_so_lambda_retries_and_bisects(registry, make_consumer):
    registry.add("app", "bad", "EMAIL", "bad@example.com")
    consumer = make_consumer(reg=FailingFor(registry, "bad@example.com", throttled()))
    with pytest.raises(BatchProcessingError):
        consumer.handle(lambda_event([bounce("app", "bad", "bad@example.com")]))


def test_permanent_registry_error_quarantines_the_records(registry, make_consumer):
    registry.add("app", "bad", "EMAIL", "bad@example.com")
    rejected = ClientError(
        {"Error": {"Code": "BadRequestException", "Message": "nope"}}, "UpdateEndpointsBatch"
    )
    consumer = make_consumer(reg=FailingFor(registry, "bad@example.com", rejected))
    event = lambda_event([bounce("app", "bad", "bad@example.com")])
    assert consumer.handle(event) == {"batchItemFailures": []}
    [entry] = consumer.quarantine.entries
    assert "BadRequestException" in entry.reason and entry.record is event["Records"][0]


def test_unknown_endpoint_without_address_is_processed_with_a_warning_metric(registry, make_consumer):
    outcome = make_consumer().process(lambda_event([sms("app", "ghost", "")])["Records"])
    assert not outcome.failed and not outcome.quarantined
    assert outcome.metrics["SuppressionTargetMissing"] == 1


def test_quarantine_queue_unavailable_means_retry_not_loss(registry, make_consumer):
    consumer = make_consumer()

    class Down:
        def put(self, entries):
            return {entry.event_id for entry in entries}

    consumer.quarantine = Down()
    event = lambda_event([b"not json", delivered("app", "ep", "a@example.com")])
    response = consumer.handle(event)
    assert response == {
        "batchItemFailures": [{"itemIdentifier": event["Records"][0]["kinesis"]["sequenceNumber"]}]
    }


def test_pinpoint_mode_opts_out_the_client_id_only_keeping_its_status(make_consumer):
    client = boto3.client("pinpoint", region_name="us-east-1")
    endpoint = {
        "Id": "ep1",
        "ApplicationId": "app",
        "ChannelType": "EMAIL",
        "Address": "a@example.com",
        "EndpointStatus": "INACTIVE",
        "OptOut": "NONE",
    }
    registry = PinpointEndpointRegistry(client)
    with Stubber(client) as stub:
        stub.add_response(
            "get_endpoint", {"EndpointResponse": endpoint}, {"ApplicationId": "app", "EndpointId": "ep1"}
        )
        stub.add_response(
            "update_endpoint",
            {"MessageBody": {"Message": "Accepted"}},
            {
                "ApplicationId": "app",
                "EndpointId": "ep1",
                "EndpointRequest": {
                    "OptOut": "ALL",
                    "EndpointStatus": "INACTIVE",
                    "Attributes": {"OptOutReason": ["hardbounce"], "OptOutAt": ["2026-11-18T11:06:40.000Z"]},
                },
            },
        )
        outcome = make_consumer(reg=registry).process(
            lambda_event([bounce("app", "ep1", "a@example.com")])["Records"]
        )
        stub.assert_no_pending_responses()
    assert not outcome.failed and outcome.metrics["EndpointsOptedOut"] == 1


def test_ses_account_suppression_list_is_optional(registry, make_consumer):
    registry.add("app", "ep1", "EMAIL", "a@example.com")
    ses = boto3.client("sesv2", region_name="us-east-1")
    consumer = make_consumer()
    consumer.suppressor = Suppressor(registry, ses_client=ses, ses_account_suppression=True)
    with Stubber(ses) as stub:
        stub.add_response(
            "put_suppressed_destination", {}, {"EmailAddress": "a@example.com", "Reason": "BOUNCE"}
        )
        outcome = consumer.process(lambda_event([bounce("app", "ep1", "a@example.com")])["Records"])
        stub.assert_no_pending_responses()
    assert outcome.metrics["SesSuppressed"] == 1


def multi_recipient_soft_bounce(app: str, addresses: list[str], at_ms: int) -> dict:
    record = bounce(app, "", addresses[0], permanent=False, at_ms=at_ms)
    mail_event = record["facets"]["email_channel"]["mail_event"]
    mail_event["bounce"]["bounced_recipients"] = [{"email_address": a} for a in addresses]
    mail_event["mail"]["destination"] = list(addresses)
    record["client"]["client_id"] = ""
    return record


def test_multi_recipient_soft_bounce_counts_against_each_recipient(registry, make_consumer):
    """Recipient b bounced three times, a once: b is opted out, a is not (not the other way round)."""
    registry.add("app", "a", "EMAIL", "a@example.com")
    registry.add("app", "b", "EMAIL", "b@example.com")
    records = [
        bounce("app", "b", "b@example.com", permanent=False, at_ms=SENT_MS + i * DAY_MS) for i in (0, 1)
    ]
    records.append(
        multi_recipient_soft_bounce("app", ["a@example.com", "b@example.com"], SENT_MS + 2 * DAY_MS)
    )
    outcome = make_consumer().process(lambda_event(records)["Records"])
    assert not outcome.failed and not outcome.quarantined
    assert registry.endpoint("app", "b")["OptOut"] == "ALL"
    assert registry.endpoint("app", "a")["OptOut"] == "NONE"


def test_a_record_nested_thousands_deep_is_quarantined_and_the_batch_goes_on(registry, make_consumer):
    registry.add("app", "ep1", "EMAIL", "a@example.com")
    deep = b'{"event_type": "_email.hardbounce", "x": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    in_endpoint = bounce("app", "ep1", "a@example.com")
    in_endpoint["client_context"] = {"custom": {"endpoint": "[" * 5000 + "]" * 5000}}
    consumer = make_consumer()
    event = lambda_event([deep, in_endpoint])
    assert consumer.handle(event) == {"batchItemFailures": []}
    assert list(consumer.last_outcome.quarantined) == [event["Records"][0]["eventID"]]
    assert registry.endpoint("app", "ep1")["OptOut"] == "ALL"


def test_many_addresses_share_registry_writes_and_one_failing_address_spares_the_rest(
    registry, make_consumer
):
    for i in range(150):
        registry.add("app", f"e{i}", "EMAIL", f"u{i}@example.com")
        registry.add("app", f"t{i}", "EMAIL", f"U{i}@example.com", status="INACTIVE")
    records = [bounce("app", f"e{i}", f"u{i}@example.com") for i in range(150)]
    consumer = make_consumer(reg=FailingFor(registry, "u7@example.com", throttled()))
    outcome = consumer.process(lambda_event(records)["Records"])
    assert set(outcome.failed) == {lambda_event(records)["Records"][7]["eventID"]}
    opted = [i for i in range(150) if registry.endpoint("app", f"e{i}")["OptOut"] == "ALL"]
    assert len(opted) == 149 and 7 not in opted
    assert registry.endpoint("app", "t3")["EndpointStatus"] == "INACTIVE"
    # 300 endpoints in requests of <= 100 items; the failing one's request is retried per address
    assert registry.calls["update_endpoints_batch"] == 2 + 49
