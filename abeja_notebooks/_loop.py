"""The decisions of one call across its attempts: building each request, judging each answer
or failure, and how long to wait before the next attempt. No I/O: the senders in
``_transport`` do that, the same way for both clients.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from typing import Any, Final, NamedTuple, TypeVar, overload
from urllib.parse import urlencode

import httpx

from ._body import ACCEPT_ENCODING, BodyReader, Budget, timeout_part
from ._clock import Clock
from ._config import MISSING_CREDENTIALS_HELP, Settings
from ._endpoints import AnswerMismatch, ApiRequest, RawResponse, RetryClass, failure_reason
from ._errors import (
    STATUS_ERRORS,
    AbejaError,
    APIConnectionError,
    APITimeoutError,
    ConfigurationError,
    HttpError,
    ResponseValidationError,
    error_json,
    excerpt,
    find_request_id,
    http_error_message,
    redact_text,
)
from ._network import discard
from ._retry import (
    backoff_delay,
    never_connected,
    parse_retry_after,
    status_is_retryable,
    transport_error_is_retryable,
)

__all__ = ["STALE_AFTER", "PreparedHeaders", "RetryLoop", "connection_error", "http_error"]

logger = logging.getLogger("abeja_notebooks")

_T = TypeVar("_T")
STALE_AFTER: Final = 1.0
"""A create never goes onto a pooled connection idle this long (seconds): a server may be
closing it just then, and a create is not retried once it may have been sent. Servers close
idle connections after 2 s at the very least (5 s and more is usual)."""


def http_error(response: RawResponse, request: ApiRequest, attempts: int = 1) -> HttpError:
    """Build the error for a non-2xx answer, with every attribute the body and headers give.

    Whatever the server wrote is cleared of the client's own credentials first (a proxy's
    error page may echo the request's headers). The message's reason is the API's description,
    or else a sentence about ``request`` (see ``failure_reason``).
    """
    error: str | None = None
    description: str | None = None
    detail: Any = None
    secrets = response.secrets
    body = excerpt(response.content, secrets=secrets)
    data: Any = error_json(response.content, secrets)  # bounded in size and depth
    if isinstance(data, dict):
        fields: dict[str, Any] = data  # pyright: ignore[reportUnknownVariableType] -- raw JSON
        raw_error = fields.get("error")
        raw_description = fields.get("error_description") or fields.get("message")
        error = raw_error if isinstance(raw_error, str) else None
        description = raw_description if isinstance(raw_description, str) else None
        detail = fields.get("error_detail")
    request_id = find_request_id(response.headers, secrets)
    status, method, url = response.status_code, response.method, response.url
    message = http_error_message(
        description or failure_reason(request, status),
        status_code=status,
        method=method,
        url=url,
        error=error,
        body="" if error or description else excerpt(response.content, 200, secrets),
        request_id=request_id,
        attempts=attempts,
    )
    return STATUS_ERRORS.get(status, HttpError)(
        message,
        status_code=status,
        error=error,
        error_description=description,
        error_detail=detail,
        method=method,
        url=url,
        request_id=request_id,
        body=body,
    )


def connection_error(
    exc: httpx.HTTPError,
    method: str,
    url: str,
    operation: str,
    attempts: int,
    answer: tuple[int, bytes] | None = None,
    secrets: tuple[str, ...] = (),
) -> APIConnectionError:
    """Translate an httpx failure into ``APIConnectionError`` / ``APITimeoutError``.

    ``answer`` is the status and the body received so far, when the failure came while the
    body was being read: the error then carries both (``secrets`` blanked out of the body).
    """
    kind = type(exc).__name__
    detail = redact_text(str(exc) or kind, secrets)  # httpx may quote a header it refused
    suffix = f" after {attempts} attempts" if attempts > 1 else ""
    status: int | None = None
    body = ""
    if answer is not None:
        status, body = answer[0], excerpt(answer[1], secrets=secrets)
    if isinstance(exc, httpx.TimeoutException):
        what = "timed out" if status is None else f"timed out reading the body of a {status} answer"
        return APITimeoutError(
            f"{operation} {what} ({kind}: {detail}) for {method} {url}{suffix}",
            method=method,
            url=url,
            status_code=status,
            body=body,
        )
    what = "no answer from the server" if status is None else f"a {status} answer broke off"
    return APIConnectionError(
        f"{operation} failed: {what} ({kind}: {detail}) for {method} {url}{suffix}",
        method=method,
        url=url,
        status_code=status,
        body=body,
    )


class RetryLoop:
    """The state of one call across its attempts; every decision, no I/O.

    Use: ``build()`` an attempt and send it within ``budget`` (the sender puts it where the
    socket hook finds it, :data:`~abeja_notebooks._body.ATTEMPT`), read its body with
    ``reader()``, then hand the answer to ``on_response`` or the failure to ``on_error``. Each
    returns the final :class:`RawResponse` or a delay to sleep before the next ``build()``,
    or raises the error the caller should see. ``accept`` then parses a final answer while
    its connection is still at hand, so that one answering another request is discarded.

    Time: the deadline (and ``until``) is measured on the SDK's ``clock``; each attempt may
    use, in real time, what is left of it when the attempt starts, and at most the attempt
    timeout. With the system clock the two are the same clock. With a manual clock (tests),
    time spent on the network moves only the real one: an attempt is still cut at what was
    left, but the deadline counts the clock's time (its sleeps), not the network's.
    """

    def __init__(
        self,
        request: ApiRequest,
        settings: Settings,
        clock: Clock,
        random: Callable[[], float],
        headers: PreparedHeaders,
    ) -> None:
        self.request = request
        self.settings = settings
        self.clock = clock
        self.random = random
        self.headers = headers
        self.timeout = headers.timeout
        self.url = settings.base_url + request.path
        # The query joined here, once, as httpx would encode it: a URL with ``params=`` is
        # parsed twice by httpx, which costs more than the rest of building a request.
        query = urlencode(request.params) if request.params else ""
        self.target = f"{self.url}?{query}" if query else self.url
        self.attempts = 0
        self.may_have_arrived = False
        credentials = settings.credentials
        self.secrets: tuple[str, ...] = () if credentials is None else credentials.secrets
        self.started = clock.monotonic()
        self.until: float | None = None
        """A time on ``clock`` no attempt or sleep may pass (a waiter's or follower's deadline)."""
        self.budget: Budget
        """The limits of the attempt in flight (made by each ``build``)."""
        self.mismatches = 0
        """How many answers were about something else than what was asked for."""

    @property
    def max_attempts(self) -> int:
        """The first attempt plus the allowed retries."""
        return self.settings.max_retries + 1

    def _remaining(self) -> float | None:
        now = self.clock.monotonic()
        left = [] if self.until is None else [self.until - now]
        if self.settings.deadline is not None:
            left.append(self.settings.deadline - (now - self.started))
        return min(left) if left else None

    def build(self) -> httpx.Request:
        """Make the next attempt's request.

        Raises:
            ConfigurationError: No credentials were configured (nothing is sent).
            APITimeoutError: The overall deadline has passed.
        """
        if self.settings.credentials is None:
            raise ConfigurationError(MISSING_CREDENTIALS_HELP)
        timeout = self.timeout
        seconds, why = self.settings.attempt_timeout, "attempt timeout"
        remaining = self._remaining()
        if remaining is not None:
            if remaining <= 0:
                raise APITimeoutError(
                    f"{self.request.operation} ran out of time (deadline) after {self.attempts} "
                    f"attempts for {self.request.method} {self.url}",
                    method=self.request.method,
                    url=self.url,
                )
            timeout = _shorten(self.settings.timeout, remaining).as_dict()
            if seconds is None or remaining < seconds:
                seconds, why = remaining, "left of the deadline"
        fresh_after = STALE_AFTER if self.request.retry is RetryClass.CREATE else None
        self.budget = Budget(seconds, why, 0.0 if self.mismatches else fresh_after)
        self.attempts += 1
        # Built directly, not through the client's build_request: the headers (the client's
        # own merged with ours) and the timeout were prepared once, when the transport was made.
        prepared = self.headers
        url, params = self.target, None
        if prepared.params:  # a handed-in http_client's own query parameters come first
            url, params = self.url, prepared.params.merge(self.request.params or {})
        request = httpx.Request(
            self.request.method,
            url,
            params=params,
            content=self.request.body,
            headers=prepared.json if self.request.body is not None else prepared.plain,
            extensions={"timeout": timeout},
        )
        if prepared.cookies:  # a handed-in http_client's cookie jar, as it is now
            prepared.cookies.set_cookie_header(request)
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "%s %s (attempt %d/%d)",
                self.request.method,
                request.url,
                self.attempts,
                self.max_attempts,
            )
        return request

    def on_response(self, response: httpx.Response, content: bytes) -> RawResponse | float:
        """Judge a received answer and its whole body.

        Returns:
            The answer to hand back, or the delay before a retry.

        Raises:
            HttpError: A non-2xx answer that is not retried (any more).
        """
        raw = RawResponse(
            response.status_code,
            response.headers,
            content,
            self.request.method,
            self.url,
            secrets=self.secrets,
            attempts=self.attempts,
            http_request=response.request,
            http_extensions=response.extensions,
        )
        status = response.status_code
        if logger.isEnabledFor(logging.DEBUG):
            request_id = find_request_id(response.headers, self.secrets) or "none"
            logger.debug("%s %s -> %d (request id %s)", raw.method, self.url, status, request_id)
        if 200 <= status < 300:
            return raw
        if status in self.request.done_statuses and self.may_have_arrived:
            logger.info(
                "%s %s answered %d on attempt %d after an earlier attempt may have reached "
                "the server: taking it as done",
                self.request.method,
                self.url,
                status,
                self.attempts,
            )
            raw.replayed = True
            return raw
        error = http_error(raw, self.request, self.attempts)
        # Whatever the status, this attempt reached the server. Even a 429 or 503 may come from
        # a proxy after the server acted, so a later 409/404 counts as done.
        self.may_have_arrived = True
        if not status_is_retryable(self.request.retry, status):
            raise error
        retry_after = parse_retry_after(response.headers)
        return self._retry_delay(error, f"{status} {error.error or 'error'}", retry_after)

    def pool_wait(self, attempt: httpx.Request) -> float | None:
        """How long the attempt may wait for a free connection (``None``: as long as needed)."""
        pool, left = timeout_part(attempt, "pool"), self.budget.left()
        if left is None:
            return pool
        return max(left, 0.0) if pool is None or left < pool else pool

    def reader(self, response: httpx.Response) -> BodyReader:
        """A reader for ``response``'s body, within this attempt's budget and the size limits.

        Raises:
            httpx.DecodingError: The answer is in a compression the SDK did not ask for.
        """
        origin = (self.request.method, self.url, self.secrets)
        return BodyReader(response, self.budget, self.settings.max_response_size, origin)

    def accept(
        self, raw: RawResponse, response: httpx.Response, parse: Callable[[RawResponse], _T]
    ) -> tuple[_T] | float:
        """Parse the final answer, with its connection still at hand.

        Returns:
            The result, or the delay before a retry (an answer about something else than what
            a GET asked for, the first time: retried on a fresh connection).

        Raises:
            ResponseValidationError: The answer is not what the API promises, or answers
                another request; its connection is discarded.
        """
        try:
            return (parse(raw),)
        except AnswerMismatch as mismatch:
            discard(response)
            error = ResponseValidationError(
                str(mismatch),
                status_code=mismatch.status_code,
                method=mismatch.method,
                url=mismatch.url,
                body=mismatch.body,
            )
            self.mismatches += 1
            if self.request.method != "GET" or self.mismatches > 1:
                raise error from None
            return self._retry_delay(error, "an answer to another request", 0.0)
        except ResponseValidationError:
            discard(response)  # out of step with its requests, maybe: not for another one
            raise

    @overload
    def on_error(self, exc: httpx.HTTPError) -> float: ...

    @overload
    def on_error(
        self, exc: httpx.HTTPError, response: httpx.Response, partial: bytes = b""
    ) -> RawResponse | float: ...

    def on_error(
        self, exc: httpx.HTTPError, response: httpx.Response | None = None, partial: bytes = b""
    ) -> RawResponse | float:
        """Judge a failed attempt: no answer, or one whose body broke off (``response``, with
        ``partial``, the body read so far).

        Returns:
            The delay before a retry (or, for an answer whose body cannot be decoded, what
            :meth:`on_response` makes of its status).

        Raises:
            APIConnectionError: The failure is not retried (any more).
            ResponseValidationError: A 2xx answer whose body cannot be decoded.
        """
        if response is not None and isinstance(exc, httpx.DecodingError):
            return self._undecodable(response, exc)
        answer = None if response is None else (response.status_code, partial)
        error = connection_error(
            exc,
            self.request.method,
            self.url,
            self.request.operation,
            self.attempts,
            answer,
            self.secrets,
        )
        if not isinstance(exc, httpx.TransportError):
            raise error from None
        if not never_connected(exc):
            self.may_have_arrived = True
        if not transport_error_is_retryable(self.request.retry, exc):
            raise error from None
        return self._retry_delay(error, type(exc).__name__, None)

    def _undecodable(
        self, response: httpx.Response, exc: httpx.DecodingError
    ) -> RawResponse | float:
        # The body does not match its Content-Encoding: a broken proxy, not a network failure.
        status = response.status_code
        if not 200 <= status < 300:
            return self.on_response(response, b"")  # the status says enough
        encoding = response.headers.get("content-encoding", "")
        raise ResponseValidationError(
            f"{status} answer to {self.request.method} {self.url} is not what the Notebook API "
            f"promises: its body cannot be decoded as Content-Encoding {encoding!r} ({exc})",
            status_code=status,
            method=self.request.method,
            url=self.url,
        ) from None

    def _retry_delay(self, error: AbejaError, reason: str, retry_after: float | None) -> float:
        if self.attempts >= self.max_attempts:
            raise error from None
        policy = self.settings.retry_policy
        if retry_after is not None:
            if retry_after > policy.max_retry_after:
                asked = f"{retry_after:g} s" if retry_after < math.inf else "without end"
                why = (
                    f"not retried: the server asked to wait {asked}, beyond "
                    f"max_retry_after={policy.max_retry_after:g} s"
                )
                logger.info("%s %s: %s", self.request.method, self.url, why)
                error.args = (f"{error}; {why}",)
                raise error from None
            delay = retry_after
        else:
            delay = backoff_delay(policy, self.attempts, self.random)
        remaining = self._remaining()
        if remaining is not None and delay >= remaining:
            logger.info(
                "%s %s: not retrying, waiting %.2fs would pass the deadline",
                self.request.method,
                self.url,
                delay,
            )
            raise error from None
        logger.info(
            "retrying %s %s (attempt %d/%d) after %s in %.2fs",
            self.request.method,
            self.url,
            self.attempts + 1,
            self.max_attempts,
            reason,
            delay,
        )
        return delay


def _shorten(timeout: httpx.Timeout, remaining: float) -> httpx.Timeout:
    def cut(value: float | None) -> float:
        return remaining if value is None else min(value, remaining)

    return httpx.Timeout(
        connect=cut(timeout.connect),
        read=cut(timeout.read),
        write=cut(timeout.write),
        pool=cut(timeout.pool),
    )


class PreparedHeaders(NamedTuple):
    """What every request of a transport carries, computed once per transport.

    Requests are built directly rather than through the HTTP client's ``build_request`` (it
    costs more than the rest of an in-process call), so what a handed-in client adds is taken
    here: its default headers (read once, beneath ours), its query parameters and its cookie
    jar (read at each attempt). A client the SDK made itself has none of these.

    Attributes:
        plain: The headers of a request without a body: the HTTP client's own defaults, then
            ours (User-Agent, Accept, Accept-Encoding, Authorization) on top.
        json: The same plus ``Content-Type: application/json``.
        timeout: The per-attempt timeout, as httpx's request extension wants it.
        params: A handed-in client's query parameters (empty otherwise).
        cookies: A handed-in client's cookie jar, or ``None``.
    """

    plain: httpx.Headers
    json: httpx.Headers
    timeout: dict[str, float | None]
    params: httpx.QueryParams
    cookies: httpx.Cookies | None

    @classmethod
    def prepare(
        cls, http: httpx.Client | httpx.AsyncClient, settings: Settings, *, handed_in: bool
    ) -> PreparedHeaders:
        """Merge the HTTP client's default headers with the settings' ones."""
        plain = httpx.Headers(http.headers)
        plain.update(settings.headers)
        plain["Accept-Encoding"] = ACCEPT_ENCODING  # what the body reader decodes, bounded
        json = httpx.Headers(plain)
        json["Content-Type"] = "application/json"
        cookies = http.cookies if handed_in else None
        return cls(plain, json, settings.timeout.as_dict(), http.params, cookies)
