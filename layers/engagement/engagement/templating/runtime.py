"""Render-time support: frames, JS-style property lookup and printing, partial objects.

Contexts are JSON-shaped: only dict keys, list indices / ``length`` and string
indices / ``length`` are visible, never Python attributes (handlebars.js 4.7 forbids
prototype access; JSON data has nothing else).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .errors import TemplateError
from .values import SafeString, escape_expression, is_truthy, js_number_to_string, to_js_string, to_number

__all__ = [
    "NULL_CONTEXT",
    "Frame",
    "Prog",
    "create_frame",
    "escape",
    "invoke",
    "js_key",
    "js_str",
    "prop",
]

_MAX_SAFE = 2**53
needs_escape = re.compile("[&<>\"'`=]").search
ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;", "`": "&#x60;", "=": "&#x3D;"}
)


class _NullContext(dict):
    """handlebars.js ``container.nullContext``: ``this`` for helpers when the context is null."""

    __slots__ = ()


NULL_CONTEXT = _NullContext()


class Prog:
    """A compiled program (template body, block body or else branch)."""

    __slots__ = ("inline", "run")

    def __init__(self, run, inline: tuple = ()) -> None:
        self.run = run
        self.inline = inline


class Frame:
    """What a program sees besides its context: @data, ../ depths, block params, partials."""

    __slots__ = ("bp", "data", "depths", "partials", "tpl")

    def __init__(self, data, depths, bp, partials, tpl) -> None:
        self.data = data
        self.depths = depths
        self.bp = bp
        self.partials = partials
        self.tpl = tpl


def create_frame(data: Mapping[str, Any] | None) -> dict[str, Any]:
    frame = dict(data) if data else {}
    frame["_parent"] = data
    return frame


def loose_eq(a: Any, b: Any) -> bool:
    """JavaScript ``==`` for the primitive cases (objects compare by identity)."""
    if a is b:
        return True
    if a is None or b is None:
        return False
    ta, tb = a.__class__, b.__class__
    if ta is str and tb is str:
        return a == b
    if ta in _PRIMS and tb in _PRIMS:
        return to_number(a) == to_number(b)
    return False


_PRIMS = (str, int, float, bool)


def invoke(prog: Prog, ctx: Any, fr: Frame, data: Any = None, bparams: Any = None) -> str:
    """Run a block program like handlebars.js ``wrapProgram``: track ``../`` and block params."""
    depths = fr.depths
    head = depths[0]
    if not (ctx is head or (ctx is NULL_CONTEXT and head is None) or loose_eq(ctx, head)):
        depths = (ctx, depths)
    new = Frame(fr.data if data is None else data, depths, (bparams, fr.bp), fr.partials, fr.tpl)
    if prog.inline:
        bind_inline(prog, ctx, new)
    return prog.run(ctx, new)


def bind_inline(prog: Prog, ctx: Any, fr: Frame) -> None:
    """``{{#*inline}}`` partials of a program are visible while it runs."""
    partials = dict(fr.partials)
    fr.partials = partials
    for name_ev, body in prog.inline:
        partials[js_key(name_ev(ctx, fr))] = InlinePartial(body, fr)


class InlinePartial:
    __slots__ = ("body", "fr")

    def __init__(self, body: Prog, fr: Frame) -> None:
        self.body = body
        self.fr = fr

    def render(self, ctx: Any, data: Any, partials: Any, tpl: Any) -> str:
        return invoke(self.body, ctx, self.fr, data)


class PartialBlock:
    """``@partial-block``: the body of ``{{#> layout}}body{{/layout}}``."""

    __slots__ = ("body", "fr", "outer")

    def __init__(self, body: Prog, fr: Frame, outer: Any) -> None:
        self.body = body
        self.fr = fr
        self.outer = outer

    def render(self, ctx: Any, data: Any, partials: Any, tpl: Any) -> str:
        data = create_frame(data)
        data["partial-block"] = self.outer
        return invoke(self.body, ctx, self.fr, data)


def run_partial(partial: Any, ctx: Any, data: Any, partials: Any, tpl: Any) -> str:
    """Render a partial given as source text, compiled Template or internal partial."""
    if isinstance(partial, str):
        prog = tpl.partial_program(partial)
    elif hasattr(partial, "render_partial"):
        return partial.render_partial(ctx, data, partials)
    elif isinstance(partial, (InlinePartial, PartialBlock)):
        return partial.render(ctx, data, partials, tpl)
    else:
        raise TemplateError(f"Partial must be template source text, not {type(partial).__name__}")
    fr = Frame(data, (ctx, None), None, partials, tpl)
    if prog.inline:
        bind_inline(prog, ctx, fr)
    return prog.run(ctx, fr)


def _is_index(key: str) -> bool:
    return key.isdigit() and key.isascii() and (key == "0" or key[0] != "0") and int(key) < 4294967295


def js_keys(obj: Mapping[str, Any]) -> list[Any]:
    """``Object.keys`` order: integer-like keys ascending, then the rest in insertion order."""
    keys = list(obj)
    if any(k.__class__ is str and k[:1].isdigit() and _is_index(k) for k in keys):
        idx = sorted((k for k in keys if k.__class__ is str and _is_index(k)), key=int)
        keys = idx + [k for k in keys if not (k.__class__ is str and _is_index(k))]
    return keys


def js_key(value: Any) -> str:
    """JavaScript property-key conversion (``obj[1]`` reads key ``"1"``)."""
    if value.__class__ is str:
        return value
    if value is None:
        return "undefined"
    return js_str(value)


def _utf16(text: str) -> str | None:
    return None if text.isascii() or max(text) <= "\uffff" else text.encode("utf-16-le").decode("latin-1")


def prop(obj: Any, name: str) -> Any:
    """handlebars.js ``lookupProperty``: own properties only."""
    cls = obj.__class__
    if cls is dict:
        return obj.get(name)
    if obj is None:
        return None
    if cls is list or cls is tuple:
        if name == "length":
            return len(obj)
        if name[:1].isdigit() and _is_index(name):
            i = int(name)
            return obj[i] if i < len(obj) else None
        return None
    if cls is str or cls is SafeString:
        wide = _utf16(obj)
        if name == "length":
            return len(obj) if wide is None else len(wide) // 2
        if name[:1].isdigit() and _is_index(name):
            i = int(name)
            if wide is None:
                return obj[i] if i < len(obj) else None
            unit = wide[2 * i : 2 * i + 2]
            return unit.encode("latin-1").decode("utf-16-le", "surrogatepass") if unit else None
        return None
    if isinstance(obj, Mapping):
        return obj.get(name)
    return None


def js_str(value: Any) -> str:
    """JavaScript ``String(value)`` (integers past 2**53 print as JS doubles do)."""
    cls = value.__class__
    if cls is str:
        return value
    if value is None:
        return ""
    if cls is int:
        return str(value) if -_MAX_SAFE <= value <= _MAX_SAFE else js_number_to_string(float(value))
    if cls is list or cls is tuple:
        return ",".join("" if item is None else js_str(item) for item in value)
    if cls is float:
        if value.is_integer() and -_MAX_SAFE < value < _MAX_SAFE:
            return str(int(value))
        text = repr(value)
        return text if "e" not in text and "n" not in text else js_number_to_string(value)
    return to_js_string(value)


def escape(value: Any) -> str:
    """``escapeExpression`` with a fast path for plain strings."""
    if value.__class__ is str:
        return value.translate(ESCAPES) if needs_escape(value) else value
    if value is None or isinstance(value, SafeString) or value is False:
        return escape_expression(value)
    text = js_str(value)
    return text.translate(ESCAPES) if needs_escape(text) else text


def truthy(value: Any) -> bool:
    return is_truthy(value)
