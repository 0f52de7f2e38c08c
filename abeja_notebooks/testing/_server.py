"""A real HTTP/1.1 server (stdlib ``http.server``) in front of an emulator."""

from __future__ import annotations

import contextlib
import logging
import selectors
import socket
import socketserver
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, cast

from ._emulator import Emulator
from ._wire import error_response, reason_phrase

if TYPE_CHECKING:
    from ._records import EmulatorResponse

__all__ = ["EmulatorServer"]

_log = logging.getLogger("abeja_notebooks.testing")

_MAX_BODY = 16 * 1024 * 1024
_TIMEOUT_FAULT_WAIT = 2.0
_IDLE_TIMEOUT = 120.0
_JOIN_TIMEOUT = 5.0


class EmulatorServer:
    """Serve an `Emulator` over real HTTP on a loopback port.

    A threaded HTTP/1.1 server with keep-alive: one daemon thread per connection, each answer
    sent in one write with Nagle's algorithm off (so a keep-alive client is not stalled by
    delayed ACKs). It logs nothing. `EmulatorServer.stop` closes
    idle keep-alive connections and wakes
    requests waiting on an injected latency, so it never hangs.

    Memory: one thread per open connection, and nothing kept once a connection closes; an idle
    keep-alive connection is closed after 120 s. What the emulator keeps is described in
    `Emulator`.

    Args:
        emulator: The emulator to serve (default: a new
            `Emulator` on a ManualClock).
        host: The address to listen on.
        port: The port, 0 for any free one.

    Examples:
        >>> import httpx
        >>> with EmulatorServer() as server, httpx.Client(base_url=server.base_url) as http:
        ...     r = http.get("/organizations/1410000000000/training/definitions/"
        ...                  "train-resnet/notebooks", headers={"Authorization": "Bearer t"})
        >>> r.json()["total"]
        0
    """

    def __init__(
        self, emulator: Emulator | None = None, *, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.emulator: Emulator = emulator if emulator is not None else Emulator()
        """The emulator being served: inject faults and read requests through it."""
        self._host = host
        self._port = port
        self._lock = threading.Lock()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """The server's URL, like ``http://127.0.0.1:54321``.

        Raises:
            RuntimeError: If the server is not running.
        """
        httpd = self._httpd
        if httpd is None:
            raise RuntimeError("the EmulatorServer is not running: call start() first")
        host = httpd.server_name
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{httpd.server_port}"

    @property
    def running(self) -> bool:
        """Whether the server is accepting connections."""
        return self._httpd is not None

    @property
    def connections_accepted(self) -> int:
        """How many TCP connections the server has accepted since it started (0 if stopped).

        A client that reuses its connections (keep-alive) keeps this low.
        """
        httpd = self._httpd
        return 0 if httpd is None else httpd.accepted

    @property
    def open_connections(self) -> int:
        """How many TCP connections are open right now (0 if stopped)."""
        httpd = self._httpd
        return 0 if httpd is None else httpd.open_count

    @property
    def peak_open_connections(self) -> int:
        """The most TCP connections that were open at the same time (0 if stopped).

        Tests use it to check that a client's connection pool is bounded.
        """
        httpd = self._httpd
        return 0 if httpd is None else httpd.peak_open

    def start(self) -> Self:
        """Bind the port and start serving in a background thread.

        Returns:
            The server itself.

        Raises:
            RuntimeError: If it is already running.
            OSError: If the address cannot be bound.
        """
        with self._lock:
            if self._httpd is not None:
                raise RuntimeError("the EmulatorServer is already running")
            httpd = _HTTPServer((self._host, self._port), self.emulator)
            thread = threading.Thread(
                target=httpd.serve_until_stopped,
                name=f"abeja-notebooks-emulator:{httpd.server_port}",
                daemon=True,
            )
            thread.start()
            self._httpd, self._thread = httpd, thread
        return self

    def stop(self) -> None:
        """Stop serving, close every connection and wait for the server's threads.

        Calling it on a stopped server does nothing.
        """
        with self._lock:
            httpd, thread = self._httpd, self._thread
            self._httpd = self._thread = None
        if httpd is None or thread is None:
            return
        httpd.wake_to_stop()
        thread.join()
        httpd.close_connections()
        httpd.server_close()  # also joins the connection threads

    def __enter__(self) -> Self:
        """Start the server if needed.

        Returns:
            The server itself.
        """
        if not self.running:
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the server.

        Args:
            exc_type: Unused.
            exc: Unused.
            tb: Unused.
        """
        self.stop()

    def __repr__(self) -> str:
        where = self.base_url if self._httpd is not None else "stopped"
        return f"<EmulatorServer {where}>"


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], emulator: Emulator) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.emulator = emulator
        self.stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._connection_threads: list[threading.Thread] = []
        self.accepted = 0
        self.peak_open = 0
        self._connections_lock = threading.Lock()
        self._wake_reader, self._wake_writer = socket.socketpair()
        try:
            super().__init__(address, _Handler)
        except BaseException:
            self._wake_reader.close()
            self._wake_writer.close()
            raise

    def serve_until_stopped(self) -> None:
        """Accept connections until :meth:`wake_to_stop` (no polling: stopping is immediate)."""
        # The listening socket is non-blocking, so handle_request() never waits: an accept that
        # finds nothing (a client gone between select and accept) returns at once.
        self.socket.setblocking(False)
        with selectors.DefaultSelector() as selector:
            selector.register(self.socket, selectors.EVENT_READ)
            selector.register(self._wake_reader, selectors.EVENT_READ)
            while not self.stopping.is_set():
                for key, _ in selector.select():
                    if key.fileobj is self.socket and not self.stopping.is_set():
                        self.handle_request()

    def wake_to_stop(self) -> None:
        """Make :meth:`serve_until_stopped` return, and wake requests waiting on a latency."""
        self.stopping.set()
        with contextlib.suppress(OSError):
            self._wake_writer.send(b"x")

    def server_close(self) -> None:
        super().server_close()
        self._wake_reader.close()
        self._wake_writer.close()
        with self._connections_lock:
            threads, self._connection_threads = self._connection_threads, []
        for thread in threads:
            thread.join(_JOIN_TIMEOUT)

    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves the host name (socket.getfqdn), which can be slow.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def process_request(
        self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any
    ) -> None:
        # One daemon thread per connection. The stdlib does not keep track of daemon threads,
        # so they are tracked (and joined on close) here; the connection is registered in the
        # accepting thread, so stop() knows every one of them.
        thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name=f"abeja-notebooks-emulator:{self.server_port}:connection",
            daemon=True,
        )
        with self._connections_lock:
            if isinstance(request, socket.socket):
                self._connections.add(request)
            self.accepted += 1
            self.peak_open = max(self.peak_open, len(self._connections))
            self._connection_threads = [
                alive for alive in self._connection_threads if alive.is_alive()
            ]
            self._connection_threads.append(thread)
        thread.start()

    def shutdown_request(self, request: socket.socket | tuple[bytes, socket.socket]) -> None:
        if isinstance(request, socket.socket):
            with self._connections_lock:
                self._connections.discard(request)
        super().shutdown_request(request)

    def handle_error(
        self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any
    ) -> None:
        # Quiet: a client that goes away mid-request is not the server's problem.
        _log.debug("emulator server: error on a connection from %s", client_address, exc_info=True)

    @property
    def open_count(self) -> int:
        with self._connections_lock:
            return len(self._connections)

    def close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _BodyError(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "abeja-notebooks-emulator"
    sys_version = ""
    timeout = _IDLE_TIMEOUT

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def do_HEAD(self) -> None:
        self._serve()

    def do_OPTIONS(self) -> None:
        self._serve()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # http.server's own errors (bad request line, unsupported verb, ...) in the API's shape.
        self.close_connection = True
        with contextlib.suppress(OSError):
            self._send(error_response(code, message or reason_phrase(code)))

    def _serve(self) -> None:
        server = cast(_HTTPServer, self.server)
        try:
            body = self._read_body()
        except _BodyError as exc:
            self.close_connection = True
            self._send(error_response(exc.status, str(exc)))
            return
        raw_path, _, query = self.path.partition("?")
        headers: dict[str, str] = {}
        for name, value in self.headers.items():
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else str(value)
        answer = server.emulator.handle(self.command, raw_path, query, headers, body)
        delay = answer.delay
        if answer.action == "timeout" and delay <= 0:
            delay = _TIMEOUT_FAULT_WAIT
        if delay > 0 and server.stopping.wait(delay):
            self.close_connection = True
            return
        if answer.action in ("drop", "refuse", "timeout"):
            self.close_connection = True  # the connection is closed without a response
            return
        if answer.action == "truncate":
            self.close_connection = True
        self._send(answer)

    def _read_body(self) -> bytes:
        encoding = self.headers.get("Transfer-Encoding")
        if encoding is not None:
            if encoding.strip().lower() != "chunked":
                raise _BodyError(501, f"unsupported Transfer-Encoding {encoding!r}")
            return self._read_chunked()
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        if not length.strip().isdigit():
            raise _BodyError(400, "invalid Content-Length")
        size = int(length)
        if size > _MAX_BODY:
            raise _BodyError(413, "request body too large")
        body = self.rfile.read(size)
        if len(body) < size:
            raise _BodyError(400, "request body shorter than its Content-Length")
        return body

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(65537)
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise _BodyError(400, "invalid chunked body") from None
            if size == 0:
                while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(chunks)
            total += size
            if total > _MAX_BODY:
                raise _BodyError(413, "request body too large")
            chunks.append(self.rfile.read(size))
            self.rfile.readline(65537)

    def _send(self, answer: EmulatorResponse) -> None:
        """Write the status line, the headers and the body in one write."""
        lines = [f"HTTP/1.1 {answer.status} {reason_phrase(answer.status)}\r\n"]
        lines.extend(f"{name}: {value}\r\n" for name, value in answer.headers.items())
        if not any(name.lower() == "date" for name in answer.headers):
            lines.append(f"Date: {self.date_time_string()}\r\n")  # unless a fault set its own
        lines.append(f"Server: {self.server_version}\r\n")
        if self.close_connection:
            lines.append("Connection: close\r\n")
        lines.append("\r\n")
        data = "".join(lines).encode("latin-1", errors="replace")
        if self.command != "HEAD":
            data += answer.body
        self.wfile.write(data)
