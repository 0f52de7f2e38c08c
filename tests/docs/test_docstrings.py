"""Every public name is documented, and rendered in the API reference.

The docstring rules are in :mod:`tests.docs.docstrings` (read statically with griffe, which comes
with the docs toolchain: those tests are marked ``needs("griffe")``).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PUBLIC_MODULES = ("abeja_notebooks", "abeja_notebooks.testing")


def public_names() -> Iterator[tuple[str, str]]:
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        names: list[str] = module.__all__
        for name in names:
            yield module_name, name


@pytest.mark.needs("griffe")
def test_every_public_name_is_documented() -> None:
    from tests.docs.docstrings import check_public_names  # imports griffe: see the marker

    problems = check_public_names(ROOT, public_names())

    assert not problems, "\n".join(problems)


def test_every_public_name_is_in_the_api_reference() -> None:
    rendered = set[str]()
    for page in (ROOT / "docs" / "reference").glob("*.md"):
        rendered.update(re.findall(r"^::: ([\w.]+)$", page.read_text(), flags=re.MULTILINE))

    missing = [
        f"{module}.{name}" for module, name in public_names() if f"{module}.{name}" not in rendered
    ]
    assert missing == []


@pytest.mark.needs("griffe")
def test_every_name_a_rendered_docstring_puts_in_backticks_is_linked() -> None:
    """A single-backtick name is a cross-reference: a typo or a renamed method is caught here."""
    from tests.docs.docstrings import unresolved_names  # imports griffe: see the marker

    assert unresolved_names(ROOT, public_names()) == []


def test_no_docstring_uses_markup_only_the_site_renders() -> None:
    """An IDE's hover shows ``[`X`][abeja_notebooks.X]`` as it is: docstrings write `X`."""
    marked = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "abeja_notebooks").rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if "][abeja_notebooks." in line
    ]

    assert marked == []


@pytest.mark.needs("griffe")
def test_the_checker_catches_what_it_promises_to(tmp_path: Path) -> None:
    """The rules are not vacuous: a module breaking each of them is caught."""
    from tests.docs.docstrings import check_classes  # imports griffe: see the marker

    (tmp_path / "sample.py").write_text(
        '"""A module."""\n'
        '__all__ = ["Bad", "Forwarder", "Good"]\n'
        "class Good:\n"
        '    """A class.\n\n    Attributes:\n        size: How big.\n    """\n'
        "    def __init__(self, size: int) -> None:\n        self.size = size\n"
        "    def grow(self, by: int) -> int:\n"
        '        """Grow.\n\n        Args:\n            by: How much.\n\n'
        '        Returns:\n            The new size.\n        """\n        return by\n'
        "class Bad:\n"
        "    field: int = 0\n"
        "    def __init__(self, size: int) -> None:\n        pass\n"
        "    def grow(self, by: int) -> int:\n"
        '        """Grow, with no Args: and no Returns:."""\n        return by\n'
        "    def shrink(self) -> None:\n        pass\n"
        "class Forwarder:\n"
        '    """Forwards."""\n'
        "    def grow(self, by: int) -> None:\n"
        '        """Grow; see `Good.grow`."""\n'
        "    def shrink(self, by: int) -> None:\n"
        '        """Shrink; see `Bad.grow`, which documents nothing."""\n'
        "    def stretch(self, by: int) -> None:\n"
        '        """Stretch; see ``Good.grow`` (literal code: no link)."""\n'
    )

    problems = check_classes(tmp_path, "sample", ["Good", "Bad", "Forwarder"])

    assert sorted(problems) == [
        "Bad(): constructor parameter 'size' is not documented",
        "Bad.field: no docstring and not under Attributes:",
        "Bad.grow: parameter 'by' not under Args:",
        "Bad.grow: returns int but has no Returns:/Yields:",
        "Bad.shrink: no docstring",
        "Bad: no docstring",
        "Forwarder.shrink: parameter 'by' not under Args:",
        "Forwarder.stretch: parameter 'by' not under Args:",
    ]
