"""JavaScript value semantics for template rendering.

Pinpoint rendered templates with handlebars.js, so values must print, compare and
test for truth the way JavaScript does: ``["ana"]`` prints ``ana``, ``1.0`` prints
``1``, ``None`` prints nothing. Contexts are JSON-shaped (dict, list, str, int,
float, bool, None).
"""

from __future__ import annotations

import math
from typing import Any

__all__ = [
    "SafeString",
    "escape_expression",
    "is_empty",
    "is_truthy",
    "js_number_to_string",
    "to_js_string",
    "to_number",
]


class SafeString(str):
    """A string that is already HTML-safe: ``{{ }}`` does not escape it again."""

    __slots__ = ()


_ESCAPES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "'": "&#x27;",
    "`": "&#x60;",
    "=": "&#x3D;",
}
_ESCAPE_TABLE = str.maketrans(_ESCAPES)


def js_number_to_string(value: float) -> str:
    """Format a number exactly like JavaScript's ``Number.prototype.toString()``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"
    if value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    # Shortest round-trip digits, then JS's layout rules (ECMA-262 Number::toString).
    sign = "-" if value < 0 else ""
    digits, exponent = _shortest_digits(abs(value))
    k = len(digits)
    n = exponent  # position of the decimal point relative to the digits
    if k <= n <= 21:
        body = digits + "0" * (n - k)
    elif 0 < n <= 21:
        body = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        body = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        exp = f"e{'+' if e >= 0 else '-'}{abs(e)}"
        body = digits + exp if k == 1 else digits[0] + "." + digits[1:] + exp
    return sign + body


def _shortest_digits(value: float) -> tuple[str, int]:
    """Return (digits, n) with value == 0.digits * 10**n using Python's shortest repr."""
    mantissa, _, exp_part = repr(value).partition("e")
    int_part, _, frac_part = mantissa.partition(".")
    exp = int(exp_part) if exp_part else 0
    raw = (int_part + frac_part).lstrip("0")
    leading_zeros = len(int_part + frac_part) - len((int_part + frac_part).lstrip("0"))
    digits = raw.rstrip("0") or "0"
    n = len(int_part) - leading_zeros + exp
    return digits, n


def to_js_string(value: Any) -> str:
    """Print a value the way handlebars.js prints it in ``{{ }}``."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return js_number_to_string(value)
    if isinstance(value, (list, tuple)):
        return ",".join("" if item is None else to_js_string(item) for item in value)
    if isinstance(value, dict):
        return "[object Object]"
    return str(value)


def escape_expression(value: Any) -> str:
    """HTML-escape like handlebars.js ``escapeExpression`` (``& < > " ' ` =``)."""
    if isinstance(value, SafeString):
        return str(value)
    if value is None:
        return ""
    if value is False:
        return "false"
    text = to_js_string(value)
    return text.translate(_ESCAPE_TABLE)


def is_truthy(value: Any) -> bool:
    """JavaScript truthiness: ``""``, ``0``, ``NaN``, ``None`` and ``False`` are falsy."""
    if value is None or value is False:
        return False
    if isinstance(value, str):
        return value != ""
    if isinstance(value, (int, float)):
        return value != 0 and not (isinstance(value, float) and math.isnan(value))
    return True


def is_empty(value: Any) -> bool:
    """handlebars.js ``isEmpty``: what ``{{#if}}`` treats as false (also ``[]``)."""
    if isinstance(value, (list, tuple)) and len(value) == 0:
        return True
    return not is_truthy(value)


def to_number(value: Any) -> float:
    """JavaScript ``Number(value)`` for the JSON-shaped values templates see."""
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, (list, tuple)):
        if not value:
            return 0.0
        return to_number(value[0]) if len(value) == 1 else math.nan
    text = str(value).strip()
    if text == "":
        return 0.0
    try:
        if text.lower().startswith(("0x", "-0x", "+0x")):
            return math.nan if text[0] in "+-" else float(int(text, 16))
        if text in ("Infinity", "+Infinity"):
            return math.inf
        if text == "-Infinity":
            return -math.inf
        if text.lower() in ("inf", "+inf", "-inf", "nan", "infinity", "-infinity"):
            return math.nan
        return float(text)
    except ValueError:
        return math.nan
