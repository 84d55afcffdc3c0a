"""``KpiService``: Pinpoint's analytics API (boto3 method names, arguments and responses).

``get_application_date_range_kpi``, ``get_campaign_date_range_kpi`` and
``get_journey_date_range_kpi`` answer ``{"<Scope>DateRangeKpiResponse": {..., "KpiResult":
{"Rows": [{"GroupedBys": [...], "Values": [...]}]}}}`` from the KPI's SQL on an engine (Athena in
AWS, DuckDB locally). Pinpoint's rules: the range is inclusive and at most 31 days, the start is
at most 90 days ago (``retention_days``); a value that is NULL (a rate with nothing to divide by)
gives no row. ``get_journey_execution_metrics`` and ``get_journey_execution_activity_metrics``
count journey participants from the same events (docs/analytics.md says how).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from engagement.analytics.engines import Engine
from engagement.analytics.kpis import Kpi, Scope, kpi, names
from engagement.analytics.schema import VIEW
from engagement.models.errors import BadRequestException
from engagement.models.service import validate_request

MAX_RANGE = timedelta(days=31)
DEFAULT_RANGE = timedelta(days=7)
MAX_PAGE_SIZE = 1000  # Pinpoint documents no maximum for PageSize; rows per page when unset


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _utc(value: datetime | str | None, field: str, operation: str) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise BadRequestException(f"{field} is not an ISO 8601 timestamp: {value!r}", operation) from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _text(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _number(value: Any) -> float:
    return float(value)


class KpiService:
    """boto3-shaped analytics over an :class:`~engagement.analytics.engines.Engine`."""

    def __init__(
        self,
        engine: Engine,
        *,
        clock: Callable[[], datetime] | None = None,
        retention_days: int = 90,
        journey_counters: Callable[[str, str], Mapping[str, int]] | None = None,
    ):
        self.engine = engine
        # The journeys table's live counters (``JourneyTable.metrics``): a refused re-entry writes
        # no stream record, so REENTRY_CAP_EXCEEDED is read there when a journeys table is deployed.
        self.journey_counters = journey_counters
        self.clock = clock or (lambda: datetime.now(UTC))
        self.retention = timedelta(days=retention_days)

    # -- date range KPIs ---------------------------------------------------------------------
    def get_application_date_range_kpi(self, **params: Any) -> dict[str, Any]:
        return self._date_range("GetApplicationDateRangeKpi", "application", None, params)

    def get_campaign_date_range_kpi(self, **params: Any) -> dict[str, Any]:
        return self._date_range("GetCampaignDateRangeKpi", "campaign", "CampaignId", params)

    def get_journey_date_range_kpi(self, **params: Any) -> dict[str, Any]:
        return self._date_range("GetJourneyDateRangeKpi", "journey", "JourneyId", params)

    def _date_range(self, operation: str, scope: Scope, id_field: str | None, params: dict) -> dict[str, Any]:
        validate_request(operation, params)
        definition = kpi(scope, params["KpiName"])
        if definition is None:
            raise BadRequestException(
                f"KpiName {params['KpiName']!r} is not a {scope} metric; one of: {', '.join(names(scope))}",
                operation,
            )
        start, end = self._window(operation, params.get("StartTime"), params.get("EndTime"))
        rows = self.run(definition, params["ApplicationId"], start, end, params.get(id_field or ""))
        page, token = _page(rows, params.get("NextToken"), params.get("PageSize"), operation)
        body: dict[str, Any] = {
            "ApplicationId": params["ApplicationId"],
            "EndTime": end,
            "KpiName": definition.name,
            "KpiResult": {"Rows": page},
            "StartTime": start,
        }
        if id_field:
            body[id_field] = params[id_field]
        if token:
            body["NextToken"] = token
        return {f"{operation[3:-3]}KpiResponse": body}

    def run(
        self,
        definition: Kpi,
        application_id: str,
        start: datetime,
        end: datetime,
        scope_id: str | None = None,
    ) -> list[dict[str, Any]]:
        """``KpiResult.Rows`` of one KPI for [start, end], without the API's window rules."""
        arguments: list[Any] = [application_id, start.date().isoformat(), end.date().isoformat()]
        arguments += [_ms(start), _ms(end)]
        if definition.scope != "application":
            arguments.append(scope_id)
        return self._rows(definition, self.engine.query(definition.sql, arguments))

    def _window(self, operation: str, start_value: Any, end_value: Any) -> tuple[datetime, datetime]:
        now = self.clock()
        end = _utc(end_value, "EndTime", operation) or now
        start = _utc(start_value, "StartTime", operation) or end - DEFAULT_RANGE
        if start > end:
            raise BadRequestException("StartTime must not be after EndTime", operation)
        if end - start > MAX_RANGE:
            raise BadRequestException("The time range (StartTime to EndTime) can't exceed 31 days", operation)
        if start < now - self.retention:
            days = self.retention.days
            raise BadRequestException(f"StartTime must be within the last {days} days", operation)
        return start, end

    @staticmethod
    def _rows(definition: Kpi, result: list[tuple]) -> list[dict[str, Any]]:
        rows = []
        for record in result:
            value = record[-1]
            if value is None:
                continue
            row: dict[str, Any] = {
                "Values": [{"Key": definition.value_key, "Type": "Double", "Value": str(_number(value))}]
            }
            if definition.group_key:
                row["GroupedBys"] = [
                    {"Key": definition.group_key, "Type": "String", "Value": _text(record[0])}
                ]
            else:
                row["GroupedBys"] = []
            rows.append(row)
        return rows

    # -- journey execution metrics -------------------------------------------------------------
    def get_journey_execution_metrics(self, **params: Any) -> dict[str, Any]:
        validate_request("GetJourneyExecutionMetrics", params)
        app, journey = params["ApplicationId"], params["JourneyId"]
        ((entered, left, capped),) = self.engine.query(JOURNEY_EXECUTION_SQL, [app, journey])
        metrics = {
            "ENDPOINT_ENTERED": int(entered or 0),
            "ENDPOINT_LEFT": int(left or 0),
            "ENDPOINT_ACTIVE": int(entered or 0) - int(left or 0),
            "REENTRY_CAP_EXCEEDED": int(capped or 0),
        }
        if self.journey_counters is not None:
            metrics["REENTRY_CAP_EXCEEDED"] = int(
                self.journey_counters(app, journey).get("REENTRY_CAP_EXCEEDED", 0)
            )
        return {
            "JourneyExecutionMetricsResponse": {
                "ApplicationId": app,
                "JourneyId": journey,
                "LastEvaluatedTime": self.clock().isoformat(timespec="seconds"),
                "Metrics": {name: str(value) for name, value in metrics.items()},
            }
        }

    def get_journey_execution_activity_metrics(self, **params: Any) -> dict[str, Any]:
        validate_request("GetJourneyExecutionActivityMetrics", params)
        app, journey, activity = params["ApplicationId"], params["JourneyId"], params["JourneyActivityId"]
        counts = dict(self.engine.query(JOURNEY_ACTIVITY_SQL, [app, journey, activity]))
        metrics = {name: int(counts.get(name) or 0) for name in ACTIVITY_METRICS}
        for name, value in counts.items():  # send statuses of _journey.send records (skips, failures)
            metrics.setdefault(str(name), int(value or 0))
        return {
            "JourneyExecutionActivityMetricsResponse": {
                "ActivityType": "MESSAGE" if metrics["TOTAL"] else "",
                "ApplicationId": app,
                "JourneyActivityId": activity,
                "JourneyId": journey,
                "LastEvaluatedTime": self.clock().isoformat(timespec="seconds"),
                "Metrics": {name: str(value) for name, value in sorted(metrics.items())},
            }
        }


LEFT_STATUSES = ("OPTED_OUT", "INACTIVE")
JOURNEY_EXECUTION_SQL = f"""SELECT
  count(DISTINCT endpoint_id) AS entered,
  count(DISTINCT CASE WHEN send_status IN ('OPTED_OUT', 'INACTIVE') THEN endpoint_id END) AS left_journey,
  count(CASE WHEN send_status = 'REENTRY_CAP_EXCEEDED' THEN 1 END) AS reentry_capped
FROM {VIEW}
WHERE application_id = ? AND journey_id = ?"""

# Message activity: participants (TOTAL), then what happened to their messages.
ACTIVITY_EVENT_METRICS: Mapping[str, str] = {
    "SENT": "'_email.send', '_SMS.BUFFERED', '_SMS.SEND', '_custom.send'",
    "DELIVERED": "'_email.delivered', '_SMS.SUCCESS'",
    "OPENED": "'_email.open'",
    "CLICKED": "'_email.click'",
    "HARD_BOUNCED": "'_email.hardbounce'",
    "SOFT_BOUNCED": "'_email.softbounce'",
    "COMPLAINED": "'_email.complaint'",
    "REJECTED": "'_email.rejected'",
    "UNSUBSCRIBED": "'_email.unsubscribe'",
    "FAILED": "'_SMS.FAILURE', '_email.rendering_failure'",
}
ACTIVITY_METRICS = ("TOTAL", *ACTIVITY_EVENT_METRICS)
_ACTIVITY_FILTER = f"FROM {VIEW}\nWHERE application_id = ? AND journey_id = ? AND journey_activity_id = ?"
JOURNEY_ACTIVITY_SQL = (
    "WITH activity AS (SELECT endpoint_id, event_type, send_status "
    + _ACTIVITY_FILTER
    + ")\nSELECT 'TOTAL' AS metric, count(DISTINCT endpoint_id) AS value FROM activity\n"
    + "".join(
        f"UNION ALL SELECT '{name}', count(CASE WHEN event_type IN ({types}) THEN 1 END) FROM activity\n"
        for name, types in ACTIVITY_EVENT_METRICS.items()
    )
    + "UNION ALL SELECT send_status, count(*) FROM activity\n"
    + "WHERE event_type = '_journey.send' AND send_status IS NOT NULL GROUP BY send_status"
)


def _page(rows: list[dict], token: Any, size: Any, operation: str) -> tuple[list[dict], str | None]:
    try:
        offset = int(base64.urlsafe_b64decode(str(token).encode()).decode()) if token else 0
    except ValueError:
        raise BadRequestException(
            f"NextToken {token!r} is not a token this API returned", operation
        ) from None
    try:
        limit = int(size) if size not in (None, "") else MAX_PAGE_SIZE
    except ValueError:
        raise BadRequestException(f"PageSize must be a number, got {size!r}", operation) from None
    if limit < 1:
        raise BadRequestException("PageSize must be at least 1", operation)
    page = rows[offset : offset + limit]
    more = offset + limit < len(rows)
    return page, (base64.urlsafe_b64encode(str(offset + limit).encode()).decode() if more else None)
