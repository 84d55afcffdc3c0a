"""KpiService: Pinpoint's request rules, response shapes (checked against botocore's model),
paging, and the journey execution metrics."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from engagement.analytics.service import KpiService
from engagement.models.errors import BadRequestException
from engagement.models.service import validate_shape
from tests.unit.analytics.eventset import APP, END, NOW, START


def app_kpi(service: KpiService, **params: Any) -> dict[str, Any]:
    return service.get_application_date_range_kpi(**{"ApplicationId": APP, **params})


def test_response_has_pinpoints_shape(service: KpiService) -> None:
    response = app_kpi(service, KpiName="unique-deliveries-grouped-by-campaign", StartTime=START, EndTime=END)
    body = response["ApplicationDateRangeKpiResponse"]
    validate_shape("ApplicationDateRangeKpiResponse", body)
    assert body["KpiName"] == "unique-deliveries-grouped-by-campaign"
    assert body["StartTime"] == START and body["EndTime"] == END
    row = body["KpiResult"]["Rows"][0]
    assert row["GroupedBys"][0]["Key"] == "CampaignId" and row["Values"][0]["Key"] == "UniqueDeliveries"
    assert row["Values"][0]["Type"] == "Double" and float(row["Values"][0]["Value"]) >= 1


def test_campaign_and_journey_responses_have_pinpoints_shape(service: KpiService) -> None:
    campaign = service.get_campaign_date_range_kpi(
        ApplicationId=APP, CampaignId="campaign-0", KpiName="hard-bounce-rate", StartTime=START, EndTime=END
    )["CampaignDateRangeKpiResponse"]
    validate_shape("CampaignDateRangeKpiResponse", campaign)
    journey = service.get_journey_date_range_kpi(
        ApplicationId=APP, JourneyId="journey-0", KpiName="journey-emails-sent", StartTime=START, EndTime=END
    )["JourneyDateRangeKpiResponse"]
    validate_shape("JourneyDateRangeKpiResponse", journey)
    assert campaign["CampaignId"] == "campaign-0" and journey["JourneyId"] == "journey-0"


def test_iso_strings_are_accepted_like_the_http_api_sends_them(service: KpiService) -> None:
    body = app_kpi(
        service, KpiName="txn-emails-sent", StartTime="2026-11-14T00:00:00Z", EndTime="2026-11-18T12:00:00Z"
    )["ApplicationDateRangeKpiResponse"]
    same = app_kpi(service, KpiName="txn-emails-sent", StartTime=START, EndTime=END)
    assert body["KpiResult"] == same["ApplicationDateRangeKpiResponse"]["KpiResult"]


SENT = {"KpiName": "txn-emails-sent"}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"KpiName": "no-such-kpi"}, "KpiName 'no-such-kpi' is not a application metric"),
        ({"KpiName": "hard-bounce-rate"}, "not a application metric"),  # campaign-only name
        ({**SENT, "StartTime": START, "EndTime": START + timedelta(days=32)}, "31 days"),
        ({**SENT, "StartTime": END, "EndTime": START}, "after EndTime"),
        ({**SENT, "StartTime": NOW - timedelta(days=91), "EndTime": NOW - timedelta(days=80)}, "90 days"),
        ({**SENT, "StartTime": "yesterday"}, "StartTime"),
        ({**SENT, "NextToken": "!!"}, "NextToken"),
        ({**SENT, "PageSize": "0"}, "PageSize"),
    ],
)  # fmt: skip
def test_bad_requests_name_the_field(service: KpiService, params: dict, message: str) -> None:
    with pytest.raises(BadRequestException, match=message):
        app_kpi(service, **params)


def test_missing_required_parameter_is_rejected_by_the_model(service: KpiService) -> None:
    with pytest.raises(BadRequestException, match="KpiName"):
        service.get_application_date_range_kpi(ApplicationId=APP)


def test_exactly_31_days_is_allowed(service: KpiService) -> None:
    app_kpi(service, KpiName="txn-emails-sent", StartTime=NOW - timedelta(days=31), EndTime=NOW)


def test_default_window_is_the_last_7_days(service: KpiService) -> None:
    body = app_kpi(service, KpiName="txn-emails-sent")["ApplicationDateRangeKpiResponse"]
    assert body["EndTime"] == NOW and body["StartTime"] == NOW - timedelta(days=7)


def test_a_rate_with_nothing_to_divide_is_an_empty_rows_list(service: KpiService) -> None:
    body = app_kpi(service, KpiName="push-open-rate-grouped-by-campaign", StartTime=START, EndTime=END)
    rows = body["ApplicationDateRangeKpiResponse"]["KpiResult"]["Rows"]
    assert [r["GroupedBys"][0]["Value"] for r in rows] == ["campaign-1"]  # only campaign-1 sent push


def test_grouped_rows_page_with_next_token(service: KpiService) -> None:
    every = app_kpi(service, KpiName="txn-emails-sent-grouped-by-date", StartTime=START, EndTime=END)
    rows = every["ApplicationDateRangeKpiResponse"]["KpiResult"]["Rows"]
    assert len(rows) == 5 and "NextToken" not in every["ApplicationDateRangeKpiResponse"]
    pages, token = [], None
    while True:
        extra = {"NextToken": token} if token else {}
        page = app_kpi(
            service,
            KpiName="txn-emails-sent-grouped-by-date",
            StartTime=START,
            EndTime=END,
            PageSize="2",
            **extra,
        )["ApplicationDateRangeKpiResponse"]
        pages.append(page["KpiResult"]["Rows"])
        token = page.get("NextToken")
        if not token:
            break
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [r for p in pages for r in p] == rows
    assert [r["GroupedBys"][0]["Value"] for r in rows] == [f"2026-11-{d}" for d in range(14, 19)]


def test_journey_execution_metrics(service: KpiService) -> None:
    response = service.get_journey_execution_metrics(ApplicationId=APP, JourneyId="journey-1")
    body = response["JourneyExecutionMetricsResponse"]
    validate_shape("JourneyExecutionMetricsResponse", body)
    metrics = {k: int(v) for k, v in body["Metrics"].items()}
    assert metrics["ENDPOINT_LEFT"] == 2  # skip-2 opted out, skip-3 inactive
    assert metrics["REENTRY_CAP_EXCEEDED"] == 1
    assert metrics["ENDPOINT_ACTIVE"] == metrics["ENDPOINT_ENTERED"] - 2 > 0


def test_journey_activity_execution_metrics(service: KpiService, events: list[dict[str, Any]]) -> None:
    response = service.get_journey_execution_activity_metrics(
        ApplicationId=APP, JourneyId="journey-1", JourneyActivityId="activity-0"
    )
    body = response["JourneyExecutionActivityMetricsResponse"]
    validate_shape("JourneyExecutionActivityMetricsResponse", body)
    mine = [
        r
        for r in events
        if r["application"]["app_id"] == APP
        and r["attributes"].get("journey_id") == "journey-1"
        and r["attributes"].get("journey_activity_id") == "activity-0"
    ]
    metrics = body["Metrics"]
    assert body["ActivityType"] == "MESSAGE"
    assert int(metrics["TOTAL"]) == len({r["client"]["client_id"] for r in mine})
    assert int(metrics["SENT"]) == sum(r["event_type"] in ("_email.send", "_SMS.BUFFERED") for r in mine)
    assert int(metrics["OPENED"]) == sum(r["event_type"] == "_email.open" for r in mine)
    assert metrics["OPTED_OUT"] == "1" and metrics["INACTIVE"] == "1"


def test_unknown_journey_has_zero_participants(service: KpiService) -> None:
    body = service.get_journey_execution_metrics(ApplicationId=APP, JourneyId="nope")
    assert set(body["JourneyExecutionMetricsResponse"]["Metrics"].values()) == {"0"}
