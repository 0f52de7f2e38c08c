"""What a raw method returns: an operation's final answer, its HTTP details and its result."""

from __future__ import annotations

from datetime import timedelta
from typing import Generic, TypeVar

import httpx

from ._endpoints import RawResponse
from ._errors import find_request_id

__all__ = ["APIResponse"]

_T_co = TypeVar("_T_co", covariant=True)


class APIResponse(Generic[_T_co]):
    """One operation's final answer with its HTTP details, and the result it parses to.

    The methods of ``client.notebooks.with_raw_response`` return one; there is no need to make
    one yourself. It describes exactly one HTTP exchange, the last attempt of the call (earlier
    attempts were retried), and its body has already been read: nothing here does I/O, on
    either client. `APIResponse.parse` gives what the plain method
    returns.

    Args:
        response: The final answer, as the transport handed it back.
        result: What it parsed to, as the plain method parses it.
        elapsed: How long the whole call took.

    Examples:
        >>> response = client.notebooks.with_raw_response.get("train-resnet", id)  # doctest: +SKIP
        >>> response.status_code, response.request_id, response.retries_taken  # doctest: +SKIP
        (200, '6a1f9c2e...', 0)
        >>> nb = response.parse()  # doctest: +SKIP
    """

    __slots__ = ("_elapsed", "_http_response", "_response", "_result")

    def __init__(self, response: RawResponse, result: _T_co, elapsed: timedelta) -> None:
        self._response = response
        self._result = result
        self._elapsed = elapsed
        self._http_response: httpx.Response | None = None

    @property
    def status_code(self) -> int:
        """The final answer's HTTP status, e.g. ``200``.

        A retried start or stop answered ``409`` (or a retried delete answered ``404``) after an
        earlier attempt had done the job is not an error: its status is the one shown here.
        """
        return self._response.status_code

    @property
    def headers(self) -> httpx.Headers:
        """The final answer's headers (case-insensitive: ``headers["x-request-id"]``)."""
        headers = self._response.headers
        return headers if isinstance(headers, httpx.Headers) else httpx.Headers(headers)

    @property
    def request_id(self) -> str | None:
        """The final answer's request id (``x-request-id`` and the like), for support; ``None``
        when the answer had none."""
        return find_request_id(self._response.headers, self._response.secrets)

    @property
    def elapsed(self) -> timedelta:
        """How long the whole call took, retries and the waits between them included.

        Measured on the client's clock (``clock=``), so under the emulator's
        `ManualClock` it counts the virtual waits.
        """
        return self._elapsed

    @property
    def retries_taken(self) -> int:
        """How many retries the call needed before this answer (``0``: the first attempt)."""
        return self._response.attempts - 1

    @property
    def http_response(self) -> httpx.Response:
        """The final answer as an ``httpx.Response``, its body read (``.content``, ``.json()``
        work) and its request (``.request``) attached; the time taken is
        `APIResponse.elapsed`, not its ``elapsed``."""
        if self._http_response is None:
            self._http_response = _readable(self._response, self.headers)
        return self._http_response

    def parse(self) -> _T_co:
        """What the plain method returns for this answer (notebooks bound to the client).

        The answer was parsed when it arrived, as the plain method parses it: an answer that
        is not what the API promises raised ``ResponseValidationError`` at the call, as it
        does there. Every call returns the same object.

        Returns:
            The result.
        """
        return self._result

    def __repr__(self) -> str:
        response = self._response
        return (
            f"<{type(self).__name__} [{response.status_code}] {response.method} {response.url} "
            f"request_id={self.request_id!r} retries_taken={self.retries_taken}>"
        )


def _readable(response: RawResponse, headers: httpx.Headers) -> httpx.Response:
    """An ``httpx.Response`` of ``response`` whose body can be read.

    The transport streams each body (to bound how long it may take), so the ``httpx.Response``
    it received cannot give its ``content``. This one holds the body already decoded, so it is
    built without the headers (which would have httpx decode it again) and given them after.
    """
    readable = httpx.Response(
        response.status_code,
        content=response.content,
        request=response.http_request,
        extensions=response.http_extensions,
    )
    readable.headers = headers
    readable.close()
    return readable
