"""Mask email addresses and phone numbers before they reach logs, metrics or demo output.

Logs are read by more people than the registry is; an address in a log line is personal data
kept for as long as the log group. Keep just enough to recognise a record in support.
"""

from __future__ import annotations


def mask_address(address: str) -> str:
    """``alice@example.com`` -> ``a***@example.com``; ``+12065550199`` -> ``+1206***0199``."""
    if not isinstance(address, str) or not address:
        return ""
    address = address.strip()
    local, at, domain = address.rpartition("@")
    if at:
        return f"{local[:1]}***@{domain}"
    if len(address) <= 6:
        return "***"
    return f"{address[:5]}***{address[-4:]}"
