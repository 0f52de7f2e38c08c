"""The operations: one handler per route, with the validation of its body and query.

A handler takes the `_operations.Call` the route table resolved
(the job definition, and the notebook for routes under one) and returns the answer, or raises
``ApiError``. The route table (``_routes``) says which handler serves which verb and path.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, NoReturn, cast
from urllib.parse import parse_qs

from ._auth import Creator
from ._dialect import Dialect, TimestampForm
from ._logstream import TokenError, decode_token, encode_token
from ._records import EmulatorResponse
from ._state import (
    DEFAULT_IMAGE,
    DEFAULT_INSTANCE_TYPE,
    DEFAULT_NOTEBOOK_TYPE,
    JobDefinition,
    Notebook,
    State,
)
from ._wire import ApiError, format_millis, json_response, retime

__all__ = [
    "Call",
    "create_notebook",
    "delete_notebook",
    "event_json",
    "get_notebook",
    "list_notebooks",
    "recent_logs",
    "start_notebook",
    "stop_notebook",
    "update_notebook",
]

_INSTANCE_TYPE = re.compile(r"(cpu|gpu)(:[a-d])?-[0-9]+(\.[0-9]+)?")  # ASCII digits, not any \d
_NOTEBOOK_TYPES = ("notebook", "lab")

_CREATE_KEYS = frozenset(
    {"instance_type", "image", "notebook_type", "datalakes", "buckets", "datasets"}
)
_UPDATE_KEYS = frozenset({"instance_type", "image", "notebook_type"})
_START_KEYS = frozenset({"notebook_type", "datalakes", "buckets", "datasets"})
_STOP_KEYS: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Call:
    """One request, resolved by the route table, as a handler sees it.

    Attributes:
        state: The emulator's state (the lock is held).
        dialect: The answer forms to use.
        creator: Who the credential names.
        definition: The job definition in the path.
        notebook_or_none: The notebook in the path, for routes under one.
        query: The raw query string.
        body: The raw request body.
        now: The clock's time when the request arrived.
        request_id: The ``x-request-id`` to answer with.
    """

    state: State
    dialect: Dialect
    creator: Creator
    definition: JobDefinition
    notebook_or_none: Notebook | None
    query: str
    body: bytes
    now: float
    request_id: str

    @property
    def notebook(self) -> Notebook:
        """The notebook in the path (only for routes with ``{notebook_id}``).

        Raises:
            RuntimeError: On a route without a notebook: a mistake in the route table.
        """
        if self.notebook_or_none is None:
            raise RuntimeError("this route has no {notebook_id}")
        return self.notebook_or_none

    def answer(self, payload: Any) -> EmulatorResponse:
        """Answer 200 with a JSON payload.

        Args:
            payload: A JSON-serializable value.

        Returns:
            The response.
        """
        return json_response(200, payload, self.request_id)


# ------------------------------------------------------------------------ handlers


def create_notebook(call: Call) -> EmulatorResponse:
    """``POST .../notebooks``: make a notebook and start it."""
    fields = _fields(call.body, _CREATE_KEYS, allow_empty=False)
    state, now = call.state, call.now
    nb = state.new_notebook(
        call.definition,
        call.creator,
        now,
        fields.get("instance_type", DEFAULT_INSTANCE_TYPE),
        fields.get("image", DEFAULT_IMAGE),
        fields.get("notebook_type", DEFAULT_NOTEBOOK_TYPE),
    )
    state.launch(nb, now)
    return call.answer(_notebook_json(call, nb))


def list_notebooks(call: Call) -> EmulatorResponse:
    """``GET .../notebooks``: one page of the job definition's notebooks, oldest first."""
    params = parse_qs(call.query, keep_blank_values=True)
    offset = _int_param(params, "offset", 0, 0)
    limit = min(_int_param(params, "limit", 10, 1), call.state.max_limit)
    definition = call.definition
    page = definition.order[offset : offset + limit]
    entries = [_notebook_json(call, definition.notebooks[i]) for i in page]
    if call.dialect.list_form == "bare":
        return call.answer(entries)
    total = len(definition.order)
    return call.answer({"total": total, "offset": offset, "limit": limit, "entries": entries})


def get_notebook(call: Call) -> EmulatorResponse:
    """``GET .../notebooks/{id}``: the notebook."""
    return call.answer(_notebook_json(call, call.notebook))


def update_notebook(call: Call) -> EmulatorResponse:
    """``PUT .../notebooks/{id}``: change the instance type, image or notebook type."""
    fields = _fields(call.body, _UPDATE_KEYS, allow_empty=False)
    nb = call.notebook
    nb.instance_type = fields.get("instance_type", nb.instance_type)
    nb.image = fields.get("image", nb.image)
    nb.notebook_type = fields.get("notebook_type", nb.notebook_type)
    nb.modified_at = max(call.now, nb.modified_at)
    return call.answer(_notebook_json(call, nb, action=True))


def delete_notebook(call: Call) -> EmulatorResponse:
    """``DELETE .../notebooks/{id}``: forget the notebook."""
    nb = call.notebook
    call.state.remove(nb)
    message = {"message": f"{nb.id} deleted"}
    return call.answer(message if call.dialect.delete_response == "message" else {"value": message})


def start_notebook(call: Call) -> EmulatorResponse:
    """``POST .../notebooks/{id}/start``: start a stopped or failed notebook."""
    fields = _fields(call.body, _START_KEYS, allow_empty=True)
    nb = call.notebook
    if nb.status in ("Pending", "Running"):
        raise ApiError(409, f"notebook {nb.id} is already {nb.status}", {"status": [nb.status]})
    nb.notebook_type = fields.get("notebook_type", nb.notebook_type)
    call.state.launch(nb, call.now)
    return _action_answer(call, nb, "started")


def stop_notebook(call: Call) -> EmulatorResponse:
    """``POST .../notebooks/{id}/stop``: stop a pending or running notebook."""
    _fields(call.body, _STOP_KEYS, allow_empty=True)
    nb = call.notebook
    if nb.status in ("Stopped", "Failed"):
        raise ApiError(409, f"notebook {nb.id} is not running", {"status": [nb.status]})
    call.state.halt(nb, call.now, "Stopped", None)
    return _action_answer(call, nb, "stopped")


def recent_logs(call: Call) -> EmulatorResponse:
    """``GET .../notebooks/{id}/recentlogs``: a page of the log, by opaque tokens."""
    params = parse_qs(call.query, keep_blank_values=True)
    forward = _single(params, "next_forward_token")
    backward = _single(params, "next_backward_token")
    if forward is not None and backward is not None:
        _bad_request(
            "give next_forward_token or next_backward_token, not both",
            {"next_backward_token": ["not allowed with next_forward_token"]},
        )
    nb = call.notebook
    stream = nb.log_stream()
    page = call.state.log_page_size
    end = stream.end
    if forward is not None:
        lo = max(_token_index(forward, "f", nb.id, end, "next_forward_token"), stream.first)
        hi = min(lo + page, end)
    elif backward is not None:
        hi = max(_token_index(backward, "b", nb.id, end, "next_backward_token"), stream.first)
        lo = max(stream.first, hi - page)
    else:
        lo, hi = max(stream.first, end - page), end
    form = call.dialect.timestamps
    return call.answer(
        {
            "events": [event_json(event, form) for event in stream.slice(lo, hi)],
            "next_backward_token": encode_token("b", nb.id, lo),
            "next_forward_token": encode_token("f", nb.id, hi),
        }
    )


# ------------------------------------------------------------------------- answers


def _notebook_json(call: Call, nb: Notebook, *, action: bool = False) -> dict[str, Any]:
    """The notebook in the dialect's forms (``action``: an update, start or stop answer)."""
    dialect = call.dialect
    out = call.state.to_json(nb, call.now, int_id=action and dialect.int_ids_in_actions)
    notebook_id = out["training_notebook_id"]
    if dialect.ids == "number" and isinstance(notebook_id, str) and notebook_id.isdigit():
        out["training_notebook_id"] = int(notebook_id)
    form = dialect.timestamps
    if form != "reference":
        creator = dict(out["creator"])
        for key in ("created_at", "updated_at"):
            creator[key] = retime(creator[key], form)
        out["creator"] = creator
        for key in ("created_at", "modified_at"):
            out[key] = retime(out[key], form)
    return out


def _action_answer(call: Call, nb: Notebook, verb: str) -> EmulatorResponse:
    if call.dialect.action_response == "message":
        return call.answer({"message": f"{nb.id} {verb}"})
    return call.answer(_notebook_json(call, nb, action=True))


def event_json(event: tuple[float, str], form: TimestampForm = "reference") -> dict[str, str]:
    """Give a log event as the API answers it.

    Args:
        event: ``(timestamp, message)``.
        form: How to write the time (default: with milliseconds, as the reference does).

    Returns:
        ``{"message", "timestamp"}``.
    """
    return {"message": event[1], "timestamp": retime(format_millis(event[0]), form)}


# ---------------------------------------------------------------------- validation


def _bad_request(description: str, detail: dict[str, Any]) -> NoReturn:
    raise ApiError(400, description, detail)


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
