"""``Limits.MessagesPerSecond``: sends are spaced evenly and never exceed the rate in any window.

``acquire()`` is called right before each provider call (the channel's senders are wrapped, so
the pace is the pace of real sends, whichever thread sends). Two rules:

- even spacing: each call reserves the next slot, ``SLACK / rate`` after the previous one, under
  a lock, and sleeps until it (one wake-up per send, no herd of waiting threads);
- sliding window, on the moments sends are actually granted (a thread may wake late and bunch
  with the next): grant ``i + n`` (``n`` = rate) comes at least ``SLACK`` seconds after grant
  ``i``, or waits.

``SLACK`` (1.02) leaves 20 ms between a grant and the provider call, so no one-second window
measured at the provider holds more than ``rate`` sends; the cost is a 2 % slower pace.
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
        """Sleep until the next even slot (reserved under the lock: one wake-up per send), then
        take a grant only if the last ``rate`` grants span at least ``SLACK`` seconds."""
        with self._lock:
            slot = max(self._clock(), self._next)
            self._next = slot + self.interval
        wait = slot - self._clock()
        if wait > 0:
            self._sleep(wait)
        while True:
            with self._lock:
                now = self._clock()
                full = len(self._window) == self._window.maxlen
                if not full or now >= self._window[0] + SLACK:
                    self._window.append(now)
                    return
                wait = self._window[0] + SLACK - now
            self._sleep(wait)


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
