"""The ``abeja-notebooks`` command line (needs the ``[cli]`` extra: typer and rich).

Importing this package imports nothing heavy; :func:`main` answers ``--version`` before loading
anything, loads the command line for the rest, or says which install command brings what it
needs.
"""

from __future__ import annotations

import sys

__all__ = ["INSTALL_HINT", "main"]

INSTALL_HINT = 'pip install "abeja-notebooks[cli]"'
"""The one command that installs what the command line needs."""


def main() -> None:
    """Run the ``abeja-notebooks`` command line (the console script's entry point)."""
    args = sys.argv[1:]
    if "--version" in args[: args.index("--") if "--" in args else None]:
        from abeja_notebooks._version import __version__

        print(f"abeja-notebooks {__version__}")
        return
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
