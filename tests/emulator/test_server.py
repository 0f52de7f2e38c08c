"""The real HTTP server: keep-alive, speed, clean stops, quietness, edge cases of HTTP."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from abeja_notebooks.testing import Emulator, EmulatorServer

from ._support import BEARER, TLS, TOKEN, P, assert_api_error


def _raw_exchange(server: EmulatorServer, data: bytes) -> bytes:
    host, port = server.base_url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(data)
        chunks: list[bytes] = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def _local_port(response: httpx.Response) -> int:
    stream: Any = response.extensions["network_stream"]
    address: tuple[str, int] = stream.get_extra_info("client_addr")
    return address[1]


def test_base_url_is_a_loopback_http_url(server: EmulatorServer) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", server.base_url)


def test_base_url_needs_a_running_server() -> None:
    with pytest.raises(RuntimeError, match="start"):
        _ = EmulatorServer().base_url


def test_start_returns_the_server_and_stop_is_idempotent() -> None:
    server = EmulatorServer()
    assert server.start() is server
    with pytest.raises(RuntimeError, match="already"):
        server.start()
    server.stop()
    server.stop()
    assert not server.running


def test_a_stopped_server_can_start_again() -> None:
    server = EmulatorServer().start()
    server.stop()
    server.start()
    try:
        with httpx.Client(base_url=server.base_url, headers=BEARER, verify=TLS) as http:
            assert http.get(P).status_code == 200
    finally:
        server.stop()


def test_a_server_makes_its_own_emulator_by_default() -> None:
    assert isinstance(EmulatorServer().emulator, Emulator)


def test_keep_alive_connections_are_reused(served: httpx.Client, emulator: Emulator) -> None:
    first = served.get(P)
    emulator.inject(status=503)
    second = served.get(P)
    third = served.post(P, json={})
    assert (first.status_code, second.status_code, third.status_code) == (200, 503, 200)
    assert _local_port(first) == _local_port(second) == _local_port(third)


def test_a_keep_alive_client_is_served_without_nagle_stalls(served: httpx.Client) -> None:
    served.get(P)
    count = 200
    started = time.perf_counter()
    for _ in range(count):
        served.get(P)
    per_request = (time.perf_counter() - started) / count
    # A Nagle/delayed-ACK stall costs about 40 ms per request; a healthy loopback round trip
    # through httpx is well under 1 ms.
    assert per_request < 0.005, f"{per_request * 1000:.2f} ms per request"


def test_stop_does_not_hang_on_idle_keep_alive_connections(emulator: Emulator) -> None:
    server = EmulatorServer(emulator).start()
    clients = [httpx.Client(base_url=server.base_url, headers=BEARER, verify=TLS) for _ in range(3)]
    try:
        for http in clients:
            assert http.get(P).status_code == 200
        started = time.perf_counter()
        server.stop()
        assert time.perf_counter() - started < 1.0
    finally:
        for http in clients:
            http.close()


def test_stop_does_not_wait_for_an_injected_latency(emulator: Emulator) -> None:
    server = EmulatorServer(emulator).start()
    emulator.inject(latency=30.0)
    errors: list[BaseException] = []

    def slow_request() -> None:
        with httpx.Client(base_url=server.base_url, headers=BEARER, verify=TLS) as http:
            try:
                http.get(P)
            except httpx.TransportError as exc:
                errors.append(exc)

    thread = threading.Thread(target=slow_request)
    thread.start()
    deadline = time.monotonic() + 5
    while not emulator.requests and time.monotonic() < deadline:
        time.sleep(0.005)
    started = time.perf_counter()
    server.stop()
    thread.join(5)
    assert time.perf_counter() - started < 1.0
    assert len(errors) == 1


def test_the_server_writes_nothing_to_stderr(
    served: httpx.Client, emulator: Emulator, capfd: pytest.CaptureFixture[str]
) -> None:
    served.get(P)
    served.get("/nowhere")
    emulator.inject(drop=True)
    with pytest.raises(httpx.RemoteProtocolError):
        served.get(P)
    assert capfd.readouterr().err == ""


def test_a_head_request_gets_headers_only(server: EmulatorServer) -> None:
    raw = _raw_exchange(
        server,
        f"HEAD {P} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n"
        "Connection: close\r\n\r\n".encode(),
    )
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 405 ")
    assert body == b""


def test_a_response_is_one_complete_http_message(server: EmulatorServer) -> None:
    raw = _raw_exchange(
        server,
        f"GET {P} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n"
        "Connection: close\r\n\r\n".encode(),
    )
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    assert lines[0] == "HTTP/1.1 200 OK"
    headers = {
        name.lower(): value for name, _, value in (line.partition(": ") for line in lines[1:])
    }
    assert int(headers["content-length"]) == len(body)
    assert headers["connection"] == "close"
    assert headers["x-request-id"]


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"NONSENSE\r\n\r\n", 400),
        (b"BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n", 501),
        (b"POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n", 400),
    ],
)
def test_http_level_errors_are_json_in_the_api_shape(
    server: EmulatorServer, request_bytes: bytes, status: int
) -> None:
    raw = _raw_exchange(server, request_bytes)
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(f"HTTP/1.1 {status} ".encode())
    assert b"content-type: application/json" in head.lower()
    response = httpx.Response(status, content=body)
    assert set(response.json()) == {"error", "error_description", "error_detail"}


def test_a_chunked_request_body_is_read(served: httpx.Client, emulator: Emulator) -> None:
    def body() -> Iterator[bytes]:
        yield b'{"notebook_type"'
        yield b': "lab"}'

    response = served.post(P, content=body(), headers={"Content-Type": "application/json"})
    assert response.status_code == 200
    assert emulator.requests[-1].headers["transfer-encoding"] == "chunked"
    assert emulator.requests[-1].json == {"notebook_type": "lab"}


def test_errors_over_http_keep_the_connection(served: httpx.Client) -> None:
    first = served.get("/nowhere")
    assert_api_error(first, 404, "not_found")
    second = served.get(P)
    assert _local_port(first) == _local_port(second)
