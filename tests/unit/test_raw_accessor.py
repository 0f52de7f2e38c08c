"""The raw accessors offer exactly the manager's single-request operations, with its signatures."""

from __future__ import annotations

import inspect

import pytest

from abeja_notebooks import (
    AsyncNotebooks,
    AsyncNotebooksWithRawResponse,
    Notebooks,
    NotebooksWithRawResponse,
)

SINGLE_REQUEST = {
    "create",
    "get",
    "update",
    "delete",
    "start",
    "stop",
    "list_page",
    "recent_logs",
}

PAIRS = [(Notebooks, NotebooksWithRawResponse), (AsyncNotebooks, AsyncNotebooksWithRawResponse)]


def _public_methods(cls: type) -> set[str]:
    return {name for name, value in vars(cls).items() if callable(value) and name[0] != "_"}


@pytest.mark.parametrize(("manager", "raw"), PAIRS)
def test_the_accessor_offers_every_single_request_operation_and_no_other(
    manager: type, raw: type
) -> None:
    assert _public_methods(raw) == SINGLE_REQUEST
    # Made of many requests; current() is get() with the ids from the platform's variables.
    assert _public_methods(manager) - SINGLE_REQUEST == {"list", "logs", "wait_until", "current"}


@pytest.mark.parametrize(("manager", "raw"), PAIRS)
@pytest.mark.parametrize("name", sorted(SINGLE_REQUEST))
def test_each_raw_method_takes_the_managers_parameters(manager: type, raw: type, name: str) -> None:
    plain = inspect.signature(getattr(manager, name))
    answered = inspect.signature(getattr(raw, name))

    assert list(answered.parameters.values()) == list(plain.parameters.values())
    assert inspect.iscoroutinefunction(getattr(raw, name)) == (manager is AsyncNotebooks)
