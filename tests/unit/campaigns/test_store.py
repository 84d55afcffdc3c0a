"""CampaignStore: boto3's names and shapes on DynamoDB (moto), versions, states, pause, delete."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from campaign_fakes import APP, Harness, campaign_body
from moto import mock_aws


@pytest.fixture
def harness(tmp_path):
    with mock_aws():
        yield Harness([], tmp_path=tmp_path)


def test_create_get_list_and_versions(harness):
    created = harness.create(campaign_body(HoldoutPercent=5))
    assert created["Version"] == 1 and created["State"] == {"CampaignStatus": "SCHEDULED"}
    assert created["SegmentVersion"] == 1  # pinned, as Pinpoint pins the segment's version
    assert created["Arn"].endswith(f"apps/{APP}/campaigns/{created['Id']}")
    got = harness.store.get_campaign(ApplicationId=APP, CampaignId=created["Id"])["CampaignResponse"]
    assert got == created
    updated = harness.store.update_campaign(
        ApplicationId=APP, CampaignId=created["Id"], WriteCampaignRequest={"HoldoutPercent": 20}
    )["CampaignResponse"]
    assert updated["Version"] == 2 and updated["HoldoutPercent"] == 20 and updated["Name"] == "weekly"
    first = harness.store.get_campaign_version(ApplicationId=APP, CampaignId=created["Id"], Version="1")
    assert first["CampaignResponse"]["HoldoutPercent"] == 5
    versions = harness.store.get_campaign_versions(ApplicationId=APP, CampaignId=created["Id"])
    assert [v["Version"] for v in versions["CampaignsResponse"]["Item"]] == [2, 1]
    harness.create(campaign_body(Name="other"))
    page = harness.store.get_campaigns(ApplicationId=APP, PageSize="1")["CampaignsResponse"]
    assert len(page["Item"]) == 1 and page["NextToken"]
    rest = harness.store.get_campaigns(ApplicationId=APP, PageSize="1", Token=page["NextToken"])
    assert rest["CampaignsResponse"]["Item"][0]["Id"] != page["Item"][0]["Id"]


def test_pause_and_resume_through_is_paused(harness):
    created = harness.create(campaign_body(IsPaused=True))
    assert created["State"]["CampaignStatus"] == "PAUSED"
    resumed = harness.store.update_campaign(
        ApplicationId=APP, CampaignId=created["Id"], WriteCampaignRequest={"IsPaused": False}
    )["CampaignResponse"]
    assert resumed["State"]["CampaignStatus"] == "SCHEDULED"


def test_unknown_ids_are_not_found_and_bad_updates_store_nothing(harness):
    with pytest.raises(ClientError) as caught:
        harness.store.get_campaign(ApplicationId=APP, CampaignId="nope")
    assert caught.value.response["Error"]["Code"] == "NotFoundException"
    created = harness.create(campaign_body())
    with pytest.raises(ClientError) as caught:
        harness.store.update_campaign(
            ApplicationId=APP, CampaignId=created["Id"], WriteCampaignRequest={"HoldoutPercent": 101}
        )
    assert caught.value.response["Error"]["Code"] == "BadRequestException"
    assert (
        harness.store.get_campaign(ApplicationId=APP, CampaignId=created["Id"])["CampaignResponse"]["Version"]
        == 1
    )


def test_a_concurrent_update_conflicts(harness):
    created = harness.create(campaign_body())
    response = {**created, "Version": 2}
    harness.store._write_version(response, previous=1)
    with pytest.raises(ClientError) as caught:
        harness.store._write_version({**created, "Version": 2}, previous=1)
    assert caught.value.response["Error"]["Code"] == "ConflictException"


def test_delete_removes_versions_and_activities(harness):
    created = harness.create(campaign_body())
    harness.store.put_activity({"Id": "a1", "ApplicationId": APP, "CampaignId": created["Id"]})
    deleted = harness.store.delete_campaign(ApplicationId=APP, CampaignId=created["Id"])["CampaignResponse"]
    assert deleted["State"]["CampaignStatus"] == "DELETED"
    with pytest.raises(ClientError):
        harness.store.get_campaign_version(ApplicationId=APP, CampaignId=created["Id"], Version=1)
    assert harness.store.get_activity(APP, created["Id"], "a1") is None


def test_inline_messages_are_published_as_templates(harness, tmp_path):
    created = harness.create(
        campaign_body(
            TemplateConfiguration={}, MessageConfiguration={"SMSMessage": {"Body": "Hi {{User.UserId}}"}}
        )
    )
    published = tmp_path / f"campaign-{created['Id']}-v1-t0" / "SMS.json"
    assert published.exists() and "Hi {{User.UserId}}" in published.read_text()


def test_immediate_campaigns_launch_once(harness):
    launched = []
    harness.store.launch = lambda app, campaign_id: launched.append(campaign_id)
    created = harness.create(campaign_body(Schedule={"StartTime": "IMMEDIATE"}))
    harness.store.update_campaign(
        ApplicationId=APP, CampaignId=created["Id"], WriteCampaignRequest={"Name": "x"}
    )
    assert launched == [created["Id"]]


def test_changing_the_segment_pins_the_new_segments_current_version(harness):
    created = harness.create(campaign_body())
    harness.store.segments = type(harness.store.segments)("seg-1", "seg-2", version=4)
    updated = harness.store.update_campaign(
        ApplicationId=APP, CampaignId=created["Id"], WriteCampaignRequest={"SegmentId": "seg-2"}
    )["CampaignResponse"]
    assert (updated["SegmentId"], updated["SegmentVersion"]) == ("seg-2", 4)
    renamed = harness.store.update_campaign(
        ApplicationId=APP, CampaignId=created["Id"], WriteCampaignRequest={"Name": "renamed"}
    )["CampaignResponse"]
    assert renamed["SegmentVersion"] == 4  # unchanged segment: the pinned version stays


@pytest.mark.parametrize(
    ("paging", "field"),
    [
        ({"PageSize": "ten"}, "PageSize"),
        ({"PageSize": "0"}, "PageSize"),
        ({"Token": "CAMPAIGN#forged"}, "Token"),
    ],
)
def test_a_bad_page_size_or_token_is_a_400_naming_it_on_every_listing(harness, paging, field):
    created = harness.create(campaign_body())
    ids = {"ApplicationId": APP, "CampaignId": created["Id"]}
    for list_call, args in (
        (harness.store.get_campaigns, {"ApplicationId": APP}),
        (harness.store.get_campaign_versions, ids),
        (harness.store.get_campaign_activities, ids),
    ):
        with pytest.raises(ClientError) as caught:
            list_call(**args, **paging)
        assert caught.value.response["Error"]["Code"] == "BadRequestException"
        assert caught.value.response["Error"]["Message"].startswith(f"{field}: ")


def test_a_token_of_one_campaigns_versions_does_not_page_another_listing(harness):
    created = harness.create(campaign_body())
    for n in range(2):
        harness.store.update_campaign(
            ApplicationId=APP, CampaignId=created["Id"], WriteCampaignRequest={"HoldoutPercent": n}
        )
    ids = {"ApplicationId": APP, "CampaignId": created["Id"]}
    page = harness.store.get_campaign_versions(**ids, PageSize="2")["CampaignsResponse"]
    assert [v["Version"] for v in page["Item"]] == [3, 2]
    rest = harness.store.get_campaign_versions(**ids, PageSize="2", Token=page["NextToken"])
    assert [v["Version"] for v in rest["CampaignsResponse"]["Item"]] == [1]
    with pytest.raises(ClientError, match="Token: "):
        harness.store.get_campaigns(ApplicationId=APP, Token=page["NextToken"])


class _Throttled:
    """The store's DynamoDB client, except that BatchWriteItem never processes anything."""

    def __init__(self, client):
        self._client, self.batch_calls = client, 0

    def __getattr__(self, name):
        return getattr(self._client, name)

    def batch_write_item(self, RequestItems):  # noqa: N803
        self.batch_calls += 1
        assert self.batch_calls < 50, "BatchWriteItem retried without end"
        return {"UnprocessedItems": RequestItems}


def test_a_delete_dynamodb_keeps_throttling_is_a_transient_error_and_the_campaign_stays(harness, monkeypatch):
    monkeypatch.setattr("time.sleep", lambda _: None)
    created = harness.create(campaign_body())
    throttled = _Throttled(harness.store.client)
    harness.store.client = throttled
    with pytest.raises(ClientError) as caught:
        harness.store.delete_campaign(ApplicationId=APP, CampaignId=created["Id"])
    assert caught.value.response["Error"]["Code"] == "TooManyRequestsException"
    assert throttled.batch_calls == 5
    harness.store.client = throttled._client  # the retry finds the campaign and finishes
    assert harness.store.get_campaign(ApplicationId=APP, CampaignId=created["Id"])["CampaignResponse"]
    harness.store.delete_campaign(ApplicationId=APP, CampaignId=created["Id"])
    with pytest.raises(ClientError, match="NotFoundException"):
        harness.store.get_campaign(ApplicationId=APP, CampaignId=created["Id"])
    left = harness.store.client.query(
        TableName=harness.store.table,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"CAMPAIGN#{APP}#{created['Id']}"}},
    )
    assert left["Items"] == []
