"""Clients configured by the file ``abeja config init`` writes, over the wire to the emulator."""

from __future__ import annotations

import pytest

from abeja_notebooks import APIClient
from abeja_notebooks.testing import Emulator, EmulatorServer
from tests.abejacli import (
    DEFAULT_ORG,
    DEFAULT_TOKEN,
    DEFAULT_USER,
    STAGING_ORG,
    STAGING_TOKEN,
    STAGING_USER,
)
from tests.support import JOB, MakeClient, SaveConfig, basic

DEFAULT_AUTH = basic(f"user-{DEFAULT_USER}", DEFAULT_TOKEN)
STAGING_AUTH = basic(f"user-{STAGING_USER}", STAGING_TOKEN)


@pytest.fixture
def staging(emulator: Emulator) -> Emulator:
    """The emulator, with the staging configuration's organization too."""
    emulator.add_organization(STAGING_ORG)
    emulator.add_job_definition(JOB, STAGING_ORG)
    return emulator


def test_a_client_given_nothing_works_with_the_saved_file_alone(
    make_client: MakeClient, emulator: Emulator, save_config: SaveConfig
) -> None:
    save_config("default.json")
    client = make_client(auth_token=None, organization_id=None)

    nb = client.notebooks.create(JOB)

    (request,) = emulator.requests
    assert request.path == f"/organizations/{DEFAULT_ORG}/training/definitions/{JOB}/notebooks"
    assert request.headers["authorization"] == DEFAULT_AUTH
    assert emulator.notebook(nb.id)["training_notebook_id"] == nb.id


def test_a_chosen_configuration_sends_its_own_credentials_to_its_organization(
    make_client: MakeClient, staging: Emulator, save_config: SaveConfig
) -> None:
    save_config("default_and_staging.json")
    client = make_client(auth_token=None, organization_id=None, configuration="staging")

    client.notebooks.list_page(JOB)

    (request,) = staging.requests
    assert request.path.startswith(f"/organizations/{STAGING_ORG}/")
    assert request.headers["authorization"] == STAGING_AUTH


def test_the_switched_to_configuration_is_used_without_a_choice(
    make_client: MakeClient, staging: Emulator, save_config: SaveConfig
) -> None:
    save_config("staging_active.json")
    client = make_client(auth_token=None, organization_id=None)

    client.notebooks.list_page(JOB)

    assert staging.requests[0].headers["authorization"] == STAGING_AUTH


def test_credentials_in_the_environment_win_over_the_files_on_the_wire(
    make_client: MakeClient,
    emulator: Emulator,
    save_config: SaveConfig,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    save_config("default.json")
    monkeypatch.setenv("PLATFORM_AUTH_TOKEN", "env-token")
    client = make_client(auth_token=None, organization_id=None)

    client.notebooks.list_page(JOB)

    (request,) = emulator.requests
    assert request.headers["authorization"] == "Bearer env-token"
    assert request.path.startswith(f"/organizations/{DEFAULT_ORG}/")  # the file's organization


def test_a_chosen_configuration_wins_over_the_environment_on_the_wire(
    make_client: MakeClient,
    staging: Emulator,
    save_config: SaveConfig,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    save_config("default_and_staging.json")
    monkeypatch.setenv("PLATFORM_AUTH_TOKEN", "env-token")
    monkeypatch.setenv("ABEJA_ORGANIZATION_ID", DEFAULT_ORG)
    client = make_client(auth_token=None, organization_id=None, configuration="staging")

    client.notebooks.list_page(JOB)

    (request,) = staging.requests
    assert request.headers["authorization"] == STAGING_AUTH
    assert request.path.startswith(f"/organizations/{STAGING_ORG}/")


def test_the_old_client_sends_the_files_credentials_when_it_has_none(
    notebook_emulator_server: EmulatorServer, emulator: Emulator, save_config: SaveConfig
) -> None:
    save_config("default.json")

    with APIClient(base_url=notebook_emulator_server.base_url) as api:
        api.get_notebooks(DEFAULT_ORG, JOB)

    assert emulator.requests[0].headers["authorization"] == DEFAULT_AUTH
