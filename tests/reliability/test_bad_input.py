"""Bad input: what is rejected before any request, and what is sent, safely encoded.

Every bad-argument test of the SDK is here (the resource model of both clients, and the
low-level ``APIClient``); the docs' own statement of these rules is checked against the SDK in
tests/docs/test_docs_match.py.

Rules (as the docs state them):

- An organization id, job definition name or notebook id must be a ``str`` (else ``TypeError``)
  that is not empty or blank (``str.strip``), not ``.`` or ``..``, holds no control character
  (U+0000-U+001F, U+007F) and no lone surrogate (else ``ValueError``). The message names the
  parameter. Nothing is sent.
- Any other id is percent-encoded into exactly one path segment: ``/``, ``?``, ``#``, ``%``,
  spaces and non-ASCII included. So an id can never reach another route, add a query or a
  fragment: the server sees exactly the id it was given.
- ``notebook_type`` is ``"notebook"`` or ``"lab"``, exactly; ``instance_type`` matches
  ``{cpu|gpu}[:{a-d}]-{n}`` with ASCII digits (``n`` may have a decimal part); any other value
  raises before any request. Well-formed but unknown instance types and any image name pass.
- Page sizes, offsets and limits are ints (not bools) within range; timeouts, deadlines and
  retry counts are checked when a client (or ``with_options``) is built: ``TypeError`` for the
  wrong type, ``ValueError`` for a value out of range (NaN and infinity included).
- ``image`` is a non-empty string; ``datalakes`` and ``buckets`` lists of non-empty strings;
  ``datasets`` a dict of str to str. ``wait_until`` and ``logs(follow=True)`` check their
  ``timeout`` and ``poll_interval`` (finite numbers > 0) and the statuses to wait for when
  called, before any request, as ``list()`` and ``logs()`` check their ids: not when iterated.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable
from typing import Any, cast
from urllib.parse import quote, unquote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from abeja_notebooks import APIClient, AsyncClient, Client, NotFound, RetryPolicy
from abeja_notebooks.testing import Emulator
from tests.support import JOB, ORG, PREFIX, MakeClient

Call = Callable[[Client, Any, Any, Any], object]
"""``call(client, organization_id, job_definition_name, notebook_id)``."""

COLLECTION_CALLS: dict[str, Call] = {
    "create": lambda c, org, job, _: c.notebooks.create(job, organization_id=org),
    "list_page": lambda c, org, job, _: c.notebooks.list_page(job, organization_id=org),
    "list": lambda c, org, job, _: c.notebooks.list(job, organization_id=org),
}
NOTEBOOK_CALLS: dict[str, tuple[str, Call]] = {
    "get": ("", lambda c, org, job, n: c.notebooks.get(job, n, organization_id=org)),
    "update": (
        "",
        lambda c, org, job, n: c.notebooks.update(
            job, n, instance_type="cpu-1", organization_id=org
        ),
    ),
    "delete": ("", lambda c, org, job, n: c.notebooks.delete(job, n, organization_id=org)),
    "start": ("/start", lambda c, org, job, n: c.notebooks.start(job, n, organization_id=org)),
    "stop": ("/stop", lambda c, org, job, n: c.notebooks.stop(job, n, organization_id=org)),
    "recent_logs": (
        "/recentlogs",
        lambda c, org, job, n: c.notebooks.recent_logs(job, n, organization_id=org),
    ),
    "logs": (  # not iterated: the ids are checked when logs() is called
        "/recentlogs",
        lambda c, org, job, n: c.notebooks.logs(job, n, organization_id=org),
    ),
    "wait_until": (
        "",
        lambda c, org, job, n: c.notebooks.wait_until(job, n, "Running", organization_id=org),
    ),
}
ALL_CALLS: dict[str, Call] = {
    **COLLECTION_CALLS,
    **{name: call for name, (_, call) in NOTEBOOK_CALLS.items()},
}
LAZY_CALLS = {"list", "logs"}
"""Calls that return an iterator: they check their arguments at once, and send on iteration."""

ApiCall = Callable[[APIClient, Any, Any, Any], object]
"""``call(api, organization_id, job_definition_name, notebook_id)`` on the low-level client."""

API_COLLECTION_CALLS: dict[str, ApiCall] = {
    "create_notebook": lambda api, org, job, _: api.create_notebook(org, job),
    "get_notebooks": lambda api, org, job, _: api.get_notebooks(org, job),
}
API_NOTEBOOK_CALLS: dict[str, ApiCall] = {
    "get_notebook": lambda api, org, job, n: api.get_notebook(org, job, n),
    "update_notebook": lambda api, org, job, n: api.update_notebook(
        org, job, n, instance_type="cpu-1"
    ),
    "delete_notebook": lambda api, org, job, n: api.delete_notebook(org, job, n),
    "start_notebook": lambda api, org, job, n: api.start_notebook(org, job, n),
    "stop_notebook": lambda api, org, job, n: api.stop_notebook(org, job, n),
    "get_notebook_recent_logs": lambda api, org, job, n: api.get_notebook_recent_logs(org, job, n),
}

REJECTED_STRINGS = [
    "",
    " ",
    "   ",
    "\t",
    "\n",
    "\u3000",  # ideographic space: blank to str.strip
    "\xa0",
    "\x85",  # next line: blank to str.strip
    ".",
    "..",
    "a\nb",
    "a\rb",
    "nul\x00",
    "\x1b[31mred",
    "del\x7f",
    "lone \ud800 surrogate",
]
REJECTED_TYPES: list[Any] = [None, 123, 1.5, True, b"bytes", ["a"], ("a",), {"a": 1}, object()]

ENCODED_IDS = [
    "a/b",
    "../x",
    "x/..",
    "...",
    ".hidden",
    "%2F",
    "a%2Fb",
    "%",
    "%25",
    "a?b=c",
    "a#frag",
    "a b",
    "a+b",
    "a;b",
    "a\\b",
    "@:!$&'()*,=",
    "ü-日本語-😀",
    "a\u2028b",  # a line separator is not blank and not a C0 control: it is encoded
    "\x9b",  # a C1 control character, encoded as well
]


@pytest.mark.parametrize("position", ["organization_id", "job_definition_name", "notebook_id"])
def test_every_bad_id_or_name_raises_before_any_request(
    client: Client, emulator: Emulator, position: str
) -> None:
    """Each rejected value, in each position, for every operation: the right error class, the
    parameter named in the message, and not one request sent."""
    problems: list[str] = []
    calls = ALL_CALLS
    if position == "notebook_id":
        calls = {name: call for name, (_, call) in NOTEBOOK_CALLS.items()}
    for bad in [*REJECTED_STRINGS, *REJECTED_TYPES]:
        if bad is None and position == "organization_id":
            continue  # None there means "the client's organization"
        expected = ValueError if isinstance(bad, str) else TypeError
        for name, call in calls.items():
            args = {
                "organization_id": (bad, JOB, "1900000000001"),
                "job_definition_name": (ORG, bad, "1900000000001"),
                "notebook_id": (ORG, JOB, bad),
            }[position]
            try:
                call(client, *args)
            except (ValueError, TypeError) as exc:
                if type(exc) is not expected or position not in str(exc):
                    problems.append(f"{name}({position}={bad!r}): {type(exc).__name__}: {exc}")
            else:
                problems.append(f"{name}({position}={bad!r}): no error")

    assert problems == []
    assert emulator.requests == []


@pytest.mark.parametrize("position", ["organization_id", "job_definition_name", "notebook_id"])
def test_any_other_id_is_sent_as_exactly_one_path_segment(
    client: Client, emulator: Emulator, position: str
) -> None:
    """The server gets the id back exactly, in the segment it belongs to: it answers 404 (no
    such organization, job definition or notebook), never another route's answer."""
    problems: list[str] = []
    for weird in ENCODED_IDS:
        calls: dict[str, tuple[str, Call]] = {
            name: ("", call) for name, call in COLLECTION_CALLS.items() if name != "list"
        } | NOTEBOOK_CALLS
        if position == "notebook_id":
            calls = NOTEBOOK_CALLS
        for name, (tail, call) in calls.items():
            org, job, nid = {
                "organization_id": (weird, JOB, "1900000000001"),
                "job_definition_name": (ORG, weird, "1900000000001"),
                "notebook_id": (ORG, JOB, weird),
            }[position]
            emulator.clear_requests()
            try:
                result = call(client, org, job, nid)
                if name in LAZY_CALLS:
                    list(cast("Iterable[object]", result))
            except NotFound as exc:
                description = exc.error_description or ""
            else:
                problems.append(f"{name}({position}={weird!r}): no NotFound")
                continue
            (request,) = emulator.requests
            segments = [unquote(s) for s in request.raw_path.split("/")[1:]]
            on_notebook = name in NOTEBOOK_CALLS
            expected = ["organizations", org, "training", "definitions", job, "notebooks"]
            if on_notebook:
                expected.append(nid)
            if tail:
                expected.append(tail.strip("/"))
            query = {"offset": ["0"]} if name == "list_page" else {}
            if segments != expected or request.query != query:
                problems.append(f"{name}({position}={weird!r}) went to {request.raw_path}")
            if quote(weird, safe="") not in request.raw_path:
                problems.append(f"{name}({position}={weird!r}): not percent-encoded")
            if position == "notebook_id" and weird not in description:
                problems.append(f"{name}: the server looked for another id: {description}")

    assert problems == []


def test_an_id_can_never_reach_another_route(client: Client, emulator: Emulator) -> None:
    """Ids crafted to point at a real notebook's other routes only ever name a missing
    notebook: the real one keeps running and is not deleted."""
    (nid,) = emulator.seed(1, status="Running")
    attacks = [
        f"{nid}/stop",
        f"{nid}%2Fstop",
        f"{nid}?x=/stop",
        f"{nid}#/stop",
        f"../notebooks/{nid}",
        f"{nid}/..",
        f"x/../{nid}",
    ]
    calls: list[Callable[[str], object]] = [
        lambda n: client.notebooks.delete(JOB, n),
        lambda n: client.notebooks.stop(JOB, n),
        lambda n: client.notebooks.update(JOB, n, instance_type="gpu-8"),
        lambda n: client.notebooks.delete(f"{JOB}/notebooks/{n}/..", nid),
        lambda n: client.notebooks.stop(f"x/../{JOB}", nid),
    ]
    outcomes: list[str] = []
    for attack in attacks:
        for call in calls:
            try:
                call(attack)
            except NotFound:
                outcomes.append("404")
            else:
                outcomes.append(f"reached something with {attack!r}")

    assert outcomes == ["404"] * len(attacks) * len(calls)
    truth = emulator.notebook(nid)
    assert (truth["status"], truth["instance_type"]) == ("Running", "cpu-1")


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(notebook_id=st.text(max_size=12))
def test_any_text_id_is_either_rejected_or_sent_as_itself(
    client: Client, emulator: Emulator, notebook_id: str
) -> None:
    """Property: for any text, either ValueError before a request, or one request whose path
    has exactly one more segment, which decodes back to the id."""
    rejected = (
        not notebook_id.strip()
        or notebook_id in (".", "..")
        or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in notebook_id)
    )
    emulator.clear_requests()
    if rejected:
        with pytest.raises(ValueError, match="notebook_id"):
            client.notebooks.get(JOB, notebook_id)
        assert emulator.requests == []
        return
    with pytest.raises(NotFound):
        client.notebooks.get(JOB, notebook_id)
    (request,) = emulator.requests
    assert request.raw_path.startswith(PREFIX + "/")
    segment = request.raw_path.removeprefix(PREFIX + "/")
    assert "/" not in segment
    assert unquote(segment) == notebook_id
    assert request.query == {}


def test_the_low_level_client_encodes_ids_the_same_way(api: APIClient, emulator: Emulator) -> None:
    problems: list[str] = []
    for weird in ENCODED_IDS:
        emulator.clear_requests()
        with pytest.raises(NotFound):
            api.get_notebook(ORG, JOB, weird)
        if emulator.requests[0].raw_path != f"{PREFIX}/{quote(weird, safe='')}":
            problems.append(weird)

    assert problems == []


@pytest.mark.parametrize("position", ["organization_id", "job_definition_name", "notebook_id"])
def test_the_low_level_client_rejects_every_bad_id_or_name_before_any_request(
    api: APIClient, emulator: Emulator, position: str
) -> None:
    """As for the resource model; ``None`` included, since ``APIClient`` has no default org."""
    problems: list[str] = []
    calls = API_NOTEBOOK_CALLS
    if position != "notebook_id":
        calls = API_COLLECTION_CALLS | API_NOTEBOOK_CALLS
    for bad in [*REJECTED_STRINGS, *REJECTED_TYPES]:
        expected = ValueError if isinstance(bad, str) else TypeError
        for name, call in calls.items():
            args = {
                "organization_id": (bad, JOB, "1900000000001"),
                "job_definition_name": (ORG, bad, "1900000000001"),
                "notebook_id": (ORG, JOB, bad),
            }[position]
            try:
                call(api, *args)
            except (ValueError, TypeError) as exc:
                if type(exc) is not expected or position not in str(exc):
                    problems.append(f"{name}({position}={bad!r}): {type(exc).__name__}: {exc}")
            else:
                problems.append(f"{name}({position}={bad!r}): no error")

    assert problems == []
    assert emulator.requests == []


# --- settings in request bodies --------------------------------------------------------------

BAD_NOTEBOOK_TYPES: list[tuple[Any, type[Exception]]] = [
    ("Lab", ValueError),
    ("LAB", ValueError),
    ("Notebook", ValueError),
    ("jupyter", ValueError),
    ("", ValueError),
    (" lab", ValueError),
    ("lab ", ValueError),
    ("lab\n", ValueError),
    (1, TypeError),
    (True, TypeError),
    (["lab"], TypeError),
]
BAD_INSTANCE_TYPES: list[tuple[Any, type[Exception]]] = [
    ("", ValueError),
    ("cpu", ValueError),
    ("cpu-", ValueError),
    ("cpu-x", ValueError),
    ("tpu-1", ValueError),
    ("CPU-1", ValueError),
    ("gpu:e-1", ValueError),
    ("gpu:-1", ValueError),
    ("gpu:bb-1", ValueError),
    ("gpu:b", ValueError),
    (" cpu-1", ValueError),
    ("cpu-1 ", ValueError),
    ("cpu-1\n", ValueError),
    ("cpu_1", ValueError),
    ("cpu--1", ValueError),
    ("cpu-1.", ValueError),
    ("cpu-.5", ValueError),
    ("cpu-1.2.3", ValueError),
    ("cpu-\u0661", ValueError),  # an Arabic-Indic digit one: not the grammar's {n}
    ("cpu-\uff11", ValueError),  # a fullwidth digit one
    (1, TypeError),
    (["cpu-1"], TypeError),
]

BAD_IMAGES_AND_MOUNTS: list[tuple[str, Any, type[Exception], str]] = [
    ("image", "", ValueError, "image must not be empty"),
    ("image", "  ", ValueError, "image must not be empty"),
    ("image", 1, TypeError, "image must be a str"),
    ("datalakes", "channel-1", TypeError, "datalakes must be a list of str"),
    ("datalakes", [1], TypeError, "each of datalakes must be a str"),
    ("buckets", "bucket-1", TypeError, "buckets must be a list of str"),
    ("buckets", [""], ValueError, "each of buckets must not be empty"),
    ("datasets", ["a"], TypeError, "datasets must be a dict"),
    ("datasets", {"alias": 1}, TypeError, "each value of datasets must be a str"),
]
"""``(field, value, error, the start of the message)``."""

SettingsCall = Callable[[Client, str, dict[str, Any]], object]
SETTINGS_CALLS: dict[str, tuple[SettingsCall, tuple[str, ...]]] = {
    "create": (
        lambda c, _, kw: c.notebooks.create(JOB, **kw),
        ("notebook_type", "instance_type", "image", "datalakes", "buckets", "datasets"),
    ),
    "update": (
        lambda c, n, kw: c.notebooks.update(JOB, n, **kw),
        ("notebook_type", "instance_type", "image"),
    ),
    "start": (
        lambda c, n, kw: c.notebooks.start(JOB, n, **kw),
        ("notebook_type", "datalakes", "buckets", "datasets"),
    ),
}


def test_bad_notebook_and_instance_types_raise_before_any_request(
    client: Client, emulator: Emulator
) -> None:
    problems: list[str] = []
    for name, (call, accepts) in SETTINGS_CALLS.items():
        for field, cases in (
            ("notebook_type", BAD_NOTEBOOK_TYPES),
            ("instance_type", BAD_INSTANCE_TYPES),
        ):
            if field not in accepts:
                continue
            for bad, expected in cases:
                try:
                    call(client, "1900000000001", {field: bad})
                except (ValueError, TypeError) as exc:
                    wanted = "must be" if expected is TypeError else "must"
                    if type(exc) is not expected or not str(exc).startswith(f"{field} {wanted}"):
                        problems.append(f"{name}({field}={bad!r}): {type(exc).__name__}: {exc}")
                else:
                    problems.append(f"{name}({field}={bad!r}): no error")

    assert problems == []
    assert emulator.requests == []


def test_bad_images_and_mounts_raise_before_any_request(client: Client, emulator: Emulator) -> None:
    problems: list[str] = []
    for name, (call, accepts) in SETTINGS_CALLS.items():
        for field, bad, expected, message in BAD_IMAGES_AND_MOUNTS:
            if field not in accepts:
                continue
            try:
                call(client, "1900000000001", {field: bad})
            except (ValueError, TypeError) as exc:
                if type(exc) is not expected or not str(exc).startswith(message):
                    problems.append(f"{name}({field}={bad!r}): {type(exc).__name__}: {exc}")
            else:
                problems.append(f"{name}({field}={bad!r}): no error")

    assert problems == []
    assert emulator.requests == []


def test_the_instance_type_error_shows_the_grammar(client: Client) -> None:
    with pytest.raises(ValueError, match="instance_type") as caught:
        client.notebooks.create(JOB, instance_type="cpu-\uff11")

    assert str(caught.value) == (
        "instance_type must look like 'cpu-1', 'cpu-0.25', 'gpu-1' or 'gpu:b-4' "
        "({cpu|gpu}[:{a-d}]-{n}), got 'cpu-\uff11'"
    )


WELL_FORMED_INSTANCE_TYPES = [
    "cpu-0.25",
    "cpu-1",
    "cpu-16",
    "cpu-128",
    "cpu-1024",
    "gpu-1",
    "gpu:a-0.5",
    "gpu:b-4",
    "gpu:d-8",
    "gpu:d-64",
]
NEW_IMAGES = [
    "abeja-inc/new:29.01",
    "abeja-inc/all-gpu:99.99",
    "registry.example.com:5000/team/image@sha256:" + "0" * 64,
    "abeja-inc/ünicode:1",
]


def test_well_formed_unknown_values_and_new_images_pass_everywhere(
    client: Client, emulator: Emulator
) -> None:
    (nid,) = emulator.seed(1)
    for instance_type, image in zip(WELL_FORMED_INSTANCE_TYPES, itertools.cycle(NEW_IMAGES)):
        made = client.notebooks.create(JOB, instance_type=instance_type, image=image)
        changed = client.notebooks.update(JOB, nid, instance_type=instance_type, image=image)

        assert (made.instance_type, made.image) == (instance_type, image)
        assert (changed.instance_type, changed.image) == (instance_type, image)
        assert emulator.requests[-1].json == {"instance_type": instance_type, "image": image}


# --- page sizes ------------------------------------------------------------------------------

PAGE_ARGS: list[tuple[str, dict[str, Any], type[Exception]]] = [
    ("list", {"page_size": 0}, ValueError),
    ("list", {"page_size": -1}, ValueError),
    ("list", {"page_size": -5}, ValueError),
    ("list", {"page_size": True}, TypeError),
    ("list", {"page_size": 2.0}, TypeError),
    ("list", {"page_size": 1.5}, TypeError),
    ("list", {"page_size": "10"}, TypeError),
    ("list", {"max_items": 0}, ValueError),
    ("list", {"max_items": -3}, ValueError),
    ("list", {"max_items": False}, TypeError),
    ("list", {"max_items": math.inf}, TypeError),
    ("list_page", {"limit": 0}, ValueError),
    ("list_page", {"limit": -1}, ValueError),
    ("list_page", {"limit": True}, TypeError),
    ("list_page", {"limit": "10"}, TypeError),
    ("list_page", {"offset": -1}, ValueError),
    ("list_page", {"offset": True}, TypeError),
    ("list_page", {"offset": 0.0}, TypeError),
    ("list_page", {"offset": "2"}, TypeError),
]


def test_bad_page_sizes_offsets_and_limits_raise_before_any_request(
    client: Client, emulator: Emulator
) -> None:
    problems: list[str] = []
    for method, kwargs, expected in PAGE_ARGS:
        (argument,) = kwargs
        try:
            getattr(client.notebooks, method)(JOB, **kwargs)
        except (ValueError, TypeError) as exc:
            if type(exc) is not expected or argument not in str(exc):
                problems.append(f"{method}({kwargs}): {type(exc).__name__}: {exc}")
        else:
            problems.append(f"{method}({kwargs}): no error")

    assert problems == []
    assert emulator.requests == []


# --- waiting and following ------------------------------------------------------------------

WAIT_ARGS: list[tuple[dict[str, Any], type[Exception]]] = [
    ({"timeout": 0}, ValueError),
    ({"timeout": -1}, ValueError),
    ({"timeout": math.inf}, ValueError),
    ({"timeout": True}, TypeError),
    ({"poll_interval": 0}, ValueError),
    ({"poll_interval": math.nan}, ValueError),
    ({"poll_interval": "1"}, TypeError),
]
WaitCall = Callable[[Client, dict[str, Any]], object]
WAIT_CALLS: dict[str, WaitCall] = {
    "wait_until": lambda c, kw: c.notebooks.wait_until(JOB, "1", "Running", **kw),
    "logs(follow=True)": lambda c, kw: c.notebooks.logs(JOB, "1", follow=True, **kw),
}


def test_bad_wait_and_follow_durations_raise_before_any_request(
    client: Client, emulator: Emulator
) -> None:
    problems: list[str] = []
    for name, call in WAIT_CALLS.items():
        for kwargs, expected in WAIT_ARGS:
            (argument,) = kwargs
            wanted = "must be a finite number > 0" if expected is ValueError else "must be a number"
            try:
                call(client, kwargs)
            except (ValueError, TypeError) as exc:
                if type(exc) is not expected or not str(exc).startswith(f"{argument} {wanted}"):
                    problems.append(f"{name}({kwargs}): {type(exc).__name__}: {exc}")
            else:
                problems.append(f"{name}({kwargs}): no error")

    assert problems == []
    assert emulator.requests == []


def test_wait_until_rejects_an_empty_set_of_statuses(client: Client, emulator: Emulator) -> None:
    with pytest.raises(ValueError, match="at least one status"):
        client.notebooks.wait_until(JOB, "1", [])

    assert emulator.requests == []


# --- timeouts, deadlines and retry counts ----------------------------------------------------

OPTION_VALUES: list[tuple[str, Any, type[Exception]]] = [
    ("timeout", 0, ValueError),
    ("timeout", -1, ValueError),
    ("timeout", math.nan, ValueError),
    ("timeout", math.inf, ValueError),
    ("timeout", "30", TypeError),
    ("timeout", True, TypeError),
    ("timeout", httpx.Timeout(-1), ValueError),
    ("timeout", httpx.Timeout(5, read=0), ValueError),
    ("timeout", httpx.Timeout(5, connect=math.nan), ValueError),
    ("max_retries", -1, ValueError),
    ("max_retries", 1.5, TypeError),
    ("max_retries", "3", TypeError),
    ("max_retries", True, TypeError),
    ("deadline", 0, ValueError),
    ("deadline", -5, ValueError),
    ("deadline", math.nan, ValueError),
    ("deadline", math.inf, ValueError),
    ("deadline", "5", TypeError),
    ("deadline", False, TypeError),
    ("retry_policy", {"initial_delay": 1}, TypeError),
]
BAD_POLICIES: list[dict[str, float]] = [
    {"initial_delay": -1},
    {"max_delay": math.nan},
    {"jitter": 1.5},
    {"jitter": -0.1},
    {"max_retry_after": -1},
    {"max_retry_after": math.inf},
]

Builder = Callable[[dict[str, Any]], object]


def builders(make_client: MakeClient) -> dict[str, Builder]:
    base = make_client()
    return {
        "Client": lambda kw: Client(auth_token="t", **kw),
        "AsyncClient": lambda kw: AsyncClient(auth_token="t", **kw),
        "with_options": lambda kw: base.with_options(**kw),
        "APIClient": lambda kw: APIClient(
            {"auth_token": "t"},
            **{"max_retry_count" if k == "max_retries" else k: v for k, v in kw.items()},
        ),
    }


def test_bad_timeouts_deadlines_and_retry_counts_raise_when_the_client_is_built(
    make_client: MakeClient, emulator: Emulator
) -> None:
    problems: list[str] = []
    for where, build in builders(make_client).items():
        for option, value, expected in OPTION_VALUES:
            named = "max_retry_count" if (where, option) == ("APIClient", "max_retries") else option
            try:
                build({option: value})
            except (ValueError, TypeError) as exc:
                if type(exc) is not expected or named not in str(exc):
                    problems.append(f"{where}({option}={value!r}): {type(exc).__name__}: {exc}")
            else:
                problems.append(f"{where}({option}={value!r}): no error")

    assert problems == []
    assert emulator.requests == []


@pytest.mark.parametrize("fields", BAD_POLICIES, ids=repr)
def test_a_bad_retry_policy_is_rejected_when_it_is_made(fields: dict[str, float]) -> None:
    (name,) = fields
    with pytest.raises(ValueError, match=f"RetryPolicy.{name}"):
        RetryPolicy(**fields)
