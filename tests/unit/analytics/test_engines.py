"""AthenaEngine against botocore's Stubber (requests validated against Athena's model), DuckDB
over JSON Lines and over Parquet, and the exporter's partition layout."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from engagement.analytics import build_kpi_service
from engagement.analytics.engines import AthenaEngine, DuckDbEngine
from engagement.analytics.exporter import ERRORS_DIR, write_partitions
from engagement.analytics.kpis import KPIS
from engagement.analytics.service import KpiService
from engagement.models.errors import BadRequestException, InternalServerErrorException
from tests.unit.analytics.eventset import APP, END, NOW, START, event_set, write


def athena() -> tuple[Any, Stubber]:
    client = boto3.client("athena", region_name="us-east-1")
    return client, Stubber(client)


def status(state: str, **extra: Any) -> dict[str, Any]:
    return {"QueryExecution": {"QueryExecutionId": "q1", "Status": {"State": state, **extra}}}


def results(*rows: tuple[str | None, ...]) -> dict[str, Any]:
    header = {"Data": [{"VarCharValue": "grouping"}, {"VarCharValue": "value"}]}
    data = [{"Data": [({"VarCharValue": v} if v is not None else {}) for v in row]} for row in rows]
    return {"ResultSet": {"Rows": [header, *data]}}


def test_athena_engine_runs_the_kpi_sql_with_inlined_literals_and_pages_results() -> None:
    client, stub = athena()
    definition = KPIS[("campaign", "unique-deliveries-grouped-by-date")]
    stub.add_response(
        "start_query_execution",
        {"QueryExecutionId": "q1"},
        {
            "QueryString": definition.sql.replace("?", "{}").format(
                "'app-1'", "'2026-11-14'", "'2026-11-18'", 1794614400000, 1795003200000, "'it''s'"
            ),
            "QueryExecutionContext": {"Database": "engagement", "Catalog": "AwsDataCatalog"},
            "WorkGroup": "engagement-kpis",
        },
    )
    stub.add_response("get_query_execution", status("RUNNING"), {"QueryExecutionId": "q1"})
    stub.add_response("get_query_execution", status("SUCCEEDED"), {"QueryExecutionId": "q1"})
    stub.add_response("get_query_results", results(("2026-11-14", "3"), ("2026-11-15", None)), None)
    sleeps: list[float] = []
    engine = AthenaEngine(client, "engagement-kpis", "engagement", sleep=sleeps.append)
    service = KpiService(engine, clock=lambda: NOW)
    with stub:
        body = service.get_campaign_date_range_kpi(
            ApplicationId=APP, CampaignId="it's", KpiName=definition.name, StartTime=START, EndTime=END
        )["CampaignDateRangeKpiResponse"]
    stub.assert_no_pending_responses()
    assert sleeps == [0.5]
    assert body["KpiResult"]["Rows"] == [
        {"GroupedBys": [{"Key": "Date", "Type": "String", "Value": "2026-11-14"}],
         "Values": [{"Key": "UniqueDeliveries", "Type": "Double", "Value": "3.0"}]}
    ]  # fmt: skip


@pytest.mark.parametrize(("category", "error"), [(2, BadRequestException), (1, InternalServerErrorException)])
def test_failed_athena_queries_are_classified(category: int, error: type) -> None:
    client, stub = athena()
    stub.add_response("start_query_execution", {"QueryExecutionId": "q1"}, None)
    failed = status("FAILED", StateChangeReason="boom", AthenaError={"ErrorCategory": category})
    stub.add_response("get_query_execution", failed, None)
    with stub, pytest.raises(error, match="boom"):
        AthenaEngine(client, "wg", "db").query("SELECT 1", [])


def test_a_query_still_running_at_the_timeout_is_stopped() -> None:
    client, stub = athena()
    stub.add_response("start_query_execution", {"QueryExecutionId": "q1"}, None)
    for _ in range(3):
        stub.add_response("get_query_execution", status("RUNNING"), None)
    stub.add_response("stop_query_execution", {}, {"QueryExecutionId": "q1"})
    engine = AthenaEngine(client, "wg", "db", poll_s=1.0, timeout_s=2.0, sleep=lambda s: None)
    with stub, pytest.raises(InternalServerErrorException, match="still RUNNING"):
        engine.query("SELECT 1", [])
    stub.assert_no_pending_responses()


def test_build_kpi_service_from_uri(tmp_path: Path) -> None:
    assert isinstance(build_kpi_service("athena://wg/db").engine, AthenaEngine)
    assert isinstance(build_kpi_service(f"duckdb://{tmp_path}").engine, DuckDbEngine)
    with pytest.raises(ValueError, match="athena://"):
        build_kpi_service("athena://only-workgroup")


def test_exporter_writes_firehose_partitions_and_an_error_prefix(tmp_path: Path) -> None:
    def line(app: str, **fields: Any) -> bytes:
        return json.dumps({"event_type": "x", "application": {"app_id": app}, **fields}).encode()

    records = [
        ("shard-1", line("x", event_timestamp=1794614400000)),
        ("shard-1", b"not json"),
        ("shard-2", line("y", event_timestamp=0)),
        ("shard-2", line("y")),  # no event_timestamp: no day to partition by
    ]
    report = write_partitions(records, tmp_path)
    assert (report.records, report.errors) == (2, 2)
    files = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*.jsonl"))
    assert files == [
        "application_id=x/dt=2026-11-14/shard-1.jsonl",
        "application_id=y/dt=1970-01-01/shard-2.jsonl",
        f"{ERRORS_DIR}/shard-1.jsonl",
        f"{ERRORS_DIR}/shard-2.jsonl",
    ]


def test_an_empty_directory_answers_empty_rows(tmp_path: Path) -> None:
    service = KpiService(DuckDbEngine(tmp_path), clock=lambda: NOW)
    body = service.get_application_date_range_kpi(ApplicationId=APP, KpiName="email-open-rate")
    assert body["ApplicationDateRangeKpiResponse"]["KpiResult"]["Rows"] == []


def test_parquet_and_json_lines_give_the_same_kpis(tmp_path: Path) -> None:
    records = event_set()
    as_json = KpiService(DuckDbEngine(write(records, tmp_path / "json")), clock=lambda: NOW)
    as_parquet = KpiService(DuckDbEngine(write(records, tmp_path / "parquet", "parquet")), clock=lambda: NOW)
    assert list((tmp_path / "parquet").rglob("*.parquet")) and not list(
        (tmp_path / "parquet").rglob("*.jsonl")
    )
    for name in ("successful-delivery-rate-grouped-by-date", "txn-sms-total-price-grouped-by-country"):
        params = {"ApplicationId": APP, "KpiName": name, "StartTime": START, "EndTime": END}
        assert as_json.get_application_date_range_kpi(**params) == as_parquet.get_application_date_range_kpi(
            **params
        )


def test_a_directory_name_with_a_quote_is_read_as_a_path(tmp_path: Path) -> None:
    root = write(event_set()[:300], tmp_path / "o'brien's events", "parquet")
    service = KpiService(DuckDbEngine(root), clock=lambda: NOW)
    body = service.get_application_date_range_kpi(ApplicationId=APP, KpiName="txn-emails-sent")
    assert body["ApplicationDateRangeKpiResponse"]["KpiResult"]["Rows"]
