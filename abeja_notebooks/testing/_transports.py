"""In-process httpx transports that answer from an emulator, without a socket."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any, cast

import httpx

if TYPE_CHECKING:
    from ._emulator import Emulator
    from ._records import EmulatorResponse

__all__ = ["AsyncEmulatorTransport", "EmulatorTransport"]

_DISCONNECTED = "Server disconnected without sending a response."
_REFUSED = "[Errno 111] Connection refused"
_TIMED_OUT = "timed out"


class EmulatorTransport(httpx.BaseTransport):
    """A synchronous httpx transport backed by ``Emulator.handle``.

    Faults come out as the exceptions httpx raises for the real thing: a dropped connection as
    ``httpx.RemoteProtocolError``, a refused one as ``httpx.ConnectError``, a timeout
    as ``httpx.ReadTimeout`` (also when an injected latency exceeds the request's read
    timeout), and a truncated body as ``httpx.RemoteProtocolError`` while reading it.

    Args:
        emulator: The emulator to answer from.
    """

    def __init__(self, emulator: Emulator) -> None:
        self._emulator = emulator

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Answer one request.

        Args:
            request: The request httpx wants to send.

        Returns:
            The emulator's answer.

        Raises:
            httpx.ConnectError: For a ``refuse`` fault.
            httpx.ReadTimeout: For a ``timeout`` fault or a latency beyond the read timeout.
            httpx.RemoteProtocolError: For a ``drop`` fault.
        """
        answer = self._emulator.handle(*_unpack(request, request.read()))
        wait, error = _plan(request, answer)
        if wait > 0:
            time.sleep(wait)
        if error is not None:
            raise error
        return _response(request, answer, _TruncatedStream(answer, request))


class AsyncEmulatorTransport(httpx.AsyncBaseTransport):
    """An asynchronous httpx transport backed by ``Emulator.handle``.

    It behaves as :class:`EmulatorTransport`, waiting with ``asyncio.sleep``.

    Args:
        emulator: The emulator to answer from.
    """

    def __init__(self, emulator: Emulator) -> None:
        self._emulator = emulator

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Answer one request.

        Args:
            request: The request httpx wants to send.

        Returns:
            The emulator's answer.

        Raises:
            httpx.ConnectError: For a ``refuse`` fault.
            httpx.ReadTimeout: For a ``timeout`` fault or a latency beyond the read timeout.
            httpx.RemoteProtocolError: For a ``drop`` fault.
        """
        answer = self._emulator.handle(*_unpack(request, await request.aread()))
        wait, error = _plan(request, answer)
        if wait > 0:
            await asyncio.sleep(wait)
        if error is not None:
            raise error
        return _response(request, answer, _AsyncTruncatedStream(answer, request))


def _unpack(request: httpx.Request, body: bytes) -> tuple[str, str, str, dict[str, str], bytes]:
    raw_path = request.url.raw_path.partition(b"?")[0].decode("ascii", errors="replace")
    query = request.url.query.decode("ascii", errors="replace")
    headers: dict[str, str] = {}
    for name, value in request.headers.multi_items():
        key = name.lower()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return request.method, raw_path, query, headers, body


def _read_timeout(request: httpx.Request) -> float | None:
    timeouts: Any = request.extensions.get("timeout")
    if not isinstance(timeouts, dict):
        return None
    read: Any = cast(dict[str, Any], timeouts).get("read")
    return float(read) if isinstance(read, int | float) else None


def _plan(request: httpx.Request, answer: EmulatorResponse) -> tuple[float, Exception | None]:
    """Decide how long to wait and what to raise, the same way for both transports."""
    read_timeout = _read_timeout(request)
    if answer.action == "refuse":
        return answer.delay, httpx.ConnectError(_REFUSED, request=request)
    if answer.action == "timeout":
        wait = answer.delay if read_timeout is None else min(answer.delay, read_timeout)
        return wait, httpx.ReadTimeout(_TIMED_OUT, request=request)
    if read_timeout is not None and answer.delay > read_timeout:
        return read_timeout, httpx.ReadTimeout(_TIMED_OUT, request=request)
    if answer.action == "drop":
        return answer.delay, httpx.RemoteProtocolError(_DISCONNECTED, request=request)
    return answer.delay, None


def _response(
    request: httpx.Request,
    answer: EmulatorResponse,
    truncated: httpx.SyncByteStream | httpx.AsyncByteStream,
) -> httpx.Response:
    headers = list(answer.headers.items())
    if answer.action == "truncate":
        return httpx.Response(answer.status, headers=headers, stream=truncated, request=request)
    content = b"" if request.method == "HEAD" else answer.body
    # A stream, not content=: httpx then decodes the body (Content-Encoding) as it is read, as
    # from a socket, instead of at once inside the transport.
    stream = httpx.ByteStream(content)
    return httpx.Response(answer.status, headers=headers, stream=stream, request=request)


def _truncation_error(
    answer: EmulatorResponse, request: httpx.Request
) -> httpx.RemoteProtocolError:
    expected = answer.headers.get("Content-Length", "?")
    return httpx.RemoteProtocolError(
        "peer closed connection without sending complete message body "
        f"(received {len(answer.body)} bytes, expected {expected})",
        request=request,
    )


class _TruncatedStream(httpx.SyncByteStream):
    """A body that stops short of its ``Content-Length``."""

    def __init__(self, answer: EmulatorResponse, request: httpx.Request) -> None:
        self._answer = answer
        self._request = request

    def __iter__(self) -> Iterator[bytes]:
        if self._answer.body:
            yield self._answer.body
        raise _truncation_error(self._answer, self._request)


class _AsyncTruncatedStream(httpx.AsyncByteStream):
    """A body that stops short of its ``Content-Length``."""

    def __init__(self, answer: EmulatorResponse, request: httpx.Request) -> None:
        self._answer = answer
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self._answer.body:
            yield self._answer.body
        raise _truncation_error(self._answer, self._request)
