"""What went over the wire: recorded requests and the core's answers."""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["EmulatorResponse", "RecordedRequest", "RequestLog", "ResponseAction"]

ResponseAction = Literal["respond", "drop", "refuse", "timeout", "truncate"]
"""What a transport does with an `EmulatorResponse`."""


@dataclass(frozen=True)
class RecordedRequest:
    """One request the emulator received, as it arrived.

    Every request that reaches the emulator's core is recorded, including those an injected fault
    then dropped, refused or timed out, so a test can count a client's attempts.

    Attributes:
        method: The HTTP verb, upper case.
        path: The decoded path (each segment percent-decoded, joined with ``/``).
        raw_path: The path as sent, percent-encoding kept, without the query string.
        query: The query string, parsed (blank values kept).
        headers: The request headers, with lower-case names.
        body: The raw request body.
        time: The emulator clock's time when the request arrived.
        request_id: The ``x-request-id`` the emulator answered with (if it answered).

    Examples:
        >>> req = emulator.requests[-1]  # doctest: +SKIP
        >>> req.method, req.path, req.json  # doctest: +SKIP
        ('POST', '/organizations/1410000000000/training/definitions/train-resnet/notebooks', {})
    """

    method: str
    path: str
    raw_path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    time: float
    request_id: str = ""

    @property
    def json(self) -> Any:
        """The body parsed as JSON.

        Returns:
            The parsed value, or None when the body is empty or is not valid JSON.
        """
        if not self.body:
            return None
        try:
            return json.loads(self.body)
        except ValueError:
            return None


@dataclass(frozen=True)
class EmulatorResponse:
    """The emulator core's answer to one request, for a transport to deliver.

    Attributes:
        status: The HTTP status code.
        headers: Response headers, including ``Content-Length`` (which, for ``truncate``, is
            larger than ``body``) and ``x-request-id``.
        body: The bytes to send.
        action: ``respond`` (send it), ``drop`` (close without answering), ``refuse`` (refuse the
            connection), ``timeout`` (never answer) or ``truncate`` (send it, then close before
            the announced length is reached).
        delay: Real seconds to wait before acting.
    """

    status: int
    headers: dict[str, str] = field(default_factory=lambda: {})
    body: bytes = b""
    action: ResponseAction = "respond"
    delay: float = 0.0

    def json(self) -> Any:
        """Parse the body as JSON.

        Returns:
            The parsed body.

        Raises:
            ValueError: If the body is not valid JSON.
        """
        return json.loads(self.body)


class RequestLog:
    """The recorded requests, oldest first, at most ``limit`` of them. Not thread-safe by itself.

    With a limit, recording one more request forgets the oldest at once, so the log holds exactly
    ``limit`` requests once full (its memory is then flat).

    Attributes:
        limit: How many requests to keep (None: all of them).
    """

    __slots__ = ("_entries", "limit")

    def __init__(self) -> None:
        self._entries: deque[RecordedRequest] = deque()
        self.limit: int | None = None

    def record(self, request: RecordedRequest) -> None:
        """Add a request, forgetting the oldest ones beyond ``limit``.

        Args:
            request: The request.
        """
        entries = self._entries
        entries.append(request)
        limit = self.limit
        if limit is not None:
            while len(entries) > limit:
                entries.popleft()

    def snapshot(self) -> list[RecordedRequest]:
        """Give the recorded requests.

        Returns:
            A copy, oldest first.
        """
        return list(self._entries)

    def clear(self) -> None:
        """Forget every request."""
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
