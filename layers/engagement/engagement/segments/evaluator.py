"""The segment evaluator: a ``WriteSegmentRequest`` compiled once into closures, run per endpoint.

    from engagement.segments import compile_segment, matches
    segment = compile_segment(definition, source_segments={"seg-vip": {"ep-1", "ep-2"}})
    members = [ep for ep in endpoints if segment.test(ep, now)]
    matches(definition, endpoint, now=now)          # the same, compiled once per definition object

Semantics (Pinpoint's, and our choices where its documentation is silent, docs/segments.md):
``Dimensions`` (simple form) and ``SegmentGroups`` are AND-ed when both are present; groups are
combined by ``Include`` (default ALL); inside a group the base segments by ``SourceType`` (default
ANY) and the ``Dimensions`` list by ``Type`` (default ALL), and the two parts are AND-ed. Inside
one ``SegmentDimensions`` every dimension is AND-ed and the values of one dimension OR-ed.
``source_segments`` maps a segment id to its definition (a mapping: dynamic, evaluated
recursively) or to a collection of member endpoint ids (imported; ids compare case-insensitively,
as Pinpoint's endpoint ids do). A ``SegmentResponse`` of ``SegmentType`` IMPORT is its own members.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from engagement.segments import dimensions as dims
from engagement.segments.dimensions import Endpoint, Predicate

MAX_SOURCE_DEPTH = 10  # dynamic sources nested deeper than this are a cycle, not a definition
_CACHE_SIZE = 256

SourceSegments = Mapping[str, Any]


class SourceSegmentError(LookupError):
    """A source segment the definition names is not in ``source_segments`` (or they form a cycle)."""


@dataclass(frozen=True, slots=True)
class CompiledSegment:
    """``test(endpoint, now)``, ``now`` in POSIX seconds; ``uses_user_attributes``: needs the user join."""

    test: Predicate
    uses_user_attributes: bool

    def matches(self, endpoint: Endpoint, now: datetime) -> bool:
        return self.test(endpoint, posix(now))


def posix(now: datetime) -> float:
    """``now`` as POSIX seconds; a naive datetime is UTC (never the machine's local time)."""
    return (now if now.tzinfo else now.replace(tzinfo=UTC)).timestamp()


def _imported(member_ids: Collection[str]) -> Predicate:
    ids = frozenset(str(member).lower() for member in member_ids)

    def member(endpoint: Endpoint, _now: float) -> bool:
        endpoint_id = endpoint.get("Id")
        return isinstance(endpoint_id, str) and endpoint_id.lower() in ids

    return member


class _Compiler:
    def __init__(self, sources: SourceSegments | None) -> None:
        self._sources = sources or {}
        self._compiled: dict[str, Predicate] = {}
        self._stack: list[str] = []
        self.uses_user_attributes = False

    def definition(self, definition: Mapping[str, Any]) -> Predicate:
        if definition.get("SegmentType") == "IMPORT":
            return self.source(str(definition.get("Id")))
        parts: list[Predicate] = []
        if definition.get("Dimensions"):
            parts.append(self.dimensions(definition["Dimensions"]))
        groups = definition.get("SegmentGroups") or {}
        if groups.get("Groups"):
            parts.append(dims.combine(groups.get("Include"), [self.group(g) for g in groups["Groups"]]))
        return dims.all_of(parts)

    def dimensions(self, dimensions: Mapping[str, Any]) -> Predicate:
        if dimensions.get("UserAttributes"):
            self.uses_user_attributes = True
        return dims.segment_dimensions(dimensions)

    def group(self, group: Mapping[str, Any]) -> Predicate:
        bases = [self.source(str(ref["Id"])) for ref in group.get("SourceSegments") or ()]
        base = dims.combine(group.get("SourceType"), bases, default="ANY")
        filters = dims.combine(group.get("Type"), [self.dimensions(d) for d in group.get("Dimensions") or ()])
        return dims.all_of([p for p in (base, filters) if p is not dims.always])

    def source(self, segment_id: str) -> Predicate:
        if segment_id in self._compiled:
            return self._compiled[segment_id]
        if segment_id in self._stack or len(self._stack) >= MAX_SOURCE_DEPTH:
            raise SourceSegmentError(f"source segment {segment_id}: segments refer to each other in a cycle")
        if segment_id not in self._sources:
            raise SourceSegmentError(f"source segment {segment_id}: not found")
        source = self._sources[segment_id]
        self._stack.append(segment_id)
        try:
            compiled = self.definition(source) if isinstance(source, Mapping) else _imported(source)
        finally:
            self._stack.pop()
        self._compiled[segment_id] = compiled
        return compiled


def compile_segment(
    definition: Mapping[str, Any], *, source_segments: SourceSegments | None = None
) -> CompiledSegment:
    """Compile a validated ``WriteSegmentRequest``/``SegmentResponse``; raises ``SourceSegmentError``."""
    compiler = _Compiler(source_segments)
    test = compiler.definition(definition)
    return CompiledSegment(test=test, uses_user_attributes=compiler.uses_user_attributes)


# Compiled segments by the identity of (definition, source_segments): callers pass the same dict
# for every endpoint, so ``matches`` compiles once. The cache holds the objects themselves, so an
# id cannot be reused while its entry lives; a definition changed in place after use is not seen
# (pass a new dict, or use ``compile_segment``).
_cache: OrderedDict[tuple[int, int], tuple[Any, Any, CompiledSegment]] = OrderedDict()


def matches(
    definition: Mapping[str, Any],
    endpoint: Endpoint,
    *,
    now: datetime,
    source_segments: SourceSegments | None = None,
) -> bool:
    """Is ``endpoint`` (an ``EndpointResponse`` dict) in the segment ``definition`` at ``now``?"""
    key = (id(definition), id(source_segments))
    entry = _cache.get(key)
    if entry is None or entry[0] is not definition or entry[1] is not source_segments:
        entry = (definition, source_segments, compile_segment(definition, source_segments=source_segments))
        _cache[key] = entry
        if len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return entry[2].test(endpoint, posix(now))
