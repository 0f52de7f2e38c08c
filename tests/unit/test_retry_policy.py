"""The retry policy on its own: which answers and failures may be retried per kind of operation,
how ``Retry-After`` is read, and the backoff delays (jitter included).

The expectations are the retry table of the docs (docs/guides/retries-and-timeouts.md), written
out here by hand; tests/docs/test_docs_match.py checks the table itself against the SDK.
"""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from abeja_notebooks import RetryPolicy
from abeja_notebooks._endpoints import RetryClass
from abeja_notebooks._retry import (
    backoff_delay,
    never_connected,
    parse_retry_after,
    status_is_retryable,
    transport_error_is_retryable,
)

ALL_STATUSES = range(100, 600)
REPEATABLE = [RetryClass.IDEMPOTENT, RetryClass.ACTION]
"""The kinds of operation that may be repeated after the server may have acted."""

NEVER_CONNECTED: list[httpx.TransportError] = [
    httpx.ConnectError("refused"),
    httpx.ConnectTimeout("connect timed out"),
    httpx.PoolTimeout("no free connection"),
]
"""Failures before any byte of the request left: the server cannot have acted."""
NO_ANSWER: list[httpx.TransportError] = [
    httpx.ReadTimeout("read timed out"),
    httpx.WriteTimeout("write timed out"),
    httpx.ReadError("connection reset"),
    httpx.WriteError("broken pipe"),
    httpx.CloseError("close failed"),
    httpx.RemoteProtocolError("server disconnected without sending a response"),
]
"""Failures after the request may have reached the server."""
NOT_RETRIED: list[httpx.TransportError] = [
    httpx.ProxyError("the proxy refused the tunnel"),
    httpx.UnsupportedProtocol("unknown scheme"),
    httpx.LocalProtocolError("illegal header value"),
]
"""Failures outside the table: repeating the request would fail the same way."""

SENT = "Sun, 31 May 2026 08:00:00 GMT"
"""A server ``Date``, far from the test machine's clock."""


def names(errors: list[httpx.TransportError]) -> list[str]:
    return [type(error).__name__ for error in errors]


def retry_after(value: str, date: str | None = None) -> httpx.Headers:
    headers = httpx.Headers({"Retry-After": value})
    if date is not None:
        headers["Date"] = date
    return headers


def fixed_now() -> datetime:
    return datetime(2026, 5, 31, 8, 0, 0, tzinfo=UTC)


# --- statuses -------------------------------------------------------------------------------


@pytest.mark.parametrize("retry", REPEATABLE, ids=lambda r: r.value)
def test_repeatable_operations_retry_exactly_408_429_500_502_503_504(retry: RetryClass) -> None:
    retried = {status for status in ALL_STATUSES if status_is_retryable(retry, status)}

    assert retried == {408, 429, 500, 502, 503, 504}


def test_a_create_retries_only_the_statuses_that_say_nothing_was_done() -> None:
    retried = {status for status in ALL_STATUSES if status_is_retryable(RetryClass.CREATE, status)}

    assert retried == {429, 503}


# --- transport failures ---------------------------------------------------------------------


@pytest.mark.parametrize("retry", list(RetryClass), ids=lambda r: r.value)
def test_a_connection_never_made_is_retried_for_every_operation(retry: RetryClass) -> None:
    retried = [transport_error_is_retryable(retry, error) for error in NEVER_CONNECTED]

    assert retried == [True] * len(NEVER_CONNECTED), names(NEVER_CONNECTED)


@pytest.mark.parametrize("retry", REPEATABLE, ids=lambda r: r.value)
def test_a_request_left_without_an_answer_is_retried_when_repeatable(retry: RetryClass) -> None:
    retried = [transport_error_is_retryable(retry, error) for error in NO_ANSWER]

    assert retried == [True] * len(NO_ANSWER), names(NO_ANSWER)


def test_a_create_left_without_an_answer_is_not_retried() -> None:
    retried = [transport_error_is_retryable(RetryClass.CREATE, error) for error in NO_ANSWER]

    assert retried == [False] * len(NO_ANSWER), names(NO_ANSWER)


@pytest.mark.parametrize("retry", list(RetryClass), ids=lambda r: r.value)
def test_failures_outside_the_table_are_never_retried(retry: RetryClass) -> None:
    retried = [transport_error_is_retryable(retry, error) for error in NOT_RETRIED]

    assert retried == [False] * len(NOT_RETRIED), names(NOT_RETRIED)


def test_only_connect_phase_failures_count_as_never_connected() -> None:
    everything = NEVER_CONNECTED + NO_ANSWER + NOT_RETRIED

    assert [never_connected(error) for error in everything] == [
        error in NEVER_CONNECTED for error in everything
    ]


# --- Retry-After ----------------------------------------------------------------------------


def test_no_retry_after_header_means_no_delay_asked_for() -> None:
    assert parse_retry_after(httpx.Headers({"Content-Type": "application/json"})) is None


@pytest.mark.parametrize(
    ("value", "seconds"), [("7", 7.0), (" 7 ", 7.0), ("1.5", 1.5), ("0", 0.0), ("3600", 3600.0)]
)
def test_retry_after_in_seconds_is_read_as_is(value: str, seconds: float) -> None:
    assert parse_retry_after(retry_after(value)) == seconds


def test_a_retry_after_too_long_to_be_finite_is_infinite_so_beyond_any_cap() -> None:
    assert parse_retry_after(retry_after("9" * 400)) == float("inf")


@pytest.mark.parametrize(
    "value", ["soon", "", "nan", "inf", "-inf", "-3", "+3", "1e3", "7s", "Sun, 99 Foo 2026"]
)
def test_an_unreadable_retry_after_is_ignored(value: str) -> None:
    assert parse_retry_after(retry_after(value)) is None


def test_an_http_date_is_measured_against_the_answers_date_header() -> None:
    later = "Sun, 31 May 2026 08:00:05 GMT"

    def wrong_clock() -> datetime:
        return datetime(2001, 1, 1, tzinfo=UTC)  # never consulted: the answer has a Date

    assert parse_retry_after(retry_after(later, date=SENT), now=wrong_clock) == 5.0


def test_an_http_date_without_a_date_header_is_measured_against_now() -> None:
    later = "Sun, 31 May 2026 08:01:00 GMT"

    assert parse_retry_after(retry_after(later), now=fixed_now) == 60.0


def test_an_unreadable_date_header_falls_back_to_now() -> None:
    later = "Sun, 31 May 2026 08:00:30 GMT"

    assert parse_retry_after(retry_after(later, date="yesterday"), now=fixed_now) == 30.0


def test_an_http_date_in_the_past_means_at_once() -> None:
    earlier = "Sun, 31 May 2026 07:00:00 GMT"

    assert parse_retry_after(retry_after(earlier, date=SENT)) == 0.0


def test_an_http_date_without_a_zone_is_taken_as_utc() -> None:
    assert parse_retry_after(retry_after("Sun, 31 May 2026 08:00:09"), now=fixed_now) == 9.0


# --- backoff --------------------------------------------------------------------------------


def no_jitter_drawn() -> float:
    return 0.0


def test_the_delay_doubles_from_the_initial_one_up_to_the_cap() -> None:
    policy = RetryPolicy(initial_delay=0.5, max_delay=8.0, jitter=0.0)

    delays = [backoff_delay(policy, n, no_jitter_drawn) for n in range(1, 8)]

    assert delays == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]


def test_a_very_late_retry_is_capped_without_overflowing() -> None:
    policy = RetryPolicy(initial_delay=0.5, max_delay=8.0, jitter=0.0)

    assert backoff_delay(policy, 10_000, no_jitter_drawn) == 8.0


def test_a_zero_initial_delay_retries_at_once() -> None:
    policy = RetryPolicy(initial_delay=0.0, jitter=0.0)

    assert [backoff_delay(policy, n, no_jitter_drawn) for n in (1, 2, 5)] == [0.0, 0.0, 0.0]


@pytest.mark.parametrize(("drawn", "delay"), [(0.0, 4.0), (0.5, 3.0), (0.999, 2.002)])
def test_jitter_takes_a_random_share_of_up_to_its_size_off_the_delay(
    drawn: float, delay: float
) -> None:
    policy = RetryPolicy(initial_delay=1.0, max_delay=8.0, jitter=0.5)

    assert backoff_delay(policy, 3, lambda: drawn) == pytest.approx(delay)


def test_a_full_jitter_may_take_the_whole_delay_but_never_more() -> None:
    policy = RetryPolicy(initial_delay=2.0, jitter=1.0)

    assert backoff_delay(policy, 1, lambda: 0.999999) == pytest.approx(0.0, abs=1e-5)
    assert backoff_delay(policy, 1, lambda: 0.999999) > 0.0
