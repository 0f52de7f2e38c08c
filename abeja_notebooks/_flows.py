"""The logic of pagination, log reading and waiting, without I/O.

Each flow is a small state machine. A driver (the notebook manager, written once in
``_async/notebooks.py`` and generated for sync) asks it for the next step, performs the step's
I/O or sleep, and hands the result back. So the arithmetic of offsets, log tokens, backoff and
deadlines is written once.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Final, Generic, NamedTuple

from ._errors import APITimeoutError, NotebookFailed, NotFound, StatusUnreachable, WaitTimeout
from ._models import BaseNotebook, LogEvent, LogPage, NotebookPage, NotebookStatus, NotebookT

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "CheckStatus",
    "FetchLogs",
    "LogTail",
    "PageCursor",
    "Sleep",
    "Stop",
    "WaitPlan",
]

DEFAULT_PAGE_SIZE: Final = 100
"""Notebooks asked for per request by ``list()`` unless ``page_size`` says otherwise."""
DEFAULT_LOG_POLL_INTERVAL: Final = 1.0
DEFAULT_WAIT_POLL_INTERVAL: Final = 2.0
DEFAULT_WAIT_TIMEOUT: Final = 600.0
DEFAULT_WAIT_GRACE: Final = 30.0
IDLE_BACKOFF: Final = 1.5
"""Each poll that finds nothing new waits this many times longer than the last one..."""
MAX_IDLE_FACTOR: Final = 10.0
"""...up to this many times the poll interval."""


def check_positive(
    value: object, what: str, *, allow_none: bool = False, allow_zero: bool = False
) -> float | None:
    """Validate a duration/interval: a finite number > 0 (or ``None``, or 0, when allowed)."""
    if value is None and allow_none:
        return None
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise TypeError(f"{what} must be a number of seconds, got {value!r}")
    if not (value > 0 or (allow_zero and value == 0)) or value == float("inf"):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{what} must be a finite number {bound}, got {value!r}")
    return float(value)


def check_count(value: object, what: str, *, allow_none: bool = False) -> int | None:
    """Validate a count: an int >= 1 (or ``None`` when allowed)."""
    if value is None and allow_none:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{what} must be an int, got {value!r}")
    if value < 1:
        raise ValueError(f"{what} must be >= 1, got {value}")
    return value


# --- pagination ----------------------------------------------------------------------------


class PageCursor(Generic[NotebookT]):
    """Where a listing is: the next offset, how many notebooks were handed out, whether done.

    ``offset`` advances by the number of entries each page really held (a server may cap
    ``limit``). The walk stops at the last page (`NotebookPage.is_last`: ``total`` reached, an
    empty page, or a bare list shorter or longer than the limit), or at ``max_items``. A bare
    list that starts with the notebook the previous one started with is a server ignoring
    ``offset`` (sending the same notebooks again): it ends the walk, and nothing of it is
    handed out. (An envelope says which offset it answers, and the parser checks it.)
    """

    def __init__(self, page_size: int | None, max_items: int | None) -> None:
        self.page_size = check_count(page_size, "page_size", allow_none=True) or DEFAULT_PAGE_SIZE
        self.max_items = check_count(max_items, "max_items", allow_none=True)
        self.offset = 0
        self.handed_out = 0
        self.done = False
        self._first_id: str | None = None  # the previous page's first notebook

    def next_request(self) -> tuple[int, int] | None:
        """The ``(offset, limit)`` of the next page to fetch, or ``None`` when finished."""
        if self.done:
            return None
        limit = self.page_size
        if self.max_items is not None:
            left = self.max_items - self.handed_out
            if left <= 0:
                self.done = True
                return None
            limit = min(limit, left)
        return self.offset, limit

    def accept(self, page: NotebookPage[NotebookT]) -> NotebookPage[NotebookT]:
        """Take a fetched page; return it cut to ``max_items`` if need be (and empty when it
        repeats the previous one)."""
        entries = page.entries
        first_id = entries[0].id if entries and page.from_bare_list else None
        if first_id is not None and first_id == self._first_id:
            self.done = True
            return page.model_copy(update={"entries": []})
        self._first_id = first_id
        if self.max_items is not None and len(entries) > self.max_items - self.handed_out:
            entries = entries[: self.max_items - self.handed_out]
        self.offset += len(page.entries)
        self.handed_out += len(entries)
        if page.is_last:
            self.done = True
        if entries is page.entries:
            return page
        return page.model_copy(update={"entries": entries})


# --- logs ----------------------------------------------------------------------------------


# Steps are named tuples and bare classes, not dataclasses, which cost a process about half a
# millisecond each to define; a driver tells them apart with isinstance.
class FetchLogs(NamedTuple):
    """Step: call recent logs with these tokens (``None``: not sent)."""

    forward_token: str | None = None
    backward_token: str | None = None


class CheckStatus:
    """Step: read the notebook and pass it to ``on_status``."""

    __slots__ = ()


class Sleep(NamedTuple):
    """Step: sleep this many seconds."""

    seconds: float


class Stop:
    """Step: the flow is over."""

    __slots__ = ()


LogStep = FetchLogs | CheckStatus | Sleep | Stop

_ACTIVE_STATUSES: Final = frozenset({NotebookStatus.PENDING, NotebookStatus.RUNNING})
"""While a notebook is in one of these, a follow keeps polling; any other status ends it."""


class LogTail:
    """The reading of a notebook's log: recent events, optionally history, optionally follow.

    Steps, in order: one recent-logs call without tokens; with ``history``, calls with the
    backward token until the start of the stream (pages buffered, then handed out oldest
    first); with ``follow``, calls with the forward token, sleeping while nothing is new
    (longer each time, up to ten poll intervals) and reading the notebook's status when idle:
    once it is neither Pending nor Running, the log is read on until a page brings nothing new
    (draining what was written before the stop), then the walk stops.
    The deadline (``timeout``) ends the walk too.
    """

    def __init__(
        self,
        *,
        follow: bool,
        history: bool,
        poll_interval: float,
        timeout: float | None,
        now: float,
    ) -> None:
        self.follow = follow
        self.history = history
        self.poll_interval = check_positive(poll_interval, "poll_interval") or 1.0
        self.timeout = check_positive(timeout, "timeout", allow_none=True)
        self.deadline = None if self.timeout is None else now + self.timeout
        self._forward: str | None = None
        self._backward: str | None = None
        self._started = False
        self._walking_back = history
        self._older: list[list[LogEvent]] = []
        self._recent: list[LogEvent] = []
        self._idle_wait = self.poll_interval
        self._just_polled_empty = False
        self._status_checked = False
        self._ended = False
        self._draining = False
        self._finished = False

    def next_step(self, now: float) -> LogStep:
        """The next thing to do."""
        if self._finished:
            return Stop()
        if not self._started:
            return FetchLogs()
        if self._walking_back:
            return FetchLogs(backward_token=self._backward)
        if not self.follow or self._forward is None:
            return self._finish()
        if self._draining:
            return FetchLogs(forward_token=self._forward)
        if self.deadline is not None and now >= self.deadline:
            return self._finish()
        if self._just_polled_empty and not self._status_checked:
            return CheckStatus()
        if self._just_polled_empty:
            self._just_polled_empty = False
            self._status_checked = False
            wait = self._idle_wait
            self._idle_wait = min(
                self._idle_wait * IDLE_BACKOFF, self.poll_interval * MAX_IDLE_FACTOR
            )
            if self.deadline is not None:
                wait = min(wait, self.deadline - now)
            return Sleep(max(wait, 0.0))
        return FetchLogs(forward_token=self._forward)

    def _finish(self) -> Stop:
        self._finished = True
        return Stop()

    def on_logs(self, page: LogPage) -> list[LogEvent]:
        """Take a recent-logs answer; return the events to hand out now, oldest first."""
        if not self._started:
            self._started = True
            self._forward = page.next_forward_token
            self._backward = page.next_backward_token
            if not self._walking_back:
                return list(page.events)
            self._recent = list(page.events)
            if page.next_backward_token is None:
                return self._end_history()
            return []
        if self._walking_back:
            # The start of the stream: no token, or the same one back. An empty page with a new
            # token is not the start (the contract allows empty pages mid-stream).
            same_token = page.next_backward_token == self._backward
            if page.events:
                self._older.append(list(page.events))
            self._backward = page.next_backward_token
            if same_token or page.next_backward_token is None:
                return self._end_history()
            return []
        same_token = page.next_forward_token in (None, self._forward)
        if page.next_forward_token is not None:
            self._forward = page.next_forward_token
        if self._draining:
            # Read on until a page brings nothing new: what was written before the stop may
            # span several pages.
            if not page.events or same_token:
                self._finished = True
            return list(page.events)
        if page.events:
            self._idle_wait = self.poll_interval
            self._just_polled_empty = False
        else:
            self._just_polled_empty = True
        return list(page.events)

    def _end_history(self) -> list[LogEvent]:
        self._walking_back = False
        events = [event for page in reversed(self._older) for event in page]
        events.extend(self._recent)
        self._older.clear()
        self._recent = []
        return events

    @property
    def call_until(self) -> float | None:
        """When a request must be over: the deadline plus one poll interval (``None``: never)."""
        return None if self.deadline is None else self.deadline + self.poll_interval

    def on_call_timeout(self, error: APITimeoutError, now: float) -> None:
        """A call ran out of time: past the follow's deadline, that ends the reading quietly.

        Raises:
            APITimeoutError: ``error``, when the follow's own deadline has not passed.
        """
        if self.deadline is None or now < self.deadline:
            raise error
        self._finished = True

    def on_not_found(self, step: FetchLogs | CheckStatus, error: NotFound) -> None:
        """The notebook is gone: raise at the very first call, else end the reading.

        Raises:
            NotFound: The very first call found no notebook.
        """
        if isinstance(step, CheckStatus):
            self.on_status(None)
        elif not self._started:
            raise error
        else:
            self._finished = True

    def on_status(self, notebook: BaseNotebook | None) -> None:
        """Take the notebook's current state (``None``: it is gone)."""
        self._status_checked = True
        if notebook is None:
            self._finished = True
        elif notebook.status not in _ACTIVE_STATUSES:
            self._draining = True


# --- waiting -------------------------------------------------------------------------------


def normalize_statuses(
    status: NotebookStatus | str | Iterable[NotebookStatus | str],
) -> frozenset[NotebookStatus]:
    """Turn one status or several into a set of :class:`NotebookStatus`.

    Strings match the known statuses whatever their case (``"running"`` is ``Running``). A
    status the SDK does not know must be passed as ``NotebookStatus("Name")``, so that a typo
    fails at once instead of waiting for a status that never comes.

    Raises:
        ValueError: The collection is empty, or a string is not a known status.
        TypeError: An item is not a status or a string.
    """
    items: Iterable[object] = [status] if isinstance(status, str) else status
    result: set[NotebookStatus] = set()
    for item in items:
        if isinstance(item, NotebookStatus):
            result.add(item)
        elif isinstance(item, str):  # pyright: ignore[reportUnnecessaryIsInstance] -- untyped callers
            known = _BY_LOWER_VALUE.get(item.strip().lower())
            if known is None:
                names = ", ".join(member.value for member in NotebookStatus)
                raise ValueError(
                    f"unknown notebook status {item!r} (known: {names}); to wait for a status "
                    f"this SDK does not know, pass NotebookStatus({item!r})"
                )
            result.add(known)
        else:
            raise TypeError(f"status must be a NotebookStatus or str, got {item!r}")
    if not result:
        raise ValueError("wait_until needs at least one status to wait for")
    return frozenset(result)


_BY_LOWER_VALUE: Final = {member.value.lower(): member for member in NotebookStatus}


OUT_OF_REACH: Final[Mapping[NotebookStatus, str]] = {NotebookStatus.STOPPED: "start"}
"""Statuses a notebook leaves only through a call, and that call.

A Stopped notebook becomes Pending, Running or Failed only when it is started: waiting in it for
any status but Stopped waits for something out of reach. Every other status is left by itself
(a Pending or Running notebook may stop: a notebook can stop itself), and a status the SDK does
not know is never judged. ``Failed`` is handled apart (``NotebookFailed``).
"""


class WaitPlan:
    """When to poll, and when to give up, while waiting for a notebook to reach a status.

    The first check happens at once; then the interval grows by half each poll up to ten
    times ``poll_interval``, and the last sleep is cut so the final check lands on the
    deadline. A notebook in a status it leaves only through a call (``OUT_OF_REACH``: Stopped)
    gets ``grace`` seconds to leave it (a check lands at the end of them), then the wait fails
    with ``StatusUnreachable``; ``grace=None`` waits for it as for any other status.
    ``call_prefix`` starts each call the error's message suggests (``"await "`` on the async
    client).
    """

    def __init__(
        self,
        targets: Collection[NotebookStatus],
        *,
        timeout: float | None,
        poll_interval: float,
        now: float,
        grace: float | None = DEFAULT_WAIT_GRACE,
        call_prefix: str = "",
    ) -> None:
        self.targets = frozenset(targets)
        self.call_prefix = call_prefix
        self.timeout = check_positive(timeout, "timeout", allow_none=True)
        self.poll_interval = check_positive(poll_interval, "poll_interval") or 1.0
        self.grace = check_positive(grace, "grace", allow_none=True, allow_zero=True)
        self.deadline = None if self.timeout is None else now + self.timeout
        self._interval = self.poll_interval
        self._last: BaseNotebook | None = None
        self._stuck_since: float | None = None  # first seen in its out-of-reach status

    def on_notebook(self, notebook: BaseNotebook, now: float) -> float | None:
        """Judge the latest read; ``None`` when done, else the seconds to sleep.

        Raises:
            NotebookFailed: The notebook reached a failure state not waited for.
            WaitTimeout: The deadline has passed.
        """
        self._last = notebook
        if notebook.status in self.targets:
            return None
        wanted = ", ".join(sorted(self.targets))
        if notebook.status.is_failure:
            detail = f": {notebook.status_message}" if notebook.status_message else ""
            raise NotebookFailed(
                f"notebook {notebook.id} is {notebook.status}{detail} (waited for {wanted})",
                notebook,
            )
        grace_ends = self._grace_ends(notebook, now)
        if grace_ends is not None and now >= grace_ends:
            raise self._unreachable(notebook)
        if self.deadline is not None and now >= self.deadline:
            raise self._timeout(notebook)
        delay = self._interval
        self._interval = min(self._interval * IDLE_BACKOFF, self.poll_interval * MAX_IDLE_FACTOR)
        for limit in (self.deadline, grace_ends):
            if limit is not None:
                delay = min(delay, limit - now)
        return max(delay, 0.0)

    def _grace_ends(self, notebook: BaseNotebook, now: float) -> float | None:
        """When the notebook must have left an out-of-reach status (``None``: it is not in one).

        Called only for a notebook in none of the targets.
        """
        if self.grace is None or notebook.status not in OUT_OF_REACH:
            self._stuck_since = None
            return None
        if self._stuck_since is None:
            self._stuck_since = now
        return self._stuck_since + self.grace

    def _unreachable(self, notebook: BaseNotebook) -> StatusUnreachable:
        wanted = " or ".join(sorted(self.targets))
        action = OUT_OF_REACH[notebook.status]
        job = notebook.job_definition_name or "JOB"
        call = self.call_prefix
        return StatusUnreachable(
            f"notebook {notebook.id} is {notebook.status}: it will not become {wanted} by "
            f"itself (still {notebook.status} after a {self.grace:g}s grace period). "
            f"{action.capitalize()} it first: {call}nb.{action}(), or "
            f"{call}client.notebooks.{action}({job!r}, {notebook.id!r})",
            notebook,
            self.targets,
        )

    @property
    def call_until(self) -> float | None:
        """When a poll must be over: the deadline, plus one poll interval for the final check
        (which lands on the deadline and must still be able to run)."""
        return None if self.deadline is None else self.deadline + self.poll_interval

    def _timeout(self, notebook: BaseNotebook) -> WaitTimeout:
        wanted = ", ".join(sorted(self.targets))
        return WaitTimeout(
            f"notebook {notebook.id} is still {notebook.status} after {self.timeout:g}s "
            f"(waited for {wanted})",
            notebook,
        )

    def on_call_timeout(self, error: APITimeoutError, now: float) -> None:
        """A poll ran out of time: past the wait's deadline, that is the wait timing out.

        Raises:
            WaitTimeout: The deadline has passed and a notebook was read before (it is carried).

        Otherwise returns, and the caller re-raises ``error``.
        """
        if self._last is not None and self.deadline is not None and now >= self.deadline:
            raise self._timeout(self._last) from error
