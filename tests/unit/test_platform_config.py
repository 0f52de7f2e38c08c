"""The platform's configuration file (``~/.abeja/config``, written by ``abeja config init``):
where it is, what is read from it, what beats it, and what its errors say.

The files read here were written by the platform's own tool (``tests/fixtures/platform_config``,
made by ``tests/abejacli.py``); hand edits on top of them are marked as such.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

from abeja_notebooks import APIClient, ConfigurationError
from abeja_notebooks._config import Settings
from abeja_notebooks._platform_config import config_file, read
from tests import abejacli
from tests.abejacli import (
    DEFAULT_ORG,
    DEFAULT_TOKEN,
    DEFAULT_USER,
    STAGING_ORG,
    STAGING_TOKEN,
    STAGING_USER,
)
from tests.support import PLATFORM_CONFIGS, basic, edited

DEFAULT_AUTH = basic(f"user-{DEFAULT_USER}", DEFAULT_TOKEN)
STAGING_AUTH = basic(f"user-{STAGING_USER}", STAGING_TOKEN)


def env_for(path: Path, **variables: str) -> dict[str, str]:
    """An environment whose configuration file is ``path``, plus ``variables``."""
    return {"ABEJA_NOTEBOOKS_CONFIG_FILE": str(path), **variables}


def fixture(name: str) -> Path:
    return PLATFORM_CONFIGS / name


def written(tmp_path: Path, name: str, extra: Mapping[str, object] | None = None) -> Path:
    """A copy of a fixture file with ``extra`` keys set at its top level (a hand edit)."""
    path = tmp_path / "config"
    path.write_text(edited(name, extra))
    return path


# --- reading what the tool wrote ---------------------------------------------------------------


def test_the_unnamed_configuration_gives_organization_and_credentials() -> None:
    settings = Settings.build(environ=env_for(fixture("default.json")))

    assert settings.organization_id == DEFAULT_ORG
    assert settings.headers["Authorization"] == DEFAULT_AUTH
    assert settings.base_url == "https://api.abeja.io"
    assert settings.configuration == "default"


def test_a_user_id_written_without_its_prefix_gets_it() -> None:
    settings = Settings.build(
        environ=env_for(fixture("staging_only.json")), configuration="staging"
    )

    assert settings.credentials is not None
    assert settings.credentials.identity == f"user-{STAGING_USER}"
    assert settings.headers["Authorization"] == STAGING_AUTH


def test_the_unnamed_configuration_stays_active_beside_a_named_one() -> None:
    settings = Settings.build(environ=env_for(fixture("default_and_staging.json")))

    assert (settings.organization_id, settings.configuration) == (DEFAULT_ORG, "default")


def test_the_configuration_switched_to_is_the_active_one() -> None:
    settings = Settings.build(environ=env_for(fixture("staging_active.json")))

    assert settings.organization_id == STAGING_ORG
    assert settings.headers["Authorization"] == STAGING_AUTH
    assert settings.configuration == "staging"


@pytest.mark.parametrize(
    ("file", "name", "org"),
    [
        ("default_and_staging.json", "staging", STAGING_ORG),
        ("staging_active.json", "default", DEFAULT_ORG),
        ("default.json", "default", DEFAULT_ORG),
    ],
)
def test_a_configuration_is_chosen_by_name(file: str, name: str, org: str) -> None:
    settings = Settings.build(environ=env_for(fixture(file)), configuration=name)

    assert (settings.organization_id, settings.configuration) == (org, name)


def test_default_names_a_configuration_called_default_when_there_is_one(tmp_path: Path) -> None:
    named_default = {
        "abeja-platform-user": "3333333333333",
        "personal-access-token": "fixture-pat-named-default",
        "organization-name": "1410000000003",
        "configuration-name": "default",
    }
    path = written(tmp_path, "default_and_staging.json", {"configurations": [named_default]})

    settings = Settings.build(environ=env_for(path), configuration="default")

    assert settings.organization_id == "1410000000003"


def test_the_api_url_of_the_configuration_is_used(tmp_path: Path) -> None:
    path = written(tmp_path, "default.json", {"abeja-api-url": "http://platform.example/"})

    assert Settings.build(environ=env_for(path)).base_url == "http://platform.example"


def test_the_file_is_found_under_home(tmp_path: Path) -> None:
    (tmp_path / ".abeja").mkdir()
    shutil.copyfile(fixture("default.json"), tmp_path / ".abeja" / "config")

    settings = Settings.build(environ={"HOME": str(tmp_path)})

    assert config_file({"HOME": str(tmp_path)}) == tmp_path / ".abeja" / "config"
    assert settings.organization_id == DEFAULT_ORG


def test_the_file_is_read_again_for_each_client(tmp_path: Path) -> None:
    path = written(tmp_path, "default.json")
    first = Settings.build(environ=env_for(path))
    shutil.copyfile(fixture("staging_active.json"), path)

    second = Settings.build(environ=env_for(path))

    assert (first.organization_id, second.organization_id) == (DEFAULT_ORG, STAGING_ORG)


# --- precedence --------------------------------------------------------------------------------


def test_the_environment_beats_the_file_setting_by_setting() -> None:
    settings = Settings.build(
        environ=env_for(fixture("default.json"), PLATFORM_AUTH_TOKEN="env-token")
    )

    assert settings.headers["Authorization"] == "Bearer env-token"
    assert settings.organization_id == DEFAULT_ORG  # the file still gives what env lacks


def test_arguments_beat_the_file() -> None:
    settings = Settings.build(
        environ=env_for(fixture("default.json")),
        organization_id="1410000000009",
        auth_token="argument-token",
        base_url="http://argument.example",
    )

    assert settings.organization_id == "1410000000009"
    assert settings.headers["Authorization"] == "Bearer argument-token"
    assert settings.base_url == "http://argument.example"
    assert settings.configuration is None


def test_credentials_are_one_setting_a_partial_pair_in_the_environment_takes_nothing() -> None:
    environ = env_for(fixture("default.json"), ABEJA_PLATFORM_USER_ID="9999999999999")

    assert Settings.build(environ=environ).headers["Authorization"] == DEFAULT_AUTH


def test_complete_credentials_in_the_environment_win_over_all_of_the_file() -> None:
    environ = env_for(
        fixture("default.json"),
        ABEJA_PLATFORM_USER_ID="9999999999999",
        ABEJA_PLATFORM_PERSONAL_ACCESS_TOKEN="env-pat",
    )

    assert Settings.build(environ=environ).headers["Authorization"] == basic(
        "user-9999999999999", "env-pat"
    )


def test_the_environments_api_url_beats_the_files(tmp_path: Path) -> None:
    path = written(tmp_path, "default.json", {"abeja-api-url": "http://file.example"})

    assert Settings.build(environ=env_for(path, ABEJA_API_URL="http://env.example")).base_url == (
        "http://env.example"
    )


def test_a_chosen_configuration_beats_the_environment(tmp_path: Path) -> None:
    data = json.loads(fixture("default_and_staging.json").read_text())
    data["configurations"][0]["abeja-api-url"] = "http://staging.example"  # a hand edit
    path = tmp_path / "config"
    path.write_text(json.dumps(data))
    environ = env_for(
        path,
        PLATFORM_AUTH_TOKEN="env-token",
        ABEJA_ORGANIZATION_ID="1410000000009",
        ABEJA_API_URL="http://env.example",
    )

    settings = Settings.build(environ=environ, configuration="staging")

    assert settings.headers["Authorization"] == STAGING_AUTH
    assert settings.organization_id == STAGING_ORG
    assert settings.base_url == "http://staging.example"


def test_other_arguments_beat_a_chosen_configuration() -> None:
    settings = Settings.build(
        environ=env_for(fixture("default_and_staging.json")),
        configuration="staging",
        organization_id="1410000000009",
    )

    assert settings.organization_id == "1410000000009"
    assert settings.headers["Authorization"] == STAGING_AUTH


def test_what_a_chosen_configuration_lacks_comes_from_the_environment() -> None:
    environ = env_for(fixture("default_and_staging.json"), ABEJA_API_URL="http://env.example")

    assert Settings.build(environ=environ, configuration="staging").base_url == "http://env.example"


def test_the_file_is_not_read_when_arguments_and_environment_give_everything(
    tmp_path: Path,
) -> None:
    broken = tmp_path / "config"
    broken.write_text("{not json")
    environ = env_for(
        broken,
        PLATFORM_AUTH_TOKEN="env-token",
        ABEJA_ORGANIZATION_ID=DEFAULT_ORG,
        ABEJA_API_URL="http://env.example",
    )

    assert Settings.build(environ=environ).configuration is None


def test_the_old_client_takes_the_files_credentials_when_it_has_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ABEJA_NOTEBOOKS_CONFIG_FILE", str(fixture("default.json")))

    assert APIClient().settings.headers["Authorization"] == DEFAULT_AUTH


@pytest.mark.parametrize(
    ("credential", "environ"),
    [({"auth_token": "argument-token"}, {}), (None, {"PLATFORM_AUTH_TOKEN": "argument-token"})],
)
def test_the_old_client_never_reads_the_file_when_it_has_credentials(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    credential: dict[str, str] | None,
    environ: dict[str, str],
) -> None:
    broken = tmp_path / "config"
    broken.write_text("{not json")
    monkeypatch.setenv("ABEJA_NOTEBOOKS_CONFIG_FILE", str(broken))
    for name, value in environ.items():
        monkeypatch.setenv(name, value)

    api = APIClient(credential)

    assert api.settings.headers["Authorization"] == "Bearer argument-token"
    assert api.settings.configuration is None


# --- switching the file off, or pointing elsewhere ---------------------------------------------


def test_an_empty_variable_switches_the_file_off(tmp_path: Path) -> None:
    (tmp_path / ".abeja").mkdir()
    shutil.copyfile(fixture("default.json"), tmp_path / ".abeja" / "config")

    settings = Settings.build(environ={"HOME": str(tmp_path), "ABEJA_NOTEBOOKS_CONFIG_FILE": ""})

    assert (settings.credentials, settings.organization_id) == (None, None)


def test_choosing_a_configuration_while_the_file_is_off_says_so() -> None:
    with pytest.raises(ConfigurationError) as caught:
        Settings.build(environ={"ABEJA_NOTEBOOKS_CONFIG_FILE": ""}, configuration="staging")

    assert "ABEJA_NOTEBOOKS_CONFIG_FILE is set and empty" in str(caught.value)


def test_no_file_means_nothing_from_it(tmp_path: Path) -> None:
    settings = Settings.build(environ=env_for(tmp_path / "missing"))

    assert (settings.credentials, settings.configuration) == (None, None)


def test_choosing_a_configuration_without_a_file_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as caught:
        Settings.build(environ=env_for(tmp_path / "missing"), configuration="staging")

    message = str(caught.value)
    assert str(tmp_path / "missing") in message
    assert "`abeja config init staging`" in message


USERS_TEST = """
import os
from abeja_notebooks import Client

def test_a_client_built_in_a_test_never_sees_the_saved_credentials():
    assert os.environ["ABEJA_NOTEBOOKS_CONFIG_FILE"] == ""
    client = Client()
    assert (client.settings.credentials, client.organization_id) == (None, None)

def test_a_test_may_point_to_a_file_of_its_own(monkeypatch, tmp_path):
    monkeypatch.setenv("ABEJA_NOTEBOOKS_CONFIG_FILE", os.environ["SAVED"])
    assert Client().organization_id == "1410000000000"
"""


@pytest.mark.slow
def test_the_pytest_plugin_keeps_a_users_tests_from_the_saved_file(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / ".abeja").mkdir(parents=True)
    shutil.copyfile(fixture("default.json"), home / ".abeja" / "config")
    (tmp_path / "test_users_code.py").write_text(USERS_TEST)
    environ = {k: v for k, v in os.environ.items() if k != "ABEJA_NOTEBOOKS_CONFIG_FILE"}
    environ |= {"HOME": str(home), "SAVED": str(home / ".abeja" / "config")}

    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,  # a user's project: none of our conftest
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout


# --- errors ------------------------------------------------------------------------------------


def test_an_unknown_name_lists_the_names_that_exist() -> None:
    path = fixture("default_and_staging.json")

    with pytest.raises(ConfigurationError) as caught:
        Settings.build(environ=env_for(path), configuration="prod")

    assert (
        str(caught.value) == f"no configuration 'prod' in {path}, which holds 'default', 'staging'"
    )


def test_default_is_unknown_where_there_is_no_unnamed_configuration() -> None:
    with pytest.raises(ConfigurationError, match=r"which holds 'staging'$"):
        Settings.build(environ=env_for(fixture("staging_only.json")), configuration="default")


def test_named_configurations_with_none_active_ask_for_a_choice() -> None:
    with pytest.raises(ConfigurationError) as caught:
        Settings.build(environ=env_for(fixture("staging_only.json")))

    message = str(caught.value)
    assert "holds 'staging' but none is active" in message
    assert "configuration=" in message
    assert "--configuration" in message


def test_an_active_name_missing_from_the_file_says_so(tmp_path: Path) -> None:
    path = written(tmp_path, "default.json", {"active-configuration-name": "gone"})

    with pytest.raises(ConfigurationError) as caught:
        Settings.build(environ=env_for(path))

    message = str(caught.value)
    assert "the active configuration 'gone'" in message
    assert "which holds 'default'" in message
    assert "`abeja config switch NAME`" in message


SECRET = "S3CRET-in-the-file"


@pytest.mark.parametrize(
    ("content", "why"),
    [
        ('{"personal-access-token": "S3CRET-in-the-file", ', "is not valid JSON (line 1"),
        ('["S3CRET-in-the-file"]', "is not a JSON object"),
        ('{"configurations": {"personal-access-token": "S3CRET-in-the-file"}}', "is not a list"),
        ('{"configurations": ["S3CRET-in-the-file"]}', "configurations[0] is not an object"),
        (
            '{"configurations": [{"personal-access-token": "S3CRET-in-the-file"}]}',
            "configurations[0] has no 'configuration-name'",
        ),
        (
            '{"abeja-platform-user": ["S3CRET-in-the-file"], "organization-name": "1"}',
            "'abeja-platform-user' of configuration 'default' is not a string",
        ),
        ("", "is not valid JSON"),
    ],
)
def test_a_malformed_file_names_the_file_never_its_contents(
    tmp_path: Path, content: str, why: str
) -> None:
    path = tmp_path / "config"
    path.write_text(content)

    with pytest.raises(ConfigurationError) as caught:
        Settings.build(environ=env_for(path))

    message = str(caught.value)
    assert message.startswith(f"the configuration file {path} is malformed: ")
    assert why in message
    assert "`abeja config init`" in message
    assert SECRET not in message
    assert SECRET not in repr(caught.value)


def test_a_file_that_is_not_text_is_malformed(tmp_path: Path) -> None:
    path = tmp_path / "config"
    path.write_bytes(b"\xff\xfe" + SECRET.encode("utf-16-le"))

    with pytest.raises(ConfigurationError, match="it is not UTF-8 text"):
        Settings.build(environ=env_for(path))


def test_a_file_that_cannot_be_read_names_the_file_and_the_reason(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as caught:
        Settings.build(environ=env_for(tmp_path))  # a directory

    assert str(caught.value).startswith(f"cannot read the configuration file {tmp_path}: ")


def test_half_a_credential_pair_names_what_is_missing(tmp_path: Path) -> None:
    path = tmp_path / "config"
    path.write_text(json.dumps({"abeja-platform-user": "1", "organization-name": DEFAULT_ORG}))

    with pytest.raises(ConfigurationError) as caught:
        Settings.build(environ=env_for(path))

    assert str(caught.value) == (
        f"configuration 'default' in {path} has abeja-platform-user but no personal-access-token"
    )


def test_a_token_that_cannot_be_a_header_names_the_configuration_not_the_token(
    tmp_path: Path,
) -> None:
    path = written(tmp_path, "default.json", {"personal-access-token": f"{SECRET}\x00"})

    with pytest.raises(ConfigurationError) as caught:
        Settings.build(environ=env_for(path))

    assert f"configuration 'default' in {path}" in str(caught.value)
    assert SECRET not in str(caught.value)


def test_a_bad_api_url_in_the_file_is_named_without_its_value(tmp_path: Path) -> None:
    path = written(tmp_path, "default.json", {"abeja-api-url": f"http://user:{SECRET}@host"})

    with pytest.raises(ConfigurationError) as caught:
        Settings.build(environ=env_for(path))

    assert str(caught.value).startswith(f"abeja-api-url of configuration 'default' in {path} ")
    assert SECRET not in str(caught.value)


def test_no_repr_shows_a_secret_from_the_file() -> None:
    environ = env_for(fixture("default.json"))
    configuration = read(environ)

    shown = repr(configuration) + repr(Settings.build(environ=environ))

    assert DEFAULT_TOKEN not in shown


def test_no_credentials_says_which_variables_to_set_and_abeja_config_init() -> None:
    from abeja_notebooks._config import MISSING_CREDENTIALS_HELP

    for name in (
        "auth_token=",
        "PLATFORM_AUTH_TOKEN",
        "ABEJA_PLATFORM_USER_ID",
        "ABEJA_PLATFORM_PERSONAL_ACCESS_TOKEN",
        "`abeja config init`",
        "~/.abeja/config",
    ):
        assert name in MISSING_CREDENTIALS_HELP


# --- the fixtures are what the tool writes ------------------------------------------------------


def _abeja() -> str | None:
    return os.environ.get("ABEJACLI") or shutil.which("abeja")


@pytest.mark.slow
@pytest.mark.skipif(_abeja() is None, reason="abejacli not found (set ABEJACLI)")
@pytest.mark.parametrize("name", sorted(abejacli.SCENARIOS))
def test_the_fixture_files_are_what_abeja_config_writes(name: str) -> None:
    abeja = _abeja()
    assert abeja is not None

    assert abejacli.run_scenario(abeja, abejacli.SCENARIOS[name]) == fixture(name).read_text()
