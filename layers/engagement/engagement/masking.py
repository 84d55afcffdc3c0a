"""Mask email addresses and phone numbers before they reach logs, metrics or demo output.

Logs are read by more people than the registry is; an address in a log line is personal data
kept for as long as the log group. Keep just enough to recognise a record in support: the
first letter and the domain of an email address, the last 2-4 digits of a phone number.
"""

from __future__ import annotations

import re

# Digits of a phone number left visible: 4 of a full number, 2 of a short one (short codes,
# local numbers), none of anything shorter than 6 digits.
_VISIBLE_DIGITS = ((10, 4), (6, 2))


def mask_address(address: str) -> str:
    """``alice@example.com`` -> ``a***@example.com``; ``+12065550199`` -> ``+***0199``."""
    if not isinstance(address, str) or not address:
        return ""
    address = address.strip()
    local, at, domain = address.rpartition("@")
    if at:
        return f"{local[:1]}***@{domain}"
    digits = [c for c in address if c.isdigit()]
    plus = "+" if address.startswith("+") else ""
    for at_least, keep in _VISIBLE_DIGITS:
        if len(digits) >= at_least:
            return f"{plus}***{''.join(digits[-keep:])}"
    return "***"


# An email address (a dotted local part included) or a phone number (digits with spaces, tabs,
# newlines, dots, dashes or parentheses between them) anywhere in a text.
_ADDRESSES = re.compile(r"[^\s@\"'<>(),;:\[\]{}]+@[^\s@\"'<>(),;:\[\]{}]+|\+?\d[\d\s().-]{6,}\d")


def mask_text(text: str) -> str:
    """``text`` with every email address and phone number in it masked (:func:`mask_address`):
    for log lines, validation messages and dead letters that quote what they were given."""
    return _ADDRESSES.sub(lambda match: mask_address(match.group(0)), text)
