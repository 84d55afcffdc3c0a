"""Analytics on the local stack: records put on the real (moto) Kinesis stream come back out of
``engagement kpi export`` in Firehose's layout and answer the KPIs; the template's Glue, Athena
and Firehose resources are accepted by those services' APIs (botocore validates every shape)."""

from __future__ import annotations

import base64
import json
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest

from engagement.analytics.engines import DuckDbEngine
from engagement.analytics.service import KpiService
from engagement.analytics.synthetic import generate
from engagement.cli import main as cli
from local.stack import load_template
from tests.unit.analytics.oracle import expected

pytestmark = pytest.mark.integration
START = datetime(2026, 11, 13, tzinfo=UTC)
END = datetime(2026, 11, 19, 23, 59, 59, tzinfo=UTC)


def put(stream: str, records: list[dict[str, Any]]) -> None:
    kinesis = boto3.client("kinesis")
    for offset in range(0, len(records), 500):
        chunk = records[offset : offset + 500]
        entries = [{"Data": json.dumps(r).encode(), "PartitionKey": r["client"]["client_id"]} for r in chunk]
        assert kinesis.put_records(StreamName=stream, Records=entries)["FailedRecordCount"] == 0


def test_stream_to_files_to_kpis(local_stack: Any, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    app = f"app-{uuid.uuid4().hex[:8]}"
    records = list(generate(150, application_id=app, seed=3))
    put(local_stack.physical_id("EventStream"), records)

    stream = local_stack.physical_id("EventStream")
    assert cli(["kpi", "export", "--stream", stream, "--output", str(tmp_path), "--format", "parquet"]) == 0
    assert "record(s)" in capsys.readouterr().out
    days = sorted(p.name for p in (tmp_path / f"application_id={app}").iterdir())
    assert days == [f"dt=2026-11-{d}" for d in range(13, 20)]

    service = KpiService(DuckDbEngine(tmp_path), clock=lambda: END)
    mine = [r for r in records if START.timestamp() * 1000 <= r["event_timestamp"] <= END.timestamp() * 1000]
    for scope, name, scope_id in (
        ("application", "txn-emails-delivered-grouped-by-date", None),
        ("application", "txn-sms-sent-grouped-by-country", None),
        ("campaign", "email-open-rate-grouped-by-campaign-activity", "campaign-0"),
        ("journey", "emails-clicked-grouped-by-journey-activity", "journey-1"),
    ):
        params = {"ApplicationId": app, "KpiName": name, "StartTime": START, "EndTime": END}
        if scope == "campaign":
            response = service.get_campaign_date_range_kpi(CampaignId=scope_id, **params)
        elif scope == "journey":
            response = service.get_journey_date_range_kpi(JourneyId=scope_id, **params)
        else:
            response = service.get_application_date_range_kpi(**params)
        rows = next(iter(response.values()))["KpiResult"]["Rows"]
        got = {r["GroupedBys"][0]["Value"]: float(r["Values"][0]["Value"]) for r in rows}
        assert got == pytest.approx(expected(scope, name, mine, scope_id)), name


def test_kpi_report_command_writes_the_page(local_stack: Any, tmp_path: Path, capsys: Any) -> None:
    app = f"app-{uuid.uuid4().hex[:8]}"
    put(local_stack.physical_id("EventStream"), list(generate(40, application_id=app, seed=5)))
    cli(
        [
            "kpi",
            "export",
            "--stream",
            local_stack.physical_id("EventStream"),
            "--output",
            str(tmp_path / "ev"),
        ]
    )
    page = tmp_path / "report.html"
    args = [
        "--application-id",
        app,
        "--from",
        "2026-11-13",
        "--to",
        "2026-11-19",
        "--source",
        str(tmp_path / "ev"),
    ]
    assert cli(["kpi", "report", *args, "--html", str(page)]) == 0
    assert f"report written: {page}" in capsys.readouterr().out
    html = page.read_text()
    assert app in html and "new Chart(" in html


# ---- the template's analytics resources against the real API shapes ---------------------------
def resolve(node: Any) -> Any:
    """Intrinsics to plain values (names and ARNs made up): enough for the API's shape check."""
    if isinstance(node, dict) and len(node) == 1:
        ((key, value),) = node.items()
        if key == "Ref":
            return "engagement_analytics_dev" if value == "AnalyticsDatabase" else f"{value.lower()}"
        if key == "Fn::GetAtt":
            return f"arn:aws:service:us-east-1:123456789012:{value[0].lower()}"
        if key == "Fn::Sub":
            text = value if isinstance(value, str) else value[0]
            text = text.replace("${AnalyticsDatabase}", "engagement_analytics_dev")
            return re.sub(r"\$\{!?([^}]+)\}", lambda m: m.group(1).replace("::", "-").lower(), text)
        if key == "Fn::Join":
            return value[0].join(str(resolve(item)) for item in value[1])
        if key == "Fn::Base64":
            return base64.b64encode(str(resolve(value)).encode()).decode()
    if isinstance(node, dict):
        return {k: resolve(v) for k, v in node.items()}
    if isinstance(node, list):
        return [resolve(v) for v in node]
    return node


@pytest.fixture(scope="module")
def analytics_resources() -> dict[str, Any]:
    return {name: resolve(r.get("Properties", {})) for name, r in load_template()["Resources"].items()}


def test_glue_accepts_the_database_table_and_view(local_stack: Any, analytics_resources: dict) -> None:
    glue = boto3.client("glue")
    database = analytics_resources["AnalyticsDatabase"]["DatabaseInput"]
    database = {**database, "Name": f"{database['Name']}_{uuid.uuid4().hex[:6]}"}
    glue.create_database(DatabaseInput=database)
    for name in ("PinpointEventsTable", "KpiEventsView"):
        glue.create_table(DatabaseName=database["Name"], TableInput=analytics_resources[name]["TableInput"])
    table = glue.get_table(DatabaseName=database["Name"], Name="kpi_events")["Table"]
    assert table["TableType"] == "VIRTUAL_VIEW"
    encoded = table["ViewOriginalText"].removeprefix("/* Presto View: ").removesuffix(" */")
    assert json.loads(base64.b64decode(encoded))["originalSql"].startswith("SELECT application_id")


def test_athena_and_firehose_accept_the_workgroup_and_delivery_stream(
    local_stack: Any, analytics_resources: dict
) -> None:
    workgroup = analytics_resources["AnalyticsWorkGroup"]
    boto3.client("athena").create_work_group(
        Name=f"wg-{uuid.uuid4().hex[:6]}", Configuration=workgroup["WorkGroupConfiguration"]
    )
    stream = analytics_resources["AnalyticsDeliveryStream"]
    boto3.client("firehose").create_delivery_stream(
        DeliveryStreamName=f"fh-{uuid.uuid4().hex[:6]}",
        DeliveryStreamType=stream["DeliveryStreamType"],
        KinesisStreamSourceConfiguration=stream["KinesisStreamSourceConfiguration"],
        ExtendedS3DestinationConfiguration=stream["ExtendedS3DestinationConfiguration"],
    )
