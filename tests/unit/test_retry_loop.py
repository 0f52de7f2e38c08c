"""The retry loop on its own: what each attempt carries, how answers and failures are judged, the
delays between attempts, the replay of a retried start/stop/delete, and the deadline.

:class:`RetryLoop` does no I/O: these tests build its attempts, hand it answers and failures made
by hand, and move a :class:`ManualClock` between attempts the way a transport sleeps on it.
"""

from __future__ import annotations

import httpx
import pytest

from abeja_notebooks import (
    APIConnectionError,
    APITimeoutError,
    ConfigurationError,
    Conflict,
    InternalServerError,
    NotFound,
    ResponseValidationError,
    RetryPolicy,
    ServiceUnavailable,
    TooManyRequests,
)
from abeja_notebooks._config import Settings
from abeja_notebooks._endpoints import ApiRequest, RawResponse, RetryClass
from abeja_notebooks._loop import PreparedHeaders, RetryLoop
from abeja_notebooks.testing import ManualClock

BASE_URL = "http://api.test"
PATH = "/organizations/1/training/definitions/job/notebooks"
LIST_URL = f"{BASE_URL}{PATH}"

LIST = ApiRequest("list notebooks", "GET", PATH, {"offset": 0}, None, RetryClass.IDEMPOTENT)
CREATE = ApiRequest("create notebook", "POST", PATH, None, b"{}", RetryClass.CREATE)
START = ApiRequest(
    "start notebook", "POST", f"{PATH}/7/start", None, b"{}", RetryClass.ACTION, frozenset({409})
)
DELETE = ApiRequest(
    "delete notebook", "DELETE", f"{PATH}/7", None, None, RetryClass.IDEMPOTENT, frozenset({404})
)


def make_loop(
    request: ApiRequest = LIST,
    *,
    clock: ManualClock | None = None,
    drawn: float = 0.0,
    auth_token: str | None = "tok",
    policy: RetryPolicy | None = None,
    max_retries: int = 3,
    deadline: float | None = None,
) -> RetryLoop:
    """A loop for ``request`` on fresh settings; ``drawn`` is what every jitter draw returns."""
    settings = Settings.build(
        base_url=BASE_URL,
        auth_token=auth_token,
        max_retries=max_retries,
        retry_policy=policy or RetryPolicy(jitter=0.0),
        deadline=deadline,
        environ={},
    )
    headers = PreparedHeaders.prepare(httpx.Client(), settings, handed_in=False)
    return RetryLoop(request, settings, clock or ManualClock(), lambda: drawn, headers)


def answer(
    status: int, content: bytes = b"", headers: dict[str, str] | None = None
) -> httpx.Response:
    request = httpx.Request("GET", BASE_URL)  # the loop keeps the final request
    return httpx.Response(status, headers=headers, content=content, request=request)


def outcomes(
    loop: RetryLoop, status: int, attempts: int, headers: dict[str, str] | None = None
) -> list[float]:
    """Attempt ``attempts`` times, each answered ``status``; the delays the loop asked for."""
    delays: list[float] = []
    for _ in range(attempts):
        loop.build()
        outcome = loop.on_response(answer(status, headers=headers), b"")
        assert isinstance(outcome, float)
        delays.append(outcome)
    return delays


# --- building attempts ----------------------------------------------------------------------


def test_an_attempt_carries_the_method_url_query_and_credentials() -> None:
    request = make_loop().build()

    assert request.method == "GET"
    assert str(request.url) == f"{BASE_URL}{PATH}?offset=0"
    assert request.headers["Authorization"] == "Bearer tok"
    assert request.headers["Accept"] == "application/json"
    assert request.headers["User-Agent"].startswith("abeja-notebooks/")
    assert "Content-Type" not in request.headers


def test_an_attempt_with_a_body_sends_it_as_json() -> None:
    request = make_loop(CREATE).build()

    assert request.content == b"{}"
    assert request.headers["Content-Type"] == "application/json"


def test_an_attempt_carries_the_per_attempt_timeout() -> None:
    request = make_loop().build()

    assert request.extensions["timeout"] == httpx.Timeout(30.0).as_dict()


def test_without_credentials_no_attempt_is_made() -> None:
    loop = make_loop(auth_token=None)

    with pytest.raises(ConfigurationError, match="no credentials found"):
        loop.build()

    assert loop.attempts == 0


# --- judging answers ------------------------------------------------------------------------


def test_a_2xx_answer_is_handed_back_as_received() -> None:
    loop = make_loop()
    loop.build()

    raw = loop.on_response(answer(200, b"[]"), b"[]")

    assert isinstance(raw, RawResponse)
    assert (raw.status_code, raw.content, raw.method, raw.url) == (200, b"[]", "GET", LIST_URL)
    assert not raw.replayed
    assert raw.secrets == ("tok",)


def test_a_status_outside_the_table_raises_its_error_at_once() -> None:
    loop = make_loop()
    loop.build()

    with pytest.raises(NotFound) as caught:
        loop.on_response(answer(404), b"")

    assert "after" not in str(caught.value)
    assert loop.attempts == 1


def test_a_retried_status_waits_the_backoff_then_raises_after_the_last_attempt() -> None:
    loop = make_loop()

    delays = outcomes(loop, 503, 3)
    loop.build()
    with pytest.raises(ServiceUnavailable, match=r"after 4 attempts$"):
        loop.on_response(answer(503), b"")

    assert delays == [0.5, 1.0, 2.0]


def test_max_retries_zero_makes_exactly_one_attempt() -> None:
    loop = make_loop(max_retries=0)
    loop.build()

    with pytest.raises(ServiceUnavailable):
        loop.on_response(answer(503), b"")


def test_the_delay_takes_its_jitter_from_the_random_source() -> None:
    loop = make_loop(policy=RetryPolicy(initial_delay=2.0, jitter=0.5), drawn=0.5)

    assert outcomes(loop, 502, 1) == [1.5]


def test_retry_after_replaces_the_backoff_and_gets_no_jitter() -> None:
    loop = make_loop(policy=RetryPolicy(jitter=0.5), drawn=0.9)

    assert outcomes(loop, 503, 2, headers={"Retry-After": "7"}) == [7.0, 7.0]


def test_a_retry_after_at_the_cap_is_waited() -> None:
    loop = make_loop(policy=RetryPolicy(max_retry_after=60.0))

    assert outcomes(loop, 429, 1, headers={"Retry-After": "60"}) == [60.0]


def test_a_retry_after_beyond_the_cap_raises_at_once_and_says_why() -> None:
    loop = make_loop(policy=RetryPolicy(max_retry_after=60.0))
    loop.build()

    with pytest.raises(TooManyRequests) as caught:
        loop.on_response(answer(429, headers={"Retry-After": "3600"}), b"")

    assert str(caught.value).endswith(
        f"for GET {LIST_URL}; not retried: the server asked to wait 3600 s, beyond "
        "max_retry_after=60 s"
    )
    assert loop.attempts == 1


@pytest.mark.parametrize(
    "retry_after",
    ["9" * 400, "Sat, 01 Jan 10000 00:00:00 GMT", "Mon, 01 Jan 99999999999999999999 00:00:00 GMT"],
    ids=["400 digits", "the year 10000", "a year past any integer"],
)
def test_a_retry_after_past_any_clock_raises_at_once_and_says_why(retry_after: str) -> None:
    loop = make_loop(policy=RetryPolicy(max_retry_after=60.0))
    loop.build()

    with pytest.raises(ServiceUnavailable) as caught:
        loop.on_response(answer(503, headers={"Retry-After": retry_after}), b"")

    assert str(caught.value).endswith(
        "; not retried: the server asked to wait without end, beyond max_retry_after=60 s"
    )


def test_retry_after_does_not_make_a_status_outside_the_table_retried() -> None:
    loop = make_loop()
    loop.build()

    with pytest.raises(NotFound):
        loop.on_response(answer(404, headers={"Retry-After": "1"}), b"")


def test_a_create_answered_500_raises_at_once() -> None:
    loop = make_loop(CREATE)
    loop.build()

    with pytest.raises(InternalServerError):
        loop.on_response(answer(500), b"")


def test_a_create_answered_503_is_retried() -> None:
    assert outcomes(make_loop(CREATE), 503, 1) == [0.5]


# --- judging failures -----------------------------------------------------------------------


def test_a_create_that_never_connected_is_retried() -> None:
    loop = make_loop(CREATE)
    loop.build()

    assert loop.on_error(httpx.ConnectError("refused")) == 0.5


def test_a_create_whose_request_may_have_arrived_is_not_repeated() -> None:
    loop = make_loop(CREATE)
    loop.build()

    with pytest.raises(APITimeoutError, match="create notebook timed out"):
        loop.on_error(httpx.ReadTimeout("read timed out"))


def test_a_lost_answer_to_a_repeatable_call_is_retried() -> None:
    loop = make_loop()
    loop.build()

    assert loop.on_error(httpx.RemoteProtocolError("server disconnected")) == 0.5


def test_a_transport_failure_outside_the_table_raises_at_once() -> None:
    loop = make_loop()
    loop.build()

    with pytest.raises(APIConnectionError, match="ProxyError") as caught:
        loop.on_error(httpx.ProxyError("tunnel refused"))

    assert type(caught.value) is APIConnectionError


def test_a_failure_that_is_not_a_transport_one_raises_at_once() -> None:
    loop = make_loop()
    loop.build()

    with pytest.raises(APIConnectionError, match="TooManyRedirects"):
        loop.on_error(httpx.TooManyRedirects("redirect loop"))


def test_the_last_transport_failure_says_how_many_attempts_were_made() -> None:
    loop = make_loop(max_retries=1)
    loop.build()
    loop.on_error(httpx.ConnectError("refused"))
    loop.build()

    with pytest.raises(APIConnectionError, match=r"after 2 attempts$"):
        loop.on_error(httpx.ConnectError("refused"))


def test_an_answer_that_broke_off_is_reported_with_its_status_and_partial_body() -> None:
    loop = make_loop(CREATE)
    loop.build()

    with pytest.raises(APIConnectionError, match="a 200 answer broke off") as caught:
        loop.on_error(httpx.ReadError("reset"), answer(200), b'{"training_notebook_id": "1')

    assert caught.value.status_code == 200
    assert caught.value.body == '{"training_notebook_id": "1'


def test_a_2xx_body_that_cannot_be_decoded_is_a_response_validation_error() -> None:
    loop = make_loop()
    loop.build()
    gzipped = answer(200, headers={"Content-Encoding": "gzip"})

    with pytest.raises(ResponseValidationError, match="Content-Encoding 'gzip'"):
        loop.on_error(httpx.DecodingError("not gzip"), gzipped)


def test_an_error_answer_that_cannot_be_decoded_is_judged_by_its_status() -> None:
    loop = make_loop()
    loop.build()
    gzipped = answer(503, headers={"Content-Encoding": "gzip"})

    assert loop.on_error(httpx.DecodingError("not gzip"), gzipped) == 0.5


# --- a retry that finds the job done --------------------------------------------------------


def test_a_done_status_on_the_first_attempt_is_a_real_error() -> None:
    loop = make_loop(START)
    loop.build()

    with pytest.raises(Conflict):
        loop.on_response(answer(409), b"")


def test_a_done_status_after_a_lost_answer_means_the_first_attempt_did_the_job() -> None:
    loop = make_loop(START)
    loop.build()
    loop.on_error(httpx.ReadTimeout("read timed out"))
    loop.build()

    raw = loop.on_response(answer(409), b"")

    assert isinstance(raw, RawResponse)
    assert (raw.status_code, raw.replayed) == (409, True)


def test_a_done_status_after_an_error_answer_means_the_first_attempt_did_the_job() -> None:
    loop = make_loop(DELETE)
    loop.build()
    loop.on_response(answer(503), b"")  # even a 503 may come from a proxy after the server acted
    loop.build()

    raw = loop.on_response(answer(404), b"")

    assert isinstance(raw, RawResponse)
    assert (raw.status_code, raw.replayed) == (404, True)


def test_a_done_status_after_a_connection_never_made_is_a_real_error() -> None:
    loop = make_loop(START)
    loop.build()
    loop.on_error(httpx.ConnectError("refused"))
    loop.build()

    with pytest.raises(Conflict):
        loop.on_response(answer(409), b"")


def test_only_the_requests_own_done_statuses_are_replayed() -> None:
    loop = make_loop(DELETE)
    loop.build()
    loop.on_error(httpx.ReadTimeout("read timed out"))
    loop.build()

    with pytest.raises(Conflict):
        loop.on_response(answer(409), b"")


# --- deadlines ------------------------------------------------------------------------------


def test_no_retry_sleeps_past_the_deadline() -> None:
    clock = ManualClock()
    loop = make_loop(clock=clock, deadline=2.0)
    for expected in (0.5, 1.0):
        loop.build()
        assert loop.on_response(answer(503), b"") == expected
        clock.sleep(expected)
    loop.build()

    with pytest.raises(ServiceUnavailable):
        loop.on_response(answer(503), b"")  # the next delay, 2.0, would end past the deadline

    assert loop.attempts == 3


def test_no_attempt_starts_after_the_deadline() -> None:
    clock = ManualClock()
    loop = make_loop(clock=clock, deadline=2.0)
    clock.advance(2.0)

    with pytest.raises(APITimeoutError, match="ran out of time"):
        loop.build()

    assert loop.attempts == 0


def test_each_attempts_timeouts_are_cut_to_the_time_left() -> None:
    clock = ManualClock()
    loop = make_loop(clock=clock, deadline=2.0)

    first = loop.build()
    clock.advance(1.5)
    second = loop.build()

    assert set(first.extensions["timeout"].values()) == {2.0}
    assert set(second.extensions["timeout"].values()) == {0.5}


def test_a_callers_until_bounds_the_attempts_like_a_deadline() -> None:
    clock = ManualClock()
    loop = make_loop(clock=clock)
    loop.until = clock.monotonic() + 1.0
    loop.build()
    assert loop.on_response(answer(503), b"") == 0.5
    clock.sleep(0.5)
    loop.build()

    with pytest.raises(ServiceUnavailable):
        loop.on_response(answer(503), b"")  # the next delay, 1.0, would pass the 0.5 s left
