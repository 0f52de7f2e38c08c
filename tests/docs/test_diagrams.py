"""The diagrams of the guides are what scripts/diagrams.py draws, from facts that hold.

The script keeps what each picture shows as data (``LIFECYCLE``, ``RETRY_ROWS``); the tests
check that data against the emulator and the retries guide's table, and the committed SVG files
against what the script draws from it.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from types import ModuleType
from typing import Literal

import pytest

from abeja_notebooks import Client, Conflict
from abeja_notebooks.testing import Emulator

from .blocks import ROOT
from .test_docs_match import RETRIES, tables


def _diagrams() -> ModuleType:
    spec = importlib.util.spec_from_file_location("diagrams", ROOT / "scripts" / "diagrams.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


DIAGRAMS = _diagrams()


def test_the_committed_diagrams_are_what_the_script_draws() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "diagrams.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )

    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    ("call", "status"),
    [(call, status) for call, moves in DIAGRAMS.LIFECYCLE.items() for status in moves],
)
def test_the_lifecycle_diagram_shows_what_a_start_or_stop_does(
    call: str,
    status: Literal["Pending", "Running", "Stopped", "Failed"],
    notebook_client: Client,
    notebook_emulator: Emulator,
) -> None:
    (notebook_id,) = notebook_emulator.seed(1, status=status)
    nb = notebook_client.notebooks.get("train-resnet", notebook_id)
    shown = DIAGRAMS.LIFECYCLE[call][status]

    if shown == 409:
        with pytest.raises(Conflict):
            getattr(nb, call)()
    else:
        getattr(nb, call)()
        assert nb.status == shown


def test_the_retry_diagram_shows_the_retry_table() -> None:
    (table,) = tables("failure", [RETRIES])
    keys = {
        "the connection was never made": "never made",
        "429 or 503": "`429`",
        "sent, then no answer": "no answer",
        "408, 500, 502 or 504": "`408`",
        "any other status": "any other status",
    }
    shown: list[tuple[str, str, str]] = []
    for failure, key in keys.items():
        (row,) = [row for row in table.rows if key in row[0]]
        idempotent, start_stop, create = row[1:]
        assert idempotent == start_stop, row  # the diagram draws the two columns as one
        shown.append((failure, idempotent, create))

    assert sorted(shown) == sorted(DIAGRAMS.RETRY_ROWS)
