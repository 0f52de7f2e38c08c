"""The exceptions raised by abeja-notebooks.

Every error the SDK raises on purpose derives from `AbejaError`::

    AbejaError
    ├── ConfigurationError          no credentials, a bad env value, ...
    ├── HttpError                   the server answered with a non-2xx status
    │   ├── BadRequest              400
    │   ├── Unauthorized            401
    │   ├── Forbidden               403
    │   ├── NotFound                404
    │   ├── MethodNotAllowed        405
    │   ├── Conflict                409
    │   ├── UnprocessableEntity     422
    │   ├── TooManyRequests         429
    │   ├── InternalServerError     500
    │   ├── BadGateway              502
    │   ├── ServiceUnavailable      503
    │   └── GatewayTimeout          504
    ├── APIConnectionError          the request did not get an answer (DNS, refused, reset, ...)
    │   └── APITimeoutError         ... because a timeout or the overall deadline ran out
    ├── ResponseValidationError     a 2xx answer that is not what the API contract says, or
    │   │                           one that answers another request (another notebook's id)
    │   └── ResponseTooLarge        ... larger than ``max_response_size`` (after decompression)
    ├── UnboundNotebookError        a method that needs a client was called on a hand-built model
    ├── WaitTimeout                 ``wait_until`` reached its deadline
    ├── NotebookFailed              ``wait_until`` saw the notebook land in a failure state
    └── StatusUnreachable           ``wait_until`` saw a state the target cannot be reached from

Bad arguments (an empty id, a ``notebook_type`` other than ``notebook``/``lab``) raise the
built-in ``ValueError`` or ``TypeError`` before any request is sent.

The status classes keep the names of the old ``abeja-sdk`` client, so ``except NotFound`` reads
the same after a migration. Every error pickles, its ``repr`` holds its message, and neither
holds a credential: each of the client's secrets of at least ``MIN_SECRET_LENGTH`` (8)
characters is replaced by ``***`` wherever it appears in what a server sent back. Shorter values
are too short to be real credentials and are not searched for, so that ordinary words are never
mangled.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from ._display import PrettyPrinter
    from ._models import BaseNotebook, NotebookStatus

__all__ = [
    "APIConnectionError",
    "APITimeoutError",
    "AbejaError",
    "BadGateway",
    "BadRequest",
    "ConfigurationError",
    "Conflict",
    "Forbidden",
    "GatewayTimeout",
    "HttpError",
    "InternalServerError",
    "MethodNotAllowed",
    "NotFound",
    "NotebookFailed",
    "ResponseTooLarge",
    "ResponseValidationError",
    "ServiceUnavailable",
    "StatusUnreachable",
    "TooManyRequests",
    "Unauthorized",
    "UnboundNotebookError",
    "UnprocessableEntity",
    "WaitTimeout",
]

#: How many characters of a response body an error keeps.
BODY_EXCERPT_CHARS = 500
#: Secrets shorter than this are not searched for (see the module docstring).
MIN_SECRET_LENGTH = 8
#: The largest error body read as JSON for its ``error`` fields; a longer one is only excerpted.
ERROR_JSON_BYTES = 64 * 1024
#: How deep the JSON of an error body is kept; deeper values become ``"..."``.
ERROR_JSON_DEPTH = 32

#: The headers an answer's request id may come in, the first one present wins.
REQUEST_ID_HEADERS = ("x-request-id", "x-amzn-requestid", "x-amz-request-id", "request-id")


def find_request_id(headers: Mapping[str, str], secrets: Sequence[str] = ()) -> str | None:
    """The request id an answer's headers carry, if any, with ``secrets`` blanked out."""
    for name in REQUEST_ID_HEADERS:
        value = headers.get(name)
        if value:
            return redact_text(value, secrets)
    return None


def excerpt(
    body: str | bytes | None, limit: int = BODY_EXCERPT_CHARS, secrets: Sequence[str] = ()
) -> str:
    """Return at most ``limit`` characters of ``body``, decoded leniently, marked when cut.

    Each of ``secrets`` (the client's own credentials, which a server or proxy may echo back)
    is replaced by ``***`` first, so not even a part of one survives the cut.
    """
    if body is None:
        return ""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    text = redact_text(text, secrets)
    if len(text) > limit:
        return f"{text[:limit]}... [{len(text) - limit} more characters]"
    return text


def redact_text(text: str, secrets: Sequence[str]) -> str:
    """``text`` with each of ``secrets`` of ``MIN_SECRET_LENGTH`` characters or more replaced
    by ``***``; shorter ones are left alone."""
    for secret in secrets:
        if len(secret) >= MIN_SECRET_LENGTH:
            text = text.replace(secret, "***")
    return text


def redact(value: object, secrets: Sequence[str], depth: int = ERROR_JSON_DEPTH) -> object:
    """``value`` (a string, or JSON data) with ``secrets`` blanked out as ``redact_text`` does.

    Lists and objects nested deeper than ``depth`` become ``"..."``, so that what a server sent
    can never exhaust the stack, here or later (``repr``, pickling).
    """
    if isinstance(value, str):
        return redact_text(value, secrets)
    if isinstance(value, list | dict):
        if depth <= 0:
            return "..."
        if isinstance(value, list):
            return [redact(item, secrets, depth - 1) for item in cast("list[object]", value)]
        pairs = cast("dict[object, object]", value).items()
        return {redact(k, secrets): redact(v, secrets, depth - 1) for k, v in pairs}
    return value


def error_json(content: bytes, secrets: Sequence[str]) -> object:
    """The JSON of an error answer's body, bounded and cleared of ``secrets``.

    Returns ``None`` for a body that is empty, not JSON, or longer than ``ERROR_JSON_BYTES``
    (only an excerpt of it is kept); nesting beyond ``ERROR_JSON_DEPTH`` is cut (see
    ``redact``).
    """
    if len(content) > ERROR_JSON_BYTES or not content.strip():
        return None
    import json

    try:
        data: object = json.loads(content)
    except (ValueError, RecursionError):
        return None
    return redact(data, secrets)


def status_phrase(status_code: int) -> str:
    """The standard phrase of an HTTP status (``404`` -> ``Not Found``), or ``HTTP error``."""
    try:
        return HTTPStatus(status_code).phrase
    except ValueError:
        return "HTTP error"


def http_error_message(
    reason: str,
    *,
    status_code: int,
    method: str,
    url: str,
    error: str | None = None,
    body: str = "",
    request_id: str | None = None,
    attempts: int = 1,
) -> str:
    """Compose an ``HttpError``'s message: the reason first, then what a support ticket needs.

    ``notebook 9 not found: 404 Not Found for GET https://... (request id 5da6) after 4
    attempts``. The API's error code follows the status when it says more than the status
    (``409 Conflict (quota_exceeded)``); ``body`` (an excerpt, for an answer without the API's
    error fields) follows the URL.
    """
    phrase = status_phrase(status_code)
    message = f"{reason}: {status_code} {phrase}"
    if error and error != phrase.lower().replace(" ", "_"):
        message += f" ({error})"
    message += f" for {method} {url}"
    if body:
        message += f": {body!r}"
    if request_id:
        message += f" (request id {request_id})"
    if attempts > 1:
        message += f" after {attempts} attempts"
    return message


class AbejaError(Exception):
    """The base class of every error abeja-notebooks raises on purpose."""

    def _repr_pretty_(self, p: PrettyPrinter, cycle: bool) -> None:
        p.text(repr(self))  # IPython would prefix the private module: abeja_notebooks._errors


class ConfigurationError(AbejaError):
    """The client's settings are missing or invalid (credentials, env values, options).

    Raised when a client is built with an unusable env value or base URL, and at a call when no
    credentials were found anywhere or no organization was given (neither the client's nor the
    call's ``organization_id``). Nothing is sent in any of these cases.
    """


class HttpError(AbejaError):
    """The API answered with a status that is not 2xx.

    Raised with the class of its status (`NotFound` for 404, ...), or as
    a plain ``HttpError`` for a status without a class of its own (a 3xx: redirects are not
    followed; a 418, a 501, ...). Retried statuses raise only once the retries are spent, and the
    message then ends with ``after N attempts``.

    Args:
        message: The error message (``str(error)``): the reason first (the API's
            ``error_description``, or else what failed, e.g. ``notebook 9 not found in
            train-resnet``), then the status, the verb, the URL and the request id. The other
            arguments set the attributes of the same name.

    Attributes:
        status_code: The HTTP status, e.g. ``404``.
        error: The API's short error code (``"not_found"``), when the body had one.
        error_description: The API's human description, when the body had one.
        error_detail: The API's structured detail (often per-field messages), when present.
        method: The HTTP verb of the request.
        url: The URL of the request (never with credentials in it).
        request_id: The request id from the response headers, for support tickets.
        body: An excerpt of the response body (at most 500 characters).
    """

    status_code: int

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        error: str | None = None,
        error_description: str | None = None,
        error_detail: Any = None,
        method: str = "",
        url: str = "",
        request_id: str | None = None,
        body: str = "",
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.error = error
        self.error_description = error_description
        self.error_detail = error_detail
        self.method = method
        self.url = url
        self.request_id = request_id
        self.body = body

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _rebuild_http_error,
            (
                type(self),
                str(self),
                {
                    "status_code": self.status_code,
                    "error": self.error,
                    "error_description": self.error_description,
                    "error_detail": self.error_detail,
                    "method": self.method,
                    "url": self.url,
                    "request_id": self.request_id,
                    "body": self.body,
                },
            ),
        )


def _rebuild_http_error(cls: type[HttpError], message: str, attrs: dict[str, Any]) -> HttpError:
    return cls(message, **attrs)


class BadRequest(HttpError):
    """400: the request's parameters are missing or invalid (see ``error_detail``)."""


class Unauthorized(HttpError):
    """401: the credentials are missing, wrong or expired."""


class Forbidden(HttpError):
    """403: the credentials are valid but may not do this."""


class NotFound(HttpError):
    """404: the organization, job definition or notebook does not exist."""


class MethodNotAllowed(HttpError):
    """405: the endpoint does not accept this HTTP verb."""


class Conflict(HttpError):
    """409: the notebook is not in a state that allows this (e.g. starting a running one)."""


class UnprocessableEntity(HttpError):
    """422: the request is well-formed but the server cannot act on it."""


class TooManyRequests(HttpError):
    """429: rate limited; retried automatically, honouring ``Retry-After``."""


class InternalServerError(HttpError):
    """500: the server failed; retried automatically where that is safe."""


class BadGateway(HttpError):
    """502: a proxy in front of the API failed; retried automatically where that is safe."""


class ServiceUnavailable(HttpError):
    """503: the API is overloaded or down for maintenance; retried automatically."""


class GatewayTimeout(HttpError):
    """504: a proxy timed out waiting for the API; retried automatically where that is safe."""


STATUS_ERRORS: dict[int, type[HttpError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    405: MethodNotAllowed,
    409: Conflict,
    422: UnprocessableEntity,
    429: TooManyRequests,
    500: InternalServerError,
    502: BadGateway,
    503: ServiceUnavailable,
    504: GatewayTimeout,
}


class APIConnectionError(AbejaError):
    """No complete answer was received: the connection failed, was refused, reset or dropped,
    or the answer broke off before its body was complete.

    Raised once the retries are spent (the message then ends with ``after N attempts``), or at
    once when retrying is not safe (a create whose request may have reached the server).

    Args:
        message: The error message: the operation, what went wrong, the verb and the URL. The
            other arguments set the attributes of the same name.

    Attributes:
        method: The HTTP verb of the request.
        url: The URL of the request.
        status_code: The status of an answer that started to arrive and then broke off (its
            body cut off, or too slow), else ``None``.
        body: An excerpt of what had arrived of that answer's body (at most 500 characters),
            else ``""``.
    """

    def __init__(
        self,
        message: str,
        *,
        method: str = "",
        url: str = "",
        status_code: int | None = None,
        body: str = "",
    ) -> None:
        super().__init__(message)
        self.method = method
        self.url = url
        self.status_code = status_code
        self.body = body

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _rebuild_connection_error,
            (type(self), str(self), self.method, self.url, self.status_code, self.body),
        )


def _rebuild_connection_error(
    cls: type[APIConnectionError],
    message: str,
    method: str,
    url: str,
    status_code: int | None = None,
    body: str = "",
) -> APIConnectionError:
    return cls(message, method=method, url=url, status_code=status_code, body=body)


class APITimeoutError(APIConnectionError):
    """A timeout ran out (connect, read, write, pool) or the overall deadline was reached."""


class ResponseValidationError(AbejaError):
    """A 2xx answer whose body is not valid JSON or not the shape the API contract promises.

    Not retried: the server did answer, and asking again would likely get the same body.

    Args:
        message: The error message: the status, verb and URL, what is wrong with the body and
            an excerpt of it. The other arguments set the attributes of the same name.

    Attributes:
        status_code: The HTTP status of the answer.
        method: The HTTP verb of the request.
        url: The URL of the request.
        body: An excerpt of the response body (at most 500 characters).
    """

    def __init__(
        self, message: str, *, status_code: int = 0, method: str = "", url: str = "", body: str = ""
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.method = method
        self.url = url
        self.body = body

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _rebuild_validation_error,
            (type(self), str(self), self.status_code, self.method, self.url, self.body),
        )


def _rebuild_validation_error(
    cls: type[ResponseValidationError],
    message: str,
    status_code: int,
    method: str,
    url: str,
    body: str,
) -> ResponseValidationError:
    return cls(message, status_code=status_code, method=method, url=url, body=body)


class ResponseTooLarge(ResponseValidationError):
    """A 2xx answer whose body is larger than ``max_response_size`` bytes, after decompression.

    Raised as soon as the body passes the limit: the rest is not read and the connection is
    closed. Not retried (the same answer would come again). The limit is an option of every
    client (default 16 MiB, far above any real answer).

    Attributes:
        status_code: The HTTP status of the answer.
        method: The HTTP verb of the request.
        url: The URL of the request.
        body: An excerpt of the start of the body (at most 500 characters).
    """


class UnboundNotebookError(AbejaError):
    """A method that talks to the API was called on a notebook built by hand.

    Only notebooks returned by a client (``client.notebooks.get(...)``, ``list(...)``, ...) know
    which client to use. Fetch the notebook through a client, or call the manager directly.
    """


class WaitTimeout(AbejaError):
    """``wait_until`` reached its timeout before the notebook got to the wanted status.

    Args:
        message: The error message: the notebook's id, its last status and the statuses
            waited for.
        notebook: The notebook as it was last seen (see ``notebook``).

    Attributes:
        notebook: The notebook as it was last seen.
    """

    def __init__(self, message: str, notebook: BaseNotebook) -> None:
        super().__init__(message)
        self.notebook = notebook

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self), self.notebook))


class NotebookFailed(AbejaError):
    """``wait_until`` saw the notebook land in a failure state it cannot leave by itself.

    Args:
        message: The error message: the notebook's id, its status and status message, and the
            statuses waited for.
        notebook: The notebook as it was last seen (see ``notebook``).

    Attributes:
        notebook: The notebook as it was last seen (``status_message`` often says why).
    """

    def __init__(self, message: str, notebook: BaseNotebook) -> None:
        super().__init__(message)
        self.notebook = notebook

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self), self.notebook))


class StatusUnreachable(AbejaError):
    """``wait_until`` saw the notebook in a state it cannot leave towards the target by itself.

    A Stopped notebook becomes Pending, Running or Failed only when it is started;
    ``wait_until`` waits through a grace period (a start that is just landing may still read
    Stopped), then raises this instead of waiting out its whole timeout. The message says what
    to call (with ``await`` on the async client).

    Args:
        message: The error message: the notebook's id, its status, the statuses waited for
            and what to call.
        notebook: The notebook as it was last seen (see ``notebook``).
        targets: The statuses waited for (see ``targets``).

    Attributes:
        notebook: The notebook as it was last seen.
        targets: The statuses waited for.
    """

    def __init__(
        self, message: str, notebook: BaseNotebook, targets: Collection[NotebookStatus]
    ) -> None:
        super().__init__(message)
        self.notebook = notebook
        self.targets: frozenset[NotebookStatus] = frozenset(targets)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self), self.notebook, self.targets))
