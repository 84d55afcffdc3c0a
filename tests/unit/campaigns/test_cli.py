"""``engagement campaigns``: bad files and Pinpoint errors are one clear line on stderr, exit 2."""

from __future__ import annotations

import json

import pytest
from moto import mock_aws

from engagement.cli import main


@pytest.fixture
def table(monkeypatch, tmp_path):
    from campaign_fakes import make_table

    with mock_aws():
        import boto3

        make_table(boto3.client("dynamodb", region_name="us-east-1"), "cli-campaigns")
        monkeypatch.setenv("CAMPAIGNS_TABLE", "cli-campaigns")
        monkeypatch.setenv("TEMPLATE_STORE", f"file://{tmp_path}")
        for name in ("CAMPAIGN_SCHEDULE_GROUP", "CAMPAIGN_STATE_MACHINE_ARN", "SEGMENT_STORE"):
            monkeypatch.delenv(name, raising=False)
        yield tmp_path


def run(capsys, *argv):
    code = main(["campaigns", *argv, "--application-id", "app"])
    out, err = capsys.readouterr()
    return code, out, err


def test_invalid_json_is_refused_with_the_file_named(table, capsys):
    path = table / "bad.json"
    path.write_text("{nope")
    code, out, err = run(capsys, "create", "--file", str(path))
    assert code == 2 and not out and "bad.json is not valid JSON" in err


def test_a_bad_request_names_the_field_and_nothing_is_stored(table, capsys):
    path = table / "c.json"
    path.write_text(
        json.dumps(
            {"Name": "x", "SegmentId": "s", "HoldoutPercent": 150, "Schedule": {"StartTime": "IMMEDIATE"}}
        )
    )
    code, _, err = run(capsys, "create", "--file", str(path))
    assert code == 2 and err.startswith("error: BadRequestException: WriteCampaignRequest.HoldoutPercent")
    code, out, _ = run(capsys, "list")
    assert code == 0 and json.loads(out) == {"CampaignsResponse": {"Item": []}}


def test_unknown_campaigns_are_not_found(table, capsys):
    code, _, err = run(capsys, "activities", "missing")
    assert code == 2 and "NotFoundException" in err


def test_without_a_table_the_cli_says_what_to_set(monkeypatch, capsys):
    monkeypatch.delenv("CAMPAIGNS_TABLE", raising=False)
    code, _, err = run(capsys, "list")
    assert code == 2 and "CAMPAIGNS_TABLE" in err


def test_list_versions_and_activities_print_every_page(table, capsys, monkeypatch):
    import boto3
    from campaign_fakes import campaign_body

    from engagement.campaigns.store import CampaignStore

    store = CampaignStore("cli-campaigns", boto3.client("dynamodb", region_name="us-east-1"))
    body = campaign_body(
        SegmentVersion=1, Schedule={"StartTime": "2099-01-01T00:00:00Z", "Frequency": "ONCE"}
    )
    ids = [store.create_campaign(ApplicationId="app", WriteCampaignRequest=body)["CampaignResponse"]["Id"]]
    ids += [store.create_campaign(ApplicationId="app", WriteCampaignRequest=body)["CampaignResponse"]["Id"]]
    for holdout in (1, 2):
        store.update_campaign(
            ApplicationId="app", CampaignId=ids[0], WriteCampaignRequest={"HoldoutPercent": holdout}
        )
    for n in range(3):
        activity = {
            "Id": f"run{n}",
            "ApplicationId": "app",
            "CampaignId": ids[0],
            "ScheduledStart": f"2099-0{n + 1}",
        }
        store.put_activity(activity)
    monkeypatch.setattr("engagement.paging.DEFAULT_PAGE_SIZE", 1)  # one item a page
    code, out, _ = run(capsys, "list")
    assert code == 0 and sorted(c["Id"] for c in json.loads(out)["CampaignsResponse"]["Item"]) == sorted(ids)
    assert "NextToken" not in json.loads(out)["CampaignsResponse"]
    code, out, _ = run(capsys, "versions", ids[0])
    assert code == 0 and [v["Version"] for v in json.loads(out)["CampaignsResponse"]["Item"]] == [3, 2, 1]
    code, out, _ = run(capsys, "activities", ids[0])
    assert code == 0 and len(json.loads(out)["ActivitiesResponse"]["Item"]) == 3
