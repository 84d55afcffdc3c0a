"""Evaluate a split's ``SimpleCondition`` for one participant: segment membership, inline
``SegmentDimensions``, or an ``EventCondition`` on an earlier message activity of this execution.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from engagement.journeys.definitions.durations import iso
from engagement.segments.dimensions import metric


class Segments(Protocol):
    """Segment membership (``engagement.segments``, interfaces.md)."""

    def is_member(
        self, application_id: str, segment_id: str, endpoint: Mapping[str, Any], now: datetime
    ) -> bool: ...

    def matches_dimensions(
        self, dimensions: Mapping[str, Any], endpoint: Mapping[str, Any], now: datetime
    ) -> bool: ...


class SegmentMembership:
    """:class:`Segments` over ``engagement.segments``: ``matches`` with the stored definition."""

    def __init__(self, store: Any) -> None:
        self.store = store

    def is_member(
        self, application_id: str, segment_id: str, endpoint: Mapping[str, Any], now: datetime
    ) -> bool:
        from engagement.segments import matches

        definition = self.store.get_segment(ApplicationId=application_id, SegmentId=segment_id)[
            "SegmentResponse"
        ]
        return matches(
            definition, dict(endpoint), now=now, source_segments=_Sources(self.store, application_id)
        )

    def matches_dimensions(
        self, dimensions: Mapping[str, Any], endpoint: Mapping[str, Any], now: datetime
    ) -> bool:
        from engagement.segments import matches

        return matches({"Dimensions": dict(dimensions)}, dict(endpoint), now=now)


class _Sources(dict):
    """``source_segments`` for nested segments: definitions fetched on first use."""

    def __init__(self, store: Any, application_id: str) -> None:
        super().__init__()
        self.store, self.application_id = store, application_id

    def __missing__(self, segment_id: str) -> Any:
        response = self.store.get_segment(ApplicationId=self.application_id, SegmentId=segment_id)
        self[segment_id] = response["SegmentResponse"]
        return self[segment_id]


@dataclass(frozen=True)
class Participant:
    application_id: str
    journey_id: str
    endpoint_id: str
    endpoint: Mapping[str, Any]
    execution_id: str
    now: datetime


def condition_holds(
    condition: Mapping[str, Any], who: Participant, *, segments: Segments, table: Any
) -> bool:
    if condition.get("SegmentCondition"):
        segment_id = condition["SegmentCondition"]["SegmentId"]
        return segments.is_member(who.application_id, segment_id, who.endpoint, who.now)
    if condition.get("SegmentDimensions"):
        return segments.matches_dimensions(condition["SegmentDimensions"], who.endpoint, who.now)
    event = condition.get("EventCondition") or {}
    activity_id = event.get("MessageActivity", "")
    sent_at = table.sent_at(who.execution_id, activity_id)
    if sent_at is None:
        return False  # this participant never got that message (held out of it, capped, dropped)
    events = [
        item
        for item in table.message_events(who.application_id, who.journey_id, who.endpoint_id, activity_id)
        if sent_at <= item["at"] <= iso(who.now)  # after this participant's send, up to now
    ]
    return any(event_matches(event.get("Dimensions") or {}, item) for item in events)


def event_matches(dimensions: Mapping[str, Any], item: Mapping[str, Any]) -> bool:
    """``EventDimensions`` (EventType, Attributes, Metrics) against one event in the recorded shape
    (``event_type``, ``attributes``, ``metrics``): a message event, or an entry event (``_starts``).
    Metrics compare with segments' ``ComparisonOperator`` table (``segments.dimensions.metric``):
    a missing or non-numeric metric never matches."""
    if not set_matches(dimensions.get("EventType"), [item.get("event_type", "")]):
        return False
    attributes = item.get("attributes") or {}
    for name, dimension in (dimensions.get("Attributes") or {}).items():
        if not set_matches(
            {"DimensionType": dimension.get("AttributeType", "INCLUSIVE"), "Values": dimension.get("Values")},
            [attributes.get(name, "")] if name in attributes else [],
        ):
            return False
    metrics = {"Metrics": item.get("metrics") or {}}  # the shape segments' metric predicate reads
    return all(
        metric(name, dimension)(metrics, 0.0) for name, dimension in (dimensions.get("Metrics") or {}).items()
    )


def set_matches(dimension: Mapping[str, Any] | None, values: Sequence[str]) -> bool:
    """``SetDimension``: INCLUSIVE = any value listed (OR); EXCLUSIVE = none listed."""
    if not dimension:
        return True
    listed = set(dimension.get("Values") or [])
    hit = any(value in listed for value in values)
    return not hit if dimension.get("DimensionType") == "EXCLUSIVE" else hit
