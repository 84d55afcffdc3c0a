"""Pinpoint's per-request limits, checked before anything is sent or written.

A request over a limit is refused whole (nothing half-sent): too many recipients is a 400
``BadRequestException``, oversized custom data a 413 ``PayloadTooLargeException``; both name
the field.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from engagement.models.errors import BadRequestException, PayloadTooLargeException

MAX_RECIPIENTS = 100  # Addresses + Endpoints per SendMessages; Users per SendUsersMessages
MAX_CUSTOM_DATA_BYTES = 5 * 1024  # Context, Substitutions, RawContent, Data: 5 KB each
MAX_EVENTS = 100  # events per PutEvents request
# Members carrying caller-defined data, wherever they appear in a request.
CUSTOM_DATA_FIELDS = frozenset({"Context", "Substitutions", "RawContent", "Data"})


def check_recipients(operation: str, counts: Mapping[str, int]) -> None:
    """At most ``MAX_RECIPIENTS`` recipients in total across the named maps."""
    total = sum(counts.values())
    if total > MAX_RECIPIENTS:
        named = " + ".join(f"{name} ({count})" for name, count in counts.items() if count)
        raise BadRequestException(
            f"Too many recipients: {named} = {total}; a request may name at most {MAX_RECIPIENTS}",
            operation,
        )


def check_custom_data(operation: str, root: str, value: Any) -> None:
    """Every ``Context``/``Substitutions``/``RawContent``/``Data`` member ≤ 5 KB as JSON."""
    for path, data in _custom_data(root, value):
        size = (
            len(json.dumps(data, separators=(",", ":")).encode())
            if not isinstance(data, str)
            else len(data.encode())
        )
        if size > MAX_CUSTOM_DATA_BYTES:
            raise PayloadTooLargeException(
                f"{path} is {size} bytes; custom data is limited to {MAX_CUSTOM_DATA_BYTES} bytes",
                operation,
            )


def _custom_data(path: str, value: Any) -> Iterable[tuple[str, Any]]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            child = f"{path}.{key}"
            # "Data" is custom data as the push messages' key-value map; SimpleEmail's parts'
            # ``Data`` (the subject and bodies) and RawEmail's (a MIME blob) are content.
            if key in CUSTOM_DATA_FIELDS and (key != "Data" or isinstance(item, Mapping)):
                yield child, item
            elif isinstance(item, Mapping):
                yield from _custom_data(child, item)
