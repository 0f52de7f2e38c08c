"""Run the same behavioural tests against the sync Client and the AsyncClient.

:class:`Blocking` wraps an ``AsyncClient`` (and everything it hands out) so that a test written
in sync style drives it: coroutines are run to completion on one event loop kept in a
background thread, async iterators are walked one item per call, and the notebooks it returns
keep their identity (``nb.stop() is nb``). Only the calling convention is adapted; every
request, retry, page, log token and sleep goes through the async client's own code.
"""

from __future__ import annotations

import asyncio
import inspect
import threading
from collections.abc import AsyncIterator, Awaitable, Iterator
from typing import Any, TypeVar, cast

_T = TypeVar("_T")


class Portal:
    """An event loop in a background thread that runs coroutines for synchronous callers."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def run(self, awaitable: Awaitable[_T]) -> _T:
        async def main() -> _T:
            return await awaitable

        return asyncio.run_coroutine_threadsafe(main(), self.loop).result(timeout=120)

    def close(self) -> None:
        async def drain() -> None:
            await self.loop.shutdown_asyncgens()

        self.run(drain())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)
        self.loop.close()


class Blocking:
    """A synchronous view of an async SDK object; see the module docstring."""

    __slots__ = ("_portal", "_target", "_views")

    def __init__(self, target: Any, portal: Portal, views: dict[int, Blocking]) -> None:
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_portal", portal)
        object.__setattr__(self, "_views", views)

    def _wrap(self, value: Any) -> Any:
        return view(value, self._portal, self._views)

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._target, name)
        if not callable(attribute) or inspect.isclass(attribute):
            return self._wrap(attribute)

        def call(*args: Any, **kwargs: Any) -> Any:
            result = attribute(
                *(unwrap(a) for a in args), **{k: unwrap(v) for k, v in kwargs.items()}
            )
            if inspect.isawaitable(result):
                result = self._portal.run(result)
            return self._wrap(result)

        return call

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._target, name, value)

    def __iter__(self) -> Iterator[Any]:
        iterator = cast("AsyncIterator[Any]", self._target.__aiter__())
        while True:
            try:
                item = self._portal.run(iterator.__anext__())
            except StopAsyncIteration:
                return
            yield self._wrap(item)

    def __next__(self) -> Any:
        try:
            return self._wrap(self._portal.run(self._target.__anext__()))
        except StopAsyncIteration:
            raise StopIteration from None

    def __enter__(self) -> Blocking:
        return self

    def __exit__(self, *exc: object) -> None:
        self._portal.run(self._target.__aexit__(None, None, None))

    def __eq__(self, other: object) -> bool:
        return bool(self._target == unwrap(other))

    def __hash__(self) -> int:
        return hash(self._target)

    def __repr__(self) -> str:
        return repr(self._target)

    def __str__(self) -> str:
        return str(self._target)


def view(value: object, portal: Portal, views: dict[int, Blocking]) -> Any:
    """Wrap SDK objects (not plain data) in a :class:`Blocking`, reusing one view per object."""
    module = type(value).__module__
    is_sdk_object = module.startswith("abeja_notebooks._") and not module.endswith(
        ("_models", "_errors", "_config", "_flows")
    )
    if not (is_sdk_object or inspect.isasyncgen(value)):
        return value
    existing = views.get(id(value))
    if existing is not None and existing._target is value:  # pyright: ignore[reportPrivateUsage] -- views of one module
        return existing
    wrapped = Blocking(value, portal, views)
    views[id(value)] = wrapped
    return wrapped


def unwrap(value: Any) -> Any:
    """The object behind a :class:`Blocking` view, or ``value`` itself."""
    if isinstance(value, Blocking):
        return value._target  # pyright: ignore[reportPrivateUsage] -- views of one module
    return value


def blocking_view(like: Any, target: _T) -> _T:
    """``target`` seen the way ``like`` is: through a view if ``like`` is one, else as is."""
    if isinstance(like, Blocking):
        return cast("_T", view(target, like._portal, like._views))  # pyright: ignore[reportPrivateUsage] -- views of one module
    return target


def blocking(target: _T, portal: Portal) -> _T:
    """A synchronous view of ``target`` typed as the object it stands in for."""
    return cast("_T", view(target, portal, {}))
