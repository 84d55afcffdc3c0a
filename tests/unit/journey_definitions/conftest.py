"""Fixtures: the reference example journey and one lab (moto executing the compiled state machines
with compressed time) shared by the module's tests; each test uses its own endpoints and journey.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engagement.journeys.definitions.simulate import JourneyLab

EXAMPLE = Path(__file__).resolve().parents[3] / "events" / "journey_welcome_series.json"


@pytest.fixture
def example() -> dict[str, Any]:
    """The complete example journey of the reference (``events/journey_welcome_series.json``)."""
    return json.loads(EXAMPLE.read_text())


SEGMENTS = {
    "seg-new-signups": {
        "Dimensions": {"Attributes": {"cohort": {"AttributeType": "INCLUSIVE", "Values": ["new"]}}}
    },
    "seg-imported": {"SegmentType": "IMPORT"},
    "seg-app-users": {
        "Dimensions": {"Attributes": {"app": {"AttributeType": "INCLUSIVE", "Values": ["yes"]}}}
    },
    "seg-vip": {"Dimensions": {"Attributes": {"tier": {"AttributeType": "INCLUSIVE", "Values": ["vip"]}}}},
}


@pytest.fixture(scope="module")
def lab() -> Iterator[JourneyLab]:
    """One lab for a module: tests use their own endpoints and journeys."""
    with JourneyLab(endpoints={}, segments=SEGMENTS, supported=frozenset({"PUSH"})) as running:
        yield running


@pytest.fixture(autouse=True)
def _rewound(request: pytest.FixtureRequest) -> None:
    """Every test starts at the lab's base time (Tuesday 2026-11-03 10:00 UTC)."""
    if "lab" in request.fixturenames:
        request.getfixturevalue("lab").clock.rewind()


@pytest.fixture
def fresh_lab() -> Iterator[JourneyLab]:
    """A lab of its own: journey ids start at ``journey1``, so hash-based splits repeat exactly."""
    with JourneyLab(endpoints={}, segments=SEGMENTS, supported=frozenset({"PUSH"})) as running:
        yield running
