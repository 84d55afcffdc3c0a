"""Demo step (last): Pinpoint's KPIs and the HTML report from the demo's own stream events.

SES reports what became of the emails the custom channel sent earlier in the demo (delivered,
some opened, some clicked) through the SES normaliser, as it would in AWS. The local stand-in
for Firehose then drains the Kinesis stream into Firehose's partition layout; KpiService answers
Pinpoint's KPI calls with DuckDB over those files; ``engagement kpi report`` writes the page.
"""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from local.console import heading, step, table
from local.demo_journey_definitions import warm_function
from local.demo_stream import APPLICATION_ID, QUIET, ses_event
from local.stack import LocalStack

OUTPUT = Path(tempfile.gettempdir()) / "engagement-demo"


def _stream(stack: LocalStack) -> list[dict[str, Any]]:
    import boto3

    from engagement.analytics.exporter import read_stream

    kinesis = boto3.client("kinesis")
    records = []
    for _, data in read_stream(kinesis, stack.physical_id("EventStream")):
        with contextlib.suppress(ValueError):
            records.append(json.loads(data))
    return records


def _ses_outcomes(send: dict[str, Any], index: int) -> list[dict[str, Any]]:
    """SES events for one email the channel sent: delivery, then an open (2 of 3) and a click (1 of 3)."""
    attributes = send["attributes"]
    mail = send["facets"]["email_channel"]["mail_event"]["mail"]
    tags = {"application_id": send["application"]["app_id"], "endpoint_id": send["client"]["client_id"]}
    for ours, theirs in (("campaign_id", "campaign_id"), ("journey_id", "journey_id")):
        if attributes.get(ours):
            tags[theirs] = attributes[ours]
    tags["activity_id"] = attributes.get("campaign_activity_id") or attributes.get("journey_activity_id", "")
    if attributes.get("treatment_id"):
        tags["treatment_id"] = attributes["treatment_id"]
    address = (mail.get("destination") or ["someone@example.com"])[0]
    kinds = [("Delivery", {"recipients": [address], "smtpResponse": "250 ok"}, "Email Delivered")]
    if index % 3 != 2:
        kinds.append(("Open", {"ipAddress": "192.0.2.1", "userAgent": "demo"}, "Email Opened"))
    if index % 3 == 0:
        kinds.append(("Click", {"link": "https://example.com/offer", "linkTags": {}}, "Email Clicked"))
    sent_at = datetime.fromtimestamp(send["event_timestamp"] / 1000, UTC).isoformat().replace("+00:00", "Z")
    events = []
    for kind, body, detail_type in kinds:
        event = ses_event(kind, body, address=address, tags=tags, detail_type=detail_type)
        event["detail"]["mail"].update(messageId=mail["message_id"], timestamp=sent_at)
        events.append(event)
    return events


def run(stack: LocalStack) -> None:
    import boto3

    from engagement.analytics.engines import DuckDbEngine
    from engagement.analytics.exporter import export_stream
    from engagement.analytics.report import write_report
    from engagement.analytics.service import KpiService

    started = time.monotonic()
    heading("Analytics: Pinpoint's KPIs from the demo's own stream events, and the HTML report")
    sends = [
        r
        for r in _stream(stack)
        if r.get("event_type") == "_email.send" and r["application"]["app_id"] == APPLICATION_ID
    ]
    ses_events = [event for index, send in enumerate(sends) for event in _ses_outcomes(send, index)]
    step(
        f"SES reports on the {len(sends)} email(s) the custom channel sent: {len(ses_events)} events "
        "(delivery, opens, clicks) through SesEventsFunction onto the stream"
    )
    with contextlib.redirect_stdout(io.StringIO()):
        ses_function = warm_function(stack, "ses_events", env=QUIET)
        for event in ses_events:
            ses_function(event)

    root = OUTPUT / "events"
    step(
        f"Drain the Kinesis stream into Firehose's layout (application_id=*/dt=*/), as Firehose would: {root}"
    )
    exported = export_stream(boto3.client("kinesis"), stack.physical_id("EventStream"), root)
    files, errors = len(exported.files), exported.errors
    print(f"   {exported.records} record(s) in {files} file(s); {errors} not JSON -> errors/")

    service = KpiService(DuckDbEngine(root))
    days = sorted(p.name.removeprefix("dt=") for p in (root / f"application_id={APPLICATION_ID}").iterdir())
    start, end = date.fromisoformat(days[0]), date.fromisoformat(days[-1])
    step(f"Pinpoint's KPI API on DuckDB ({start} to {end}): get_*_date_range_kpi, KpiResult rows")
    first = datetime.combine(start, datetime.min.time(), UTC)
    last = datetime.combine(end, datetime.max.time(), UTC).replace(microsecond=0)
    window = {"ApplicationId": APPLICATION_ID, "StartTime": first, "EndTime": last}
    campaign = next(
        (s["attributes"]["campaign_id"] for s in sends if s["attributes"].get("campaign_id")), None
    )
    journey = next((s["attributes"]["journey_id"] for s in sends if s["attributes"].get("journey_id")), None)
    calls = [("application", None, "unique-deliveries"), ("application", None, "successful-delivery-rate")]
    if campaign:
        calls += [("campaign", campaign, "email-open-rate"), ("campaign", campaign, "hard-bounce-rate")]
    if journey:
        calls += [("journey", journey, "journey-emails-sent"), ("journey", journey, "journey-emails-opened")]
    rows = []
    for scope, scope_id, name in calls:
        if scope == "campaign":
            body = service.get_campaign_date_range_kpi(CampaignId=scope_id, KpiName=name, **window)
        elif scope == "journey":
            body = service.get_journey_date_range_kpi(JourneyId=scope_id, KpiName=name, **window)
        else:
            body = service.get_application_date_range_kpi(KpiName=name, **window)
        result = next(iter(body.values()))["KpiResult"]["Rows"]
        value = result[0]["Values"][0] if result else {"Key": "-", "Value": "(Rows: [], no campaign sends)"}
        rows.append((scope, (scope_id or "")[:12], name, value["Key"], value["Value"][:26]))
    table(rows, ["scope", "id", "KpiName", "Values[0].Key", "Value"])
    if journey:
        metrics = service.get_journey_execution_metrics(ApplicationId=APPLICATION_ID, JourneyId=journey)
        print(f"   get_journey_execution_metrics: {metrics['JourneyExecutionMetricsResponse']['Metrics']}")

    path = OUTPUT / "report.html"
    step(f"engagement kpi report --application-id {APPLICATION_ID} --from {start} --to {end} --html {path}")
    write_report(service, APPLICATION_ID, start, end, path)
    size = path.stat().st_size // 1024
    print(f"   self-contained page ({size} KiB, Chart.js inlined) in {time.monotonic() - started:.1f} s")
    print(f"\nAnalytics report: {path}")
