"""Encoding helpers: ``encode64 decode64 md5 sha256 sha512 uuid``.

Text is UTF-8 (Pinpoint's examples: ``{{sha256 "Hello World"}}``); digests are
lower-case hex. Modules are imported on first use to keep the package import cheap.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..values import SafeString
from ._common import HelperArgumentError, helper, is_missing, text

__all__ = ["HELPERS"]


@helper("encode64", 1, 1)
def encode64(value: Any, *, options: Any) -> str:
    """Standard Base64 (with ``=`` padding) of the UTF-8 bytes.

    A SafeString: the alphabet holds nothing HTML-unsafe, and ``{{ }}`` would otherwise
    print the padding as ``&#x3D;`` (Pinpoint's example prints ``=``).
    """
    import base64

    if is_missing(value):
        return ""
    return SafeString(base64.b64encode(text(value).encode()).decode("ascii"))


@helper("decode64", 1, 1)
def decode64(value: Any, *, options: Any) -> str:
    """Decode standard or URL-safe Base64 (padding optional) to UTF-8 text."""
    import base64
    import binascii

    if is_missing(value):
        return ""
    encoded = "".join(text(value).split()).replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True).decode()
    except (binascii.Error, ValueError) as exc:
        kind = "UTF-8 text" if isinstance(exc, UnicodeDecodeError) else "valid Base64"
        raise HelperArgumentError(f"value is not {kind}: {text(value)[:40]!r}") from None


def _digest(name: str) -> Callable[..., Any]:
    @helper(name, 1, 1)
    def digest(value: Any, *, options: Any) -> str:
        import hashlib

        return "" if is_missing(value) else hashlib.new(name, text(value).encode()).hexdigest()

    digest.__doc__ = f"Lower-case hex {name} of the UTF-8 bytes."
    return digest


@helper("uuid", 0, 0)
def uuid(*, options: Any) -> str:
    """A random (version 4) UUID, e.g. ``95f36680-152c-4052-99ec-cc3cdf7ca594``."""
    import uuid as _uuid

    return str(_uuid.uuid4())


HELPERS: dict[str, Callable[..., Any]] = {
    "encode64": encode64,
    "decode64": decode64,
    "md5": _digest("md5"),
    "sha256": _digest("sha256"),
    "sha512": _digest("sha512"),
    "uuid": uuid,
}
