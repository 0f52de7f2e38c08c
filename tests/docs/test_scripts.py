"""The scripts in examples/ run as users would run them, and say what they did.

docs/quickstart.md shows examples/quickstart.py whole: the page's copy must be the file, and
the page's blocks run here (the script starts its own emulator, on the real clock).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from abeja_notebooks.testing import DEFAULT_ORGANIZATION_ID, Emulator, EmulatorServer

from .blocks import DOCS, python_blocks
from .conftest import OpenPage

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

pytestmark = pytest.mark.slow


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=EXAMPLES.parent,
        env=env,
    )


def test_the_quickstart_page_shows_the_quickstart_script_whole() -> None:
    script = python_blocks(DOCS / "quickstart.md")[0]

    assert script.source == (EXAMPLES / "quickstart.py").read_text()


def test_the_quickstart_runs_a_whole_lifecycle_offline(
    open_page: OpenPage, capsys: pytest.CaptureFixture[str]
) -> None:
    open_page("quickstart.md").run()  # the script, then a Client() of the reader's

    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Emulated Notebook API at http://127.0.0.1:")
    for step in (
        "created   notebook-1",
        "running   notebook-1",
        "updated   notebook-1",
        "stopped   notebook-1: Stopped",
        "deleted every notebook; 0 left",
    ):
        assert any(line.startswith(step) for line in lines), step
    assert sum("heartbeat" in line for line in lines) >= 3


def test_the_first_script_lists_the_notebooks_of_the_environment(
    notebook_emulator: Emulator, notebook_emulator_server: EmulatorServer
) -> None:
    ids = notebook_emulator.seed(2, status="Running")
    env = {
        **os.environ,
        "ABEJA_API_URL": notebook_emulator_server.base_url,
        "ABEJA_ORGANIZATION_ID": DEFAULT_ORGANIZATION_ID,
        "PLATFORM_AUTH_TOKEN": "a-token",
    }

    done = run(sys.executable, str(EXAMPLES / "first_script.py"), "train-resnet", env=env)

    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ids
    assert lines[0].split()[1:] == ["notebook-1", "Running", "cpu-1", "test@example.com"]


def test_the_cli_demo_runs_the_same_lifecycle() -> None:
    done = run(str(Path(sys.executable).parent / "abeja-notebooks"), "demo")

    assert done.returncode == 0, done.stderr
    for step in (
        "1. created",
        "2. running",
        "3. logs",
        "4. updated",
        "5. stopped",
        "7. deleted every notebook; 0 left",
    ):
        assert step in done.stdout
    assert "\x1b[" not in done.stdout
