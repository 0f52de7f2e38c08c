"""The command line as real processes: what it loads to answer ``--version``, ``--help`` and a
shell completion request, and a whole run configured by the saved file alone (no environment)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from abeja_notebooks import __version__
from abeja_notebooks.testing import Emulator, EmulatorServer
from tests.abejacli import DEFAULT_TOKEN, DEFAULT_USER
from tests.support import JOB, basic, edited

SCRIPT = str(Path(sys.executable).parent / "abeja-notebooks")

pytestmark = pytest.mark.slow

# Runs the command line's entry point in-process, then reports on stderr what was imported.
LOADED = """
import json, sys
from abeja_notebooks.cli import main
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""

HEAVY = {"httpx", "pydantic", "pydantic_core", "dateutil"}
LIGHT_PACKAGE_MODULES = {
    "abeja_notebooks",
    "abeja_notebooks._version",
    "abeja_notebooks._lazy",  # the facade's loader of public names
    "abeja_notebooks.cli",
    "abeja_notebooks.cli._app",
    "abeja_notebooks._platform_config",  # the variables' names
    "abeja_notebooks._errors",  # which it raises
    "abeja_notebooks._types",  # the --type choices (a Literal: types only)
}


def loaded(*args: str, env: Mapping[str, str] | None = None) -> tuple[str, set[str]]:
    """Run the command line with ``args``: what it printed and the modules it imported."""
    done = subprocess.run(
        [sys.executable, "-c", LOADED, *args],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    modules = set(json.loads(done.stderr.strip().splitlines()[-1]))
    return done.stdout, modules


def package_modules(modules: set[str]) -> set[str]:
    return {name for name in modules if name.split(".")[0] == "abeja_notebooks"}


def test_version_imports_nothing_but_the_version() -> None:
    out, modules = loaded("--version")

    assert out == f"abeja-notebooks {__version__}\n"
    assert package_modules(modules) == {
        "abeja_notebooks",
        "abeja_notebooks._version",
        "abeja_notebooks._lazy",  # the facade's loader of public names
        "abeja_notebooks.cli",
    }
    assert not modules & {*HEAVY, "typer", "rich", "click"}


def test_completion_imports_neither_the_sdk_nor_httpx_nor_pydantic() -> None:
    completing = {
        "_ABEJA_NOTEBOOKS_COMPLETE": "complete_bash",
        "COMP_WORDS": "abeja-notebooks -o json l",
        "COMP_CWORD": "3",
    }

    out, modules = loaded(env=completing)

    assert out.split() == ["list", "logs"]
    assert package_modules(modules) <= LIGHT_PACKAGE_MODULES
    assert not modules & HEAVY


def test_completion_offers_the_global_options_after_a_command() -> None:
    completing = {
        "_ABEJA_NOTEBOOKS_COMPLETE": "complete_bash",
        "COMP_WORDS": "abeja-notebooks wait train-resnet 1 --",
        "COMP_CWORD": "4",
    }

    out, _ = loaded(env=completing)

    offered = out.split()
    assert {"--status", "--timeout", "--organization", "--output", "--token"} <= set(offered)
    assert offered.count("--timeout") == 1  # wait's own; the old global spelling is hidden
    assert "--install-completion" not in offered


def test_help_imports_neither_the_sdk_nor_httpx_nor_pydantic() -> None:
    out, modules = loaded("--help")

    assert "Usage: abeja-notebooks" in out
    assert package_modules(modules) <= LIGHT_PACKAGE_MODULES
    assert not modules & HEAVY


def test_conformance_help_loads_neither_the_sdk_nor_the_conformance_run() -> None:
    out, modules = loaded("conformance", "--help")

    assert "--dry-run" in out
    assert package_modules(modules) <= LIGHT_PACKAGE_MODULES
    assert "httpx" not in modules


def test_the_console_script_answers_version() -> None:
    done = subprocess.run(
        [SCRIPT, "--version"], capture_output=True, text=True, timeout=60, check=False
    )

    assert (done.returncode, done.stdout) == (0, f"abeja-notebooks {__version__}\n")


# --- the saved file alone ----------------------------------------------------------------------


@pytest.fixture
def real_clock_server() -> Iterator[EmulatorServer]:
    """An emulator on the real clock, served; it accepts the default configuration's user."""
    emulator = Emulator(users={DEFAULT_USER: DEFAULT_TOKEN}, start_delay=0)
    with EmulatorServer(emulator) as server:
        yield server


@pytest.fixture
def bare_env(tmp_path: Path, real_clock_server: EmulatorServer) -> dict[str, str]:
    """No ABEJA variable at all: only a home whose ``~/.abeja/config`` was written by
    ``abeja config init`` (with ``abeja-api-url`` added by hand, to reach the emulator)."""
    (tmp_path / ".abeja").mkdir()
    config = edited("default.json", {"abeja-api-url": real_clock_server.base_url})
    (tmp_path / ".abeja" / "config").write_text(config)
    return {"HOME": str(tmp_path), "PATH": os.environ.get("PATH", "")}


def test_a_script_works_with_the_saved_file_alone(
    bare_env: dict[str, str], real_clock_server: EmulatorServer
) -> None:
    script = (
        "from abeja_notebooks import Client\n"
        "with Client() as client:\n"
        f"    print(client.notebooks.create({JOB!r}).name)\n"
    )

    done = subprocess.run(
        [sys.executable, "-c", script],
        env=bare_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert (done.returncode, done.stdout, done.stderr) == (0, "notebook-1\n", "")
    auth = real_clock_server.emulator.requests[0].headers["authorization"]
    assert auth == basic(f"user-{DEFAULT_USER}", DEFAULT_TOKEN)


def test_the_cli_works_with_the_saved_file_alone(
    bare_env: dict[str, str], real_clock_server: EmulatorServer
) -> None:
    (nid,) = real_clock_server.emulator.seed(1)

    done = subprocess.run(
        [SCRIPT, "list", JOB, "-o", "ids"],
        env=bare_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert (done.returncode, done.stdout, done.stderr) == (0, f"{nid}\n", "")
