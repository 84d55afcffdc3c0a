"""Plan UpdateEndpoint / UpdateEndpointsBatch on a ``UnitOfWork``: every rule, before any write.

Reads happen in at most three BatchGetItem rounds (the endpoints plus the users and address
pointers the requests name; the users and pointers the stored endpoints name; the endpoints
those pointers point at), then the requests are applied in order in memory. Any broken rule
raises ``BadRequestException`` before ``UnitOfWork.commit`` runs, so nothing is written.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from engagement.endpoints._items import (
    Record,
    endpoint_address_key,
    endpoint_key,
    endpoint_user_id,
    user_key,
)
from engagement.endpoints._unit_of_work import UnitOfWork
from engagement.endpoints.errors import BadRequestException
from engagement.endpoints.merge import cohort_id, merge_endpoint, merge_user_attributes, to_response
from engagement.endpoints.rules import MAX_ENDPOINT_BYTES, MAX_ENDPOINTS_PER_USER, endpoint_problems

Row = tuple[str, dict[str, Any]]  # (endpoint id, EndpointRequest)


def _keys_of(document: dict[str, Any] | None) -> set[str]:
    keys = set()
    if user_id := endpoint_user_id(document):
        keys.add(user_key(user_id))
    if address := endpoint_address_key(document):
        keys.add(address)
    return keys


def load_for(uow: UnitOfWork, rows: Sequence[Row], now: str) -> None:
    """Read everything applying ``rows`` can touch."""
    uow.load(
        {endpoint_key(endpoint_id) for endpoint_id, _ in rows} | {k for _, r in rows for k in _keys_of(r)}
    )
    simulated: dict[str, dict[str, Any] | None] = {}
    needed: set[str] = set()
    for endpoint_id, request in rows:
        key = endpoint_key(endpoint_id)
        current = simulated[key] if key in simulated else uow.get(key).data
        simulated[key] = merge_endpoint(current, request, now)
        needed |= _keys_of(current) | _keys_of(simulated[key])
    uow.load(needed)
    pointers = (uow.get(key).data for key in needed if key.startswith("ADDR#"))
    uow.load(endpoint_key(pointer["EndpointId"]) for pointer in pointers if pointer)


class UpdatePlanner:
    """Applies requests to loaded records; ``prefix`` locates errors (``Item[3].`` in a batch)."""

    def __init__(self, uow: UnitOfWork, application_id: str, operation: str, now: str) -> None:
        self._uow = uow
        self._application_id = application_id
        self._operation = operation
        self._now = now

    def apply(self, endpoint_id: str, request: dict[str, Any], prefix: str = "") -> None:
        record = self._uow.get(endpoint_key(endpoint_id))
        group = record.sk
        previous = record.data
        document = merge_endpoint(previous, request, self._now)
        if previous is None:
            document.update(
                Id=endpoint_id, ApplicationId=self._application_id, CohortId=cohort_id(endpoint_id)
            )
        user_id = endpoint_user_id(document)
        user = self._uow.get(user_key(user_id)) if user_id else None
        user_data = (user.data if user else None) or {"UserAttributes": {}, "EndpointIds": []}
        update = request.get("User", {}).get("UserAttributes", {})
        shared = merge_user_attributes(document, previous, user_data["UserAttributes"], update)
        self._check(document, shared, prefix)
        if user is not None and shared is not None:
            self._join_user(group, user, user_data, shared, record.sk, prefix)
        previous_user_id = endpoint_user_id(previous)
        if previous_user_id and previous_user_id != user_id:
            self._leave_user(group, user_key(previous_user_id), record.sk)
        self._claim_address(group, document, record.sk)
        self._uow.put(group, record, document)

    def _fail(self, message: str) -> None:
        raise BadRequestException(message, self._operation)

    def _check(self, document: dict[str, Any], shared: dict[str, Any] | None, prefix: str) -> None:
        problems = endpoint_problems(document, shared or {})
        if problems:
            self._fail("; ".join(prefix + problem for problem in problems))
        size = len(json.dumps(to_response(document, shared), separators=(",", ":")).encode())
        if size > MAX_ENDPOINT_BYTES:
            self._fail(f"{prefix}EndpointRequest: endpoint larger than 15 KB ({size} bytes)")

    def _join_user(
        self,
        group: str,
        user: Record,
        user_data: dict[str, Any],
        shared: dict[str, Any],
        endpoint_sk: str,
        prefix: str,
    ) -> None:
        endpoint_ids = list(user_data["EndpointIds"])
        if endpoint_sk[3:] not in endpoint_ids:
            if len(endpoint_ids) >= MAX_ENDPOINTS_PER_USER:
                self._fail(f"{prefix}User.UserId: the user already has {MAX_ENDPOINTS_PER_USER} endpoints")
            endpoint_ids.append(endpoint_sk[3:])
        self._uow.put(group, user, {"UserAttributes": shared, "EndpointIds": endpoint_ids})

    def _leave_user(self, group: str, sort_key: str, endpoint_sk: str) -> None:
        leave_user(self._uow, group, sort_key, endpoint_sk)

    def _claim_address(self, group: str, document: dict[str, Any], endpoint_sk: str) -> None:
        """This endpoint becomes the address's latest; the previous holder becomes INACTIVE."""
        key = endpoint_address_key(document)
        if key is None:
            return
        pointer = self._uow.get(key)
        holder = (pointer.data or {}).get("EndpointId")
        if holder == endpoint_sk[3:]:
            return
        if holder:
            other = self._uow.get(endpoint_key(holder))
            stale = other.data is None or endpoint_address_key(other.data) != key
            if not stale and other.data.get("EndpointStatus") != "INACTIVE":
                self._uow.put(group, other, {**other.data, "EndpointStatus": "INACTIVE"})
        self._uow.put(group, pointer, {"EndpointId": endpoint_sk[3:]})


def leave_user(uow: UnitOfWork, group: str, sort_key: str, endpoint_sk: str) -> None:
    """Drop an endpoint from its user; the user item goes with its last endpoint."""
    user = uow.get(sort_key)
    if user.data is None:
        return
    remaining = [endpoint for endpoint in user.data["EndpointIds"] if endpoint != endpoint_sk[3:]]
    if remaining:
        uow.put(group, user, {**user.data, "EndpointIds": remaining})
    else:
        uow.delete(group, user)
