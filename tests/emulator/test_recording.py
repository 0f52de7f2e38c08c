"""Every request is recorded as it arrived."""

from __future__ import annotations

import httpx
import pytest

from abeja_notebooks.testing import Emulator, ManualClock, RecordedRequest

from ._support import TOKEN, P


def test_a_request_is_recorded_with_everything_that_went_over_the_wire(
    http_client: httpx.Client, emulator: Emulator, clock: ManualClock
) -> None:
    clock.advance(7)
    # The body is given as bytes: how httpx encodes json= differs between versions (0.28 is
    # compact, 0.27 puts spaces after separators), and the record must hold exactly what was sent.
    body = b'{"notebook_type": "lab"}'
    response = http_client.post(
        P, content=body, headers={"X-Trace": "abc", "Content-Type": "application/json"}
    )
    (recorded,) = emulator.requests
    assert isinstance(recorded, RecordedRequest)
    assert recorded.method == "POST"
    assert recorded.path == recorded.raw_path == P
    assert recorded.query == {}
    assert recorded.headers["authorization"] == f"Bearer {TOKEN}"
    assert recorded.headers["x-trace"] == "abc"
    assert recorded.headers["content-type"] == "application/json"
    assert all(name == name.lower() for name in recorded.headers)
    assert recorded.json == {"notebook_type": "lab"}
    assert recorded.body == body
    assert recorded.time == 1_780_000_007.0
    assert recorded.request_id == response.headers["x-request-id"]


def test_the_query_is_parsed_and_blank_values_kept(
    http_client: httpx.Client, emulator: Emulator
) -> None:
    http_client.get(f"{P}?offset=10&limit=5&flag=&tag=a&tag=b")
    assert emulator.requests[-1].query == {
        "offset": ["10"],
        "limit": ["5"],
        "flag": [""],
        "tag": ["a", "b"],
    }


def test_the_path_is_decoded_and_the_raw_path_kept(
    http_client: httpx.Client, emulator: Emulator
) -> None:
    http_client.get(f"{P}/caf%C3%A9%20au%2Flait/recentlogs")
    recorded = emulator.requests[-1]
    assert recorded.path == f"{P}/café au/lait/recentlogs"
    assert recorded.raw_path == f"{P}/caf%C3%A9%20au%2Flait/recentlogs"


def test_requests_are_kept_in_order_and_can_be_cleared(
    http_client: httpx.Client, emulator: Emulator
) -> None:
    http_client.get(P)
    http_client.delete(f"{P}/1")
    http_client.put(f"{P}/2", json={})
    assert [request.method for request in emulator.requests] == ["GET", "DELETE", "PUT"]
    assert emulator.requests[1].json is None
    emulator.clear_requests()
    assert emulator.requests == []


def test_the_requests_list_is_a_snapshot(http: httpx.Client, emulator: Emulator) -> None:
    snapshot = emulator.requests
    http.get(P)
    assert snapshot == []
    assert len(emulator.requests) == 1


def test_a_long_running_emulator_can_bound_its_record(
    http: httpx.Client, emulator: Emulator
) -> None:
    emulator.max_recorded_requests = 8
    for offset in range(30):
        http.get(P, params={"offset": offset})
    kept = emulator.requests
    assert [request.query["offset"] for request in kept] == [[str(n)] for n in range(22, 30)]


def test_a_negative_bound_on_the_record_is_rejected(emulator: Emulator) -> None:
    with pytest.raises(ValueError, match="max_recorded_requests"):
        emulator.max_recorded_requests = -1
