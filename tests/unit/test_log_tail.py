"""The log reading on its own (LogTail), for answers the emulator does not produce."""

from __future__ import annotations

from datetime import UTC, datetime

from abeja_notebooks import LogEvent, LogPage
from abeja_notebooks._flows import FetchLogs, LogTail, Stop


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
