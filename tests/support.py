"""Constants and small helpers shared by the tests."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Final

from abeja_notebooks import Client
from abeja_notebooks.testing import DEFAULT_JOB_DEFINITION, DEFAULT_ORGANIZATION_ID

ORG: Final = DEFAULT_ORGANIZATION_ID
JOB: Final = DEFAULT_JOB_DEFINITION
PREFIX: Final = f"/organizations/{ORG}/training/definitions/{JOB}/notebooks"

MakeClient = Callable[..., Client]
"""The ``make_client`` fixture: builds a client of the test's variant (see conftest)."""

SaveConfig = Callable[..., Path]
"""The ``save_config`` fixture: ``save_config(name, extra=None) -> path`` installs the file
``tests/fixtures/platform_config/<name>`` (as ``abeja config init`` wrote it; ``extra`` keys
added to its top level, as a hand edit would) as ``~/.abeja/config`` of a fresh home directory."""

PLATFORM_CONFIGS: Final = Path(__file__).resolve().parent / "fixtures" / "platform_config"


def basic(identity: str, secret: str) -> str:
    """The ``Authorization`` header of HTTP Basic credentials."""
    return "Basic " + base64.b64encode(f"{identity}:{secret}".encode()).decode()


def edited(name: str, extra: Mapping[str, object] | None = None) -> str:
    """The text of a fixture file, with ``extra`` keys set at its top level."""
    text = (PLATFORM_CONFIGS / name).read_text()
    if not extra:
        return text
    return json.dumps({**json.loads(text), **extra})
