"""The examples of the async guide (docs/guides/async.md).

Run ``python examples/guide_async.py`` against the platform (or ``abeja-notebooks emulator``)
with the usual environment variables set.
"""

from __future__ import annotations

import asyncio

from abeja_notebooks import AsyncClient, AsyncNotebook, NotebookStatus


# --8<-- [start:lifecycle]
async def lifecycle(client: AsyncClient) -> AsyncNotebook:
    nb = await client.notebooks.create("train-resnet", instance_type="cpu-1")
    await nb.wait_until(NotebookStatus.RUNNING)
    async for event in nb.logs(follow=True, timeout=30):  # not awaited: iterated
        print(event.timestamp.isoformat(), event.message)
    await nb.update(instance_type="cpu-4")
    return await nb.stop()


# --8<-- [end:lifecycle]


# --8<-- [start:concurrent]
async def read_many(client: AsyncClient, notebook_ids: list[str]) -> list[AsyncNotebook]:
    async with asyncio.timeout(60):  # bounds the whole batch; cancels what is left
        return await asyncio.gather(
            *(client.notebooks.get("train-resnet", notebook_id) for notebook_id in notebook_ids)
        )


# --8<-- [end:concurrent]


# --8<-- [start:main]
async def main() -> None:
    async with AsyncClient() as client:  # reads the environment, as Client() does
        async for nb in client.notebooks.list("train-resnet"):
            print(nb.id, nb.name, nb.status)


if __name__ == "__main__":
    asyncio.run(main())
# --8<-- [end:main]
