"""In a real IPython kernel: how notebooks, pages and errors display, and what completion offers.

The kernel is the project's own Python running ``ipykernel`` (started offline, from a kernel
spec written here), driven by ``nbclient`` the way Jupyter drives it: each cell is executed and
its outputs are read as a front end reads them (``text/plain``, ``text/html``, errors).
Completion goes through the kernel's ``complete_request``. The code in the cells talks HTTP to
the emulator served by this process.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from abeja_notebooks.testing import Emulator, EmulatorServer
from tests.support import JOB, ORG, PYDANTIC_V1_NAMES

if TYPE_CHECKING:
    from nbclient import NotebookClient

# The Jupyter stack is in the dev extra only (jupyter_client wants a newer python-dateutil than
# the lowest the SDK supports): the test-only runs skip these tests and say so.
pytestmark = [pytest.mark.slow, pytest.mark.needs("nbformat", "nbclient", "ipykernel")]


class Kernel:
    """A running kernel: execute cells, ask for completions."""

    def __init__(self, client: NotebookClient) -> None:
        self.client = client
        self.notebook = client.nb

    def run(self, code: str) -> list[dict[str, Any]]:
        """Execute ``code`` as the next cell; return its outputs as a front end receives them."""
        import nbformat

        cell: Any = nbformat.v4.new_code_cell(code)  # type: ignore[no-untyped-call]  # nbformat leaves it unannotated
        self.notebook.cells.append(cell)
        self.client.execute_cell(cell, len(self.notebook.cells) - 1)
        return [dict(output) for output in cell.outputs]

    def shown(self, code: str) -> dict[str, str]:
        """The rich display data of the value of a cell ending in an expression."""
        (result,) = [o for o in self.run(code) if o["output_type"] == "execute_result"]
        return dict(result["data"])

    def complete(self, code: str) -> list[str]:
        """What the kernel offers for completion at the end of ``code``."""
        kc: Any = self.client.kc
        msg_id = kc.complete(code, len(code))
        while True:
            reply = kc.get_shell_msg(timeout=60)
            if reply["parent_header"].get("msg_id") == msg_id:
                return list(reply["content"]["matches"])


@pytest.fixture(scope="module")
def emulator_and_url() -> Iterator[tuple[Emulator, str]]:
    emulator = Emulator()
    with EmulatorServer(emulator) as server:
        yield emulator, server.base_url


@pytest.fixture(scope="module")
def kernel(
    tmp_path_factory: pytest.TempPathFactory, emulator_and_url: tuple[Emulator, str]
) -> Iterator[Kernel]:
    home = tmp_path_factory.mktemp("jupyter")
    spec = home / "kernels" / "sdk"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "language": "python"}))
    import nbformat
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    manager = KernelManager(
        kernel_name="sdk", kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(spec.parent)])
    )
    notebook: Any = nbformat.v4.new_notebook()  # type: ignore[no-untyped-call]  # unannotated too
    client = NotebookClient(notebook, km=manager, timeout=60, allow_errors=True)
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("ABEJA", "PLATFORM_", "TRAINING_"))
    }
    env |= {"IPYTHONDIR": str(home / "ipython"), "ABEJA_NOTEBOOKS_CONFIG_FILE": ""}
    with client.setup_kernel(env=env):
        kernel = Kernel(client)
        kernel.run(
            "from abeja_notebooks import Client\n"
            f"client = Client(base_url={emulator_and_url[1]!r}, organization_id={ORG!r}, "
            "auth_token='kernel-token', max_retries=0)"
        )
        yield kernel
        kc: Any = client.kc  # a kernel manager handed in is not cleaned up by nbclient
        kc.stop_channels()
    manager.shutdown_kernel(now=True)


def test_a_notebook_displays_as_one_short_line_and_a_table(
    kernel: Kernel, emulator_and_url: tuple[Emulator, str]
) -> None:
    (nid,) = emulator_and_url[0].seed(1, status="Running")
    document = emulator_and_url[0].notebook(nid)
    name, instance_type = document["name"], document["instance_type"]

    shown = kernel.shown(f"nb = client.notebooks.get({JOB!r}, {nid!r})\nnb")

    assert shown["text/plain"] == (
        f"Notebook(id='{nid}', name='{name}', status='Running', instance_type='{instance_type}')"
    )
    assert shown["text/html"].startswith("<table><caption>Notebook</caption>")
    assert f"<td style='text-align:left'>{nid}</td>" in shown["text/html"]
    assert f"<td style='text-align:left'>{instance_type}</td>" in shown["text/html"]


def test_a_page_pretty_prints_one_notebook_a_line_and_shows_a_table(
    kernel: Kernel, emulator_and_url: tuple[Emulator, str]
) -> None:
    emulator = emulator_and_url[0]
    ids = emulator.seed(3, status="Stopped")
    total = len(emulator.notebooks())

    shown = kernel.shown(f"client.notebooks.list_page({JOB!r}, offset={total - 3})")

    lines = shown["text/plain"].splitlines()
    assert lines[0] == (
        f"NotebookPage[Notebook](total={total}, offset={total - 3}, limit=10, entries=["
    )
    assert [line.split("'")[1] for line in lines[1:-1]] == ids
    assert all(line.startswith("    Notebook(id=") for line in lines[1:-1])
    assert lines[-1] == "])"
    assert shown["text/html"].count("<tr>") == 1 + 3  # the header row and a row per notebook
    assert f"notebooks {total - 2}\u2013{total} of {total}" in shown["text/html"]


def test_an_error_raised_in_a_cell_leads_with_its_reason(kernel: Kernel) -> None:
    outputs = kernel.run(f"client.notebooks.get({JOB!r}, '1999')")

    (error,) = [o for o in outputs if o["output_type"] == "error"]
    assert error["ename"] == "NotFound"
    assert error["evalue"].startswith("notebook 1999 not found: 404 Not Found for GET http://")


def test_an_error_shown_as_a_value_says_what_went_wrong(kernel: Kernel) -> None:
    shown = kernel.shown(
        "from abeja_notebooks import NotFound\n"
        "try:\n"
        f"    client.notebooks.get({JOB!r}, '1999')\n"
        "except NotFound as caught:\n"
        "    error = caught\n"
        "error"
    )

    assert shown["text/plain"].startswith("NotFound('notebook 1999 not found: 404 Not Found")


def test_completion_on_a_notebook_offers_the_sdk_and_no_deprecated_pydantic_name(
    kernel: Kernel, emulator_and_url: tuple[Emulator, str]
) -> None:
    (nid,) = emulator_and_url[0].seed(1)
    kernel.run(f"nb = client.notebooks.get({JOB!r}, {nid!r})")

    offered = {match.removeprefix("nb.") for match in kernel.complete("nb.")}

    assert {"start", "stop", "wait_until", "to_dict", "status", "model_dump"} <= offered
    assert offered & PYDANTIC_V1_NAMES == set()
