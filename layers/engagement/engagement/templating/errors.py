"""Errors raised by the template engine.

Positions are 1-based lines and 1-based columns, as editors show them (handlebars.js
reports 0-based columns).
"""

from __future__ import annotations

__all__ = [
    "MAX_TEMPLATE_SIZE",
    "HelperError",
    "TemplateError",
    "TemplateSyntaxError",
    "TemplateTooLargeError",
    "UnknownHelperError",
]

MAX_TEMPLATE_SIZE = 512 * 1024
"""Largest accepted template source, in UTF-8 bytes (partials are checked too)."""


class TemplateError(Exception):
    """Base class of every error the engine raises."""


class TemplateSyntaxError(TemplateError):
    """The source is not a valid handlebars template."""

    def __init__(self, message: str, line: int, column: int, tag: str) -> None:
        self.line = line
        self.column = column
        self.tag = tag
        self.reason = message
        super().__init__(f"{message} at line {line}, column {column}: {tag}")


class UnknownHelperError(TemplateError):
    """A helper was called with arguments but no such helper exists."""

    def __init__(self, helper: str, line: int = 0, column: int = 0) -> None:
        self.helper = helper
        self.line = line
        self.column = column
        where = f" (line {line}, column {column})" if line else ""
        super().__init__(f'Missing helper: "{helper}"{where}')


class HelperError(TemplateError):
    """A helper raised while rendering; the original exception is ``__cause__``."""

    def __init__(self, helper: str, line: int, column: int, error: BaseException) -> None:
        self.helper = helper
        self.line = line
        self.column = column
        self.error = error
        super().__init__(
            f'Helper "{helper}" failed at line {line}, column {column}: {type(error).__name__}: {error}'
        )


class TemplateTooLargeError(TemplateError):
    """The source is over the size limit, refused before parsing."""

    def __init__(self, size: int, limit: int) -> None:
        self.size = size
        self.limit = limit
        super().__init__(f"Template is {size} bytes, over the {limit} byte limit")


class TemplateNotFoundError(TemplateError, LookupError):
    """The store has no template of this name, version and type (or the name is invalid)."""

    def __init__(self, name: str, kind: str, version: str | None, reason: str = "") -> None:
        self.template_name = name
        self.template_type = kind
        self.version = version
        which = f"version {version} of " if version is not None else ""
        message = f"{which}{kind} template '{name}' not found"
        if reason:  # the store's own words, when they say more
            message = reason if f"'{name}'" in reason else f"{message}: {reason}"
        super().__init__(message)
