"""Constants and small helpers shared by the tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Final

from abeja_notebooks import Client, Notebook
from abeja_notebooks.testing import DEFAULT_JOB_DEFINITION, DEFAULT_ORGANIZATION_ID

ORG: Final = DEFAULT_ORGANIZATION_ID
JOB: Final = DEFAULT_JOB_DEFINITION
PREFIX: Final = f"/organizations/{ORG}/training/definitions/{JOB}/notebooks"

MakeClient = Callable[..., Client]
"""The ``make_client`` fixture: builds a client of the test's variant (see conftest)."""

FIXTURES: Final = Path(__file__).resolve().parent / "fixtures"
"""Answers of the API as documented, one JSON file each."""


def reference_notebook(**changes: object) -> Notebook:
    """The notebook of the API reference (``fixtures/notebook.json``), with ``changes`` applied
    under the API's keys (``training_notebook_id=...``, ``status=...``)."""
    document = json.loads((FIXTURES / "notebook.json").read_text())
    return Notebook.model_validate({**document, **changes})
