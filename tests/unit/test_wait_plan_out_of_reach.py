"""WaitPlan on its own: which states are out of reach of which targets, and the grace period."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from abeja_notebooks import Notebook, NotebookFailed, NotebookStatus, StatusUnreachable
from abeja_notebooks._flows import OUT_OF_REACH, WaitPlan

FIXTURE = json.loads((Path(__file__).parent.parent / "fixtures" / "notebook.json").read_text())
S = NotebookStatus


def notebook(status: str) -> Notebook:
    return Notebook.model_validate({**FIXTURE, "status": status})


def plan(*targets: NotebookStatus, grace: float | None = 30.0) -> WaitPlan:
    return WaitPlan(targets, timeout=600.0, poll_interval=2.0, now=0.0, grace=grace)


def test_only_stopped_is_left_only_through_a_call_and_the_call_is_start() -> None:
    assert dict(OUT_OF_REACH) == {S.STOPPED: "start"}


def outcome(status: str, target: NotebookStatus) -> str:
    """What a wait for ``target`` makes of a notebook read in ``status`` now and 30 s later."""
    waiting = plan(target)
    try:
        if waiting.on_notebook(notebook(status), 0.0) is None:
            return "reached"
        waiting.on_notebook(notebook(status), 30.0)
    except NotebookFailed:
        return "failed"
    except StatusUnreachable:
        return "unreachable"
    return "waiting"


@pytest.mark.parametrize("status", ["Pending", "Running", "Stopped", "Failed", "Rebooting"])
@pytest.mark.parametrize("target", [S.PENDING, S.RUNNING, S.STOPPED, S.FAILED])
def test_each_status_against_each_target_at_the_end_of_the_grace(
    status: str, target: NotebookStatus
) -> None:
    if status == target:
        expected = "reached"
    elif status == "Failed":
        expected = "failed"
    elif status == "Stopped":
        expected = "unreachable"  # it becomes Pending, Running or Failed only when started
    else:
        expected = "waiting"  # a notebook may stop by itself; an unknown status is not judged

    assert outcome(status, target) == expected


def test_the_sleep_is_cut_so_a_check_lands_on_the_end_of_the_grace() -> None:
    waiting = plan(S.RUNNING, grace=4.0)

    assert waiting.on_notebook(notebook("Stopped"), 0.0) == 2.0
    assert waiting.on_notebook(notebook("Stopped"), 2.0) == 2.0  # 3.0 backed off, cut to 2
    with pytest.raises(StatusUnreachable):
        waiting.on_notebook(notebook("Stopped"), 4.0)


def test_leaving_stopped_starts_the_grace_over() -> None:
    waiting = plan(S.RUNNING, grace=10.0)
    waiting.on_notebook(notebook("Stopped"), 0.0)
    waiting.on_notebook(notebook("Pending"), 8.0)

    assert waiting.on_notebook(notebook("Stopped"), 12.0) is not None  # stopped again at 12
    with pytest.raises(StatusUnreachable):
        waiting.on_notebook(notebook("Stopped"), 22.0)


def test_failed_among_the_targets_does_not_keep_a_stopped_notebook_within_reach() -> None:
    waiting = plan(S.RUNNING, S.FAILED, grace=0.0)

    with pytest.raises(StatusUnreachable, match="will not become Failed or Running by itself"):
        waiting.on_notebook(notebook("Stopped"), 0.0)


def test_a_status_the_sdk_does_not_know_is_out_of_reach_of_a_stopped_notebook() -> None:
    waiting = plan(NotebookStatus("Rebooting"), grace=0.0)

    with pytest.raises(StatusUnreachable):
        waiting.on_notebook(notebook("Stopped"), 0.0)


def test_an_unknown_status_is_never_judged_out_of_reach() -> None:
    waiting = plan(S.RUNNING, grace=0.0)

    assert waiting.on_notebook(notebook("Rebooting"), 100.0) == 2.0


def test_a_grace_of_zero_fails_at_the_first_read_and_none_never() -> None:
    with pytest.raises(StatusUnreachable):
        plan(S.RUNNING, grace=0.0).on_notebook(notebook("Stopped"), 0.0)

    assert plan(S.RUNNING, grace=None).on_notebook(notebook("Stopped"), 500.0) == 2.0


@pytest.mark.parametrize(
    ("grace", "error"),
    [(-1, ValueError), (float("inf"), ValueError), ("30", TypeError), (True, TypeError)],
)
def test_a_bad_grace_is_refused_before_any_request(grace: object, error: type[Exception]) -> None:
    with pytest.raises(error, match="grace"):
        WaitPlan([S.RUNNING], timeout=1.0, poll_interval=1.0, now=0.0, grace=grace)  # type: ignore[arg-type]  # a bad value on purpose


def test_the_error_says_what_to_call_and_carries_the_notebook_and_targets() -> None:
    stopped = notebook("Stopped")

    with pytest.raises(StatusUnreachable) as caught:
        plan(S.PENDING, S.RUNNING, grace=0.0).on_notebook(stopped, 0.0)

    assert str(caught.value) == (
        "notebook 1410000000000 is Stopped: it will not become Pending or Running by itself "
        "(still Stopped after a 0s grace period). Start it first: nb.start(), or "
        "client.notebooks.start('JOB', '1410000000000')"
    )
    assert caught.value.notebook is stopped
    assert caught.value.targets == {S.PENDING, S.RUNNING}
    assert repr(caught.value) == f"StatusUnreachable({str(caught.value)!r})"


def test_the_calls_the_error_suggests_start_with_the_call_prefix() -> None:
    waiting = WaitPlan(
        [S.RUNNING], timeout=1.0, poll_interval=1.0, now=0.0, grace=0.0, call_prefix="await "
    )

    with pytest.raises(StatusUnreachable) as caught:
        waiting.on_notebook(notebook("Stopped"), 0.0)

    assert str(caught.value).endswith(
        "Start it first: await nb.start(), or await client.notebooks.start('JOB', '1410000000000')"
    )
