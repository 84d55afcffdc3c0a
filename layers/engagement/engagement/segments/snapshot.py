"""Segment snapshots: members as JSON Lines of ``EndpointResponse`` dicts in S3 (Pinpoint's export format).

In AWS, ``statemachines/segment_snapshot.asl.json`` is a Step Functions Distributed Map with one
child per scan part; each runs ``functions/segment_scan`` which calls :func:`write_part` (the
``scan_part`` worker of ``iter_members``, writing instead of yielding). The state machine's output
is ``{"Bucket": ..., "Keys": [...], "Count": n}`` (parts without members write no object).
Locally, :func:`run_snapshot` runs the same ``write_part`` for every part on threads and shapes the
same output. :func:`read_snapshot` reads any snapshot back, one dict at a time.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from engagement.segments._json import json_line, loads
from engagement.segments.evaluator import posix
from engagement.segments.scan import DEFAULT_TOTAL_PARTS, compile_stored, registry_table, scan_part

SPOOL_BYTES = 8 * 1024 * 1024  # parts larger than this spill from memory to /tmp before upload
CONTENT_TYPE = "application/x-ndjson"


class ScanTask(BaseModel):
    """One Distributed Map item: which part of which segment to scan, and where to write it."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    application_id: str = Field(alias="ApplicationId", min_length=1)
    segment_id: str = Field(alias="SegmentId", min_length=1)
    version: int | None = Field(default=None, alias="Version")
    now: datetime = Field(alias="Now")
    part: int = Field(alias="Part", ge=0)
    total_parts: int = Field(alias="TotalParts", ge=1, le=1_000_000)
    bucket: str = Field(alias="Bucket", min_length=1)
    prefix: str = Field(alias="Prefix", min_length=1)

    def key(self) -> str:
        return f"{self.prefix.rstrip('/')}/part-{self.part:05d}.jsonl"


def write_part(task: ScanTask, *, segments: Any, registry: Any, s3: Any) -> dict[str, Any]:
    """Scan part ``task.part`` and upload its members; ``{"Key": key or None, "Count": n}``."""
    target = registry_table(registry)
    if target is None:
        raise ValueError("snapshots scan the standalone registry: ENDPOINT_STORE must be dynamodb://<table>")
    if task.part >= task.total_parts:
        raise ValueError(f"Segment: {task.part} is not below TotalParts {task.total_parts}")
    client, table = target
    _, compiled = compile_stored(segments, task.application_id, task.segment_id, task.version)
    count = 0
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
        pages = scan_part(
            client, table, task.application_id, compiled, posix(task.now),
            part=task.part, total_parts=task.total_parts,
        )  # fmt: skip
        for page in pages:
            for endpoint in page:
                spool.write(json_line(endpoint))
            count += len(page)
        if not count:
            return {"Key": None, "Count": 0}
        spool.seek(0)
        s3.upload_fileobj(spool, task.bucket, task.key(), ExtraArgs={"ContentType": CONTENT_TYPE})
    return {"Key": task.key(), "Count": count}


def collect(bucket: str, results: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The state machine's output from its workers' results (the ASL's last expression, in Python)."""
    results = list(results)
    return {
        "Bucket": bucket,
        "Keys": [result["Key"] for result in results if result["Count"] > 0],
        "Count": sum(result["Count"] for result in results),
    }


def run_snapshot(
    *,
    segments: Any,
    registry: Any,
    s3: Any,
    bucket: str,
    application_id: str,
    segment_id: str,
    version: int | None = None,
    now: datetime | None = None,
    total_parts: int = DEFAULT_TOTAL_PARTS,
    prefix: str | None = None,
) -> dict[str, Any]:
    """The snapshot state machine, in-process: every part's ``write_part`` on threads, then ``collect``."""
    now = now or datetime.now(UTC)
    if version is None:  # pin the version once, as a campaign run does, so every part sees the same one
        version = segments.get_segment(ApplicationId=application_id, SegmentId=segment_id)["SegmentResponse"][
            "Version"
        ]
    prefix = prefix or f"snapshots/{application_id}/{segment_id}/v{version}/{now:%Y%m%dT%H%M%S%fZ}"
    tasks = [
        ScanTask.model_validate(
            {
                "ApplicationId": application_id,
                "SegmentId": segment_id,
                "Version": version,
                "Now": now,
                "Part": part,
                "TotalParts": total_parts,
                "Bucket": bucket,
                "Prefix": prefix,
            }
        )
        for part in range(total_parts)
    ]
    with ThreadPoolExecutor(max_workers=total_parts, thread_name_prefix="segment-snapshot") as pool:
        results = list(
            pool.map(lambda task: write_part(task, segments=segments, registry=registry, s3=s3), tasks)
        )
    return collect(bucket, results)


def read_snapshot(s3_client: Any, bucket: str, keys: Iterable[str]) -> Iterator[dict[str, Any]]:
    """The ``EndpointResponse`` dicts of a snapshot, part after part, streamed line by line."""
    for key in keys:
        body = s3_client.get_object(Bucket=bucket, Key=key)["Body"]
        for line in body.iter_lines():
            if line.strip():
                yield loads(line)
