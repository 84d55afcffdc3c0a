"""Demo step: a campaign with a 10 % holdout and two treatments runs over a demo segment.

The campaign store schedules it on EventBridge Scheduler (moto), bad requests are refused before
anything is stored, then one run goes in-process - the state machine's own steps, the custom
channel sending through SES on the local stack - and prints Pinpoint's run counters. The same
scheduled run again sends nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from local.console import heading, step, table
from local.demo_endpoints import APPLICATION_ID  # the demo project: the report at the end shows its runs
from local.seed import seed_templates, verify_sender
from local.stack import LocalStack

ENDPOINTS = 40


@dataclass
class DemoSetup:
    env: dict[str, str]
    settings: Any
    store: Any
    segment_id: str
    bad_segment_id: str = "no-such-segment"


def campaign_environment(stack: LocalStack) -> dict[str, str]:
    """The run function's environment from template.yaml, plus what the API function would set."""
    env = stack.function_environment("CampaignRunFunction")
    env["TEMPLATE_STORE"] = seed_templates(stack)
    env["CAMPAIGN_SCHEDULE_GROUP"] = stack.physical_id("CampaignScheduleGroup")
    env["CAMPAIGN_STATE_MACHINE_ARN"] = stack.physical_id("CampaignRunStateMachine")
    env["CAMPAIGN_BATCHES_IN_FLIGHT"] = "1"  # moto's server fails concurrent DynamoDB transactions
    env["CAMPAIGN_SCHEDULER_ROLE_ARN"] = stack.outputs.get("CampaignSchedulerRoleArn") or (
        "arn:aws:iam::123456789012:role/" + stack.physical_id("CampaignSchedulerRole")
    )
    return env


def prepare(stack: LocalStack, endpoints: int = ENDPOINTS, application_id: str = APPLICATION_ID) -> DemoSetup:
    """Endpoints in the registry, an all-email segment, a verified sender and the store."""
    from engagement.campaigns.factory import build_store
    from engagement.campaigns.settings import CampaignSettings
    from engagement.endpoints import build_registry
    from engagement.segments import build_segment_store

    verify_sender(stack)
    env = campaign_environment(stack)
    registry = build_registry(env["ENDPOINT_STORE"])
    items = [
        {
            "Id": f"demo-{number:04d}",
            "ChannelType": "EMAIL",
            "Address": f"reader{number}@example.com",
            "Demographic": {"Timezone": "America/New_York" if number % 2 else "Europe/Paris"},
            "User": {"UserId": f"reader-{number}", "UserAttributes": {"FirstName": [f"Reader{number}"]}},
        }
        for number in range(endpoints)
    ]
    for start in range(0, len(items), 100):
        registry.update_endpoints_batch(
            ApplicationId=application_id, EndpointBatchRequest={"Item": items[start : start + 100]}
        )
    segments = build_segment_store(env["SEGMENT_STORE"])
    segment = segments.create_segment(
        ApplicationId=application_id,
        WriteSegmentRequest={
            "Name": "demo-readers",
            "Dimensions": {"Demographic": {"Channel": {"DimensionType": "INCLUSIVE", "Values": ["EMAIL"]}}},
        },
    )["SegmentResponse"]
    settings = CampaignSettings.from_env(env)
    return DemoSetup(env, settings, build_store(settings, segments=segments), segment["Id"])


def demo_campaign(segment_id: str, start: dt.datetime) -> dict[str, Any]:
    return {
        "Name": "weekly_digest",
        "SegmentId": segment_id,
        "HoldoutPercent": 10,
        "TreatmentName": "control",
        "TemplateConfiguration": {"EmailTemplate": {"Name": "channel_welcome"}},
        "AdditionalTreatments": [
            {
                "SizePercent": 45,
                "TreatmentName": "variant_b",
                "TemplateConfiguration": {"EmailTemplate": {"Name": "welcome"}},
            }
        ],
        "Schedule": {
            "StartTime": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "EndTime": (start + dt.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Frequency": "DAILY",
            "Timezone": "UTC",
            "QuietTime": {"Start": "23:59", "End": "00:00"},
        },
        "Limits": {"Daily": 1, "Total": 20, "MessagesPerSecond": 400, "MaximumDuration": 3600},
    }


def run_services(setup: DemoSetup) -> Any:
    """The run function's services, built as its cold start builds them (channel included)."""
    from engagement.campaigns.factory import build_run_services
    from engagement.channel.factory import build_channel
    from engagement.channel.settings import CustomChannelSettings

    channel = build_channel(CustomChannelSettings.from_env(setup.env))
    return build_run_services(setup.settings, channel=channel, store=setup.store)


def run(stack: LocalStack) -> None:
    import boto3
    from botocore.exceptions import ClientError

    from engagement.campaigns.run import run_campaign

    heading(
        "Campaigns: a segment, a schedule, a 10 % holdout and two treatments, sent through the custom channel"
    )
    setup = prepare(stack)
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(hours=1)
    body = demo_campaign(setup.segment_id, start)

    step("create_campaign: bad requests are refused before anything is stored or scheduled")
    for label, bad in (
        ("unknown segment", {**body, "SegmentId": setup.bad_segment_id}),
        ("holdout + SizePercent > 100", {**body, "HoldoutPercent": 60}),
        (
            "start in the past",
            {**body, "Schedule": {**body["Schedule"], "StartTime": "2020-01-01T00:00:00Z"}},
        ),
        ("missing template", {**body, "TemplateConfiguration": {"EmailTemplate": {"Name": "nope"}}}),
    ):
        try:
            setup.store.create_campaign(ApplicationId=APPLICATION_ID, WriteCampaignRequest=bad)
        except ClientError as error:
            print(
                f"  {label:<28} {error.response['Error']['Code']}: {error.response['Error']['Message'][:90]}"
            )

    step("create_campaign: stored as version 1, SCHEDULED, with its EventBridge Scheduler schedule")
    campaign = setup.store.create_campaign(ApplicationId=APPLICATION_ID, WriteCampaignRequest=body)[
        "CampaignResponse"
    ]
    schedule = boto3.client("scheduler").get_schedule(
        Name=f"campaign-{campaign['Id']}", GroupName=setup.settings.schedule_group
    )
    print(
        f"campaign {campaign['Id']} {campaign['State']['CampaignStatus']}, "
        f"schedule {schedule['ScheduleExpression']}"
    )

    step(f"campaigns run: the {start:%H:%M} UTC run in-process (Start, Batch x n, Finish), paced at 400/s")
    services = run_services(setup)
    scheduled = start.strftime("%Y-%m-%dT%H:%M:%SZ")
    activity = run_campaign(
        services, ApplicationId=APPLICATION_ID, CampaignId=campaign["Id"], ScheduledTime=scheduled
    )
    metrics = activity["ExecutionMetrics"]
    table(sorted(metrics.items()), ["Run counter", "Value"])
    print(
        f"activity {activity['Id'][:12]}… {activity['State']}/{activity['Result']}: "
        f"{activity['SuccessfulEndpointCount']} of {activity['TotalEndpointCount']} planned endpoints sent; "
        f"treatment 0 (control) {metrics.get('TREATMENT_0', 0)}, "
        f"treatment 1 (variant_b) {metrics.get('TREATMENT_1', 0)}"
    )

    step("the same run again (a re-fired schedule, a redriven execution): it is COMPLETED, nothing is sent")
    again = run_campaign(
        services, ApplicationId=APPLICATION_ID, CampaignId=campaign["Id"], ScheduledTime=scheduled
    )
    state = setup.store.get_campaign(ApplicationId=APPLICATION_ID, CampaignId=campaign["Id"])[
        "CampaignResponse"
    ]
    print(
        f"skipped ({again.get('Reason')}); campaign {state['State']['CampaignStatus']} "
        f"(DAILY until {body['Schedule']['EndTime']}, Limits.Daily 1 per endpoint)"
    )
