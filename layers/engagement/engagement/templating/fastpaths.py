"""Direct implementations of the built-in block helpers, used when not overridden.

Calling ``if``/``unless``/``each``/``with`` and ``blockHelperMissing`` through
``HelperOptions`` costs an options object and two closures per call; these do the
same work on the compiled programs directly (same semantics as builtins.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .builtins import hb_is_empty
from .runtime import NULL_CONTEXT, Frame, bind_inline, create_frame, invoke, js_keys, loose_eq
from .values import is_truthy

__all__ = ["block_missing", "run_each", "run_if", "run_with"]


def _same(prog: Any, ctx: Any, fr: Frame) -> str:
    """Run a program in the current context (``options.fn(this)``)."""
    if prog is None:
        return ""
    new = Frame(fr.data, fr.depths, (None, fr.bp), fr.partials, fr.tpl)
    if prog.inline:
        bind_inline(prog, ctx, new)
    return prog.run(NULL_CONTEXT if ctx is None else ctx, new)


def _if_false(cond: Any, include_zero: bool) -> bool:
    """``#if`` takes the else branch (fast paths for the JSON types, then the general rule)."""
    cls = cond.__class__
    if cls is str:
        return cond == ""
    if cls is list:
        return not cond
    if cls is dict or cond is True:
        return False
    return (not include_zero and not is_truthy(cond)) or hb_is_empty(cond)


def run_if(prog: Any, inv: Any, cond: Any, include_zero: bool, ctx: Any, fr: Frame) -> str:
    if _if_false(cond, include_zero):
        return _same(inv, ctx, fr)
    return _same(prog, ctx, fr)


def run_with(prog: Any, inv: Any, value: Any, ctx: Any, fr: Frame) -> str:
    if hb_is_empty(value):
        return _same(inv, ctx, fr)
    return invoke(prog, value, fr, None, [value]) if prog is not None else ""


def run_each(prog: Any, inv: Any, value: Any, ctx: Any, fr: Frame) -> str:
    if isinstance(value, (list, tuple)):
        items = list(enumerate(value))
        keys = None
    elif isinstance(value, Mapping):
        keys = js_keys(value)
        items = [(key, value[key]) for key in keys]
    else:
        items = []
    if not items:
        return _same(inv, ctx, fr)
    if prog is None:
        return ""
    data = create_frame(fr.data)
    depths, bp, partials, tpl, run, inline = fr.depths, fr.bp, fr.partials, fr.tpl, prog.run, prog.inline
    head = depths[0]
    last = len(items) - 1
    out = []
    for index, (key, item) in enumerate(items):
        data["key"] = key
        data["index"] = index
        data["first"] = index == 0
        data["last"] = index == last
        here = depths if (item is head or loose_eq(item, head)) else (item, depths)
        new = Frame(data, here, ([item, key], bp), partials, tpl)
        if inline:
            bind_inline(prog, item, new)
        out.append(run(item, new))
    return "".join(out)


def block_missing(prog: Any, inv: Any, value: Any, ctx: Any, fr: Frame) -> str:
    """Default ``blockHelperMissing``: ``{{#value}}`` on a plain context value."""
    if value is True:
        return _same(prog, ctx, fr)
    if value is False or value is None:
        return _same(inv, ctx, fr)
    if isinstance(value, (list, tuple)):
        return run_each(prog, inv, value, ctx, fr)
    return invoke(prog, value, fr) if prog is not None else ""
