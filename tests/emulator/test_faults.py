"""Injected faults, over real HTTP and in-process (sync and async)."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import httpx
import pytest

from abeja_notebooks.testing import Emulator, EmulatorServer, Fault, FaultRule

from ._support import P, assert_api_error, create

SHORT_READ = httpx.Timeout(5.0, read=0.1)


def _refused(kind: str) -> type[httpx.TransportError]:
    # Over HTTP the server has to read the request line to match the rule: the client sees a
    # connection closed without an answer. In-process it is a refused connection.
    return httpx.ConnectError if kind == "in-process" else httpx.RemoteProtocolError


# ------------------------------------------------------------------------ answer faults


def test_a_status_fault_answers_an_api_error_and_changes_nothing(
    http_client: httpx.Client, emulator: Emulator
) -> None:
    emulator.inject(status=503, retry_after="2", method="POST")
    response = http_client.post(P, json={})
    assert_api_error(response, 503, "service_unavailable")
    assert response.headers["retry-after"] == "2"
    assert emulator.notebooks() == []
    assert not emulator.pending_faults
    assert http_client.post(P, json={}).status_code == 200


def test_a_status_fault_after_the_operation_changes_state(
    http_client: httpx.Client, emulator: Emulator
) -> None:
    emulator.inject(status=500, method="POST", after=True)
    assert_api_error(http_client.post(P, json={}), 500, "internal_server_error")
    assert len(emulator.notebooks()) == 1


@pytest.mark.parametrize(("status", "code"), [(429, "too_many_requests"), (504, "gateway_timeout")])
def test_status_faults_use_the_api_error_codes(
    http_client: httpx.Client, emulator: Emulator, status: int, code: str
) -> None:
    emulator.inject(status=status)
    assert_api_error(http_client.get(P), status, code)


def test_a_raw_body_fault_serves_it_as_is(http_client: httpx.Client, emulator: Emulator) -> None:
    page = b"<html><body>502 Bad Gateway</body></html>"
    emulator.inject(status=502, body=page, content_type="text/html")
    response = http_client.get(P)
    assert response.status_code == 502
    assert response.content == page
    assert response.headers["content-type"] == "text/html"


def test_a_raw_body_without_a_status_is_a_200(
    http_client: httpx.Client, emulator: Emulator
) -> None:
    emulator.inject(body=b"")
    response = http_client.get(P)
    assert (response.status_code, response.content) == (200, b"")


def test_a_headers_only_fault_decorates_the_real_answer(
    http_client: httpx.Client, emulator: Emulator
) -> None:
    emulator.inject(headers={"X-Served-By": "edge-3"})
    response = http_client.get(P)
    assert response.status_code == 200
    assert response.headers["x-served-by"] == "edge-3"
    assert response.json()["total"] == 0


def test_a_malformed_fault_sends_broken_json_with_a_correct_length(
    http_client: httpx.Client, emulator: Emulator
) -> None:
    emulator.inject(malformed=True, method="POST")
    response = http_client.post(P, json={})
    assert response.status_code == 200
    assert int(response.headers["content-length"]) == len(response.content)
    with pytest.raises(json.JSONDecodeError):
        response.json()
    assert emulator.notebooks() == []


def test_a_malformed_fault_after_the_operation_breaks_the_real_answer(
    http_client: httpx.Client, emulator: Emulator
) -> None:
    emulator.inject(malformed=True, method="POST", after=True)
    response = http_client.post(P, json={})
    with pytest.raises(json.JSONDecodeError):
        response.json()
    (created,) = emulator.notebooks()
    assert (
        response.content
        == json.dumps(created, separators=(",", ":")).encode()[: len(response.content)]
    )


# -------------------------------------------------------------------- connection faults


def test_a_dropped_connection_is_a_disconnect_and_changes_nothing(
    http_client: httpx.Client, emulator: Emulator
) -> None:
    emulator.inject(drop=True, method="POST")
    with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
        http_client.post(P, json={})
    assert emulator.notebooks() == []
    assert http_client.post(P, json={}).status_code == 200


def test_a_drop_after_the_operation_leaves_the_change_made(
    http_client: httpx.Client, emulator: Emulator
) -> None:
    emulator.inject(drop=True, method="POST", after=True)
    with pytest.raises(httpx.RemoteProtocolError):
        http_client.post(P, json={})
    assert len(emulator.notebooks()) == 1


def test_a_refused_connection(http_client: httpx.Client, emulator: Emulator, kind: str) -> None:
    emulator.inject(refuse=True, method="POST")
    with pytest.raises(_refused(kind)):
        http_client.post(P, json={})
    assert emulator.notebooks() == []
    assert http_client.post(P, json={}).status_code == 200


def test_a_timeout_fault_is_a_read_timeout(http_client: httpx.Client, emulator: Emulator) -> None:
    emulator.inject(timeout=True, method="POST")
    with pytest.raises(httpx.ReadTimeout):
        http_client.post(P, json={}, timeout=SHORT_READ)
    assert emulator.notebooks() == []
    assert http_client.get(P).status_code == 200


def test_a_timeout_after_the_operation_leaves_the_change_made(
    http_client: httpx.Client, emulator: Emulator
) -> None:
    emulator.inject(timeout=True, method="POST", after=True)
    with pytest.raises(httpx.ReadTimeout):
        http_client.post(P, json={}, timeout=SHORT_READ)
    # Over HTTP the server thread may act on the request after the client has given up on it.
    until = time.monotonic() + 5
    while not emulator.notebooks() and time.monotonic() < until:
        time.sleep(0.01)
    assert len(emulator.notebooks()) == 1


def test_a_truncated_body_fails_while_reading(
    http_client: httpx.Client, emulator: Emulator
) -> None:
    emulator.inject(truncate=True, method="GET")
    with http_client.stream("GET", P) as response:
        assert response.status_code == 200
        announced = int(response.headers["content-length"])
        with pytest.raises(httpx.RemoteProtocolError, match="complete message body") as raised:
            response.read()
    received = re.search(r"received (\d+) bytes", str(raised.value))
    assert received is not None
    assert int(received.group(1)) < announced


def test_a_truncate_after_the_operation_cuts_the_real_answer(
    http_client: httpx.Client, emulator: Emulator
) -> None:
    emulator.seed(3)
    emulator.inject(truncate=True, method="GET", after=True)
    with http_client.stream("GET", P) as response:
        announced = int(response.headers["content-length"])
        with pytest.raises(httpx.RemoteProtocolError):
            response.read()
    assert announced == len(http_client.get(P).content)


def test_a_truncate_after_the_operation_leaves_the_change_made(
    http_client: httpx.Client, emulator: Emulator
) -> None:
    emulator.inject(truncate=True, method="POST", after=True)
    with pytest.raises(httpx.RemoteProtocolError):
        http_client.post(P, json={})
    assert len(emulator.notebooks()) == 1


# ------------------------------------------------------------------------------ latency


def test_latency_delays_the_answer(http_client: httpx.Client, emulator: Emulator) -> None:
    emulator.inject(latency=0.05)
    started = time.perf_counter()
    response = http_client.get(P)
    assert time.perf_counter() - started >= 0.05
    assert response.status_code == 200


def test_latency_beyond_the_read_timeout_is_a_read_timeout(
    http_client: httpx.Client, emulator: Emulator
) -> None:
    emulator.inject(latency=0.5, method="POST")
    started = time.perf_counter()
    with pytest.raises(httpx.ReadTimeout):
        http_client.post(P, json={}, timeout=SHORT_READ)
    assert time.perf_counter() - started < 0.45
    assert len(emulator.notebooks()) == 1  # a latency delays the answer, not the operation


def test_latency_combines_with_a_status(http_client: httpx.Client, emulator: Emulator) -> None:
    emulator.inject(latency=0.02, status=503)
    started = time.perf_counter()
    assert http_client.get(P).status_code == 503
    assert time.perf_counter() - started >= 0.02


# ----------------------------------------------------------------------------- matching


def test_a_fault_applies_to_the_next_n_matching_requests(
    http_client: httpx.Client, emulator: Emulator
) -> None:
    emulator.inject(status=503, method="GET", times=2)
    assert http_client.post(P, json={}).status_code == 200
    assert emulator.pending_faults[0].remaining == 2
    assert [http_client.get(P).status_code for _ in range(3)] == [503, 503, 200]
    assert emulator.pending_faults == []


def test_the_path_rule_is_a_regex_searched_in_the_decoded_path(
    http_client: httpx.Client, emulator: Emulator
) -> None:
    notebook_id = create(http_client)["training_notebook_id"]
    emulator.inject(status=500, path=r"/recentlogs$")
    emulator.inject(status=409, path=r"/a/b$")
    assert http_client.get(f"{P}/{notebook_id}").status_code == 200
    assert http_client.get(f"{P}/{notebook_id}/recentlogs").status_code == 500
    assert http_client.get(f"{P}/a%2Fb").status_code == 409


def test_a_rule_without_a_method_matches_every_verb(
    http_client: httpx.Client, emulator: Emulator
) -> None:
    emulator.inject(status=502, times=3)
    responses = [http_client.get(P), http_client.post(P, json={}), http_client.delete(f"{P}/1")]
    assert [response.status_code for response in responses] == [502, 502, 502]


def test_the_first_matching_rule_wins(http_client: httpx.Client, emulator: Emulator) -> None:
    emulator.inject(status=503, method="get")
    emulator.inject(status=500)
    assert http_client.get(P).status_code == 503
    assert http_client.get(P).status_code == 500
    assert http_client.get(P).status_code == 200


def test_clear_faults_forgets_them(http_client: httpx.Client, emulator: Emulator) -> None:
    emulator.inject(status=503, times=10)
    emulator.clear_faults()
    assert emulator.pending_faults == []
    assert http_client.get(P).status_code == 200


def test_inject_accepts_a_fault_object_and_reports_the_rule(emulator: Emulator) -> None:
    fault = Fault(status=503, retry_after="1")
    assert emulator.inject(fault, method="POST", path="notebooks$", times=4) is fault
    assert emulator.pending_faults == [
        FaultRule(fault=fault, method="POST", path="notebooks$", remaining=4)
    ]


def test_faulted_requests_are_recorded(http_client: httpx.Client, emulator: Emulator) -> None:
    emulator.inject(drop=True, method="POST")
    with pytest.raises(httpx.RemoteProtocolError):
        http_client.post(P, json={"image": "x"})
    http_client.post(P, json={"image": "x"})
    assert [(r.method, r.json) for r in emulator.requests] == [("POST", {"image": "x"})] * 2


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"drop": True, "status": 500},
        {"drop": True, "timeout": True},
        {"truncate": True, "malformed": True},
        {"malformed": True, "body": b"x"},
        {"refuse": True, "after": True},
        {"retry_after": "1"},
        {"status": 99},
        {"latency": -1.0},
        {"timeout": True, "headers": {"X": "1"}},
    ],
)
def test_incoherent_faults_are_rejected(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each message differs
        Fault(**options)


def test_inject_rejects_bad_arguments(emulator: Emulator) -> None:
    with pytest.raises(TypeError):
        emulator.inject(Fault(status=500), status=400)
    with pytest.raises(ValueError, match="times"):
        emulator.inject(status=500, times=0)
    with pytest.raises(re.error):
        emulator.inject(status=500, path="(")
    assert emulator.pending_faults == []


# -------------------------------------------------------------------------------- async


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"drop": True}, httpx.RemoteProtocolError),
        ({"timeout": True}, httpx.ReadTimeout),
        ({"truncate": True}, httpx.RemoteProtocolError),
    ],
)
async def test_async_connection_faults_raise_like_the_real_thing(
    async_http_client: httpx.AsyncClient,
    emulator: Emulator,
    options: dict[str, Any],
    expected: type[Exception],
) -> None:
    emulator.inject(Fault(**options), method="POST")
    with pytest.raises(expected):
        await async_http_client.post(P, json={}, timeout=SHORT_READ)
    assert emulator.notebooks() == []
    assert (await async_http_client.post(P, json={})).status_code == 200


async def test_async_latency_beyond_the_read_timeout_times_out_after_acting(
    async_http_client: httpx.AsyncClient, emulator: Emulator
) -> None:
    emulator.inject(latency=0.5, method="POST")
    with pytest.raises(httpx.ReadTimeout):
        await async_http_client.post(P, json={}, timeout=SHORT_READ)
    assert len(emulator.notebooks()) == 1  # a latency delays the answer, not the operation


async def test_async_refused_connection(
    async_http_client: httpx.AsyncClient, emulator: Emulator, kind: str
) -> None:
    emulator.inject(refuse=True)
    with pytest.raises(_refused(kind)):
        await async_http_client.get(P)
    assert (await async_http_client.get(P)).status_code == 200


async def test_async_answer_faults(
    async_http_client: httpx.AsyncClient, emulator: Emulator
) -> None:
    emulator.inject(status=429, retry_after="3")
    emulator.inject(malformed=True)
    emulator.inject(latency=0.02)
    limited = await async_http_client.get(P)
    assert_api_error(limited, 429, "too_many_requests")
    assert limited.headers["retry-after"] == "3"
    broken = await async_http_client.get(P)
    with pytest.raises(json.JSONDecodeError):
        broken.json()
    started = time.perf_counter()
    assert (await async_http_client.get(P)).status_code == 200
    assert time.perf_counter() - started >= 0.02


async def test_async_after_faults_change_state(
    async_http_client: httpx.AsyncClient, emulator: Emulator
) -> None:
    emulator.inject(drop=True, method="POST", after=True)
    emulator.inject(status=503, method="POST", after=True)
    with pytest.raises(httpx.RemoteProtocolError):
        await async_http_client.post(P, json={})
    assert (await async_http_client.post(P, json={})).status_code == 503
    assert len(emulator.notebooks()) == 2


@pytest.mark.parametrize("status", [204, 304])
def test_a_bodiless_status_fault_sends_no_body_and_keeps_the_connection_in_step(
    served: httpx.Client, emulator: Emulator, server: EmulatorServer, status: int
) -> None:
    emulator.inject(status=status, method="GET", times=1)

    faulted = served.get(P)
    after = served.get(P)  # the same keep-alive connection

    assert (faulted.status_code, faulted.content) == (status, b"")
    assert after.status_code == 200
    assert after.json()["total"] == 0
    assert server.connections_accepted == 1
