"""The pages' code reads well where it is read: in the repository, in an editor, on the site.

- The Python is in the pages themselves: no page includes a file (``--8<--``), so GitHub and
  editors show the code (test_pages.py runs every block).
- It is formatted (``ruff format``) and linted (``ruff check``) at 80 columns, the width of the
  site's code column, and passes ``mypy --strict`` and pyright strict, as the rest of the
  project does. Each page's blocks are checked as one module (they build on one another), each
  line at its line number in the page, so a message names the page's line.
- Shell and other code blocks fit in 80 columns too (program output in ``text`` blocks may be
  wider: it is shown as the program prints it).
- Names are written as plain Markdown, `` `Notebook` ``: the site links them
  (scripts/mkdocs_hooks.py), GitHub shows code; no page uses the site-only
  ``[`X`][abeja_notebooks.X]`` form, and every dotted name that starts with a public class names
  a member that exists.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from .blocks import PAGES, ROOT, code_blocks, to_pages, write_blocks, write_modules

BIN = Path(sys.executable).parent
WIDTH = 80
NARROW = ("python", "py", "bash", "sh", "console", "diff")
"""The block languages held to ``WIDTH`` columns."""


def _tool(*args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYRIGHT_PYTHON_IGNORE_WARNINGS": "1",
    }
    return subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )


def test_no_page_includes_a_file() -> None:
    included = [
        f"{page.relative_to(ROOT)}:{number}"
        for page in PAGES
        for number, line in enumerate(page.read_text().splitlines(), 1)
        if line.lstrip().startswith("--8<--")
    ]

    assert included == []


def test_every_code_block_fits_in_80_columns() -> None:
    wide = [
        f"{block.page.relative_to(ROOT)}:{block.line + offset}: {len(line)} columns"
        for page in PAGES
        for block in code_blocks(page)[1 if page.name == "README.md" else 0 :]  # its commands
        if block.language in NARROW
        for offset, line in enumerate(block.lines)
        if len(line) > WIDTH
    ]

    assert wide == []


@pytest.mark.needs("ruff")
def test_every_python_block_is_formatted_at_80_columns(tmp_path: Path) -> None:
    written = write_blocks(tmp_path)

    done = _tool(
        str(BIN / "ruff"),
        "format",
        "--check",
        "--diff",
        "--config",
        str(ROOT / "pyproject.toml"),
        "--line-length",
        str(WIDTH),
        *map(str, written),
    )

    assert done.returncode == 0, to_pages(done.stdout + done.stderr, written)


@pytest.mark.needs("ruff")
def test_every_python_block_sorts_its_imports(tmp_path: Path) -> None:
    written = write_blocks(tmp_path)

    done = _tool(
        str(BIN / "ruff"),
        "check",
        "--config",
        str(ROOT / "pyproject.toml"),
        "--select",
        "I001",
        *map(str, written),
    )

    assert done.returncode == 0, to_pages(done.stdout + done.stderr, written)


@pytest.mark.needs("ruff")
def test_every_page_passes_ruff_at_80_columns(tmp_path: Path) -> None:
    written = write_modules(tmp_path)

    done = _tool(
        str(BIN / "ruff"),
        "check",
        "--config",
        str(ROOT / "pyproject.toml"),
        "--line-length",
        str(WIDTH),
        # Each block imports what it uses, where it starts, so that it reads on its own: a
        # page's imports are spread out (E402), may repeat an earlier block's (F811), and are
        # sorted block by block (I001: the test above).
        "--ignore",
        "E402,F811,I001",
        *map(str, written),
    )

    assert done.returncode == 0, to_pages(done.stdout + done.stderr, written)


@pytest.mark.needs("mypy")
@pytest.mark.slow
def test_mypy_strict_accepts_every_page(tmp_path: Path) -> None:
    written = write_modules(tmp_path)

    done = _tool(
        sys.executable,
        "-m",
        "mypy",
        "--strict",
        "--config-file",
        str(ROOT / "pyproject.toml"),
        "--cache-dir",
        str(tmp_path / ".mypy_cache"),
        *map(str, written),
    )

    assert done.returncode == 0, to_pages(done.stdout + done.stderr, written)


@pytest.mark.needs("pyright")
@pytest.mark.slow
def test_pyright_strict_accepts_every_page(tmp_path: Path) -> None:
    written = write_modules(tmp_path)
    (tmp_path / "pyrightconfig.json").write_text(
        '{"typeCheckingMode": "strict", "pythonVersion": "3.11",'
        ' "reportUnnecessaryTypeIgnoreComment": "error",'
        # A block may repeat an import of an earlier block (see the ruff test).
        ' "reportDuplicateImport": "none"}'
    )

    done = _tool(str(BIN / "pyright"), "--pythonpath", sys.executable, "-p", str(tmp_path))

    assert done.returncode == 0, to_pages(done.stdout + done.stderr, written)
    assert "0 errors, 0 warnings" in done.stdout


def test_no_page_uses_link_markup_only_the_site_renders() -> None:
    """GitHub shows ``[`X`][abeja_notebooks.X]`` as it is: the pages write `X`."""
    marked = [
        f"{page.relative_to(ROOT)}:{number}"
        for page in PAGES
        for number, line in enumerate(page.read_text().splitlines(), 1)
        if "][abeja_notebooks." in line
    ]

    assert marked == []


def _crossrefs() -> ModuleType:
    spec = importlib.util.spec_from_file_location("crossrefs", ROOT / "scripts" / "crossrefs.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.needs("griffe")
def test_every_dotted_name_on_a_page_that_starts_with_a_public_name_exists() -> None:
    """`Notebooks.strat` would stay unlinked on the site: a typo or a rename is caught here."""
    import griffe

    crossrefs = _crossrefs()
    package = griffe.load("abeja_notebooks", search_paths=[str(ROOT)], resolve_aliases=True)
    assert isinstance(package, griffe.Module)
    exported = {
        name: module for module in (package, package["testing"]) for name in (module.exports or ())
    }
    missing: list[str] = []
    for page in PAGES:
        prose = re.sub(r"^(`{3,}).*?^\1", "", page.read_text(), flags=re.M | re.S)
        for span in crossrefs.CODE_SPAN.finditer(prose):
            first, *rest = span["name"].split(".")
            if not rest or first not in exported or rest[-1].startswith("model_"):
                continue  # a plain name, not the package's, or pydantic's own API
            try:
                exported[first][span["name"]]
            except (KeyError, griffe.AliasResolutionError):
                missing.append(f"{page.relative_to(ROOT)}: {span[0]}")

    assert missing == []
