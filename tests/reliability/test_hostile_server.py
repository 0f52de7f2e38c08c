"""The hostile-server matrix: whatever a broken server or proxy sends, every operation ends in a
typed SDK error carrying the status, the URL and a short excerpt of the body, within the
configured timeouts, and credentials never go to another host.

Decisions this documents:

- A 2xx answer is judged by its body, not its label: JSON that fits the contract is accepted
  whatever ``Content-Type`` says; anything else (HTML, an empty 200 or 204, truncated JSON, the
  wrong shape, invalid UTF-8, a huge page) is a :class:`ResponseValidationError`.
- A non-2xx answer is the :class:`HttpError` of its status, whatever its body.
- Redirects (3xx) are never followed, not even by an ``http_client`` built with
  ``follow_redirects=True``: the 3xx is an :class:`HttpError` with that status.
- A body that never ends must arrive within the read timeout (the time the SDK gives an answer
  to come in), or the attempt ends in :class:`APITimeoutError`.
- The error's ``body`` keeps at most 500 characters; its message at most 200 of them.

Retries are not this file's subject (see test_fault_matrix.py): the clients here have
``max_retries=0`` unless a test says otherwise.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from abeja_notebooks import (
    AbejaError,
    APITimeoutError,
    BadGateway,
    Client,
    HttpError,
    InternalServerError,
    NotFound,
    ResponseValidationError,
    ServiceUnavailable,
)
from abeja_notebooks.testing import Emulator, EmulatorServer, ManualClock
from tests.support import FIXTURES, JOB, PREFIX, MakeClient

from .hostile import HostileServer, slow_body
from .support import OPS, Op

NOTEBOOK: dict[str, Any] = json.loads((FIXTURES / "notebook.json").read_text())
HTML = b"<!DOCTYPE html><html><head><title>Oops</title></head><body>" + b"<p>x</p>" * 200
TEN_MB = b"<html><body>" + b"A" * (10 * 1024 * 1024) + b"</body></html>"

Shape = str
"""What an operation's answer holds: a notebook, a page, an action's, a deletion's or logs."""

SHAPES: dict[str, Shape] = {
    "create": "notebook",
    "get": "notebook",
    "update": "notebook",
    "list_page": "page",
    "start": "notebook",
    "stop": "notebook",
    "delete": "deletion",
    "recent_logs": "logs",
}


def wrong(kind: str) -> Callable[[Shape], bytes]:
    """A JSON body of the wrong shape for each kind of answer."""

    def body(shape: Shape) -> bytes:
        notebook: dict[str, Any]
        if kind == "number as creator":
            notebook = {**NOTEBOOK, "creator": 42}
            other: dict[str, Any] = {"deletion": {"value": 42}, "logs": {"events": 42}}
        elif kind == "missing fields":
            notebook = {"training_notebook_id": "1"}
            other = {"deletion": {"value": {}}, "logs": {"events": [{"message": "x"}]}}
        else:  # null everywhere
            notebook = dict.fromkeys(NOTEBOOK)
            other = {
                "deletion": {"value": None, "message": None},
                "logs": {"events": None, "next_forward_token": None},
            }
        data = {
            "notebook": notebook,
            "page": {"total": 1, "offset": 0, "limit": 10, "entries": [notebook]}
            if kind != "null everywhere"
            else dict.fromkeys(("total", "offset", "limit", "entries")),
            **other,
        }[shape]
        return json.dumps(data).encode()

    return body


def fixed(body: bytes) -> Callable[[Shape], bytes]:
    return lambda _: body


# name -> (status, body for the shape, Content-Type, the error class expected)
CASES: dict[str, tuple[int, Callable[[Shape], bytes], str, type[AbejaError]]] = {
    "HTML page with 200": (200, fixed(HTML), "text/html", ResponseValidationError),
    "HTML labelled JSON": (200, fixed(HTML), "application/json", ResponseValidationError),
    "empty body with 200": (200, fixed(b""), "application/json", ResponseValidationError),
    "empty body with 204": (204, fixed(b""), "application/json", ResponseValidationError),
    "truncated JSON": (
        200,
        lambda _: json.dumps(NOTEBOOK).encode()[:60],
        "application/json",
        ResponseValidationError,
    ),
    "a list where an object belongs": (
        200,
        fixed(b"[1, 2, 3]"),
        "application/json",
        ResponseValidationError,
    ),
    "a number as creator": (
        200,
        wrong("number as creator"),
        "application/json",
        ResponseValidationError,
    ),
    "missing required fields": (
        200,
        wrong("missing fields"),
        "application/json",
        ResponseValidationError,
    ),
    "null everywhere": (200, wrong("null everywhere"), "application/json", ResponseValidationError),
    "JSON null": (200, fixed(b"null"), "application/json", ResponseValidationError),
    "a bare JSON string": (200, fixed(b'"ok"'), "application/json", ResponseValidationError),
    "JSON nested 50,000 deep": (
        200,
        fixed(b"[" * 50_000 + b"]" * 50_000),
        "application/json",
        ResponseValidationError,
    ),
    "invalid UTF-8": (
        200,
        fixed(b'{"name": "\xff\xfe"}'),
        "application/json",
        ResponseValidationError,
    ),
    "a 10 MB body with 200": (200, fixed(TEN_MB), "text/html", ResponseValidationError),
    "a 10 MB error page": (503, fixed(TEN_MB), "text/html", ServiceUnavailable),
    "an HTML 500 page": (500, fixed(HTML), "text/html", InternalServerError),
    "an HTML 502 page labelled JSON": (502, fixed(HTML), "application/json", BadGateway),
    "an HTML 404 page": (404, fixed(HTML), "text/html", NotFound),
    "an empty 500": (500, fixed(b""), "application/json", InternalServerError),
    "a 418 with a JSON error body": (
        418,
        fixed(b'{"error": "teapot", "error_description": "short and stout"}'),
        "application/json",
        HttpError,
    ),
}


def check_error(error: AbejaError, op: Op, url: str, status: int, body: bytes) -> list[str]:
    """What is wrong with an error a user would see (empty when it is right)."""
    problems: list[str] = []
    if not type(error).__module__.startswith("abeja_notebooks"):
        problems.append(f"not an SDK error: {type(error)}")
    status_code = getattr(error, "status_code", None)
    excerpt: str = getattr(error, "body", "")
    if status_code != status:
        problems.append(f"status_code {status_code}")
    if (getattr(error, "method", None), getattr(error, "url", None)) != (op.method, url):
        problems.append(f"names {getattr(error, 'method', None)} {getattr(error, 'url', None)}")
    expected_start = body[:40].decode("utf-8", "replace")
    if not excerpt.startswith(expected_start) or len(excerpt) > 600:
        problems.append(f"body excerpt {excerpt[:60]!r}... ({len(excerpt)} chars)")
    message = str(error)
    if str(status) not in message or url not in message or len(message) > 1200:
        problems.append(f"message {message[:300]!r}... ({len(message)} chars)")
    if error.__cause__ is not None or (
        error.__context__ is not None and not error.__suppress_context__
    ):
        problems.append(f"chained to {error.__cause__ or error.__context__!r}")
    return problems


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_every_operation_ends_in_a_typed_error_with_status_url_and_excerpt(
    client: Client, emulator: Emulator, case: str
) -> None:
    status, make_body, content_type, error_class = CASES[case]
    quiet = client.with_options(max_retries=0)
    problems: dict[str, list[str]] = {}
    classes: dict[str, str] = {}

    for op in OPS:
        nid = op.prepare(emulator)
        emulator.clear_requests()
        body = make_body(SHAPES[op.name])
        emulator.inject(
            status=status,
            body=body,
            content_type=content_type,
            method=op.method,
            path=op.pattern(nid),
        )
        started = time.monotonic()
        try:
            op.call(quiet, nid)
        except AbejaError as exc:
            classes[op.name] = type(exc).__name__
            url = quiet.settings.base_url + emulator.requests[0].raw_path
            problems[op.name] = check_error(exc, op, url, status, body)
        else:
            classes[op.name] = "no error"
        if time.monotonic() - started > 3.0:
            problems.setdefault(op.name, []).append("took too long")

    assert classes == {op.name: error_class.__name__ for op in OPS}
    assert problems == {op.name: [] for op in OPS}


def test_a_json_answer_labelled_as_something_else_is_accepted(
    client: Client, emulator: Emulator
) -> None:
    """The body decides, not ``Content-Type``: a correct answer labelled text/html works."""
    results: dict[str, str] = {}
    for op in OPS:
        nid = op.prepare(emulator)
        before = op.snapshot(emulator, nid)
        emulator.inject(
            headers={"Content-Type": "text/html; charset=latin-1"},
            method=op.method,
            path=op.pattern(nid),
        )
        result = op.call(client, nid)
        op.check(emulator, nid, result, before)
        results[op.name] = "ok"

    assert results == {op.name: "ok" for op in OPS}
    assert emulator.pending_faults == []


def test_a_content_encoding_lie_is_a_typed_error_judged_by_its_status(
    client: Client, emulator: Emulator, clock: ManualClock
) -> None:
    """A body that is not what its ``Content-Encoding`` says cannot be decoded: a 2xx one is a
    :class:`ResponseValidationError` (not a network failure), any other is the error of its
    status, retried as that status is."""
    lie = {"Content-Encoding": "gzip"}
    emulator.inject(headers=lie, method="GET")

    with pytest.raises(ResponseValidationError) as caught:
        client.notebooks.list_page(JOB)

    assert caught.value.status_code == 200
    assert caught.value.url == client.settings.base_url + PREFIX
    assert "Content-Encoding 'gzip'" in str(caught.value)
    assert len(emulator.requests) == 1

    emulator.inject(status=503, headers=lie, times=10)
    with pytest.raises(ServiceUnavailable):
        client.notebooks.list_page(JOB)
    assert len(emulator.requests) == 1 + 4
    assert clock.sleeps == [0.5, 1.0, 2.0]


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_to_another_host_is_an_error_and_sends_it_nothing(
    client: Client, emulator: Emulator, status: int
) -> None:
    with EmulatorServer(Emulator()) as elsewhere:
        outcomes: dict[str, str] = {}
        for op in OPS:
            nid = op.prepare(emulator)
            emulator.clear_requests()
            target = elsewhere.base_url + "/organizations/x/training/definitions/y/notebooks"
            emulator.inject(
                status=status,
                body=b"",
                headers={"Location": target},
                method=op.method,
                path=op.pattern(nid),
            )
            with pytest.raises(HttpError) as caught:
                op.call(client, nid)
            url = client.settings.base_url + emulator.requests[0].raw_path
            error = caught.value
            outcomes[op.name] = f"{type(error).__name__} {error.status_code} {error.url == url}"

        assert outcomes == {op.name: f"HttpError {status} True" for op in OPS}
        assert elsewhere.emulator.requests == []


def test_a_redirect_is_not_followed_even_by_an_http_client_that_follows_them(
    make_client: MakeClient,
    emulator: Emulator,
    notebook_emulator_server: EmulatorServer,
    variant: str,
) -> None:
    http: httpx.Client | httpx.AsyncClient = (
        httpx.Client(follow_redirects=True)
        if variant == "sync"
        else httpx.AsyncClient(follow_redirects=True)
    )
    client = make_client(base_url=notebook_emulator_server.base_url, http_client=http)
    with EmulatorServer(Emulator()) as elsewhere:
        emulator.inject(status=302, body=b"", headers={"Location": elsewhere.base_url + "/"})

        with pytest.raises(HttpError) as caught:
            client.notebooks.list_page(JOB)

        assert caught.value.status_code == 302
        assert elsewhere.emulator.requests == []


@pytest.mark.parametrize("variant", ["sync", "async"], indirect=True)  # an HTTP server only
def test_a_never_ending_slow_body_is_cut_at_the_read_timeout(
    make_client: MakeClient, variant: str
) -> None:
    """The server announces a 1 MB body and sends a byte every 20 ms, for ever: each read gets
    data well within the 0.2 s read timeout, so only a bound on the whole body stops it.

    The bound is in the transport both clients share, whatever the operation: a create (not
    retried) and two reads (retried once here) stand for all of them.
    """
    with HostileServer(slow_body()) as server:
        client = make_client(
            base_url=server.base_url, timeout=httpx.Timeout(5.0, read=0.2), max_retries=1
        )
        ops = [op for op in OPS if op.name in ("create", "get", "recent_logs")]
        timings: dict[str, float] = {}
        for op in ops:
            started = time.monotonic()
            with pytest.raises(APITimeoutError) as caught:
                op.call(client, "1900000000001")
            timings[op.name] = time.monotonic() - started
            error = caught.value
            assert error.url.startswith(server.base_url + "/organizations/")
            assert error.method == op.method
            assert error.status_code == 200
            assert error.body.startswith("{ ")
            assert "timed out reading the body of a 200 answer" in str(error)
            assert "Authorization" not in str(error)

        attempts = [r.method for r in server.requests]
        assert attempts == ["POST", "GET", "GET", "GET", "GET"]  # reads retried once
        assert timings["create"] < 1.0
        assert max(timings.values()) < 2.0
