"""``ListJourneys`` / ``GetJourneyRuns`` paging: a bad ``PageSize`` or ``Token`` is a 400 naming it."""

from __future__ import annotations

import pytest

from engagement.journeys.definitions.store import JourneyStore, StoreSettings
from engagement.models.errors import BadRequestException


class _Journeys:
    def list_journeys(self, app: str) -> list[dict]:
        return [{"Id": f"j{n}", "CreationDate": f"2026-12-01T00:00:0{n}Z"} for n in range(3)]


def store() -> JourneyStore:
    return JourneyStore(table=_Journeys(), sfn=None, settings=StoreSettings("arn:fn", "arn:role"))


def test_list_journeys_pages_by_offset_token():
    first = store().list_journeys(ApplicationId="app", PageSize="2")["JourneysResponse"]
    assert [j["Id"] for j in first["Item"]] == ["j0", "j1"]
    rest = store().list_journeys(ApplicationId="app", PageSize="2", Token=first["NextToken"])
    assert rest == {"JourneysResponse": {"Item": [{"Id": "j2", "CreationDate": "2026-12-01T00:00:02Z"}]}}


@pytest.mark.parametrize(
    ("paging", "field"),
    [({"PageSize": "x"}, "PageSize"), ({"Token": "-1"}, "Token"), ({"Token": "abc"}, "Token")],
)
def test_a_bad_page_size_or_token_is_a_400_naming_it(paging, field):
    with pytest.raises(BadRequestException) as caught:
        store().list_journeys(ApplicationId="app", **paging)
    assert caught.value.message.startswith(f"{field}: ") and caught.value.operation_name == "ListJourneys"
