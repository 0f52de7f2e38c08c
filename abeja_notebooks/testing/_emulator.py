"""The emulator's state and its single request -> response core."""

from __future__ import annotations

import base64
import binascii
import bisect
import json
import logging
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal, NoReturn, cast
from urllib.parse import parse_qs, unquote

from ._clock import Clock, ManualClock
from ._faults import Fault, FaultOptions, FaultRule
from ._logstream import LogStream, TokenError, decode_token, encode_token
from ._records import EmulatorResponse, RecordedRequest
from ._transports import AsyncEmulatorTransport, EmulatorTransport
from ._wire import (
    error_payload,
    error_response,
    format_micros,
    format_millis,
    json_response,
    merge_headers,
    new_request_id,
)

if TYPE_CHECKING:
    from typing import Unpack

    import httpx

__all__ = ["DEFAULT_JOB_DEFINITION", "DEFAULT_ORGANIZATION_ID", "Emulator"]

_log = logging.getLogger("abeja_notebooks.testing")

DEFAULT_ORGANIZATION_ID = "1410000000000"
"""The organization an ``Emulator`` has unless told otherwise: ``1410000000000``."""

DEFAULT_JOB_DEFINITION = "train-resnet"
"""The training job definition an ``Emulator`` has unless told otherwise: ``train-resnet``."""

NotebookStatus = Literal["Pending", "Running", "Stopped", "Failed"]

_STATUSES: frozenset[str] = frozenset({"Pending", "Running", "Stopped", "Failed"})
_INSTANCE_TYPE = re.compile(r"(cpu|gpu)(:[a-d])?-[0-9]+(\.[0-9]+)?")  # ASCII digits, not any \d
_NOTEBOOK_TYPES = ("notebook", "lab")
_DEFAULT_INSTANCE_TYPE = "cpu-1"
_DEFAULT_IMAGE = "abeja-inc/all-cpu:19.10"
_DEFAULT_NOTEBOOK_TYPE = "notebook"

_CREATOR_CREATED_AT = "2017-05-26T01:38:46Z"
_CREATOR_UPDATED_AT = "2018-01-04T03:02:12Z"

_FIRST_JOB_DEFINITION_ID = 1_230_000_000_000
_FIRST_NOTEBOOK_ID = 1_900_000_000_000

_CREATE_KEYS = frozenset(
    {"instance_type", "image", "notebook_type", "datalakes", "buckets", "datasets"}
)
_UPDATE_KEYS = frozenset({"instance_type", "image", "notebook_type"})
_START_KEYS = frozenset({"notebook_type", "datalakes", "buckets", "datasets"})
_STOP_KEYS: frozenset[str] = frozenset()

_FAULT_PLACEHOLDER = b'{"message":"this answer was replaced by an injected fault"}'

Route = Literal["list", "notebook", "start", "stop", "recentlogs"]
_ALLOWED: dict[Route, tuple[str, ...]] = {
    "list": ("GET", "POST"),
    "notebook": ("GET", "PUT", "DELETE"),
    "start": ("POST",),
    "stop": ("POST",),
    "recentlogs": ("GET",),
}


class _ApiError(Exception):
    """An error answer, raised inside the core and turned into a response."""

    def __init__(
        self,
        status: int,
        description: str,
        detail: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.detail = dict(detail or {})
        self.headers = dict(headers or {})


@dataclass(frozen=True)
class _Creator:
    id: str
    email: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "email": self.email,
            "display_name": None,
            "role": "admin",
            "is_registered": True,
            "created_at": _CREATOR_CREATED_AT,
            "updated_at": _CREATOR_UPDATED_AT,
        }


_DEFAULT_CREATOR = _Creator(id="1122334455660", email="test@example.com")


class _JobDefinition:
    __slots__ = ("id", "name", "next_number", "notebooks", "order", "organization_id")

    def __init__(self, organization_id: str, name: str, job_definition_id: str) -> None:
        self.organization_id = organization_id
        self.name = name
        self.id = job_definition_id
        self.notebooks: dict[str, _Notebook] = {}
        # Ids in creation order. They are 13-digit strings from one increasing counter, so this
        # list is sorted and a deletion is a bisection.
        self.order: list[str] = []
        self.next_number = 1


class _Notebook:
    __slots__ = (
        "created_at",
        "creator",
        "id",
        "image",
        "instance_type",
        "job_definition",
        "logs",
        "modified_at",
        "name",
        "notebook_type",
        "running_at",
        "status",
        "status_message",
    )

    def __init__(
        self,
        notebook_id: str,
        job_definition: _JobDefinition,
        name: str,
        creator: _Creator,
        now: float,
        instance_type: str,
        image: str,
        notebook_type: str,
    ) -> None:
        self.id = notebook_id
        self.job_definition = job_definition
        self.name = name
        self.creator = creator
        self.created_at = now
        self.modified_at = now
        self.instance_type = instance_type
        self.image = image
        self.notebook_type = notebook_type
        self.status: str = "Stopped"
        self.status_message: str | None = None
        self.running_at: float | None = None
        self.logs: LogStream | None = None


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

    Response-shape knobs (plain attributes, change them at any time):

    - ``list_form``: ``"envelope"`` (``{"total", "offset", "limit", "entries"}``) or ``"bare"``
      (a JSON list, the older server form; ``offset``/``limit`` still apply).
    - ``action_response``: what start and stop answer: ``"notebook"`` (the notebook after the
      change) or ``"message"`` (``{"message": "<id> started"}``).
    - ``delete_response``: ``"value"`` (``{"value": {"message": "<id> deleted"}}``) or
      ``"message"`` (``{"message": "<id> deleted"}``).
    - ``int_ids_in_actions``: when True, update, start and stop answer ``training_notebook_id`` as
      the integer 0, as in the reference documentation's examples.
    - ``extra_fields``: merged into every notebook object (after the known keys), to check that
      unknown fields survive a round trip.

    ``start_delay``, ``log_interval``, ``log_page_size`` and ``max_limit`` are attributes too;
    a change applies to notebooks started afterwards. ``max_recorded_requests`` (default None:
    keep all) bounds `Emulator.requests` for a long-running
    server; the oldest are forgotten.

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

    list_form: Literal["envelope", "bare"]
    """How listings answer: ``"envelope"`` (the default, ``{"total", "offset", "limit",
    "entries"}``) or ``"bare"`` (a JSON list, the older server form)."""
    action_response: Literal["notebook", "message"]
    """What start and stop answer: ``"notebook"`` (the default) or ``"message"``
    (``{"message": "<id> started"}``)."""
    delete_response: Literal["value", "message"]
    """What delete answers: ``"value"`` (the default, ``{"value": {"message": "<id> deleted"}}``)
    or ``"message"`` (``{"message": "<id> deleted"}``)."""
    int_ids_in_actions: bool
    """When True, update, start and stop answer ``training_notebook_id`` as the integer 0."""
    extra_fields: dict[str, Any]
    """Fields merged into every notebook object the emulator answers with (default: none)."""
    max_recorded_requests: int | None
    """How many requests `Emulator.requests` keeps (default
    ``None``: all of them); the oldest are forgotten first."""

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        organizations: Mapping[str, Iterable[str]] | None = None,
        tokens: Iterable[str] = (),
        users: Mapping[str, str] | None = None,
        start_delay: float = 1.0,
        log_interval: float = 0.5,
        log_page_size: int = 50,
        max_limit: int = 1000,
    ) -> None:
        self.clock: Clock = clock if clock is not None else ManualClock()
        """Where the emulator's time comes from."""
        self.list_form = "envelope"
        self.action_response = "notebook"
        self.delete_response = "value"
        self.int_ids_in_actions = False
        self.extra_fields = {}
        self.max_recorded_requests = None
        self._lock = threading.RLock()
        self._organizations: dict[str, dict[str, _JobDefinition]] = {}
        self._index: dict[str, _Notebook] = {}
        self._next_job_definition_id = _FIRST_JOB_DEFINITION_ID
        self._next_notebook_id = _FIRST_NOTEBOOK_ID
        self._tokens = frozenset(tokens)
        self._users = {_bare_user_id(user): pat for user, pat in (users or {}).items()}
        self._requests: list[RecordedRequest] = []
        self._rules: list[FaultRule] = []
        self._start_delay = 0.0
        self._log_interval = 0.5
        self._log_page_size = 50
        self._max_limit = 1000
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
        return self._start_delay

    @start_delay.setter
    def start_delay(self, value: float) -> None:
        if not value >= 0:
            raise ValueError(f"start_delay must be >= 0, got {value!r}")
        self._start_delay = float(value)

    @property
    def log_interval(self) -> float:
        """Seconds between two log lines of a running notebook (> 0)."""
        return self._log_interval

    @log_interval.setter
    def log_interval(self, value: float) -> None:
        if not value > 0:
            raise ValueError(f"log_interval must be > 0, got {value!r}")
        self._log_interval = float(value)

    @property
    def log_page_size(self) -> int:
        """Events per recent-logs page (>= 1)."""
        return self._log_page_size

    @log_page_size.setter
    def log_page_size(self, value: int) -> None:
        if value < 1:
            raise ValueError(f"log_page_size must be >= 1, got {value!r}")
        self._log_page_size = value

    @property
    def max_limit(self) -> int:
        """The largest ``limit`` a list request gets (>= 1)."""
        return self._max_limit

    @max_limit.setter
    def max_limit(self, value: int) -> None:
        if value < 1:
            raise ValueError(f"max_limit must be >= 1, got {value!r}")
        self._max_limit = value

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
            self._organizations.setdefault(organization_id, {})

    def add_job_definition(self, name: str, organization_id: str = DEFAULT_ORGANIZATION_ID) -> str:
        """Make a training job definition exist (and its organization).

        Args:
            name: The job definition's name, as it appears in paths.
            organization_id: The organization it belongs to (created when missing).

        Returns:
            The job definition's 13-digit id (``job_definition_id`` in notebook objects).

        Raises:
            ValueError: If the name is empty.
        """
        if not name:
            raise ValueError("a job definition name must not be empty")
        with self._lock:
            self.add_organization(organization_id)
            definitions = self._organizations[organization_id]
            existing = definitions.get(name)
            if existing is not None:
                return existing.id
            self._next_job_definition_id += 1
            definition = _JobDefinition(organization_id, name, str(self._next_job_definition_id))
            definitions[name] = definition
            return definition.id

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
        return EmulatorTransport(self)

    def async_transport(self) -> httpx.AsyncBaseTransport:
        """Make an async httpx transport that answers from this emulator, in-process.

        Returns:
            A transport for ``httpx.AsyncClient(transport=..., base_url="http://anything")``.
        """
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
        if times < 1:
            raise ValueError(f"times must be >= 1, got {times!r}")
        if path is not None:
            re.compile(path)
        rule = FaultRule(
            fault=fault, method=method.upper() if method else None, path=path, remaining=times
        )
        with self._lock:
            self._rules.append(rule)
        return fault

    def clear_faults(self) -> None:
        """Forget every pending fault."""
        with self._lock:
            self._rules.clear()

    @property
    def pending_faults(self) -> list[FaultRule]:
        """The faults not yet spent, in the order they will be tried (a snapshot)."""
        with self._lock:
            return list(self._rules)

    def _take_fault(self, method: str, path: str) -> Fault | None:
        for position, rule in enumerate(self._rules):
            if rule.matches(method, path):
                if rule.remaining > 1:
                    self._rules[position] = replace(rule, remaining=rule.remaining - 1)
                else:
                    del self._rules[position]
                return rule.fault
        return None

    # ------------------------------------------------------------------ requests

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received, in order (a snapshot)."""
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        """Forget the recorded requests."""
        with self._lock:
            self._requests.clear()

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
            definition = self._definition(organization_id, job_definition)
            now = self.clock.now()
            return [self._to_json(definition.notebooks[i], now) for i in definition.order]

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
            nb = self._by_id(notebook_id)
            definition = nb.job_definition
            if (organization_id is not None and organization_id != definition.organization_id) or (
                job_definition is not None and job_definition != definition.name
            ):
                raise KeyError(notebook_id)
            return self._to_json(nb, self.clock.now())

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
        if status not in _STATUSES:
            raise ValueError(f"status must be one of {sorted(_STATUSES)}, got {status!r}")
        with self._lock:
            definition = self._definition(organization_id, job_definition)
            now = self.clock.now()
            ids: list[str] = []
            for _ in range(count):
                nb = self._new_notebook(
                    definition,
                    _DEFAULT_CREATOR,
                    now,
                    _DEFAULT_INSTANCE_TYPE,
                    _DEFAULT_IMAGE,
                    _DEFAULT_NOTEBOOK_TYPE,
                )
                if status == "Pending":
                    self._launch(nb, now)
                elif status == "Running":
                    self._launch(nb, now - self._start_delay)
                    nb.modified_at = now
                    nb.status = "Running"
                elif status == "Failed":
                    nb.status = "Failed"
                    nb.status_message = "seeded as failed"
                ids.append(nb.id)
            return ids

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
            nb = self._by_id(notebook_id)
            self._refresh(nb, self.clock.now())
            if nb.logs is None:
                return []
            return [_event_json(event) for event in nb.logs.slice(nb.logs.first, nb.logs.end)]

    def append_log(self, notebook_id: str, message: str) -> None:
        """Add a log event to a notebook, timestamped now.

        Args:
            notebook_id: The notebook's id.
            message: The event's text.

        Raises:
            KeyError: If there is no such notebook.
        """
        with self._lock:
            nb = self._by_id(notebook_id)
            now = self.clock.now()
            self._refresh(nb, now)
            if nb.logs is None:
                nb.logs = LogStream()
            nb.logs.append(now, message)

    def fail(self, notebook_id: str, message: str = "the notebook server exited") -> None:
        """Make a notebook fail now (status ``Failed``, with ``status_message``).

        Args:
            notebook_id: The notebook's id.
            message: Its ``status_message``.

        Raises:
            KeyError: If there is no such notebook.
        """
        with self._lock:
            nb = self._by_id(notebook_id)
            self._halt(nb, self.clock.now(), "Failed", message)

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
        first, for ``after=True`` faults) acts on the request. Thread-safe.

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
        segments = _split_path(raw_path)
        path = "/" + "/".join(segments) if segments is not None else raw_path
        with self._lock:
            now = self.clock.now()
            self._requests.append(
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
            limit = self.max_recorded_requests
            if limit is not None and len(self._requests) > limit + limit // 4:
                del self._requests[: len(self._requests) - limit]
            fault = self._take_fault(method, path)
            if fault is not None and fault.replaces_answer and not fault.after:
                return _faulty(fault, None, request_id)
            try:
                answer = self._serve(method, segments, query, lowered, body, now, request_id)
            except _ApiError as exc:
                answer = error_response(
                    exc.status,
                    exc.description,
                    exc.detail,
                    request_id=request_id,
                    headers=exc.headers,
                )
            except Exception as exc:
                _log.exception("emulator error on %s %s", method, raw_path)
                answer = error_response(
                    500,
                    "the emulator failed on this request",
                    {"exception": [repr(exc)]},
                    request_id=request_id,
                )
            if fault is not None:
                return _faulty(fault, answer, request_id)
            return answer

    def _serve(
        self,
        method: str,
        segments: list[str] | None,
        query: str,
        headers: Mapping[str, str],
        body: bytes,
        now: float,
        request_id: str,
    ) -> EmulatorResponse:
        creator = self._authenticate(headers.get("authorization"))
        route = _match(segments)
        if route is None or segments is None:
            raise _ApiError(404, "no such resource", {"path": ["unknown route"]})
        kind, organization_id, job_definition, notebook_id = route
        allowed = _ALLOWED[kind]
        if method not in allowed:
            raise _ApiError(
                405,
                f"method {method} is not allowed here",
                {"method": [f"allowed: {', '.join(allowed)}"]},
                {"Allow": ", ".join(allowed)},
            )
        definitions = self._organizations.get(organization_id)
        if definitions is None:
            raise _ApiError(
                404,
                f"organization {organization_id} not found",
                {"organization_id": ["not found"]},
            )
        definition = definitions.get(job_definition)
        if definition is None:
            raise _ApiError(
                404,
                f"training job definition {job_definition} not found",
                {"job_definition_name": ["not found"]},
            )
        if kind == "list":
            if method == "POST":
                return self._create(definition, creator, body, now, request_id)
            return self._list(definition, query, now, request_id)
        nb = definition.notebooks.get(notebook_id)
        if nb is None:
            raise _ApiError(
                404, f"notebook {notebook_id} not found", {"notebook_id": ["not found"]}
            )
        self._refresh(nb, now)
        if kind == "notebook":
            if method == "GET":
                return json_response(200, self._to_json(nb, now), request_id)
            if method == "PUT":
                return self._update(nb, body, now, request_id)
            return self._delete(nb, request_id)
        if kind == "start":
            return self._start(nb, body, now, request_id)
        if kind == "stop":
            return self._stop(nb, body, now, request_id)
        return self._recent_logs(nb, query, request_id)

    # ------------------------------------------------------------------ operations

    def _create(
        self,
        definition: _JobDefinition,
        creator: _Creator,
        body: bytes,
        now: float,
        request_id: str,
    ) -> EmulatorResponse:
        fields = _fields(body, _CREATE_KEYS, allow_empty=False)
        nb = self._new_notebook(
            definition,
            creator,
            now,
            fields.get("instance_type", _DEFAULT_INSTANCE_TYPE),
            fields.get("image", _DEFAULT_IMAGE),
            fields.get("notebook_type", _DEFAULT_NOTEBOOK_TYPE),
        )
        self._launch(nb, now)
        self._refresh(nb, now)
        return json_response(200, self._to_json(nb, now), request_id)

    def _list(
        self, definition: _JobDefinition, query: str, now: float, request_id: str
    ) -> EmulatorResponse:
        params = parse_qs(query, keep_blank_values=True)
        offset = _int_param(params, "offset", 0, 0)
        limit = min(_int_param(params, "limit", 10, 1), self._max_limit)
        page = definition.order[offset : offset + limit]
        entries: list[dict[str, Any]] = []
        for notebook_id in page:
            nb = definition.notebooks[notebook_id]
            self._refresh(nb, now)
            entries.append(self._to_json(nb, now))
        if self.list_form == "bare":
            return json_response(200, entries, request_id)
        payload = {
            "total": len(definition.order),
            "offset": offset,
            "limit": limit,
            "entries": entries,
        }
        return json_response(200, payload, request_id)

    def _update(self, nb: _Notebook, body: bytes, now: float, request_id: str) -> EmulatorResponse:
        fields = _fields(body, _UPDATE_KEYS, allow_empty=False)
        nb.instance_type = fields.get("instance_type", nb.instance_type)
        nb.image = fields.get("image", nb.image)
        nb.notebook_type = fields.get("notebook_type", nb.notebook_type)
        nb.modified_at = max(now, nb.modified_at)
        return json_response(200, self._to_json(nb, now, action=True), request_id)

    def _delete(self, nb: _Notebook, request_id: str) -> EmulatorResponse:
        definition = nb.job_definition
        del definition.notebooks[nb.id]
        position = bisect.bisect_left(definition.order, nb.id)
        if position < len(definition.order) and definition.order[position] == nb.id:
            del definition.order[position]
        else:  # pragma: no cover - the order list is sorted by construction
            definition.order.remove(nb.id)
        del self._index[nb.id]
        message = {"message": f"{nb.id} deleted"}
        payload = message if self.delete_response == "message" else {"value": message}
        return json_response(200, payload, request_id)

    def _start(self, nb: _Notebook, body: bytes, now: float, request_id: str) -> EmulatorResponse:
        fields = _fields(body, _START_KEYS, allow_empty=True)
        if nb.status in ("Pending", "Running"):
            raise _ApiError(
                409,
                f"notebook {nb.id} is already {nb.status}",
                {"status": [nb.status]},
            )
        nb.notebook_type = fields.get("notebook_type", nb.notebook_type)
        self._launch(nb, now)
        self._refresh(nb, now)
        return self._action_answer(nb, "started", now, request_id)

    def _stop(self, nb: _Notebook, body: bytes, now: float, request_id: str) -> EmulatorResponse:
        _fields(body, _STOP_KEYS, allow_empty=True)
        if nb.status in ("Stopped", "Failed"):
            raise _ApiError(409, f"notebook {nb.id} is not running", {"status": [nb.status]})
        self._halt(nb, now, "Stopped", None)
        return self._action_answer(nb, "stopped", now, request_id)

    def _action_answer(
        self, nb: _Notebook, verb: str, now: float, request_id: str
    ) -> EmulatorResponse:
        if self.action_response == "message":
            return json_response(200, {"message": f"{nb.id} {verb}"}, request_id)
        return json_response(200, self._to_json(nb, now, action=True), request_id)

    def _recent_logs(self, nb: _Notebook, query: str, request_id: str) -> EmulatorResponse:
        params = parse_qs(query, keep_blank_values=True)
        forward = _single(params, "next_forward_token")
        backward = _single(params, "next_backward_token")
        if forward is not None and backward is not None:
            raise _ApiError(
                400,
                "give next_forward_token or next_backward_token, not both",
                {"next_backward_token": ["not allowed with next_forward_token"]},
            )
        if nb.logs is None:
            nb.logs = LogStream()
        stream = nb.logs
        page = self._log_page_size
        end = stream.end
        if forward is not None:
            k = max(_token_index(forward, "f", nb.id, end, "next_forward_token"), stream.first)
            lo, hi = k, min(k + page, end)
            next_backward, next_forward = lo, hi
        elif backward is not None:
            k = max(_token_index(backward, "b", nb.id, end, "next_backward_token"), stream.first)
            lo, hi = max(stream.first, k - page), k
            next_backward, next_forward = lo, hi
        else:
            lo, hi = max(stream.first, end - page), end
            next_backward, next_forward = lo, hi
        payload = {
            "events": [_event_json(event) for event in stream.slice(lo, hi)],
            "next_backward_token": encode_token("b", nb.id, next_backward),
            "next_forward_token": encode_token("f", nb.id, next_forward),
        }
        return json_response(200, payload, request_id)

    # --------------------------------------------------------------------- state

    def _definition(self, organization_id: str, name: str) -> _JobDefinition:
        definitions = self._organizations.get(organization_id)
        if definitions is None:
            raise KeyError(f"no organization {organization_id!r}")
        definition = definitions.get(name)
        if definition is None:
            raise KeyError(f"no job definition {name!r} in organization {organization_id!r}")
        return definition

    def _by_id(self, notebook_id: str) -> _Notebook:
        nb = self._index.get(notebook_id)
        if nb is None:
            raise KeyError(f"no notebook {notebook_id!r}")
        return nb

    def _new_notebook(
        self,
        definition: _JobDefinition,
        creator: _Creator,
        now: float,
        instance_type: str,
        image: str,
        notebook_type: str,
    ) -> _Notebook:
        self._next_notebook_id += 1
        notebook_id = str(self._next_notebook_id)
        nb = _Notebook(
            notebook_id,
            definition,
            f"notebook-{definition.next_number}",
            creator,
            now,
            instance_type,
            image,
            notebook_type,
        )
        definition.next_number += 1
        definition.notebooks[notebook_id] = nb
        definition.order.append(notebook_id)
        self._index[notebook_id] = nb
        return nb

    def _launch(self, nb: _Notebook, now: float) -> None:
        """Put a notebook in ``Pending``; it will run ``start_delay`` seconds after ``now``."""
        nb.status = "Pending"
        nb.status_message = None
        nb.modified_at = max(now, nb.modified_at)
        running_at = now + self._start_delay
        nb.running_at = running_at
        if nb.logs is None:
            nb.logs = LogStream()
        startup = (
            f"starting notebook server ({nb.notebook_type})",
            f"[{nb.name}] image {nb.image} on instance type {nb.instance_type}",
            f"[{nb.name}] notebook server is ready",
        )
        nb.logs.begin_run(running_at, self._log_interval, startup, f"[{nb.name}] heartbeat ")

    def _halt(self, nb: _Notebook, now: float, status: str, message: str | None) -> None:
        """End a notebook's run (if any) at ``now`` and put it in ``status``."""
        self._refresh(nb, now)
        if nb.logs is not None:
            nb.logs.end_run(now)
        nb.status = status
        nb.status_message = message
        nb.running_at = None
        nb.modified_at = max(now, nb.modified_at)

    def _refresh(self, nb: _Notebook, now: float) -> None:
        """Bring a notebook's lazily computed state up to ``now``."""
        if nb.status == "Pending" and nb.running_at is not None and now >= nb.running_at:
            nb.status = "Running"
            nb.modified_at = max(nb.running_at, nb.modified_at)
        if nb.status == "Running" and nb.logs is not None:
            nb.logs.produce(now)

    def _to_json(self, nb: _Notebook, now: float, *, action: bool = False) -> dict[str, Any]:
        self._refresh(nb, now)
        notebook_id: str | int = 0 if action and self.int_ids_in_actions else nb.id
        out: dict[str, Any] = {
            "job_definition_id": nb.job_definition.id,
            "training_notebook_id": notebook_id,
            "name": nb.name,
            "description": None,
            "status": nb.status,
            "status_message": nb.status_message,
            "instance_type": nb.instance_type,
            "image": nb.image,
            "creator": nb.creator.to_json(),
            "created_at": format_micros(nb.created_at),
            "modified_at": format_micros(nb.modified_at),
        }
        if self.extra_fields:
            out.update(self.extra_fields)
        return out

    def _authenticate(self, header: str | None) -> _Creator:
        if not header:
            raise _ApiError(401, "authentication required", {"authorization": ["missing"]})
        scheme, _, credential = header.strip().partition(" ")
        credential = credential.strip()
        restricted = bool(self._tokens or self._users)
        if scheme.lower() == "bearer" and credential and " " not in credential:
            if restricted and credential not in self._tokens:
                raise _ApiError(401, "invalid token", {"authorization": ["invalid token"]})
            return _DEFAULT_CREATOR
        if scheme.lower() == "basic" and credential:
            try:
                decoded = base64.b64decode(credential, validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                decoded = ""
            user, sep, secret = decoded.partition(":")
            if sep and secret:
                if user.startswith("user-") and len(user) > len("user-"):
                    user_id = user[len("user-") :]
                    if restricted and self._users.get(user_id) != secret:
                        raise _ApiError(
                            401, "invalid credentials", {"authorization": ["invalid credentials"]}
                        )
                    return _Creator(id=user_id, email=f"{user}@example.com")
                if user.startswith("datasource-") and len(user) > len("datasource-"):
                    if restricted:
                        raise _ApiError(
                            401, "invalid credentials", {"authorization": ["invalid credentials"]}
                        )
                    return _Creator(id=user[len("datasource-") :], email=f"{user}@example.com")
        raise _ApiError(
            401,
            "malformed Authorization header",
            {"authorization": ["expected Bearer <token> or Basic user-<id>:<token>"]},
        )

    def __repr__(self) -> str:
        with self._lock:
            return (
                f"<Emulator organizations={len(self._organizations)} "
                f"notebooks={len(self._index)} requests={len(self._requests)} "
                f"pending_faults={len(self._rules)} clock={self.clock!r}>"
            )


# ------------------------------------------------------------------------ helpers


def _bare_user_id(user: str) -> str:
    return user[len("user-") :] if user.startswith("user-") else user


def _split_path(raw_path: str) -> list[str] | None:
    """Decode a path segment by segment (``a%2Fb`` stays one segment, ``a/b``)."""
    if not raw_path.startswith("/"):
        return None
    return [unquote(segment, errors="replace") for segment in raw_path[1:].split("/")]


def _match(segments: list[str] | None) -> tuple[Route, str, str, str] | None:
    if segments is None or not 6 <= len(segments) <= 8:
        return None
    if (
        segments[0] != "organizations"
        or segments[2] != "training"
        or segments[3] != "definitions"
        or segments[5] != "notebooks"
    ):
        return None
    organization_id, job_definition = segments[1], segments[4]
    if len(segments) == 6:
        return ("list", organization_id, job_definition, "")
    if len(segments) == 7:
        return ("notebook", organization_id, job_definition, segments[6])
    action = segments[7]
    if action == "start":
        return ("start", organization_id, job_definition, segments[6])
    if action == "stop":
        return ("stop", organization_id, job_definition, segments[6])
    if action == "recentlogs":
        return ("recentlogs", organization_id, job_definition, segments[6])
    return None


def _bad_request(description: str, detail: Mapping[str, Any]) -> NoReturn:
    raise _ApiError(400, description, detail)


def _single(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    if values is None:
        return None
    if len(values) > 1:
        _bad_request(f"{name} was given more than once", {name: ["given more than once"]})
    return values[0]


def _int_param(params: dict[str, list[str]], name: str, default: int, minimum: int) -> int:
    text = _single(params, name)
    if text is None:
        return default
    if not (text.isascii() and text.lstrip("-").isdigit() and text.count("-") <= 1):
        _bad_request(f"{name} must be an integer", {name: ["must be an integer"]})
    value = int(text)
    if value < minimum:
        _bad_request(f"{name} must be >= {minimum}", {name: [f"must be >= {minimum}"]})
    return value


def _token_index(token: str, kind: str, notebook_id: str, end: int, name: str) -> int:
    try:
        index = decode_token(token, kind, notebook_id)
    except TokenError as exc:
        _bad_request(f"invalid {name}", {name: [str(exc)]})
    if index > end:
        _bad_request(f"invalid {name}", {name: ["not a token issued by this server"]})
    return index


def _fields(body: bytes, allowed: frozenset[str], *, allow_empty: bool) -> dict[str, Any]:
    """Parse and check a JSON object body against the keys an operation accepts."""
    if not body.strip():
        if allow_empty:
            return {}
        _bad_request("the request body must be a JSON object", {"body": ["required"]})
    try:
        value: Any = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        _bad_request("the request body is not valid JSON", {"body": [f"invalid JSON: {exc}"]})
    if not isinstance(value, dict):
        _bad_request("the request body must be a JSON object", {"body": ["must be an object"]})
    obj = cast(dict[str, Any], value)
    problems: dict[str, list[str]] = {}
    for key, item in obj.items():
        if key not in allowed:
            problems[key] = ["unknown field"]
            continue
        problem = _field_problem(key, item)
        if problem is not None:
            problems[key] = [problem]
    if problems:
        _bad_request("invalid request parameters", problems)
    return obj


def _field_problem(key: str, value: Any) -> str | None:
    if key == "notebook_type":
        if value not in _NOTEBOOK_TYPES:
            return "must be one of: notebook, lab"
    elif key == "instance_type":
        if not isinstance(value, str) or _INSTANCE_TYPE.fullmatch(value) is None:
            return "must look like cpu-1, gpu-1 or gpu:b-4"
    elif key == "image":
        if not isinstance(value, str) or not value:
            return "must be a non-empty string"
    elif key in ("datalakes", "buckets"):
        items = cast(list[object], value) if isinstance(value, list) else None
        if items is None or not all(isinstance(item, str) for item in items):
            return "must be a list of strings"
    elif key == "datasets":
        mapping = cast(dict[str, object], value) if isinstance(value, dict) else None
        if mapping is None or not all(isinstance(item, str) for item in mapping.values()):
            return "must be an object of strings"
    return None


def _event_json(event: tuple[float, str]) -> dict[str, str]:
    return {"message": event[1], "timestamp": format_millis(event[0])}


def _faulty(fault: Fault, answer: EmulatorResponse | None, request_id: str) -> EmulatorResponse:
    """Turn a fault (and, for ``after`` faults, the real answer) into what to send."""
    delay = fault.latency
    if fault.refuse:
        return EmulatorResponse(status=0, action="refuse", delay=delay)
    if fault.drop:
        return EmulatorResponse(status=0, action="drop", delay=delay)
    if fault.timeout:
        return EmulatorResponse(status=0, action="timeout", delay=delay)
    if fault.status is not None or fault.body is not None:
        status = fault.status if fault.status is not None else 200
        if fault.body is not None:
            body = fault.body
        else:
            description = f"injected fault: {status}"
            body = json.dumps(error_payload(status, description)).encode()
        headers = {
            "Content-Type": fault.content_type or "application/json",
            "x-request-id": request_id,
        }
        if fault.retry_after is not None:
            headers["Retry-After"] = fault.retry_after
    elif answer is not None:
        status, body, headers = answer.status, answer.body, dict(answer.headers)
    else:
        status, body = 200, _FAULT_PLACEHOLDER
        headers = {"Content-Type": "application/json", "x-request-id": request_id}
    if fault.content_type is not None:
        headers = merge_headers(headers, {"Content-Type": fault.content_type})
    action: Literal["respond", "truncate"] = "respond"
    declared = len(body)
    if fault.malformed:
        status = fault.status if fault.status is not None else 200
        # A proper prefix of a JSON object or array is never valid JSON.
        body = body[: len(body) // 2] if len(body) >= 2 and body[:1] in b"{[" else b'{"status": '
        declared = len(body)
    elif fault.truncate:
        if not body:
            body = _FAULT_PLACEHOLDER
        declared = len(body)
        body = body[: len(body) // 2]
        action = "truncate"
    headers = merge_headers(headers, {"Content-Length": str(declared)})
    if fault.headers:
        headers = merge_headers(headers, fault.headers)
    return EmulatorResponse(status=status, headers=headers, body=body, action=action, delay=delay)
