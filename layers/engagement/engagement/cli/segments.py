"""``engagement segments create|get|list|versions|count|export|delete``: Pinpoint segments from the shell.

    engagement segments create --file seg.json --application-id APP
    engagement segments list --application-id APP
    engagement segments count SEGMENT_ID --application-id APP [--sample-parts 2]
    engagement segments export SEGMENT_ID --application-id APP --output members.jsonl
    engagement segments export SEGMENT_ID --application-id APP --bucket B   # S3 snapshot, like AWS

Stores come from ``--segment-store`` / ``--endpoint-store`` (default: ``SEGMENT_STORE`` and
``ENDPOINT_STORE``). Responses print as Pinpoint's JSON on stdout; errors name the field on stderr
(exit 2). Heavy imports happen inside the commands.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from engagement.cli.answer import all_pages, answer


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("segments", help="create, inspect, count and export segments")
    commands = parser.add_subparsers(dest="segments_command", required=True, metavar="SUBCOMMAND")

    create = _command(commands, "create", "create a segment from a WriteSegmentRequest JSON file", run_create)
    create.add_argument("--file", type=Path, required=True, help="WriteSegmentRequest JSON")

    update = _command(
        commands, "update", "a new version of a segment from a WriteSegmentRequest file", run_update
    )
    update.add_argument("segment_id", metavar="SEGMENT_ID")
    update.add_argument("--file", type=Path, required=True, help="WriteSegmentRequest JSON")

    get = _command(commands, "get", "print a segment (latest or --version)", run_get)
    get.add_argument("segment_id", metavar="SEGMENT_ID")
    get.add_argument("--version", type=int)

    _command(commands, "list", "print every segment of the application", run_list)

    versions = _command(commands, "versions", "print every version of a segment", run_versions)
    versions.add_argument("segment_id", metavar="SEGMENT_ID")

    delete = _command(commands, "delete", "delete a segment, its versions and imported members", run_delete)
    delete.add_argument("segment_id", metavar="SEGMENT_ID")

    count = _command(
        commands, "count", "count members (no export); --sample-parts for an estimate", run_count
    )
    _scan_arguments(count)
    count.add_argument("--sample-parts", type=int, help="scan only this many of the --parts and scale up")

    export = _command(
        commands, "export", "write members as JSON Lines (Pinpoint's export format)", run_export
    )
    _scan_arguments(export)
    target = export.add_mutually_exclusive_group()
    target.add_argument("--output", type=Path, help="file to write (default: stdout)")
    target.add_argument("--bucket", help="write an S3 snapshot (one object per part) instead")
    export.add_argument(
        "--format", choices=("json", "csv"), default="json", help="file format (default json)"
    )


def _command(commands: Any, name: str, help_text: str, func: Any) -> argparse.ArgumentParser:
    parser = commands.add_parser(name, help=help_text)
    parser.add_argument("--application-id", required=True, help="Pinpoint application (project) id")
    parser.add_argument(
        "--segment-store",
        default=os.environ.get("SEGMENT_STORE"),
        help="dynamodb://<table> (default: $SEGMENT_STORE)",
    )
    parser.set_defaults(func=func)
    return parser


def _scan_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("segment_id", metavar="SEGMENT_ID")
    parser.add_argument("--version", type=int, help="segment version (default: latest)")
    parser.add_argument("--parts", type=int, default=4, help="parallel scan parts (default 4)")
    parser.add_argument(
        "--endpoint-store",
        default=os.environ.get("ENDPOINT_STORE"),
        help="dynamodb://<table> (default: $ENDPOINT_STORE)",
    )


def _store(args: argparse.Namespace) -> Any:
    from engagement.segments import build_segment_store

    try:
        return build_segment_store(args.segment_store or "")
    except ValueError as error:
        raise SystemExit(f"error: {error} (set --segment-store or SEGMENT_STORE)") from None


def _registry(args: argparse.Namespace) -> Any:
    from engagement.endpoints import build_registry

    try:
        return build_registry(args.endpoint_store or "")
    except ValueError as error:
        raise SystemExit(f"error: {error} (set --endpoint-store or ENDPOINT_STORE)") from None


def _read_body(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise SystemExit(f"error: {path}: {error}") from None


def run_create(args: argparse.Namespace) -> int:
    body = _read_body(args.file)
    store = _store(args)
    return answer(lambda: store.create_segment(ApplicationId=args.application_id, WriteSegmentRequest=body))


def run_update(args: argparse.Namespace) -> int:
    body = _read_body(args.file)
    store = _store(args)
    return answer(
        lambda: store.update_segment(
            ApplicationId=args.application_id, SegmentId=args.segment_id, WriteSegmentRequest=body
        )
    )


def run_get(args: argparse.Namespace) -> int:
    store = _store(args)
    if args.version is None:
        return answer(lambda: store.get_segment(ApplicationId=args.application_id, SegmentId=args.segment_id))
    return answer(
        lambda: store.get_segment_version(
            ApplicationId=args.application_id, SegmentId=args.segment_id, Version=args.version
        )
    )


def run_list(args: argparse.Namespace) -> int:
    store = _store(args)
    return answer(
        lambda: all_pages(lambda token: store.get_segments(ApplicationId=args.application_id, Token=token))
    )


def run_versions(args: argparse.Namespace) -> int:
    store = _store(args)
    return answer(
        lambda: all_pages(
            lambda token: store.get_segment_versions(
                ApplicationId=args.application_id, SegmentId=args.segment_id, Token=token
            )
        )
    )


def run_delete(args: argparse.Namespace) -> int:
    store = _store(args)
    return answer(lambda: store.delete_segment(ApplicationId=args.application_id, SegmentId=args.segment_id))


def _target(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "segments": _store(args),
        "registry": _registry(args),
        "application_id": args.application_id,
        "segment_id": args.segment_id,
        "version": args.version,
        "now": datetime.now(UTC),
        "total_parts": max(1, args.parts),
    }


def run_count(args: argparse.Namespace) -> int:
    from engagement.segments import count_members

    target = _target(args)

    def count() -> dict[str, Any]:
        size, estimated = count_members(**target, sample_parts=args.sample_parts)
        return {"SegmentId": args.segment_id, "Size": size, "Estimated": estimated}

    return answer(count)


def run_export(args: argparse.Namespace) -> int:
    from engagement.endpoints.transfer import export_endpoints
    from engagement.segments import iter_members, run_snapshot

    target = _target(args)
    if args.bucket:
        from engagement.aws import aws_client

        return answer(lambda: run_snapshot(**target, s3=aws_client("s3"), bucket=args.bucket))

    def export() -> None:
        if args.output is None:
            count = export_endpoints(iter_members(**target), sys.stdout, args.format)
        else:
            with args.output.open("w", encoding="utf-8", newline="") as stream:
                count = export_endpoints(iter_members(**target), stream, args.format)
        print(f"segments export: {count} endpoints written", file=sys.stderr)

    return answer(export)
