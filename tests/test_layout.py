"""The test suite keeps the layout a newcomer relies on.

- Tests live in a directory named for their kind: ``unit`` (the pure layers, no network),
  ``behaviour`` (both clients over real HTTP to the emulator), ``reliability``, ``emulator``,
  ``cli``, ``docs``, ``typing``, ``benchmarks``. This module is the one test module at the top.
- A fixture name means one kind of object wherever it is defined (``client`` is always an SDK
  client, never an ``httpx.Client``): every definition of a name, in any conftest, test module or
  the package's pytest plugin, declares the same type.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

TESTS = Path(__file__).resolve().parent
PLUGIN = TESTS.parent / "abeja_notebooks" / "testing" / "pytest_plugin.py"
KINDS = {"unit", "behaviour", "reliability", "emulator", "cli", "docs", "typing", "benchmarks"}
WRAPPERS = {"Iterator", "AsyncIterator", "Generator", "AsyncGenerator"}
"""Return types of yield fixtures: the fixture's value is their first argument."""


def _is_fixture(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(target, ast.Attribute) and target.attr == "fixture"


def _value_type(annotation: ast.expr | None) -> str:
    """The type of the value a fixture gives, from its return annotation."""
    if annotation is None:
        return "<not annotated>"
    if isinstance(annotation, ast.Subscript) and ast.unparse(annotation.value) in WRAPPERS:
        inner = annotation.slice
        return ast.unparse(inner.elts[0] if isinstance(inner, ast.Tuple) else inner)
    return ast.unparse(annotation)


def fixture_types() -> dict[str, dict[str, set[Path]]]:
    """Every fixture name, with the types its definitions declare and where they are."""
    found: dict[str, dict[str, set[Path]]] = defaultdict(lambda: defaultdict(set))
    for path in [*TESTS.rglob("*.py"), PLUGIN]:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if any(_is_fixture(decorator) for decorator in node.decorator_list):
                found[node.name][_value_type(node.returns)].add(path.relative_to(TESTS.parent))
    return found


def test_every_test_module_is_in_the_directory_of_its_kind() -> None:
    misplaced = [
        str(path.relative_to(TESTS))
        for path in TESTS.rglob("test_*.py")
        if path != Path(__file__).resolve() and path.relative_to(TESTS).parts[0] not in KINDS
    ]

    assert misplaced == []


def test_each_fixture_name_means_one_kind_of_object() -> None:
    ambiguous = {
        name: {kind: sorted(map(str, where)) for kind, where in kinds.items()}
        for name, kinds in fixture_types().items()
        if len(kinds) > 1
    }

    assert ambiguous == {}


def test_the_fixture_check_sees_the_fixtures_it_guards() -> None:
    types = fixture_types()

    assert set(types["client"]) == {"Client"}
    assert set(types["http_client"]) == {"httpx.Client"}
    assert set(types["notebook_client"]) == {"Client"}
    assert set(types["emulator"]) == {"Emulator"}
