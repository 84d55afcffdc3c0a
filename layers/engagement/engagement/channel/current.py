"""The registry's current view of a batch's endpoints, read once per invocation.

The payload may predate an opt-out, so each endpoint is checked against the registry as it is
now. The standalone registry answers the whole batch with one BatchGetItem (endpoints plus
the users the payload names, <= 100 keys); a registry without ``get_endpoints`` (Pinpoint)
is asked endpoint by endpoint, concurrently.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from engagement.models.custom_channel import CustomChannelEvent


def error_code(error: BaseException) -> str:
    """The botocore error code, or "" (connection errors and read timeouts have no response)."""
    response = getattr(error, "response", None) or {}
    return str(response.get("Error", {}).get("Code", "")) if isinstance(response, dict) else ""


# DynamoDB refuses a key over 1,024 bytes, which would fail the whole batch's read: ids that long
# cannot be registered, so they are not asked for (the payload is all there is to know).
MAX_KEY_BYTES = 1000


def _askable(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value.encode()) <= MAX_KEY_BYTES


def read_current(registry: Any, event: CustomChannelEvent, endpoint_ids: Sequence[str]) -> dict[str, dict]:
    """``{endpoint id (lower case): EndpointResponse}`` for the endpoints the registry knows."""
    endpoint_ids = [endpoint_id for endpoint_id in endpoint_ids if _askable(endpoint_id)]
    if not endpoint_ids:
        return {}
    if hasattr(registry, "get_endpoints"):
        users = {
            str(user.get("UserId"))
            for endpoint_id in endpoint_ids
            if isinstance(user := (event.Endpoints[endpoint_id].model_extra or {}).get("User"), dict)
            and _askable(user.get("UserId"))
        }
        response = registry.get_endpoints(
            ApplicationId=event.ApplicationId, EndpointIds=list(endpoint_ids), UserIds=sorted(users)
        )
        items = response.get("EndpointsResponse", {}).get("Item", [])
        return {str(item.get("Id", "")).lower(): item for item in items}
    with ThreadPoolExecutor(max_workers=min(10, len(endpoint_ids)), thread_name_prefix="registry") as pool:
        found = pool.map(lambda endpoint_id: _one(registry, event.ApplicationId, endpoint_id), endpoint_ids)
        return {
            endpoint_id.lower(): item for endpoint_id, item in zip(endpoint_ids, found, strict=True) if item
        }


def _one(registry: Any, application_id: str, endpoint_id: str) -> dict | None:
    try:
        return registry.get_endpoint(ApplicationId=application_id, EndpointId=endpoint_id)["EndpointResponse"]
    except Exception as error:
        if error_code(error) == "NotFoundException":
            return None  # not registered here: the payload is all we know
        raise
