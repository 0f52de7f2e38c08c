"""The drop-in promise, checked against the real old client: ``abeja-sdk``'s APIClient and ours,
called the same way, put the same requests on the wire, and the old client works unchanged
against the bundled emulator.

The old client runs in its own interpreter (``ABEJA_SDK_PYTHON``, a venv with ``abeja-sdk``:
``scripts/test`` makes one), so it never becomes a dependency of this project.
"""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any

import pytest

from abeja_notebooks import APIClient
from abeja_notebooks.testing import Emulator, EmulatorServer

ORG, JOB = "1410000000000", "train-resnet"

# The same calls, written once for both clients: (method, positional args, keyword args), with
# "{nid}" standing for the id the first create returned.
CALLS: list[tuple[str, list[str], dict[str, str]]] = [
    ("create_notebook", [ORG, JOB, "cpu-1", "abeja-inc/all-cpu:19.10", "lab"], {}),
    ("create_notebook", [ORG, JOB], {}),
    ("create_notebook", [ORG, JOB], {"image": "abeja-inc/all-gpu:20.10"}),
    ("get_notebooks", [ORG, JOB], {}),
    ("get_notebook", [ORG, JOB, "{nid}"], {}),
    ("update_notebook", [ORG, JOB, "{nid}"], {"instance_type": "cpu-4"}),
    ("update_notebook", [ORG, JOB, "{nid}", "cpu-2", "abeja-inc/all-cpu:19.10", "notebook"], {}),
    ("stop_notebook", [ORG, JOB, "{nid}"], {}),
    ("start_notebook", [ORG, JOB, "{nid}"], {"notebook_type": "notebook"}),
    ("get_notebook_recent_logs", [ORG, JOB, "{nid}"], {}),
    ("delete_notebook", [ORG, JOB, "{nid}"], {}),
]

OLD_CLIENT_SCRIPT = """
import json, sys
from abeja.notebook import APIClient
api = APIClient(credential={"auth_token": "compat-token"})
results, nid = [], None
for method, args, kwargs in json.loads(sys.argv[1]):
    args = [a.replace("{nid}", nid or "") for a in args]
    result = getattr(api, method)(*args, **kwargs)
    nid = nid or result["training_notebook_id"]
    results.append(result)
print(json.dumps(results))
"""


@pytest.fixture
def old_python() -> str:
    python = os.environ.get("ABEJA_SDK_PYTHON")
    if not python:
        pytest.skip("set ABEJA_SDK_PYTHON to a Python with abeja-sdk (scripts/test does)")
    return python


def wire(emulator: Emulator) -> list[tuple[str, str, dict[str, list[str]], Any, str | None]]:
    return [
        (r.method, r.raw_path, r.query, r.json, r.headers.get("authorization"))
        for r in emulator.requests
    ]


def run_ours(server: EmulatorServer) -> list[Any]:
    results: list[Any] = []
    nid = ""
    with APIClient({"auth_token": "compat-token"}, base_url=server.base_url) as api:
        for method, args, kwargs in CALLS:
            result = getattr(api, method)(*(a.replace("{nid}", nid) for a in args), **kwargs)
            nid = nid or result["training_notebook_id"]
            results.append(result)
    return results


def run_old(python: str, server: EmulatorServer) -> list[Any]:
    done = subprocess.run(
        [python, "-c", OLD_CLIENT_SCRIPT, json.dumps(CALLS)],
        env={**os.environ, "ABEJA_API_URL": server.base_url},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    results: list[Any] = json.loads(done.stdout)
    return results


@pytest.mark.slow
def test_the_old_client_and_ours_send_the_same_requests_and_get_the_same_answers(
    old_python: str,
) -> None:
    old_emulator, new_emulator = Emulator(), Emulator()

    with EmulatorServer(old_emulator) as server:
        old_results = run_old(old_python, server)
    with EmulatorServer(new_emulator) as server:
        new_results = run_ours(server)

    assert wire(new_emulator) == wire(old_emulator)
    assert len(wire(new_emulator)) == len(CALLS)
    assert new_results == old_results
    old_headers, new_headers = old_emulator.requests[0].headers, new_emulator.requests[0].headers
    assert old_headers["content-type"] == new_headers["content-type"] == "application/json"
    assert old_headers["user-agent"].startswith("abeja-platform-sdk/")
    assert new_headers["user-agent"].startswith("abeja-notebooks/")
