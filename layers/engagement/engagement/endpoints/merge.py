"""How UpdateEndpoint combines a request with the stored endpoint (pure functions, no I/O).

Pinpoint's rules: a provided field replaces the stored one; ``Attributes``, ``Metrics`` and
``User.UserAttributes`` merge per key (a provided key overwrites all its values, an empty list
removes the key); ``Demographic`` and ``Location`` merge per field. An update makes the endpoint
ACTIVE unless the request sets ``EndpointStatus``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

REPLACED_FIELDS = ("Address", "ChannelType", "EndpointStatus", "OptOut", "RequestId")
PER_KEY_FIELDS = ("Attributes", "Metrics")
PER_FIELD_FIELDS = ("Demographic", "Location")


def now_iso() -> str:
    """Pinpoint's timestamp format: ISO 8601, UTC, milliseconds, ``Z``."""
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def cohort_id(endpoint_id: str) -> str:
    """A stable "0".."99" bucket per endpoint id (case-insensitive, like the id)."""
    digest = hashlib.sha256(endpoint_id.lower().encode()).digest()
    return str(int.from_bytes(digest[:4], "big") % 100)


def merge_attributes(current: Mapping[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """Per-key merge: provided keys overwrite, an empty list removes the key."""
    merged = dict(current)
    for name, values in update.items():
        if isinstance(values, list) and not values:
            merged.pop(name, None)
        else:
            merged[name] = list(values) if isinstance(values, list) else values
    return merged


def _set_or_drop(document: dict[str, Any], key: str, value: Mapping[str, Any]) -> None:
    if value:
        document[key] = dict(value)
    else:
        document.pop(key, None)


def merge_endpoint(current: Mapping[str, Any] | None, request: Mapping[str, Any], now: str) -> dict[str, Any]:
    """The endpoint after ``request``; ``User.UserAttributes`` are left to ``merge_user_attributes``.

    ``current`` and the result are stored documents: the response shape without the user's
    shared attributes. ``CreationDate`` is kept; ``EffectiveDate`` is the request's or ``now``.
    """
    document: dict[str, Any] = dict(current or {})
    document.setdefault("CreationDate", now)
    document.setdefault("OptOut", "NONE")
    for key in REPLACED_FIELDS:
        if key in request:
            document[key] = request[key]
    for key in PER_KEY_FIELDS:
        if key in request:
            _set_or_drop(document, key, merge_attributes(document.get(key, {}), request[key]))
    for key in PER_FIELD_FIELDS:
        if key in request:
            _set_or_drop(document, key, {**document.get(key, {}), **request[key]})
    if "EndpointStatus" not in request:
        document["EndpointStatus"] = "ACTIVE"
    document["EffectiveDate"] = request.get("EffectiveDate") or now
    user_id = request.get("User", {}).get("UserId")
    if user_id is not None:
        user = dict(document.get("User", {}))
        if user_id:
            user["UserId"] = user_id
        else:
            user.pop("UserId", None)  # "" detaches the endpoint from its user
        _set_or_drop(document, "User", user)
    return document


def merge_user_attributes(
    document: dict[str, Any],
    previous: Mapping[str, Any] | None,
    shared: Mapping[str, Any],
    update: Mapping[str, Any],
) -> dict[str, Any] | None:
    """Apply ``update`` (a request's ``User.UserAttributes``) where the attributes live.

    With a ``UserId`` they are the user's, shared by all its endpoints: returns the user's new
    attributes (``shared`` merged with any attributes the endpoint held before it had a user).
    Without one they stay on the endpoint document, and the result is ``None``.
    """
    user = dict(document.get("User", {}))
    inline = user.pop("UserAttributes", {})
    had_user = bool((previous or {}).get("User", {}).get("UserId"))
    if not user.get("UserId"):
        user_attributes = merge_attributes(inline, update)
        if user_attributes:
            user["UserAttributes"] = user_attributes
        _set_or_drop(document, "User", user)
        return None
    _set_or_drop(document, "User", user)
    base = dict(shared) if had_user else merge_attributes(shared, inline)
    return merge_attributes(base, update)


def to_response(
    document: Mapping[str, Any], user_attributes: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The ``EndpointResponse``: the stored document plus the user's current shared attributes."""
    response = dict(document)
    user = dict(response.get("User", {}))
    if user.get("UserId") and user_attributes:
        user["UserAttributes"] = dict(user_attributes)
    if user:
        response["User"] = user
    return response
