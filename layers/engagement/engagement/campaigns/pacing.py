"""``Limits.MessagesPerSecond``: sends are spaced evenly and never exceed the rate in any window.

``acquire()`` is called right before each provider call (the channel's senders are wrapped, so
the pace is the pace of real sends, whichever thread sends). Two rules, both enforced on the
moments sends are granted:

- even spacing: consecutive grants at least ``SLACK / rate`` apart;
- sliding window: grant ``i + n`` (``n`` = rate) at least ``SLACK`` seconds after grant ``i``.

``SLACK`` (1.02) leaves 20 ms for the gap between a grant and the provider call, so no
one-second window measured at the provider holds more than ``rate`` sends.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

SLACK = 1.02


class Pacer:
    def __init__(
        self,
        rate: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.interval = SLACK / rate
        self._window: deque[float] = deque(maxlen=max(1, math.floor(rate)))
        self._next = 0.0
        self._lock = threading.Lock()
        self._clock = clock
        self._sleep = sleep

    def acquire(self, count: int = 1) -> None:
        """Block until ``count`` more sends fit the pace, then record them as granted now."""
        for _ in range(count):
            self._acquire_one()

    def _acquire_one(self) -> None:
        while True:
            with self._lock:
                now = self._clock()
                earliest = self._next
                if len(self._window) == self._window.maxlen:
                    earliest = max(earliest, self._window[0] + SLACK)
                if now >= earliest:
                    self._window.append(now)
                    self._next = max(now, self._next) + self.interval
                    return
            self._sleep(earliest - now)


class PacedSender:
    """A channel sender (email, SMS, webhook) whose ``send`` first waits for the pacer."""

    def __init__(self, inner: Any, pacer: Pacer | None = None) -> None:
        self.inner = inner
        self.pacer = pacer

    def send(self, *args: Any, **kwargs: Any) -> Any:
        if self.pacer is not None:
            self.pacer.acquire()
        return self.inner.send(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:  # from_address, origination_identity, ...
        return getattr(self.inner, name)
