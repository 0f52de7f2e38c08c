"""The log-token and waiting logic on its own, for answers the emulator does not produce."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from abeja_notebooks import LogEvent, LogPage, NotebookStatus
from abeja_notebooks._flows import FetchLogs, LogTail, Stop, normalize_statuses


def page(messages: list[str], *, forward: str | None = "f", backward: str | None = None) -> LogPage:
    stamp = datetime(2026, 1, 1, tzinfo=UTC)
    events = [LogEvent(timestamp=stamp, message=m) for m in messages]
    return LogPage(events=events, next_forward_token=forward, next_backward_token=backward)


def test_history_goes_on_past_an_empty_page_with_a_new_token() -> None:
    tail = LogTail(follow=False, history=True, poll_interval=1.0, timeout=None, now=0.0)
    answers = [
        page(["e5", "e6"], backward="b4"),
        page(["e3", "e4"], backward="b2"),
        page([], backward="b1"),  # empty, but not the start: the token moved
        page(["e1", "e2"], backward="b0"),
        page([], backward="b0"),  # the same token back: the start of the stream
    ]
    handed_out: list[str] = []
    asked: list[str | None] = []
    for answer in answers:
        step = tail.next_step(0.0)
        assert isinstance(step, FetchLogs)
        asked.append(step.backward_token)
        handed_out += [e.message for e in tail.on_logs(answer)]

    assert handed_out == ["e1", "e2", "e3", "e4", "e5", "e6"]
    assert asked == [None, "b4", "b2", "b1", "b0"]
    assert isinstance(tail.next_step(0.0), Stop)


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
