"""Ctrl-C and SIGTERM during a command that must clean up after itself (``conformance``)."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Generator
from types import FrameType
from typing import Final

__all__ = ["interrupts_deferred", "terminate_as_interrupt"]

_INTERRUPTS: Final = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def interrupts_deferred() -> Generator[None]:
    """Hold Ctrl-C and SIGTERM back until the block ends, then deliver the first of them to
    the handler in place again (in the main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pressed: list[int] = []
    previous = {
        signum: signal.signal(signum, lambda signum, frame: pressed.append(signum))
        for signum in _INTERRUPTS
    }
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
    if pressed:
        signal.raise_signal(pressed[0])  # Ctrl-C: KeyboardInterrupt; SIGTERM: its handler's


@contextlib.contextmanager
def terminate_as_interrupt(on_terminate: Callable[[], None]) -> Generator[None]:
    """Take SIGTERM as Ctrl-C (``KeyboardInterrupt``) while the block runs, after calling
    ``on_terminate`` (in the main thread only): a run stopped by ``kill`` or a cancelled CI job
    still cleans up."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminated(signum: int, frame: FrameType | None) -> None:
        on_terminate()
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)
