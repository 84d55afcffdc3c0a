"""Segment scan worker: one part of a parallel read of the registry, its members written to S3.

One child of the snapshot state machine's Distributed Map (statemachines/segment_snapshot.asl.json)
per scan part. The event is a ``ScanTask`` (``ApplicationId``, ``SegmentId``, ``Version``, ``Now``,
``Part``, ``TotalParts``, ``Bucket``, ``Prefix``); the result ``{"Key": ..., "Count": n}``.
A retried part rewrites the same key with the same members, so retries are safe without an
idempotency table. All logic is ``engagement.segments.snapshot.write_part`` (docs/segments.md).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext

from engagement import coldstart  # first: no GC during init
from engagement.aws import aws_client
from engagement.endpoints import build_registry
from engagement.segments import build_segment_store
from engagement.segments.settings import SegmentSettings
from engagement.segments.snapshot import ScanTask, write_part

logger = Logger()
metrics = Metrics()
tracer = coldstart.tracer()

settings = SegmentSettings.from_env()
segments = build_segment_store(settings.segment_store)
registry = build_registry(settings.endpoint_store)
s3 = aws_client("s3")
coldstart.done()


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    task = parse(event=event, model=ScanTask)
    result = write_part(task, segments=segments, registry=registry, s3=s3)
    metrics.add_metric(name="SegmentMembersWritten", unit=MetricUnit.Count, value=result["Count"])
    logger.info(
        "segment part scanned",
        extra={"segment_id": task.segment_id, "part": task.part, "total_parts": task.total_parts, **result},
    )
    return result
