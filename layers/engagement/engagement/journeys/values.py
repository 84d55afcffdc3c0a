"""Read values from an event's ``detail`` with JMESPath, shaped for Pinpoint.

Pinpoint event attributes are strings (≤ 200 chars, or Pinpoint drops the whole event), metrics
are numbers, endpoint attributes are lists of strings. A path that finds nothing is simply left
out for attributes and metrics, but is an error where the value is required (the endpoint key).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from engagement.journeys.errors import LimitExceededError, MissingValueError

MAX_EVENT_ATTRIBUTE_VALUE = 200  # Pinpoint drops an event whose attribute value is longer
MAX_EVENT_KEY = 50
MAX_EVENT_KEYS = 40  # attributes + metrics per event


@lru_cache(maxsize=256)
def _compiled(path: str) -> Any:
    import jmespath

    return jmespath.compile(path)


def search(path: str, detail: Mapping[str, Any]) -> Any:
    """The value at ``path``; a JMESPath function given the wrong type (``length(5)``) is the
    event's fault, so it is a permanent error naming the path, not a crash."""
    from jmespath.exceptions import JMESPathError

    try:
        return _compiled(path).search(detail)
    except JMESPathError as error:
        raise MissingValueError(f"detail.{path} cannot be evaluated on this event: {error}") from error


def required_string(path: str, detail: Mapping[str, Any], what: str) -> str:
    """A non-empty string (numbers are accepted and printed), else a permanent error naming the path."""
    value = search(path, detail)
    if isinstance(value, bool) or value is None or isinstance(value, Mapping | list) or value == "":
        raise MissingValueError(f"{what} missing: detail.{path} is {json.dumps(value)}")
    return _as_text(value)


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return json.dumps(value, separators=(",", ":")) if isinstance(value, Mapping | list) else str(value)


def event_attributes(paths: Mapping[str, str], detail: Mapping[str, Any]) -> dict[str, str]:
    """Pinpoint event attributes; a value over 200 characters is refused before Pinpoint drops it."""
    found = {}
    for name, path in paths.items():
        value = search(path, detail)
        if value is None:
            continue
        text = _as_text(value)
        if len(text) > MAX_EVENT_ATTRIBUTE_VALUE:
            raise LimitExceededError(
                f"event attribute {name!r} is {len(text)} characters; Pinpoint drops events with "
                f"attribute values over {MAX_EVENT_ATTRIBUTE_VALUE}"
            )
        found[name] = text
    return found


def metrics(paths: Mapping[str, str], detail: Mapping[str, Any]) -> dict[str, float]:
    """Numeric values (numbers or numeric strings); anything else is a permanent error."""
    found = {}
    for name, path in paths.items():
        value = search(path, detail)
        if value is None:
            continue
        try:
            number = float(value) if not isinstance(value, bool) else math.nan
        except (TypeError, ValueError):
            number = math.nan
        if not math.isfinite(number):
            raise MissingValueError(f"metric {name!r}: detail.{path} is not a number: {json.dumps(value)}")
        found[name] = number
    return found


def check_event_keys(attributes: Mapping[str, str], metric_values: Mapping[str, float]) -> None:
    """Pinpoint's per-event limits: ≤ 40 attribute+metric keys, each key ≤ 50 characters."""
    keys = [*attributes, *metric_values]
    if len(keys) > MAX_EVENT_KEYS:
        raise LimitExceededError(f"{len(keys)} event attributes+metrics; Pinpoint allows {MAX_EVENT_KEYS}")
    long_keys = [key for key in keys if len(key) > MAX_EVENT_KEY]
    if long_keys:
        raise LimitExceededError(f"event keys longer than {MAX_EVENT_KEY} characters: {long_keys}")


def endpoint_attributes(paths: Mapping[str, str], detail: Mapping[str, Any]) -> dict[str, list[str]]:
    """Endpoint/user attributes: Pinpoint stores lists of strings."""
    found = {}
    for name, path in paths.items():
        value = search(path, detail)
        if value is None:
            continue
        items = value if isinstance(value, list) else [value]
        found[name] = [_as_text(item) for item in items if item is not None]
    return found
