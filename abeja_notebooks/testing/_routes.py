"""The route table: which operation answers which verb and path.

Every path lives under one job definition's notebooks collection::

    /organizations/{organization_id}/training/definitions/{job_definition}/notebooks

and a route names the segments after it (``{notebook_id}`` stands for a notebook's id). The
dispatcher checks, in this order, that the verb is allowed on the path (405 with ``Allow``), that
the organization, the job definition and (for routes under one) the notebook exist (404), brings
the notebook up to date, and calls the operation.

Adding a route takes one entry in ``ROUTES`` and one handler in ``_operations``::

    # in _operations.py: the handler (POST .../notebooks/{id}/restart)
    def restart_notebook(call: Call) -> EmulatorResponse:
        call.state.halt(call.notebook, call.now, "Stopped", None)
        call.state.launch(call.notebook, call.now)
        return call.answer(call.state.to_json(call.notebook, call.now))

    # in ROUTES, below: the entry
    Route("POST", (NOTEBOOK_ID, "restart"), operations.restart_notebook),

The handler validates its own body and query (see the helpers in ``_operations``) and raises
``ApiError`` for an error answer. Authentication and faults happen before the table is consulted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote

from . import _operations as operations
from ._auth import Creator
from ._dialect import Dialect
from ._operations import Call
from ._records import EmulatorResponse
from ._state import State
from ._wire import ApiError

__all__ = ["COLLECTION", "NOTEBOOK_ID", "ROUTES", "TABLE", "Route", "RouteTable", "split_path"]

COLLECTION = ("organizations", None, "training", "definitions", None, "notebooks")
"""The segments of the notebooks collection; ``None`` for the organization and job definition."""

NOTEBOOK_ID = "{notebook_id}"
"""The placeholder for a notebook's id in a route's ``tail``."""

Operation = Callable[[Call], EmulatorResponse]
"""A handler: the resolved request in, the answer out."""


@dataclass(frozen=True)
class Route:
    """One verb on one path, and the operation that answers it.

    Attributes:
        method: The HTTP verb.
        tail: The path segments after the notebooks collection; ``NOTEBOOK_ID`` matches any id
            (at most once, first).
        operation: The handler.
    """

    method: str
    tail: tuple[str, ...]
    operation: Operation


ROUTES: tuple[Route, ...] = (
    Route("GET", (), operations.list_notebooks),
    Route("POST", (), operations.create_notebook),
    Route("GET", (NOTEBOOK_ID,), operations.get_notebook),
    Route("PUT", (NOTEBOOK_ID,), operations.update_notebook),
    Route("DELETE", (NOTEBOOK_ID,), operations.delete_notebook),
    Route("POST", (NOTEBOOK_ID, "start"), operations.start_notebook),
    Route("POST", (NOTEBOOK_ID, "stop"), operations.stop_notebook),
    Route("GET", (NOTEBOOK_ID, "recentlogs"), operations.recent_logs),
)
"""Every route the emulator serves, in ``Allow`` order for each path."""


def split_path(raw_path: str) -> list[str] | None:
    """Decode a path segment by segment (``a%2Fb`` stays one segment, ``a/b``).

    Args:
        raw_path: The path as sent.

    Returns:
        The decoded segments, or None for a path that does not start with ``/``.
    """
    if not raw_path.startswith("/"):
        return None
    return [unquote(segment, errors="replace") for segment in raw_path[1:].split("/")]


def _shape(tail: tuple[str, ...]) -> tuple[str | None, ...]:
    """A path's shape: its tail with every notebook id replaced by ``None``."""
    return tuple(None if segment == NOTEBOOK_ID else segment for segment in tail)


class RouteTable:
    """Routes indexed for lookup, and the dispatcher that runs them.

    Args:
        routes: The routes; for each path, their order is the ``Allow`` header's.

    Raises:
        ValueError: If two routes have the same verb and path shape.
    """

    def __init__(self, routes: tuple[Route, ...]) -> None:
        self.routes = routes
        """The routes, as given."""
        self._by_shape: dict[tuple[str | None, ...], dict[str, Route]] = {}
        for route in routes:
            by_method = self._by_shape.setdefault(_shape(route.tail), {})
            if route.method in by_method:
                raise ValueError(f"two routes for {route.method} {'/'.join(route.tail)}")
            by_method[route.method] = route
        self._longest = max((len(route.tail) for route in routes), default=0)

    def _find(self, segments: list[str]) -> tuple[dict[str, Route], str | None] | None:
        """The routes of a full path (by verb), and the notebook id in it, if any."""
        prefix = len(COLLECTION)
        if not prefix <= len(segments) <= prefix + self._longest:
            return None
        for expected, segment in zip(COLLECTION, segments, strict=False):
            if expected is not None and expected != segment:
                return None
        tail = segments[prefix:]
        for shape, routes in self._by_shape.items():
            if len(shape) != len(tail):
                continue
            notebook_id: str | None = None
            for expected, segment in zip(shape, tail, strict=True):
                if expected is None:
                    notebook_id = segment
                elif expected != segment:
                    break
            else:
                return routes, notebook_id
        return None

    def dispatch(
        self,
        state: State,
        dialect: Dialect,
        creator: Creator,
        method: str,
        segments: list[str] | None,
        query: str,
        body: bytes,
        now: float,
        request_id: str,
    ) -> EmulatorResponse:
        """Find the operation for a request, resolve what its path names, and run it.

        Args:
            state: The emulator's state (its lock held).
            dialect: The answer forms.
            creator: Who the credential names.
            method: The verb, upper case.
            segments: The decoded path segments (see :func:`split_path`), or None for a path
                that does not start with ``/``.
            query: The raw query string.
            body: The raw request body.
            now: The clock's time.
            request_id: The ``x-request-id`` to answer with.

        Returns:
            The operation's answer.

        Raises:
            ApiError: 404 for an unknown path or a missing organization, job definition or
                notebook; 405 for a verb the path does not take; whatever the operation raises.
        """
        found = self._find(segments) if segments is not None else None
        if found is None or segments is None:
            raise ApiError(404, "no such resource", {"path": ["unknown route"]})
        routes, notebook_id = found
        route = routes.get(method)
        if route is None:
            allowed = ", ".join(routes)
            raise ApiError(
                405,
                f"method {method} is not allowed here",
                {"method": [f"allowed: {allowed}"]},
                {"Allow": allowed},
            )
        organization_id, job_definition = segments[1], segments[4]
        definitions = state.organizations.get(organization_id)
        if definitions is None:
            raise ApiError(
                404,
                f"organization {organization_id} not found",
                {"organization_id": ["not found"]},
            )
        definition = definitions.get(job_definition)
        if definition is None:
            raise ApiError(
                404,
                f"training job definition {job_definition} not found",
                {"job_definition_name": ["not found"]},
            )
        notebook = None
        if notebook_id is not None:
            notebook = definition.notebooks.get(notebook_id)
            if notebook is None:
                raise ApiError(
                    404, f"notebook {notebook_id} not found", {"notebook_id": ["not found"]}
                )
            state.refresh(notebook, now)
        call = Call(state, dialect, creator, definition, notebook, query, body, now, request_id)
        return route.operation(call)


TABLE = RouteTable(ROUTES)
"""The emulator's routes, ready for dispatch."""
