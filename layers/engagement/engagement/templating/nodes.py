"""AST nodes, shaped like handlebars.js's so its whitespace rules port line for line."""

from __future__ import annotations

from typing import Any


class Node:
    __slots__ = ()
    type = ""


class Program(Node):
    __slots__ = ("block_params", "body", "chained")
    type = "Program"

    def __init__(self, body: list[Any], block_params: list[str] | None = None) -> None:
        self.body = body
        self.block_params = block_params
        self.chained = False


class Content(Node):
    __slots__ = ("left_stripped", "original", "pos", "right_stripped", "value")
    type = "ContentStatement"

    def __init__(self, text: str, pos: int) -> None:
        self.original = self.value = text
        self.pos = pos
        self.left_stripped = self.right_stripped = False


class Comment(Node):
    __slots__ = ("pos", "strip")
    type = "CommentStatement"

    def __init__(self, strip: tuple[bool, bool], pos: int) -> None:
        self.strip = strip
        self.pos = pos


class Path(Node):
    __slots__ = ("data", "depth", "original", "parts", "pos")
    type = "PathExpression"

    def __init__(self, data: bool, depth: int, parts: list[str], original: str, pos: int) -> None:
        self.data = data
        self.depth = depth
        self.parts = parts
        self.original = original
        self.pos = pos


class Literal(Node):
    __slots__ = ("kind", "original", "pos", "value")
    type = "Literal"

    def __init__(self, kind: str, value: Any, original: Any, pos: int) -> None:
        self.kind = kind
        self.value = value
        self.original = original
        self.pos = pos


class Call(Node):
    """Mustache, sub-expression, block, partial and partial block (fields unused stay None)."""

    __slots__ = (
        "block_params",
        "close_strip",
        "decorator",
        "escaped",
        "hash",
        "indent",
        "inverse",
        "inverse_strip",
        "open_strip",
        "params",
        "path",
        "pos",
        "program",
        "strip",
        "type",
    )

    def __init__(
        self, type_: str, path: Any, params: list[Any], hash_: list[tuple[str, Any]] | None, pos: int
    ):
        self.type = type_
        self.path = path
        self.params = params
        self.hash = hash_
        self.pos = pos
        self.escaped = True
        self.decorator = False
        self.strip = self.open_strip = self.close_strip = self.inverse_strip = None
        self.program = self.inverse = None
        self.indent = ""
        self.block_params = None
