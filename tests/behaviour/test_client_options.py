"""What a client makes of its options: construction checks, the environment, ``with_options``, a
passed-in ``httpx.Client``, and the errors of a client that lacks credentials or an organization.

How the options are merged (arguments, environment, defaults) is tested on the pure layer in
tests/unit/test_config.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from abeja_notebooks import (
    APIClient,
    AsyncClient,
    Client,
    ConfigurationError,
    Credentials,
    RetryPolicy,
)
from abeja_notebooks.testing import Emulator, EmulatorServer
from tests.support import JOB, ORG


def test_env_numbers_are_parsed_from_the_real_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ABEJA_SDK_CONNECTION_TIMEOUT", "2")
    monkeypatch.setenv("ABEJA_SDK_MAX_RETRY_COUNT", "5")

    api = APIClient()

    assert api.settings.timeout == httpx.Timeout(2.0)
    assert api.settings.max_retries == 5


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"timeout": 0}, ValueError),
        ({"timeout": -3}, ValueError),
        ({"timeout": "30"}, TypeError),
        ({"max_retries": -1}, ValueError),
        ({"max_retries": 1.5}, TypeError),
        ({"max_retries": True}, TypeError),
        ({"deadline": 0}, ValueError),
        ({"organization_id": ""}, ValueError),
        ({"auth_token": " "}, ValueError),
        ({"user_id": "1"}, ValueError),
        ({"retry_policy": RetryPolicy}, TypeError),
    ],
)
def test_a_bad_argument_raises_at_construction(kwargs: dict[str, object], error: type) -> None:
    with pytest.raises(error):
        Client(**kwargs)  # type: ignore[arg-type]  # deliberately wrong types


def api_client(**options: Any) -> APIClient:
    return APIClient({"auth_token": "t" * 8}, **options)


WRONG_HTTP_CLIENTS: dict[str, tuple[Callable[..., object], type, str]] = {
    # client: (how it is built, the http_client given, the message)
    "Client": (Client, httpx.AsyncClient, "must be an httpx.Client, got AsyncClient"),
    "AsyncClient": (AsyncClient, httpx.Client, "must be an httpx.AsyncClient, got Client"),
    "APIClient": (api_client, httpx.AsyncClient, "must be an httpx.Client, got AsyncClient"),
}


@pytest.mark.parametrize("client", WRONG_HTTP_CLIENTS)
def test_an_http_client_of_the_other_kind_raises_type_error_before_any_request(
    notebook_emulator_server: EmulatorServer, emulator: Emulator, client: str
) -> None:
    build, wrong, message = WRONG_HTTP_CLIENTS[client]
    http = wrong()

    with pytest.raises(TypeError) as caught:
        build(base_url=notebook_emulator_server.base_url, http_client=http)

    assert str(caught.value) == "http_client " + message
    assert emulator.requests == []


def test_no_credentials_fail_at_the_first_request_and_nothing_is_sent(
    notebook_emulator_server: EmulatorServer, emulator: Emulator
) -> None:
    api = APIClient(base_url=notebook_emulator_server.base_url)

    with pytest.raises(ConfigurationError) as caught:
        api.get_notebooks(ORG, JOB)

    message = str(caught.value)
    assert "PLATFORM_AUTH_TOKEN" in message
    assert "ABEJA_PLATFORM_USER_ID" in message
    assert "ABEJA_PLATFORM_PERSONAL_ACCESS_TOKEN" in message
    assert emulator.requests == []


def test_a_client_without_organization_says_which_variable_to_set(
    notebook_emulator_server: EmulatorServer, emulator: Emulator
) -> None:
    client = Client(base_url=notebook_emulator_server.base_url, auth_token="t")

    with pytest.raises(ConfigurationError, match="ABEJA_ORGANIZATION_ID"):
        client.notebooks.get(JOB, "1")

    assert emulator.requests == []


def test_env_is_read_when_the_client_is_built_not_at_import(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ABEJA_API_URL", "http://first.example")
    first = Client()
    monkeypatch.setenv("ABEJA_API_URL", "http://second.example")
    second = Client()

    assert first.settings.base_url == "http://first.example"
    assert second.settings.base_url == "http://second.example"


def test_no_secret_appears_in_any_repr() -> None:
    secrets = ["tok-S3CRET", "pat-S3CRET"]
    token_client = Client(auth_token=secrets[0], organization_id="1")
    user_client = Client(user_id="1", personal_access_token=secrets[1], organization_id="1")
    shown = " ".join(
        repr(x)
        for x in (
            token_client,
            user_client,
            token_client.settings,
            user_client.settings,
            token_client.notebooks,
            token_client.settings.credentials,
            Credentials.user("1", secrets[1]),
            APIClient({"auth_token": secrets[0]}),
        )
    )

    assert "S3CRET" not in shown
    assert "secret=***" in shown


def test_with_options_changes_options_and_shares_the_pool(
    notebook_emulator_server: EmulatorServer,
) -> None:
    with Client(base_url=notebook_emulator_server.base_url, auth_token="t") as client:
        patient = client.with_options(timeout=99, max_retries=0, organization_id="other")

        assert patient.settings.timeout == httpx.Timeout(99)
        assert patient.settings.max_retries == 0
        assert patient.organization_id == "other"
        assert client.settings.max_retries == 3
        assert patient._transport.http is client._transport.http  # pyright: ignore[reportPrivateUsage] -- one shared pool
        patient.close()
        assert not client._transport.http.is_closed  # pyright: ignore[reportPrivateUsage] -- the pool itself
    assert client._transport.http.is_closed  # pyright: ignore[reportPrivateUsage] -- the pool itself


def test_a_passed_in_http_client_is_used_as_is_and_never_closed(
    notebook_emulator_server: EmulatorServer, emulator: Emulator
) -> None:
    with httpx.Client(headers={"X-Team": "vision"}) as http:
        with Client(
            base_url=notebook_emulator_server.base_url,
            organization_id=ORG,
            auth_token="t",
            http_client=http,
        ) as client:
            client.notebooks.list_page(JOB)
        assert not http.is_closed

    assert emulator.requests[0].headers["x-team"] == "vision"
