"""The ``Emulator``: the public face of the emulator, and its single request -> response core.

The work is split by concern: the route table (``_routes``), the operations with their
validation (``_operations``), state and lifecycle (``_state``), authentication (``_auth``), the
faults (``_faults``), the answer forms (``_dialect``) and the request log (``_records``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from ._auth import Authenticator
from ._clock import ManualClock, TimeSource
from ._dialect import ActionResponse, DeleteResponse, Dialect, ListForm
from ._faults import Fault, FaultOptions, FaultQueue, FaultRule, apply_fault
from ._operations import event_json
from ._records import EmulatorResponse, RecordedRequest, RequestLog
from ._routes import TABLE, split_path
from ._state import (
    DEFAULT_JOB_DEFINITION,
    DEFAULT_ORGANIZATION_ID,
    STATUSES,
    NotebookStatus,
    State,
)
from ._wire import ApiError, error_response, new_request_id

if TYPE_CHECKING:
    from typing import Unpack

    import httpx

__all__ = ["DEFAULT_JOB_DEFINITION", "DEFAULT_ORGANIZATION_ID", "Emulator"]

_log = logging.getLogger("abeja_notebooks.testing")


class Emulator:
    """A stateful, in-memory ABEJA Platform Notebook API.

    One core, `Emulator.handle`, answers every request;
    `Emulator.transport` and
    `Emulator.async_transport` reach it in-process
    through httpx, and `EmulatorServer` over real HTTP.
    Time comes from ``clock`` (a `ManualClock` by default): a
    started notebook is ``Pending``, then ``Running`` ``start_delay`` seconds later, and writes a
    log line every ``log_interval`` seconds while it runs. Nothing happens in the background;
    everything is computed when it is looked at.

    The answer forms come from `Emulator.dialect` (a `Dialect`), which can be replaced at any
    time; its first four fields are also attributes of the emulator (``list_form``,
    ``action_response``, ``delete_response``, ``int_ids_in_actions``). ``extra_fields`` is merged
    into every notebook object (after the known keys), to check that unknown fields survive a
    round trip.

    ``start_delay``, ``log_interval``, ``log_page_size`` and ``max_limit`` are attributes too;
    a change applies to notebooks started afterwards.

    Memory: a notebook holds a few hundred bytes and its log, which keeps its latest 50,000 events
    at least and 75,000 at most; a deleted notebook frees all of it. The request log keeps every
    request unless ``max_recorded_requests`` bounds it (a served emulator keeps 10,000). Nothing
    else grows with time or with the number of requests.

    Args:
        clock: Where time comes from (default: a new
            `ManualClock`).
        organizations: Organization id -> its job definition names (default: one organization,
            `DEFAULT_ORGANIZATION_ID`, with
            `DEFAULT_JOB_DEFINITION`).
        tokens: Bearer tokens to accept.
        users: User id (with or without the ``user-`` prefix) -> personal access token, to accept
            as Basic credentials. With neither ``tokens`` nor ``users``, any well-formed credential
            is accepted.
        start_delay: Seconds a notebook stays ``Pending`` after a create or a start.
        log_interval: Seconds between two log lines of a running notebook.
        log_page_size: Events per recent-logs page.
        max_limit: The largest ``limit`` a list request gets (larger ones are capped).
        dialect: The answer forms (default: ``Dialect()``, the reference documentation's).

    Raises:
        ValueError: On a negative delay, a non-positive interval, page size or limit.

    Examples:
        >>> import httpx
        >>> emulator = Emulator(tokens=["secret"])
        >>> with httpx.Client(transport=emulator.transport(), base_url="http://emulator",
        ...                   headers={"Authorization": "Bearer secret"}) as http:
        ...     r = http.post("/organizations/1410000000000/training/definitions/"
        ...                   "train-resnet/notebooks", json={"notebook_type": "lab"})
        >>> r.json()["status"]
        'Pending'
        >>> emulator.advance(1.0)
        >>> emulator.notebooks()[0]["status"]
        'Running'
    """

    def __init__(
        self,
        *,
        clock: TimeSource | None = None,
        organizations: Mapping[str, Iterable[str]] | None = None,
        tokens: Iterable[str] = (),
        users: Mapping[str, str] | None = None,
        start_delay: float = 1.0,
        log_interval: float = 0.5,
        log_page_size: int = 50,
        max_limit: int = 1000,
        dialect: Dialect | None = None,
    ) -> None:
        self.clock: TimeSource = clock if clock is not None else ManualClock()
        """Where the emulator's time comes from."""
        self.dialect: Dialect = dialect if dialect is not None else Dialect()
        """The answer forms (replace it, or set its fields through the attributes below)."""
        self._lock = threading.RLock()
        self._state = State()
        self._auth = Authenticator(tokens, users)
        self._faults = FaultQueue()
        self._log = RequestLog()
        self.start_delay = start_delay
        self.log_interval = log_interval
        self.log_page_size = log_page_size
        self.max_limit = max_limit
        if organizations is None:
            organizations = {DEFAULT_ORGANIZATION_ID: [DEFAULT_JOB_DEFINITION]}
        for organization_id, names in organizations.items():
            self.add_organization(organization_id)
            for name in names:
                self.add_job_definition(name, organization_id)

    # ----------------------------------------------------------------- settings

    @property
    def start_delay(self) -> float:
        """Seconds a notebook stays ``Pending`` after a create or a start (>= 0)."""
        return self._state.start_delay

    @start_delay.setter
    def start_delay(self, value: float) -> None:
        if not value >= 0:
            raise ValueError(f"start_delay must be >= 0, got {value!r}")
        self._state.start_delay = float(value)

    @property
    def log_interval(self) -> float:
        """Seconds between two log lines of a running notebook (> 0)."""
        return self._state.log_interval

    @log_interval.setter
    def log_interval(self, value: float) -> None:
        if not value > 0:
            raise ValueError(f"log_interval must be > 0, got {value!r}")
        self._state.log_interval = float(value)

    @property
    def log_page_size(self) -> int:
        """Events per recent-logs page (>= 1)."""
        return self._state.log_page_size

    @log_page_size.setter
    def log_page_size(self, value: int) -> None:
        if value < 1:
            raise ValueError(f"log_page_size must be >= 1, got {value!r}")
        self._state.log_page_size = value

    @property
    def max_limit(self) -> int:
        """The largest ``limit`` a list request gets (>= 1)."""
        return self._state.max_limit

    @max_limit.setter
    def max_limit(self, value: int) -> None:
        if value < 1:
            raise ValueError(f"max_limit must be >= 1, got {value!r}")
        self._state.max_limit = value

    @property
    def max_recorded_requests(self) -> int | None:
        """How many requests `Emulator.requests` keeps
        (default ``None``: all of them; >= 0); the oldest are forgotten first."""
        return self._log.limit

    @max_recorded_requests.setter
    def max_recorded_requests(self, value: int | None) -> None:
        if value is not None and value < 0:
            raise ValueError(f"max_recorded_requests must be >= 0 or None, got {value!r}")
        with self._lock:
            self._log.limit = value

    @property
    def extra_fields(self) -> dict[str, Any]:
        """Fields merged into every notebook object the emulator answers with (default: none)."""
        return self._state.extra_fields

    @extra_fields.setter
    def extra_fields(self, value: dict[str, Any]) -> None:
        self._state.extra_fields = value

    # ------------------------------------------------------------- answer forms

    @property
    def list_form(self) -> ListForm:
        """How listings answer: ``"envelope"`` (the default, ``{"total", "offset", "limit",
        "entries"}``) or ``"bare"`` (a JSON list, the older server form)."""
        return self.dialect.list_form

    @list_form.setter
    def list_form(self, value: ListForm) -> None:
        self.dialect = replace(self.dialect, list_form=value)

    @property
    def action_response(self) -> ActionResponse:
        """What start and stop answer: ``"notebook"`` (the default) or ``"message"``
        (``{"message": "<id> started"}``)."""
        return self.dialect.action_response

    @action_response.setter
    def action_response(self, value: ActionResponse) -> None:
        self.dialect = replace(self.dialect, action_response=value)

    @property
    def delete_response(self) -> DeleteResponse:
        """What delete answers: ``"value"`` (the default, ``{"value": {"message": "<id>
        deleted"}}``) or ``"message"`` (``{"message": "<id> deleted"}``)."""
        return self.dialect.delete_response

    @delete_response.setter
    def delete_response(self, value: DeleteResponse) -> None:
        self.dialect = replace(self.dialect, delete_response=value)

    @property
    def int_ids_in_actions(self) -> bool:
        """When True, update, start and stop answer ``training_notebook_id`` as the integer 0."""
        return self.dialect.int_ids_in_actions

    @int_ids_in_actions.setter
    def int_ids_in_actions(self, value: bool) -> None:
        self.dialect = replace(self.dialect, int_ids_in_actions=value)

    # -------------------------------------------------------------- configuration

    def add_organization(self, organization_id: str) -> None:
        """Make an organization exist (no-op if it does).

        Args:
            organization_id: Its id, e.g. ``"1410000000000"``.

        Raises:
            ValueError: If the id is empty.
        """
        if not organization_id:
            raise ValueError("organization_id must not be empty")
        with self._lock:
            self._state.organizations.setdefault(organization_id, {})

    def add_job_definition(self, name: str, organization_id: str = DEFAULT_ORGANIZATION_ID) -> str:
        """Make a training job definition exist (and its organization).

        Args:
            name: The job definition's name, as it appears in paths.
            organization_id: The organization it belongs to (created when missing).

        Returns:
            The job definition's 13-digit id (``job_definition_id`` in notebook objects).

        Raises:
            ValueError: If the name or the organization id is empty.
        """
        if not name:
            raise ValueError("a job definition name must not be empty")
        self.add_organization(organization_id)
        with self._lock:
            return self._state.add_job_definition(organization_id, name).id

    def advance(self, seconds: float) -> None:
        """Move the emulator's `ManualClock` forward.

        Args:
            seconds: How far, zero or more.

        Raises:
            TypeError: If the emulator does not run on a
                `ManualClock`.
            ValueError: If ``seconds`` is negative.
        """
        clock = self.clock
        if not isinstance(clock, ManualClock):
            raise TypeError(f"advance() needs a ManualClock, this emulator runs on {clock!r}")
        clock.advance(seconds)

    # ---------------------------------------------------------------- transports

    def transport(self) -> httpx.BaseTransport:
        """Make an httpx transport that answers from this emulator, in-process.

        Returns:
            A transport for ``httpx.Client(transport=..., base_url="http://anything")``.

        Examples:
            >>> import httpx
            >>> client = httpx.Client(transport=Emulator().transport(), base_url="http://emu")
        """
        from ._transports import EmulatorTransport

        return EmulatorTransport(self)

    def async_transport(self) -> httpx.AsyncBaseTransport:
        """Make an async httpx transport that answers from this emulator, in-process.

        Returns:
            A transport for ``httpx.AsyncClient(transport=..., base_url="http://anything")``.
        """
        from ._transports import AsyncEmulatorTransport

        return AsyncEmulatorTransport(self)

    # -------------------------------------------------------------------- faults

    def inject(
        self,
        fault: Fault | None = None,
        *,
        method: str | None = None,
        path: str | None = None,
        times: int = 1,
        **fault_kwargs: Unpack[FaultOptions],
    ) -> Fault:
        """Make the next ``times`` matching requests go wrong.

        Rules are tried in the order they were injected; the first one that matches a request is
        used (one fault per request) and is spent after ``times`` requests.

        Args:
            fault: The fault, or None to build one from ``fault_kwargs``.
            method: The verb to match (any when None).
            path: A regular expression searched (``re.search``) in the decoded path (any when None).
            times: How many matching requests it applies to (>= 1).
            **fault_kwargs: The fields of `Fault`, when ``fault``
                is not given.

        Returns:
            The fault.

        Raises:
            TypeError: If both ``fault`` and ``fault_kwargs`` are given.
            ValueError: If ``times`` < 1, or the fault options are incoherent.
            re.error: If ``path`` is not a valid regular expression.

        Examples:
            >>> emulator = Emulator()
            >>> _ = emulator.inject(status=503, retry_after="2", method="GET", times=2)
            >>> _ = emulator.inject(drop=True, method="POST", path=r"/notebooks$", after=True)
        """
        if fault is None:
            fault = Fault(**fault_kwargs)
        elif fault_kwargs:
            raise TypeError("pass a Fault or its fields as keywords, not both")
        with self._lock:
            self._faults.add(fault, method, path, times)
        return fault

    def clear_faults(self) -> None:
        """Forget every pending fault."""
        with self._lock:
            self._faults.clear()

    @property
    def pending_faults(self) -> list[FaultRule]:
        """The faults not yet spent, in the order they will be tried (a snapshot)."""
        with self._lock:
            return self._faults.snapshot()

    # ------------------------------------------------------------------ requests

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received, in order (a snapshot)."""
        with self._lock:
            return self._log.snapshot()

    def clear_requests(self) -> None:
        """Forget the recorded requests."""
        with self._lock:
            self._log.clear()

    # --------------------------------------------------------------- ground truth

    def notebooks(
        self,
        organization_id: str = DEFAULT_ORGANIZATION_ID,
        job_definition: str = DEFAULT_JOB_DEFINITION,
    ) -> list[dict[str, Any]]:
        """Return the notebooks of a job definition as the server would list them now.

        Args:
            organization_id: The organization.
            job_definition: The job definition's name.

        Returns:
            JSON objects, oldest first.

        Raises:
            KeyError: If the organization or job definition does not exist.
        """
        with self._lock:
            definition = self._state.definition(organization_id, job_definition)
            now = self.clock.now()
            to_json = self._state.to_json
            return [to_json(definition.notebooks[i], now) for i in definition.order]

    def notebook(
        self,
        notebook_id: str,
        organization_id: str | None = None,
        job_definition: str | None = None,
    ) -> dict[str, Any]:
        """Return one notebook as the server would answer it now.

        Args:
            notebook_id: Its id.
            organization_id: When given, the notebook must belong to this organization.
            job_definition: When given, the notebook must belong to this job definition.

        Returns:
            Its JSON object.

        Raises:
            KeyError: If there is no such notebook (there).
        """
        with self._lock:
            nb = self._state.by_id(notebook_id)
            definition = nb.job_definition
            if (organization_id is not None and organization_id != definition.organization_id) or (
                job_definition is not None and job_definition != definition.name
            ):
                raise KeyError(notebook_id)
            return self._state.to_json(nb, self.clock.now())

    def seed(
        self,
        count: int,
        *,
        organization_id: str = DEFAULT_ORGANIZATION_ID,
        job_definition: str = DEFAULT_JOB_DEFINITION,
        status: NotebookStatus = "Stopped",
    ) -> list[str]:
        """Create many notebooks at once, without going through requests.

        Seeded notebooks have the default instance type and image and the default creator.
        ``Running`` ones start writing logs now; ``Pending`` ones run after ``start_delay``.

        Args:
            count: How many (>= 0).
            organization_id: The organization.
            job_definition: The job definition's name.
            status: The state they are in.

        Returns:
            Their ids, in creation order.

        Raises:
            KeyError: If the organization or job definition does not exist.
            ValueError: On a negative count or an unknown status.
        """
        if count < 0:
            raise ValueError(f"count must be >= 0, got {count!r}")
        if status not in STATUSES:
            raise ValueError(f"status must be one of {sorted(STATUSES)}, got {status!r}")
        with self._lock:
            definition = self._state.definition(organization_id, job_definition)
            return self._state.seed(definition, count, status, self.clock.now())

    def log_events(self, notebook_id: str) -> list[dict[str, str]]:
        """Return every log event of a notebook produced so far.

        A notebook keeps its latest 50,000 events or more; older ones are forgotten (only a run
        of many hours at a short ``log_interval`` gets there).

        Args:
            notebook_id: The notebook's id.

        Returns:
            ``{"message", "timestamp"}`` objects, oldest first.

        Raises:
            KeyError: If there is no such notebook.
        """
        with self._lock:
            nb = self._state.by_id(notebook_id)
            self._state.refresh(nb, self.clock.now())
            if nb.logs is None:
                return []
            return [event_json(event) for event in nb.logs.slice(nb.logs.first, nb.logs.end)]

    def append_log(self, notebook_id: str, message: str) -> None:
        """Add a log event to a notebook, timestamped now.

        Args:
            notebook_id: The notebook's id.
            message: The event's text.

        Raises:
            KeyError: If there is no such notebook.
        """
        with self._lock:
            nb = self._state.by_id(notebook_id)
            now = self.clock.now()
            self._state.refresh(nb, now)
            nb.log_stream().append(now, message)

    def fail(self, notebook_id: str, message: str = "the notebook server exited") -> None:
        """Make a notebook fail now (status ``Failed``, with ``status_message``).

        Args:
            notebook_id: The notebook's id.
            message: Its ``status_message``.

        Raises:
            KeyError: If there is no such notebook.
        """
        with self._lock:
            nb = self._state.by_id(notebook_id)
            self._state.halt(nb, self.clock.now(), "Failed", message)

    # ----------------------------------------------------------------------- core

    def handle(
        self,
        method: str,
        raw_path: str,
        query: str,
        headers: Mapping[str, str],
        body: bytes,
    ) -> EmulatorResponse:
        """Answer one request: the core every transport calls.

        It records the request, applies an injected fault if one matches, and otherwise (or
        first, for ``after=True`` faults) authenticates it and runs the operation its route
        names. Thread-safe.

        Args:
            method: The HTTP verb.
            raw_path: The path as sent (percent-encoded), without the query string.
            query: The raw query string (without ``?``).
            headers: The request headers (any case).
            body: The request body.

        Returns:
            What to send back, and how (see
            `EmulatorResponse`).
        """
        method = method.upper()
        lowered = {name.lower(): value for name, value in headers.items()}
        request_id = new_request_id()
        segments = split_path(raw_path)
        path = "/" + "/".join(segments) if segments is not None else raw_path
        with self._lock:
            now = self.clock.now()
            self._log.record(
                RecordedRequest(
                    method=method,
                    path=path,
                    raw_path=raw_path,
                    query=parse_qs(query, keep_blank_values=True),
                    headers=lowered,
                    body=body,
                    time=now,
                    request_id=request_id,
                )
            )
            dialect = self.dialect
            fault = self._faults.take(method, path)
            if fault is not None and fault.replaces_answer and not fault.after:
                return _request_id_in(dialect, apply_fault(fault, None, request_id))
            try:
                creator = self._auth.authenticate(lowered.get("authorization"))
                answer = TABLE.dispatch(
                    self._state,
                    dialect,
                    creator,
                    method,
                    segments,
                    query,
                    body,
                    now,
                    request_id,
                )
            except ApiError as exc:
                answer = error_response(
                    exc.status,
                    exc.description,
                    exc.detail,
                    request_id=request_id,
                    headers=exc.headers,
                    form=dialect.error_body,
                )
            except Exception as exc:
                _log.exception("emulator error on %s %s", method, raw_path)
                answer = error_response(
                    500,
                    "the emulator failed on this request",
                    {"exception": [repr(exc)]},
                    request_id=request_id,
                    form=dialect.error_body,
                )
            if fault is not None:
                answer = apply_fault(fault, answer, request_id)
            return _request_id_in(dialect, answer)

    def __repr__(self) -> str:
        with self._lock:
            return (
                f"<Emulator organizations={len(self._state.organizations)} "
                f"notebooks={len(self._state.index)} requests={len(self._log)} "
                f"pending_faults={len(self._faults)} clock={self.clock!r}>"
            )


def _request_id_in(dialect: Dialect, answer: EmulatorResponse) -> EmulatorResponse:
    """The answer with its request id in the dialect's header (or none)."""
    wanted = dialect.request_id_header
    if wanted == "x-request-id" or "x-request-id" not in answer.headers:
        return answer
    headers = dict(answer.headers)
    request_id = headers.pop("x-request-id")
    if wanted != "none":
        headers[wanted] = request_id
    return replace(answer, headers=headers)
