"""ISO 8601 durations and times as Pinpoint writes them (``P3D``, ``PT1H``, ``2026-11-02T09:00:00Z``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any


@cache
def _adapters() -> tuple[Any, Any]:
    from pydantic import TypeAdapter

    return TypeAdapter(timedelta), TypeAdapter(datetime)


def parse_duration(value: str) -> timedelta:
    """``P3D`` → 3 days; ``P1M`` is 30 days and ``P1Y`` 365 (pydantic's reading). Raises ``ValueError``."""
    if not isinstance(value, str) or not value.startswith("P"):
        raise ValueError(f"not an ISO 8601 duration: {value!r}")
    return _adapters()[0].validate_python(value)


def parse_time(value: str) -> datetime:
    """An ISO 8601 date-time; a naive one is read as UTC. Raises ``ValueError``."""
    parsed = _adapters()[1].validate_python(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def iso(moment: datetime) -> str:
    """``2026-11-02T09:00:00Z``: the form Step Functions' ``Timestamp`` and Pinpoint's responses use."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
