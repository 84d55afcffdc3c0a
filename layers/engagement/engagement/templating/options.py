"""What a helper receives as its last argument, like handlebars.js's ``options``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["NO_BLOCK", "HelperOptions"]


def NO_BLOCK(context: Any = None, **_: Any) -> str:  # noqa: N802 - handlebars.js name
    """The ``fn``/``inverse`` of an inline (non-block) helper call: renders nothing."""
    return ""


@dataclass(slots=True)
class HelperOptions:
    """Call-site information passed to every helper as its final positional argument.

    Helpers are plain callables ``helper(*params, options) -> Any``. Their return value
    is printed with JS rules (``values.to_js_string``); for ``{{helper}}`` it is then
    HTML-escaped unless it is a ``values.SafeString``; block helper output is never escaped.
    """

    name: str
    hash: Mapping[str, Any] = field(default_factory=dict)
    data: Mapping[str, Any] = field(default_factory=dict)
    context: Any = None
    is_block: bool = False
    # fn(context, data=None, block_params=None) -> str; renders the block body.
    fn: Callable[..., str] = NO_BLOCK
    # inverse(context, data=None) -> str; renders the {{else}} part ('' when absent).
    inverse: Callable[..., str] = NO_BLOCK
    # Source position of the call, for error messages.
    line: int = 0
    column: int = 0
