"""Segment membership as a parallel read of the endpoint registry, one worker per part.

    for endpoint in iter_members(segments=store, registry=registry, application_id=app,
                                 segment_id=seg, now=datetime.now(UTC)):
        ...

``scan_part`` is one worker: it reads one of ``total_parts`` disjoint parts of an application's
endpoints, decodes each item, evaluates the compiled segment and yields the members as
``EndpointResponse`` dicts (with their users' shared attributes joined in, as ``get_endpoint``
returns them). ``iter_members`` runs the parts on threads in this process; in AWS the snapshot
state machine runs the very same function, one Lambda per part (``engagement.segments.snapshot``).

Why parts are sort-key ranges and not DynamoDB's ``Segment``/``TotalSegments``: a parallel Scan
divides a table by partition-key hash, and the registry keeps all of an application's endpoints
under one partition key (``APP#<app>``), so every scan segment but one would come back empty
(moto shows it; docs/decisions/0010-segment-scan-parts.md). Part ``i`` is instead the ``Query``
of the sort keys between two boundaries spread evenly over the hex id space (the ids Pinpoint's
SDKs and our importer generate); any id falls in exactly one part. The user join costs a
BatchGetItem per page: before evaluation only when the segment has ``UserAttributes``
dimensions, otherwise for the members alone.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from engagement.segments._json import loads as decode_document
from engagement.segments.evaluator import CompiledSegment, compile_segment, posix

DEFAULT_TOTAL_PARTS = 4
PAGE_SIZE = 1000
HEX_SPACE = 16**4  # part boundaries: the first four hex digits of the endpoint id
END_OF_ENDPOINTS = "EP$"  # sorts right after every "EP#..." key
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


def part_bounds(part: int, total_parts: int) -> tuple[str, str]:
    """Sort-key range ``[low, high)`` of part ``part``: the endpoint keys ``EP#<id>`` split on the
    first four hex digits of the id; the first part also takes ids sorting below ``0``, the last
    ids sorting above ``ffff`` (``g``-``z``...)."""
    from engagement.endpoints._items import ENDPOINT_PREFIX

    if not 0 <= part < total_parts:
        raise ValueError(f"Part: {part} is not in 0..{total_parts - 1}")

    def boundary(index: int) -> str:
        return f"{ENDPOINT_PREFIX}{index * HEX_SPACE // total_parts:04x}"

    low = ENDPOINT_PREFIX if part == 0 else boundary(part)
    high = END_OF_ENDPOINTS if part == total_parts - 1 else boundary(part + 1)
    return low, high


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
    """One worker: pages of member ``EndpointResponse`` dicts of part ``part`` of ``total_parts``."""
    from engagement.endpoints._items import partition_key

    low, high = part_bounds(part, total_parts)
    pages = client.get_paginator("query").paginate(
        TableName=table,
        KeyConditionExpression="pk = :pk AND sk BETWEEN :low AND :high",
        ProjectionExpression="sk, doc",
        ExpressionAttributeValues={
            ":pk": {"S": partition_key(application_id)},
            ":low": {"S": low},
            ":high": {"S": high},
        },
        PaginationConfig={"PageSize": page_size},
    )
    test, loads = segment.test, decode_document
    for page in pages:
        # BETWEEN includes ``high``: that key belongs to the next part.
        docs = [loads(item["doc"]["S"]) for item in page.get("Items", ()) if item["sk"]["S"] != high]
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
    total_parts: int = DEFAULT_TOTAL_PARTS,
    parts: list[int] | None = None,
    join_users: bool = True,
) -> Iterator[dict[str, Any]]:
    """Members of a compiled segment: parts ``parts`` (default all) of a ``total_parts`` scan."""
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
            part=part, total_parts=total_parts, join_users=join_users,
        )
        for part in (range(total_parts) if parts is None else parts)
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
    total_parts: int = DEFAULT_TOTAL_PARTS,
    parts: list[int] | None = None,
    join_users: bool = True,
) -> Iterator[dict[str, Any]]:
    """Every member ``EndpointResponse`` of a stored segment (latest or ``version``), in any order.

    ``total_parts`` threads each scan one part of the registry; ``parts`` limits the scan to
    some of them; ``join_users=False`` skips the shared user attributes of members (for counting).
    """
    _, compiled = compile_stored(segments, application_id, segment_id, version)
    yield from iter_compiled(
        compiled,
        registry=registry,
        application_id=application_id,
        now=now,
        total_parts=total_parts,
        parts=parts,
        join_users=join_users,
    )


def count_members(*, sample_parts: int | None = None, **target: Any) -> tuple[int, bool]:
    """(size, estimated) of ``iter_members(**target)``: an exact count, or with ``sample_parts`` an
    estimate from that many of the ``total_parts`` scan parts, scaled up. Writes nothing."""
    total = target.get("total_parts", DEFAULT_TOTAL_PARTS)
    parts = list(range(sample_parts)) if sample_parts is not None and 0 < sample_parts < total else None
    count = sum(1 for _ in iter_members(**target, parts=parts, join_users=False))
    if parts is None:
        return count, False
    return round(count * total / len(parts)), True
