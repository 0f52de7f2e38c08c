"""The SDK's hook at the socket: whole-attempt time bounds and fresh connections.

httpx applies its timeouts to each socket operation, so a server that sends its header bytes
one at a time, or a ``102 Processing`` every few tenths of a second, holds a request for as
long as it likes. The SDK therefore wraps the *network backend* of every httpcore connection
pool it sends through (httpx's own transports, proxies included; see :func:`guard`): each
connect, read and write of the attempt in flight gets at most the time left of that attempt
(:class:`~abeja_notebooks._body.Budget`, found in a context variable), and fails with httpx's
timeout error once it has passed. The connection is then closed by httpcore, as after any
timeout.

The same hook keeps the age of each connection: while a request that must not go onto a
likely stale connection (a create) waits for one, the pool sees every connection idle for
``Budget.fresh_after`` seconds or more as closed by the server, and opens a new one instead.
A connection whose answer did not match its request is marked (:func:`discard`) and seen as
closed the same way, so it is never used again.

Bytes a server sends past the end of an answer would be read as the answer to the next request
on that connection. httpcore drops an idle connection whose socket is readable, but not one
whose HTTP/1.1 parser (h11) already holds such bytes, received with the end of the answer in
the same read. :func:`watch` shows each connection's stream its parser, and the pool then sees
a connection whose parser holds bytes while idle as closed by the server: it is never reused,
whatever the next request (a create or a delete carries no id to compare). The pool asks
before every reuse, even when it hands a connection just given back to a request waiting for
one, so no request can take the connection first.

Outside an SDK attempt the wrappers change nothing, except that a connection marked by
:func:`discard`, or holding bytes past its last answer, is not reused: a pool handed in by the
caller otherwise behaves as before for its other users. A transport that is not httpx's own
(an in-process one) has no socket: there, the phases' timeouts and the per-chunk checks of the
body reader bound an attempt.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import httpx

from ._body import ATTEMPT

__all__ = ["discard", "guard", "settle", "watch"]

logger = logging.getLogger("abeja_notebooks")


def _cut(timeout: float | None, phase: str) -> float | None:
    """``timeout`` shortened to what is left of the attempt in flight.

    Raises:
        httpcore.TimeoutException: Nothing is left (``phase`` names which kind).
    """
    budget = ATTEMPT.get()
    if budget is None or budget.ends is None:
        return timeout
    left = budget.ends - time.monotonic()
    if left <= 0:
        raise _ran_out(phase)
    return left if timeout is None or left < timeout else timeout


def _ran_out(phase: str) -> Exception:
    """The timeout error of ``phase`` for an attempt whose budget is spent."""
    import httpcore  # only now: httpcore is loaded once a pool exists, not with the SDK

    budget = ATTEMPT.get()
    what = "its time" if budget is None else budget.what
    kinds = {"connect": httpcore.ConnectTimeout, "write": httpcore.WriteTimeout}
    return kinds.get(phase, httpcore.ReadTimeout)(f"ran out of {what}")


def _late(
    error: Exception, cut: float | None, timeout: float | None, phase: str
) -> Exception | None:
    """When ``error`` is the timeout of a ``cut`` shorter than httpx's own: one that says why."""
    import httpcore

    if cut is timeout or not isinstance(error, httpcore.TimeoutException):
        return None
    return _ran_out(phase)


class _Age:
    """When a connection was last used, and whether it must not be used again."""

    __slots__ = ("discarded", "parser", "used")

    def __init__(self) -> None:
        self.used = time.monotonic()
        self.discarded = False
        self.parser: Any = None
        """The connection's h11 parser, once :func:`watch` found it (``False``: looked, none)."""

    def stale(self) -> bool:
        """Whether the pool is to see the (idle) connection as closed by the server."""
        if self.discarded:
            return True
        parser = self.parser
        if parser and parser.trailing_data[0]:  # bytes past the last answer: never read them
            return True
        budget = ATTEMPT.get()
        fresh_after = None if budget is None else budget.fresh_after
        return fresh_after is not None and time.monotonic() - self.used >= fresh_after


class _Stream(_Age):
    """A sync httpcore network stream, bounded by the attempt in flight."""

    __slots__ = ("_stream",)

    def __init__(self, stream: Any) -> None:
        super().__init__()
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        cut = _cut(timeout, "read")
        try:
            data: bytes = self._stream.read(max_bytes, cut)
        except Exception as exc:
            late = _late(exc, cut, timeout, "read")
            if late is None:
                raise
            raise late from None
        self.used = time.monotonic()
        return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        cut = _cut(timeout, "write")
        try:
            self._stream.write(buffer, cut)
        except Exception as exc:
            late = _late(exc, cut, timeout, "write")
            if late is None:
                raise
            raise late from None
        self.used = time.monotonic()

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> _Stream:
        return _Stream(
            self._stream.start_tls(ssl_context, server_hostname, _cut(timeout, "connect"))
        )

    def get_extra_info(self, info: str) -> Any:
        # httpcore asks whether an idle connection is readable to learn whether the server
        # closed it: a stale or discarded one answers yes, and the pool drops it.
        if info == "is_readable" and self.stale():
            return True
        return self._stream.get_extra_info(info)


class _AsyncStream(_Age):
    """An async httpcore network stream, bounded by the attempt in flight."""

    __slots__ = ("_stream",)

    def __init__(self, stream: Any) -> None:
        super().__init__()
        self._stream = stream

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        cut = _cut(timeout, "read")
        try:
            data: bytes = await self._stream.read(max_bytes, cut)
        except Exception as exc:
            late = _late(exc, cut, timeout, "read")
            if late is None:
                raise
            raise late from None
        self.used = time.monotonic()
        return data

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        cut = _cut(timeout, "write")
        try:
            await self._stream.write(buffer, cut)
        except Exception as exc:
            late = _late(exc, cut, timeout, "write")
            if late is None:
                raise
            raise late from None
        self.used = time.monotonic()

    async def aclose(self) -> None:
        await self._stream.aclose()

    async def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> _AsyncStream:
        stream = await self._stream.start_tls(
            ssl_context, server_hostname, _cut(timeout, "connect")
        )
        return _AsyncStream(stream)

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable" and self.stale():
            return True
        return self._stream.get_extra_info(info)


class _Backend:
    """A sync httpcore network backend whose streams are :class:`_Stream` s."""

    def __init__(self, backend: Any) -> None:
        self._backend = backend

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> _Stream:
        timeout = _cut(timeout, "connect")
        return _Stream(
            self._backend.connect_tcp(host, port, timeout, local_address, socket_options)
        )

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> _Stream:
        return _Stream(
            self._backend.connect_unix_socket(path, _cut(timeout, "connect"), socket_options)
        )

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


class _AsyncBackend:
    """An async httpcore network backend whose streams are :class:`_AsyncStream` s."""

    def __init__(self, backend: Any) -> None:
        self._backend = backend

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> _AsyncStream:
        timeout = _cut(timeout, "connect")
        stream = await self._backend.connect_tcp(host, port, timeout, local_address, socket_options)
        return _AsyncStream(stream)

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> _AsyncStream:
        timeout = _cut(timeout, "connect")
        return _AsyncStream(await self._backend.connect_unix_socket(path, timeout, socket_options))

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


def guard(http: httpx.Client | httpx.AsyncClient) -> None:
    """Put the hook under every httpcore pool of ``http`` (its transport and its mounts).

    Connections the pool opens from now on are bounded by the SDK's attempts; those it holds
    already are left as they are. A transport without an httpcore pool (an in-process one) is
    left alone. One of httpx's own HTTP transports whose pool cannot be reached (httpx or
    httpcore changed their internals) is left alone too, with a warning on the
    ``abeja_notebooks`` logger: without the hook, the time bounds hold per socket read only,
    and a create may go onto a connection the server is closing.
    """
    owner: Any = http
    mounts: Any = getattr(owner, "_mounts", None)
    transports: list[Any] = [getattr(owner, "_transport", None)]
    if isinstance(mounts, dict):
        transports += list(mounts.values())  # pyright: ignore[reportUnknownArgumentType] -- httpx's own dict
    for transport in transports:
        pool: Any = getattr(transport, "_pool", None)
        backend: Any = getattr(pool, "_network_backend", None)
        if backend is None:
            if isinstance(transport, httpx.HTTPTransport | httpx.AsyncHTTPTransport):
                logger.warning(
                    "cannot reach the connection pool of %s (httpx %s): calls through it are "
                    "bounded per socket read only, not as a whole, and a create may go onto "
                    "a stale connection; see the SDK's supported httpcore versions",
                    type(transport).__name__,
                    httpx.__version__,
                )
            continue
        if not isinstance(backend, _Backend | _AsyncBackend):
            is_async = hasattr(pool, "handle_async_request")  # httpcore's async pools
            pool._network_backend = _AsyncBackend(backend) if is_async else _Backend(backend)


def watch(response: httpx.Response) -> None:
    """Show the stream ``response`` came on its connection's HTTP/1.1 parser (see above).

    Found once per connection, through httpx's and httpcore's response streams (httpcore
    1.0's attribute names); where they are not found (HTTP/2, an in-process transport, other
    versions), nothing is done.
    """
    stream = response.extensions.get("network_stream")
    if isinstance(stream, _Age) and stream.parser is None:
        stream.parser = _parser(response.stream) or False


def _parser(stream: object) -> Any:
    # httpx's bound stream -> its response stream -> the pool's stream -> the connection's
    # stream -> the HTTP/1.1 connection, which holds the parser.
    inner: Any = stream
    for _ in range(6):
        parser = getattr(inner, "_h11_state", None)
        if parser is not None:
            return parser if hasattr(parser, "trailing_data") else None
        inner = (
            getattr(inner, "_stream", None)
            or getattr(inner, "_httpcore_stream", None)
            or getattr(inner, "_connection", None)
        )
    return None


def discard(response: httpx.Response) -> None:
    """Make sure the connection ``response`` came on is never used again.

    For an answer that did not match its request, or a body that was not read to its end: the
    connection may hold bytes that would become the answer to the next request sent on it. No
    I/O happens here: the pool drops the connection when it next looks at it.
    """
    stream = response.extensions.get("network_stream")
    if isinstance(stream, _Age):
        stream.discarded = True


async def settle(stream: object) -> None:
    """Finish releasing a connection whose close a cancellation cut short (async only).

    httpcore's pool (1.0.x) gives a connection back in its response stream's ``aclose``. A
    task cancelled from outside (``task.cancel()``, ``asyncio.timeout``) while that close awaits
    skips the rest of it: the request stays registered in the pool and the connection stays
    busy for good (the family of encode/httpcore#1093). Enough of them fill the pool, and every
    later request then waits for a connection until it times out. This finishes the steps the
    interrupted close skipped, and does nothing when they ran. ``stream`` is the answer's
    ``httpx`` stream as it came (the pool's stream is found inside it).
    """
    inner: Any = stream
    for _ in range(4):  # httpx's bound stream, its response stream, the pool's stream
        if hasattr(inner, "_pool_request") and hasattr(inner, "_pool"):
            break
        inner = getattr(inner, "_stream", None) or getattr(inner, "_httpcore_stream", None)
    else:
        return
    pool, request = inner._pool, inner._pool_request
    if request not in pool._requests:
        return
    connection = request.connection
    with pool._optional_thread_lock:
        pool._requests.remove(request)
    if connection is not None:
        await connection.aclose()  # half read or half closed: never reused
    with pool._optional_thread_lock:
        closing = pool._assign_requests_to_connections()
    await pool._close_connections(closing)
