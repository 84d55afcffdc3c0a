"""Local stand-in for Firehose: drain the Kinesis event stream into Firehose's partition layout.

In AWS, Firehose reads the stream and writes ``events/application_id=<app>/dt=<YYYY-MM-DD>/``
objects (dynamic partitioning on ``.application.app_id`` and the UTC day of
``.event_timestamp``). Locally there is no Firehose, so :func:`export_stream` reads every shard
from ``TRIM_HORIZON`` and writes the same partitions under a directory, one JSON Lines file per
partition and shard (the record bytes unchanged; optionally converted to Parquet with DuckDB,
like Firehose's format conversion). Records that are not JSON or lack the partition fields go to
``errors/`` as Firehose's error output does. Re-running replaces the files: the export is a
snapshot of the stream, not an append.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ERRORS_DIR = "errors"


@dataclass
class ExportReport:
    records: int = 0
    errors: int = 0
    files: list[Path] = field(default_factory=list)


def partition_of(record: Mapping[str, Any]) -> tuple[str, str]:
    """(application id, UTC day) - the same keys Firehose's JQ query extracts."""
    application_id = str(record["application"]["app_id"])
    day = datetime.fromtimestamp(int(record["event_timestamp"]) / 1000, UTC).date().isoformat()
    if not application_id or "/" in application_id:
        raise ValueError(f"application.app_id {application_id!r} cannot name a partition")
    return application_id, day


def read_stream(client: Any, stream_name: str) -> Iterator[tuple[str, bytes]]:
    """(shard id, record data) for every record of every shard, oldest first."""
    for shard in client.list_shards(StreamName=stream_name)["Shards"]:
        for data in _shard(client, stream_name, shard["ShardId"]):
            yield shard["ShardId"], data


def _shard(client: Any, stream_name: str, shard_id: str) -> Iterator[bytes]:
    """One shard from TRIM_HORIZON until GetRecords says it is caught up."""
    request = {"StreamName": stream_name, "ShardId": shard_id, "ShardIteratorType": "TRIM_HORIZON"}
    iterator = client.get_shard_iterator(**request)["ShardIterator"]
    while iterator:
        page = client.get_records(ShardIterator=iterator, Limit=10000)
        yield from (record["Data"] for record in page["Records"])
        caught_up = not page["Records"] and not page.get("MillisBehindLatest")
        iterator = None if caught_up else page.get("NextShardIterator")


def write_partitions(
    records: Iterable[tuple[str, bytes]], root: str | Path, *, file_format: str = "jsonl"
) -> ExportReport:
    """Write (shard, data) records into ``root/application_id=*/dt=*/<shard>.jsonl`` (or .parquet)."""
    root = Path(root)
    groups: dict[Path, list[bytes]] = defaultdict(list)
    report = ExportReport()
    for shard, data in records:
        line = data.strip()
        try:
            application_id, day = partition_of(json.loads(line))
            directory = root / f"application_id={application_id}" / f"dt={day}"
            report.records += 1
        except (ValueError, KeyError, TypeError):
            directory = root / ERRORS_DIR
            report.errors += 1
        groups[directory / f"{shard}.jsonl"].append(line)
    for path, lines in groups.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\n".join(lines) + b"\n")
        if file_format == "parquet" and path.parent.name != ERRORS_DIR:
            path = _to_parquet(path)
        report.files.append(path)
    return report


def _to_parquet(path: Path) -> Path:
    import duckdb

    from engagement.analytics.engines import sql_path
    from engagement.analytics.schema import DUCKDB_JSON_COLUMNS

    target = path.with_suffix(".parquet")
    columns = "{" + ", ".join(f"'{k}': '{v}'" for k, v in DUCKDB_JSON_COLUMNS.items()) + "}"
    with duckdb.connect(":memory:") as connection:
        connection.execute(
            f"COPY (SELECT * FROM read_json({sql_path(path)}, format = 'newline_delimited', "
            f"columns = {columns})) TO {sql_path(target)} (FORMAT parquet, COMPRESSION snappy)"
        )
    path.unlink()
    return target


def export_stream(
    client: Any, stream_name: str, root: str | Path, *, file_format: str = "jsonl"
) -> ExportReport:
    """Drain ``stream_name`` into ``root`` (see the module docstring)."""
    return write_partitions(read_stream(client, stream_name), root, file_format=file_format)
