"""``engagement endpoints import|export``: move endpoints in Pinpoint's CSV / JSON Lines formats.

    engagement endpoints import events/endpoints.csv --application-id APP
    engagement endpoints import vips.csv --application-id APP --segment-name VIPs   # + IMPORT segment
    engagement endpoints export --application-id APP --output endpoints.jsonl --format json

The backend comes from ``--endpoint-store`` (default: the ``ENDPOINT_STORE`` environment variable,
``dynamodb://<table>`` or ``pinpoint``). Import reports each bad row with its line number and
field on stderr, imports the valid rows, and exits 1 if any row failed. Heavy imports (boto3,
pydantic, tqdm) happen inside the commands, not at ``register``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import IO, Any

PROGRESS_MIN_BYTES = 256 * 1024  # show a progress bar only for files large enough to wait on


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("endpoints", help="import or export endpoints (Pinpoint CSV / JSON Lines)")
    commands = parser.add_subparsers(dest="endpoints_command", required=True, metavar="SUBCOMMAND")

    importer = commands.add_parser("import", help="create or update endpoints from a file")
    importer.add_argument("file", type=Path, metavar="FILE")
    importer.add_argument(
        "--segment-name",
        help="also create an imported (static) segment of the endpoints written (Pinpoint's DefineSegment)",
    )
    importer.add_argument(
        "--segment-id",
        help="with --segment-name: a new version of this imported segment instead of a new one",
    )
    importer.add_argument(
        "--segment-store",
        default=os.environ.get("SEGMENT_STORE"),
        help="dynamodb://<table> for --segment-name (default: $SEGMENT_STORE)",
    )
    _common(importer)
    importer.set_defaults(func=run_import)

    exporter = commands.add_parser("export", help="write every endpoint of an application")
    exporter.add_argument("--output", type=Path, help="file to write (default: stdout)")
    _common(exporter)
    exporter.set_defaults(func=run_export)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--application-id", required=True, help="Pinpoint application (project) id")
    parser.add_argument(
        "--format", choices=("csv", "json"), help="default: from the file extension, else csv"
    )
    parser.add_argument(
        "--endpoint-store",
        default=os.environ.get("ENDPOINT_STORE"),
        help="dynamodb://<table> or pinpoint (default: $ENDPOINT_STORE)",
    )


def _format_of(args: argparse.Namespace, path: Path | None) -> str:
    if args.format:
        return args.format
    return "json" if path is not None and path.suffix in (".json", ".jsonl", ".ndjson") else "csv"


def _registry(args: argparse.Namespace) -> Any:
    from engagement.endpoints import build_registry

    if not args.endpoint_store:
        raise SystemExit("error: set --endpoint-store or ENDPOINT_STORE (dynamodb://<table> or pinpoint)")
    try:
        return build_registry(args.endpoint_store)
    except ValueError as error:
        raise SystemExit(f"error: {error}") from None


def _progress(path: Path) -> Any:
    try:
        from tqdm import tqdm
    except ImportError:  # the Lambda layer need not ship tqdm
        return None
    return tqdm(unit=" rows", file=sys.stderr, disable=path.stat().st_size < PROGRESS_MIN_BYTES, leave=False)


def run_import(args: argparse.Namespace) -> int:
    from engagement.endpoints.transfer import Importer, read_rows

    registry = _registry(args)
    file_format = _format_of(args, args.file)
    progress = _progress(args.file)

    def report(number: int, message: str) -> None:
        (print if progress is None else progress.write)(f"{args.file}:{number}: {message}", file=sys.stderr)

    def counted(rows: Any) -> Any:
        for row in rows:
            yield row
            if progress is not None:
                progress.update(1)

    # With --segment-name, a row of User.UserId alone stands for that user's endpoints (as in Pinpoint).
    importer = Importer(registry, args.application_id, report, expand_users=bool(args.segment_name))
    try:
        with args.file.open(encoding="utf-8-sig", newline="") as stream:
            importer.run(counted(read_rows(stream, file_format)))
    except (OSError, ValueError) as error:
        print(f"error: {args.file}: {error}", file=sys.stderr)
        return 2
    finally:
        if progress is not None:
            progress.close()
    print(f"endpoints import: {importer.report.summary()}", file=sys.stderr)
    if args.segment_name and _define_segment(args, importer.report, file_format):
        return 2
    return 1 if importer.report.failed else 0


def _define_segment(args: argparse.Namespace, report: Any, file_format: str) -> int:
    """The IMPORT segment of the rows written (failed rows are not members); 0, or 2 on an error."""
    from botocore.exceptions import ClientError

    from engagement.segments import build_segment_store

    if not args.segment_store:
        raise SystemExit("error: --segment-name needs --segment-store or SEGMENT_STORE (dynamodb://<table>)")
    try:
        segment = build_segment_store(args.segment_store).put_import_segment(
            args.application_id,
            args.segment_name,
            report.endpoint_ids,
            file_format=file_format,
            source_url=args.file.resolve().as_uri(),
            segment_id=args.segment_id,
            channel_counts=report.channel_counts,
        )
    except ClientError as error:
        print(f"error: segment {args.segment_name!r}: {error.response['Error']['Message']}", file=sys.stderr)
        return 2
    print(
        f"segment {segment['Name']!r}: {segment['Id']} version {segment['Version']}, "
        f"{segment['ImportDefinition']['Size']} endpoints (IMPORT)",
        file=sys.stderr,
    )
    return 0


def run_export(args: argparse.Namespace) -> int:
    from engagement.endpoints.errors import UnsupportedOperationError
    from engagement.endpoints.transfer import export_endpoints

    registry = _registry(args)
    file_format = _format_of(args, args.output)
    try:
        if args.output is None:
            count = _export(registry, args, sys.stdout, file_format, export_endpoints)
        else:
            with args.output.open("w", encoding="utf-8", newline="") as stream:
                count = _export(registry, args, stream, file_format, export_endpoints)
    except (UnsupportedOperationError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"endpoints export: {count} endpoints written", file=sys.stderr)
    return 0


def _export(registry: Any, args: argparse.Namespace, stream: IO[str], file_format: str, export: Any) -> int:
    return export(registry.iter_endpoints(args.application_id), stream, file_format)
