"""Authentication: Bearer and Basic credentials, open or restricted."""

from __future__ import annotations

import httpx
import pytest

from abeja_notebooks.testing import Emulator, EmulatorServer

from ._support import CREATOR_KEYS, TLS, P, assert_api_error, basic


def _client(emulator: Emulator) -> httpx.Client:
    return httpx.Client(transport=emulator.transport(), base_url="http://emulator.test")


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": ""},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer two words"},
        {"Authorization": "Token abc"},
        {"Authorization": "Basic"},
        {"Authorization": "Basic !!!not-base64!!!"},
        basic("user-", "secret"),
        basic("user-123", ""),
        basic("someone", "secret"),
        {"Authorization": "Basic dXNlci0xMjM="},  # "user-123" without a colon
    ],
)
def test_a_missing_or_malformed_credential_is_401(headers: dict[str, str]) -> None:
    with _client(Emulator()) as http:
        assert_api_error(http.get(P, headers=headers), 401, "unauthorized")


def test_a_missing_credential_is_401_over_http_too() -> None:
    with EmulatorServer() as server, httpx.Client(base_url=server.base_url, verify=TLS) as http:
        assert_api_error(http.get(P), 401, "unauthorized")


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Bearer anything"},
        {"Authorization": "bearer anything"},
        basic("user-123", "any-token"),
        basic("datasource-77", "any-secret"),
    ],
)
def test_without_configured_credentials_any_well_formed_one_is_accepted(
    headers: dict[str, str],
) -> None:
    with _client(Emulator()) as http:
        assert http.get(P, headers=headers).status_code == 200


def test_a_basic_user_becomes_the_creator() -> None:
    with _client(Emulator()) as http:
        response = http.post(P, json={}, headers=basic("user-123", "pat"))
    creator = response.json()["creator"]
    assert list(creator) == CREATOR_KEYS
    assert creator == {
        "id": "123",
        "email": "user-123@example.com",
        "display_name": None,
        "role": "admin",
        "is_registered": True,
        "created_at": "2017-05-26T01:38:46Z",
        "updated_at": "2018-01-04T03:02:12Z",
    }


def test_a_bearer_token_creates_as_the_default_creator() -> None:
    with _client(Emulator()) as http:
        first = http.post(P, json={}, headers={"Authorization": "Bearer a"}).json()["creator"]
        second = http.post(P, json={}, headers={"Authorization": "Bearer b"}).json()["creator"]
    assert first == second
    assert list(first) == CREATOR_KEYS


def test_configured_tokens_accept_only_themselves() -> None:
    with _client(Emulator(tokens=["good"])) as http:
        assert http.get(P, headers={"Authorization": "Bearer good"}).status_code == 200
        assert_api_error(http.get(P, headers={"Authorization": "Bearer bad"}), 401, "unauthorized")
        assert_api_error(http.get(P, headers=basic("user-1", "good")), 401, "unauthorized")
        assert_api_error(http.get(P, headers=basic("datasource-1", "x")), 401, "unauthorized")


@pytest.mark.parametrize("configured_id", ["123", "user-123"])
def test_configured_users_accept_only_their_token(configured_id: str) -> None:
    with _client(Emulator(users={configured_id: "pat"})) as http:
        assert http.get(P, headers=basic("user-123", "pat")).status_code == 200
        assert_api_error(http.get(P, headers=basic("user-123", "nope")), 401, "unauthorized")
        assert_api_error(http.get(P, headers=basic("user-124", "pat")), 401, "unauthorized")
        assert_api_error(http.get(P, headers={"Authorization": "Bearer pat"}), 401, "unauthorized")


def test_authentication_comes_before_routing() -> None:
    with _client(Emulator()) as http:
        assert_api_error(http.get("/nowhere"), 401, "unauthorized")
