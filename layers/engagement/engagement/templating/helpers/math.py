"""Math helpers: ``add subtract multiply divide modulo ceiling floor round``.

Pinpoint documents floating-point results (``{{add 5 2.3}}`` -> ``7.3``). Operands
may be numbers, numeric strings or one-item attribute lists (``Age.[0]`` or
``Age``). Results are floats and print JS-style (``8.0`` -> ``8``). A missing
operand prints nothing; dividing by zero is an error rather than ``Infinity``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from ._common import HelperArgumentError, helper, is_missing, number

__all__ = ["HELPERS"]


def _binary(name: str, apply: Callable[[float, float], float]) -> Callable[..., Any]:
    @helper(name, 2, 2)
    def calculate(a: Any, b: Any, *, options: Any) -> float | None:
        if is_missing(a) or is_missing(b):
            return None
        return apply(number(a, "first operand"), number(b, "second operand"))

    calculate.__doc__ = f"``{{{{{name} arg1 arg2}}}}`` in floating point."
    return calculate


def _unary(name: str, apply: Callable[[float], float]) -> Callable[..., Any]:
    @helper(name, 1, 1)
    def calculate(value: Any, *, options: Any) -> float | None:
        if is_missing(value):
            return None
        amount = number(value)
        return float(apply(amount)) if math.isfinite(amount) else amount

    calculate.__doc__ = f"``{{{{{name} value}}}}`` to a whole number."
    return calculate


def _divide(a: float, b: float) -> float:
    if b == 0:
        raise HelperArgumentError(f"cannot divide {a:g} by zero")
    return a / b


def _modulo(a: float, b: float) -> float:
    """Remainder with the dividend's sign, as Java's and JavaScript's ``%`` (not Python's)."""
    if b == 0:
        raise HelperArgumentError(f"cannot take {a:g} modulo zero")
    return math.fmod(a, b)


def _round_half_up(value: float) -> float:
    """``Math.round`` in Java and JS: halves go up (-2.5 -> -2), exact for all doubles."""
    low = math.floor(value)
    return low + 1 if value - low >= 0.5 else low


HELPERS: dict[str, Callable[..., Any]] = {
    "add": _binary("add", lambda a, b: a + b),
    "subtract": _binary("subtract", lambda a, b: a - b),
    "multiply": _binary("multiply", lambda a, b: a * b),
    "divide": _binary("divide", _divide),
    "modulo": _binary("modulo", _modulo),
    "ceiling": _unary("ceiling", math.ceil),
    "floor": _unary("floor", math.floor),
    "round": _unary("round", _round_half_up),
}
