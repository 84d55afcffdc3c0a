"""Segment membership as a parallel scan of the endpoint registry (DynamoDB ``Segment``/``TotalSegments``).

    for endpoint in iter_members(segments=store, registry=registry, application_id=app,
                                 segment_id=seg, now=datetime.now(UTC)):
        ...

``scan_part`` is one worker: it scans one of ``TotalSegments`` disjoint parts of the registry
table, decodes each endpoint item, evaluates the compiled segment and yields the members as
``EndpointResponse`` dicts (with their users' shared attributes joined in, as ``get_endpoint``
returns them). ``iter_members`` runs ``TotalSegments`` of them on threads in this process; in AWS
the snapshot state machine runs the very same function, one Lambda per part
(``engagement.segments.snapshot``). The user join costs a BatchGetItem per page: it happens
before evaluation only when the segment has ``UserAttributes`` dimensions, otherwise only for
the members.
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from engagement.segments.evaluator import CompiledSegment, compile_segment, posix

DEFAULT_TOTAL_SEGMENTS = 4
PAGE_SIZE = 1000
_DONE = object()


def registry_table(registry: Any) -> tuple[Any, str] | None:
    """(DynamoDB client, table) of a standalone registry; None for the Pinpoint backend."""
    from engagement.endpoints.dynamodb import DynamoDBEndpointRegistry

    if isinstance(registry, DynamoDBEndpointRegistry):
        return registry._client, registry._table
    return None


def compile_stored(
    segments: Any, application_id: str, segment_id: str, version: int | None = None
) -> tuple[dict[str, Any], CompiledSegment]:
    """A stored segment (latest or ``version``) with its base segments, compiled."""
    segment, sources = segments.resolve(application_id, segment_id, version)
    return segment, compile_segment(segment, source_segments=sources)


def _join_users(
    client: Any, table: str, application_id: str, docs: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    from engagement.endpoints._items import endpoint_user_id, user_key
    from engagement.endpoints._unit_of_work import UnitOfWork
    from engagement.endpoints.merge import to_response

    user_ids = {user_id for doc in docs if (user_id := endpoint_user_id(doc))}
    if not user_ids:
        return docs
    uow = UnitOfWork(client, table, application_id)
    uow.load(user_key(user_id) for user_id in user_ids)
    joined = []
    for doc in docs:
        user_id = endpoint_user_id(doc)
        shared = (uow.get(user_key(user_id)).data or {}).get("UserAttributes") if user_id else None
        joined.append(to_response(doc, shared))
    return joined


def scan_part(
    client: Any,
    table: str,
    application_id: str,
    segment: CompiledSegment,
    now: float,
    *,
    part: int,
    total_parts: int,
    page_size: int = PAGE_SIZE,
    join_users: bool = True,
) -> Iterator[list[dict[str, Any]]]:
    """One scan worker: pages of member ``EndpointResponse`` dicts of part ``part`` of ``total_parts``."""
    from engagement.endpoints._items import ENDPOINT_PREFIX, partition_key

    pages = client.get_paginator("scan").paginate(
        TableName=table,
        Segment=part,
        TotalSegments=total_parts,
        FilterExpression="pk = :pk AND begins_with(sk, :prefix)",
        ProjectionExpression="doc",
        ExpressionAttributeValues={
            ":pk": {"S": partition_key(application_id)},
            ":prefix": {"S": ENDPOINT_PREFIX},
        },
        PaginationConfig={"PageSize": page_size},
    )
    test, loads = segment.test, json.loads
    for page in pages:
        docs = [loads(item["doc"]["S"]) for item in page.get("Items", ())]
        if segment.uses_user_attributes:
            members = [doc for doc in _join_users(client, table, application_id, docs) if test(doc, now)]
        else:
            members = [doc for doc in docs if test(doc, now)]
            if join_users:
                members = _join_users(client, table, application_id, members)
        if members:
            yield members


def _parallel(workers: list[Any]) -> Iterator[list[dict[str, Any]]]:
    """Run page generators on threads; yield their pages as they come (bounded queue: back-pressure)."""
    pages: queue.Queue[Any] = queue.Queue(maxsize=4 * len(workers))
    stop = threading.Event()

    def drain(worker: Any) -> None:
        try:
            for page in worker:
                if stop.is_set():
                    return
                pages.put(page)
        except BaseException as error:  # handed to the consumer, raised there
            pages.put(error)
        finally:
            pages.put(_DONE)

    with ThreadPoolExecutor(max_workers=len(workers), thread_name_prefix="segment-scan") as pool:
        for worker in workers:
            pool.submit(drain, worker)
        running = len(workers)
        try:
            while running:
                page = pages.get()
                if page is _DONE:
                    running -= 1
                elif isinstance(page, BaseException):
                    raise page
                else:
                    yield page
        finally:
            stop.set()
            while running:  # unblock workers waiting on a full queue
                if pages.get() is _DONE:
                    running -= 1


def iter_compiled(
    compiled: CompiledSegment,
    *,
    registry: Any,
    application_id: str,
    now: datetime,
    total_segments: int = DEFAULT_TOTAL_SEGMENTS,
    parts: list[int] | None = None,
    join_users: bool = True,
) -> Iterator[dict[str, Any]]:
    """Members of a compiled segment: parts ``parts`` (default all) of a ``total_segments`` scan."""
    instant = posix(now)
    target = registry_table(registry)
    if target is None:  # the Pinpoint backend: no table to scan, filter its export instead
        for endpoint in registry.iter_endpoints(application_id):
            if compiled.test(endpoint, instant):
                yield endpoint
        return
    client, table = target
    workers = [
        scan_part(
            client, table, application_id, compiled, instant,
            part=part, total_parts=total_segments, join_users=join_users,
        )
        for part in (range(total_segments) if parts is None else parts)
    ]  # fmt: skip
    for page in _parallel(workers):
        yield from page


def iter_members(
    *,
    segments: Any,
    registry: Any,
    application_id: str,
    segment_id: str,
    version: int | None = None,
    now: datetime,
    total_segments: int = DEFAULT_TOTAL_SEGMENTS,
    parts: list[int] | None = None,
    join_users: bool = True,
) -> Iterator[dict[str, Any]]:
    """Every member ``EndpointResponse`` of a stored segment (latest or ``version``), in any order.

    ``total_segments`` threads each scan one part of the registry; ``parts`` limits the scan to
    some of them; ``join_users=False`` skips the shared user attributes of members (for counting).
    """
    _, compiled = compile_stored(segments, application_id, segment_id, version)
    yield from iter_compiled(
        compiled,
        registry=registry,
        application_id=application_id,
        now=now,
        total_segments=total_segments,
        parts=parts,
        join_users=join_users,
    )


def count_members(*, sample_parts: int | None = None, **target: Any) -> tuple[int, bool]:
    """(size, estimated) of ``iter_members(**target)``: an exact count, or with ``sample_parts`` an
    estimate from that many of the ``total_segments`` scan parts, scaled up. Writes nothing."""
    total = target.get("total_segments", DEFAULT_TOTAL_SEGMENTS)
    parts = list(range(sample_parts)) if sample_parts is not None and 0 < sample_parts < total else None
    count = sum(1 for _ in iter_members(**target, parts=parts, join_users=False))
    if parts is None:
        return count, False
    return round(count * total / len(parts)), True
