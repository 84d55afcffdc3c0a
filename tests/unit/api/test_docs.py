"""docs/api.md lists every route the deployed services serve, with the model's method and URI."""

from __future__ import annotations

import re
from pathlib import Path

from engagement.api.events import EventsService
from engagement.api.messaging import MessagingService
from engagement.api.templates import WRITES
from engagement.api.wire import routes, snake_case
from engagement.endpoints.protocol import EndpointRegistry
from engagement.templating.stores import TemplateStore

DOC = Path(__file__).resolve().parents[3] / "docs" / "api.md"
ROW = re.compile(r"^\| (\w+) \| `(GET|PUT|POST|DELETE) (/v1/[^`]+)` \|", re.MULTILINE)


def served_methods() -> set[str]:
    names = set(WRITES)
    for kind in (EndpointRegistry, TemplateStore, MessagingService, EventsService):
        names |= {name for name in dir(kind) if not name.startswith("_")}
    return names


def test_the_route_table_is_exactly_what_the_services_serve():
    documented = {match[0]: (match[1], match[2]) for match in ROW.findall(DOC.read_text())}
    served = {r.operation: r for r in routes() if snake_case(r.operation) in served_methods()}
    assert set(documented) == set(served)
    for operation, (method, uri) in documented.items():
        route = served[operation]
        assert method == route.method
        assert re.sub(r"\{([^}]+)\}", lambda m: "<" + m[1].replace("-", "_") + ">", uri) == route.rule
