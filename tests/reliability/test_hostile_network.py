"""The hostile network: whatever a server sends, a call ends in an SDK error within its bound,
in bounded memory, and never hands back an answer given to another request.

Each class of misbehaviour is tried with both clients over real HTTP (``variant`` sync and
async), and where it matters with the ``APIClient`` and with an ``http_client`` of the user's
own. The bounds asserted are wide margins on what the docs promise, to catch a hang or a
blow-up, not to measure speed:

- a call with ``deadline=D`` ends within ``D + 1`` seconds, whatever the server does;
- an attempt with ``timeout=T`` (a number) ends within ``T + 1`` seconds;
- refusing a 1 GiB decompression bomb grows traced memory by less than 100 MB.

Decisions this documents:

- ``deadline`` is measured on the client's clock; each attempt may use, in real time, what is
  left of it when the attempt starts. With the system clock that bounds the call; with the
  emulator's ``ManualClock`` network time does not move the clock (see
  :func:`test_with_a_manual_clock_each_attempt_is_cut_at_what_is_left_of_the_deadline`).
- An answer about another notebook, or a page at another offset, is the answer to another
  request: a GET is tried once more on a fresh connection (it counts as a retry), anything
  else raises :class:`ResponseValidationError`. The id ``0`` of an update, start or stop answer
  is the reference's placeholder and accepted.
- A create never goes onto a connection idle for a second or more (a server may be closing
  it); the SDK's own pool keeps idle connections for 4 s.
- Secrets of 8 characters or more are blanked out wherever they appear; shorter ones are not
  searched for.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import pickle
import time
import tracemalloc
import zlib
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any, TypeVar, cast

import httpx
import pytest

from abeja_notebooks import (
    APIClient,
    APITimeoutError,
    BadRequest,
    Client,
    HttpError,
    ResponseTooLarge,
    ResponseValidationError,
    RetryPolicy,
    ServiceUnavailable,
    SystemClock,
    TooManyRequests,
)
from abeja_notebooks.testing import Emulator, ManualClock
from abeja_notebooks.testing.pytest_plugin import TEST_TOKEN
from tests.support import JOB, ORG, PREFIX, MakeClient

from .hostile import (
    Behaviour,
    HostileServer,
    Received,
    gzip_bomb,
    http_answer,
    keep_alive,
    processing_forever,
    slow_body,
    trickle_headers,
)
from .support import DATE_SENT, http_date

HTTP = pytest.mark.parametrize("variant", ["sync", "async"], indirect=True)
"""Both clients over real HTTP (the hostile server is a real one)."""
FIXTURES = Path(__file__).parent.parent / "fixtures"
NOTEBOOK: dict[str, Any] = json.loads((FIXTURES / "notebook.json").read_text())
MB = 1_000_000
_T = TypeVar("_T")


def notebook(nid: str) -> bytes:
    """A notebook answer about ``nid``."""
    return json.dumps({**NOTEBOOK, "training_notebook_id": nid}).encode()


def page(offset: int) -> bytes:
    """A page of the listing at ``offset``, of one notebook."""
    return json.dumps({"total": 100, "offset": offset, "limit": 1, "entries": [NOTEBOOK]}).encode()


def last_segment(request: Received) -> str:
    """The notebook id a request names, or ``offset=N`` of a listing."""
    path, _, query = request.target.partition("?")
    return query if path.endswith("/notebooks") else path.rsplit("/", 1)[1]


def ended(call: Callable[[], object]) -> tuple[BaseException, float]:
    """Run ``call``, which must raise; return the error and the seconds it took."""
    started = time.monotonic()
    try:
        call()
    except BaseException as exc:
        return exc, time.monotonic() - started
    raise AssertionError("expected an error")


class Growth:
    """What :func:`memory_growth` saw: read ``peak`` inside the block or after it."""

    def __init__(self) -> None:
        self._peak: int | None = None

    @property
    def peak(self) -> int:
        """The most bytes traced at once since the block began (all threads: the async
        client's loop runs in another one)."""
        if self._peak is not None:
            return self._peak
        assert tracemalloc.is_tracing(), "read within the block or after it"
        return tracemalloc.get_traced_memory()[1]

    def stop(self) -> None:
        self._peak = self.peak
        tracemalloc.stop()


def timed(call: Callable[[], _T]) -> tuple[_T, float]:
    """Run ``call``; return what it returned and the seconds it took."""
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


@contextlib.contextmanager
def memory_growth() -> Generator[Growth]:
    """Trace what is allocated from here on; the peak is kept when the block ends."""
    assert not tracemalloc.is_tracing()
    growth = Growth()
    tracemalloc.start()
    try:
        yield growth
    finally:
        growth.stop()


def test_memory_growth_keeps_the_peak_of_its_block() -> None:
    with memory_growth() as growth:
        block = bytes(20 * MB)
        del block
        assert growth.peak >= 20 * MB

    assert growth.peak >= 20 * MB
    assert not tracemalloc.is_tracing()


# --- whole-call deadlines and whole-attempt timeouts ----------------------------------------


SLOW: dict[str, Callable[[], Behaviour]] = {
    "header bytes one at a time": trickle_headers,
    "102 Processing every 0.3 s": lambda: processing_forever(0.3),
    "body bytes one at a time": lambda: slow_body(0.1),
}
"""Servers that keep every read of httpx busy, so that no per-read timeout ever fires."""


@HTTP
@pytest.mark.parametrize("slow", SLOW)
def test_a_deadline_ends_the_call_whatever_the_server_sends(
    make_client: MakeClient, slow: str
) -> None:
    """httpx's read timeout (30 s) never fires: something comes every 0.1 or 0.3 s."""
    with HostileServer(SLOW[slow]()) as server:
        client = make_client(base_url=server.base_url, deadline=2.0, clock=SystemClock())

        error, seconds = ended(lambda: client.notebooks.get(JOB, "1"))

        assert type(error) is APITimeoutError
        assert "deadline" in str(error)
        assert seconds < 2.0 + 1.0
        assert [r.method for r in server.requests] == ["GET"]


@HTTP
def test_a_deadline_ends_the_call_of_a_client_on_a_handed_in_http_client(
    make_client: MakeClient, variant: str
) -> None:
    http = httpx.Client() if variant == "sync" else httpx.AsyncClient()
    with HostileServer(trickle_headers()) as server:
        client = make_client(
            base_url=server.base_url, deadline=2.0, clock=SystemClock(), http_client=http
        )

        error, seconds = ended(lambda: client.notebooks.get(JOB, "1"))

        assert type(error) is APITimeoutError
        assert seconds < 2.0 + 1.0
        assert len(server.requests) == 1


def test_a_deadline_ends_an_api_client_call_whose_header_bytes_come_one_at_a_time() -> None:
    with HostileServer(trickle_headers()) as server:
        api = APIClient({"auth_token": TEST_TOKEN}, base_url=server.base_url, deadline=2.0)

        error, seconds = ended(lambda: api.get_notebook(ORG, JOB, "1"))
        api.close()

        assert type(error) is APITimeoutError
        assert seconds < 2.0 + 1.0
        assert len(server.requests) == 1


@HTTP
def test_a_timeout_ends_an_attempt_that_only_ever_gets_102_processing(
    make_client: MakeClient,
) -> None:
    with HostileServer(processing_forever(0.3)) as server:
        client = make_client(base_url=server.base_url, timeout=1.0, max_retries=0)

        error, seconds = ended(lambda: client.notebooks.list_page(JOB))

        assert type(error) is APITimeoutError
        assert "the 1s attempt timeout" in str(error)
        assert seconds < 1.0 + 1.0
        assert len(server.requests) == 1


@HTTP
def test_each_attempt_is_cut_at_the_timeout_and_then_retried(make_client: MakeClient) -> None:
    """Three attempts of 0.5 s and sleeps of 0.1 + 0.2 s: about 1.8 s in all."""
    with HostileServer(trickle_headers()) as server:
        client = make_client(
            base_url=server.base_url,
            timeout=0.5,
            max_retries=2,
            clock=SystemClock(),
            retry_policy=RetryPolicy(initial_delay=0.1, jitter=0.0),
        )

        error, seconds = ended(lambda: client.notebooks.get(JOB, "1"))

        assert type(error) is APITimeoutError
        assert str(error).endswith("after 3 attempts")
        assert 1.5 < seconds < 1.8 + 1.0
        assert len(server.requests) == 3


@HTTP
def test_an_httpx_timeout_also_ends_the_attempt_once_its_phases_add_up(
    make_client: MakeClient,
) -> None:
    """connect, write and pool 0.1 s, read 0.5 s: each read gets a byte within 0.1 s, so
    only the sum (0.8 s) ends the attempt."""
    with HostileServer(trickle_headers()) as server:
        client = make_client(
            base_url=server.base_url, timeout=httpx.Timeout(0.1, read=0.5), max_retries=0
        )

        error, seconds = ended(lambda: client.notebooks.get(JOB, "1"))

        assert type(error) is APITimeoutError
        assert "the 0.8s attempt timeout" in str(error)
        assert 0.75 < seconds < 0.8 + 1.0


@HTTP
def test_with_a_manual_clock_each_attempt_is_cut_at_what_is_left_of_the_deadline(
    make_client: MakeClient, clock: ManualClock
) -> None:
    """The deadline is read on the client's clock, which a ManualClock moves only by sleeps:
    the first attempt gets the whole 1.5 s, the sleep of 0.5 s takes no real time and leaves
    1 s for the second attempt. Real time: about 2.5 s; the clock: 0.5 s."""
    with HostileServer(trickle_headers()) as server:
        client = make_client(base_url=server.base_url, deadline=1.5, max_retries=1)

        error, seconds = ended(lambda: client.notebooks.get(JOB, "1"))

        assert type(error) is APITimeoutError
        assert clock.sleeps == [0.5]
        assert len(server.requests) == 2
        assert 2.4 < seconds < 2.5 + 1.0


# --- bounded bodies ----------------------------------------------------------------------------


def bomb_then_notebooks(status: int = 200) -> Callable[[Received], bytes]:
    """A 1 GiB gzip bomb (about 1 MB on the wire) for a connection's first request; an ordinary
    notebook for the others."""
    bomb = http_answer(status, gzip_bomb(), {"Content-Encoding": "gzip"})

    def answer(request: Received) -> bytes:
        return bomb if request.connection == 1 else http_answer(200, notebook("1"))

    return answer


@HTTP
def test_a_decompression_bomb_is_refused_in_bounded_memory_and_its_connection_closed(
    make_client: MakeClient,
) -> None:
    with HostileServer(keep_alive(bomb_then_notebooks())) as server:
        client = make_client(base_url=server.base_url)

        with memory_growth() as growth:
            error, seconds = ended(lambda: client.notebooks.get(JOB, "1"))

        assert type(error) is ResponseTooLarge
        assert isinstance(error, ResponseValidationError)
        assert (error.status_code, error.method) == (200, "GET")
        assert error.url == server.base_url + PREFIX + "/1"
        assert "larger than max_response_size (16,777,216 bytes)" in str(error)
        assert growth.peak < 100 * MB
        assert seconds < 5.0
        assert len(server.requests) == 1  # not retried
        assert client.notebooks.get(JOB, "1").id == "1"
        assert [r.connection for r in server.requests] == [1, 2]


@pytest.mark.parametrize(
    ("status", "error_class"), [(200, ResponseTooLarge), (503, ServiceUnavailable)]
)
def test_the_api_client_refuses_a_decompression_bomb_in_bounded_memory(
    status: int, error_class: type[Exception]
) -> None:
    with HostileServer(keep_alive(bomb_then_notebooks(status))) as server:
        api = APIClient({"auth_token": TEST_TOKEN}, base_url=server.base_url, max_retry_count=0)

        with memory_growth() as growth:
            error, seconds = ended(lambda: api.get_notebook(ORG, JOB, "1"))
        api.close()

        assert type(error) is error_class
        assert growth.peak < 100 * MB
        assert seconds < 5.0
        assert len(server.requests) == 1


@HTTP
def test_a_bomb_in_an_error_answer_is_judged_by_its_status_in_bounded_memory(
    make_client: MakeClient,
) -> None:
    with HostileServer(keep_alive(bomb_then_notebooks(503))) as server:
        client = make_client(base_url=server.base_url, max_retries=0)

        with memory_growth() as growth:
            error, seconds = ended(lambda: client.notebooks.get(JOB, "1"))

        assert type(error) is ServiceUnavailable
        assert growth.peak < 100 * MB
        assert seconds < 5.0
        assert len(server.requests) == 1
        assert client.notebooks.get(JOB, "1").id == "1"  # on a new connection
        assert [r.connection for r in server.requests] == [1, 2]


@HTTP
def test_a_huge_error_body_is_read_only_as_far_as_an_excerpt_needs(
    make_client: MakeClient,
) -> None:
    answer = http_answer(400, b'{"error": "bad_request", "error_detail": "' + b"x" * 20 * MB)
    with HostileServer(keep_alive(lambda _: answer)) as server:
        client = make_client(base_url=server.base_url)

        with memory_growth() as growth:
            error, seconds = ended(lambda: client.notebooks.get(JOB, "1"))

        assert type(error) is BadRequest
        assert seconds < 5.0
        assert error.body.startswith('{"error": "bad_request"')
        assert len(str(error)) < 1200
        assert growth.peak < 5 * MB  # of a body of 20 MB
        assert len(server.requests) == 1


def test_max_response_size_bounds_every_answer_and_is_set_per_client_or_call(
    make_client: MakeClient, emulator: Emulator
) -> None:
    emulator.seed(5)
    small = make_client(max_response_size=1000)

    with pytest.raises(ResponseTooLarge) as caught:
        small.notebooks.list_page(JOB)

    assert caught.value.status_code == 200
    assert "max_response_size (1,000 bytes)" in str(caught.value)
    assert len(small.with_options(max_response_size=100_000).notebooks.list_page(JOB)) == 5
    assert small.settings.max_response_size == 1000
    with pytest.raises(ResponseTooLarge):
        make_client().with_options(max_response_size=1000).notebooks.list_page(JOB)


def test_the_api_client_takes_max_response_size(api: APIClient, emulator: Emulator) -> None:
    emulator.seed(5)
    small = APIClient(
        {"auth_token": TEST_TOKEN}, base_url=api.settings.base_url, max_response_size=1000
    )

    with pytest.raises(ResponseTooLarge):
        small.get_notebooks(ORG, JOB)
    small.close()

    listing = api.get_notebooks(ORG, JOB)
    assert not isinstance(listing, list)  # the emulator sends the envelope
    assert len(listing["entries"]) == 5


def deflate(data: bytes, raw: bool = False) -> bytes:
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS if raw else zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


ENCODINGS: dict[str, Callable[[bytes], bytes]] = {
    "gzip": gzip.compress,
    "x-gzip": gzip.compress,
    "deflate": deflate,
    "deflate, sent raw": lambda data: deflate(data, raw=True),
    "gzip, deflate": lambda data: deflate(gzip.compress(data)),
    "identity": lambda data: data,
}


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_compressed_answers_are_decoded(client: Client, emulator: Emulator, encoding: str) -> None:
    (nid,) = emulator.seed(1)
    body = ENCODINGS[encoding](json.dumps(emulator.notebook(nid)).encode())
    header = encoding.removesuffix(", sent raw")
    emulator.inject(body=body, headers={"Content-Encoding": header}, method="GET")

    assert client.notebooks.get(JOB, nid).to_dict() == emulator.notebook(nid)
    assert emulator.requests[-1].headers["accept-encoding"] == "gzip, deflate"


@pytest.mark.parametrize("encoding", ["br", "zstd"])
def test_an_answer_in_a_compression_not_asked_for_is_a_validation_error(
    client: Client, emulator: Emulator, encoding: str
) -> None:
    (nid,) = emulator.seed(1)
    emulator.inject(body=b"\x8b\x05\x80", headers={"Content-Encoding": encoding}, method="GET")

    with pytest.raises(ResponseValidationError) as caught:
        client.notebooks.get(JOB, nid)

    assert type(caught.value) is ResponseValidationError
    assert f"{encoding!r} is not decoded" in str(caught.value)
    assert len(emulator.requests) == 1


# --- error bodies: never an exception from outside the SDK ------------------------------------


def nested(depth: int) -> Any:
    value: Any = "bottom"
    for _ in range(depth):
        value = {"detail": value}
    return value


@pytest.mark.parametrize(
    ("status", "error_class", "attempts"),
    [(400, BadRequest, 1), (503, ServiceUnavailable, 4)],
)
@pytest.mark.parametrize("depth", [600, 20_000])
def test_an_error_body_nested_deep_is_an_sdk_error_with_bounded_detail(
    client: Client,
    emulator: Emulator,
    status: int,
    error_class: type[HttpError],
    attempts: int,
    depth: int,
) -> None:
    body = (
        '{"error": "bad_request", "error_description": "deep", "error_detail": '
        + "[" * depth
        + "]" * depth
        + "}"
        if depth > 10_000
        else json.dumps(
            {"error": "bad_request", "error_description": "deep", "error_detail": nested(depth)}
        )
    ).encode()
    emulator.inject(status=status, body=body, times=10)

    error, seconds = ended(lambda: client.notebooks.list_page(JOB))

    assert isinstance(error, HttpError)
    assert type(error) is error_class
    assert len(emulator.requests) == attempts
    assert seconds < 5.0  # retries sleep on the emulator's clock: no real time
    if depth < 10_000:  # json reads 600 levels; the detail is kept 32 deep
        assert (error.error, error.error_description) == ("bad_request", "deep")
        assert "..." in json.dumps(error.error_detail)
        assert len(json.dumps(error.error_detail)) < 1000
    else:  # too deep for any JSON reader: only the excerpt is left
        assert error.error is None
        assert error.body.startswith('{"error": "bad_request"')
    assert type(pickle.loads(pickle.dumps(error))) is error_class
    assert len(repr(error)) < 1000


# --- Retry-After --------------------------------------------------------------------------------

RETRY_AFTER: dict[str, tuple[str, dict[str, str], list[float], int]] = {
    # name: (Retry-After, other headers, the sleeps, requests); 10 429s are injected
    "3600 (beyond max_retry_after)": ("3600", {}, [], 1),
    "400 digits (infinite as a number)": ("9" * 400, {}, [], 1),
    "an HTTP date in the year 9999": (
        "Fri, 31 Dec 9999 23:59:59 GMT",
        {"Date": http_date(DATE_SENT)},
        [],
        1,
    ),
    "an HTTP date past the year 9999": ("Sat, 01 Jan 10000 00:00:00 GMT", {}, [], 1),
    "an HTTP date past any integer year": (
        "Mon, 01 Jan 99999999999999999999 00:00:00 GMT",
        {},
        [],
        1,
    ),
    "inf (not a number of seconds)": ("inf", {}, [0.5, 1.0, 2.0], 4),
    "negative": ("-5", {}, [0.5, 1.0, 2.0], 4),
    "nan": ("nan", {}, [0.5, 1.0, 2.0], 4),
    "not a number nor a date": ("soon", {}, [0.5, 1.0, 2.0], 4),
    "an HTTP date in the past": (
        http_date(DATE_SENT - 60),
        {"Date": http_date(DATE_SENT)},
        [0.0, 0.0, 0.0],
        4,
    ),
}


@pytest.mark.parametrize("case", RETRY_AFTER)
def test_retry_after_beyond_reason_raises_at_once_and_nonsense_is_ignored(
    client: Client, emulator: Emulator, clock: ManualClock, case: str
) -> None:
    retry_after, headers, sleeps, requests = RETRY_AFTER[case]
    emulator.inject(status=429, retry_after=retry_after, headers=headers, times=10)

    error, seconds = ended(lambda: client.notebooks.list_page(JOB))

    assert type(error) is TooManyRequests
    assert clock.sleeps == sleeps
    assert len(emulator.requests) == requests
    assert seconds < 5.0  # the sleeps are the clock's: none takes real time
    beyond = "; not retried: the server asked to wait "
    assert (beyond in str(error)) == (requests == 1)
    if retry_after == "3600":
        assert str(error).endswith(beyond + "3600 s, beyond max_retry_after=60 s")


# --- answers matched to their requests ---------------------------------------------------------


LOGS = json.dumps(
    {
        "events": [{"message": "hello", "timestamp": "2020-01-01T00:00:00Z"}],
        "next_forward_token": "f",
        "next_backward_token": "b",
    }
).encode()


def smuggling(request: Received) -> bytes:
    """The right answer; after the answer about notebook ``a``, an answer about ``666`` (or
    after the page at offset 0, one at offset 40) follows in the same packet: bytes past the
    ``Content-Length`` that would answer the next request sent on the connection. A create
    makes notebook ``777``; a delete and recent logs get their own answers."""
    wanted = last_segment(request)
    if request.method == "POST":
        return http_answer(200, notebook("777"))
    if request.method == "DELETE":
        return http_answer(200, json.dumps({"message": f"{wanted} deleted"}).encode())
    if wanted == "recentlogs":
        return http_answer(200, LOGS)
    if wanted.startswith("offset="):
        offset = int(wanted.split("&")[0].removeprefix("offset="))
        extra = http_answer(200, page(40)) if offset == 0 else b""
        return http_answer(200, page(offset)) + extra
    extra = http_answer(200, notebook("666")) if wanted == "a" else b""
    return http_answer(200, notebook(wanted)) + extra


@HTTP
def test_bytes_past_content_length_never_become_the_answer_to_the_next_request(
    make_client: MakeClient, clock: ManualClock
) -> None:
    """The connection that holds them is not used again: the next request goes on a new one,
    at once (no retry, no identity check needed)."""
    with HostileServer(keep_alive(smuggling)) as server:
        client = make_client(base_url=server.base_url)
        started = time.monotonic()

        ids = [client.notebooks.get(JOB, nid).id for nid in ("a", "b", "c")]

        assert ids == ["a", "b", "c"]
        assert time.monotonic() - started < 5.0
        seen = [(last_segment(r), r.connection) for r in server.requests]
        assert seen == [("a", 1), ("b", 2), ("c", 2)]
        assert clock.sleeps == []


@HTTP
def test_a_page_followed_by_bytes_past_its_end_leaves_its_connection_unused(
    make_client: MakeClient,
) -> None:
    with HostileServer(keep_alive(smuggling)) as server:
        client = make_client(base_url=server.base_url)
        started = time.monotonic()

        offsets = [client.notebooks.list_page(JOB, offset=n, limit=1).offset for n in (0, 10)]

        assert offsets == [0, 10]
        assert time.monotonic() - started < 5.0
        seen = [(last_segment(r), r.connection) for r in server.requests]
        assert seen == [("offset=0&limit=1", 1), ("offset=10&limit=1", 2)]


NO_ID: dict[str, tuple[Callable[[Client], object], object, str]] = {
    # operation: (call, what it returns, the verb sent)
    "create": (lambda c: c.notebooks.create(JOB).id, "777", "POST"),
    "delete": (
        lambda c: c.notebooks.with_raw_response.delete(JOB, "d").parse().message,
        "d deleted",
        "DELETE",
    ),
    "recent logs": (
        lambda c: [event.message for event in c.notebooks.recent_logs(JOB, "1").events],
        ["hello"],
        "GET",
    ),
}


@HTTP
@pytest.mark.parametrize("handed_in", [False, True], ids=["own pool", "handed-in http_client"])
@pytest.mark.parametrize("operation", NO_ID)
def test_bytes_past_an_answer_never_answer_a_request_that_carries_no_id(
    make_client: MakeClient, variant: str, handed_in: bool, operation: str
) -> None:
    """A create, a delete and recent logs have no id in their answer to compare with the
    request: the connection holding the extra bytes must not be used for them."""
    call, expected, verb = NO_ID[operation]
    with HostileServer(keep_alive(smuggling)) as server:
        options: dict[str, Any] = {}
        if handed_in:
            options["http_client"] = httpx.Client() if variant == "sync" else httpx.AsyncClient()
        client = make_client(base_url=server.base_url, **options)
        started = time.monotonic()

        assert client.notebooks.get(JOB, "a").id == "a"
        assert call(client) == expected

        assert time.monotonic() - started < 5.0
        assert [(r.method, r.connection) for r in server.requests] == [("GET", 1), (verb, 2)]


API_NO_ID: dict[str, tuple[Callable[[APIClient], object], object, str]] = {
    "create": (
        lambda api: api.create_notebook(ORG, JOB)["training_notebook_id"],
        "777",
        "POST",
    ),
    "delete": (lambda api: api.delete_notebook(ORG, JOB, "d"), {"message": "d deleted"}, "DELETE"),
    "recent logs": (
        lambda api: api.get_notebook_recent_logs(ORG, JOB, "1")["events"][0]["message"],
        "hello",
        "GET",
    ),
}


@pytest.mark.parametrize("operation", API_NO_ID)
def test_the_api_client_never_returns_an_answer_to_another_request(operation: str) -> None:
    call, expected, verb = API_NO_ID[operation]
    with HostileServer(keep_alive(smuggling)) as server:
        api = APIClient({"auth_token": TEST_TOKEN}, base_url=server.base_url)
        started = time.monotonic()

        ids = [api.get_notebook(ORG, JOB, nid)["training_notebook_id"] for nid in ("a", "b")]
        pages = [api.get_notebooks(ORG, JOB, offset=n) for n in (0, 10)]
        offsets = [page["offset"] for page in pages if not isinstance(page, list)]
        ids.append(api.get_notebook(ORG, JOB, "a")["training_notebook_id"])
        answer = call(api)
        api.close()

        assert (ids, offsets, answer) == (["a", "b", "a"], [0, 10], expected)
        assert time.monotonic() - started < 5.0
        assert [(r.method, last_segment(r), r.connection) for r in server.requests] == [
            ("GET", "a", 1),
            ("GET", "b", 2),
            ("GET", "offset=0", 2),
            ("GET", "offset=10", 3),
            ("GET", "a", 3),
            (verb, last_segment(server.requests[-1]), 4),
        ]


def test_a_notebook_answered_to_recent_logs_is_a_validation_error(
    client: Client, emulator: Emulator
) -> None:
    (nid,) = emulator.seed(1)
    emulator.clear_requests()
    emulator.inject(body=json.dumps(emulator.notebook(nid)).encode(), path="/recentlogs$")

    with pytest.raises(ResponseValidationError) as caught:
        client.notebooks.recent_logs(JOB, nid)

    error = caught.value
    assert type(error) is ResponseValidationError
    assert "is not what the Notebook API promises: events: Field required" in str(error)
    assert (error.status_code, error.method) == (200, "GET")
    assert error.url.endswith(f"/notebooks/{nid}/recentlogs")
    assert error.body.startswith('{"job_definition_id"')
    assert len(emulator.requests) == 1


MISMATCHES: dict[str, tuple[str, Callable[[Client, str], object], int]] = {
    # operation: (verb, call, attempts when every answer is about notebook 666)
    "get": ("GET", lambda c, n: c.notebooks.get(JOB, n), 2),
    "update": ("PUT", lambda c, n: c.notebooks.update(JOB, n, instance_type="cpu-2"), 1),
    "start": ("POST", lambda c, n: c.notebooks.start(JOB, n), 1),
    "stop": ("POST", lambda c, n: c.notebooks.stop(JOB, n), 1),
}


@pytest.mark.parametrize("operation", MISMATCHES)
def test_an_answer_about_another_notebook_is_a_validation_error(
    client: Client, emulator: Emulator, operation: str
) -> None:
    """A GET is asked once more (a retry); the others may have acted, and raise at once."""
    verb, call, attempts = MISMATCHES[operation]
    (nid,) = emulator.seed(1, status="Running" if operation == "stop" else "Stopped")
    emulator.clear_requests()
    emulator.inject(body=notebook("1999999999999"), method=verb, times=10)

    error, seconds = ended(lambda: call(client, nid))

    assert type(error) is ResponseValidationError
    assert f"about notebook '1999999999999', not '{nid}'" in str(error)
    assert len(emulator.requests) == attempts
    assert seconds < 5.0


def test_asking_again_counts_as_a_retry(client: Client, emulator: Emulator) -> None:
    (nid,) = emulator.seed(1)
    emulator.clear_requests()
    emulator.inject(body=notebook("1999999999999"), method="GET")

    with pytest.raises(ResponseValidationError):
        client.with_options(max_retries=0).notebooks.get(JOB, nid)
    assert client.notebooks.get(JOB, nid).id == nid

    assert len(emulator.requests) == 2


def test_a_walk_of_the_listing_asks_again_for_a_page_at_another_offset(
    client: Client, emulator: Emulator
) -> None:
    ids = emulator.seed(3)
    emulator.clear_requests()
    emulator.inject(body=page(40), method="GET", path="/notebooks$")

    walked, seconds = timed(lambda: [nb.id for nb in client.notebooks.list(JOB, page_size=2)])

    assert sorted(walked) == sorted(ids)
    assert len(emulator.requests) == 3  # the first page twice, then the second
    assert seconds < 5.0


@pytest.mark.parametrize("operation", ["update", "start", "stop"])
def test_the_placeholder_id_0_of_action_answers_is_accepted(
    client: Client, emulator: Emulator, operation: str
) -> None:
    emulator.int_ids_in_actions = True
    (nid,) = emulator.seed(1, status="Running" if operation == "stop" else "Stopped")
    emulator.clear_requests()
    _, call, _ = MISMATCHES[operation]

    answer, seconds = timed(lambda: call(client, nid))

    assert cast("Any", answer).id == "0"
    assert len(emulator.requests) == 1
    assert seconds < 5.0


def test_a_get_answered_with_the_placeholder_id_0_is_refused(
    client: Client, emulator: Emulator
) -> None:
    (nid,) = emulator.seed(1)
    emulator.clear_requests()
    emulator.inject(body=notebook("0"), method="GET", times=2)

    error, seconds = ended(lambda: client.notebooks.get(JOB, nid))

    assert type(error) is ResponseValidationError
    assert "about notebook '0'" in str(error)
    assert len(emulator.requests) == 2  # asked once more, as any GET
    assert seconds < 5.0


# --- connection reuse ------------------------------------------------------------------------


def notebooks(_: Received) -> bytes:
    return http_answer(200, notebook("1"))


@HTTP
@pytest.mark.parametrize("handed_in", [False, True], ids=["own pool", "handed-in http_client"])
def test_a_create_never_goes_onto_a_connection_idle_for_a_second(
    make_client: MakeClient, variant: str, handed_in: bool
) -> None:
    """The server closes a connection idle for 0.5 s when the next request arrives on it, as
    one whose idle timeout runs out just then: a create sent there would be lost, and is not
    retried (it may have been acted on)."""
    with HostileServer(keep_alive(notebooks, close_idle_after=0.5)) as server:
        options: dict[str, Any] = {}
        if handed_in:
            options["http_client"] = httpx.Client() if variant == "sync" else httpx.AsyncClient()
        client = make_client(base_url=server.base_url, **options)
        client.notebooks.get(JOB, "1")
        time.sleep(1.2)

        created, seconds = timed(lambda: client.notebooks.create(JOB))

        assert created.id == "1"
        assert [(r.method, r.connection) for r in server.requests] == [("GET", 1), ("POST", 2)]
        assert seconds < 5.0


@HTTP
def test_a_create_right_after_another_call_reuses_its_connection(
    make_client: MakeClient,
) -> None:
    with HostileServer(keep_alive(notebooks)) as server:
        client = make_client(base_url=server.base_url)

        _, seconds = timed(lambda: (client.notebooks.get(JOB, "1"), client.notebooks.create(JOB)))

        assert [(r.method, r.connection) for r in server.requests] == [("GET", 1), ("POST", 1)]
        assert seconds < 5.0


@HTTP
def test_an_idle_connection_is_not_reused_past_the_keep_alive_expiry(
    make_client: MakeClient,
) -> None:
    with HostileServer(keep_alive(notebooks)) as server:
        client = make_client(base_url=server.base_url, limits=httpx.Limits(keepalive_expiry=0.6))

        client.notebooks.get(JOB, "1")
        client.notebooks.get(JOB, "1")
        time.sleep(0.9)
        _, seconds = timed(lambda: client.notebooks.get(JOB, "1"))

        assert [r.connection for r in server.requests] == [1, 1, 2]
        assert seconds < 5.0


def test_the_sdk_pool_keeps_idle_connections_for_4_seconds() -> None:
    with Client(base_url="http://127.0.0.1:9", auth_token=TEST_TOKEN) as client:
        http: Any = client._transport.http  # pyright: ignore[reportPrivateUsage] -- to reach its pool
        assert http._transport._pool._keepalive_expiry == 4.0


# --- redaction ------------------------------------------------------------------------------------

WORDS = {
    "error": "disconnected",
    "error_description": "the server disconnected",
    "error_detail": {"tty": ["attempt"]},
}


@pytest.mark.parametrize("token", ["t", "tt", "nnec"])
def test_a_secret_shorter_than_8_characters_is_not_searched_for(
    make_client: MakeClient, emulator: Emulator, token: str
) -> None:
    client = make_client(auth_token=token)
    emulator.inject(status=400, body=json.dumps(WORDS).encode())

    with pytest.raises(BadRequest) as caught:
        client.notebooks.list_page(JOB)

    error = caught.value
    assert (error.error, error.error_description) == ("disconnected", "the server disconnected")
    assert error.error_detail == {"tty": ["attempt"]}
    assert "***" not in str(error) + error.body


def test_a_secret_of_8_characters_is_hidden_wherever_it_appears(
    make_client: MakeClient, emulator: Emulator
) -> None:
    secret = "s3cr3t-8"
    client = make_client(auth_token=secret)
    echoed = {
        "error": f"bad{secret}token",
        "error_description": f"got Bearer {secret}",
        "error_detail": {f"{secret}_key": [f"x{secret}"]},
    }
    emulator.inject(status=400, body=json.dumps(echoed).encode(), headers={"X-Request-Id": secret})

    with pytest.raises(BadRequest) as caught:
        client.notebooks.list_page(JOB)

    error = caught.value
    assert (error.error, error.error_description) == ("bad***token", "got Bearer ***")
    assert error.error_detail == {"***_key": ["x***"]}
    assert error.request_id == "***"
    everything = str(error) + repr(error) + error.body + str(pickle.dumps(error))
    assert secret not in everything
