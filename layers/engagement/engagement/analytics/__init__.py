"""Pinpoint's analytics from the event stream: 83 KPIs as SQL, run by Athena in AWS and DuckDB
locally, served in boto3's shape by :class:`KpiService` (docs/analytics.md).

Import-light: DuckDB and boto3 are imported only by the engine that needs them.
"""

from __future__ import annotations

from engagement.analytics.kpis import KPIS, Kpi, kpi, names
from engagement.analytics.service import KpiService

__all__ = ["KPIS", "Kpi", "KpiService", "build_kpi_service", "kpi", "names"]


def build_kpi_service(uri: str, **options: object) -> KpiService:
    """``athena://<workgroup>/<database>`` (AWS) or ``duckdb:///<directory>`` / a directory path."""
    from engagement.analytics.engines import AthenaEngine, DuckDbEngine

    if uri.startswith("athena://"):
        from engagement.aws import aws_client

        workgroup, _, database = uri.removeprefix("athena://").partition("/")
        if not workgroup or not database:
            raise ValueError(f"expected athena://<workgroup>/<database>, got {uri!r}")
        return KpiService(AthenaEngine(aws_client("athena"), workgroup, database), **options)  # type: ignore[arg-type]
    return KpiService(DuckDbEngine(uri.removeprefix("duckdb://")), **options)  # type: ignore[arg-type]
