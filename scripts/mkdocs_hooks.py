"""MkDocs hooks (configured in ``mkdocs.yml``): what the site adds to pages that read as plain
Markdown in the repository.

- **Names link to the reference.** A page writes a public name in single backticks, as the
  docstrings do (`` `Notebook` ``, `` `Notebooks.start` ``, `` `ManualClock` ``): GitHub and an
  editor show code, and here each span that names an object of the API reference becomes a link
  to it, resolved as scripts/crossrefs.py resolves the docstrings' (``abeja_notebooks`` first,
  then ``abeja_notebooks.testing``). Code blocks, headings and spans already inside a link are
  left alone; anything else in backticks (`` `nb.stop()` ``, `` `Running` ``) stays code.
- **A page may stand for a file of the repository.** ``docs/changelog.md`` says where the
  changelog is; the site shows ``CHANGELOG.md`` itself in its place.
- **The site's addresses are checked.** ``site_url`` and ``repo_url`` must be absolute
  ``https`` URLs. Until the project has a public address they are placeholders under
  ``.invalid`` (see ``mkdocs.yml``): the build says so, and fails when ``DOCS_PUBLISH=1``.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import re
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
STANDS_FOR = {"changelog.md": ROOT / "CHANGELOG.md"}
"""Pages whose place on the site the named repository file takes."""
PLACEHOLDER_DOMAIN = ".invalid"
URL_SETTINGS = {"site_url": "DOCS_SITE_URL", "repo_url": "DOCS_REPO_URL"}
"""The settings checked, and the environment variable that sets each."""

log = logging.getLogger("mkdocs.hooks.abeja_notebooks")

_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_LINKED = re.compile(r"\[[^\]]*\]\([^)]*\)|\[[^\]]*\]\[[^\]]*\]")
"""A Markdown link, inline or by reference: spans inside one are left as they are."""


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@cache
def _crossrefs() -> ModuleType:
    return _load("crossrefs")


@cache
def _package() -> Any:
    import griffe

    return griffe.load(
        "abeja_notebooks", search_paths=[str(ROOT)], resolve_aliases=True, resolve_external=False
    )


def check_urls(config: dict[str, Any], environ: dict[str, str]) -> list[str]:
    """The problems with the site's addresses; placeholders count only when publishing.

    Args:
        config: The MkDocs configuration (``site_url``, ``repo_url``).
        environ: The environment (``DOCS_PUBLISH``).

    Returns:
        One sentence per problem (empty when the addresses are fine for this build).
    """
    problems: list[str] = []
    publishing = environ.get("DOCS_PUBLISH", "") not in ("", "0")
    for setting, variable in URL_SETTINGS.items():
        url = config.get(setting) or ""
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.hostname:
            problems.append(f"{setting} must be an absolute https URL, got {url!r} (${variable})")
        elif parts.hostname.endswith(PLACEHOLDER_DOMAIN) and publishing:
            problems.append(f"{setting} is still the placeholder {url!r}: set ${variable}")
    return problems


def on_config(config: Any) -> Any:
    """Check ``site_url`` and ``repo_url`` (see the module docstring).

    Args:
        config: The MkDocs configuration.

    Returns:
        The configuration, unchanged.
    """
    from mkdocs.exceptions import PluginError

    problems = check_urls(config, dict(os.environ))
    if problems:
        raise PluginError("; ".join(problems))
    if any(
        (urlsplit(config[setting]).hostname or "").endswith(PLACEHOLDER_DOMAIN)
        for setting in URL_SETTINGS
    ):
        log.info("site_url and repo_url are placeholders (see mkdocs.yml)")
    return config


def link_names(markdown: str) -> str:
    """``markdown`` with each single-backtick public name made a link to its reference entry.

    Args:
        markdown: A page's source.

    Returns:
        The page, its names linked (see the module docstring for what is left alone).
    """
    crossrefs = _crossrefs()
    package = _package()
    lines: list[str] = []
    fence: str | None = None
    for line in markdown.split("\n"):
        opening = _FENCE.match(line)
        if fence is not None:
            if opening is not None and opening.group(1).startswith(fence):
                fence = None
        elif opening is not None:
            fence = opening.group(1)
        elif not line.lstrip().startswith("#"):
            line = _link_line(crossrefs, package, line)
        lines.append(line)
    return "\n".join(lines)


def _link_line(crossrefs: ModuleType, package: Any, line: str) -> str:
    pieces: list[str] = []
    last = 0
    for link in _LINKED.finditer(line):
        pieces.append(crossrefs.link(package, "", line[last : link.start()]))
        pieces.append(link.group(0))
        last = link.end()
    pieces.append(crossrefs.link(package, "", line[last:]))
    return "".join(pieces)


def on_page_markdown(markdown: str, *, page: Any, config: Any, files: Any) -> str:
    """Put a repository file in the place of the page that stands for it, then link names.

    Args:
        markdown: The page's source.
        page: The page.
        config: The MkDocs configuration.
        files: The site's files.

    Returns:
        The Markdown to render.
    """
    source = STANDS_FOR.get(page.file.src_uri)
    if source is not None:
        markdown = source.read_text(encoding="utf-8")
    return link_names(markdown)
