"""A small thread-safe LRU cache whose entries expire after a TTL.

``functools.lru_cache`` has no expiry and no way to drop one key, and a warm Lambda
container lives for hours: a template edited in the store must show up within the
TTL. No new dependency for forty lines.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["TTLCache"]

V = TypeVar("V")
_MISSING = object()


class TTLCache(Generic[V]):
    """At most ``maxsize`` entries, least recently used evicted first, each valid ``ttl_seconds``."""

    def __init__(
        self, maxsize: int, ttl_seconds: float, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if maxsize < 1:
            raise ValueError(f"cache size must be at least 1, got {maxsize}")
        if ttl_seconds <= 0:
            raise ValueError(f"cache TTL must be positive, got {ttl_seconds}")
        self.maxsize = maxsize
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._entries: OrderedDict[Hashable, tuple[float, V]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, default: V | None = None) -> V | None:
        """The live value for ``key`` (marked most recently used), else ``default``."""
        with self._lock:
            entry = self._entries.get(key, _MISSING)
            if entry is _MISSING:
                return default
            expires, value = entry  # type: ignore[misc]
            if self._clock() >= expires:
                del self._entries[key]
                return default
            self._entries.move_to_end(key)
            return value

    def set(self, key: Hashable, value: V) -> None:
        with self._lock:
            self._entries[key] = (self._clock() + self.ttl_seconds, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)

    def get_or_set(self, key: Hashable, factory: Callable[[], V]) -> V:
        """Return the cached value or build, store and return it.

        ``factory`` runs outside the lock: two threads may build the same entry once
        each, which is cheaper than serialising every compile behind one lock.
        """
        value = self.get(key, _MISSING)  # type: ignore[arg-type]
        if value is not _MISSING:
            return value  # type: ignore[return-value]
        value = factory()
        self.set(key, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
