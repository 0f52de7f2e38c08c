"""Each answer form a served emulator offers as a flag, through a real ``python -m`` process.

A client in any language is tested against a served emulator; these tests check that each
dialect flag changes exactly the answers it names, and that the SDK's own ``Client`` works
against every one of them.
"""

from __future__ import annotations

import os
import re
import selectors
import signal
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from abeja_notebooks import AsyncClient, AsyncNotebook, Client, Notebook, NotebookStatus
from abeja_notebooks.testing import Dialect

from ._support import BEARER, JOB, ORG, TLS, P

pytestmark = pytest.mark.slow

DEFAULT_FORMS: dict[str, str] = {
    "list": "envelope",
    "create id": "str",
    "update id": "str",
    "start": "notebook",
    "start id": "str",
    "stop": "notebook",
    "stop id": "str",
    "delete": "value",
    "notebook time": "0000-00-00T00:00:00.000000Z",
    "creator time": "0000-00-00T00:00:00Z",
    "log time": "0000-00-00T00:00:00.000Z",
    "error body": "error, error_description, error_detail",
    "request id header": "x-request-id",
}
"""What a served emulator answers with no dialect flag, per operation (times as shapes: each
digit a 0)."""

FLAGS: dict[str, tuple[list[str], dict[str, str]]] = {
    "default": ([], {}),
    "bare list": (["--list-form", "bare"], {"list": "bare"}),
    "message actions": (
        ["--action-response", "message"],
        {"start": "message", "start id": "-", "stop": "message", "stop id": "-"},
    ),
    "message delete": (["--delete-response", "message"], {"delete": "message"}),
    "int ids": (
        ["--int-ids-in-actions"],
        {"update id": "int", "start id": "int", "stop id": "int"},
    ),
    "number ids": (
        ["--ids", "number"],
        {"create id": "int", "update id": "int", "start id": "int", "stop id": "int"},
    ),
    "offset times": (
        ["--timestamps", "offset"],
        {
            "notebook time": "0000-00-00T00:00:00.000000+00:00",
            "creator time": "0000-00-00T00:00:00+00:00",
            "log time": "0000-00-00T00:00:00.000+00:00",
        },
    ),
    "naive times": (
        ["--timestamps", "naive"],
        {
            "notebook time": "0000-00-00T00:00:00.000000",
            "creator time": "0000-00-00T00:00:00",
            "log time": "0000-00-00T00:00:00.000",
        },
    ),
    "millis times": (
        ["--timestamps", "millis"],
        {
            "notebook time": "0000-00-00T00:00:00.000Z",
            "creator time": "0000-00-00T00:00:00.000Z",
        },
    ),
    "message errors": (["--error-body", "message"], {"error body": "message"}),
    "amazon request ids": (
        ["--request-id-header", "x-amzn-requestid"],
        {"request id header": "x-amzn-requestid"},
    ),
    "no request ids": (["--request-id-header", "none"], {"request id header": "-"}),
}
"""Each flag as a user types it, and the answers it changes (from ``DEFAULT_FORMS``)."""


@pytest.fixture(scope="module", params=list(FLAGS))
def dialect(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    """A served emulator speaking one dialect: (its name, its base URL)."""
    name: str = request.param
    flags = FLAGS[name][0]
    env = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}
    command = [sys.executable, "-m", "abeja_notebooks.testing", "--port", "0", "--start-delay", "0"]
    process = subprocess.Popen(
        [*command, *flags],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        assert selector.select(20.0), "the emulator printed nothing in time"
    base_url = process.stdout.readline().strip()
    try:
        yield name, base_url
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=10)


def _id_form(answer: Any) -> str:
    if "training_notebook_id" not in answer:
        return "-"
    return type(answer["training_notebook_id"]).__name__


def _time_shape(text: str) -> str:
    return re.sub("[0-9]", "0", text)


def _request_id_header(response: httpx.Response) -> str:
    names = [name for name in ("x-request-id", "x-amzn-requestid") if name in response.headers]
    return ",".join(names) or "-"


def _observe(http: httpx.Client) -> dict[str, str]:
    """Run every operation once over raw HTTP and name the form of each answer."""
    created_response = http.post(P, json={})
    created = created_response.json()
    nid = str(created["training_notebook_id"])
    listing = http.get(P).json()
    updated = http.put(f"{P}/{nid}", json={"instance_type": "cpu-2"}).json()
    http.post(f"{P}/{nid}/stop", json={})
    started = http.post(f"{P}/{nid}/start", json={}).json()
    log_time = http.get(f"{P}/{nid}/recentlogs").json()["events"][0]["timestamp"]
    stopped = http.post(f"{P}/{nid}/stop", json={}).json()
    deleted = http.delete(f"{P}/{nid}").json()
    missing = http.get(f"{P}/{nid}").json()
    return {
        "list": "bare" if isinstance(listing, list) else "envelope",
        "create id": _id_form(created),
        "update id": _id_form(updated),
        "start": "message" if set(started) == {"message"} else "notebook",
        "start id": _id_form(started),
        "stop": "message" if set(stopped) == {"message"} else "notebook",
        "stop id": _id_form(stopped),
        "delete": "value" if set(deleted) == {"value"} else "message",
        "notebook time": _time_shape(created["created_at"]),
        "creator time": _time_shape(created["creator"]["created_at"]),
        "log time": _time_shape(log_time),
        "error body": ", ".join(missing),
        "request id header": _request_id_header(created_response),
    }


def test_each_dialect_flag_changes_exactly_the_answers_it_names(
    dialect: tuple[str, str],
) -> None:
    name, base_url = dialect
    with httpx.Client(base_url=base_url, headers=BEARER, timeout=5.0, verify=TLS) as http:
        observed = _observe(http)

    assert observed == {**DEFAULT_FORMS, **FLAGS[name][1]}


def test_the_sdk_client_runs_a_whole_lifecycle_against_each_dialect(
    dialect: tuple[str, str],
) -> None:
    _, base_url = dialect
    with Client(base_url=base_url, organization_id=ORG, auth_token="t") as client:
        nb = client.notebooks.create(JOB, notebook_type="lab")
        nid = nb.id
        nb.wait_until("Running", timeout=10)
        listed = [item.id for item in client.notebooks.list(JOB)]
        nb.update(instance_type="cpu-2")
        nb.stop()
        stopped_status = nb.status
        nb.start()
        started_status = nb.status
        nb.stop()
        logs = [event.message for event in nb.logs(history=True)]
        nb.delete()
        remaining = [item.id for item in client.notebooks.list(JOB)]

    assert isinstance(nb, Notebook)
    assert nb.id == nid
    assert nid in listed
    assert stopped_status is NotebookStatus.STOPPED
    assert started_status in (NotebookStatus.PENDING, NotebookStatus.RUNNING)
    assert logs[0] == "starting notebook server (lab)"
    assert nid not in remaining


async def test_the_async_client_runs_a_whole_lifecycle_against_each_dialect(
    dialect: tuple[str, str],
) -> None:
    _, base_url = dialect
    async with AsyncClient(base_url=base_url, organization_id=ORG, auth_token="t") as client:
        nb = await client.notebooks.create(JOB)
        nid = nb.id
        await nb.wait_until("Running", timeout=10)
        await nb.update(instance_type="cpu-2")
        await nb.stop()
        await nb.start()
        await nb.stop()
        await nb.delete()
        remaining = [item.id async for item in client.notebooks.list(JOB)]

    assert isinstance(nb, AsyncNotebook)
    assert nb.id == nid
    assert nid not in remaining


def test_every_dialect_form_has_a_flag_tested_here() -> None:
    tested = {tuple(flags) for flags, _ in FLAGS.values() if flags}
    offered = {tuple(variant.to_args()) for variant in Dialect.variants()}

    assert offered == tested
