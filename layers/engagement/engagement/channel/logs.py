"""What the custom channel may write to its logs: no raw address, even inside an endpoint id or
a validation message (endpoint ids are often email addresses or phone numbers)."""

from __future__ import annotations

from engagement.masking import mask_text as masked  # every email address or phone number masked


def log_id(endpoint_id: str) -> str:
    """An endpoint id as logged: masked where it is, or contains, an address."""
    return masked(endpoint_id)
