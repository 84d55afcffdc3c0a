"""Compiled templates and the render entry points."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from .builtins import BUILTIN_HELPERS
from .compiler import Compiler
from .errors import MAX_TEMPLATE_SIZE, TemplateError, TemplateTooLargeError
from .parser import parse
from .runtime import Frame, Prog, bind_inline, create_frame

__all__ = ["Template", "compile_template", "default_helpers", "render"]

_PARTIAL_CACHE_SIZE = 256
_defaults: dict[str, Callable[..., Any]] | None = None
_defaults_lock = threading.Lock()


def default_helpers() -> Mapping[str, Callable[..., Any]]:
    """Built-ins plus Pinpoint's helpers, imported on first use (it is a heavy module)."""
    global _defaults
    if _defaults is None:
        with _defaults_lock:
            if _defaults is None:
                merged = dict(BUILTIN_HELPERS)
                try:
                    from .helpers import PINPOINT_HELPERS
                except ImportError:  # the Pinpoint helper package is optional while it is being built
                    PINPOINT_HELPERS = {}  # noqa: N806
                merged.update(PINPOINT_HELPERS)
                _defaults = merged
    return MappingProxyType(_defaults)


def _check_size(source: str, limit: int) -> None:
    if not isinstance(source, str):
        raise TemplateError(f"Template source must be str, not {type(source).__name__}")
    if len(source) * 4 > limit:
        size = len(source.encode("utf-8", "surrogatepass"))
        if size > limit:
            raise TemplateTooLargeError(size, limit)


class Template:
    """A compiled template: immutable and safe to render from many threads at once."""

    __slots__ = ("_helpers", "_limit", "_partials", "_root", "source")

    def __init__(
        self,
        source: str,
        *,
        helpers: Mapping[str, Callable[..., Any]] | None = None,
        max_size: int = MAX_TEMPLATE_SIZE,
    ) -> None:
        _check_size(source, max_size)
        merged = dict(default_helpers())
        if helpers:
            merged.update(helpers)
        self.source = source
        self._helpers = MappingProxyType(merged)
        self._limit = max_size
        self._partials: dict[str, Prog] = {}
        self._root = Compiler(source, self._helpers).program(parse(source))

    def render(self, context: Any = None, *, partials: Mapping[str, Any] | None = None, data=None) -> str:
        """Render with a context; ``partials`` maps names to template source."""
        if data is None or "root" not in data:
            data = create_frame(data) if data else {}
            data["root"] = context
        fr = Frame(data, (context, None), None, partials if partials is not None else {}, self)
        root = self._root
        if root.inline:
            bind_inline(root, context, fr)
        try:
            return root.run(context, fr)
        except RecursionError as exc:
            raise TemplateError("Template recursion too deep (a partial including itself?)") from exc

    def render_partial(self, context: Any, data: Any, partials: Any) -> str:
        """Run as a partial of another template (its data and partials pass through)."""
        fr = Frame(data, (context, None), None, partials, self)
        if self._root.inline:
            bind_inline(self._root, context, fr)
        return self._root.run(context, fr)

    def partial_program(self, source: str) -> Prog:
        """Compile a partial's source with this template's helpers, cached per template."""
        prog = self._partials.get(source)
        if prog is None:
            _check_size(source, self._limit)
            prog = Compiler(source, self._helpers).program(parse(source))
            if len(self._partials) >= _PARTIAL_CACHE_SIZE:
                self._partials.clear()
            self._partials[source] = prog
        return prog


def compile_template(
    source: str, *, helpers: Mapping[str, Callable[..., Any]] | None = None, max_size: int = MAX_TEMPLATE_SIZE
) -> Template:
    """Parse and compile ``source``; ``helpers`` extend or override the defaults."""
    return Template(source, helpers=helpers, max_size=max_size)


@lru_cache(maxsize=128)
def _cached(source: str, max_size: int) -> Template:
    return Template(source, max_size=max_size)


def render(
    source: str,
    context: Any,
    *,
    partials: Mapping[str, str] | None = None,
    helpers: Mapping[str, Callable[..., Any]] | None = None,
    data: Mapping[str, Any] | None = None,
    max_size: int = MAX_TEMPLATE_SIZE,
) -> str:
    """Compile (cached when no extra helpers are given) and render in one call."""
    if helpers:
        template = Template(source, helpers=helpers, max_size=max_size)
    else:
        _check_size(source, max_size)
        template = _cached(source, max_size)
    return template.render(context, partials=partials, data=data)
