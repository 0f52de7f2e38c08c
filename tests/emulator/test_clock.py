"""Clocks: the manual one moves only when told, forward only; the real one is the wall clock."""

from __future__ import annotations

import threading
import time

import pytest

from abeja_notebooks.testing import ManualClock, RealClock, TimeSource


def test_manual_clock_starts_at_the_default_moment() -> None:
    assert ManualClock().now() == 1_780_000_000.0


def test_manual_clock_advances_by_the_given_seconds() -> None:
    clock = ManualClock(start=100.0)
    clock.advance(2.5)
    clock.advance(0)
    assert clock.now() == 102.5


def test_manual_clock_refuses_to_go_backwards() -> None:
    clock = ManualClock(start=100.0)
    with pytest.raises(ValueError, match="backwards"):
        clock.advance(-1)
    with pytest.raises(ValueError, match="backwards"):
        clock.set(99.0)
    assert clock.now() == 100.0


def test_manual_clock_set_jumps_forward() -> None:
    clock = ManualClock(start=100.0)
    clock.set(250.0)
    assert clock.now() == 250.0


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_manual_clock_rejects_non_finite_values(value: float) -> None:
    with pytest.raises(ValueError, match="finite"):
        ManualClock(start=value)
    with pytest.raises(ValueError, match="finite"):
        ManualClock().advance(value)


def test_manual_clock_is_thread_safe() -> None:
    clock = ManualClock(start=0.0)

    def tick() -> None:
        for _ in range(1000):
            clock.advance(1)

    threads = [threading.Thread(target=tick) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert clock.now() == 8000.0


def test_real_clock_reads_the_wall_clock() -> None:
    assert abs(RealClock().now() - time.time()) < 1.0


def test_both_clocks_are_time_sources_for_the_emulator() -> None:
    assert isinstance(ManualClock(), TimeSource)
    assert isinstance(RealClock(), TimeSource)
