"""What every store-backed command does with a call: print Pinpoint's JSON answer, or one error line.

    return answer(lambda: store.get_segment(ApplicationId=app, SegmentId=segment_id))
    return answer(lambda: all_pages(lambda token: store.get_segments(ApplicationId=app, Token=token)))

A Pinpoint error prints ``error: <Code>: <message>`` and a :class:`UsageError` ``error: <message>``,
both on stderr with exit code 2. List commands print every page: :func:`all_pages` follows
``NextToken`` and answers one response with all the items.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any


class UsageError(Exception):
    """A problem the user can fix (a file, an option): printed as ``error: ...`` with exit code 2."""


def answer(call: Callable[[], Any]) -> int:
    """Run ``call``; print its response (if any) as JSON on stdout, or its error on stderr (exit 2)."""
    from botocore.exceptions import ClientError

    try:
        response = call()
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except ClientError as error:
        details = error.response.get("Error", {})
        print(f"error: {details.get('Code')}: {details.get('Message')}", file=sys.stderr)
        return 2
    if response is not None:
        print(json.dumps(response, indent=2, ensure_ascii=False, default=str))
    return 0


def all_pages(fetch: Callable[[str | None], dict[str, Any]]) -> dict[str, Any]:
    """``fetch(token)`` page after page until there is no ``NextToken``; one response, every item.

    ``fetch`` answers Pinpoint's list shape (``{"SegmentsResponse": {"Item": [...], "NextToken": ...}}``).
    """
    items: list[Any] = []
    token: str | None = None
    while True:
        response = fetch(token)
        (name, page), *_ = response.items()
        items += page.get("Item", [])
        token = page.get("NextToken")
        if not token:
            return {name: {**{k: v for k, v in page.items() if k != "NextToken"}, "Item": items}}
