"""Constants and small helpers shared by the tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from abeja_notebooks import Client
from abeja_notebooks.testing import DEFAULT_JOB_DEFINITION, DEFAULT_ORGANIZATION_ID

ORG: Final = DEFAULT_ORGANIZATION_ID
JOB: Final = DEFAULT_JOB_DEFINITION
PREFIX: Final = f"/organizations/{ORG}/training/definitions/{JOB}/notebooks"

MakeClient = Callable[..., Client]
"""The ``make_client`` fixture: builds a client of the test's variant (see conftest)."""
