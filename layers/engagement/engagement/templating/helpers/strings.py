"""String helpers (Handlebars.java StringHelpers on Apache Commons StringUtils/WordUtils).

Lengths count code points (Java counts UTF-16 units; they differ only for emoji
and other astral characters). A missing value (``None``, ``""``, ``[]``) prints
nothing, where Handlebars.java would print the first parameter instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..values import js_number_to_string, to_js_string
from ._common import (
    HelperArgumentError,
    HelperTypeError,
    flag,
    helper,
    is_missing,
    number,
    scalar,
    size,
    text,
)

__all__ = ["HELPERS", "java_strip", "pad_left", "pad_right"]

# java.lang.Character.isWhitespace: space separators except no-break ones, plus controls.
_JAVA_SPACE = frozenset(
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2008\u2009\u200a\u2028\u2029\u205f\u3000"
)
_ELLIPSIS = "..."


def java_strip(value: str) -> str:
    """``StringUtils.strip``: trim Java whitespace (not no-break spaces) from both ends."""
    return value.strip("".join(_JAVA_SPACE))


def _title(ch: str) -> str:
    """``Character.toTitleCase``: a single-char mapping (``ß`` stays ``ß``)."""
    mapped = ch.title()
    return mapped if len(mapped) == 1 else ch


def _fill(pad: str, count: int) -> str:
    return (pad * (count // len(pad) + 1))[:count] if count > 0 else ""


def pad_left(value: str, width: int, pad: str) -> str:
    """``StringUtils.leftPad``: repeat ``pad`` (a space when empty) on the left up to ``width``."""
    return _fill(pad or " ", width - len(value)) + value


def pad_right(value: str, width: int, pad: str) -> str:
    """``StringUtils.rightPad``."""
    return value + _fill(pad or " ", width - len(value))


def _width(width: Any, options: Any) -> int:
    """The field width: positional (``{{ljust v 15}}``, Pinpoint) or ``size=`` (Handlebars.java)."""
    if width is None:
        width = options.hash.get("size")
    if width is None:
        raise HelperTypeError("needs a width, e.g. 15 or size=15")
    return size(width, "width")


def _pad_char(options: Any) -> str:
    return text(options.hash.get("pad", " "), "pad")


@helper("abbreviate", 2, 2)
def abbreviate(value: Any, width: Any, *, options: Any) -> str:
    """``StringUtils.abbreviate``: ``"Alejandro", 6`` -> ``"Ale..."``; the ellipsis counts."""
    limit = size(width, "width")
    if is_missing(value):
        return ""
    if limit < len(_ELLIPSIS) + 1:
        raise HelperArgumentError(f"width must be at least 4 (one character plus '...'), got {limit}")
    value = text(value)
    return value if len(value) <= limit else value[: limit - len(_ELLIPSIS)] + _ELLIPSIS


@helper("capitalize", 1, 1)
def capitalize(value: Any, *, options: Any) -> str:
    """``WordUtils.capitalize``: upper-case the first letter of each whitespace-separated word.

    ``fully=true`` (Handlebars.java) lower-cases the rest of each word first.
    """
    if is_missing(value):
        return ""
    value = text(value)
    if flag(options.hash.get("fully", False), "fully"):
        value = value.lower()
    out, start = [], True
    for ch in value:
        out.append(_title(ch) if start else ch)
        start = ch in _JAVA_SPACE
    return "".join(out)


@helper("capitalizeFirst", 1, 1)
def capitalize_first(value: Any, *, options: Any) -> str:
    """``StringUtils.capitalize``: only the first character changes."""
    value = "" if is_missing(value) else text(value)
    return _title(value[0]) + value[1:] if value else ""


@helper("center", 1, 2)
def center(value: Any, width: Any = None, *, options: Any) -> str:
    """``StringUtils.center``: extra padding goes on the right."""
    limit, pad = _width(width, options), _pad_char(options)
    if is_missing(value):
        return ""
    value = text(value)
    return pad_right(pad_left(value, len(value) + (limit - len(value)) // 2, pad), limit, pad)


@helper("ljust", 1, 2)
def ljust(value: Any, width: Any = None, *, options: Any) -> str:
    """Left-align in a field of ``width`` (``StringUtils.rightPad``)."""
    limit, pad = _width(width, options), _pad_char(options)
    return "" if is_missing(value) else pad_right(text(value), limit, pad)


@helper("rjust", 1, 2)
def rjust(value: Any, width: Any = None, *, options: Any) -> str:
    """Right-align in a field of ``width`` (``StringUtils.leftPad``)."""
    limit, pad = _width(width, options), _pad_char(options)
    return "" if is_missing(value) else pad_left(text(value), limit, pad)


@helper("cut", 1, 2)
def cut(value: Any, remove: Any = " ", *, options: Any) -> str:
    """Remove every occurrence of ``remove`` (a space by default)."""
    remove = text(remove, "text to cut")
    return "" if is_missing(value) else text(value).replace(remove, "")


@helper("inflect", 3, 3)
def inflect(count: Any, singular: Any, plural: Any, *, options: Any) -> str:
    """Singular when ``count`` is exactly 1, else plural; ``includeCount=true`` prefixes the count."""
    for word, what in ((singular, "singular"), (plural, "plural")):
        if word is None:
            raise HelperTypeError(f'the {what} form is missing (quote literal words: "apple")')
    if is_missing(count):
        return ""
    amount = number(count, "count")
    word = text(singular if amount == 1 else plural)
    if flag(options.hash.get("includeCount", False), "includeCount"):
        return f"{js_number_to_string(amount)} {word}"
    return word


@helper("join", 2)
def join(value: Any, *rest: Any, options: Any) -> str:
    """``{{join list ", " [prefix=""] [suffix=""]}}``; the last parameter is the separator.

    Without a list, the value and the other parameters are joined (Handlebars.java).
    """
    *others, separator = rest
    if not isinstance(separator, str):
        raise HelperTypeError(f"the separator (last argument) must be a string, got {separator!r}")
    if is_missing(value) or value is False:
        return ""
    items = value if isinstance(value, (list, tuple)) and not others else [value, *others]
    prefix = text(options.hash.get("prefix", ""), "prefix")
    suffix = text(options.hash.get("suffix", ""), "suffix")
    return prefix + separator.join(to_js_string(item) for item in items) + suffix


@helper("lower", 1, 1)
def lower(value: Any, *, options: Any) -> str:
    """Lower-case (full Unicode mapping, like Java's ``toLowerCase``)."""
    return "" if is_missing(value) else text(value).lower()


@helper("upper", 1, 1)
def upper(value: Any, *, options: Any) -> str:
    """Upper-case (``ß`` -> ``SS`` as in Java)."""
    return "" if is_missing(value) else text(value).upper()


@helper("ordinalize", 1, 1)
def ordinalize(value: Any, *, options: Any) -> str:
    """English ordinal of a whole number: 1st 2nd 3rd 4th 11th 12th 13th 21st 22nd 101st."""
    if is_missing(value):
        return ""
    amount = number(value)
    if not amount.is_integer():
        raise HelperArgumentError(f"value must be a whole number, got {scalar(value)!r}")
    last_two = int(abs(amount)) % 100
    suffix = "th" if 11 <= last_two <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(last_two % 10, "th")
    return js_number_to_string(amount) + suffix


@helper("replace", 3, 3)
def replace(value: Any, search: Any, replacement: Any, *, options: Any) -> str:
    """``{{replace value search replacement}}``: literal text, every occurrence."""
    search, replacement = text(search, "search text"), text(replacement, "replacement")
    return "" if is_missing(value) else text(value).replace(search, replacement)


@helper("slugify", 1, 1)
def slugify(value: Any, *, options: Any) -> str:
    """Handlebars.java slugify: trim, keep letters (lower-cased), whitespace -> ``-``; digits go."""
    if is_missing(value):
        return ""
    out = []
    for ch in java_strip(text(value)):
        if ch.isalpha():
            out.append(ch.lower()[0])
        elif ch in _JAVA_SPACE:
            out.append("-")
    return "".join(out)


@helper("stripTags", 1, 1)
def strip_tags(value: Any, *, options: Any) -> str:
    """Remove every ``<...>`` tag (the Handlebars.java regex ``<[^>]*>``); entities stay."""
    if is_missing(value):
        return ""
    import re

    return re.sub(r"<[^>]*>", "", text(value))


@helper("substring", 2, 3)
def substring(value: Any, start: Any, end: Any = None, *, options: Any) -> str:
    """Characters ``start`` up to (not including) ``end``; offsets past the end are clamped."""
    first = size(start, "start offset")
    last = None if end is None else size(end, "end offset")
    if last is not None and first > last:
        raise HelperArgumentError(f"start offset {first} is after end offset {last}")
    return "" if is_missing(value) else text(value)[first:last]


@helper("yesno", 1, 1)
def yesno(value: Any, *, options: Any) -> Any:
    """true -> ``yes``, false -> ``no``, missing -> ``maybe`` (hash overrides each word).

    Pinpoint attributes are strings, so ``"true"``/``"false"`` (any case) count as booleans.
    """
    value = scalar(value)
    if is_missing(value):
        return options.hash.get("maybe", "maybe")
    answer = flag(value, "value")
    return options.hash.get("yes", "yes") if answer else options.hash.get("no", "no")


HELPERS: dict[str, Callable[..., Any]] = {
    fn.helper_name: fn  # type: ignore[attr-defined]
    for fn in (
        abbreviate, capitalize, capitalize_first, center, cut, inflect, join, ljust,
        lower, ordinalize, replace, rjust, slugify, strip_tags, substring, upper, yesno,
    )
}  # fmt: skip
