"""Clocks the emulator reads its time from.

The emulator never runs background threads: every time-dependent fact (a notebook turning
``Running``, a log line being written) is computed from the clock when it is looked at. In tests a
`ManualClock` makes that fully deterministic; a served
emulator uses `RealClock`.
"""

from __future__ import annotations

import math
import threading
import time
from typing import Protocol, runtime_checkable

__all__ = ["ManualClock", "RealClock", "TimeSource"]


@runtime_checkable
class TimeSource(Protocol):
    """Where an emulator reads the time: anything with ``now()`` in epoch seconds.

    Not to be confused with the SDK's `Clock` (``monotonic``, ``sleep``,
    ``asleep``), which a client sleeps on. `ManualClock`
    and `RealClock` are both, so one clock can drive an
    emulator and the clients that test against it.

    Examples:
        >>> class Frozen:
        ...     def now(self) -> float:
        ...         return 0.0
        >>> isinstance(Frozen(), TimeSource)
        True
    """

    def now(self) -> float:
        """Return the current time.

        Returns:
            Seconds since the Unix epoch (UTC).
        """
        ...


class RealClock:
    """The wall clock (``time.time``).

    Examples:
        >>> RealClock().now() > 1_500_000_000
        True
    """

    def now(self) -> float:
        """Return the wall-clock time.

        Returns:
            Seconds since the Unix epoch (UTC).
        """
        return time.time()

    def monotonic(self) -> float:
        """Seconds on the wall clock (the SDK's ``Clock`` protocol).

        Returns:
            Seconds since the Unix epoch (UTC).
        """
        return time.time()

    def sleep(self, seconds: float) -> None:
        """Block for ``seconds`` of real time (the SDK's ``Clock`` protocol).

        Args:
            seconds: How long to sleep.
        """
        time.sleep(seconds)

    async def asleep(self, seconds: float) -> None:
        """Suspend the task for ``seconds`` of real time (the SDK's ``Clock`` protocol).

        Args:
            seconds: How long to sleep.
        """
        import asyncio  # only async code gets here: importing the clocks stays light

        await asyncio.sleep(seconds)

    def __repr__(self) -> str:
        return "RealClock()"


class ManualClock:
    """A clock that only moves when told to. Thread-safe.

    Time never goes backwards: the emulator derives notebook states and log lines from the clock,
    and moving it back would "un-happen" events that a client has already seen.

    Args:
        start: The initial time, in epoch seconds (default: a moment in May 2026).

    Raises:
        ValueError: If ``start`` is not a finite number.

    Examples:
        >>> clock = ManualClock(start=100.0)
        >>> clock.advance(2.5)
        >>> clock.now()
        102.5
    """

    def __init__(self, start: float = 1_780_000_000.0) -> None:
        self._now = _finite(start, "start")
        self._lock = threading.Lock()
        self.sleeps: list[float] = []
        """Every ``sleep``/``asleep`` the SDK asked for, in order (seconds)."""

    def now(self) -> float:
        """Return the clock's current time.

        Returns:
            Seconds since the Unix epoch.
        """
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        """Move the clock forward.

        Args:
            seconds: How far to move, zero or more.

        Raises:
            ValueError: If ``seconds`` is negative or not finite.
        """
        seconds = _finite(seconds, "seconds")
        if seconds < 0:
            raise ValueError(f"a ManualClock cannot go backwards (advance({seconds!r}))")
        with self._lock:
            self._now += seconds

    def set(self, t: float) -> None:
        """Jump to an absolute time.

        Args:
            t: The new time in epoch seconds; not earlier than the current time.

        Raises:
            ValueError: If ``t`` is earlier than the current time or not finite.
        """
        t = _finite(t, "t")
        with self._lock:
            if t < self._now:
                raise ValueError(
                    f"a ManualClock cannot go backwards (set({t!r}) while it reads {self._now!r})"
                )
            self._now = t

    # The SDK's ``abeja_notebooks.Clock`` protocol: a client built with ``clock=`` this clock
    # "sleeps" by moving the emulator's time, so retries, waits and log following take no
    # real time in tests, and every sleep is recorded in ``sleeps``.

    def monotonic(self) -> float:
        """Return the clock's current time (the SDK's ``Clock`` protocol).

        Returns:
            Seconds since the Unix epoch.
        """
        return self.now()

    def sleep(self, seconds: float) -> None:
        """Advance the clock by ``seconds`` at once and record the sleep.

        Args:
            seconds: How long the caller wanted to sleep.
        """
        with self._lock:
            self.sleeps.append(seconds)
        self.advance(seconds)

    async def asleep(self, seconds: float) -> None:
        """Advance the clock by ``seconds``, record the sleep, and let other tasks run once.

        Args:
            seconds: How long the caller wanted to sleep.
        """
        import asyncio  # only async code gets here: importing the clocks stays light

        self.sleep(seconds)
        await asyncio.sleep(0)

    def __repr__(self) -> str:
        return f"ManualClock(now={self.now()!r})"


def _finite(value: float, name: str) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return number
