"""Small pieces of the wire format shared by the emulator core and its transports."""

from __future__ import annotations

import http
import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from ._records import EmulatorResponse

__all__ = [
    "ApiError",
    "error_code",
    "error_payload",
    "error_response",
    "format_micros",
    "format_millis",
    "json_response",
    "merge_headers",
    "new_request_id",
    "reason_phrase",
    "retime",
]

_ERROR_CODES: dict[int, str] = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    408: "request_timeout",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "unprocessable_entity",
    429: "too_many_requests",
    500: "internal_server_error",
    501: "not_implemented",
    502: "bad_gateway",
    503: "service_unavailable",
    504: "gateway_timeout",
}


class ApiError(Exception):
    """An error answer in the API's shape, raised inside the emulator and turned into a response.

    Args:
        status: The HTTP status code.
        description: The ``error_description``.
        detail: The ``error_detail`` (field name -> problems).
        headers: Extra response headers (``Allow``, ...).
    """

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


def new_request_id() -> str:
    """Make a unique request id.

    Returns:
        32 hexadecimal digits.
    """
    return uuid.uuid4().hex


def reason_phrase(status: int) -> str:
    """Give the standard reason phrase of a status code.

    Args:
        status: An HTTP status code.

    Returns:
        The phrase, or ``"Unknown"`` for a code without one.
    """
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def error_code(status: int) -> str:
    """Give the API's ``error`` code for a status.

    Args:
        status: An HTTP status code.

    Returns:
        For example ``"not_found"`` for 404.
    """
    code = _ERROR_CODES.get(status)
    if code is not None:
        return code
    return reason_phrase(status).lower().replace(" ", "_").replace("-", "_")


def json_response(
    status: int,
    payload: Any,
    request_id: str,
    headers: Mapping[str, str] | None = None,
) -> EmulatorResponse:
    """Build a JSON answer.

    Args:
        status: The HTTP status code.
        payload: A JSON-serializable value.
        request_id: The ``x-request-id`` to send.
        headers: Extra headers.

    Returns:
        The response, with ``Content-Type``, ``Content-Length`` and ``x-request-id`` set.
    """
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    out = {
        "Content-Type": "application/json",
        "Content-Length": str(len(body)),
        "x-request-id": request_id,
    }
    if headers:
        out = merge_headers(out, headers)
    return EmulatorResponse(status=status, headers=out, body=body)


def error_payload(
    status: int, description: str, detail: Mapping[str, Any] | None = None, form: str = "api"
) -> dict[str, Any]:
    """Build an error body in the API's shape.

    Args:
        status: The HTTP status code.
        description: A human sentence.
        detail: Machine-readable details (field name -> problems).
        form: ``"api"``, or ``"message"`` for an API gateway's ``{"message"}``.

    Returns:
        ``{"error", "error_description", "error_detail"}``, or ``{"message"}``.
    """
    if form == "message":
        return {"message": description}
    return {
        "error": error_code(status),
        "error_description": description,
        "error_detail": dict(detail or {}),
    }


def error_response(
    status: int,
    description: str,
    detail: Mapping[str, Any] | None = None,
    *,
    request_id: str | None = None,
    headers: Mapping[str, str] | None = None,
    form: str = "api",
) -> EmulatorResponse:
    """Build a JSON error answer in the API's shape.

    Args:
        status: The HTTP status code.
        description: A human sentence.
        detail: Machine-readable details.
        request_id: The ``x-request-id`` to send (a new one when None).
        headers: Extra headers (``Allow``, ``Retry-After``, ...).
        form: The body's shape (see :func:`error_payload`).

    Returns:
        The response.
    """
    return json_response(
        status,
        error_payload(status, description, detail, form),
        request_id or new_request_id(),
        headers,
    )


def merge_headers(base: Mapping[str, str], extra: Mapping[str, str]) -> dict[str, str]:
    """Overlay headers, matching names case-insensitively.

    Args:
        base: The headers to start from.
        extra: Headers that replace those of the same name.

    Returns:
        A new dict.
    """
    lowered = {name.lower() for name in extra}
    out = {name: value for name, value in base.items() if name.lower() not in lowered}
    out.update(extra)
    return out


def format_micros(t: float) -> str:
    """Format a time like ``2018-06-07T04:42:34.913644Z``.

    Args:
        t: Epoch seconds.

    Returns:
        UTC, with microseconds.
    """
    moment = datetime.fromtimestamp(t, tz=UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="microseconds") + "Z"


def format_millis(t: float) -> str:
    """Format a time like ``2019-10-16T00:00:00.123Z``.

    Args:
        t: Epoch seconds.

    Returns:
        UTC, with milliseconds (truncated).
    """
    moment = datetime.fromtimestamp(t, tz=UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="milliseconds") + "Z"


def retime(text: str, form: str) -> str:
    """Rewrite a time written as the API reference does (ending in ``Z``) in another form.

    Args:
        text: Like ``2018-06-07T04:42:34.913644Z`` (any fraction, or none).
        form: A `_dialect.TimestampForm`:
            ``"offset"`` writes ``+00:00`` for ``Z``, ``"naive"`` drops it, ``"millis"`` keeps
            three fraction digits; ``"reference"`` (or a text without ``Z``) is left as it is.

    Returns:
        The time in that form.
    """
    if not text.endswith("Z") or form == "reference":
        return text
    if form == "offset":
        return text[:-1] + "+00:00"
    if form == "naive":
        return text[:-1]
    stamp, _, fraction = text[:-1].partition(".")
    return f"{stamp}.{(fraction + '000')[:3]}Z"
