"""A whole run in-process: counters, holdout and treatments, records, resume without duplicates."""

from __future__ import annotations

import pytest
from campaign_fakes import APP, START, Harness, campaign_body, endpoint
from moto import mock_aws

from engagement.campaigns.run import run_campaign


@pytest.fixture
def aws():
    with mock_aws():
        yield


def test_run_sends_to_each_planned_endpoint_once_and_records_the_activity(aws, tmp_path):
    members = [endpoint(f"ep-{i}") for i in range(120)]
    h = Harness(members, tmp_path=tmp_path)
    campaign = h.create(campaign_body(HoldoutPercent=10))
    activity = run_campaign(h.services, ApplicationId=APP, CampaignId=campaign["Id"], ScheduledTime=START)
    metrics = activity["ExecutionMetrics"]
    assert int(metrics["ENDPOINT_PRODUCED"]) == 120
    held = int(metrics.get("TREATMENT_HOLDOUT", 0))
    assert len(h.email.sent) == 120 - held == activity["SuccessfulEndpointCount"]
    assert activity["State"] == "COMPLETED" and activity["Result"] == "SUCCESS"
    sends = [r for r in h.records if r["event_type"] == "_campaign.send"]
    assert len(sends) == len(h.email.sent)
    assert {r["attributes"]["campaign_activity_id"] for r in h.records} == {activity["Id"]}
    listed = h.store.get_campaign_activities(ApplicationId=APP, CampaignId=campaign["Id"])
    assert listed["ActivitiesResponse"]["Item"][0]["Id"] == activity["Id"]
    state = h.store.get_campaign(ApplicationId=APP, CampaignId=campaign["Id"])["CampaignResponse"]["State"]
    assert state["CampaignStatus"] == "COMPLETED"
