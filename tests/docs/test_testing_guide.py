"""The testing guide's blocks are pytest tests of a reader's code: they are collected here.

The page (``"guides/testing.md"``) is run at import, as a reader's test module would be: its
blocks define the code under test and the tests, which then run here with the plugin's
fixtures, as they would in the reader's project.
"""

from __future__ import annotations

from .blocks import DOCS, PageRun

GUIDE = PageRun(DOCS / "guides" / "testing.md").run()

globals().update(
    {name: value for name, value in GUIDE.namespace.items() if name.startswith("test_")}
)


def test_the_guide_holds_tests_and_every_block_ran() -> None:
    tests = [name for name in GUIDE.namespace if name.startswith("test_")]

    assert GUIDE.done
    assert len(tests) >= 7
    assert all(name in globals() for name in tests)
