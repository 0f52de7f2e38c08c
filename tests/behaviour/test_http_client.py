"""What a client built on a handed-in ``http_client`` takes from it, over real HTTP."""

from __future__ import annotations

import httpx
import pytest

from abeja_notebooks import AsyncClient, Client
from abeja_notebooks.testing import DEFAULT_ORGANIZATION_ID, Emulator, EmulatorServer

JOB = "train-resnet"
TOKEN = "the-sdk-token"


PARAMS = {"trace": "on"}
COOKIES = {"session": "abc"}
HEADERS = {"X-Team": "vision", "User-Agent": "their-agent"}
AUTH = ("someone", "else")


def _check(emulator: Emulator) -> None:
    (request,) = emulator.requests
    assert request.query == {"trace": ["on"], "offset": ["0"]}
    assert request.headers["cookie"] == "session=abc"
    assert request.headers["x-team"] == "vision"
    assert request.headers["user-agent"].startswith("abeja-notebooks/")  # ours on top
    assert request.headers["authorization"] == f"Bearer {TOKEN}"  # never the client's auth


def test_a_handed_in_client_adds_its_params_cookies_and_headers_beneath_ours(
    notebook_emulator: Emulator, notebook_emulator_server: EmulatorServer
) -> None:
    with httpx.Client(params=PARAMS, cookies=COOKIES, headers=HEADERS, auth=AUTH) as http:
        with Client(
            base_url=notebook_emulator_server.base_url,
            organization_id=DEFAULT_ORGANIZATION_ID,
            auth_token=TOKEN,
            http_client=http,
        ) as client:
            client.notebooks.list_page(JOB)
        assert not http.is_closed  # never closed by the SDK

    _check(notebook_emulator)


async def test_a_handed_in_async_client_adds_the_same(
    notebook_emulator: Emulator, notebook_emulator_server: EmulatorServer
) -> None:
    async with httpx.AsyncClient(
        params=PARAMS, cookies=COOKIES, headers=HEADERS, auth=AUTH
    ) as http:
        async with AsyncClient(
            base_url=notebook_emulator_server.base_url,
            organization_id=DEFAULT_ORGANIZATION_ID,
            auth_token=TOKEN,
            http_client=http,
        ) as client:
            await client.notebooks.list_page(JOB)
        assert not http.is_closed  # never closed by the SDK

    _check(notebook_emulator)


def test_a_client_of_our_own_sends_no_cookies_it_was_given(
    notebook_emulator: Emulator, notebook_emulator_server: EmulatorServer
) -> None:
    with Client(
        base_url=notebook_emulator_server.base_url,
        organization_id=DEFAULT_ORGANIZATION_ID,
        auth_token=TOKEN,
    ) as client:
        client.notebooks.list_page(JOB)
        client.with_options(timeout=5).notebooks.list_page(JOB)

    assert [r.headers.get("cookie") for r in notebook_emulator.requests] == [None, None]
    assert [r.query for r in notebook_emulator.requests] == [{"offset": ["0"]}] * 2


@pytest.mark.parametrize("timeout", [5.0, None])
def test_with_options_keeps_what_the_handed_in_client_adds(
    notebook_emulator: Emulator, notebook_emulator_server: EmulatorServer, timeout: float | None
) -> None:
    with httpx.Client(params=PARAMS, cookies=COOKIES, headers=HEADERS, auth=AUTH) as http:
        client = Client(
            base_url=notebook_emulator_server.base_url,
            organization_id=DEFAULT_ORGANIZATION_ID,
            auth_token=TOKEN,
            http_client=http,
        )
        client.with_options(timeout=timeout).notebooks.list_page(JOB)

    _check(notebook_emulator)
