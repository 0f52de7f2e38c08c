"""``notebooks.current()``: the notebook the code runs in, from the variables the platform sets."""

from __future__ import annotations

import pytest

from abeja_notebooks import Client, ConfigurationError, Notebook
from abeja_notebooks.testing import Emulator
from tests.dual import unwrap
from tests.support import JOB, ORG

OTHER_ORG = "1410000000001"


@pytest.fixture
def inside(monkeypatch: pytest.MonkeyPatch, emulator: Emulator) -> str:
    """Run as the platform runs code in a notebook: its id and job definition in the env."""
    (nid,) = emulator.seed(1, status="Running")
    monkeypatch.setenv("TRAINING_JOB_DEFINITION_NAME", JOB)
    monkeypatch.setenv("TRAINING_NOTEBOOK_ID", nid)
    return nid


def test_current_is_the_notebook_the_code_runs_in(
    client: Client, emulator: Emulator, inside: str, notebook_class: type[Notebook]
) -> None:
    nb = client.notebooks.current()

    assert type(unwrap(nb)) is notebook_class
    assert (nb.id, nb.status) == (inside, "Running")
    assert emulator.requests[0].path == (
        f"/organizations/{ORG}/training/definitions/{JOB}/notebooks/{inside}"
    )


def test_the_current_notebook_can_stop_itself(
    client: Client, emulator: Emulator, inside: str
) -> None:
    client.notebooks.current().stop()

    assert emulator.notebook(inside)["status"] == "Stopped"


def test_current_looks_in_the_organization_the_platform_names(
    client: Client, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    emulator.add_organization(OTHER_ORG)
    emulator.add_job_definition(JOB, OTHER_ORG)
    (nid,) = emulator.seed(1, organization_id=OTHER_ORG)
    monkeypatch.setenv("ABEJA_ORGANIZATION_ID", OTHER_ORG)  # the client was given ORG
    monkeypatch.setenv("TRAINING_JOB_DEFINITION_NAME", JOB)
    monkeypatch.setenv("TRAINING_NOTEBOOK_ID", nid)

    assert client.notebooks.current().id == nid
    assert emulator.requests[0].path.startswith(f"/organizations/{OTHER_ORG}/")


@pytest.mark.parametrize(
    ("variables", "unset"),
    [
        ({}, "TRAINING_JOB_DEFINITION_NAME and TRAINING_NOTEBOOK_ID are not set"),
        ({"TRAINING_JOB_DEFINITION_NAME": JOB}, "TRAINING_NOTEBOOK_ID is not set"),
        ({"TRAINING_NOTEBOOK_ID": "1230000000001"}, "TRAINING_JOB_DEFINITION_NAME is not set"),
    ],
)
def test_outside_a_notebook_current_names_the_variables_and_sends_nothing(
    client: Client,
    emulator: Emulator,
    monkeypatch: pytest.MonkeyPatch,
    variables: dict[str, str],
    unset: str,
) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)

    with pytest.raises(ConfigurationError) as caught:
        client.notebooks.current()

    message = str(caught.value)
    assert message.startswith(f"not running in a platform notebook: {unset}")
    for name in ("ABEJA_ORGANIZATION_ID", "PLATFORM_AUTH_TOKEN", "notebooks.get("):
        assert name in message
    assert emulator.requests == []
