"""Conditional helpers: ``and or not eq neq gt gte lt lte`` (Handlebars.java ConditionalHelpers).

Inline, a helper prints its ``yes=``/``no=`` hash value, or ``true``/``false`` when
absent (as Handlebars.java). As a block it renders ``fn`` or the ``{{else}}`` part.

Pinpoint attribute values are strings inside lists, so operands are unwrapped
(``["17"]`` -> ``"17"``) and compared as numbers when both are numeric
(``gt "9" "17"`` is false, where Java's ``String.compareTo`` would say true).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

from ..values import is_empty, to_number
from ._common import HelperTypeError, helper, kind, scalar

__all__ = ["HELPERS"]


def _answer(result: bool, options: Any) -> Any:
    """Block: render the matching branch. Inline: the ``yes``/``no`` hash value, else the bool."""
    if options.is_block:
        return options.fn(options.context) if result else options.inverse(options.context)
    return options.hash.get("yes", True) if result else options.hash.get("no", False)


def _numeric(value: Any) -> float | None:
    """The number a value stands for, or None: numbers and non-empty numeric strings."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and value.strip():
        result = to_number(value)
        return None if math.isnan(result) else result
    return None


def _utf16(value: str) -> bytes:
    """Sort key matching Java's ``String.compareTo`` (UTF-16 code units)."""
    return value.encode("utf-16-be", "surrogatepass")


def equal(a: Any, b: Any) -> bool:
    """Java ``equals`` on unwrapped values, but a number equals a numeric string (``17`` == ``"17"``)."""
    a, b = scalar(a), scalar(b)
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    if isinstance(a, (int, float)) or isinstance(b, (int, float)):
        na, nb = _numeric(a), _numeric(b)
        return na is not None and nb is not None and na == nb
    return a == b


def _ordered(a: Any, b: Any, op: Callable[[Any, Any], bool]) -> bool:
    """Numbers numerically, strings by UTF-16 units, booleans false < true; missing/[] -> false."""
    a, b = scalar(a), scalar(b)
    if a is None or b is None or a == [] or b == []:
        return False
    na, nb = _numeric(a), _numeric(b)
    if na is not None and nb is not None:
        return op(na, nb)
    if isinstance(a, str) and isinstance(b, str):
        return op(_utf16(a), _utf16(b))
    if isinstance(a, bool) and isinstance(b, bool):
        return op(a, b)
    raise HelperTypeError(f"cannot compare {kind(a)} {a!r} with {kind(b)} {b!r}")


def _comparison(name: str, test: Callable[[Any, Any], bool]) -> Callable[..., Any]:
    @helper(name, 2, 2)
    def compare(a: Any, b: Any, *, options: Any) -> Any:
        return _answer(test(a, b), options)

    compare.__doc__ = f"``{{{{{name} a b [yes=..] [no=..]}}}}`` or ``{{{{#{name} a b}}}}..{{{{/{name}}}}}``."
    return compare


@helper("and", 1)
def and_(*values: Any, options: Any) -> Any:
    """True when every value is non-empty (Handlebars ``isEmpty``), so non-booleans work."""
    return _answer(all(not is_empty(value) for value in values), options)


@helper("or", 1)
def or_(*values: Any, options: Any) -> Any:
    """True when any value is non-empty."""
    return _answer(any(not is_empty(value) for value in values), options)


@helper("not", 1, 1)
def not_(value: Any, *, options: Any) -> Any:
    """True when the value is empty: ``{{not (eq a "red")}}``."""
    return _answer(is_empty(value), options)


HELPERS: dict[str, Callable[..., Any]] = {
    "and": and_,
    "or": or_,
    "not": not_,
    "eq": _comparison("eq", equal),
    "neq": _comparison("neq", lambda a, b: not equal(a, b)),
    "gt": _comparison("gt", lambda a, b: _ordered(a, b, operator.gt)),
    "gte": _comparison("gte", lambda a, b: _ordered(a, b, operator.ge)),
    "lt": _comparison("lt", lambda a, b: _ordered(a, b, operator.lt)),
    "lte": _comparison("lte", lambda a, b: _ordered(a, b, operator.le)),
}
