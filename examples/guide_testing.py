"""The examples of the testing guide (docs/guides/testing.md): your code and its tests.

In your project the first function lives in your package and the tests in your ``tests/``;
the ``notebook_*`` fixtures come from the pytest plugin that abeja-notebooks installs.
"""

from __future__ import annotations

# --8<-- [start:imports]
import httpx
import pytest

from abeja_notebooks import AsyncClient, Client, NotebookStatus
from abeja_notebooks.testing import DEFAULT_ORGANIZATION_ID, Emulator, EmulatorServer, ManualClock
from abeja_notebooks.testing.pytest_plugin import TEST_TOKEN

# --8<-- [end:imports]


# --8<-- [start:code]
def stop_running_notebooks(client: Client, job_definition_name: str) -> list[str]:
    """Stop every running notebook of a job definition; return their ids."""
    notebooks = client.notebooks.list(job_definition_name)
    running = [nb for nb in notebooks if nb.status == NotebookStatus.RUNNING]
    for nb in running:
        nb.stop()
    return [nb.id for nb in running]


# --8<-- [end:code]


# --8<-- [start:first-test]
def test_stops_only_the_running_notebooks(
    notebook_client: Client, notebook_emulator: Emulator
) -> None:
    running = notebook_emulator.seed(2, status="Running")
    notebook_emulator.seed(1, status="Stopped")

    stopped = stop_running_notebooks(notebook_client, "train-resnet")

    assert stopped == running
    assert {nb["status"] for nb in notebook_emulator.notebooks()} == {"Stopped"}


# --8<-- [end:first-test]


# --8<-- [start:clock]
def test_a_new_notebook_runs_after_the_start_delay(
    notebook_client: Client, notebook_emulator: Emulator, notebook_clock: ManualClock
) -> None:
    nb = notebook_client.notebooks.create("train-resnet")
    assert nb.status == "Pending"

    notebook_clock.advance(notebook_emulator.start_delay)  # no real time passes

    assert nb.refresh().status == "Running"
    notebook_emulator.fail(nb.id, "out of memory")
    assert nb.refresh().status_message == "out of memory"


# --8<-- [end:clock]


# --8<-- [start:faults]
def test_a_busy_api_is_retried(
    notebook_client: Client, notebook_emulator: Emulator, notebook_clock: ManualClock
) -> None:
    (notebook_id,) = notebook_emulator.seed(1, status="Running")
    notebook_emulator.inject(status=503, retry_after="2", method="POST", path=r"/stop$")

    assert stop_running_notebooks(notebook_client, "train-resnet") == [notebook_id]
    assert notebook_clock.sleeps == [2.0]  # waited as Retry-After said, in no real time


def test_a_lost_answer_to_a_stop_is_not_an_error(
    notebook_client: Client, notebook_emulator: Emulator
) -> None:
    notebook_emulator.seed(1, status="Running")
    # The server stops the notebook, then the connection drops before the answer arrives.
    notebook_emulator.inject(drop=True, method="POST", path=r"/stop$", after=True)

    stop_running_notebooks(notebook_client, "train-resnet")

    # The retried stop meets 409 (already stopped), which means the first one worked: the
    # notebook is read again instead of raising Conflict.
    assert [r.method for r in notebook_emulator.requests] == ["GET", "POST", "POST", "GET"]


# --8<-- [end:faults]


# --8<-- [start:requests]
def test_what_goes_over_the_wire(notebook_client: Client, notebook_emulator: Emulator) -> None:
    (notebook_id,) = notebook_emulator.seed(1, status="Running")

    stop_running_notebooks(notebook_client, "train-resnet")

    listing, stop = notebook_emulator.requests
    assert (listing.method, listing.query) == ("GET", {"offset": ["0"], "limit": ["100"]})
    assert (stop.method, stop.path.endswith(f"/notebooks/{notebook_id}/stop")) == ("POST", True)
    assert stop.json == {}
    assert stop.headers["authorization"] == f"Bearer {TEST_TOKEN}"


# --8<-- [end:requests]


# --8<-- [start:in-process]
def test_without_a_socket(notebook_emulator: Emulator, notebook_clock: ManualClock) -> None:
    with (
        httpx.Client(transport=notebook_emulator.transport()) as http,
        Client(
            base_url="http://emulator.invalid",  # never resolved: the transport answers
            organization_id=DEFAULT_ORGANIZATION_ID,
            auth_token="any-token",
            http_client=http,
            clock=notebook_clock,
        ) as client,
    ):
        notebook_emulator.seed(3, status="Running")
        assert len(stop_running_notebooks(client, "train-resnet")) == 3


# --8<-- [end:in-process]


# --8<-- [start:async]
@pytest.mark.asyncio
async def test_async_code(
    notebook_emulator_server: EmulatorServer, notebook_clock: ManualClock
) -> None:
    async with AsyncClient(
        base_url=notebook_emulator_server.base_url,
        organization_id=DEFAULT_ORGANIZATION_ID,
        auth_token=TEST_TOKEN,
        clock=notebook_clock,  # sleeps move the emulator's clock
    ) as client:
        nb = await client.notebooks.create("train-resnet")
        await nb.wait_until("Running")
        assert notebook_clock.sleeps == [2.0]  # one poll interval, then Running


# --8<-- [end:async]
