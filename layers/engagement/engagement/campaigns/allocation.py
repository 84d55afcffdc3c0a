"""Cohort allocation: which endpoints are held out and which treatment each other one gets.

Pinpoint gives every endpoint a ``CohortId`` "0".."99" (about 1 % each) and "assigns cohorts to
the holdout or treatment allocations". Here, deterministically:

1. the endpoint's ``CohortId`` (or, when it has none, the registry's own hash of its id);
2. shifted by the campaign's offset, ``sha256(campaign id) mod 100``, so one campaign's holdout is
   not every campaign's holdout - yet stays the same across runs and versions of that campaign;
3. shifted cohorts ``[0, HoldoutPercent)`` are held out, the next ``SizePercent`` of the default
   treatment ("0") go to it, then each additional treatment ("1".."4") in list order.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from engagement.campaigns.definition import Treatment
from engagement.endpoints.merge import cohort_id


def campaign_offset(campaign_id: str) -> int:
    return int.from_bytes(hashlib.sha256(campaign_id.encode()).digest()[:4], "big") % 100


def endpoint_cohort(endpoint_id: str, cohort: object) -> int:
    """The endpoint's CohortId as 0..99; a missing or malformed one is derived from the id."""
    text = str(cohort) if cohort is not None else ""
    if text.isdigit() and int(text) < 100:
        return int(text)
    return int(cohort_id(endpoint_id))


class Allocator:
    """``allocate(endpoint_id, cohort)`` -> the treatment, or ``None`` for the holdout group."""

    def __init__(self, campaign_id: str, holdout_percent: int, treatments: Sequence[Treatment]):
        self.offset = campaign_offset(campaign_id)
        table: list[Treatment | None] = [None] * holdout_percent
        for treatment in treatments:
            table.extend([treatment] * treatment.size_percent)
        if len(table) != 100:
            raise ValueError(f"holdout and treatments cover {len(table)} cohorts, not 100")
        self._table = table

    def allocate(self, endpoint_id: str, cohort: object) -> Treatment | None:
        return self._table[(endpoint_cohort(endpoint_id, cohort) + self.offset) % 100]
