"""The scripts in examples/ run as users would run them, and say what they did."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

pytestmark = pytest.mark.slow


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*args], capture_output=True, text=True, timeout=120, check=False, cwd=EXAMPLES.parent
    )


def test_the_quickstart_runs_a_whole_lifecycle_offline() -> None:
    done = run(sys.executable, str(EXAMPLES / "quickstart.py"))

    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
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
    assert done.stderr == ""


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
