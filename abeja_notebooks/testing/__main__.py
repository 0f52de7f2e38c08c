"""Run ``python -m abeja_notebooks.testing --help`` for the options."""

from __future__ import annotations

from ._cli import main

if __name__ == "__main__":
    raise SystemExit(main())
