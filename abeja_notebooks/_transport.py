"""Sending calls: the two senders (sync and async) of the retry loop.

Everything that decides is in :class:`~abeja_notebooks._loop.RetryLoop`, shared by both; the
senders differ only in the lines that send, read and sleep. Each attempt runs with its budget
in :data:`~abeja_notebooks._body.ATTEMPT`, where the socket hook of ``_network`` bounds every
connect, read and write by it.

Connections: a pool the SDK makes keeps an idle connection for ``DEFAULT_LIMITS.keepalive_expiry``
(4 s, below the 5 s after which many servers close an idle connection, so that a reused
connection is rarely one the server is closing just then); a create never takes one idle
for ``STALE_AFTER`` (1 s) or more.
"""

from __future__ import annotations

import copy
import random
import threading
from collections.abc import Callable
from typing import Self, TypeVar

import httpx

from ._body import ATTEMPT
from ._clock import Clock, SystemClock
from ._config import Settings, configure_logging_from_env
from ._endpoints import ApiRequest, Call, RawResponse
from ._loop import PreparedHeaders, RetryLoop
from ._network import guard, settle, watch

__all__ = ["AsyncTransport", "Clock", "RetryLoop", "SystemClock", "Transport"]

_T = TypeVar("_T")
_SPENT = httpx.ByteStream(b"")
"""Put in place of a closed answer's stream: httpx's stream refers back to its answer, and the
answer (and any body it holds) would otherwise wait for the garbage collector. Answers are
parsed before they are closed, which makes that wait long enough to matter."""
DEFAULT_LIMITS = httpx.Limits(
    max_connections=100, max_keepalive_connections=20, keepalive_expiry=4.0
)


class _TransportBase:
    """What both transports hold: settings, clock, jitter source, the fixed headers."""

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None,
        http_client: object,
        kind: type[httpx.Client | httpx.AsyncClient],
    ) -> None:
        if http_client is not None and not isinstance(http_client, kind):
            got = type(http_client).__name__
            raise TypeError(f"http_client must be an httpx.{kind.__name__}, got {got}")
        configure_logging_from_env()
        self.settings: Settings = settings
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.random: Callable[[], float] = random.random
        self.owns_http: bool = http_client is None

    headers: PreparedHeaders

    def derive(self, settings: Settings) -> Self:
        """A transport with other settings over the same connection pool (which it won't close).

        Only options that ``with_options`` may change differ: the credentials, and so the
        prepared headers, stay the same.
        """
        twin = copy.copy(self)
        twin.settings = settings
        twin.owns_http = False
        twin.headers = self.headers._replace(timeout=settings.timeout.as_dict())
        return twin

    def _loop(self, request: ApiRequest, until: float | None) -> RetryLoop:
        loop = RetryLoop(request, self.settings, self.clock, self.random, self.headers)
        loop.until = until
        return loop


class Transport(_TransportBase):
    """Sends :class:`Call` s over one pooled ``httpx.Client``."""

    def __init__(
        self,
        settings: Settings,
        *,
        http_client: httpx.Client | None = None,
        clock: Clock | None = None,
        limits: httpx.Limits | None = None,
    ) -> None:
        super().__init__(settings, clock=clock, http_client=http_client, kind=httpx.Client)
        limits = limits or DEFAULT_LIMITS
        self.http: httpx.Client = http_client or httpx.Client(
            timeout=settings.timeout,
            follow_redirects=False,
            limits=limits,
        )
        guard(self.http)
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

    def send(self, call: Call[_T], *, until: float | None = None) -> _T:
        """Send ``call``'s request, retrying per the policy; return what its answer parses to.

        ``until`` (a time on the transport's clock) bounds the attempts and sleeps, on top of
        the settings' ``deadline``: waiters and log followers pass their own deadline here.
        """
        loop = self._loop(call.request, until)
        while True:
            attempt = loop.build()
            slots = self.slots
            outcome: tuple[_T] | float
            if slots is not None and not slots.acquire(timeout=loop.pool_wait(attempt)):
                waited = httpx.PoolTimeout("no connection came free", request=attempt)
                outcome = loop.on_error(waited)
            else:
                try:
                    outcome = self._attempt(loop, attempt, call.parse)
                finally:
                    if slots is not None:
                        slots.release()
            if isinstance(outcome, tuple):
                return outcome[0]
            self.clock.sleep(outcome)

    def _attempt(
        self, loop: RetryLoop, attempt: httpx.Request, parse: Callable[[RawResponse], _T]
    ) -> tuple[_T] | float:
        budget = loop.budget
        token = ATTEMPT.set(budget)
        try:
            try:  # no redirects and no auth of the http client: our credentials, to our host only
                response = self.http.send(attempt, stream=True, auth=None, follow_redirects=False)
            except httpx.HTTPError as exc:
                return loop.on_error(exc)
            budget.fresh_after = None  # a connection is chosen: later ones are not our concern
            watch(response)  # bytes past this answer's end: its connection is not reused
            try:
                body = None
                try:
                    body = loop.reader(response)
                    for chunk in () if body.complete else response.iter_raw():
                        if not body.feed(chunk):
                            break
                    outcome = loop.on_response(response, body.finish())
                except httpx.HTTPError as exc:
                    outcome = loop.on_error(exc, response, b"" if body is None else body.content)
                if not isinstance(outcome, RawResponse):
                    return outcome
                return loop.accept(outcome, response, parse)
            finally:
                response.close()
                response.stream = _SPENT
        finally:
            ATTEMPT.reset(token)

    def close(self) -> None:
        """Close the connection pool, unless it was handed in by the caller."""
        if self.owns_http:
            self.http.close()


class AsyncTransport(_TransportBase):
    """Sends :class:`Call` s over one pooled ``httpx.AsyncClient``."""

    def __init__(
        self,
        settings: Settings,
        *,
        http_client: httpx.AsyncClient | None = None,
        clock: Clock | None = None,
        limits: httpx.Limits | None = None,
    ) -> None:
        super().__init__(settings, clock=clock, http_client=http_client, kind=httpx.AsyncClient)
        self.http: httpx.AsyncClient = http_client or httpx.AsyncClient(
            timeout=settings.timeout,
            follow_redirects=False,
            limits=limits or DEFAULT_LIMITS,
        )
        guard(self.http)
        self.headers: PreparedHeaders = PreparedHeaders.prepare(
            self.http, settings, handed_in=http_client is not None
        )

    async def send(self, call: Call[_T], *, until: float | None = None) -> _T:
        """Send ``call``'s request, retrying per the policy; return what its answer parses to.

        ``until`` (a time on the transport's clock) bounds the attempts and sleeps, on top of
        the settings' ``deadline``: waiters and log followers pass their own deadline here.
        """
        loop = self._loop(call.request, until)
        while True:
            outcome = await self._attempt(loop, loop.build(), call.parse)
            if isinstance(outcome, tuple):
                return outcome[0]
            await self.clock.asleep(outcome)

    async def _attempt(
        self, loop: RetryLoop, attempt: httpx.Request, parse: Callable[[RawResponse], _T]
    ) -> tuple[_T] | float:
        budget = loop.budget
        token = ATTEMPT.set(budget)
        try:
            try:  # no redirects and no auth of the http client: our credentials, to our host only
                response = await self.http.send(
                    attempt, stream=True, auth=None, follow_redirects=False
                )
            except httpx.HTTPError as exc:
                return loop.on_error(exc)
            budget.fresh_after = None  # a connection is chosen: later ones are not our concern
            watch(response)  # bytes past this answer's end: its connection is not reused
            stream = response.stream
            try:
                body = None
                try:
                    body = loop.reader(response)
                    if not body.complete:
                        async for chunk in response.aiter_raw():
                            if not body.feed(chunk):
                                break
                    outcome = loop.on_response(response, body.finish())
                except httpx.HTTPError as exc:
                    outcome = loop.on_error(exc, response, b"" if body is None else body.content)
                if not isinstance(outcome, RawResponse):
                    return outcome
                return loop.accept(outcome, response, parse)
            except BaseException as exc:  # the read's own close may be cut short by a cancel
                if not isinstance(exc, Exception):
                    await _settle(stream)
                raise
            finally:
                try:
                    await response.aclose()
                except BaseException as exc:
                    if not isinstance(exc, Exception):
                        await _settle(stream)
                    raise
                finally:
                    response.stream = _SPENT
        finally:
            ATTEMPT.reset(token)

    async def aclose(self) -> None:
        """Close the connection pool, unless it was handed in by the caller."""
        if self.owns_http:
            await self.http.aclose()


async def _settle(stream: object) -> None:
    """After a cancellation (or another ``BaseException`` that is no ``Exception``), give the
    answer's connection back to the pool, even if this task is cancelled again meanwhile (see
    ``_network.settle``)."""
    import asyncio  # here: only an async attempt cut short gets this far

    await asyncio.shield(settle(stream))
