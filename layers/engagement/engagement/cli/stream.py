"""``engagement stream redrive``: re-process the event stream's quarantine and on-failure queues."""

from __future__ import annotations

import argparse
import os
from dataclasses import asdict


def register(subparsers: argparse._SubParsersAction) -> None:
    stream = subparsers.add_parser("stream", help="event stream: redrive quarantined and failed records")
    commands = stream.add_subparsers(dest="stream_command", required=True, metavar="SUBCOMMAND")
    redrive = commands.add_parser(
        "redrive",
        help="re-process the quarantine and/or on-failure queue (idempotent)",
        description="Failed batches are redriven from the on-failure bucket (records included; a "
        "queue message without records is read back from Kinesis); quarantined records are re-parsed and "
        "stay quarantined if still bad. Objects and messages are deleted only when their records succeeded.",
    )
    redrive.add_argument("--queue", choices=("quarantine", "failure", "all"), default="all")
    redrive.add_argument("--dry-run", action="store_true", help="count only, change nothing")
    for option, variable in (
        ("--endpoint-store", "ENDPOINT_STORE"),
        ("--idempotency-table", "IDEMPOTENCY_TABLE"),
        ("--quarantine-queue-url", "QUARANTINE_QUEUE_URL"),
        ("--failure-bucket", "FAILURE_BUCKET"),
        ("--failure-queue-url", "FAILURE_QUEUE_URL"),
    ):
        redrive.add_argument(option, default=os.environ.get(variable), help=f"default: ${variable}")
    redrive.set_defaults(func=_redrive)


def _redrive(args: argparse.Namespace) -> int:
    from engagement.suppression.consumer import build_consumer
    from engagement.suppression.redrive import FAILURE, QUARANTINE, Redrive
    from engagement.suppression.settings import StreamSettings

    settings = StreamSettings.model_validate(
        {
            **{k: v for k, v in os.environ.items() if v},
            "ENDPOINT_STORE": args.endpoint_store,
            "IDEMPOTENCY_TABLE": args.idempotency_table,
            "QUARANTINE_QUEUE_URL": args.quarantine_queue_url,
            "FAILURE_BUCKET": args.failure_bucket or "",
            "FAILURE_QUEUE_URL": args.failure_queue_url or "",
        }
    )
    redrive = Redrive(build_consumer(settings))
    runs = []
    if args.queue in (FAILURE, "all"):
        if settings.failure_bucket:
            runs.append(lambda: redrive.run_bucket(settings.failure_bucket, dry_run=args.dry_run))
        if settings.failure_queue_url:
            runs.append(lambda: redrive.run(settings.failure_queue_url, FAILURE, dry_run=args.dry_run))
    if args.queue in (QUARANTINE, "all") and settings.quarantine_queue_url:
        runs.append(lambda: redrive.run(settings.quarantine_queue_url, QUARANTINE, dry_run=args.dry_run))
    if not runs:
        print(f"{args.queue}: no --failure-bucket, --failure-queue-url or --quarantine-queue-url")
        return 2
    status = 0
    for run in runs:
        report = run()
        summary = {k: v for k, v in asdict(report).items() if k != "errors"}
        print(("dry run: " if args.dry_run else "") + " ".join(f"{k}={v}" for k, v in summary.items()))
        for error in report.errors:
            print(f"  kept: {error}")
        status = max(status, 1 if report.failed or report.errors else 0)
    return status
