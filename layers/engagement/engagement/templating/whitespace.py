"""Standalone-line and ``~`` stripping: a line-for-line port of whitespace-control.js."""

from __future__ import annotations

import re
from typing import Any

from .lexer import WS
from .nodes import Program

__all__ = ["strip_whitespace"]

_PREV_WS = re.compile(f"\\r?\\n[{WS}]*?\\Z")
_PREV_WS_ROOT = re.compile(f"(?:^|\\r?\\n)[{WS}]*?\\Z")
_NEXT_WS = re.compile(f"[{WS}]*?\\r?\\n")
_NEXT_WS_ROOT = re.compile(f"[{WS}]*?(?:\\r?\\n|\\Z)")
_RIGHT_MULTI = re.compile(f"^[{WS}]+")
_RIGHT_ONE = re.compile("^[ \\t]*\\r?\\n?")
_LEFT_MULTI = re.compile(f"[{WS}]+\\Z")
_LEFT_ONE = re.compile("[ \\t]+\\Z")
_INDENT = re.compile("[ \\t]+\\Z")
_BLOCKS = ("BlockStatement", "DecoratorBlock", "PartialBlockStatement")


def strip_whitespace(root: Program) -> Program:
    _program(root, True)
    return root


def _program(program: Program, is_root: bool) -> None:
    body = program.body
    for i, current in enumerate(body):
        strip = _accept(current)
        if not strip:
            continue
        prev_ws = _is_prev_ws(body, i, is_root)
        next_ws = _is_next_ws(body, i, is_root)
        open_standalone = strip.get("openStandalone") and prev_ws
        close_standalone = strip.get("closeStandalone") and next_ws
        inline_standalone = strip.get("inlineStandalone") and prev_ws and next_ws
        if strip.get("close"):
            _omit_right(body, i, True)
        if strip.get("open"):
            _omit_left(body, i, True)
        if inline_standalone:
            _omit_right(body, i)
            if _omit_left(body, i) and current.type == "PartialStatement":
                current.indent = _INDENT.search(body[i - 1].original).group()
        if open_standalone:
            _omit_right((current.program or current.inverse).body)
            _omit_left(body, i)
        if close_standalone:
            _omit_right(body, i)
            _omit_left((current.inverse or current.program).body)


def _accept(node: Any) -> dict[str, Any] | None:
    kind = node.type
    if kind in _BLOCKS:
        return _block(node)
    if kind == "MustacheStatement":
        return {"open": node.strip[0], "close": node.strip[1]}
    if kind in ("PartialStatement", "CommentStatement"):
        return {"inlineStandalone": True, "open": node.strip[0], "close": node.strip[1]}
    return None


def _block(block: Any) -> dict[str, Any]:
    if block.program is not None:
        _program(block.program, False)
    if block.inverse is not None:
        _program(block.inverse, False)
    program = block.program or block.inverse
    inverse = block.inverse if block.program is not None else None
    first_inverse = last_inverse = inverse
    if inverse is not None and inverse.chained:
        first_inverse = inverse.body[0].program
        while last_inverse.chained:
            last_inverse = last_inverse.body[-1].program
    strip = {
        "open": block.open_strip[0],
        "close": block.close_strip[1],
        "openStandalone": _is_next_ws(program.body),
        "closeStandalone": _is_prev_ws((first_inverse or program).body),
    }
    if block.open_strip[1]:
        _omit_right(program.body, None, True)
    if inverse is not None:
        inverse_strip = block.inverse_strip
        if inverse_strip[0]:
            _omit_left(program.body, None, True)
        if inverse_strip[1]:
            _omit_right(first_inverse.body, None, True)
        if block.close_strip[0]:
            _omit_left(last_inverse.body, None, True)
        if _is_prev_ws(program.body) and _is_next_ws(first_inverse.body):
            _omit_left(program.body)
            _omit_right(first_inverse.body)
    elif block.close_strip[0]:
        _omit_left(program.body, None, True)
    return strip


def _is_prev_ws(body: list[Any], i: int | None = None, is_root: bool = False) -> bool:
    if i is None:
        i = len(body)
    prev = body[i - 1] if i - 1 >= 0 else None
    if prev is None:
        return is_root
    if prev.type == "ContentStatement":
        sibling = i - 2 >= 0
        rx = _PREV_WS if (sibling or not is_root) else _PREV_WS_ROOT
        return rx.search(prev.original) is not None
    return False


def _is_next_ws(body: list[Any], i: int | None = None, is_root: bool = False) -> bool:
    if i is None:
        i = -1
    nxt = body[i + 1] if i + 1 < len(body) else None
    if nxt is None:
        return is_root
    if nxt.type == "ContentStatement":
        sibling = i + 2 < len(body)
        rx = _NEXT_WS if (sibling or not is_root) else _NEXT_WS_ROOT
        return rx.match(nxt.original) is not None
    return False


def _omit_right(body: list[Any], i: int | None = None, multiple: bool = False) -> None:
    idx = 0 if i is None else i + 1
    current = body[idx] if idx < len(body) else None
    if current is None or current.type != "ContentStatement" or (not multiple and current.right_stripped):
        return
    original = current.value
    current.value = (_RIGHT_MULTI if multiple else _RIGHT_ONE).sub("", original, count=1)
    current.right_stripped = current.value != original


def _omit_left(body: list[Any], i: int | None = None, multiple: bool = False) -> bool:
    idx = len(body) - 1 if i is None else i - 1
    current = body[idx] if 0 <= idx < len(body) else None
    if current is None or current.type != "ContentStatement" or (not multiple and current.left_stripped):
        return False
    original = current.value
    current.value = (_LEFT_MULTI if multiple else _LEFT_ONE).sub("", original, count=1)
    current.left_stripped = current.value != original
    return current.left_stripped
