"""A minimal loopback HTTP server that answers every GET and POST with the same canned body.

It does as little as a server can (one write per response, keep-alive, Nagle off), and runs in
its own process, so the client being measured never competes with it for the GIL: the
difference between two clients measured against it is the clients' own cost.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Self

__all__ = ["CannedServer", "serve"]


def serve(body_path: str) -> None:
    """Serve the file's bytes to every request on a free port; print the port, run for ever."""
    body = Path(body_path).read_bytes()
    response = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            self.wfile.write(response)

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.wfile.write(response)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(server.server_port, flush=True)
    server.serve_forever()


class CannedServer:
    """Serve ``body`` (as JSON) to every request on 127.0.0.1, from a child process."""

    def __init__(self, body: bytes) -> None:
        self._body = body
        self._process: subprocess.Popen[str] | None = None
        self._port = 0

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self._port}"

    def __enter__(self) -> Self:
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as file:
            file.write(self._body)
        code = f"from benchmarks._servers import serve; serve({file.name!r})"
        self._process = subprocess.Popen(
            [sys.executable, "-c", code],
            stdout=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).resolve().parent.parent,
        )
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
