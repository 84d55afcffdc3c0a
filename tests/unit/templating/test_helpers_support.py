"""Shared plumbing for the helper tests: call a Pinpoint helper the way the engine does."""

from __future__ import annotations

from typing import Any

from engagement.templating.helpers import PINPOINT_HELPERS
from engagement.templating.options import HelperOptions
from engagement.templating.values import to_js_string


def call(name: str, *params: Any, **hash_: Any) -> Any:
    """``{{name params... key=value...}}`` as an inline call; returns the raw helper result."""
    return PINPOINT_HELPERS[name](*params, HelperOptions(name=name, hash=hash_))


def show(name: str, *params: Any, **hash_: Any) -> str:
    """What ``{{name ...}}`` prints before HTML escaping (JS printing rules)."""
    return to_js_string(call(name, *params, **hash_))


def block(name: str, *params: Any, context: Any = None, **hash_: Any) -> str:
    """``{{#name params...}}yes{{else}}no{{/name}}``; the branches echo the context they get."""
    options = HelperOptions(
        name=name,
        hash=hash_,
        context=context,
        is_block=True,
        fn=lambda ctx, **_: f"yes:{ctx}",
        inverse=lambda ctx, **_: f"no:{ctx}",
    )
    return PINPOINT_HELPERS[name](*params, options)
