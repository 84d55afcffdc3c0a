"""``engagement kpi report``: one self-contained HTML page of an application's engagement.

The page holds its data (JSON) and Chart.js (inlined from the npm package the repository pins,
docs/decisions/0031-report-charts-chartjs.md), so it opens anywhere, offline, and can be mailed.
Charts: the delivery funnel (sent -> delivered -> opened -> clicked), daily rates, bounce and
complaint rates against SES's review thresholds (5 % and 0.1 %), opt-outs by cause; tables per
campaign and per journey come from the KPI definitions themselves (the numbers the API returns).
"""

from __future__ import annotations

import html
import json
import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from engagement.analytics.kpis import kpi
from engagement.analytics.schema import VIEW
from engagement.analytics.service import KpiService

SES_BOUNCE_REVIEW = 0.05  # SES puts an account under review at a 5 % bounce rate
SES_COMPLAINT_REVIEW = 0.001  # ... and at a 0.1 % complaint rate
CHARTJS_ENV = "ENGAGEMENT_CHARTJS"
CHARTJS_PATH = Path("node_modules") / "chart.js" / "dist" / "chart.umd.min.js"

DAILY_SQL = f"""SELECT dt,
  count(CASE WHEN event_type IN ('_email.send', '_SMS.BUFFERED', '_SMS.SEND', '_custom.send')
    THEN 1 END) AS sent,
  count(CASE WHEN event_type IN ('_email.delivered', '_SMS.SUCCESS', '_custom.send') THEN 1 END) AS delivered,
  count(DISTINCT CASE WHEN event_type = '_email.open' THEN message_id END) AS opened,
  count(DISTINCT CASE WHEN event_type = '_email.click' THEN message_id END) AS clicked,
  count(CASE WHEN event_type = '_email.send' THEN 1 END) AS emails_sent,
  count(CASE WHEN event_type = '_email.hardbounce' THEN 1 END) AS hard_bounces,
  count(CASE WHEN event_type = '_email.softbounce' THEN 1 END) AS soft_bounces,
  count(CASE WHEN event_type = '_email.complaint' THEN 1 END) AS complaints
FROM {VIEW}
WHERE application_id = ? AND dt BETWEEN ? AND ? AND event_timestamp BETWEEN ? AND ?
GROUP BY dt
ORDER BY dt"""

OPT_OUT_CAUSES = {
    "_email.hardbounce": "Hard bounce",
    "_email.complaint": "Complaint",
    "_email.unsubscribe": "Unsubscribe link",
    "_SMS.OPTOUT": "SMS STOP reply",
}
OPT_OUT_SQL = f"""SELECT event_type, count(DISTINCT endpoint_id) AS endpoints
FROM {VIEW}
WHERE application_id = ? AND dt BETWEEN ? AND ? AND event_timestamp BETWEEN ? AND ?
  AND event_type IN ({", ".join(f"'{t}'" for t in OPT_OUT_CAUSES)})
GROUP BY event_type
ORDER BY event_type"""

IDS_SQL = f"""SELECT DISTINCT campaign_id, journey_id
FROM {VIEW}
WHERE application_id = ? AND dt BETWEEN ? AND ? AND event_timestamp BETWEEN ? AND ?
  AND (campaign_id IS NOT NULL OR journey_id IS NOT NULL)"""

# (column title, scope, KPI name) of the per-campaign and per-journey tables.
CAMPAIGN_COLUMNS = (
    ("Sent", "campaign", "attempted-deliveries-grouped-by-campaign-activity"),
    ("Delivery rate", "campaign", "successful-delivery-rate"),
    ("Unique deliveries", "campaign", "unique-deliveries"),
    ("Email open rate", "campaign", "email-open-rate"),
    ("Hard-bounce rate", "campaign", "hard-bounce-rate"),
    ("Clicks", "campaign", "clicks-grouped-by-campaign-activity"),
)
JOURNEY_COLUMNS = tuple(
    (word.capitalize(), "journey", f"journey-emails-{word}")
    for word in ("sent", "delivered", "opened", "clicked", "hardbounced", "complained", "unsubscribed")
)


class ChartJsNotFoundError(FileNotFoundError):
    pass


def chartjs_source(start: Path | None = None) -> str:
    """Chart.js's UMD build: ``$ENGAGEMENT_CHARTJS`` or ``node_modules/`` above ``start``/the package."""
    configured = os.environ.get(CHARTJS_ENV)
    candidates = [Path(configured)] if configured else []
    for base in (start or Path.cwd(), Path(__file__).resolve()):
        candidates += [parent / CHARTJS_PATH for parent in (base, *base.parents)]
    for candidate in candidates:
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    raise ChartJsNotFoundError(
        f"Chart.js not found ({CHARTJS_PATH} above {Path.cwd()}): run `make install` (npm ci), "
        f"or point ${CHARTJS_ENV} at chart.umd.min.js"
    )


@dataclass
class ReportData:
    application_id: str
    start: date
    end: date
    days: list[dict[str, Any]] = field(default_factory=list)
    opt_outs: dict[str, int] = field(default_factory=dict)
    campaigns: list[dict[str, Any]] = field(default_factory=list)
    journeys: list[dict[str, Any]] = field(default_factory=list)

    @property
    def totals(self) -> dict[str, int]:
        keys = ("sent", "delivered", "opened", "clicked", "emails_sent", "hard_bounces", "soft_bounces")
        return {key: sum(int(day[key]) for day in self.days) for key in (*keys, "complaints")}


def _rate(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def _first_value(rows: list[dict[str, Any]]) -> float | None:
    """A single-value KPI's value, or the sum of a grouped KPI's values (None when no rows)."""
    if not rows:
        return None
    return sum(float(row["Values"][0]["Value"]) for row in rows)


def collect(service: KpiService, application_id: str, start: date, end: date) -> ReportData:
    """Everything the page shows, queried through the service's engine and KPI definitions."""
    first = datetime.combine(start, time.min, UTC)
    last = datetime.combine(end, time.max, UTC)
    window = [application_id, start.isoformat(), end.isoformat(), int(first.timestamp() * 1000)]
    window.append(int(last.timestamp() * 1000))
    data = ReportData(application_id, start, end)
    columns = ("dt", "sent", "delivered", "opened", "clicked", "emails_sent", "hard_bounces", "soft_bounces")
    for row in service.engine.query(DAILY_SQL, window):
        day = dict(zip((*columns, "complaints"), row, strict=True))
        day["dt"] = str(day["dt"])
        day["bounce_rate"] = _rate(day["hard_bounces"], day["emails_sent"])
        day["complaint_rate"] = _rate(day["complaints"], day["emails_sent"])
        day["delivery_rate"] = _rate(day["delivered"], day["sent"])
        day["open_rate"] = _rate(day["opened"], day["delivered"])
        day["click_rate"] = _rate(day["clicked"], day["delivered"])
        data.days.append(day)
    data.opt_outs = {OPT_OUT_CAUSES[kind]: int(n) for kind, n in service.engine.query(OPT_OUT_SQL, window)}
    ids = service.engine.query(IDS_SQL, window)
    for owner, columns_of, index, rows in (
        ("Campaign", CAMPAIGN_COLUMNS, 0, data.campaigns),
        ("Journey", JOURNEY_COLUMNS, 1, data.journeys),
    ):
        for scope_id in sorted({str(row[index]) for row in ids if row[index] is not None}):
            entry: dict[str, Any] = {owner: scope_id}
            for title, scope, name in columns_of:
                definition = kpi(scope, name)  # type: ignore[arg-type]
                assert definition is not None, name
                entry[title] = _first_value(service.run(definition, application_id, first, last, scope_id))
            rows.append(entry)
    return data


def _format(value: Any, title: str) -> str:
    if value is None:
        return "–"
    if "rate" in title.lower():
        return f"{float(value) * 100:.1f} %"
    return f"{float(value):,.0f}"


def _table(rows: list[dict[str, Any]], empty: str) -> str:
    if not rows:
        return f"<p class='empty'>{html.escape(empty)}</p>"
    headers = list(rows[0])
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + f"<td>{html.escape(str(row[headers[0]]))}</td>"
        + "".join(f"<td class='num'>{_format(row[h], h)}</td>" for h in headers[1:])
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _script_json(value: Any) -> str:
    """JSON safe inside <script>: no ``</script>``, no HTML comment openers."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render(data: ReportData, chartjs: str) -> str:
    """The page (str). ``chartjs`` is the library's source, inlined."""
    payload = {
        "days": data.days,
        "totals": data.totals,
        "optOuts": data.opt_outs,
        "thresholds": {"bounce": SES_BOUNCE_REVIEW, "complaint": SES_COMPLAINT_REVIEW},
    }
    totals = data.totals
    summary = " · ".join(
        f"{label} <b>{totals[key]:,}</b>"
        for label, key in (("sent", "sent"), ("delivered", "delivered"), ("opened", "opened"))
    )
    title = f"Engagement report: {data.application_id}, {data.start.isoformat()} to {data.end.isoformat()}"
    library = chartjs.replace("</script", "<\\/script")
    return PAGE.format(
        title=html.escape(title),
        summary=summary,
        campaigns=_table(data.campaigns, "No campaign messages in this period."),
        journeys=_table(data.journeys, "No journey messages in this period."),
        data=_script_json(payload),
        chartjs=library,
        script=SCRIPT,
        bounce=f"{SES_BOUNCE_REVIEW:.0%}",
        complaint=f"{SES_COMPLAINT_REVIEW:.1%}",
    )


def write_report(service: KpiService, application_id: str, start: date, end: date, path: str | Path) -> Path:
    data = collect(service, application_id, start, end)
    target = Path(path)
    target.write_text(render(data, chartjs_source()), encoding="utf-8")
    return target


SCRIPT = r"""
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("report-data").textContent);
  const days = data.days.map((d) => d.dt);
  const pct = (v) => (v === null || v === undefined ? null : +(v * 100).toFixed(3));
  const common = { animation: false, responsive: true, maintainAspectRatio: false, spanGaps: true };
  const percentAxis = { y: { beginAtZero: true, ticks: { callback: (v) => v + " %" } } };
  const charts = [];
  charts.push(new Chart(document.getElementById("funnel"), {
    type: "bar",
    data: {
      labels: ["Sent", "Delivered", "Opened", "Clicked"],
      datasets: [{ label: "Messages", backgroundColor: ["#4e79a7", "#59a14f", "#f28e2b", "#e15759"],
        data: [data.totals.sent, data.totals.delivered, data.totals.opened, data.totals.clicked] }],
    },
    options: { ...common, indexAxis: "y", plugins: { legend: { display: false } } },
  }));
  charts.push(new Chart(document.getElementById("rates"), {
    type: "line",
    data: { labels: days, datasets: [
      { label: "Delivery rate", data: data.days.map((d) => pct(d.delivery_rate)), borderColor: "#59a14f" },
      { label: "Open rate", data: data.days.map((d) => pct(d.open_rate)), borderColor: "#f28e2b" },
      { label: "Click rate", data: data.days.map((d) => pct(d.click_rate)), borderColor: "#e15759" },
    ] },
    options: { ...common, scales: percentAxis },
  }));
  const line = (value) => days.map(() => value * 100);
  charts.push(new Chart(document.getElementById("reputation"), {
    type: "line",
    data: { labels: days, datasets: [
      { label: "Bounce rate", data: data.days.map((d) => pct(d.bounce_rate)), borderColor: "#e15759" },
      { label: "SES bounce review (5 %)", data: line(data.thresholds.bounce), borderColor: "#e15759",
        borderDash: [6, 4], pointRadius: 0 },
      { label: "Complaint rate", data: data.days.map((d) => pct(d.complaint_rate)), borderColor: "#76b7b2" },
      { label: "SES complaint review (0.1 %)", data: line(data.thresholds.complaint), borderColor: "#76b7b2",
        borderDash: [6, 4], pointRadius: 0 },
    ] },
    options: { ...common, scales: percentAxis },
  }));
  const causes = Object.keys(data.optOuts);
  charts.push(new Chart(document.getElementById("optouts"), {
    type: "bar",
    data: { labels: causes.length ? causes : ["(none)"], datasets: [{ label: "Endpoints",
      backgroundColor: "#9c755f", data: causes.length ? causes.map((c) => data.optOuts[c]) : [0] }] },
    options: { ...common, plugins: { legend: { display: false } },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  }));
  document.body.dataset.chartsRendered = String(charts.length);
})();
"""

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; background: #fff; }}
h1 {{ font-size: 20px; }} h2 {{ font-size: 16px; margin-top: 28px; }}
.grid {{ display: grid; grid-template-columns: repeat(auto-fit, minmax(460px, 1fr)); gap: 24px; }}
.chart {{ position: relative; height: 280px; }}
table {{ border-collapse: collapse; margin-top: 8px; }}
th, td {{ border-bottom: 1px solid #ddd; padding: 4px 10px; text-align: left; }}
td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
.empty, .note {{ color: #666; }}
</style>
</head>
<body>
<h1>{title}</h1>
<p>{summary}</p>
<div class="grid">
  <section><h2>Delivery funnel</h2><div class="chart"><canvas id="funnel"></canvas></div></section>
  <section><h2>Daily rates</h2><div class="chart"><canvas id="rates"></canvas></div></section>
  <section><h2>Bounces and complaints vs SES review thresholds ({bounce} / {complaint})</h2>
    <div class="chart"><canvas id="reputation"></canvas></div></section>
  <section><h2>Opt-outs by cause</h2><div class="chart"><canvas id="optouts"></canvas></div></section>
</div>
<h2>Campaigns</h2>
{campaigns}
<h2>Journeys (email)</h2>
{journeys}
<p class="note">Rates as Pinpoint defined them: delivery = delivered / sent, open = opened / delivered,
bounce = hard bounces / emails sent, complaint = complaints / emails sent.
Tables show the KPI API's values.</p>
<script type="application/json" id="report-data">{data}</script>
<script>{chartjs}</script>
<script>{script}</script>
</body>
</html>
"""
