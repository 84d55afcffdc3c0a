"""JSON for the hot paths of a scan: orjson when present (the layer ships it), else the standard library.

orjson decodes an endpoint document about twice as fast as ``json`` and encodes a JSON Lines
row several times faster (docs/decisions/0011-orjson-item-decode.md).
"""

from __future__ import annotations

import json
from typing import Any

try:
    import orjson
except ImportError:  # pragma: no cover - a bare install without the layer's requirements
    orjson = None  # type: ignore[assignment]


def _json_line(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


if orjson is not None:
    loads = orjson.loads

    def json_line(value: Any) -> bytes:
        """One JSON Lines row (UTF-8, compact, newline-terminated)."""
        return orjson.dumps(value, option=orjson.OPT_APPEND_NEWLINE)

else:  # pragma: no cover
    loads = json.loads
    json_line = _json_line
