"""Segments on the local stack: the CLI, imported segments, counts, exports and the scan worker."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from engagement.cli import main

pytestmark = pytest.mark.integration
EVENTS = Path(__file__).resolve().parents[2] / "events"
HIGH_VALUE = ["family-email-dad", "family-email-mom", "mary-app", "mary-email", "mary-sms"]
MOBILE_NOT_JOHN = ["ana-sms", "mary-app", "mary-sms", "sam-app"]


@pytest.fixture(scope="module")
def stores(local_stack: Any) -> dict[str, str]:
    return {
        "ENDPOINT_STORE": f"dynamodb://{local_stack.physical_id('EndpointsTable')}",
        "SEGMENT_STORE": f"dynamodb://{local_stack.physical_id('SegmentsTable')}",
    }


@pytest.fixture
def app(stores: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> str:
    for name, value in stores.items():
        monkeypatch.setenv(name, value)
    app = uuid.uuid4().hex
    assert main(["endpoints", "import", str(EVENTS / "endpoints.csv"), "--application-id", app]) == 0
    return app


def cli(capsys: pytest.CaptureFixture, *argv: str) -> Any:
    capsys.readouterr()
    assert main(["segments", *argv]) == 0
    return json.loads(capsys.readouterr().out)


def create(capsys: pytest.CaptureFixture, app: str, path: Path) -> str:
    return cli(capsys, "create", "--file", str(path), "--application-id", app)["SegmentResponse"]["Id"]


def export_ids(app: str, segment_id: str, tmp_path: Path) -> list[str]:
    output = tmp_path / f"{segment_id}.jsonl"
    assert main(["segments", "export", segment_id, "--application-id", app, "--output", str(output)]) == 0
    return sorted(json.loads(line)["Id"] for line in output.read_text().splitlines())


def test_dynamic_segments_count_and_export(app: str, capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    high_value = create(capsys, app, EVENTS / "segment_high_value.json")
    mobile = create(capsys, app, EVENTS / "segment_mobile_active.json")
    assert export_ids(app, high_value, tmp_path) == HIGH_VALUE
    assert export_ids(app, mobile, tmp_path) == MOBILE_NOT_JOHN
    count = cli(capsys, "count", mobile, "--application-id", app, "--parts", "3")
    assert count == {"SegmentId": mobile, "Size": 4, "Estimated": False}
    listed = cli(capsys, "list", "--application-id", app)["SegmentsResponse"]["Item"]
    assert {s["Id"] for s in listed} == {high_value, mobile}


def test_import_with_segment_name_makes_an_import_segment(
    app: str, capsys: pytest.CaptureFixture, tmp_path: Path
) -> None:
    argv = [
        "endpoints",
        "import",
        str(EVENTS / "endpoints_vip.csv"),
        "--application-id",
        app,
        "--segment-name",
        "VIPs",
    ]
    assert main(argv) == 0
    [vips] = cli(capsys, "list", "--application-id", app)["SegmentsResponse"]["Item"]
    assert vips["SegmentType"] == "IMPORT" and vips["Name"] == "VIPs"
    assert vips["ImportDefinition"]["Size"] == 3 and vips["ImportDefinition"]["Format"] == "CSV"
    assert export_ids(app, vips["Id"], tmp_path) == ["ana-email", "li-email", "mary-email"]
    # A dynamic segment on the imported one: VIPs in the US.
    body = {
        "Name": "us-vips",
        "SegmentGroups": {
            "Include": "ALL",
            "Groups": [
                {
                    "SourceSegments": [{"Id": vips["Id"]}],
                    "Dimensions": [
                        {"Location": {"Country": {"DimensionType": "INCLUSIVE", "Values": ["US"]}}}
                    ],
                }
            ],
        },
    }
    path = tmp_path / "us_vips.json"
    path.write_text(json.dumps(body))
    assert export_ids(app, create(capsys, app, path), tmp_path) == ["mary-email"]


def test_bad_definition_file_names_the_field(app: str, capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps({"Dimensions": {"Metrics": {"m": {"ComparisonOperator": "ABOUT", "Value": 1}}}})
    )
    assert main(["segments", "create", "--file", str(path), "--application-id", app]) == 2
    assert "Metrics.m.ComparisonOperator: 'ABOUT'" in capsys.readouterr().err
    assert main(["segments", "get", "nope", "--application-id", app]) == 2
    assert "NotFoundException" in capsys.readouterr().err


def test_scan_worker_function_writes_the_snapshot(
    app: str, capsys: pytest.CaptureFixture, local_stack: Any, invoke_function: Any
) -> None:
    """The Distributed Map's worker, invoked in-process with the items the state machine builds."""
    import boto3

    from engagement.segments import read_snapshot
    from engagement.segments.snapshot import collect

    segment_id = create(capsys, app, EVENTS / "segment_high_value.json")
    bucket = local_stack.physical_id("SegmentSnapshotsBucket")
    sample = json.loads((EVENTS / "segment_scan.json").read_text())
    results = [
        invoke_function(
            "segment_scan",
            {**sample, "ApplicationId": app, "SegmentId": segment_id, "Part": part, "TotalParts": 3,
             "Bucket": bucket, "Prefix": f"snapshots/{app}/{segment_id}/test"},
        )
        for part in range(3)
    ]  # fmt: skip
    output = collect(bucket, results)
    assert output["Count"] == len(HIGH_VALUE)
    members = list(read_snapshot(boto3.client("s3"), output["Bucket"], output["Keys"]))
    assert sorted(e["Id"] for e in members) == HIGH_VALUE
    assert members[0]["User"]["UserAttributes"]["LastName"]  # full EndpointResponse, user joined


def test_export_to_bucket_runs_the_snapshot_in_process(
    app: str, capsys: pytest.CaptureFixture, local_stack: Any
) -> None:
    import boto3

    from engagement.segments import read_snapshot

    mobile = create(capsys, app, EVENTS / "segment_mobile_active.json")
    bucket = local_stack.physical_id("SegmentSnapshotsBucket")
    out = cli(capsys, "export", mobile, "--application-id", app, "--bucket", bucket)
    assert out["Count"] == 4 and out["Bucket"] == bucket
    assert sorted(e["Id"] for e in read_snapshot(boto3.client("s3"), bucket, out["Keys"])) == MOBILE_NOT_JOHN


def test_rows_naming_only_a_user_stand_for_the_users_endpoints(
    app: str, capsys: pytest.CaptureFixture, tmp_path: Path
) -> None:
    path = tmp_path / "users.csv"
    path.write_text("Id,User.UserId\nli-email,\n,user-sam\n,user-nobody\n")
    argv = ["endpoints", "import", str(path), "--application-id", app, "--segment-name", "Sam and Li"]
    assert main(argv) == 1  # the unknown user is reported; the segment holds the rest
    assert "user-nobody" in capsys.readouterr().err
    [segment] = cli(capsys, "list", "--application-id", app)["SegmentsResponse"]["Item"]
    # ChannelCounts: channel types the imported definitions name (the Id-only row names none).
    assert segment["ImportDefinition"]["ChannelCounts"] == {"VOICE": 1, "CUSTOM": 1}
    assert export_ids(app, segment["Id"], tmp_path) == ["li-email", "sam-app", "sam-voice"]
