"""Reading an answer's body, bounded: in time, in size, and in what decompression may produce.

The body is read raw (``iter_raw``) and decoded here, in steps of at most 64 KiB of output, so
a small compressed answer that inflates to gigabytes never exists in memory: the reader stops
at ``max_response_size`` bytes of decoded body. httpx's own decoding cannot be bounded that
way (it inflates each network chunk whole).

The SDK asks for ``gzip`` and ``deflate`` only (``Accept-Encoding``), and decodes those (and
``x-gzip``) in any combination. A body in another compression (``br``, ``zstd``, ``compress``)
was not asked for and is not decoded: it is an answer that cannot be decoded, as is a body that
is not what its ``Content-Encoding`` says. Tokens that name no compression are ignored, as
httpx does.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from typing import Any, Final, cast

import httpx

from ._errors import ERROR_JSON_BYTES, ResponseTooLarge, excerpt

__all__ = ["ACCEPT_ENCODING", "ATTEMPT", "BodyReader", "Budget", "timeout_part"]

ACCEPT_ENCODING: Final = "gzip, deflate"
"""What every request says the SDK can decode."""
STEP: Final = 64 * 1024
"""The most bytes one decoding step may produce."""
_COMPRESSIONS: Final = {"gzip": zlib.MAX_WBITS | 16, "x-gzip": zlib.MAX_WBITS | 16, "deflate": 0}
_NOT_ASKED_FOR: Final = frozenset({"br", "zstd", "compress", "x-compress"})


class Budget:
    """The limits of the attempt in flight, read by the body reader and the socket hook.

    Attributes:
        ends: The ``time.monotonic()`` at which the attempt must be over, or ``None``.
        seconds: How long the attempt was given when ``ends`` was set.
        why: What set ``ends``: ``"attempt timeout"``, ``"left of the deadline"`` or
            ``"read timeout"`` (for the body).
        fresh_after: While a connection is being chosen: pooled connections idle this many
            seconds or more count as closed by the server (``None``: the pool decides alone).
    """

    __slots__ = ("ends", "fresh_after", "seconds", "why")

    def __init__(
        self, seconds: float | None, why: str = "", fresh_after: float | None = None
    ) -> None:
        self.ends = None if seconds is None else time.monotonic() + seconds
        self.seconds = seconds
        self.why = why
        self.fresh_after = fresh_after

    @property
    def what(self) -> str:
        """What bounds the attempt, for messages: ``"the 30s attempt timeout"``."""
        if self.seconds is None:
            return "its time"
        return f"the {round(self.seconds, 2):g}s {self.why}"

    def narrow(self, seconds: float, why: str) -> None:
        """End the attempt ``seconds`` from now, if that is sooner."""
        ends = time.monotonic() + seconds
        if self.ends is None or ends < self.ends:
            self.ends, self.seconds, self.why = ends, seconds, why

    def left(self) -> float | None:
        """Seconds until ``ends`` (negative once it has passed), or ``None``."""
        return None if self.ends is None else self.ends - time.monotonic()


ATTEMPT: ContextVar[Budget | None] = ContextVar("abeja_notebooks_attempt", default=None)
"""The budget of the attempt the current thread (sync) or task (async) is making."""


def timeout_part(request: httpx.Request, part: str) -> float | None:
    """One of the timeouts httpx will apply to ``request`` (``read``, ``pool``, ...)."""
    timeouts: Any = request.extensions.get("timeout")
    if not isinstance(timeouts, dict):
        return None
    value: Any = cast("dict[str, Any]", timeouts).get(part)
    return float(value) if isinstance(value, int | float) else None


class _Inflater:
    """gzip or deflate, decoded in steps of at most ``STEP`` bytes of output."""

    __slots__ = ("_raw_fallback", "_zlib")

    def __init__(self, wbits: int) -> None:
        # deflate is meant to be zlib-wrapped, but some servers send it raw: like httpx, the
        # wrapped form is tried first and the raw one if the first piece does not fit it.
        self._zlib = zlib.decompressobj(wbits) if wbits else zlib.decompressobj()
        self._raw_fallback = wbits == 0

    def feed(self, data: bytes) -> Iterator[bytes]:
        while True:
            try:
                out = self._zlib.decompress(data, STEP)
            except zlib.error as exc:
                if not self._raw_fallback:
                    raise httpx.DecodingError(str(exc)) from None
                self._raw_fallback = False
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                continue
            self._raw_fallback = False
            if out:
                yield out
            data = self._zlib.unconsumed_tail
            if self._zlib.eof or (not data and len(out) < STEP):
                return

    def flush(self) -> bytes:
        try:
            return self._zlib.flush()
        except zlib.error as exc:  # pragma: no cover - zlib's flush does not judge the input
            raise httpx.DecodingError(str(exc)) from None


def _inflaters(header: str | None) -> list[_Inflater]:
    """The decoders for a ``Content-Encoding`` header, in the order they are to be undone.

    Raises:
        httpx.DecodingError: A compression the SDK did not ask for.
    """
    if not header:
        return []
    inflaters: list[_Inflater] = []
    for token in header.split(","):
        name = token.strip().lower()
        if name in _COMPRESSIONS:
            inflaters.append(_Inflater(_COMPRESSIONS[name]))
        elif name in _NOT_ASKED_FOR:
            raise httpx.DecodingError(
                f"{name!r} is not decoded (the SDK asks for {ACCEPT_ENCODING} only)"
            )
    inflaters.reverse()
    return inflaters


def _through(inflaters: Sequence[_Inflater], data: bytes) -> Iterator[bytes]:
    """``data`` undone by each of ``inflaters`` in turn, one bounded piece at a time."""
    if not inflaters:
        yield data
        return
    for piece in inflaters[0].feed(data):
        yield from _through(inflaters[1:], piece)


class BodyReader:
    """Collects an answer's body, within the attempt's time and the size limits.

    A 2xx body larger than ``limit`` (decoded) raises :class:`ResponseTooLarge`. Of an error
    answer only the first ``ERROR_JSON_BYTES`` are kept, enough for the API's error fields and
    an excerpt: ``feed`` then says to stop reading (the connection is dropped with the rest).

    The body must arrive within the attempt's read timeout as a whole: httpx applies it to
    each read from the socket, so a server that sends a byte now and then would keep a read
    going for ever. Where the SDK's socket hook is in place each read is cut at that point; in
    any case it is checked as each piece arrives.

    Raises:
        httpx.DecodingError: The answer is in a compression the SDK did not ask for.
        ResponseTooLarge: A body that was already read in whole is over the limit.
    """

    __slots__ = (
        "_budget",
        "_inflaters",
        "_response",
        "chunks",
        "complete",
        "limit",
        "origin",
        "size",
        "stopped",
    )

    def __init__(
        self,
        response: httpx.Response,
        budget: Budget,
        max_size: int,
        origin: tuple[str, str, tuple[str, ...]],
    ) -> None:
        self._response = response
        self.origin = origin
        """The request's verb and URL as errors name them, and the secrets to keep out."""
        self._budget = budget
        self.complete = response.is_stream_consumed
        """Whether the body is all in already: a transport (an in-process one) that answered
        with ``content=`` has had it read, and decoded, by httpx. There is no stream to read."""
        self._inflaters = (
            [] if self.complete else _inflaters(response.headers.get("content-encoding"))
        )
        self.limit = max_size if 200 <= response.status_code < 300 else ERROR_JSON_BYTES
        self.chunks: list[bytes] = []
        self.size = 0
        self.stopped = False
        """Whether enough of an error answer is in: nothing more is decoded, not even what the
        decoders hold back (a bomb's next 64 KiB of input can hold 64 MiB of output)."""
        read = timeout_part(response.request, "read")
        if read is not None:
            budget.narrow(read, "read timeout")
        if self.complete:
            self.feed(response.content)

    def feed(self, raw: bytes) -> bool:
        """Take the next raw piece of the body.

        Returns:
            ``False`` once enough of an error answer is in: read no more.

        Raises:
            ResponseTooLarge: A 2xx body has passed ``max_size`` (its connection is dropped).
            httpx.ReadTimeout: The body has taken longer than the read timeout allows.
            httpx.DecodingError: The body is not what its ``Content-Encoding`` says.
        """
        more = True
        if not self._inflaters:
            more = self._take(raw)
        else:
            for piece in _through(self._inflaters, raw):
                if not self._take(piece):
                    more = False
                    break
        ends = self._budget.ends
        if ends is not None and time.monotonic() > ends:
            raise httpx.ReadTimeout(
                f"the body did not arrive within {self._budget.what}",
                request=self._response.request,
            )
        return more

    def _take(self, piece: bytes) -> bool:
        size = self.size + len(piece)
        if size <= self.limit:
            self.chunks.append(piece)
            self.size = size
            return True
        if 200 <= self._response.status_code < 300:
            raise self._too_large(piece)
        self.chunks.append(piece[: self.limit - self.size])
        self.size = self.limit
        self.stopped = True
        return False

    def finish(self) -> bytes:
        """The whole (decoded) body, once the raw stream has ended or enough of it is in."""
        for index, inflater in enumerate(self._inflaters):
            if self.stopped:
                break
            tail = inflater.flush()
            for piece in _through(self._inflaters[index + 1 :], tail) if tail else ():
                if not self._take(piece):
                    break
        return self.content

    @property
    def content(self) -> bytes:
        """The (decoded) body received so far."""
        return self.chunks[0] if len(self.chunks) == 1 else b"".join(self.chunks)

    def _too_large(self, piece: bytes) -> ResponseTooLarge:
        from ._network import discard  # the connection may hold the rest: never reuse it

        discard(self._response)
        method, url, secrets = self.origin
        head = (self.chunks[0] if self.chunks else piece)[:1024]
        encoding = self._response.headers.get("content-encoding")
        decoded = f" once decoded from {encoding!r}" if self._inflaters and encoding else ""
        status = self._response.status_code
        return ResponseTooLarge(
            f"{status} answer to {method} {url} is larger than max_response_size "
            f"({self.limit:,} bytes){decoded}; the rest was not read",
            status_code=status,
            method=method,
            url=url,
            body=excerpt(head, secrets=secrets),
        )
