"""What a client built on a handed-in ``http_client`` takes from it, over real HTTP."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from abeja_notebooks import APIClient, AsyncClient, Client
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


def api_client(**options: Any) -> APIClient:
    return APIClient({"auth_token": TOKEN}, **options)


KINDS: dict[str, tuple[Callable[..., object], type[httpx.Client | httpx.AsyncClient]]] = {
    "Client": (Client, httpx.Client),
    "AsyncClient": (AsyncClient, httpx.AsyncClient),
    "APIClient": (api_client, httpx.Client),
}


@pytest.mark.parametrize("kind", KINDS)
def test_a_warning_says_when_the_hook_cannot_reach_the_pool_of_an_httpx_transport(
    kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    """As if httpcore had renamed what the SDK hooks into: the deadline would then be kept
    per socket read only, which must not go unnoticed."""
    build, http_class = KINDS[kind]
    http: Any = http_class()
    del http._transport._pool._network_backend

    with caplog.at_level(logging.WARNING, logger="abeja_notebooks"):
        build(base_url="http://127.0.0.1:9", http_client=http)

    (record,) = caplog.records
    assert (record.name, record.levelno) == ("abeja_notebooks", logging.WARNING)
    transport = "AsyncHTTPTransport" if http_class is httpx.AsyncClient else "HTTPTransport"
    assert record.getMessage().startswith(f"cannot reach the connection pool of {transport} ")
    assert "bounded per socket read only" in record.getMessage()


HOOKED: dict[str, Callable[[], dict[str, Any]]] = {
    "the SDK's own pool": dict,
    "an httpx client handed in": lambda: {"http_client": httpx.Client()},
    "one with a proxy mount": lambda: {
        "http_client": httpx.Client(mounts={"http://": httpx.HTTPTransport(proxy="http://p:1")})
    },
    "an in-process transport": lambda: {
        "http_client": httpx.Client(transport=httpx.MockTransport(lambda _: httpx.Response(200)))
    },
}


@pytest.mark.parametrize("case", HOOKED)
def test_no_warning_where_the_hook_is_in_place_or_has_no_pool_to_go_into(
    case: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="abeja_notebooks"):
        Client(base_url="http://127.0.0.1:9", auth_token=TOKEN, **HOOKED[case]())

    assert caplog.records == []
