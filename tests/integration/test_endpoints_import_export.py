"""``engagement endpoints import|export`` against the DynamoDB registry on the local stack."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from engagement.cli import main

pytestmark = pytest.mark.integration
EVENTS = Path(__file__).resolve().parents[2] / "events"


@pytest.fixture
def store(local_stack: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    store = f"dynamodb://{local_stack.physical_id('EndpointsTable')}"
    monkeypatch.setenv("ENDPOINT_STORE", store)
    return store


@pytest.fixture
def app() -> str:
    return uuid.uuid4().hex


def registry(store: str) -> Any:
    from engagement.endpoints import build_registry

    return build_registry(store)


def run(*argv: str) -> int:
    return main(["endpoints", *argv])


def test_sample_csv_imports_with_pinpoint_semantics(
    store: str, app: str, capsys: pytest.CaptureFixture
) -> None:
    assert run("import", str(EVENTS / "endpoints.csv"), "--application-id", app) == 0

    endpoints = registry(store)
    mary = endpoints.get_user_endpoints(ApplicationId=app, UserId="user-mary")["EndpointsResponse"]["Item"]
    dad = endpoints.get_endpoint(ApplicationId=app, EndpointId="family-email-dad")["EndpointResponse"]
    mom = endpoints.get_endpoint(ApplicationId=app, EndpointId="family-email-mom")["EndpointResponse"]
    assert sorted(e["Id"] for e in mary) == ["mary-app", "mary-email", "mary-sms"]
    assert mary[0]["User"]["UserAttributes"] == {"FirstName": ["Mary"], "LastName": ["Major"]}
    assert mary[0]["Metrics"] == {"lifetime_value": 1250.5}
    assert (dad["EndpointStatus"], mom["EndpointStatus"]) == ("INACTIVE", "ACTIVE")
    assert "12 rows read, 12 imported, 0 failed, 1 update_endpoints_batch calls" in capsys.readouterr().err


def test_sample_jsonl_imports_multi_valued_attributes(store: str, app: str) -> None:
    assert run("import", str(EVENTS / "endpoints.jsonl"), "--application-id", app) == 0

    mary = registry(store).get_endpoint(ApplicationId=app, EndpointId="mary-email")["EndpointResponse"]
    assert mary["Attributes"]["Interests"] == ["hiking", "jazz"]


def test_broken_rows_are_reported_by_line_and_field_and_the_rest_imported(
    store: str, app: str, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    source = tmp_path / "endpoints.csv"
    source.write_text(
        "Id,ChannelType,Address,Attributes.Plan,Metrics.score,OptOut\n"
        "ok-1,EMAIL,ok.one@example.com,gold,1.5,NONE\n"
        "bad-email,EMAIL,not-an-address,gold,1,NONE\n"
        f"bad-plan,SMS,+12065550150,{'x' * 101},1,NONE\n"
        "bad-score,SMS,+12065550151,gold,high,NONE\n"
        "bad-optout,SMS,+12065550152,gold,1,MAYBE\n"
        "ok-2,CUSTOM,device-1,,,\n"
    )

    assert run("import", str(source), "--application-id", app) == 1

    err = capsys.readouterr().err
    assert f"{source}:3: Address: not a valid email address" in err
    assert f"{source}:4: Attributes.Plan: value longer than 100 characters" in err
    assert f"{source}:5: Metrics.score: " in err
    assert f"{source}:6: OptOut: " in err
    assert "not-an-address" not in err and "+12065550150" not in err
    assert "6 rows read, 2 imported, 4 failed, 1 update_endpoints_batch calls" in err
    listed = sorted(e["Id"] for e in registry(store).iter_endpoints(app))
    assert listed == ["ok-1", "ok-2"]


def test_a_row_breaking_the_user_limit_is_reported_and_the_batch_goes_on(
    store: str, app: str, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    source = tmp_path / "endpoints.jsonl"
    lines = [
        {"Id": f"d{n}", "ChannelType": "CUSTOM", "Address": f"device-{n}", "User": {"UserId": "u"}}
        for n in range(17)
    ]
    source.write_text("\n".join(json.dumps(line) for line in lines) + "\n")

    assert run("import", str(source), "--application-id", app) == 1

    err = capsys.readouterr().err
    assert f"{source}:16: User.UserId: the user already has 15 endpoints" in err
    assert f"{source}:17: User.UserId: the user already has 15 endpoints" in err
    assert "17 rows read, 15 imported, 2 failed" in err


def test_more_than_100_rows_go_in_several_batches(
    store: str, app: str, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    source = tmp_path / "many.csv"
    rows = [f"ep-{n},SMS,+1206555{n:04d}" for n in range(250)]
    source.write_text("Id,ChannelType,Address\n" + "\n".join(rows) + "\n")

    assert run("import", str(source), "--application-id", app) == 0

    assert "250 rows read, 250 imported, 0 failed, 3 update_endpoints_batch calls" in capsys.readouterr().err
    assert len(list(registry(store).iter_endpoints(app))) == 250


@pytest.mark.parametrize("file_format", ["csv", "json"])
def test_export_then_import_round_trips(store: str, app: str, tmp_path: Path, file_format: str) -> None:
    source = EVENTS / ("endpoints.csv" if file_format == "csv" else "endpoints.jsonl")
    assert run("import", str(source), "--application-id", app) == 0
    exported = tmp_path / f"export.{file_format}"
    assert run("export", "--application-id", app, "--output", str(exported), "--format", file_format) == 0

    copy = uuid.uuid4().hex
    assert run("import", str(exported), "--application-id", copy, "--format", file_format) == 0

    def comparable(application_id: str) -> list[dict[str, Any]]:
        ignored = ("ApplicationId", "EffectiveDate", "CreationDate")
        endpoints = registry(store).iter_endpoints(application_id)
        return sorted(
            ({k: v for k, v in e.items() if k not in ignored} for e in endpoints), key=lambda e: e["Id"]
        )

    assert len(comparable(app)) == 12
    assert comparable(copy) == comparable(app)


def test_csv_export_refuses_multi_valued_attributes(store: str, app: str, tmp_path: Path) -> None:
    assert run("import", str(EVENTS / "endpoints.jsonl"), "--application-id", app) == 0

    assert run("export", "--application-id", app, "--output", str(tmp_path / "out.csv")) == 2


def test_unknown_csv_column_fails_before_importing(store: str, app: str, tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    source.write_text("Id,ChannelType,Address,Nickname\nx,EMAIL,x@example.com,X\n")

    assert run("import", str(source), "--application-id", app) == 2
    assert list(registry(store).iter_endpoints(app)) == []


def test_pinpoint_store_cannot_export(app: str, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")

    assert run("export", "--application-id", app, "--endpoint-store", "pinpoint") == 2
    assert "export job" in capsys.readouterr().err
