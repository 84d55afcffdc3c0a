"""Contract suite, engagement features: campaigns and journey definitions served by the HTTP API to a
STOCK boto3 Pinpoint client (``engagement.client.pinpoint``) on the local stack, with the settings the
API function gets in template.yaml (CAMPAIGNS_TABLE, JOURNEYS_TABLE, ...) resolved from the stack.
``put_events`` through the API admits participants to event-started journeys (real Step Functions
executions in moto), and lands on the stream that EVENT campaigns read.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from engagement.client import pinpoint
from local.demo_api import stream_records
from local.serve import ApiServer

pytestmark = pytest.mark.integration

EMAIL = {"EmailMessage": {"Title": "Hello", "HtmlBody": "<p>Hi</p>", "Body": "Hi"}}


def engagement_environment(stack: Any) -> dict[str, str]:
    """What the API function needs to serve campaigns and journeys (names from the local stack)."""
    return {
        "CAMPAIGNS_TABLE": stack.physical_id("CampaignsTable"),
        "CAMPAIGN_SCHEDULE_GROUP": stack.physical_id("CampaignScheduleGroup"),
        "CAMPAIGN_STATE_MACHINE_ARN": stack.physical_id("CampaignRunStateMachine"),
        "CAMPAIGN_SCHEDULER_ROLE_ARN": stack.outputs["CampaignSchedulerRoleArn"],
        "JOURNEYS_TABLE": stack.physical_id("JourneysTable"),
        "JOURNEY_ACTIVITY_FUNCTION_ARN": stack.outputs["JourneyActivityFunctionArn"],
        "JOURNEY_STATE_MACHINE_ROLE_ARN": stack.outputs["JourneyStateMachineRoleArn"],
    }


@pytest.fixture(scope="module")
def client(local_stack: Any) -> Iterator[Any]:
    with ApiServer(local_stack, env=engagement_environment(local_stack)) as api:
        yield pinpoint(api.url)


@pytest.fixture
def app() -> str:
    return uuid.uuid4().hex


def segment(client: Any, app: str) -> str:
    body = {"Name": "email", "Dimensions": {"Demographic": {"Channel": {"Values": ["EMAIL"]}}}}
    return client.create_segment(ApplicationId=app, WriteSegmentRequest=body)["SegmentResponse"]["Id"]


def in_hours(hours: int) -> str:
    moment = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(hours=hours)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def event_journey(state: str = "ACTIVE", name: str = "signup") -> dict[str, Any]:
    """One email to every endpoint that reports ``signup``."""
    signup = {"EventType": {"DimensionType": "INCLUSIVE", "Values": ["signup"]}}
    return {
        "Name": name,
        "State": state,
        "StartActivity": "mail",
        "Schedule": {"StartTime": in_hours(-1)},  # without one, entry opens 5 minutes after publishing
        "Activities": {"mail": {"EMAIL": {"TemplateName": "welcome"}}},
        "StartCondition": {
            "EventStartCondition": {"EventFilter": {"FilterType": "ENDPOINT", "Dimensions": signup}}
        },
    }


def test_campaigns_are_served_the_pinpoint_way(client, app):
    body = {
        "Name": "weekly",
        "SegmentId": segment(client, app),
        "Schedule": {"StartTime": in_hours(2), "Frequency": "WEEKLY"},
        "MessageConfiguration": EMAIL,
    }
    created = client.create_campaign(ApplicationId=app, WriteCampaignRequest=body)["CampaignResponse"]
    campaign_id = created["Id"]
    assert (created["Version"], created["State"]["CampaignStatus"]) == (1, "SCHEDULED")
    updated = client.update_campaign(
        ApplicationId=app, CampaignId=campaign_id, WriteCampaignRequest={"Name": "weekly_v2"}
    )["CampaignResponse"]
    assert (updated["Name"], updated["Version"]) == ("weekly_v2", 2)
    fetched = client.get_campaign(ApplicationId=app, CampaignId=campaign_id)["CampaignResponse"]
    assert (fetched["Name"], fetched["Version"]) == ("weekly_v2", 2)
    first = client.get_campaign_version(ApplicationId=app, CampaignId=campaign_id, Version="1")
    assert first["CampaignResponse"]["Name"] == "weekly"
    versions = client.get_campaign_versions(ApplicationId=app, CampaignId=campaign_id)["CampaignsResponse"]
    assert sorted(v["Version"] for v in versions["Item"]) == [1, 2]
    listed = client.get_campaigns(ApplicationId=app)["CampaignsResponse"]["Item"]
    assert [c["Id"] for c in listed] == [campaign_id]
    activities = client.get_campaign_activities(ApplicationId=app, CampaignId=campaign_id)
    assert activities["ActivitiesResponse"]["Item"] == []
    client.delete_campaign(ApplicationId=app, CampaignId=campaign_id)
    with pytest.raises(client.exceptions.NotFoundException):
        client.get_campaign(ApplicationId=app, CampaignId=campaign_id)


def test_a_bad_campaign_or_journey_gets_pinpoints_400_naming_the_field(client, app):
    with pytest.raises(client.exceptions.BadRequestException, match="HoldoutPercent"):
        client.create_campaign(
            ApplicationId=app,
            WriteCampaignRequest={
                "Name": "too-much",
                "SegmentId": segment(client, app),
                "HoldoutPercent": 60,
                "AdditionalTreatments": [{"SizePercent": 50, "MessageConfiguration": EMAIL}],
                "Schedule": {"StartTime": in_hours(2), "Frequency": "ONCE"},
                "MessageConfiguration": EMAIL,
            },
        )
    body = event_journey("DRAFT")
    body["Activities"]["mail"]["EMAIL"]["NextActivity"] = "nowhere"
    with pytest.raises(ClientError) as refused:
        client.create_journey(ApplicationId=app, WriteJourneyRequest=body)
    error = refused.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Error"]["Code"] == "BadRequestException"
    assert "Activities.mail.EMAIL.NextActivity" in error["Error"]["Message"]
    assert client.get_campaigns(ApplicationId=app)["CampaignsResponse"]["Item"] == []
    assert client.list_journeys(ApplicationId=app)["JourneysResponse"]["Item"] == []


def test_journeys_are_served_the_pinpoint_way(client, app):
    created = client.create_journey(ApplicationId=app, WriteJourneyRequest=event_journey("DRAFT"))
    journey_id = created["JourneyResponse"]["Id"]
    assert created["JourneyResponse"]["State"] == "DRAFT"
    # Pinpoint's JourneyResponse has no Version member: boto3 shows the new name, not the number.
    updated = client.update_journey(
        ApplicationId=app, JourneyId=journey_id, WriteJourneyRequest=event_journey("DRAFT", "signup_v2")
    )["JourneyResponse"]
    assert updated["Name"] == "signup_v2"
    fetched = client.get_journey(ApplicationId=app, JourneyId=journey_id)["JourneyResponse"]
    assert (fetched["Name"], fetched["CreationDate"]) == (
        "signup_v2",
        created["JourneyResponse"]["CreationDate"],
    )
    listed = client.list_journeys(ApplicationId=app)["JourneysResponse"]["Item"]
    assert [j["Id"] for j in listed] == [journey_id]
    state = client.update_journey_state(
        ApplicationId=app, JourneyId=journey_id, JourneyStateRequest={"State": "ACTIVE"}
    )
    assert state["JourneyResponse"]["State"] == "ACTIVE"
    assert state_machine(journey_id)  # deployed on activation
    client.delete_journey(ApplicationId=app, JourneyId=journey_id)
    with pytest.raises(client.exceptions.NotFoundException):
        client.get_journey(ApplicationId=app, JourneyId=journey_id)
    assert state_machine(journey_id) is None


def state_machine(journey_id: str) -> str | None:
    machines = boto3.client("stepfunctions").list_state_machines()["stateMachines"]
    return next((m["stateMachineArn"] for m in machines if m["name"] == f"journey-{journey_id}"), None)


def test_put_events_admits_the_endpoint_to_an_event_journey_and_streams_the_event(client, app, local_stack):
    journey_id = client.create_journey(ApplicationId=app, WriteJourneyRequest=event_journey())[
        "JourneyResponse"
    ]["Id"]
    event_id = f"ev-{uuid.uuid4().hex[:8]}"
    batch = {
        "ann": {
            "Endpoint": {"ChannelType": "EMAIL", "Address": "ann@example.com"},
            "Events": {
                event_id: {"EventType": "signup", "Timestamp": in_hours(0)},
                "other": {"EventType": "login", "Timestamp": in_hours(0)},
            },
        }
    }
    results = client.put_events(ApplicationId=app, EventsRequest={"BatchItem": batch})
    assert results["EventsResponse"]["Results"]["ann"]["EventsItemResponse"][event_id]["StatusCode"] == 202

    sfn = boto3.client("stepfunctions")
    executions = sfn.list_executions(stateMachineArn=state_machine(journey_id))["executions"]
    assert len(executions) == 1  # the signup event only, for its endpoint
    started = sfn.describe_execution(executionArn=executions[0]["executionArn"])
    assert '"EndpointId": "ann"' in started["input"] and f'"RunId": "event-{event_id}"' in started["input"]
    runs = client.get_journey_runs(ApplicationId=app, JourneyId=journey_id)["JourneyRunsResponse"]["Item"]
    assert [run["RunId"] for run in runs] == [f"event-{event_id}"]
    streamed = sorted(r["event_type"] for r in stream_records(local_stack, app))
    assert streamed == ["login", "signup"]  # what EVENT campaigns read

    client.put_events(ApplicationId=app, EventsRequest={"BatchItem": batch})  # the caller's retry
    assert len(sfn.list_executions(stateMachineArn=state_machine(journey_id))["executions"]) == 1


def test_a_request_another_sdk_might_send_is_refused_naming_the_field(local_stack, client, app):
    unchecked = pinpoint(client.meta.endpoint_url, config=Config(parameter_validation=False))
    with pytest.raises(ClientError) as refused:
        unchecked.create_campaign(ApplicationId=app, WriteCampaignRequest={"Name": "no-segment"})
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "SegmentId" in refused.value.response["Error"]["Message"]


def test_list_pages_follow_next_token_over_http_and_bad_paging_is_a_400_naming_the_field(client, app):
    ids = {segment(client, app) for _ in range(3)}
    seen, token = [], None
    while True:
        page = client.get_segments(ApplicationId=app, PageSize="2", **({"Token": token} if token else {}))
        seen += [item["Id"] for item in page["SegmentsResponse"]["Item"]]
        token = page["SegmentsResponse"].get("NextToken")
        if not token:
            break
    assert sorted(seen) == sorted(ids)
    for list_call, field, value in (
        (client.get_campaigns, "PageSize", {"PageSize": "ten"}),
        (client.get_campaigns, "Token", {"Token": "forged"}),
        (client.get_segments, "PageSize", {"PageSize": "0"}),
        (client.list_journeys, "Token", {"Token": "x"}),
    ):
        with pytest.raises(ClientError) as refused:
            list_call(ApplicationId=app, **value)
        error = refused.value.response
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
        assert error["Error"]["Message"].startswith(f"{field}: ")
