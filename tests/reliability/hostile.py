"""A tiny HTTP server on 127.0.0.1 for what the emulator cannot do: misbehave mid-answer.

It reads one request per connection, records it, then runs a *behaviour* on the socket (for
example: announce a large body and trickle it one byte at a time). Every loop is bounded and
every wait ends when the server stops, so a test can never hang on it.
"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import threading
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Self

Behaviour = Callable[[socket.socket, threading.Event], None]
"""What to do after a request was read: ``behaviour(connection, stopping)``."""

_MAX_TRICKLE_SECONDS = 10.0


@dataclass(frozen=True)
class Received:
    """A request the hostile server read."""

    method: str
    target: str
    headers: dict[str, str]


def slow_body(interval: float = 0.02) -> Behaviour:
    """Answer 200 with a 1 MB ``Content-Length``, then send one byte every ``interval`` seconds
    (for at most ten seconds, or until the client goes away or the server stops)."""

    def behave(connection: socket.socket, stopping: threading.Event) -> None:
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
        with contextlib.suppress(OSError):
            received = _read_request(connection)
            if received is None:
                return
            with owner.lock:
                owner.requests.append(received)
            owner.behaviour(connection, owner.stopping)


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
