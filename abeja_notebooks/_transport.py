"""Sending requests: auth, User-Agent, timeouts, the retry loop and status-to-error mapping.

Everything that decides is in :class:`RetryLoop`, shared by both transports; the sync and async
transports differ only in the two lines that send a request and sleep.
"""

from __future__ import annotations

import copy
import dataclasses
import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, Self, cast, runtime_checkable

import httpx

from ._config import MISSING_CREDENTIALS_HELP, Settings, configure_logging_from_env
from ._endpoints import ApiRequest, RawResponse, failure_reason
from ._errors import (
    STATUS_ERRORS,
    AbejaError,
    APIConnectionError,
    APITimeoutError,
    ConfigurationError,
    HttpError,
    ResponseValidationError,
    excerpt,
    http_error_message,
    redact,
    redact_text,
)
from ._retry import (
    backoff_delay,
    never_connected,
    parse_retry_after,
    status_is_retryable,
    transport_error_is_retryable,
)

__all__ = ["AsyncTransport", "Clock", "RetryLoop", "SystemClock", "Transport"]

logger = logging.getLogger("abeja_notebooks")

_REQUEST_ID_HEADERS = ("x-request-id", "x-amzn-requestid", "x-amz-request-id", "request-id")
DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)


@runtime_checkable
class Clock(Protocol):
    """What the SDK reads time from and sleeps on (retries, ``wait_until``, following logs).

    The default is `SystemClock`. The emulator's
    `ManualClock` implements it too: its ``sleep``
    advances the emulator's time at once, so tests never wait. Pass one as ``clock=`` to a
    client.
    """

    def monotonic(self) -> float:
        """Read the clock.

        Returns:
            Seconds on a clock that never goes back (only differences are meaningful).
        """
        ...

    def sleep(self, seconds: float) -> None:
        """Block the calling thread.

        Args:
            seconds: How long.
        """
        ...

    async def asleep(self, seconds: float) -> None:
        """Suspend the calling task.

        Args:
            seconds: How long.
        """
        ...


class SystemClock:
    """The real clock: ``time.monotonic``, ``time.sleep`` and ``asyncio.sleep``."""

    def monotonic(self) -> float:
        """Read ``time.monotonic()``.

        Returns:
            Seconds on the system's monotonic clock.
        """
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        """``time.sleep(seconds)``.

        Args:
            seconds: How long.
        """
        time.sleep(seconds)

    async def asleep(self, seconds: float) -> None:
        """``await asyncio.sleep(seconds)``.

        Args:
            seconds: How long.
        """
        import asyncio  # here, not at module level: sync users never pay for importing asyncio

        await asyncio.sleep(seconds)

    def __repr__(self) -> str:
        return "SystemClock()"


def _request_id(headers: Mapping[str, str]) -> str | None:
    for name in _REQUEST_ID_HEADERS:
        value = headers.get(name)
        if value:
            return value
    return None


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
    try:
        import json

        data: Any = json.loads(response.content) if response.content.strip() else None
    except (ValueError, RecursionError):
        data = None
    data = redact(data, secrets)
    if isinstance(data, dict):
        fields: dict[str, Any] = data  # pyright: ignore[reportUnknownVariableType] -- raw JSON
        raw_error = fields.get("error")
        raw_description = fields.get("error_description") or fields.get("message")
        error = raw_error if isinstance(raw_error, str) else None
        description = raw_description if isinstance(raw_description, str) else None
        detail = fields.get("error_detail")
    request_id = _request_id(response.headers)
    request_id = None if request_id is None else redact_text(request_id, secrets)
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


def _timeout_part(request: httpx.Request, part: str) -> float | None:
    """One of the timeouts httpx will apply to ``request`` (``read``, ``pool``, ...)."""
    timeouts: Any = request.extensions.get("timeout")
    if not isinstance(timeouts, dict):
        return None
    value: Any = cast("dict[str, Any]", timeouts).get(part)
    return float(value) if isinstance(value, int | float) else None


class BodyReader:
    """Collects an answer's body, which must all arrive within the attempt's read timeout.

    httpx applies the read timeout to each read from the socket, so a server that sends a byte
    now and then keeps a plain read going for ever. This bounds the whole body, in real time
    (a timeout is about the network, not the SDK's clock); it is checked as each piece arrives,
    so an attempt ends within at most twice the read timeout.
    """

    def __init__(self, request: httpx.Request, now: float) -> None:
        self.request = request
        self.read_timeout = _timeout_part(request, "read")
        self.ends = None if self.read_timeout is None else now + self.read_timeout
        self.chunks: list[bytes] = []

    def feed(self, chunk: bytes, now: float) -> None:
        """Take the next piece of the body.

        Raises:
            httpx.ReadTimeout: The body has taken longer than the read timeout.
        """
        self.chunks.append(chunk)
        if self.ends is not None and now > self.ends:
            raise httpx.ReadTimeout(
                f"the body did not arrive within the {self.read_timeout:g}s read timeout",
                request=self.request,
            )

    @property
    def content(self) -> bytes:
        """The body received so far."""
        return self.chunks[0] if len(self.chunks) == 1 else b"".join(self.chunks)


class RetryLoop:
    """The state of one call across its attempts; every decision, no I/O.

    Use: ``build()`` an attempt, send it, then hand the answer to ``on_response`` or the
    failure to ``on_error``. Each returns the final :class:`RawResponse` or a delay to sleep
    before the next ``build()``, or raises the error the caller should see.
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
        self.attempts = 0
        self.may_have_arrived = False
        credentials = settings.credentials
        self.secrets: tuple[str, ...] = () if credentials is None else credentials.secrets
        self.started = clock.monotonic()
        self.until: float | None = None
        """A time on ``clock`` no attempt or sleep may pass (a waiter's or follower's deadline)."""

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
        self.attempts += 1
        # Built directly, not through the client's build_request: the headers (the client's
        # own merged with ours) and the timeout were prepared once, when the transport was made.
        prepared = self.headers
        params = self.request.params
        if prepared.params:  # a handed-in http_client's own query parameters come first
            params = prepared.params.merge(params or {})
        request = httpx.Request(
            self.request.method,
            self.url,
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
        )
        status = response.status_code
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("%s %s -> %d", self.request.method, self.url, status)
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
            return RawResponse(
                status, response.headers, content, raw.method, raw.url, True, self.secrets
            )
        error = http_error(raw, self.request, self.attempts)
        # Whatever the status, this attempt reached the server. Even a 429 or 503 may come from
        # a proxy after the server acted, so a later 409/404 counts as done.
        self.may_have_arrived = True
        if not status_is_retryable(self.request.retry, status):
            raise error
        retry_after = parse_retry_after(response.headers)
        return self._retry_delay(error, f"{status} {error.error or 'error'}", retry_after)

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
                logger.info(
                    "%s %s: not retrying, Retry-After %.0fs is beyond the %.0fs cap",
                    self.request.method,
                    self.url,
                    retry_after,
                    policy.max_retry_after,
                )
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


@dataclass(frozen=True, slots=True)
class PreparedHeaders:
    """What every request of a transport carries, computed once per transport.

    Requests are built directly rather than through the HTTP client's ``build_request`` (it
    costs more than the rest of an in-process call), so what a handed-in client adds is taken
    here: its default headers (read once, beneath ours), its query parameters and its cookie
    jar (read at each attempt). A client the SDK made itself has none of these.

    Attributes:
        plain: The headers of a request without a body: the HTTP client's own defaults, then
            ours (User-Agent, Accept, Authorization) on top.
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
        json = httpx.Headers(plain)
        json["Content-Type"] = "application/json"
        cookies = http.cookies if handed_in else None
        return cls(plain, json, settings.timeout.as_dict(), http.params, cookies)


class _TransportBase:
    """What both transports hold: settings, clock, jitter source, the fixed headers."""

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None,
        owns_http: bool,
    ) -> None:
        configure_logging_from_env()
        self.settings: Settings = settings
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.random: Callable[[], float] = random.random
        self.owns_http: bool = owns_http

    headers: PreparedHeaders

    def derive(self, settings: Settings) -> Self:
        """A transport with other settings over the same connection pool (which it won't close).

        Only options that ``with_options`` may change differ: the credentials, and so the
        prepared headers, stay the same.
        """
        twin = copy.copy(self)
        twin.settings = settings
        twin.owns_http = False
        twin.headers = dataclasses.replace(self.headers, timeout=settings.timeout.as_dict())
        return twin

    def _loop(self, request: ApiRequest, until: float | None) -> RetryLoop:
        loop = RetryLoop(request, self.settings, self.clock, self.random, self.headers)
        loop.until = until
        return loop


class Transport(_TransportBase):
    """Sends :class:`ApiRequest` s over one pooled ``httpx.Client``."""

    def __init__(
        self,
        settings: Settings,
        *,
        http_client: httpx.Client | None = None,
        clock: Clock | None = None,
        limits: httpx.Limits | None = None,
    ) -> None:
        super().__init__(settings, clock=clock, owns_http=http_client is None)
        limits = limits or DEFAULT_LIMITS
        self.http: httpx.Client = http_client or httpx.Client(
            timeout=settings.timeout,
            follow_redirects=False,
            limits=limits,
        )
        self.headers: PreparedHeaders = PreparedHeaders.prepare(
            self.http, settings, handed_in=http_client is not None
        )
        # httpcore's sync pool can close a connection it has just handed to a request that was
        # queued for one, under that request (encode/httpcore#1110): the request fails with
        # "Bad file descriptor" or hangs until its read timeout. So that our pool never
        # queues, at most max_connections of our attempts enter it at once; the others wait
        # here, as long as the pool timeout allows. (A pool handed in is used as it is.)
        self.slots: threading.BoundedSemaphore | None = None
        if http_client is None and limits.max_connections is not None:
            self.slots = threading.BoundedSemaphore(limits.max_connections)

    def send(self, request: ApiRequest, *, until: float | None = None) -> RawResponse:
        """Send ``request``, retrying per the policy; return a 2xx answer or raise.

        ``until`` (a time on the transport's clock) bounds the attempts and sleeps, on top of
        the settings' ``deadline``: waiters and log followers pass their own deadline here.
        """
        loop = self._loop(request, until)
        while True:
            attempt = loop.build()
            slots = self.slots
            if slots is not None and not slots.acquire(timeout=_timeout_part(attempt, "pool")):
                waited = httpx.PoolTimeout("no connection came free", request=attempt)
                outcome = loop.on_error(waited)
            else:
                try:
                    outcome = self._attempt(loop, attempt)
                finally:
                    if slots is not None:
                        slots.release()
            if isinstance(outcome, RawResponse):
                return outcome
            self.clock.sleep(outcome)

    def _attempt(self, loop: RetryLoop, attempt: httpx.Request) -> RawResponse | float:
        try:  # no redirects and no auth of the http client: our credentials, to our host only
            response = self.http.send(attempt, stream=True, auth=None, follow_redirects=False)
        except httpx.HTTPError as exc:
            return loop.on_error(exc)
        body = BodyReader(attempt, time.monotonic())
        try:
            for chunk in response.iter_bytes():
                body.feed(chunk, time.monotonic())
        except httpx.HTTPError as exc:
            return loop.on_error(exc, response, body.content)
        finally:
            response.close()
        return loop.on_response(response, body.content)

    def close(self) -> None:
        """Close the connection pool, unless it was handed in by the caller."""
        if self.owns_http:
            self.http.close()


class AsyncTransport(_TransportBase):
    """Sends :class:`ApiRequest` s over one pooled ``httpx.AsyncClient``."""

    def __init__(
        self,
        settings: Settings,
        *,
        http_client: httpx.AsyncClient | None = None,
        clock: Clock | None = None,
        limits: httpx.Limits | None = None,
    ) -> None:
        super().__init__(settings, clock=clock, owns_http=http_client is None)
        self.http: httpx.AsyncClient = http_client or httpx.AsyncClient(
            timeout=settings.timeout,
            follow_redirects=False,
            limits=limits or DEFAULT_LIMITS,
        )
        self.headers: PreparedHeaders = PreparedHeaders.prepare(
            self.http, settings, handed_in=http_client is not None
        )

    async def send(self, request: ApiRequest, *, until: float | None = None) -> RawResponse:
        """Send ``request``, retrying per the policy; return a 2xx answer or raise.

        ``until`` (a time on the transport's clock) bounds the attempts and sleeps, on top of
        the settings' ``deadline``: waiters and log followers pass their own deadline here.
        """
        loop = self._loop(request, until)
        while True:
            outcome = await self._attempt(loop, loop.build())
            if isinstance(outcome, RawResponse):
                return outcome
            await self.clock.asleep(outcome)

    async def _attempt(self, loop: RetryLoop, attempt: httpx.Request) -> RawResponse | float:
        try:  # no redirects and no auth of the http client: our credentials, to our host only
            response = await self.http.send(attempt, stream=True, auth=None, follow_redirects=False)
        except httpx.HTTPError as exc:
            return loop.on_error(exc)
        body = BodyReader(attempt, time.monotonic())
        try:
            async for chunk in response.aiter_bytes():
                body.feed(chunk, time.monotonic())
        except httpx.HTTPError as exc:
            return loop.on_error(exc, response, body.content)
        finally:
            await response.aclose()
        return loop.on_response(response, body.content)

    async def aclose(self) -> None:
        """Close the connection pool, unless it was handed in by the caller."""
        if self.owns_http:
            await self.http.aclose()
