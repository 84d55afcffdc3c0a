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
