"""Run the test suite on the versions pyproject.toml claims, beyond the main run of scripts/test.

- The lowest versions of the runtime dependencies: each lower bound of ``[project].dependencies``
  (``pydantic>=2.7`` -> ``pydantic==2.7``) is installed with the test tools (the ``test`` extra,
  no type checkers or docs toolchain), on the oldest interpreter found. The tests that need a
  tool left out are skipped by their ``needs`` marker, and say so. httpcore, which httpx brings
  (any 1.x), is pinned to the lowest release the SDK's hooks into its pool work with
  (``HTTPCORE_FLOOR``; see docs/development.md), so that it does not float to the latest.
- Every other CPython the machine has, from the ``requires-python`` floor up (``python3.N`` on
  ``PATH``, pyenv versions, ``/usr/bin``, ``/usr/local/bin``), one per minor version, each with
  the latest dependencies and the test tools. The main run (``.venv``, made by scripts/test from
  ``python3``) already covers its own minor version with the latest dependencies.

Each run gets a fresh venv under ``.ci-venvs/``, so "latest" and "lowest" are what PyPI offers
today. Usage: ``python3 scripts/test_versions.py [--list] [--only NAME]`` (``--list`` prints the
plan, ``--only`` makes one of its runs).
Exits non-zero when a run fails; every run is made either way.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VENVS = ROOT / ".ci-venvs"
PROBE = (
    "import platform, sys, ensurepip, venv; "
    "print(platform.python_implementation(), *sys.version_info[:3], "
    "int(getattr(sys, '_is_gil_enabled', lambda: True)()))"
)


@dataclass(frozen=True, order=True)
class Interpreter:
    """A CPython found on the machine."""

    version: tuple[int, int, int]
    path: Path

    @property
    def minor(self) -> str:
        return f"{self.version[0]}.{self.version[1]}"


def pyproject() -> dict[str, Any]:
    with (ROOT / "pyproject.toml").open("rb") as file:
        project: dict[str, Any] = tomllib.load(file)["project"]
    return project


def python_floor() -> tuple[int, int]:
    """The lowest Python ``requires-python`` allows (``>=3.11`` -> ``(3, 11)``)."""
    spec: str = pyproject()["requires-python"]
    found = re.search(r">=\s*(\d+)\.(\d+)", spec)
    if found is None:
        sys.exit(f"requires-python has no lower bound: {spec!r}")
    return int(found.group(1)), int(found.group(2))


HTTPCORE_FLOOR = "httpcore==1.0.3"
"""The lowest httpcore the SDK supports: what httpx 0.27 accepts is ``httpcore==1.*``, and
below 1.0.3 an async call cancelled while its answer is closed leaves the connection busy for
good (the SDK's repair in ``_network.settle`` needs 1.0.3's pool). Found by trying 1.0.0, 1.0.2
and 1.0.3 with the lowest run's other pins."""


def lowest_pins() -> list[str]:
    """``name==floor`` for each runtime dependency (every one must declare a lower bound), and
    httpcore's floor."""
    pins: list[str] = []
    requirements: list[str] = pyproject()["dependencies"]
    for requirement in requirements:
        found = re.fullmatch(r"\s*([A-Za-z0-9_.-]+)\s*(?:\[[^]]*\])?\s*(.*)", requirement)
        assert found is not None, requirement
        name, spec = found.groups()
        floor = re.search(r">=\s*([^,;\s]+)", spec)
        if floor is None:
            sys.exit(f"dependency {requirement!r} declares no lower bound: nothing to test")
        pins.append(f"{name}=={floor.group(1)}")
    return [*pins, HTTPCORE_FLOOR]


def candidates() -> set[Path]:
    """Files that may be CPython interpreters: ``python3.N`` wherever they are usually kept."""
    directories = [Path(entry) for entry in os.environ.get("PATH", "").split(os.pathsep) if entry]
    directories += [Path("/usr/bin"), Path("/usr/local/bin")]
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    if pyenv.is_dir():
        directories += [version / "bin" for version in pyenv.iterdir()]
    found: set[Path] = set()
    for directory in directories:
        if not directory.is_dir() or directory.name == "shims":  # pyenv shims: found via versions
            continue
        found.update(
            path
            for path in directory.iterdir()
            if re.fullmatch(r"python3\.\d+", path.name) and os.access(path, os.X_OK)
        )
    return found


def interpreters(floor: tuple[int, int]) -> list[Interpreter]:
    """The newest patch release of each CPython minor version from ``floor`` up, oldest first."""
    newest: dict[str, Interpreter] = {}
    for path in sorted(candidates()):
        try:
            probe = subprocess.run(
                [str(path), "-c", PROBE], capture_output=True, text=True, timeout=30, check=True
            )
        except (OSError, subprocess.SubprocessError):
            continue  # not runnable, or without venv/ensurepip
        implementation, major, minor, micro, gil = probe.stdout.split()
        version = (int(major), int(minor), int(micro))
        if implementation != "CPython" or version[:2] < floor or gil != "1":
            continue  # free-threaded builds are left out: the dependencies do not all have wheels
        found = Interpreter(version, path)
        if found.minor not in newest or found > newest[found.minor]:
            newest[found.minor] = found
    return sorted(newest.values())


def main_minor() -> str | None:
    """The minor version of the main run's venv, when scripts/test made one."""
    python = ROOT / ".venv" / "bin" / "python"
    if not python.exists():
        return None
    out = subprocess.run(
        [str(python), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


@dataclass(frozen=True)
class Run:
    """One venv to make and test in."""

    name: str
    interpreter: Interpreter
    pins: tuple[str, ...] = ()

    def describe(self) -> str:
        deps = ", ".join(self.pins) if self.pins else "the latest dependencies"
        version = ".".join(map(str, self.interpreter.version))
        return f"{self.name}: Python {version} ({self.interpreter.path}), {deps}"


def plan() -> list[Run]:
    found = interpreters(python_floor())
    if not found:
        sys.exit("no CPython interpreter at or above the requires-python floor was found")
    oldest, main = found[0], main_minor()
    runs = [Run(f"lowest-py{oldest.minor}", oldest, tuple(lowest_pins()))]
    runs += [Run(f"py{python.minor}", python) for python in found if python.minor != main]
    return runs


def quietly(command: list[str]) -> bool:
    """Run ``command``, showing its output only when it fails; whether it succeeded."""
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        print(done.stdout + done.stderr, flush=True)
    return done.returncode == 0


def execute(run: Run) -> bool:
    """Make the run's venv, install, show the versions, run pytest; whether it passed."""
    venv = VENVS / run.name
    python = venv / "bin" / "python"
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    install = [*pip, "-e", f"{ROOT}[test]"]
    if run.pins:
        VENVS.mkdir(exist_ok=True)
        constraints = VENVS / f"{run.name}-constraints.txt"
        constraints.write_text("\n".join(run.pins) + "\n")
        install += ["--constraint", str(constraints)]
    steps = [
        [str(run.interpreter.path), "-m", "venv", "--clear", str(venv)],
        [*pip, "--upgrade", "pip"],
        install,
    ]
    if not all(quietly(step) for step in steps):
        return False
    versions = subprocess.run(
        [
            str(python),
            "-c",
            "import importlib.metadata as m; "
            "print(', '.join(f'{n} {m.version(n)}' for n in "
            "('pydantic', 'httpx', 'httpcore', 'h11', 'python-dateutil', 'pytest', 'hypothesis')))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    print(f"   installed: {versions.stdout.strip()}", flush=True)
    tests = subprocess.run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=ROOT)
    return tests.returncode == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--list", action="store_true", help="print the runs, make none")
    parser.add_argument("--only", metavar="NAME", help="make only this run (see --list)")
    args = parser.parse_args()
    runs = [run for run in plan() if args.only in (None, run.name)]
    if not runs:
        sys.exit(f"no run named {args.only!r}: see --list")
    for run in runs:
        print(f"   {run.describe()}", flush=True)
    if args.list:
        return 0
    failed: list[str] = []
    for run in runs:
        print(f"== pytest, {run.describe()}", flush=True)
        started = time.monotonic()
        passed = execute(run)
        outcome = "passed" if passed else "FAILED"
        print(f"   {run.name}: {outcome} in {time.monotonic() - started:.0f} s", flush=True)
        if not passed:
            failed.append(run.name)
    if failed:
        print(f"failed: {', '.join(failed)}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
