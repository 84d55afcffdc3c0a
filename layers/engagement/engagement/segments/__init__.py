"""Segments: Pinpoint's segment definitions, evaluated over the endpoint registry at any size.

    from engagement.segments import build_segment_store, iter_members, matches
    store = build_segment_store(settings.segment_store)            # "dynamodb://<table>"
    seg = store.create_segment(ApplicationId=app, WriteSegmentRequest=body)["SegmentResponse"]
    matches(body, endpoint, now=datetime.now(UTC))                  # the pure evaluator
    for endpoint in iter_members(segments=store, registry=registry, application_id=app,
                                 segment_id=seg["Id"], now=datetime.now(UTC)): ...

Names resolve lazily (PEP 562): ``matches`` loads neither boto3 nor botocore.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engagement.lazy import lazy_exports

if TYPE_CHECKING:
    from engagement.segments.definition import validate_definition
    from engagement.segments.evaluator import CompiledSegment, SourceSegmentError, compile_segment, matches
    from engagement.segments.scan import count_members, iter_members
    from engagement.segments.snapshot import read_snapshot, run_snapshot
    from engagement.segments.store import SegmentStore, build_segment_store

_EXPORTS = {
    "CompiledSegment": "evaluator",
    "SourceSegmentError": "evaluator",
    "compile_segment": "evaluator",
    "matches": "evaluator",
    "validate_definition": "definition",
    "count_members": "scan",
    "iter_members": "scan",
    "read_snapshot": "snapshot",
    "run_snapshot": "snapshot",
    "SegmentStore": "store",
    "build_segment_store": "store",
}
__all__ = [
    "CompiledSegment",
    "SegmentStore",
    "SourceSegmentError",
    "build_segment_store",
    "compile_segment",
    "count_members",
    "iter_members",
    "matches",
    "read_snapshot",
    "run_snapshot",
    "validate_definition",
]


__getattr__ = lazy_exports(__name__, _EXPORTS)
