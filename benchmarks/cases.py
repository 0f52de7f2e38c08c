"""The benchmarks run inside this process. Each function returns result rows."""

from __future__ import annotations

import asyncio
import gc
import json
import os
import re
import subprocess
import sys
import textwrap
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from abeja_notebooks import APIClient, AsyncClient, AsyncNotebook, Client, Notebook, NotebookPage
from benchmarks._data import BODY, JOB, NID, NOTEBOOK, ORG, PAGE, PATH, TOKEN, Sizes
from benchmarks._data import canned_transport as _canned_transport
from benchmarks._harness import Paired, Row, paired_rounds, per_call, printed_value
from benchmarks._servers import CannedServer
from benchmarks.processes import PROCESS_CASES

__all__ = ["ALL", "Sizes", "old_client"]


def ratio_row(
    benchmark: str,
    measure: str,
    found: Paired,
    *,
    scale: float,
    unit: str,
    target: float,
    note: str = "",
) -> Row:
    """A row judged on the median of the per-round ratios, against ``<= target``."""
    row = Row(
        benchmark,
        measure,
        found.sdk * scale,
        found.baseline * scale,
        unit,
        f"<= {target:.2f}x",
        ratio=found.ratio,
        note=note,
        spread=found.ratio_spread,
        rounds=found.rounds,
    )
    shown = printed_value(row)
    row.passed = shown is not None and shown <= target
    return row


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
        found = paired_rounds(
            per_call(contenders["raw"], calls),
            {
                "client": per_call(contenders["client"], calls),
                "api": per_call(contenders["api"], calls),
            },
            rounds=sizes.call_rounds,
        )
    target = 1.15 if in_process else 1.05
    return [
        ratio_row(
            "per-call",
            f"{label}, {where}",
            found[name],
            scale=1e6,
            unit="us/call",
            target=target,
        )
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
        for client in (pooled, fresh):  # warm up: connections, caches, lazy schemas
            for _ in range(20):
                client.notebooks.create(JOB)
        calls = max(sizes.http_calls // 2, 1)
        found = paired_rounds(
            per_call(lambda: pooled.notebooks.create(JOB), calls),
            {"fresh": per_call(lambda: fresh.notebooks.create(JOB), calls)},
            rounds=sizes.call_rounds,
        )["fresh"]
    fresh_us, pooled_us = found.sdk * 1e6, found.baseline * 1e6
    return [
        Row(
            "connections",
            "create on a fresh connection vs a pooled one, loopback HTTP",
            fresh_us,
            pooled_us,
            "us/call",
            "reported",
            ratio=found.ratio,
            note=f"+{fresh_us - pooled_us:.0f} us per create idle for 1 s or more; TLS adds a "
            "handshake",
            spread=found.ratio_spread,
            rounds=found.rounds,
        )
    ]


# --- 2. one page of 100 notebooks --------------------------------------------------------------


def _read_dicts(page: Any) -> None:
    """Read every field of every notebook of a page decoded by ``json.loads``."""
    for nb in page["entries"]:
        _ = nb["job_definition_id"], nb["training_notebook_id"], nb["name"], nb["description"]
        _ = nb["status"], nb["status_message"], nb["instance_type"], nb["image"]
        _ = nb["created_at"], nb["modified_at"]
        creator = nb["creator"]
        _ = creator["id"], creator["email"], creator["display_name"], creator["role"]
        _ = creator["is_registered"], creator["created_at"], creator["updated_at"]


def _read_models(page: NotebookPage[Notebook] | NotebookPage[AsyncNotebook]) -> None:
    """Read every field of every notebook of a page the SDK parsed."""
    for nb in page.entries:
        _ = nb.job_definition_id, nb.training_notebook_id, nb.name, nb.description
        _ = nb.status, nb.status_message, nb.instance_type, nb.image
        _ = nb.created_at, nb.modified_at
        creator = nb.creator
        _ = creator.id, creator.email, creator.display_name, creator.role
        _ = creator.is_registered, creator.created_at, creator.updated_at


def _page_rows(found: dict[str, Paired]) -> list[Row]:
    rows: list[Row] = []
    for key, label, raw in (
        ("sync", "Client", "httpx.Client.get"),
        ("async", "AsyncClient", "httpx.AsyncClient.get"),
    ):
        reads = found[f"{key} reads"]
        collected = found.get(f"{key} gc")
        models = found.get(f"{key} models")
        more = ""
        if models is not None:
            more += (
                "; the same page validated by pydantic into the SDK's models, fetched by raw "
                f"httpx, with no SDK code around it: {models.ratio:.2f}x"
            )
        if collected is not None:
            more += f"; with the garbage collector running in the rounds: {collected.ratio:.2f}x"
        row = ratio_row(
            "page",
            f"{label}.notebooks.list_page, 100 notebooks, in-process",
            found[key],
            scale=1e6,
            unit="us/page",
            target=1.2,
            note=f"{label}: baseline {raw} + response.json() + a read of every field of the "
            "page (each notebook's and its creator's), over the same in-process transport. "
            f"Reading every field of the SDK's page as well: {reads.ratio:.2f}x the same "
            f"baseline (pydantic's attribute access is slower than a dict's){more}",
        )
        row.extra = {"sdk_with_reads_ratio": reads.ratio, "sdk_with_reads_us": reads.sdk * 1e6}
        if models is not None:
            row.extra["models_only_ratio"] = models.ratio
        if collected is not None:
            row.extra["gc_running_ratio"] = collected.ratio
        rows.append(row)
    return rows


def page_parsing(sizes: Sizes) -> list[Row]:
    """``list_page`` of 100 notebooks against raw httpx + ``response.json()`` + field reads."""
    url = f"http://bench.invalid{PATH}?offset=0&limit=100"
    base = "http://bench.invalid"
    pages = sizes.pages
    page_model = NotebookPage[Notebook]
    with (
        httpx.Client(transport=_canned_transport(PAGE)) as raw,
        httpx.Client(transport=_canned_transport(PAGE)) as raw_too,
        Client(
            base_url=base,
            organization_id=ORG,
            auth_token=TOKEN,
            http_client=httpx.Client(transport=_canned_transport(PAGE)),
        ) as client,
    ):

        def raw_page() -> None:
            _read_dicts(raw.get(url).json())

        def models_only() -> None:  # the SDK's models without the SDK: the floor under it
            page_model.model_validate_json(raw_too.get(url).content)

        def sdk_page() -> None:
            client.notebooks.list_page(JOB, offset=0, limit=100)

        def sdk_page_read() -> None:
            _read_models(client.notebooks.list_page(JOB, offset=0, limit=100))

        for _ in range(20):
            raw_page()
            sdk_page_read()
        sync = paired_rounds(
            per_call(raw_page, pages),
            {
                "sync": per_call(sdk_page, pages),
                "sync reads": per_call(sdk_page_read, pages),
                "sync models": per_call(models_only, pages),
            },
            rounds=sizes.page_rounds,
        )
        collected = paired_rounds(  # the same with the garbage collector running
            per_call(raw_page, pages),
            {"sync gc": per_call(sdk_page, pages)},
            rounds=max(sizes.page_rounds // 3, 1),
            gc_off=False,
        )
    return _page_rows({**sync, **collected, **_async_page_parsing(sizes, url, base)})


def _async_page_parsing(sizes: Sizes, url: str, base: str) -> dict[str, Paired]:
    loop = asyncio.new_event_loop()
    pages = sizes.pages

    def timed(work: Callable[[], Awaitable[None]]) -> Callable[[], float]:
        async def run() -> float:
            started = time.perf_counter()
            for _ in range(pages):
                await work()
            return (time.perf_counter() - started) / pages

        return lambda: loop.run_until_complete(run())

    async def clients() -> tuple[httpx.AsyncClient, AsyncClient]:
        raw = httpx.AsyncClient(transport=_canned_transport(PAGE))
        sdk = AsyncClient(
            base_url=base,
            organization_id=ORG,
            auth_token=TOKEN,
            http_client=httpx.AsyncClient(transport=_canned_transport(PAGE)),
        )
        return raw, sdk

    try:
        raw, client = loop.run_until_complete(clients())

        async def raw_page() -> None:
            _read_dicts((await raw.get(url)).json())

        async def sdk_page() -> None:
            await client.notebooks.list_page(JOB, offset=0, limit=100)

        async def sdk_page_read() -> None:
            _read_models(await client.notebooks.list_page(JOB, offset=0, limit=100))

        for _ in range(2):
            timed(raw_page)()
            timed(sdk_page_read)()
        found = paired_rounds(
            timed(raw_page),
            {"async": timed(sdk_page), "async reads": timed(sdk_page_read)},
            rounds=sizes.page_rounds,
        )

        async def close() -> None:
            await raw.aclose()
            await client.aclose()

        loop.run_until_complete(close())
    finally:
        loop.close()
    return found


# --- 3. the old abeja-sdk client ---------------------------------------------------------------

_OLD_CLIENT_WORKER = textwrap.dedent(
    f"""
    import sys, time
    from abeja.notebook import APIClient
    api = APIClient(credential={{"auth_token": "{TOKEN}"}})
    for line in sys.stdin:
        calls = int(line)
        start = time.perf_counter()
        for _ in range(calls):
            api.get_notebook("{ORG}", "{JOB}", "{NID}")
        print((time.perf_counter() - start) / calls, flush=True)
    """
)


def _old_python(old_python: str | None) -> str | None:
    python = old_python or os.environ.get("ABEJA_SDK_PYTHON")
    if python:
        return python
    try:
        import abeja.notebook  # type: ignore[import-not-found]  # optional, never a dependency  # noqa: F401
    except ImportError:
        return None
    return sys.executable


def old_client(sizes: Sizes, old_python: str | None) -> list[Row]:
    """Our ``APIClient.get_notebook`` against the old client's, in paired rounds over loopback.

    The old client runs in its own interpreter, kept running for the whole comparison: each
    round asks it for a batch of calls and reads back its time per call.
    """
    measure = "APIClient.get_notebook against abeja-sdk's, loopback HTTP"
    python = _old_python(old_python)
    if python is None:
        return [
            Row(
                "old client",
                measure,
                float("nan"),
                float("nan"),
                "us/call",
                "reported",
                note="skipped: abeja-sdk not found; pass --old-python or set ABEJA_SDK_PYTHON",
            )
        ]
    with CannedServer(BODY) as server:
        worker = subprocess.Popen(
            [python, "-c", _OLD_CLIENT_WORKER],
            env={**os.environ, "ABEJA_API_URL": server.base_url},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert worker.stdin is not None
        assert worker.stdout is not None
        stdin, stdout = worker.stdin, worker.stdout

        def old(calls: int = sizes.old_calls) -> float:
            stdin.write(f"{calls}\n")
            stdin.flush()
            return float(stdout.readline())

        try:
            with APIClient({"auth_token": TOKEN}, base_url=server.base_url) as api:
                ours = per_call(lambda: api.get_notebook(ORG, JOB, NID), sizes.old_calls)
                old(10)  # warm up both: imports, connections
                ours()
                found = paired_rounds(old, {"ours": ours}, rounds=sizes.old_rounds)["ours"]
        finally:
            stdin.close()
            worker.wait(timeout=60)
    row = Row(
        "old client",
        measure,
        found.sdk * 1e6,
        found.baseline * 1e6,
        "us/call",
        "reported",
        ratio=found.ratio,
        note="baseline: abeja-sdk's APIClient.get_notebook (requests), run by another "
        f"interpreter; the old client is {1 / found.ratio:.1f}x slower",
        spread=found.ratio_spread,
        rounds=found.rounds,
    )
    return [row]


# --- 4. pagination at scale --------------------------------------------------------------------


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


def _timed(function: Callable[[int], int], total: int) -> Callable[[], float]:
    def sample() -> float:
        started = time.perf_counter()
        function(total)
        return (time.perf_counter() - started) / total

    return sample


def pagination(sizes: Sizes) -> list[Row]:
    """Memory that must not grow with the count, and throughput against raw dicts."""
    small, large = sizes.pages_small, sizes.pages_large
    _walk_sdk(200)  # build the validators first: a one-time cost, not the listing's
    peak_small = _peak(_walk_sdk, small)
    peak_large = _peak(_walk_sdk, large)
    growth = peak_large / peak_small
    found = paired_rounds(
        _timed(_walk_raw, large), {"sdk": _timed(_walk_sdk, large)}, rounds=sizes.walk_rounds
    )["sdk"]
    memory = Row(
        "pagination",
        f"peak traced memory, {large:,} vs {small:,} notebooks",
        peak_large / 1024,
        peak_small / 1024,
        "KiB",
        "<= 1.50x",
        ratio=growth,
    )
    memory.passed = round(growth, 2) <= 1.5
    throughput = ratio_row(
        "pagination",
        f"list(), {large:,} notebooks in pages of 100",
        found,
        scale=1e6,
        unit="us/notebook",
        target=2.0,
        note="baseline: json.loads of each page and two fields of each notebook read; "
        "the ratio is time per notebook",
    )
    return [memory, throughput]


# --- 5. async fan-out ------------------------------------------------------------------------


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
    loop = asyncio.new_event_loop()
    try:
        with CannedServer(BODY, concurrent=True) as server:
            url = server.base_url + PATH + "/" + NID

            async def clients() -> tuple[httpx.AsyncClient, AsyncClient]:
                headers = {"Authorization": f"Bearer {TOKEN}"}
                raw = httpx.AsyncClient(limits=limits, headers=headers)
                sdk = AsyncClient(
                    base_url=server.base_url, organization_id=ORG, auth_token=TOKEN, limits=limits
                )
                return raw, sdk

            raw, client = loop.run_until_complete(clients())

            async def raw_get() -> object:
                return json.loads((await raw.get(url)).content)

            def sdk_get() -> Any:
                return client.notebooks.get(JOB, NID)

            def sample(get: Callable[[], Any]) -> Callable[[], float]:
                return lambda: loop.run_until_complete(
                    _fan_out(get, sizes.fanout, sizes.concurrency)
                )

            for get in (raw_get, sdk_get):  # open the pools, and let each settle
                sample(get)()
            found = paired_rounds(
                sample(raw_get), {"sdk": sample(sdk_get)}, rounds=sizes.fanout_rounds
            )["sdk"]

            async def close() -> None:
                await raw.aclose()
                await client.aclose()

            loop.run_until_complete(close())
    finally:
        loop.close()
    return [
        ratio_row(
            "async fan-out",
            f"{sizes.fanout:,} gets, {sizes.concurrency} at a time, loopback HTTP",
            found,
            scale=1e3,
            unit="ms",
            target=1.2,
        )
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
            "< 2% of a core",
            passed=share < 2.0,
            note=f"idle follow: {share:.2f}% of one core, {polls} polls; the emulator serving "
            "them runs in the same process and is counted too",
        )
    ]


ALL: dict[str, Callable[[Sizes], list[Row]]] = {
    "per-call": per_call_overhead,
    "page": page_parsing,
    "connections": fresh_connection,
    "pagination": pagination,
    "async": async_fan_out,
    "idle": idle_follow,
    **PROCESS_CASES,
}
"""Every benchmark but the old client's (which needs an interpreter with abeja-sdk)."""
