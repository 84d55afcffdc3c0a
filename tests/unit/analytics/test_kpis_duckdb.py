"""Every KPI name, through KpiService on DuckDB, equals the independent oracle's reading."""

from __future__ import annotations

from typing import Any

import pytest

from engagement.analytics.kpis import KPIS, names
from engagement.analytics.service import KpiService
from tests.unit.analytics.eventset import APP, END, START, in_window
from tests.unit.analytics.oracle import expected

SCOPE_IDS = {"application": None, "campaign": "campaign-1", "journey": "journey-1"}


def call(service: KpiService, scope: str, name: str, **extra: Any) -> dict[str, Any]:
    params = {"ApplicationId": APP, "KpiName": name, "StartTime": START, "EndTime": END, **extra}
    if scope == "campaign":
        return service.get_campaign_date_range_kpi(CampaignId=SCOPE_IDS[scope], **params)[
            "CampaignDateRangeKpiResponse"
        ]
    if scope == "journey":
        return service.get_journey_date_range_kpi(JourneyId=SCOPE_IDS[scope], **params)[
            "JourneyDateRangeKpiResponse"
        ]
    return service.get_application_date_range_kpi(**params)["ApplicationDateRangeKpiResponse"]


def as_dict(rows: list[dict[str, Any]]) -> dict[str | None, float]:
    result = {}
    for row in rows:
        key = row["GroupedBys"][0]["Value"] if row["GroupedBys"] else None
        result[key] = float(row["Values"][0]["Value"])
    return result


def test_there_are_83_kpi_names_as_pinpoint_lists_them() -> None:
    assert len(KPIS) == 83
    assert len(names("application")) == 48 and len(names("campaign")) == 17 and len(names("journey")) == 18


@pytest.mark.parametrize(("scope", "name"), sorted(KPIS), ids=lambda v: v)
def test_kpi_matches_the_independent_definition(
    service: KpiService, events: list[dict[str, Any]], scope: str, name: str
) -> None:
    body = call(service, scope, name)
    want = expected(scope, name, in_window(events), SCOPE_IDS[scope])
    got = as_dict(body["KpiResult"]["Rows"])
    assert got.keys() == want.keys()
    for key, value in want.items():
        assert got[key] == pytest.approx(value, rel=1e-9), key
    definition = KPIS[(scope, name)]
    assert all(v["Key"] == definition.value_key for r in body["KpiResult"]["Rows"] for v in r["Values"])


def test_the_event_set_exercises_every_kpi(events: list[dict[str, Any]]) -> None:
    """Guard against a vacuous pass: most KPIs have a non-zero value on the generated set."""
    window = in_window(events)
    nonzero = sum(
        1 for scope, name in KPIS if any(v for v in expected(scope, name, window, SCOPE_IDS[scope]).values())
    )
    assert nonzero >= 75


def test_push_and_custom_channel_records_count(service: KpiService) -> None:
    body = call(service, "campaign", "push-open-rate")
    assert as_dict(body["KpiResult"]["Rows"]) == {None: 0.5}  # 1 open of 2 push deliveries


def test_other_applications_and_records_outside_the_window_are_not_counted(
    service: KpiService, events: list[dict[str, Any]]
) -> None:
    sent = as_dict(
        call(service, "campaign", "attempted-deliveries-grouped-by-campaign-activity")["KpiResult"]["Rows"]
    )
    window = [r for r in in_window(events) if r["attributes"].get("campaign_id") == "campaign-1"]
    assert "too-late" not in {r["client"]["client_id"] for r in window}
    assert sum(sent.values()) == pytest.approx(
        sum(1 for r in window if r["event_type"] in ("_email.send", "_SMS.BUFFERED", "_custom.send"))
        + sum(
            1
            for r in window
            if r["attributes"].get("campaign_send_status") == "SUCCESS"
            and r["attributes"].get("delivery_type") != "EMAIL"  # that message's `_email.send` counted
        )
    )
