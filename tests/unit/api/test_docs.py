"""docs/api.md lists every route the deployed services serve, with the model's method and URI, and
names the setting that switches on each feature's routes."""

from __future__ import annotations

import re
from pathlib import Path

from engagement.analytics.service import KpiService
from engagement.api.events import EventsService
from engagement.api.messaging import MessagingService
from engagement.api.templates import WRITES
from engagement.api.wire import routes, snake_case
from engagement.campaigns.store import CampaignStore
from engagement.endpoints.protocol import EndpointRegistry
from engagement.journeys.definitions.store import JourneyStore
from engagement.otp import OtpService
from engagement.phones import PhoneNumberValidator
from engagement.segments.store import SegmentStore
from engagement.templating.stores import DocumentTemplateStore

DOC = Path(__file__).resolve().parents[3] / "docs" / "api.md"
ROW = re.compile(r"^\| (\w+) \| `(GET|PUT|POST|DELETE) (/v1/[^`]+)` \| ([^\n]*)\|$", re.MULTILINE)
ALWAYS = (EndpointRegistry, DocumentTemplateStore, MessagingService, EventsService, PhoneNumberValidator)
# Served when the API function has the setting (engagement.api.services.build_services).
SWITCHED = {
    SegmentStore: "SEGMENT_STORE",
    CampaignStore: "CAMPAIGNS_TABLE",
    JourneyStore: "JOURNEYS_TABLE",
    KpiService: "KPI_SOURCE",
    OtpService: "OTP_TABLE",
}


def methods(*kinds: type) -> set[str]:
    return {name for kind in kinds for name in dir(kind) if not name.startswith("_")}


def served_routes(names: set[str]) -> dict:
    return {r.operation: r for r in routes() if snake_case(r.operation) in names}


def documented() -> dict[str, tuple[str, str, str]]:
    return {match[0]: match[1:] for match in ROW.findall(DOC.read_text())}


def test_the_route_table_is_exactly_what_the_services_serve():
    rows = documented()
    served = served_routes(set(WRITES) | methods(*ALWAYS, *SWITCHED))
    assert set(rows) == set(served)
    for operation, (method, uri, _served_by) in rows.items():
        route = served[operation]
        assert method == route.method
        assert re.sub(r"\{([^}]+)\}", lambda m: "<" + m[1].replace("-", "_") + ">", uri) == route.rule


def test_each_switched_route_names_its_setting():
    rows = documented()
    always = served_routes(set(WRITES) | methods(*ALWAYS))
    for kind, setting in SWITCHED.items():
        for operation in served_routes(methods(kind)).keys() - always.keys():
            assert f"`{setting}`" in rows[operation][2], operation
