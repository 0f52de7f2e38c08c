"""Write the platform's configuration files with the platform's own tool, ``abeja`` (abejacli).

The files in ``tests/fixtures/platform_config/`` were made by this module, so the tests read
exactly what ``abeja config init`` writes. ``abejacli`` is never a dependency of this project:
install it in a throwaway virtual environment and run, from the project root::

    python3.11 -m venv /tmp/abejacli && /tmp/abejacli/bin/pip install abejacli
    python -m tests.abejacli /tmp/abejacli/bin/abeja

Each scenario runs the tool in a fresh temporary home directory, typing the answers to its
questions on standard input. The ids and secrets are made up. A slow test
(``tests/unit/test_platform_config_file.py``) runs the scenarios again when the tool is found
(``ABEJACLI`` names it, or ``abeja`` is on the ``PATH``) and checks that the fixtures still match.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Final

FIXTURES: Final = Path(__file__).resolve().parent / "fixtures" / "platform_config"

DEFAULT_USER: Final = "1234567890123"
DEFAULT_TOKEN: Final = "fixture-pat-default-0001"
DEFAULT_ORG: Final = "1410000000000"
STAGING_USER: Final = "2222222222222"
STAGING_TOKEN: Final = "fixture-pat-staging-0002"
STAGING_ORG: Final = "1410000000001"

_DEFAULT_ANSWERS: Final = f"{DEFAULT_USER}\n{DEFAULT_TOKEN}\n{DEFAULT_ORG}\n"
_STAGING_ANSWERS: Final = f"{STAGING_USER}\n{STAGING_TOKEN}\n{STAGING_ORG}\n"

SCENARIOS: Final[dict[str, list[tuple[list[str], str]]]] = {
    # `abeja config init`: the unnamed (default) configuration only.
    "default.json": [(["config", "init"], _DEFAULT_ANSWERS)],
    # Then `abeja config init staging`: a named one beside it; the default stays active.
    "default_and_staging.json": [
        (["config", "init"], _DEFAULT_ANSWERS),
        (["config", "init", "staging"], _STAGING_ANSWERS),
    ],
    # Then `abeja config switch staging`: the named one is active.
    "staging_active.json": [
        (["config", "init"], _DEFAULT_ANSWERS),
        (["config", "init", "staging"], _STAGING_ANSWERS),
        (["config", "switch", "staging"], ""),
    ],
    # `abeja config init staging` alone: no unnamed configuration at all.
    "staging_only.json": [(["config", "init", "staging"], _STAGING_ANSWERS)],
}
"""File name -> the ``abeja`` commands (arguments, standard input) that produce it."""


def run_scenario(abeja: str, steps: list[tuple[list[str], str]]) -> str:
    """Run ``steps`` with the tool in a fresh home directory; return the file it wrote."""
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "HOME": home}
        for name in ("ABEJA_API_URL", "ABEJA_ORGANIZATION_ID", "PLATFORM_AUTH_TOKEN"):
            env.pop(name, None)
        for args, answers in steps:
            subprocess.run(
                [abeja, *args], input=answers, env=env, capture_output=True, text=True, check=True
            )
        return (Path(home) / ".abeja" / "config").read_text()


def write_fixtures(abeja: str) -> None:
    """Run every scenario and write its file into ``FIXTURES``, byte for byte as the tool did."""
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for name, steps in SCENARIOS.items():
        (FIXTURES / name).write_text(run_scenario(abeja, steps))


if __name__ == "__main__":
    write_fixtures(sys.argv[1] if len(sys.argv) > 1 else "abeja")
