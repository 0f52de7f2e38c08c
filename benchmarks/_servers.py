"""Minimal loopback HTTP servers that answer every request with the same canned body.

Each does as little as a server can (one write per response, keep-alive, Nagle off), and runs in
its own process, so the client being measured never competes with it for the GIL: the
difference between two clients measured against it is the clients' own cost. The threaded one
(a thread per connection, as ``http.server`` does it) answers one client's calls one after
another; the event-loop one answers many connections at once without its threads fighting
over the GIL, so a fan-out measures the clients, not the server's contention.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Self

__all__ = ["CannedServer", "serve", "serve_concurrently"]


def _canned(body_path: str) -> bytes:
    body = Path(body_path).read_bytes()
    return (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )


def serve(body_path: str) -> None:
    """Serve the file's bytes to every request on a free port; print the port, run for ever."""
    response = _canned(body_path)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            self.wfile.write(response)

        def do_POST(self) -> None:  # a create, for the fresh-connection row
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.wfile.write(response)

        def log_message(self, format: str, *args: object) -> None:
            pass

    class Server(ThreadingHTTPServer):
        request_queue_size = 128  # a fan-out opens dozens of connections at once

    server = Server(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(server.server_port, flush=True)
    server.serve_forever()


def serve_concurrently(body_path: str) -> None:
    """Like :func:`serve`, on one asyncio event loop (requests without bodies only)."""
    response = _canned(body_path)

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                await reader.readuntil(b"\r\n\r\n")
                writer.write(response)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(answer, "127.0.0.1", 0, backlog=128)
        print(server.sockets[0].getsockname()[1], flush=True)
        await server.serve_forever()

    asyncio.run(main())


class CannedServer:
    """Serve ``body`` (as JSON) to every request on 127.0.0.1, from a child process.

    Args:
        body: The JSON bytes every answer carries.
        concurrent: Serve from one event loop (:func:`serve_concurrently`), not a thread per
            connection (:func:`serve`).
    """

    def __init__(self, body: bytes, *, concurrent: bool = False) -> None:
        self._body = body
        self._serve = "serve_concurrently" if concurrent else "serve"
        self._process: subprocess.Popen[str] | None = None
        self._port = 0

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self._port}"

    def __enter__(self) -> Self:
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as file:
            file.write(self._body)
        code = f"from benchmarks._servers import {self._serve} as s; s({file.name!r})"
        self._process = subprocess.Popen(
            [sys.executable, "-c", code],
            stdout=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).resolve().parent.parent,
        )
        if hasattr(os, "sched_setaffinity"):  # not on the CPU the measuring process holds
            os.sched_setaffinity(self._process.pid, range(os.cpu_count() or 1))
        assert self._process.stdout is not None
        self._port = int(self._process.stdout.readline())
        Path(file.name).unlink()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.communicate(timeout=10)
