"""pytest loads the bundled plugin in every run of every project that has the package installed:
importing it, or the testing package, must not load httpx or pydantic."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

HEAVY = ("httpx", "pydantic", "pydantic_core", "asyncio")


def _loaded_after(statement: str) -> list[str]:
    """The heavy top-level modules a fresh interpreter has loaded after ``statement``."""
    code = (
        f"{statement}\n"
        "import json, sys\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    loaded: list[str] = json.loads(done.stdout)
    return loaded


def test_importing_the_pytest_plugin_loads_neither_httpx_nor_pydantic() -> None:
    assert _loaded_after("import abeja_notebooks.testing.pytest_plugin") == []


def test_importing_the_testing_package_loads_neither_httpx_nor_pydantic() -> None:
    assert _loaded_after("import abeja_notebooks.testing") == []


def test_the_emulator_and_its_server_run_without_httpx_or_pydantic() -> None:
    statement = (
        "from abeja_notebooks.testing import Emulator, EmulatorServer, ManualClock\n"
        "EmulatorServer(Emulator(clock=ManualClock())).start().stop()"
    )
    assert _loaded_after(statement) == []


def test_the_in_process_transport_loads_httpx_only_when_asked_for() -> None:
    loaded = _loaded_after("from abeja_notebooks.testing import Emulator\nEmulator().transport()")

    assert "httpx" in loaded
    assert "pydantic" not in loaded


def test_a_pytest_run_that_uses_no_emulator_fixture_loads_neither(tmp_path: Path) -> None:
    (tmp_path / "test_plain.py").write_text(
        "import sys\n\n\n"
        "def test_nothing_heavy_is_loaded():\n"
        "    loaded = [m for m in ('httpx', 'pydantic') if m in sys.modules]\n"
        "    assert loaded == []\n"
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--trace-config",
            "-p",
            "no:cacheprovider",
            "test_plain.py",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert "PLUGIN registered: <module 'abeja_notebooks.testing.pytest_plugin'" in done.stdout
