"""EventBridge event-pattern matching, for the subset routes may use.

EventBridge does not tell a Lambda target which rule fired, so the trigger matches the event
against every route's pattern itself. Supported: exact values (lists of strings, numbers,
booleans, null), ``prefix``, ``suffix``, ``anything-but`` (value, list or ``{"prefix": ...}``),
``exists`` and ``numeric``; nested objects. Anything else is refused when the routes load
(:func:`check_pattern`), so the code can never disagree with EventBridge by silently ignoring an
operator. A field holding an array matches when any element matches, as in EventBridge.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any

_MISSING = object()
_NUMERIC_OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "=": operator.eq,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_OPERATORS = frozenset({"prefix", "suffix", "anything-but", "exists", "numeric"})


def matches(pattern: Mapping[str, Any], event: Mapping[str, Any]) -> bool:
    """True when ``event`` matches ``pattern`` under EventBridge's rules (for the supported subset)."""
    for key, rule in pattern.items():
        value = event.get(key, _MISSING) if isinstance(event, Mapping) else _MISSING
        if isinstance(rule, Mapping):
            if not isinstance(value, Mapping) or not matches(rule, value):
                return False
        elif not _field_matches(rule, value):
            return False
    return True


def _field_matches(rules: list[Any], value: Any) -> bool:
    values = value if isinstance(value, list) else [value]
    for rule in rules:
        if isinstance(rule, Mapping) and "exists" in rule:
            # exists:false matches only an absent field; exists:true any present leaf value
            if (value is not _MISSING) == bool(rule["exists"]):
                return True
            continue
        if any(value is not _MISSING and _matches_one(rule, item) for item in values):
            return True
    return False


def _matches_one(rule: Any, value: Any) -> bool:
    if not isinstance(rule, Mapping):
        return _same(rule, value)
    (name, argument), *_ = rule.items()
    if name == "prefix":
        return isinstance(value, str) and value.startswith(argument)
    if name == "suffix":
        return isinstance(value, str) and value.endswith(argument)
    if name == "numeric":
        return _numeric(argument, value)
    if name == "anything-but":
        if isinstance(argument, Mapping):
            return not _matches_one(argument, value)
        excluded = argument if isinstance(argument, list) else [argument]
        return not any(_same(item, value) for item in excluded)
    raise ValueError(f"unsupported event pattern operator {name!r}")


def _same(expected: Any, value: Any) -> bool:
    """Exact match: strings match strings, numbers numbers (EventBridge compares JSON values)."""
    if isinstance(expected, bool) or isinstance(value, bool) or expected is None or value is None:
        return expected is value or (expected == value and type(expected) is type(value))
    if isinstance(expected, int | float) and isinstance(value, int | float):
        return float(expected) == float(value)
    return type(expected) is type(value) and expected == value


def _numeric(conditions: list[Any], value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    pairs = zip(conditions[::2], conditions[1::2], strict=True)
    return all(_NUMERIC_OPERATORS[op](float(value), float(bound)) for op, bound in pairs)


def check_pattern(pattern: Any, path: str = "") -> None:
    """Raise ``ValueError`` if the pattern uses anything :func:`matches` does not implement."""
    if not isinstance(pattern, Mapping) or not pattern:
        raise ValueError(f"pattern {path or '<root>'} must be a non-empty object")
    for key, rule in pattern.items():
        where = f"{path}.{key}" if path else key
        if isinstance(rule, Mapping):
            check_pattern(rule, where)
        elif isinstance(rule, list) and rule:
            for item in rule:
                _check_rule(item, where)
        else:
            raise ValueError(f"pattern field {where} must be a non-empty list or an object")


def _check_rule(rule: Any, where: str) -> None:
    if not isinstance(rule, Mapping):
        if isinstance(rule, list | dict):
            raise ValueError(f"pattern field {where}: nested lists are not allowed")
        return
    if len(rule) != 1 or next(iter(rule)) not in _OPERATORS:
        raise ValueError(f"pattern field {where}: unsupported operator {rule!r} (have {sorted(_OPERATORS)})")
    (name, argument), *_ = rule.items()
    if name == "exists" and not isinstance(argument, bool):
        raise ValueError(f"pattern field {where}: exists takes true or false")
    if name in {"prefix", "suffix"} and not isinstance(argument, str):
        raise ValueError(f"pattern field {where}: {name} takes a string")
    if name == "numeric":
        _check_numeric(argument, where)
    nested = argument if name == "anything-but" and isinstance(argument, Mapping) else None
    if nested is not None and (set(nested) - {"prefix", "suffix"} or len(nested) != 1):
        raise ValueError(f"pattern field {where}: anything-but object supports prefix or suffix only")


def _check_numeric(argument: Any, where: str) -> None:
    ok = isinstance(argument, list) and len(argument) in {2, 4}
    ok = ok and all(op in _NUMERIC_OPERATORS for op in argument[::2])
    ok = ok and all(isinstance(b, int | float) and not isinstance(b, bool) for b in argument[1::2])
    if not ok:
        raise ValueError(f"pattern field {where}: numeric takes [op, number] or [op, number, op, number]")
