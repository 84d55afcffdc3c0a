"""The per-endpoint pipeline: channels, exactly once, skips, bad input, deadline."""

from __future__ import annotations

import itertools

from channel_fakes import FakeRegistry, batch, client_error, endpoint, make_channel

from engagement.channel.outcome import DeliveryStatus
from engagement.models.custom_channel import CustomChannelEvent

PLENTY = lambda: 14_000  # noqa: E731 - ms left, far from the deadline


def deliver(channel, raw, remaining=PLENTY):
    return channel.deliver(CustomChannelEvent.model_validate(raw), remaining)


def test_each_channel_sends_the_rendered_template_to_its_endpoint():
    channel, fakes = make_channel()
    raw = batch(
        {
            "e-mail": endpoint("EMAIL", "ana@example.com", Location={"City": "Lisbon"}),
            "e-sms": endpoint("SMS", "+351912345678"),
            "e-app": endpoint("CUSTOM", "device-1"),
        }
    )
    outcomes = deliver(channel, raw)

    assert {k: o.status for k, o in outcomes.items()} == dict.fromkeys(outcomes, DeliveryStatus.SUCCESSFUL)
    (email,) = fakes["ses"].calls
    assert email["Destination"] == {"ToAddresses": ["ana@example.com"]}
    assert email["Content"]["Simple"]["Subject"]["Data"] == "Welcome, Ana!"
    assert "Lisbon" in email["Content"]["Simple"]["Body"]["Html"]["Data"]
    assert {t["Name"]: t["Value"] for t in email["EmailTags"]}["endpoint_id"] == "e-mail"
    (sms,) = fakes["sms"].calls
    assert sms["MessageBody"] == "Hi Ana, welcome aboard."
    assert sms["Context"]["campaign_id"] == "camp1"
    (hook,) = fakes["hook"].payloads
    assert hook["endpoint_id"] == "e-app" and hook["message"]["body"] == "Hi Ana, welcome aboard."


def test_a_repeated_batch_sends_nothing_twice_and_reports_duplicates_with_the_first_id():
    channel, fakes = make_channel()
    raw = batch({"e1": endpoint("EMAIL", "a@example.com"), "e2": endpoint("SMS", "+12065550111")})
    first = deliver(channel, raw)
    second = deliver(channel, raw)

    assert len(fakes["ses"].calls) == 1 and len(fakes["sms"].calls) == 1
    assert {o.status for o in second.values()} == {DeliveryStatus.DUPLICATE}
    assert {k: o.message_id for k, o in second.items()} == {k: o.message_id for k, o in first.items()}


def test_another_activity_or_schedule_is_a_new_send():
    channel, fakes = make_channel()
    deliver(channel, batch({"e1": endpoint("EMAIL", "a@example.com")}))
    again = batch({"e1": endpoint("EMAIL", "a@example.com")})
    again["ScheduledTime"] = "2026-11-02T10:00:00.000Z"
    assert deliver(channel, again)["e1"].status is DeliveryStatus.SUCCESSFUL
    assert len(fakes["ses"].calls) == 2


def test_a_throttled_send_is_retried_inside_the_invocation():
    channel, fakes = make_channel()
    fakes["ses"].errors.append(client_error("TooManyRequestsException", 429))
    outcome = deliver(channel, batch({"e1": endpoint("EMAIL", "a@example.com")}))["e1"]
    assert outcome.status is DeliveryStatus.SUCCESSFUL and len(fakes["ses"].calls) == 1


def test_a_temporary_failure_is_not_recorded_so_the_retry_sends():
    channel, fakes = make_channel()
    fakes["ses"].errors.extend([client_error("TooManyRequestsException", 429)] * 3)
    raw = batch({"e1": endpoint("EMAIL", "a@example.com")})
    assert deliver(channel, raw)["e1"].status is DeliveryStatus.TEMPORARY_FAILURE
    retry = deliver(channel, raw)["e1"]
    assert retry.status is DeliveryStatus.SUCCESSFUL and len(fakes["ses"].calls) == 1


def test_a_permanent_provider_failure_stays_with_its_endpoint():
    channel, fakes = make_channel()
    fakes["ses"].errors.append(client_error("MessageRejected"))
    outcomes = deliver(channel, batch({"bad": endpoint("EMAIL", "a@example.com")}))
    assert outcomes["bad"].status is DeliveryStatus.PERMANENT_FAILURE
    assert outcomes["bad"].reason == "MessageRejected"


def test_opted_out_and_inactive_endpoints_are_skipped_as_the_payload_says():
    channel, fakes = make_channel()
    raw = batch(
        {
            "out": endpoint("EMAIL", "a@example.com", OptOut="ALL"),
            "gone": endpoint("EMAIL", "b@example.com", EndpointStatus="INACTIVE"),
        }
    )
    outcomes = deliver(channel, raw)
    assert outcomes["out"].status is DeliveryStatus.OPTED_OUT
    assert outcomes["gone"].status is DeliveryStatus.INACTIVE
    assert fakes["ses"].calls == []


def test_an_opt_out_newer_than_the_payload_is_honoured_from_the_registry():
    registry = FakeRegistry({"e1": {"Id": "e1", "OptOut": "ALL", "EndpointStatus": "ACTIVE"}})
    channel, fakes = make_channel(registry=registry)
    outcome = deliver(channel, batch({"e1": endpoint("EMAIL", "a@example.com")}))["e1"]
    assert (outcome.status, outcome.reason) == (DeliveryStatus.OPTED_OUT, "opted_out_in_registry")
    assert fakes["ses"].calls == []


def test_an_unavailable_registry_is_a_temporary_failure_not_a_blind_send():
    channel, fakes = make_channel(registry=FakeRegistry(fail=True))
    outcome = deliver(channel, batch({"e1": endpoint("EMAIL", "a@example.com")}))["e1"]
    assert (outcome.status, outcome.reason) == (DeliveryStatus.TEMPORARY_FAILURE, "registry_unavailable")
    assert fakes["ses"].calls == []


def test_bad_endpoints_fail_alone_with_a_clear_reason():
    channel, fakes = make_channel()
    raw = batch(
        {
            "no-address": endpoint("EMAIL", None),
            "bad-email": endpoint("EMAIL", "not-an-email"),
            "bad-phone": endpoint("SMS", "555-0100"),
            "voice": endpoint("VOICE", "+12065550103"),
            "ok": endpoint("EMAIL", "ok@example.com"),
        }
    )
    outcomes = deliver(channel, raw)
    reasons = {k: (o.status, o.reason) for k, o in outcomes.items()}
    failed = DeliveryStatus.PERMANENT_FAILURE
    assert reasons == {
        "no-address": (failed, "missing_address"),
        "bad-email": (failed, "invalid_address"),
        "bad-phone": (failed, "invalid_address"),
        "voice": (failed, "unsupported_channel"),
        "ok": (DeliveryStatus.SUCCESSFUL, ""),
    }
    assert [c["Destination"]["ToAddresses"] for c in fakes["ses"].calls] == [["ok@example.com"]]


def test_a_missing_template_fails_every_endpoint_permanently_and_sends_nothing():
    channel, fakes = make_channel()
    outcomes = deliver(channel, batch({"e1": endpoint("EMAIL", "a@example.com")}, data="no_such_template"))
    assert (outcomes["e1"].status, outcomes["e1"].reason) == (
        DeliveryStatus.PERMANENT_FAILURE,
        "template_not_found",
    )
    assert fakes["ses"].calls == []


def test_a_template_failing_for_one_endpoint_leaves_the_others_and_can_be_retried():
    channel, _ = make_channel()
    raw = batch(
        {
            "bad-date": endpoint("EMAIL", "a@example.com", Attributes={"Birthday": ["soon"]}),
            "good": endpoint("EMAIL", "b@example.com", Attributes={"Birthday": ["1990-04-02"]}),
        },
        data={"template": "channel_birthday"},
    )
    outcomes = deliver(channel, raw)
    assert (outcomes["bad-date"].status, outcomes["bad-date"].reason) == (
        DeliveryStatus.PERMANENT_FAILURE,
        "rendering_failure",
    )
    assert outcomes["good"].status is DeliveryStatus.SUCCESSFUL
    # the failure left no record: after fixing the data the endpoint can still get its message
    raw["Endpoints"]["bad-date"]["Attributes"] = {"Birthday": ["1991-01-01"]}
    assert deliver(channel, raw)["bad-date"].status is DeliveryStatus.SUCCESSFUL


def test_webhook_channel_sends_every_endpoint_through_the_webhook_with_a_stable_key():
    channel, fakes = make_channel()
    raw = batch(
        {"e1": endpoint("EMAIL", "a@example.com"), "e2": endpoint("SMS", "+12065550111")},
        data='{"template": "channel_welcome", "channel": "webhook"}',
        JourneyId="j1",
        ActivityId="act9",
    )
    deliver(channel, raw)
    payloads = {p["endpoint_id"]: p for p in fakes["hook"].payloads}
    assert payloads["e1"]["message"]["subject"] == "Welcome, Ana!"
    assert payloads["e2"]["message"]["body"] == "Hi Ana, welcome aboard."
    assert payloads["e1"]["journey_id"] == "j1" and "campaign_id" not in payloads["e1"]
    assert fakes["ses"].calls == [] and fakes["sms"].calls == []
    keys = {p["idempotency_key"] for p in fakes["hook"].payloads}
    assert len(keys) == 2


def test_explicit_channel_must_match_the_endpoint():
    channel, _ = make_channel()
    raw = batch(
        {"e1": endpoint("SMS", "+12065550111")}, data={"template": "channel_welcome", "channel": "EMAIL"}
    )
    assert deliver(channel, raw)["e1"].reason == "channel_mismatch"


def test_past_the_deadline_no_send_starts_and_the_rest_are_temporary_failures():
    channel, fakes = make_channel(max_workers=1)
    clock = itertools.count(start=8000, step=-500)  # each look at the clock costs half a second
    raw = batch({f"e{i}": endpoint("EMAIL", f"u{i}@example.com") for i in range(6)})
    outcomes = deliver(channel, raw, remaining=lambda: next(clock))
    statuses = [o.status for o in outcomes.values()]
    assert DeliveryStatus.SUCCESSFUL in statuses
    late = [o for o in outcomes.values() if o.status is DeliveryStatus.TEMPORARY_FAILURE]
    assert late and {o.reason for o in late} == {"deadline"}
    assert len(fakes["ses"].calls) == statuses.count(DeliveryStatus.SUCCESSFUL)
    # the endpoints cut off are not recorded: a retry in time sends exactly those
    retry = deliver(channel, raw)
    assert {k for k, o in retry.items() if o.status is DeliveryStatus.SUCCESSFUL} == {
        k for k, o in outcomes.items() if o.status is DeliveryStatus.TEMPORARY_FAILURE
    }
    assert len(fakes["ses"].calls) == 6


def test_endpoints_are_delivered_concurrently():
    import threading
    import time

    channel, fakes = make_channel(max_workers=8)
    in_flight, peak, lock = [0], [0], threading.Lock()
    hook = fakes["hook"]
    original = hook.send

    def slow_send(payload, **kwargs):
        with lock:
            in_flight[0] += 1
            peak[0] = max(peak[0], in_flight[0])
        time.sleep(0.02)
        with lock:
            in_flight[0] -= 1
        return original(payload, **kwargs)

    hook.send = slow_send
    deliver(channel, batch({f"e{i}": endpoint("CUSTOM", f"d{i}") for i in range(16)}))
    assert peak[0] > 1 and len(hook.payloads) == 16


def test_datas_sender_settings_are_the_sends_from_address_origination_and_message_type():
    channel, fakes = make_channel()
    data = (
        '{"template": "channel_welcome", "from_address": "News <news@example.com>",'
        ' "origination_identity": "ACME", "message_type": "promotional",'
        ' "country_parameters": {"IN_TEMPLATE_ID": "2202"}}'
    )
    raw = batch(
        {"e-mail": endpoint("EMAIL", "ana@example.com"), "e-sms": endpoint("SMS", "+351912345678")}, data
    )
    outcomes = deliver(channel, raw)
    assert outcomes["e-mail"].details["from"] == "News <news@example.com>"
    assert outcomes["e-sms"].details["origination"] == "ACME"
    assert fakes["ses"].calls[0]["FromEmailAddress"] == "News <news@example.com>"
    (sms,) = fakes["sms"].calls
    assert (sms["OriginationIdentity"], sms["MessageType"]) == ("ACME", "PROMOTIONAL")
    assert sms["DestinationCountryParameters"] == {"IN_TEMPLATE_ID": "2202"}


def test_without_sender_settings_the_functions_own_are_used():
    channel, fakes = make_channel()
    deliver(
        channel,
        batch({"e-mail": endpoint("EMAIL", "ana@example.com"), "e-sms": endpoint("SMS", "+351912345678")}),
    )
    assert fakes["ses"].calls[0]["FromEmailAddress"] == "noreply@example.com"
    (sms,) = fakes["sms"].calls
    assert (sms["OriginationIdentity"], sms["MessageType"]) == ("+12065550000", "TRANSACTIONAL")
