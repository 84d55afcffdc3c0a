"""Analytics on the local stack: records put on the real (moto) Kinesis stream come back out of
``engagement kpi export`` in Firehose's layout and answer the KPIs; the template's Glue, Athena
and Firehose resources are accepted by those services' APIs (botocore validates every shape)."""

from __future__ import annotations

import base64
import json
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


# ---- the template's analytics resources, created on the local stack through the service APIs ----
def test_glue_holds_the_events_table_and_the_kpi_view(local_stack: Any) -> None:
    glue = boto3.client("glue")
    database = local_stack.physical_id("AnalyticsDatabase")
    table = glue.get_table(DatabaseName=database, Name=local_stack.physical_id("PinpointEventsTable"))[
        "Table"
    ]
    assert [k["Name"] for k in table["PartitionKeys"]] == ["application_id", "dt"]
    view = glue.get_table(DatabaseName=database, Name=local_stack.physical_id("KpiEventsView"))["Table"]
    assert view["TableType"] == "VIRTUAL_VIEW"
    encoded = view["ViewOriginalText"].removeprefix("/* Presto View: ").removesuffix(" */")
    document = json.loads(base64.b64decode(encoded))
    assert document["schema"] == database and document["originalSql"].startswith("SELECT application_id")


def test_workgroup_delivery_stream_and_alarms_exist(local_stack: Any) -> None:
    workgroup = boto3.client("athena").get_work_group(WorkGroup=local_stack.physical_id("AnalyticsWorkGroup"))
    results = workgroup["WorkGroup"]["Configuration"]["ResultConfiguration"]
    assert results["OutputLocation"] == f"s3://{local_stack.physical_id('AnalyticsBucket')}/athena-results/"
    stream = boto3.client("firehose").describe_delivery_stream(
        DeliveryStreamName=local_stack.physical_id("AnalyticsDeliveryStream")
    )["DeliveryStreamDescription"]
    assert stream["Source"]["KinesisStreamSourceDescription"]["KinesisStreamARN"].endswith(
        local_stack.physical_id("EventStream")
    )
    alarms = boto3.client("cloudwatch").describe_alarms(AlarmNamePrefix="engagement-local-")["MetricAlarms"]
    names = {alarm["AlarmName"].removeprefix("engagement-local-") for alarm in alarms}
    assert {"QuarantineDepthAlarm", "SesBounceRateAlarm", "FunctionErrorsAlarm"} <= names
    assert all(not alarm.get("AlarmActions") for alarm in alarms)  # no AlarmTopicArn: no actions
