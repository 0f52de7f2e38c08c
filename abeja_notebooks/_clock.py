"""Where the SDK reads time and sleeps: the :class:`Clock` protocol and the real clock."""

from __future__ import annotations

import time
from typing import Protocol, runtime_checkable

__all__ = ["Clock", "SystemClock"]


@runtime_checkable
class Clock(Protocol):
    """What the SDK reads time from and sleeps on (retries, ``wait_until``, following logs).

    The default is `SystemClock`. The emulator's
    `ManualClock` implements it too: its ``sleep``
    advances the emulator's time at once, so tests never wait. Pass one as ``clock=`` to a
    client.

    A call's ``deadline`` is measured on this clock. Network time is measured on the real one:
    each attempt may use, in real time, what the clock says is left of the deadline when the
    attempt starts. With the system clock the two agree; a manual clock does not move while a
    request is in flight, so there network time does not count against the deadline.
    """

    def monotonic(self) -> float:
        """Read the clock.

        Returns:
            Seconds on a clock that never goes back (only differences are meaningful).
        """
        ...

    def sleep(self, seconds: float) -> None:
        """Block the calling thread.

        Args:
            seconds: How long.
        """
        ...

    async def asleep(self, seconds: float) -> None:
        """Suspend the calling task.

        Args:
            seconds: How long.
        """
        ...


class SystemClock:
    """The real clock: ``time.monotonic``, ``time.sleep`` and ``asyncio.sleep``."""

    def monotonic(self) -> float:
        """Read ``time.monotonic()``.

        Returns:
            Seconds on the system's monotonic clock.
        """
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        """``time.sleep(seconds)``.

        Args:
            seconds: How long.
        """
        time.sleep(seconds)

    async def asleep(self, seconds: float) -> None:
        """``await asyncio.sleep(seconds)``.

        Args:
            seconds: How long.
        """
        import asyncio  # here, not at module level: sync users never pay for importing asyncio

        await asyncio.sleep(seconds)

    def __repr__(self) -> str:
        return "SystemClock()"
