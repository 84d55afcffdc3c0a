"""Recursive-descent parser producing handlebars.js-shaped AST nodes.

Follows handlebars.yy and compiler/helpers.js (prepareBlock, preparePath, ...), so the
whitespace-control pass can be a literal port.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import TemplateSyntaxError
from .lexer import LexError, tokenize
from .nodes import Call, Comment, Content, Literal, Path, Program
from .whitespace import strip_whitespace

__all__ = ["parse", "position"]

_PARAM_START = frozenset(("ID", "DATA", "STRING", "NUMBER", "BOOLEAN", "UNDEFINED", "NULL", "OPEN_SEXPR"))
_LITERALS = {
    "STRING": "string",
    "NUMBER": "number",
    "BOOLEAN": "boolean",
    "UNDEFINED": "undefined",
    "NULL": "null",
}
_READABLE = {
    "OPEN_ENDBLOCK": "a closing {{/...}}",
    "END_RAW_BLOCK": "a closing {{{{/...}}}}",
    "CLOSE": "'}}'",
    "CLOSE_UNESCAPED": "'}}}'",
    "CLOSE_SEXPR": "')'",
    "CLOSE_RAW_BLOCK": "'}}}}'",
    "CLOSE_BLOCK_PARAMS": "'|'",
}
_BRACKETED = re.compile("\\[[^\\n\\r\\u2028\\u2029]*\\]")


def position(src: str, pos: int) -> tuple[int, int]:
    """1-based (line, column) of an offset."""
    line_start = src.rfind("\n", 0, pos) + 1
    return src.count("\n", 0, pos) + 1, pos - line_start + 1


def _strip(open_text: str, close_text: str) -> tuple[bool, bool]:
    return open_text[2:3] == "~", close_text[-3:-2] == "~"


def _id(text: str) -> str:
    return text[1:-1] if _BRACKETED.fullmatch(text) else text


class _Parser:
    def __init__(self, src: str) -> None:
        self.src = src
        try:
            self.toks = tokenize(src)
        except LexError as exc:
            self.fail(str(exc), exc.pos)
        self.i = 0

    # -- helpers -----------------------------------------------------------------
    def fail(self, message: str, pos: int, stmt_pos: int | None = None) -> None:
        src = self.src
        start = pos if stmt_pos is None else stmt_pos
        if not src.startswith("{{", start) and src.rfind("{{", 0, start) >= 0:
            start = src.rfind("{{", 0, start)  # inside a sub-expression: show its mustache
        if src.startswith("{{", start):
            close = src.find("}}", start)
            end = close + 2 if close >= 0 else len(src)
        else:
            end = start + 1
        tag = src[start:end]
        tag = tag if len(tag) <= 80 else tag[:77] + "..."
        line, column = position(src, start)
        raise TemplateSyntaxError(message, line, column, tag or "<end of template>")

    def peek(self) -> str:
        return self.toks[self.i][0]

    def take(self, kind: str, stmt_pos: int) -> tuple[str, str, int, int]:
        tok = self.toks[self.i]
        if tok[0] != kind:
            self.unexpected(stmt_pos, kind)
        self.i += 1
        return tok

    def unexpected(self, stmt_pos: int, expected: str = "") -> None:
        kind, text, pos, _ = self.toks[self.i]
        what = "end of template" if kind == "EOF" else repr(text)
        wanted = f", expected {_READABLE.get(expected, expected)}" if expected else ""
        self.fail(f"Parse error: unexpected {what}{wanted}", pos, stmt_pos)

    # -- grammar -----------------------------------------------------------------
    def program(self) -> Program:
        body: list[Any] = []
        toks = self.toks
        while True:
            kind, text, pos, _ = toks[self.i]
            if kind == "CONTENT":
                body.append(Content(text, pos))
                self.i += 1
            elif kind == "OPEN" or kind == "OPEN_UNESCAPED":
                body.append(self.mustache())
            elif kind == "OPEN_BLOCK" or kind == "OPEN_INVERSE":
                body.append(self.block())
            elif kind == "COMMENT":
                body.append(Comment(_strip(text, text), pos))
                self.i += 1
            elif kind == "OPEN_PARTIAL" or kind == "OPEN_PARTIAL_BLOCK":
                body.append(self.partial())
            elif kind == "OPEN_RAW_BLOCK":
                body.append(self.raw_block())
            else:
                return Program(body)

    def call_parts(self, stmt_pos: int, partial: bool = False) -> tuple[Any, list[Any], Any]:
        if partial and self.peek() == "OPEN_SEXPR":
            name: Any = self.sexpr()
        else:
            name = self.helper_name(stmt_pos)
        params = []
        toks = self.toks
        while toks[self.i][0] in _PARAM_START:
            if toks[self.i][0] == "ID" and toks[self.i + 1][0] == "EQUALS":
                break
            params.append(self.param(stmt_pos))
        pairs = None
        while toks[self.i][0] == "ID" and toks[self.i + 1][0] == "EQUALS":
            key = _id(toks[self.i][1])
            self.i += 2
            if toks[self.i][0] not in _PARAM_START:
                self.unexpected(stmt_pos, "a value")
            pairs = pairs or []
            pairs.append((key, self.param(stmt_pos)))
        return name, params, pairs

    def param(self, stmt_pos: int) -> Any:
        return self.sexpr() if self.peek() == "OPEN_SEXPR" else self.helper_name(stmt_pos)

    def sexpr(self) -> Call:
        start = self.toks[self.i][2]
        self.i += 1
        path, params, pairs = self.call_parts(start)
        self.take("CLOSE_SEXPR", start)
        return Call("SubExpression", path, params, pairs, start)

    def helper_name(self, stmt_pos: int) -> Any:
        kind, text, pos, _ = self.toks[self.i]
        if kind in _LITERALS:
            self.i += 1
            if kind == "NUMBER":
                value: Any = float(text) if "." in text else int(text)
            elif kind == "BOOLEAN":
                value = text == "true"
            elif kind == "STRING":
                value = text
            else:
                value = None
            original = text if kind in ("UNDEFINED", "NULL") else value
            return Literal(_LITERALS[kind], value, original, pos)
        data = kind == "DATA"
        if data:
            self.i += 1
        if self.peek() != "ID":
            self.unexpected(stmt_pos, "a name")
        return self.path(data, pos, stmt_pos)

    def path(self, data: bool, start: int, stmt_pos: int) -> Path:
        toks = self.toks
        original = "@" if data else ""
        dig: list[str] = []
        depth = 0
        sep = ""
        while True:
            text = toks[self.i][1]
            self.i += 1
            part = _id(text)
            original += sep + part
            if part == text and part in ("..", ".", "this"):
                if dig:
                    self.fail("Invalid path: " + original, start, stmt_pos)
                if part == "..":
                    depth += 1
            else:
                dig.append(part)
            if toks[self.i][0] != "SEP":
                break
            sep = toks[self.i][1]
            self.i += 1
            if toks[self.i][0] != "ID":
                self.unexpected(stmt_pos, "a name")
        return Path(data, depth, dig, original, start)

    def mustache(self) -> Call:
        open_kind, open_text, start, _ = self.toks[self.i]
        self.i += 1
        path, params, pairs = self.call_parts(start)
        close = self.take("CLOSE" if open_kind == "OPEN" else "CLOSE_UNESCAPED", start)
        node = Call("MustacheStatement", path, params, pairs, start)
        flag = open_text[3:4] or open_text[2:3]
        node.escaped = flag not in ("{", "&")
        node.decorator = "*" in open_text
        node.strip = _strip(open_text, close[1])
        if node.decorator:
            self.fail("Decorators other than inline are not supported", start, start)
        return node

    def open_block(self, start: int) -> tuple[str, Any, list[Any], Any, list[str] | None, tuple[bool, bool]]:
        open_text = self.toks[self.i][1]
        self.i += 1
        path, params, pairs = self.call_parts(start)
        names = None
        if self.peek() == "OPEN_BLOCK_PARAMS":
            self.i += 1
            names = []
            while self.peek() == "ID":
                names.append(self.toks[self.i][1])
                self.i += 1
            if not names:
                self.unexpected(start, "a block parameter")
            self.take("CLOSE_BLOCK_PARAMS", start)
        close = self.take("CLOSE", start)
        return open_text, path, params, pairs, names, _strip(open_text, close[1])

    def block(self) -> Call:
        start = self.toks[self.i][2]
        inverted = self.peek() == "OPEN_INVERSE"
        opened = self.open_block(start)
        program = self.program()
        chain = None
        kind = self.peek()
        if kind == "INVERSE" or (kind == "OPEN_INVERSE_CHAIN" and not inverted):
            chain = self.inverse_chain()
        end_start = self.take("OPEN_ENDBLOCK", start)
        close_path = self.helper_name(end_start[2])
        close_tok = self.take("CLOSE", end_start[2])
        close = {"path": close_path, "strip": _strip(end_start[1], close_tok[1]), "pos": end_start[2]}
        return self.prepare_block(opened, program, chain, close, inverted, start)

    def inverse_chain(self) -> dict[str, Any]:
        kind, text, pos, _ = self.toks[self.i]
        if kind == "INVERSE":
            self.i += 1
            return {"strip": _strip(text, text), "program": self.program(), "chain": False}
        opened = self.open_block(pos)
        program = self.program()
        nxt = self.inverse_chain() if self.peek() in ("INVERSE", "OPEN_INVERSE_CHAIN") else None
        inverse = self.prepare_block(opened, program, nxt, nxt, False, pos)
        chained = Program([inverse])
        chained.chained = True
        return {"strip": opened[5], "program": chained, "chain": True}

    def prepare_block(self, opened, program, chain, close, inverted, start) -> Call:
        open_text, path, params, pairs, names, open_strip = opened
        if close and "path" in close:
            self.validate_close(path, close["path"], start, close["pos"])
        node = Call("BlockStatement", path, params, pairs, start)
        node.decorator = "*" in open_text
        program.block_params = names
        inverse = None
        if chain:
            if node.decorator:
                self.fail("Unexpected inverse block on decorator", start, start)
            if chain["chain"]:
                chain["program"].body[0].close_strip = close["strip"]
            node.inverse_strip = chain["strip"]
            inverse = chain["program"]
        if inverted:
            program, inverse = inverse, program
        node.program, node.inverse = program, inverse
        node.open_strip = open_strip
        node.close_strip = close["strip"] if close else None
        if node.decorator:
            node.type = "DecoratorBlock"
            if not (isinstance(path, Path) and path.original == "inline"):
                self.fail("Decorators other than inline are not supported", start, start)
        return node

    def validate_close(self, open_path: Any, close_path: Any, start: int, close_pos: int) -> None:
        opened = getattr(open_path, "original", None)
        closed = close_path if isinstance(close_path, str) else getattr(close_path, "original", None)
        if opened != closed or type(opened) is not type(closed):
            self.fail(f"{opened} doesn't match {closed}", close_pos, close_pos)

    def partial(self) -> Call:
        open_kind, open_text, start, _ = self.toks[self.i]
        self.i += 1
        name, params, pairs = self.call_parts(start, partial=True)
        close = self.take("CLOSE", start)
        if len(params) > 1:
            self.fail(f"Unsupported number of partial arguments: {len(params)}", start, start)
        if open_kind == "OPEN_PARTIAL":
            node = Call("PartialStatement", name, params, pairs, start)
            node.strip = _strip(open_text, close[1])
            return node
        node = Call("PartialBlockStatement", name, params, pairs, start)
        node.open_strip = _strip(open_text, close[1])
        node.program = self.program()
        end_start = self.take("OPEN_ENDBLOCK", start)
        close_path = self.helper_name(end_start[2])
        close_tok = self.take("CLOSE", end_start[2])
        self.validate_close(name, close_path, start, end_start[2])
        node.close_strip = _strip(end_start[1], close_tok[1])
        return node

    def raw_block(self) -> Call:
        start = self.toks[self.i][2]
        self.i += 1
        path, params, pairs = self.call_parts(start)
        self.take("CLOSE_RAW_BLOCK", start)
        body = []
        while self.peek() == "CONTENT":
            _, text, pos, _ = self.toks[self.i]
            body.append(Content(text, pos))
            self.i += 1
        end = self.take("END_RAW_BLOCK", start)
        self.validate_close(path, end[1], start, end[2])
        node = Call("BlockStatement", path, params, pairs, start)
        node.program = Program(body)
        node.open_strip = node.close_strip = node.inverse_strip = (False, False)
        return node


def parse(src: str) -> Program:
    """Parse a template into a whitespace-controlled AST; raises TemplateSyntaxError."""
    parser = _Parser(src)
    root = parser.program()
    if parser.peek() != "EOF":
        parser.unexpected(parser.toks[parser.i][2])
    return strip_whitespace(root)
