"""The benchmarks that run whole processes: import, first use, command-line start-up, and the
served emulator's memory over a long run.

Before any process runs, the package is byte-compiled, as installing it from a wheel does (pip
compiles what it installs, the dependencies included): with ``PYTHONDONTWRITEBYTECODE`` set, an
editable checkout would otherwise compile every module of the SDK in every process, and only the
SDK's.

A process's figure is the CPU time it used (user + system, from the kernel's accounting when it
ends), not its wall-clock time: on a shared machine the wall clock of a short process mostly
measures how long it waited for a CPU. Start-up is CPU-bound (every file it reads is in the page
cache after the first round), so on a quiet machine the two agree.
"""

from __future__ import annotations

import compileall
import os
import statistics
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import abeja_notebooks
from abeja_notebooks import Client
from benchmarks._data import BODY, JOB, ORG, TOKEN, Sizes
from benchmarks._harness import Paired, Row, paired_rounds, printed_value

__all__ = ["PROCESS_CASES"]


def byte_compile() -> None:
    """Compile the package's modules to bytecode, where Python looks for it."""
    compileall.compile_dir(Path(abeja_notebooks.__file__).parent, quiet=1)


def process_cpu_ms(argv: list[str], env: Mapping[str, str] | None = None) -> Callable[[], float]:
    """A sample: run ``argv`` as a process to its end; the CPU milliseconds it used."""

    def sample() -> float:
        process = subprocess.Popen(
            argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode:
            raise subprocess.CalledProcessError(process.returncode, argv)
        return (usage.ru_utime + usage.ru_stime) * 1e3

    return sample


def difference_row(
    benchmark: str, measure: str, found: Paired, *, target: float, note: str = ""
) -> Row:
    """A row judged on the median of the per-round differences, against ``<= +target`` ms."""
    row = Row(
        benchmark,
        measure,
        found.sdk,
        found.baseline,
        "ms",
        f"<= +{target:g} ms",
        note=note,
        difference=found.difference,
        spread=found.difference_spread,
        rounds=found.rounds,
    )
    shown = printed_value(row)
    row.passed = shown is not None and shown <= target
    return row


# --- import and first use ----------------------------------------------------------------------

_DEPENDENCIES = "import httpx, pydantic, dateutil"

_FIRST_USE = textwrap.dedent(
    """
    import sys
    from abeja_notebooks import Client, Notebook

    client = Client(base_url="http://bench.invalid", organization_id="1", auth_token="t")
    notebook = Notebook.model_validate_json(sys.argv[1])
    assert notebook.creator.created_at is not None
    """
)

_FAIR_FLOOR = textwrap.dedent(
    """
    import sys
    from datetime import datetime

    import dateutil.parser
    import httpx
    import pydantic


    class Creator(pydantic.BaseModel):
        id: str
        email: str | None = None
        display_name: str | None = None
        role: str | None = None
        is_registered: bool | None = None
        created_at: datetime | None = None
        updated_at: datetime | None = None


    class Notebook(pydantic.BaseModel):
        job_definition_id: str
        training_notebook_id: str
        name: str
        description: str | None = None
        status: str
        status_message: str | None = None
        instance_type: str
        image: str
        creator: Creator
        created_at: datetime
        modified_at: datetime


    http = httpx.Client()
    notebook = Notebook.model_validate_json(sys.argv[1])
    assert notebook.creator.created_at is not None
    """
)


def _import_ms(statement: str, names: tuple[str, ...]) -> Callable[[], float]:
    """A sample: the cumulative ``-X importtime`` of ``names`` in a fresh process, in ms."""

    def sample() -> float:
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", statement],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        total = 0.0
        for line in done.stderr.splitlines():
            parts = [part.strip() for part in line.removeprefix("import time:").split("|")]
            if len(parts) == 3 and parts[2] in names:
                total += float(parts[1])
        return total / 1e3

    return sample


def import_time(sizes: Sizes) -> list[Row]:
    """``import abeja_notebooks`` alone, and a first use against a process doing the same work
    with pydantic models of its own."""
    byte_compile()
    imports = paired_rounds(
        _import_ms(_DEPENDENCIES, ("httpx", "pydantic", "dateutil")),
        {"sdk": _import_ms("import abeja_notebooks", ("abeja_notebooks",))},
        rounds=sizes.process_rounds,
    )["sdk"]
    body = BODY.decode()
    first_use = paired_rounds(
        process_cpu_ms([sys.executable, "-c", _FAIR_FLOOR, body]),
        {"sdk": process_cpu_ms([sys.executable, "-c", _FIRST_USE, body])},
        rounds=sizes.process_rounds,
    )["sdk"]
    import_row = Row(
        "import",
        "import abeja_notebooks",
        imports.sdk,
        imports.baseline,
        "ms",
        "<= 25 ms",
        note="import: the package's own cumulative -X importtime (its names load on first "
        "use); baseline: import httpx, pydantic, dateutil, for scale",
        difference=imports.sdk,
        rounds=imports.rounds,
    )
    import_row.passed = round(imports.sdk, 1) <= 25.0
    return [
        import_row,
        difference_row(
            "first use",
            "process: import, build a Client, parse one notebook",
            first_use,
            target=10.0,
            note="first use: CPU time of the whole process; baseline: a process that imports "
            "httpx, dateutil.parser and pydantic, defines pydantic models of the notebook's "
            "shape (a creator inside, four timestamps), builds an httpx.Client and validates "
            "the same bytes",
        ),
    ]


# --- command-line start-up ---------------------------------------------------------------------

_TWO_COMMAND_APP = textwrap.dedent(
    """
    import typer

    app = typer.Typer()

    @app.command()
    def hello(name: str) -> None:
        print(f"hello {name}")

    @app.command()
    def bye(name: str) -> None:
        print(f"bye {name}")

    app()
    """
)


def cli_startup(sizes: Sizes) -> list[Row]:
    """``abeja-notebooks --version``, ``--help`` and a completion request, as processes."""
    byte_compile()
    script = str(Path(sys.executable).parent / "abeja-notebooks")
    completing = {
        **os.environ,
        "_ABEJA_NOTEBOOKS_COMPLETE": "complete_bash",
        "COMP_WORDS": "abeja-notebooks l",
        "COMP_CWORD": "1",
    }
    cases = (
        (
            "abeja-notebooks --version",
            [script, "--version"],
            None,
            [sys.executable, "-c", "pass"],
            60.0,
            "python -c pass",
        ),
        (
            "abeja-notebooks --help",
            [script, "--help"],
            None,
            [sys.executable, "-c", _TWO_COMMAND_APP, "--help"],
            80.0,
            "--help of a two-command typer app",
        ),
        (
            "a completion request (TAB)",
            [script],
            completing,
            [sys.executable, "-c", "import typer, rich"],
            80.0,
            "python -c 'import typer, rich'",
        ),
    )
    rows: list[Row] = []
    for measure, ours, env, base, target, baseline in cases:
        found = paired_rounds(
            process_cpu_ms(base), {"sdk": process_cpu_ms(ours, env)}, rounds=sizes.process_rounds
        )["sdk"]
        rows.append(
            difference_row(
                "cli start-up",
                measure,
                found,
                target=target,
                note=f"{measure}: CPU time of the process; baseline: {baseline}",
            )
        )
    return rows


# --- a served emulator's memory over a long run -----------------------------------------------


def _rss_mb(pid: int) -> float:
    """The resident set size of a process, in MB (``/proc`` on Linux, else ``ps``)."""
    status = Path(f"/proc/{pid}/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    done = subprocess.run(
        ["ps", "-o", "rss=", "-p", str(pid)], capture_output=True, text=True, check=True
    )
    return int(done.stdout.strip()) / 1024


def _lifecycles(base_url: str, stop: threading.Event, done: list[int], errors: list[str]) -> None:
    """Create, wait Running, read logs, stop and delete notebooks until ``stop`` is set."""
    with Client(base_url=base_url, organization_id=ORG, auth_token=TOKEN) as client:
        while not stop.is_set():
            try:
                nb = client.notebooks.create(JOB)
                nb.wait_until("Running", poll_interval=0.05)
                for _ in nb.logs():
                    pass
                nb.stop()
                nb.delete()
            except Exception as exc:  # reported after the run: a broken lifecycle voids it
                errors.append(repr(exc))
                return
            done.append(1)


def emulator_memory(sizes: Sizes) -> list[Row]:
    """RSS growth of ``python -m abeja_notebooks.testing`` under lifecycles from several threads.

    The emulator runs in its own process (so only its memory is measured); the first third of
    the run warms it up (the request log fills to its cap in seconds); the growth is the slope of
    a least-squares line through the RSS samples of the rest, per minute.
    """
    command = [sys.executable, "-m", "abeja_notebooks.testing", "--port", "0"]
    command += ["--start-delay", "0.05", "--log-interval", "0.01"]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        base_url = server.stdout.readline().strip()
        stop, done, errors = threading.Event(), list[int](), list[str]()
        workers = [
            threading.Thread(target=_lifecycles, args=(base_url, stop, done, errors))
            for _ in range(sizes.memory_threads)
        ]
        for worker in workers:
            worker.start()
        warm_up = sizes.memory_seconds / 3
        step = max(sizes.memory_seconds / 180, 0.05)
        samples: list[tuple[float, float]] = []
        started = time.perf_counter()
        try:
            while (elapsed := time.perf_counter() - started) < sizes.memory_seconds:
                if elapsed >= warm_up:
                    samples.append((elapsed, _rss_mb(server.pid)))
                time.sleep(step)
        finally:
            stop.set()
            for worker in workers:
                worker.join()
    finally:
        server.terminate()
        server.communicate(timeout=10)
    if errors:
        raise RuntimeError(f"a lifecycle failed: {errors[0]}")
    slope = statistics.linear_regression([t for t, _ in samples], [r for _, r in samples]).slope
    per_minute = slope * 60
    first, last = samples[0][1], samples[-1][1]
    minutes = sizes.memory_seconds / 60
    row = Row(
        "emulator memory",
        f"RSS growth per minute, {sizes.memory_threads} threads of lifecycles for {minutes:g} min",
        per_minute,
        float("nan"),
        "MB/min",
        "< 1.00 MB/min",
        note=f"emulator memory: python -m abeja_notebooks.testing in its own process; the "
        f"slope after the first third of the run; RSS {first:.1f} -> {last:.1f} MB, "
        f"{len(done):,} lifecycles, every notebook deleted",
        extra={"rss_after_warm_up_mb": first, "rss_end_mb": last, "lifecycles": float(len(done))},
    )
    row.passed = round(per_minute, 1) < 1.0
    return [row]


PROCESS_CASES: dict[str, Callable[[Sizes], list[Row]]] = {
    "import": import_time,
    "startup": cli_startup,
    "memory": emulator_memory,
}
