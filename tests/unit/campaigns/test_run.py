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


class CrashingDelivery:
    """Delivers the first batch, then half of the second, then the process 'dies'."""

    def __init__(self, inner):
        self.inner = inner
        self.calls = 0

    def set_pacer(self, pacer):
        self.inner.set_pacer(pacer)

    def deliver(self, ids, sends, lambda_context=None):
        self.calls += 1
        if self.calls == 2:
            self.inner.deliver(ids, sends[: len(sends) // 2], lambda_context)
            raise RuntimeError("process died mid-batch")
        return self.inner.deliver(ids, sends, lambda_context)


def test_a_run_that_crashes_and_resumes_sends_nothing_twice(aws, tmp_path):
    members = [endpoint(f"ep-{i}") for i in range(150)]
    h = Harness(members, tmp_path=tmp_path)
    h.services.batches_in_flight = 1
    campaign = h.create(campaign_body(Limits={"Daily": 1}))
    h.services.delivery = CrashingDelivery(h.delivery)
    with pytest.raises(RuntimeError):
        run_campaign(h.services, ApplicationId=APP, CampaignId=campaign["Id"], ScheduledTime=START)
    failed = h.store.get_campaign_activities(ApplicationId=APP, CampaignId=campaign["Id"])
    assert failed["ActivitiesResponse"]["Item"][0]["Result"] == "FAIL"
    sent_before = len(h.email.sent)
    assert 50 < sent_before < 150
    h.services.delivery = h.delivery
    activity = run_campaign(h.services, ApplicationId=APP, CampaignId=campaign["Id"], ScheduledTime=START)
    recipients = [message.to for _, message in h.email.sent]
    assert sorted(recipients) == sorted(f"ep-{i}@example.com" for i in range(150))  # each exactly once
    metrics = activity["ExecutionMetrics"]
    assert activity["Result"] == "SUCCESS" and activity["SuccessfulEndpointCount"] == 150
    assert int(metrics["ALREADY_SENT"]) == sent_before and "DAILY_CAP" not in metrics


def test_the_same_scheduled_run_twice_runs_once(aws, tmp_path):
    h = Harness([endpoint("a"), endpoint("b")], tmp_path=tmp_path)
    campaign = h.create(campaign_body())
    first = run_campaign(h.services, ApplicationId=APP, CampaignId=campaign["Id"], ScheduledTime=START)
    again = run_campaign(h.services, ApplicationId=APP, CampaignId=campaign["Id"], ScheduledTime=START)
    assert again == {
        "ApplicationId": APP,
        "CampaignId": campaign["Id"],
        "Skip": True,
        "Reason": "COMPLETED",
        "ActivityId": first["Id"],
    }
    assert len(h.email.sent) == 2


def test_a_paused_campaign_skips_its_run_and_an_ended_one_too(aws, tmp_path):
    h = Harness([endpoint("a")], tmp_path=tmp_path)
    paused = h.create(campaign_body(IsPaused=True))
    assert run_campaign(h.services, ApplicationId=APP, CampaignId=paused["Id"])["Reason"] == "PAUSED"
    ended = h.create(
        campaign_body(Schedule={"StartTime": START, "EndTime": "2026-12-02T00:00:00Z", "Frequency": "DAILY"})
    )
    late = run_campaign(
        h.services, ApplicationId=APP, CampaignId=ended["Id"], ScheduledTime="2026-12-02T13:00:00Z"
    )
    assert late["Reason"] == "ENDED" and not h.email.sent


def test_temporary_failures_retry_the_batch_and_only_the_failed_sends_go_again(aws, tmp_path):
    h = Harness([endpoint(f"e{i}") for i in range(10)], tmp_path=tmp_path)
    h.email.fail_next = 3
    campaign = h.create(campaign_body())
    activity = run_campaign(h.services, ApplicationId=APP, CampaignId=campaign["Id"], ScheduledTime=START)
    assert len(h.email.sent) == 10 and activity["SuccessfulEndpointCount"] == 10
    assert int(activity["ExecutionMetrics"]["ALREADY_SENT"]) == 7  # the retry found them sent


def test_quiet_time_and_limits_write_campaign_send_records(aws, tmp_path):
    h = Harness(
        [endpoint("night", Demographic={"Timezone": "Asia/Tokyo"}), endpoint("day")], tmp_path=tmp_path
    )
    campaign = h.create(
        campaign_body(Schedule={"StartTime": START, "QuietTime": {"Start": "20:00", "End": "23:00"}})
    )  # 21:00 in Tokyo at noon UTC
    activity = run_campaign(h.services, ApplicationId=APP, CampaignId=campaign["Id"], ScheduledTime=START)
    assert activity["ExecutionMetrics"]["QUIET_TIME"] == "1"
    statuses = {
        (r["client"]["client_id"], r["attributes"]["campaign_send_status"])
        for r in h.records
        if r["event_type"] == "_campaign.send"
    }
    assert statuses == {("night", "QUIET_TIME"), ("day", "SUCCESS")}
    email = [r for r in h.records if r["event_type"] == "_email.send"]  # the channel's own record
    assert email and email[0]["attributes"]["treatment_id"] == "0"
    assert email[0]["attributes"]["campaign_id"] == campaign["Id"]
