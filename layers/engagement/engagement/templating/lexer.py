"""Tokenizer: a port of handlebars.js 4.7's jison lexer (same rules, same order).

Python's regex alternation tries alternatives in order and takes the first that
matches, exactly like jison's rule order, so the ``mu`` state is one precompiled
pattern. ``\\s`` is spelled out as JavaScript's whitespace class and ``$`` as ``\\Z``.
"""

from __future__ import annotations

import re

__all__ = ["WS", "LexError", "tokenize"]

WS = "\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"
_LOOK = f"(?=[=~}}{WS}/.)|])"
_LIT = f"(?=[~}}{WS})])"
_ID = f'[^{WS}!"#%-,\\./;->@\\[-\\^`\\{{-~]+'

_MU_RULES = [
    ("OPEN_SEXPR", r"\("),
    ("CLOSE_SEXPR", r"\)"),
    ("OPEN_RAW_BLOCK", r"\{\{\{\{"),
    ("CLOSE_RAW_BLOCK", r"\}\}\}\}"),
    ("OPEN_PARTIAL", r"\{\{~?>"),
    ("OPEN_PARTIAL_BLOCK", r"\{\{~?\#>"),
    ("OPEN_BLOCK", r"\{\{~?\#\*?"),
    ("OPEN_ENDBLOCK", r"\{\{~?/"),
    ("INVERSE", f"\\{{\\{{~?\\^[{WS}]*~?\\}}\\}}|\\{{\\{{~?[{WS}]*else[{WS}]*~?\\}}\\}}"),
    ("OPEN_INVERSE", r"\{\{~?\^"),
    ("OPEN_INVERSE_CHAIN", f"\\{{\\{{~?[{WS}]*else(?![A-Za-z0-9_])"),
    ("OPEN_UNESCAPED", r"\{\{~?\{"),
    ("OPEN_AMP", r"\{\{~?&"),
    ("LONG_COMMENT", r"(?=\{\{~?!--)[\s\S]*?--~?\}\}"),
    ("BAD_COMMENT", r"\{\{~?!--"),
    ("COMMENT", r"\{\{~?![\s\S]*?\}\}"),
    ("OPEN", r"\{\{~?\*?"),
    ("EQUALS", "="),
    ("ID_DOTS", r"\.\."),
    ("ID_DOT", f"\\.{_LOOK}"),
    ("SEP", "[/.]"),
    ("SPACE", f"[{WS}]+"),
    ("CLOSE_UNESCAPED", r"\}~?\}\}"),
    ("CLOSE", r"~?\}\}"),
    ("DQ_STRING", r'"(?:\\"|[^"])*"'),
    ("SQ_STRING", r"'(?:\\'|[^'])*'"),
    ("DATA", "@"),
    ("BOOLEAN", f"(?:true|false){_LIT}"),
    ("UNDEFINED", f"undefined{_LIT}"),
    ("NULL", f"null{_LIT}"),
    ("NUMBER", f"-?[0-9]+(?:\\.[0-9]+)?{_LIT}"),
    ("OPEN_BLOCK_PARAMS", f"as[{WS}]+\\|"),
    ("CLOSE_BLOCK_PARAMS", r"\|"),
    ("ID", _ID + _LOOK),
    ("BRACKET_ID", r"\[(?:\\\]|[^\]])*\]"),
    ("INVALID", "[^\\n\\r\\u2028\\u2029]"),
]


def _rules(*names: str) -> re.Pattern[str]:
    """The rules that can start with a given character, still in jison's order."""
    chosen = [(n, rx) for n, rx in _MU_RULES if n in names or n == "INVALID"]
    return re.compile("|".join(f"(?P<{n}>{rx})" for n, rx in chosen), re.ASCII)


# Dispatch on the first character: trying 36 alternatives at every token is the
# tokenizer's main cost, and only a few rules can start with any one character.
_OPEN_RULES = _rules(*(n for n, _ in _MU_RULES[2:17] if n != "CLOSE_RAW_BLOCK"))
_BY_CHAR: dict[str, re.Pattern[str]] = {
    "{": _OPEN_RULES,
    "}": _rules("CLOSE_RAW_BLOCK", "CLOSE_UNESCAPED", "CLOSE"),
    "~": _rules("CLOSE"),
    "(": _rules("OPEN_SEXPR"),
    ")": _rules("CLOSE_SEXPR"),
    "=": _rules("EQUALS"),
    "@": _rules("DATA"),
    "|": _rules("CLOSE_BLOCK_PARAMS"),
    '"': _rules("DQ_STRING"),
    "'": _rules("SQ_STRING"),
    "[": _rules("BRACKET_ID"),
    ".": _rules("ID_DOTS", "ID_DOT", "SEP"),
    "/": _rules("SEP"),
}
_SPACE_RULE = _rules("SPACE")
for _ch in "\t\n\v\f\r \u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff" + "".join(
    chr(c) for c in range(0x2000, 0x200B)
):
    _BY_CHAR[_ch] = _SPACE_RULE
_OTHER_RULES = _rules("BOOLEAN", "UNDEFINED", "NULL", "NUMBER", "OPEN_BLOCK_PARAMS", "ID")
_RAW_CLOSE = re.compile(r"\{\{\{\{/" + _ID + f"(?=[=}}{WS}/.])" + r"\}\}\}\}", re.ASCII)
_EMU = re.compile(r"[\s\S]{2,}?(?=\{\{|\\\{\{|\\\\\{\{|\Z)")
_BRACKET_ESC = re.compile(r"\\([\\\]])")
_RENAME = {"OPEN_AMP": "OPEN", "ID_DOTS": "ID", "ID_DOT": "ID", "LONG_COMMENT": "COMMENT"}
_CLOSERS = frozenset(("CLOSE", "CLOSE_UNESCAPED", "INVERSE", "COMMENT", "LONG_COMMENT"))


class LexError(Exception):
    """Raised with the offset where no lexer rule matched."""

    def __init__(self, message: str, pos: int) -> None:
        super().__init__(message)
        self.pos = pos


def tokenize(src: str) -> list[tuple[str, str, int, int]]:
    """Return ``(type, text, start, end)`` tokens, ending with an ``EOF`` token."""
    tokens: list[tuple[str, str, int, int]] = []
    add = tokens.append
    find = src.find
    by_char = _BY_CHAR.get
    other = _OTHER_RULES
    n = len(src)
    pos = 0
    while pos < n:
        at = find("{{", pos)
        if at < 0:
            add(("CONTENT", src[pos:], pos, n))
            break
        text = src[pos:at]
        escaped = False
        if text.endswith("\\\\"):
            text = text[:-1]
        elif text.endswith("\\"):
            text = text[:-1]
            escaped = True
        if text:
            add(("CONTENT", text, pos, at))
        pos = at
        if escaped:
            pos = _lex_escaped(src, pos, add)
            continue
        while True:  # mu state
            m = by_char(src[pos : pos + 1], other).match(src, pos) if pos < n else None
            if m is None:
                raise LexError("Lexical error", pos)
            kind = m.lastgroup
            end = m.end()
            if kind == "SPACE":
                pos = end
                continue
            if kind == "BAD_COMMENT":
                raise LexError("Unterminated comment", pos)
            value = m.group()
            if kind == "DQ_STRING" or kind == "SQ_STRING":
                quote = value[0]
                add(("STRING", value[1:-1].replace("\\" + quote, quote), pos, end))
            elif kind == "BRACKET_ID":
                add(("ID", _BRACKET_ESC.sub(r"\1", value), pos, end))
            else:
                add((_RENAME.get(kind, kind), value, pos, end))
            pos = end
            if kind in _CLOSERS:
                break
            if kind == "CLOSE_RAW_BLOCK":
                pos = _lex_raw(src, pos, add)
                break
    add(("EOF", "", n, n))
    return tokens


def _lex_escaped(src: str, pos: int, add) -> int:
    """``\\{{``: content from ``{{`` up to the next (possibly escaped) ``{{`` or the end."""
    end = _EMU.match(src, pos).end()
    add(("CONTENT", src[pos:end], pos, end))
    return end


def _lex_raw(src: str, pos: int, add) -> int:
    """Raw block body: nested ``{{{{x}}}}`` blocks stay content until the matching close."""
    depth = 1
    while True:
        at = src.find("{{{{", pos)
        if at < 0:
            raise LexError("Unterminated raw block", pos)
        if at > pos:
            add(("CONTENT", src[pos:at], pos, at))
        m = _RAW_CLOSE.match(src, at)
        if m is None:
            if src.startswith("{{{{/", at):
                nxt = src.find("{{{{", at + 1)
                if nxt < 0:
                    raise LexError("Unterminated raw block", at)
                add(("CONTENT", src[at:nxt], at, nxt))
                pos = nxt
                continue
            depth += 1
            add(("CONTENT", "{{{{", at, at + 4))
            pos = at + 4
            continue
        depth -= 1
        if depth == 0:
            add(("END_RAW_BLOCK", m.group()[5:-4], at, m.end()))
            return m.end()
        add(("CONTENT", m.group(), at, m.end()))
        pos = m.end()
