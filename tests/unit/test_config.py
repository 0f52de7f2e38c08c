"""The settings layer: arguments, then the environment, then defaults; bad values fail early."""

from __future__ import annotations

import base64

import httpx
import pytest

from abeja_notebooks import ConfigurationError
from abeja_notebooks._config import Settings


def basic(identity: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{identity}:{secret}".encode()).decode()


def test_defaults_without_any_environment() -> None:
    settings = Settings.build(environ={})

    assert settings.base_url == "https://api.abeja.io"
    assert settings.organization_id is None
    assert settings.credentials is None
    assert settings.timeout == httpx.Timeout(30.0)
    assert settings.max_retries == 3
    assert settings.deadline is None


def test_every_environment_variable_is_read() -> None:
    settings = Settings.build(
        environ={
            "ABEJA_API_URL": "http://localhost:8080/",
            "ABEJA_ORGANIZATION_ID": "1410000000000",
            "PLATFORM_AUTH_TOKEN": "tok",
            "ABEJA_SDK_CONNECTION_TIMEOUT": "12.5",
            "ABEJA_SDK_MAX_RETRY_COUNT": "0",
        }
    )

    assert settings.base_url == "http://localhost:8080"
    assert settings.organization_id == "1410000000000"
    assert settings.headers["Authorization"] == "Bearer tok"
    assert settings.timeout == httpx.Timeout(12.5)
    assert settings.max_retries == 0


@pytest.mark.parametrize(
    ("environ", "authorization"),
    [
        ({"PLATFORM_AUTH_TOKEN": "tok"}, "Bearer tok"),
        (
            {"ABEJA_PLATFORM_USER_ID": "123", "ABEJA_PLATFORM_PERSONAL_ACCESS_TOKEN": "pat"},
            basic("user-123", "pat"),
        ),
        (
            {"ABEJA_PLATFORM_USER_ID": "user-123", "ABEJA_PLATFORM_PERSONAL_ACCESS_TOKEN": "pat"},
            basic("user-123", "pat"),
        ),
        (
            {"ABEJA_PLATFORM_DATASOURCE_ID": "9", "ABEJA_PLATFORM_DATASOURCE_SECRET": "s"},
            basic("datasource-9", "s"),
        ),
        (
            {
                "PLATFORM_AUTH_TOKEN": "tok",
                "ABEJA_PLATFORM_USER_ID": "123",
                "ABEJA_PLATFORM_PERSONAL_ACCESS_TOKEN": "pat",
            },
            "Bearer tok",
        ),
        (
            {
                "ABEJA_PLATFORM_USER_ID": "123",
                "ABEJA_PLATFORM_PERSONAL_ACCESS_TOKEN": "pat",
                "ABEJA_PLATFORM_DATASOURCE_ID": "9",
                "ABEJA_PLATFORM_DATASOURCE_SECRET": "s",
            },
            basic("user-123", "pat"),
        ),
    ],
)
def test_env_credentials_follow_the_documented_precedence(
    environ: dict[str, str], authorization: str
) -> None:
    assert Settings.build(environ=environ).headers["Authorization"] == authorization


def test_explicit_arguments_beat_the_environment() -> None:
    environ = {
        "ABEJA_API_URL": "http://env",
        "ABEJA_ORGANIZATION_ID": "env-org",
        "PLATFORM_AUTH_TOKEN": "env-token",
        "ABEJA_SDK_CONNECTION_TIMEOUT": "5",
        "ABEJA_SDK_MAX_RETRY_COUNT": "7",
    }
    settings = Settings.build(
        base_url="http://arg",
        organization_id="arg-org",
        user_id="42",
        personal_access_token="pat",
        timeout=9,
        max_retries=1,
        environ=environ,
    )

    assert settings.base_url == "http://arg"
    assert settings.organization_id == "arg-org"
    assert settings.headers["Authorization"] == basic("user-42", "pat")
    assert settings.timeout == httpx.Timeout(9)
    assert settings.max_retries == 1


def test_the_credential_dict_beats_the_environment_and_is_not_changed() -> None:
    credential = {"user_id": "7", "personal_access_token": "pat"}
    before = dict(credential)

    settings = Settings.build(credential=credential, environ={"PLATFORM_AUTH_TOKEN": "env"})

    assert settings.headers["Authorization"] == basic("user-7", "pat")
    assert credential == before


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ABEJA_SDK_CONNECTION_TIMEOUT", "thirty"),
        ("ABEJA_SDK_CONNECTION_TIMEOUT", "0"),
        ("ABEJA_SDK_CONNECTION_TIMEOUT", "-1"),
        ("ABEJA_SDK_CONNECTION_TIMEOUT", "nan"),
        ("ABEJA_SDK_MAX_RETRY_COUNT", "three"),
        ("ABEJA_SDK_MAX_RETRY_COUNT", "-1"),
        ("ABEJA_SDK_MAX_RETRY_COUNT", "1.5"),
        ("ABEJA_API_URL", "ftp://example.com"),
        ("ABEJA_API_URL", "http://user:secret@example.com"),
    ],
)
def test_a_bad_env_value_names_the_variable_and_the_value(name: str, value: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        Settings.build(environ={name: value})

    assert name in str(caught.value)
    if "secret" not in value:
        assert repr(value) in str(caught.value)
    assert "secret" not in str(caught.value)


def test_max_retries_zero_is_allowed_and_disables_retries() -> None:
    settings = Settings.build(max_retries=0, environ={"ABEJA_SDK_MAX_RETRY_COUNT": "4"})

    assert settings.max_retries == 0


def test_timeout_none_means_no_timeout() -> None:
    assert Settings.build(timeout=None, environ={}).timeout == httpx.Timeout(None)


def test_an_empty_organization_variable_counts_as_unset() -> None:
    assert Settings.build(environ={"ABEJA_ORGANIZATION_ID": ""}).organization_id is None


def test_a_blank_organization_variable_is_a_configuration_error_naming_it() -> None:
    with pytest.raises(ConfigurationError, match="ABEJA_ORGANIZATION_ID is blank"):
        Settings.build(environ={"ABEJA_ORGANIZATION_ID": "   "})


@pytest.mark.parametrize("token", ["tok\n", "  tok  ", "\ttok"])
def test_whitespace_around_a_token_is_dropped(token: str) -> None:
    assert Settings.build(auth_token=token, environ={}).headers["Authorization"] == "Bearer tok"


@pytest.mark.parametrize("token", ["to k", "tök", "to\x00k", "tok\r\nX-Injected: 1"])
def test_a_token_that_cannot_be_a_header_is_refused_without_showing_it(token: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        Settings.build(environ={"PLATFORM_AUTH_TOKEN": token})

    assert "not shown" in str(caught.value)
    assert token.strip() not in str(caught.value)


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"PLATFORM_AUTH_TOKEN": "tok en"}, "PLATFORM_AUTH_TOKEN"),
        (
            {
                "ABEJA_PLATFORM_USER_ID": "1122334455660",
                "ABEJA_PLATFORM_PERSONAL_ACCESS_TOKEN": "pa t",
            },
            "ABEJA_PLATFORM_PERSONAL_ACCESS_TOKEN",
        ),
        (
            {
                "ABEJA_PLATFORM_USER_ID": "11 22",
                "ABEJA_PLATFORM_PERSONAL_ACCESS_TOKEN": "patpatpat",
            },
            "ABEJA_PLATFORM_USER_ID",
        ),
        (
            {"ABEJA_PLATFORM_DATASOURCE_ID": "1", "ABEJA_PLATFORM_DATASOURCE_SECRET": "s\te"},
            "ABEJA_PLATFORM_DATASOURCE_SECRET",
        ),
    ],
)
def test_a_credential_variable_that_cannot_be_a_header_is_named_without_its_value(
    environ: dict[str, str], named: str
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        Settings.build(environ=environ)

    assert str(caught.value).startswith(f"{named} must be printable ASCII")
    assert environ[named] not in str(caught.value)
