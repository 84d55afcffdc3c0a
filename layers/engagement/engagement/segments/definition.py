"""Segment definitions as Pinpoint accepts them: botocore's model first, then the rules it can't say.

    from engagement.segments.definition import validate_definition
    validate_definition(body)       # raises BadRequestException naming the field

botocore's ``ParamValidator`` checks types, required members and nesting (``WriteSegmentRequest``),
but not the model's enums (``AttributeType``, ``RecencyType``...): ``enum_problems`` walks the
model for those. The model can't express ``ComparisonOperator``'s values or that ``BETWEEN``
takes two values, so those, Pinpoint's documented limits (a value <= 100 characters, <= 100 values and <= 100
dimensions in a segment) and values that must parse (ISO-8601 dates, latitudes, country codes)
are checked here, each problem named by its path (``SegmentGroups.Groups[0].Dimensions[1]...``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from engagement.segments.dimensions import COMPARISON_OPERATORS, parse_instant

MAX_VALUE_LENGTH = 100
MAX_VALUES = 100
MAX_DIMENSIONS = 100
DATE_OPERATORS = ("BEFORE", "AFTER", "ON", "BETWEEN")


def validate_definition(body: Any, *, operation: str = "CreateSegment") -> None:
    """Raise ``BadRequestException`` listing every problem of a ``WriteSegmentRequest``."""
    from engagement.models.errors import BadRequestException
    from engagement.models.service import shape, validate_shape

    validate_shape("WriteSegmentRequest", body, operation=operation)
    problems = list(enum_problems(shape("WriteSegmentRequest"), body, "WriteSegmentRequest"))
    problems += definition_problems(body)
    if problems:
        raise BadRequestException("; ".join(problems), operation)


def enum_problems(model: Any, value: Any, path: str) -> Iterator[str]:
    """Values outside an enum of botocore's model, anywhere in ``value`` (already type-checked)."""
    kind = model.type_name
    if kind == "string" and getattr(model, "enum", None) and value not in model.enum:
        yield f"{path}: {value!r} is not one of {', '.join(model.enum)}"
    elif kind == "structure":
        for name, member in model.members.items():
            if name in value:
                yield from enum_problems(member, value[name], f"{path}.{name}")
    elif kind == "list":
        for index, item in enumerate(value):
            yield from enum_problems(model.member, item, f"{path}[{index}]")
    elif kind == "map":
        for key, item in value.items():
            yield from enum_problems(model.value, item, f"{path}.{key}")


def definition_problems(body: Mapping[str, Any], prefix: str = "WriteSegmentRequest") -> Iterator[str]:
    """Problems botocore's model does not catch, for a body that already passed it."""
    counts = {"values": 0, "dimensions": 0}
    if body.get("Dimensions"):
        yield from _dimensions(body["Dimensions"], f"{prefix}.Dimensions", counts)
    for g, group in enumerate((body.get("SegmentGroups") or {}).get("Groups") or ()):
        path = f"{prefix}.SegmentGroups.Groups[{g}]"
        for d, dimensions in enumerate(group.get("Dimensions") or ()):
            yield from _dimensions(dimensions, f"{path}.Dimensions[{d}]", counts)
        for s, reference in enumerate(group.get("SourceSegments") or ()):
            if not str(reference.get("Id", "")).strip():
                yield f"{path}.SourceSegments[{s}].Id: must not be empty"
    yield from _totals(counts, prefix)


def dimensions_problems(dimensions: Mapping[str, Any], path: str) -> Iterator[str]:
    """The segment rules for one inline ``SegmentDimensions`` object (a journey condition's),
    already type-checked by botocore: the model's enums, then :func:`definition_problems`' checks.
    Each problem is named by ``path`` (``Activities.split.ConditionalSplit.Condition.Conditions[0]
    .SegmentDimensions``) and the field under it."""
    from engagement.models.service import shape

    yield from enum_problems(shape("SegmentDimensions"), dimensions, path)
    counts = {"values": 0, "dimensions": 0}
    yield from _dimensions(dimensions, path, counts)
    yield from _totals(counts, path)


def _totals(counts: dict[str, int], path: str) -> Iterator[str]:
    if counts["values"] > MAX_VALUES:
        yield f"{path}: {counts['values']} values in total, at most {MAX_VALUES}"
    if counts["dimensions"] > MAX_DIMENSIONS:
        yield f"{path}: {counts['dimensions']} dimensions in total, at most {MAX_DIMENSIONS}"


def _values(values: list[Any], path: str, counts: dict[str, int]) -> Iterator[str]:
    counts["values"] += len(values)
    counts["dimensions"] += 1
    if not values:
        yield f"{path}.Values: at least one value"
    for index, value in enumerate(values):
        if len(str(value)) > MAX_VALUE_LENGTH:
            yield f"{path}.Values[{index}]: longer than {MAX_VALUE_LENGTH} characters"


def _dimensions(dimensions: Mapping[str, Any], path: str, counts: dict[str, int]) -> Iterator[str]:
    for group in ("Attributes", "UserAttributes"):
        for name, dimension in (dimensions.get(group) or {}).items():
            where = f"{path}.{group}.{name}"
            values = dimension.get("Values") or []
            yield from _values(values, where, counts)
            kind = dimension.get("AttributeType") or "INCLUSIVE"
            if kind in DATE_OPERATORS:
                for index, value in enumerate(values):
                    if parse_instant(value) is None:
                        yield f"{where}.Values[{index}]: {value!r} is not an ISO-8601 date-time"
            if kind == "BETWEEN" and len(values) != 2:
                yield f"{where}.Values: BETWEEN takes exactly 2 values (start, end), got {len(values)}"
    for name, dimension in (dimensions.get("Demographic") or {}).items():
        yield from _values(dimension.get("Values") or [], f"{path}.Demographic.{name}", counts)
    location = dimensions.get("Location") or {}
    if "Country" in location:
        where = f"{path}.Location.Country"
        yield from _values(location["Country"].get("Values") or [], where, counts)
        for index, value in enumerate(location["Country"].get("Values") or ()):
            if not (isinstance(value, str) and len(value) == 2 and value.isalpha()):
                yield f"{where}.Values[{index}]: {value!r} is not an ISO 3166-1 alpha-2 code"
    if "GPSPoint" in location:
        yield from _gps(location["GPSPoint"], f"{path}.Location.GPSPoint", counts)
    if (dimensions.get("Behavior") or {}).get("Recency"):
        counts["dimensions"] += 1
    counts["dimensions"] += len(dimensions.get("Metrics") or {})
    yield from metric_problems(dimensions.get("Metrics") or {}, f"{path}.Metrics")


def metric_problems(metrics: Mapping[str, Any], path: str) -> Iterator[str]:
    """A ``Metrics`` map (segment or journey event dimensions) whose ``ComparisonOperator`` the
    evaluator (``dimensions.metric``) does not know."""
    for name, dimension in metrics.items():
        if dimension.get("ComparisonOperator") not in COMPARISON_OPERATORS:
            yield (
                f"{path}.{name}.ComparisonOperator: {dimension.get('ComparisonOperator')!r} is not "
                f"one of {', '.join(COMPARISON_OPERATORS)}"
            )


def _gps(point: Mapping[str, Any], path: str, counts: dict[str, int]) -> Iterator[str]:
    counts["dimensions"] += 1
    coordinates = point.get("Coordinates") or {}
    if not -90 <= coordinates.get("Latitude", 0) <= 90:
        yield f"{path}.Coordinates.Latitude: must be between -90 and 90"
    if not -180 <= coordinates.get("Longitude", 0) <= 180:
        yield f"{path}.Coordinates.Longitude: must be between -180 and 180"
    if point.get("RangeInKilometers", 1) <= 0:
        yield f"{path}.RangeInKilometers: must be greater than 0"
