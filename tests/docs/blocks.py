"""The code blocks of the documentation pages: found, run as a reader would paste them, and
written out for the linters and type checkers.

A page's Python blocks are one script in pieces: each block carries its imports, or builds on an
earlier block of the same page that does. `PageRun` runs them in order in one namespace, as a
reader pasting them into a REPL or a file would. Each block is compiled under the page's own
path and at its own line, so a traceback (or a linter's message, via `write_modules`) names
the line of the Markdown file.

This is what pydantic's pytest-examples does for pydantic's docs, in the part this project
needs; see docs/development.md for why it is not that package.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]
PYTHON = ("python", "py")

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n]*)$")


@dataclass(frozen=True)
class Block:
    """A fenced code block of a page."""

    page: Path
    line: int
    """The line number (from 1) of its first line of code in the page."""
    language: str
    lines: tuple[str, ...]
    """Its lines, without the indentation of the fence."""

    @property
    def where(self) -> str:
        """``docs/guides/notebooks.md:57``."""
        return f"{self.page.relative_to(ROOT)}:{self.line}"

    @property
    def source(self) -> str:
        """The code, as a reader copies it."""
        return "\n".join(self.lines) + "\n"

    def padded(self) -> str:
        """The code preceded by blank lines, so that each line keeps its number in the page."""
        return "\n" * (self.line - 1) + self.source


def code_blocks(page: Path) -> list[Block]:
    """Every fenced code block of a Markdown page, in order."""
    lines = page.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if opening is None:
            i += 1
            continue
        indent, fence = len(opening["indent"]), opening["fence"]
        language = opening["info"].split(" ")[0].strip("{}.").lower()
        body: list[str] = []
        i += 1
        first = i + 1
        while i < len(lines) and lines[i].strip() != fence:
            body.append(lines[i][indent:])
            i += 1
        blocks.append(Block(page, first, language, tuple(body)))
        i += 1
    return blocks


def python_blocks(page: Path) -> list[Block]:
    """The Python blocks of a page, in order."""
    return [block for block in code_blocks(page) if block.language in PYTHON]


def pages_with_python() -> list[Path]:
    """README.md and every page of docs/ that holds a Python block."""
    return [page for page in PAGES if python_blocks(page)]


def slug(page: Path) -> str:
    """A module name for a page: ``docs/guides/http-details.md`` -> ``docs_guides_http_details``."""
    return re.sub(r"\W", "_", str(page.relative_to(ROOT).with_suffix("")))


def module_source(page: Path) -> str:
    """The page's Python blocks as one module, each line at its line number in the page."""
    lines = page.read_text(encoding="utf-8").splitlines()
    module = [""] * len(lines)
    for block in python_blocks(page):
        for offset, line in enumerate(block.lines):
            module[block.line - 1 + offset] = line
    return "\n".join(module).rstrip("\n") + "\n"


def write_modules(directory: Path) -> dict[Path, Path]:
    """Write each page's Python as a module in ``directory`` (see `module_source`).

    Returns:
        Each module written, and the page it comes from.
    """
    written: dict[Path, Path] = {}
    for page in pages_with_python():
        module = directory / f"{slug(page)}.py"
        module.write_text(module_source(page), encoding="utf-8")
        written[module] = page
    return written


def write_blocks(directory: Path) -> dict[Path, Block]:
    """Write each Python block on its own, for the formatter.

    Returns:
        Each file written, and the block it holds.
    """
    written: dict[Path, Block] = {}
    for page in pages_with_python():
        for block in python_blocks(page):
            path = directory / f"{slug(page)}_line_{block.line}.py"
            path.write_text(block.source, encoding="utf-8")
            written[path] = block
    return written


def to_pages(output: str, written: dict[Path, Path] | dict[Path, Block]) -> str:
    """A tool's output with each written file named by its page (the line numbers agree)."""
    for path, origin in written.items():
        page = origin if isinstance(origin, Path) else origin.page
        output = output.replace(str(path), str(page.relative_to(ROOT)))
    return output


class PageRun:
    """A page's Python blocks, run in order in one namespace (see the module docstring)."""

    def __init__(self, page: Path) -> None:
        self.page = page
        self.blocks = python_blocks(page)
        self.namespace: dict[str, Any] = {"__name__": "__main__"}
        self.ran = 0

    def __repr__(self) -> str:
        return f"PageRun({self.page.relative_to(ROOT)}, {self.ran}/{len(self.blocks)} run)"

    @property
    def done(self) -> bool:
        """Whether every block has run."""
        return self.ran == len(self.blocks)

    def run(self, count: int | None = None) -> PageRun:
        """Run the next ``count`` blocks (by default, all that are left).

        Returns:
            This run, for chaining and for reading names with ``run["name"]``.
        """
        last = len(self.blocks) if count is None else self.ran + count
        assert last <= len(self.blocks), f"{self} has no {count} more blocks"
        for block in self.blocks[self.ran : last]:
            exec(compile(block.padded(), str(block.page), "exec"), self.namespace)
            self.ran += 1
        return self

    def __getitem__(self, name: str) -> Any:
        return self.namespace[name]

    def close_clients(self) -> None:
        """Close the clients the blocks left open, as exiting the reader's script would."""
        from abeja_notebooks import APIClient, AsyncClient, Client

        for value in list(self.namespace.values()):
            if isinstance(value, Client | APIClient):
                value.close()
            elif isinstance(value, AsyncClient):
                asyncio.run(value.aclose())


def run_pages_named_in(tests: Iterator[Path]) -> set[Path]:
    """The pages the given test modules open by name (``"guides/notebooks.md"``)."""
    named: set[Path] = set()
    for test in tests:
        text = test.read_text(encoding="utf-8")
        for page in pages_with_python():
            name = str(page.relative_to(DOCS)) if page.is_relative_to(DOCS) else page.name
            if f'"{name}"' in text:
                named.add(page)
    return named
