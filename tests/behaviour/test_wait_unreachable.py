"""wait_until fails fast when the target is out of reach: a Stopped notebook never runs by itself.

Each test runs for the sync client, the async client and the async one in-process; time is the
emulator's ManualClock, so "30 s" costs nothing and is measured exactly.
"""

from __future__ import annotations

import json
import pickle

import pytest

from abeja_notebooks import Client, NotebookStatus, StatusUnreachable, WaitTimeout
from abeja_notebooks.testing import Emulator, ManualClock
from tests.dual import unwrap
from tests.support import JOB


def test_waiting_for_running_on_a_stopped_notebook_fails_when_the_grace_ends(
    client: Client, emulator: Emulator, clock: ManualClock, variant: str
) -> None:
    (nid,) = emulator.seed(1, status="Stopped")
    nb = client.notebooks.get(JOB, nid)
    start = clock.now()

    with pytest.raises(StatusUnreachable) as caught:
        nb.wait_until(NotebookStatus.RUNNING)

    assert clock.now() - start == pytest.approx(30)  # the default grace, not the 600 s timeout
    assert caught.value.targets == {NotebookStatus.RUNNING}
    assert caught.value.notebook.status is NotebookStatus.STOPPED
    call = "" if variant == "sync" else "await "  # the calls as the client's user writes them
    assert str(caught.value) == (
        f"notebook {nid} is Stopped: it will not become Running by itself (still Stopped after "
        f"a 30s grace period). Start it first: {call}nb.start(), or "
        f"{call}client.notebooks.start({JOB!r}, {nid!r})"
    )


def test_waiting_for_running_or_failed_on_a_stopped_notebook_fails_when_the_grace_ends(
    client: Client, emulator: Emulator, clock: ManualClock
) -> None:
    (nid,) = emulator.seed(1, status="Stopped")
    start = clock.now()

    with pytest.raises(StatusUnreachable, match="will not become Failed or Running by itself"):
        client.notebooks.wait_until(JOB, nid, [NotebookStatus.RUNNING, "Failed"], grace=0)

    assert clock.now() - start == 0  # not the 600 s timeout


def test_the_grace_period_is_the_callers_to_choose(
    client: Client, emulator: Emulator, clock: ManualClock
) -> None:
    (nid,) = emulator.seed(1, status="Stopped")
    start = clock.now()

    with pytest.raises(StatusUnreachable):
        client.notebooks.wait_until(JOB, nid, ["Pending", "Running"], grace=5, poll_interval=2)

    assert clock.now() - start == pytest.approx(5)
    assert clock.sleeps == [2.0, 3.0]  # the second sleep is cut to land on the grace's end


def test_a_start_that_is_just_landing_is_waited_for(
    client: Client, emulator: Emulator, clock: ManualClock
) -> None:
    emulator.start_delay = 10
    nb = client.notebooks.create(JOB)
    stale = {**emulator.notebook(nb.id), "status": "Stopped"}
    emulator.inject(method="GET", path=f"/{nb.id}$", body=json.dumps(stale).encode(), times=2)

    nb.wait_until(NotebookStatus.RUNNING, poll_interval=2)

    assert not emulator.pending_faults  # both polls read the stale Stopped
    assert nb.status is NotebookStatus.RUNNING


def test_without_a_grace_a_stopped_notebook_is_waited_for_until_the_timeout(
    client: Client, emulator: Emulator, clock: ManualClock
) -> None:
    (nid,) = emulator.seed(1, status="Stopped")
    start = clock.now()

    with pytest.raises(WaitTimeout):
        client.notebooks.wait_until(JOB, nid, "Running", timeout=60, grace=None)

    assert clock.now() - start == pytest.approx(60)


def test_with_no_grace_the_first_stopped_read_ends_the_wait_and_the_error_pickles(
    client: Client, emulator: Emulator, clock: ManualClock
) -> None:
    (nid,) = emulator.seed(1, status="Running")
    nb = client.notebooks.get(JOB, nid)
    client.notebooks.stop(JOB, nid)  # stopped elsewhere: this object still says Running

    with pytest.raises(StatusUnreachable) as caught:
        nb.wait_until("Running", grace=0)

    assert clock.sleeps == []
    assert nb.status is NotebookStatus.STOPPED  # updated in place, as on any failed wait
    again = pickle.loads(pickle.dumps(unwrap(caught.value)))
    assert (str(again), again.targets) == (str(caught.value), caught.value.targets)
    assert again.notebook == caught.value.notebook
