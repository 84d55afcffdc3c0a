"""Build event-stream records in Pinpoint's own envelope (reference §2.2).

Everything that reads Pinpoint's stream (Athena views, the suppression consumer, customers'
analytics) keeps working when our functions and the SES normaliser write the same shape.
Pure Python on purpose: the custom channel builds records on its hot path.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

EVENT_VERSION = "3.1"


def build_event_record(
    *,
    event_type: str,
    application_id: str,
    endpoint_id: str,
    attributes: Mapping[str, str] | None = None,
    metrics: Mapping[str, float] | None = None,
    endpoint: Mapping | None = None,
    facets: Mapping | None = None,
    timestamp_ms: int | None = None,
    aws_account_id: str = "",
) -> dict[str, Any]:
    """Return one Pinpoint event-stream record as a dict ready for ``json.dumps``.

    ``client.client_id`` is the endpoint id (Pinpoint's convention for campaign and journey
    sends). ``endpoint`` goes into ``client_context.custom.endpoint`` as a JSON *string*, as
    Pinpoint does. Attribute values are coerced to strings: the Glue schema is map<string,string>.
    """
    now_ms = int(time.time() * 1000)
    record: dict[str, Any] = {
        "event_type": event_type,
        "event_timestamp": now_ms if timestamp_ms is None else int(timestamp_ms),
        "arrival_timestamp": now_ms,
        "event_version": EVENT_VERSION,
        "application": {"app_id": application_id, "sdk": {}},
        "client": {"client_id": endpoint_id},
        "device": {"platform": {}},
        "session": {},
        "attributes": {str(key): str(value) for key, value in (attributes or {}).items()},
        "metrics": {str(key): float(value) for key, value in (metrics or {}).items()},
        "awsAccountId": aws_account_id,
    }
    if endpoint is not None:
        record["client_context"] = {
            "custom": {"endpoint": json.dumps(dict(endpoint), separators=(",", ":"), default=str)}
        }
    if facets is not None:
        record["facets"] = dict(facets)
    return record
