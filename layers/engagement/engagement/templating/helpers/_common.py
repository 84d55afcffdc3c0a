"""Argument plumbing shared by the Pinpoint helpers.

Helpers are called as ``helper(*params, options)``. The :func:`helper` decorator
checks the parameter count and prefixes every argument error with the helper's
name, so the engine can wrap it into a HelperError that says what went wrong.
Only cheap imports here: importing the helpers must stay well under 10 ms.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import wraps
from typing import Any

from ..values import to_js_string, to_number

__all__ = [
    "HelperArgumentError",
    "HelperTypeError",
    "flag",
    "helper",
    "is_missing",
    "kind",
    "number",
    "scalar",
    "size",
    "text",
]


class HelperArgumentError(ValueError):
    """A value the helper cannot use; re-raised as ``"<helper>: <message>"``."""


class HelperTypeError(TypeError):
    """A wrong kind or number of arguments; re-raised as ``"<helper>: <message>"``."""


def helper(name: str, min_params: int, max_params: int | None = None) -> Callable[[Callable], Callable]:
    """Turn ``fn(*params, options=...)`` into an engine helper ``helper(*params, options)``."""

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(fn)
        def call(*args: Any) -> Any:
            if not args or not hasattr(args[-1], "hash"):
                raise HelperTypeError(f"{name}: called without HelperOptions as the last argument")
            *params, options = args
            high = len(params) if max_params is None else max_params
            if not min_params <= len(params) <= high:
                raise HelperTypeError(f"{name}: expects {_arity(min_params, max_params)}, got {len(params)}")
            try:
                return fn(*params, options=options)
            except (HelperArgumentError, HelperTypeError) as exc:
                raise type(exc)(f"{name}: {exc}") from None

        call.helper_name = name  # type: ignore[attr-defined]
        return call

    return decorate


def _arity(low: int, high: int | None) -> str:
    if high is None:
        return f"at least {low} argument{'s' * (low != 1)}"
    if low == high:
        return f"{low} argument{'s' * (low != 1)}"
    return f"{low} to {high} arguments"


def scalar(value: Any) -> Any:
    """A one-item list stands for its item: Pinpoint attributes are lists (``["ana"]``)."""
    if isinstance(value, (list, tuple)) and len(value) == 1:
        return value[0]
    return value


def is_missing(value: Any) -> bool:
    """``None``, ``""`` and ``[]``: a recipient without the attribute prints nothing."""
    return value is None or value == "" or (isinstance(value, (list, tuple)) and not value)


def text(value: Any, what: str = "value") -> str:
    """The string a Java helper would get from ``toString()``, printed with JS rules."""
    value = scalar(value)
    if isinstance(value, (dict, list, tuple)):
        raise HelperTypeError(f"{what} must be a string or number, got {kind(value)}")
    return to_js_string(value)


def number(value: Any, what: str = "value") -> float:
    """A float from a number or numeric string (``"17"``, ``["2.5"]``); NaN is an error."""
    value = scalar(value)
    if isinstance(value, (bool, dict, list, tuple)) or value is None:
        raise HelperTypeError(f"{what} must be a number, got {kind(value)}")
    result = to_number(value)
    if math.isnan(result):
        raise HelperArgumentError(f"{what} must be a number, got {value!r}")
    return result


def size(value: Any, what: str) -> int:
    """A non-negative whole number (widths, offsets): Pinpoint says negatives are unsupported."""
    result = number(value, what)
    if not math.isfinite(result) or not result.is_integer():
        raise HelperArgumentError(f"{what} must be a whole number, got {value!r}")
    if result < 0:
        raise HelperArgumentError(f"{what} must not be negative, got {value!r}")
    return int(result)


def flag(value: Any, what: str) -> bool:
    """A hash flag: ``true``/``false`` literals or the strings ``"true"``/``"false"``."""
    value = scalar(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise HelperArgumentError(f"{what} must be true or false, got {value!r}")


def kind(value: Any) -> str:
    if value is None:
        return "nothing (missing value)"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (list, tuple)):
        return f"a list of {len(value)} items"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
