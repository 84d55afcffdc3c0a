"""MessagesPerSecond: never above the rate in any one-second window, evenly spaced (fake clock)."""

from __future__ import annotations

import threading
from bisect import bisect_left

from engagement.campaigns.pacing import PacedSender, Pacer


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self.lock:
            self.now += max(seconds, 0.0)


def max_in_any_window(times: list[float], width: float = 1.0) -> int:
    times = sorted(times)
    return max(bisect_left(times, t + width) - i for i, t in enumerate(times))


def grant_times(rate: float, count: int) -> list[float]:
    clock = FakeClock()
    pacer = Pacer(rate, clock=clock, sleep=clock.sleep)
    times = []
    for _ in range(count):
        pacer.acquire()
        times.append(clock())
    return times


def test_grants_never_exceed_the_rate_in_any_window():
    grants = grant_times(50, 500)
    assert max_in_any_window(grants) <= 50
    assert 500 / 50 * 0.95 <= grants[-1] - grants[0] <= 500 / 50 * 1.05  # ~ 10 s: not slower either


def test_a_fractional_rate_spaces_sends_more_than_a_second_apart():
    grants = grant_times(0.5, 3)
    assert grants[1] - grants[0] >= 2.0


def test_the_paced_sender_waits_before_each_send_and_keeps_the_senders_attributes():
    class Inner:
        from_address = "noreply@example.com"

        def __init__(self):
            self.calls = []

        def send(self, message):
            self.calls.append(message)
            return "id"

    clock = FakeClock()
    inner = Inner()
    sender = PacedSender(inner, Pacer(10, clock=clock, sleep=clock.sleep))
    for number in range(20):
        assert sender.send(number) == "id"
    assert inner.calls == list(range(20)) and clock() >= 1.9
    assert sender.from_address == "noreply@example.com"
