"""A notebook's log stream, produced lazily from the clock, and its opaque page tokens."""

from __future__ import annotations

import base64
import binascii
import math
from dataclasses import dataclass

__all__ = ["LogStream", "TokenError", "decode_token", "encode_token"]

MAX_RETAINED_EVENTS = 50_000
"""How many events a stream keeps; older ones are forgotten (tokens into them are clamped)."""

_EPSILON = 1e-9


class TokenError(ValueError):
    """A log token that this emulator did not issue for this notebook and direction."""


@dataclass(frozen=True)
class _Run:
    start: float
    interval: float
    startup: tuple[str, ...]
    heartbeat_prefix: str


class LogStream:
    """The events of one notebook: generated while it runs, plus appended ones.

    Event ``k`` of a run is due at ``run start + k * interval``: first the startup lines, then
    numbered heartbeats. Events are materialized only when the stream is looked at, so a
    notebook that nobody reads costs nothing, and the result is the same whenever it is read.

    Indices are absolute (they count forgotten events too), so tokens stay valid while the stream
    grows.
    """

    __slots__ = ("_base", "_emitted", "_events", "_heartbeats", "_run")

    def __init__(self) -> None:
        self._events: list[tuple[float, str]] = []
        self._base = 0
        self._run: _Run | None = None
        self._emitted = 0
        self._heartbeats = 0

    @property
    def end(self) -> int:
        """The absolute index just after the last event."""
        return self._base + len(self._events)

    @property
    def first(self) -> int:
        """The absolute index of the oldest retained event."""
        return self._base

    def begin_run(
        self, start: float, interval: float, startup: tuple[str, ...], heartbeat_prefix: str
    ) -> None:
        """Start producing events at ``start``, one every ``interval`` seconds.

        Args:
            start: The clock time of the first event (when the notebook becomes Running).
            interval: Seconds between events.
            startup: The first lines of the run.
            heartbeat_prefix: Text before the heartbeat number in later lines.
        """
        self._run = _Run(start, interval, startup, heartbeat_prefix)
        self._emitted = 0

    def end_run(self, now: float) -> None:
        """Produce what was due up to ``now``, then stop producing.

        Args:
            now: The clock time the run ends.
        """
        self.produce(now)
        run = self._run
        if run is not None:
            self._heartbeats += max(0, self._emitted - len(run.startup))
        self._run = None
        self._emitted = 0

    def produce(self, now: float) -> None:
        """Materialize every generated event due at or before ``now``.

        Args:
            now: The current clock time.
        """
        run = self._run
        if run is None or now < run.start:
            return
        due = math.floor((now - run.start) / run.interval + _EPSILON) + 1
        if due <= self._emitted:
            return
        if due - self._emitted > MAX_RETAINED_EVENTS:
            # Everything retained so far and the start of this batch would be trimmed at once:
            # forget them without materializing them.
            skipped = due - self._emitted - MAX_RETAINED_EVENTS
            self._base += len(self._events) + skipped
            self._events.clear()
            self._emitted += skipped
        n_startup = len(run.startup)
        append = self._events.append
        for k in range(self._emitted, due):
            if k < n_startup:
                message = run.startup[k]
            else:
                message = f"{run.heartbeat_prefix}{self._heartbeats + k - n_startup + 1}"
            append((run.start + k * run.interval, message))
        self._emitted = due
        self._trim()

    def append(self, timestamp: float, message: str) -> None:
        """Add one event (after producing what was due before it).

        Args:
            timestamp: The event's clock time.
            message: Its text.
        """
        self.produce(timestamp)
        self._events.append((timestamp, message))
        self._trim()

    def slice(self, start: int, stop: int) -> list[tuple[float, str]]:
        """Return the retained events with absolute indices in ``[start, stop)``.

        Args:
            start: The first absolute index.
            stop: The absolute index after the last.

        Returns:
            ``(timestamp, message)`` pairs, oldest first.
        """
        lo = max(start, self._base) - self._base
        hi = max(stop, self._base) - self._base
        return self._events[lo:hi]

    def _trim(self) -> None:
        excess = len(self._events) - MAX_RETAINED_EVENTS
        if excess > MAX_RETAINED_EVENTS // 2:
            del self._events[:excess]
            self._base += excess


def encode_token(kind: str, notebook_id: str, index: int) -> str:
    """Make an opaque log token.

    Args:
        kind: ``"f"`` (forward) or ``"b"`` (backward).
        notebook_id: The notebook the token belongs to.
        index: The absolute event index it points at.

    Returns:
        A base64url string (no padding) that does not look like a number.
    """
    raw = f"{kind}:{notebook_id}:{index}".encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_token(token: str, kind: str, notebook_id: str) -> int:
    """Read back a token made by :func:`encode_token`.

    Args:
        token: The token as received.
        kind: The direction it must have.
        notebook_id: The notebook it must belong to.

    Returns:
        The absolute event index.

    Raises:
        TokenError: If the token is not one of ours, or is for another direction or notebook.
    """
    try:
        padded = token + "=" * (-len(token) % 4)
        text = base64.b64decode(padded, altchars=b"-_", validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise TokenError("not a token issued by this server") from exc
    parts = text.split(":")
    if len(parts) != 3 or not parts[2].isdigit() or not parts[2].isascii():
        raise TokenError("not a token issued by this server")
    if parts[0] != kind:
        raise TokenError("a token for the other direction")
    if parts[1] != notebook_id:
        raise TokenError("a token for another notebook")
    return int(parts[2])
