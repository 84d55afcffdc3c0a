"""Pinpoint's list paging (``PageSize`` and ``Token`` in, ``Item`` and ``NextToken`` out) on DynamoDB
queries, with botocore's query paginator: ``StartingToken`` resumes, ``MaxItems`` ends the page, and
the ``NextToken`` it builds (base64 JSON of DynamoDB's ``LastEvaluatedKey``) is the token a caller
passes back.

    items, token = query_page(client.query, prefix_query(table, pk, "CAMPAIGN#"),
                              page_size=PageSize, token=Token, operation="GetCampaigns")
    for item in query_items(table.query, KeyConditionExpression=Key("pk").eq(pk)):  # every item
        ...

``query`` is a client's ``query`` (items in DynamoDB's JSON) or a ``dynamodb.Table``'s (Python
values): the paginator only needs the method, so a wrapper around either (a lock, a fake) still pages.
A token is checked before DynamoDB sees it: it must decode and name a key of this listing (same
partition, sort key under the listing's prefix), so a forged token cannot read another application's
items. A bad ``PageSize`` or ``Token`` is a ``BadRequestException`` naming it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from typing import Any

DEFAULT_PAGE_SIZE = 100
# botocore's ``Query`` paginator (data/dynamodb/.../paginators-1.json), for methods that are not a
# client's (a ``dynamodb.Table`` resource has no ``get_paginator``).
QUERY_PAGINATION = {
    "input_token": "ExclusiveStartKey",
    "output_token": "LastEvaluatedKey",
    "limit_key": "Limit",
    "result_key": ["Items", "Count", "ScannedCount"],
    "non_aggregate_keys": ["ConsumedCapacity"],
}
_TOKEN_KEYS = frozenset({"ExclusiveStartKey", "boto_truncate_amount"})

Query = Callable[..., Mapping[str, Any]]


def parse_page_size(value: Any, operation: str) -> int:
    """``PageSize`` as a number of items (default 100); anything but a positive whole number is a 400."""
    from engagement.models.errors import BadRequestException

    if value is None or value == "":
        return DEFAULT_PAGE_SIZE
    try:
        size = int(str(value).strip())
    except ValueError:
        raise BadRequestException(
            f"PageSize: must be a whole number, got {str(value)[:40]!r}", operation
        ) from None
    if size < 1:
        raise BadRequestException(f"PageSize: must be at least 1, got {size}", operation)
    return size


def prefix_query(table: str, pk: str, prefix: str, **extra: Any) -> dict[str, Any]:
    """A strongly consistent query of the items of partition ``pk`` whose sort key starts with ``prefix``
    (every item of the partition when ``prefix`` is empty)."""
    values = {":pk": {"S": pk}, **({":prefix": {"S": prefix}} if prefix else {})}
    return {
        "TableName": table,
        "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)" if prefix else "pk = :pk",
        "ExpressionAttributeValues": values,
        "ConsistentRead": True,
        **extra,
    }


def query_items(query: Query, **kwargs: Any) -> Iterator[dict[str, Any]]:
    """Every item ``query(**kwargs)`` finds, page after page."""
    for page in _paginator(query).paginate(**kwargs):
        yield from page.get("Items", [])


def query_page(
    query: Query, kwargs: Mapping[str, Any], *, page_size: Any, token: str | None, operation: str
) -> tuple[list[dict[str, Any]], str | None]:
    """One Pinpoint page of a :func:`prefix_query`: at most ``PageSize`` items after ``Token``, and the
    token of the next page (``None`` when DynamoDB has no more)."""
    size = parse_page_size(page_size, operation)
    config: dict[str, Any] = {"MaxItems": size, "PageSize": size}
    if token:
        config["StartingToken"] = _checked_token(token, kwargs, operation)
    result = _paginator(query).paginate(**kwargs, PaginationConfig=config).build_full_result()
    return result.get("Items", []), result.get("NextToken")


def offset_page(items: list[Any], page_size: Any, token: str | None, operation: str) -> dict[str, Any]:
    """A Pinpoint page of a list held in memory: ``Token`` is the offset of the page's first item."""
    from engagement.models.errors import BadRequestException

    size = parse_page_size(page_size, operation)
    text = (token or "0").strip()
    if not text.isdigit():
        raise BadRequestException("Token: not a token of this listing", operation)
    start = int(text)
    page: dict[str, Any] = {"Item": items[start : start + size]}
    if start + size < len(items):
        page["NextToken"] = str(start + size)
    return page


def _paginator(query: Query) -> Any:
    from botocore.paginate import Paginator

    return Paginator(query, QUERY_PAGINATION, _query_model())


@functools.cache
def _query_model() -> Any:
    """DynamoDB's ``Query`` operation model (the paginator reads the type of ``Limit`` from it)."""
    from engagement.aws import botocore_session

    return botocore_session().get_service_model("dynamodb").operation_model("Query")


def _checked_token(token: str, kwargs: Mapping[str, Any], operation: str) -> str:
    """``token`` when it resumes this listing; a ``BadRequestException`` naming ``Token`` otherwise."""
    from botocore.paginate import TokenDecoder

    from engagement.models.errors import BadRequestException

    values = kwargs["ExpressionAttributeValues"]
    try:
        decoded = TokenDecoder().decode(token)
        key = decoded["ExclusiveStartKey"]
        ours = (
            set(decoded) <= _TOKEN_KEYS
            and set(key) == {"pk", "sk"}
            and key["pk"] == values[":pk"]
            and key["sk"]["S"].startswith(values.get(":prefix", {"S": ""})["S"])
            and isinstance(decoded.get("boto_truncate_amount", 0), int)
        )
    except (ValueError, TypeError, KeyError, AttributeError):  # not base64, not JSON, not a key
        ours = False
    if not ours:
        raise BadRequestException("Token: not a token of this listing", operation)
    return token
