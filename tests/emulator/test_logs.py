"""Recent logs: events produced from the clock, and forward/backward tokens."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from abeja_notebooks.testing import Emulator, ManualClock

from ._support import BEARER, P, assert_api_error, create


@pytest.fixture
def small_pages(clock: ManualClock) -> Emulator:
    """An emulator whose log pages hold 4 events."""
    return Emulator(clock=clock, log_page_size=4)


@pytest.fixture
def paged(small_pages: Emulator) -> Iterator[httpx.Client]:
    """An in-process client on ``small_pages``."""
    with httpx.Client(
        transport=small_pages.transport(), base_url="http://emulator.test", headers=BEARER
    ) as client:
        yield client


def _logs(http: httpx.Client, notebook_id: str, **tokens: str) -> dict[str, Any]:
    response = http.get(f"{P}/{notebook_id}/recentlogs", params=tokens)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


def _messages(page: dict[str, Any]) -> list[str]:
    return [event["message"] for event in page["events"]]


def test_a_pending_notebook_has_no_events_yet(http: httpx.Client) -> None:
    notebook_id = create(http)["training_notebook_id"]
    page = _logs(http, notebook_id)
    assert page["events"] == []
    assert list(page) == ["events", "next_backward_token", "next_forward_token"]


def test_a_running_notebook_writes_startup_lines_then_heartbeats(
    http: httpx.Client, clock: ManualClock
) -> None:
    notebook_id = create(http, notebook_type="lab")["training_notebook_id"]
    clock.advance(3)  # running since t+1: events at 1, 1.5, 2, 2.5, 3
    page = _logs(http, notebook_id)
    assert _messages(page)[0] == "starting notebook server (lab)"
    assert _messages(page)[-2:] == ["[notebook-1] heartbeat 1", "[notebook-1] heartbeat 2"]
    assert [event["timestamp"] for event in page["events"]] == [
        "2026-05-28T20:26:41.000Z",
        "2026-05-28T20:26:41.500Z",
        "2026-05-28T20:26:42.000Z",
        "2026-05-28T20:26:42.500Z",
        "2026-05-28T20:26:43.000Z",
    ]
    assert all(list(event) == ["message", "timestamp"] for event in page["events"])


def test_tokens_are_opaque_strings(http: httpx.Client, clock: ManualClock) -> None:
    notebook_id = create(http)["training_notebook_id"]
    clock.advance(2)
    page = _logs(http, notebook_id)
    for token in (page["next_forward_token"], page["next_backward_token"]):
        assert isinstance(token, str)
        assert not token.isdigit()
        assert re.fullmatch(r"[A-Za-z0-9_-]+", token)


def test_without_a_token_the_latest_page_comes_back(
    paged: httpx.Client, small_pages: Emulator, clock: ManualClock
) -> None:
    notebook_id = create(paged)["training_notebook_id"]
    clock.advance(6)  # 11 events
    everything = small_pages.log_events(notebook_id)
    assert len(everything) == 11
    page = _logs(paged, notebook_id)
    assert page["events"] == everything[-4:]


def test_forward_with_nothing_new_returns_the_same_token_and_no_events(
    http: httpx.Client, clock: ManualClock
) -> None:
    notebook_id = create(http)["training_notebook_id"]
    clock.advance(2)
    token = _logs(http, notebook_id)["next_forward_token"]
    again = _logs(http, notebook_id, next_forward_token=token)
    assert again["events"] == []
    assert again["next_forward_token"] == token
    clock.advance(0.5)
    newer = _logs(http, notebook_id, next_forward_token=token)
    assert _messages(newer) == ["[notebook-1] heartbeat 1"]
    assert newer["next_forward_token"] != token


def test_following_forward_while_the_clock_moves_loses_and_repeats_nothing(
    paged: httpx.Client, small_pages: Emulator, clock: ManualClock
) -> None:
    notebook_id = create(paged)["training_notebook_id"]
    seen: list[dict[str, str]] = []
    page = _logs(paged, notebook_id)
    seen.extend(page["events"])
    token = page["next_forward_token"]
    rng = random.Random(7)
    for step in range(60):
        clock.advance(rng.choice([0.0, 0.1, 0.5, 1.3, 3.0]))
        if step % 11 == 0:
            small_pages.append_log(notebook_id, f"user line {step}")
        if step == 30:
            paged.post(f"{P}/{notebook_id}/stop", json={})
        if step == 40:
            paged.post(f"{P}/{notebook_id}/start", json={})
        page = _logs(paged, notebook_id, next_forward_token=token)
        seen.extend(page["events"])
        token = page["next_forward_token"]
    while page["events"]:
        page = _logs(paged, notebook_id, next_forward_token=token)
        seen.extend(page["events"])
        token = page["next_forward_token"]
    everything = small_pages.log_events(notebook_id)
    assert seen == everything
    assert len({(event["message"], event["timestamp"]) for event in everything}) == len(everything)
    assert any(event["message"] == "user line 55" for event in everything)


def test_backward_pages_walk_the_history_to_its_start(
    paged: httpx.Client, small_pages: Emulator, clock: ManualClock
) -> None:
    notebook_id = create(paged)["training_notebook_id"]
    clock.advance(5.5)  # 10 events
    page = _logs(paged, notebook_id)
    pages = [page["events"]]
    while True:
        token = page["next_backward_token"]
        page = _logs(paged, notebook_id, next_backward_token=token)
        if not page["events"]:
            assert page["next_backward_token"] == token
            break
        pages.append(page["events"])
    assert [len(events) for events in pages] == [4, 4, 2]
    walked = [event for events in reversed(pages) for event in events]
    assert walked == small_pages.log_events(notebook_id)


def test_a_backward_page_offers_a_forward_token_after_it(
    paged: httpx.Client, small_pages: Emulator, clock: ManualClock
) -> None:
    notebook_id = create(paged)["training_notebook_id"]
    clock.advance(5.5)
    latest = _logs(paged, notebook_id)
    older = _logs(paged, notebook_id, next_backward_token=latest["next_backward_token"])
    following = _logs(paged, notebook_id, next_forward_token=older["next_forward_token"])
    assert following["events"] == latest["events"]


def test_events_survive_a_stop_and_a_restart_continues_after_them(
    http: httpx.Client, emulator: Emulator, clock: ManualClock
) -> None:
    notebook_id = create(http)["training_notebook_id"]
    clock.advance(3)
    http.post(f"{P}/{notebook_id}/stop", json={})
    before = emulator.log_events(notebook_id)
    clock.advance(100)
    assert emulator.log_events(notebook_id) == before
    http.post(f"{P}/{notebook_id}/start", json={"notebook_type": "lab"})
    clock.advance(2.5)
    after = emulator.log_events(notebook_id)
    assert after[: len(before)] == before
    new = [event["message"] for event in after[len(before) :]]
    assert new[0] == "starting notebook server (lab)"
    assert new[-1] == "[notebook-1] heartbeat 3"  # numbering continues across runs


def test_appended_events_join_the_stream_in_time_order(
    http: httpx.Client, emulator: Emulator, clock: ManualClock
) -> None:
    notebook_id = create(http)["training_notebook_id"]
    emulator.append_log(notebook_id, "before running")
    clock.advance(1.25)
    emulator.append_log(notebook_id, "while running")
    messages = [event["message"] for event in emulator.log_events(notebook_id)]
    assert messages == ["before running", "starting notebook server (notebook)", "while running"]
    assert emulator.log_events(notebook_id)[2]["timestamp"] == "2026-05-28T20:26:41.250Z"


def test_a_long_run_keeps_a_bounded_history(emulator: Emulator, clock: ManualClock) -> None:
    notebook_id = emulator.seed(1, status="Running")[0]
    clock.advance(10 * 24 * 3600)  # 1.7 million events due
    events = emulator.log_events(notebook_id)
    assert 0 < len(events) <= 100_000
    assert events[-1]["message"] == f"[notebook-1] heartbeat {2 * 10 * 24 * 3600 + 1 - 3}"


@pytest.mark.parametrize(
    "params",
    [
        {"next_forward_token": "garbage!"},
        {"next_forward_token": "12"},
        {"next_backward_token": ""},
        {"next_forward_token": "ZjoxOjI"},  # well-formed, for another notebook
    ],
)
def test_an_invalid_token_is_400(http: httpx.Client, params: dict[str, str]) -> None:
    notebook_id = create(http)["training_notebook_id"]
    response = http.get(f"{P}/{notebook_id}/recentlogs", params=params)
    assert next(iter(params)) in assert_api_error(response, 400, "bad_request")["error_detail"]


def test_a_token_of_another_notebook_or_direction_is_400(
    http: httpx.Client, clock: ManualClock
) -> None:
    first = create(http)["training_notebook_id"]
    second = create(http)["training_notebook_id"]
    clock.advance(2)
    page = _logs(http, first)
    foreign = http.get(
        f"{P}/{second}/recentlogs", params={"next_forward_token": page["next_forward_token"]}
    )
    assert_api_error(foreign, 400, "bad_request")
    swapped = http.get(
        f"{P}/{first}/recentlogs", params={"next_backward_token": page["next_forward_token"]}
    )
    assert_api_error(swapped, 400, "bad_request")
    both = http.get(
        f"{P}/{first}/recentlogs",
        params={
            "next_forward_token": page["next_forward_token"],
            "next_backward_token": page["next_backward_token"],
        },
    )
    assert_api_error(both, 400, "bad_request")


def test_logs_of_an_unknown_notebook_are_404(http: httpx.Client) -> None:
    assert_api_error(http.get(f"{P}/1999999999999/recentlogs"), 404, "not_found")
