"""``python -m benchmarks``: run every benchmark, print the table, write it as JSON."""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
from collections.abc import Sequence
from pathlib import Path

import httpx
import pydantic

from abeja_notebooks import __version__
from benchmarks._data import Sizes
from benchmarks._harness import Row, print_table, quiet, write_json
from benchmarks.cases import ALL, old_client

RESULTS = Path(__file__).parent / "results" / "latest.json"
PARTIAL = Path(__file__).parent / "results" / "partial.tmp"
"""Where a quick or partial run writes by default, so that it never replaces the full results."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmarks named on the command line (default: all) and report."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "names", nargs="*", metavar="NAME", help=f"benchmarks to run: {', '.join([*ALL, 'old'])}"
    )
    parser.add_argument("--quick", action="store_true", help="tiny sizes (a smoke run)")
    parser.add_argument(
        "--json",
        type=Path,
        help=f"where to write the results (default: {RESULTS.name} for a full run, "
        f"{PARTIAL.name} otherwise)",
    )
    parser.add_argument(
        "--old-python",
        help="a Python with abeja-sdk installed, to compare with the old client "
        "(default: env ABEJA_SDK_PYTHON, else this interpreter if it can import abeja)",
    )
    args = parser.parse_args(argv)
    sizes = Sizes.quick() if args.quick else Sizes()
    names = args.names or [*ALL, "old"]
    unknown = sorted(set(names) - {*ALL, "old"})
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
    rows: list[Row] = []
    with quiet() as applied:
        for name in names:
            print(f"running {name}...", file=sys.stderr, flush=True)
            rows += old_client(sizes, args.old_python) if name == "old" else ALL[name](sizes)
    table = print_table(rows)
    print(table)
    meta: dict[str, object] = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "abeja_notebooks": __version__,
        "python": platform.python_version(),
        "httpx": httpx.__version__,
        "pydantic": pydantic.VERSION,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "quick": args.quick,
        "load_average": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "quiet": applied,
    }
    full = not args.quick and set(names) == {*ALL, "old"}
    path: Path = args.json or (RESULTS if full else PARTIAL)
    write_json(rows, path, meta)
    print(f"\nwritten to {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
