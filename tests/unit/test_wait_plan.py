"""The wait plan on its own: when ``wait_until`` polls, when it is done, fails or gives up, and
which statuses it waits for.

:class:`WaitPlan` does no I/O: these tests hand it notebooks built by hand at chosen times.
"""

from __future__ import annotations

import pytest

from abeja_notebooks import APITimeoutError, NotebookFailed, NotebookStatus, WaitTimeout
from abeja_notebooks._flows import WaitPlan, normalize_statuses
from tests.support import reference_notebook

RUNNING = frozenset({NotebookStatus.RUNNING})


def plan(
    targets: frozenset[NotebookStatus] = RUNNING,
    *,
    timeout: float | None = None,
    poll_interval: float = 2.0,
) -> WaitPlan:
    return WaitPlan(targets, timeout=timeout, poll_interval=poll_interval, now=0.0)


def sleeps_while(status: str, waiting: WaitPlan, polls: int) -> list[float | None]:
    """The sleep asked for after each of ``polls`` reads finding ``status``, time moving on."""
    now, asked = 0.0, list[float | None]()
    for _ in range(polls):
        delay = waiting.on_notebook(reference_notebook(status=status), now)
        asked.append(delay)
        now += delay or 0.0
    return asked


def test_a_notebook_already_in_a_wanted_status_ends_the_wait_at_once() -> None:
    assert plan().on_notebook(reference_notebook(status="Running"), 0.0) is None


def test_the_interval_grows_by_half_each_poll_up_to_ten_poll_intervals() -> None:
    asked = sleeps_while("Pending", plan(poll_interval=2.0), 9)

    assert asked == [2.0, 3.0, 4.5, 6.75, 10.125, 15.1875, 20.0, 20.0, 20.0]


def test_the_last_sleep_is_cut_so_the_final_check_lands_on_the_deadline() -> None:
    asked = sleeps_while("Pending", plan(timeout=6.0, poll_interval=2.0), 3)

    assert asked == [2.0, 3.0, 1.0]


def test_a_check_at_the_deadline_raises_wait_timeout_with_the_last_notebook() -> None:
    waiting = plan(timeout=5.0)
    pending = reference_notebook(status="Pending")

    with pytest.raises(WaitTimeout) as caught:
        waiting.on_notebook(pending, 5.0)

    assert caught.value.notebook is pending
    assert str(caught.value) == (
        "notebook 1410000000000 is still Pending after 5s (waited for Running)"
    )


def test_without_a_timeout_the_wait_never_gives_up() -> None:
    asked = sleeps_while("Pending", plan(timeout=None), 200)

    assert all(delay == 20.0 for delay in asked[10:])


def test_a_failure_not_waited_for_raises_notebook_failed_with_its_message() -> None:
    failed = reference_notebook(status="Failed", status_message="image pull failed")

    with pytest.raises(NotebookFailed) as caught:
        plan().on_notebook(failed, 0.0)

    assert caught.value.notebook is failed
    assert str(caught.value) == (
        "notebook 1410000000000 is Failed: image pull failed (waited for Running)"
    )


def test_a_failure_waited_for_ends_the_wait() -> None:
    waiting = plan(frozenset({NotebookStatus.RUNNING, NotebookStatus.FAILED}))

    assert waiting.on_notebook(reference_notebook(status="Failed"), 0.0) is None


def test_a_status_the_sdk_does_not_know_keeps_the_wait_going() -> None:
    assert plan().on_notebook(reference_notebook(status="Hibernating"), 0.0) == 2.0


def test_a_status_the_sdk_does_not_know_can_be_waited_for() -> None:
    waiting = plan(frozenset({NotebookStatus("Hibernating")}))

    assert waiting.on_notebook(reference_notebook(status="Hibernating"), 0.0) is None


def test_each_poll_may_run_until_one_poll_interval_past_the_deadline() -> None:
    assert plan(timeout=10.0, poll_interval=2.0).call_until == 12.0
    assert plan(timeout=None).call_until is None


def test_a_poll_that_times_out_past_the_deadline_is_the_wait_timing_out() -> None:
    waiting = plan(timeout=5.0)
    pending = reference_notebook(status="Pending")
    waiting.on_notebook(pending, 0.0)
    hung = APITimeoutError("get notebook timed out", method="GET", url="http://api/x")

    with pytest.raises(WaitTimeout) as caught:
        waiting.on_call_timeout(hung, 5.5)

    assert caught.value.notebook is pending
    assert caught.value.__cause__ is hung


def test_a_poll_that_times_out_before_the_deadline_is_left_to_the_caller() -> None:
    waiting = plan(timeout=5.0)
    waiting.on_notebook(reference_notebook(status="Pending"), 0.0)
    hung = APITimeoutError("get notebook timed out", method="GET", url="http://api/x")

    waiting.on_call_timeout(hung, 4.0)  # returns: the caller raises the timeout itself


def test_a_first_poll_that_times_out_is_left_to_the_caller_even_past_the_deadline() -> None:
    hung = APITimeoutError("get notebook timed out", method="GET", url="http://api/x")

    plan(timeout=5.0).on_call_timeout(hung, 9.0)  # no notebook read yet: nothing to carry


@pytest.mark.parametrize(
    ("timeout", "poll_interval", "named"),
    [(0, 2.0, "timeout"), (-1, 2.0, "timeout"), (None, 0, "poll_interval")],
)
def test_a_bad_timeout_or_poll_interval_is_refused_when_the_plan_is_made(
    timeout: float | None, poll_interval: float, named: str
) -> None:
    with pytest.raises(ValueError, match=f"{named} must be a finite number > 0"):
        plan(timeout=timeout, poll_interval=poll_interval)


# --- the statuses to wait for ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("Running", {NotebookStatus.RUNNING}),
        ("running", {NotebookStatus.RUNNING}),
        (" STOPPED ", {NotebookStatus.STOPPED}),
        (["Pending", NotebookStatus.FAILED], {NotebookStatus.PENDING, NotebookStatus.FAILED}),
        (NotebookStatus("Hibernating"), {NotebookStatus("Hibernating")}),
    ],
)
def test_statuses_to_wait_for_match_known_ones_whatever_the_case(
    given: str | list[str | NotebookStatus] | NotebookStatus, expected: set[NotebookStatus]
) -> None:
    assert normalize_statuses(given) == expected


def test_an_unknown_status_string_is_refused_with_a_way_out() -> None:
    with pytest.raises(ValueError, match=r"unknown notebook status 'Runing'") as caught:
        normalize_statuses("Runing")

    assert "NotebookStatus('Runing')" in str(caught.value)
