"""Every Notebook API operation as data, without I/O.

Each ``*_request`` function checks its arguments and turns one operation into an
:class:`ApiRequest` (verb, percent-encoded path, query, JSON body, retry class); each ``parse_*``
function turns a :class:`RawResponse` into a model. Both clients (sync and async) and the
low-level :class:`~abeja_notebooks.APIClient` go through these functions, so an endpoint is
defined in exactly one place.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from enum import Enum
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Annotated, Any, Final, Generic, NamedTuple, TypeVar, cast
from urllib.parse import quote, unquote

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from ._config import check_name
from ._errors import ResponseValidationError, excerpt
from ._models import BaseNotebook, LogPage, Message, NotebookPage
from ._types import NotebookType

if TYPE_CHECKING:
    import httpx

__all__ = [
    "AnswerMismatch",
    "ApiRequest",
    "Call",
    "RawResponse",
    "RetryClass",
]

NOTEBOOK_TYPES: Final = ("notebook", "lab")
INSTANCE_TYPE_PATTERN: Final = re.compile(
    r"(cpu|gpu)(:[a-d])?-[0-9]+(\.[0-9]+)?"
)  # ASCII digits only
_CONTROL_CHARS: Final = re.compile(r"[\x00-\x1f\x7f]")

_M = TypeVar("_M", bound=BaseModel)
_NB = TypeVar("_NB", bound=BaseNotebook)
_T_co = TypeVar("_T_co", covariant=True)


class RetryClass(Enum):
    """How an operation may be retried (see the retry table in the docs)."""

    IDEMPOTENT = "idempotent"
    """GET, PUT, DELETE: repeating the request cannot do harm."""
    ACTION = "action"
    """start/stop: retried like an idempotent call (a 409 on a retry means the action took)."""
    CREATE = "create"
    """POST create: retried only when the server cannot have acted on the request."""


# ApiRequest and Call are named tuples, not dataclasses: defining a dataclass costs a process
# about half a millisecond at import (it compiles its methods), a named tuple a tenth of that.
class ApiRequest(NamedTuple):
    """One HTTP request to make, described as data.

    Attributes:
        operation: A short name for logs and errors, e.g. ``"get notebook"``.
        method: The HTTP verb.
        path: The path below the base URL, each segment percent-encoded.
        params: Query parameters, only those given.
        body: The JSON body as bytes, or ``None`` for no body (and no ``Content-Type``).
        retry: How the request may be retried.
        done_statuses: Statuses that, on a retry after an earlier attempt may have reached the
            server, mean that attempt did the job (409 for start/stop, 404 for delete).
        notebook_id: The notebook a notebook answer must be about (get, update, start, stop),
            else ``None``.
        offset: The offset a page of the listing must start at (list), else ``None``.
    """

    operation: str
    method: str
    path: str
    params: Mapping[str, str | int] | None
    body: bytes | None
    retry: RetryClass
    done_statuses: frozenset[int] = frozenset()
    notebook_id: str | None = None
    offset: int | None = None


class RawResponse:
    """What came back for an :class:`ApiRequest`: status, headers and the whole body.

    Not a dataclass, which costs every process half a millisecond at import.

    Attributes:
        status_code: The HTTP status.
        headers: The response headers (case-insensitive mapping).
        content: The body bytes.
        method: The verb of the request that got this answer.
        url: The URL of that request.
        replayed: True when an earlier attempt probably reached the server and did the job, and
            this answer (a 409 to start/stop, a 404 to delete) only says it was done.
        secrets: The client's credentials, to blank out of any error built from this answer.
        attempts: How many attempts the call took to get this answer (1: no retry).
        http_request: The ``httpx.Request`` of the attempt that got this answer.
        http_extensions: The answer's ``httpx.Response.extensions`` (HTTP version, reason).
    """

    __slots__ = (
        "attempts",
        "content",
        "headers",
        "http_extensions",
        "http_request",
        "method",
        "replayed",
        "secrets",
        "status_code",
        "url",
    )
    status_code: int
    headers: Mapping[str, str]
    content: bytes
    method: str
    url: str
    replayed: bool
    secrets: tuple[str, ...]
    attempts: int
    http_request: httpx.Request | None
    http_extensions: Mapping[str, Any] | None

    def __init__(
        self,
        status_code: int,
        headers: Mapping[str, str],
        content: bytes,
        method: str,
        url: str,
        *,
        replayed: bool = False,
        secrets: tuple[str, ...] = (),
        attempts: int = 1,
        # Not the httpx.Response: kept through parsing, its reference cycle would hold the body.
        http_request: httpx.Request | None = None,
        http_extensions: Mapping[str, Any] | None = None,
    ) -> None:
        self.status_code = status_code
        self.headers = headers
        self.content = content
        self.method = method
        self.url = url
        self.replayed = replayed
        self.secrets = secrets
        self.attempts = attempts
        self.http_request = http_request
        self.http_extensions = http_extensions

    def __repr__(self) -> str:
        return f"<RawResponse {self.status_code} to {self.method} {self.url}>"


class Call(NamedTuple, Generic[_T_co]):
    """One operation ready to send: the request, and how to read its answer.

    The unit a notebook manager sends: the plain methods run ``call.parse(response)``, the raw
    accessor keeps the response beside it, and the transport retries ``call.request``.

    Attributes:
        request: What to send.
        parse: Turns the final 2xx answer (or a replayed one) into the result.
    """

    request: ApiRequest
    parse: Callable[[RawResponse], _T_co]


# --- building requests ---------------------------------------------------------------------


def path_segment(value: object, what: str) -> str:
    """Check one path parameter and percent-encode it into a single path segment.

    Every character outside the unreserved set is encoded (``/``, ``?``, ``#``, ``%``, spaces and
    non-ASCII included), so no value can reach another route. ``.`` and ``..`` and values with
    control characters are rejected: HTTP stacks may resolve or strip them.

    Args:
        value: The raw id or name.
        what: Its parameter name, for the error message.

    Returns:
        The encoded segment.

    Raises:
        TypeError: ``value`` is not a ``str``.
        ValueError: ``value`` is empty, blank, ``.``/``..`` or holds control characters.
    """
    if type(value) is str:  # the common case: answered from the cache when seen before
        return _encoded_segment(value, what)
    return _encoded_segment(check_name(value, what), what)


@lru_cache(maxsize=4096)
def _encoded_segment(text: str, what: str) -> str:
    check_name(text, what)
    if text in (".", ".."):
        raise ValueError(f"{what} must not be {text!r}")
    if _CONTROL_CHARS.search(text):
        raise ValueError(f"{what} must not contain control characters, got {text!r}")
    return quote(text, safe="")


def _collection_path(organization_id: str, job_definition_name: str) -> str:
    org = path_segment(organization_id, "organization_id")
    job = path_segment(job_definition_name, "job_definition_name")
    return f"/organizations/{org}/training/definitions/{job}/notebooks"


def _notebook_path(organization_id: str, job_definition_name: str, notebook_id: str) -> str:
    nid = path_segment(notebook_id, "notebook_id")
    return f"{_collection_path(organization_id, job_definition_name)}/{nid}"


def _encode(body: Mapping[str, Any]) -> bytes:
    # The same bytes the old requests-based client sent (json.dumps with default separators).
    return json.dumps(body, ensure_ascii=False, allow_nan=False).encode("utf-8")


def check_notebook_type(value: object) -> NotebookType:
    """Return ``value`` if it is ``"notebook"`` or ``"lab"``.

    Raises:
        TypeError: Not a ``str``.
        ValueError: Another string.
    """
    if not isinstance(value, str):
        raise TypeError(f"notebook_type must be a str, got {type(value).__name__}")
    if value == "notebook":
        return "notebook"
    if value == "lab":
        return "lab"
    raise ValueError(f"notebook_type must be 'notebook' or 'lab', got {value!r}")


def check_instance_type(value: object) -> str:
    """Return ``value`` if it is shaped like an instance type (``cpu-1``, ``gpu:b-4``, ...).

    Unknown but well-formed values pass: the server decides what exists.

    Raises:
        TypeError: Not a ``str``.
        ValueError: Not of the form ``{cpu|gpu}[:{a-d}]-{n}``.
    """
    if not isinstance(value, str):
        raise TypeError(f"instance_type must be a str, got {type(value).__name__}")
    if not INSTANCE_TYPE_PATTERN.fullmatch(value):
        raise ValueError(
            "instance_type must look like 'cpu-1', 'cpu-0.25', 'gpu-1' or 'gpu:b-4' "
            f"({{cpu|gpu}}[:{{a-d}}]-{{n}}), got {value!r}"
        )
    return value


def _check_str_list(value: object, what: str) -> list[str]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise TypeError(f"{what} must be a list of str, got {type(value).__name__}")
    items: Sequence[object] = cast("Sequence[object]", value)
    return [check_name(item, f"each of {what}") for item in items]


def _check_str_map(value: object, what: str) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise TypeError(f"{what} must be a dict of str to str, got {type(value).__name__}")
    pairs: Mapping[object, object] = cast("Mapping[object, object]", value)
    return {
        check_name(key, f"each key of {what}"): check_name(item, f"each value of {what}")
        for key, item in pairs.items()
    }


def _settings_body(
    *,
    instance_type: str | None,
    image: str | None,
    notebook_type: NotebookType | None,
    datalakes: Sequence[str] | None = None,
    buckets: Sequence[str] | None = None,
    datasets: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if instance_type is not None:
        body["instance_type"] = check_instance_type(instance_type)
    if image is not None:
        body["image"] = check_name(image, "image")
    if notebook_type is not None:
        body["notebook_type"] = check_notebook_type(notebook_type)
    if datalakes is not None:
        body["datalakes"] = _check_str_list(datalakes, "datalakes")
    if buckets is not None:
        body["buckets"] = _check_str_list(buckets, "buckets")
    if datasets is not None:
        body["datasets"] = _check_str_map(datasets, "datasets")
    return body


def create_request(
    organization_id: str,
    job_definition_name: str,
    *,
    instance_type: str | None = None,
    image: str | None = None,
    notebook_type: NotebookType | None = None,
    datalakes: Sequence[str] | None = None,
    buckets: Sequence[str] | None = None,
    datasets: Mapping[str, str] | None = None,
) -> ApiRequest:
    """``POST P``: create a notebook; the body holds only the settings given."""
    path = _collection_path(organization_id, job_definition_name)
    body = _settings_body(
        instance_type=instance_type,
        image=image,
        notebook_type=notebook_type,
        datalakes=datalakes,
        buckets=buckets,
        datasets=datasets,
    )
    return ApiRequest("create notebook", "POST", path, None, _encode(body), RetryClass.CREATE)


def _check_page_arg(value: object, what: str, minimum: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{what} must be an int, got {value!r}")
    if value < minimum:
        raise ValueError(f"{what} must be >= {minimum}, got {value}")
    return value


def list_request(
    organization_id: str,
    job_definition_name: str,
    *,
    offset: int | None = None,
    limit: int | None = None,
) -> ApiRequest:
    """``GET P``: one page of notebooks; ``offset``/``limit`` are sent only when given."""
    path = _collection_path(organization_id, job_definition_name)
    params: dict[str, str | int] = {}
    if offset is not None:
        params["offset"] = _check_page_arg(offset, "offset", 0)
    if limit is not None:
        params["limit"] = _check_page_arg(limit, "limit", 1)
    return ApiRequest(
        "list notebooks",
        "GET",
        path,
        params or None,
        None,
        RetryClass.IDEMPOTENT,
        offset=0 if offset is None else offset,  # the server's default when none is sent
    )


def get_request(organization_id: str, job_definition_name: str, notebook_id: str) -> ApiRequest:
    """``GET P/{id}``: one notebook."""
    path = _notebook_path(organization_id, job_definition_name, notebook_id)
    return ApiRequest(
        "get notebook", "GET", path, None, None, RetryClass.IDEMPOTENT, notebook_id=notebook_id
    )


def update_request(
    organization_id: str,
    job_definition_name: str,
    notebook_id: str,
    *,
    instance_type: str | None = None,
    image: str | None = None,
    notebook_type: NotebookType | None = None,
) -> ApiRequest:
    """``PUT P/{id}``: change settings; the body holds only the settings given."""
    path = _notebook_path(organization_id, job_definition_name, notebook_id)
    body = _settings_body(instance_type=instance_type, image=image, notebook_type=notebook_type)
    return ApiRequest(
        "update notebook",
        "PUT",
        path,
        None,
        _encode(body),
        RetryClass.IDEMPOTENT,
        notebook_id=notebook_id,
    )


def delete_request(organization_id: str, job_definition_name: str, notebook_id: str) -> ApiRequest:
    """``DELETE P/{id}``: no body, no ``Content-Type``."""
    path = _notebook_path(organization_id, job_definition_name, notebook_id)
    return ApiRequest(
        "delete notebook", "DELETE", path, None, None, RetryClass.IDEMPOTENT, frozenset({404})
    )


def start_request(
    organization_id: str,
    job_definition_name: str,
    notebook_id: str,
    *,
    notebook_type: NotebookType | None = None,
    datalakes: Sequence[str] | None = None,
    buckets: Sequence[str] | None = None,
    datasets: Mapping[str, str] | None = None,
) -> ApiRequest:
    """``POST P/{id}/start``: body ``{}`` or the options given."""
    path = _notebook_path(organization_id, job_definition_name, notebook_id) + "/start"
    body = _settings_body(
        instance_type=None,
        image=None,
        notebook_type=notebook_type,
        datalakes=datalakes,
        buckets=buckets,
        datasets=datasets,
    )
    return ApiRequest(
        "start notebook",
        "POST",
        path,
        None,
        _encode(body),
        RetryClass.ACTION,
        frozenset({409}),
        notebook_id=notebook_id,
    )


def stop_request(organization_id: str, job_definition_name: str, notebook_id: str) -> ApiRequest:
    """``POST P/{id}/stop``: body ``{}``."""
    path = _notebook_path(organization_id, job_definition_name, notebook_id) + "/stop"
    return ApiRequest(
        "stop notebook",
        "POST",
        path,
        None,
        _encode({}),
        RetryClass.ACTION,
        frozenset({409}),
        notebook_id=notebook_id,
    )


def _check_token(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, got {type(value).__name__}")
    if not value:
        raise ValueError(f"{what} must not be empty")
    return value


def recent_logs_request(
    organization_id: str,
    job_definition_name: str,
    notebook_id: str,
    *,
    next_forward_token: str | None = None,
    next_backward_token: str | None = None,
) -> ApiRequest:
    """``GET P/{id}/recentlogs``: each token is sent only when given."""
    path = _notebook_path(organization_id, job_definition_name, notebook_id) + "/recentlogs"
    params: dict[str, str | int] = {}
    if next_forward_token is not None:
        params["next_forward_token"] = _check_token(next_forward_token, "next_forward_token")
    if next_backward_token is not None:
        params["next_backward_token"] = _check_token(next_backward_token, "next_backward_token")
    return ApiRequest("get recent logs", "GET", path, params or None, None, RetryClass.IDEMPOTENT)


def failure_reason(request: ApiRequest, status_code: int) -> str:
    """What failed, in a sentence naming the ids: the reason of an error whose body gave none.

    ``notebook 9 not found in train-resnet`` (404), ``cannot start notebook 9 in train-resnet
    in its current state`` (409), ``could not list notebooks in train-resnet`` (other statuses).
    The ids come from the request's path, which :func:`_collection_path` built.
    """
    # /organizations/{org}/training/definitions/{job}/notebooks[/{id}[/{action}]]
    segments = [unquote(segment) for segment in request.path.split("/")]
    org, job = segments[2], segments[5]
    notebook_id = segments[7] if len(segments) > 7 else None
    if notebook_id is None:
        target = f"{request.operation} in {job}"
    elif request.operation.endswith(" notebook"):
        target = f"{request.operation} {notebook_id} in {job}"
    else:  # recent logs
        target = f"{request.operation} of notebook {notebook_id} in {job}"
    if status_code == 404:
        if notebook_id is None:
            return f"job definition {job} not found in organization {org}"
        return f"notebook {notebook_id} not found in {job}"
    if status_code == 409:
        return f"cannot {target} in its current state"
    if status_code == 401:
        return f"the credentials were refused: could not {target}"
    if status_code == 403:
        return f"the credentials may not {target}"
    return f"could not {target}"


# --- parsing responses ---------------------------------------------------------------------


def _invalid(response: RawResponse, problem: str) -> ResponseValidationError:
    return ResponseValidationError(
        f"{response.status_code} answer to {response.method} {response.url} is not what the "
        f"Notebook API promises: {problem}; body: "
        f"{excerpt(response.content, 200, response.secrets)!r}",
        status_code=response.status_code,
        method=response.method,
        url=response.url,
        body=excerpt(response.content, secrets=response.secrets),
    )


class AnswerMismatch(ResponseValidationError):
    """A well-formed answer about something else than what was asked for (another notebook,
    another page): the answer to another request. The transport discards its connection and
    raises a plain :class:`ResponseValidationError` (a GET is tried once more first)."""


def check_identity(response: RawResponse, request: ApiRequest, data: object) -> None:
    """Check that an answer is about what ``request`` asked for.

    What is compared: the notebook id of a notebook answer to get, update, start and stop, and
    the offset of a page of the listing. Not compared: answers that carry no id (a message, a
    deletion, recent logs, a bare list); the id ``0`` in an answer to update, start or stop
    (the reference's own examples show it there: the caller keeps the real id); the job
    definition (answers carry its id, requests name it) and the organization (answers do not
    carry it).

    Args:
        response: The answer.
        request: What was asked for.
        data: What the answer holds: a notebook, a page, or their JSON as a ``dict``.

    Raises:
        AnswerMismatch: The answer is about another notebook or another page.
    """
    if request.notebook_id is not None:
        answered = _field(data, "training_notebook_id")
        if answered is None or isinstance(answered, bool):
            return
        answered = str(answered)
        if answered == request.notebook_id or (answered == "0" and request.method != "GET"):
            return
        problem = f"it is about notebook {answered!r}, not {request.notebook_id!r}"
    elif request.offset is not None:
        answered = _field(data, "offset")
        if not isinstance(answered, int) or isinstance(answered, bool):
            return
        if answered == request.offset:
            return
        problem = f"it is the page at offset {answered}, not {request.offset}"
    else:
        return
    invalid = _invalid(response, problem + " (the answer to another request?)")
    raise AnswerMismatch(
        str(invalid),
        status_code=invalid.status_code,
        method=invalid.method,
        url=invalid.url,
        body=invalid.body,
    )


def _field(data: object, name: str) -> object:
    if isinstance(data, dict):
        return cast("dict[str, object]", data).get(name)
    return getattr(data, name, None)


def _describe(error: ValidationError) -> str:
    parts: list[str] = []
    for item in error.errors(include_url=False, include_input=False)[:3]:
        loc = ".".join(str(p) for p in item["loc"]) or "body"
        parts.append(f"{loc}: {item['msg']}")
    more = error.error_count() - len(parts)
    return "; ".join(parts) + (f" (+{more} more)" if more > 0 else "")


def parse_json(response: RawResponse) -> Any:
    """Decode a 2xx body as JSON, as the server sent it.

    Raises:
        ResponseValidationError: The body is empty or not JSON.
    """
    if not response.content.strip():
        raise _invalid(response, "the body is empty")
    try:
        return json.loads(response.content)
    except (ValueError, RecursionError) as exc:
        raise _invalid(response, f"the body is not JSON ({exc})") from None


JsonValidator = Callable[[bytes], Any]
"""Validates a JSON document: a model's ``model_validate_json``, an adapter's ``validate_json``."""


def _validate(validate: JsonValidator, response: RawResponse) -> Any:
    if not response.content or response.content.isspace():
        raise _invalid(response, "the body is empty")
    try:
        return validate(response.content)
    except ValidationError as exc:
        if any(e["type"] == "json_invalid" for e in exc.errors(include_url=False)):
            raise _invalid(response, "the body is not JSON") from None
        raise _invalid(response, _describe(exc)) from None


# Only keys repeat from one answer to the next; caching every id and name would fill pydantic's
# string cache with values that never come back. The models say so in their own config, which
# only applies when they parse the document themselves (a TypeAdapter around a model uses its own
# config, whose default caches every string), hence model_validate_json for models.
_CONFIG: Final = ConfigDict(cache_strings="keys")


@cache
def _validator(tp: Any) -> JsonValidator:
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return tp.model_validate_json
    return TypeAdapter(cast("Any", tp), config=_CONFIG).validate_json


@cache
def _page_types(model: type[BaseNotebook]) -> tuple[Any, JsonValidator, JsonValidator]:
    # NotebookPage specialised at run time for the notebook class the caller binds to, and
    # validators for the envelope and for a bare list of that class. The caller picks one by the
    # body's first character: a union would make pydantic try both shapes.
    page_class = cast("Any", NotebookPage)[model]
    return page_class, _validator(page_class), _validator(cast("Any", list)[model])


def parse_model(response: RawResponse, model: type[_M]) -> _M:
    """Parse a 2xx body into ``model``.

    Raises:
        ResponseValidationError: The body is not JSON or not of the model's shape.
    """
    result: _M = _validate(_validator(model), response)
    return result


def parse_page(
    response: RawResponse, model: type[_NB], *, offset: int, limit: int | None
) -> NotebookPage[_NB]:
    """Parse a listing: the paged envelope, or the older bare list (one page of it, built from
    the request's ``offset`` and ``limit``: see `NotebookPage`).

    Raises:
        ResponseValidationError: The body is neither.
    """
    page_class, envelope, bare_list = _page_types(model)
    validate = bare_list if response.content.lstrip()[:1] == b"[" else envelope
    data: NotebookPage[_NB] | list[_NB] = _validate(validate, response)
    if isinstance(data, list):
        page: NotebookPage[_NB] = page_class(
            total=offset + len(data),
            offset=offset,
            limit=limit if limit is not None else len(data),
            entries=data,
        )
        # A private attribute of a frozen model: pydantic's own setter writes it (see is_last).
        BaseModel.__setattr__(page, "_bare_list", True)
        return page
    return data


def parse_action(response: RawResponse, model: type[_NB]) -> _NB | Message:
    """Parse a start/stop answer: a notebook, or a bare message.

    Raises:
        ResponseValidationError: The body is neither.
    """
    result: _NB | Message = _validate(_action_validator(model), response)
    return result


@cache
def _action_validator(model: type[BaseNotebook]) -> JsonValidator:
    # A notebook is tried first, then a message; left to right, so each is tried at most once.
    # Built once per model: an Annotated type with a Field never equals another, so a cache
    # keyed on the type itself would grow with every call.
    either: Any = Annotated[cast("Any", model) | Message, Field(union_mode="left_to_right")]
    return TypeAdapter(either, config=_CONFIG).validate_json


def parse_logs(response: RawResponse) -> LogPage:
    """Parse a recent-logs answer.

    Raises:
        ResponseValidationError: The body is not of that shape.
    """
    return parse_model(response, LogPage)
