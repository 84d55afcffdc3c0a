"""Fixtures: the generated event set on disk in Firehose's layout, and a KpiService over it (DuckDB)."""

from __future__ import annotations

from typing import Any

import pytest

from engagement.analytics.engines import DuckDbEngine
from engagement.analytics.service import KpiService
from tests.unit.analytics.eventset import NOW, event_set, write


@pytest.fixture(scope="session")
def events() -> list[dict[str, Any]]:
    return event_set()


@pytest.fixture(scope="session")
def service(events: list[dict[str, Any]], tmp_path_factory: pytest.TempPathFactory) -> KpiService:
    root = write(events, tmp_path_factory.mktemp("events"))
    return KpiService(DuckDbEngine(root), clock=lambda: NOW)
