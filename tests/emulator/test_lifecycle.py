"""The notebook lifecycle, on a manual clock: Pending -> Running -> Stopped, and Failed."""

from __future__ import annotations

import httpx
import pytest

from abeja_notebooks.testing import Emulator, ManualClock

from ._support import P, Status, assert_api_error, create


def _status(http: httpx.Client, notebook_id: str) -> str:
    status: str = http.get(f"{P}/{notebook_id}").json()["status"]
    return status


def test_a_created_notebook_runs_after_the_start_delay(
    http: httpx.Client, clock: ManualClock
) -> None:
    notebook_id = create(http)["training_notebook_id"]
    clock.advance(0.999)
    assert _status(http, notebook_id) == "Pending"
    clock.advance(0.001)
    assert _status(http, notebook_id) == "Running"


def test_becoming_running_changes_modified_at_to_that_moment(
    http: httpx.Client, clock: ManualClock
) -> None:
    created = create(http)
    clock.advance(30)
    running = http.get(f"{P}/{created['training_notebook_id']}").json()
    assert running["modified_at"] == "2026-05-28T20:26:41.000000Z"
    assert running["created_at"] == created["created_at"]


def test_the_start_delay_is_configurable() -> None:
    clock = ManualClock()
    emulator = Emulator(clock=clock, start_delay=10)
    notebook_id = emulator.seed(1, status="Pending")[0]
    clock.advance(9.5)
    assert emulator.notebook(notebook_id)["status"] == "Pending"
    clock.advance(0.5)
    assert emulator.notebook(notebook_id)["status"] == "Running"


def test_stop_is_immediate(http: httpx.Client, clock: ManualClock) -> None:
    notebook_id = create(http)["training_notebook_id"]
    clock.advance(2)
    stopped = http.post(f"{P}/{notebook_id}/stop", json={}).json()
    assert stopped["status"] == "Stopped"
    assert stopped["modified_at"] == "2026-05-28T20:26:42.000000Z"
    clock.advance(100)
    assert _status(http, notebook_id) == "Stopped"


def test_a_pending_notebook_can_be_stopped(http: httpx.Client, clock: ManualClock) -> None:
    notebook_id = create(http)["training_notebook_id"]
    assert http.post(f"{P}/{notebook_id}/stop", json={}).json()["status"] == "Stopped"
    clock.advance(5)
    assert _status(http, notebook_id) == "Stopped"


def test_start_after_stop_is_pending_then_running(http: httpx.Client, clock: ManualClock) -> None:
    notebook_id = create(http)["training_notebook_id"]
    http.post(f"{P}/{notebook_id}/stop", json={})
    clock.advance(10)
    assert http.post(f"{P}/{notebook_id}/start", json={}).json()["status"] == "Pending"
    clock.advance(1)
    assert _status(http, notebook_id) == "Running"


@pytest.mark.parametrize("elapsed", [0.0, 5.0])
def test_start_while_pending_or_running_is_a_conflict(
    http: httpx.Client, clock: ManualClock, elapsed: float
) -> None:
    notebook_id = create(http)["training_notebook_id"]
    clock.advance(elapsed)
    response = http.post(f"{P}/{notebook_id}/start", json={})
    assert "status" in assert_api_error(response, 409, "conflict")["error_detail"]


def test_stop_while_stopped_is_a_conflict(http: httpx.Client) -> None:
    notebook_id = create(http)["training_notebook_id"]
    http.post(f"{P}/{notebook_id}/stop", json={})
    assert_api_error(http.post(f"{P}/{notebook_id}/stop", json={}), 409, "conflict")


def test_fail_moves_a_notebook_to_failed_with_its_message(
    http: httpx.Client, emulator: Emulator, clock: ManualClock
) -> None:
    notebook_id = create(http)["training_notebook_id"]
    clock.advance(3)
    emulator.fail(notebook_id, message="out of memory")
    failed = http.get(f"{P}/{notebook_id}").json()
    assert (failed["status"], failed["status_message"]) == ("Failed", "out of memory")
    assert failed["modified_at"] == "2026-05-28T20:26:43.000000Z"
    assert_api_error(http.post(f"{P}/{notebook_id}/stop", json={}), 409, "conflict")


def test_a_failed_notebook_can_be_started_again(
    http: httpx.Client, emulator: Emulator, clock: ManualClock
) -> None:
    notebook_id = create(http)["training_notebook_id"]
    emulator.fail(notebook_id, message="boom")
    restarted = http.post(f"{P}/{notebook_id}/start", json={}).json()
    assert (restarted["status"], restarted["status_message"]) == ("Pending", None)
    clock.advance(1)
    assert _status(http, notebook_id) == "Running"


@pytest.mark.parametrize("state", ["Pending", "Running", "Stopped", "Failed"])
def test_update_is_allowed_in_any_state(
    http: httpx.Client, emulator: Emulator, state: Status
) -> None:
    notebook_id = emulator.seed(1, status=state)[0]
    response = http.put(f"{P}/{notebook_id}", json={"image": "abeja-inc/all-gpu:20.10"})
    assert response.status_code == 200
    assert response.json()["status"] == state
    assert response.json()["image"] == "abeja-inc/all-gpu:20.10"


def test_delete_is_allowed_while_running(
    http: httpx.Client, emulator: Emulator, clock: ManualClock
) -> None:
    notebook_id = create(http)["training_notebook_id"]
    clock.advance(5)
    assert http.delete(f"{P}/{notebook_id}").status_code == 200
    assert emulator.notebooks() == []
    with pytest.raises(KeyError):
        emulator.log_events(notebook_id)


def test_seeded_notebooks_are_in_the_requested_state(emulator: Emulator) -> None:
    states: list[Status] = ["Pending", "Running", "Stopped", "Failed"]
    ids = [emulator.seed(1, status=state)[0] for state in states]
    assert [emulator.notebook(notebook_id)["status"] for notebook_id in ids] == states
    assert emulator.notebook(ids[3])["status_message"]


def test_ground_truth_lookups_raise_key_error_for_unknown_things(emulator: Emulator) -> None:
    notebook_id = emulator.seed(1)[0]
    with pytest.raises(KeyError):
        emulator.notebook("1999999999999")
    with pytest.raises(KeyError):
        emulator.notebook(notebook_id, job_definition="other")
    with pytest.raises(KeyError):
        emulator.notebooks(job_definition="other")
    with pytest.raises(KeyError):
        emulator.fail("1999999999999")
