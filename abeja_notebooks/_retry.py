"""The retry policy as pure functions: may this attempt be retried, and after how long.

| failure                                   | GET / PUT / DELETE | start / stop | create |
|-------------------------------------------|--------------------|--------------|--------|
| connection never made (refused, DNS,      | retry              | retry        | retry  |
| connect timeout, pool timeout)            |                    |              |        |
| sent, then no answer (dropped, read or    | retry              | retry        | raise  |
| write timeout, cut-off body)              |                    |              |        |
| 408, 500, 502, 504                        | retry              | retry        | raise  |
| 429, 503                                  | retry              | retry        | retry  |
| any other status                          | raise              | raise        | raise  |

A start/stop retry answered with 409, or a delete retry answered with 404, after an earlier
attempt may have reached the server is taken as success: that attempt had done the job.
``create`` is never repeated once the server may have acted on it, so one call never makes two
notebooks.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import MAXYEAR, UTC, datetime
from typing import Final

import httpx

from ._config import RetryPolicy
from ._endpoints import RetryClass

__all__ = [
    "backoff_delay",
    "never_connected",
    "parse_retry_after",
    "status_is_retryable",
    "transport_error_is_retryable",
]

RETRYABLE_STATUSES: Final = frozenset({408, 429, 500, 502, 503, 504})
"""Statuses retried for idempotent calls and start/stop."""
CREATE_RETRYABLE_STATUSES: Final = frozenset({429, 503})
"""Statuses that say the server did not act: the only ones a create is retried on."""


def never_connected(error: httpx.TransportError) -> bool:
    """Whether the request certainly never reached the server (no connection was made)."""
    return isinstance(error, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)


def status_is_retryable(retry: RetryClass, status_code: int) -> bool:
    """Whether an answer with ``status_code`` may be retried for this kind of operation."""
    if retry is RetryClass.CREATE:
        return status_code in CREATE_RETRYABLE_STATUSES
    return status_code in RETRYABLE_STATUSES


def transport_error_is_retryable(retry: RetryClass, error: httpx.TransportError) -> bool:
    """Whether a transport failure may be retried for this kind of operation."""
    if retry is RetryClass.CREATE:
        return never_connected(error)
    return isinstance(
        error, httpx.TimeoutException | httpx.NetworkError | httpx.RemoteProtocolError
    )


def parse_retry_after(
    headers: Mapping[str, str], now: Callable[[], datetime] = lambda: datetime.now(UTC)
) -> float | None:
    """Read ``Retry-After`` (seconds, or an HTTP date) as seconds from now.

    An HTTP date is measured against the answer's own ``Date`` header when it has a readable
    one, as RFC 9110 advises, so a local clock that is off does not turn "retry in an hour"
    into "retry now"; without one, against ``now()``. A date in the past means now (0).

    A number too large to be finite (hundreds of digits), or a date past the year 9999 (beyond
    what any clock can hold), is ``inf``: beyond any cap, so the caller raises at once. A
    negative number, ``inf``, ``nan`` or anything else unreadable is ignored (``None``): the
    normal backoff applies.

    Args:
        headers: The response headers.
        now: The current wall-clock time (for HTTP dates without a ``Date`` header).

    Returns:
        The delay in seconds (``0`` or more, possibly ``inf``), or ``None`` when absent,
        negative or unreadable.
    """
    raw = headers.get("retry-after")
    if raw is None:
        return None
    raw = raw.strip()
    if _DELAY_SECONDS.fullmatch(raw):
        return float(raw)  # hundreds of digits make inf: beyond any cap
    when = _http_date(raw)
    if not isinstance(when, datetime):
        return when  # unreadable (None), or past the year 9999 (inf)
    sent = _http_date(headers.get("date"))
    since = sent if isinstance(sent, datetime) else now()
    return max((when - since).total_seconds(), 0.0)


_DELAY_SECONDS: Final = re.compile(r"[0-9]+(\.[0-9]+)?")
"""RFC 9110's delay-seconds (digits; a fraction is accepted too). Signs, ``inf`` and ``nan``
are not numbers of seconds: such a header is ignored."""


def _http_date(raw: str | None) -> datetime | float | None:
    """An HTTP date as an aware ``datetime``; ``inf`` for a date past the year 9999; ``None``
    when it cannot be read."""
    if raw is None:
        return None
    import email.utils  # only for the rare HTTP-date form (keeps the import of the SDK light)

    try:
        parts = email.utils.parsedate_tz(raw.strip())
        if parts is None:
            return None
        if parts[0] > MAXYEAR:
            return math.inf
        when = email.utils.parsedate_to_datetime(raw.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when


def backoff_delay(policy: RetryPolicy, retry_number: int, random: Callable[[], float]) -> float:
    """The delay before retry ``retry_number`` (1 for the first retry), jitter applied.

    Args:
        policy: The delays to use.
        retry_number: Which retry this is, from 1.
        random: A source of floats in ``[0, 1)``.

    Returns:
        Seconds to wait.
    """
    exponent = min(retry_number - 1, 62)
    delay = min(policy.max_delay, policy.initial_delay * (2.0**exponent))
    return delay * (1.0 - policy.jitter * random())
