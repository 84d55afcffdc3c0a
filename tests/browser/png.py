"""Just enough PNG decoding (8-bit RGB/RGBA, non-interlaced, all five filters) to look at a
screenshot's pixels without an imaging library."""

from __future__ import annotations

import struct
import zlib
from collections import Counter
from itertools import accumulate


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def pixels(data: bytes) -> tuple[int, int, list[tuple[int, int, int]]]:
    """(width, height, RGB pixels row by row)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    position, idat, header = 8, b"", b""
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        position += 12 + length
    width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", header)
    if depth != 8 or color not in (2, 6) or interlace:
        raise ValueError(f"unsupported PNG (depth {depth}, color type {color}, interlace {interlace})")
    channels = 3 if color == 2 else 4
    stride = width * channels
    raw = zlib.decompress(idat)
    previous = bytearray(stride)
    out: list[tuple[int, int, int]] = []
    for row in range(height):
        start = row * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        if kind == 0:
            pass
        elif kind == 2:  # Up: no dependency along the row
            line = bytearray((a + b) & 0xFF for a, b in zip(line, previous, strict=True))
        elif kind == 1:  # Sub: a running sum per channel
            for c in range(channels):
                line[c::channels] = bytes(accumulate(line[c::channels], lambda a, b: (a + b) & 0xFF))
        else:
            _unfilter(line, previous, kind, channels)
        out += [tuple(line[i : i + 3]) for i in range(0, stride, channels)]  # type: ignore[misc]
        previous = line
    return width, height, out


def _unfilter(line: bytearray, previous: bytearray, kind: int, channels: int) -> None:
    """Average (3) and Paeth (4), byte by byte."""
    for i in range(len(line)):
        left = line[i - channels] if i >= channels else 0
        up = previous[i]
        corner = previous[i - channels] if i >= channels else 0
        predictor = (left + up) // 2 if kind == 3 else _paeth(left, up, corner)
        line[i] = (line[i] + predictor) & 0xFF


def colour_counts(data: bytes) -> Counter:
    return Counter(pixels(data)[2])
