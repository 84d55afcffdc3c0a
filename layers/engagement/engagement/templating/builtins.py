"""handlebars.js 4.7 built-in helpers, with the ``helper(*params, options)`` convention."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import UnknownHelperError
from .options import HelperOptions
from .runtime import create_frame, js_key, js_keys, prop
from .values import is_truthy

__all__ = ["BUILTIN_HELPERS", "KNOWN_HELPERS", "hb_is_empty"]


def hb_is_empty(value: Any) -> bool:
    """handlebars.js ``Utils.isEmpty``: falsy but not 0, or an empty array."""
    if isinstance(value, (list, tuple)):
        return not value
    if not is_truthy(value):
        return not (value.__class__ in (int, float) and value == 0)
    return False


def _arity(args: tuple[Any, ...], name: str) -> tuple[Any, HelperOptions]:
    if len(args) != 2:
        raise ValueError(f"#{name} requires exactly one argument")
    return args[0], args[1]


def helper_if(*args: Any) -> Any:
    conditional, options = _arity(args, "if")
    if (not options.hash.get("includeZero") and not is_truthy(conditional)) or hb_is_empty(conditional):
        return options.inverse(options.context)
    return options.fn(options.context)


def helper_unless(*args: Any) -> Any:
    conditional, options = _arity(args, "unless")
    if (not options.hash.get("includeZero") and not is_truthy(conditional)) or hb_is_empty(conditional):
        return options.fn(options.context)
    return options.inverse(options.context)


def helper_with(*args: Any) -> Any:
    context, options = _arity(args, "with")
    if not hb_is_empty(context):
        return options.fn(context, data=options.data, block_params=[context])
    return options.inverse(options.context)


def helper_each(*args: Any) -> Any:
    if len(args) < 2:
        raise ValueError("Must pass iterator to #each")
    context, options = args[0], args[-1]
    fn = options.fn
    data = create_frame(options.data)
    out: list[str] = []
    if isinstance(context, (list, tuple)):
        last = len(context) - 1
        for i, item in enumerate(context):
            data["key"] = data["index"] = i
            data["first"] = i == 0
            data["last"] = i == last
            out.append(fn(item, data=data, block_params=[item, i]))
    elif isinstance(context, Mapping):
        keys = js_keys(context)
        last = len(keys) - 1
        for i, key in enumerate(keys):
            item = context[key]
            data["key"] = key
            data["index"] = i
            data["first"] = i == 0
            data["last"] = i == last
            out.append(fn(item, data=data, block_params=[item, key]))
    if not out:
        return options.inverse(options.context)
    return "".join(out)


def helper_lookup(*args: Any) -> Any:
    if len(args) < 2:
        raise ValueError("lookup requires an object and a field")
    obj = args[0]
    if not is_truthy(obj):
        return obj
    if len(args) < 3:
        raise TypeError("lookup requires a field")
    return prop(obj, js_key(args[1]))


def helper_log(*args: Any) -> None:
    """``{{log}}`` prints to the console in handlebars.js; it renders nothing."""
    return None


def helper_missing(*args: Any) -> Any:
    if len(args) == 1:
        return None
    options = args[-1]
    raise UnknownHelperError(options.name, options.line, options.column)


def block_helper_missing(context: Any, options: HelperOptions) -> Any:
    if context is True:
        return options.fn(options.context)
    if context is False or context is None:
        return options.inverse(options.context)
    if isinstance(context, (list, tuple)):
        if context:
            return helper_each(context, options)
        return options.inverse(options.context)
    return options.fn(context)


BUILTIN_HELPERS: dict[str, Any] = {
    "if": helper_if,
    "unless": helper_unless,
    "with": helper_with,
    "each": helper_each,
    "lookup": helper_lookup,
    "log": helper_log,
    "helperMissing": helper_missing,
    "blockHelperMissing": block_helper_missing,
}
KNOWN_HELPERS = frozenset(BUILTIN_HELPERS)
