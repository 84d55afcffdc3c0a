"""Python twins of the test-only helpers registered in render.js."""

from __future__ import annotations

from typing import Any

from engagement.templating import SafeString
from engagement.templating.runtime import js_str
from engagement.templating.values import escape_expression


def _js_string(value: Any) -> str:
    """JavaScript ``String(value)``: null prints as ``null``."""
    return "null" if value is None else js_str(value)


def _raw(options: Any) -> str:
    return options.fn()


def _upper(value: Any, options: Any) -> str:
    return js_str(value).upper()


def _concat(*args: Any) -> str:
    return "".join(js_str(a) for a in args[:-1])


def _kv(options: Any) -> str:
    return ";".join(f"{k}={_js_string(options.hash[k])}" for k in sorted(options.hash))


def _loud(options: Any) -> str:
    return options.fn(options.context).upper()


def _pair(options: Any) -> str:
    return options.fn(options.context, block_params=["left", "right"])


def _bold(text: Any, options: Any) -> SafeString:
    return SafeString("<b>" + escape_expression(text) + "</b>")


def _eq(a: Any, b: Any, options: Any) -> bool:
    """JavaScript ``===``."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    return a is b


def _count(value: Any, options: Any) -> int:
    return len(value) if isinstance(value, list) else 0


def _which_partial(name: Any, options: Any) -> Any:
    return name


def _add(a: Any, b: Any, options: Any) -> Any:
    if isinstance(a, str) or isinstance(b, str):
        return js_str(a) + js_str(b)
    return a + b


TEST_HELPERS = {
    "raw": _raw,
    "upper": _upper,
    "concat": _concat,
    "kv": _kv,
    "loud": _loud,
    "pair": _pair,
    "bold": _bold,
    "eq": _eq,
    "count": _count,
    "whichPartial": _which_partial,
    "add": _add,
}
