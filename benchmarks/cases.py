"""The benchmarks. Each function returns result rows; ``sizes`` scales them down for smoke runs."""

from __future__ import annotations

import asyncio
import gc
import json
import os
import re
import statistics
import subprocess
import sys
import textwrap
import threading
import time
import tracemalloc
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from abeja_notebooks import APIClient, AsyncClient, Client
from benchmarks._harness import Row, interleaved_medians, per_call
from benchmarks._servers import CannedServer

__all__ = ["ALL", "Sizes"]

ORG = "1410000000000"
JOB = "train-resnet"
NID = "1900000000001"
TOKEN = "benchmark-token"
PATH = f"/organizations/{ORG}/training/definitions/{JOB}/notebooks"

NOTEBOOK: dict[str, Any] = {
    "job_definition_id": "1230000000001",
    "training_notebook_id": NID,
    "name": "notebook-1",
    "description": None,
    "status": "Running",
    "status_message": None,
    "instance_type": "cpu-1",
    "image": "abeja-inc/all-cpu:19.10",
    "creator": {
        "id": "1122334455660",
        "email": "test@abeja.asia",
        "display_name": None,
        "role": "admin",
        "is_registered": True,
        "created_at": "2017-05-26T01:38:46Z",
        "updated_at": "2018-01-04T03:02:12Z",
    },
    "created_at": "2018-06-07T04:42:34.913644Z",
    "modified_at": "2018-06-07T04:42:34.913726Z",
}
BODY = json.dumps(NOTEBOOK).encode()


@dataclass(frozen=True)
class Sizes:
    """How much work each benchmark does (``quick`` for the smoke test)."""

    calls: int = 2_000
    samples: int = 7
    http_calls: int = 1_000
    old_calls: int = 300
    pages_small: int = 10_000
    pages_large: int = 100_000
    fanout: int = 1_000
    concurrency: int = 50
    import_runs: int = 9
    idle_seconds: float = 10.0
    startup_runs: int = 21
    memory_seconds: float = 180.0
    memory_threads: int = 8

    @classmethod
    def quick(cls) -> Sizes:
        """Tiny sizes: checks the harness works, measures nothing meaningful."""
        return cls(
            calls=20,
            samples=2,
            http_calls=20,
            old_calls=10,
            pages_small=300,
            pages_large=600,
            fanout=40,
            concurrency=10,
            import_runs=2,
            idle_seconds=0.3,
            startup_runs=1,
            memory_seconds=3.0,
            memory_threads=2,
        )


def _ratio_row(
    benchmark: str, measure: str, sdk: float, base: float, unit: str, target: float, note: str = ""
) -> Row:
    ratio = sdk / base
    return Row(
        benchmark, measure, sdk, base, unit, f"<= {target:.2f}x", ratio, ratio <= target, note
    )


def _canned_transport() -> httpx.MockTransport:
    response_headers = {"content-type": "application/json"}
    return httpx.MockTransport(
        lambda _: httpx.Response(200, content=BODY, headers=response_headers)
    )


# --- 1. per-call overhead ----------------------------------------------------------------------


def _per_call_case(where: str, base_url: str, calls: int, sizes: Sizes) -> list[Row]:
    in_process = where == "in-process"

    def http() -> httpx.Client:
        transport = _canned_transport() if in_process else None
        return httpx.Client(transport=transport, headers={"Authorization": f"Bearer {TOKEN}"})

    url = base_url + PATH + "/" + NID
    with (
        http() as raw,
        Client(
            base_url=base_url, organization_id=ORG, auth_token=TOKEN, http_client=http()
        ) as client,
        APIClient({"auth_token": TOKEN}, base_url=base_url, http_client=http()) as api,
    ):
        contenders: dict[str, Callable[[], object]] = {
            "raw": lambda: json.loads(raw.get(url).content),
            "client": lambda: client.notebooks.get(JOB, NID),
            "api": lambda: api.get_notebook(ORG, JOB, NID),
        }
        for call in contenders.values():  # warm up: connections, caches, lazy schemas
            for _ in range(20):
                call()
        medians = interleaved_medians(
            {name: per_call(call, calls) for name, call in contenders.items()},
            samples=sizes.samples,
        )
    target = 1.15 if in_process else 1.05
    base = medians["raw"] * 1e6
    return [
        _ratio_row("per-call", f"{label}, {where}", medians[name] * 1e6, base, "us/call", target)
        for name, label in (("client", "Client.notebooks.get"), ("api", "APIClient.get_notebook"))
    ]


def per_call_overhead(sizes: Sizes) -> list[Row]:
    """``notebooks.get`` and ``APIClient.get_notebook`` against ``httpx.get`` + ``json.loads``."""
    rows = _per_call_case("in-process", "http://bench.invalid", sizes.calls, sizes)
    with CannedServer(BODY) as server:
        rows += _per_call_case("loopback HTTP", server.base_url, sizes.http_calls, sizes)
    return rows


def fresh_connection(sizes: Sizes) -> list[Row]:
    """What a create pays when it takes a fresh connection instead of a pooled one.

    A create never goes onto a connection idle for a second or more: it opens a new one. Here
    one client keeps its connection alive and the other keeps none, so every create of the
    second pays for a connection of its own, over loopback (no TLS).
    """
    with (
        CannedServer(BODY) as server,
        Client(base_url=server.base_url, organization_id=ORG, auth_token=TOKEN) as pooled,
        Client(
            base_url=server.base_url,
            organization_id=ORG,
            auth_token=TOKEN,
            limits=httpx.Limits(max_keepalive_connections=0),
        ) as fresh,
    ):
        contenders: dict[str, Callable[[], object]] = {
            "pooled": lambda: pooled.notebooks.create(JOB),
            "fresh": lambda: fresh.notebooks.create(JOB),
        }
        for call in contenders.values():
            for _ in range(20):
                call()
        calls = max(sizes.http_calls // 2, 1)
        medians = interleaved_medians(
            {name: per_call(call, calls) for name, call in contenders.items()},
            samples=sizes.samples,
        )
    fresh_us, pooled_us = medians["fresh"] * 1e6, medians["pooled"] * 1e6
    return [
        Row(
            "connections",
            "create on a fresh connection vs a pooled one, loopback HTTP",
            fresh_us,
            pooled_us,
            "us/call",
            "reported",
            fresh_us / pooled_us,
            None,
            f"+{fresh_us - pooled_us:.0f} us per create idle for 1 s or more; TLS adds a handshake",
        )
    ]


# --- 2. the old abeja-sdk client ---------------------------------------------------------------

_OLD_CLIENT_SCRIPT = textwrap.dedent(
    f"""
    import sys, time
    from abeja.notebook import APIClient
    api = APIClient(credential={{"auth_token": "{TOKEN}"}})
    calls = int(sys.argv[1])
    for _ in range(max(calls // 10, 1)):
        api.get_notebook("{ORG}", "{JOB}", "{NID}")
    start = time.perf_counter()
    for _ in range(calls):
        api.get_notebook("{ORG}", "{JOB}", "{NID}")
    print((time.perf_counter() - start) / calls)
    """
)


def old_client(sizes: Sizes, old_python: str | None) -> list[Row]:
    """The old client's ``get_notebook`` loop over loopback, run by another interpreter."""
    python = old_python or os.environ.get("ABEJA_SDK_PYTHON")
    if not python:
        try:
            import abeja.notebook  # type: ignore[import-not-found]  # optional, never a dependency  # noqa: F401
        except ImportError:
            return [
                Row(
                    "old client",
                    "abeja-sdk APIClient.get_notebook, loopback HTTP",
                    float("nan"),
                    float("nan"),
                    "us/call",
                    "reported",
                    None,
                    None,
                    "skipped: abeja-sdk not found; pass --old-python or set ABEJA_SDK_PYTHON",
                )
            ]
        python = sys.executable
    with CannedServer(BODY) as server:
        env = {**os.environ, "ABEJA_API_URL": server.base_url}
        done = subprocess.run(
            [python, "-c", _OLD_CLIENT_SCRIPT, str(sizes.old_calls)],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=True,
        )
        old = float(done.stdout.strip().splitlines()[-1])
        with APIClient({"auth_token": TOKEN}, base_url=server.base_url) as api:
            ours = per_call(lambda: api.get_notebook(ORG, JOB, NID), sizes.old_calls)
            ours()  # warm the connection
            new = statistics.median(ours() for _ in range(3))
    ratio = old / new
    return [
        Row(
            "old client",
            "abeja-sdk / abeja-notebooks APIClient.get_notebook, loopback HTTP",
            new * 1e6,
            old * 1e6,
            "us/call",
            "reported",
            ratio,
            None,
            "ratio = old / new: how many times slower the old client is",
        )
    ]


# --- 3. pagination at scale --------------------------------------------------------------------


def _paged_transport(total: int) -> httpx.MockTransport:
    entries = json.dumps([NOTEBOOK] * 100).encode()
    offset_pattern = re.compile(r"offset=(\d+)")

    def handler(request: httpx.Request) -> httpx.Response:
        match = offset_pattern.search(str(request.url.query, "ascii"))
        offset = int(match.group(1)) if match else 0
        count = max(0, min(100, total - offset))
        body = entries if count == 100 else json.dumps([NOTEBOOK] * count).encode()
        page = b'{"total":%d,"offset":%d,"limit":100,"entries":%s}' % (total, offset, body)
        return httpx.Response(200, content=page, headers={"content-type": "application/json"})

    return httpx.MockTransport(handler)


def _walk_sdk(total: int) -> int:
    with Client(
        base_url="http://bench.invalid",
        organization_id=ORG,
        auth_token=TOKEN,
        http_client=httpx.Client(transport=_paged_transport(total)),
    ) as client:
        return sum(1 for _ in client.notebooks.list(JOB, page_size=100))


def _walk_raw(total: int) -> int:
    with httpx.Client(transport=_paged_transport(total)) as http:
        seen, offset = 0, 0
        while offset < total:
            url = f"http://bench.invalid{PATH}?offset={offset}&limit=100"
            page = json.loads(http.get(url).content)
            for entry in page["entries"]:
                _ = entry["training_notebook_id"], entry["status"]
                seen += 1
            offset += len(page["entries"])
            if not page["entries"]:
                break
        return seen


def _peak(function: Callable[[int], int], total: int) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        assert function(total) == total
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def pagination(sizes: Sizes) -> list[Row]:
    """Memory that must not grow with the count, and throughput against raw dicts."""
    small, large = sizes.pages_small, sizes.pages_large
    peak_small = _peak(_walk_sdk, small)
    peak_large = _peak(_walk_sdk, large)
    medians = interleaved_medians(
        {
            "sdk": lambda: _timed(_walk_sdk, large),
            "raw": lambda: _timed(_walk_raw, large),
        },
        samples=max(sizes.samples // 2, 1),
    )
    sdk_rate, raw_rate = large / medians["sdk"], large / medians["raw"]
    growth = peak_large / peak_small
    return [
        Row(
            "pagination",
            f"peak traced memory, {large:,} vs {small:,} notebooks",
            peak_large / 1024,
            peak_small / 1024,
            "KiB",
            "<= 1.50x",
            growth,
            growth <= 1.5,
        ),
        Row(
            "pagination",
            f"throughput, {large:,} notebooks in pages of 100",
            sdk_rate,
            raw_rate,
            "notebooks/s",
            "<= 2.00x time",
            raw_rate / sdk_rate,
            raw_rate / sdk_rate <= 2.0,
            "baseline: json.loads + dict access; ratio is time per notebook",
        ),
    ]


def _timed(function: Callable[[int], int], total: int) -> float:
    started = time.perf_counter()
    function(total)
    return time.perf_counter() - started


# --- 4. async fan-out ------------------------------------------------------------------------


async def _fan_out(get: Callable[[], Any], count: int, concurrency: int) -> float:
    limit = asyncio.Semaphore(concurrency)

    async def one() -> None:
        async with limit:
            await get()

    started = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(count)))
    return time.perf_counter() - started


def async_fan_out(sizes: Sizes) -> list[Row]:
    """``count`` gets, ``concurrency`` at a time: AsyncClient vs raw httpx.AsyncClient."""
    limits = httpx.Limits(max_connections=sizes.concurrency)

    async def measure() -> dict[str, float]:
        with CannedServer(BODY) as server:
            url = server.base_url + PATH + "/" + NID
            async with (
                httpx.AsyncClient(
                    limits=limits, headers={"Authorization": f"Bearer {TOKEN}"}
                ) as raw,
                AsyncClient(
                    base_url=server.base_url, organization_id=ORG, auth_token=TOKEN, limits=limits
                ) as client,
            ):

                async def raw_get() -> object:
                    return json.loads((await raw.get(url)).content)

                def sdk_get() -> Any:
                    return client.notebooks.get(JOB, NID)

                results: dict[str, list[float]] = {"raw": [], "sdk": []}
                await _fan_out(raw_get, sizes.concurrency, sizes.concurrency)  # open the pools
                await _fan_out(sdk_get, sizes.concurrency, sizes.concurrency)
                for _ in range(max(sizes.samples // 2, 1)):
                    results["raw"].append(await _fan_out(raw_get, sizes.fanout, sizes.concurrency))
                    results["sdk"].append(await _fan_out(sdk_get, sizes.fanout, sizes.concurrency))
                return {name: statistics.median(values) for name, values in results.items()}

    medians = asyncio.run(measure())
    return [
        _ratio_row(
            "async fan-out",
            f"{sizes.fanout:,} gets, {sizes.concurrency} at a time, loopback HTTP",
            medians["sdk"] * 1e3,
            medians["raw"] * 1e3,
            "ms",
            1.2,
        )
    ]


# --- 5. import time ----------------------------------------------------------------------------


def _import_us(statement: str, names: tuple[str, ...]) -> float:
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
    return total


def _wall_ms(statement: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", statement], check=True, timeout=120)
    return (time.perf_counter() - started) * 1e3


def import_time(sizes: Sizes) -> list[Row]:
    """``import abeja_notebooks`` against ``import httpx, pydantic, dateutil`` (cumulative)."""
    deps = "import httpx, pydantic, dateutil"
    ours: list[float] = []
    base: list[float] = []
    full: list[float] = []
    full_base: list[float] = []
    for _ in range(sizes.import_runs):
        ours.append(_import_us("import abeja_notebooks", ("abeja_notebooks",)) / 1e3)
        base.append(_import_us(deps, ("httpx", "pydantic", "dateutil")) / 1e3)
        full.append(_wall_ms(f"{deps}; from abeja_notebooks import Client, Notebook"))
        full_base.append(_wall_ms(f"{deps}; from pydantic import BaseModel"))
    ms, base_ms = statistics.median(ours), statistics.median(base)
    full_ms, full_base_ms = statistics.median(full), statistics.median(full_base)
    return [
        Row(
            "import",
            "import abeja_notebooks (names load on first use)",
            ms,
            base_ms,
            "ms",
            "<= +25 ms",
            None,
            ms <= 25.0,
            "baseline: import httpx, pydantic, dateutil",
        ),
        Row(
            "import",
            "process using Client and Notebook, wall clock",
            full_ms,
            full_base_ms,
            "ms",
            "reported",
            None,
            None,
            f"+{full_ms - full_base_ms:.0f} ms over the deps with pydantic.BaseModel loaded",
        ),
    ]


# --- 6. following an idle log ------------------------------------------------------------------


def idle_follow(sizes: Sizes) -> list[Row]:
    """CPU used by ``nb.logs(follow=True)`` while nothing new is written."""
    from abeja_notebooks.testing import Emulator, EmulatorServer, RealClock

    emulator = Emulator(clock=RealClock(), start_delay=10_000)  # Pending: no log lines ever
    with (
        EmulatorServer(emulator) as server,
        Client(base_url=server.base_url, organization_id=ORG, auth_token=TOKEN) as client,
    ):
        nb = client.notebooks.create(JOB)
        cpu, wall = time.process_time(), time.perf_counter()
        events = list(nb.logs(follow=True, poll_interval=1.0, timeout=sizes.idle_seconds))
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        polls = len([r for r in emulator.requests if r.path.endswith("/recentlogs")])
    assert events == []
    share = cpu / wall * 100
    return [
        Row(
            "idle follow",
            f"CPU over {wall:.1f} s of following with nothing new",
            cpu * 1e3,
            float("nan"),
            "ms",
            "near zero",
            None,
            share < 2.0,
            f"{share:.2f}% of one core, {polls} polls (server in-process)",
        )
    ]


# --- 7. command-line start-up ----------------------------------------------------------------

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


def _process_ms(argv: list[str], env: Mapping[str, str] | None = None) -> Callable[[], float]:
    """A sample: run ``argv`` as a process to its end; its wall-clock milliseconds."""

    def sample() -> float:
        started = time.perf_counter()
        subprocess.run(
            argv,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=True,
            timeout=120,
        )
        return (time.perf_counter() - started) * 1e3

    return sample


def cli_startup(sizes: Sizes) -> list[Row]:
    """``abeja-notebooks --version``, ``--help`` and a completion request, as processes."""
    script = str(Path(sys.executable).parent / "abeja-notebooks")
    completing = {
        **os.environ,
        "_ABEJA_NOTEBOOKS_COMPLETE": "complete_bash",
        "COMP_WORDS": "abeja-notebooks l",
        "COMP_CWORD": "1",
    }
    medians = interleaved_medians(
        {
            "pass": _process_ms([sys.executable, "-c", "pass"]),
            "version": _process_ms([script, "--version"]),
            "typer help": _process_ms([sys.executable, "-c", _TWO_COMMAND_APP, "--help"]),
            "help": _process_ms([script, "--help"]),
            "typer and rich": _process_ms([sys.executable, "-c", "import typer, rich"]),
            "completion": _process_ms([script], env=completing),
        },
        samples=sizes.startup_runs,
    )
    rows: list[Row] = []
    for measure, ours, base, target, note in (
        ("abeja-notebooks --version", "version", "pass", 60.0, "baseline: python -c pass"),
        (
            "abeja-notebooks --help",
            "help",
            "typer help",
            80.0,
            "baseline: --help of a two-command typer app",
        ),
        (
            "a completion request (TAB)",
            "completion",
            "typer and rich",
            80.0,
            "baseline: python -c 'import typer, rich'",
        ),
    ):
        extra = medians[ours] - medians[base]
        rows.append(
            Row(
                "cli start-up",
                measure,
                medians[ours],
                medians[base],
                "ms",
                f"<= +{target:.0f} ms",
                None,
                extra <= target,
                f"{note}; +{extra:.0f} ms",
            )
        )
    return rows


# --- 7. a served emulator's memory over a long run -----------------------------------------


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
    return [
        Row(
            "emulator memory",
            f"RSS growth per minute after the first third of {minutes:g} min, "
            f"{sizes.memory_threads} threads of lifecycles, served process",
            per_minute,
            float("nan"),
            "MB/min",
            "< 1.00 MB/min",
            None,
            per_minute < 1.0,
            f"RSS {first:.1f} -> {last:.1f} MB; {len(done):,} lifecycles, every notebook deleted",
            {"rss_after_warm_up_mb": first, "rss_end_mb": last, "lifecycles": float(len(done))},
        )
    ]


ALL = {
    "per-call": per_call_overhead,
    "connections": fresh_connection,
    "pagination": pagination,
    "async": async_fan_out,
    "import": import_time,
    "idle": idle_follow,
    "startup": cli_startup,
    "memory": emulator_memory,
}
