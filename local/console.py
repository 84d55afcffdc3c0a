"""Readable demo output: headings, steps and aligned tables, no dependencies."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any


def heading(title: str) -> None:
    print(f"\n{'=' * 78}\n{title}\n{'=' * 78}")


def step(text: str) -> None:
    print(f"\n-> {text}")


def table(rows: Iterable[Sequence[Any]], headers: Sequence[str]) -> None:
    """Print rows as a fixed-width table sized to its content."""
    cells = [[str(h) for h in headers], *[["" if c is None else str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    line = "  ".join("-" * w for w in widths)
    for index, row in enumerate(cells):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
        if index == 0:
            print(line)
