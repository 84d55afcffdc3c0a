"""Campaigns on the local stack: the CLI, schedules in EventBridge Scheduler, the state machine's
steps over a real segment snapshot, DynamoDB ledger transactions and SES sends."""

from __future__ import annotations

import datetime as dt
import json

import boto3
import pytest

from local.demo_campaigns import demo_campaign, prepare

pytestmark = pytest.mark.integration
APP = "a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5"


@pytest.fixture(scope="module")
def setup(local_stack):
    return prepare(local_stack, endpoints=20, application_id=APP)


def cli(capsys, *argv) -> tuple[int, dict | str]:
    from engagement.cli import main

    code = main(["campaigns", *argv, "--application-id", APP])
    captured = capsys.readouterr()
    if code:
        return code, captured.err
    lines = captured.out.splitlines()  # one-line JSON logs of earlier handlers may share stdout
    start = max(i for i, line in enumerate(lines) if line == "{")
    return code, json.loads("\n".join(lines[start:]))


def test_cli_create_schedules_runs_and_lists_activities(setup, capsys, monkeypatch, tmp_path):
    for name, value in setup.env.items():
        monkeypatch.setenv(name, value)
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(hours=2)
    path = tmp_path / "campaign.json"
    path.write_text(json.dumps(demo_campaign(setup.segment_id, start)))
    code, created = cli(capsys, "create", "--file", str(path))
    assert code == 0, created
    campaign_id = created["CampaignResponse"]["Id"]
    schedule = boto3.client("scheduler").get_schedule(
        Name=f"campaign-{campaign_id}", GroupName=setup.settings.schedule_group
    )
    assert schedule["ScheduleExpression"] == f"cron({start.minute} {start.hour} * * ? *)"
    assert schedule["Target"]["Arn"] == setup.settings.state_machine_arn

    at = start.strftime("%Y-%m-%dT%H:%M:%SZ")
    code, activity = cli(capsys, "run", campaign_id, "--at", at)
    assert code == 0, activity
    metrics = activity["ExecutionMetrics"]
    assert int(metrics["ENDPOINT_PRODUCED"]) == 20
    assert activity["SuccessfulEndpointCount"] == 20 - int(metrics.get("TREATMENT_HOLDOUT", 0))
    code, listed = cli(capsys, "activities", campaign_id)
    assert listed["ActivitiesResponse"]["Item"][0]["Id"] == activity["Id"]
    code, again = cli(capsys, "run", campaign_id, "--at", at)
    assert again["Reason"] == "COMPLETED"


def test_state_machine_steps_over_the_segment_snapshot(setup, local_stack):
    from engagement.campaigns.steps import handle_step
    from engagement.segments import run_snapshot
    from local.demo_campaigns import run_services

    s3 = boto3.client("s3")
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(hours=3)
    body = {
        **demo_campaign(setup.segment_id, start),
        "HoldoutPercent": 0,
        "Limits": {"MessagesPerSecond": 20000},
    }
    campaign = setup.store.create_campaign(ApplicationId=APP, WriteCampaignRequest=body)["CampaignResponse"]
    services = run_services(setup)
    options = {"s3": s3, "bucket": local_stack.physical_id("CampaignRunsBucket"), "max_concurrency": 20}
    payload = {"ApplicationId": APP, "CampaignId": campaign["Id"], "ScheduledTime": start.isoformat()}
    run = handle_step(services, {"Action": "Start", "Input": payload}, None, **options)
    snapshot = run_snapshot(
        segments=setup.store.segments,
        registry=services.registry,
        s3=s3,
        bucket=local_stack.physical_id("SegmentSnapshotsBucket"),
        application_id=APP,
        segment_id=run["SegmentId"],
        version=run["SegmentVersion"],
        total_parts=2,
    )
    cut = handle_step(services, {"Action": "Cut", "Run": run, "Snapshot": snapshot}, None, **options)
    assert cut["Batches"] == 1
    key = s3.list_objects_v2(Bucket=cut["Bucket"], Prefix=cut["Prefix"])["Contents"][0]["Key"]
    counters = handle_step(services, {"Action": "Batch", "Run": cut, "Key": key}, None, **options)
    assert counters["DELIVERED"] == 20
    redelivered = handle_step(
        services, {"Action": "Batch", "Run": cut, "Key": key, "RetryCount": 2}, None, **options
    )
    assert redelivered["ALREADY_SENT"] == 20 and "DELIVERED" not in redelivered  # exactly once
    activity = handle_step(services, {"Action": "Finish", "Run": cut}, None, **options)
    assert activity["SuccessfulEndpointCount"] == 20 and activity["State"] == "COMPLETED"


def test_the_deployed_state_machine_is_the_distributed_map_definition(local_stack):
    arn = local_stack.physical_id("CampaignRunStateMachine")
    definition = json.loads(
        boto3.client("stepfunctions").describe_state_machine(stateMachineArn=arn)["definition"]
    )
    batches = definition["States"]["Batches"]
    assert batches["ItemProcessor"]["ProcessorConfig"]["Mode"] == "DISTRIBUTED"
    assert batches["ItemReader"]["Resource"] == "arn:aws:states:::s3:listObjectsV2"
    assert batches["MaxConcurrencyPath"] == "$.Run.Concurrency"


def test_the_handlers_start_a_run_and_an_event_campaign(setup, invoke_function):
    import base64
    import time

    start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(hours=4)
    body = demo_campaign(setup.segment_id, start)
    campaign = setup.store.create_campaign(ApplicationId=APP, WriteCampaignRequest=body)["CampaignResponse"]
    started = invoke_function(
        "campaign_run",
        {"Action": "Start", "Input": {"ApplicationId": APP, "CampaignId": campaign["Id"]}},
    )
    assert (
        started["Version"] == 1 and started["SegmentId"] == setup.segment_id and started["Concurrency"] == 16
    )

    event_body = {
        **body,
        "HoldoutPercent": 0,
        "AdditionalTreatments": [],
        "Schedule": {
            "StartTime": (
                dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=1)
            ).isoformat(),
            "Frequency": "EVENT",
            "EventFilter": {
                "FilterType": "ENDPOINT",
                "Dimensions": {"EventType": {"DimensionType": "INCLUSIVE", "Values": ["Signup"]}},
            },
        },
    }
    event_campaign = setup.store.create_campaign(ApplicationId=APP, WriteCampaignRequest=event_body)
    record = {
        "event_type": "Signup",
        "event_timestamp": int(time.time() * 1000) + 2000,  # after the campaign's start
        "application": {"app_id": APP},
        "client": {"client_id": "demo-0003"},
        "attributes": {},
    }
    kinesis = {
        "Records": [
            {
                "eventID": "shardId-000000000000:1",
                "eventSource": "aws:kinesis",
                "eventSourceARN": "arn:aws:kinesis:us-east-1:123456789012:stream/engagement-events",
                "kinesis": {
                    "partitionKey": "demo-0003",
                    "sequenceNumber": "1",
                    "data": base64.b64encode(json.dumps(record).encode()).decode(),
                },
            }
        ]
    }
    assert invoke_function("campaign_events", kinesis) == {"batchItemFailures": []}
    campaign_id = event_campaign["CampaignResponse"]["Id"]
    activities = setup.store.get_campaign_activities(ApplicationId=APP, CampaignId=campaign_id)
    (activity,) = activities["ActivitiesResponse"]["Item"]
    assert activity["SuccessfulEndpointCount"] == 1 and activity["ExecutionMetrics"]["DELIVERED"] == "1"
