"""What only the async client has: cancellation, asyncio timeouts, concurrency, its lifecycle.

Everything else the async client does is tested by the shared suites (see tests/dual.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from abeja_notebooks import AsyncClient, AsyncNotebook, NotebookStatus, RetryPolicy
from abeja_notebooks.testing import Emulator, EmulatorServer
from abeja_notebooks.testing.pytest_plugin import TEST_TOKEN
from tests.support import JOB, ORG


@pytest.fixture
async def async_client(notebook_emulator_server: EmulatorServer) -> AsyncIterator[AsyncClient]:
    """An AsyncClient on the real clock: these tests need real waiting to cancel."""
    async with AsyncClient(
        base_url=notebook_emulator_server.base_url,
        organization_id=ORG,
        auth_token="t",
        retry_policy=RetryPolicy(jitter=0),
    ) as client:
        yield client


async def eventually(condition: Callable[[], bool], within: float = 5.0) -> bool:
    """Whether ``condition`` holds now or becomes true within ``within`` real seconds."""
    ends = time.monotonic() + within
    while not condition():
        if time.monotonic() > ends:
            return False
        await asyncio.sleep(0.01)
    return True


def other_tasks() -> set[asyncio.Task[object]]:
    return asyncio.all_tasks() - {asyncio.current_task()}


async def cancel_soon(task: asyncio.Task[object], after: float = 0.1) -> float:
    await asyncio.sleep(after)
    started = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    return time.monotonic() - started


async def test_the_async_client_returns_bound_async_notebooks(
    async_client: AsyncClient, emulator: Emulator
) -> None:
    nb = await async_client.notebooks.create(JOB, instance_type="cpu-1")

    assert isinstance(nb, AsyncNotebook)
    assert await nb.update(instance_type="cpu-2") is nb
    assert [n.id async for n in async_client.notebooks.list(JOB)] == [nb.id]
    assert emulator.notebook(nb.id)["instance_type"] == "cpu-2"


async def test_cancelling_a_wait_leaves_no_task_and_the_client_usable(
    async_client: AsyncClient, emulator: Emulator, notebook_emulator_server: EmulatorServer
) -> None:
    emulator.start_delay = 10_000  # the emulator's clock never moves: Pending for ever
    nb = await async_client.notebooks.create(JOB)
    task = asyncio.create_task(nb.wait_until(NotebookStatus.RUNNING, poll_interval=0.01))

    assert await cancel_soon(task) < 0.5
    assert other_tasks() == set()
    assert (await nb.refresh()).status is NotebookStatus.PENDING
    # The server thread sees the cancelled request's connection close a moment later.
    assert await eventually(lambda: notebook_emulator_server.open_connections <= 1)


async def test_cancellations_at_any_point_never_use_up_the_pool(
    emulator: Emulator, notebook_emulator_server: EmulatorServer
) -> None:
    # httpcore's pool can keep a connection busy for good when a task is cancelled while the
    # answer's close awaits (encode/httpcore#1093): with two connections, two such leaks would
    # leave every later call waiting for one until its pool timeout.
    emulator.start_delay = 10_000
    limits = httpx.Limits(max_connections=2, max_keepalive_connections=2)
    async with AsyncClient(
        base_url=notebook_emulator_server.base_url,
        organization_id=ORG,
        auth_token=TEST_TOKEN,
        limits=limits,
        timeout=httpx.Timeout(5.0, pool=1.0),
        max_retries=0,
    ) as client:
        nb = await client.notebooks.create(JOB)
        for attempt in range(200):
            task = asyncio.create_task(nb.wait_until(NotebookStatus.RUNNING, poll_interval=0.001))
            await asyncio.sleep((attempt % 50) / 2000)  # cancel at many points of a request
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

            assert (await nb.refresh()).status is NotebookStatus.PENDING, attempt


async def test_cancelling_a_log_follow_stops_it_cleanly(
    async_client: AsyncClient, emulator: Emulator
) -> None:
    emulator.start_delay = 10_000
    nb = await async_client.notebooks.create(JOB)

    async def follow() -> list[str]:
        return [event.message async for event in nb.logs(follow=True, poll_interval=0.01)]

    task: asyncio.Task[object] = asyncio.create_task(follow())

    assert await cancel_soon(task) < 0.5
    assert other_tasks() == set()
    assert (await nb.recent_logs()).events == []


async def test_cancelling_a_retry_sleep_returns_at_once(
    async_client: AsyncClient, emulator: Emulator
) -> None:
    emulator.inject(status=503, retry_after="30")
    task: asyncio.Task[object] = asyncio.create_task(async_client.notebooks.list_page(JOB))

    assert await cancel_soon(task, after=0.2) < 0.5
    assert len(emulator.requests) == 1
    assert (await async_client.notebooks.list_page(JOB)).total == 0


async def test_cancelling_a_page_walk_mid_request_closes_only_that_request(
    async_client: AsyncClient, emulator: Emulator, notebook_emulator_server: EmulatorServer
) -> None:
    emulator.seed(30)
    emulator.inject(latency=3.0, method="GET", path="notebooks$")

    async def walk() -> int:
        return len([nb async for nb in async_client.notebooks.list(JOB, page_size=10)])

    task: asyncio.Task[object] = asyncio.create_task(walk())

    assert await cancel_soon(task) < 0.5
    assert other_tasks() == set()
    assert await walk() == 30


async def test_asyncio_timeout_works_around_any_call(
    async_client: AsyncClient, emulator: Emulator
) -> None:
    (nid,) = emulator.seed(1)
    emulator.inject(latency=3.0, method="GET")
    started = time.monotonic()

    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.2):
            await async_client.notebooks.get(JOB, nid)

    assert time.monotonic() - started < 1.0
    assert (await async_client.notebooks.get(JOB, nid)).id == nid


async def test_five_hundred_concurrent_gets_share_a_bounded_pool(
    notebook_emulator_server: EmulatorServer, emulator: Emulator
) -> None:
    (nid,) = emulator.seed(1)
    async with AsyncClient(
        base_url=notebook_emulator_server.base_url,
        organization_id=ORG,
        auth_token="t",
        limits=httpx.Limits(max_connections=20, max_keepalive_connections=20),
    ) as client:
        notebooks = await asyncio.gather(*(client.notebooks.get(JOB, nid) for _ in range(500)))

    assert {nb.id for nb in notebooks} == {nid}
    assert len(emulator.requests) == 500
    assert notebook_emulator_server.peak_open_connections <= 20
    assert notebook_emulator_server.connections_accepted <= 20


async def test_aclose_closes_our_pool_but_never_one_handed_in(
    notebook_emulator_server: EmulatorServer,
) -> None:
    url = notebook_emulator_server.base_url
    async with httpx.AsyncClient() as http:
        async with AsyncClient(
            base_url=url, organization_id=ORG, auth_token="t", http_client=http
        ) as client:
            await client.notebooks.list_page(JOB)
        assert not http.is_closed

    owned = AsyncClient(base_url=url, organization_id=ORG, auth_token="t")
    copy = owned.with_options(timeout=5)
    await copy.aclose()
    assert (await owned.notebooks.list_page(JOB)).total == 0  # the copy shares, never closes
    await owned.aclose()
    assert owned._transport.http.is_closed  # pyright: ignore[reportPrivateUsage] -- the pool it made


async def test_a_sync_http_client_is_refused_with_a_clear_error() -> None:
    with httpx.Client() as http, pytest.raises(TypeError, match=r"httpx\.AsyncClient"):
        AsyncClient(http_client=http)  # type: ignore[arg-type]  # the mistake under test
