"""Delivery in Pinpoint's custom-channel payload; the state machine's steps; the DynamoDB ledger."""

from __future__ import annotations

import io
import json

import boto3
import pytest
from campaign_fakes import APP, START, Harness, campaign_body, endpoint, make_table
from moto import mock_aws

from engagement.campaigns.delivery import ChannelDelivery
from engagement.campaigns.ledger import DynamoDBLedger, Reservation, RunKey
from engagement.campaigns.steps import concurrency_for, handle_step

CUSTOM = {
    "CustomDeliveryConfiguration": {
        "DeliveryUri": "arn:aws:lambda:us-east-1:123456789012:function:partner-channel",
        "EndpointTypes": ["CUSTOM", "EMAIL"],
    },
    "MessageConfiguration": {"CustomMessage": {"Data": '{"template": "channel_welcome"}'}},
    "TemplateConfiguration": {},
}


class FakeLambda:
    def __init__(self, error=False):
        self.payloads = []
        self.error = error

    def invoke(self, *, FunctionName, InvocationType, Payload):  # noqa: N803
        event = json.loads(Payload)
        self.payloads.append((FunctionName, event))
        if self.error:
            return {"FunctionError": "Unhandled", "Payload": io.BytesIO(b'{"errorMessage": "boom"}')}
        answer = {eid: {"EventAttributes": {"note": "ok"}} for eid in event["Endpoints"]}
        return {"Payload": io.BytesIO(json.dumps(answer).encode())}


@pytest.fixture
def aws():
    with mock_aws():
        yield


def test_another_teams_custom_channel_gets_pinpoints_payload(aws, tmp_path):
    from engagement.campaigns.run import run_campaign

    h = Harness([endpoint(f"e{i}") for i in range(60)], tmp_path=tmp_path)
    partner = FakeLambda()
    h.services.delivery = ChannelDelivery(h.channel, lambda_client=partner)
    campaign = h.create(campaign_body(**CUSTOM, AdditionalTreatments=[{"SizePercent": 50}]))
    activity = run_campaign(h.services, ApplicationId=APP, CampaignId=campaign["Id"], ScheduledTime=START)
    assert not h.email.sent  # all went to the partner's function
    sizes = [len(event["Endpoints"]) for _, event in partner.payloads]
    assert sum(sizes) == 60 and max(sizes) <= 50
    function, event = partner.payloads[0]
    assert function.endswith(":partner-channel")
    assert event["CampaignId"] == campaign["Id"] and event["ActivityId"] == activity["Id"]
    assert {e["TreatmentId"] for _, e in partner.payloads} == {"0", "1"}
    assert (
        event["Data"] == '{"template": "channel_welcome"}'
        and event["ScheduledTime"] == "2026-12-01T13:00:00.000Z"
    )
    assert "Id" not in next(iter(event["Endpoints"].values()))
    assert activity["SuccessfulEndpointCount"] == 60


def test_our_own_channel_function_runs_in_process_with_the_same_payload(aws, tmp_path):
    from engagement.campaigns.run import run_campaign

    h = Harness([endpoint("e1")], tmp_path=tmp_path)
    unused = FakeLambda()
    own = CUSTOM["CustomDeliveryConfiguration"]["DeliveryUri"]
    h.services.delivery = ChannelDelivery(h.channel, writer=h, lambda_client=unused, own_function_arns=[own])
    campaign = h.create(campaign_body(**CUSTOM))
    run_campaign(h.services, ApplicationId=APP, CampaignId=campaign["Id"], ScheduledTime=START)
    assert not unused.payloads and len(h.email.sent) == 1


def test_the_channel_is_built_on_the_first_in_process_send_and_once(aws, tmp_path):
    """A container that only sends to another team's function (or never sends) never builds it."""
    from engagement.campaigns.delivery import PacedSender
    from engagement.campaigns.run import run_campaign

    h = Harness([endpoint("e1"), endpoint("e2")], tmp_path=tmp_path)
    built: list[object] = []

    def build():
        built.append(h.channel)
        return h.channel

    partner = FakeLambda()
    h.services.delivery = ChannelDelivery(None, writer=h, lambda_client=partner, build_channel=build)
    campaign = h.create(campaign_body(**CUSTOM))
    run_campaign(h.services, ApplicationId=APP, CampaignId=campaign["Id"], ScheduledTime=START)
    assert built == [] and len(partner.payloads) == 1  # the partner's function: nothing built

    own = CUSTOM["CustomDeliveryConfiguration"]["DeliveryUri"]
    h.services.delivery = ChannelDelivery(
        None, writer=h, lambda_client=partner, own_function_arns=[own], build_channel=build
    )
    again = h.create(campaign_body(**CUSTOM))
    run_campaign(h.services, ApplicationId=APP, CampaignId=again["Id"], ScheduledTime=START)
    assert len(built) == 1 and len(h.email.sent) == 2  # built on the first in-process send
    assert h.services.delivery.channel is h.channel and len(built) == 1  # and only once
    assert isinstance(h.channel.services.email, PacedSender)  # paced like a channel given at once


def test_a_failing_custom_channel_is_a_temporary_failure_for_each_endpoint():
    delivery = ChannelDelivery(None, lambda_client=FakeLambda(error=True))
    answers = delivery._invoke("arn:fn", {"Endpoints": {"a": {}, "b": {}}})
    assert {a["delivery_status"] for a in answers.values()} == {"TEMPORARY_FAILURE"}


def test_concurrency_keeps_each_worker_at_or_below_25_per_second():
    assert concurrency_for(0, 20) == 20
    assert concurrency_for(500, 40) == 20
    assert concurrency_for(500, 4) == 4
    assert concurrency_for(10, 20) == 1


def test_the_state_machine_steps_cut_batches_of_50_and_resume_with_the_same_batches(aws, tmp_path):
    h = Harness([endpoint(f"e{i}") for i in range(120)], tmp_path=tmp_path)
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="runs")
    campaign = h.create(campaign_body(Limits={"MessagesPerSecond": 20000}))
    options = {"s3": s3, "bucket": "runs", "max_concurrency": 20}
    run = handle_step(
        h.services,
        {
            "Action": "Start",
            "Input": {"ApplicationId": APP, "CampaignId": campaign["Id"], "ScheduledTime": START},
        },
        None,
        **options,
    )
    assert run["Concurrency"] == 20 and run["SegmentVersion"] == 1
    cut = handle_step(h.services, {"Action": "Cut", "Run": run}, None, **options)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="runs", Prefix=cut["Prefix"])["Contents"]]
    assert cut["Batches"] == 3 and [
        len(json.loads(s3.get_object(Bucket="runs", Key=k)["Body"].read())) for k in keys
    ] == [50, 50, 20]
    h.members = list(reversed(h.members))  # a resumed Cut keeps the first snapshot's batches
    again = handle_step(h.services, {"Action": "Cut", "Run": run}, None, **options)
    assert again["Resumed"] and again["Batches"] == 0
    for key in keys:
        counters = handle_step(
            h.services, {"Action": "Batch", "Run": cut, "Key": key, "RetryCount": 0}, None, **options
        )
        assert counters["DELIVERED"] == counters["PLANNED"]
    activity = handle_step(h.services, {"Action": "Finish", "Run": cut}, None, **options)
    assert activity["SuccessfulEndpointCount"] == len(h.email.sent) == 120
    with pytest.raises(ValueError, match="unknown campaign step"):
        handle_step(h.services, {"Action": "Nope"}, None, **options)


def test_the_dynamodb_ledger_reserves_atomically(aws):
    client = boto3.client("dynamodb", region_name="us-east-1")
    make_table(client, "ledger")
    ledger = DynamoDBLedger("ledger", client)
    run1, run2 = RunKey(APP, "c", "r1"), RunKey(APP, "c", "r2")
    limits = {"day": "2026-12-01", "daily": 1, "total": 2}
    assert ledger.reserve(run1, "1", "e", "0", **limits) is Reservation.NEW
    assert ledger.reserve(run1, "2", "e", "0", **limits) is Reservation.RESUMED
    assert ledger.reserve(run2, "1", "e", "0", **limits) is Reservation.DAILY_CAP
    assert ledger.reserve(run2, "1", "e", "0", **{**limits, "day": "2026-12-02"}) is Reservation.NEW
    assert (
        ledger.reserve(RunKey(APP, "c", "r3"), "1", "e", "0", **{**limits, "day": "2026-12-03"})
        is Reservation.TOTAL_CAP
    )
    assert ledger.reserve(RunKey(APP, "c", "r4"), "1", "e", "0", day="x", daily=0, total=0) is Reservation.NEW
    ledger.record_batch(run1, "1", {"PLANNED": 3})
    ledger.record_batch(run1, "1", {"PLANNED": 2})  # a retried batch overwrites its counters
    ledger.record_batch(run1, "2", {"PLANNED": 1, "DELIVERED": 1})
    assert ledger.run_counters(run1) == {"PLANNED": 3, "DELIVERED": 1}
