"""The ``abeja-notebooks`` command line (needs the ``[cli]`` extra: typer and rich).

Importing this package imports nothing heavy; :func:`main` loads the command line, or says
which install command brings what it needs.
"""

from __future__ import annotations

import sys

__all__ = ["INSTALL_HINT", "main"]

INSTALL_HINT = 'pip install "abeja-notebooks[cli]"'
"""The one command that installs what the command line needs."""


def main() -> None:
    """Run the ``abeja-notebooks`` command line (the console script's entry point)."""
    try:
        from ._app import run
    except ModuleNotFoundError as exc:  # typer or rich missing
        if exc.name not in ("typer", "rich", "click"):
            raise
        print(
            f"abeja-notebooks: the command line needs the [cli] extra; install it with:\n"
            f"    {INSTALL_HINT}",
            file=sys.stderr,
        )
        raise SystemExit(1) from None
    run()
