"""A tiny HTTP server on 127.0.0.1 for what the emulator cannot do: misbehave mid-answer.

It reads a request, records it, then runs a *behaviour* on the socket (for example: announce a
large body and trickle it one byte at a time). A behaviour that returns ``True`` keeps the
connection for the next request (keep-alive); otherwise the connection is closed. Every loop is
bounded and every wait ends when the server stops, so a test can never hang on it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import socket
import socketserver
import struct
import threading
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Self

_MAX_TRICKLE_SECONDS = 10.0


@dataclass(frozen=True)
class Received:
    """A request the hostile server read."""

    method: str
    target: str
    headers: dict[str, str]
    connection: int = 0
    """Which connection it came on: 1 for the first the server accepted, and so on."""
    idle: float = 0.0
    """How long the connection had been idle before it (0 for a connection's first)."""


Behaviour = Callable[[socket.socket, threading.Event, Received], bool | None]
"""What to do after a request was read: ``behaviour(connection, stopping, request)``; ``True``
keeps the connection open for another request."""


def slow_body(interval: float = 0.02) -> Behaviour:
    """Answer 200 with a 1 MB ``Content-Length``, then send one byte every ``interval`` seconds
    (for at most ten seconds, or until the client goes away or the server stops)."""

    def behave(connection: socket.socket, stopping: threading.Event, request: Received) -> None:
        del request
        connection.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{"
        )
        for _ in range(int(_MAX_TRICKLE_SECONDS / interval)):
            if stopping.wait(interval):
                return
            connection.sendall(b" ")

    return behave


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, owner: HostileServer) -> None:
        self.owner = owner
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        owner = getattr(self.server, "owner", None)
        assert isinstance(owner, HostileServer)
        connection: socket.socket = self.request
        connection.settimeout(5.0)
        with owner.lock:
            owner.connections += 1
            number = owner.connections
        with contextlib.suppress(OSError):
            idle_since = None
            while not owner.stopping.is_set():
                received = _read_request(connection)
                if received is None:
                    return
                idle = 0.0 if idle_since is None else time.monotonic() - idle_since
                received = dataclasses.replace(received, connection=number, idle=idle)
                with owner.lock:
                    owner.requests.append(received)
                if not owner.behaviour(connection, owner.stopping, received):
                    return
                idle_since = time.monotonic()


def _read_request(connection: socket.socket) -> Received | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk or len(data) > 1_000_000:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    request_line, *lines = head.decode("latin-1").split("\r\n")
    method, target, _ = request_line.split(" ", 2)
    headers: dict[str, str] = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0") or 0)
    while len(body) < length:
        chunk = connection.recv(65536)
        if not chunk:
            break
        body += chunk
    return Received(method, target, headers)


class HostileServer:
    """Serve ``behaviour`` on a loopback port; use it as a context manager."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self.requests: list[Received] = []
        self.connections = 0
        """How many connections were accepted."""
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self._server = _Server(self)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5.0)


# --- answers and misbehaviours -------------------------------------------------------------


def http_answer(status: int, body: bytes = b"", headers: Mapping[str, str] | None = None) -> bytes:
    """The bytes of a whole HTTP/1.1 answer (``Content-Length`` set from ``body``)."""
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Whatever')}"]
    fields = {"Content-Type": "application/json", **(headers or {})}
    fields["Content-Length"] = str(len(body))
    lines += [f"{name}: {value}" for name, value in fields.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


_REASONS = {200: "OK", 400: "Bad Request", 429: "Too Many Requests", 503: "Service Unavailable"}


def keep_alive(
    answer: Callable[[Received], bytes], close_idle_after: float | None = None
) -> Behaviour:
    """Answer each request with ``answer(request)`` and keep the connection open.

    With ``close_idle_after``, a request that arrives on a connection idle that long is not
    answered: the connection is closed, as by a server whose idle timeout ran out just as the
    request came (the client had no way to see it coming).
    """

    def behave(connection: socket.socket, stopping: threading.Event, received: Received) -> bool:
        del stopping
        if close_idle_after is not None and received.idle >= close_idle_after:
            return False
        connection.sendall(answer(received))
        return True

    return behave


def trickle_headers(interval: float = 0.1) -> Behaviour:
    """Start a 200 answer, then send its header bytes one every ``interval`` seconds (for at
    most ten seconds): each read gets data long before any read timeout."""

    def behave(connection: socket.socket, stopping: threading.Event, request: Received) -> None:
        del request
        connection.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        for _ in range(int(_MAX_TRICKLE_SECONDS / interval)):
            if stopping.wait(interval):
                return
            connection.sendall(b"a")

    return behave


def processing_forever(interval: float = 0.3) -> Behaviour:
    """Send ``102 Processing`` every ``interval`` seconds (for at most ten seconds), never an
    answer: a client that skips 1xx answers keeps waiting."""

    def behave(connection: socket.socket, stopping: threading.Event, request: Received) -> None:
        del request
        for _ in range(int(_MAX_TRICKLE_SECONDS / interval)):
            connection.sendall(b"HTTP/1.1 102 Processing\r\n\r\n")
            if stopping.wait(interval):
                return

    return behave


@functools.cache
def gzip_bomb(mebibytes: int = 1024) -> bytes:
    """A valid gzip body of about 1 KB per MiB that inflates to ``mebibytes`` MiB of zeros.

    Built from one compressed MiB repeated (each is flushed in full, so each compresses to
    the same bytes), with the trailer computed for the whole.
    """
    zeros = bytes(1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    first = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    end = compressor.flush(zlib.Z_FINISH)[:-8]  # the last (empty) block, without the trailer
    crc = 0
    for _ in range(mebibytes):
        crc = zlib.crc32(zeros, crc)
    trailer = struct.pack("<II", crc, (mebibytes << 20) & 0xFFFFFFFF)
    return first + again * (mebibytes - 1) + end + trailer
