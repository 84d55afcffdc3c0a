"""The custom-channel Lambda on the local stack: every channel, duplicates, registry opt-outs,
the deadline cut-off and every kind of bad input."""

from __future__ import annotations

import copy
import uuid
from pathlib import Path

import pytest

from local.demo_channel import (
    WebhookReceiver,
    channel_env,
    seed_templates,
    sms_stub,
    stream_records,
    verify_sender,
    webhook_secret,
)

pytestmark = pytest.mark.integration

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "templates"


@pytest.fixture(scope="module")
def setup(local_stack):
    store = seed_templates(local_stack, FIXTURES, prefix=f"channel-tests-{uuid.uuid4().hex[:8]}")
    verify_sender(local_stack)
    return {"store": store, "secret": webhook_secret(local_stack)}


@pytest.fixture
def receiver(setup):
    with WebhookReceiver(setup["secret"]) as hook:
        yield hook


def ses_messages():
    """What moto's SES accepted (the server runs in this process)."""
    from moto.ses.models import ses_backends

    return list(ses_backends["123456789012"]["us-east-1"].sent_messages)


def endpoint(channel_type, address, **extra):
    body = {"ChannelType": channel_type, "EndpointStatus": "ACTIVE", "OptOut": "NONE", **extra}
    if address is not None:
        body["Address"] = address
    body.setdefault("User", {"UserId": "u1", "UserAttributes": {"FirstName": ["Ana"]}})
    return body


def journey(endpoints, data='{"template": "channel_welcome"}'):
    return {
        "ApplicationId": f"app{uuid.uuid4().hex[:20]}",
        "JourneyId": "journey1",
        "JourneyActivityId": "custom1",
        "ScheduledTime": "2026-11-02T09:00:00.000Z",
        "Data": data,
        "Endpoints": endpoints,
    }


def statuses(response):
    return {
        k: (v["EventAttributes"]["delivery_status"], v["EventAttributes"].get("reason", ""))
        for k, v in response.items()
    }


def test_all_channels_deliver_exactly_once_and_write_pinpoint_records(
    local_stack, invoke_function, setup, receiver
):
    event = journey(
        {
            "e-mail": endpoint("EMAIL", "ana@example.com"),
            "e-sms": endpoint("SMS", "+351912345678"),
            "e-app": endpoint("CUSTOM", "device-1"),
        }
    )
    env = channel_env(local_stack, TEMPLATE_STORE=setup["store"], WEBHOOK_URL=receiver.url)
    sent_before = len(ses_messages())
    with sms_stub() as sms:
        first = invoke_function("custom_channel", copy.deepcopy(event), env=env)
        second = invoke_function("custom_channel", copy.deepcopy(event), env=env)

    assert {k: s for k, (s, _) in statuses(first).items()} == dict.fromkeys(event["Endpoints"], "SUCCESSFUL")
    assert {s for s, _ in statuses(second).values()} == {"DUPLICATE"}
    assert {k: v["EventAttributes"]["message_id"] for k, v in second.items()} == {
        k: v["EventAttributes"]["message_id"] for k, v in first.items()
    }
    # one email, one SMS, one webhook request in total, across both invocations
    emails = ses_messages()[sent_before:]
    assert len(emails) == 1 and emails[0].destinations["ToAddresses"] == ["ana@example.com"]
    assert emails[0].subject == "Welcome, Ana!"
    assert [m["MessageBody"] for m in sms.sent] == ["Hi Ana, welcome aboard."]
    assert sms.sent[0]["Context"]["endpoint_id"] == "e-sms"
    assert len(receiver.requests) == 1 and receiver.requests[0]["verified"]
    assert receiver.requests[0]["body"]["endpoint_id"] == "e-app"
    assert receiver.requests[0]["headers"]["Idempotency-Key"]
    # one record per endpoint outcome, none for the duplicates
    records = stream_records(local_stack, event["ApplicationId"])
    assert sorted((r["event_type"], r["client"]["client_id"]) for r in records) == [
        ("_SMS.BUFFERED", "e-sms"),
        ("_custom.send", "e-app"),
        ("_email.send", "e-mail"),
    ]
    assert {r["attributes"]["journey_id"] for r in records} == {"journey1"}
    assert {r["attributes"]["journey_activity_id"] for r in records} == {"custom1"}


def test_an_opt_out_in_the_registry_beats_the_older_payload(local_stack, invoke_function, setup):
    from engagement.endpoints import build_registry

    event = journey({"e1": endpoint("EMAIL", "late.optout@example.com")})
    registry = build_registry(f"dynamodb://{local_stack.physical_id('EndpointsTable')}")
    registry.update_endpoint(
        ApplicationId=event["ApplicationId"],
        EndpointId="e1",
        EndpointRequest={"ChannelType": "EMAIL", "Address": "late.optout@example.com", "OptOut": "ALL"},
    )
    sent_before = len(ses_messages())
    response = invoke_function(
        "custom_channel", event, env=channel_env(local_stack, TEMPLATE_STORE=setup["store"])
    )
    assert statuses(response) == {"e1": ("OPTED_OUT", "opted_out_in_registry")}
    assert len(ses_messages()) == sent_before


def test_the_deadline_stops_new_sends_and_a_retry_finishes_the_rest(local_stack, invoke_function, setup):
    event = journey({f"d{i}": endpoint("CUSTOM", f"device-{i}") for i in range(4)})
    with WebhookReceiver(setup["secret"], delay_s=1.0) as slow:
        env = channel_env(
            local_stack,
            TEMPLATE_STORE=setup["store"],
            WEBHOOK_URL=slow.url,
            MAX_WORKERS="1",
            DEADLINE_MARGIN_MS="2500",
        )
        cut = statuses(invoke_function("custom_channel", copy.deepcopy(event), env=env, timeout_s=4.0))
        late = {k for k, (s, _) in cut.items() if s == "TEMPORARY_FAILURE"}
        assert late and {cut[k][1] for k in late} == {"deadline"}
        assert len(slow.requests) == len(event["Endpoints"]) - len(late)

        retry = statuses(invoke_function("custom_channel", copy.deepcopy(event), env=env, timeout_s=15.0))
    assert {k for k, (s, _) in retry.items() if s == "SUCCESSFUL"} == late
    assert len(slow.requests) == len(event["Endpoints"])


def test_bad_endpoints_get_a_clear_status_and_the_others_are_delivered(local_stack, invoke_function, setup):
    event = journey(
        {
            "no-address": endpoint("EMAIL", None),
            "bad-address": endpoint("EMAIL", "ana-at-example.com"),
            "bad-date": endpoint("EMAIL", "a@example.com", Attributes={"Birthday": ["tomorrow"]}),
            "good": endpoint("EMAIL", "good@example.com", Attributes={"Birthday": ["1990-04-02"]}),
        },
        data='{"template": "channel_birthday"}',
    )
    sent_before = len(ses_messages())
    response = invoke_function(
        "custom_channel", event, env=channel_env(local_stack, TEMPLATE_STORE=setup["store"])
    )
    assert statuses(response) == {
        "no-address": ("PERMANENT_FAILURE", "missing_address"),
        "bad-address": ("PERMANENT_FAILURE", "invalid_address"),
        "bad-date": ("PERMANENT_FAILURE", "rendering_failure"),
        "good": ("SUCCESSFUL", ""),
    }
    assert [m.destinations["ToAddresses"] for m in ses_messages()[sent_before:]] == [["good@example.com"]]
    kinds = {
        r["client"]["client_id"]: r["event_type"] for r in stream_records(local_stack, event["ApplicationId"])
    }
    assert kinds["bad-date"] == "_email.rendering_failure" and kinds["good"] == "_email.send"


def test_a_missing_template_fails_each_endpoint_without_sending(local_stack, invoke_function, setup):
    event = journey({"e1": endpoint("EMAIL", "a@example.com")}, data='{"template": "channel_missing"}')
    response = invoke_function(
        "custom_channel", event, env=channel_env(local_stack, TEMPLATE_STORE=setup["store"])
    )
    assert statuses(response) == {"e1": ("PERMANENT_FAILURE", "template_not_found")}


def test_a_malformed_payload_fails_every_endpoint_it_names(local_stack, invoke_function, setup):
    event = journey({"e1": endpoint("EMAIL", "a@example.com")}, data='{"channel": "EMAIL"}')  # no template
    response = invoke_function(
        "custom_channel", event, env=channel_env(local_stack, TEMPLATE_STORE=setup["store"])
    )
    status, reason = statuses(response)["e1"]
    assert status == "PERMANENT_FAILURE" and reason.startswith("invalid_payload") and "template" in reason


def test_a_payload_without_endpoints_is_refused_loudly(local_stack, invoke_function, setup):
    from engagement.channel.handle import InvalidPayloadError

    with pytest.raises(InvalidPayloadError, match="Endpoints"):
        invoke_function("custom_channel", {"Data": "channel_welcome"}, env=channel_env(local_stack))
