"""Handlebars templates with handlebars.js 4.7 semantics (what Pinpoint rendered with).

``import engagement.templating`` stays cheap: the engine loads on first use.
"""

from __future__ import annotations

from engagement.lazy import lazy_exports

from .errors import (
    MAX_TEMPLATE_SIZE,
    HelperError,
    TemplateError,
    TemplateNotFoundError,
    TemplateSyntaxError,
    TemplateTooLargeError,
    UnknownHelperError,
)

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~8 ms at cold start

if TYPE_CHECKING:
    from .options import HelperOptions
    from .template import Template, compile_template, render
    from .values import SafeString

__all__ = [
    "MAX_TEMPLATE_SIZE",
    "HelperError",
    "HelperOptions",
    "SafeString",
    "Template",
    "TemplateError",
    "TemplateNotFoundError",
    "TemplateSyntaxError",
    "TemplateTooLargeError",
    "UnknownHelperError",
    "compile_template",
    "render",
]

_LAZY = {
    "Template": "template",
    "compile_template": "template",
    "render": "template",
    "HelperOptions": "options",
    "SafeString": "values",
}


__getattr__ = lazy_exports(__name__, _LAZY)
