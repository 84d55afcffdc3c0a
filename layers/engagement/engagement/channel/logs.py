"""What the custom channel may write to its logs: no raw address, even inside an endpoint id or
a validation message (endpoint ids are often email addresses or phone numbers)."""

from __future__ import annotations

import re

from engagement.masking import mask_address

_ADDRESS_LIKE = re.compile(r"[^\s@'\".,;:()\[\]{}<>]+@[^\s@'\",;:()\[\]{}<>]+|\+?\d[\d ().-]{6,}\d")


def masked(text: str) -> str:
    """``text`` with every email address or phone number in it masked (``engagement.masking``)."""
    return _ADDRESS_LIKE.sub(lambda match: mask_address(match.group(0)), text)


def log_id(endpoint_id: str) -> str:
    """An endpoint id as logged: masked where it is, or contains, an address."""
    return masked(endpoint_id)
