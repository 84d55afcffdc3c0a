"""The standalone endpoint registry: Pinpoint's endpoint API on one DynamoDB table.

Operation names, keyword arguments and responses are those of boto3's ``pinpoint`` client, so
code written against Pinpoint runs unchanged. The table layout is in ``_items``; the rules in
``rules`` and ``merge``. Retries of throttled calls are botocore's (standard mode), set up by
``factory.build_registry``; this module only re-plans after a lost optimistic-concurrency race.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from typing import Any

from engagement.endpoints._items import (
    BY_ADDRESS_INDEX,
    ENDPOINT_PREFIX,
    Record,
    address_index_key,
    decode,
    endpoint_key,
    endpoint_user_id,
    partition_key,
    user_key,
)
from engagement.endpoints._unit_of_work import ConcurrentChange, OversizedGroup, UnitOfWork
from engagement.endpoints._update_plan import Row, UpdatePlanner, leave_user, load_for
from engagement.endpoints.errors import BadRequestException, ConflictException, NotFoundException
from engagement.endpoints.merge import now_iso, to_response
from engagement.endpoints.rules import CHANNEL_TYPES, batch_problems, endpoint_id_problems, request_problems

MAX_ATTEMPTS = 5


def _accepted() -> dict[str, Any]:
    return {"MessageBody": {"Message": "Accepted", "RequestID": str(uuid.uuid4())}}


class DynamoDBEndpointRegistry:
    """``EndpointRegistry`` on a DynamoDB table (schema: ``_items`` and docs/endpoints.md)."""

    finds_by_address = True  # the ByAddress index

    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    # ---------------------------------------------------------------- reads
    def get_endpoint(self, *, ApplicationId: str, EndpointId: str) -> dict[str, Any]:  # noqa: N803
        uow = self._open(ApplicationId, "GetEndpoint", EndpointId)
        record = self._existing_endpoint(uow, EndpointId, "GetEndpoint")
        return {"EndpointResponse": self._responses(uow, [record])[0]}

    def get_endpoints(
        self,
        *,
        ApplicationId: str,  # noqa: N803
        EndpointIds: list[str],  # noqa: N803
        UserIds: Iterable[str] = (),  # noqa: N803
    ) -> dict[str, Any]:
        """Many endpoints in one read (not a Pinpoint operation; the custom channel's batch).

        The endpoints and the users the caller expects them to belong to (``UserIds``, e.g.
        from a Pinpoint payload) share one BatchGetItem of up to 100 keys; a user not guessed
        costs one more. Missing endpoints are left out of ``Item``."""
        problems = [
            p for endpoint_id in EndpointIds for p in endpoint_id_problems(endpoint_id, "EndpointIds")
        ]
        if problems:
            raise BadRequestException("; ".join(problems[:3]), "GetEndpoints")
        uow = UnitOfWork(self._client, self._table, ApplicationId)
        uow.load([endpoint_key(e) for e in EndpointIds] + [user_key(u) for u in UserIds if u])
        found = [(e, uow.get(endpoint_key(e))) for e in EndpointIds]
        found = [(e, record) for e, record in found if record.data is not None]
        responses = self._responses(uow, [record for _, record in found])
        items = [
            {**response, "Id": response.get("Id") or e}
            for (e, _), response in zip(found, responses, strict=True)
        ]
        return {"EndpointsResponse": {"Item": items}}

    def get_user_endpoints(self, *, ApplicationId: str, UserId: str) -> dict[str, Any]:  # noqa: N803
        uow = UnitOfWork(self._client, self._table, ApplicationId)
        records = self._user_endpoints(uow, UserId, "GetUserEndpoints")
        return {"EndpointsResponse": {"Item": self._responses(uow, records)}}

    def find_endpoints_by_address(
        self, application_id: str, channel_type: str, address: str, *, user_attributes: bool = True
    ) -> list[dict[str, Any]]:
        """Every endpoint (ACTIVE or not) with this channel and address: what suppression needs.

        Reads the ByAddress index, which is eventually consistent: an endpoint written
        milliseconds ago may be missing. ``user_attributes=False`` leaves out the users' shared
        attributes (one BatchGetItem fewer), for callers that only need ids, status and OptOut.
        """
        if channel_type not in CHANNEL_TYPES:
            raise BadRequestException(
                f"ChannelType: must be one of {', '.join(sorted(CHANNEL_TYPES))}", "Find"
            )
        paginator = self._client.get_paginator("query")
        pages = paginator.paginate(
            TableName=self._table,
            IndexName=BY_ADDRESS_INDEX,
            KeyConditionExpression="gsi2pk = :address",
            ExpressionAttributeValues={
                ":address": {"S": address_index_key(application_id, channel_type, address)}
            },
        )
        records = [decode(item) for page in pages for item in page.get("Items", [])]
        if not user_attributes:
            return [to_response(record.data or {}) for record in records]
        return self._responses(UnitOfWork(self._client, self._table, application_id), records)

    def iter_endpoints(self, application_id: str, page_size: int = 500) -> Iterator[dict[str, Any]]:
        """All endpoints of an application (for export), one ``EndpointResponse`` at a time."""
        paginator = self._client.get_paginator("query")
        pages = paginator.paginate(
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={
                ":pk": {"S": partition_key(application_id)},
                ":prefix": {"S": ENDPOINT_PREFIX},
            },
            PaginationConfig={"PageSize": page_size},
        )
        for page in pages:
            uow = UnitOfWork(self._client, self._table, application_id)
            yield from self._responses(uow, [decode(item) for item in page.get("Items", [])])

    # ---------------------------------------------------------------- writes
    def update_endpoint(
        self,
        *,
        ApplicationId: str,  # noqa: N803
        EndpointId: str,  # noqa: N803
        EndpointRequest: dict[str, Any],  # noqa: N803
    ) -> dict[str, Any]:
        problems = endpoint_id_problems(EndpointId, "EndpointId") + request_problems(EndpointRequest)
        if problems:
            raise BadRequestException("; ".join(problems), "UpdateEndpoint")
        self._apply(ApplicationId, [(EndpointId, EndpointRequest)], "UpdateEndpoint", batch=False)
        return _accepted()

    def update_endpoints_batch(
        self,
        *,
        ApplicationId: str,  # noqa: N803
        EndpointBatchRequest: dict[str, Any],  # noqa: N803
    ) -> dict[str, Any]:
        items = EndpointBatchRequest.get("Item") if isinstance(EndpointBatchRequest, dict) else None
        problems = batch_problems(items)
        if problems:
            raise BadRequestException("; ".join(problems), "UpdateEndpointsBatch")
        rows = [(item["Id"], {k: v for k, v in item.items() if k != "Id"}) for item in items]
        self._apply(ApplicationId, rows, "UpdateEndpointsBatch", batch=True)
        return _accepted()

    def delete_endpoint(self, *, ApplicationId: str, EndpointId: str) -> dict[str, Any]:  # noqa: N803
        for _ in range(MAX_ATTEMPTS):
            uow = self._open(ApplicationId, "DeleteEndpoint", EndpointId)
            record = self._existing_endpoint(uow, EndpointId, "DeleteEndpoint")
            response = self._responses(uow, [record])[0]
            user_id = endpoint_user_id(record.data)
            if user_id:
                uow.load([user_key(user_id)])
                leave_user(uow, record.sk, user_key(user_id), record.sk)
            uow.delete(record.sk, record)
            try:
                uow.commit()
            except ConcurrentChange:
                continue
            return {"EndpointResponse": response}
        raise ConflictException("the endpoint kept changing while it was deleted", "DeleteEndpoint")

    def delete_user_endpoints(self, *, ApplicationId: str, UserId: str) -> dict[str, Any]:  # noqa: N803
        for _ in range(MAX_ATTEMPTS):
            uow = UnitOfWork(self._client, self._table, ApplicationId)
            records = self._user_endpoints(uow, UserId, "DeleteUserEndpoints")
            responses = self._responses(uow, records)
            user = uow.get(user_key(UserId))
            for record in records:
                uow.delete(user.sk, record)
            uow.delete(user.sk, user)
            try:
                uow.commit()
            except ConcurrentChange:
                continue
            return {"EndpointsResponse": {"Item": responses}}
        raise ConflictException(
            "the user's endpoints kept changing while they were deleted", "DeleteUserEndpoints"
        )

    # ---------------------------------------------------------------- helpers
    def _apply(self, application_id: str, rows: list[Row], operation: str, *, batch: bool) -> None:
        for _ in range(MAX_ATTEMPTS):
            uow = UnitOfWork(self._client, self._table, application_id)
            now = now_iso()
            load_for(uow, rows, now)
            planner = UpdatePlanner(uow, application_id, operation, now)
            for index, (endpoint_id, request) in enumerate(rows):
                planner.apply(endpoint_id, request, f"Item[{index}]." if batch else "")
            try:
                uow.commit()
            except ConcurrentChange:
                continue
            except OversizedGroup:
                # Rows chained by shared users/addresses: each row alone is small and atomic.
                for row in rows:
                    self._apply(application_id, [row], operation, batch=False)
            return
        raise ConflictException("the endpoints kept changing while they were updated", operation)

    def _open(self, application_id: str, operation: str, endpoint_id: str) -> UnitOfWork:
        problems = endpoint_id_problems(endpoint_id, "EndpointId")
        if problems:
            raise BadRequestException("; ".join(problems), operation)
        uow = UnitOfWork(self._client, self._table, application_id)
        uow.load([endpoint_key(endpoint_id)])
        return uow

    @staticmethod
    def _existing_endpoint(uow: UnitOfWork, endpoint_id: str, operation: str) -> Record:
        record = uow.get(endpoint_key(endpoint_id))
        if record.data is None:
            raise NotFoundException("Resource not found: endpoint", operation)
        return record

    @staticmethod
    def _user_endpoints(uow: UnitOfWork, user_id: str, operation: str) -> list[Record]:
        uow.load([user_key(user_id)])
        user = uow.get(user_key(user_id)).data
        if user is None:
            raise NotFoundException("Resource not found: user", operation)
        keys = [ENDPOINT_PREFIX + endpoint_id for endpoint_id in user["EndpointIds"]]
        uow.load(keys)
        return [uow.get(key) for key in keys if uow.get(key).data is not None]

    @staticmethod
    def _responses(uow: UnitOfWork, records: list[Record]) -> list[dict[str, Any]]:
        """Endpoint responses with their users' current shared attributes joined in."""
        user_keys = {user_key(user_id) for record in records if (user_id := endpoint_user_id(record.data))}
        uow.load(user_keys)
        responses = []
        for record in records:
            user_id = endpoint_user_id(record.data)
            shared = (uow.get(user_key(user_id)).data or {}).get("UserAttributes") if user_id else None
            responses.append(to_response(record.data or {}, shared))
        return responses
