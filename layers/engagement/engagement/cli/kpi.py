"""``engagement kpi``: Pinpoint's KPIs from the event stream (docs/analytics.md).

    engagement kpi export --stream NAME --output DIR [--format parquet]   # local: drain Kinesis
    engagement kpi get --application-id ID --kpi NAME [--campaign-id C | --journey-id J] --from D --to D
    engagement kpi report --application-id ID --from D --to D --html report.html

``--source`` is a directory in Firehose's layout (DuckDB) or ``athena://<workgroup>/<database>``.
"""

from __future__ import annotations

import argparse
import json
import os
from datetime import UTC, date, datetime, timedelta

DEFAULT_SOURCE_VARIABLE = "KPI_SOURCE"


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def register(subparsers: argparse._SubParsersAction) -> None:
    kpi = subparsers.add_parser("kpi", help="analytics: Pinpoint's KPIs from the event stream, HTML report")
    commands = kpi.add_subparsers(dest="kpi_command", required=True, metavar="SUBCOMMAND")
    source = os.environ.get(DEFAULT_SOURCE_VARIABLE, "analytics-events")
    today = datetime.now(UTC).date()

    export = commands.add_parser(
        "export", help="drain a Kinesis event stream into Firehose's partition layout"
    )
    export.add_argument("--stream", required=True, help="Kinesis stream name")
    export.add_argument("--output", default=source, help=f"directory (default: ${DEFAULT_SOURCE_VARIABLE})")
    export.add_argument("--format", choices=("jsonl", "parquet"), default="jsonl")
    export.set_defaults(func=_export)

    for name, help_text in (
        ("get", "one KPI as Pinpoint's API returns it (JSON)"),
        ("report", "HTML report"),
    ):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("--application-id", required=True)
        command.add_argument("--from", dest="start", type=_day, default=today - timedelta(days=30))
        command.add_argument("--to", dest="end", type=_day, default=today)
        command.add_argument(
            "--source", default=source, help="events directory or athena://<workgroup>/<database>"
        )
    get = commands.choices["get"]
    get.add_argument("--kpi", required=True, help="KPI name, e.g. successful-delivery-rate")
    owner = get.add_mutually_exclusive_group()
    owner.add_argument("--campaign-id")
    owner.add_argument("--journey-id")
    get.set_defaults(func=_get)
    report = commands.choices["report"]
    report.add_argument("--html", required=True, help="where to write the self-contained page")
    report.set_defaults(func=_report)


def _export(args: argparse.Namespace) -> int:
    from engagement.analytics.exporter import export_stream
    from engagement.aws import aws_client

    result = export_stream(aws_client("kinesis"), args.stream, args.output, file_format=args.format)
    files = len(result.files)
    print(f"{result.records} record(s) in {files} file(s) under {args.output}; {result.errors} error(s)")
    return 0


def _window(args: argparse.Namespace) -> tuple[datetime, datetime]:
    start = datetime.combine(args.start, datetime.min.time(), UTC)
    return start, datetime.combine(args.end, datetime.max.time(), UTC).replace(microsecond=0)


def _get(args: argparse.Namespace) -> int:
    from engagement.analytics import build_kpi_service

    service = build_kpi_service(args.source)
    start, end = _window(args)
    params = {"ApplicationId": args.application_id, "KpiName": args.kpi, "StartTime": start, "EndTime": end}
    if args.campaign_id:
        response = service.get_campaign_date_range_kpi(CampaignId=args.campaign_id, **params)
    elif args.journey_id:
        response = service.get_journey_date_range_kpi(JourneyId=args.journey_id, **params)
    else:
        response = service.get_application_date_range_kpi(**params)
    print(json.dumps(response, indent=2, default=str))
    return 0


def _report(args: argparse.Namespace) -> int:
    from engagement.analytics import build_kpi_service
    from engagement.analytics.report import write_report

    if args.end < args.start:
        raise SystemExit("--to is before --from")
    path = write_report(build_kpi_service(args.source), args.application_id, args.start, args.end, args.html)
    print(f"report written: {path.resolve()}")
    return 0
