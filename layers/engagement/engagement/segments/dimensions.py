"""One compiler per Pinpoint segment dimension: JSON in, a closure ``predicate(endpoint, now)`` out.

Every closure takes an ``EndpointResponse`` dict and ``now`` as POSIX seconds and answers a bool.
The choices Pinpoint's documentation leaves open are constants here and in docs/segments.md:

* attribute values (``Attributes``, ``UserAttributes``) compare **case-sensitively** (they are
  the customer's data); ``Demographic`` values (except ``AppVersion``), ``Channel`` and
  ``Location.Country`` compare **case-insensitively** (SDKs report ``Android``, consoles ``android``);
* a **missing** field never matches INCLUSIVE, CONTAINS, a date operator, a metric or a GPS
  point, and always matches EXCLUSIVE ("does not have the value");
* datetimes without an offset are **UTC**; ``ON`` compares UTC calendar dates;
* ``Behavior.Recency`` reads the endpoint's ``EffectiveDate`` (its last update), missing = never.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeGuard

Endpoint = Mapping[str, Any]
Predicate = Callable[[Endpoint, float], bool]

RECENCY_SECONDS = {"HR_24": 86_400, "DAY_7": 7 * 86_400, "DAY_14": 14 * 86_400, "DAY_30": 30 * 86_400}
EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius
DEFAULT_RANGE_KM = 100.0  # GPSPoint without RangeInKilometers (the model leaves it optional)
DEMOGRAPHIC_FIELDS = ("AppVersion", "Make", "Model", "Platform")
CASE_SENSITIVE_DEMOGRAPHICS = frozenset({"AppVersion"})
DEVICE_TYPE_ATTRIBUTE = "DeviceType"  # EndpointDemographic has no device type: read Attributes.DeviceType


def always(_endpoint: Endpoint, _now: float) -> bool:
    return True


def never(_endpoint: Endpoint, _now: float) -> bool:
    return False


_instants_seen: dict[Any, float | None] = {}  # parsed values: dates repeat across endpoints
_MAX_INSTANTS_SEEN = 100_000


def parse_instant(value: Any) -> float | None:
    """ISO-8601 (``2026-01-01``, ``2026-01-01T08:00:00Z``, ``...+02:00``) as POSIX seconds, or None."""
    try:
        return _instants_seen[value]
    except KeyError:
        pass
    except TypeError:  # unhashable: not a date
        return None
    instant = None
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = None
        if moment is not None:
            instant = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()
    if len(_instants_seen) >= _MAX_INSTANTS_SEEN:
        _instants_seen.clear()
    _instants_seen[value] = instant
    return instant


def canonical_millis(instant: float) -> str:
    """``YYYY-MM-DDTHH:MM:SS.mmmZ`` (UTC) of ``instant`` rounded UP to the millisecond: for strings
    of this shape, ``value >= canonical_millis(t)`` is exactly ``parse_instant(value) >= t``."""
    millis = math.ceil(round(instant * 1000, 3))
    return (
        datetime.fromtimestamp(millis // 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{millis % 1000:03d}Z"
    )


def _is_canonical_millis(value: Any) -> TypeGuard[str]:
    """The shape the registry writes ``EffectiveDate`` in (``2026-11-20T10:11:12.123Z``)."""
    return (
        type(value) is str and len(value) == 24 and value[23] == "Z" and value[19] == "." and value[10] == "T"
    )


def utc_date(value: Any) -> str | None:
    instant = parse_instant(value)
    return None if instant is None else datetime.fromtimestamp(instant, UTC).date().isoformat()


# ---------------------------------------------------------------- combinators
def all_of(predicates: list[Predicate]) -> Predicate:
    if not predicates:
        return always
    if len(predicates) == 1:
        return predicates[0]
    if len(predicates) == 2:
        first, second = predicates

        def both(endpoint: Endpoint, now: float) -> bool:
            return first(endpoint, now) and second(endpoint, now)

        return both
    items = tuple(predicates)

    def every(endpoint: Endpoint, now: float) -> bool:
        for predicate in items:  # noqa: SIM110 - a plain loop is faster than all(generator)
            if not predicate(endpoint, now):
                return False
        return True

    return every


def any_of(predicates: list[Predicate]) -> Predicate:
    items = tuple(predicates)

    def some(endpoint: Endpoint, now: float) -> bool:
        for predicate in items:  # noqa: SIM110 - a plain loop is faster than any(generator)
            if predicate(endpoint, now):
                return True
        return False

    return some


def none_of(predicates: list[Predicate]) -> Predicate:
    some = any_of(predicates)

    def none(endpoint: Endpoint, now: float) -> bool:
        return not some(endpoint, now)

    return none


def combine(kind: str | None, predicates: list[Predicate], *, default: str = "ALL") -> Predicate:
    """``ALL`` / ``ANY`` / ``NONE`` of the predicates; an empty list is no condition at all."""
    if not predicates:
        return always
    combinator = _COMBINATORS.get(kind or default)
    if combinator is None:
        raise ValueError(f"{kind!r} is not one of ALL, ANY, NONE")
    return combinator(predicates)


_COMBINATORS = {"ALL": all_of, "ANY": any_of, "NONE": none_of}


# ---------------------------------------------------------------- attributes
Getter = Callable[[Endpoint], Any]


def endpoint_attribute(name: str) -> Getter:
    def get(endpoint: Endpoint) -> Any:
        attributes = endpoint.get("Attributes")
        return attributes.get(name) if attributes else None

    return get


def user_attribute(name: str) -> Getter:
    def get(endpoint: Endpoint) -> Any:
        user = endpoint.get("User")
        attributes = user.get("UserAttributes") if user else None
        return attributes.get(name) if attributes else None

    return get


def _instants(values: Iterable[Any]) -> Iterable[float]:
    for value in values:
        instant = parse_instant(value)
        if instant is not None:
            yield instant


def attribute(get: Getter, dimension: Mapping[str, Any]) -> Predicate:
    """``AttributeDimension``: the endpoint's list of values against ``Values`` (any value matches)."""
    kind = dimension.get("AttributeType") or "INCLUSIVE"
    values = [str(value) for value in dimension["Values"]]
    wanted = frozenset(values)

    if kind == "INCLUSIVE":

        def inclusive(endpoint: Endpoint, _now: float) -> bool:
            have = get(endpoint)
            return bool(have) and not wanted.isdisjoint(have)

        return inclusive
    if kind == "EXCLUSIVE":

        def exclusive(endpoint: Endpoint, _now: float) -> bool:
            have = get(endpoint)
            return not have or wanted.isdisjoint(have)

        return exclusive
    if kind == "CONTAINS":
        needles = tuple(values)

        def contains(endpoint: Endpoint, _now: float) -> bool:
            for value in get(endpoint) or ():
                for needle in needles:
                    if needle in value:
                        return True
            return False

        return contains
    if kind == "ON":
        days = frozenset(filter(None, map(utc_date, values)))

        def on(endpoint: Endpoint, _now: float) -> bool:
            return any(utc_date(value) in days for value in get(endpoint) or ())

        return on
    bounds = sorted(_instants(values))
    if not bounds:  # no value is a date (validation rejects such definitions): nothing matches
        return never
    low, high = {
        "BEFORE": (-math.inf, bounds[-1]),
        "AFTER": (bounds[0], math.inf),
        "BETWEEN": (bounds[0], bounds[-1]),
    }[kind]
    strict = kind != "BETWEEN"  # BEFORE/AFTER exclude the instant itself; BETWEEN includes both ends

    def in_range(endpoint: Endpoint, _now: float) -> bool:
        for instant in _instants(get(endpoint) or ()):
            if (low < instant < high) if strict else (low <= instant <= high):
                return True
        return False

    return in_range


# ---------------------------------------------------------------- set dimensions
def set_dimension(get: Getter, dimension: Mapping[str, Any], *, case_sensitive: bool) -> Predicate:
    """``SetDimension``: one endpoint value against ``Values``; INCLUSIVE (default) or EXCLUSIVE."""
    fold: Callable[[str], str] = (lambda value: value) if case_sensitive else str.casefold
    wanted = frozenset(fold(str(value)) for value in dimension["Values"])
    exclusive = dimension.get("DimensionType") == "EXCLUSIVE"

    def member(endpoint: Endpoint, _now: float) -> bool:
        value = get(endpoint)
        found = isinstance(value, str) and fold(value) in wanted
        return not found if exclusive else found

    return member


def _demographic(name: str) -> Getter:
    def get(endpoint: Endpoint) -> Any:
        demographic = endpoint.get("Demographic")
        return demographic.get(name) if demographic else None

    return get


def _channel(endpoint: Endpoint) -> Any:
    return endpoint.get("ChannelType")


def _device_type(endpoint: Endpoint) -> Any:
    values = (endpoint.get("Attributes") or {}).get(DEVICE_TYPE_ATTRIBUTE)
    return values[0] if values else None


def _country(endpoint: Endpoint) -> Any:
    location = endpoint.get("Location")
    return location.get("Country") if location else None


def demographic(dimension: Mapping[str, Any]) -> list[Predicate]:
    predicates = []
    for name in DEMOGRAPHIC_FIELDS:
        if name in dimension:
            case_sensitive = name in CASE_SENSITIVE_DEMOGRAPHICS
            predicates.append(
                set_dimension(_demographic(name), dimension[name], case_sensitive=case_sensitive)
            )
    if "Channel" in dimension:
        predicates.append(set_dimension(_channel, dimension["Channel"], case_sensitive=False))
    if "DeviceType" in dimension:
        predicates.append(set_dimension(_device_type, dimension["DeviceType"], case_sensitive=False))
    return predicates


# ---------------------------------------------------------------- location, behaviour, metrics
def gps_point(dimension: Mapping[str, Any]) -> Predicate:
    """Great-circle (haversine) distance from ``Coordinates`` at most ``RangeInKilometers``."""
    coordinates = dimension["Coordinates"]
    lat0 = math.radians(float(coordinates["Latitude"]))
    lon0 = math.radians(float(coordinates["Longitude"]))
    cos_lat0 = math.cos(lat0)
    range_km = float(dimension.get("RangeInKilometers", DEFAULT_RANGE_KM))
    # haversine(d) <= range  <=>  sin²(Δφ/2) + cosφ0·cosφ·sin²(Δλ/2) <= sin²(range / 2R)
    limit = math.sin(min(range_km / EARTH_RADIUS_KM, math.pi) / 2) ** 2
    sin, cos, radians = math.sin, math.cos, math.radians

    def near(endpoint: Endpoint, _now: float) -> bool:
        location = endpoint.get("Location")
        if not location:
            return False
        lat, lon = location.get("Latitude"), location.get("Longitude")
        if lat is None or lon is None:
            return False
        lat, lon = radians(lat), radians(lon)
        h = sin((lat - lat0) / 2) ** 2 + cos_lat0 * cos(lat) * sin((lon - lon0) / 2) ** 2
        return h <= limit

    return near


def location(dimension: Mapping[str, Any]) -> list[Predicate]:
    predicates = []
    if "Country" in dimension:
        predicates.append(set_dimension(_country, dimension["Country"], case_sensitive=False))
    if "GPSPoint" in dimension:
        predicates.append(gps_point(dimension["GPSPoint"]))
    return predicates


def recency(dimension: Mapping[str, Any]) -> Predicate:
    """ACTIVE: ``EffectiveDate`` within the duration before ``now``; INACTIVE: not (or no date).

    The registry writes ``EffectiveDate`` as ``YYYY-MM-DDTHH:MM:SS.mmmZ``; such strings compare
    with the threshold as strings (no date parsing per endpoint), any other form is parsed.
    """
    window = RECENCY_SECONDS[dimension["Duration"]]
    active = dimension["RecencyType"] == "ACTIVE"
    threshold: list[tuple[float, str]] = [(math.nan, "")]  # (now, its threshold): one tuple, swapped whole

    def recent(endpoint: Endpoint, now: float) -> bool:
        value = endpoint.get("EffectiveDate")
        if _is_canonical_millis(value):
            cached = threshold[0]
            if cached[0] != now:
                cached = (now, canonical_millis(now - window))
                threshold[0] = cached
            within = value >= cached[1]
        else:
            instant = parse_instant(value)
            within = instant is not None and instant >= now - window
        return within if active else not within

    return recent


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "GREATER_THAN": operator.gt,
    "GREATER_THAN_OR_EQUAL": operator.ge,
    "LESS_THAN": operator.lt,
    "LESS_THAN_OR_EQUAL": operator.le,
    "EQUAL": operator.eq,
}
COMPARISON_OPERATORS = tuple(_COMPARE)


def metric(name: str, dimension: Mapping[str, Any]) -> Predicate:
    compare = _COMPARE[dimension["ComparisonOperator"]]
    value = float(dimension["Value"])

    def measured(endpoint: Endpoint, _now: float) -> bool:
        metrics = endpoint.get("Metrics")
        have = metrics.get(name) if metrics else None
        return isinstance(have, int | float) and compare(have, value)

    return measured


def segment_dimensions(dimensions: Mapping[str, Any]) -> Predicate:
    """One ``SegmentDimensions`` object: every dimension in it AND-ed."""
    predicates: list[Predicate] = []
    for name, dimension in (dimensions.get("Attributes") or {}).items():
        predicates.append(attribute(endpoint_attribute(name), dimension))
    for name, dimension in (dimensions.get("UserAttributes") or {}).items():
        predicates.append(attribute(user_attribute(name), dimension))
    behavior = (dimensions.get("Behavior") or {}).get("Recency")
    if behavior:
        predicates.append(recency(behavior))
    predicates += demographic(dimensions.get("Demographic") or {})
    predicates += location(dimensions.get("Location") or {})
    for name, dimension in (dimensions.get("Metrics") or {}).items():
        predicates.append(metric(name, dimension))
    return all_of(predicates)
