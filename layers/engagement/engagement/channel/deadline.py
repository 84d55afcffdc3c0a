"""Pinpoint waits at most 15 s for the function: stop starting sends before that."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Deadline:
    """``remaining_ms`` is the Lambda context's ``get_remaining_time_in_millis``.

    New sends start only while more than ``margin_ms`` remain. A send already running may use
    time down to half the margin; the other half is kept to write event records and return.
    """

    remaining_ms: Callable[[], int]
    margin_ms: int

    def may_start(self) -> bool:
        return self.remaining_ms() > self.margin_ms

    def time_left_s(self) -> float:
        """Seconds an in-flight send may still take (its timeouts and retries stay inside)."""
        return max(0.0, (self.remaining_ms() - self.margin_ms / 2) / 1000)

    def write_time_left_s(self) -> float:
        """Seconds the bookkeeping after a send (completion and release writes) may still take."""
        return max(0.0, (self.remaining_ms() - self.margin_ms / 4) / 1000)
