"""Amazon Pinpoint's message-template helpers, registered by default in the engine.

``PINPOINT_HELPERS`` maps Pinpoint's helper names to plain callables
``helper(*params, options)``. Importing this package is cheap: modules such as
``re``, ``hashlib``, ``datetime`` and ``zoneinfo`` load on first use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import conditional, dates, encoding, math, strings

__all__ = ["PINPOINT_HELPERS"]

PINPOINT_HELPERS: dict[str, Callable[..., Any]] = {
    **conditional.HELPERS,
    **strings.HELPERS,
    **dates.HELPERS,
    **math.HELPERS,
    **encoding.HELPERS,
}
