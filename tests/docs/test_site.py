"""The documentation site: it builds with ``mkdocs build --strict`` and no warning, works from
disk (search included), loads nothing from elsewhere, and its API reference speaks in public
names. One build serves every test of the module.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from .blocks import DOCS, ROOT

pytestmark = [pytest.mark.needs("mkdocs"), pytest.mark.slow]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The built site's directory, and what the build printed."""
    directory = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(directory)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={"PATH": str(Path(sys.executable).parent), "NO_MKDOCS_2_WARNING": "1"},
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    return directory, output


def _html(site: tuple[Path, str], page: str) -> str:
    return (site[0] / page).read_text(encoding="utf-8")


def _hooks() -> ModuleType:
    spec = importlib.util.spec_from_file_location("hooks", ROOT / "scripts" / "mkdocs_hooks.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_site_builds_with_no_warning(site: tuple[Path, str]) -> None:
    directory, output = site

    assert "WARNING" not in output, output
    assert (directory / "index.html").is_file()
    assert (directory / "reference" / "clients.html").is_file()


def test_the_build_writes_a_search_index_that_works_from_disk(site: tuple[Path, str]) -> None:
    """Over file:// the site reads search/search_index.js (the offline plugin's) as a script."""
    script = _html(site, "search/search_index.js")
    prefix = "var __index = "

    assert script.startswith(prefix)
    index = json.loads(script.removeprefix(prefix))
    locations = {doc["location"] for doc in index["docs"]}
    assert "reference/errors.html#abeja_notebooks.NotFound" in locations
    assert "guides/errors.html" in locations


def test_a_real_browser_searching_the_site_from_disk_finds_not_found(
    site: tuple[Path, str], tmp_path: Path
) -> None:
    """Headless Chromium opens the built site over file:// with ``?q=NotFound`` (Material's
    search from the address bar) and lets its scripts run; the results it draws lead to the
    exception's reference entry and to the errors guide."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("needs chromium (scripts/test installs Debian's package where it can)")
    page = (site[0] / "index.html").as_uri() + "?q=NotFound"
    result = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=15000",
            "--dump-dom",
            page,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    links = re.findall(r'<a href="([^"]*)" class="md-search-result__link"', result.stdout)
    found = {link.removeprefix(site[0].as_uri() + "/").split("?")[0] for link in links}
    anchors = {link.split("#", 1)[1] for link in links if "#" in link}

    assert "reference/errors.html" in found, links
    assert "guides/errors.html" in found, links
    assert "abeja_notebooks.NotFound" in anchors, links


def test_no_page_loads_anything_from_another_host(site: tuple[Path, str]) -> None:
    directory, _ = site
    remote = re.compile(
        r"""<(?:script|img|iframe)[^>]*\ssrc=["']https?:|<link[^>]*\shref=["']https?:[^>]*stylesheet|url\(["']?https?:"""
    )
    loading = [
        str(page.relative_to(directory))
        for page in directory.rglob("*.html")
        if remote.search(page.read_text(encoding="utf-8"))
    ]

    assert loading == []
    assert '<script src="assets/javascripts/iframe-worker.js">' in _html(site, "index.html")


# the API reference


def test_the_reference_names_no_private_type(site: tuple[Path, str]) -> None:
    """A name in a signature or a table shows the public type (``NotebookStatus``, not
    ``Status``); an unlinked name carries its path in ``title``, which must not be private."""
    directory, _ = site
    private = re.compile(r'title="(abeja_notebooks(?:\.\w+)*\._[a-z]\w*(?:\.\w+)*)"')
    found = {
        f"{page.name}: {match}"
        for page in (directory / "reference").glob("*.html")
        for match in private.findall(page.read_text(encoding="utf-8"))
    }

    assert found == set()


def test_the_reference_has_no_storage_labels_on_fields(site: tuple[Path, str]) -> None:
    directory, _ = site
    labels = {
        label
        for page in (directory / "reference").glob("*.html")
        for label in re.findall(r"doc-label-([\w-]+)", page.read_text(encoding="utf-8"))
    }

    assert labels & {"class-attribute", "instance-attribute", "module-attribute"} == set()
    assert "property" in labels  # the labels that say what a member is stay


def test_each_returns_section_is_one_row(site: tuple[Path, str]) -> None:
    directory, _ = site
    split = [
        f"{page.name}: {' '.join(re.sub('<[^>]+>', ' ', rows[1]).split())[:80]}"
        for page in (directory / "reference").glob("*.html")
        for section in re.findall(
            r"doc-section-title\">(?:Returns|Yields):</span></p>(.*?)</table>",
            page.read_text(encoding="utf-8"),
            flags=re.S,
        )
        if len(rows := re.findall(r"<tr.*?</tr>", section, flags=re.S)) > 2  # header + one
    ]

    assert split == []


@pytest.mark.parametrize("page", ["notebooks.md", "async.md"])
def test_the_manager_page_renders_every_public_member_under_an_operation(page: str) -> None:
    import griffe

    text = (DOCS / "reference" / page).read_text()
    manager = "Notebooks" if page == "notebooks.md" else "AsyncNotebooks"
    package = griffe.load("abeja_notebooks", search_paths=[str(ROOT)], resolve_aliases=True)
    assert isinstance(package, griffe.Module)
    members = {name for name in package[manager].all_members if not name.startswith("_")}
    rendered = set(re.findall(rf"^::: abeja_notebooks\.{manager}\.(\w+)$", text, flags=re.M))
    sections = re.split(r"^### ", text.split(f"::: abeja_notebooks.{manager}\n")[1], flags=re.M)

    assert rendered == members
    assert all(name in "".join(sections[1:]) for name in members)  # each under a heading


def test_the_manager_page_has_a_table_of_contents_entry_per_member(
    site: tuple[Path, str],
) -> None:
    html = _html(site, "reference/notebooks.html")
    toc = re.findall(r'<a href="#([^"]+)" class="md-nav__link"', html)

    for anchor in ("create-and-read", "listing", "logs", "wait"):
        assert anchor in toc, anchor
    for member in ("create", "list", "stop", "wait_until", "with_raw_response"):
        assert f"abeja_notebooks.Notebooks.{member}" in toc, member


# the pages


def test_the_diagrams_appear_on_their_pages(site: tuple[Path, str]) -> None:
    directory, _ = site

    assert 'src="../images/lifecycle.svg"' in _html(site, "guides/notebooks.html")
    assert 'src="../images/retries.svg"' in _html(site, "guides/retries-and-timeouts.html")
    assert (directory / "images" / "lifecycle.svg").is_file()


def test_cautions_are_admonitions(site: tuple[Path, str]) -> None:
    html = _html(site, "guides/pagination.html")

    warning = html.split('class="admonition warning"', 1)[1].split("</div>", 1)[0]
    assert "Deleting while iterating skips notebooks" in warning


def test_names_in_backticks_link_to_the_reference(site: tuple[Path, str]) -> None:
    html = _html(site, "guides/errors.html")

    assert re.search(r'<a [^>]*href="\.\./reference/errors\.html#abeja_notebooks\.NotFound"', html)


def test_the_changelog_page_shows_the_changelog(site: tuple[Path, str]) -> None:
    html = _html(site, "changelog.html")

    assert "Unreleased" in html
    assert "Keep a Changelog" in html


def test_the_pages_carry_the_placeholder_addresses(site: tuple[Path, str]) -> None:
    html = _html(site, "guides/notebooks.html")

    assert (
        '<link rel="canonical" href="https://abeja-notebooks.invalid/guides/notebooks.html">'
        in html
    )


# the hooks


def test_the_addresses_are_checked_and_placeholders_refused_when_publishing() -> None:
    check = _hooks().check_urls
    placeholders = {
        "site_url": "https://abeja-notebooks.invalid/",
        "repo_url": "https://abeja-notebooks.invalid/repository",
    }
    real = {"site_url": "https://docs.example.com/", "repo_url": "https://example.com/repo"}

    assert check(placeholders, {}) == []
    assert len(check(placeholders, {"DOCS_PUBLISH": "1"})) == 2
    assert check(real, {"DOCS_PUBLISH": "1"}) == []
    assert check({**real, "repo_url": "http://example.com/repo"}, {}) == [
        "repo_url must be an absolute https URL, got 'http://example.com/repo' ($DOCS_REPO_URL)"
    ]


@pytest.mark.needs("griffe")
def test_the_hook_links_public_names_outside_code_headings_and_links() -> None:
    page = (
        "# `Notebook`\n"
        "A `Notebook`, `nb.stop()`, [`Client`](x.md) and `Notebooks.start`.\n"
        "```python\n"
        "`Notebook`\n"
        "```\n"
    )

    assert _hooks().link_names(page).splitlines() == [
        "# `Notebook`",
        "A [`Notebook`][abeja_notebooks.Notebook], `nb.stop()`, [`Client`](x.md) and "
        "[`Notebooks.start`][abeja_notebooks.Notebooks.start].",
        "```python",
        "`Notebook`",
        "```",
    ]
