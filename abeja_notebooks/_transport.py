"""Sending requests: auth, User-Agent, timeouts, the retry loop and status-to-error mapping.

Everything that decides is in :class:`RetryLoop`, shared by both transports; the sync and async
transports differ only in the two lines that send a request and sleep.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol, runtime_checkable

import httpx

from ._config import MISSING_CREDENTIALS_HELP, Settings, configure_logging_from_env
from ._endpoints import ApiRequest, RawResponse
from ._errors import (
    STATUS_ERRORS,
    AbejaError,
    APIConnectionError,
    APITimeoutError,
    ConfigurationError,
    HttpError,
    excerpt,
)
from ._retry import (
    backoff_delay,
    never_connected,
    parse_retry_after,
    status_is_retryable,
    transport_error_is_retryable,
)

__all__ = ["AsyncTransport", "Clock", "RetryLoop", "SyncTransport", "SystemClock"]

logger = logging.getLogger("abeja_notebooks")

_REQUEST_ID_HEADERS = ("x-request-id", "x-amzn-requestid", "x-amz-request-id", "request-id")
DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)


@runtime_checkable
class Clock(Protocol):
    """What the SDK reads time from and sleeps on (retries, ``wait_until``, following logs).

    The default is the system clock. :class:`abeja_notebooks.testing.ManualClock` implements it
    too: its ``sleep`` advances the emulator's time at once, so tests never wait.
    """

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back."""
        ...

    def sleep(self, seconds: float) -> None:
        """Block the caller for ``seconds``."""
        ...

    async def asleep(self, seconds: float) -> None:
        """Suspend the calling task for ``seconds``."""
        ...


class SystemClock:
    """The real clock: ``time.monotonic``, ``time.sleep`` and ``asyncio.sleep``."""

    def monotonic(self) -> float:
        """Seconds from ``time.monotonic()``."""
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        """``time.sleep(seconds)``."""
        time.sleep(seconds)

    async def asleep(self, seconds: float) -> None:
        """``await asyncio.sleep(seconds)``."""
        await asyncio.sleep(seconds)

    def __repr__(self) -> str:
        return "SystemClock()"


def _request_id(headers: Mapping[str, str]) -> str | None:
    for name in _REQUEST_ID_HEADERS:
        value = headers.get(name)
        if value:
            return value
    return None


def http_error(response: RawResponse, attempts: int = 1) -> HttpError:
    """Build the error for a non-2xx answer, with every attribute the body and headers give."""
    error: str | None = None
    description: str | None = None
    detail: Any = None
    body = excerpt(response.content)
    try:
        import json

        data: Any = json.loads(response.content) if response.content.strip() else None
    except (ValueError, RecursionError):
        data = None
    if isinstance(data, dict):
        fields: dict[str, Any] = data  # pyright: ignore[reportUnknownVariableType] -- raw JSON
        raw_error = fields.get("error")
        raw_description = fields.get("error_description") or fields.get("message")
        error = raw_error if isinstance(raw_error, str) else None
        description = raw_description if isinstance(raw_description, str) else None
        detail = fields.get("error_detail")
    request_id = _request_id(response.headers)
    reason = httpx.codes.get_reason_phrase(response.status_code) or "HTTP error"
    message = f"{response.status_code} {reason} for {response.method} {response.url}"
    if error or description:
        message += ": " + ": ".join(part for part in (error, description) if part)
    elif body:
        message += f": {excerpt(response.content, 200)!r}"
    if request_id:
        message += f" (request id {request_id})"
    if attempts > 1:
        message += f" after {attempts} attempts"
    cls = STATUS_ERRORS.get(response.status_code, HttpError)
    return cls(
        message,
        status_code=response.status_code,
        error=error,
        error_description=description,
        error_detail=detail,
        method=response.method,
        url=response.url,
        request_id=request_id,
        body=body,
    )


def connection_error(
    exc: httpx.HTTPError, method: str, url: str, operation: str, attempts: int
) -> APIConnectionError:
    """Translate an httpx failure into :class:`APIConnectionError` / :class:`APITimeoutError`."""
    kind = type(exc).__name__
    detail = str(exc) or kind
    suffix = f" after {attempts} attempts" if attempts > 1 else ""
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(
            f"{operation} timed out ({kind}: {detail}) for {method} {url}{suffix}",
            method=method,
            url=url,
        )
    return APIConnectionError(
        f"{operation} failed: no answer from the server ({kind}: {detail}) for {method} {url}"
        f"{suffix}",
        method=method,
        url=url,
    )


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
        headers: Mapping[str, str],
    ) -> None:
        self.request = request
        self.settings = settings
        self.clock = clock
        self.random = random
        self.headers = headers
        self.url = settings.base_url + request.path
        self.attempts = 0
        self.may_have_arrived = False
        self.started = clock.monotonic()

    @property
    def max_attempts(self) -> int:
        """The first attempt plus the allowed retries."""
        return self.settings.max_retries + 1

    def _remaining(self) -> float | None:
        deadline = self.settings.deadline
        if deadline is None:
            return None
        return deadline - (self.clock.monotonic() - self.started)

    def build(self, build_request: Callable[..., httpx.Request]) -> httpx.Request:
        """Make the next attempt's request with ``build_request`` (an httpx client's).

        Raises:
            ConfigurationError: No credentials were configured (nothing is sent).
            APITimeoutError: The overall deadline has passed.
        """
        if self.settings.credentials is None:
            raise ConfigurationError(MISSING_CREDENTIALS_HELP)
        timeout = self.settings.timeout
        remaining = self._remaining()
        if remaining is not None:
            if remaining <= 0:
                raise APITimeoutError(
                    f"{self.request.operation} ran out of its {self.settings.deadline:g}s deadline "
                    f"after {self.attempts} attempts for {self.request.method} {self.url}",
                    method=self.request.method,
                    url=self.url,
                )
            timeout = _shorten(timeout, remaining)
        self.attempts += 1
        headers = dict(self.headers)
        if self.request.body is not None:
            headers["Content-Type"] = "application/json"
        request = build_request(
            self.request.method,
            self.url,
            params=self.request.params,
            content=self.request.body,
            headers=headers,
            timeout=timeout,
        )
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "%s %s (attempt %d/%d)",
                self.request.method,
                request.url,
                self.attempts,
                self.max_attempts,
            )
        return request

    def on_response(self, response: httpx.Response) -> RawResponse | float:
        """Judge a received answer (its body already read).

        Returns:
            The answer to hand back, or the delay before a retry.

        Raises:
            HttpError: A non-2xx answer that is not retried (any more).
        """
        raw = RawResponse(
            response.status_code,
            response.headers,
            response.content,
            self.request.method,
            self.url,
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
                status, response.headers, response.content, raw.method, raw.url, True
            )
        error = http_error(raw, self.attempts)
        if status >= 500 or status == 408:
            self.may_have_arrived = True
        if not status_is_retryable(self.request.retry, status):
            raise error
        retry_after = parse_retry_after(response.headers)
        return self._retry_delay(error, f"{status} {error.error or 'error'}", retry_after)

    def on_error(self, exc: httpx.HTTPError) -> float:
        """Judge a failed attempt (no answer, or an unreadable one).

        Returns:
            The delay before a retry.

        Raises:
            APIConnectionError: The failure is not retried (any more).
        """
        error = connection_error(
            exc, self.request.method, self.url, self.request.operation, self.attempts
        )
        if not isinstance(exc, httpx.TransportError):
            raise error from None
        if not never_connected(exc):
            self.may_have_arrived = True
        if not transport_error_is_retryable(self.request.retry, exc):
            raise error from None
        return self._retry_delay(error, type(exc).__name__, None)

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
        self.headers: dict[str, str] = settings.headers

    def _loop(self, request: ApiRequest) -> RetryLoop:
        return RetryLoop(request, self.settings, self.clock, self.random, self.headers)


class SyncTransport(_TransportBase):
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
        self.http: httpx.Client = http_client or httpx.Client(
            timeout=settings.timeout,
            follow_redirects=False,
            limits=limits or DEFAULT_LIMITS,
        )

    def derive(self, settings: Settings) -> SyncTransport:
        """A transport with other settings over the same connection pool (which it won't close)."""
        twin = SyncTransport(settings, http_client=self.http, clock=self.clock)
        twin.random = self.random
        return twin

    def send(self, request: ApiRequest) -> RawResponse:
        """Send ``request``, retrying per the policy; return a 2xx answer or raise."""
        loop = self._loop(request)
        while True:
            attempt = loop.build(self.http.build_request)
            try:
                outcome = loop.on_response(self.http.send(attempt))
            except httpx.HTTPError as exc:
                outcome = loop.on_error(exc)
            if isinstance(outcome, RawResponse):
                return outcome
            self.clock.sleep(outcome)

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

    def derive(self, settings: Settings) -> AsyncTransport:
        """A transport with other settings over the same connection pool (which it won't close)."""
        twin = AsyncTransport(settings, http_client=self.http, clock=self.clock)
        twin.random = self.random
        return twin

    async def send(self, request: ApiRequest) -> RawResponse:
        """Send ``request``, retrying per the policy; return a 2xx answer or raise."""
        loop = self._loop(request)
        while True:
            attempt = loop.build(self.http.build_request)
            try:
                outcome = loop.on_response(await self.http.send(attempt))
            except httpx.HTTPError as exc:
                outcome = loop.on_error(exc)
            if isinstance(outcome, RawResponse):
                return outcome
            await self.clock.asleep(outcome)

    async def aclose(self) -> None:
        """Close the connection pool, unless it was handed in by the caller."""
        if self.owns_http:
            await self.http.aclose()
